//! The Statement of Applicability, scoped by tenant.
use crate::{Read, conn};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::{soa_entry, soa_version};
use crate::{StoreResult, WriteTx};

pub use soa_entry::Model as Entry;
pub use soa_version::Model as Version;

pub async fn entries(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Entry>> {
    let db = conn(db);
    Ok(soa_entry::Entity::find().filter(soa_entry::Column::TenantId.eq(tenant)).all(db).await?)
}

/// Records a decision, replacing the previous one for that control.
pub async fn put_entry(tx: &WriteTx, e: Entry) -> StoreResult<()> {
    tx.touch(e.tenant_id, "soa_entries", (e.tenant_id, e.reference.clone()));
    soa_entry::Entity::delete_many()
        .filter(soa_entry::Column::TenantId.eq(e.tenant_id))
        .filter(soa_entry::Column::Reference.eq(e.reference.clone()))
        .exec(tx.conn())
        .await?;
    soa_entry::ActiveModel::from(e).insert(tx.conn()).await?;
    Ok(())
}

pub async fn versions(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Version>> {
    let db = conn(db);
    Ok(soa_version::Entity::find()
        .filter(soa_version::Column::TenantId.eq(tenant))
        .order_by_desc(soa_version::Column::Version)
        .all(db)
        .await?)
}

pub async fn version(db: &impl Read, tenant: Uuid, version: i32) -> StoreResult<Option<Version>> {
    let db = conn(db);
    Ok(soa_version::Entity::find_by_id((tenant, version)).one(db).await?)
}

pub async fn insert_version(tx: &WriteTx, v: Version) -> StoreResult<Version> {
    tx.touch(v.tenant_id, "soa_versions", (v.tenant_id, v.version));
    Ok(soa_version::ActiveModel::from(v).insert(tx.conn()).await?)
}

/// Approve a version that is not approved yet; 0 rows affected means it was (e.g. by a concurrent
/// approval), and the caller must not journal an approval.
pub async fn approve(tx: &WriteTx, tenant: Uuid, version: i32, by: &str, at: chrono::DateTime<chrono::Utc>) -> StoreResult<u64> {
    tx.touch(tenant, "soa_versions", (tenant, version));
    Ok(soa_version::Entity::update_many()
        .col_expr(soa_version::Column::ApprovedBy, Some(by.to_owned()).into())
        .col_expr(soa_version::Column::ApprovedAt, Some(at).into())
        .filter(soa_version::Column::TenantId.eq(tenant))
        .filter(soa_version::Column::Version.eq(version))
        .filter(soa_version::Column::ApprovedBy.is_null())
        .exec(tx.conn())
        .await?
        .rows_affected)
}
