//! Every table of the schema is either journaled (its rows are provable from the journal) or declared
//! operational with a reason, in `records.rs`. A new table that is neither fails here.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
use crosswalk_store::records::{OPERATIONAL_TABLES, journaled_tables};
use crosswalk_store::testing::TestDb;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

#[tokio::test]
async fn every_table_is_journaled_or_declared_operational() {
    let db = TestDb::new().await;
    let sql = match db.raw().get_database_backend() {
        DbBackend::Sqlite => "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        _ => "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema()",
    };
    let rows = db.raw().query_all(Statement::from_string(db.raw().get_database_backend(), sql)).await.unwrap();
    let tables: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "t").unwrap()).collect();
    assert!(tables.len() > 20, "{tables:?}");
    for t in &tables {
        let journaled = journaled_tables().iter().any(|s| s.name == t);
        let operational = OPERATIONAL_TABLES.iter().any(|(n, _)| n == t);
        assert!(
            journaled ^ operational,
            "table {t} must be either journaled or declared operational (not both): see crates/crosswalk-store/src/records.rs"
        );
    }
    for s in journaled_tables() {
        assert!(tables.contains(&s.name.to_owned()), "declared journaled table {} does not exist", s.name);
    }
}
