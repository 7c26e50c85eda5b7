//! Journal entry encoding v2 and record hashes (issue 12):
//! - `journal_entries` gains `version` (1 for every existing entry, 2 from now on), `records_root` and
//!   `record_count` (the Merkle root and number of the record refs the entry covers) and `mac`;
//! - `journal_checkpoints` gains `state_root` (empty for v1 checkpoints);
//! - `journal_records` holds each entry's record refs (entity, id, hash after the change; empty hash
//!   for a delete), checked against the entry's `records_root`;
//! - `journal_schemas` holds, per chain and table, the fingerprint the chain's record hashes were made
//!   with. It starts empty, so the first start after this migration writes one `journal.rehash` entry
//!   per chain recording the hash of every existing row (see `journal::rehash_changed_tables`).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum JournalEntries {
    Table,
    Version,
    RecordsRoot,
    RecordCount,
    Mac,
}

#[derive(DeriveIden)]
enum JournalCheckpoints {
    Table,
    StateRoot,
}

#[derive(DeriveIden)]
enum JournalRecords {
    Table,
    TenantId,
    Seq,
    Entity,
    EntityId,
    Hash,
}

#[derive(DeriveIden)]
enum JournalSchemas {
    Table,
    TenantId,
    TableName,
    Fingerprint,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
        let add = |c: ColumnDef| Table::alter().table(JournalEntries::Table).add_column(c).to_owned();
        m.alter_table(add(ColumnDef::new(JournalEntries::Version).small_integer().not_null().default(1).to_owned())).await?;
        m.alter_table(add(ColumnDef::new(JournalEntries::RecordsRoot).string_len(64).not_null().default("").to_owned())).await?;
        m.alter_table(add(ColumnDef::new(JournalEntries::RecordCount).big_integer().not_null().default(0).to_owned())).await?;
        m.alter_table(add(ColumnDef::new(JournalEntries::Mac).string_len(64).null().to_owned())).await?;
        m.alter_table(
            Table::alter()
                .table(JournalCheckpoints::Table)
                .add_column(ColumnDef::new(JournalCheckpoints::StateRoot).string_len(64).not_null().default(""))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(JournalRecords::Table)
                .col(ColumnDef::new(JournalRecords::TenantId).uuid().not_null())
                .col(ColumnDef::new(JournalRecords::Seq).big_integer().not_null())
                .col(ColumnDef::new(JournalRecords::Entity).string_len(64).not_null())
                .col(ColumnDef::new(JournalRecords::EntityId).string_len(200).not_null())
                .col(ColumnDef::new(JournalRecords::Hash).string_len(64).not_null())
                .primary_key(
                    Index::create()
                        .col(JournalRecords::TenantId)
                        .col(JournalRecords::Seq)
                        .col(JournalRecords::Entity)
                        .col(JournalRecords::EntityId),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(JournalSchemas::Table)
                .col(ColumnDef::new(JournalSchemas::TenantId).uuid().not_null())
                .col(ColumnDef::new(JournalSchemas::TableName).string_len(64).not_null())
                .col(ColumnDef::new(JournalSchemas::Fingerprint).string_len(64).not_null())
                .primary_key(Index::create().col(JournalSchemas::TenantId).col(JournalSchemas::TableName))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(JournalSchemas::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(JournalRecords::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(JournalCheckpoints::Table).drop_column(JournalCheckpoints::StateRoot).to_owned()).await?;
        for c in [JournalEntries::Version, JournalEntries::RecordsRoot, JournalEntries::RecordCount, JournalEntries::Mac] {
            m.alter_table(Table::alter().table(JournalEntries::Table).drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}
