//! The tamper suite (issue 12): someone with write access to the database or the blob directory, but
//! not the installation's key, changes records behind Crosswalk's back. For every journaled table the
//! demo organisation has rows in, a changed column, a deleted row and (for controls) an inserted row
//! are each found and named by deep verification; so are swapped, truncated and removed evidence
//! files. Runs on SQLite and, with CROSSWALK_TEST_DATABASE_URL, on PostgreSQL.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use crosswalk_app::journal::VerifyReport;
use crosswalk_app::{Actor, App, AppConfig, FixedClock, PasswordCost};
use crosswalk_store::records::journaled_tables;
use crosswalk_store::testing::TestDb;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, Value};
use std::sync::Arc;

async fn demo_with_files() -> (TestDb, support::world::tempdir::Dir, App, Actor) {
    support::world::demo_with_files(&["policy v1", "scan report", "training log"], false).await
}

fn named(r: &VerifyReport, kind: &str, table: &str, id: &str) -> bool {
    r.record_problems.iter().any(|p| p.kind == kind && p.table == table && p.id == id)
}

/// A value of the column's type that differs from anything the demo writes.
fn other_value(kind: &str) -> Value {
    match kind {
        "Uuid" => Value::from(uuid::Uuid::now_v7()),
        "Int64" | "Int32" | "Int16" => Value::from(4242i32),
        "Timestamp" => Value::from(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2001, 1, 1, 0, 0, 0).unwrap()),
        "Date" => Value::from(chrono::NaiveDate::from_ymd_opt(2001, 1, 1).unwrap()),
        _ => Value::from("tampered behind Crosswalk's back"),
    }
}

