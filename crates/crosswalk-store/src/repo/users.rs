//! Users: global identities (e-mail, password hash).
use crate::entities::user;
use crate::{StoreResult, WriteTx};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use user::Model as User;

pub async fn insert(tx: &WriteTx, u: User) -> StoreResult<User> {
    Ok(user::ActiveModel::from(u).insert(&**tx).await?)
}

pub async fn by_email(db: &impl ConnectionTrait, email: &str) -> StoreResult<Option<User>> {
    Ok(user::Entity::find().filter(user::Column::Email.eq(email)).one(db).await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<User>> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

/// E-mail addresses of the given users (people named in records, who may since have left a tenant).
pub async fn emails(db: &impl ConnectionTrait, ids: &[Uuid]) -> StoreResult<Vec<(Uuid, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect())
}
