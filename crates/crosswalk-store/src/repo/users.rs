//! Users: global identities (e-mail, password hash).
use crate::entities::user;
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use user::Model as User;

impl User {
    /// A new account. Its id is random, not time-ordered: an id shown to one organisation says
    /// nothing about when the account was created or whether it existed before.
    pub fn new(
        email: &str,
        display_name: String,
        password_hash: Option<String>,
        verified_at: Option<chrono::DateTime<chrono::Utc>>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> User {
        User { id: Uuid::new_v4(), email: email.to_owned(), display_name, password_hash, created_at: now, email_verified_at: verified_at }
    }
}

pub async fn insert(tx: &WriteTx, u: User) -> StoreResult<User> {
    tx.touch(crate::records::INSTALLATION, "users", u.id);
    Ok(user::ActiveModel::from(u).insert(tx.conn()).await?)
}

pub async fn by_email(db: &impl Read, email: &str) -> StoreResult<Option<User>> {
    let db = conn(db);
    Ok(user::Entity::find().filter(user::Column::Email.eq(email)).one(db).await?)
}

pub async fn by_id(db: &impl Read, id: Uuid) -> StoreResult<Option<User>> {
    let db = conn(db);
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

/// E-mail addresses of the given users (people named in records, who may since have left a tenant).
pub async fn emails(db: &impl Read, ids: &[Uuid]) -> StoreResult<Vec<(Uuid, String)>> {
    let db = conn(db);
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

/// Marks the account's address verified and, when given, sets the account's own password.
pub async fn set_verified(tx: &WriteTx, id: Uuid, at: chrono::DateTime<chrono::Utc>, password_hash: Option<String>) -> StoreResult<()> {
    tx.touch(crate::records::INSTALLATION, "users", id);
    let mut update = user::Entity::update_many().col_expr(user::Column::EmailVerifiedAt, Some(at).into()).filter(user::Column::Id.eq(id));
    if let Some(hash) = password_hash {
        update = update.col_expr(user::Column::PasswordHash, Some(hash).into());
    }
    update.exec(tx.conn()).await?;
    Ok(())
}