#[tokio::test]
async fn every_direct_change_to_a_journaled_table_or_an_evidence_file_is_found_and_named() {
    let (db, blobs, app, op) = demo_with_files().await;
    let clean = app.verify_journal_with(&op, false, true).await.unwrap();
    assert!(clean.ok, "a database written only through Crosswalk verifies deeply: {:?}", clean.record_problems);
    assert!(clean.records_checked > 20 && clean.files_checked == 3, "{clean:?}");
    let installation = app.verify_installation_journal(false, true).await.unwrap();
    assert!(installation.ok, "the installation chain verifies deeply: {:?} {:?}", installation.problem, installation.record_problems);

    let raw = db.raw();
    let backend = raw.get_database_backend();
    let live = crosswalk_store::journal::live_records(raw, op.tenant().0).await.unwrap().0;
    let mut edited = Vec::new();
    for spec in journaled_tables() {
        let Some(((_, key), _)) = live.iter().find(|((t, _), _)| t == spec.name) else { continue };
        // Change one column of one row (the first the database's constraints let us change).
        for (col, kind) in spec.value_columns().into_iter().filter(|(c, _)| *c != "tenant_id") {
            let mut q = Query::update();
            let value: sea_orm::sea_query::SimpleExpr =
                if kind == "Bool" { sea_orm::sea_query::Expr::col(Alias::new(col)).not() } else { other_value(&kind).into() };
            q.table(Alias::new(spec.name)).value(Alias::new(col), value).cond_where(spec.exact_key_filter(key));
            if raw.execute(backend.build(&q)).await.is_ok_and(|r| r.rows_affected() == 1) {
                edited.push((spec.name, key.clone()));
                break;
            }
        }
    }
    assert!(edited.len() >= 12, "the demo touches most tables: {edited:?}");
    // Delete one (other) row of each table that has two.
    let mut deleted = Vec::new();
    for spec in journaled_tables() {
        let Some(((_, key), _)) = live.iter().filter(|((t, _), _)| t == spec.name).nth(1) else { continue };
        let mut q = Query::delete();
        q.from_table(Alias::new(spec.name)).cond_where(spec.exact_key_filter(key));
        // Foreign keys may refuse some deletes; those rows cannot be removed this way, which is fine.
        if raw.execute(backend.build(&q)).await.is_ok_and(|r| r.rows_affected() == 1) {
            deleted.push((spec.name, key.clone()));
        }
    }
    assert!(!deleted.is_empty());
    // Insert a control nobody journaled.
    let forged = uuid::Uuid::now_v7();
    let mut q = Query::insert();
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 27, 10, 0, 0).unwrap();
    q.into_table(Alias::new("controls"))
        .columns(["id", "tenant_id", "name", "description", "status", "created_at", "updated_at"].map(Alias::new))
        .values_panic([
            forged.into(),
            op.tenant().0.into(),
            "Forged control".into(),
            "".into(),
            "implemented".into(),
            now.into(),
            now.into(),
        ]);
    raw.execute(backend.build(&q)).await.unwrap();
    // And a copy of a row under a new id in every table keyed by one `id` (where constraints allow).
    let mut inserted = vec![("controls", forged.to_string())];
    for spec in journaled_tables().iter().filter(|t| t.key == ["id"] && t.name != "controls") {
        let Some(((_, key), _)) = live.iter().find(|((t, _), _)| t == spec.name) else { continue };
        let id = uuid::Uuid::now_v7();
        let cols: Vec<&str> = spec.value_columns().into_iter().map(|(c, _)| c).collect();
        let mut select = Query::select();
        select.expr(sea_orm::sea_query::Expr::val(id));
        for c in &cols {
            select.column(Alias::new(*c));
        }
        select.from(Alias::new(spec.name)).cond_where(spec.exact_key_filter(key));
        let mut q = Query::insert();
        q.into_table(Alias::new(spec.name)).columns(std::iter::once("id").chain(cols.iter().copied()).map(Alias::new));
        q.select_from(select).unwrap();
        if raw.execute(backend.build(&q)).await.is_ok_and(|r| r.rows_affected() == 1) {
            inserted.push((spec.name, id.to_string()));
        }
    }
    assert!(inserted.len() >= 6, "rows copied into most id-keyed tables: {inserted:?}");
    // Evidence files: one replaced, one truncated, one removed.
    let files = crosswalk_store::repo::evidence::evidence_files(raw, op.tenant().0).await.unwrap();
    let path = |sha: &str| blobs.0.join(&sha[..2]).join(sha);
    std::fs::write(path(&files[0].1), b"a different policy").unwrap();
    std::fs::write(path(&files[1].1), b"sc").unwrap();
    std::fs::remove_file(path(&files[2].1)).unwrap();

    let r = app.verify_journal_with(&op, false, true).await.unwrap();
    assert!(!r.ok);
    for (table, key) in &edited {
        assert!(
            named(&r, "changed", table, key) || deleted.contains(&(table, key.clone())),
            "edit of {table} {key} not named: {:?}",
            r.record_problems
        );
    }
    for (table, key) in &deleted {
        assert!(named(&r, "deleted", table, key), "delete of {table} {key} not named");
    }
    for (table, id) in &inserted {
        assert!(named(&r, "inserted", table, id), "insert into {table} ({id}) not named");
    }
    assert!(named(&r, "file_altered", "evidence_file", &files[0].1));
    assert!(named(&r, "file_altered", "evidence_file", &files[1].1));
    assert!(named(&r, "file_missing", "evidence_file", &files[2].1));
    // Nothing else is reported: every problem is a change made above.
    assert_eq!(r.record_problem_count as usize, r.record_problems.len());
    for p in &r.record_problems {
        let ours = |list: &[(&str, String)]| list.iter().any(|(t, k)| *t == p.table && *k == p.id);
        assert!(ours(&edited) || ours(&deleted) || ours(&inserted) || p.table == "evidence_file", "a problem nobody caused: {p:?}");
    }
    // Plain verification stays about the chain (fast) and still passes: the journal itself is intact.
    assert!(app.verify_journal(&op, false).await.unwrap().ok);
}

