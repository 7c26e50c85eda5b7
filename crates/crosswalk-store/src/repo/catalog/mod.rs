//! The catalog: frameworks, requirements, profiles and typed mapping sets, each either shared
//! (`tenant_id` NULL: bundled data and the installation operator's imports) or owned by one
//! organisation. Every read takes a [`Scope`]: the shared rows, plus the organisation's own.
//!
//! Documents are written whole inside one transaction with bulk inserts (a framework is a handful
//! of statements, not one per requirement). A document is identified by its content hash: loading
//! the same framework version again changes nothing, while the same slug and version with other
//! content is refused so a published version never silently changes.
//!
//! Frameworks, requirements and profiles are here; mapping sets and relations in [`mappings`]; the
//! bundled documents a release ships and their upgrades in [`bundled`].
use crate::{Read, conn};
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use crosswalk_domain::catalog::{FrameworkDoc, FrameworkKey, MappingSetDoc, ProfileDoc, RelationType};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entities::{framework, framework_profile, mapping_set, relation, requirement};
use crate::{StoreError, StoreResult, WriteTx};

pub use framework::Model as Framework;
pub use mapping_set::Model as MappingSet;
pub use requirement::Model as Requirement;

/// Rows per multi-row INSERT: well below SQLite's bound-parameter limit for these column counts.
const CHUNK: usize = 500;

pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What loading a document did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loaded {
    Inserted(i64),
    Unchanged(i64),
}

impl Loaded {
    pub fn id(self) -> i64 {
        match self {
            Loaded::Inserted(id) | Loaded::Unchanged(id) => id,
        }
    }
}

fn join_aliases(aliases: &[String]) -> String {
    aliases.join("\n")
}

pub fn split_aliases(aliases: &str) -> impl Iterator<Item = &str> {
    aliases.lines().filter(|a| !a.is_empty())
}

/// Which catalog rows a read may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The shared catalog only.
    Shared,
    /// The shared catalog and this organisation's own frameworks, profiles and mapping sets.
    Organisation(Uuid),
}

impl Scope {
    /// The organisation whose own rows are visible, if any.
    pub fn organisation(self) -> Option<Uuid> {
        match self {
            Scope::Shared => None,
            Scope::Organisation(t) => Some(t),
        }
    }

    fn frameworks(self) -> Condition {
        visible(framework::Column::TenantId, self)
    }
}

fn visible(col: impl ColumnTrait, scope: Scope) -> Condition {
    match scope {
        Scope::Shared => Condition::all().add(col.is_null()),
        Scope::Organisation(t) => Condition::any().add(col.is_null()).add(col.eq(t)),
    }
}

fn owned_by(col: impl ColumnTrait, owner: Option<Uuid>) -> Condition {
    match owner {
        None => Condition::all().add(col.is_null()),
        Some(t) => Condition::all().add(col.eq(t)),
    }
}

/// A framework version by exact key among the rows `owner` owns (NULL: the shared catalog).
pub async fn owned_framework_by_key(db: &impl Read, owner: Option<Uuid>, slug: &str, version: &str) -> StoreResult<Option<Framework>> {
    let db = conn(db);
    Ok(framework::Entity::find()
        .filter(owned_by(framework::Column::TenantId, owner))
        .filter(framework::Column::Slug.eq(slug))
        .filter(framework::Column::Version.eq(version))
        .one(db)
        .await?)
}

/// A visible framework by slug and version; the organisation's own wins over a shared one of the same key.
pub async fn framework_by_key(db: &impl Read, scope: Scope, slug: &str, version: &str) -> StoreResult<Option<Framework>> {
    let db = conn(db);
    let found = framework::Entity::find()
        .filter(scope.frameworks())
        .filter(framework::Column::Slug.eq(slug))
        .filter(framework::Column::Version.eq(version))
        .all(db)
        .await?;
    Ok(found.iter().find(|f| f.tenant_id.is_some()).or(found.first()).cloned())
}

/// Every visible version of a slug, newest first.
pub async fn frameworks_with_slug(db: &impl Read, scope: Scope, slug: &str) -> StoreResult<Vec<Framework>> {
    let db = conn(db);
    Ok(framework::Entity::find()
        .filter(scope.frameworks())
        .filter(framework::Column::Slug.eq(slug))
        .order_by_desc(framework::Column::Id)
        .all(db)
        .await?)
}

/// Is the slug used by any framework `scope` sees?
pub async fn slug_in_use(db: &impl Read, scope: Scope, slug: &str) -> StoreResult<bool> {
    let db = conn(db);
    Ok(framework::Entity::find().filter(scope.frameworks()).filter(framework::Column::Slug.eq(slug)).count(db).await? > 0)
}

