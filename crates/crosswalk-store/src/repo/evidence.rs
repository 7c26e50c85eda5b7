//! A tenant's evidence and its control links. Every function takes the tenant id.
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entities::{evidence, evidence_control as ec};
use crate::{Read, StoreResult, WriteTx, conn};

pub use evidence::Model as Evidence;

/// What readiness needs of each evidence item: (id, name, effective_from, valid_until).
pub async fn evidence_validity(
    db: &impl Read,
    tenant: Uuid,
) -> StoreResult<Vec<(Uuid, String, Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)>> {
    let db = conn(db);
    Ok(evidence::Entity::find()
        .select_only()
        .column(evidence::Column::Id)
        .column(evidence::Column::Name)
        .column(evidence::Column::EffectiveFrom)
        .column(evidence::Column::ValidUntil)
        .filter(evidence::Column::TenantId.eq(tenant))
        .into_tuple()
        .all(db)
        .await?)
}

pub async fn insert_evidence(tx: &WriteTx, e: Evidence) -> StoreResult<Evidence> {
    tx.touch(e.tenant_id, "evidence", e.id);
    Ok(evidence::ActiveModel::from(e).insert(tx.conn()).await?)
}

pub async fn get_evidence(db: &impl Read, tenant: Uuid, id: Uuid) -> StoreResult<Option<Evidence>> {
    let db = conn(db);
    Ok(evidence::Entity::find_by_id(id).filter(evidence::Column::TenantId.eq(tenant)).one(db).await?)
}

