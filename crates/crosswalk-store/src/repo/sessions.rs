//! Browser sessions. Rows are keyed by the hash of the cookie secret.
use crate::entities::session;
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use session::Model as Session;

pub async fn insert(tx: &WriteTx, s: Session) -> StoreResult<Session> {
    Ok(session::ActiveModel::from(s).insert(tx.conn()).await?)
}

pub async fn get(db: &impl Read, id_hash: &str) -> StoreResult<Option<Session>> {
    let db = conn(db);
    Ok(session::Entity::find_by_id(id_hash.to_owned()).one(db).await?)
}

/// Slide the idle expiry forward. Not journaled: it records activity, not a change of any record.
pub async fn touch(db: &impl Read, id_hash: &str, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> StoreResult<()> {
    let db = conn(db);
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, now.into())
        .col_expr(session::Column::ExpiresAt, expires_at.into())
        .filter(session::Column::IdHash.eq(id_hash))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete(tx: &WriteTx, id_hash: &str) -> StoreResult<()> {
    session::Entity::delete_by_id(id_hash.to_owned()).exec(tx.conn()).await?;
    Ok(())
}

/// End every session of a user in a tenant (after removal, disabling or a role change).
pub async fn delete_for_member(tx: &WriteTx, tenant: Uuid, user: Uuid) -> StoreResult<()> {
    session::Entity::delete_many()
        .filter(session::Column::TenantId.eq(tenant))
        .filter(session::Column::UserId.eq(user))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// End the user's account sessions (opened with the account's own password) everywhere, and the
/// sessions opened with the organisation password of `tenant` (after the account password changes).
pub async fn delete_for_account(tx: &WriteTx, user: Uuid, tenant: Uuid) -> StoreResult<()> {
    use sea_orm::sea_query::Condition;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user))
        .filter(Condition::any().add(session::Column::Bound.eq(false)).add(session::Column::TenantId.eq(tenant)))
        .exec(tx.conn())
        .await?;
    Ok(())
}

pub async fn delete_expired(db: &impl Read, now: DateTime<Utc>) -> StoreResult<u64> {
    let db = conn(db);
    Ok(session::Entity::delete_many().filter(session::Column::ExpiresAt.lt(now)).exec(db).await?.rows_affected)
}
