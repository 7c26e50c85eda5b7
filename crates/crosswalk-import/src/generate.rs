//! The generator of the bundled catalogs (`catalogs/frameworks`, `catalogs/mappings`) from the
//! public reference data in `../shared/reference`.
//!
//! Licence policy (ARCHITECTURE.md, "Data provenance and licences") is applied here, per framework:
//! NIST material keeps identifiers, titles and statements; EU law keeps identifiers, titles and
//! structure; ISO, AICPA, ENX/VDA and CMU material keeps identifiers and short titles only. CISO
//! Assistant files are read for facts (identifiers, titles, which pairs relate) and never copied:
//! descriptions are dropped unless the underlying text is US-government public domain, and every
//! requirement keeps the library URN as an alias so users can import CISO Assistant mapping
//! libraries against the bundled frameworks at run time.
//!
//! `crosswalk-import/tests/catalogs.rs` regenerates everything and compares it with `catalogs/`.
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crosswalk_domain::catalog::{
    FrameworkDoc, FrameworkKey, MappingSetDoc, Provenance, Rationale, RelationDoc, RelationType, RequirementDoc,
};

use crate::ciso::{self, CisoLibrary, urn_tail};
use crate::oscal;

/// Everything the generator produces, in a stable order.
#[derive(Debug)]
pub struct Generated {
    pub frameworks: Vec<FrameworkDoc>,
    pub mappings: Vec<MappingSetDoc>,
}

type Result<T> = std::result::Result<T, String>;

fn read(reference: &Path, rel: &str) -> Result<Vec<u8>> {
    std::fs::read(reference.join(rel)).map_err(|e| format!("{rel}: {e}"))
}

fn yaml(reference: &Path, rel: &str) -> Result<serde_yaml::Value> {
    serde_yaml::from_slice(&read(reference, rel)?).map_err(|e| format!("{rel}: {e}"))
}

fn library(reference: &Path, file: &str) -> Result<CisoLibrary> {
    let rel = format!("ciso-assistant-libraries/{file}");
    ciso::parse(&read(reference, &rel)?).map_err(|e| format!("{rel}: {e}"))
}

fn str_of<'a>(value: &'a serde_yaml::Value, key: &str) -> &'a str {
    value.get(key).and_then(|v| v.as_str()).unwrap_or_default()
}

fn seq<'a>(value: &'a serde_yaml::Value, key: &str) -> &'a [serde_yaml::Value] {
    value.get(key).and_then(|v| v.as_sequence()).map(Vec::as_slice).unwrap_or(&[])
}

fn node(reference: &str, parent: Option<&str>, title: &str, assessable: bool) -> RequirementDoc {
    RequirementDoc {
        reference: reference.to_owned(),
        parent: parent.map(str::to_owned),
        title: title.to_owned(),
        text: None,
        assessable,
        withdrawn: false,
        aliases: vec![],
    }
}

/// What text of a CISO Assistant library may be bundled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    /// US-government public domain: statements may be bundled (as the title when a node has no name).
    PublicDomain,
    /// Identifiers and short titles only.
    TitlesOnly,
}

struct Meta<'a> {
    slug: &'a str,
    version: &'a str,
    name: &'a str,
    publisher: &'a str,
    terms: &'a str,
}

