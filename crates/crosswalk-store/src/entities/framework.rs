//! `frameworks`: one row per framework version: shared (`tenant_id` NULL: bundled, or imported by the
//! installation operator) or owned by the organisation that imported it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "frameworks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The owning organisation; NULL for the shared catalog.
    pub tenant_id: Option<Uuid>,
    pub slug: String,
    pub version: String,
    pub name: String,
    pub publisher: String,
    #[sea_orm(column_type = "Text")]
    pub source: String,
    #[sea_orm(column_type = "Text")]
    pub terms: String,
    #[sea_orm(column_type = "Text")]
    pub aliases: String,
    pub content_hash: String,
    pub bundled: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
