//! Memberships: a user's role in a tenant. Every query is scoped by tenant.
use crate::entities::{membership, tenant, user};
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

pub use membership::Model as Membership;

impl Membership {
    /// A new, enabled membership; `account_accepted` when the verified account holder accepted it
    /// (or the operator granted it), false when it was set up with an organisation password.
    pub fn new(tenant: Uuid, user: Uuid, role: &str, at: chrono::DateTime<chrono::Utc>, account_accepted: bool) -> Membership {
        Membership { tenant_id: tenant, user_id: user, role: role.to_owned(), disabled: false, created_at: at, account_accepted }
    }
}

pub async fn insert(tx: &WriteTx, m: Membership) -> StoreResult<Membership> {
    tx.touch(m.tenant_id, "memberships", (m.tenant_id, m.user_id));
    Ok(membership::ActiveModel::from(m).insert(tx.conn()).await?)
}

pub async fn get(db: &impl Read, tenant: Uuid, user: Uuid) -> StoreResult<Option<Membership>> {
    let db = conn(db);
    Ok(membership::Entity::find_by_id((tenant, user)).one(db).await?)
}

/// Who a (tenant, user) pair is: what every authenticated request needs to build its actor.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Principal {
    pub role: String,
    pub disabled: bool,
    pub email: String,
    pub slug: String,
    pub tenant_name: String,
}

/// The membership with the user's e-mail and the tenant's names, in one query (it is on the path of
/// every request, so one round trip instead of three).
pub async fn principal(db: &impl Read, tenant: Uuid, user: Uuid) -> StoreResult<Option<Principal>> {
    let db = conn(db);
    let query = Query::select()
        .column((membership::Entity, membership::Column::Role))
        .column((membership::Entity, membership::Column::Disabled))
        .column((user::Entity, user::Column::Email))
        .column((tenant::Entity, tenant::Column::Slug))
        .expr_as(Expr::col((tenant::Entity, tenant::Column::Name)), Alias::new("tenant_name"))
        .from(membership::Entity)
        .inner_join(user::Entity, Expr::col((user::Entity, user::Column::Id)).equals((membership::Entity, membership::Column::UserId)))
        .inner_join(
            tenant::Entity,
            Expr::col((tenant::Entity, tenant::Column::Id)).equals((membership::Entity, membership::Column::TenantId)),
        )
        .and_where(Expr::col((membership::Entity, membership::Column::TenantId)).eq(tenant))
        .and_where(Expr::col((membership::Entity, membership::Column::UserId)).eq(user))
        .to_owned();
    Ok(Principal::find_by_statement(db.get_database_backend().build(&query)).one(db).await?)
}

/// A tenant's members with their user records, in one query.
pub async fn list_with_users(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<(Membership, user::Model)>> {
    let db = conn(db);
    let rows = membership::Entity::find()
        .filter(membership::Column::TenantId.eq(tenant))
        .find_also_related(user::Entity)
        .order_by_asc(user::Column::Email)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(m, u)| u.map(|u| (m, u))).collect())
}

/// The tenants a user belongs to (enabled memberships only).
pub async fn of_user(db: &impl Read, user: Uuid) -> StoreResult<Vec<Membership>> {
    let db = conn(db);
    Ok(membership::Entity::find()
        .filter(membership::Column::UserId.eq(user))
        .filter(membership::Column::Disabled.eq(false))
        .order_by_asc(membership::Column::CreatedAt)
        .all(db)
        .await?)
}

pub async fn update(tx: &WriteTx, tenant: Uuid, user: Uuid, role: Option<&str>, disabled: Option<bool>) -> StoreResult<()> {
    tx.touch(tenant, "memberships", (tenant, user));
    let mut am = membership::ActiveModel { tenant_id: Set(tenant), user_id: Set(user), ..Default::default() };
    if let Some(r) = role {
        am.role = Set(r.to_owned());
    }
    if let Some(d) = disabled {
        am.disabled = Set(d);
    }
    am.update(tx.conn()).await?;
    Ok(())
}

pub async fn delete(tx: &WriteTx, tenant: Uuid, user: Uuid) -> StoreResult<()> {
    tx.touch(tenant, "memberships", (tenant, user));
    membership::Entity::delete_by_id((tenant, user)).exec(tx.conn()).await?;
    Ok(())
}

/// How many enabled admins a tenant has (a tenant must keep at least one).
pub async fn count_admins(db: &impl Read, tenant: Uuid) -> StoreResult<u64> {
    let db = conn(db);
    use sea_orm::PaginatorTrait;
    Ok(membership::Entity::find()
        .filter(membership::Column::TenantId.eq(tenant))
        .filter(membership::Column::Role.eq("admin"))
        .filter(membership::Column::Disabled.eq(false))
        .count(db)
        .await?)
}

/// The membership becomes part of the verified account (reachable with the account's password).
pub async fn accept_for_account(tx: &WriteTx, tenant: Uuid, user: Uuid) -> StoreResult<()> {
    tx.touch(tenant, "memberships", (tenant, user));
    membership::Entity::update_many()
        .col_expr(membership::Column::AccountAccepted, true.into())
        .filter(membership::Column::TenantId.eq(tenant))
        .filter(membership::Column::UserId.eq(user))
        .exec(tx.conn())
        .await?;
    Ok(())
}
