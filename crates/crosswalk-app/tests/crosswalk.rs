//! The crosswalk end to end on a real database: controls, evidence and the bundled typed mappings
//! give honest readiness; expired evidence makes requirements not ready; suggestions need a named
//! person's sign-off; imports are all-or-nothing and idempotent.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
use chrono::{NaiveDate, TimeZone, Utc};
use crosswalk_app::attestations::{AttestationFilter, NewAttestation};
use crosswalk_app::controls::{ControlStatus, NewControl};
use crosswalk_app::evidence::NewEvidence;
use crosswalk_app::readiness::SignOff;
use crosswalk_app::{App, AppConfig, AppError, FixedClock, PasswordCost};
use crosswalk_domain::crosswalk::{Basis, Readiness};
use std::sync::Arc;

mod support;

use support::world::*;

#[tokio::test]
async fn evidence_proves_iso_and_derives_csf_only_where_the_mapping_type_allows() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    let control = app
        .create_control(
            m,
            NewControl {
                name: "Vulnerability management".into(),
                description: String::new(),
                status: ControlStatus::Implemented,
                justification: None,
            },
        )
        .await
        .unwrap();
    app.link_control(m, control.id, "iso27001-2022", "A.8.13").await.unwrap();
    let blob = app.store_blob(m, &b"scan report"[..]).await.unwrap();
    let again = app.store_blob(m, &b"scan report"[..]).await.unwrap();
    assert_eq!(blob.sha256, again.sha256, "identical content, one blob");
    let evidence = app
        .add_evidence(
            m,
            NewEvidence {
                name: "scan.pdf".into(),
                controls: vec![control.id],
                valid_until: NaiveDate::from_ymd_opt(2027, 1, 1),
                ..NewEvidence::default()
            },
            Some(blob),
        )
        .await
        .unwrap();

    // A reminder 14 days before the evidence stops being valid.
    let pending = app.pending_reminders_of(m, evidence.id).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].date_naive(), NaiveDate::from_ymd_opt(2026, 12, 18).unwrap());

    let iso = app.readiness(m, "iso27001-2022").await.unwrap();
    assert_eq!(row(&iso, "A.8.13").state, Readiness::Proven);
    let csf = app.readiness(m, "nist-csf-2.0").await.unwrap();
    let ds11 = row(&csf, "PR.DS-11");
    assert_eq!((ds11.state, ds11.basis), (Readiness::Derived, Basis::Derived));
    assert_eq!((ds11.path[0].from.as_str(), ds11.path[0].relation.as_str()), ("A.8.13", "superset"));
    assert_eq!(ds11.path[0].from_title, "Information backup", "each step names both requirements");
    // RC.RP-03 only intersects A.8.13: a suggestion, never credit.
    let rp03 = row(&csf, "RC.RP-03");
    assert_eq!((rp03.state, rp03.basis), (Readiness::Unknown, Basis::Suggestion));
    assert!(rp03.reason.contains("1. A.8.13 Information backup (iso27001-2022@2022) intersects RC.RP-03"), "{}", rp03.reason);
    assert_eq!(csf.summary.derived, 1);
    // The CSF category PR.DS is a heading: listed, rolled up, never counted.
    let pr_ds = row(&csf, "PR.DS");
    assert!(pr_ds.heading && pr_ds.basis == Basis::RollUp && pr_ds.state == Readiness::Partial, "{pr_ds:?}");
    assert_eq!(csf.summary.total(), 106);

    let coverage = app.coverage(m, "iso27001-2022", "nist-csf-2.0").await.unwrap();
    assert_eq!(row(&coverage, "PR.DS-11").state, Readiness::Derived);
    assert!(coverage.overlap.unwrap().sound_percent > 0);
    assert!(coverage.overlap.unwrap().any_percent >= coverage.overlap.unwrap().sound_percent);

    // The control page lists the requirement it serves directly and the one derived through a sound mapping.
    let view = app.control(m, control.id).await.unwrap();
    assert!(view.requirements.iter().any(|r| r.reference == "A.8.13" && r.how == "direct"));
    assert!(view.requirements.iter().any(|r| r.reference == "PR.DS-11" && r.how == "derived"));

    // Expired evidence: both not ready, and the reason says why.
    app.set_evidence_validity(m, evidence.id, None, NaiveDate::from_ymd_opt(2026, 11, 1)).await.unwrap();
    let iso = app.readiness(m, "iso27001-2022").await.unwrap();
    assert_eq!(row(&iso, "A.8.13").state, Readiness::Partial);
    assert!(row(&iso, "A.8.13").reason.contains("expired on 2026-11-01"), "{}", row(&iso, "A.8.13").reason);
    let csf = app.readiness(m, "nist-csf-2.0").await.unwrap();
    assert_ne!(row(&csf, "PR.DS-11").state, Readiness::Derived);
}

