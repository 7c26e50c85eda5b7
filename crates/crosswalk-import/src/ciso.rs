//! CISO Assistant library YAML: a framework (`objects.framework.requirement_nodes`) and/or
//! requirement mapping sets (`objects.requirement_mapping_sets`, or the older single
//! `requirement_mapping_set`).
//!
//! Imported faithfully: relation types are kept exactly (`intersect` becomes `intersects`, never
//! upgraded). Mapping rows name requirements by URN; the caller resolves those URNs against the
//! frameworks it has loaded (each requirement keeps its URN as an alias).
use crosswalk_domain::catalog::{FrameworkDoc, Rationale, RelationType, RequirementDoc};
use serde::Deserialize;

use crate::{ImportError, parse_yaml};

#[derive(Debug, Deserialize)]
struct Library {
    urn: String,
    name: String,
    #[serde(default)]
    version: Option<serde_yaml::Value>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    copyright: Option<String>,
    objects: Objects,
}

#[derive(Debug, Deserialize)]
struct Objects {
    #[serde(default)]
    framework: Option<Framework>,
    #[serde(default)]
    requirement_mapping_sets: Vec<MappingSet>,
    #[serde(default)]
    requirement_mapping_set: Option<MappingSet>,
}

#[derive(Debug, Deserialize)]
struct Framework {
    urn: String,
    name: String,
    #[serde(default)]
    requirement_nodes: Vec<Node>,
}

