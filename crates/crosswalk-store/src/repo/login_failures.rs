//! Failed logins, counted per key within a window. Shared through the database, so the bound holds
//! across several server instances.
use crate::StoreResult;
use crate::entities::login_failure;
use crate::{Read, conn};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, NotSet, PaginatorTrait, QueryFilter, Set};

pub async fn record(db: &impl Read, key: &str, at: DateTime<Utc>) -> StoreResult<()> {
    let db = conn(db);
    login_failure::ActiveModel { id: NotSet, key: Set(key.to_owned()), at: Set(at) }.insert(db).await?;
    Ok(())
}

pub async fn count_since(db: &impl Read, key: &str, since: DateTime<Utc>) -> StoreResult<u64> {
    let db = conn(db);
    Ok(login_failure::Entity::find()
        .filter(login_failure::Column::Key.eq(key))
        .filter(login_failure::Column::At.gte(since))
        .count(db)
        .await?)
}

pub async fn clear(db: &impl Read, key: &str) -> StoreResult<()> {
    let db = conn(db);
    login_failure::Entity::delete_many().filter(login_failure::Column::Key.eq(key)).exec(db).await?;
    Ok(())
}

pub async fn prune(db: &impl Read, before: DateTime<Utc>) -> StoreResult<u64> {
    let db = conn(db);
    Ok(login_failure::Entity::delete_many().filter(login_failure::Column::At.lt(before)).exec(db).await?.rows_affected)
}

/// The newest failure recorded under `key` since `since`, if any.
pub async fn last_since(db: &impl Read, key: &str, since: DateTime<Utc>) -> StoreResult<Option<DateTime<Utc>>> {
    let db = conn(db);
    use sea_orm::QueryOrder;
    Ok(login_failure::Entity::find()
        .filter(login_failure::Column::Key.eq(key))
        .filter(login_failure::Column::At.gte(since))
        .order_by_desc(login_failure::Column::At)
        .one(db)
        .await?
        .map(|f| f.at))
}
