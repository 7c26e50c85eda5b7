//! `management_approvals`: a management-body member's decision on the risk-management measures (NIS2 Art 20(1)).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "management_approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub member: String,
    pub document: String,
    pub document_version: String,
    /// `approved`, `approved_with_conditions` or `rejected`.
    pub decision: String,
    pub decided_on: Date,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
