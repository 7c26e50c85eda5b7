//! Issue 13, crosswalk soundness, end to end on a real database: headings roll up and never give or
//! take credit; for an entity the CIR covers, NIS2 Art 21(2) measures roll up from their CIR
//! sections and nothing flows from a measure down to its points; withdrawn requirements are kept but
//! never assessed or counted; clauses 4–10 of ISO/IEC 27001 cannot be excluded; SCF STRM files
//! import all or nothing into the importing organisation only; mapping stats report the corpus; a
//! new release of a bundled mapping set is journaled in the installation chain and, per
//! organisation, with the readiness it changed.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
use crosswalk_app::controls::{ControlStatus, NewControl};
use crosswalk_app::evidence::NewEvidence;
use crosswalk_app::{Actor, App, AppError};
use crosswalk_domain::crosswalk::{Basis, Readiness};

mod support;

use support::world::*;

/// An implemented control with valid evidence, linked to one requirement: proven.
async fn prove(app: &App, actor: &Actor, framework: &str, reference: &str) {
    let control = app
        .create_control(
            actor,
            NewControl {
                name: format!("{framework} {reference}"),
                description: String::new(),
                status: ControlStatus::Implemented,
                justification: None,
            },
        )
        .await
        .unwrap();
    app.link_control(actor, control.id, framework, reference).await.unwrap();
    app.add_evidence(
        actor,
        NewEvidence {
            name: "one line".into(),
            link: Some("https://evidence.example/1".into()),
            controls: vec![control.id],
            ..NewEvidence::default()
        },
        None,
    )
    .await
    .unwrap();
}

fn scope(entity_type: &str) -> crosswalk_domain::nis2::ScopeInput {
    crosswalk_domain::nis2::ScopeInput {
        entity_type: entity_type.into(),
        sector: None,
        subsector: None,
        employees: 300,
        turnover_eur: 60_000_000,
        balance_eur: 50_000_000,
        ..Default::default()
    }
}

/// The issue's reproduction: one control with a one-line evidence file linked to Art 21(2)(i) made 36
/// CIR points derived (10.x and 12.x, 10.2 background verification among them) and ISO A.5.9, A.5.15
/// and A.6.1 as well. Now nothing is derived, for a CIR entity or any other.
#[tokio::test]
async fn proving_an_art_21_measure_derives_no_cir_point_and_no_iso_control() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    let op = app.operator("acme").await.unwrap();
    for f in ["nis2", "nis2-cir-2024-2690"] {
        app.follow_framework(m, f).await.unwrap();
    }
    app.save_nis2_profile(&op, scope("managed_service_provider")).await.unwrap();
    prove(app, m, "nis2", "Art.21(2)(i)").await;
    let cir = app.readiness(m, "nis2-cir-2024-2690").await.unwrap();
    assert_eq!(cir.summary.derived, 0, "no CIR point is derived from a measure");
    assert_eq!(row(&cir, "10.2").state, Readiness::Unknown);
    let iso = app.readiness(m, "iso27001-2022").await.unwrap();
    assert_eq!(iso.summary.derived, 0);
    // For a managed service provider (NIS2 Art 21(5)), (i) is satisfied through CIR sections 10–13:
    // proving the measure itself counts for nothing.
    let nis2 = app.readiness(m, "nis2").await.unwrap();
    let i = row(&nis2, "Art.21(2)(i)");
    assert_eq!((i.state, i.basis), (Readiness::Unknown, Basis::RollUp), "{}", i.reason);
    assert!(i.reason.contains("10, 11, 12, 13"), "{}", i.reason);
    // Another entity type assesses the measure directly — and still derives nothing below it.
    app.save_nis2_profile(&op, scope("drinking_water_supplier")).await.unwrap();
    let nis2 = app.readiness(m, "nis2").await.unwrap();
    assert_eq!(row(&nis2, "Art.21(2)(i)").state, Readiness::Proven);
    assert_eq!(app.readiness(m, "nis2-cir-2024-2690").await.unwrap().summary.derived, 0);
    assert_eq!(app.readiness(m, "iso27001-2022").await.unwrap().summary.derived, 0);
}