/// How many requirements the frameworks an organisation owns hold together.
pub async fn owned_requirement_count(db: &impl Read, owner: Uuid) -> StoreResult<u64> {
    let db = conn(db);
    use sea_orm::sea_query::Query;
    let owned =
        Query::select().column(framework::Column::Id).from(framework::Entity).and_where(framework::Column::TenantId.eq(owner)).to_owned();
    Ok(requirement::Entity::find().filter(requirement::Column::FrameworkId.in_subquery(owned)).count(db).await?)
}

/// A framework with this exact content among the rows `owner` owns.
pub async fn owned_framework_by_hash(db: &impl Read, owner: Option<Uuid>, hash: &str) -> StoreResult<Option<Framework>> {
    let db = conn(db);
    Ok(framework::Entity::find()
        .filter(owned_by(framework::Column::TenantId, owner))
        .filter(framework::Column::ContentHash.eq(hash))
        .order_by_desc(framework::Column::Id)
        .one(db)
        .await?)
}

/// A framework by row id, if `scope` sees it.
pub async fn framework_by_id(db: &impl Read, scope: Scope, id: i64) -> StoreResult<Option<Framework>> {
    let db = conn(db);
    Ok(framework::Entity::find_by_id(id).filter(scope.frameworks()).one(db).await?)
}

/// The newest visible framework registered under an external alias (CISO Assistant URN,
/// `oscal-catalog:…`). A shared framework wins over the organisation's own: an import naming a
/// shared framework's URN never takes its place, not even for the importer.
pub async fn framework_by_alias(db: &impl Read, scope: Scope, alias: &str) -> StoreResult<Option<Framework>> {
    let db = conn(db);
    let candidates = framework::Entity::find()
        .filter(scope.frameworks())
        .filter(framework::Column::Aliases.contains(alias))
        .order_by_desc(framework::Column::Id)
        .all(db)
        .await?;
    let mut matching = candidates.into_iter().filter(|f| split_aliases(&f.aliases).any(|a| a == alias));
    let first = matching.next();
    Ok(match first {
        Some(f) if f.tenant_id.is_some() => Some(matching.find(|f| f.tenant_id.is_none()).unwrap_or(f)),
        other => other,
    })
}

/// The frameworks `scope` sees, by slug.
pub async fn frameworks(db: &impl Read, scope: Scope) -> StoreResult<Vec<Framework>> {
    let db = conn(db);
    Ok(framework::Entity::find()
        .filter(scope.frameworks())
        .order_by_asc(framework::Column::Slug)
        .order_by_asc(framework::Column::Id)
        .all(db)
        .await?)
}

/// `slug@version` of every framework row, shared or owned, by id: labels for graph paths, which
/// only ever reach frameworks the reader sees.
pub async fn framework_labels(db: &impl Read) -> StoreResult<Vec<(i64, String, String)>> {
    let db = conn(db);
    Ok(framework::Entity::find()
        .select_only()
        .column(framework::Column::Id)
        .column(framework::Column::Slug)
        .column(framework::Column::Version)
        .into_tuple()
        .all(db)
        .await?)
}

/// (framework id, requirements, assessable requirements) for the given frameworks, one query per
/// few hundred frameworks.
pub async fn requirement_counts(db: &impl Read, framework_ids: &[i64]) -> StoreResult<HashMap<i64, (i64, i64)>> {
    let db = conn(db);
    let mut rows: Vec<(i64, bool, i64)> = Vec::new();
    for chunk in framework_ids.chunks(CHUNK) {
        rows.extend(
            requirement::Entity::find()
                .select_only()
                .column(requirement::Column::FrameworkId)
                .column(requirement::Column::Assessable)
                .column_as(requirement::Column::Id.count(), "n")
                .filter(requirement::Column::FrameworkId.is_in(chunk.iter().copied()))
                .group_by(requirement::Column::FrameworkId)
                .group_by(requirement::Column::Assessable)
                .into_tuple::<(i64, bool, i64)>()
                .all(db)
                .await?,
        );
    }
    let mut out: HashMap<i64, (i64, i64)> = HashMap::new();
    for (framework_id, assessable, n) in rows {
        let entry = out.entry(framework_id).or_default();
        entry.0 += n;
        if assessable {
            entry.1 += n;
        }
    }
    Ok(out)
}

pub async fn requirements(db: &impl Read, framework_id: i64) -> StoreResult<Vec<Requirement>> {
    let db = conn(db);
    Ok(requirement::Entity::find()
        .filter(requirement::Column::FrameworkId.eq(framework_id))
        .order_by_asc(requirement::Column::Position)
        .all(db)
        .await?)
}

