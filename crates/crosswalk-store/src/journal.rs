//! Journal persistence: append inside a write transaction, read back for listing and verification.
//! There is no update or delete function here, on purpose.
//!
//! [`append`] is the only way a [`WriteTx`] with journaled writes can commit: it takes the rows of its
//! chain the transaction wrote, reads each back, hashes it ([`crate::records`]) and seals an entry
//! committing to those hashes (Merkle root in the entry, refs in `journal_records`), MACed with the
//! installation's key.
use crate::entities::{journal_checkpoint as cp, journal_entry as je, journal_head as jh, journal_record as jr, journal_schema as js};
use crate::records::{self, INSTALLATION};
use crate::{Engine, Read, StoreError, StoreResult, WriteTx, conn};
use chrono::{DateTime, Utc};
use crosswalk_journal::{Checkpoint, Entry, Hash, MacKey, NewEntry, RecordRef, ZERO_HASH, canonical_json, records_root};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// An entry about to be appended: who did what to which entity, with its payload.
#[derive(Debug, Clone)]
pub struct Draft {
    pub at_micros: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// Canonical JSON.
    pub payload: String,
}

impl Draft {
    pub fn new(
        actor: impl Into<String>,
        action: impl Into<String>,
        entity: impl Into<String>,
        entity_id: impl std::fmt::Display,
        payload: serde_json::Value,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            at_micros: crate::truncate_micros(at).timestamp_micros(),
            actor: actor.into(),
            action: action.into(),
            entity: entity.into(),
            entity_id: entity_id.to_string(),
            payload: canonical_json(&payload),
        }
    }
}

fn parse_hash(s: &str) -> Hash {
    let mut h = ZERO_HASH;
    // A stored hash that is not 64 hex digits is itself tampering; it then compares unequal (all ones).
    if hex::decode_to_slice(s, &mut h).is_err() {
        h = [0xff; 32];
    }
    h
}

fn from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros(micros).unwrap_or_default()
}

/// Start a chain (a tenant's, in the transaction that creates the tenant; the installation's at the
/// first migration), recording the table fingerprints its record hashes are made with.
pub async fn init_head(tx: &WriteTx, chain: Uuid) -> StoreResult<()> {
    jh::ActiveModel { tenant_id: Set(chain), seq: Set(0), hash: Set(hex::encode(ZERO_HASH)) }.insert(tx.conn()).await?;
    set_fingerprints(tx, chain, records::journaled_tables().iter().map(|t| t.name)).await
}

async fn set_fingerprints(tx: &WriteTx, chain: Uuid, tables: impl Iterator<Item = &'static str>) -> StoreResult<()> {
    let specs: Vec<&records::TableSpec> = tables.filter_map(records::table).collect();
    let names: Vec<&str> = specs.iter().map(|t| t.name).collect();
    js::Entity::delete_many().filter(js::Column::TenantId.eq(chain)).filter(js::Column::TableName.is_in(names)).exec(tx.conn()).await?;
    let rows: Vec<js::ActiveModel> = specs
        .iter()
        .map(|t| js::ActiveModel { tenant_id: Set(chain), table_name: Set(t.name.to_owned()), fingerprint: Set(t.fingerprint.clone()) })
        .collect();
    if !rows.is_empty() {
        js::Entity::insert_many(rows).exec_without_returning(tx.conn()).await?;
    }
    Ok(())
}

/// Append one entry to `chain`, covering every row of that chain the transaction wrote since the
/// last append. On PostgreSQL the head row is locked until commit, so concurrent writers of one chain
/// queue here and the chain cannot fork; SQLite has one writer.
pub async fn append(tx: &WriteTx, chain: Uuid, draft: Draft, key: &MacKey) -> StoreResult<Entry> {
    append_with(tx, chain, draft, Vec::new(), key).await
}