/// A CIR section proven point by point rolls up to its measure; one open point keeps it partial.
#[tokio::test]
async fn a_cir_entitys_measure_is_proven_only_when_every_point_of_its_sections_is() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    let op = app.operator("acme").await.unwrap();
    for f in ["nis2", "nis2-cir-2024-2690"] {
        app.follow_framework(m, f).await.unwrap();
    }
    app.save_nis2_profile(&op, scope("cloud_computing_service_provider")).await.unwrap();
    // Art 21(2)(h) is laid down by CIR section 9 alone.
    let cir = app.framework_detail(m, "nis2-cir-2024-2690", &crosswalk_app::catalog::RequirementRange::all()).await.unwrap();
    let parents: std::collections::HashSet<&str> = cir.requirements.iter().filter_map(|r| r.parent.as_deref()).collect();
    let points: Vec<String> = cir
        .requirements
        .iter()
        .filter(|r| r.assessable && !parents.contains(r.reference.as_str()))
        .filter(|r| r.reference.split('.').next() == Some("9"))
        .map(|r| r.reference.clone())
        .collect();
    assert!(points.len() > 3, "{points:?}");
    for p in &points[1..] {
        prove(app, m, "nis2-cir-2024-2690", p).await;
    }
    let h = row(&app.readiness(m, "nis2").await.unwrap(), "Art.21(2)(h)").clone();
    assert_eq!((h.state, h.basis), (Readiness::Partial, Basis::RollUp));
    prove(app, m, "nis2-cir-2024-2690", &points[0]).await;
    let report = app.readiness(m, "nis2").await.unwrap();
    assert_eq!(row(&report, "Art.21(2)(h)").state, Readiness::Proven);
    // Headings are listed, marked, and never counted: the summary counts the assessable leaves only.
    let cir = app.readiness(m, "nis2-cir-2024-2690").await.unwrap();
    assert!(row(&cir, "9").heading && row(&cir, "9").state == Readiness::Proven);
    assert_eq!(cir.summary.total(), cir.requirements.iter().filter(|r| !r.heading).count());
}

#[tokio::test]
async fn headings_and_withdrawn_requirements_cannot_be_linked_and_are_not_counted() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    app.follow_framework(m, "nist-sp-800-53-r5").await.unwrap();
    let control = app
        .create_control(
            m,
            NewControl { name: "x".into(), description: String::new(), status: ControlStatus::Implemented, justification: None },
        )
        .await
        .unwrap();
    let err = app.link_control(m, control.id, "nist-csf-2.0", "PR.DS").await.unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid(v) if v.field == "ref" && v.message.contains("heading") && v.message.contains("PR.DS-01")),
        "{err}"
    );
    let err = app.link_control(m, control.id, "nist-sp-800-53-r5", "AC-13").await.unwrap_err();
    assert!(matches!(&err, AppError::Invalid(v) if v.message.contains("withdrawn")), "{err}");
    // SP 800-53 r5: 1,007 active controls and enhancements are counted; the 182 withdrawn are kept.
    let report = app.readiness(m, "nist-sp-800-53-r5").await.unwrap();
    assert_eq!(report.summary.total(), 1007);
    assert!(report.requirements.iter().all(|r| r.reference != "AC-13"));
    let detail = app.framework_detail(m, "nist-sp-800-53-r5", &crosswalk_app::catalog::RequirementRange::all()).await.unwrap();
    assert_eq!(detail.requirements.iter().filter(|r| r.withdrawn).count(), 182);
    assert!(detail.requirements.iter().any(|r| r.reference == "AC-13" && r.withdrawn && !r.assessable));
}

/// ISO/IEC 27001 clause 1: no requirement of clauses 4–10 may be excluded; Annex A controls may.
#[tokio::test]
async fn iso_clauses_marked_not_applicable_are_gaps_annex_a_exclusions_stand() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    for reference in ["9.2.1", "A.7.2"] {
        let control = app
            .create_control(
                m,
                NewControl {
                    name: format!("not ours: {reference}"),
                    description: String::new(),
                    status: ControlStatus::NotApplicable,
                    justification: Some("remote company".into()),
                },
            )
            .await
            .unwrap();
        app.link_control(m, control.id, "iso27001-2022", reference).await.unwrap();
    }
    let iso = app.readiness(m, "iso27001-2022").await.unwrap();
    assert_eq!(row(&iso, "A.7.2").state, Readiness::NotApplicable);
    let audit = row(&iso, "9.2.1");
    assert_eq!(audit.state, Readiness::Gap);
    assert!(audit.reason.contains("clauses 4 to 10"), "{}", audit.reason);
    // The clause heading 9.2 rolls up from 9.2.1 and 9.2.2: not applicable it never is.
    assert_ne!(row(&iso, "9.2").state, Readiness::NotApplicable);
}

