//! NIS2 layer: the organisation's scoping result, incidents with the facts their legal clocks run from,
//! and the reports submitted.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}
#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    TenantId,
    Title,
    Description,
    AwareAt,
    ClassifiedAt,
    Tz,
    EntityType,
    Regimes,
    PersonalData,
    CrossBorder,
    FinancialEntity,
    AffectedServices,
    Significance,
    SignificanceReason,
    Status,
    CreatedAt,
}
#[derive(DeriveIden)]
enum IncidentSubmissions {
    Table,
    Id,
    TenantId,
    IncidentId,
    Step,
    SubmittedAt,
    Authority,
    Reference,
    Late,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Nis2Profiles {
    Table,
    TenantId,
    EntityType,
    Employees,
    TurnoverEur,
    BalanceEur,
    Classification,
    DecidedAt,
    DecidedBy,
}

#[derive(DeriveIden)]
enum ManagementApprovals {
    Table,
    Id,
    TenantId,
    Member,
    Document,
    DocumentVersion,
    Decision,
    DecidedOn,
    Note,
    CreatedAt,
}
#[derive(DeriveIden)]
enum ManagementTrainings {
    Table,
    Id,
    TenantId,
    Member,
    Course,
    CompletedOn,
    ValidUntil,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Suppliers {
    Table,
    Id,
    TenantId,
    Name,
    Services,
    Criticality,
    Contact,
    Clauses,
    NextReviewOn,
    CreatedAt,
}
#[derive(DeriveIden)]
enum SupplierAssessments {
    Table,
    Id,
    TenantId,
    SupplierId,
    AssessedOn,
    Assessor,
    Answers,
    Score,
    CreatedAt,
}

fn tenant_fk(name: &str, table: impl IntoIden + 'static, col: impl IntoIden + 'static) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(table, col).to(Tenants::Table, Tenants::Id).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // NIS2 Art 21(2)(d): supply chain security.
        m.create_table(
            Table::create()
                .table(Suppliers::Table)
                .col(ColumnDef::new(Suppliers::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Suppliers::TenantId).uuid().not_null())
                .col(ColumnDef::new(Suppliers::Name).string_len(200).not_null())
                .col(ColumnDef::new(Suppliers::Services).text().not_null())
                .col(ColumnDef::new(Suppliers::Criticality).string_len(20).not_null())
                .col(ColumnDef::new(Suppliers::Contact).string_len(300).not_null())
                // Comma-separated keys of the contract clauses in place (a short closed set, read whole).
                .col(ColumnDef::new(Suppliers::Clauses).text().not_null())
                .col(ColumnDef::new(Suppliers::NextReviewOn).date().not_null())
                .col(ColumnDef::new(Suppliers::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(&mut tenant_fk("fk_suppliers_tenant", Suppliers::Table, Suppliers::TenantId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SupplierAssessments::Table)
                .col(ColumnDef::new(SupplierAssessments::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(SupplierAssessments::TenantId).uuid().not_null())
                .col(ColumnDef::new(SupplierAssessments::SupplierId).uuid().not_null())
                .col(ColumnDef::new(SupplierAssessments::AssessedOn).date().not_null())
                .col(ColumnDef::new(SupplierAssessments::Assessor).string_len(300).not_null())
                // Canonical JSON {question key: "yes" | "partial" | "no"}.
                .col(ColumnDef::new(SupplierAssessments::Answers).text().not_null())
                .col(ColumnDef::new(SupplierAssessments::Score).integer().not_null())
                .col(ColumnDef::new(SupplierAssessments::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_supplier_assessments_supplier")
                        .from(SupplierAssessments::Table, SupplierAssessments::SupplierId)
                        .to(Suppliers::Table, Suppliers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // NIS2 Art 20(1): management bodies approve the Art 21 measures; Art 20(2): they follow training.
        m.create_table(
            Table::create()
                .table(ManagementApprovals::Table)
                .col(ColumnDef::new(ManagementApprovals::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(ManagementApprovals::TenantId).uuid().not_null())
                .col(ColumnDef::new(ManagementApprovals::Member).string_len(200).not_null())
                .col(ColumnDef::new(ManagementApprovals::Document).string_len(300).not_null())
                .col(ColumnDef::new(ManagementApprovals::DocumentVersion).string_len(50).not_null())
                .col(ColumnDef::new(ManagementApprovals::Decision).string_len(40).not_null())
                .col(ColumnDef::new(ManagementApprovals::DecidedOn).date().not_null())
                .col(ColumnDef::new(ManagementApprovals::Note).text().not_null())
                .col(ColumnDef::new(ManagementApprovals::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(&mut tenant_fk("fk_management_approvals_tenant", ManagementApprovals::Table, ManagementApprovals::TenantId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ManagementTrainings::Table)
                .col(ColumnDef::new(ManagementTrainings::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(ManagementTrainings::TenantId).uuid().not_null())
                .col(ColumnDef::new(ManagementTrainings::Member).string_len(200).not_null())
                .col(ColumnDef::new(ManagementTrainings::Course).string_len(300).not_null())
                .col(ColumnDef::new(ManagementTrainings::CompletedOn).date().not_null())
                .col(ColumnDef::new(ManagementTrainings::ValidUntil).date().not_null())
                .col(ColumnDef::new(ManagementTrainings::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(&mut tenant_fk("fk_management_trainings_tenant", ManagementTrainings::Table, ManagementTrainings::TenantId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Nis2Profiles::Table)
                .col(ColumnDef::new(Nis2Profiles::TenantId).uuid().not_null().primary_key())
                .col(ColumnDef::new(Nis2Profiles::EntityType).string_len(100).not_null())
                .col(ColumnDef::new(Nis2Profiles::Employees).big_integer().not_null())
                .col(ColumnDef::new(Nis2Profiles::TurnoverEur).big_integer().not_null())
                .col(ColumnDef::new(Nis2Profiles::BalanceEur).big_integer().not_null())
                .col(ColumnDef::new(Nis2Profiles::Classification).string_len(20).not_null())
                .col(ColumnDef::new(Nis2Profiles::DecidedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Nis2Profiles::DecidedBy).string_len(300).not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_nis2_profiles_tenant")
                        .from(Nis2Profiles::Table, Nis2Profiles::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Incidents::Table)
                .col(ColumnDef::new(Incidents::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Incidents::TenantId).uuid().not_null())
                .col(ColumnDef::new(Incidents::Title).string_len(300).not_null())
                .col(ColumnDef::new(Incidents::Description).text().not_null())
                .col(ColumnDef::new(Incidents::AwareAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Incidents::ClassifiedAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Incidents::Tz).string_len(64).not_null())
                .col(ColumnDef::new(Incidents::EntityType).string_len(100).null())
                // Comma-separated regime slugs (nis2,gdpr,dora): a short closed set, always read whole.
                .col(ColumnDef::new(Incidents::Regimes).string_len(50).not_null())
                .col(ColumnDef::new(Incidents::PersonalData).boolean().not_null())
                .col(ColumnDef::new(Incidents::CrossBorder).boolean().not_null())
                .col(ColumnDef::new(Incidents::FinancialEntity).boolean().not_null())
                .col(ColumnDef::new(Incidents::AffectedServices).text().not_null())
                // NIS2 Art 23(3) assessment: "", "significant" or "not_significant", with its reasons.
                .col(ColumnDef::new(Incidents::Significance).string_len(20).not_null())
                .col(ColumnDef::new(Incidents::SignificanceReason).text().not_null())
                .col(ColumnDef::new(Incidents::Status).string_len(20).not_null())
                .col(ColumnDef::new(Incidents::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_incidents_tenant")
                        .from(Incidents::Table, Incidents::TenantId)
                        .to(Tenants::Table, Tenants::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_incidents_tenant").table(Incidents::Table).col(Incidents::TenantId).to_owned()).await?;
        m.create_table(
            Table::create()
                .table(IncidentSubmissions::Table)
                .col(ColumnDef::new(IncidentSubmissions::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(IncidentSubmissions::TenantId).uuid().not_null())
                .col(ColumnDef::new(IncidentSubmissions::IncidentId).uuid().not_null())
                .col(ColumnDef::new(IncidentSubmissions::Step).string_len(64).not_null())
                .col(ColumnDef::new(IncidentSubmissions::SubmittedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(IncidentSubmissions::Authority).string_len(200).not_null())
                .col(ColumnDef::new(IncidentSubmissions::Reference).string_len(200).not_null())
                .col(ColumnDef::new(IncidentSubmissions::Late).boolean().not_null())
                .col(ColumnDef::new(IncidentSubmissions::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_incident_submissions_incident")
                        .from(IncidentSubmissions::Table, IncidentSubmissions::IncidentId)
                        .to(Incidents::Table, Incidents::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_incident_submissions_incident")
                .table(IncidentSubmissions::Table)
                .col(IncidentSubmissions::TenantId)
                .col(IncidentSubmissions::IncidentId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SupplierAssessments::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Suppliers::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ManagementTrainings::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ManagementApprovals::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Nis2Profiles::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(IncidentSubmissions::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Incidents::Table).to_owned()).await
    }
}
