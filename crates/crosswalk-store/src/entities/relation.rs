//! `relations`: one IR 8477 relation "from <relation> to".
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "relations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub mapping_set_id: i64,
    pub from_requirement_id: i64,
    pub to_requirement_id: i64,
    pub relation: String,
    pub strength: Option<i16>,
    pub rationale: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