/// Editing the stored record hashes themselves (to hide a change) breaks the entry's records root.
#[tokio::test]
async fn rewriting_journal_records_to_match_an_edit_is_caught() {
    let (db, _blobs, app, op) = demo_with_files().await;
    let raw = db.raw();
    let backend = raw.get_database_backend();
    let mut q = Query::update();
    q.table(Alias::new("journal_records"))
        .value(Alias::new("hash"), "00".repeat(32))
        .and_where(sea_orm::sea_query::Expr::col(Alias::new("tenant_id")).eq(op.tenant().0))
        .and_where(sea_orm::sea_query::Expr::col(Alias::new("entity")).eq("controls"));
    assert!(raw.execute(backend.build(&q)).await.unwrap().rows_affected() > 0);
    let r = app.verify_journal(&op, false).await.unwrap();
    assert!(!r.ok);
    assert!(r.problem.unwrap().contains("journal_records was altered"));
}

/// An auditor's kept checkpoint catches a rewrite even when the chain is re-made consistently.
#[tokio::test]
async fn a_kept_checkpoint_catches_truncation() {
    let (db, _blobs, app, op) = demo_with_files().await;
    let kept = app.export_checkpoint(&op).await.unwrap();
    assert!(app.verify_against_checkpoint(&op, &kept).await.unwrap().ok);
    let raw = db.raw();
    let backend = raw.get_database_backend();
    let mut q = Query::delete();
    q.from_table(Alias::new("journal_entries"))
        .and_where(sea_orm::sea_query::Expr::col(Alias::new("tenant_id")).eq(op.tenant().0))
        .and_where(sea_orm::sea_query::Expr::col(Alias::new("seq")).gte(kept.seq - 1));
    raw.execute(backend.build(&q)).await.unwrap();
    let c = app.verify_against_checkpoint(&op, &kept).await.unwrap();
    assert!(!c.ok);
    assert!(c.problem.unwrap().contains("entries were removed"));
}

/// Two approvals of one SoA version at once (issue 12): exactly one happens and exactly one is
/// journaled; the other is told who approved it. The "not yet approved" check before the transaction
/// decides nothing; the conditional update does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_soa_approvals_journal_exactly_one() {
    let (_db, _blobs, app, op) = demo_with_files().await;
    let v = app.publish_soa(&op, "for the race").await.unwrap().summary.version;
    let ciso = app.login("ciso@acme-demo.example", crosswalk_app::demo::DEMO_ADMIN_PASSWORD, "127.0.0.1").await.unwrap().actor;
    let (a, b) = tokio::join!(app.approve_soa(&ciso, v), app.approve_soa(&ciso, v));
    assert_eq!(usize::from(a.is_ok()) + usize::from(b.is_ok()), 1, "{a:?} {b:?}");
    let lost = if a.is_err() { a } else { b };
    assert!(matches!(lost, Err(crosswalk_app::AppError::Conflict(ref m)) if m.contains("already approved")), "{lost:?}");
    let entries = app.journal_entries(&op, None, 500).await.unwrap();
    let approvals = entries.iter().filter(|e| e.action == "soa.approve" && e.entity_id == v.to_string()).count();
    assert_eq!(approvals, 1);
    assert!(app.verify_journal_with(&op, false, true).await.unwrap().ok);
}

/// A migration that changes a journaled table (here: every fingerprint forgotten, as after the upgrade
/// that introduced record hashes) re-hashes that table's rows in a visible `journal.rehash` entry per
/// chain, and everything verifies deeply afterwards. Without a migration in the run, a removed
/// fingerprint adopts nothing: rows changed behind Crosswalk's back stay reported.
#[tokio::test]
async fn a_changed_table_is_rehashed_in_a_visible_entry_and_verifies() {
    let (db, _blobs, app, op) = demo_with_files().await;
    db.execute("DELETE FROM journal_schemas").await;
    db.execute("UPDATE controls SET name = 'laundered'").await;
    db.store.migrate(&db.mac_key()).await.unwrap();
    let r = app.verify_journal_with(&op, false, true).await.unwrap();
    assert!(!r.ok && r.record_problems.iter().all(|p| p.table == "controls" && p.kind == "changed"), "{:?}", r.record_problems);
    // A real migration run (simulated: the store is told one was applied) re-hashes in the open.
    crosswalk_store::journal::rehash_changed_tables(&db.store, &db.mac_key(), true).await.unwrap();
    let entries = app.journal_entries(&op, None, 5).await.unwrap();
    assert_eq!(entries[0].action, "journal.rehash", "{:?}", entries[0]);
    assert_eq!(entries[0].payload["reason"], "record hashes introduced");
    assert!(app.verify_journal_with(&op, false, true).await.unwrap().ok);
    assert!(app.verify_installation_journal(false, true).await.unwrap().ok);
    // Nothing changed since: the next start writes nothing.
    let head = app.journal_head(&op).await.unwrap();
    db.store.migrate(&db.mac_key()).await.unwrap();
    assert_eq!(app.journal_head(&op).await.unwrap(), head);
}

