//! Organisation credentials (a password that opens one organisation) and e-mail verification links.
use crate::entities::{email_verification, tenant_credential};
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

pub use email_verification::Model as EmailVerification;
pub use tenant_credential::Model as TenantCredential;

pub async fn insert(tx: &WriteTx, c: TenantCredential) -> StoreResult<TenantCredential> {
    tx.touch(c.tenant_id, "tenant_credentials", (c.user_id, c.tenant_id));
    Ok(tenant_credential::ActiveModel::from(c).insert(tx.conn()).await?)
}

pub async fn get(db: &impl Read, user: Uuid, tenant: Uuid) -> StoreResult<Option<TenantCredential>> {
    let db = conn(db);
    Ok(tenant_credential::Entity::find_by_id((user, tenant)).one(db).await?)
}

/// The organisation credentials of one tenant's members, by user (for the names they gave there).
pub async fn of_tenant(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<TenantCredential>> {
    let db = conn(db);
    Ok(tenant_credential::Entity::find().filter(tenant_credential::Column::TenantId.eq(tenant)).all(db).await?)
}

/// Up to two of a user's organisation credentials (a login without an organisation named may use
/// the only one; two means the person must name the organisation).
pub async fn of_user(db: &impl Read, user: Uuid) -> StoreResult<Vec<TenantCredential>> {
    let db = conn(db);
    Ok(tenant_credential::Entity::find().filter(tenant_credential::Column::UserId.eq(user)).limit(2).all(db).await?)
}

pub async fn delete(tx: &WriteTx, user: Uuid, tenant: Uuid) -> StoreResult<()> {
    tx.touch(tenant, "tenant_credentials", (user, tenant));
    tenant_credential::Entity::delete_by_id((user, tenant)).exec(tx.conn()).await?;
    Ok(())
}

pub async fn insert_verification(tx: &WriteTx, v: EmailVerification) -> StoreResult<EmailVerification> {
    Ok(email_verification::ActiveModel::from(v).insert(tx.conn()).await?)
}

pub async fn verification(db: &impl Read, token_hash: &str) -> StoreResult<Option<EmailVerification>> {
    let db = conn(db);
    Ok(email_verification::Entity::find_by_id(token_hash.to_owned()).one(db).await?)
}

/// Marks a live verification link used; false when it was used or expired meanwhile.
pub async fn use_verification(tx: &WriteTx, token_hash: &str, now: DateTime<Utc>) -> StoreResult<bool> {
    let done = email_verification::Entity::update_many()
        .col_expr(email_verification::Column::UsedAt, Some(now).into())
        .filter(email_verification::Column::TokenHash.eq(token_hash))
        .filter(email_verification::Column::UsedAt.is_null())
        .filter(email_verification::Column::ExpiresAt.gt(now))
        .exec(tx.conn())
        .await?;
    Ok(done.rows_affected == 1)
}

/// How many verification links were issued for the user since `since` (rate limit).
pub async fn verifications_since(db: &impl Read, user: Uuid, since: DateTime<Utc>) -> StoreResult<u64> {
    let db = conn(db);
    use sea_orm::PaginatorTrait;
    Ok(email_verification::Entity::find()
        .filter(email_verification::Column::UserId.eq(user))
        .filter(email_verification::Column::CreatedAt.gte(since))
        .count(db)
        .await?)
}
