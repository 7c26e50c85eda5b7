//! Catalog scoping stories (issue 11): an organisation's imports are its own and never change what
//! another organisation sees, proves or follows; followed frameworks are pinned to their version.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use chrono::NaiveDate;
use crosswalk_app::controls::{ControlStatus, NewControl};
use crosswalk_app::evidence::NewEvidence;
use crosswalk_app::{Actor, App, AppError};
use crosswalk_domain::Role;
use support::world::*;
/// A control proving A.8.8 with valid evidence, in the actor's organisation.
async fn prove_a88(app: &App, actor: &Actor) {
    let control = app
        .create_control(
            actor,
            NewControl {
                name: "Vulnerability management".into(),
                description: String::new(),
                status: ControlStatus::Implemented,
                justification: None,
            },
        )
        .await
        .unwrap();
    app.link_control(actor, control.id, "iso27001-2022", "A.8.8").await.unwrap();
    let blob = app.store_blob(actor, &b"scan report"[..]).await.unwrap();
    let evidence = NewEvidence {
        name: "scan.pdf".into(),
        controls: vec![control.id],
        valid_until: NaiveDate::from_ymd_opt(2027, 1, 1),
        ..NewEvidence::default()
    };
    app.add_evidence(actor, evidence, Some(blob)).await.unwrap();
}

/// A CISO Assistant library mapping A.8.8 `equal` to every CSF 2.0 subcategory: the attack of issue 11.
fn a88_equals_all_of_csf() -> String {
    let csf = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalogs/frameworks/nist-csf-2.0.json");
    let csf: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(csf).unwrap()).unwrap();
    let rows: String = csf["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["assessable"] == true)
        .map(|r| format!("    - {{source_requirement_urn: \"urn:intuitem:risk:req_node:iso27001-2022:a.8.8\", target_requirement_urn: \"{}\", relationship: equal}}\n", r["aliases"][0].as_str().unwrap()))
        .collect();
    format!(
        "urn: urn:evil:library:a88-equals-csf\nname: Evil\nversion: 1\nobjects:\n  requirement_mapping_sets:\n  - urn: urn:evil:req_mapping_set:a88-csf\n    name: A.8.8 equals all of CSF\n    source_framework_urn: urn:intuitem:risk:framework:iso27001-2022\n    target_framework_urn: urn:intuitem:risk:framework:nist-csf-2.0\n    requirement_mappings:\n{rows}"
    )
}

/// A library whose framework URN ends in `framework:nist-csf-2.0`, with `n` requirements.
fn squatting_library(version: u32, n: usize) -> String {
    let nodes: String = (0..n)
        .map(|i| format!("    - {{urn: \"urn:evil:req_node:csf:{i}\", ref_id: \"X.{i}\", assessable: true, name: Fake {i}}}\n"))
        .collect();
    format!(
        "urn: urn:evil:library:csf\nname: Fake CSF\nversion: {version}\nobjects:\n  framework:\n    urn: urn:evil:risk:framework:nist-csf-2.0\n    name: Fake CSF\n    requirement_nodes:\n{nodes}"
    )
}

