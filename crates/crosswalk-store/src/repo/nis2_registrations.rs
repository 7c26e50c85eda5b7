//! The organisation's NIS2 registration record: one row per tenant, replaced when changed.
use crate::entities::nis2_registration;
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel};
use uuid::Uuid;

pub use nis2_registration::Model as Nis2Registration;

pub async fn get(db: &impl Read, tenant: Uuid) -> StoreResult<Option<Nis2Registration>> {
    let db = conn(db);
    Ok(nis2_registration::Entity::find_by_id(tenant).one(db).await?)
}

/// Insert or replace the tenant's record.
pub async fn put(tx: &WriteTx, r: Nis2Registration) -> StoreResult<Nis2Registration> {
    tx.touch(r.tenant_id, "nis2_registrations", r.tenant_id);
    nis2_registration::Entity::delete_by_id(r.tenant_id).exec(tx.conn()).await?;
    Ok(r.into_active_model().reset_all().insert(tx.conn()).await?)
}
