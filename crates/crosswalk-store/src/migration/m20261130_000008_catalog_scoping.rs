//! Catalog scoping (issue 11): frameworks and profiles get an owner (`tenant_id`, NULL for the
//! shared catalog), and what organisations imported before this change is given to its importer.
//!
//! Before, any organisation's admin wrote the one shared catalog. The importer of each framework,
//! profile and mapping set is found in the journal: a `catalog.import` entry lists what it inserted
//! (`items`: kind, name, inserted) and the file's `sha256`, from which a CISO Assistant mapping set's
//! content hash is derived (`sha256hex("{file sha256}:{index}")`). Entries by the installation
//! operator (`operator:cli`) stay shared. A moved framework whose slug the shared catalog also uses is
//! renamed `{slug}-{organisation slug}` so that the slug means the shared framework for everyone.
//! Every move is logged.
use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use sea_orm_migration::prelude::*;
use sha2::{Digest, Sha256};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Frameworks {
    Table,
    Id,
    TenantId,
    Slug,
    Version,
    Bundled,
}
#[derive(DeriveIden)]
enum FrameworkProfiles {
    Table,
    Id,
    TenantId,
    FrameworkId,
    Slug,
}
#[derive(DeriveIden)]
enum MappingSets {
    Table,
    Id,
    TenantId,
    ContentHash,
}
#[derive(DeriveIden)]
enum JournalEntries {
    Table,
    TenantId,
    Seq,
    Actor,
    Action,
    Payload,
}
#[derive(DeriveIden)]
enum TenantFrameworks {
    Table,
    TenantId,
    FrameworkId,
}
#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Slug,
}

