//! Two server instances on one PostgreSQL database (issue 15, item 3): a change through one is seen
//! by the other on its next request, whatever either has cached, and the scheduler's jobs are done
//! exactly once however the instances race for them. The journal does not fork.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use chrono::{TimeZone, Utc};
use crosswalk_app::controls::NewControl;
use crosswalk_app::suppliers::NewSupplier;
use crosswalk_app::{App, AppConfig, FixedClock, PasswordCost};
use crosswalk_domain::readiness::ControlStatus;
use crosswalk_store::Store;
use crosswalk_store::testing::TestDb;
use std::sync::Arc;
use support::world::tempdir;

#[tokio::test]
async fn two_instances_share_state_and_claim_each_job_once() {
    let db = TestDb::postgres_always().await;
    let blobs = tempdir::Dir::new();
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()));
    let config = || AppConfig { password_cost: PasswordCost::InsecureFastForTests, blob_dir: blobs.0.clone(), ..AppConfig::default() };
    let a = App::new(db.store.clone(), clock.clone(), db.key.clone(), config());
    let b = App::new(Store::connect(&db.url).await.unwrap(), clock.clone(), db.key.clone(), config());

    a.create_tenant("acme", "Acme Ltd").await.unwrap();
    let op_a = a.operator("acme").await.unwrap();
    let op_b = b.operator("acme").await.unwrap();
    a.follow_framework(&op_a, "iso27001-2022").await.unwrap();

    // B computes (and caches) readiness; a change through A is what B reports next.
    let proven = |r: &crosswalk_app::readiness::ReadinessReport| r.requirements.iter().find(|x| x.reference == "A.8.13").unwrap().state;
    let before = b.readiness(&op_b, "iso27001-2022").await.unwrap();
    let control = a
        .create_control(
            &op_a,
            NewControl { name: "Backups".into(), description: String::new(), status: ControlStatus::Implemented, justification: None },
        )
        .await
        .unwrap();
    a.link_control(&op_a, control.id, "iso27001-2022", "A.8.13").await.unwrap();
    let after = b.readiness(&op_b, "iso27001-2022").await.unwrap();
    assert_ne!(proven(&before), proven(&after), "B still serves what it cached before A's change");

    // 60 supplier reviews overdue: 60 reminders due now, raced for by both instances.
    for i in 0..60 {
        a.create_supplier(
            &op_a,
            NewSupplier {
                name: format!("Supplier {i}"),
                services: String::new(),
                criticality: crosswalk_domain::suppliers::Criticality::High,
                contact: String::new(),
                clauses: vec![],
                next_review_on: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()),
            },
        )
        .await
        .unwrap();
    }
    let mut done = 0;
    loop {
        let (x, y) = tokio::join!(a.run_due_jobs(7), b.run_due_jobs(7));
        let (x, y) = (x.unwrap(), y.unwrap());
        done += x + y;
        if x == 0 && y == 0 {
            break;
        }
    }
    assert_eq!(done, 60, "each job done once");
    assert_eq!(a.notifications(&op_a, 200).await.unwrap().len(), 60);
    let sent = a.journal_entries(&op_a, None, 500).await.unwrap().into_iter().filter(|e| e.action == "reminder.sent").count();
    assert_eq!(sent, 60);
    // One chain, verified from either instance, with the same head.
    let (va, vb) = (a.verify_journal_with(&op_a, false, true).await.unwrap(), b.verify_journal_with(&op_b, false, true).await.unwrap());
    assert!(va.ok && vb.ok, "{:?} {:?}", va.problem, vb.problem);
    assert_eq!((va.head_seq, &va.head_hash), (vb.head_seq, &vb.head_hash));
    b.close().await.unwrap();
}
