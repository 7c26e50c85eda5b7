//! A tenant's compliance work: followed frameworks, unified controls and their requirement links,
//! evidence and its control links, attestations. Every function takes the tenant id.
use crate::{Read, conn};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entities::{attestation, control, control_requirement as cr, evidence, evidence_control as ec, tenant_framework};
use crate::{StoreResult, WriteTx};

pub use attestation::Model as Attestation;
pub use control::Model as Control;
pub use evidence::Model as Evidence;

pub async fn follow(tx: &WriteTx, tenant: Uuid, framework_id: i64, now: chrono::DateTime<chrono::Utc>) -> StoreResult<bool> {
    if followed(tx, tenant).await?.contains(&framework_id) {
        return Ok(false);
    }
    tenant_framework::ActiveModel::from(tenant_framework::Model {
        tenant_id: tenant,
        framework_id,
        created_at: crate::truncate_micros(now),
    })
    .insert(tx.conn())
    .await?;
    tx.touch(tenant, "tenant_frameworks", (tenant, framework_id));
    Ok(true)
}

pub async fn unfollow(tx: &WriteTx, tenant: Uuid, framework_id: i64) -> StoreResult<u64> {
    tx.touch(tenant, "tenant_frameworks", (tenant, framework_id));
    Ok(tenant_framework::Entity::delete_many()
        .filter(tenant_framework::Column::TenantId.eq(tenant))
        .filter(tenant_framework::Column::FrameworkId.eq(framework_id))
        .exec(tx.conn())
        .await?
        .rows_affected)
}