/// One page of a framework's requirements in document order, optionally only those whose ref or
/// title contains `needle` (case-insensitive), with the number of requirements that match.
pub async fn requirements_page(
    db: &impl Read,
    framework_id: i64,
    needle: Option<&str>,
    offset: u64,
    limit: u64,
) -> StoreResult<(u64, Vec<Requirement>)> {
    let db = conn(db);
    use sea_orm::sea_query::{Expr, Func, LikeExpr};
    let mut query = requirement::Entity::find().filter(requirement::Column::FrameworkId.eq(framework_id));
    if let Some(needle) = needle.map(str::trim).filter(|n| !n.is_empty()) {
        // LIKE wildcards in the search text are matched literally.
        let escaped = needle.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let pattern = || LikeExpr::new(format!("%{escaped}%")).escape('\\');
        query = query.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col((requirement::Entity, requirement::Column::Reference)))).like(pattern()))
                .add(Expr::expr(Func::lower(Expr::col((requirement::Entity, requirement::Column::Title)))).like(pattern())),
        );
    }
    let total = query.clone().count(db).await?;
    let rows = query.order_by_asc(requirement::Column::Position).offset(offset).limit(limit).all(db).await?;
    Ok((total, rows))
}

/// (ref, parent ref) of the named requirements of a framework.
pub async fn parents_of(db: &impl Read, framework_id: i64, refs: &[String]) -> StoreResult<Vec<(String, Option<String>)>> {
    let db = conn(db);
    let mut out = Vec::with_capacity(refs.len());
    for chunk in refs.chunks(CHUNK) {
        let rows: Vec<(String, Option<String>)> = requirement::Entity::find()
            .select_only()
            .column(requirement::Column::Reference)
            .column(requirement::Column::ParentRef)
            .filter(requirement::Column::FrameworkId.eq(framework_id))
            .filter(requirement::Column::Reference.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// One requirement as readiness sees it: its place in the tree, without text.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct RequirementRow {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub parent: Option<String>,
    pub assessable: bool,
    pub withdrawn: bool,
}

/// A framework's requirements in document order, without text.
pub async fn requirement_rows(db: &impl Read, framework_id: i64) -> StoreResult<Vec<RequirementRow>> {
    let db = conn(db);
    Ok(requirement::Entity::find()
        .select_only()
        .column(requirement::Column::Id)
        .column_as(requirement::Column::Reference, "reference")
        .column(requirement::Column::Title)
        .column_as(requirement::Column::ParentRef, "parent")
        .column(requirement::Column::Assessable)
        .column(requirement::Column::Withdrawn)
        .filter(requirement::Column::FrameworkId.eq(framework_id))
        .order_by_asc(requirement::Column::Position)
        .into_model::<RequirementRow>()
        .all(db)
        .await?)
}

/// Refs of the requirements whose parent is `reference` (not withdrawn), in document order.
pub async fn children_of(db: &impl Read, framework_id: i64, reference: &str) -> StoreResult<Vec<String>> {
    let db = conn(db);
    Ok(requirement::Entity::find()
        .select_only()
        .column(requirement::Column::Reference)
        .filter(requirement::Column::FrameworkId.eq(framework_id))
        .filter(requirement::Column::ParentRef.eq(reference))
        .filter(requirement::Column::Withdrawn.eq(false))
        .order_by_asc(requirement::Column::Position)
        .into_tuple()
        .all(db)
        .await?)
}

pub async fn requirement(db: &impl Read, framework_id: i64, reference: &str) -> StoreResult<Option<Requirement>> {
    let db = conn(db);
    Ok(requirement::Entity::find()
        .filter(requirement::Column::FrameworkId.eq(framework_id))
        .filter(requirement::Column::Reference.eq(reference))
        .one(db)
        .await?)
}

pub async fn requirements_by_ids(db: &impl Read, ids: &[i64]) -> StoreResult<Vec<Requirement>> {
    let db = conn(db);
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        out.extend(requirement::Entity::find().filter(requirement::Column::Id.is_in(chunk.iter().copied())).all(db).await?);
    }
    Ok(out)
}

/// The highest requirement id: grows with every framework any owner imports (requirements are never
/// deleted), so with the installation chain's head it says whether a cached catalog graph is current.
pub async fn max_requirement_id(db: &impl Read) -> StoreResult<i64> {
    let db = conn(db);
    let max: Option<Option<i64>> =
        requirement::Entity::find().select_only().column_as(requirement::Column::Id.max(), "max").into_tuple().one(db).await?;
    Ok(max.flatten().unwrap_or(0))
}

/// One requirement as the crosswalk graph indexes it.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct IndexRow {
    pub id: i64,
    pub framework_id: i64,
    pub reference: String,
    pub title: String,
    pub parent: Option<String>,
    pub withdrawn: bool,
}

