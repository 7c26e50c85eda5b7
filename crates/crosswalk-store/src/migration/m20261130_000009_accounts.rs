//! Accounts that cannot be taken over by another organisation (issue 11):
//! - `users.email_verified_at`: an address is verified only by a link e-mailed to it, or one the
//!   installation operator issues.
//! - **Existing accounts** were created under the old rules, where any organisation's admin could
//!   pre-register an address with a password of its choosing and a later organisation's membership
//!   was attached by matching the address. None of them is treated as verified: each account's
//!   password becomes an organisation credential for the membership that created the account (its
//!   earliest), so people of one organisation log in as before, while memberships attached later by
//!   address matching open with nothing until the operator issues a verification link for them
//!   (`crosswalk user verify`); the log lists them.
//! - `tenant_credentials`: the password a person chose when redeeming an organisation's hand-passed
//!   invitation link. It opens that one organisation only, so a password chosen by someone who
//!   squatted an address in organisation B gives nothing in organisation A.
//! - `memberships.account_accepted`: the membership was accepted by the verified account holder (or
//!   granted by the operator); only those are reachable with the account's own password.
//! - `sessions.bound`: a session opened with an organisation credential cannot switch organisation.
//! - `invitations`: random, stored hashed, single-use, expiring, bound to organisation, role and address.
//! - `email_verifications`: links e-mailed to an account's address.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    DisplayName,
    PasswordHash,
    EmailVerifiedAt,
}
#[derive(DeriveIden)]
enum Memberships {
    Table,
    TenantId,
    UserId,
    CreatedAt,
    AccountAccepted,
}
#[derive(DeriveIden)]
enum Sessions {
    Table,
    Bound,
}
#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}
#[derive(DeriveIden)]
enum TenantCredentials {
    Table,
    TenantId,
    UserId,
    PasswordHash,
    DisplayName,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    TenantId,
    Email,
    Role,
    TokenHash,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RedeemedAt,
    RedeemedBy,
    RevokedAt,
}
#[derive(DeriveIden)]
enum EmailVerifications {
    Table,
    TokenHash,
    UserId,
    TenantId,
    Email,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

fn ts(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().not_null().to_owned()
}

fn cascade(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one ALTER per statement.
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(ColumnDef::new(Users::EmailVerifiedAt).timestamp_with_time_zone().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Memberships::Table)
                .add_column(ColumnDef::new(Memberships::AccountAccepted).boolean().not_null().default(true))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Sessions::Table)
                .add_column(ColumnDef::new(Sessions::Bound).boolean().not_null().default(false))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TenantCredentials::Table)
                .col(ColumnDef::new(TenantCredentials::TenantId).uuid().not_null())
                .col(ColumnDef::new(TenantCredentials::UserId).uuid().not_null())
                .col(ColumnDef::new(TenantCredentials::PasswordHash).string().not_null())
                .col(ColumnDef::new(TenantCredentials::DisplayName).string_len(200).not_null())
                .col(ts(TenantCredentials::CreatedAt))
                .primary_key(Index::create().col(TenantCredentials::UserId).col(TenantCredentials::TenantId))
                .foreign_key(&mut cascade(
                    "fk_tenant_credentials_tenant",
                    (TenantCredentials::Table, TenantCredentials::TenantId),
                    (Tenants::Table, Tenants::Id),
                ))
                .foreign_key(&mut cascade(
                    "fk_tenant_credentials_user",
                    (TenantCredentials::Table, TenantCredentials::UserId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;

        convert_existing_accounts(m).await?;

        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .col(ColumnDef::new(Invitations::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Invitations::TenantId).uuid().not_null())
                .col(ColumnDef::new(Invitations::Email).string_len(320).not_null())
                .col(ColumnDef::new(Invitations::Role).string_len(20).not_null())
                .col(ColumnDef::new(Invitations::TokenHash).string_len(64).not_null().unique_key())
                .col(ColumnDef::new(Invitations::CreatedBy).string_len(400).not_null())
                .col(ts(Invitations::CreatedAt))
                .col(ts(Invitations::ExpiresAt))
                .col(ColumnDef::new(Invitations::RedeemedAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Invitations::RedeemedBy).uuid().null())
                .col(ColumnDef::new(Invitations::RevokedAt).timestamp_with_time_zone().null())
                .foreign_key(&mut cascade(
                    "fk_invitations_tenant",
                    (Invitations::Table, Invitations::TenantId),
                    (Tenants::Table, Tenants::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_invitations_tenant")
                .table(Invitations::Table)
                .col(Invitations::TenantId)
                .col(Invitations::CreatedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(EmailVerifications::Table)
                .col(ColumnDef::new(EmailVerifications::TokenHash).string_len(64).not_null().primary_key())
                .col(ColumnDef::new(EmailVerifications::UserId).uuid().not_null())
                .col(ColumnDef::new(EmailVerifications::TenantId).uuid().not_null())
                .col(ColumnDef::new(EmailVerifications::Email).string_len(320).not_null())
                .col(ts(EmailVerifications::CreatedAt))
                .col(ts(EmailVerifications::ExpiresAt))
                .col(ColumnDef::new(EmailVerifications::UsedAt).timestamp_with_time_zone().null())
                .foreign_key(&mut cascade(
                    "fk_email_verifications_user",
                    (EmailVerifications::Table, EmailVerifications::UserId),
                    (Users::Table, Users::Id),
                ))
                .foreign_key(&mut cascade(
                    "fk_email_verifications_tenant",
                    (EmailVerifications::Table, EmailVerifications::TenantId),
                    (Tenants::Table, Tenants::Id),
                ))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(EmailVerifications::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Invitations::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(TenantCredentials::Table).to_owned()).await?;
        Ok(())
    }
}

/// Turns every pre-existing account into organisation credentials (see the module doc).
async fn convert_existing_accounts(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let backend = m.get_database_backend();
    let users = db
        .query_all(
            backend.build(Query::select().columns([Users::Id, Users::Email, Users::DisplayName, Users::PasswordHash]).from(Users::Table)),
        )
        .await?;
    let memberships = db
        .query_all(
            backend.build(
                Query::select()
                    .columns([Memberships::TenantId, Memberships::UserId, Memberships::CreatedAt])
                    .from(Memberships::Table)
                    .order_by(Memberships::CreatedAt, Order::Asc),
            ),
        )
        .await?;
    let mut earliest: std::collections::HashMap<uuid::Uuid, (uuid::Uuid, chrono::DateTime<chrono::Utc>)> = Default::default();
    let mut later: Vec<(uuid::Uuid, uuid::Uuid)> = Vec::new();
    for row in memberships {
        let tenant: uuid::Uuid = row.try_get("", "tenant_id")?;
        let user: uuid::Uuid = row.try_get("", "user_id")?;
        let at: chrono::DateTime<chrono::Utc> = row.try_get("", "created_at")?;
        match earliest.entry(user) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert((tenant, at));
            }
            std::collections::hash_map::Entry::Occupied(_) => later.push((user, tenant)),
        }
    }
    for row in users {
        let id: uuid::Uuid = row.try_get("", "id")?;
        let email: String = row.try_get("", "email")?;
        let name: String = row.try_get("", "display_name")?;
        let hash: Option<String> = row.try_get("", "password_hash")?;
        if let (Some(hash), Some((tenant, at))) = (hash, earliest.get(&id)) {
            db.execute(
                backend.build(
                    Query::insert()
                        .into_table(TenantCredentials::Table)
                        .columns([
                            TenantCredentials::TenantId,
                            TenantCredentials::UserId,
                            TenantCredentials::PasswordHash,
                            TenantCredentials::DisplayName,
                            TenantCredentials::CreatedAt,
                        ])
                        .values_panic([(*tenant).into(), id.into(), hash.into(), name.into(), (*at).into()]),
                ),
            )
            .await?;
        }
        for (user, tenant) in later.iter().filter(|(u, _)| *u == id) {
            tracing::warn!(
                %email, %tenant, user = %user,
                "membership attached to an existing account by address matching: it opens with nothing until the operator runs 'crosswalk user verify --tenant <slug> --email {email}'"
            );
        }
    }
    db.execute(
        backend.build(
            Query::update()
                .table(Users::Table)
                .value(Users::PasswordHash, Option::<String>::None)
                .value(Users::EmailVerifiedAt, Option::<chrono::DateTime<chrono::Utc>>::None),
        ),
    )
    .await?;
    db.execute(backend.build(Query::update().table(Memberships::Table).value(Memberships::AccountAccepted, false))).await?;
    if !earliest.is_empty() {
        tracing::info!(
            accounts = earliest.len(),
            later_memberships = later.len(),
            "existing passwords now open the organisation that created each account; addresses are verified anew"
        );
    }
    Ok(())
}