/// Issue 11: one organisation's imports are its own (visible, effective and journaled only there),
/// never take a shared slug, and never change what another organisation's readiness says.
#[tokio::test]
async fn an_organisations_import_is_its_own_and_never_changes_another_organisation() {
    let w = world().await;
    let app = &w.app;
    app.create_tenant("beta", "Beta").await.unwrap();
    let beta_op = app.operator("beta").await.unwrap();
    let beta = person(app, &beta_op, "admin@beta.example", Role::Admin).await;
    app.follow_framework(&beta, "iso27001-2022").await.unwrap();
    app.follow_framework(&beta, "nist-csf-2.0").await.unwrap();
    prove_a88(app, &w.manager).await;
    prove_a88(app, &beta).await;
    let acme_before = app.readiness(&w.manager, "nist-csf-2.0").await.unwrap().summary;
    let acme_head = app.journal_head(&w.manager).await.unwrap();

    // B's mapping set: effective for B, not for A; journaled in B's journal only.
    let beta_head = app.journal_head(&beta).await.unwrap();
    let report = app.import_catalog(&beta, a88_equals_all_of_csf().as_bytes(), "evil.yaml", None).await.unwrap();
    assert!(report.items.iter().all(|i| i.inserted), "{report:?}");
    assert_eq!(app.readiness(&w.manager, "nist-csf-2.0").await.unwrap().summary, acme_before, "A's readiness is unchanged");
    assert_eq!(app.journal_head(&w.manager).await.unwrap(), acme_head, "nothing in A's journal");
    assert_eq!(app.journal_head(&beta).await.unwrap(), beta_head + 1, "B's journal has the import");
    let beta_csf = app.readiness(&beta, "nist-csf-2.0").await.unwrap().summary;
    assert!(beta_csf.derived > acme_before.derived + 50, "effective for B: {beta_csf:?}");
    let relations = app.mapping_list(&w.manager, "iso27001-2022", "nist-csf-2.0").await.unwrap();
    assert!(relations.iter().all(|r| r.mapping_set != "A.8.8 equals all of CSF"), "A never sees B's relations");
    // B can remove what it imported (its own relations); A cannot touch them.
    let own = app.mapping_list(&beta, "iso27001-2022", "nist-csf-2.0").await.unwrap();
    let own = own.iter().find(|r| r.own).unwrap();
    assert!(matches!(app.delete_relation(&w.manager, own.id).await, Err(AppError::NotFound(_))));

    // B's framework under a shared slug gets its own slug; `nist-csf-2.0` keeps meaning the bundled one.
    let report = app.import_catalog(&beta, squatting_library(1, 1).as_bytes(), "csf.yaml", None).await.unwrap();
    assert_eq!(report.items[0].name, "nist-csf-2.0-beta@ciso-assistant-v1", "{report:?}");
    assert!(report.notes.iter().any(|n| n.contains("nist-csf-2.0-beta")), "{report:?}");
    let page = crosswalk_app::catalog::RequirementRange::all();
    for actor in [&w.manager, &beta] {
        let detail = app.framework_detail(actor, "nist-csf-2.0", &page).await.unwrap();
        assert!(detail.framework.bundled && detail.total > 100, "{}", detail.framework.version);
    }
    let own = app.framework_detail(&beta, "nist-csf-2.0-beta", &page).await.unwrap();
    assert_eq!(own.framework.scope, crosswalk_app::catalog::FrameworkScope::Organisation);
    assert!(matches!(app.framework_detail(&w.manager, "nist-csf-2.0-beta", &page).await, Err(AppError::NotFound(_))));
    assert!(matches!(app.framework_detail(&w.manager, "nist-csf-2.0-beta@ciso-assistant-v1", &page).await, Err(AppError::NotFound(_))));
    assert!(app.list_frameworks(&w.manager).await.unwrap().iter().all(|f| f.name != "Fake CSF"), "absent from A's list");
    assert!(app.list_frameworks(&beta).await.unwrap().iter().any(|f| f.name == "Fake CSF"));
    // The same file again changes nothing; a new version is the owner's to add, under its slug.
    let again = app.import_catalog(&beta, squatting_library(1, 1).as_bytes(), "csf.yaml", None).await.unwrap();
    assert!(again.items.iter().all(|i| !i.inserted));
    let v2 = app.import_catalog(&beta, squatting_library(2, 2).as_bytes(), "csf.yaml", None).await.unwrap();
    assert_eq!(v2.items[0].name, "nist-csf-2.0-beta@ciso-assistant-v2");

    // A framework without requirements is refused, naming the reason.
    let err = app.import_catalog(&beta, squatting_library(3, 0).as_bytes(), "empty.yaml", None).await.unwrap_err();
    assert!(matches!(err, AppError::Invalid(ref v) if v.to_string().contains("no requirements")), "{err}");
}

/// A slug without a version means the version the organisation follows: a newer shared version,
/// installed by the operator, does not change it; an organisation that follows none gets the newest.
#[tokio::test]
async fn a_followed_framework_is_pinned_to_its_version() {
    let w = world().await;
    let app = &w.app;
    app.create_tenant("beta", "Beta").await.unwrap();
    let beta_op = app.operator("beta").await.unwrap();
    let beta = person(app, &beta_op, "viewer@beta.example", Role::Viewer).await;
    // The operator's import is shared and may add a version to a shared slug.
    let op = app.operator("acme").await.unwrap();
    let report = app.import_catalog(&op, squatting_library(9, 3).as_bytes(), "csf-v9.yaml", None).await.unwrap();
    assert_eq!(report.items[0].name, "nist-csf-2.0@ciso-assistant-v9", "{report:?}");
    let page = crosswalk_app::catalog::RequirementRange::all();
    let followed = app.framework_detail(&w.manager, "nist-csf-2.0", &page).await.unwrap();
    assert_eq!(followed.framework.version, "2.0", "acme follows 2.0");
    let newest = app.framework_detail(&beta, "nist-csf-2.0", &page).await.unwrap();
    assert_eq!(newest.framework.version, "ciso-assistant-v9");
    assert_eq!(newest.framework.scope, crosswalk_app::catalog::FrameworkScope::Shared);
}

/// The operator's import goes into the shared catalog and is the installation's record: it is journaled
/// (with the hash of every new row) in the installation chain, and no organisation's chain moves.
#[tokio::test]
async fn an_operator_import_is_journaled_in_the_installation_chain_only() {
    let w = world().await;
    let op = w.app.operator("acme").await.unwrap();
    let before = w.app.journal_head(&w.manager).await.unwrap();
    let installation_before = w.app.verify_installation_journal(false, false).await.unwrap().entries;
    let report = w.app.import_catalog(&op, squatting_library(1, 1).as_bytes(), "shared.yaml", None).await.unwrap();
    assert!(report.items.iter().any(|i| i.inserted), "{report:?}");
    assert_eq!(w.app.journal_head(&w.manager).await.unwrap(), before, "the organisation's chain did not move");
    let after = w.app.verify_installation_journal(false, true).await.unwrap();
    assert!(after.ok, "{:?} {:?}", after.problem, after.record_problems);
    assert_eq!(after.entries, installation_before + 1);
}
