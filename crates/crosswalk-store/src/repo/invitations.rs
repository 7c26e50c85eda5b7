//! Invitations to an organisation. Redemption is a conditional update, so a link is used once even
//! when two requests race.
use crate::entities::invitation;
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use invitation::Model as Invitation;

pub async fn insert(tx: &WriteTx, i: Invitation) -> StoreResult<Invitation> {
    tx.touch(i.tenant_id, "invitations", i.id);
    Ok(invitation::ActiveModel::from(i).insert(tx.conn()).await?)
}

pub async fn by_token_hash(db: &impl Read, hash: &str) -> StoreResult<Option<Invitation>> {
    let db = conn(db);
    Ok(invitation::Entity::find().filter(invitation::Column::TokenHash.eq(hash)).one(db).await?)
}

/// An organisation's invitations, newest first.
pub async fn list(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Invitation>> {
    let db = conn(db);
    Ok(invitation::Entity::find()
        .filter(invitation::Column::TenantId.eq(tenant))
        .order_by_desc(invitation::Column::CreatedAt)
        .all(db)
        .await?)
}

pub async fn get(db: &impl Read, tenant: Uuid, id: Uuid) -> StoreResult<Option<Invitation>> {
    let db = conn(db);
    Ok(invitation::Entity::find_by_id(id).filter(invitation::Column::TenantId.eq(tenant)).one(db).await?)
}

/// Marks a live invitation redeemed; false when it was redeemed, revoked or expired meanwhile.
pub async fn redeem(tx: &WriteTx, tenant: Uuid, id: Uuid, by: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
    tx.touch(tenant, "invitations", id);
    let done = invitation::Entity::update_many()
        .col_expr(invitation::Column::RedeemedAt, Some(now).into())
        .col_expr(invitation::Column::RedeemedBy, Some(by).into())
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::TenantId.eq(tenant))
        .filter(invitation::Column::RedeemedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .exec(tx.conn())
        .await?;
    Ok(done.rows_affected == 1)
}

/// Revokes a pending invitation of the tenant; false when there is none to revoke.
pub async fn revoke(tx: &WriteTx, tenant: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
    tx.touch(tenant, "invitations", id);
    let done = invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Some(now).into())
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::TenantId.eq(tenant))
        .filter(invitation::Column::RedeemedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(tx.conn())
        .await?;
    Ok(done.rows_affected == 1)
}

/// How many invitations the tenant created since `since` (rate limit).
pub async fn created_since(db: &impl Read, tenant: Uuid, since: DateTime<Utc>) -> StoreResult<u64> {
    let db = conn(db);
    use sea_orm::PaginatorTrait;
    Ok(invitation::Entity::find()
        .filter(invitation::Column::TenantId.eq(tenant))
        .filter(invitation::Column::CreatedAt.gte(since))
        .count(db)
        .await?)
}
