//! One organisation ("acme", a manager and a viewer, ISO 27001 and CSF followed) on a fresh database,
//! the demo organisation, and small helpers shared by the crosswalk and catalog-scoping stories.
use chrono::{TimeZone, Utc};
use crosswalk_app::users::NewMember;
use crosswalk_app::{Actor, App, AppConfig, FixedClock, PasswordCost};
use crosswalk_domain::Role;
use crosswalk_store::testing::TestDb;
use std::sync::Arc;

pub struct World {
    pub _db: TestDb,
    pub _blobs: tempdir::Dir,
    pub app: App,
    pub manager: Actor,
    pub viewer: Actor,
    pub clock: Arc<FixedClock>,
}

pub mod tempdir {
    /// A directory removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            let path = std::env::temp_dir().join(format!("cw-blobs-{}", uuid::Uuid::now_v7()));
            std::fs::create_dir_all(&path).unwrap();
            Dir(path)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub async fn person(app: &App, op: &Actor, email: &str, role: Role) -> Actor {
    app.add_member(op, NewMember { email: email.into(), role, display_name: None, password: Some("a-long-enough-password".into()) })
        .await
        .unwrap();
    app.login(email, "a-long-enough-password", "127.0.0.1").await.unwrap().actor
}

pub async fn world() -> World {
    let db = TestDb::new().await;
    let blobs = tempdir::Dir::new();
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap()));
    let config = AppConfig { password_cost: PasswordCost::InsecureFastForTests, blob_dir: blobs.0.clone(), ..AppConfig::default() };
    let app = App::new(db.store.clone(), clock.clone(), db.key.clone(), config);
    app.create_tenant("acme", "Acme").await.unwrap();
    let op = app.operator("acme").await.unwrap();
    let manager = person(&app, &op, "manager@acme.example", Role::Manager).await;
    let viewer = person(&app, &op, "viewer@acme.example", Role::Viewer).await;
    for f in ["iso27001-2022", "nist-csf-2.0"] {
        app.follow_framework(&manager, f).await.unwrap();
    }
    World { _db: db, _blobs: blobs, app, manager, viewer, clock }
}

/// The demo organisation on a fresh database, at the fixed test time.
pub async fn demo() -> (TestDb, App, Arc<FixedClock>) {
    let db = TestDb::new().await;
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap()));
    let config = AppConfig { password_cost: PasswordCost::InsecureFastForTests, ..AppConfig::default() };
    let app = App::new(db.store.clone(), clock.clone(), db.key.clone(), config);
    app.ensure_demo().await.unwrap();
    (db, app, clock)
}

pub fn row<'a>(
    report: &'a crosswalk_app::readiness::ReadinessReport,
    reference: &str,
) -> &'a crosswalk_app::readiness::RequirementReadiness {
    report.requirements.iter().find(|r| r.reference == reference).unwrap()
}

/// The demo organisation with evidence files (`bodies`, one file each, the first with a validity
/// window set afterwards), optionally linked to the demo's first control; blobs in a temporary folder.
#[allow(dead_code)] // each test binary uses a different part of this module
pub async fn demo_with_files(bodies: &[&str], link_to_a_control: bool) -> (TestDb, tempdir::Dir, App, Actor) {
    let db = TestDb::new().await;
    let blobs = tempdir::Dir::new();
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap()));
    let config = AppConfig { password_cost: PasswordCost::InsecureFastForTests, blob_dir: blobs.0.clone(), ..AppConfig::default() };
    let app = App::new(db.store.clone(), clock, db.key.clone(), config);
    app.ensure_demo().await.unwrap();
    let op = app.operator(crosswalk_app::demo::DEMO_SLUG).await.unwrap();
    let controls: Vec<uuid::Uuid> =
        if link_to_a_control { app.list_controls(&op).await.unwrap().into_iter().take(1).map(|c| c.id).collect() } else { Vec::new() };
    for (i, body) in bodies.iter().enumerate() {
        let blob = app.store_blob(&op, body.as_bytes()).await.unwrap();
        let new = crosswalk_app::evidence::NewEvidence {
            name: format!("file {i}.txt"),
            link: None,
            controls: controls.clone(),
            effective_from: None,
            valid_until: None,
        };
        let e = app.add_evidence(&op, new, Some(blob)).await.unwrap();
        // Every write path records its rows: a validity change too.
        if i == 0 {
            app.set_evidence_validity(&op, e.id, None, chrono::NaiveDate::from_ymd_opt(2027, 6, 30)).await.unwrap();
        }
    }
    (db, blobs, app, op)
}
