//! Foundation schema: tenants, users, memberships, sessions, API tokens, login throttling, journal.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Slug,
    Name,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    DisplayName,
    PasswordHash,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Memberships {
    Table,
    TenantId,
    UserId,
    Role,
    Disabled,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdHash,
    UserId,
    TenantId,
    CsrfToken,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}
#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    TenantId,
    UserId,
    Name,
    Prefix,
    SecretHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}
#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Key,
    At,
}
#[derive(DeriveIden)]
enum JournalEntries {
    Table,
    TenantId,
    Seq,
    PrevHash,
    At,
    Actor,
    Action,
    Entity,
    EntityId,
    Payload,
    Hash,
}
#[derive(DeriveIden)]
enum JournalHeads {
    Table,
    TenantId,
    Seq,
    Hash,
}
#[derive(DeriveIden)]
enum JournalCheckpoints {
    Table,
    TenantId,
    Seq,
    HeadHash,
    SignedAt,
    PublicKey,
    Signature,
}

fn ts(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().not_null().to_owned()
}

fn fk(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tenants::Table)
                .col(ColumnDef::new(Tenants::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Tenants::Slug).string_len(63).not_null().unique_key())
                .col(ColumnDef::new(Tenants::Name).string_len(200).not_null())
                .col(ts(Tenants::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(ColumnDef::new(Users::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Users::Email).string_len(254).not_null().unique_key())
                .col(ColumnDef::new(Users::DisplayName).string_len(200).not_null())
                .col(ColumnDef::new(Users::PasswordHash).string_len(255).null())
                .col(ts(Users::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Memberships::Table)
                .col(ColumnDef::new(Memberships::TenantId).uuid().not_null())
                .col(ColumnDef::new(Memberships::UserId).uuid().not_null())
                .col(ColumnDef::new(Memberships::Role).string_len(20).not_null())
                .col(ColumnDef::new(Memberships::Disabled).boolean().not_null().default(false))
                .col(ts(Memberships::CreatedAt))
                .primary_key(Index::create().col(Memberships::TenantId).col(Memberships::UserId))
                .foreign_key(&mut fk("fk_memberships_tenant", (Memberships::Table, Memberships::TenantId), (Tenants::Table, Tenants::Id)))
                .foreign_key(&mut fk("fk_memberships_user", (Memberships::Table, Memberships::UserId), (Users::Table, Users::Id)))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_memberships_user").table(Memberships::Table).col(Memberships::UserId).to_owned()).await?;
        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(ColumnDef::new(Sessions::IdHash).string_len(64).not_null().primary_key())
                .col(ColumnDef::new(Sessions::UserId).uuid().not_null())
                .col(ColumnDef::new(Sessions::TenantId).uuid().not_null())
                .col(ColumnDef::new(Sessions::CsrfToken).string_len(64).not_null())
                .col(ts(Sessions::CreatedAt))
                .col(ts(Sessions::LastSeenAt))
                .col(ts(Sessions::ExpiresAt))
                .foreign_key(&mut fk("fk_sessions_user", (Sessions::Table, Sessions::UserId), (Users::Table, Users::Id)))
                .foreign_key(&mut fk("fk_sessions_tenant", (Sessions::Table, Sessions::TenantId), (Tenants::Table, Tenants::Id)))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_sessions_expires").table(Sessions::Table).col(Sessions::ExpiresAt).to_owned()).await?;
        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(ColumnDef::new(ApiTokens::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(ApiTokens::TenantId).uuid().not_null())
                .col(ColumnDef::new(ApiTokens::UserId).uuid().not_null())
                .col(ColumnDef::new(ApiTokens::Name).string_len(200).not_null())
                .col(ColumnDef::new(ApiTokens::Prefix).string_len(16).not_null())
                .col(ColumnDef::new(ApiTokens::SecretHash).string_len(64).not_null().unique_key())
                .col(ts(ApiTokens::CreatedAt))
                .col(ColumnDef::new(ApiTokens::LastUsedAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(ApiTokens::RevokedAt).timestamp_with_time_zone().null())
                .foreign_key(&mut fk("fk_api_tokens_tenant", (ApiTokens::Table, ApiTokens::TenantId), (Tenants::Table, Tenants::Id)))
                .foreign_key(&mut fk("fk_api_tokens_user", (ApiTokens::Table, ApiTokens::UserId), (Users::Table, Users::Id)))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_api_tokens_tenant").table(ApiTokens::Table).col(ApiTokens::TenantId).to_owned()).await?;
        m.create_table(
            Table::create()
                .table(LoginFailures::Table)
                .col(ColumnDef::new(LoginFailures::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(LoginFailures::Key).string_len(300).not_null())
                .col(ts(LoginFailures::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_login_failures_key_at")
                .table(LoginFailures::Table)
                .col(LoginFailures::Key)
                .col(LoginFailures::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(JournalEntries::Table)
                .col(ColumnDef::new(JournalEntries::TenantId).uuid().not_null())
                .col(ColumnDef::new(JournalEntries::Seq).big_integer().not_null())
                .col(ColumnDef::new(JournalEntries::PrevHash).string_len(64).not_null())
                .col(ts(JournalEntries::At))
                .col(ColumnDef::new(JournalEntries::Actor).string_len(300).not_null())
                .col(ColumnDef::new(JournalEntries::Action).string_len(100).not_null())
                .col(ColumnDef::new(JournalEntries::Entity).string_len(100).not_null())
                .col(ColumnDef::new(JournalEntries::EntityId).string_len(200).not_null())
                .col(ColumnDef::new(JournalEntries::Payload).text().not_null())
                .col(ColumnDef::new(JournalEntries::Hash).string_len(64).not_null())
                // (tenant, seq) is the key: two writers can never both append seq n, so the chain cannot fork.
                .primary_key(Index::create().col(JournalEntries::TenantId).col(JournalEntries::Seq))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(JournalHeads::Table)
                .col(ColumnDef::new(JournalHeads::TenantId).uuid().not_null().primary_key())
                .col(ColumnDef::new(JournalHeads::Seq).big_integer().not_null())
                .col(ColumnDef::new(JournalHeads::Hash).string_len(64).not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(JournalCheckpoints::Table)
                .col(ColumnDef::new(JournalCheckpoints::TenantId).uuid().not_null())
                .col(ColumnDef::new(JournalCheckpoints::Seq).big_integer().not_null())
                .col(ColumnDef::new(JournalCheckpoints::HeadHash).string_len(64).not_null())
                .col(ts(JournalCheckpoints::SignedAt))
                .col(ColumnDef::new(JournalCheckpoints::PublicKey).string_len(64).not_null())
                .col(ColumnDef::new(JournalCheckpoints::Signature).string_len(128).not_null())
                .primary_key(Index::create().col(JournalCheckpoints::TenantId).col(JournalCheckpoints::Seq))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        // The journal is append-only evidence: there is deliberately no way to migrate it away.
        Err(DbErr::Migration("the foundation migration cannot be reverted".into()))
    }
}
