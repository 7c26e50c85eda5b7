//! Frameworks, requirements and typed mappings: the global, versioned catalog.
//!
//! The `*Doc` types are Crosswalk's own catalog file format (`catalogs/**/*.json`): the bundled
//! catalogs, the generator that writes them and every importer produce these, and the store loads
//! them in one transaction. Validation here is the single place that decides whether a document is
//! internally sound (unique refs, parents that exist, relations that point at real requirements),
//! so every error names the row it is about.
use serde::{Deserialize, Serialize};

/// How requirement A relates to requirement B, per NIST IR 8477 set-theory relationships.
/// Read as "A `<type>` B": `Superset` means A covers all of B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelationType {
    Equal,
    Subset,
    Superset,
    Intersects,
    NotRelated,
}

impl RelationType {
    pub const ALL: [RelationType; 5] = [Self::Equal, Self::Subset, Self::Superset, Self::Intersects, Self::NotRelated];

    /// The same fact read from the other side: "A subset B" is "B superset A".
    pub fn inverse(self) -> Self {
        match self {
            Self::Subset => Self::Superset,
            Self::Superset => Self::Subset,
            other => other,
        }
    }

    /// True when satisfying A satisfies all of B (IR 8477: A equal B, or A superset of B).
    /// This is the only relation along which credit flows without a person's sign-off.
    pub fn carries_credit(self) -> bool {
        matches!(self, Self::Equal | Self::Superset)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equal => "equal",
            Self::Subset => "subset",
            Self::Superset => "superset",
            Self::Intersects => "intersects",
            Self::NotRelated => "not_related",
        }
    }

    /// Parses our names and CISO Assistant's (`intersect`, `not_related`) without upgrading any type.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "equal" | "equivalent" => Self::Equal,
            "subset" | "subset_of" => Self::Subset,
            "superset" | "superset_of" => Self::Superset,
            "intersect" | "intersects" | "intersects_with" => Self::Intersects,
            "not_related" | "no_relationship" => Self::NotRelated,
            _ => return None,
        })
    }
}

impl std::fmt::Display for RelationType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the relation holds (IR 8477 rationale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rationale {
    Syntactic,
    Semantic,
    Functional,
}

impl Rationale {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Syntactic => "syntactic",
            Self::Semantic => "semantic",
            Self::Functional => "functional",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "syntactic" => Some(Self::Syntactic),
            "semantic" => Some(Self::Semantic),
            "functional" => Some(Self::Functional),
            _ => None,
        }
    }
}

/// Who stands behind a mapping set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    /// Published by the framework owner or a standards body (e.g. NIST OLIR, ENISA).
    Official,
    /// A tool vendor's library (e.g. CISO Assistant), imported faithfully.
    VendorLibrary,
    /// Reviewed typed relations authored by the Crosswalk project (`catalogs/mappings/curated`).
    CrosswalkCurated,
    /// Derived from the structure of the law itself (e.g. a CIR 2024/2690 point details one NIS2 measure).
    LegalStructure,
    /// Defined by an organisation for its own use.
    User,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Official => "official",
            Self::VendorLibrary => "vendor-library",
            Self::CrosswalkCurated => "crosswalk-curated",
            Self::LegalStructure => "legal-structure",
            Self::User => "user",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Official, Self::VendorLibrary, Self::CrosswalkCurated, Self::LegalStructure, Self::User]
            .into_iter()
            .find(|p| p.as_str() == raw)
    }
}

/// One framework version as a document: the bundled catalog format and the importers' output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkDoc {
    pub slug: String,
    pub version: String,
    pub name: String,
    pub publisher: String,
    /// Where the data comes from (document, URL, commit).
    pub source: String,
    /// The terms under which it is bundled or was imported.
    pub terms: String,
    /// External identifiers by which other documents name this framework (a CISO Assistant
    /// framework URN, `oscal-catalog:<file stem>`), so imported mappings and profiles can find it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// In document order; a parent always comes before its children.
    pub requirements: Vec<RequirementDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<ProfileDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementDoc {
    /// The reference as the source writes it (`A.8.8`, `PR.AA-01`, `AC-2(1)`, `Art.21(2)(e)`).
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Whether an organisation assesses this node (leaves usually; headings not).
    pub assessable: bool,
    /// Withdrawn by its source (OSCAL `status: withdrawn`, SP 800-53's "[Withdrawn: …]"): kept so
    /// references resolve, never assessable, never counted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// External identifiers (CISO Assistant requirement URN, `oscal:<control id>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// A named selection of a framework's requirements, e.g. an SP 800-53B baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileDoc {
    pub slug: String,
    pub name: String,
    pub refs: Vec<String>,
}

