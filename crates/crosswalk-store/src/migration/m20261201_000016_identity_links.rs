//! `identity_links` (issue 15, item 5): an OIDC login (issuer, subject) linked to an account. An
//! account is found from an OIDC login only through this table, never by the e-mail claim.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdentityLinks {
    Table,
    Id,
    Issuer,
    Subject,
    UserId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IdentityLinks::Table)
                .col(ColumnDef::new(IdentityLinks::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(IdentityLinks::Issuer).text().not_null())
                .col(ColumnDef::new(IdentityLinks::Subject).text().not_null())
                .col(ColumnDef::new(IdentityLinks::UserId).uuid().not_null())
                .col(ColumnDef::new(IdentityLinks::CreatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        // One account per (issuer, subject): the pair is the identity, whatever the claims say.
        m.create_index(
            Index::create()
                .name("identity_links_issuer_subject")
                .table(IdentityLinks::Table)
                .col(IdentityLinks::Issuer)
                .col(IdentityLinks::Subject)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("identity_links_user").table(IdentityLinks::Table).col(IdentityLinks::UserId).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(IdentityLinks::Table).to_owned()).await
    }
}