/// [`append`] with refs computed by the caller added (re-hashing whole tables).
async fn append_with(tx: &WriteTx, chain: Uuid, draft: Draft, mut refs: Vec<RecordRef>, key: &MacKey) -> StoreResult<Entry> {
    // Group the pending rows by table, each key once, in write order.
    let mut by_table: BTreeMap<&'static str, (Vec<String>, BTreeSet<String>)> = BTreeMap::new();
    for t in tx.take_pending(chain) {
        let (keys, seen) = by_table.entry(t.table).or_default();
        if seen.insert(t.key.clone()) {
            keys.push(t.key);
        }
    }
    for (table, (keys, _)) in by_table {
        refs.extend(records::read_back(tx, table, keys).await?);
    }
    let (refs, root) = records_root(refs);
    let mut q = jh::Entity::find_by_id(chain);
    if tx.engine() == Engine::Postgres {
        q = q.lock_exclusive();
    }
    let head = match q.one(tx.conn()).await? {
        Some(h) => h,
        None if chain == INSTALLATION => {
            init_head(tx, chain).await?;
            jh::Model { tenant_id: chain, seq: 0, hash: hex::encode(ZERO_HASH) }
        }
        None => return Err(StoreError::NoJournalHead(chain)),
    };
    let entry = NewEntry {
        at_micros: draft.at_micros,
        actor: draft.actor,
        action: draft.action,
        entity: draft.entity,
        entity_id: draft.entity_id,
        payload: draft.payload,
        records_root: root,
        record_count: refs.len() as i64,
    }
    .seal(&chain.to_string(), (head.seq, parse_hash(&head.hash)), key);
    let hash_hex = hex::encode(entry.hash);
    // No RETURNING/read-back: the entry is already fully known here.
    je::Entity::insert(je::ActiveModel {
        tenant_id: Set(chain),
        seq: Set(entry.seq),
        prev_hash: Set(hex::encode(entry.prev_hash)),
        at: Set(from_micros(entry.at_micros)),
        actor: Set(entry.actor.clone()),
        action: Set(entry.action.clone()),
        entity: Set(entry.entity.clone()),
        entity_id: Set(entry.entity_id.clone()),
        payload: Set(entry.payload.clone()),
        hash: Set(hash_hex.clone()),
        version: Set(entry.version),
        records_root: Set(hex::encode(entry.records_root)),
        record_count: Set(entry.record_count),
        mac: Set(entry.mac.map(hex::encode)),
    })
    .exec_without_returning(tx.conn())
    .await?;
    // 5 columns per row; stay far below SQLite's 32,766 bound parameters per statement.
    for part in refs.chunks(2_000) {
        jr::Entity::insert_many(part.iter().map(|r| jr::ActiveModel {
            tenant_id: Set(chain),
            seq: Set(entry.seq),
            entity: Set(r.entity.clone()),
            entity_id: Set(r.id.clone()),
            hash: Set(r.hash.map(hex::encode).unwrap_or_default()),
        }))
        .exec_without_returning(tx.conn())
        .await?;
    }
    jh::Entity::update_many()
        .col_expr(jh::Column::Seq, entry.seq.into())
        .col_expr(jh::Column::Hash, hash_hex.into())
        .filter(jh::Column::TenantId.eq(chain))
        .exec(tx.conn())
        .await?;
    Ok(entry)
}

/// Every chain: the installation's and each tenant's.
pub async fn chains(db: &impl Read) -> StoreResult<Vec<Uuid>> {
    Ok(jh::Entity::find().select_only().column(jh::Column::TenantId).order_by_asc(jh::Column::TenantId).into_tuple().all(conn(db)).await?)
}

/// Every chain that has entries (a restore checks that each has a head).
pub async fn entry_chains(db: &impl Read) -> StoreResult<Vec<Uuid>> {
    Ok(je::Entity::find().select_only().column(je::Column::TenantId).distinct().into_tuple().all(conn(db)).await?)
}

