//! `nis2_registrations` (issue 14, item 6): the information an entity submits about itself to the
//! competent authority (NIS2 Art 3(4), Art 27(2)), with the day it last changed and the day that
//! change was reported (two weeks under Art 3(4), three months under Art 27(3)).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Nis2Registrations {
    Table,
    TenantId,
    Name,
    Address,
    Emails,
    Phones,
    IpRanges,
    MemberStates,
    Representative,
    ChangedOn,
    ReportedOn,
    UpdatedAt,
    UpdatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Nis2Registrations::Table)
                .col(ColumnDef::new(Nis2Registrations::TenantId).uuid().not_null().primary_key())
                .col(ColumnDef::new(Nis2Registrations::Name).text().not_null())
                .col(ColumnDef::new(Nis2Registrations::Address).text().not_null())
                .col(ColumnDef::new(Nis2Registrations::Emails).text().not_null())
                .col(ColumnDef::new(Nis2Registrations::Phones).text().not_null())
                .col(ColumnDef::new(Nis2Registrations::IpRanges).text().not_null())
                .col(ColumnDef::new(Nis2Registrations::MemberStates).text().not_null())
                .col(ColumnDef::new(Nis2Registrations::Representative).text().null())
                .col(ColumnDef::new(Nis2Registrations::ChangedOn).date().not_null())
                .col(ColumnDef::new(Nis2Registrations::ReportedOn).date().null())
                .col(ColumnDef::new(Nis2Registrations::UpdatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Nis2Registrations::UpdatedBy).text().not_null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Nis2Registrations::Table).to_owned()).await
    }
}