/// A framework from a CISO Assistant library under the licence policy above. Nodes without a
/// `ref_id` get one from their parent and name (TISAX "(must)" items become `1.1.1 (must)`);
/// nodes with neither ref nor name are guidance paragraphs and are left out.
fn from_library(reference: &Path, file: &str, meta: Meta<'_>, text: Text) -> Result<FrameworkDoc> {
    let lib = library(reference, file)?;
    let framework = lib.framework.as_ref().ok_or_else(|| format!("{file}: no framework"))?;
    let mut ref_of: HashMap<&str, String> = HashMap::new();
    let mut used = std::collections::HashSet::new();
    let mut counters = std::collections::HashMap::new();
    let mut requirements = Vec::new();
    for n in &framework.nodes {
        let parent = n.parent_urn.as_deref().and_then(|p| ref_of.get(p)).cloned();
        let reference = match (&n.ref_id, &n.name) {
            (Some(r), _) => r.clone(),
            (None, Some(name)) => match &parent {
                Some(p) => format!("{p} {}", name.split_whitespace().next().unwrap_or(name)),
                None => name.clone(),
            },
            (None, None) if n.assessable => format!("{} [{}]", parent.clone().unwrap_or_default(), urn_tail(&n.urn)).trim().to_owned(),
            (None, None) => continue,
        };
        let reference = crate::ciso::unique_ref(reference, &n.urn, &mut used, &mut counters);
        ref_of.insert(n.urn.as_str(), reference.clone());
        let withdrawn = crate::ciso::is_withdrawn_description(n.description.as_deref());
        let (title, body) = match (text, &n.name, &n.description) {
            (Text::PublicDomain, Some(name), description) => (name.clone(), description.clone()),
            (Text::PublicDomain, None, Some(description)) => (description.clone(), None),
            (_, name, _) => (name.clone().unwrap_or_default(), None),
        };
        requirements.push(RequirementDoc {
            reference,
            parent,
            title,
            text: body,
            assessable: n.assessable && !withdrawn,
            withdrawn,
            aliases: vec![n.urn.clone()],
        });
    }
    let doc = FrameworkDoc {
        slug: meta.slug.into(),
        version: meta.version.into(),
        name: meta.name.into(),
        publisher: meta.publisher.into(),
        source: format!("identifiers and structure cross-read from CISO Assistant library {} v{} (not copied)", lib.urn, lib.version),
        terms: meta.terms.into(),
        aliases: vec![framework.urn.clone()],
        requirements,
        profiles: vec![],
    };
    doc.validate().map_err(|e| format!("{file}: {e}"))?;
    Ok(doc)
}

/// Adds each CISO Assistant requirement URN as an alias of the bundled requirement with the same ref.
fn attach_urns(doc: &mut FrameworkDoc, lib: &CisoLibrary) {
    let Some(framework) = &lib.framework else { return };
    let urns: HashMap<&str, &str> = framework.nodes.iter().filter_map(|n| n.ref_id.as_deref().map(|r| (r, n.urn.as_str()))).collect();
    for req in &mut doc.requirements {
        if let Some(urn) = urns.get(req.reference.as_str()) {
            req.aliases.push((*urn).to_owned());
        }
    }
    doc.aliases.push(framework.urn.clone());
}

const ISO_TERMS: &str = "identifiers and short titles only; the standard's text is (c) ISO/IEC and not included";

fn iso27001(reference: &Path) -> Result<FrameworkDoc> {
    let data = yaml(reference, "iso27001/annex-a-2022.yaml")?;
    let mut requirements = Vec::new();
    for clause in seq(&data, "clauses") {
        let id = str_of(clause, "id");
        let parent = clause.get("parent").and_then(|p| p.as_str());
        requirements.push(node(id, parent, str_of(clause, "title"), parent.is_some()));
    }
    // Clause headings with sub-clauses are not assessed themselves; leaves are.
    let parents: std::collections::HashSet<String> = requirements.iter().filter_map(|r| r.parent.clone()).collect();
    for req in &mut requirements {
        req.assessable = !parents.contains(&req.reference);
    }
    let annex = data.get("annex_a").ok_or("annex_a missing")?;
    requirements.push(node("A", None, "Annex A: Information security controls reference", false));
    for theme in seq(annex, "themes") {
        requirements.push(node(str_of(theme, "id"), Some("A"), str_of(theme, "title"), false));
    }
    for control in seq(annex, "controls") {
        let id = str_of(control, "id");
        let theme = id.rsplit_once('.').map(|(t, _)| t).unwrap_or("A");
        requirements.push(node(id, Some(theme), str_of(control, "title"), true));
    }
    let mut doc = FrameworkDoc {
        slug: "iso27001-2022".into(),
        version: "2022".into(),
        name: "ISO/IEC 27001:2022".into(),
        publisher: "ISO/IEC".into(),
        source: "ISO/IEC 27001:2022 clause and Annex A identifiers with short titles (shared/reference/iso27001/annex-a-2022.yaml)".into(),
        terms: ISO_TERMS.into(),
        aliases: vec![],
        requirements,
        profiles: vec![],
    };
    attach_urns(&mut doc, &library(reference, "iso27001-2022.yaml")?);
    Ok(doc)
}

