//! `incidents.significance_facts` (issue 14, item 6): the facts a significance proposal was computed
//! from and the proposal itself (criteria met, undetermined ones, notes), as JSON, kept beside the
//! person's decision (`significance`, `significance_reason`) so the register shows what the decision
//! rested on. Empty for incidents assessed before.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    SignificanceFacts,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Incidents::Table)
                .add_column(ColumnDef::new(Incidents::SignificanceFacts).text().not_null().default(""))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Incidents::Table).drop_column(Incidents::SignificanceFacts).to_owned()).await
    }
}
