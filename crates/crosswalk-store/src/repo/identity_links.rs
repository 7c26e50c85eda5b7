//! Identity links: which account an OIDC login (issuer, subject) opens. Journaled on the
//! installation's chain, like the accounts they point to.
use crate::entities::identity_link;
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use identity_link::Model as IdentityLink;

pub async fn insert(tx: &WriteTx, link: IdentityLink) -> StoreResult<IdentityLink> {
    tx.touch(crate::records::INSTALLATION, "identity_links", link.id);
    Ok(identity_link::ActiveModel::from(link).insert(tx.conn()).await?)
}

/// The link for exactly this (issuer, subject): both must match, so the same subject at another
/// issuer is another person.
pub async fn by_identity(db: &impl Read, issuer: &str, subject: &str) -> StoreResult<Option<IdentityLink>> {
    let db = conn(db);
    Ok(identity_link::Entity::find()
        .filter(identity_link::Column::Issuer.eq(issuer))
        .filter(identity_link::Column::Subject.eq(subject))
        .one(db)
        .await?)
}

/// An account's linked logins, oldest first.
pub async fn of_user(db: &impl Read, user: Uuid) -> StoreResult<Vec<IdentityLink>> {
    let db = conn(db);
    Ok(identity_link::Entity::find()
        .filter(identity_link::Column::UserId.eq(user))
        .order_by_asc(identity_link::Column::CreatedAt)
        .order_by_asc(identity_link::Column::Id)
        .all(db)
        .await?)
}

/// Remove one of `user`'s links; false when the user has no link with that id.
pub async fn delete(tx: &WriteTx, user: Uuid, id: Uuid) -> StoreResult<bool> {
    tx.touch(crate::records::INSTALLATION, "identity_links", id);
    let res = identity_link::Entity::delete_many()
        .filter(identity_link::Column::Id.eq(id))
        .filter(identity_link::Column::UserId.eq(user))
        .exec(tx.conn())
        .await?;
    Ok(res.rows_affected == 1)
}