/// `Art 21(2)(a)` (reference file) → `Art.21(2)(a)` (CONTRACT.md reference style).
fn article_ref(raw: &str) -> String {
    raw.replacen("Art ", "Art.", 1)
}

fn nis2(reference: &Path) -> Result<FrameworkDoc> {
    let data = yaml(reference, "eu-law/nis2.yaml")?;
    let mut requirements = vec![node("Art.20", None, "Governance", false)];
    // Art 20(1) appears twice in the facts (approve/oversee, liability); one requirement per paragraph.
    let mut seen = std::collections::HashSet::new();
    for fact in seq(&data, "governance") {
        let r = article_ref(str_of(fact, "ref"));
        if r.starts_with("Art.20") && seen.insert(r.clone()) {
            requirements.push(node(&r, Some("Art.20"), str_of(fact, "fact"), true));
        }
    }
    let measures = data.get("risk_management_measures").ok_or("risk_management_measures missing")?;
    requirements.push(node("Art.21", None, "Cybersecurity risk-management measures", false));
    requirements.push(node("Art.21(1)", Some("Art.21"), str_of(measures, "principle"), true));
    requirements.push(node("Art.21(2)", Some("Art.21"), "Minimum measures, based on an all-hazards approach", false));
    for measure in seq(measures, "minimum_measures") {
        requirements.push(node(&article_ref(str_of(measure, "ref")), Some("Art.21(2)"), str_of(measure, "measure"), true));
    }
    for other in seq(measures, "other") {
        let r = article_ref(str_of(other, "ref"));
        if r.starts_with("Art.21(3)") || r.starts_with("Art.21(4)") {
            requirements.push(node(&r, Some("Art.21"), str_of(other, "fact"), true));
        }
    }
    let reporting = data.get("incident_reporting").ok_or("incident_reporting missing")?;
    requirements.push(node("Art.23", None, "Reporting obligations", false));
    requirements.push(node(
        "Art.23(1)",
        Some("Art.23"),
        "Notify the CSIRT or competent authority of any significant incident without undue delay",
        true,
    ));
    requirements.push(node("Art.23(4)", Some("Art.23"), "Reporting steps and time limits", false));
    for step in seq(reporting, "steps") {
        let title = format!("{} ({})", str_of(step, "step").replace('_', " "), str_of(step, "deadline"));
        requirements.push(node(&article_ref(str_of(step, "ref")), Some("Art.23(4)"), &title, true));
    }
    let doc = FrameworkDoc {
        slug: "nis2".into(),
        version: "2022/2555".into(),
        name: "NIS2 Directive (EU) 2022/2555".into(),
        publisher: "European Union".into(),
        source: "Directive (EU) 2022/2555, CELEX 32022L2555 (structure from shared/reference/eu-law/nis2.yaml; titles are summaries)"
            .into(),
        terms: "EU law: reuse authorised (Commission Decision 2011/833/EU); titles are Crosswalk's summaries".into(),
        aliases: vec![],
        requirements,
        profiles: vec![],
    };
    doc.validate().map_err(|e| format!("nis2: {e}"))?;
    Ok(doc)
}

