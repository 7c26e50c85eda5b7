//! What the DORA weekend and bank-holiday rule needs to know about an incident's reporting entity
//! (Commission Delegated Regulation (EU) 2025/301 Art 5(4)-(6)), kept on the incident beside its time zone:
//! - `member_state`: ISO 3166-1 alpha-2 code whose weekends and national bank holidays move DORA time limits
//!   to noon of the next working day (Art 5(4)); null: the relief is not applied (the earlier limit stands);
//! - `nis2_identified`: the financial entity is identified as essential or important under NIS2 Art 3, so
//!   the relief is not available for the initial notification and intermediate report (Art 5(5));
//! - `dora_relief_withdrawn`: the competent authority withdrew it for those reports by notified decision
//!   (Art 5(6)).
//!
//! Incidents recorded before this migration get null / false: their due times stay what they were.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    MemberState,
    Nis2Identified,
    DoraReliefWithdrawn,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
        m.alter_table(
            Table::alter().table(Incidents::Table).add_column(ColumnDef::new(Incidents::MemberState).string_len(2).null()).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Incidents::Table)
                .add_column(ColumnDef::new(Incidents::Nis2Identified).boolean().not_null().default(false))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Incidents::Table)
                .add_column(ColumnDef::new(Incidents::DoraReliefWithdrawn).boolean().not_null().default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Incidents::MemberState, Incidents::Nis2Identified, Incidents::DoraReliefWithdrawn] {
            m.alter_table(Table::alter().table(Incidents::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
