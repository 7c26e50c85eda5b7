//! `readiness_snapshots`: one row per tenant, followed framework and day.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "readiness_snapshots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub framework_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    pub proven: i32,
    pub attested: i32,
    pub derived: i32,
    pub partial: i32,
    pub gap: i32,
    pub not_applicable: i32,
    pub unknown: i32,
    #[sea_orm(column_type = "Text")]
    pub states: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