/// CIR 2024/2690 annex: sections and titled subsections from our own facts, numbered points as
/// identifiers from the CISO Assistant library (the regulation's wording is not bundled).
fn cir(reference: &Path) -> Result<(FrameworkDoc, BTreeMap<String, Vec<String>>)> {
    let data = yaml(reference, "eu-law/cir-2024-2690.yaml")?;
    let mut titles: HashMap<String, String> = HashMap::new();
    let mut measure_of_section = BTreeMap::new();
    for section in seq(&data, "annex_sections") {
        let id = str_of(section, "id").to_owned();
        titles.insert(id.clone(), str_of(section, "title").to_owned());
        measure_of_section.insert(id, measures_named(str_of(section, "nis2_ref")));
        for sub in seq(section, "subsections") {
            titles.insert(str_of(sub, "id").to_owned(), str_of(sub, "title").to_owned());
        }
    }
    let mut doc = from_library(
        reference,
        "annex-nis2-regulation--2024-2690-with-technical-implementation-guidance-by-enisa.yaml",
        Meta {
            slug: "nis2-cir-2024-2690",
            version: "2024/2690",
            name: "Implementing Regulation (EU) 2024/2690, Annex",
            publisher: "European Union",
            terms: "EU law: reuse authorised; identifiers and headings only",
        },
        Text::TitlesOnly,
    )?;
    // The library's root node is its own wrapper, not part of the Regulation.
    let root = doc.requirements.iter().find(|r| r.parent.is_none() && !titles.contains_key(&r.reference)).map(|r| r.reference.clone());
    doc.requirements.retain(|r| Some(&r.reference) != root.as_ref());
    for req in &mut doc.requirements {
        if req.parent == root {
            req.parent = None;
        }
        if let Some(title) = titles.get(&req.reference) {
            // Our headings replace the library's (its 10.2 heading is wrong; see the reference README).
            req.title = title.clone();
        }
    }
    doc.source = "Implementing Regulation (EU) 2024/2690, CELEX 32024R2690; headings from shared/reference/eu-law/cir-2024-2690.yaml, point numbers cross-read from the CISO Assistant library".into();
    doc.validate().map_err(|e| format!("cir: {e}"))?;
    Ok((doc, measure_of_section))
}

/// `AC-2(1)` → `ac-2.1`, the OSCAL id of an SP 800-53 control.
fn oscal_id_of_800_53(label: &str) -> String {
    let lower = label.to_ascii_lowercase();
    match lower.split_once('(') {
        Some((base, rest)) => format!("{base}.{}", rest.trim_end_matches(')')),
        None => lower,
    }
}

fn sp800_53(reference: &Path) -> Result<FrameworkDoc> {
    let mut doc = from_library(
        reference,
        "nist-sp-800-53-rev5.yaml",
        Meta {
            slug: "nist-sp-800-53-r5",
            version: "5.1.1",
            name: "NIST SP 800-53 Rev. 5",
            publisher: "NIST",
            terms: "US Government work, public domain",
        },
        Text::TitlesOnly,
    )?;
    // Official titles from the OSCAL catalogs where they hold the control; the library covers the rest.
    let mut official: HashMap<String, (String, bool)> = HashMap::new();
    for file in [
        "NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min",
        "NIST_SP-800-53_rev5_PRIVACY-baseline-resolved-profile_catalog-min",
    ] {
        let rel = format!("oscal/sp800-53-rev5/{file}.json");
        let catalog = oscal::catalog(&read(reference, &rel)?, file).map_err(|e| format!("{rel}: {e}"))?;
        for req in catalog.requirements {
            official.insert(req.reference, (req.title, req.assessable));
        }
    }
    let root = doc.requirements.iter().find(|r| r.parent.is_none() && r.reference.starts_with("NIST")).map(|r| r.reference.clone());
    doc.requirements.retain(|r| Some(&r.reference) != root.as_ref());
    for req in &mut doc.requirements {
        if req.parent == root {
            req.parent = None;
        }
        if let Some((title, _)) = official.get(&req.reference)
            && req.parent.is_some()
        {
            req.title = title.clone();
        }
        req.aliases.push(format!("oscal:{}", oscal_id_of_800_53(&req.reference)));
    }
    doc.aliases.push("oscal-catalog:NIST_SP-800-53_rev5_catalog".into());
    doc.source = "NIST SP 800-53 Rev. 5.1.1 (OSCAL content usnistgov/oscal-content: HIGH and PRIVACY resolved catalogs for titles; remaining identifiers cross-read from the CISO Assistant library)".into();
    for (slug, file) in [
        ("low", "NIST_SP-800-53_rev5_LOW-baseline_profile"),
        ("moderate", "NIST_SP-800-53_rev5_MODERATE-baseline_profile"),
        ("high", "NIST_SP-800-53_rev5_HIGH-baseline_profile"),
        ("privacy", "NIST_SP-800-53_rev5_PRIVACY-baseline_profile"),
    ] {
        let rel = format!("oscal/sp800-53-rev5/{file}.json");
        let profile = oscal::profile(&read(reference, &rel)?).map_err(|e| format!("{rel}: {e}"))?;
        doc.profiles.push(oscal::profile_doc(&profile, &doc, Some(slug)).map_err(|e| format!("{rel}: {e}"))?);
    }
    doc.validate().map_err(|e| format!("800-53: {e}"))?;
    Ok(doc)
}

