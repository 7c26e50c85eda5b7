//! The incident register on a real database: clocks from the facts, overdue steps, submissions
//! (late ones flagged), later deadlines following actual submissions, roles, tenants, journal.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
use chrono::{Duration, TimeZone, Utc};
use crosswalk_app::incidents::{NewIncident, NewSubmission};
use crosswalk_app::users::NewMember;
use crosswalk_app::{App, AppConfig, AppError, FixedClock, PasswordCost};
use crosswalk_domain::Role;
use crosswalk_store::testing::TestDb;
use std::sync::Arc;

async fn setup() -> (TestDb, App, Arc<FixedClock>) {
    let db = TestDb::new().await;
    // 2026-11-27 03:00 Europe/Berlin
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap()));
    let app = App::new(
        db.store.clone(),
        clock.clone(),
        db.key.clone(),
        AppConfig { password_cost: PasswordCost::InsecureFastForTests, ..AppConfig::default() },
    );
    app.create_tenant("acme", "Acme").await.unwrap();
    (db, app, clock)
}

fn incident() -> NewIncident {
    NewIncident {
        title: "Ransomware".into(),
        description: String::new(),
        aware_at: "2026-11-27T02:13".into(),
        classified_at: None,
        tz: "Europe/Berlin".into(),
        regimes: vec![],
        entity_type: None,
        personal_data: true,
        cross_border: false,
        financial_entity: false,
        affected_services: String::new(),
        member_state: None,
        nis2_identified: None,
        dora_relief_withdrawn: false,
    }
}

#[tokio::test]
async fn a_significant_incident_with_personal_data_runs_three_clocks() {
    let (_db, app, clock) = setup().await;
    let op = app.operator("acme").await.unwrap();
    let i = app.create_incident(&op, incident()).await.unwrap();
    // Suggested regimes: NIS2 (significant incident) and GDPR (personal data).
    assert_eq!(i.regimes.iter().map(ToString::to_string).collect::<Vec<_>>(), ["NIS2", "GDPR"]);
    let due = |id: &str| i.clocks.iter().flat_map(|c| &c.steps).find(|s| s.step.id == id).unwrap().step.due.as_ref().unwrap().to_string();
    assert_eq!(due("nis2_early_warning"), "2026-11-28T02:13:00+01:00[Europe/Berlin]"); // Art 23(4)(a)
    assert_eq!(due("nis2_incident_notification"), "2026-11-30T02:13:00+01:00[Europe/Berlin]"); // Art 23(4)(b)
    assert_eq!(due("gdpr_sa_notification"), "2026-11-30T02:13:00+01:00[Europe/Berlin]"); // GDPR Art 33(1)
    assert_eq!(i.next_step.as_ref().unwrap().step.id, "nis2_early_warning");

    // A day later nothing was sent: the early warning is overdue.
    clock.advance(Duration::hours(25));
    let now = app.get_incident(&op, i.id).await.unwrap();
    let ew = now.clocks[0].steps.iter().find(|s| s.step.id == "nis2_early_warning").unwrap();
    assert!(ew.overdue && ew.seconds_left.unwrap() < 0);
    assert!(!now.clocks[0].steps.iter().find(|s| s.step.id == "nis2_intermediate_report").unwrap().overdue, "on request only");

    // Record it (late), then the notification on time; the final report follows the real submission.
    let after = app
        .record_submission(
            &op,
            i.id,
            NewSubmission { step: "nis2_early_warning".into(), submitted_at: None, authority: "BSI".into(), reference: "EW-1".into() },
        )
        .await
        .unwrap();
    let ew = after.clocks[0].steps.iter().find(|s| s.step.id == "nis2_early_warning").unwrap();
    assert!(ew.submitted.as_ref().unwrap().late);
    assert_eq!(after.next_step.as_ref().unwrap().step.id, "nis2_incident_notification");
    let after = app
        .record_submission(
            &op,
            i.id,
            NewSubmission {
                step: "nis2_incident_notification".into(),
                submitted_at: Some("2026-11-29T10:00".into()),
                authority: "BSI".into(),
                reference: String::new(),
            },
        )
        .await
        .unwrap();
    let fin = after.clocks[0].steps.iter().find(|s| s.step.id == "nis2_final_report").unwrap();
    assert!(!fin.submitted.as_ref().is_some_and(|s| s.late));
    assert_eq!(fin.step.due.as_ref().unwrap().to_string(), "2026-12-29T10:00:00+01:00[Europe/Berlin]"); // Art 23(4)(d)
    assert!(!fin.step.provisional);
    let journal = app.journal_entries(&op, None, 3).await.unwrap();
    assert_eq!(journal.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["incident.submit", "incident.submit", "incident.create"]);
    // Recording the same step twice is a conflict; an unknown step names the field.
    let again = app
        .record_submission(
            &op,
            i.id,
            NewSubmission { step: "nis2_early_warning".into(), submitted_at: None, authority: "BSI".into(), reference: String::new() },
        )
        .await;
    assert!(matches!(again, Err(AppError::Conflict(_))));
    let bad = app
        .record_submission(
            &op,
            i.id,
            NewSubmission { step: "dora_final_report".into(), submitted_at: None, authority: "BSI".into(), reference: String::new() },
        )
        .await;
    assert!(matches!(bad, Err(AppError::Invalid(v)) if v.field == "step"));
}

