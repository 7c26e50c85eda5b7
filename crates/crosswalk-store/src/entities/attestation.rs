//! `attestations`: a named person states a requirement or control is met (never "proven").
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attestations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub requirement_id: Option<i64>,
    pub control_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub statement: String,
    pub person_id: Uuid,
    pub attested_on: Date,
    pub expires_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub path: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
