//! Crosswalk's store: the only crate that talks to the database.
//!
//! One code path serves SQLite and PostgreSQL (sea-orm); the URL chooses. No public handle gives raw
//! access to the database: read functions take anything that is [`Read`] (the [`Store`], a
//! [`ReadTx`] snapshot or a [`WriteTx`]), and every write function takes a [`WriteTx`], registers each
//! row of a journaled table it writes ([`records`]), and the transaction refuses to commit until a
//! journal entry has recorded the hash of every such row ([`journal::append`]). Every function for
//! tenant-owned rows takes the tenant id.
#![forbid(unsafe_code)]

mod admin;
pub mod backup;
pub mod blob_store;
pub mod bundled;
pub mod entities;
pub mod journal;
pub mod migration;
pub mod records;
pub mod repo;
#[cfg(feature = "testing")]
pub mod testing;

pub use admin::{create_postgres_database, drop_postgres_database, with_database};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{ConnectOptions, DatabaseTransaction, DbBackend, DbErr, SqlErr, TransactionTrait};
use sea_orm_migration::MigratorTrait;
use std::sync::Arc;
use std::time::Duration;

pub use sea_orm::DbErr as DatabaseError;
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// The sealed half of [`Read`]: only this crate can turn a handle into a connection.
#[doc(hidden)]
pub mod sealed {
    /// Proof of being inside this crate; it cannot be made elsewhere.
    #[derive(Debug, Clone, Copy)]
    pub struct Token(pub(crate) ());
    pub trait Conn {
        type C: sea_orm::ConnectionTrait + super::Read;
        fn connection(&self, token: Token) -> &Self::C;
    }
}

/// A handle reads can run on. Implemented by [`Store`], [`ReadTx`] and [`WriteTx`]; other crates can
/// pass it to this crate's read functions but cannot get a connection out of it.
pub trait Read: sealed::Conn + Sync {}

/// The connection behind a read handle, for this crate's functions.
pub(crate) fn conn<R: Read + ?Sized>(r: &R) -> &R::C {
    r.connection(sealed::Token(()))
}

/// Failures of the store, each naming what went wrong.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL '{0}' (expected sqlite://PATH or postgres://USER@HOST:PORT/DB)")]
    UnsupportedUrl(String),
    #[error("cannot open database {url}: {message}")]
    Connect { url: String, message: String },
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("journal head missing for tenant {0}: the tenant was not created through the app layer")]
    NoJournalHead(uuid::Uuid),
    #[error("already exists: {0}")]
    Duplicate(String),
    /// Input the store refuses, naming the field or row (e.g. a mapping to a requirement that does not exist).
    #[error("{field}: {message}")]
    Rejected { field: String, message: String },
    /// The write contradicts what is stored (e.g. the same framework version with other content).
    #[error("{0}")]
    Conflict(String),
    /// A write transaction was committed with rows of journaled tables that no journal entry covers.
    #[error("refusing to commit: rows written without a journal entry: {0}")]
    Unjournaled(String),
    #[error("database error: {0}")]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(m)) => StoreError::Duplicate(m),
            _ => StoreError::Db(e),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A handle to the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    engine: Engine,
    /// SQLite allows one writer at a time; queueing writers here instead of in SQLite's busy loop keeps
    /// write latency flat. PostgreSQL serialises on row locks instead, so it has no such lock.
    write_lock: Option<Arc<tokio::sync::Mutex<()>>>,
    url_redacted: String,
}

/// Hide the password of a database URL for logs and errors.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Timestamps are stored truncated to microseconds, the finest precision both engines keep, so a
/// value reads back identically on SQLite and PostgreSQL and hashes identically in the journal.
pub fn truncate_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