#[tokio::test]
async fn suggestions_need_a_named_sign_off_and_then_count_as_attested() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    let control = app
        .create_control(
            m,
            NewControl { name: "Threat intel".into(), description: String::new(), status: ControlStatus::Implemented, justification: None },
        )
        .await
        .unwrap();
    app.link_control(m, control.id, "iso27001-2022", "A.5.7").await.unwrap();
    app.add_evidence(
        m,
        NewEvidence {
            name: "feed".into(),
            link: Some("https://intel.example/feed".into()),
            controls: vec![control.id],
            ..NewEvidence::default()
        },
        None,
    )
    .await
    .unwrap();
    let csf = app.readiness(m, "nist-csf-2.0").await.unwrap();
    assert_eq!(row(&csf, "ID.RA-03").basis, Basis::Suggestion);
    let err = app
        .sign_off_suggestion(&w.viewer, "nist-csf-2.0", "ID.RA-03", SignOff { statement: "ok".into(), expires_on: None })
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)));
    let signed = app
        .sign_off_suggestion(
            m,
            "nist-csf-2.0",
            "ID.RA-03",
            SignOff { statement: "our threat intel process identifies internal threats too".into(), expires_on: None },
        )
        .await
        .unwrap();
    assert_eq!(signed.state, Readiness::Attested);
    assert!(signed.reason.contains("signed-off"), "{}", signed.reason);
}

#[tokio::test]
async fn linking_needs_a_followed_framework_and_viewers_change_nothing() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    let control = app
        .create_control(
            m,
            NewControl { name: "Backups".into(), description: String::new(), status: ControlStatus::Planned, justification: None },
        )
        .await
        .unwrap();
    let err = app.link_control(m, control.id, "gdpr", "Article 32").await.unwrap_err();
    assert!(err.to_string().contains("does not follow gdpr"), "{err}");
    let err = app.link_control(m, control.id, "iso27001-2022", "A.99").await.unwrap_err();
    assert!(err.to_string().contains("'A.99' is not a requirement"), "{err}");
    let err = app.readiness(m, "no-such-framework").await.unwrap_err();
    assert!(matches!(err, AppError::NotFound(ref s) if s.contains("no-such-framework")));
    let err = app
        .create_control(
            &w.viewer,
            NewControl { name: "x".into(), description: String::new(), status: ControlStatus::Planned, justification: None },
        )
        .await;
    assert!(matches!(err, Err(AppError::Forbidden(_))));
    let na = app
        .create_control(
            m,
            NewControl { name: "x".into(), description: String::new(), status: ControlStatus::NotApplicable, justification: None },
        )
        .await;
    assert!(na.unwrap_err().to_string().contains("justification"));
}

const LIBRARY: &str = r#"
urn: urn:test:library:mini
name: Mini
version: 1
objects:
  framework:
    urn: urn:test:framework:mini
    name: Mini framework
    requirement_nodes:
    - {urn: "urn:test:req_node:mini:1", ref_id: "1", name: Top}
    - {urn: "urn:test:req_node:mini:1.1", parent_urn: "urn:test:req_node:mini:1", ref_id: "1.1", assessable: true, name: Leaf}
  requirement_mapping_sets:
  - urn: urn:test:req_mapping_set:mini-to-iso
    name: Mini -> ISO
    source_framework_urn: urn:test:framework:mini
    target_framework_urn: urn:intuitem:risk:framework:iso27001-2022
    requirement_mappings:
    - {source_requirement_urn: "urn:test:req_node:mini:1.1", target_requirement_urn: "urn:intuitem:risk:req_node:iso27001-2022:a.8.8", relationship: intersect}
"#;

