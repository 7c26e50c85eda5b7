//! Management-body approvals and trainings, scoped by tenant.
use crate::entities::{management_approval as ap, management_training as tr};
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use ap::Model as Approval;
pub use tr::Model as Training;

pub async fn insert_approval(tx: &WriteTx, a: Approval) -> StoreResult<Approval> {
    tx.touch(a.tenant_id, "management_approvals", a.id);
    Ok(ap::ActiveModel::from(a).insert(tx.conn()).await?)
}

pub async fn insert_training(tx: &WriteTx, t: Training) -> StoreResult<Training> {
    tx.touch(t.tenant_id, "management_trainings", t.id);
    Ok(tr::ActiveModel::from(t).insert(tx.conn()).await?)
}

/// Newest decision first.
pub async fn approvals(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Approval>> {
    let db = conn(db);
    Ok(ap::Entity::find().filter(ap::Column::TenantId.eq(tenant)).order_by_desc(ap::Column::DecidedOn).all(db).await?)
}

/// Newest completion first.
pub async fn trainings(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Training>> {
    let db = conn(db);
    Ok(tr::Entity::find().filter(tr::Column::TenantId.eq(tenant)).order_by_desc(tr::Column::CompletedOn).all(db).await?)
}
