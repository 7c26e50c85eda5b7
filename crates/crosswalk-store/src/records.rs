//! Which tables are part of the record, and how a stored row becomes a record hash.
//!
//! **Every table is either journaled or operational, declared here, in one place.** A journaled table's
//! rows belong to a chain (a tenant's, or the installation's for shared data: tenants, accounts, the
//! shared catalog); every write to one registers the row ([`WriteTx::touch`]) and the transaction cannot
//! commit until a journal entry of that chain has recorded the row's hash as read back. Operational
//! tables hold data that is not part of the record (sessions, rate-limit counters, queues, caches);
//! each names its reason. `tests/schema_declared.rs` fails when a table is neither.
//!
//! Hashes use [`crosswalk_journal::record_hash`] over every column (minus declared exclusions) read
//! back from the database and normalised by column type, so the same row hashes the same on SQLite
//! and PostgreSQL. A table's *fingerprint* (columns, types, exclusions, encoding version) is stored per
//! chain; when a migration changes it, [`crate::Store::migrate`] writes re-hash entries.
use std::collections::BTreeMap;
use std::sync::OnceLock;

use crosswalk_journal::{Cell, Hash, RecordRef, record_hash};
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, ColumnType, ConnectionTrait, EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn, QueryResult};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entities::*;
use crate::{StoreError, StoreResult, WriteTx};

/// The installation's own chain: shared catalog, tenants and accounts.
pub const INSTALLATION: Uuid = Uuid::nil();

/// Which chain a table's rows belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `tenant_id` names the chain.
    Tenant,
    /// `tenant_id` names the chain; NULL means the installation's (shared catalog rows).
    TenantOrShared,
    /// The chain of the framework in `framework_id`.
    ViaFramework,
    /// The chain of the mapping set in `mapping_set_id`.
    ViaMappingSet,
    /// Always the installation's chain.
    Installation,
}

/// How a column's values are read, normalised and (for a restore) written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Uuid,
    Text,
    Int64,
    Int32,
    Int16,
    Bool,
    Timestamp,
    Date,
    Json,
    Double,
}

