//! OSCAL 1.1 JSON catalogs and profiles.
//!
//! A catalog becomes a framework: groups are headings, controls and their enhancements are
//! assessable requirements (withdrawn ones are kept, marked and not assessable). A control's
//! reference is its unclassed `label` prop (`AC-2(1)`), falling back to its id; its OSCAL id is kept
//! as the alias `oscal:<id>` so that profiles can select it.
//!
//! A profile becomes a named selection on an already loaded catalog. The catalog is found through
//! the import's `href` (directly, or through a back-matter resource's `rlinks`) by file stem:
//! importing `NIST_SP-800-53_rev5_catalog.json` registers the alias
//! `oscal-catalog:NIST_SP-800-53_rev5_catalog`. Selection follows OSCAL profile resolution for the
//! parts Crosswalk needs: `include-all`, `include-controls` by `with-ids` with
//! `with-child-controls`, then `exclude-controls`.
use std::collections::{HashMap, HashSet};

use crosswalk_domain::catalog::{FrameworkDoc, ProfileDoc, RequirementDoc};
use serde::Deserialize;

use crate::{ImportError, parse_json, slugify};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata {
    title: String,
    version: String,
}

#[derive(Debug, Deserialize)]
struct Prop {
    name: String,
    value: String,
    #[serde(default)]
    class: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Part {
    name: String,
    #[serde(default)]
    prose: Option<String>,
    #[serde(default)]
    props: Vec<Prop>,
    #[serde(default)]
    parts: Vec<Part>,
}

#[derive(Debug, Deserialize)]
struct Control {
    id: String,
    title: String,
    #[serde(default)]
    props: Vec<Prop>,
    #[serde(default)]
    parts: Vec<Part>,
    #[serde(default)]
    controls: Vec<Control>,
}

#[derive(Debug, Deserialize)]
struct Group {
    #[serde(default)]
    id: Option<String>,
    title: String,
    #[serde(default)]
    props: Vec<Prop>,
    #[serde(default)]
    groups: Vec<Group>,
    #[serde(default)]
    controls: Vec<Control>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Catalog {
    uuid: String,
    metadata: Metadata,
    #[serde(default)]
    groups: Vec<Group>,
    #[serde(default)]
    controls: Vec<Control>,
}

#[derive(Debug, Deserialize)]
struct CatalogFile {
    catalog: Catalog,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Selector {
    #[serde(default)]
    with_ids: Vec<String>,
    #[serde(default)]
    with_child_controls: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Import {
    href: String,
    #[serde(default)]
    include_all: Option<serde_json::Value>,
    #[serde(default)]
    include_controls: Vec<Selector>,
    #[serde(default)]
    exclude_controls: Vec<Selector>,
}

#[derive(Debug, Deserialize)]
struct Rlink {
    href: String,
}

#[derive(Debug, Deserialize)]
struct Resource {
    uuid: String,
    #[serde(default)]
    rlinks: Vec<Rlink>,
}

#[derive(Debug, Default, Deserialize)]
struct BackMatter {
    #[serde(default)]
    resources: Vec<Resource>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Profile {
    metadata: Metadata,
    imports: Vec<Import>,
    #[serde(default)]
    back_matter: BackMatter,
}

#[derive(Debug, Deserialize)]
struct ProfileFile {
    profile: Profile,
}

/// What kind of OSCAL document a file holds.
#[derive(Debug)]
pub enum Document {
    Catalog(FrameworkDoc),
    Profile(OscalProfile),
}

/// Parses an OSCAL JSON file (catalog or profile). `file_stem` names the file for aliases.
pub fn parse(bytes: &[u8], file_stem: &str) -> Result<Document, ImportError> {
    let root: serde_json::Map<String, serde_json::Value> = parse_json(bytes)?;
    if root.contains_key("catalog") {
        catalog(bytes, file_stem).map(Document::Catalog)
    } else if root.contains_key("profile") {
        profile(bytes).map(Document::Profile)
    } else {
        let keys: Vec<_> = root.keys().map(String::as_str).collect();
        Err(ImportError::Json {
            path: "$".into(),
            message: format!(
                "expected an OSCAL 'catalog' or 'profile' object, found {}",
                if keys.is_empty() { "none".into() } else { keys.join(", ") }
            ),
        })
    }
}

/// The display reference of a control or group: its unclassed `label` prop, else any label, else the id.
fn label(props: &[Prop], id: &str) -> String {
    let labels: Vec<&Prop> = props.iter().filter(|p| p.name == "label").collect();
    labels.iter().find(|p| p.class.is_none()).or(labels.first()).map(|p| p.value.clone()).unwrap_or_else(|| id.to_owned())
}

fn withdrawn(props: &[Prop]) -> bool {
    props.iter().any(|p| p.name == "status" && p.value == "withdrawn")
}

/// Statement prose with item labels, one line per item; parameters shown as `[param-id]`.
fn statement(parts: &[Part]) -> Option<String> {
    fn walk(part: &Part, depth: usize, out: &mut String) {
        let item_label = part.props.iter().find(|p| p.name == "label").map(|p| p.value.as_str());
        if let Some(prose) = &part.prose {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&"  ".repeat(depth));
            if let Some(label) = item_label {
                out.push_str(label);
                out.push(' ');
            }
            out.push_str(&prose.replace("{{ insert: param, ", "[").replace(" }}", "]"));
        }
        for child in &part.parts {
            walk(child, depth + 1, out);
        }
    }
    let mut out = String::new();
    for part in parts.iter().filter(|p| p.name == "statement") {
        walk(part, 0, &mut out);
    }
    (!out.is_empty()).then_some(out)
}

fn push_control(control: &Control, parent: &str, out: &mut Vec<RequirementDoc>) {
    let reference = label(&control.props, &control.id);
    let is_withdrawn = withdrawn(&control.props);
    out.push(RequirementDoc {
        reference: reference.clone(),
        parent: Some(parent.to_owned()),
        title: if is_withdrawn { format!("{} (withdrawn)", control.title) } else { control.title.clone() },
        text: statement(&control.parts),
        assessable: !is_withdrawn,
        withdrawn: is_withdrawn,
        aliases: vec![format!("oscal:{}", control.id)],
    });
    for child in &control.controls {
        push_control(child, &reference, out);
    }
}

fn push_group(group: &Group, parent: Option<&str>, out: &mut Vec<RequirementDoc>) {
    let id = group.id.clone().unwrap_or_else(|| slugify(&group.title));
    // Group ids are lower-case tokens (`ac`, `gv`); publishers write them upper-case (`AC`, `GV`).
    let reference = label(&group.props, &id.to_ascii_uppercase());
    out.push(RequirementDoc {
        reference: reference.clone(),
        parent: parent.map(str::to_owned),
        title: group.title.clone(),
        text: None,
        assessable: false,
        withdrawn: false,
        aliases: vec![format!("oscal:{id}")],
    });
    for sub in &group.groups {
        push_group(sub, Some(&reference), out);
    }
    for control in &group.controls {
        push_control(control, &reference, out);
    }
}

/// Converts an OSCAL catalog into a framework document (validated).
pub fn catalog(bytes: &[u8], file_stem: &str) -> Result<FrameworkDoc, ImportError> {
    let file: CatalogFile = parse_json(bytes)?;
    let catalog = file.catalog;
    let mut requirements = Vec::new();
    for group in &catalog.groups {
        push_group(group, None, &mut requirements);
    }
    if !catalog.controls.is_empty() {
        // Top-level controls without a group hang under a synthetic heading so every control has a parent.
        requirements.push(RequirementDoc {
            reference: "controls".into(),
            parent: None,
            title: "Ungrouped controls".into(),
            text: None,
            assessable: false,
            withdrawn: false,
            aliases: vec![],
        });
        for control in &catalog.controls {
            push_control(control, "controls", &mut requirements);
        }
    }
    let mut slug = slugify(&catalog.metadata.title);
    slug.truncate(63);
    let doc = FrameworkDoc {
        slug: slug.trim_end_matches('-').to_owned(),
        version: catalog.metadata.version.clone(),
        name: catalog.metadata.title.clone(),
        publisher: String::new(),
        source: format!("OSCAL catalog {file_stem} (uuid {})", catalog.uuid),
        terms: "as published by the catalog's owner".into(),
        aliases: vec![format!("oscal-catalog:{file_stem}"), format!("oscal-uuid:{}", catalog.uuid)],
        requirements,
        profiles: vec![],
    };
    doc.validate()?;
    Ok(doc)
}

/// One import of a profile: the catalogs it may name and what it selects.
#[derive(Debug, Clone)]
pub struct ProfileImport {
    /// The `href` as written.
    pub href: String,
    /// Aliases under which the catalog would have been registered (`oscal-catalog:<stem>`).
    pub catalog_aliases: Vec<String>,
    include_all: bool,
    include: Vec<(Vec<String>, bool)>,
    exclude: Vec<(Vec<String>, bool)>,
}

#[derive(Debug, Clone)]
pub struct OscalProfile {
    pub title: String,
    pub version: String,
    pub imports: Vec<ProfileImport>,
}

fn file_stem(href: &str) -> String {
    let name = href.rsplit(['/', '\\']).next().unwrap_or(href);
    name.split_once('.').map(|(stem, _)| stem).unwrap_or(name).to_owned()
}

/// Parses an OSCAL profile, following `#uuid` hrefs into the back-matter.
pub fn profile(bytes: &[u8]) -> Result<OscalProfile, ImportError> {
    let file: ProfileFile = parse_json(bytes)?;
    let profile = file.profile;
    let mut imports = Vec::with_capacity(profile.imports.len());
    for (index, import) in profile.imports.into_iter().enumerate() {
        let hrefs: Vec<String> = match import.href.strip_prefix('#') {
            Some(uuid) => {
                let resource = profile.back_matter.resources.iter().find(|r| r.uuid == uuid).ok_or_else(|| {
                    ImportError::invalid(
                        format!("$.profile.imports[{index}].href"),
                        format!("'{}' names no back-matter resource", import.href),
                    )
                })?;
                resource.rlinks.iter().map(|l| l.href.clone()).collect()
            }
            None => vec![import.href.clone()],
        };
        let mut catalog_aliases: Vec<String> = hrefs.iter().map(|h| format!("oscal-catalog:{}", file_stem(h))).collect();
        catalog_aliases.dedup();
        let selectors = |list: Vec<Selector>| -> Vec<(Vec<String>, bool)> {
            list.into_iter().map(|s| (s.with_ids, s.with_child_controls.as_deref() == Some("yes"))).collect()
        };
        imports.push(ProfileImport {
            href: import.href,
            catalog_aliases,
            include_all: import.include_all.is_some(),
            include: selectors(import.include_controls),
            exclude: selectors(import.exclude_controls),
        });
    }
    if imports.is_empty() {
        return Err(ImportError::invalid("$.profile.imports", "a profile must import at least one catalog"));
    }
    Ok(OscalProfile { title: profile.metadata.title, version: profile.metadata.version, imports })
}

/// Resolves one profile import against the loaded catalog: the selected requirement refs, in catalog order.
pub fn resolve(import: &ProfileImport, index: usize, catalog: &FrameworkDoc) -> Result<Vec<String>, ImportError> {
    let by_id: HashMap<&str, usize> = catalog
        .requirements
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.aliases.iter().filter_map(move |a| a.strip_prefix("oscal:").map(|id| (id, i))))
        .collect();
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in catalog.requirements.iter().enumerate() {
        if let Some(parent) = &r.parent {
            children.entry(parent.as_str()).or_default().push(i);
        }
    }
    let is_control =
        |i: usize| catalog.requirements[i].aliases.iter().any(|a| a.starts_with("oscal:")) && catalog.requirements[i].parent.is_some();
    let select = |selectors: &[(Vec<String>, bool)], what: &str| -> Result<HashSet<usize>, ImportError> {
        let mut chosen = HashSet::new();
        for (s, (ids, with_children)) in selectors.iter().enumerate() {
            for (k, id) in ids.iter().enumerate() {
                let &i = by_id.get(id.as_str()).ok_or_else(|| {
                    ImportError::invalid(
                        format!("$.profile.imports[{index}].{what}[{s}].with-ids[{k}]"),
                        format!("'{id}' is not a control of {}", catalog.key()),
                    )
                })?;
                chosen.insert(i);
                if *with_children {
                    let mut stack = vec![i];
                    while let Some(n) = stack.pop() {
                        for &c in children.get(catalog.requirements[n].reference.as_str()).into_iter().flatten() {
                            chosen.insert(c);
                            stack.push(c);
                        }
                    }
                }
            }
        }
        Ok(chosen)
    };
    let mut chosen: HashSet<usize> = if import.include_all {
        (0..catalog.requirements.len()).filter(|&i| is_control(i)).collect()
    } else {
        select(&import.include, "include-controls")?
    };
    for excluded in select(&import.exclude, "exclude-controls")? {
        chosen.remove(&excluded);
    }
    let mut refs: Vec<usize> = chosen.into_iter().collect();
    refs.sort_unstable();
    Ok(refs.into_iter().map(|i| catalog.requirements[i].reference.clone()).collect())
}

/// Resolves a whole profile against the catalog of its first import.
pub fn profile_doc(profile: &OscalProfile, catalog: &FrameworkDoc, slug: Option<&str>) -> Result<ProfileDoc, ImportError> {
    let mut refs = Vec::new();
    let mut seen = HashSet::new();
    for (index, import) in profile.imports.iter().enumerate() {
        for reference in resolve(import, index, catalog)? {
            if seen.insert(reference.clone()) {
                refs.push(reference);
            }
        }
    }
    Ok(ProfileDoc { slug: slug.map(str::to_owned).unwrap_or_else(|| slugify(&profile.title)), name: profile.title.clone(), refs })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: &str = r#"{"catalog":{"uuid":"u1","metadata":{"title":"Mini catalog","version":"1.0","oscal-version":"1.1.2"},
      "groups":[{"id":"ac","class":"family","title":"Access Control","controls":[
        {"id":"ac-1","title":"Policy","props":[{"name":"label","value":"AC-01","class":"zero-padded"},{"name":"label","value":"AC-1"}],
         "parts":[{"id":"ac-1_smt","name":"statement","prose":"Have a policy for {{ insert: param, ac-1_prm_1 }}."}]},
        {"id":"ac-2","title":"Accounts","props":[{"name":"label","value":"AC-2"}],"controls":[
          {"id":"ac-2.1","title":"Automated","props":[{"name":"label","value":"AC-2(1)"}]},
          {"id":"ac-2.2","title":"Old","props":[{"name":"label","value":"AC-2(2)"},{"name":"status","value":"withdrawn"}]}]}]}]}}"#;

