//! Whole-database backup and restore, engine-neutral.
//!
//! A backup is every row of every table that is part of the record or needed to keep it ([`backed_up`]),
//! read in one snapshot ([`crate::ReadTx`]) and written out as engine-neutral JSON cells: the same
//! normalisation the record hashes use ([`crate::records`]), so a row dumped from SQLite and loaded into
//! PostgreSQL reads back — and hashes — exactly as it did. Tables left out are named with the reason
//! in [`NOT_BACKED_UP`] (sessions, rate-limit counters, single-use tokens, regenerated notifications).
//!
//! A restore writes only through a [`RestoreTx`]: the one write path besides [`crate::WriteTx`], and
//! the only one that writes journal rows verbatim. It is opened on an empty database only (no chain,
//! no organisation, no account), inserts table by table in one transaction, and commits only when the
//! caller has checked every restored record against the restored journal (`crosswalk-app`'s backup
//! module does: a row that does not hash to its latest journaled state rolls everything back).
use crate::entities::*;
use crate::records::{Kind, cell, kind_of};
use crate::{Engine, Store, StoreError, StoreResult, sealed};
use crosswalk_journal::Cell;
use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn, PrimaryKeyTrait,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::sync::OnceLock;
use uuid::Uuid;

/// The layout of one backed-up table: every column (hashed or not) with its kind.
#[derive(Debug, Clone)]
pub struct TableLayout {
    pub name: &'static str,
    /// Column names in entity order; a backup's table header must list exactly these.
    pub columns: Vec<&'static str>,
    kinds: Vec<Kind>,
    key: Vec<&'static str>,
    /// An integer key the database assigns (PostgreSQL's sequence is moved past the restored ids).
    serial: bool,
}

impl TableLayout {
    /// The kind of each column as text, for the backup's manifest.
    pub fn column_types(&self) -> Vec<String> {
        self.kinds.iter().map(|k| format!("{k:?}").to_lowercase()).collect()
    }
}

fn layout<E: EntityTrait + Default>() -> TableLayout
where
    E::Column: ColumnTrait,
{
    // Built once for the process (OnceLock below), so the few names are leaked on purpose.
    let leak = |s: &str| -> &'static str { Box::leak(s.to_owned().into_boxed_str()) };
    let cols: Vec<(&'static str, Kind)> = E::Column::iter().map(|c| (leak(c.as_str()), kind_of(c.def().get_column_type()))).collect();
    let key: Vec<&'static str> = E::PrimaryKey::iter().map(|k| leak(k.into_column().as_str())).collect();
    TableLayout {
        name: leak(E::default().table_name()),
        columns: cols.iter().map(|(c, _)| *c).collect(),
        kinds: cols.iter().map(|(_, k)| *k).collect(),
        serial: <E::PrimaryKey as PrimaryKeyTrait>::auto_increment() && key.len() == 1,
        key,
    }
}

/// Every backed-up table, parents before children (foreign keys hold at every insert).
pub fn backed_up() -> &'static [TableLayout] {
    static TABLES: OnceLock<Vec<TableLayout>> = OnceLock::new();
    TABLES.get_or_init(|| {
        vec![
            layout::<tenant::Entity>(),
            layout::<user::Entity>(),
            layout::<identity_link::Entity>(),
            layout::<framework::Entity>(),
            layout::<framework_profile::Entity>(),
            layout::<requirement::Entity>(),
            layout::<mapping_set::Entity>(),
            layout::<relation::Entity>(),
            layout::<membership::Entity>(),
            layout::<tenant_credential::Entity>(),
            layout::<invitation::Entity>(),
            layout::<api_token::Entity>(),
            layout::<tenant_framework::Entity>(),
            layout::<control::Entity>(),
            layout::<control_requirement::Entity>(),
            layout::<evidence::Entity>(),
            layout::<evidence_control::Entity>(),
            layout::<attestation::Entity>(),
            layout::<soa_entry::Entity>(),
            layout::<soa_version::Entity>(),
            layout::<nis2_profile::Entity>(),
            layout::<nis2_registration::Entity>(),
            layout::<incident::Entity>(),
            layout::<incident_submission::Entity>(),
            layout::<supplier::Entity>(),
            layout::<supplier_assessment::Entity>(),
            layout::<management_approval::Entity>(),
            layout::<management_training::Entity>(),
            layout::<journal_entry::Entity>(),
            layout::<journal_head::Entity>(),
            layout::<journal_checkpoint::Entity>(),
            layout::<journal_record::Entity>(),
            layout::<journal_schema::Entity>(),
            layout::<job::Entity>(),
            layout::<readiness_snapshot::Entity>(),
        ]
    })
}