/// A journaled table: its key and hashed columns, read from the sea-orm entity.
#[derive(Debug, Clone)]
pub struct TableSpec {
    pub name: &'static str,
    pub scope: Scope,
    /// Primary-key columns, in key order; the row's id is their values joined by `/`.
    pub key: Vec<&'static str>,
    columns: Vec<(&'static str, Kind)>,
    /// Columns left out of the hash, each with the reason (they change without being a record change).
    pub excluded: &'static [(&'static str, &'static str)],
    /// Hash of the column names, types, exclusions and record encoding version.
    pub fingerprint: String,
}

pub(crate) fn kind_of(t: &ColumnType) -> Kind {
    match t {
        ColumnType::Uuid => Kind::Uuid,
        ColumnType::BigInteger | ColumnType::BigUnsigned => Kind::Int64,
        ColumnType::Integer | ColumnType::Unsigned => Kind::Int32,
        ColumnType::SmallInteger | ColumnType::SmallUnsigned => Kind::Int16,
        ColumnType::Boolean => Kind::Bool,
        ColumnType::Timestamp | ColumnType::TimestampWithTimeZone | ColumnType::DateTime => Kind::Timestamp,
        ColumnType::Date => Kind::Date,
        ColumnType::Json | ColumnType::JsonBinary => Kind::Json,
        ColumnType::Double | ColumnType::Float => Kind::Double,
        // Strings of every length and text.
        _ => Kind::Text,
    }
}

fn spec<E: EntityTrait + Default>(scope: Scope, excluded: &'static [(&'static str, &'static str)]) -> TableSpec
where
    E::Column: ColumnTrait,
{
    // Built once for the process (OnceLock below), so the few names are leaked on purpose.
    let leak = |s: &str| -> &'static str { Box::leak(s.to_owned().into_boxed_str()) };
    let name: &'static str = leak(E::default().table_name());
    let key: Vec<&'static str> = E::PrimaryKey::iter().map(|k| leak(k.into_column().as_str())).collect();
    let columns: Vec<(&'static str, Kind)> = E::Column::iter()
        .map(|c| (leak(c.as_str()), kind_of(c.def().get_column_type())))
        .filter(|(c, _)| !excluded.iter().any(|(x, _)| x == c))
        .collect();
    let mut h = Sha256::new();
    h.update(crosswalk_journal::RECORD_ENCODING.to_be_bytes());
    h.update(name.as_bytes());
    for (c, k) in &columns {
        h.update(format!("|{c}:{k:?}").as_bytes());
    }
    for (c, _) in excluded {
        h.update(format!("|-{c}").as_bytes());
    }
    let fingerprint = hex::encode(&h.finalize()[..16]);
    TableSpec { name, scope, key, columns, excluded, fingerprint }
}

/// A row read back: its key text, record hash and normalised column values.
pub type RowValues = (String, Hash, Vec<(&'static str, Cell)>);

/// Every journaled table.
pub fn journaled_tables() -> &'static [TableSpec] {
    static TABLES: OnceLock<Vec<TableSpec>> = OnceLock::new();
    TABLES.get_or_init(|| {
        use Scope::*;
        vec![
            spec::<tenant::Entity>(Installation, &[]),
            spec::<user::Entity>(Installation, &[]),
            spec::<identity_link::Entity>(Installation, &[]),
            spec::<framework::Entity>(TenantOrShared, &[]),
            spec::<framework_profile::Entity>(TenantOrShared, &[]),
            spec::<requirement::Entity>(ViaFramework, &[]),
            spec::<mapping_set::Entity>(TenantOrShared, &[]),
            spec::<relation::Entity>(ViaMappingSet, &[]),
            spec::<membership::Entity>(Tenant, &[]),
            spec::<tenant_credential::Entity>(Tenant, &[]),
            spec::<invitation::Entity>(Tenant, &[]),
            spec::<api_token::Entity>(Tenant, &[("last_used_at", "updated on every request made with the token; usage, not a record")]),
            spec::<tenant_framework::Entity>(Tenant, &[]),
            spec::<control::Entity>(Tenant, &[]),
            spec::<control_requirement::Entity>(Tenant, &[]),
            spec::<evidence::Entity>(Tenant, &[]),
            spec::<evidence_control::Entity>(Tenant, &[]),
            spec::<attestation::Entity>(Tenant, &[]),
            spec::<soa_entry::Entity>(Tenant, &[]),
            spec::<soa_version::Entity>(Tenant, &[]),
            spec::<nis2_profile::Entity>(Tenant, &[]),
            spec::<nis2_registration::Entity>(Tenant, &[]),
            spec::<incident::Entity>(Tenant, &[]),
            spec::<incident_submission::Entity>(Tenant, &[]),
            spec::<supplier::Entity>(Tenant, &[]),
            spec::<supplier_assessment::Entity>(Tenant, &[]),
            spec::<management_approval::Entity>(Tenant, &[]),
            spec::<management_training::Entity>(Tenant, &[]),
        ]
    })
}

/// Tables outside the journal, each with the reason. Nothing in them is evidence of compliance work.
pub const OPERATIONAL_TABLES: &[(&str, &str)] = &[
    ("journal_entries", "the journal itself"),
    ("journal_heads", "the journal itself: each chain's newest entry, checked against the chain"),
    ("journal_checkpoints", "the journal itself: signatures over the chain"),
    ("journal_records", "the journal itself: the record hashes of each entry, checked against its records_root"),
    ("journal_schemas", "the journal itself: the table fingerprints each chain's record hashes were made with"),
    ("sessions", "login sessions: secrets and last-seen times that change on every request"),
    ("login_failures", "rate-limit counters for failed logins"),
    ("email_verifications", "single-use address-verification tokens; the verification itself is recorded on the user"),
    ("jobs", "the scheduler's queue of pending work"),
    ("notifications", "reminder messages generated from records; regenerated, not a record"),
    ("readiness_snapshots", "a daily cache of readiness computed from journaled records"),
    ("seaql_migrations", "the migration tool's bookkeeping"),
];

pub fn table(name: &str) -> Option<&'static TableSpec> {
    journaled_tables().iter().find(|t| t.name == name)
}

/// Text of one key part, as [`RowKey`] writes it when a row is touched.
fn key_part(c: &Cell) -> String {
    match c {
        Cell::Uuid(u) => Uuid::from_bytes(*u).to_string(),
        Cell::Int(i) => i.to_string(),
        Cell::Text(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

/// A row's key as text: parts joined by `/`.
pub trait RowKey {
    fn key_text(&self) -> String;
}
impl RowKey for Uuid {
    fn key_text(&self) -> String {
        self.to_string()
    }
}
impl RowKey for i64 {
    fn key_text(&self) -> String {
        self.to_string()
    }
}
impl RowKey for i32 {
    fn key_text(&self) -> String {
        self.to_string()
    }
}
impl RowKey for &str {
    fn key_text(&self) -> String {
        (*self).to_owned()
    }
}
impl RowKey for String {
    fn key_text(&self) -> String {
        self.clone()
    }
}
impl<A: RowKey, B: RowKey> RowKey for (A, B) {
    fn key_text(&self) -> String {
        format!("{}/{}", self.0.key_text(), self.1.key_text())
    }
}

pub(crate) fn cell(row: &QueryResult, col: &str, kind: Kind) -> Result<Cell, sea_orm::DbErr> {
    Ok(match kind {
        Kind::Uuid => row.try_get::<Option<Uuid>>("", col)?.map_or(Cell::Null, |u| Cell::Uuid(*u.as_bytes())),
        Kind::Text => row.try_get::<Option<String>>("", col)?.map_or(Cell::Null, Cell::Text),
        Kind::Int64 => row.try_get::<Option<i64>>("", col)?.map_or(Cell::Null, Cell::Int),
        Kind::Int32 => row.try_get::<Option<i32>>("", col)?.map_or(Cell::Null, |i| Cell::Int(i64::from(i))),
        Kind::Int16 => row.try_get::<Option<i16>>("", col)?.map_or(Cell::Null, |i| Cell::Int(i64::from(i))),
        Kind::Bool => row.try_get::<Option<bool>>("", col)?.map_or(Cell::Null, Cell::Bool),
        Kind::Timestamp => {
            row.try_get::<Option<chrono::DateTime<chrono::Utc>>>("", col)?.map_or(Cell::Null, |t| Cell::Timestamp(t.timestamp_micros()))
        }
        Kind::Date => {
            row.try_get::<Option<chrono::NaiveDate>>("", col)?.map_or(Cell::Null, |d| Cell::Date(d.format("%Y-%m-%d").to_string()))
        }
        Kind::Json => {
            row.try_get::<Option<serde_json::Value>>("", col)?.map_or(Cell::Null, |v| Cell::Json(crosswalk_journal::canonical_json(&v)))
        }
        Kind::Double => row.try_get::<Option<f64>>("", col)?.map_or(Cell::Null, Cell::Float),
    })
}

impl TableSpec {
    fn kind(&self, col: &str) -> Kind {
        self.columns.iter().find(|(c, _)| *c == col).map_or(Kind::Text, |(_, k)| *k)
    }

    fn select(&self) -> SelectStatement {
        let mut q = Query::select();
        q.from(Alias::new(self.name));
        for (c, _) in &self.columns {
            q.column(Alias::new(*c));
        }
        q
    }

    /// The row's key text and record hash.
    pub fn hash_row(&self, row: &QueryResult) -> StoreResult<(String, Hash)> {
        self.read_row(row).map(|(k, h, _)| (k, h))
    }

    /// The row's key text, record hash and normalised column values.
    fn read_row(&self, row: &QueryResult) -> StoreResult<RowValues> {
        let mut cells: Vec<(&'static str, Cell)> = Vec::with_capacity(self.columns.len());
        for (c, k) in &self.columns {
            cells.push((
                c,
                cell(row, c, *k).map_err(|e| StoreError::Rejected { field: format!("{}.{c}", self.name), message: e.to_string() })?,
            ));
        }
        let key = self
            .key
            .iter()
            .map(|k| cells.iter().find(|(c, _)| c == k).map(|(_, v)| key_part(v)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("/");
        let hash = record_hash(self.name, &key, &mut cells);
        Ok((key, hash, cells))
    }

    /// Every live row of `chain` in this table with its values: (key, hash, cells).
    pub async fn rows(&self, db: &impl crate::Read, chain: Uuid) -> StoreResult<Vec<RowValues>> {
        let db = crate::conn(db);
        let mut q = self.select();
        if let Some(f) = self.scope_filter(chain) {
            q.and_where(f);
        }
        let rows = db.query_all(db.get_database_backend().build(&q)).await?;
        rows.iter().map(|r| self.read_row(r)).collect()
    }

    /// The condition selecting the rows of `chain`.
    fn scope_filter(&self, chain: Uuid) -> Option<SimpleExpr> {
        let owner = |table: &str| {
            let mut sub = Query::select();
            sub.column(Alias::new("id")).from(Alias::new(table));
            if chain == INSTALLATION {
                sub.and_where(Expr::col(Alias::new("tenant_id")).is_null());
            } else {
                sub.and_where(Expr::col(Alias::new("tenant_id")).eq(chain));
            }
            sub.to_owned()
        };
        match self.scope {
            Scope::Installation => (chain == INSTALLATION).then(|| Expr::value(true)).or(Some(Expr::value(false))),
            Scope::Tenant if chain == INSTALLATION => Some(Expr::value(false)),
            Scope::Tenant => Some(Expr::col(Alias::new("tenant_id")).eq(chain)),
            Scope::TenantOrShared if chain == INSTALLATION => Some(Expr::col(Alias::new("tenant_id")).is_null()),
            Scope::TenantOrShared => Some(Expr::col(Alias::new("tenant_id")).eq(chain)),
            Scope::ViaFramework => Some(Expr::col(Alias::new("framework_id")).in_subquery(owner("frameworks"))),
            Scope::ViaMappingSet => Some(Expr::col(Alias::new("mapping_set_id")).in_subquery(owner("mapping_sets"))),
        }
    }

    /// Every live row of `chain` in this table: key text → record hash.
    pub async fn hash_all(&self, db: &impl ConnectionTrait, chain: Uuid, out: &mut BTreeMap<(String, String), Hash>) -> StoreResult<u64> {
        let mut q = self.select();
        if let Some(f) = self.scope_filter(chain) {
            q.and_where(f);
        }
        let rows = db.query_all(db.get_database_backend().build(&q)).await?;
        let n = rows.len() as u64;
        for row in &rows {
            let (key, hash) = self.hash_row(row)?;
            out.insert((self.name.to_owned(), key), hash);
        }
        Ok(n)
    }

    /// The hashed columns that are not part of the key, with their type name (tamper tests pick one).
    pub fn value_columns(&self) -> Vec<(&'static str, String)> {
        self.columns.iter().filter(|(c, _)| !self.key.contains(c)).map(|(c, k)| (*c, format!("{k:?}"))).collect()
    }

    /// The condition matching exactly the row with key text `key`.
    pub fn exact_key_filter(&self, key: &str) -> SimpleExpr {
        let mut all = Expr::value(true);
        for (col, part) in self.key.iter().zip(key.splitn(self.key.len(), '/')) {
            all = all.and(Expr::col(Alias::new(*col)).eq(self.key_value(col, part)));
        }
        all
    }

    fn key_value(&self, col: &str, part: &str) -> sea_orm::Value {
        match self.kind(col) {
            Kind::Uuid => Uuid::parse_str(part).map_or_else(|_| sea_orm::Value::from(part.to_owned()), sea_orm::Value::from),
            Kind::Int64 | Kind::Int32 | Kind::Int16 => {
                part.parse::<i64>().map_or_else(|_| sea_orm::Value::from(part.to_owned()), sea_orm::Value::from)
            }
            _ => sea_orm::Value::from(part.to_owned()),
        }
    }

    /// A condition matching (at least) the rows whose keys are `keys` (key texts as [`RowKey`] writes
    /// them); for composite keys it matches every row sharing a leading part, and the reader filters.
    fn key_filter(&self, keys: &[String]) -> SimpleExpr {
        if self.key.len() == 1 {
            let col = self.key[0];
            return Expr::col(Alias::new(col)).is_in(keys.iter().map(|k| self.key_value(col, k)));
        }
        // Composite keys: select by the leading key column (the primary key's index serves it) and
        // let the caller keep only the wanted keys; an OR of per-key conditions defeats the index.
        let col = self.key[0];
        let mut firsts: Vec<&str> = keys.iter().filter_map(|k| k.split('/').next()).collect();
        firsts.sort_unstable();
        firsts.dedup();
        Expr::col(Alias::new(col)).is_in(firsts.into_iter().map(|k| self.key_value(col, k)))
    }
}

/// Read back the rows `keys` of `table` inside `tx` and return their refs (a missing row is a
/// tombstone: the write deleted it).
pub(crate) async fn read_back(tx: &WriteTx, table: &'static str, keys: Vec<String>) -> StoreResult<Vec<RecordRef>> {
    let spec = self::table(table).ok_or_else(|| StoreError::Rejected { field: table.into(), message: "not a journaled table".into() })?;
    let db = tx.conn();
    let mut found: BTreeMap<String, Hash> = BTreeMap::new();
    let wanted: std::collections::HashSet<&str> = keys.iter().map(String::as_str).collect();
    let mut sorted: Vec<&String> = keys.iter().collect();
    // Keys sharing a leading part land in one chunk, so each leading value is read once.
    sorted.sort_unstable();
    for part in sorted.chunks(500) {
        let part: Vec<String> = part.iter().map(|k| (*k).clone()).collect();
        let mut q = spec.select();
        q.and_where(spec.key_filter(&part));
        for row in db.query_all(db.get_database_backend().build(&q)).await? {
            let (key, hash) = spec.hash_row(&row)?;
            if wanted.contains(key.as_str()) {
                found.insert(key, hash);
            }
        }
    }
    Ok(keys
        .into_iter()
        .map(|k| {
            let hash = found.get(&k).copied();
            RecordRef { entity: table.to_owned(), id: k, hash }
        })
        .collect())
}