#[tokio::test]
async fn ciso_assistant_import_is_faithful_idempotent_and_all_or_nothing() {
    let w = world().await;
    let app = &w.app;
    let admin = app.operator("acme").await.unwrap();
    let report = app.import_catalog(&admin, LIBRARY.as_bytes(), "mini.yaml", None).await.unwrap();
    assert_eq!(report.items.iter().filter(|i| i.inserted).count(), 2, "{report:?}");
    let mapped = app.mapping_list(&admin, "mini", "iso27001-2022").await.unwrap();
    assert_eq!((mapped[0].to.as_str(), mapped[0].relation.as_str()), ("A.8.8", "intersects"));
    // Seen from the other side.
    let back = app.mapping_list(&admin, "iso27001-2022", "mini").await.unwrap();
    assert_eq!(back[0].from, "A.8.8");
    // Importing the same file again changes nothing.
    let again = app.import_catalog(&admin, LIBRARY.as_bytes(), "mini.yaml", None).await.unwrap();
    assert!(again.items.iter().all(|i| !i.inserted));

    // A row naming a missing requirement rejects the whole file, naming the row; nothing is written.
    let bad = LIBRARY.replace("version: 1", "version: 2").replace("a.8.8", "a.9.9");
    let err = app.import_catalog(&admin, bad.as_bytes(), "mini-v2.yaml", None).await.unwrap_err();
    assert!(err.to_string().contains("requirement_mappings[0].target_requirement_urn"), "{err}");
    assert!(
        app.framework_detail(&admin, "mini@ciso-assistant-v2", &crosswalk_app::catalog::RequirementRange::all()).await.is_err(),
        "the framework of a rejected file is not kept"
    );
    // Only admins change the shared catalog.
    assert!(matches!(app.import_catalog(&w.manager, LIBRARY.as_bytes(), "mini.yaml", None).await, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn an_oscal_profile_resolves_against_the_bundled_catalog_or_names_the_missing_href() {
    let w = world().await;
    let admin = w.app.operator("acme").await.unwrap();
    let reference = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/oscal/sp800-53-rev5");
    let Ok(low) = std::fs::read(reference.join("NIST_SP-800-53_rev5_LOW-baseline_profile.json")) else { return };
    let report = w.app.import_catalog(&admin, &low, "NIST_SP-800-53_rev5_LOW-baseline_profile.json", None).await.unwrap();
    assert_eq!(report.items[0].count, 149);
    let orphan = String::from_utf8(low).unwrap().replace("NIST_SP-800-53_rev5_catalog", "SOME_OTHER_catalog");
    let err = w.app.import_catalog(&admin, orphan.as_bytes(), "orphan.json", None).await.unwrap_err();
    assert!(err.to_string().contains("not loaded"), "{err}");
}

/// No query per row: listing every SP 800-53 requirement with the organisation's states costs the
/// same number of queries for 5 controls as for 60.
#[tokio::test]
async fn the_requirement_list_costs_a_fixed_number_of_queries() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    app.follow_framework(m, "nist-sp-800-53-r5").await.unwrap();
    let refs = ["AC-2", "AC-3", "AU-6", "CM-2", "IA-2", "RA-5", "SI-2", "SC-7", "CP-9", "IR-4"];
    let mut counts = Vec::new();
    let mut made = 0;
    for target in [5usize, 60] {
        while made < target {
            let c = app
                .create_control(
                    m,
                    NewControl {
                        name: format!("c{made}"),
                        description: String::new(),
                        status: ControlStatus::Implemented,
                        justification: None,
                    },
                )
                .await
                .unwrap();
            app.link_control(m, c.id, "nist-sp-800-53-r5", refs[made % refs.len()]).await.unwrap();
            app.add_evidence(
                m,
                NewEvidence {
                    name: format!("e{made}"),
                    link: Some("https://e.example".into()),
                    controls: vec![c.id],
                    ..NewEvidence::default()
                },
                None,
            )
            .await
            .unwrap();
            made += 1;
        }
        // A fresh app (cold caches) on a store handle that counts statements.
        let counter = std::sync::Arc::new(AtomicUsize::new(0));
        let mut store = w._db.store.clone();
        let seen = counter.clone();
        store.on_query(move |_| {
            seen.fetch_add(1, Ordering::Relaxed);
        });
        let config = AppConfig { password_cost: PasswordCost::InsecureFastForTests, ..AppConfig::default() };
        let fresh = App::new(
            store,
            Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap())),
            crosswalk_journal::generate_signing_key(),
            config,
        );
        let viewer = fresh.login("viewer@acme.example", "a-long-enough-password", "127.0.0.2").await.unwrap().actor;
        counter.store(0, Ordering::Relaxed);
        let report = fresh.readiness(&viewer, "nist-sp-800-53-r5").await.unwrap();
        assert!(report.summary.proven >= 5);
        counts.push(counter.load(Ordering::Relaxed));
    }
    assert_eq!(counts[0], counts[1], "queries for 5 vs 60 controls: {counts:?}");
    assert!(counts[0] <= 20, "{counts:?}");
}

