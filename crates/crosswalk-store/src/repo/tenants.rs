//! Tenants (organisations).
use crate::entities::tenant;
use crate::{StoreResult, WriteTx};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use tenant::Model as Tenant;

pub async fn insert(tx: &WriteTx, t: Tenant) -> StoreResult<Tenant> {
    Ok(tenant::ActiveModel::from(t).insert(&**tx).await?)
}

pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> StoreResult<Option<Tenant>> {
    Ok(tenant::Entity::find().filter(tenant::Column::Slug.eq(slug)).one(db).await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<Tenant>> {
    Ok(tenant::Entity::find_by_id(id).one(db).await?)
}

pub async fn by_ids(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> StoreResult<Vec<Tenant>> {
    Ok(tenant::Entity::find().filter(tenant::Column::Id.is_in(ids)).order_by_asc(tenant::Column::Slug).all(db).await?)
}

pub async fn all(db: &impl ConnectionTrait) -> StoreResult<Vec<Tenant>> {
    Ok(tenant::Entity::find().order_by_asc(tenant::Column::Slug).all(db).await?)
}

pub async fn rename(tx: &WriteTx, id: Uuid, name: &str) -> StoreResult<()> {
    tenant::Entity::update_many().col_expr(tenant::Column::Name, name.into()).filter(tenant::Column::Id.eq(id)).exec(&**tx).await?;
    Ok(())
}