const STRM: &str = "FDE #,FDE Name,Focal Document Element (FDE),STRM Rationale,STRM Relationship,SCF Control,SCF #,Secure Controls Framework (SCF) Control Description,Strength of Relationship (optional),Notes (optional)\n\
A.8.13,Information backup,,Semantic,Equal,Data Backups,BCD-11,Backups are made and tested,10,\n\
A.8.8,Management of technical vulnerabilities,,Functional,Intersects With,Vulnerability Remediation,VPM-02,Vulnerabilities are remediated,7,\n\
A.5.10,Acceptable use,,Functional,No Relationship,N/A,N/A,N/A,0,\n";

const STRM_CSF: &str = "FDE #,FDE Name,STRM Relationship,SCF #,SCF Control,Strength of Relationship (optional)\n\
RC.RP-05,Integrity of restored assets,Equal,BCD-11,Data Backups,9\n";

/// SCF STRM (issue 13, item 5): the organisation's file, its SCF pivot, types and strengths kept; a
/// chain through the pivot is a suggestion, never credit; bad files import nothing; another
/// organisation sees none of it.
#[tokio::test]
async fn an_scf_strm_file_imports_into_the_organisation_only_and_chains_only_suggest() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    let operator = app.operator("acme").await.unwrap();
    // The organisation's admin imports into the organisation's own catalog (the operator's CLI
    // imports would be shared).
    let op = person(app, &operator, "admin@acme.example", crosswalk_domain::Role::Admin).await;
    let head = app.journal_head(&op).await.unwrap();
    // Bad input first: nothing is written.
    let bad_column = STRM.replacen("Notes (optional)", "Colour", 1);
    let err = app.import_strm(&op, bad_column.as_bytes(), "iso.csv", "iso27001-2022").await.unwrap_err();
    assert!(err.to_string().contains("unknown column 'Colour'"), "{err}");
    let err = app.import_strm(&op, STRM.as_bytes(), "iso.csv", "iso27099").await.unwrap_err();
    assert!(matches!(&err, AppError::Invalid(v) if v.field == "focal" && v.message.contains("iso27099")), "{err}");
    let err = app.import_strm(&op, STRM.replacen("A.8.8,", "A.99,", 1).as_bytes(), "iso.csv", "iso27001-2022").await.unwrap_err();
    assert!(err.to_string().contains("row 3") && err.to_string().contains("'A.99'"), "{err}");
    assert_eq!(app.journal_head(&op).await.unwrap(), head, "refused files leave no trace");
    assert!(app.mapping_stats(&op).await.unwrap().iter().all(|s| !s.slug.starts_with("scf-strm")));

    let report = app.import_strm(&op, STRM.as_bytes(), "iso.csv", "iso27001-2022").await.unwrap();
    assert_eq!(report.items.len(), 2, "{report:?}");
    assert!(report.notes.iter().any(|n| n.contains("A.5.10")), "{report:?}");
    let again = app.import_strm(&op, STRM.as_bytes(), "iso.csv", "iso27001-2022").await.unwrap();
    assert!(again.items.iter().all(|i| !i.inserted), "the same file again changes nothing");
    app.import_strm(&op, STRM_CSF.as_bytes(), "csf.csv", "nist-csf-2.0").await.unwrap();
    let relations = app.mapping_list(m, "iso27001-2022", "scf@strm").await.unwrap();
    let backup = relations.iter().find(|r| r.from == "A.8.13").unwrap();
    assert_eq!((backup.relation.as_str(), backup.strength, backup.to.as_str()), ("equal", Some(10), "BCD-11"));
    // A.8.13 equal BCD-11 equal RC.RP-05 is a chain through the pivot: shown, never credit.
    prove(app, m, "iso27001-2022", "A.8.13").await;
    let csf = app.readiness(m, "nist-csf-2.0").await.unwrap();
    let restored = row(&csf, "RC.RP-05");
    assert_ne!(restored.state, Readiness::Derived, "{}", restored.reason);
    assert!(
        restored.suggestions.iter().any(|s| s.path.len() == 2 && s.path[0].to == "BCD-11" && s.path[0].to_framework == "scf@strm"),
        "{:?}",
        restored.suggestions
    );
    let stats = app.mapping_stats(m).await.unwrap();
    let set = stats.iter().find(|s| s.slug == "scf-strm--iso27001-2022").unwrap();
    assert_eq!((set.scope.as_str(), set.relations["equal"], set.relations["intersects"]), ("organisation", 1, 1));

    // A relation pointing at a withdrawn requirement is imported and flagged.
    let withdrawn = "FDE #,STRM Relationship,SCF #,SCF Control\nAC-13,Intersects With,IAC-01,Identity and access management\nAC-2,Intersects With,IAC-01,Identity and access management\n";
    app.import_strm(&op, withdrawn.as_bytes(), "800-53.csv", "nist-sp-800-53-r5").await.unwrap();
    let stats = app.mapping_stats(m).await.unwrap();
    assert_eq!(stats.iter().find(|s| s.slug == "scf-strm--nist-sp-800-53-r5").unwrap().withdrawn, 1);

    // Another organisation on the same installation sees none of it.
    app.create_tenant("other", "Other").await.unwrap();
    let other = app.operator("other").await.unwrap();
    assert!(app.mapping_stats(&other).await.unwrap().iter().all(|s| !s.slug.starts_with("scf-strm")));
    assert!(matches!(app.mapping_list(&other, "iso27001-2022", "scf@strm").await, Err(AppError::NotFound(_))));
}