#[tokio::test]
async fn bad_facts_name_the_field_and_roles_apply() {
    let (_db, app, _clock) = setup().await;
    let op = app.operator("acme").await.unwrap();
    for (edit, field) in [
        (Box::new(|i: &mut NewIncident| i.tz = "Mars/Olympus".into()) as Box<dyn Fn(&mut NewIncident)>, "tz"),
        (Box::new(|i: &mut NewIncident| i.aware_at = "soon".into()), "aware_at"),
        (Box::new(|i: &mut NewIncident| i.classified_at = Some("2026-11-27T01:00".into())), "classified_at"),
        (Box::new(|i: &mut NewIncident| i.regimes = vec!["sox".into()]), "regime"),
        (Box::new(|i: &mut NewIncident| i.title = " ".into()), "title"),
    ] {
        let mut new = incident();
        edit(&mut new);
        match app.create_incident(&op, new).await {
            Err(AppError::Invalid(v)) => assert_eq!(v.field, field),
            other => panic!("expected {field} to be named, got {other:?}"),
        }
    }
    assert!(app.list_incidents(&op).await.unwrap().is_empty(), "nothing half-written");
    app.add_member(
        &op,
        NewMember { email: "v@acme.example".into(), role: Role::Viewer, display_name: None, password: Some("viewer password 1".into()) },
    )
    .await
    .unwrap();
    let viewer = app.login("v@acme.example", "viewer password 1", "127.0.0.1").await.unwrap().actor;
    assert!(matches!(app.create_incident(&viewer, incident()).await, Err(AppError::Forbidden(_))));
    // Another tenant's incident is not found.
    let i = app.create_incident(&op, incident()).await.unwrap();
    app.create_tenant("globex", "Globex").await.unwrap();
    let other = app.operator("globex").await.unwrap();
    assert!(matches!(app.get_incident(&other, i.id).await, Err(AppError::NotFound(_))));
}

#[tokio::test]
async fn the_saved_scoping_decides_default_regimes_and_entity_type() {
    let (_db, app, _clock) = setup().await;
    let op = app.operator("acme").await.unwrap();
    assert!(app.nis2_profile(&op).await.unwrap().is_none());
    let tsp = crosswalk_domain::nis2::ScopeInput {
        entity_type: "trust_service_provider".into(),
        sector: None,
        subsector: None,
        employees: 8,
        turnover_eur: 1_000_000,
        balance_eur: 1_000_000,
        ..Default::default()
    };
    let p = app.save_nis2_profile(&op, tsp).await.unwrap();
    assert_eq!(format!("{:?}", p.result.classification), "Important");
    assert_eq!(app.journal_entries(&op, None, 1).await.unwrap()[0].action, "nis2.scope");
    // A trust service provider's incident notification is due within 24 hours (Art 23(4), 2nd subpara).
    let i = app.create_incident(&op, NewIncident { personal_data: false, ..incident() }).await.unwrap();
    assert_eq!(i.entity_type.as_deref(), Some("trust_service_provider"));
    let n = i.clocks[0].steps.iter().find(|s| s.step.id == "nis2_incident_notification").unwrap();
    assert_eq!(n.step.due.as_ref().unwrap().to_string(), "2026-11-28T02:13:00+01:00[Europe/Berlin]");
    // Scoped out of NIS2 and no personal data: no regime applies by default, and the person must choose.
    let bakery = crosswalk_domain::nis2::ScopeInput {
        entity_type: "food_business".into(),
        sector: None,
        subsector: None,
        employees: 5,
        turnover_eur: 100_000,
        balance_eur: 100_000,
        ..Default::default()
    };
    app.save_nis2_profile(&op, bakery).await.unwrap();
    let r = app.create_incident(&op, NewIncident { personal_data: false, ..incident() }).await;
    assert!(matches!(r, Err(AppError::Invalid(v)) if v.field == "regimes"));
    let gdpr_only = app.create_incident(&op, incident()).await.unwrap();
    assert_eq!(gdpr_only.regimes.iter().map(ToString::to_string).collect::<Vec<_>>(), ["GDPR"]);
}