pub async fn followed(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<i64>> {
    let db = conn(db);
    Ok(tenant_framework::Entity::find()
        .select_only()
        .column(tenant_framework::Column::FrameworkId)
        .filter(tenant_framework::Column::TenantId.eq(tenant))
        .order_by_asc(tenant_framework::Column::CreatedAt)
        .into_tuple()
        .all(db)
        .await?)
}

pub async fn insert_control(tx: &WriteTx, c: Control) -> StoreResult<Control> {
    tx.touch(c.tenant_id, "controls", c.id);
    Ok(control::ActiveModel::from(c).insert(tx.conn()).await?)
}

pub async fn get_control(db: &impl Read, tenant: Uuid, id: Uuid) -> StoreResult<Option<Control>> {
    let db = conn(db);
    Ok(control::Entity::find_by_id(id).filter(control::Column::TenantId.eq(tenant)).one(db).await?)
}

pub async fn controls(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Control>> {
    let db = conn(db);
    Ok(control::Entity::find().filter(control::Column::TenantId.eq(tenant)).order_by_asc(control::Column::Name).all(db).await?)
}

/// Replaces a control's editable fields (the caller has loaded it through the tenant scope).
pub async fn update_control(tx: &WriteTx, c: Control) -> StoreResult<Control> {
    tx.touch(c.tenant_id, "controls", c.id);
    let mut active: control::ActiveModel = c.clone().into();
    for column in [
        control::Column::Name,
        control::Column::Description,
        control::Column::OwnerId,
        control::Column::Status,
        control::Column::Justification,
        control::Column::UpdatedAt,
    ] {
        active.reset(column);
    }
    Ok(control::Entity::update(active).filter(control::Column::TenantId.eq(c.tenant_id)).exec(tx.conn()).await?)
}

pub async fn link(tx: &WriteTx, tenant: Uuid, control_id: Uuid, requirement_id: i64) -> StoreResult<bool> {
    let exists =
        cr::Entity::find_by_id((control_id, requirement_id)).filter(cr::Column::TenantId.eq(tenant)).one(tx.conn()).await?.is_some();
    if exists {
        return Ok(false);
    }
    cr::ActiveModel::from(cr::Model { tenant_id: tenant, control_id, requirement_id }).insert(tx.conn()).await?;
    tx.touch(tenant, "control_requirements", (control_id, requirement_id));
    Ok(true)
}

pub async fn unlink(tx: &WriteTx, tenant: Uuid, control_id: Uuid, requirement_id: i64) -> StoreResult<u64> {
    tx.touch(tenant, "control_requirements", (control_id, requirement_id));
    Ok(cr::Entity::delete_many()
        .filter(cr::Column::TenantId.eq(tenant))
        .filter(cr::Column::ControlId.eq(control_id))
        .filter(cr::Column::RequirementId.eq(requirement_id))
        .exec(tx.conn())
        .await?
        .rows_affected)
}

/// Every (control, requirement) link of the tenant, in one query.
pub async fn links(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<(Uuid, i64)>> {
    let db = conn(db);
    Ok(cr::Entity::find()
        .select_only()
        .column(cr::Column::ControlId)
        .column(cr::Column::RequirementId)
        .filter(cr::Column::TenantId.eq(tenant))
        .into_tuple()
        .all(db)
        .await?)
}

/// What readiness needs of each control: (id, name, status), without the text columns.
pub async fn control_states(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<(Uuid, String, String)>> {
    let db = conn(db);
    Ok(control::Entity::find()
        .select_only()
        .column(control::Column::Id)
        .column(control::Column::Name)
        .column(control::Column::Status)
        .filter(control::Column::TenantId.eq(tenant))
        .into_tuple()
        .all(db)
        .await?)
}

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

pub async fn insert_attestation(tx: &WriteTx, a: Attestation) -> StoreResult<Attestation> {
    tx.touch(a.tenant_id, "attestations", a.id);
    Ok(attestation::ActiveModel::from(a).insert(tx.conn()).await?)
}

pub async fn attestations(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Attestation>> {
    let db = conn(db);
    Ok(attestation::Entity::find()
        .filter(attestation::Column::TenantId.eq(tenant))
        .order_by_desc(attestation::Column::AttestedOn)
        .all(db)
        .await?)
}

/// Attestations of one control, or of one requirement (newest first).
pub async fn attestations_of(
    db: &impl Read,
    tenant: Uuid,
    control: Option<Uuid>,
    requirement: Option<i64>,
) -> StoreResult<Vec<Attestation>> {
    let db = conn(db);
    let mut q = attestation::Entity::find().filter(attestation::Column::TenantId.eq(tenant));
    if let Some(c) = control {
        q = q.filter(attestation::Column::ControlId.eq(c));
    }
    if let Some(r) = requirement {
        q = q.filter(attestation::Column::RequirementId.eq(r));
    }
    Ok(q.order_by_desc(attestation::Column::AttestedOn).order_by_desc(attestation::Column::CreatedAt).all(db).await?)
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

/// Bulk inserts (imports, generated organisations): multi-row statements, each row registered for
/// the journal entry that must follow. Chunks stay below SQLite's 32,766 bound parameters.
pub async fn insert_controls_many(tx: &WriteTx, rows: Vec<Control>) -> StoreResult<()> {
    tx.touch_many_in(rows.iter().map(|c| (c.tenant_id, c.id)), "controls");
    for part in rows.chunks(3_000) {
        control::Entity::insert_many(part.iter().cloned().map(control::ActiveModel::from)).exec_without_returning(tx.conn()).await?;
    }
    Ok(())
}

pub async fn insert_evidence_many(tx: &WriteTx, rows: Vec<Evidence>) -> StoreResult<()> {
    tx.touch_many_in(rows.iter().map(|e| (e.tenant_id, e.id)), "evidence");
    for part in rows.chunks(3_000) {
        evidence::Entity::insert_many(part.iter().cloned().map(evidence::ActiveModel::from)).exec_without_returning(tx.conn()).await?;
    }
    Ok(())
}

/// New (control, requirement) links; the caller guarantees they do not exist yet.
pub async fn link_many(tx: &WriteTx, tenant: Uuid, links: Vec<(Uuid, i64)>) -> StoreResult<()> {
    tx.touch_many(tenant, "control_requirements", links.iter().copied());
    for part in links.chunks(10_000) {
        cr::Entity::insert_many(
            part.iter().map(|(c, r)| cr::ActiveModel::from(cr::Model { tenant_id: tenant, control_id: *c, requirement_id: *r })),
        )
        .exec_without_returning(tx.conn())
        .await?;
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
