//! `nis2_profiles`: an organisation's NIS2 scoping result, as decided by a named person.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "nis2_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    pub entity_type: String,
    pub employees: i64,
    pub turnover_eur: i64,
    pub balance_eur: i64,
    /// `essential` or `important` when the Member State identified the entity (NIS2 Art 2(2)(b)-(e)).
    pub member_state_identification: Option<String>,
    /// Identified as a critical entity under Directive (EU) 2022/2557 (NIS2 Art 2(3)).
    pub critical_entity: bool,
    /// `essential`, `important`, `specific_duties`, `conditional` or `out_of_scope`, as computed when saved.
    pub classification: String,
    pub decided_at: DateTimeUtc,
    pub decided_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
