//! `journal_entries`: the hash chain. There is no update or delete path for this table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "journal_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub prev_hash: String,
    pub at: DateTimeUtc,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub hash: String,
    /// Entry encoding (1 or 2).
    pub version: i16,
    /// Hex Merkle root over the entry's record refs; empty for v1.
    pub records_root: String,
    pub record_count: i64,
    /// Hex HMAC of `hash` (v2).
    pub mac: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