/// After migrations applied in this run (`migrations_applied`): for every chain and every journaled
/// table whose fingerprint differs from the one the chain's hashes were made with (or that has none:
/// record hashes are new), append one `journal.rehash` entry recording the hash of every current row
/// of those tables, and store the new fingerprints. Without a migration in this run nothing is
/// re-hashed: a mismatch then shows up in deep verification instead.
pub async fn rehash_changed_tables(store: &crate::Store, key: &MacKey, migrations_applied: bool) -> StoreResult<()> {
    let tx = store.begin_write().await?;
    if jh::Entity::find_by_id(INSTALLATION).one(tx.conn()).await?.is_none() {
        jh::ActiveModel { tenant_id: Set(INSTALLATION), seq: Set(0), hash: Set(hex::encode(ZERO_HASH)) }.insert(tx.conn()).await?;
    }
    if !migrations_applied {
        return tx.commit().await;
    }
    for chain in chains(&tx).await? {
        let stored: BTreeMap<String, String> = js::Entity::find()
            .filter(js::Column::TenantId.eq(chain))
            .all(tx.conn())
            .await?
            .into_iter()
            .map(|r| (r.table_name, r.fingerprint))
            .collect();
        let changed: Vec<&records::TableSpec> =
            records::journaled_tables().iter().filter(|t| stored.get(t.name) != Some(&t.fingerprint)).collect();
        if changed.is_empty() {
            continue;
        }
        let mut rows = BTreeMap::new();
        for t in &changed {
            t.hash_all(tx.conn(), chain, &mut rows).await?;
        }
        let refs: Vec<RecordRef> = rows.into_iter().map(|((entity, id), h)| RecordRef { entity, id, hash: Some(h) }).collect();
        if refs.is_empty() {
            // Nothing to record (a fresh database): just remember how hashes are made.
            set_fingerprints(&tx, chain, changed.iter().map(|t| t.name)).await?;
            continue;
        }
        let tables: serde_json::Map<String, serde_json::Value> =
            changed.iter().map(|t| (t.name.to_owned(), serde_json::json!({"from": stored.get(t.name), "to": t.fingerprint}))).collect();
        #[allow(clippy::disallowed_methods)] // a migration step; no application clock exists here
        let now = Utc::now();
        let reason = if stored.is_empty() { "record hashes introduced" } else { "table schema or record encoding changed" };
        append_with(
            &tx,
            chain,
            Draft::new(
                "system:migrate",
                "journal.rehash",
                "journal",
                "records",
                serde_json::json!({"reason": reason, "tables": tables}),
                now,
            ),
            refs,
            key,
        )
        .await?;
        set_fingerprints(&tx, chain, changed.iter().map(|t| t.name)).await?;
    }
    tx.commit().await
}

/// Every record ref of a chain, in entry order: (seq, ref).
pub async fn records(db: &impl Read, chain: Uuid) -> StoreResult<Vec<(i64, RecordRef)>> {
    const PAGE: u64 = 50_000;
    let mut out = Vec::new();
    let mut after: Option<(i64, String, String)> = None;
    loop {
        let mut q = jr::Entity::find().filter(jr::Column::TenantId.eq(chain));
        if let Some((seq, entity, id)) = &after {
            // Keyset pagination over the primary key (seq, entity, entity_id).
            q = q.filter(
                sea_orm::Condition::any()
                    .add(jr::Column::Seq.gt(*seq))
                    .add(sea_orm::Condition::all().add(jr::Column::Seq.eq(*seq)).add(jr::Column::Entity.gt(entity.clone())))
                    .add(
                        sea_orm::Condition::all()
                            .add(jr::Column::Seq.eq(*seq))
                            .add(jr::Column::Entity.eq(entity.clone()))
                            .add(jr::Column::EntityId.gt(id.clone())),
                    ),
            );
        }
        let rows: Vec<(i64, String, String, String)> = q
            .select_only()
            .columns([jr::Column::Seq, jr::Column::Entity, jr::Column::EntityId, jr::Column::Hash])
            .order_by_asc(jr::Column::Seq)
            .order_by_asc(jr::Column::Entity)
            .order_by_asc(jr::Column::EntityId)
            .limit(PAGE)
            .into_tuple()
            .all(conn(db))
            .await?;
        let n = rows.len() as u64;
        if let Some((seq, e, i, _)) = rows.last() {
            after = Some((*seq, e.clone(), i.clone()));
        }
        out.extend(rows.into_iter().map(|(seq, entity, id, hash)| {
            let hash = (!hash.is_empty()).then(|| parse_hash(&hash));
            (seq, RecordRef { entity, id, hash })
        }));
        if n < PAGE {
            return Ok(out);
        }
    }
}

/// The record refs of one entry.
pub async fn records_of(db: &impl Read, chain: Uuid, seq: i64) -> StoreResult<Vec<RecordRef>> {
    let rows = jr::Entity::find().filter(jr::Column::TenantId.eq(chain)).filter(jr::Column::Seq.eq(seq)).all(conn(db)).await?;
    Ok(rows
        .into_iter()
        .map(|r| RecordRef { entity: r.entity, id: r.entity_id, hash: (!r.hash.is_empty()).then(|| parse_hash(&r.hash)) })
        .collect())
}