fn csf(reference: &Path) -> Result<FrameworkDoc> {
    let mut doc = from_library(
        reference,
        "nist-csf-2.0.yaml",
        Meta {
            slug: "nist-csf-2.0",
            version: "2.0",
            name: "NIST Cybersecurity Framework 2.0",
            publisher: "NIST",
            terms: "US Government work, public domain",
        },
        Text::PublicDomain,
    )?;
    doc.source = "NIST CSF 2.0 core (NIST CSWP 29); identifiers and statements cross-read from the CISO Assistant library, checked against the NIST OSCAL CSF 2.0 catalog".into();
    Ok(doc)
}

fn simple(reference: &Path, file: &str, meta: Meta<'_>, text: Text) -> Result<FrameworkDoc> {
    from_library(reference, file, meta, text)
}

/// Resolves each row of a CISO Assistant mapping set against the generated frameworks.
fn mapping_from_library(
    reference: &Path,
    file: &str,
    frameworks: &[FrameworkDoc],
    provenance: Provenance,
    terms: &str,
) -> Result<Vec<MappingSetDoc>> {
    let lib = library(reference, file)?;
    let mut by_urn: HashMap<&str, (&FrameworkDoc, HashMap<&str, &str>)> = HashMap::new();
    for fw in frameworks {
        let reqs: HashMap<&str, &str> =
            fw.requirements.iter().flat_map(|r| r.aliases.iter().map(move |a| (a.as_str(), r.reference.as_str()))).collect();
        for alias in &fw.aliases {
            by_urn.insert(alias.as_str(), (fw, reqs.clone()));
        }
    }
    let mut out = Vec::new();
    // Each file holds a forward set and its `-revert`; Crosswalk reads every relation both ways, so only the forward set is kept.
    for set in lib.mapping_sets.iter().filter(|s| !s.urn.ends_with("-revert")) {
        let (from, from_reqs) =
            by_urn.get(set.source_framework_urn.as_str()).ok_or_else(|| format!("{file}: unknown source {}", set.source_framework_urn))?;
        let (to, to_reqs) =
            by_urn.get(set.target_framework_urn.as_str()).ok_or_else(|| format!("{file}: unknown target {}", set.target_framework_urn))?;
        let mut relations = Vec::with_capacity(set.rows.len());
        for (i, row) in set.rows.iter().enumerate() {
            let f = from_reqs
                .get(row.source_urn.as_str())
                .ok_or_else(|| format!("{file}: row {i}: {} not in {}", row.source_urn, from.slug))?;
            let t =
                to_reqs.get(row.target_urn.as_str()).ok_or_else(|| format!("{file}: row {i}: {} not in {}", row.target_urn, to.slug))?;
            relations.push(RelationDoc {
                from: (*f).to_owned(),
                to: (*t).to_owned(),
                relation: row.relation,
                strength: row.strength,
                rationale: row.rationale,
                note: None,
            });
        }
        let doc = MappingSetDoc {
            slug: format!("{}--{}", from.slug, to.slug),
            name: format!("{} → {}", from.name, to.name),
            from: from.key(),
            to: to.key(),
            provenance,
            source: format!("{} (CISO Assistant library {} v{}); relation types as published", lib.name, lib.urn, lib.version),
            terms: terms.into(),
            relations,
        };
        doc.validate(from, to).map_err(|e| format!("{file}: {e}"))?;
        out.push(doc);
    }
    Ok(out)
}