/// Evidence whose `valid_until` falls within [from, to], with the controls each serves (two queries).
pub async fn evidence_valid_until_between(
    db: &impl Read,
    tenant: Uuid,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> StoreResult<Vec<(Evidence, Vec<Uuid>)>> {
    let db = conn(db);
    let found = evidence::Entity::find()
        .filter(evidence::Column::TenantId.eq(tenant))
        .filter(evidence::Column::ValidUntil.between(from, to))
        .order_by_asc(evidence::Column::ValidUntil)
        .limit(200)
        .all(db)
        .await?;
    attach_controls(db, tenant, found).await
}

pub async fn update_evidence_validity(
    tx: &WriteTx,
    tenant: Uuid,
    id: Uuid,
    effective_from: Option<chrono::NaiveDate>,
    valid_until: Option<chrono::NaiveDate>,
) -> StoreResult<u64> {
    tx.touch(tenant, "evidence", id);
    Ok(evidence::Entity::update_many()
        .col_expr(evidence::Column::EffectiveFrom, effective_from.into())
        .col_expr(evidence::Column::ValidUntil, valid_until.into())
        .filter(evidence::Column::TenantId.eq(tenant))
        .filter(evidence::Column::Id.eq(id))
        .exec(tx.conn())
        .await?
        .rows_affected)
}

pub async fn link_evidence(tx: &WriteTx, tenant: Uuid, evidence_id: Uuid, control_id: Uuid) -> StoreResult<bool> {
    let exists = ec::Entity::find_by_id((evidence_id, control_id)).filter(ec::Column::TenantId.eq(tenant)).one(tx.conn()).await?.is_some();
    if exists {
        return Ok(false);
    }
    ec::ActiveModel::from(ec::Model { tenant_id: tenant, evidence_id, control_id }).insert(tx.conn()).await?;
    tx.touch(tenant, "evidence_controls", (evidence_id, control_id));
    Ok(true)
}

/// Every (evidence, control) link of the tenant, in one query.
pub async fn evidence_links(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<(Uuid, Uuid)>> {
    let db = conn(db);
    Ok(ec::Entity::find()
        .select_only()
        .column(ec::Column::EvidenceId)
        .column(ec::Column::ControlId)
        .filter(ec::Column::TenantId.eq(tenant))
        .into_tuple()
        .all(db)
        .await?)
}

/// Evidence linked to one control, with every control each item serves (two queries).
pub async fn evidence_of_control(db: &impl Read, tenant: Uuid, control: Uuid) -> StoreResult<Vec<(Evidence, Vec<Uuid>)>> {
    let db = conn(db);
    let ids: Vec<Uuid> = ec::Entity::find()
        .select_only()
        .column(ec::Column::EvidenceId)
        .filter(ec::Column::TenantId.eq(tenant))
        .filter(ec::Column::ControlId.eq(control))
        .into_tuple()
        .all(db)
        .await?;
    with_controls(db, tenant, ids).await
}

/// Evidence whose name contains `name` (all when None), newest first, at most `limit` items (all
/// when None), with the controls each serves.
pub async fn evidence_matching(
    db: &impl Read,
    tenant: Uuid,
    name: Option<&str>,
    limit: Option<u64>,
) -> StoreResult<Vec<(Evidence, Vec<Uuid>)>> {
    let db = conn(db);
    let mut q = evidence::Entity::find().filter(evidence::Column::TenantId.eq(tenant));
    if let Some(name) = name {
        q = q.filter(evidence::Column::Name.contains(name));
    }
    let found = q.order_by_desc(evidence::Column::CollectedAt).limit(limit).all(db).await?;
    attach_controls(db, tenant, found).await
}

/// One evidence item with the controls it serves.
pub async fn evidence_with_controls(db: &impl Read, tenant: Uuid, id: Uuid) -> StoreResult<Option<(Evidence, Vec<Uuid>)>> {
    let db = conn(db);
    Ok(with_controls(db, tenant, vec![id]).await?.into_iter().next())
}

/// Ids per `IN (…)` list: far below SQLite's (32,766) and PostgreSQL's (65,535) bound-parameter limits.
const IN_CHUNK: usize = 1000;

async fn with_controls(db: &impl Read, tenant: Uuid, ids: Vec<Uuid>) -> StoreResult<Vec<(Evidence, Vec<Uuid>)>> {
    let db = conn(db);
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        found.extend(
            evidence::Entity::find()
                .filter(evidence::Column::TenantId.eq(tenant))
                .filter(evidence::Column::Id.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    found.sort_by_key(|e| std::cmp::Reverse(e.collected_at));
    attach_controls(db, tenant, found).await
}

/// The controls each item serves, in one query: the items' own links, or (for more items than fit
/// one `IN` list) all of the tenant's links, kept where they concern these items.
async fn attach_controls(db: &impl Read, tenant: Uuid, found: Vec<Evidence>) -> StoreResult<Vec<(Evidence, Vec<Uuid>)>> {
    let db = conn(db);
    let mut controls_of: std::collections::HashMap<Uuid, Vec<Uuid>> = found.iter().map(|e| (e.id, Vec::new())).collect();
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = ec::Entity::find()
        .select_only()
        .column(ec::Column::EvidenceId)
        .column(ec::Column::ControlId)
        .filter(ec::Column::TenantId.eq(tenant));
    if found.len() <= IN_CHUNK {
        q = q.filter(ec::Column::EvidenceId.is_in(found.iter().map(|e| e.id)));
    }
    let links: Vec<(Uuid, Uuid)> = q.into_tuple().all(db).await?;
    for (evidence, control) in links {
        if let Some(controls) = controls_of.get_mut(&evidence) {
            controls.push(control);
        }
    }
    Ok(found
        .into_iter()
        .map(|e| {
            let controls = controls_of.remove(&e.id).unwrap_or_default();
            (e, controls)
        })
        .collect())
}

/// Every evidence file of the tenant: (evidence id, SHA-256, size), for deep verification.
pub async fn evidence_files(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<(Uuid, String, i64)>> {
    let rows: Vec<(Uuid, Option<String>, i64)> = evidence::Entity::find()
        .select_only()
        .column(evidence::Column::Id)
        .column(evidence::Column::Sha256)
        .column(evidence::Column::Size)
        .filter(evidence::Column::TenantId.eq(tenant))
        .into_tuple()
        .all(conn(db))
        .await?;
    Ok(rows.into_iter().filter_map(|(id, sha, size)| sha.map(|s| (id, s, size))).collect())
}

pub async fn insert_evidence_many(tx: &WriteTx, rows: Vec<Evidence>) -> StoreResult<()> {
    tx.touch_many_in(rows.iter().map(|e| (e.tenant_id, e.id)), "evidence");
    for part in rows.chunks(3_000) {
        evidence::Entity::insert_many(part.iter().cloned().map(evidence::ActiveModel::from)).exec_without_returning(tx.conn()).await?;
    }
    Ok(())
}

/// New (evidence, control) links; the caller guarantees they do not exist yet.
pub async fn link_evidence_many(tx: &WriteTx, tenant: Uuid, links: Vec<(Uuid, Uuid)>) -> StoreResult<()> {
    tx.touch_many(tenant, "evidence_controls", links.iter().copied());
    for part in links.chunks(10_000) {
        ec::Entity::insert_many(
            part.iter().map(|(e, c)| ec::ActiveModel::from(ec::Model { tenant_id: tenant, evidence_id: *e, control_id: *c })),
        )
        .exec_without_returning(tx.conn())
        .await?;
    }
    Ok(())
}
