//! Test databases: each test gets a database of its own, dropped at the end.
//!
//! SQLite (default): a temporary file. PostgreSQL: when `CROSSWALK_TEST_DATABASE_URL` names a server
//! (e.g. `postgres://postgres@127.0.0.1:5432/test`), a fresh database `cw_test_<uuid>` is created there
//! for the test and dropped afterwards. CI runs the whole suite once per engine.
use crate::{Engine, Store, StoreError, StoreResult};
use sea_orm::{ConnectionTrait, Statement};

/// Environment variable naming the PostgreSQL server for tests.
pub const TEST_DATABASE_ENV: &str = "CROSSWALK_TEST_DATABASE_URL";

/// A migrated store on a database that is removed when this is dropped.
#[derive(Debug)]
pub struct TestDb {
    pub store: Store,
    pub url: String,
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

/// Replace the database name in a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> StoreResult<String> {
    let mut u = url::Url::parse(url).map_err(|_| StoreError::UnsupportedUrl(crate::redact_url(url)))?;
    u.set_path(&format!("/{name}"));
    Ok(u.to_string())
}

/// Create an empty PostgreSQL database named `name` on the server at `admin_url`.
pub async fn create_postgres_database(admin_url: &str, name: &str) -> StoreResult<String> {
    // Identifiers cannot be bound as parameters; the name is ours and checked to be [a-z0-9_].
    assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
    let admin = Store::connect(admin_url).await?;
    admin.db().execute(Statement::from_string(admin.backend(), format!("CREATE DATABASE {name}"))).await?;
    admin.close().await?;
    with_database(admin_url, name)
}

/// Drop a PostgreSQL database, ending its connections.
pub async fn drop_postgres_database(admin_url: &str, name: &str) -> StoreResult<()> {
    assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
    let admin = Store::connect(admin_url).await?;
    admin.db().execute(Statement::from_string(admin.backend(), format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await?;
    admin.close().await
}

impl TestDb {
    /// A fresh migrated database on the engine the environment selects.
    pub async fn new() -> TestDb {
        let db = Self::empty().await;
        db.store.migrate().await.expect("migrations apply to a fresh database");
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
        TestDb { store, url, cleanup: Cleanup::File(path) }
    }

    async fn postgres(admin_url: &str) -> TestDb {
        let name = format!("cw_test_{}", uuid::Uuid::new_v4().simple());
        let url = create_postgres_database(admin_url, &name).await.expect("test database can be created on PostgreSQL");
        let store = Store::connect(&url).await.expect("fresh PostgreSQL database opens");
        TestDb { store, url, cleanup: Cleanup::Postgres { admin_url: admin_url.to_owned(), name } }
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
