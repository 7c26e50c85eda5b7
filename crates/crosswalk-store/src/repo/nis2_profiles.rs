//! The organisation's NIS2 scoping result: one row per tenant, replaced when re-scoped.
use crate::entities::nis2_profile;
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use sea_orm::{ActiveModelTrait, EntityTrait};
use uuid::Uuid;

pub use nis2_profile::Model as Nis2Profile;

pub async fn get(db: &impl Read, tenant: Uuid) -> StoreResult<Option<Nis2Profile>> {
    let db = conn(db);
    Ok(nis2_profile::Entity::find_by_id(tenant).one(db).await?)
}

/// Insert or replace the tenant's profile.
pub async fn put(tx: &WriteTx, p: Nis2Profile) -> StoreResult<Nis2Profile> {
    tx.touch(p.tenant_id, "nis2_profiles", p.tenant_id);
    nis2_profile::Entity::delete_by_id(p.tenant_id).exec(tx.conn()).await?;
    Ok(nis2_profile::ActiveModel::from(p).insert(tx.conn()).await?)
}
