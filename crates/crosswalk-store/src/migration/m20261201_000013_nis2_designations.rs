//! The designations a NIS2 scoping needs beyond entity type and size (issue 14, item 4), kept on the
//! organisation's saved profile:
//! - `member_state_identification`: `essential` or `important` when the Member State identified the
//!   entity under NIS2 Art 2(2)(b)-(e) (Art 3(1)(e), Art 3(2)); null otherwise;
//! - `critical_entity`: identified as a critical entity under Directive (EU) 2022/2557 (NIS2 Art 2(3),
//!   Art 3(1)(f)).
//!
//! Profiles saved before this migration get null / false: their classification is unchanged.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Nis2Profiles {
    Table,
    MemberStateIdentification,
    CriticalEntity,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
        m.alter_table(
            Table::alter()
                .table(Nis2Profiles::Table)
                .add_column(ColumnDef::new(Nis2Profiles::MemberStateIdentification).string_len(16).null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Nis2Profiles::Table)
                .add_column(ColumnDef::new(Nis2Profiles::CriticalEntity).boolean().not_null().default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Nis2Profiles::MemberStateIdentification, Nis2Profiles::CriticalEntity] {
            m.alter_table(Table::alter().table(Nis2Profiles::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
