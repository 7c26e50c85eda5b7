//! A tenant's attestations (a named person's statement that a control or requirement is met).
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::attestation;
use crate::{Read, StoreResult, WriteTx, conn};

pub use attestation::Model as Attestation;

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
