//! Daily readiness snapshots, scoped by tenant.
use crate::{Read, conn};
use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::readiness_snapshot as rs;
use crate::{StoreResult, WriteTx};

pub use rs::Model as Snapshot;

/// Stores the day's snapshot, replacing one already taken that day.
pub async fn upsert(tx: &WriteTx, s: Snapshot) -> StoreResult<()> {
    rs::Entity::delete_many()
        .filter(rs::Column::TenantId.eq(s.tenant_id))
        .filter(rs::Column::FrameworkId.eq(s.framework_id))
        .filter(rs::Column::Day.eq(s.day))
        .exec(tx.conn())
        .await?;
    rs::ActiveModel::from(s).insert(tx.conn()).await?;
    Ok(())
}

/// A tenant's snapshots since `since` (inclusive), oldest first.
pub async fn since(db: &impl Read, tenant: Uuid, since: NaiveDate) -> StoreResult<Vec<Snapshot>> {
    let db = conn(db);
    Ok(rs::Entity::find()
        .filter(rs::Column::TenantId.eq(tenant))
        .filter(rs::Column::Day.gte(since))
        .order_by_asc(rs::Column::Day)
        .all(db)
        .await?)
}