/// Tables a backup leaves out, each with the reason; `tests/schema_declared.rs` checks that every
/// table is either backed up or here.
pub const NOT_BACKED_UP: &[(&str, &str)] = &[
    ("sessions", "login sessions are bound to this installation; everyone logs in again after a restore"),
    ("login_failures", "rate-limit counters; they expire within the hour anyway"),
    ("email_verifications", "single-use links that are not to be replayed on another installation"),
    ("notifications", "regenerated from the records by the scheduler"),
    ("seaql_migrations", "written by the restore's own migration run; the backup's list is in its manifest"),
];

pub fn layout_of(name: &str) -> Option<&'static TableLayout> {
    backed_up().iter().find(|t| t.name == name)
}

/// The migrations this program knows, oldest first: a backup records them, a restore requires the same.
pub fn migrations() -> Vec<String> {
    crate::migration::Migrator::migrations().iter().map(|m| m.name().to_owned()).collect()
}

/// A cell as engine-neutral JSON: integers and timestamps (µs since the epoch) as numbers, floats as
/// their shortest exact text, JSON columns as their canonical text, the rest as strings.
fn to_json(c: Cell) -> serde_json::Value {
    use serde_json::Value as J;
    match c {
        Cell::Null => J::Null,
        Cell::Bool(b) => J::Bool(b),
        Cell::Int(i) | Cell::Timestamp(i) => J::from(i),
        Cell::Float(f) => J::String(format!("{f:?}")),
        Cell::Text(s) | Cell::Date(s) | Cell::Json(s) => J::String(s),
        Cell::Uuid(u) => J::String(Uuid::from_bytes(u).to_string()),
        Cell::Bytes(b) => J::String(hex::encode(b)),
    }
}

/// A JSON cell back to a value of the column's kind; `None` names what is wrong.
fn from_json(kind: Kind, v: &serde_json::Value) -> Result<sea_orm::Value, String> {
    use sea_orm::Value as V;
    use serde_json::Value as J;
    let null = matches!(v, J::Null);
    let text = || v.as_str().ok_or_else(|| format!("expected text, found {v}"));
    let int = || v.as_i64().ok_or_else(|| format!("expected an integer, found {v}"));
    Ok(match kind {
        Kind::Uuid if null => V::Uuid(None),
        Kind::Uuid => V::from(Uuid::parse_str(text()?).map_err(|e| e.to_string())?),
        Kind::Text if null => V::String(None),
        Kind::Text => V::from(text()?.to_owned()),
        Kind::Int64 if null => V::BigInt(None),
        Kind::Int64 => V::from(int()?),
        Kind::Int32 if null => V::Int(None),
        Kind::Int32 => V::from(i32::try_from(int()?).map_err(|e| e.to_string())?),
        Kind::Int16 if null => V::SmallInt(None),
        Kind::Int16 => V::from(i16::try_from(int()?).map_err(|e| e.to_string())?),
        Kind::Bool if null => V::Bool(None),
        Kind::Bool => V::from(v.as_bool().ok_or_else(|| format!("expected true or false, found {v}"))?),
        Kind::Timestamp if null => V::ChronoDateTimeUtc(None),
        Kind::Timestamp => {
            let micros = int()?;
            V::from(
                chrono::DateTime::<chrono::Utc>::from_timestamp_micros(micros).ok_or_else(|| format!("timestamp {micros} out of range"))?,
            )
        }
        Kind::Date if null => V::ChronoDate(None),
        Kind::Date => V::from(chrono::NaiveDate::parse_from_str(text()?, "%Y-%m-%d").map_err(|e| e.to_string())?),
        Kind::Json if null => V::Json(None),
        Kind::Json => V::from(serde_json::from_str::<serde_json::Value>(text()?).map_err(|e| e.to_string())?),
        Kind::Double if null => V::Double(None),
        Kind::Double => V::from(text()?.parse::<f64>().map_err(|e| e.to_string())?),
    })
}