/// Issue 13, items 3 and 4: the curated sets are typed, reviewed, and reported.
#[tokio::test]
async fn mapping_stats_report_the_reviewed_corpus() {
    let w = world().await;
    let stats = w.app.mapping_stats(&w.manager).await.unwrap();
    let set = |slug: &str| stats.iter().find(|s| s.slug == slug).unwrap_or_else(|| panic!("{slug}"));
    let iso_csf = set("curated--iso27001-2022--nist-csf-2.0");
    assert_eq!((iso_csf.to.assessable, iso_csf.to.reached_percent), (106, 100), "every CSF subcategory judged");
    assert!(iso_csf.to.credit_percent > 0);
    for slug in [
        "curated--iso27001-2022--nist-csf-2.0",
        "curated--nis2--iso27001-2022",
        "curated--nis2-cir-2024-2690--iso27001-2022",
        "curated--nist-sp-800-53-r5--iso27001-2022",
    ] {
        assert_eq!(set(slug).unreviewed, 0, "{slug}: every credit-carrying relation independently reviewed");
    }
    // A vendor library's equal/subset relations were not reviewed by Crosswalk: the stats say so.
    assert!(set("iso27001-2013--iso27001-2022").unreviewed > 0);
    // The legal structure relates CIR sections (headings): it carries no credit.
    assert_eq!(set("nis2-cir-2024-2690--nis2").to.credit_percent, 0);
}

