//! Schema migrations, in code and embedded in the binary. Run at start-up and by `crosswalk migrate`.
//! Uses the portable schema builder so SQLite and PostgreSQL share one definition.
use sea_orm_migration::prelude::*;

mod m20261127_000001_foundation;
mod m20261127_000002_nis2;
mod m20261127_000003_jobs;
mod m20261127_000004_catalog;
mod m20261127_000005_posture;
mod m20261127_000006_soa;
mod m20261128_000007_evidence_indexes;
mod m20261130_000008_catalog_scoping;
mod m20261130_000009_accounts;
mod m20261130_000010_dora_holidays;
mod m20261201_000011_record_hashes;
mod m20261201_000012_withdrawn;
mod m20261201_000013_nis2_designations;
mod m20261201_000014_incident_significance;
mod m20261201_000015_nis2_registrations;
mod m20261201_000016_identity_links;

#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_foundation::Migration),
            Box::new(m20261127_000002_nis2::Migration),
            Box::new(m20261127_000003_jobs::Migration),
            Box::new(m20261127_000004_catalog::Migration),
            Box::new(m20261127_000005_posture::Migration),
            Box::new(m20261127_000006_soa::Migration),
            Box::new(m20261128_000007_evidence_indexes::Migration),
            Box::new(m20261130_000008_catalog_scoping::Migration),
            Box::new(m20261130_000009_accounts::Migration),
            Box::new(m20261130_000010_dora_holidays::Migration),
            Box::new(m20261201_000011_record_hashes::Migration),
            Box::new(m20261201_000012_withdrawn::Migration),
            Box::new(m20261201_000013_nis2_designations::Migration),
            Box::new(m20261201_000014_incident_significance::Migration),
            Box::new(m20261201_000015_nis2_registrations::Migration),
            Box::new(m20261201_000016_identity_links::Migration),
        ]
    }
}
