//! API tokens. Lookups by secret hash are global (the token names its tenant); everything else is
//! scoped by tenant.
use crate::entities::{api_token, user};
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

pub use api_token::Model as ApiToken;

pub async fn insert(tx: &WriteTx, t: ApiToken) -> StoreResult<ApiToken> {
    tx.touch(t.tenant_id, "api_tokens", t.id);
    Ok(api_token::ActiveModel::from(t).insert(tx.conn()).await?)
}

pub async fn by_secret_hash(db: &impl Read, hash: &str) -> StoreResult<Option<ApiToken>> {
    let db = conn(db);
    Ok(api_token::Entity::find().filter(api_token::Column::SecretHash.eq(hash)).one(db).await?)
}

pub async fn get(db: &impl Read, tenant: Uuid, id: Uuid) -> StoreResult<Option<ApiToken>> {
    let db = conn(db);
    Ok(api_token::Entity::find_by_id(id).filter(api_token::Column::TenantId.eq(tenant)).one(db).await?)
}

/// A tenant's tokens with their owners, optionally only one user's, in one query.
pub async fn list(db: &impl Read, tenant: Uuid, only_user: Option<Uuid>) -> StoreResult<Vec<(ApiToken, Option<user::Model>)>> {
    let db = conn(db);
    let mut q = api_token::Entity::find().filter(api_token::Column::TenantId.eq(tenant));
    if let Some(u) = only_user {
        q = q.filter(api_token::Column::UserId.eq(u));
    }
    Ok(q.find_also_related(user::Entity).order_by_desc(api_token::Column::CreatedAt).all(db).await?)
}

pub async fn revoke(tx: &WriteTx, tenant: Uuid, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
    tx.touch(tenant, "api_tokens", id);
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Some(at).into())
        .filter(api_token::Column::TenantId.eq(tenant))
        .filter(api_token::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Revoke every live token of a member (after removal or disabling).
pub async fn revoke_for_member(tx: &WriteTx, tenant: Uuid, user: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
    let ids: Vec<Uuid> = api_token::Entity::find()
        .select_only()
        .column(api_token::Column::Id)
        .filter(api_token::Column::TenantId.eq(tenant))
        .filter(api_token::Column::UserId.eq(user))
        .filter(api_token::Column::RevokedAt.is_null())
        .into_tuple()
        .all(tx.conn())
        .await?;
    tx.touch_many(tenant, "api_tokens", ids);
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Some(at).into())
        .filter(api_token::Column::TenantId.eq(tenant))
        .filter(api_token::Column::UserId.eq(user))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Record use. Not journaled: it is telemetry, not a change of any record.
pub async fn touch(db: &impl Read, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
    let db = conn(db);
    api_token::ActiveModel { id: Set(id), last_used_at: Set(Some(at)), ..Default::default() }.update(db).await?;
    Ok(())
}
