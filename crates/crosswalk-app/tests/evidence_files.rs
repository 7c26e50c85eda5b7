//! Evidence files and links under bad input (issue 11, item 6): a refused upload leaves no file, an
//! empty file is refused, links are http(s) only, and blob upkeep removes crash leftovers and files
//! no evidence refers to — never a file some evidence (of any organisation) uses.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
use chrono::{NaiveDate, TimeZone, Utc};
use crosswalk_app::controls::{ControlStatus, NewControl};
use crosswalk_app::evidence::NewEvidence;
use crosswalk_app::users::NewMember;
use crosswalk_app::{Actor, App, AppConfig, AppError, FixedClock, PasswordCost};
use crosswalk_domain::Role;
use crosswalk_store::testing::TestDb;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

struct World {
    _db: TestDb,
    blobs: PathBuf,
    app: App,
    manager: Actor,
    viewer: Actor,
    other: Actor,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.blobs);
    }
}

async fn person(app: &App, tenant: &str, email: &str, role: Role) -> Actor {
    let op = app.operator(tenant).await.unwrap();
    app.add_member(&op, NewMember { email: email.into(), role, display_name: None, password: Some("a-long-enough-password".into()) })
        .await
        .unwrap();
    app.login(email, "a-long-enough-password", "127.0.0.1").await.unwrap().actor
}

async fn world() -> World {
    let db = TestDb::new().await;
    let blobs = std::env::temp_dir().join(format!("cw-evidence-files-{}", uuid::Uuid::now_v7()));
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap()));
    let config = AppConfig { password_cost: PasswordCost::InsecureFastForTests, blob_dir: blobs.clone(), ..AppConfig::default() };
    let app = App::new(db.store.clone(), clock, db.key.clone(), config);
    app.create_tenant("acme", "Acme").await.unwrap();
    app.create_tenant("other", "Other").await.unwrap();
    let manager = person(&app, "acme", "manager@acme.example", Role::Manager).await;
    let viewer = person(&app, "acme", "viewer@acme.example", Role::Viewer).await;
    let other = person(&app, "other", "manager@other.example", Role::Manager).await;
    World { _db: db, blobs, app, manager, viewer, other }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().flat_map(|e| if e.path().is_dir() { files_under(&e.path()) } else { vec![e.path()] }).collect()
}

fn named(name: &str) -> NewEvidence {
    NewEvidence { name: name.into(), ..Default::default() }
}

/// Ages a file past the upkeep's grace period, as if a crash had left it an hour ago.
fn age(path: &Path) {
    let old = SystemTime::now() - crosswalk_app::blobs::GRACE - Duration::from_secs(60);
    std::fs::File::options().write(true).open(path).unwrap().set_modified(old).unwrap();
}

#[tokio::test]
async fn a_refused_upload_leaves_no_file_behind() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    let head = app.journal_head(m).await.unwrap();
    let unknown_control = uuid::Uuid::now_v7();
    let bad_dates = NewEvidence {
        effective_from: NaiveDate::from_ymd_opt(2026, 6, 1),
        valid_until: NaiveDate::from_ymd_opt(2026, 1, 1),
        ..named("report.pdf")
    };
    let cases = [
        (named("   "), "name"),
        (NewEvidence { controls: vec![unknown_control], ..named("report.pdf") }, "controls"),
        (bad_dates, "valid_until"),
    ];
    for (i, (new, field)) in cases.into_iter().enumerate() {
        // The checks front ends make before streaming refuse it…
        let err = app.check_new_evidence(m, &new).await.unwrap_err();
        assert!(matches!(&err, AppError::Invalid(v) if v.field == field), "{field}: {err}");
        // …and a caller that streamed first has the file removed again.
        let blob = app.store_blob(m, format!("content {i}").as_bytes()).await.unwrap();
        let err = app.add_evidence(m, new, Some(blob)).await.unwrap_err();
        assert!(matches!(&err, AppError::Invalid(v) if v.field == field), "{field}: {err}");
        assert!(files_under(&w.blobs).is_empty(), "{field}: {:?}", files_under(&w.blobs));
    }
    // A viewer is refused by role, and the file goes too.
    assert!(matches!(app.store_blob(&w.viewer, &b"viewer's file"[..]).await, Err(AppError::Forbidden(_))), "refused before a byte is read");
    assert!(files_under(&w.blobs).is_empty());
    assert!(app.search_evidence(m, None, None).await.unwrap().is_empty());
    assert_eq!(app.journal_head(m).await.unwrap(), head, "nothing journaled");
}

#[tokio::test]
async fn a_refused_upload_never_removes_a_file_other_evidence_shares() {
    let w = world().await;
    let app = &w.app;
    // Another organisation already holds these bytes as evidence.
    let kept = app.store_blob(&w.other, &b"shared bytes"[..]).await.unwrap();
    app.add_evidence(&w.other, named("theirs.txt"), Some(kept.clone())).await.unwrap();
    // The same bytes uploaded here, refused for an unknown control.
    let again = app.store_blob(&w.manager, &b"shared bytes"[..]).await.unwrap();
    let bad = NewEvidence { controls: vec![uuid::Uuid::now_v7()], ..named("mine.txt") };
    assert!(app.add_evidence(&w.manager, bad, Some(again)).await.is_err());
    assert_eq!(files_under(&w.blobs).len(), 1, "the shared file stays");
    let (_, mut file) = app.evidence_file(&w.other, app.search_evidence(&w.other, None, None).await.unwrap()[0].id).await.unwrap();
    let mut content = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut file, &mut content).await.unwrap();
    assert_eq!(content, "shared bytes");
}