impl Store {
    /// Open the database named by `url` (`sqlite://PATH` creates the file and its folder on first use).
    pub async fn connect(url: &str) -> StoreResult<Store> {
        let redacted = redact_url(url);
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redacted));
        };
        let mut opts = ConnectOptions::new(url.to_owned());
        // Fail fast when the server is unreachable; under load, waits for a pooled connection stay far below this.
        opts.sqlx_logging(false).connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(8));
        if engine == Engine::Sqlite {
            if let Some(dir) = sqlite_parent_dir(url) {
                create_private_dir(&dir)
                    .map_err(|e| StoreError::Connect { url: redacted.clone(), message: format!("cannot create {}: {e}", dir.display()) })?;
            }
            if let Some(file) = sqlite_file(url) {
                create_private_file(&file).map_err(|e| StoreError::Connect {
                    url: redacted.clone(),
                    message: format!("cannot create {}: {e}", file.display()),
                })?;
            }
            opts.max_connections(8).min_connections(1);
            opts.map_sqlx_sqlite_opts(|o| {
                use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
                // WAL lets readers run beside the writer; NORMAL sync is durable at checkpoint in WAL mode.
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
        } else {
            opts.max_connections(20).min_connections(1);
        }
        #[allow(clippy::disallowed_methods)] // this is the one place that opens connections
        let db =
            sea_orm::Database::connect(opts).await.map_err(|e| StoreError::Connect { url: redacted.clone(), message: e.to_string() })?;
        Ok(Store {
            db,
            engine,
            write_lock: (engine == Engine::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(()))),
            url_redacted: redacted,
        })
    }

    /// Apply pending migrations, re-hash the records of tables whose encoding changed (journaled as
    /// `journal.rehash` in each chain), then load the bundled catalogs that are new or changed
    /// (journaled in the installation chain). `key` MACs those entries. The app's
    /// `App::upgrade_catalog` does the last step itself, to journal what a release changes in each
    /// organisation's readiness.
    pub async fn migrate(&self, key: &crosswalk_journal::MacKey) -> StoreResult<repo::catalog::BundledChanges> {
        self.migrate_records(key).await?;
        self.load_bundled(key).await
    }

    /// Schema migrations and record re-hashing, without touching the bundled catalog.
    pub async fn migrate_records(&self, key: &crosswalk_journal::MacKey) -> StoreResult<()> {
        use sea_orm_migration::MigratorTrait as _;
        let pending = migration::Migrator::get_pending_migrations(&self.db).await.map_err(|e| StoreError::Migration(e.to_string()))?;
        self.migrate_schema().await?;
        // Only a migration applied by this very run may change how records hash. A fingerprint
        // removed or changed by someone editing the database must not make a start adopt whatever
        // rows are there now.
        journal::rehash_changed_tables(self, key, !pending.is_empty()).await
    }

    /// Whether this binary bundles a catalog document the database does not hold yet (new, or a
    /// new release of one it holds).
    pub async fn bundled_pending(&self) -> StoreResult<bool> {
        repo::catalog::bundled_pending(self).await
    }

    /// Loads the bundled catalog documents that are new or changed, in one transaction journaled in
    /// the installation chain with what changed.
    pub async fn load_bundled(&self, key: &crosswalk_journal::MacKey) -> StoreResult<repo::catalog::BundledChanges> {
        self.load_documents(key, crate::bundled::FRAMEWORKS, crate::bundled::MAPPINGS).await
    }

    /// [`Self::load_bundled`] with the documents given (tests stand in an earlier release).
    pub async fn load_documents(
        &self,
        key: &crosswalk_journal::MacKey,
        frameworks: &[(&str, &str)],
        mappings: &[(&str, &str)],
    ) -> StoreResult<repo::catalog::BundledChanges> {
        let tx = self.begin_write().await?;
        // Catalog rows record when they were loaded; that instant has no business meaning, so the
        // injected application clock is not needed here.
        #[allow(clippy::disallowed_methods)]
        let now = Utc::now();
        let changes = repo::catalog::load_documents(&tx, frameworks, mappings, now).await?;
        if !changes.is_empty() {
            // The entry names every refreshed requirement and every relation a release added or
            // removed, so an auditor sees from the installation journal alone what changed and when.
            let payload = serde_json::to_value(&changes).map_err(|e| StoreError::Conflict(e.to_string()))?;
            journal::append(
                &tx,
                records::INSTALLATION,
                journal::Draft::new("system:migrate", "catalog.load_bundled", "catalog", "bundled", payload, now),
                key,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changes)
    }

    /// Apply pending schema migrations only.
    pub async fn migrate_schema(&self) -> StoreResult<()> {
        migration::Migrator::up(&self.db, None).await.map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// Is the database's schema newer than this program knows (a downgrade)? Names the unknown migration.
    pub async fn newer_schema(&self) -> StoreResult<Option<String>> {
        use sea_orm_migration::MigratorTrait as _;
        let known: std::collections::HashSet<String> = migration::Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
        let applied = match migration::Migrator::get_applied_migrations(&self.db).await {
            Ok(a) => a,
            Err(_) => return Ok(None),
        };
        Ok(applied.into_iter().map(|m| m.name().to_owned()).find(|n| !known.contains(n)))
    }

    /// Calls `callback` after every statement this handle runs (tests use it to count queries).
    pub fn on_query(&mut self, callback: impl Fn(&str) + Send + Sync + 'static) {
        self.db.set_metric_callback(move |info| callback(&info.statement.sql));
    }

    /// The raw connection, for this crate only.
    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// A read-only snapshot: every read through it sees the database as of one instant (PostgreSQL
    /// REPEATABLE READ; SQLite's read transaction in WAL mode). Deep verification reads through one.
    pub async fn begin_read(&self) -> StoreResult<ReadTx> {
        let tx = match self.engine {
            Engine::Postgres => {
                self.db.begin_with_config(Some(sea_orm::IsolationLevel::RepeatableRead), Some(sea_orm::AccessMode::ReadOnly)).await?
            }
            Engine::Sqlite => self.db.begin().await?,
        };
        if self.engine == Engine::Sqlite {
            // SQLite starts the snapshot at the first read; take it now.
            tx.query_one(sea_orm::Statement::from_string(DbBackend::Sqlite, "SELECT 1")).await?;
        }
        Ok(ReadTx { tx })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn backend(&self) -> DbBackend {
        match self.engine {
            Engine::Sqlite => DbBackend::Sqlite,
            Engine::Postgres => DbBackend::Postgres,
        }
    }

    pub fn url_redacted(&self) -> &str {
        &self.url_redacted
    }

    /// Is the database answering?
    pub async fn ping(&self) -> StoreResult<()> {
        self.db.ping().await.map_err(StoreError::from)
    }

    /// Start a write transaction. Dropping it without `commit` rolls everything back.
    pub async fn begin_write(&self) -> StoreResult<WriteTx> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = self.db.begin().await?;
        Ok(WriteTx { tx, engine: self.engine, _guard: guard, pending: Default::default() })
    }

    pub async fn close(self) -> StoreResult<()> {
        self.db.close().await.map_err(StoreError::from)
    }
}

/// A directory (and missing parents) readable by the owner only: it holds the database, the evidence
/// files and the signing key. An existing directory keeps its mode (it may be one the operator chose).
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates the SQLite database file with owner-only permissions before SQLite opens it (SQLite would
/// create it with the process umask, usually world-readable). SQLite gives its `-wal` and `-shm` files
/// the database file's permissions. An existing file is left as it is.
fn create_private_file(file: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// The database file a `sqlite:` URL names (None for an in-memory database).
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    (!path.is_empty() && path != ":memory:" && !path.starts_with("file:")).then(|| std::path::PathBuf::from(path))
}

fn sqlite_parent_dir(url: &str) -> Option<std::path::PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()).map(|p| p.to_path_buf())
}

