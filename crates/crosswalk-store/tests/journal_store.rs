//! Store-level journal tests, run on SQLite and (with CROSSWALK_TEST_DATABASE_URL) on PostgreSQL:
//! appends in transactions, read-back identical on both engines, tampering with any stored column or
//! row detected and pinpointed, and concurrent writers never forking a chain.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
use chrono::{TimeZone, Utc};
use crosswalk_journal::{ChainProblem, MacKey, verify_chain};
use crosswalk_store::entities::journal_entry as je;
use crosswalk_store::journal::Draft;
use crosswalk_store::records::INSTALLATION;
use crosswalk_store::repo::tenants;
use crosswalk_store::testing::TestDb;
use crosswalk_store::{Store, journal, truncate_micros};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

async fn new_tenant(store: &Store, slug: &str) -> Uuid {
    let id = Uuid::now_v7();
    let tx = store.begin_write().await.unwrap();
    tenants::insert(
        &tx,
        tenants::Tenant { id, slug: slug.into(), name: slug.into(), created_at: Utc.timestamp_opt(1_767_225_600, 0).unwrap() },
    )
    .await
    .unwrap();
    journal::init_head(&tx, id).await.unwrap();
    journal::append(
        &tx,
        INSTALLATION,
        Draft::new("test", "tenant.create", "tenant", id, serde_json::json!({}), Utc.timestamp_opt(1_767_225_600, 0).unwrap()),
        &key(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// One MAC key for the whole test binary (each test's database is migrated with its own, but only
/// the tenant chains written here are verified).
fn key() -> MacKey {
    static KEY: std::sync::OnceLock<MacKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| MacKey::derive(&crosswalk_journal::generate_signing_key())).clone()
}

fn entry(i: usize) -> Draft {
    // Sub-microsecond digits would be lost by PostgreSQL; the app truncates before hashing.
    let at = Utc.timestamp_opt(1_767_225_600, 123_456_000).unwrap() + chrono::Duration::microseconds(i as i64);
    Draft::new(
        format!("user:{i}"),
        "control.update",
        "control",
        format!("c{i}"),
        serde_json::json!({"i": i, "name": "Vulnerability management"}),
        at,
    )
}

async fn append_n(store: &Store, tenant: Uuid, n: usize) {
    for i in 0..n {
        let tx = store.begin_write().await.unwrap();
        journal::append(&tx, tenant, entry(i), &key()).await.unwrap();
        tx.commit().await.unwrap();
    }
}

/// Overwrite the stored row at (tenant, seq) with `row`, as an attacker with database access could.
async fn replace_row(db: &TestDb, row: je::Model) {
    je::Entity::delete_by_id((row.tenant_id, row.seq)).exec(db.raw()).await.unwrap();
    je::Entity::insert(je::ActiveModel::from(row)).exec(db.raw()).await.unwrap();
}

async fn verify(store: &Store, tenant: Uuid) -> Result<crosswalk_journal::ChainSummary, crosswalk_journal::ChainError> {
    let entries = journal::load_all(store, tenant).await.unwrap();
    let head = journal::head(store, tenant).await.unwrap();
    verify_chain(&tenant.to_string(), &entries, head, Some(&key()))
}

#[tokio::test]
async fn appended_entries_read_back_identically_and_verify() {
    let db = TestDb::new().await;
    let t = new_tenant(&db.store, "acme").await;
    append_n(&db.store, t, 20).await;
    let s = verify(&db.store, t).await.unwrap();
    assert_eq!(s.entries, 20);
    let rows = journal::load_all(db.raw(), t).await.unwrap();
    assert_eq!(rows[0].at_micros, 1_767_225_600_123_456, "timestamps keep exactly microseconds on {:?}", db.engine());
}

#[tokio::test]
async fn timestamps_are_stored_to_the_microsecond() {
    let db = TestDb::new().await;
    let precise = Utc.timestamp_opt(1_767_225_600, 123_456_789).unwrap();
    let id = Uuid::now_v7();
    let tx = db.store.begin_write().await.unwrap();
    tenants::insert(&tx, tenants::Tenant { id, slug: "ts".into(), name: "ts".into(), created_at: truncate_micros(precise) }).await.unwrap();
    journal::append(&tx, INSTALLATION, Draft::new("test", "tenant.create", "tenant", id, serde_json::json!({}), precise), &key())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let back = tenants::by_id(db.raw(), id).await.unwrap().unwrap();
    assert_eq!(back.created_at.timestamp_nanos_opt(), Some(1_767_225_600_123_456_000));
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_no_entry() {
    let db = TestDb::new().await;
    let t = new_tenant(&db.store, "acme").await;
    append_n(&db.store, t, 2).await;
    {
        let tx = db.store.begin_write().await.unwrap();
        journal::append(&tx, t, entry(99), &key()).await.unwrap();
        // dropped without commit
    }
    assert_eq!(journal::head(db.raw(), t).await.unwrap().unwrap().0, 2);
    assert_eq!(verify(&db.store, t).await.unwrap().entries, 2);
}

/// Each stored column, changed behind the app's back, is caught at the entry it was changed in.
#[tokio::test]
async fn changing_any_stored_column_is_pinpointed() {
    let db = TestDb::new().await;
    let t = new_tenant(&db.store, "acme").await;
    append_n(&db.store, t, 8).await;
    let columns: Vec<(&str, je::Column, sea_orm::sea_query::SimpleExpr)> = vec![
        ("prev_hash", je::Column::PrevHash, Expr::value("00".repeat(31) + "01")),
        ("at", je::Column::At, Expr::value(Utc.timestamp_opt(1_800_000_000, 0).unwrap())),
        ("actor", je::Column::Actor, Expr::value("user:mallory")),
        ("action", je::Column::Action, Expr::value("control.delete")),
        ("entity", je::Column::Entity, Expr::value("risk")),
        ("entity_id", je::Column::EntityId, Expr::value("c-forged")),
        ("payload", je::Column::Payload, Expr::value(r#"{"i":4,"name":"Nothing"}"#)),
        ("hash", je::Column::Hash, Expr::value("ab".repeat(32))),
    ];
    for (name, col, value) in columns {
        let original = journal::get(db.raw(), t, 5).await.unwrap().unwrap();
        je::Entity::update_many()
            .col_expr(col, value)
            .filter(je::Column::TenantId.eq(t))
            .filter(je::Column::Seq.eq(5))
            .exec(db.raw())
            .await
            .unwrap();
        let err = verify(&db.store, t).await.unwrap_err();
        assert_eq!(err.seq, 5, "tampering with {name} must be pinpointed at entry 5: {err}");
        // Restore for the next column.
        replace_row(&db, original).await;
        assert!(verify(&db.store, t).await.is_ok(), "restored {name}");
    }
}

#[tokio::test]
async fn deleting_reordering_and_inserting_rows_is_detected() {
    let db = TestDb::new().await;
    let t = new_tenant(&db.store, "acme").await;
    append_n(&db.store, t, 6).await;
    let e3 = journal::get(db.raw(), t, 3).await.unwrap().unwrap();
    let e4 = journal::get(db.raw(), t, 4).await.unwrap().unwrap();

    // Delete entry 3.
    je::Entity::delete_by_id((t, 3)).exec(db.raw()).await.unwrap();
    let err = verify(&db.store, t).await.unwrap_err();
    assert_eq!(err.seq, 4);
    assert!(matches!(err.problem, ChainProblem::SequenceGap { expected: 3 }), "{err}");

    // Put it back, then swap the contents of 3 and 4 (reordering).
    je::Entity::insert(je::ActiveModel::from(e3.clone())).exec(db.raw()).await.unwrap();
    assert!(verify(&db.store, t).await.is_ok());
    let mut moved3 = e4.clone();
    moved3.seq = 3;
    let mut moved4 = e3.clone();
    moved4.seq = 4;
    replace_row(&db, moved3).await;
    replace_row(&db, moved4).await;
    assert_eq!(verify(&db.store, t).await.unwrap_err().seq, 3);
    replace_row(&db, e3).await;
    replace_row(&db, e4).await;
    assert!(verify(&db.store, t).await.is_ok());

    // Delete the newest entry: the head still says 6.
    je::Entity::delete_by_id((t, 6)).exec(db.raw()).await.unwrap();
    let err = verify(&db.store, t).await.unwrap_err();
    assert_eq!(err.seq, 6);
    assert!(matches!(err.problem, ChainProblem::Truncated { head_seq: 6 }));
}

#[tokio::test]
async fn an_inserted_forged_entry_is_detected() {
    let db = TestDb::new().await;
    let t = new_tenant(&db.store, "acme").await;
    append_n(&db.store, t, 3).await;
    // A forger with database access appends a well-formed, correctly chained entry and moves the
    // head too, but has no key: the MAC gives it away.
    let last = journal::load_all(db.raw(), t).await.unwrap().pop().unwrap();
    let d = entry(7);
    let forger = MacKey::derive(&crosswalk_journal::generate_signing_key());
    let forged = crosswalk_journal::NewEntry {
        at_micros: d.at_micros,
        actor: d.actor,
        action: d.action,
        entity: d.entity,
        entity_id: d.entity_id,
        payload: d.payload,
        records_root: crosswalk_journal::ZERO_HASH,
        record_count: 0,
    }
    .seal(&t.to_string(), (last.seq, last.hash), &forger);
    je::Entity::insert(je::ActiveModel {
        tenant_id: sea_orm::Set(t),
        seq: sea_orm::Set(forged.seq),
        prev_hash: sea_orm::Set(hex::encode(forged.prev_hash)),
        at: sea_orm::Set(Utc.timestamp_micros(forged.at_micros).unwrap()),
        actor: sea_orm::Set(forged.actor.clone()),
        action: sea_orm::Set(forged.action.clone()),
        entity: sea_orm::Set(forged.entity.clone()),
        entity_id: sea_orm::Set(forged.entity_id.clone()),
        payload: sea_orm::Set(forged.payload.clone()),
        hash: sea_orm::Set(hex::encode(forged.hash)),
        version: sea_orm::Set(2),
        records_root: sea_orm::Set(hex::encode(forged.records_root)),
        record_count: sea_orm::Set(0),
        mac: sea_orm::Set(forged.mac.map(hex::encode)),
    })
    .exec(db.raw())
    .await
    .unwrap();
    use crosswalk_store::entities::journal_head as jh;
    jh::Entity::update_many()
        .col_expr(jh::Column::Seq, forged.seq.into())
        .col_expr(jh::Column::Hash, hex::encode(forged.hash).into())
        .filter(jh::Column::TenantId.eq(t))
        .exec(db.raw())
        .await
        .unwrap();
    let err = verify(&db.store, t).await.unwrap_err();
    assert_eq!((err.seq, err.problem), (4, ChainProblem::BadMac));
}

/// 16 writers appending to one tenant at once: every entry lands, the chain is linear and verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_never_fork_the_chain() {
    let db = TestDb::new().await;
    let t = new_tenant(&db.store, "acme").await;
    let other = new_tenant(&db.store, "other").await;
    let mut tasks = Vec::new();
    for w in 0..16usize {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..25usize {
                let tenant = if i % 5 == 4 { other } else { t };
                let tx = store.begin_write().await.unwrap();
                journal::append(&tx, tenant, entry(w * 100 + i), &key()).await.unwrap();
                // Keep the transaction open a little, so writers really overlap.
                tokio::task::yield_now().await;
                tx.commit().await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(verify(&db.store, t).await.unwrap().entries, 16 * 20);
    assert_eq!(verify(&db.store, other).await.unwrap().entries, 16 * 5);
}

#[tokio::test]
async fn unsupported_urls_are_named() {
    let err = Store::connect("mysql://root@localhost/x").await.unwrap_err();
    assert!(err.to_string().contains("unsupported database URL 'mysql://root@localhost/x'"), "{err}");
    let err = Store::connect("postgres://nobody:secret@127.0.0.1:1/none").await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("cannot open database postgres://nobody:***@127.0.0.1:1/none"), "{msg}");
    assert!(!msg.contains("secret"));
}
