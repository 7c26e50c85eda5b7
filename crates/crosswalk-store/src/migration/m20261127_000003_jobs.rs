//! Background jobs (claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so several instances share the
//! work) and the in-app notifications they produce.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    TenantId,
    Kind,
    Subject,
    RunAt,
    Payload,
    DoneAt,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    TenantId,
    Message,
    Link,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(ColumnDef::new(Jobs::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Jobs::TenantId).uuid().not_null())
                .col(ColumnDef::new(Jobs::Kind).string_len(50).not_null())
                // What the job is about (e.g. an incident id), so its pending jobs can be replaced.
                .col(ColumnDef::new(Jobs::Subject).string_len(100).not_null())
                .col(ColumnDef::new(Jobs::RunAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Jobs::Payload).text().not_null())
                .col(ColumnDef::new(Jobs::DoneAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Jobs::CreatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_jobs_due").table(Jobs::Table).col(Jobs::DoneAt).col(Jobs::RunAt).to_owned()).await?;
        m.create_index(Index::create().name("idx_jobs_subject").table(Jobs::Table).col(Jobs::TenantId).col(Jobs::Subject).to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(ColumnDef::new(Notifications::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Notifications::TenantId).uuid().not_null())
                .col(ColumnDef::new(Notifications::Message).text().not_null())
                .col(ColumnDef::new(Notifications::Link).string_len(300).not_null())
                .col(ColumnDef::new(Notifications::CreatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notifications_tenant")
                .table(Notifications::Table)
                .col(Notifications::TenantId)
                .col(Notifications::CreatedAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Notifications::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Jobs::Table).to_owned()).await
    }
}
