//! Journal persistence: append inside a write transaction, read back for listing and verification.
//! There is no update or delete function here, on purpose.
use crate::entities::{journal_checkpoint as cp, journal_entry as je, journal_head as jh};
use crate::{Engine, StoreError, StoreResult, WriteTx};
use chrono::{DateTime, Utc};
use crosswalk_journal::{Checkpoint, Entry, Hash, NewEntry, ZERO_HASH};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

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

/// Start a tenant's chain. Called once, in the transaction that creates the tenant.
pub async fn init_head(tx: &WriteTx, tenant: Uuid) -> StoreResult<()> {
    jh::ActiveModel { tenant_id: Set(tenant), seq: Set(0), hash: Set(hex::encode(ZERO_HASH)) }.insert(&**tx).await?;
    Ok(())
}

/// Append one entry to `tenant`'s chain. On PostgreSQL the head row is locked until commit, so
/// concurrent writers of one tenant queue here and the chain cannot fork; SQLite has one writer.
pub async fn append(tx: &WriteTx, tenant: Uuid, new: NewEntry) -> StoreResult<Entry> {
    let mut q = jh::Entity::find_by_id(tenant);
    if tx.engine() == Engine::Postgres {
        q = q.lock_exclusive();
    }
    let head = q.one(&**tx).await?.ok_or(StoreError::NoJournalHead(tenant))?;
    let entry = new.seal(&tenant.to_string(), (head.seq, parse_hash(&head.hash)));
    let hash_hex = hex::encode(entry.hash);
    // No RETURNING/read-back: the entry is already fully known here.
    je::Entity::insert(je::ActiveModel {
        tenant_id: Set(tenant),
        seq: Set(entry.seq),
        prev_hash: Set(hex::encode(entry.prev_hash)),
        at: Set(from_micros(entry.at_micros)),
        actor: Set(entry.actor.clone()),
        action: Set(entry.action.clone()),
        entity: Set(entry.entity.clone()),
        entity_id: Set(entry.entity_id.clone()),
        payload: Set(entry.payload.clone()),
        hash: Set(hash_hex.clone()),
    })
    .exec_without_returning(&**tx)
    .await?;
    jh::Entity::update_many()
        .col_expr(jh::Column::Seq, entry.seq.into())
        .col_expr(jh::Column::Hash, hash_hex.into())
        .filter(jh::Column::TenantId.eq(tenant))
        .exec(&**tx)
        .await?;
    Ok(entry)
}

/// The recorded head (seq, hash) of a tenant's chain.
pub async fn head(db: &impl ConnectionTrait, tenant: Uuid) -> StoreResult<Option<(i64, Hash)>> {
    Ok(jh::Entity::find_by_id(tenant).one(db).await?.map(|h| (h.seq, parse_hash(&h.hash))))
}

/// Newest entries first, below `before` (exclusive) when given.
pub async fn list_recent(db: &impl ConnectionTrait, tenant: Uuid, before: Option<i64>, limit: u64) -> StoreResult<Vec<je::Model>> {
    let mut q = je::Entity::find().filter(je::Column::TenantId.eq(tenant));
    if let Some(b) = before {
        q = q.filter(je::Column::Seq.lt(b));
    }
    Ok(q.order_by_desc(je::Column::Seq).limit(limit).all(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, tenant: Uuid, seq: i64) -> StoreResult<Option<je::Model>> {
    Ok(je::Entity::find_by_id((tenant, seq)).one(db).await?)
}

/// The columns verification needs, in column order (no model building per row).
type EntryRow = (i64, String, DateTime<Utc>, String, String, String, String, String, String);

/// Every entry of a tenant in sequence order, read in pages to bound memory per query.
pub async fn load_all(db: &impl ConnectionTrait, tenant: Uuid) -> StoreResult<Vec<Entry>> {
    const PAGE: u64 = 10_000;
    let tenant_s = tenant.to_string();
    let mut out = Vec::new();
    let mut after = 0i64;
    loop {
        let rows: Vec<EntryRow> = je::Entity::find()
            .select_only()
            .columns([
                je::Column::Seq,
                je::Column::PrevHash,
                je::Column::At,
                je::Column::Actor,
                je::Column::Action,
                je::Column::Entity,
                je::Column::EntityId,
                je::Column::Payload,
                je::Column::Hash,
            ])
            .filter(je::Column::TenantId.eq(tenant))
            .filter(je::Column::Seq.gt(after))
            .order_by_asc(je::Column::Seq)
            .limit(PAGE)
            .into_tuple()
            .all(db)
            .await?;
        let n = rows.len() as u64;
        if let Some(last) = rows.last() {
            after = last.0;
        }
        out.extend(rows.into_iter().map(|(seq, prev, at, actor, action, entity, entity_id, payload, hash)| Entry {
            tenant: tenant_s.clone(),
            seq,
            prev_hash: parse_hash(&prev),
            at_micros: at.timestamp_micros(),
            actor,
            action,
            entity,
            entity_id,
            payload,
            hash: parse_hash(&hash),
        }));
        if n < PAGE {
            return Ok(out);
        }
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
    }
    .insert(&**tx)
    .await?;
    Ok(())
}

pub async fn checkpoints(db: &impl ConnectionTrait, tenant: Uuid) -> StoreResult<Vec<Checkpoint>> {
    let rows = cp::Entity::find().filter(cp::Column::TenantId.eq(tenant)).order_by_asc(cp::Column::Seq).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| Checkpoint {
            tenant: r.tenant_id.to_string(),
            seq: r.seq,
            head_hash: r.head_hash,
            signed_at_micros: r.signed_at.timestamp_micros(),
            public_key: r.public_key,
            signature: r.signature,
        })
        .collect())
}