/// NIST OLIR 186 (CSF 2.0 → SP 800-53 r5.2.0): NIST states no relationship type, so every row is
/// `intersects` — a suggestion, never credit.
fn olir_186(reference: &Path, csf: &FrameworkDoc, sp: &FrameworkDoc) -> Result<MappingSetDoc> {
    let rel = "mappings-official/csf-2.0_to_sp800-53-r5.2.0_olir186.csv";
    let text = String::from_utf8(read(reference, rel)?).map_err(|e| format!("{rel}: {e}"))?;
    let known: std::collections::HashSet<&str> = sp.requirements.iter().map(|r| r.reference.as_str()).collect();
    let mut relations = Vec::new();
    let mut newer: Vec<&str> = Vec::new();
    for (line, row) in text.lines().enumerate().skip(1) {
        let cols: Vec<&str> = row.split(',').map(str::trim).collect();
        let [csf_id, kind, target] = cols[..] else { return Err(format!("{rel}:{}: expected 3 columns", line + 1)) };
        // OLIR 186 targets release 5.2.0; controls added after 5.1.1 have no requirement in the bundled catalog.
        if !known.contains(target) {
            newer.push(target);
            continue;
        }
        relations.push(RelationDoc {
            from: csf_id.to_owned(),
            to: target.to_owned(),
            relation: RelationType::Intersects,
            strength: None,
            rationale: None,
            note: (kind == "family").then(|| "maps to the whole control family".to_owned()),
        });
    }
    let doc = MappingSetDoc {
        slug: "nist-csf-2.0--nist-sp-800-53-r5".into(),
        name: "NIST CSF 2.0 → SP 800-53 Rev. 5 (OLIR 186 concept crosswalk)".into(),
        from: csf.key(),
        to: sp.key(),
        provenance: Provenance::Official,
        source: format!(
            "NIST OLIR referenceId 186 'Cybersecurity-Framework-v2.0-to-SP-800-53-Rev-5-2-0' (released 2025-11-17); untyped, so every row is 'intersects'; {} rows naming controls added in release 5.2.0 ({}) are left out",
            newer.len(),
            newer.join(", ")
        ),
        terms: "US Government work, public domain".into(),
        relations,
    };
    doc.validate(csf, sp).map_err(|e| format!("{rel}: {e}"))?;
    Ok(doc)
}

/// `Art 21(2)(c), (e) and (i)` → `[Art.21(2)(c), Art.21(2)(e), Art.21(2)(i)]`.
fn measures_named(raw: &str) -> Vec<String> {
    let letters = raw.trim_start_matches("Art 21(2)");
    let first = format!("({}", letters.trim_start_matches('('));
    first
        .split('(')
        .filter_map(|part| part.split_once(')').map(|(letter, _)| letter.trim()))
        .filter(|letter| letter.len() == 1)
        .map(|letter| format!("Art.21(2)({letter})"))
        .collect()
}

