//! Test databases: each test gets a database of its own, dropped at the end.
//!
//! SQLite (default): a temporary file. PostgreSQL: when `CROSSWALK_TEST_DATABASE_URL` names a server
//! (e.g. `postgres://postgres@127.0.0.1:5432/test`), a fresh database `cw_test_<uuid>` is created there
//! for the test and dropped afterwards. CI runs the whole suite once per engine.
use crate::{Engine, Store};
pub use crate::{create_postgres_database, drop_postgres_database};

/// Environment variable naming the PostgreSQL server for tests.
pub const TEST_DATABASE_ENV: &str = "CROSSWALK_TEST_DATABASE_URL";

/// A migrated store on a database that is removed when this is dropped.
#[derive(Debug)]
pub struct TestDb {
    pub store: Store,
    pub url: String,
    /// The signing key the database's installation journal was MACed with; give it to the `App`.
    pub key: crosswalk_journal::SigningKey,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

/// The PostgreSQL server tests should use, if any.
pub fn test_postgres_url() -> Option<String> {
    #[allow(clippy::disallowed_methods)] // test harness configuration, not product configuration
    std::env::var(TEST_DATABASE_ENV).ok().filter(|s| !s.is_empty())
}

impl TestDb {
    /// A fresh migrated database on the engine the environment selects.
    pub async fn new() -> TestDb {
        let db = Self::empty().await;
        db.store.migrate(&db.mac_key()).await.expect("migrations apply to a fresh database");
        db
    }

    /// The MAC key derived from [`TestDb::key`].
    pub fn mac_key(&self) -> crosswalk_journal::MacKey {
        crosswalk_journal::MacKey::derive(&self.key)
    }

    /// The raw connection, for tests that tamper with the database behind the app's back.
    pub fn raw(&self) -> &sea_orm::DatabaseConnection {
        self.store.db()
    }

    /// Run one SQL statement directly (tamper tests). Returns the rows affected.
    pub async fn execute(&self, sql: &str) -> u64 {
        use sea_orm::ConnectionTrait;
        self.store
            .db()
            .execute(sea_orm::Statement::from_string(self.store.backend(), sql.to_owned()))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .rows_affected()
    }

    /// A fresh migrated PostgreSQL database whatever the environment selects (the machine always runs
    /// one): for tests of several server instances sharing one database.
    pub async fn postgres_always() -> TestDb {
        let admin = test_postgres_url().unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let db = Self::postgres(&admin).await;
        db.store.migrate(&db.mac_key()).await.expect("migrations apply to a fresh database");
        db
    }

    /// A fresh database without any schema, for tests of a migration on data of an older schema.
    pub async fn empty() -> TestDb {
        match test_postgres_url() {
            Some(admin) => Self::postgres(&admin).await,
            None => Self::sqlite().await,
        }
    }

    async fn sqlite() -> TestDb {
        let path = std::env::temp_dir().join(format!("crosswalk-test-{}.db", uuid::Uuid::new_v4().simple()));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let store = Store::connect(&url).await.expect("temporary SQLite database opens");
        TestDb { store, url, key: crosswalk_journal::generate_signing_key(), cleanup: Cleanup::File(path) }
    }

    async fn postgres(admin_url: &str) -> TestDb {
        let name = format!("cw_test_{}", uuid::Uuid::new_v4().simple());
        let url = create_postgres_database(admin_url, &name).await.expect("test database can be created on PostgreSQL");
        let store = Store::connect(&url).await.expect("fresh PostgreSQL database opens");
        TestDb {
            store,
            url,
            key: crosswalk_journal::generate_signing_key(),
            cleanup: Cleanup::Postgres { admin_url: admin_url.to_owned(), name },
        }
    }

    pub fn engine(&self) -> Engine {
        self.store.engine()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                // Drop cannot await, and may run inside a runtime: do the work on a thread of its own.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                        let _ = rt.block_on(drop_postgres_database(&admin_url, &name));
                    }
                })
                .join();
            }
        }
    }
}

/// A raw connection to the database at `url`, for tests that tamper with it behind Crosswalk's back.
pub async fn raw_connect(url: &str) -> sea_orm::DatabaseConnection {
    Store::connect(url).await.expect("test database opens").db
}
