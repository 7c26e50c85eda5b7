//! The Statement of Applicability: the working decisions per Annex A control, and published,
//! immutable versions with their approval.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SoaEntries {
    Table,
    TenantId,
    Ref,
    Applicable,
    Justification,
    UpdatedAt,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum SoaVersions {
    Table,
    TenantId,
    Version,
    Rows,
    Note,
    CreatedAt,
    CreatedBy,
    ApprovedBy,
    ApprovedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SoaEntries::Table)
                .col(ColumnDef::new(SoaEntries::TenantId).uuid().not_null())
                .col(ColumnDef::new(SoaEntries::Ref).string_len(50).not_null())
                .col(ColumnDef::new(SoaEntries::Applicable).boolean().not_null())
                .col(ColumnDef::new(SoaEntries::Justification).text().null())
                .col(ColumnDef::new(SoaEntries::UpdatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(SoaEntries::UpdatedBy).string_len(300).not_null())
                .primary_key(Index::create().col(SoaEntries::TenantId).col(SoaEntries::Ref))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SoaVersions::Table)
                .col(ColumnDef::new(SoaVersions::TenantId).uuid().not_null())
                .col(ColumnDef::new(SoaVersions::Version).integer().not_null())
                // The frozen rows (JSON): a published version never changes.
                .col(ColumnDef::new(SoaVersions::Rows).text().not_null())
                .col(ColumnDef::new(SoaVersions::Note).text().not_null())
                .col(ColumnDef::new(SoaVersions::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(SoaVersions::CreatedBy).string_len(300).not_null())
                .col(ColumnDef::new(SoaVersions::ApprovedBy).string_len(300).null())
                .col(ColumnDef::new(SoaVersions::ApprovedAt).timestamp_with_time_zone().null())
                .primary_key(Index::create().col(SoaVersions::TenantId).col(SoaVersions::Version))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SoaVersions::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(SoaEntries::Table).to_owned()).await
    }
}
