//! `requirements.withdrawn` (issue 13, item 7): a requirement its source has withdrawn (OSCAL
//! `status: withdrawn`, SP 800-53 r5's "[Withdrawn: …]" controls such as AC-13) is kept so references
//! to it still resolve, but it is never assessed and never counted.
//!
//! Rows loaded before this migration get `false`; the bundled catalog refresh at start-up
//! ([`crate::repo::catalog::load_bundled`]) marks the bundled withdrawn controls, journaled.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Requirements {
    Table,
    Withdrawn,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Requirements::Table)
                .add_column(ColumnDef::new(Requirements::Withdrawn).boolean().not_null().default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Requirements::Table).drop_column(Requirements::Withdrawn).to_owned()).await
    }
}