/// Issue 13, item 6: a new release of a bundled mapping set replaces the old one (no stale
/// relation stays), is journaled in the installation chain with every relation added or removed,
/// and each organisation whose readiness it changes gets an entry in its own journal saying which
/// requirement changed, from what to what, and why.
#[tokio::test]
async fn a_new_release_of_a_curated_set_is_journaled_for_the_installation_and_each_affected_organisation() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    prove(app, m, "iso27001-2022", "A.8.8").await;
    // Stand in the earlier release, which still said "A.8.8 superset ID.RA-01".
    let current =
        crosswalk_store::bundled::MAPPINGS.iter().find(|(p, _)| p.ends_with("curated/iso27001-2022--nist-csf-2.0.json")).unwrap().1;
    let mut old: serde_json::Value = serde_json::from_str(current).unwrap();
    for r in old["relations"].as_array_mut().unwrap() {
        if r["from"] == "A.8.8" && r["to"] == "ID.RA-01" {
            r["type"] = "superset".into();
        }
    }
    let old = serde_json::to_string(&old).unwrap();
    let replaced = w._db.store.load_documents(&w._db.mac_key(), &[], &[("earlier release", old.as_str())]).await.unwrap();
    assert_eq!(replaced.sets_replaced.len(), 1);
    // A fresh start of the earlier release: ID.RA-01 is derived from A.8.8.
    let config = crosswalk_app::AppConfig {
        password_cost: crosswalk_app::PasswordCost::InsecureFastForTests,
        blob_dir: w._blobs.0.clone(),
        ..Default::default()
    };
    let earlier = App::new(w._db.store.clone(), w.clock.clone(), w._db.key.clone(), config.clone());
    let m_earlier = earlier.operator("acme").await.unwrap();
    assert_eq!(row(&earlier.readiness(&m_earlier, "nist-csf-2.0").await.unwrap(), "ID.RA-01").state, Readiness::Derived);
    let head = earlier.journal_head(&m_earlier).await.unwrap();

    // The upgrade: this release's set replaces it.
    let upgraded = App::new(w._db.store.clone(), w.clock.clone(), w._db.key.clone(), config);
    let changes = upgraded.upgrade_catalog().await.unwrap();
    let set = &changes.sets_replaced[0];
    assert_eq!(set.set, "curated--iso27001-2022--nist-csf-2.0");
    assert!(set.removed.iter().any(|r| r.from == "A.8.8" && r.to == "ID.RA-01" && r.relation == "superset"), "{set:?}");
    assert!(set.added.iter().any(|r| r.from == "A.8.8" && r.to == "ID.RA-01" && r.relation == "intersects"), "{set:?}");
    let op = upgraded.operator("acme").await.unwrap();
    assert_ne!(row(&upgraded.readiness(&op, "nist-csf-2.0").await.unwrap(), "ID.RA-01").state, Readiness::Derived);
    // The installation chain names the replaced relations …
    let installation = crosswalk_store::journal::list_recent(&w._db.store, crosswalk_store::records::INSTALLATION, None, 1).await.unwrap();
    assert_eq!(installation[0].action, "catalog.load_bundled");
    assert!(installation[0].payload.contains("ID.RA-01"), "{}", installation[0].payload);
    // … and the organisation's own journal says what that did to its readiness, and why.
    let entries = upgraded.journal_entries(&op, None, 1).await.unwrap();
    assert_eq!(entries[0].seq, head + 1);
    assert_eq!(entries[0].action, "readiness.catalog_release");
    let payload = entries[0].payload.to_string();
    assert!(
        payload.contains("ID.RA-01") && payload.contains("derived") && payload.contains("curated--iso27001-2022--nist-csf-2.0"),
        "{payload}"
    );
    // Both chains still verify.
    assert!(upgraded.verify_journal(&op, false).await.unwrap().ok);
    // Nothing pending any more: a second start changes nothing.
    assert!(upgraded.upgrade_catalog().await.unwrap().is_empty());
}

/// Issue 13, item 8: a library whose distinct nodes share a ref_id (Spain's ENS, RD 311/2022,
/// numbers the points of every measure 1, 2, … and CISO Assistant loads it) imports; nodes are
/// told apart by URN and the refs are disambiguated visibly.
#[tokio::test]
async fn a_library_whose_nodes_share_ref_ids_imports_with_visible_disambiguation() {
    let w = world().await;
    let operator = w.app.operator("acme").await.unwrap();
    let admin = person(&w.app, &operator, "admin@acme.example", crosswalk_domain::Role::Admin).await;
    let library = r#"
urn: urn:test:library:ens-like
name: ENS-like
version: 1
provider: test
copyright: test
objects:
  framework:
    urn: urn:test:framework:ens-like
    ref_id: ENS
    name: ENS-like
    requirement_nodes:
    - {urn: "urn:test:req_node:ens-like:op.acc.1", ref_id: "op.acc.1", name: Identification}
    - {urn: "urn:test:req_node:ens-like:op.acc.1:1", parent_urn: "urn:test:req_node:ens-like:op.acc.1", ref_id: "1", assessable: true, name: First point}
    - {urn: "urn:test:req_node:ens-like:op.acc.2", ref_id: "op.acc.2", name: Access requirements}
    - {urn: "urn:test:req_node:ens-like:op.acc.2:1", parent_urn: "urn:test:req_node:ens-like:op.acc.2", ref_id: "1", assessable: true, name: First point again}
    - {urn: "urn:test:req_node:ens-like:op.acc.3", ref_id: "op.acc.3", name: Segregation}
    - {urn: "urn:test:req_node:ens-like:op.acc.3:1", parent_urn: "urn:test:req_node:ens-like:op.acc.3", ref_id: "1", assessable: true, name: First point once more}
"#;
    let report = w.app.import_catalog(&admin, library.as_bytes(), "ens-like.yaml", None).await.unwrap();
    assert!(report.items[0].inserted, "{report:?}");
    let detail = w.app.framework_detail(&admin, &report.items[0].name, &crosswalk_app::catalog::RequirementRange::all()).await.unwrap();
    let refs: Vec<&str> = detail.requirements.iter().map(|r| r.reference.as_str()).collect();
    assert_eq!(refs, ["op.acc.1", "1", "op.acc.2", "1 [1]", "op.acc.3", "1 [op.acc.3:1]"]);
    assert_eq!(detail.requirements[5].parent.as_deref(), Some("op.acc.3"));
}