/// A row of a journaled table written in a transaction and not yet covered by a journal entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Touched {
    pub chain: uuid::Uuid,
    pub table: &'static str,
    pub key: String,
}

/// An open write transaction (plus, on SQLite, the writer slot). It commits only when every row of a
/// journaled table written through it is covered by a journal entry appended through it.
#[derive(Debug)]
pub struct WriteTx {
    tx: DatabaseTransaction,
    engine: Engine,
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    pending: std::sync::Mutex<Vec<Touched>>,
}

impl WriteTx {
    /// Commit, unless rows were written that no journal entry covers (then everything rolls back).
    pub async fn commit(self) -> StoreResult<()> {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        if !pending.is_empty() {
            let mut names: Vec<String> = pending.iter().map(|t| format!("{} {}", t.table, t.key)).collect();
            names.sort();
            names.dedup();
            let more = names.len().saturating_sub(5);
            names.truncate(5);
            let mut list = names.join(", ");
            if more > 0 {
                list.push_str(&format!(" and {more} more"));
            }
            return Err(StoreError::Unjournaled(list));
        }
        self.tx.commit().await.map_err(StoreError::from)
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub(crate) fn conn(&self) -> &DatabaseTransaction {
        &self.tx
    }

    /// Register a written row of a journaled table, belonging to `chain`.
    pub(crate) fn touch(&self, chain: uuid::Uuid, table: &'static str, key: impl records::RowKey) {
        debug_assert!(records::table(table).is_some(), "{table} is not a journaled table");
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).push(Touched { chain, table, key: key.key_text() });
    }

