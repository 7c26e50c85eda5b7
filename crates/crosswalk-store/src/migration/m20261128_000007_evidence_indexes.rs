//! Indexes for the questions asked of evidence at scale (100,000 items per tenant): which controls
//! an item serves and which items a control has (each was answered by scanning the tenant's links),
//! newest items first, and items expiring soon. Found with EXPLAIN QUERY PLAN on the benchmark data.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Evidence {
    Table,
    TenantId,
    CollectedAt,
    ValidUntil,
}

#[derive(DeriveIden)]
enum EvidenceControls {
    Table,
    TenantId,
    EvidenceId,
    ControlId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_evidence_controls_tenant").table(EvidenceControls::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("idx_evidence_tenant").table(Evidence::Table).to_owned()).await?;
        let indexes = [
            ("idx_evidence_controls_by_evidence", EvidenceControls::Table, [EvidenceControls::TenantId, EvidenceControls::EvidenceId]),
            ("idx_evidence_controls_by_control", EvidenceControls::Table, [EvidenceControls::TenantId, EvidenceControls::ControlId]),
        ];
        for (name, table, [a, b]) in indexes {
            m.create_index(Index::create().name(name).table(table).col(a).col(b).to_owned()).await?;
        }
        for (name, col) in [("idx_evidence_newest", Evidence::CollectedAt), ("idx_evidence_expiring", Evidence::ValidUntil)] {
            m.create_index(Index::create().name(name).table(Evidence::Table).col(Evidence::TenantId).col(col).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in ["idx_evidence_controls_by_evidence", "idx_evidence_controls_by_control"] {
            m.drop_index(Index::drop().name(name).table(EvidenceControls::Table).to_owned()).await?;
        }
        for name in ["idx_evidence_newest", "idx_evidence_expiring"] {
            m.drop_index(Index::drop().name(name).table(Evidence::Table).to_owned()).await?;
        }
        m.create_index(
            Index::create().name("idx_evidence_controls_tenant").table(EvidenceControls::Table).col(EvidenceControls::TenantId).to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_evidence_tenant").table(Evidence::Table).col(Evidence::TenantId).to_owned()).await
    }
}
