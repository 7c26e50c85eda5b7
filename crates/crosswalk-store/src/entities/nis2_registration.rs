//! `nis2_registrations`: the information the organisation submits to its competent authority about
//! itself (NIS2 Art 3(4), Art 27(2)), when it last changed and when that change was reported.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "nis2_registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub address: String,
    /// One per line.
    #[sea_orm(column_type = "Text")]
    pub emails: String,
    #[sea_orm(column_type = "Text")]
    pub phones: String,
    #[sea_orm(column_type = "Text")]
    pub ip_ranges: String,
    /// ISO 3166-1 alpha-2 codes, one per line.
    #[sea_orm(column_type = "Text")]
    pub member_states: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub representative: Option<String>,
    /// The day the content last changed: the reporting deadlines run from it.
    pub changed_on: Date,
    /// The day the organisation reported the current content to the authority, if it has.
    pub reported_on: Option<Date>,
    pub updated_at: DateTimeUtc,
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
