//! `framework_profiles`: named selections of a framework (e.g. SP 800-53B baselines).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "framework_profiles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub framework_id: i64,
    /// The organisation that imported the profile; NULL for the shared catalog.
    pub tenant_id: Option<Uuid>,
    pub slug: String,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub refs: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
