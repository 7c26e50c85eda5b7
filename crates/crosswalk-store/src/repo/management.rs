//! Management-body approvals and trainings, scoped by tenant.
use crate::entities::{management_approval as ap, management_training as tr};
use crate::{StoreResult, WriteTx};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use ap::Model as Approval;
pub use tr::Model as Training;

pub async fn insert_approval(tx: &WriteTx, a: Approval) -> StoreResult<Approval> {
    Ok(ap::ActiveModel::from(a).insert(&**tx).await?)
}

pub async fn insert_training(tx: &WriteTx, t: Training) -> StoreResult<Training> {
    Ok(tr::ActiveModel::from(t).insert(&**tx).await?)
}

/// Newest decision first.
pub async fn approvals(db: &impl ConnectionTrait, tenant: Uuid) -> StoreResult<Vec<Approval>> {
    Ok(ap::Entity::find().filter(ap::Column::TenantId.eq(tenant)).order_by_desc(ap::Column::DecidedOn).all(db).await?)
}

/// Newest completion first.
pub async fn trainings(db: &impl ConnectionTrait, tenant: Uuid) -> StoreResult<Vec<Training>> {
    Ok(tr::Entity::find().filter(tr::Column::TenantId.eq(tenant)).order_by_desc(tr::Column::CompletedOn).all(db).await?)
}