#[tokio::test]
async fn the_demo_shows_the_art_21_view_with_honest_states() {
    let (_db, app, _clock) = demo().await;
    app.ensure_demo().await.unwrap(); // idempotent
    let op = app.operator("acme-demo").await.unwrap();
    assert_eq!(app.list_controls(&op).await.unwrap().len(), 7);
    let view = app.art21(&op).await.unwrap();
    assert!(view.cir_applies, "a managed service provider is an Art 21(5) entity");
    let measure = |r: &str| view.measures.iter().find(|m| m.measure.reference == r).unwrap();
    assert_eq!(view.measures.len(), 10);
    // (e), for an entity the CIR covers: rolled up from CIR sections 6 and 13 (NIS2 Art 21(5)). The
    // vulnerability management control proves A.8.8, which equals CIR 6.10.1 (reviewed) and
    // covers 6.10.2.a; the rest of sections 6 and 13 is open, so (e) is partial, never proven.
    let e = measure("Art.21(2)(e)");
    assert_eq!((e.measure.state, e.measure.basis), (Readiness::Partial, crosswalk_domain::crosswalk::Basis::RollUp));
    assert!(e.measure.reason.contains("6, 13"), "{}", e.measure.reason);
    let cir = app.readiness(&op, "nis2-cir-2024-2690").await.unwrap();
    let point = |r: &str| cir.requirements.iter().find(|q| q.reference == r).unwrap();
    assert_eq!(point("6.10.1").state, Readiness::Derived);
    assert_eq!((point("6.10").state, point("6.10").heading), (Readiness::Partial, true));
    // (h): A.8.24 only intersects it (issue 13), and its evidence expired: no credit either way.
    let h = measure("Art.21(2)(h)");
    assert_ne!(h.measure.state, Readiness::Derived);
    let a824 = h.iso27001.iter().find(|r| r.reference == "A.8.24").unwrap();
    assert_eq!((a824.relation.as_str(), a824.state), ("intersects", Some(Readiness::Partial)));
    // (c): rolled up from CIR sections 4 and 13, however proven A.8.13 is.
    assert_eq!(measure("Art.21(2)(c)").measure.basis, crosswalk_domain::crosswalk::Basis::RollUp);
    assert!(measure("Art.21(2)(c)").cir_sections.iter().any(|s| s.reference == "4"), "CIR section 4 details (c)");
    let iso = app.readiness(&op, "iso27001-2022").await.unwrap();
    let a824 = iso.requirements.iter().find(|r| r.reference == "A.8.24").unwrap();
    assert!(a824.reason.contains("expired"), "{}", a824.reason);
    assert_eq!(iso.requirements.iter().find(|r| r.reference == "A.7.2").unwrap().state, Readiness::NotApplicable);
    let a51 = iso.requirements.iter().find(|r| r.reference == "A.5.1").unwrap();
    assert_eq!(a51.state, Readiness::Attested, "the demo's attested policy set");
    assert!(a51.reason.contains("ciso@acme-demo.example"), "{}", a51.reason);
}

