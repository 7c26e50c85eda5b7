//! Tenants (organisations).
use crate::entities::tenant;
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use tenant::Model as Tenant;

pub async fn insert(tx: &WriteTx, t: Tenant) -> StoreResult<Tenant> {
    tx.touch(crate::records::INSTALLATION, "tenants", t.id);
    Ok(tenant::ActiveModel::from(t).insert(tx.conn()).await?)
}

pub async fn by_slug(db: &impl Read, slug: &str) -> StoreResult<Option<Tenant>> {
    let db = conn(db);
    Ok(tenant::Entity::find().filter(tenant::Column::Slug.eq(slug)).one(db).await?)
}

pub async fn by_id(db: &impl Read, id: Uuid) -> StoreResult<Option<Tenant>> {
    let db = conn(db);
    Ok(tenant::Entity::find_by_id(id).one(db).await?)
}

pub async fn by_ids(db: &impl Read, ids: Vec<Uuid>) -> StoreResult<Vec<Tenant>> {
    let db = conn(db);
    Ok(tenant::Entity::find().filter(tenant::Column::Id.is_in(ids)).order_by_asc(tenant::Column::Slug).all(db).await?)
}

pub async fn all(db: &impl Read) -> StoreResult<Vec<Tenant>> {
    let db = conn(db);
    Ok(tenant::Entity::find().order_by_asc(tenant::Column::Slug).all(db).await?)
}

pub async fn rename(tx: &WriteTx, id: Uuid, name: &str) -> StoreResult<()> {
    tx.touch(crate::records::INSTALLATION, "tenants", id);
    tenant::Entity::update_many().col_expr(tenant::Column::Name, name.into()).filter(tenant::Column::Id.eq(id)).exec(tx.conn()).await?;
    Ok(())
}
