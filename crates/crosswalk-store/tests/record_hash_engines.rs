//! The same record hashes the same on SQLite and PostgreSQL (issue 12): values are read back from the
//! database and normalised (timestamps to the microsecond, booleans, NULLs, dates, UUIDs), so a restore
//! across engines keeps every hash. CI runs this file on both engines against one constant.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
use chrono::{TimeZone, Utc};
use crosswalk_store::journal::{self, Draft};
use crosswalk_store::records::INSTALLATION;
use crosswalk_store::repo::tenants;
use crosswalk_store::testing::TestDb;

#[tokio::test]
async fn a_record_hashes_identically_on_both_engines() {
    let db = TestDb::new().await;
    let tenant = uuid::Uuid::parse_str("0190d6f4-0000-7000-8000-000000000001").unwrap();
    let at = Utc.timestamp_opt(1_767_225_600, 123_456_000).unwrap();
    let tx = db.store.begin_write().await.unwrap();
    tenants::insert(&tx, tenants::Tenant { id: tenant, slug: "acme".into(), name: "Acme".into(), created_at: at }).await.unwrap();
    journal::init_head(&tx, tenant).await.unwrap();
    let evidence = crosswalk_store::repo::evidence::Evidence {
        id: uuid::Uuid::parse_str("0190d6f4-0000-7000-8000-0000000000e1").unwrap(),
        tenant_id: tenant,
        name: "Backup restore test — Q4".into(),
        sha256: None,
        size: 0,
        link: Some("https://tickets.example/42".into()),
        collected_at: at,
        effective_from: None,
        valid_until: Some(chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap()),
        created_at: at,
    };
    crosswalk_store::repo::evidence::insert_evidence(&tx, evidence).await.unwrap();
    journal::append(&tx, tenant, Draft::new("test", "evidence.add", "evidence", "e1", serde_json::json!({}), at), &db.mac_key())
        .await
        .unwrap();
    journal::append(&tx, INSTALLATION, Draft::new("test", "tenant.create", "tenant", tenant, serde_json::json!({}), at), &db.mac_key())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (live, _) = journal::live_records(&db.store, tenant).await.unwrap();
    let hash = live[&("evidence".to_owned(), "0190d6f4-0000-7000-8000-0000000000e1".to_owned())];
    assert_eq!(hex::encode(hash), EXPECTED, "engine {:?}", db.engine());
}

/// Computed once on SQLite and confirmed on PostgreSQL; a change here changes every stored hash (a new record encoding version).
const EXPECTED: &str = "cdfeaac58472c0f0409b48a2208e30eb1673b16e9839bbdb39ed9f5283de5990";