/// Read every row of `table` from `snap` in key order, `batch` rows at a time, handing each batch of
/// rows (cells in [`TableLayout::columns`] order) to `sink`. Returns the row count.
pub async fn dump_table(
    snap: &crate::ReadTx,
    table: &TableLayout,
    batch: u64,
    mut sink: impl FnMut(Vec<Vec<serde_json::Value>>) -> std::io::Result<()>,
) -> StoreResult<u64> {
    let db = crate::conn(snap);
    let mut total = 0u64;
    let mut offset = 0u64;
    loop {
        let mut q = Query::select();
        q.from(Alias::new(table.name));
        for c in &table.columns {
            q.column(Alias::new(*c));
        }
        for k in &table.key {
            q.order_by(Alias::new(*k), sea_orm::Order::Asc);
        }
        q.limit(batch).offset(offset);
        let rows = db.query_all(db.get_database_backend().build(&q)).await?;
        let n = rows.len() as u64;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut cells = Vec::with_capacity(table.columns.len());
            for (c, k) in table.columns.iter().zip(&table.kinds) {
                let v =
                    cell(row, c, *k).map_err(|e| StoreError::Rejected { field: format!("{}.{c}", table.name), message: e.to_string() })?;
                cells.push(to_json(v));
            }
            out.push(cells);
        }
        sink(out).map_err(|e| StoreError::Rejected { field: table.name.into(), message: format!("cannot write the backup: {e}") })?;
        total += n;
        offset += n;
        if n < batch {
            return Ok(total);
        }
    }
}

