//! `requirements`: the nodes of a framework, in document order.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "requirements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub framework_id: i64,
    #[sea_orm(column_name = "ref")]
    pub reference: String,
    pub parent_ref: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub text: Option<String>,
    pub assessable: bool,
    pub position: i32,
    #[sea_orm(column_type = "Text")]
    pub aliases: String,
    /// Withdrawn by its source: kept for references, never assessed or counted.
    pub withdrawn: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