/// Each CIR 2024/2690 Annex section lays down NIS2 Art 21(2) measures (CIR Art 2 and the Annex
/// headings). Only the 13 sections are related, and a section is a heading: nothing flows from or
/// into it (issue 13). These relations show the legal structure; for the entity types the CIR covers
/// the measures are rolled up from the sections (`crosswalk_domain::hierarchy`), never the reverse.
/// Where a section details one measure it is a *subset* of it; where it details several, it only
/// *intersects* each.
fn cir_to_nis2(cir: &FrameworkDoc, nis2: &FrameworkDoc, measure_of_section: &BTreeMap<String, Vec<String>>) -> Result<MappingSetDoc> {
    let mut relations = Vec::new();
    for req in cir.requirements.iter().filter(|r| r.parent.is_none()) {
        let section = req.reference.as_str();
        let measures = measure_of_section.get(section).map(Vec::as_slice).unwrap_or_default();
        for measure in measures {
            relations.push(RelationDoc {
                from: req.reference.clone(),
                to: measure.clone(),
                relation: if measures.len() == 1 { RelationType::Subset } else { RelationType::Intersects },
                strength: Some(if measures.len() == 1 { 10 } else { 5 }),
                rationale: Some(Rationale::Semantic),
                note: Some(format!("CIR 2024/2690 Art 2 and Annex section {section} lay down NIS2 {}", measures.join(", "))),
            });
        }
    }
    let doc = MappingSetDoc {
        slug: "nis2-cir-2024-2690--nis2".into(),
        name: "CIR 2024/2690 Annex → NIS2 Art 21(2) (by the Regulation's structure)".into(),
        from: cir.key(),
        to: nis2.key(),
        provenance: Provenance::LegalStructure,
        source: "Implementing Regulation (EU) 2024/2690 Art 2 and Annex section headings (shared/reference/eu-law/cir-2024-2690.yaml)"
            .into(),
        terms: "EU law: reuse authorised".into(),
        relations,
    };
    doc.validate(cir, nis2).map_err(|e| format!("cir→nis2: {e}"))?;
    Ok(doc)
}