#[tokio::test]
async fn the_posture_dashboard_shows_parts_changes_this_week_and_a_daily_trend() {
    let (_db, app, clock) = demo().await;
    let op = app.operator("acme-demo").await.unwrap();
    assert_eq!(app.record_daily_snapshots().await.unwrap(), 4, "ISO 27001, CSF, NIS2 and CIR 2024/2690 are followed");
    assert_eq!(app.record_daily_snapshots().await.unwrap(), 0, "once a day");

    // Two days later the backup restore evidence lapses.
    clock.advance(chrono::Duration::days(2));
    let backup = app.list_controls(&op).await.unwrap().into_iter().find(|c| c.name == "Backup and restore").unwrap();
    let evidence = app.control(&op, backup.id).await.unwrap().evidence[0].id;
    app.set_evidence_validity(&op, evidence, None, NaiveDate::from_ymd_opt(2026, 11, 28)).await.unwrap();
    let view = app.posture(&op).await.unwrap();
    let iso = view.cards.iter().find(|c| c.framework == "iso27001-2022@2022").unwrap();
    assert_eq!(iso.trend.len(), 2, "the snapshot day and today");
    assert!(iso.trend[1].proven < iso.trend[0].proven);
    assert!(
        iso.changed_this_week.iter().any(|c| c.reference == "A.8.13" && c.from == "proven" && c.to == "partial"),
        "{:?}",
        iso.changed_this_week
    );
    assert!(view.expiring_evidence.iter().any(|e| e.name.starts_with("Cryptography policy")), "expired 10 days before the demo date");
    assert!(iso.percent["proven"] > 0 && iso.percent.contains_key("attested") && iso.percent.contains_key("derived"));
}

#[tokio::test]
async fn the_soa_is_decided_published_approved_diffed_and_exported() {
    use crosswalk_app::soa::SoaDecision;
    let (_db, app, _clock) = demo().await;
    let op = app.operator("acme-demo").await.unwrap();
    // The demo has an approved version 1 with all 93 Annex A controls.
    let v1 = app.soa_version(&op, 1).await.unwrap();
    assert_eq!(v1.rows.len(), 93);
    assert_eq!(v1.summary.approved_by.as_deref(), Some("ciso@acme-demo.example"));
    let a72 = v1.rows.iter().find(|r| r.reference == "A.7.2").unwrap();
    assert_eq!((a72.applicable, a72.status.as_str()), (Some(false), "not_applicable"));
    let a813 = v1.rows.iter().find(|r| r.reference == "A.8.13").unwrap();
    assert!(a813.controls[0].starts_with("Backup and restore") && a813.evidence[0].starts_with("Restore test"));

    // An exclusion without a justification is refused, naming the field.
    let err = app.decide_soa(&op, "A.5.7", SoaDecision { applicable: false, justification: None }).await.unwrap_err();
    assert!(matches!(err, AppError::Invalid(ref v) if v.field == "justification"), "{err}");
    assert!(app.decide_soa(&op, "A.99.1", SoaDecision { applicable: true, justification: None }).await.is_err());
    let draft = app
        .decide_soa(
            &op,
            "A.5.7",
            SoaDecision { applicable: false, justification: Some("threat intelligence bought as a managed service".into()) },
        )
        .await
        .unwrap();
    assert!(draft.problems.is_empty());
    let v2 = app.publish_soa(&op, "A.5.7 excluded").await.unwrap();
    assert_eq!(v2.summary.version, 2);
    let diff = app.soa_diff(&op, 1, Some(2)).await.unwrap();
    assert!(diff.iter().any(|c| c.reference == "A.5.7" && c.field == "applicable" && c.before == "yes" && c.after == "no"), "{diff:?}");

    // Approval needs a named person, once.
    assert!(matches!(app.approve_soa(&op, 2).await, Err(AppError::Forbidden(_))));
    let ciso = app.login("ciso@acme-demo.example", "crosswalk-demo-2026", "127.0.0.1").await.unwrap().actor;
    assert_eq!(app.approve_soa(&ciso, 2).await.unwrap().summary.approved_by.as_deref(), Some("ciso@acme-demo.example"));
    assert!(matches!(app.approve_soa(&ciso, 2).await, Err(AppError::Conflict(_))));
    let viewer = app.login("board@acme-demo.example", "crosswalk-demo-2026", "127.0.0.1").await.unwrap().actor;
    assert!(matches!(
        app.decide_soa(&viewer, "A.5.7", SoaDecision { applicable: true, justification: None }).await,
        Err(AppError::Forbidden(_))
    ));

    let (name, bytes) = app.soa_xlsx(&op, Some(2)).await.unwrap();
    assert_eq!(name, "soa-v2.xlsx");
    assert_eq!(&bytes[..2], b"PK");
    let journal = app.verify_journal(&op, false).await.unwrap();
    assert!(journal.ok, "{journal:?}");
}