/// Every live row of every journaled table of `chain`, hashed now: (table, key) → hash.
pub async fn live_records(db: &impl Read, chain: Uuid) -> StoreResult<(BTreeMap<(String, String), Hash>, u64)> {
    let mut out = BTreeMap::new();
    let mut n = 0;
    for t in records::journaled_tables() {
        n += t.hash_all(conn(db), chain, &mut out).await?;
    }
    Ok((out, n))
}

/// The recorded head (seq, hash) of a tenant's chain.
pub async fn head(db: &impl Read, tenant: Uuid) -> StoreResult<Option<(i64, Hash)>> {
    Ok(jh::Entity::find_by_id(tenant).one(conn(db)).await?.map(|h| (h.seq, parse_hash(&h.hash))))
}

/// Newest entries first, below `before` (exclusive) when given.
pub async fn list_recent(db: &impl Read, tenant: Uuid, before: Option<i64>, limit: u64) -> StoreResult<Vec<je::Model>> {
    let db = conn(db);
    let mut q = je::Entity::find().filter(je::Column::TenantId.eq(tenant));
    if let Some(b) = before {
        q = q.filter(je::Column::Seq.lt(b));
    }
    Ok(q.order_by_desc(je::Column::Seq).limit(limit).all(db).await?)
}

pub async fn get(db: &impl Read, tenant: Uuid, seq: i64) -> StoreResult<Option<je::Model>> {
    Ok(je::Entity::find_by_id((tenant, seq)).one(conn(db)).await?)
}

/// Every entry of a tenant in sequence order, read in pages to bound memory per query.
pub async fn load_all(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Entry>> {
    const PAGE: u64 = 10_000;
    let db = conn(db);
    let tenant_s = tenant.to_string();
    let mut out = Vec::new();
    let mut after = 0i64;
    loop {
        let rows = je::Entity::find()
            .filter(je::Column::TenantId.eq(tenant))
            .filter(je::Column::Seq.gt(after))
            .order_by_asc(je::Column::Seq)
            .limit(PAGE)
            .all(db)
            .await?;
        let n = rows.len() as u64;
        if let Some(last) = rows.last() {
            after = last.seq;
        }
        out.extend(rows.into_iter().map(|r| entry_of(&tenant_s, r)));
        if n < PAGE {
            return Ok(out);
        }
    }
}

/// The journal value of a stored entry row.
pub fn entry_of(tenant: &str, r: je::Model) -> Entry {
    Entry {
        version: r.version,
        withheld_payload_hash: None,
        records_root: if r.records_root.is_empty() { ZERO_HASH } else { parse_hash(&r.records_root) },
        record_count: r.record_count,
        mac: r.mac.as_deref().map(parse_hash),
        tenant: tenant.to_owned(),
        seq: r.seq,
        prev_hash: parse_hash(&r.prev_hash),
        at_micros: r.at.timestamp_micros(),
        actor: r.actor,
        action: r.action,
        entity: r.entity,
        entity_id: r.entity_id,
        payload: r.payload,
        hash: parse_hash(&r.hash),
    }
}

pub async fn insert_checkpoint(tx: &WriteTx, tenant: Uuid, c: &Checkpoint) -> StoreResult<()> {
    cp::ActiveModel {
        tenant_id: Set(tenant),
        seq: Set(c.seq),
        head_hash: Set(c.head_hash.clone()),
        signed_at: Set(from_micros(c.signed_at_micros)),
        public_key: Set(c.public_key.clone()),
        signature: Set(c.signature.clone()),
        state_root: Set(c.state_root.clone()),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn checkpoints(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Checkpoint>> {
    let rows = cp::Entity::find().filter(cp::Column::TenantId.eq(tenant)).order_by_asc(cp::Column::Seq).all(conn(db)).await?;
    Ok(rows
        .into_iter()
        .map(|r| Checkpoint {
            tenant: r.tenant_id.to_string(),
            seq: r.seq,
            head_hash: r.head_hash,
            state_root: r.state_root,
            signed_at_micros: r.signed_at.timestamp_micros(),
            public_key: r.public_key,
            signature: r.signature,
        })
        .collect())
}
