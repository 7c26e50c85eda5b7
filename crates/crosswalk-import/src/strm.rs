//! Secure Controls Framework (SCF) Set Theory Relationship Mapping (STRM) files (issue 13, item 5).
//!
//! SCF publishes, per focal document (ISO/IEC 27001/27002, NIST CSF 2.0, SP 800-53, NIS2, DORA,
//! GDPR…), a sheet relating each Focal Document Element (FDE) to SCF controls with NIST IR 8477
//! relationships and an optional strength. SCF's terms forbid redistributing derivatives, so
//! Crosswalk bundles none of it: an organisation imports the file it obtained (the sheet exported as
//! CSV) into its own catalog. The SCF controls become a pivot framework (`scf`), grown by each
//! import; relations read "FDE <relationship> SCF control". A chain focal → SCF → other focal is two
//! relations, so it is only ever a suggestion (the crosswalk engine credits one step only).
//!
//! Columns, as the published STRM sheets head them (matched without regard to case, spacing or a
//! trailing "(optional)"): `FDE #`, `FDE Name`, `Focal Document Element (FDE)`, `STRM Rationale`,
//! `STRM Relationship`, `SCF Control`, `SCF #`, `Secure Controls Framework (SCF) Control
//! Description`, `Strength of Relationship (optional)`, `Notes (optional)`. A column outside this
//! list, a missing required column, an unknown relationship or rationale, a strength outside 0–10:
//! an error naming the column, row and value; nothing is imported.
use crosswalk_domain::catalog::{Rationale, RelationType};

use crate::ImportError;

/// One STRM row: "FDE `relation` SCF control".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrmRow {
    /// Row number in the file (1 = the header), for messages.
    pub line: usize,
    pub fde: String,
    pub fde_name: String,
    pub relation: RelationType,
    pub rationale: Option<Rationale>,
    pub scf: String,
    pub scf_name: String,
    pub scf_description: String,
    pub strength: Option<u8>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    FdeNumber,
    FdeName,
    FdeText,
    Rationale,
    Relationship,
    ScfName,
    ScfNumber,
    ScfDescription,
    Strength,
    Notes,
}

/// The published headers, normalised (lower case, single spaces, "(optional)" dropped).
const COLUMNS: &[(&str, Column)] = &[
    ("fde #", Column::FdeNumber),
    ("fde name", Column::FdeName),
    ("focal document element (fde)", Column::FdeText),
    ("strm rationale", Column::Rationale),
    ("strm relationship", Column::Relationship),
    ("scf control", Column::ScfName),
    ("scf #", Column::ScfNumber),
    ("secure controls framework (scf) control description", Column::ScfDescription),
    ("strength of relationship", Column::Strength),
    ("notes", Column::Notes),
];

const REQUIRED: &[Column] = &[Column::FdeNumber, Column::Relationship, Column::ScfNumber];