/// An open restore ([`Store::begin_restore`]): one transaction on an empty database. Dropped without
/// [`RestoreTx::commit`], everything rolls back.
#[derive(Debug)]
pub struct RestoreTx {
    tx: DatabaseTransaction,
    engine: Engine,
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl sealed::Conn for RestoreTx {
    type C = DatabaseTransaction;
    fn connection(&self, _: sealed::Token) -> &DatabaseTransaction {
        &self.tx
    }
}
impl crate::Read for RestoreTx {}

/// What makes a database not empty, in words, or `None` when it is empty.
async fn holds_data(db: &impl ConnectionTrait) -> StoreResult<Option<String>> {
    for (table, what) in [
        ("journal_entries", "journal entries"),
        ("journal_heads", "journal heads"),
        ("journal_schemas", "journal schema rows"),
        ("tenants", "organisations"),
        ("users", "accounts"),
        ("frameworks", "frameworks"),
    ] {
        let mut q = Query::select();
        q.expr(Func::count(Expr::col(sea_orm::sea_query::Asterisk))).from(Alias::new(table));
        let n: i64 = match db.query_one(db.get_database_backend().build(&q)).await? {
            Some(row) => row.try_get_by_index(0)?,
            None => 0,
        };
        if n > 0 {
            return Ok(Some(format!("{n} {what}")));
        }
    }
    Ok(None)
}

impl Store {
    /// Apply the schema (no bundled catalog) and open a restore, refusing a database that holds
    /// anything: a restore never merges into or overwrites records.
    pub async fn begin_restore(&self) -> StoreResult<RestoreTx> {
        self.migrate_schema().await?;
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = self.db().begin().await?;
        if let Some(what) = holds_data(&tx).await? {
            return Err(StoreError::Rejected {
                field: "database".into(),
                message: format!(
                    "a restore needs an empty database, and {} holds {what}; restore into a new database (nothing was changed)",
                    self.url_redacted()
                ),
            });
        }
        Ok(RestoreTx { tx, engine: self.engine, _guard: guard })
    }
}

impl RestoreTx {
    /// Insert rows of `table` (cells in the order of `columns`, which must be the table's own).
    pub async fn insert(&self, table: &TableLayout, rows: &[Vec<serde_json::Value>]) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        // SQLite allows 32,766 bound values per statement; stay well below.
        let per_statement = (20_000 / table.columns.len().max(1)).max(1);
        for chunk in rows.chunks(per_statement) {
            let mut q = Query::insert();
            q.into_table(Alias::new(table.name)).columns(table.columns.iter().map(|c| Alias::new(*c)));
            for (i, row) in chunk.iter().enumerate() {
                if row.len() != table.columns.len() {
                    return Err(StoreError::Rejected {
                        field: table.name.into(),
                        message: format!("row {} has {} cells, the table has {} columns", i + 1, row.len(), table.columns.len()),
                    });
                }
                let mut values = Vec::with_capacity(row.len());
                for ((c, k), v) in table.columns.iter().zip(&table.kinds).zip(row) {
                    let value = from_json(*k, v).map_err(|m| StoreError::Rejected { field: format!("{}.{c}", table.name), message: m })?;
                    values.push(Expr::value(value));
                }
                q.values(values).map_err(|e| StoreError::Rejected { field: table.name.into(), message: e.to_string() })?;
            }
            self.tx.execute(self.tx.get_database_backend().build(&q)).await?;
        }
        Ok(())
    }

    /// Move PostgreSQL's id sequences past the restored ids (SQLite's AUTOINCREMENT follows by itself),
    /// then commit.
    pub async fn commit(self) -> StoreResult<()> {
        if self.engine == Engine::Postgres {
            for t in backed_up().iter().filter(|t| t.serial) {
                let col = t.key[0];
                // Identifiers are this program's own table names, never input.
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('\"{0}\"', '{1}'), COALESCE((SELECT MAX(\"{1}\") FROM \"{0}\"), 0) + 1, false)",
                    t.name, col
                );
                self.tx.execute(sea_orm::Statement::from_string(sea_orm::DbBackend::Postgres, sql)).await?;
            }
        }
        self.tx.commit().await.map_err(StoreError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip_through_json() {
        let cases = [
            (Kind::Double, Cell::Float(0.1 + 0.2)),
            (Kind::Timestamp, Cell::Timestamp(1_764_547_200_123_456)),
            (Kind::Date, Cell::Date("2026-12-01".into())),
            (Kind::Uuid, Cell::Uuid(*Uuid::now_v7().as_bytes())),
            (Kind::Int16, Cell::Int(-3)),
            (Kind::Json, Cell::Json(r#"{"a":[1,2]}"#.into())),
        ];
        for (kind, c) in cases {
            let json = to_json(c.clone());
            assert!(from_json(kind, &json).is_ok(), "{kind:?} {json}");
        }
        assert_eq!(to_json(Cell::Float(0.1 + 0.2)), serde_json::json!("0.30000000000000004"));
        assert!(from_json(Kind::Int16, &serde_json::json!(70000)).is_err());
        assert!(from_json(Kind::Uuid, &serde_json::json!("nope")).is_err());
    }

    #[test]
    fn every_table_of_the_record_is_backed_up() {
        for t in crate::records::journaled_tables() {
            assert!(layout_of(t.name).is_some(), "{} is journaled but not backed up", t.name);
        }
        for (name, _) in crate::records::OPERATIONAL_TABLES {
            assert!(
                layout_of(name).is_some() || NOT_BACKED_UP.iter().any(|(n, _)| n == name),
                "{name} is neither backed up nor named as left out"
            );
        }
    }
}
