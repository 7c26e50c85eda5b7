//! Organisation credentials (a password that opens one organisation) and e-mail verification links.
use crate::entities::{email_verification, tenant_credential};
use crate::{StoreResult, WriteTx};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

pub use email_verification::Model as EmailVerification;
pub use tenant_credential::Model as TenantCredential;

/// Most organisation credentials tried at one login: each costs an argon2 verification.
pub const MAX_TRIED: u64 = 8;

pub async fn insert(tx: &WriteTx, c: TenantCredential) -> StoreResult<TenantCredential> {
    Ok(tenant_credential::ActiveModel::from(c).insert(&**tx).await?)
}

pub async fn get(db: &impl ConnectionTrait, user: Uuid, tenant: Uuid) -> StoreResult<Option<TenantCredential>> {
    Ok(tenant_credential::Entity::find_by_id((user, tenant)).one(db).await?)
}

/// The organisation credentials of one tenant's members, by user (for the names they gave there).
pub async fn of_tenant(db: &impl ConnectionTrait, tenant: Uuid) -> StoreResult<Vec<TenantCredential>> {
    Ok(tenant_credential::Entity::find().filter(tenant_credential::Column::TenantId.eq(tenant)).all(db).await?)
}

/// A user's organisation credentials, newest first, at most [`MAX_TRIED`].
pub async fn of_user(db: &impl ConnectionTrait, user: Uuid) -> StoreResult<Vec<TenantCredential>> {
    Ok(tenant_credential::Entity::find()
        .filter(tenant_credential::Column::UserId.eq(user))
        .order_by_desc(tenant_credential::Column::CreatedAt)
        .limit(MAX_TRIED)
        .all(db)
        .await?)
}

pub async fn delete(tx: &WriteTx, user: Uuid, tenant: Uuid) -> StoreResult<()> {
    tenant_credential::Entity::delete_by_id((user, tenant)).exec(&**tx).await?;
    Ok(())
}

pub async fn insert_verification(tx: &WriteTx, v: EmailVerification) -> StoreResult<EmailVerification> {
    Ok(email_verification::ActiveModel::from(v).insert(&**tx).await?)
}

pub async fn verification(db: &impl ConnectionTrait, token_hash: &str) -> StoreResult<Option<EmailVerification>> {
    Ok(email_verification::Entity::find_by_id(token_hash.to_owned()).one(db).await?)
}

/// Marks a live verification link used; false when it was used or expired meanwhile.
pub async fn use_verification(tx: &WriteTx, token_hash: &str, now: DateTime<Utc>) -> StoreResult<bool> {
    let done = email_verification::Entity::update_many()
        .col_expr(email_verification::Column::UsedAt, Some(now).into())
        .filter(email_verification::Column::TokenHash.eq(token_hash))
        .filter(email_verification::Column::UsedAt.is_null())
        .filter(email_verification::Column::ExpiresAt.gt(now))
        .exec(&**tx)
        .await?;
    Ok(done.rows_affected == 1)
}
