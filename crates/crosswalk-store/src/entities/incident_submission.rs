//! `incident_submissions`: reports sent to an authority for one step of an incident's clock.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incident_submissions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub incident_id: Uuid,
    /// The clock step id, e.g. `nis2_early_warning`.
    pub step: String,
    pub submitted_at: DateTimeUtc,
    pub authority: String,
    pub reference: String,
    /// Submitted after the step's due time.
    pub late: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
