//! `incidents`: a tenant's incident register.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incidents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub aware_at: DateTimeUtc,
    pub classified_at: Option<DateTimeUtc>,
    pub tz: String,
    pub entity_type: Option<String>,
    pub regimes: String,
    pub personal_data: bool,
    pub cross_border: bool,
    pub financial_entity: bool,
    #[sea_orm(column_type = "Text")]
    pub affected_services: String,
    /// NIS2 Art 23(3) assessment: "", "significant" or "not_significant".
    pub significance: String,
    #[sea_orm(column_type = "Text")]
    pub significance_reason: String,
    pub status: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