#[tokio::test]
async fn attestations_name_a_person_count_as_attested_never_proven_and_lapse_when_they_expire() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    let control = app
        .create_control(
            m,
            NewControl {
                name: "Secure disposal".into(),
                description: String::new(),
                status: ControlStatus::Implemented,
                justification: None,
            },
        )
        .await
        .unwrap();
    app.link_control(m, control.id, "iso27001-2022", "A.7.14").await.unwrap();
    let iso = app.readiness(m, "iso27001-2022").await.unwrap();
    assert_eq!(row(&iso, "A.7.14").state, Readiness::Partial, "implemented without evidence: {}", row(&iso, "A.7.14").reason);

    let expires_on = NaiveDate::from_ymd_opt(2026, 12, 31);
    let new = |statement: &str| NewAttestation {
        framework: None,
        reference: None,
        control: Some(control.id),
        statement: statement.into(),
        expires_on,
    };
    app.attest(m, new("Disposal certificates checked by me")).await.unwrap();
    let iso = app.readiness(m, "iso27001-2022").await.unwrap();
    let a714 = row(&iso, "A.7.14");
    assert_eq!(a714.state, Readiness::Attested, "never proven without evidence");
    assert!(a714.reason.contains("manager@acme.example"), "the reason names the person: {}", a714.reason);

    // A requirement attested directly, with the person on the record.
    let op = app.operator("acme").await.unwrap();
    let ciso = app.operator_as("acme", "manager@acme.example").await.unwrap();
    let by_requirement = NewAttestation {
        framework: Some("iso27001-2022".into()),
        reference: Some("A.5.1".into()),
        control: None,
        statement: "Policies approved at the board meeting".into(),
        expires_on,
    };
    app.attest(&ciso, by_requirement).await.unwrap();
    let listed = app
        .attestations(&op, &AttestationFilter { framework: Some("iso27001-2022".into()), reference: Some("A.5.1".into()), control: None })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].person.as_str(), listed[0].valid), ("manager@acme.example", true));
    assert_eq!(app.control(m, control.id).await.unwrap().attestations.len(), 1);
    assert_eq!(row(&app.readiness(m, "iso27001-2022").await.unwrap(), "A.5.1").state, Readiness::Attested);

    // Bad input: no person, an expiry in the past, an unfollowed framework, a viewer.
    let err = app.attest(&op, new("anonymous")).await.unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err}");
    let mut stale = new("stale");
    stale.expires_on = NaiveDate::from_ymd_opt(2026, 1, 1);
    let err = app.attest(m, stale).await.unwrap_err();
    assert!(matches!(&err, AppError::Invalid(v) if v.field == "expires_on"), "{err}");
    let unfollowed = NewAttestation {
        framework: Some("nist-sp-800-53-r5".into()),
        reference: Some("AC-1".into()),
        control: None,
        statement: "x".into(),
        expires_on: None,
    };
    let err = app.attest(m, unfollowed).await.unwrap_err();
    assert!(err.to_string().contains("does not follow nist-sp-800-53-r5"), "{err}");
    assert!(matches!(app.attest(&w.viewer, new("viewer")).await.unwrap_err(), AppError::Forbidden(_)));
    let err = app.operator_as("acme", "nobody@acme.example").await.unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err}");

    // After its expiry date the attestation counts for nothing, and says so.
    w.clock.advance(chrono::Duration::days(40));
    let iso = app.readiness(m, "iso27001-2022").await.unwrap();
    assert_eq!(row(&iso, "A.7.14").state, Readiness::Partial);
    assert_eq!(row(&iso, "A.5.1").state, Readiness::Unknown);
    assert!(!app.control(m, control.id).await.unwrap().attestations[0].valid);
}