    fn mini() -> FrameworkDoc {
        catalog(CATALOG.as_bytes(), "mini_catalog").unwrap()
    }

    #[test]
    fn catalog_uses_labels_and_keeps_withdrawn_unassessable() {
        let doc = mini();
        let refs: Vec<_> = doc.requirements.iter().map(|r| r.reference.as_str()).collect();
        assert_eq!(refs, ["AC", "AC-1", "AC-2", "AC-2(1)", "AC-2(2)"]);
        assert_eq!(doc.requirements[3].parent.as_deref(), Some("AC-2"));
        assert!(!doc.requirements[4].assessable);
        assert_eq!(doc.requirements[1].text.as_deref(), Some("Have a policy for [ac-1_prm_1]."));
        assert!(doc.aliases.contains(&"oscal-catalog:mini_catalog".to_owned()));
    }

    fn profile_json(selection: &str) -> String {
        format!(
            r##"{{"profile":{{"uuid":"p","metadata":{{"title":"Mini LOW","version":"1"}},
              "imports":[{{"href":"#r1",{selection}}}],
              "back-matter":{{"resources":[{{"uuid":"r1","rlinks":[{{"href":"../json/mini_catalog.json"}}]}}]}}}}}}"##
        )
    }

    #[test]
    fn profile_resolves_ids_children_and_exclusions() {
        let json = profile_json(
            r#""include-controls":[{"with-ids":["ac-2"],"with-child-controls":"yes"}],"exclude-controls":[{"with-ids":["ac-2.2"]}]"#,
        );
        let parsed = profile(json.as_bytes()).unwrap();
        assert_eq!(parsed.imports[0].catalog_aliases, ["oscal-catalog:mini_catalog"]);
        let doc = profile_doc(&parsed, &mini(), Some("low")).unwrap();
        assert_eq!(doc.refs, ["AC-2", "AC-2(1)"]);

        let all = profile(profile_json(r#""include-all":{}"#).as_bytes()).unwrap();
        assert_eq!(profile_doc(&all, &mini(), None).unwrap().refs.len(), 4);
    }

    #[test]
    fn unknown_control_id_names_the_json_path() {
        let json = profile_json(r#""include-controls":[{"with-ids":["ac-1","zz-9"]}]"#);
        let err = profile_doc(&profile(json.as_bytes()).unwrap(), &mini(), None).unwrap_err().to_string();
        assert_eq!(err, "$.profile.imports[0].include-controls[0].with-ids[1]: 'zz-9' is not a control of mini-catalog@1.0");
    }

    #[test]
    fn malformed_json_names_path_and_field() {
        let err = catalog(br#"{"catalog":{"uuid":"u","metadata":{"title":"t"}}}"#, "x").unwrap_err().to_string();
        assert!(err.contains("catalog.metadata") && err.contains("version"), "{err}");
        let err = match parse(br#"{"component-definition":{}}"#, "x") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted"),
        };
        assert!(err.contains("component-definition"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse(&bytes, "x");
        }
    }
}