#[derive(Debug, Deserialize)]
struct Node {
    urn: String,
    #[serde(default)]
    assessable: bool,
    #[serde(default)]
    parent_urn: Option<String>,
    #[serde(default)]
    ref_id: Option<serde_yaml::Value>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct MappingSet {
    urn: String,
    name: String,
    source_framework_urn: String,
    target_framework_urn: String,
    #[serde(default)]
    requirement_mappings: Vec<MappingRow>,
}

#[derive(Debug, Deserialize)]
struct MappingRow {
    source_requirement_urn: String,
    target_requirement_urn: String,
    relationship: String,
    #[serde(default)]
    rationale: Option<String>,
    #[serde(default)]
    strength_of_relationship: Option<u8>,
    #[serde(default)]
    annotation: Option<String>,
}

/// One node of a CISO Assistant framework, before the caller decides what to keep.
#[derive(Debug, Clone)]
pub struct CisoNode {
    pub urn: String,
    pub parent_urn: Option<String>,
    pub ref_id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub assessable: bool,
}

#[derive(Debug, Clone)]
pub struct CisoFramework {
    pub urn: String,
    pub name: String,
    pub nodes: Vec<CisoNode>,
}

#[derive(Debug, Clone)]
pub struct CisoMappingRow {
    pub source_urn: String,
    pub target_urn: String,
    pub relation: RelationType,
    pub rationale: Option<Rationale>,
    pub strength: Option<u8>,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CisoMappingSet {
    pub urn: String,
    pub name: String,
    pub source_framework_urn: String,
    pub target_framework_urn: String,
    pub rows: Vec<CisoMappingRow>,
}

/// A parsed library.
#[derive(Debug, Clone)]
pub struct CisoLibrary {
    pub urn: String,
    pub name: String,
    pub version: String,
    pub provider: String,
    pub copyright: String,
    pub framework: Option<CisoFramework>,
    pub mapping_sets: Vec<CisoMappingSet>,
}

fn scalar(value: &serde_yaml::Value) -> Option<String> {
    match value {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses a library file. Unknown relationship or rationale values are errors naming the row.
pub fn parse(bytes: &[u8]) -> Result<CisoLibrary, ImportError> {
    let library: Library = parse_yaml(bytes)?;
    let mut sets: Vec<MappingSet> = library.objects.requirement_mapping_sets;
    sets.extend(library.objects.requirement_mapping_set);
    let mut mapping_sets = Vec::with_capacity(sets.len());
    for (set_index, set) in sets.into_iter().enumerate() {
        let mut rows = Vec::with_capacity(set.requirement_mappings.len());
        for (row_index, row) in set.requirement_mappings.into_iter().enumerate() {
            let path = format!("requirement_mapping_sets[{set_index}].requirement_mappings[{row_index}]");
            let relation = RelationType::parse(&row.relationship).ok_or_else(|| {
                ImportError::invalid(format!("{path}.relationship"), format!("unknown relationship '{}'", row.relationship))
            })?;
            let rationale = match row.rationale.as_deref() {
                None | Some("") => None,
                Some(raw) => Some(
                    Rationale::parse(raw)
                        .ok_or_else(|| ImportError::invalid(format!("{path}.rationale"), format!("unknown rationale '{raw}'")))?,
                ),
            };
            if let Some(strength) = row.strength_of_relationship
                && strength > 10
            {
                return Err(ImportError::invalid(format!("{path}.strength_of_relationship"), format!("{strength} is outside 0-10")));
            }
            rows.push(CisoMappingRow {
                source_urn: row.source_requirement_urn,
                target_urn: row.target_requirement_urn,
                relation,
                rationale,
                strength: row.strength_of_relationship,
                note: row.annotation.filter(|a| !a.trim().is_empty()),
            });
        }
        mapping_sets.push(CisoMappingSet {
            urn: set.urn,
            name: set.name,
            source_framework_urn: set.source_framework_urn,
            target_framework_urn: set.target_framework_urn,
            rows,
        });
    }
    let framework = library.objects.framework.map(|f| CisoFramework {
        urn: f.urn,
        name: f.name,
        nodes: f
            .requirement_nodes
            .into_iter()
            .map(|n| CisoNode {
                urn: n.urn,
                parent_urn: n.parent_urn,
                ref_id: n.ref_id.as_ref().and_then(scalar).map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()),
                name: n.name.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
                description: n.description.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
                assessable: n.assessable,
            })
            .collect(),
    });
    if framework.is_none() && mapping_sets.is_empty() {
        return Err(ImportError::invalid("objects", "the library holds neither a framework nor a requirement mapping set"));
    }
    // Nodes are identified by URN: two nodes with one URN are one node stated twice, which the
    // library format does not allow (and which would make references to it ambiguous).
    if let Some(f) = &framework {
        let mut seen = std::collections::HashSet::with_capacity(f.nodes.len());
        for (index, node) in f.nodes.iter().enumerate() {
            if !seen.insert(node.urn.as_str()) {
                return Err(ImportError::invalid(
                    format!("objects.framework.requirement_nodes[{index}].urn"),
                    format!("'{}' is the URN of an earlier node: every node needs its own URN", node.urn),
                ));
            }
        }
    }
    Ok(CisoLibrary {
        urn: library.urn,
        name: library.name,
        version: library.version.as_ref().and_then(scalar).unwrap_or_else(|| "1".into()),
        provider: library.provider.unwrap_or_default(),
        copyright: library.copyright.unwrap_or_default(),
        framework,
        mapping_sets,
    })
}

/// The last segment of a URN (`urn:intuitem:risk:framework:nist-csf-2.0` → `nist-csf-2.0`).
pub fn urn_tail(urn: &str) -> &str {
    urn.rsplit(':').next().unwrap_or(urn)
}

/// A reference no earlier node of the framework uses. Nodes are identified by URN; when libraries
/// reuse a `ref_id` for distinct nodes (Spain's ENS, RD 311/2022, has many nodes `1`, `2`, …), the
/// ref is disambiguated visibly with as much of the URN's tail as it takes (`1 [op.acc.3:1]`), and
/// as a last resort a counter. The URN stays the node's alias, so mappings still find it.
///
/// Linear in the number of nodes: each candidate tail is a slice of the URN (no joining), and the
/// counter of each base ref resumes where it stopped (`counters`), so a hostile library repeating
/// one ref costs O(1) per node, not O(nodes).
pub fn unique_ref(
    reference: String,
    urn: &str,
    used: &mut std::collections::HashSet<String>,
    counters: &mut std::collections::HashMap<String, usize>,
) -> String {
    if used.insert(reference.clone()) {
        return reference;
    }
    // Tails from the shortest ("1") to the whole URN, each a slice after a ':'.
    let cuts = urn.rmatch_indices(':').map(|(at, _)| at + 1).chain(std::iter::once(0));
    for (taken, start) in cuts.enumerate() {
        if taken >= MAX_TAIL_SEGMENTS {
            break;
        }
        let candidate = format!("{reference} [{}]", &urn[start..]);
        if used.insert(candidate.clone()) {
            return candidate;
        }
    }
    let next = counters.entry(reference.clone()).or_insert(1);
    loop {
        *next += 1;
        let candidate = format!("{reference} [#{next}]");
        if used.insert(candidate.clone()) {
            return candidate;
        }
    }
}

/// How many URN segments a disambiguated ref may show before a counter is used instead.
const MAX_TAIL_SEGMENTS: usize = 8;

/// SP 800-53 r5 (and CISO Assistant libraries built from it) mark a withdrawn control by a
/// description "[Withdrawn: Incorporated into …]" (the OSCAL source says `status: withdrawn`); two
/// nodes of that library (CP-7(5), IA-3(2)) lost the opening bracket.
pub fn is_withdrawn_description(description: Option<&str>) -> bool {
    description.is_some_and(|d| {
        let d = d.trim_start();
        let d = d.strip_prefix('[').unwrap_or(d);
        d.get(..10).is_some_and(|head| head.eq_ignore_ascii_case("withdrawn:"))
    })
}

#[cfg(test)]
mod withdrawn_tests {
    use super::*;

    #[test]
    fn sp_800_53_withdrawn_markers_are_recognised() {
        assert!(is_withdrawn_description(Some("[Withdrawn: Incorporated into AC-2 and AU-6.]")));
        assert!(is_withdrawn_description(Some("Withdrawn: Incorporated into CP-7.]")));
        assert!(!is_withdrawn_description(Some("Withdrawn systems are decommissioned as follows")));
        assert!(!is_withdrawn_description(None));
    }

    #[test]
    fn duplicate_ref_ids_are_disambiguated_by_urn() {
        let (mut used, mut counters) = (std::collections::HashSet::new(), std::collections::HashMap::new());
        let mut next = |urn: &str| unique_ref("1".into(), urn, &mut used, &mut counters);
        assert_eq!(next("urn:x:ens:op.acc.1:1"), "1");
        assert_eq!(next("urn:x:ens:op.acc.2:1"), "1 [1]");
        assert_eq!(next("urn:x:ens:op.acc.3:1"), "1 [op.acc.3:1]");
        assert_eq!(next("urn:x:ens:op.acc.3:1"), "1 [ens:op.acc.3:1]");
        assert_eq!(next("urn:x:ens:op.acc.3:1"), "1 [x:ens:op.acc.3:1]");
        assert_eq!(next("urn:x:ens:op.acc.3:1"), "1 [urn:x:ens:op.acc.3:1]");
        assert_eq!(next("urn:x:ens:op.acc.3:1"), "1 [#2]");
        assert_eq!(next("urn:x:ens:op.acc.3:1"), "1 [#3]");
    }

    /// Attack review of issue 13: a library repeating one ref_id and one URN 20,000 times was
    /// quadratic (minutes under the write lock). Duplicate URNs are refused, and the
    /// disambiguation itself is linear.
    #[test]
    fn duplicate_urns_are_refused_and_repeated_refs_stay_linear() {
        let mut yaml = String::from(
            "urn: urn:x:lib\nname: x\nversion: 1\nobjects:\n  framework:\n    urn: urn:x:fw\n    name: fw\n    requirement_nodes:\n",
        );
        for _ in 0..3 {
            yaml.push_str("    - {urn: u, ref_id: '1', assessable: true}\n");
        }
        let err = parse(yaml.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("requirement_nodes[1].urn"), "{err}");
        let (mut used, mut counters) = (std::collections::HashSet::new(), std::collections::HashMap::new());
        for i in 0..20_000 {
            unique_ref("1".into(), &format!("urn:{i}"), &mut used, &mut counters);
        }
        for _ in 0..20_000 {
            unique_ref("1".into(), "u", &mut used, &mut counters);
        }
        assert_eq!(used.len(), 40_000);
        assert_eq!(counters["1"], 20_000, "the counter resumed instead of restarting for every node");
    }
}

/// Converts a library's framework into a catalog document, keeping every node: the reference is
/// the node's `ref_id`, or its URN tail when it has none; descriptions become text.
pub fn framework_doc(library: &CisoLibrary) -> Option<FrameworkDoc> {
    let framework = library.framework.as_ref()?;
    let mut used = std::collections::HashSet::new();
    let mut counters = std::collections::HashMap::new();
    let mut ref_of_urn = std::collections::HashMap::new();
    let mut requirements = Vec::with_capacity(framework.nodes.len());
    for node in &framework.nodes {
        // Some libraries reuse a ref_id for distinct nodes; the URN keeps them apart.
        let reference =
            unique_ref(node.ref_id.clone().unwrap_or_else(|| urn_tail(&node.urn).to_owned()), &node.urn, &mut used, &mut counters);
        ref_of_urn.insert(node.urn.as_str(), reference.clone());
        let withdrawn = is_withdrawn_description(node.description.as_deref());
        requirements.push(RequirementDoc {
            parent: node.parent_urn.as_deref().and_then(|p| ref_of_urn.get(p).cloned()),
            title: node.name.clone().unwrap_or_default(),
            text: node.description.clone(),
            assessable: node.assessable && !withdrawn,
            withdrawn,
            aliases: vec![node.urn.clone()],
            reference,
        });
    }
    Some(FrameworkDoc {
        slug: urn_tail(&framework.urn).to_owned(),
        version: format!("ciso-assistant-v{}", library.version),
        name: framework.name.clone(),
        publisher: library.provider.clone(),
        source: format!("CISO Assistant library {} v{}", library.urn, library.version),
        terms: library.copyright.clone(),
        aliases: vec![framework.urn.clone()],
        requirements,
        profiles: vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIBRARY: &str = r#"
urn: urn:test:library:demo
name: Demo
version: 3
provider: Test
objects:
  framework:
    urn: urn:test:framework:demo
    name: Demo framework
    requirement_nodes:
    - urn: urn:test:req_node:demo:a
      ref_id: A
      name: Heading
    - urn: urn:test:req_node:demo:a.1
      parent_urn: urn:test:req_node:demo:a
      ref_id: A.1
      assessable: true
      description: Do the thing
    - urn: urn:test:req_node:demo:node3
      parent_urn: urn:test:req_node:demo:a.1
      description: Guidance
  requirement_mapping_sets:
  - urn: urn:test:req_mapping_set:demo-to-x
    name: Demo -> X
    source_framework_urn: urn:test:framework:demo
    target_framework_urn: urn:test:framework:x
    requirement_mappings:
    - source_requirement_urn: urn:test:req_node:demo:a.1
      target_requirement_urn: urn:test:req_node:x:1
      relationship: intersect
      strength_of_relationship: 5
"#;

    #[test]
    fn parses_framework_and_mappings_faithfully() {
        let library = parse(LIBRARY.as_bytes()).unwrap();
        let doc = framework_doc(&library).unwrap();
        doc.validate().unwrap();
        assert_eq!(doc.slug, "demo");
        assert_eq!(doc.version, "ciso-assistant-v3");
        let refs: Vec<_> = doc.requirements.iter().map(|r| r.reference.as_str()).collect();
        assert_eq!(refs, ["A", "A.1", "node3"]);
        assert_eq!(doc.requirements[2].parent.as_deref(), Some("A.1"));
        let row = &library.mapping_sets[0].rows[0];
        assert_eq!(row.relation, RelationType::Intersects);
        assert_eq!(row.strength, Some(5));
    }

    #[test]
    fn malformed_yaml_names_the_line() {
        let err = parse(b"urn: x\nname: [unclosed\n").unwrap_err();
        assert!(matches!(err, ImportError::Yaml { line, .. } if line >= 2), "{err}");
    }

    #[test]
    fn unknown_relationship_names_the_row() {
        let bad = LIBRARY.replace("relationship: intersect", "relationship: related");
        let err = parse(bad.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("requirement_mappings[0].relationship"), "{err}");
        assert!(err.contains("'related'"), "{err}");
    }

    #[test]
    fn missing_field_names_the_path() {
        let err = parse(b"urn: x\nname: y\nobjects:\n  framework:\n    name: z\n").unwrap_err().to_string();
        assert!(err.contains("objects.framework") && err.contains("urn"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse(&bytes);
        }
    }
}