/// Changes patch the cached snapshot and re-derive only the controls they touch; the result must
/// equal what a fresh instance derives from the database from scratch.
#[tokio::test]
async fn readiness_patched_change_by_change_equals_readiness_reloaded_from_the_database() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    let mut controls = Vec::new();
    for (name, status, refs) in [
        ("Vulnerability management", ControlStatus::Implemented, &["A.8.8", "A.8.7"][..]),
        ("Patching", ControlStatus::Partial, &["A.8.8"][..]),
        ("Malware protection", ControlStatus::Implemented, &["A.8.7"][..]),
        ("Physical entry", ControlStatus::Planned, &["A.7.2"][..]),
    ] {
        let c =
            app.create_control(m, NewControl { name: name.into(), description: String::new(), status, justification: None }).await.unwrap();
        for r in refs {
            app.link_control(m, c.id, "iso27001-2022", r).await.unwrap();
        }
        controls.push(c.id);
    }
    // Read once so that the snapshot is cached and every later change patches it.
    app.readiness(m, "iso27001-2022").await.unwrap();
    let blob = app.store_blob(m, &b"report"[..]).await.unwrap();
    let until = NaiveDate::from_ymd_opt(2027, 6, 1);
    let new = NewEvidence { name: "scan.pdf".into(), controls: vec![controls[0]], valid_until: until, ..NewEvidence::default() };
    let evidence = app.add_evidence(m, new, Some(blob)).await.unwrap();
    app.link_evidence(m, evidence.id, controls[2]).await.unwrap();
    app.set_evidence_validity(m, evidence.id, None, NaiveDate::from_ymd_opt(2026, 1, 31)).await.unwrap();
    let change = crosswalk_app::controls::ControlChange { status: Some(ControlStatus::Implemented), ..Default::default() };
    app.change_control(m, controls[1], change).await.unwrap();
    app.link_control(m, controls[3], "nist-csf-2.0", "PR.AA-06").await.unwrap();
    app.set_evidence_validity(m, evidence.id, None, until).await.unwrap();

    let config = AppConfig { password_cost: PasswordCost::InsecureFastForTests, blob_dir: w._blobs.0.clone(), ..AppConfig::default() };
    let fresh = App::new(w._db.store.clone(), w.clock.clone(), crosswalk_journal::generate_signing_key(), config);
    let op = fresh.operator("acme").await.unwrap();
    for framework in ["iso27001-2022", "nist-csf-2.0"] {
        let (patched, reloaded) = (app.readiness(m, framework).await.unwrap(), fresh.readiness(&op, framework).await.unwrap());
        assert_eq!(patched.summary, reloaded.summary, "{framework}");
        let states = |r: &crosswalk_app::readiness::ReadinessReport| {
            r.requirements.iter().map(|x| (x.reference.clone(), x.state, x.basis)).collect::<Vec<_>>()
        };
        assert_eq!(states(&patched), states(&reloaded), "{framework}");
    }
    let iso = app.readiness(m, "iso27001-2022").await.unwrap();
    assert_eq!(row(&iso, "A.8.7").state, Readiness::Proven, "both A.8.7 controls have the valid evidence now");
    assert_eq!(row(&iso, "A.8.8").state, Readiness::Partial, "Patching is implemented but has no evidence of its own");
}

/// A reader that yields `0` more bytes and then fails, like a client that goes away mid-upload.
struct Broken(usize);

impl tokio::io::AsyncRead for Broken {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        if self.0 == 0 {
            return std::task::Poll::Ready(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "client went away")));
        }
        let n = self.0.min(buf.remaining());
        buf.put_slice(&vec![b'x'; n]);
        self.0 -= n;
        std::task::Poll::Ready(Ok(()))
    }
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().flat_map(|e| if e.path().is_dir() { files_under(&e.path()) } else { vec![e.path()] }).collect()
}

#[tokio::test]
async fn an_interrupted_upload_leaves_no_blob_no_record_and_no_journal_entry() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    let head = app.journal_head(m).await.unwrap();
    let err = app.store_blob(m, Broken(300_000)).await.unwrap_err();
    assert!(err.to_string().contains("upload interrupted"), "{err}");
    assert!(files_under(&w._blobs.0).is_empty(), "{:?}", files_under(&w._blobs.0));

    // The request dropped mid-stream (the future is cancelled while waiting for more bytes).
    let (mut writer, reader) = tokio::io::duplex(1 << 16);
    tokio::io::AsyncWriteExt::write_all(&mut writer, &[7u8; 10_000]).await.unwrap();
    let cancelled = tokio::time::timeout(std::time::Duration::from_millis(200), app.store_blob(m, reader)).await;
    assert!(cancelled.is_err(), "still waiting for bytes when dropped");
    assert!(files_under(&w._blobs.0).is_empty(), "{:?}", files_under(&w._blobs.0));
    drop(writer);

    assert!(app.search_evidence(m, None, None).await.unwrap().is_empty());
    assert_eq!(app.journal_head(m).await.unwrap(), head, "nothing journaled");
}

