//! The Statement of Applicability (ISO/IEC 27001:2022 clause 6.1.3 d): for each Annex A control,
//! whether it applies, why (the justification is required for every exclusion, and for an
//! inclusion that rests only on a mapping from another framework — auditors ask for it), its
//! implementation status, and the controls, evidence and risks behind it.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SoaRow {
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    /// None while undecided.
    pub applicable: Option<bool>,
    pub justification: Option<String>,
    /// The requirement's readiness state (proven, attested, derived, partial, gap, not_applicable, unknown).
    pub status: String,
    /// Included only because a mapping from another framework reaches it (no control linked directly).
    pub included_via_mapping_only: bool,
    pub controls: Vec<String>,
    pub evidence: Vec<String>,
    pub risks: Vec<String>,
}

/// Why a row cannot be published yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SoaProblem {
    #[serde(rename = "ref")]
    pub reference: String,
    pub message: String,
}

fn justified(row: &SoaRow) -> bool {
    row.justification.as_deref().is_some_and(|j| !j.trim().is_empty())
}

/// Every reason the SoA is not ready to publish, in Annex A order.
pub fn problems(rows: &[SoaRow]) -> Vec<SoaProblem> {
    rows.iter()
        .filter_map(|row| {
            let message = match row.applicable {
                None => "decide whether the control applies (ISO/IEC 27001 6.1.3 d)",
                // Clause 6.1.3 d) requires the justification for exclusions.
                Some(false) if !justified(row) => "an excluded control needs a justification (ISO/IEC 27001 6.1.3 d)",
                Some(true) if row.included_via_mapping_only && !justified(row) => {
                    "included only through a mapping from another framework: justify the inclusion"
                }
                _ => return None,
            };
            Some(SoaProblem { reference: row.reference.clone(), message: message.into() })
        })
        .collect()
}

/// One field of one row that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SoaChange {
    #[serde(rename = "ref")]
    pub reference: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

fn fields(row: &SoaRow) -> [(&'static str, String); 6] {
    [
        ("applicable", row.applicable.map_or_else(|| "undecided".to_owned(), |a| if a { "yes".into() } else { "no".into() })),
        ("justification", row.justification.clone().unwrap_or_default()),
        ("status", row.status.clone()),
        ("controls", row.controls.join("; ")),
        ("evidence", row.evidence.join("; ")),
        ("risks", row.risks.join("; ")),
    ]
}

/// Field-by-field differences from `before` to `after`, matching rows by reference.
pub fn diff(before: &[SoaRow], after: &[SoaRow]) -> Vec<SoaChange> {
    let old: std::collections::HashMap<&str, &SoaRow> = before.iter().map(|r| (r.reference.as_str(), r)).collect();
    let mut changes = Vec::new();
    for row in after {
        match old.get(row.reference.as_str()) {
            Some(previous) => {
                for ((field, was), (_, now)) in fields(previous).into_iter().zip(fields(row)) {
                    if was != now {
                        changes.push(SoaChange { reference: row.reference.clone(), field: field.into(), before: was, after: now });
                    }
                }
            }
            None => changes.push(SoaChange {
                reference: row.reference.clone(),
                field: "row".into(),
                before: String::new(),
                after: "added".into(),
            }),
        }
    }
    let current: std::collections::HashSet<&str> = after.iter().map(|r| r.reference.as_str()).collect();
    for row in before.iter().filter(|r| !current.contains(r.reference.as_str())) {
        changes.push(SoaChange {
            reference: row.reference.clone(),
            field: "row".into(),
            before: "present".into(),
            after: "removed".into(),
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(reference: &str, applicable: Option<bool>, justification: Option<&str>, via_mapping: bool) -> SoaRow {
        SoaRow {
            reference: reference.into(),
            title: String::new(),
            applicable,
            justification: justification.map(Into::into),
            status: "unknown".into(),
            included_via_mapping_only: via_mapping,
            controls: vec![],
            evidence: vec![],
            risks: vec![],
        }
    }

    #[test]
    fn exclusions_and_mapping_only_inclusions_need_a_justification() {
        let rows = [
            row("A.5.1", Some(true), None, false),
            row("A.7.2", Some(false), None, false),
            row("A.7.3", Some(false), Some("no premises"), false),
            row("A.8.8", Some(true), None, true),
            row("A.8.9", Some(true), Some("selected in the risk treatment plan"), true),
            row("A.8.10", None, None, false),
        ];
        let found: Vec<_> = problems(&rows).into_iter().map(|p| p.reference).collect();
        assert_eq!(found, ["A.7.2", "A.8.8", "A.8.10"]);
        assert!(problems(&[row("A.7.2", Some(false), Some("   "), false)])[0].message.contains("6.1.3 d"));
    }

    #[test]
    fn diff_names_each_changed_field() {
        let before = [row("A.5.1", Some(true), None, false), row("A.7.2", Some(true), None, false)];
        let mut excluded = row("A.7.2", Some(false), Some("no premises"), false);
        excluded.status = "not_applicable".into();
        let after = [row("A.5.1", Some(true), None, false), excluded];
        let changes = diff(&before, &after);
        let summary: Vec<_> = changes.iter().map(|c| format!("{} {}: {} -> {}", c.reference, c.field, c.before, c.after)).collect();
        assert_eq!(
            summary,
            ["A.7.2 applicable: yes -> no", "A.7.2 justification:  -> no premises", "A.7.2 status: unknown -> not_applicable"]
        );
        assert!(diff(&after, &after).is_empty());
    }
}
