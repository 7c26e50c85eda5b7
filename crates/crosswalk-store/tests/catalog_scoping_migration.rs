//! The catalog-scoping migration (issue 11) on data written before it: frameworks and mapping sets
//! an organisation imported are given to it (found from its journal), one whose slug the shared
//! catalog uses is renamed, and what the installation operator imported stays shared.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there

use crosswalk_store::entities::{framework, mapping_set};
use crosswalk_store::migration::Migrator;
use crosswalk_store::testing::TestDb;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, EntityTrait};
use sea_orm_migration::MigratorTrait;
use sha2::{Digest, Sha256};

/// The last migration before catalog scoping.
const BEFORE_SCOPING: u32 = 7;

fn at() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z").unwrap().into()
}

async fn exec(db: &impl ConnectionTrait, q: &sea_orm::sea_query::InsertStatement) {
    db.execute(db.get_database_backend().build(q)).await.unwrap();
}

async fn old_framework(db: &impl ConnectionTrait, slug: &str, version: &str, bundled: bool) -> i64 {
    let t = Alias::new("frameworks");
    let cols =
        ["slug", "version", "name", "publisher", "source", "terms", "aliases", "content_hash", "bundled", "created_at"].map(Alias::new);
    let q = Query::insert()
        .into_table(t)
        .columns(cols)
        .values_panic([
            slug.into(),
            version.into(),
            slug.into(),
            "test".into(),
            "test".into(),
            "test".into(),
            "".into(),
            format!("hash-of-{slug}-{version}").into(),
            bundled.into(),
            at().into(),
        ])
        .to_owned();
    exec(db, &q).await;
    let found = framework_ids(db).await;
    found.into_iter().find(|(_, s, v)| s == slug && v == version).unwrap().0
}

/// (id, slug, version) of every framework, read without the entity (whose columns are newer).
async fn framework_ids(db: &impl ConnectionTrait) -> Vec<(i64, String, String)> {
    let q = Query::select().columns(["id", "slug", "version"].map(Alias::new)).from(Alias::new("frameworks")).to_owned();
    let rows = db.query_all(db.get_database_backend().build(&q)).await.unwrap();
    rows.iter()
        .map(|r| {
            (r.try_get::<i64>("", "id").unwrap(), r.try_get::<String>("", "slug").unwrap(), r.try_get::<String>("", "version").unwrap())
        })
        .collect()
}

async fn journal_import(db: &impl ConnectionTrait, tenant: uuid::Uuid, seq: i64, actor: &str, payload: serde_json::Value) {
    let cols = ["tenant_id", "seq", "prev_hash", "at", "actor", "action", "entity", "entity_id", "payload", "hash"].map(Alias::new);
    let q = Query::insert()
        .into_table(Alias::new("journal_entries"))
        .columns(cols)
        .values_panic([
            tenant.into(),
            seq.into(),
            "0".repeat(64).into(),
            at().into(),
            actor.into(),
            "catalog.import".into(),
            "file".into(),
            "lib.yaml".into(),
            payload.to_string().into(),
            format!("{seq:064}").into(),
        ])
        .to_owned();
    exec(db, &q).await;
}

#[tokio::test]
async fn imports_before_scoping_are_given_to_their_importer() {
    let db = TestDb::empty().await;
    let conn = db.raw();
    Migrator::up(conn, Some(BEFORE_SCOPING)).await.unwrap();
    let beta = uuid::Uuid::now_v7();
    let q = Query::insert()
        .into_table(Alias::new("tenants"))
        .columns(["id", "slug", "name", "created_at"].map(Alias::new))
        .values_panic([beta.into(), "beta".into(), "Beta".into(), at().into()])
        .to_owned();
    exec(conn, &q).await;

    let bundled = old_framework(conn, "nist-csf-2.0", "0-test", true).await;
    // Organisation beta's import of a library whose framework URN ends in `framework:nist-csf-2.0`.
    let squatted = old_framework(conn, "nist-csf-2.0", "ciso-assistant-v1", false).await;
    let own = old_framework(conn, "mini", "ciso-assistant-v1", false).await;
    let by_operator = old_framework(conn, "operator-fw", "1", false).await;
    let file_sha = "ab".repeat(32);
    let set_hash = hex::encode(Sha256::digest(format!("{file_sha}:1").as_bytes()));
    let q = Query::insert()
        .into_table(Alias::new("mapping_sets"))
        .columns(
            ["slug", "name", "from_framework_id", "to_framework_id", "provenance", "source", "terms", "content_hash", "created_at"]
                .map(Alias::new),
        )
        .values_panic([
            "mini-to-csf".into(),
            "Mini -> CSF".into(),
            own.into(),
            bundled.into(),
            "vendor_library".into(),
            "test".into(),
            "test".into(),
            set_hash.into(),
            at().into(),
        ])
        .to_owned();
    exec(conn, &q).await;
    let items = |names: &[(&str, &str)]| {
        serde_json::json!(
            names.iter().map(|(k, n)| serde_json::json!({"kind": k, "name": n, "inserted": true, "count": 1})).collect::<Vec<_>>()
        )
    };
    journal_import(
        conn,
        beta,
        1,
        "user:0:admin@beta.example",
        serde_json::json!({"sha256": "cd".repeat(32), "items": items(&[("framework", "nist-csf-2.0@ciso-assistant-v1")])}),
    )
    .await;
    journal_import(
        conn,
        beta,
        2,
        "user:0:admin@beta.example",
        serde_json::json!({"sha256": file_sha, "items": items(&[("framework", "mini@ciso-assistant-v1"), ("mapping_set", "Mini -> CSF")])}),
    )
    .await;
    journal_import(
        conn,
        beta,
        3,
        "operator:cli",
        serde_json::json!({"sha256": "ef".repeat(32), "items": items(&[("framework", "operator-fw@1")])}),
    )
    .await;

    db.store.migrate(&db.mac_key()).await.unwrap();

    let rows = framework::Entity::find().all(conn).await.unwrap();
    let row = |id: i64| rows.iter().find(|f| f.id == id).unwrap();
    assert_eq!(row(bundled).tenant_id, None, "bundled data stays shared");
    assert_eq!(row(by_operator).tenant_id, None, "the operator's import stays shared");
    assert_eq!(row(own).tenant_id, Some(beta));
    assert_eq!(row(own).slug, "mini");
    assert_eq!(row(squatted).tenant_id, Some(beta));
    assert_eq!(row(squatted).slug, "nist-csf-2.0-beta", "the shared slug keeps its meaning for everyone");
    let sets = mapping_set::Entity::find().all(conn).await.unwrap();
    let set = sets.iter().find(|s| s.slug == "mini-to-csf").unwrap();
    assert_eq!(set.tenant_id, Some(beta), "found from the file hash and its index in the file");
    assert!(sets.iter().filter(|s| s.slug != "mini-to-csf").all(|s| s.tenant_id.is_none()), "bundled sets stay shared");
}