/// Listing more evidence than fits one `IN (…)` list (the store reads ids in chunks, and all of a
/// tenant's links at once for a long list): every item keeps exactly the controls it serves.
#[tokio::test]
async fn evidence_lists_longer_than_one_query_batch_keep_their_controls() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    let mut ids = Vec::new();
    for name in ["Logging", "Monitoring"] {
        let new = NewControl { name: name.into(), description: String::new(), status: ControlStatus::Implemented, justification: None };
        ids.push(app.create_control(m, new).await.unwrap().id);
    }
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
    // Bulk rows straight through the store, journaled by one entry: this test is about reading them back.
    let tx = w._db.store.begin_write().await.unwrap();
    for i in 0..1_500u32 {
        let e = crosswalk_store::repo::evidence::insert_evidence(
            &tx,
            crosswalk_store::repo::evidence::Evidence {
                id: uuid::Uuid::now_v7(),
                tenant_id: m.tenant().0,
                name: format!("log export {i:04}"),
                sha256: None,
                size: 0,
                link: Some(format!("https://logs.example/{i}")),
                collected_at: now + chrono::Duration::seconds(i64::from(i)),
                effective_from: None,
                valid_until: None,
                created_at: now,
            },
        )
        .await
        .unwrap();
        crosswalk_store::repo::evidence::link_evidence(&tx, m.tenant().0, e.id, ids[0]).await.unwrap();
        if i >= 1_490 {
            crosswalk_store::repo::evidence::link_evidence(&tx, m.tenant().0, e.id, ids[1]).await.unwrap();
        }
    }
    let draft = crosswalk_store::journal::Draft::new("test", "evidence.bulk", "evidence", "1500", serde_json::json!({}), now);
    crosswalk_store::journal::append(&tx, m.tenant().0, draft, &w._db.mac_key()).await.unwrap();
    tx.commit().await.unwrap();

    let all = app.search_evidence(m, None, None).await.unwrap();
    assert_eq!(all.len(), 1_500);
    assert_eq!(all[0].name, "log export 1499", "newest first");
    assert!(all.iter().all(|e| e.controls.contains(&ids[0])));
    assert_eq!(all.iter().filter(|e| e.controls.len() == 2).count(), 10);
    let some = app.search_evidence(m, Some("export 00"), Some(50)).await.unwrap();
    assert_eq!(some.len(), 50);
    assert!(some.iter().all(|e| e.name.starts_with("log export 00") && e.controls == vec![ids[0]]));
    assert_eq!(app.control(m, ids[0]).await.unwrap().evidence.len(), 1_500, "one control's evidence, read in chunks");
    assert_eq!(app.control(m, ids[1]).await.unwrap().evidence.len(), 10);
}

/// Issue 15, item 6: after a change, many requests waiting for the dashboard cost one
/// recomputation, not one each (single flight): 20 concurrent requests issue about as many database
/// statements as one request does.
#[tokio::test]
async fn concurrent_dashboard_requests_after_a_change_compute_it_once() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (db, _app, _clock) = demo().await;
    let counter = std::sync::Arc::new(AtomicUsize::new(0));
    let mut store = db.store.clone();
    let seen = counter.clone();
    store.on_query(move |_| {
        seen.fetch_add(1, Ordering::Relaxed);
    });
    let config = AppConfig { password_cost: PasswordCost::InsecureFastForTests, ..AppConfig::default() };
    let app = App::new(store, Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap())), db.key.clone(), config);
    let op = app.operator("acme-demo").await.unwrap();
    // One request, cold: the cost of one computation.
    counter.store(0, Ordering::Relaxed);
    app.posture(&op).await.unwrap();
    let one = counter.load(Ordering::Relaxed);
    // A change, then 20 requests at once.
    let control = app.list_controls(&op).await.unwrap()[0].id;
    app.change_control(&op, control, crosswalk_app::controls::ControlChange { description: Some("changed".into()), ..Default::default() })
        .await
        .unwrap();
    counter.store(0, Ordering::Relaxed);
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (app, op) = (app.clone(), op.clone());
        requests.spawn(async move { app.posture(&op).await.map(|_| ()) });
    }
    while let Some(done) = requests.join_next().await {
        done.unwrap().unwrap();
    }
    let twenty = counter.load(Ordering::Relaxed);
    assert!(twenty < one * 3, "20 concurrent requests ran {twenty} statements; one request runs {one}");
}