/// Issue 14, item 4: the designations are part of the saved scoping (journaled), and a domain name
/// registration service runs no NIS2 clock (Art 2(4): no Art 23 duty).
#[tokio::test]
async fn saved_scoping_keeps_its_designations() {
    let w = world().await;
    let op = w.app.operator("acme").await.unwrap();
    let critical_hospital = crosswalk_domain::nis2::ScopeInput {
        entity_type: "healthcare_provider".into(),
        employees: 20,
        turnover_eur: 3_000_000,
        balance_eur: 3_000_000,
        critical_entity: Some(true),
        ..Default::default()
    };
    let saved = w.app.save_nis2_profile(&op, critical_hospital).await.unwrap();
    assert_eq!(saved.result.classification, crosswalk_domain::nis2::Classification::Essential);
    let again = w.app.nis2_profile(&op).await.unwrap().unwrap();
    assert!(again.critical_entity && again.result.basis.iter().any(|b| b.contains("Art 3(1)(f)")));
    let entry = &w.app.journal_entries(&op, None, 1).await.unwrap()[0];
    assert_eq!((entry.action.as_str(), entry.payload["critical_entity"].as_bool()), ("nis2.scope", Some(true)));
}

/// Issue 15, item 3 (first part): two server instances on one database. The catalog graph is cached
/// under the database state it was built from, so a shared import made through one instance is
/// effective through the other on its next request (no restart, no in-process counter).
#[tokio::test]
async fn a_catalog_import_through_one_instance_is_seen_by_another() {
    let w = world().await;
    let config = crosswalk_app::AppConfig {
        password_cost: crosswalk_app::PasswordCost::InsecureFastForTests,
        blob_dir: w._blobs.0.clone(),
        ..Default::default()
    };
    let other = App::new(w._db.store.clone(), w.clock.clone(), w._db.key.clone(), config);
    let m_other = other.operator("acme").await.unwrap();
    // The second instance builds and caches its graph now.
    let before = other.readiness(&m_other, "iso27001-2022").await.unwrap();
    assert!(row(&before, "A.8.8").suggestions.is_empty());
    // The operator imports a library with a relation into A.8.8 through the first instance.
    let library = r#"
urn: urn:test:library:mini2
name: Mini
version: 1
objects:
  framework:
    urn: urn:test:framework:mini2
    name: Mini framework
    requirement_nodes:
    - {urn: "urn:test:req_node:mini2:1", ref_id: "1", assessable: true, name: Leaf}
  requirement_mapping_sets:
  - urn: urn:test:req_mapping_set:mini2-to-iso
    name: Mini -> ISO
    source_framework_urn: urn:test:framework:mini2
    target_framework_urn: urn:intuitem:risk:framework:iso27001-2022
    requirement_mappings:
    - {source_requirement_urn: "urn:test:req_node:mini2:1", target_requirement_urn: "urn:intuitem:risk:req_node:iso27001-2022:a.8.8", relationship: intersect}
"#;
    let operator = w.app.operator("acme").await.unwrap();
    let report = w.app.import_catalog(&operator, library.as_bytes(), "mini2.yaml", None).await.unwrap();
    let mini = report.items[0].name.clone();
    w.app.follow_framework(&w.manager, &mini).await.unwrap();
    prove(&w.app, &w.manager, &mini, "1").await;
    // The second instance sees the new relation at once.
    let after = other.readiness(&m_other, "iso27001-2022").await.unwrap();
    let a88 = row(&after, "A.8.8");
    assert!(a88.suggestions.iter().any(|s| s.path[0].from == "1" && s.path[0].relation == "intersects"), "{:?}", a88.suggestions);
}