/// The journal's name for the installation operator (`Actor::journal_name` without a person).
const OPERATOR: &str = "operator:cli";
/// CISO Assistant libraries hold few mapping sets; indexes beyond this are not looked for.
const MAX_SET_INDEX: usize = 4096;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Frameworks::Table).add_column(ColumnDef::new(Frameworks::TenantId).uuid().null()).to_owned())
            .await?;
        m.alter_table(
            Table::alter().table(FrameworkProfiles::Table).add_column(ColumnDef::new(FrameworkProfiles::TenantId).uuid().null()).to_owned(),
        )
        .await?;
        // Shared slugs stay unique among themselves; each organisation's own are unique within it.
        // Two indexes because NULL owners never collide in a plain unique index (both engines).
        m.drop_index(Index::drop().name("ux_frameworks_slug_version").table(Frameworks::Table).to_owned()).await?;
        m.create_index(
            Index::create()
                .name("ux_frameworks_shared_slug_version")
                .table(Frameworks::Table)
                .col(Frameworks::Slug)
                .col(Frameworks::Version)
                .and_where(Expr::col(Frameworks::TenantId).is_null())
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_frameworks_owned_slug_version")
                .table(Frameworks::Table)
                .col(Frameworks::TenantId)
                .col(Frameworks::Slug)
                .col(Frameworks::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.drop_index(Index::drop().name("ux_framework_profiles").table(FrameworkProfiles::Table).to_owned()).await?;
        m.create_index(
            Index::create()
                .name("ux_framework_profiles_shared")
                .table(FrameworkProfiles::Table)
                .col(FrameworkProfiles::FrameworkId)
                .col(FrameworkProfiles::Slug)
                .and_where(Expr::col(FrameworkProfiles::TenantId).is_null())
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_framework_profiles_owned")
                .table(FrameworkProfiles::Table)
                .col(FrameworkProfiles::FrameworkId)
                .col(FrameworkProfiles::TenantId)
                .col(FrameworkProfiles::Slug)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_frameworks_tenant").table(Frameworks::Table).col(Frameworks::TenantId).to_owned()).await?;
        give_imports_to_importers(m.get_connection()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            ("ux_framework_profiles_owned", FrameworkProfiles::Table.into_iden()),
            ("ux_framework_profiles_shared", FrameworkProfiles::Table.into_iden()),
            ("idx_frameworks_tenant", Frameworks::Table.into_iden()),
            ("ux_frameworks_owned_slug_version", Frameworks::Table.into_iden()),
            ("ux_frameworks_shared_slug_version", Frameworks::Table.into_iden()),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        m.alter_table(Table::alter().table(FrameworkProfiles::Table).drop_column(FrameworkProfiles::TenantId).to_owned()).await?;
        m.alter_table(Table::alter().table(Frameworks::Table).drop_column(Frameworks::TenantId).to_owned()).await?;
        m.create_index(
            Index::create()
                .name("ux_framework_profiles")
                .table(FrameworkProfiles::Table)
                .col(FrameworkProfiles::FrameworkId)
                .col(FrameworkProfiles::Slug)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_frameworks_slug_version")
                .table(Frameworks::Table)
                .col(Frameworks::Slug)
                .col(Frameworks::Version)
                .unique()
                .to_owned(),
        )
        .await
    }
}

#[derive(Debug, FromQueryResult)]
struct ImportEntry {
    tenant_id: uuid::Uuid,
    actor: String,
    payload: String,
}

#[derive(Debug, FromQueryResult)]
struct FrameworkRow {
    id: i64,
    slug: String,
    version: String,
    bundled: bool,
}

#[derive(Debug, FromQueryResult)]
struct ProfileRow {
    id: i64,
    framework_id: i64,
    slug: String,
}

#[derive(Debug, FromQueryResult)]
struct SetRow {
    id: i64,
    content_hash: String,
}

#[derive(Debug, FromQueryResult)]
struct FollowRow {
    tenant_id: uuid::Uuid,
    framework_id: i64,
}

#[derive(Debug, FromQueryResult)]
struct TenantRow {
    id: uuid::Uuid,
    slug: String,
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

async fn all<T: FromQueryResult>(db: &SchemaManagerConnection<'_>, q: &SelectStatement) -> Result<Vec<T>, DbErr> {
    let stmt = db.get_database_backend().build(q);
    T::find_by_statement(stmt).all(db).await
}

async fn set_owner(
    db: &SchemaManagerConnection<'_>,
    table: impl IntoIden + 'static,
    id_col: impl IntoIden + 'static,
    owner_col: impl IntoIden + 'static,
    id: i64,
    owner: uuid::Uuid,
) -> Result<(), DbErr> {
    let q = Query::update().table(table).value(owner_col, Value::from(owner)).and_where(Expr::col(id_col).eq(id)).to_owned();
    db.execute(db.get_database_backend().build(&q)).await.map(|_| ())
}

/// Gives what organisations imported (per the journal) to the importer; see the module doc.
async fn give_imports_to_importers(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let entries: Vec<ImportEntry> = all(
        db,
        Query::select()
            .columns([JournalEntries::TenantId, JournalEntries::Actor, JournalEntries::Payload])
            .from(JournalEntries::Table)
            .and_where(Expr::col(JournalEntries::Action).eq("catalog.import"))
            .order_by(JournalEntries::TenantId, Order::Asc)
            .order_by(JournalEntries::Seq, Order::Asc),
    )
    .await?;
    if entries.is_empty() {
        return Ok(());
    }
    let frameworks: Vec<FrameworkRow> = all(
        db,
        Query::select()
            .columns([Frameworks::Id, Frameworks::Slug, Frameworks::Version, Frameworks::Bundled])
            .from(Frameworks::Table)
            .order_by(Frameworks::Id, Order::Asc),
    )
    .await?;
    let profiles: Vec<ProfileRow> = all(
        db,
        Query::select()
            .columns([FrameworkProfiles::Id, FrameworkProfiles::FrameworkId, FrameworkProfiles::Slug])
            .from(FrameworkProfiles::Table),
    )
    .await?;
    let sets: Vec<SetRow> = all(
        db,
        Query::select()
            .columns([MappingSets::Id, MappingSets::ContentHash])
            .from(MappingSets::Table)
            .and_where(Expr::col(MappingSets::TenantId).is_null()),
    )
    .await?;
    let tenants: HashMap<uuid::Uuid, String> =
        all::<TenantRow>(db, Query::select().columns([Tenants::Id, Tenants::Slug]).from(Tenants::Table))
            .await?
            .into_iter()
            .map(|t| (t.id, t.slug))
            .collect();
    let by_key: HashMap<String, &FrameworkRow> =
        frameworks.iter().filter(|f| !f.bundled).map(|f| (format!("{}@{}", f.slug, f.version), f)).collect();
    let set_by_hash: HashMap<&str, i64> = sets.iter().map(|s| (s.content_hash.as_str(), s.id)).collect();

    let mut owner_of_framework: HashMap<i64, uuid::Uuid> = HashMap::new();
    let mut owner_of_profile: HashMap<i64, uuid::Uuid> = HashMap::new();
    let mut owner_of_set: HashMap<i64, uuid::Uuid> = HashMap::new();
    for entry in entries.iter().filter(|e| e.actor != OPERATOR) {
        let Ok(payload) = serde_json::from_str::<serde_json::Value>(&entry.payload) else { continue };
        let items = payload["items"].as_array().cloned().unwrap_or_default();
        for item in items.iter().filter(|i| i["inserted"].as_bool() == Some(true)) {
            let name = item["name"].as_str().unwrap_or_default();
            match item["kind"].as_str() {
                Some("framework") => {
                    if let Some(f) = by_key.get(name) {
                        owner_of_framework.entry(f.id).or_insert(entry.tenant_id);
                    }
                }
                Some("profile") => {
                    // "{profile slug} on {framework slug@version}"
                    let Some((slug, on)) = name.split_once(" on ") else { continue };
                    let Some(framework) = frameworks.iter().find(|f| format!("{}@{}", f.slug, f.version) == on) else { continue };
                    if let Some(p) = profiles.iter().find(|p| p.framework_id == framework.id && p.slug == slug) {
                        owner_of_profile.entry(p.id).or_insert(entry.tenant_id);
                    }
                }
                _ => {}
            }
        }
        // A CISO Assistant set's hash is derived from the file's and its index in the file.
        if let Some(file_hash) = payload["sha256"].as_str()
            && items.iter().any(|i| i["kind"].as_str() == Some("mapping_set") && i["inserted"].as_bool() == Some(true))
        {
            for index in 0..MAX_SET_INDEX {
                if let Some(id) = set_by_hash.get(sha256_hex(&format!("{file_hash}:{index}")).as_str()) {
                    owner_of_set.entry(*id).or_insert(entry.tenant_id);
                }
            }
        }
    }

    // Profiles inside a moved framework's document go with it.
    for p in &profiles {
        if let Some(owner) = owner_of_framework.get(&p.framework_id) {
            owner_of_profile.entry(p.id).or_insert(*owner);
        }
    }
    let shared_slugs: HashSet<&str> =
        frameworks.iter().filter(|f| !owner_of_framework.contains_key(&f.id)).map(|f| f.slug.as_str()).collect();
    let mut taken: HashSet<(uuid::Uuid, String, String)> = HashSet::new();
    // Another organisation that followed a framework now given to its importer no longer sees it:
    // worth a warning, since that organisation must choose a shared framework instead.
    let follows: Vec<FollowRow> =
        all(db, Query::select().columns([TenantFrameworks::TenantId, TenantFrameworks::FrameworkId]).from(TenantFrameworks::Table)).await?;
    for follow in &follows {
        if let Some(owner) = owner_of_framework.get(&follow.framework_id)
            && *owner != follow.tenant_id
        {
            let follower = tenants.get(&follow.tenant_id).cloned().unwrap_or_default();
            tracing::warn!(framework_id = follow.framework_id, organisation = %follower, "catalog scoping: this organisation followed a framework another organisation imported; it is no longer visible to it");
        }
    }
    for f in &frameworks {
        let Some(owner) = owner_of_framework.get(&f.id).copied() else { continue };
        let tenant_slug = tenants.get(&owner).cloned().unwrap_or_else(|| owner.simple().to_string());
        let mut slug = f.slug.clone();
        if shared_slugs.contains(slug.as_str()) {
            // The shared framework keeps its slug; the organisation's copy gets its own.
            let base = format!("{}-{tenant_slug}", f.slug);
            slug = base.clone();
            let mut n = 2;
            while shared_slugs.contains(slug.as_str()) || taken.contains(&(owner, slug.clone(), f.version.clone())) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            let q = Query::update()
                .table(Frameworks::Table)
                .value(Frameworks::Slug, slug.clone())
                .and_where(Expr::col(Frameworks::Id).eq(f.id))
                .to_owned();
            db.execute(db.get_database_backend().build(&q)).await?;
        }
        taken.insert((owner, slug.clone(), f.version.clone()));
        set_owner(db, Frameworks::Table, Frameworks::Id, Frameworks::TenantId, f.id, owner).await?;
        tracing::info!(framework = %format!("{}@{}", f.slug, f.version), now = %format!("{slug}@{}", f.version), organisation = %tenant_slug, "catalog scoping: framework given to the organisation that imported it");
    }
    for (id, owner) in &owner_of_profile {
        set_owner(db, FrameworkProfiles::Table, FrameworkProfiles::Id, FrameworkProfiles::TenantId, *id, *owner).await?;
        let tenant_slug = tenants.get(owner).cloned().unwrap_or_default();
        tracing::info!(profile = id, organisation = %tenant_slug, "catalog scoping: profile given to the organisation that imported it");
    }
    for (id, owner) in &owner_of_set {
        set_owner(db, MappingSets::Table, MappingSets::Id, MappingSets::TenantId, *id, *owner).await?;
        let tenant_slug = tenants.get(owner).cloned().unwrap_or_default();
        tracing::info!(mapping_set = id, organisation = %tenant_slug, "catalog scoping: mapping set given to the organisation that imported it");
    }
    Ok(())
}
