//! Suppliers and their assessments, scoped by tenant.
use crate::entities::{supplier, supplier_assessment as sa};
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use sa::Model as Assessment;
pub use supplier::Model as Supplier;

pub async fn insert(tx: &WriteTx, s: Supplier) -> StoreResult<Supplier> {
    tx.touch(s.tenant_id, "suppliers", s.id);
    Ok(supplier::ActiveModel::from(s).insert(tx.conn()).await?)
}

pub async fn get(db: &impl Read, tenant: Uuid, id: Uuid) -> StoreResult<Option<Supplier>> {
    let db = conn(db);
    Ok(supplier::Entity::find_by_id(id).filter(supplier::Column::TenantId.eq(tenant)).one(db).await?)
}

pub async fn list(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Supplier>> {
    let db = conn(db);
    Ok(supplier::Entity::find().filter(supplier::Column::TenantId.eq(tenant)).order_by_asc(supplier::Column::Name).all(db).await?)
}

pub async fn update(tx: &WriteTx, tenant: Uuid, id: Uuid, criticality: &str, clauses: &str, next_review_on: NaiveDate) -> StoreResult<()> {
    tx.touch(tenant, "suppliers", id);
    supplier::Entity::update_many()
        .col_expr(supplier::Column::Criticality, criticality.into())
        .col_expr(supplier::Column::Clauses, clauses.into())
        .col_expr(supplier::Column::NextReviewOn, next_review_on.into())
        .filter(supplier::Column::TenantId.eq(tenant))
        .filter(supplier::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    Ok(())
}

pub async fn insert_assessment(tx: &WriteTx, a: Assessment) -> StoreResult<Assessment> {
    tx.touch(a.tenant_id, "supplier_assessments", a.id);
    Ok(sa::ActiveModel::from(a).insert(tx.conn()).await?)
}

/// A tenant's assessments, newest first (for listings: one query for all suppliers).
pub async fn assessments(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Assessment>> {
    let db = conn(db);
    Ok(sa::Entity::find()
        .filter(sa::Column::TenantId.eq(tenant))
        .order_by_desc(sa::Column::AssessedOn)
        .order_by_desc(sa::Column::CreatedAt)
        .all(db)
        .await?)
}