/// Every requirement (without text): the index the crosswalk graph is built on.
pub async fn requirement_index(db: &impl Read) -> StoreResult<Vec<IndexRow>> {
    let db = conn(db);
    Ok(requirement::Entity::find()
        .select_only()
        .column(requirement::Column::Id)
        .column(requirement::Column::FrameworkId)
        .column_as(requirement::Column::Reference, "reference")
        .column(requirement::Column::Title)
        .column_as(requirement::Column::ParentRef, "parent")
        .column(requirement::Column::Withdrawn)
        .into_model::<IndexRow>()
        .all(db)
        .await?)
}

pub async fn profiles(db: &impl Read, scope: Scope, framework_id: i64) -> StoreResult<Vec<framework_profile::Model>> {
    let db = conn(db);
    Ok(framework_profile::Entity::find()
        .filter(framework_profile::Column::FrameworkId.eq(framework_id))
        .filter(visible(framework_profile::Column::TenantId, scope))
        .order_by_asc(framework_profile::Column::Id)
        .all(db)
        .await?)
}

/// Inserts a framework version owned by `owner` (NULL: shared) in one go, or confirms an identical
/// one is already there. Whether the slug may be used by `owner` is the caller's decision.
pub async fn load_framework(
    tx: &WriteTx,
    doc: &FrameworkDoc,
    hash: &str,
    bundled: bool,
    owner: Option<Uuid>,
    now: DateTime<Utc>,
) -> StoreResult<Loaded> {
    if let Some(existing) = owned_framework_by_key(tx, owner, &doc.slug, &doc.version).await? {
        if existing.content_hash == hash {
            return Ok(Loaded::Unchanged(existing.id));
        }
        return Err(StoreError::Conflict(format!(
            "framework {}@{} is already loaded with different content; give the new content a new version",
            doc.slug, doc.version
        )));
    }
    let inserted = framework::Entity::insert(framework::ActiveModel {
        id: NotSet,
        tenant_id: Set(owner),
        slug: Set(doc.slug.clone()),
        version: Set(doc.version.clone()),
        name: Set(doc.name.clone()),
        publisher: Set(doc.publisher.clone()),
        source: Set(doc.source.clone()),
        terms: Set(doc.terms.clone()),
        aliases: Set(join_aliases(&doc.aliases)),
        content_hash: Set(hash.to_owned()),
        bundled: Set(bundled),
        created_at: Set(crate::truncate_micros(now)),
    })
    .exec(tx.conn())
    .await?;
    let framework_id = inserted.last_insert_id;
    for (chunk_index, chunk) in doc.requirements.chunks(CHUNK).enumerate() {
        let rows = chunk.iter().enumerate().map(|(i, r)| requirement::ActiveModel {
            id: NotSet,
            framework_id: Set(framework_id),
            reference: Set(r.reference.clone()),
            parent_ref: Set(r.parent.clone()),
            title: Set(r.title.clone()),
            text: Set(r.text.clone()),
            assessable: Set(r.assessable && !r.withdrawn),
            withdrawn: Set(r.withdrawn),
            position: Set((chunk_index * CHUNK + i) as i32),
            aliases: Set(join_aliases(&r.aliases)),
        });
        requirement::Entity::insert_many(rows).exec_without_returning(tx.conn()).await?;
    }
    let chain = owner.unwrap_or(crate::records::INSTALLATION);
    tx.touch(chain, "frameworks", framework_id);
    let requirement_ids: Vec<i64> = requirement::Entity::find()
        .select_only()
        .column(requirement::Column::Id)
        .filter(requirement::Column::FrameworkId.eq(framework_id))
        .into_tuple()
        .all(tx.conn())
        .await?;
    tx.touch_many(chain, "requirements", requirement_ids);
    for profile in &doc.profiles {
        insert_profile(tx, framework_id, owner, profile).await?;
    }
    Ok(Loaded::Inserted(framework_id))
}