fn normalise(header: &str) -> String {
    let lower = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    let lower = lower.trim_end_matches("(optional)").trim();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// STRM's relationship words ("subset of", "intersects with", "no relationship", "equal").
fn relationship(raw: &str) -> Option<RelationType> {
    RelationType::parse(raw)
}

/// Parses an STRM CSV export into rows; every problem names its row and column.
pub fn parse(bytes: &[u8]) -> Result<Vec<StrmRow>, ImportError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(bytes);
    let headers = reader.headers().map_err(|e| ImportError::invalid("header", e.to_string()))?.clone();
    let mut at: Vec<Column> = Vec::with_capacity(headers.len());
    for header in headers.iter() {
        let name = normalise(header);
        match COLUMNS.iter().find(|(known, _)| *known == name) {
            Some((_, column)) if at.contains(column) => {
                return Err(ImportError::invalid("header", format!("column '{header}' appears twice")));
            }
            Some((_, column)) => at.push(*column),
            None => {
                return Err(ImportError::invalid(
                    "header",
                    format!(
                        "unknown column '{header}' (an SCF STRM sheet has: FDE #, FDE Name, Focal Document Element (FDE), STRM Rationale, STRM Relationship, SCF Control, SCF #, Secure Controls Framework (SCF) Control Description, Strength of Relationship (optional), Notes (optional))"
                    ),
                ));
            }
        }
    }
    for required in REQUIRED {
        if !at.contains(required) {
            let name = COLUMNS.iter().find(|(_, c)| c == required).map_or("", |(n, _)| n);
            return Err(ImportError::invalid("header", format!("missing column '{name}'")));
        }
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|e| ImportError::invalid(format!("row {line}"), e.to_string()))?;
        let cell = |column: Column| -> String {
            at.iter().position(|c| *c == column).and_then(|i| record.get(i)).map(|v| v.trim().to_owned()).unwrap_or_default()
        };
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let (fde, scf, raw_relation) = (cell(Column::FdeNumber), cell(Column::ScfNumber), cell(Column::Relationship));
        if fde.is_empty() {
            return Err(ImportError::invalid(format!("row {line}, column 'FDE #'"), "is empty"));
        }
        let relation = relationship(&raw_relation).ok_or_else(|| {
            ImportError::invalid(
                format!("row {line}, column 'STRM Relationship'"),
                format!(
                    "unknown relationship '{raw_relation}' (expected equal, subset of, superset of, intersects with or no relationship)"
                ),
            )
        })?;
        if scf.is_empty() && relation != RelationType::NotRelated {
            return Err(ImportError::invalid(format!("row {line}, column 'SCF #'"), "is empty"));
        }
        let raw_rationale = cell(Column::Rationale);
        let rationale = match raw_rationale.as_str() {
            "" => None,
            other => Some(Rationale::parse(other).ok_or_else(|| {
                ImportError::invalid(
                    format!("row {line}, column 'STRM Rationale'"),
                    format!("unknown rationale '{other}' (expected syntactic, semantic or functional)"),
                )
            })?),
        };
        let raw_strength = cell(Column::Strength);
        let strength = match raw_strength.as_str() {
            "" => None,
            other => Some(other.parse::<u8>().ok().filter(|s| *s <= 10).ok_or_else(|| {
                ImportError::invalid(format!("row {line}, column 'Strength of Relationship'"), format!("'{other}' is not a strength 0-10"))
            })?),
        };
        let notes = Some(cell(Column::Notes)).filter(|n| !n.is_empty());
        rows.push(StrmRow {
            line,
            fde,
            fde_name: cell(Column::FdeName),
            relation,
            rationale,
            scf,
            scf_name: cell(Column::ScfName),
            scf_description: cell(Column::ScfDescription),
            strength,
            notes,
        });
    }
    if rows.is_empty() {
        return Err(ImportError::invalid("rows", "the file has no STRM rows"));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small fixture in the published layout (our own rows, not SCF's).
    const FIXTURE: &str = "FDE #,FDE Name,Focal Document Element (FDE),STRM Rationale,STRM Relationship,SCF Control,SCF #,Secure Controls Framework (SCF) Control Description,Strength of Relationship (optional),Notes (optional)\n\
A.8.8,Management of technical vulnerabilities,Example text,Functional,Intersects With,Vulnerability Remediation Process,VPM-02,Example description,8,\n\
A.8.13,Information backup,Example text,Semantic,Subset Of,Data Backups,BCD-11,Example description,10,a note\n\
A.5.10,Acceptable use,Example text,Functional,No Relationship,N/A,N/A,N/A,0,\n";

    #[test]
    fn the_published_layout_parses_with_types_and_strengths() {
        let rows = parse(FIXTURE.as_bytes()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            (rows[0].fde.as_str(), rows[0].relation, rows[0].scf.as_str(), rows[0].strength),
            ("A.8.8", RelationType::Intersects, "VPM-02", Some(8))
        );
        assert_eq!(
            (rows[1].relation, rows[1].notes.as_deref(), rows[1].rationale),
            (RelationType::Subset, Some("a note"), Some(Rationale::Semantic))
        );
        assert_eq!(rows[2].relation, RelationType::NotRelated);
    }

    #[test]
    fn unknown_columns_and_values_are_named() {
        let err = parse(b"FDE #,Colour,STRM Relationship,SCF #\nA.1,red,equal,X-1\n").unwrap_err().to_string();
        assert!(err.contains("unknown column 'Colour'"), "{err}");
        let err = parse(b"FDE #,STRM Relationship,SCF #\nA.1,roughly equal,X-1\n").unwrap_err().to_string();
        assert!(err.contains("row 2") && err.contains("'roughly equal'"), "{err}");
        let err = parse(b"FDE #,STRM Relationship,SCF #,Strength of Relationship (optional)\nA.1,equal,X-1,11\n").unwrap_err().to_string();
        assert!(err.contains("'11' is not a strength"), "{err}");
        let err = parse(b"FDE #,STRM Relationship\nA.1,equal\n").unwrap_err().to_string();
        assert!(err.contains("missing column 'scf #'"), "{err}");
    }

    proptest::proptest! {
        /// Arbitrary bytes never panic the parser.
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let _ = parse(&bytes);
        }
    }
}
