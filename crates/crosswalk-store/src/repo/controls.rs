//! A tenant's compliance work: followed frameworks, unified controls and their requirement links.
//! Evidence ([`super::evidence`]) and attestations ([`super::attestations`]) have modules of their
//! own. Every function takes the tenant id.
use crate::{Read, conn};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entities::{control, control_requirement as cr, tenant_framework};
use crate::{StoreResult, WriteTx};

pub use control::Model as Control;

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
    let removed = tenant_framework::Entity::delete_many()
        .filter(tenant_framework::Column::TenantId.eq(tenant))
        .filter(tenant_framework::Column::FrameworkId.eq(framework_id))
        .exec(tx.conn())
        .await?
        .rows_affected;
    // Only a removed row is a change to journal: unfollowing what is not followed writes nothing.
    if removed > 0 {
        tx.touch(tenant, "tenant_frameworks", (tenant, framework_id));
    }
    Ok(removed)
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

/// Bulk inserts (imports, generated organisations): multi-row statements, each row registered for
/// the journal entry that must follow. Chunks stay below SQLite's 32,766 bound parameters.
pub async fn insert_controls_many(tx: &WriteTx, rows: Vec<Control>) -> StoreResult<()> {
    tx.touch_many_in(rows.iter().map(|c| (c.tenant_id, c.id)), "controls");
    for part in rows.chunks(3_000) {
        control::Entity::insert_many(part.iter().cloned().map(control::ActiveModel::from)).exec_without_returning(tx.conn()).await?;
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
