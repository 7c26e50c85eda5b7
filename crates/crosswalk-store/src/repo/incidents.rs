//! Incidents and their submissions, always scoped by tenant.
use crate::entities::{incident, incident_submission as sub};
use crate::{Read, conn};
use crate::{StoreResult, WriteTx};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use incident::Model as Incident;
pub use sub::Model as Submission;

pub async fn insert(tx: &WriteTx, i: Incident) -> StoreResult<Incident> {
    tx.touch(i.tenant_id, "incidents", i.id);
    Ok(incident::ActiveModel::from(i).insert(tx.conn()).await?)
}

/// Replace an incident's row (the app layer journals what changed and why).
pub async fn replace(tx: &WriteTx, i: Incident) -> StoreResult<Incident> {
    use sea_orm::IntoActiveModel;
    tx.touch(i.tenant_id, "incidents", i.id);
    // Every column is written: the caller passes the complete new state.
    Ok(i.into_active_model().reset_all().update(tx.conn()).await?)
}

pub async fn get(db: &impl Read, tenant: Uuid, id: Uuid) -> StoreResult<Option<Incident>> {
    let db = conn(db);
    Ok(incident::Entity::find_by_id(id).filter(incident::Column::TenantId.eq(tenant)).one(db).await?)
}

/// Newest first.
pub async fn list(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Incident>> {
    let db = conn(db);
    Ok(incident::Entity::find().filter(incident::Column::TenantId.eq(tenant)).order_by_desc(incident::Column::AwareAt).all(db).await?)
}

pub async fn insert_submission(tx: &WriteTx, s: Submission) -> StoreResult<Submission> {
    tx.touch(s.tenant_id, "incident_submissions", s.id);
    Ok(sub::ActiveModel::from(s).insert(tx.conn()).await?)
}

/// An incident's submissions, oldest first.
pub async fn submissions(db: &impl Read, tenant: Uuid, incident: Uuid) -> StoreResult<Vec<Submission>> {
    let db = conn(db);
    Ok(sub::Entity::find()
        .filter(sub::Column::TenantId.eq(tenant))
        .filter(sub::Column::IncidentId.eq(incident))
        .order_by_asc(sub::Column::SubmittedAt)
        .all(db)
        .await?)
}

/// Submissions of all of a tenant's incidents, for listings (one query, not one per incident).
pub async fn all_submissions(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<Submission>> {
    let db = conn(db);
    Ok(sub::Entity::find().filter(sub::Column::TenantId.eq(tenant)).order_by_asc(sub::Column::SubmittedAt).all(db).await?)
}