/// Appends requirements to a framework its owner grows (the SCF pivot of STRM imports): refs
/// already there are left as they are; new ones go at the end, journaled in the owner's chain.
/// Returns how many were added.
pub async fn append_requirements(
    tx: &WriteTx,
    framework: &Framework,
    new: &[crosswalk_domain::catalog::RequirementDoc],
) -> StoreResult<usize> {
    let existing = ref_ids(tx, framework.id).await?;
    let fresh: Vec<&crosswalk_domain::catalog::RequirementDoc> = new.iter().filter(|r| !existing.contains_key(&r.reference)).collect();
    if fresh.is_empty() {
        return Ok(0);
    }
    let start = existing.len();
    let rows = fresh.iter().enumerate().map(|(i, r)| requirement::ActiveModel {
        id: NotSet,
        framework_id: Set(framework.id),
        reference: Set(r.reference.clone()),
        parent_ref: Set(r.parent.clone()),
        title: Set(r.title.clone()),
        text: Set(r.text.clone()),
        assessable: Set(r.assessable && !r.withdrawn),
        withdrawn: Set(r.withdrawn),
        position: Set((start + i) as i32),
        aliases: Set(join_aliases(&r.aliases)),
    });
    let rows: Vec<requirement::ActiveModel> = rows.collect();
    for chunk in rows.chunks(CHUNK) {
        requirement::Entity::insert_many(chunk.iter().cloned()).exec_without_returning(tx.conn()).await?;
    }
    let chain = framework.tenant_id.unwrap_or(crate::records::INSTALLATION);
    let refs: Vec<String> = fresh.iter().map(|r| r.reference.clone()).collect();
    let ids: Vec<i64> = requirement::Entity::find()
        .select_only()
        .column(requirement::Column::Id)
        .filter(requirement::Column::FrameworkId.eq(framework.id))
        .filter(requirement::Column::Reference.is_in(refs))
        .into_tuple()
        .all(tx.conn())
        .await?;
    tx.touch_many(chain, "requirements", ids);
    Ok(fresh.len())
}

/// Adds a profile owned by `owner` (NULL: shared) to a loaded framework; the same profile again is
/// a no-op, a different one under a slug the owner already sees is refused.
pub async fn insert_profile(tx: &WriteTx, framework_id: i64, owner: Option<Uuid>, profile: &ProfileDoc) -> StoreResult<Loaded> {
    let refs = profile.refs.join("\n");
    let scope = owner.map_or(Scope::Shared, Scope::Organisation);
    let existing = framework_profile::Entity::find()
        .filter(framework_profile::Column::FrameworkId.eq(framework_id))
        .filter(visible(framework_profile::Column::TenantId, scope))
        .filter(framework_profile::Column::Slug.eq(&profile.slug))
        .one(tx.conn())
        .await?;
    if let Some(existing) = existing {
        if existing.refs == refs && existing.tenant_id == owner {
            return Ok(Loaded::Unchanged(existing.id));
        }
        return Err(StoreError::Conflict(format!("profile '{}' already exists with a different selection", profile.slug)));
    }
    let inserted = framework_profile::Entity::insert(framework_profile::ActiveModel {
        id: NotSet,
        framework_id: Set(framework_id),
        tenant_id: Set(owner),
        slug: Set(profile.slug.clone()),
        name: Set(profile.name.clone()),
        refs: Set(refs),
    })
    .exec(tx.conn())
    .await?;
    tx.touch(owner.unwrap_or(crate::records::INSTALLATION), "framework_profiles", inserted.last_insert_id);
    Ok(Loaded::Inserted(inserted.last_insert_id))
}

async fn ref_ids(db: &impl Read, framework_id: i64) -> StoreResult<HashMap<String, i64>> {
    let db = conn(db);
    let rows: Vec<(i64, String)> = requirement::Entity::find()
        .select_only()
        .column(requirement::Column::Id)
        .column(requirement::Column::Reference)
        .filter(requirement::Column::FrameworkId.eq(framework_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, r)| (r, id)).collect())
}

/// Requirement ids of a framework keyed by each of their aliases (for CISO Assistant URN resolution).
pub async fn alias_ids(db: &impl Read, framework_id: i64) -> StoreResult<HashMap<String, (i64, String)>> {
    let db = conn(db);
    let rows: Vec<(i64, String, String)> = requirement::Entity::find()
        .select_only()
        .column(requirement::Column::Id)
        .column(requirement::Column::Reference)
        .column(requirement::Column::Aliases)
        .filter(requirement::Column::FrameworkId.eq(framework_id))
        .into_tuple()
        .all(db)
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for (id, reference, aliases) in rows {
        for alias in split_aliases(&aliases) {
            out.insert(alias.to_owned(), (id, reference.clone()));
        }
    }
    Ok(out)
}

mod bundled;
mod mappings;
pub use bundled::*;
pub use mappings::*;