/// A framework named by slug and version, as mapping sets refer to them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkKey {
    pub slug: String,
    pub version: String,
}

impl std::fmt::Display for FrameworkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.slug, self.version)
    }
}

/// Typed relations from one framework to another, with who stands behind them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingSetDoc {
    pub slug: String,
    pub name: String,
    pub from: FrameworkKey,
    pub to: FrameworkKey,
    pub provenance: Provenance,
    pub source: String,
    pub terms: String,
    pub relations: Vec<RelationDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationDoc {
    pub from: String,
    pub to: String,
    #[serde(rename = "type")]
    pub relation: RelationType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<Rationale>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The review records of a curated mapping set (`catalogs/curated/reviews/*.json`): one per
/// credit-carrying relation, with both sides' key obligations in Crosswalk's own words, the reason
/// for the type, and the verdict of an independent reviewer who saw only the two requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewsDoc {
    pub set: String,
    pub reviews: Vec<ReviewDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewDoc {
    pub from: String,
    pub to: String,
    #[serde(rename = "type")]
    pub relation: RelationType,
    pub from_obligations: String,
    pub to_obligations: String,
    pub reason: String,
    pub author: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub independent_check: Option<IndependentCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndependentCheck {
    pub reviewer: String,
    /// What the reviewer was shown (the two requirements only).
    pub saw: String,
    /// The reviewer's own type for the pair.
    pub verdict: RelationType,
    pub agrees: bool,
    pub note: String,
}

impl ReviewDoc {
    /// Reviewed: a different person checked it blind and their verdict implies the stated type
    /// (equal implies subset and superset).
    pub fn is_independently_confirmed(&self) -> bool {
        self.independent_check.as_ref().is_some_and(|c| {
            c.agrees
                && c.reviewer != self.author
                && (c.verdict == self.relation
                    || (c.verdict == RelationType::Equal && matches!(self.relation, RelationType::Subset | RelationType::Superset)))
        })
    }
}

/// A document that is not internally sound; names the row so the user can fix the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("{field}: must not be empty")]
    Empty { field: String },
    #[error("requirements[{row}]: duplicate ref '{reference}'")]
    DuplicateRef { row: usize, reference: String },
    #[error("requirements[{row}] ('{reference}'): parent '{parent}' is not an earlier requirement")]
    UnknownParent { row: usize, reference: String, parent: String },
    #[error("profiles[{profile}] ('{slug}'): ref '{reference}' is not a requirement of the framework")]
    UnknownProfileRef { profile: usize, slug: String, reference: String },
    #[error("relations[{row}]: {side} requirement '{reference}' does not exist in {framework}")]
    UnknownRelationRef { row: usize, side: &'static str, reference: String, framework: String },
    #[error("relations[{row}]: strength {strength} is outside 0-10")]
    StrengthOutOfRange { row: usize, strength: u8 },
}

impl FrameworkDoc {
    pub fn key(&self) -> FrameworkKey {
        FrameworkKey { slug: self.slug.clone(), version: self.version.clone() }
    }

    /// Checks refs are unique, non-empty and each parent precedes its child; profile refs exist.
    pub fn validate(&self) -> Result<(), CatalogError> {
        for (field, value) in [("slug", &self.slug), ("version", &self.version), ("name", &self.name)] {
            if value.trim().is_empty() {
                return Err(CatalogError::Empty { field: field.into() });
            }
        }
        let mut seen = std::collections::HashSet::with_capacity(self.requirements.len());
        for (row, req) in self.requirements.iter().enumerate() {
            if req.reference.trim().is_empty() {
                return Err(CatalogError::Empty { field: format!("requirements[{row}].ref") });
            }
            if let Some(parent) = &req.parent
                && !seen.contains(parent.as_str())
            {
                return Err(CatalogError::UnknownParent { row, reference: req.reference.clone(), parent: parent.clone() });
            }
            if !seen.insert(req.reference.as_str()) {
                return Err(CatalogError::DuplicateRef { row, reference: req.reference.clone() });
            }
        }
        for (index, profile) in self.profiles.iter().enumerate() {
            if let Some(missing) = profile.refs.iter().find(|r| !seen.contains(r.as_str())) {
                return Err(CatalogError::UnknownProfileRef { profile: index, slug: profile.slug.clone(), reference: missing.clone() });
            }
        }
        Ok(())
    }

    pub fn count_assessable(&self) -> usize {
        self.requirements.iter().filter(|r| r.assessable).count()
    }
}

impl MappingSetDoc {
    /// Checks every relation points at requirements that exist on both sides.
    pub fn validate(&self, from: &FrameworkDoc, to: &FrameworkDoc) -> Result<(), CatalogError> {
        let from_refs: std::collections::HashSet<&str> = from.requirements.iter().map(|r| r.reference.as_str()).collect();
        let to_refs: std::collections::HashSet<&str> = to.requirements.iter().map(|r| r.reference.as_str()).collect();
        self.validate_refs(&|r| from_refs.contains(r), &|r| to_refs.contains(r))
    }

    /// As [`Self::validate`], with membership tests supplied by the caller (e.g. from the database).
    pub fn validate_refs(&self, from_has: &dyn Fn(&str) -> bool, to_has: &dyn Fn(&str) -> bool) -> Result<(), CatalogError> {
        for (row, relation) in self.relations.iter().enumerate() {
            if !from_has(&relation.from) {
                return Err(CatalogError::UnknownRelationRef {
                    row,
                    side: "from",
                    reference: relation.from.clone(),
                    framework: self.from.to_string(),
                });
            }
            if !to_has(&relation.to) {
                return Err(CatalogError::UnknownRelationRef {
                    row,
                    side: "to",
                    reference: relation.to.clone(),
                    framework: self.to.to_string(),
                });
            }
            if let Some(strength) = relation.strength
                && strength > 10
            {
                return Err(CatalogError::StrengthOutOfRange { row, strength });
            }
        }
        Ok(())
    }
}

/// Splits `slug` or `slug@version` as users name frameworks on the command line and in URLs.
pub fn parse_framework_id(raw: &str) -> (&str, Option<&str>) {
    match raw.split_once('@') {
        Some((slug, version)) if !version.is_empty() => (slug, Some(version)),
        _ => (raw.trim_end_matches('@'), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(reference: &str, parent: Option<&str>) -> RequirementDoc {
        RequirementDoc {
            reference: reference.into(),
            parent: parent.map(Into::into),
            title: String::new(),
            text: None,
            assessable: true,
            withdrawn: false,
            aliases: vec![],
        }
    }

    fn framework(requirements: Vec<RequirementDoc>) -> FrameworkDoc {
        FrameworkDoc {
            slug: "f".into(),
            version: "1".into(),
            name: "F".into(),
            publisher: "p".into(),
            source: "s".into(),
            terms: "t".into(),
            aliases: vec![],
            requirements,
            profiles: vec![],
        }
    }

    #[test]
    fn relation_types_invert_and_only_equal_or_superset_carry_credit() {
        for ty in RelationType::ALL {
            assert_eq!(ty.inverse().inverse(), ty);
        }
        assert_eq!(RelationType::Subset.inverse(), RelationType::Superset);
        let credit: Vec<_> = RelationType::ALL.into_iter().filter(|t| t.carries_credit()).collect();
        assert_eq!(credit, vec![RelationType::Equal, RelationType::Superset]);
    }

    #[test]
    fn ciso_assistant_intersect_stays_intersects() {
        assert_eq!(RelationType::parse("intersect"), Some(RelationType::Intersects));
        assert_eq!(RelationType::parse("not_related"), Some(RelationType::NotRelated));
        assert_eq!(RelationType::parse("related"), None);
    }

    #[test]
    fn validation_names_the_bad_row() {
        let dup = framework(vec![req("A", None), req("A", None)]);
        assert_eq!(dup.validate().unwrap_err().to_string(), "requirements[1]: duplicate ref 'A'");
        let orphan = framework(vec![req("A.1", Some("A"))]);
        assert!(orphan.validate().unwrap_err().to_string().contains("parent 'A'"));
        let ok = framework(vec![req("A", None), req("A.1", Some("A"))]);
        ok.validate().unwrap();

        let set = MappingSetDoc {
            slug: "m".into(),
            name: "m".into(),
            from: ok.key(),
            to: ok.key(),
            provenance: Provenance::User,
            source: String::new(),
            terms: String::new(),
            relations: vec![RelationDoc {
                from: "A".into(),
                to: "B".into(),
                relation: RelationType::Equal,
                strength: None,
                rationale: None,
                note: None,
            }],
        };
        assert_eq!(set.validate(&ok, &ok).unwrap_err().to_string(), "relations[0]: to requirement 'B' does not exist in f@1");
    }

    #[test]
    fn framework_ids_may_name_a_version() {
        assert_eq!(parse_framework_id("nist-csf-2.0"), ("nist-csf-2.0", None));
        assert_eq!(parse_framework_id("iso27001-2022@2022"), ("iso27001-2022", Some("2022")));
    }
}
