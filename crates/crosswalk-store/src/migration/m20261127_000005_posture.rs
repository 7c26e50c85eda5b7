//! Daily readiness snapshots per tenant and followed framework: the posture trend and "what changed
//! this week" are read from them.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReadinessSnapshots {
    Table,
    TenantId,
    FrameworkId,
    Day,
    Proven,
    Attested,
    Derived,
    Partial,
    Gap,
    NotApplicable,
    Unknown,
    States,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let count = |c: ReadinessSnapshots| ColumnDef::new(c).integer().not_null().to_owned();
        m.create_table(
            Table::create()
                .table(ReadinessSnapshots::Table)
                .col(ColumnDef::new(ReadinessSnapshots::TenantId).uuid().not_null())
                .col(ColumnDef::new(ReadinessSnapshots::FrameworkId).big_integer().not_null())
                .col(ColumnDef::new(ReadinessSnapshots::Day).date().not_null())
                .col(count(ReadinessSnapshots::Proven))
                .col(count(ReadinessSnapshots::Attested))
                .col(count(ReadinessSnapshots::Derived))
                .col(count(ReadinessSnapshots::Partial))
                .col(count(ReadinessSnapshots::Gap))
                .col(count(ReadinessSnapshots::NotApplicable))
                .col(count(ReadinessSnapshots::Unknown))
                // Requirement ref → state, as JSON, for "changed this week".
                .col(ColumnDef::new(ReadinessSnapshots::States).text().not_null())
                .primary_key(
                    Index::create().col(ReadinessSnapshots::TenantId).col(ReadinessSnapshots::FrameworkId).col(ReadinessSnapshots::Day),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ReadinessSnapshots::Table).to_owned()).await
    }
}