/// Shared data belongs to the installation chain: a direct edit of a bundled relation's type is found.
#[tokio::test]
async fn an_edit_of_a_bundled_relation_is_found_in_the_installation_journal() {
    let (db, _blobs, app, _op) = demo_with_files().await;
    let n = db
        .execute("UPDATE relations SET relation = 'equal' WHERE id = (SELECT MIN(id) FROM relations WHERE relation = 'intersects')")
        .await;
    assert_eq!(n, 1);
    let r = app.verify_installation_journal(false, true).await.unwrap();
    assert!(!r.ok);
    assert!(r.record_problems.iter().any(|p| p.kind == "changed" && p.table == "relations"), "{:?}", r.record_problems);
}

/// Someone who can rewrite the whole database (entries, head row, checkpoint table) drops the newest
/// entries consistently: the chain alone looks fine, but the checkpoint the scheduler kept in the data
/// directory names an entry that is gone.
#[tokio::test]
async fn the_checkpoint_kept_in_the_data_directory_catches_a_consistent_truncation() {
    let db = TestDb::new().await;
    let dir = support::world::tempdir::Dir::new();
    let clock = Arc::new(FixedClock::new(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 27, 10, 0, 0).unwrap()));
    let config = AppConfig {
        password_cost: PasswordCost::InsecureFastForTests,
        blob_dir: dir.0.join("blobs"),
        checkpoint_dir: Some(dir.0.join("checkpoints")),
        ..AppConfig::default()
    };
    let app = App::new(db.store.clone(), clock, db.key.clone(), config);
    app.ensure_demo().await.unwrap();
    let op = app.operator(crosswalk_app::demo::DEMO_SLUG).await.unwrap();
    let round = app.run_scheduled_once().await.unwrap();
    assert!(round.checkpoints_kept >= 2, "the organisation's chain and the installation's: {round:?}");
    let head = app.journal_head(&op).await.unwrap();
    assert!(dir.0.join("checkpoints").join(format!("{}.json", op.tenant().0)).exists());
    assert!(app.verify_journal(&op, false).await.unwrap().ok);
    // Nothing new: the next round keeps nothing.
    assert_eq!(app.run_scheduled_once().await.unwrap().checkpoints_kept, 0);

    let t = op.tenant().0;
    let cut = head - 2;
    for table in ["journal_entries", "journal_records", "journal_checkpoints"] {
        let mut q = Query::delete();
        q.from_table(Alias::new(table))
            .and_where(sea_orm::sea_query::Expr::col(Alias::new("tenant_id")).eq(t))
            .and_where(sea_orm::sea_query::Expr::col(Alias::new("seq")).gt(cut));
        db.raw().execute(db.raw().get_database_backend().build(&q)).await.unwrap();
    }
    let last = crosswalk_store::journal::load_all(db.raw(), t).await.unwrap().pop().unwrap();
    let mut q = Query::update();
    q.table(Alias::new("journal_heads"))
        .value(Alias::new("seq"), cut)
        .value(Alias::new("hash"), hex::encode(last.hash))
        .and_where(sea_orm::sea_query::Expr::col(Alias::new("tenant_id")).eq(t));
    db.raw().execute(db.raw().get_database_backend().build(&q)).await.unwrap();
    let r = app.verify_journal(&op, false).await.unwrap();
    assert!(!r.ok);
    assert!(r.problem.as_deref().unwrap_or_default().contains("kept in the data directory"), "{r:?}");
}