#[tokio::test]
async fn an_empty_file_is_refused_and_nothing_is_stored() {
    let w = world().await;
    let err = w.app.store_blob(&w.manager, &b""[..]).await.unwrap_err();
    assert!(matches!(&err, AppError::Invalid(v) if v.field == "file" && v.message.contains("empty")), "{err}");
    assert!(files_under(&w.blobs).is_empty(), "{:?}", files_under(&w.blobs));
    assert!(w.app.search_evidence(&w.manager, None, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn evidence_links_are_http_or_https_only() {
    let w = world().await;
    let (app, m) = (&w.app, &w.manager);
    let head = app.journal_head(m).await.unwrap();
    for bad in [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "ftp://files.example/report.pdf",
        "//evil.example/x",
        "tickets.example/42",
        "https://",
    ] {
        let err = app.add_evidence(m, NewEvidence { link: Some(bad.into()), ..named("link") }, None).await.unwrap_err();
        assert!(matches!(&err, AppError::Invalid(v) if v.field == "link"), "{bad}: {err}");
    }
    assert_eq!(app.journal_head(m).await.unwrap(), head, "nothing journaled");
    for good in ["https://tickets.example/SCAN-1", "http://intranet.example/review?id=3"] {
        let e = app.add_evidence(m, NewEvidence { link: Some(good.into()), ..named("link") }, None).await.unwrap();
        assert_eq!(e.link.as_deref(), Some(good));
    }
    let long = format!("https://x.example/{}", "a".repeat(2000));
    assert!(app.add_evidence(m, NewEvidence { link: Some(long), ..named("link") }, None).await.is_err());
}

#[tokio::test]
async fn start_up_removes_temp_files_a_crash_left_but_not_an_upload_in_flight() {
    let w = world().await;
    std::fs::create_dir_all(&w.blobs).unwrap();
    let crashed = w.blobs.join(".upload-0193a1b2-dead");
    let in_flight = w.blobs.join(".upload-0193a1b2-live");
    std::fs::write(&crashed, b"half a file").unwrap();
    std::fs::write(&in_flight, b"being written").unwrap();
    age(&crashed);
    let removed = w.app.startup_cleanup().await.unwrap();
    assert_eq!(removed, [".upload-0193a1b2-dead"]);
    assert!(!crashed.exists());
    assert!(in_flight.exists(), "a temp file younger than the grace period may belong to a running upload");
}

#[tokio::test]
async fn gc_removes_only_old_files_no_evidence_refers_to_and_a_dry_run_removes_nothing() {
    let w = world().await;
    let app = &w.app;
    let control = app
        .create_control(
            &w.manager,
            NewControl { name: "Backups".into(), description: String::new(), status: ControlStatus::Implemented, justification: None },
        )
        .await
        .unwrap();
    let used = app.store_blob(&w.manager, &b"used by acme"[..]).await.unwrap();
    app.add_evidence(&w.manager, NewEvidence { controls: vec![control.id], ..named("used.txt") }, Some(used.clone())).await.unwrap();
    let theirs = app.store_blob(&w.other, &b"used by other"[..]).await.unwrap();
    app.add_evidence(&w.other, named("theirs.txt"), Some(theirs.clone())).await.unwrap();
    // Orphans as a crash between streaming and recording would leave them (written straight to the store).
    let orphan = app.store_blob(&w.manager, &b"orphan"[..]).await.unwrap();
    let fresh = app.store_blob(&w.manager, &b"fresh orphan"[..]).await.unwrap();
    let path = |sha: &str| w.blobs.join(&sha[..2]).join(sha);
    for f in files_under(&w.blobs) {
        if f != path(&fresh.sha256) {
            age(&f);
        }
    }
    let temp = w.blobs.join(".upload-crashed");
    std::fs::write(&temp, b"x").unwrap();
    age(&temp);

    let dry = app.gc_blobs(true).await.unwrap();
    assert!(dry.dry_run);
    assert_eq!(dry.removed.iter().map(|b| b.sha256.as_str()).collect::<Vec<_>>(), [orphan.sha256.as_str()]);
    assert_eq!(dry.temp_files, [".upload-crashed"]);
    assert_eq!(files_under(&w.blobs).len(), 5, "a dry run removes nothing");

    let report = app.gc_blobs(false).await.unwrap();
    assert_eq!(report.removed.len(), 1);
    assert_eq!(report.removed[0].size, 6);
    assert_eq!(report.kept, 3, "acme's, other's and the fresh file");
    assert!(!path(&orphan.sha256).exists());
    assert!(!temp.exists());
    for kept in [&used, &theirs, &fresh] {
        assert!(path(&kept.sha256).exists());
    }
    // Deep verification still finds every evidence file it journaled.
    let op = app.operator("acme").await.unwrap();
    assert!(app.verify_journal(&op, false).await.unwrap().ok);
}