    /// Register many written rows of one table.
    pub(crate) fn touch_many<K: records::RowKey>(&self, chain: uuid::Uuid, table: &'static str, keys: impl IntoIterator<Item = K>) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.extend(keys.into_iter().map(|k| Touched { chain, table, key: k.key_text() }));
    }

    /// Register many written rows of one table, each with its own chain: (chain, key).
    pub(crate) fn touch_many_in<K: records::RowKey>(&self, rows: impl IntoIterator<Item = (uuid::Uuid, K)>, table: &'static str) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.extend(rows.into_iter().map(|(chain, k)| Touched { chain, table, key: k.key_text() }));
    }

    /// Whether rows of `chain` were written that no entry covers yet.
    pub fn has_pending(&self, chain: uuid::Uuid) -> bool {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|t| t.chain == chain)
    }

    /// Take the rows of `chain` not yet covered, for the entry being appended.
    pub(crate) fn take_pending(&self, chain: uuid::Uuid) -> Vec<Touched> {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut *p).into_iter().partition(|t| t.chain == chain);
        *p = rest;
        mine
    }
}

impl sealed::Conn for WriteTx {
    type C = DatabaseTransaction;
    fn connection(&self, _: sealed::Token) -> &DatabaseTransaction {
        &self.tx
    }
}
impl Read for WriteTx {}

impl sealed::Conn for Store {
    type C = DatabaseConnection;
    fn connection(&self, _: sealed::Token) -> &DatabaseConnection {
        &self.db
    }
}
impl Read for Store {}

impl<T: Read> sealed::Conn for &T {
    type C = T::C;
    fn connection(&self, token: sealed::Token) -> &T::C {
        (**self).connection(token)
    }
}
impl<T: Read> Read for &T {}

// Inside this crate a read function may pass its connection on to another read function.
impl sealed::Conn for DatabaseConnection {
    type C = DatabaseConnection;
    fn connection(&self, _: sealed::Token) -> &DatabaseConnection {
        self
    }
}
impl Read for DatabaseConnection {}
impl sealed::Conn for DatabaseTransaction {
    type C = DatabaseTransaction;
    fn connection(&self, _: sealed::Token) -> &DatabaseTransaction {
        self
    }
}
impl Read for DatabaseTransaction {}

/// A read-only snapshot of the database ([`Store::begin_read`]); dropped, it ends.
#[derive(Debug)]
pub struct ReadTx {
    tx: DatabaseTransaction,
}

impl sealed::Conn for ReadTx {
    type C = DatabaseTransaction;
    fn connection(&self, _: sealed::Token) -> &DatabaseTransaction {
        &self.tx
    }
}
impl Read for ReadTx {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }

    #[test]
    fn sqlite_parent_dir_is_found() {
        assert_eq!(sqlite_parent_dir("sqlite://./data/x.db?mode=rwc"), Some("./data".into()));
        assert_eq!(sqlite_parent_dir("sqlite://x.db"), None);
        assert_eq!(sqlite_parent_dir("sqlite::memory:"), None);
        assert_eq!(sqlite_file("sqlite://./data/x.db?mode=rwc"), Some("./data/x.db".into()));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn sqlite_database_is_created_owner_only_in_an_owner_only_folder() {
        use std::os::unix::fs::PermissionsExt;
        let root = std::env::temp_dir().join(format!("cw-perms-{}", uuid::Uuid::now_v7()));
        let dir = root.join("data");
        let store = Store::connect(&format!("sqlite://{}/crosswalk.db?mode=rwc", dir.display())).await.unwrap();
        store.migrate(&crosswalk_journal::MacKey::derive(&crosswalk_journal::generate_signing_key())).await.unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700, "data directory");
        assert_eq!(mode(&dir.join("crosswalk.db")), 0o600, "database file");
        for side in ["crosswalk.db-wal", "crosswalk.db-shm"] {
            if dir.join(side).exists() {
                assert_eq!(mode(&dir.join(side)) & 0o077, 0, "{side} is readable by others");
            }
        }
        drop(store);
        let _ = std::fs::remove_dir_all(root);
    }
}
