//! The job table and notifications. Due jobs are claimed inside the caller's write transaction; on
//! PostgreSQL with `FOR UPDATE SKIP LOCKED`, so concurrent instances never run a job twice.
use crate::entities::{job, notification};
use crate::{Engine, StoreResult, WriteTx};
use crate::{Read, conn};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::LockBehavior;
use sea_orm::sea_query::LockType;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

pub use job::Model as Job;
pub use notification::Model as Notification;

pub async fn insert(tx: &WriteTx, j: Job) -> StoreResult<()> {
    job::ActiveModel::from(j).insert(tx.conn()).await?;
    Ok(())
}

/// Remove the pending (not yet done) jobs of one kind about one subject, before rescheduling them.
pub async fn delete_pending(tx: &WriteTx, tenant: Uuid, kind: &str, subject: &str) -> StoreResult<()> {
    job::Entity::delete_many()
        .filter(job::Column::TenantId.eq(tenant))
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::Subject.eq(subject))
        .filter(job::Column::DoneAt.is_null())
        .exec(tx.conn())
        .await?;
    Ok(())
}

/// Claim up to `limit` due jobs (all tenants: this is the scheduler's view).
pub async fn claim_due(tx: &WriteTx, now: DateTime<Utc>, limit: u64) -> StoreResult<Vec<Job>> {
    let mut q = job::Entity::find()
        .filter(job::Column::DoneAt.is_null())
        .filter(job::Column::RunAt.lte(now))
        .order_by_asc(job::Column::RunAt)
        .limit(limit);
    if tx.engine() == Engine::Postgres {
        q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Ok(q.all(tx.conn()).await?)
}

pub async fn mark_done(tx: &WriteTx, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
    job::Entity::update_many().col_expr(job::Column::DoneAt, Some(at).into()).filter(job::Column::Id.eq(id)).exec(tx.conn()).await?;
    Ok(())
}

pub async fn pending(db: &impl Read, tenant: Uuid, subject: &str) -> StoreResult<Vec<Job>> {
    let db = conn(db);
    Ok(job::Entity::find()
        .filter(job::Column::TenantId.eq(tenant))
        .filter(job::Column::Subject.eq(subject))
        .filter(job::Column::DoneAt.is_null())
        .order_by_asc(job::Column::RunAt)
        .all(db)
        .await?)
}

pub async fn notify(tx: &WriteTx, n: Notification) -> StoreResult<()> {
    notification::ActiveModel::from(n).insert(tx.conn()).await?;
    Ok(())
}

/// Newest first.
pub async fn notifications(db: &impl Read, tenant: Uuid, limit: u64) -> StoreResult<Vec<Notification>> {
    let db = conn(db);
    Ok(notification::Entity::find()
        .filter(notification::Column::TenantId.eq(tenant))
        .order_by_desc(notification::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?)
}