#[tokio::test]
async fn moving_the_clock_after_a_submission_needs_a_reason_and_is_journaled() {
    let (_db, app, _clock) = setup().await;
    let op = app.operator("acme").await.unwrap();
    let i = app.create_incident(&op, NewIncident { financial_entity: true, ..incident() }).await.unwrap();
    // NIS2 Art 4(1), DORA Art 1(2): a financial entity runs DORA's clock instead of NIS2's; GDPR stays.
    assert_eq!(i.regimes.iter().map(ToString::to_string).collect::<Vec<_>>(), ["DORA", "GDPR"]);
    // Before any submission, a correction needs no reason.
    let i2 = app
        .change_incident(
            &op,
            i.id,
            crosswalk_app::incidents::IncidentChange { aware_at: Some("2026-11-27T01:13".into()), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(i2.clocks[0].steps[0].step.due.as_ref().unwrap().to_string(), "2026-11-28T01:13:00+01:00[Europe/Berlin]");
    app.record_submission(
        &op,
        i.id,
        NewSubmission { step: "dora_initial_notification".into(), submitted_at: None, authority: "BaFin".into(), reference: String::new() },
    )
    .await
    .unwrap();
    let without = crosswalk_app::incidents::IncidentChange { aware_at: Some("2026-11-27T00:13".into()), ..Default::default() };
    match app.change_incident(&op, i.id, without.clone()).await {
        Err(AppError::Invalid(v)) => assert_eq!(v.field, "reason"),
        other => panic!("expected the reason to be required, got {other:?}"),
    }
    let with = crosswalk_app::incidents::IncidentChange { reason: Some("SIEM alert found earlier".into()), ..without };
    app.change_incident(&op, i.id, with).await.unwrap();
    let e = &app.journal_entries(&op, None, 1).await.unwrap()[0];
    assert_eq!(e.action, "incident.change");
    assert_eq!(e.payload["reason"], "SIEM alert found earlier");
    // Art 23(3) assessment and closing.
    let assessed = app
        .change_incident(
            &op,
            i.id,
            crosswalk_app::incidents::IncidentChange {
                significance: Some("significant".into()),
                significance_reason: Some("(a) severe operational disruption".into()),
                status: Some("closed".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((assessed.significance.as_str(), assessed.status.as_str()), ("significant", "closed"));
    let bad = app
        .change_incident(&op, i.id, crosswalk_app::incidents::IncidentChange { significance: Some("huge".into()), ..Default::default() })
        .await;
    assert!(matches!(bad, Err(AppError::Invalid(v)) if v.field == "significance"));
}

#[tokio::test]
async fn reminders_fire_before_due_times_and_follow_submissions() {
    let (_db, app, clock) = setup().await;
    let op = app.operator("acme").await.unwrap();
    // Clock: 2026-11-27 02:00 UTC (03:00 Berlin); aware 02:13 Berlin = 01:13 UTC.
    let i = app.create_incident(&op, NewIncident { personal_data: false, ..incident() }).await.unwrap();
    // Early warning, notification and final report, each 6 h and 1 h ahead; conditional steps get none.
    assert_eq!(app.pending_reminders(&op, i.id).await.unwrap().len(), 6);
    assert_eq!(app.run_due_jobs(100).await.unwrap(), 0, "nothing is due yet");
    // 18 h later: the early warning (due 2026-11-28 01:13 UTC) is less than 6 h away.
    clock.advance(Duration::hours(18) + Duration::minutes(30));
    assert_eq!(app.run_due_jobs(100).await.unwrap(), 1);
    let n = app.notifications(&op, 10).await.unwrap();
    assert!(n[0].message.starts_with("Early warning for \"Ransomware\" is due in 6 h"), "{}", n[0].message);
    assert_eq!(n[0].link, format!("/incidents/{}", i.id));
    assert_eq!(app.journal_entries(&op, None, 1).await.unwrap()[0].action, "reminder.sent");
    // Submitting the early warning cancels its remaining reminder.
    app.record_submission(
        &op,
        i.id,
        NewSubmission { step: "nis2_early_warning".into(), submitted_at: None, authority: "BSI".into(), reference: String::new() },
    )
    .await
    .unwrap();
    clock.advance(Duration::hours(5));
    assert_eq!(app.run_due_jobs(100).await.unwrap(), 0, "no reminder for a submitted step");
    assert_eq!(app.pending_reminders(&op, i.id).await.unwrap().len(), 2 + 2, "notification and final report remain");
}

#[tokio::test]
async fn supplier_reviews_and_training_renewals_are_reminded() {
    let (_db, app, clock) = setup().await;
    let op = app.operator("acme").await.unwrap();
    // Clock: 2026-11-27. A review due in 20 days is reminded 14 days ahead; a lapsed one at once.
    let s = app
        .create_supplier(
            &op,
            crosswalk_app::suppliers::NewSupplier {
                name: "CloudCo".into(),
                services: String::new(),
                criticality: crosswalk_domain::suppliers::Criticality::High,
                contact: String::new(),
                clauses: vec![],
                next_review_on: Some("2026-12-17".parse().unwrap()),
            },
        )
        .await
        .unwrap();
    app.record_training(
        &op,
        crosswalk_app::management::NewTraining {
            member: "Carl CFO".into(),
            course: "NIS2".into(),
            completed_on: "2025-11-01".parse().unwrap(),
            valid_until: "2026-12-01".parse().unwrap(),
        },
    )
    .await
    .unwrap();
    assert_eq!(app.run_due_jobs(100).await.unwrap(), 1, "the training lapses within 30 days: reminded at once");
    assert!(app.notifications(&op, 5).await.unwrap()[0].message.contains("training of Carl CFO lapses on 2026-12-01"));
    clock.advance(Duration::days(6));
    assert_eq!(app.run_due_jobs(100).await.unwrap(), 0, "2026-12-03 02:00: the review reminder is due at 08:00");
    clock.advance(Duration::hours(7));
    assert_eq!(app.run_due_jobs(100).await.unwrap(), 1);
    let n = &app.notifications(&op, 5).await.unwrap()[0];
    assert!(n.message.starts_with("Supplier review of \"CloudCo\" is due on 2026-12-17"), "{}", n.message);
    assert_eq!(n.link, format!("/suppliers/{}", s.id));
}

/// The worked example of issue 14: an insurer (a DORA financial entity, no NIS2 type) in Germany; its final
/// report is due one month after the intermediate report, which lands on Saturday 14 November 2026 10:00.
/// Delegated Regulation (EU) 2025/301 Art 5(4) lets it submit by Monday noon, so Monday 11:00 is on time.
#[tokio::test]
async fn an_insurers_final_report_due_on_a_saturday_is_on_time_on_monday_morning() {
    let (_db, app, _clock) = setup().await;
    let op = app.operator("acme").await.unwrap();
    let new = NewIncident {
        aware_at: "2026-10-10T08:00".into(),
        classified_at: Some("2026-10-10T09:00".into()),
        regimes: vec!["dora".into()],
        personal_data: false,
        financial_entity: true,
        member_state: Some("de".into()),
        ..incident()
    };
    let i = app.create_incident(&op, new).await.unwrap();
    assert_eq!(i.member_state.as_deref(), Some("DE"));
    assert!(i.holiday_calendar.as_deref().unwrap_or_default().contains("regional holidays are not considered"));
    for (step, at) in [("dora_initial_notification", "2026-10-10T11:00"), ("dora_intermediate_report", "2026-10-14T10:00")] {
        app.record_submission(
            &op,
            i.id,
            NewSubmission { step: step.into(), submitted_at: Some(at.into()), authority: "BaFin".into(), reference: String::new() },
        )
        .await
        .unwrap();
    }
    let i = app.get_incident(&op, i.id).await.unwrap();
    let fin = i.clocks[0].steps.iter().find(|s| s.step.id == "dora_final_report").unwrap();
    assert_eq!(fin.step.due.as_ref().unwrap().to_string(), "2026-11-16T12:00:00+01:00[Europe/Berlin]");
    assert_eq!(fin.step.moved_from.as_ref().unwrap().to_string(), "2026-11-14T10:00:00+01:00[Europe/Berlin]");
    let i = app
        .record_submission(
            &op,
            i.id,
            NewSubmission {
                step: "dora_final_report".into(),
                submitted_at: Some("2026-11-16T11:00".into()),
                authority: "BaFin".into(),
                reference: String::new(),
            },
        )
        .await
        .unwrap();
    let fin = i.clocks[0].steps.iter().find(|s| s.step.id == "dora_final_report").unwrap();
    assert!(!fin.submitted.as_ref().unwrap().late, "due Monday 12:00 under Art 5(4), submitted 11:00");
    // Bad Member State: 422 naming the field.
    let bad = app.create_incident(&op, NewIncident { member_state: Some("XX".into()), ..incident() }).await;
    assert!(matches!(bad, Err(AppError::Invalid(v)) if v.field == "member_state"));
    // Correcting the Member State after submissions moves DORA limits: it needs a reason, and is journaled.
    let to_ie = crosswalk_app::incidents::IncidentChange { member_state: Some("IE".into()), ..Default::default() };
    let r = app.change_incident(&op, i.id, to_ie.clone()).await;
    assert!(matches!(r, Err(AppError::Invalid(v)) if v.field == "reason"));
    let r = app
        .change_incident(&op, i.id, crosswalk_app::incidents::IncidentChange { member_state: Some("ZZ".into()), ..Default::default() })
        .await;
    assert!(matches!(r, Err(AppError::Invalid(v)) if v.field == "member_state"));
    let i = app
        .change_incident(&op, i.id, crosswalk_app::incidents::IncidentChange { reason: Some("entity is the Irish branch".into()), ..to_ie })
        .await
        .unwrap();
    assert_eq!(i.member_state.as_deref(), Some("IE"));
    assert_eq!(app.journal_entries(&op, None, 1).await.unwrap()[0].payload["member_state"]["to"], "IE");
}

/// NIS2 Art 4(1) with DORA Art 1(2): a credit institution's saved scoping makes the register run DORA's clock
/// instead of NIS2's (GDPR stays), and refuses NIS2 when chosen by hand.
#[tokio::test]
async fn a_credit_institution_runs_dora_instead_of_nis2() {
    let (_db, app, _clock) = setup().await;
    let op = app.operator("acme").await.unwrap();
    let bank = crosswalk_domain::nis2::ScopeInput {
        entity_type: "credit_institution".into(),
        sector: None,
        subsector: None,
        employees: 1000,
        turnover_eur: 500_000_000,
        balance_eur: 900_000_000,
        ..Default::default()
    };
    let p = app.save_nis2_profile(&op, bank).await.unwrap();
    assert!(p.result.lex_specialis.is_some());
    let i = app.create_incident(&op, incident()).await.unwrap();
    assert_eq!(i.regimes.iter().map(ToString::to_string).collect::<Vec<_>>(), ["DORA", "GDPR"]);
    assert!(i.financial_entity && i.nis2_identified, "identified as essential under NIS2 Art 3: 2025/301 Art 5(5)");
    let json = serde_json::to_value(&i).unwrap();
    assert_eq!(json["regimes"], serde_json::json!(["dora", "gdpr"]));
    let r = app.create_incident(&op, NewIncident { regimes: vec!["nis2".into(), "dora".into()], ..incident() }).await;
    assert!(matches!(r, Err(AppError::Invalid(v)) if v.field == "regimes"));
}

/// Issue 14, item 6: the register proposes an incident's significance from its facts (CIR
/// 2024/2690 for a cloud provider), names the criteria met, keeps facts and proposal with the
/// incident, and a person confirms it (journaled); deciding against the proposal needs a reason.
#[tokio::test]
async fn the_register_proposes_significance_and_a_person_confirms_it() {
    use crosswalk_domain::significance::{IncidentFacts, Outcome};
    let (_db, app, _clock) = setup().await;
    let op = app.operator("acme").await.unwrap();
    let cloud = crosswalk_domain::nis2::ScopeInput {
        entity_type: "cloud_computing_service_provider".into(),
        employees: 300,
        turnover_eur: 80_000_000,
        balance_eur: 80_000_000,
        ..Default::default()
    };
    app.save_nis2_profile(&op, cloud).await.unwrap();
    let i = app.create_incident(&op, incident()).await.unwrap();
    let facts = IncidentFacts {
        financial_loss_eur: Some(0),
        annual_turnover_eur: Some(80_000_000),
        complete_unavailability_minutes: Some(45),
        ..IncidentFacts::default()
    };
    let proposal = app.propose_significance(&op, i.id, &facts).await.unwrap();
    assert_eq!(proposal.outcome, Outcome::Significant);
    assert_eq!(proposal.criteria_met[0].article, "CIR 2024/2690 Art 7(a)");
    // Nothing was saved by the preview.
    assert!(app.get_incident(&op, i.id).await.unwrap().significance_proposal.is_none());
    let kept = app
        .change_incident(&op, i.id, crosswalk_app::incidents::IncidentChange { facts: Some(facts), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(kept.significance_proposal.as_ref().unwrap().proposal.outcome, Outcome::Significant);
    assert_eq!(kept.significance, "", "a proposal is not a decision");
    // Deciding against the proposal needs a reason …
    let err = app
        .change_incident(
            &op,
            i.id,
            crosswalk_app::incidents::IncidentChange { significance: Some("not_significant".into()), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert!(matches!(&err, AppError::Invalid(v) if v.field == "significance_reason"), "{err}");
    // … confirming it does not, and the journal keeps the criteria.
    let confirmed = app
        .change_incident(
            &op,
            i.id,
            crosswalk_app::incidents::IncidentChange { significance: Some("significant".into()), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(confirmed.significance, "significant");
    let entry = &app.journal_entries(&op, None, 1).await.unwrap()[0];
    assert_eq!(entry.action, "incident.change");
    assert_eq!(entry.payload["significance_proposal"]["criteria_met"][0]["article"], "CIR 2024/2690 Art 7(a)");
    // Another incident of the same organisation, facts saying nothing crossed a threshold.
    let j = app.create_incident(&op, incident()).await.unwrap();
    let quiet = IncidentFacts { financial_loss_eur: Some(1_000), annual_turnover_eur: Some(80_000_000), ..IncidentFacts::default() };
    assert_eq!(app.propose_significance(&op, j.id, &quiet).await.unwrap().outcome, Outcome::NotSignificant);
}

/// Issue 14, item 6: a credit institution's incident (DORA Art 19 instead of NIS2 Art 23) is
/// classified by Delegated Regulation (EU) 2024/1772: critical services affected and two thresholds
/// met make it major; without the DORA facts the request names `facts.dora`.
#[tokio::test]
async fn a_dora_incident_is_classified_by_the_2024_1772_thresholds() {
    use crosswalk_domain::significance::{DoraFacts, IncidentFacts, Outcome};
    let (_db, app, _clock) = setup().await;
    let op = app.operator("acme").await.unwrap();
    let bank = crosswalk_domain::nis2::ScopeInput {
        entity_type: "credit_institution".into(),
        employees: 1000,
        turnover_eur: 500_000_000,
        balance_eur: 900_000_000,
        ..Default::default()
    };
    app.save_nis2_profile(&op, bank).await.unwrap();
    let i = app.create_incident(&op, incident()).await.unwrap();
    let err = app.propose_significance(&op, i.id, &IncidentFacts::default()).await.unwrap_err();
    assert!(matches!(&err, AppError::Invalid(v) if v.field == "facts.dora"), "{err}");
    let facts = IncidentFacts {
        dora: Some(DoraFacts {
            critical_services_affected: true,
            clients_affected: Some(150_000),
            critical_function_downtime_minutes: Some(180),
            ..DoraFacts::default()
        }),
        ..IncidentFacts::default()
    };
    let p = app.propose_significance(&op, i.id, &facts).await.unwrap();
    assert_eq!(p.outcome, Outcome::Significant, "{p:?}");
    assert!(p.basis.contains("2024/1772"));
    assert!(
        p.criteria_met.iter().any(|c| c.article.ends_with("Art 9(1)")) && p.criteria_met.iter().any(|c| c.article.ends_with("Art 9(3)"))
    );
}

/// Issue 14, item 6: the NIS2 registration record (Art 3(4), Art 27(2)): saved and journaled; a
/// change starts the two-week clock (three months too for Art 27 types) with a reminder; recording
/// the report clears the reminder; saving the same content changes nothing.
#[tokio::test]
async fn the_registration_record_keeps_its_reporting_clock() {
    use crosswalk_domain::nis2::registration::RegistrationInput;
    let (_db, app, clock) = setup().await;
    let op = app.operator("acme").await.unwrap();
    let cloud = crosswalk_domain::nis2::ScopeInput {
        entity_type: "cloud_computing_service_provider".into(),
        employees: 300,
        turnover_eur: 80_000_000,
        balance_eur: 80_000_000,
        ..Default::default()
    };
    app.save_nis2_profile(&op, cloud).await.unwrap();
    let record = RegistrationInput {
        name: "Acme Cloud".into(),
        address: "Hauptstr. 1, Berlin".into(),
        emails: vec!["csirt@acme.example".into()],
        phones: vec!["+49 30 1234567".into()],
        ip_ranges: vec!["192.0.2.0/24".into()],
        member_states: vec!["DE".into(), "AT".into()],
        ..Default::default()
    };
    let v = app.save_nis2_registration(&op, record.clone()).await.unwrap();
    assert_eq!(v.changed_on.to_string(), "2026-11-27");
    let dates: Vec<String> = v.report_by.iter().map(|d| d.by.to_string()).collect();
    assert_eq!(dates, ["2026-12-11", "2027-02-27"], "two weeks (Art 3(4)) and three months (Art 27(3))");
    assert_eq!(app.journal_entries(&op, None, 1).await.unwrap()[0].action, "nis2.registration");
    let tenant = op.tenant().0;
    assert_eq!(app.pending_reminders_of(&op, tenant).await.unwrap().len(), 1, "a reminder before the two weeks end");
    let head = app.journal_head(&op).await.unwrap();
    app.save_nis2_registration(&op, record.clone()).await.unwrap();
    assert_eq!(app.journal_head(&op).await.unwrap(), head, "the same content again changes nothing");
    // Overdue once the two weeks passed without a report.
    clock.advance(chrono::Duration::days(15));
    assert!(app.nis2_registration(&op).await.unwrap().unwrap().overdue);
    let err = app.nis2_registration_reported(&op, "2026-11-01".parse().unwrap()).await.unwrap_err();
    assert!(matches!(&err, AppError::Invalid(v) if v.field == "reported_on"), "{err}");
    let reported = app.nis2_registration_reported(&op, "2026-12-10".parse().unwrap()).await.unwrap();
    assert!(!reported.overdue && reported.reported_on.is_some());
    assert!(app.pending_reminders_of(&op, tenant).await.unwrap().is_empty());
    let bad = RegistrationInput { ip_ranges: vec!["10.0.0.0/40".into()], ..record.clone() };
    let err = app.save_nis2_registration(&op, bad).await.unwrap_err();
    assert!(matches!(&err, AppError::Invalid(v) if v.field == "ip_ranges[0]"), "{err}");
    // The limits run from the day the facts changed, not the day they were saved (Art 3(4)): a
    // change of 1 December saved on 12 December was due by 15 December.
    let late =
        RegistrationInput { address: "Neue Str. 2, Berlin".into(), changed_on: Some("2026-12-01".parse().unwrap()), ..record.clone() };
    let v = app.save_nis2_registration(&op, late).await.unwrap();
    assert_eq!(v.report_by[0].by.to_string(), "2026-12-15");
    let future = RegistrationInput { address: "Later".into(), changed_on: Some("2027-06-01".parse().unwrap()), ..record };
    let err = app.save_nis2_registration(&op, future).await.unwrap_err();
    assert!(matches!(&err, AppError::Invalid(v) if v.field == "changed_on"), "{err}");
}