/// Runs the whole generator.
pub fn generate(reference: &Path) -> Result<Generated> {
    const CMU: &str = "identifiers and short titles only; (c) Carnegie Mellon University / JHU APL / Futures, Inc.";
    let iso = iso27001(reference)?;
    let csf = csf(reference)?;
    let nis2 = nis2(reference)?;
    let (cir, measure_of_section) = cir(reference)?;
    let sp = sp800_53(reference)?;
    let others = [
        simple(
            reference,
            "iso27001-2013.yaml",
            Meta { slug: "iso27001-2013", version: "2013", name: "ISO/IEC 27001:2013", publisher: "ISO/IEC", terms: ISO_TERMS },
            Text::TitlesOnly,
        )?,
        simple(
            reference,
            "nist-800-171-rev2.yaml",
            Meta {
                slug: "nist-sp-800-171-r2",
                version: "r2",
                name: "NIST SP 800-171 Rev. 2",
                publisher: "NIST",
                terms: "US Government work, public domain",
            },
            Text::PublicDomain,
        )?,
        simple(
            reference,
            "nist-800-171-rev3.yaml",
            Meta {
                slug: "nist-sp-800-171-r3",
                version: "r3",
                name: "NIST SP 800-171 Rev. 3",
                publisher: "NIST",
                terms: "US Government work, public domain",
            },
            Text::PublicDomain,
        )?,
        simple(
            reference,
            "cmmc-2.0.yaml",
            Meta { slug: "cmmc-2.0", version: "2.0", name: "CMMC 2.0 (Levels 1-2)", publisher: "US DoD", terms: CMU },
            Text::TitlesOnly,
        )?,
        simple(
            reference,
            "soc2_2017_with_rev_2022.yaml",
            Meta {
                slug: "soc2-tsc-2017",
                version: "2017-rev-2022",
                name: "AICPA Trust Services Criteria 2017 (revised points of focus 2022)",
                publisher: "AICPA",
                terms: "identifiers and short titles only; (c) AICPA",
            },
            Text::TitlesOnly,
        )?,
        simple(
            reference,
            "nist-sp-800-66-rev2.yaml",
            Meta {
                slug: "hipaa-security",
                version: "800-66r2",
                name: "HIPAA Security Rule (45 CFR 164 Subpart C, per NIST SP 800-66 Rev. 2)",
                publisher: "HHS / NIST",
                terms: "US Government work, public domain",
            },
            Text::PublicDomain,
        )?,
        simple(
            reference,
            "gdpr.yaml",
            Meta {
                slug: "gdpr",
                version: "2016/679",
                name: "GDPR (EU) 2016/679",
                publisher: "European Union",
                terms: "EU law: reuse authorised; identifiers and titles only",
            },
            Text::TitlesOnly,
        )?,
        simple(
            reference,
            "dora.yaml",
            Meta {
                slug: "dora",
                version: "2022/2554",
                name: "DORA (EU) 2022/2554",
                publisher: "European Union",
                terms: "EU law: reuse authorised; identifiers and titles only",
            },
            Text::TitlesOnly,
        )?,
        simple(
            reference,
            "tisax-v6.0.2.yaml",
            Meta {
                slug: "tisax",
                version: "6.0.2",
                name: "TISAX / VDA ISA 6.0.2",
                publisher: "ENX Association / VDA",
                terms: "identifiers and short titles only; (c) ENX Association",
            },
            Text::TitlesOnly,
        )?,
    ];
    let mut frameworks = vec![iso, csf, nis2, cir, sp];
    frameworks.extend(others);

    let mut mappings = Vec::new();
    for (file, provenance, terms) in [
        ("mapping-iso27001-2013-to-iso27001-2022.yaml", Provenance::VendorLibrary, "pairs and types are facts; attribution intuitem"),
        ("mapping-nist-csf-2.0-to-iso27001-2022.yaml", Provenance::Official, "NIST OLIR (public domain)"),
        ("mapping-nist-sp-800-53-rev5-to-iso27001-2022.yaml", Provenance::Official, "NIST OLIR 155 (public domain)"),
        ("mapping-nist-sp-800-66-rev2-to-nist-csf-2.0.yaml", Provenance::Official, "NIST (public domain)"),
        ("mapping-nist-sp-800-66-rev2-to-nist-sp-800-53-rev5.yaml", Provenance::Official, "NIST (public domain)"),
        ("mapping-soc2-2017-rev-2022-to-iso27001-2022.yaml", Provenance::VendorLibrary, "pairs are facts; attribution intuitem"),
        (
            "mapping-annex-technical-and-methodological-requirements-nis2-and-iso27001-2022.yaml",
            Provenance::Official,
            "(c) ENISA 2025, CC BY 4.0 (NIS2 Technical Implementation Guidance mapping tables)",
        ),
        (
            "mapping-annex-technical-and-methodological-requirements-nis2-and-nist-csf-2.0.yaml",
            Provenance::Official,
            "(c) ENISA 2025, CC BY 4.0 (NIS2 Technical Implementation Guidance mapping tables)",
        ),
    ] {
        mappings.extend(mapping_from_library(reference, file, &frameworks, provenance, terms)?);
    }
    let find = |slug: &str| frameworks.iter().find(|f| f.slug == slug).expect("generated above");
    mappings.push(olir_186(reference, find("nist-csf-2.0"), find("nist-sp-800-53-r5"))?);
    mappings.push(cir_to_nis2(find("nis2-cir-2024-2690"), find("nis2"), &measure_of_section)?);
    Ok(Generated { frameworks, mappings })
}

/// The canonical text of a catalog document: pretty JSON with a trailing newline.
pub fn render<T: serde::Serialize>(doc: &T) -> String {
    let mut text = serde_json::to_string_pretty(doc).expect("catalog documents serialise");
    text.push('\n');
    text
}

/// Where each generated document lives under `catalogs/`.
pub fn framework_path(doc: &FrameworkDoc) -> String {
    format!("frameworks/{}.json", doc.slug)
}

pub fn mapping_path(doc: &MappingSetDoc) -> String {
    format!("mappings/{}.json", doc.slug)
}

/// Frameworks named by key, for checking curated mapping files.
pub fn index(frameworks: &[FrameworkDoc]) -> HashMap<FrameworkKey, &FrameworkDoc> {
    frameworks.iter().map(|f| (f.key(), f)).collect()
}
