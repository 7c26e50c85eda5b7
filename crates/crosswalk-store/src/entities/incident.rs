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
    /// ISO 3166-1 alpha-2 code of the reporting entity's Member State (DORA 2025/301 Art 5(4)).
    pub member_state: Option<String>,
    /// A financial entity identified as essential or important under NIS2 Art 3 (2025/301 Art 5(5)).
    pub nis2_identified: bool,
    /// The competent authority withdrew the weekend relief (2025/301 Art 5(6)).
    pub dora_relief_withdrawn: bool,
    #[sea_orm(column_type = "Text")]
    pub affected_services: String,
    /// NIS2 Art 23(3) assessment: "", "significant" or "not_significant".
    pub significance: String,
    #[sea_orm(column_type = "Text")]
    pub significance_reason: String,
    /// JSON `{"facts": …, "proposal": …}`: what a significance proposal was computed from, and it
    /// (CIR 2024/2690 Arts 3-14 or NIS2 Art 23(3)); empty when none was made.
    #[sea_orm(column_type = "Text")]
    pub significance_facts: String,
    pub status: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
