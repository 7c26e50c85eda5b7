//! Use cases on the catalog: browse frameworks and requirements, import OSCAL catalogs and
//! profiles and CISO Assistant libraries (one transaction each), list typed relations between two
//! frameworks, and keep an organisation's own relations (manager role, journaled).
//!
//! Who owns catalog data (issue 11): the shared catalog (bundled data, and imports by the
//! installation operator through the CLI) is read-only to organisations. What an organisation
//! imports (admin role) or adds in the mapping editor (manager role) is its own: visible and
//! effective only for it, journaled in its journal. Every read gets its [`Scope`] from the actor
//! ([`Actor::catalog_scope`]), here, once. A slug never changes meaning: an organisation's import
//! never takes a slug the shared catalog uses (it gets its own, reported in the import's notes), and
//! a slug without a version means the version the organisation follows.
//!
//! Imports (OSCAL, CISO Assistant, SCF STRM: parsing, limits, placement) are in [`import`].
use std::collections::HashMap;
use std::sync::Arc;

use crosswalk_domain::Permission;
use crosswalk_domain::catalog::{
    FrameworkDoc, FrameworkKey, MappingSetDoc, Provenance, Rationale, RelationDoc, RelationType, RequirementDoc, parse_framework_id,
};
use crosswalk_domain::crosswalk::MappingGraph;
use crosswalk_import::{Format, ciso, oscal};
use crosswalk_store::repo::catalog::{self as repo, Framework, Loaded, Scope};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Actor, App, AppError, AppResult};

mod import;

/// The SCF pivot framework STRM imports grow (one per owner).
pub const SCF_SLUG: &str = "scf";
pub const SCF_VERSION: &str = "strm";

/// The file formats `import_catalog` understands.
pub use crosswalk_import::Format as ImportFormat;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FrameworkSummary {
    pub slug: String,
    pub version: String,
    pub name: String,
    pub publisher: String,
    pub source: String,
    pub terms: String,
    pub bundled: bool,
    pub requirements: i64,
    pub assessable: i64,
    /// Whether the actor's organisation follows this framework.
    pub followed: bool,
    /// `shared` (bundled or installed by the operator) or `organisation` (the actor's own import).
    pub scope: FrameworkScope,
}

/// Whose a framework is, as its readers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FrameworkScope {
    /// The shared catalog: bundled, or imported by the installation operator.
    Shared,
    /// Imported by the reader's own organisation; no other organisation sees it.
    Organisation,
}

/// The limits an organisation's import must keep (issue 11: resource limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// Most requirements in a framework, and most relations in a mapping set.
    pub max_requirements: usize,
    /// Most requirements all of an organisation's own frameworks may hold together: every
    /// framework's requirements are indexed in memory for the crosswalk, so one organisation must
    /// not grow that index without bound by importing many files.
    pub max_total_requirements: u64,
}

impl Default for ImportLimits {
    fn default() -> Self {
        Self { max_bytes: 20 * 1024 * 1024, max_requirements: 50_000, max_total_requirements: 500_000 }
    }
}

/// Which requirements of a framework a detail response carries: responses stay bounded however
/// large the framework (issue 11: six concurrent reads of the largest framework must not cost
/// hundreds of megabytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementRange {
    pub offset: u64,
    pub limit: u64,
    /// Only requirements whose ref or title contains this (case-insensitive).
    pub search: Option<String>,
}

impl RequirementRange {
    /// Most requirements one response may carry.
    pub const MAX_LIMIT: u64 = 2000;
    /// Requirements per response when the caller does not say.
    pub const DEFAULT_LIMIT: u64 = 500;
    /// Offsets beyond this are refused rather than passed to the database.
    pub const MAX_OFFSET: u64 = 10_000_000;

    /// A page from request parameters, or 422 naming the parameter that is out of bounds.
    pub fn new(offset: Option<u64>, limit: Option<u64>, search: Option<String>) -> AppResult<Self> {
        let offset = offset.unwrap_or(0);
        let limit = limit.unwrap_or(Self::DEFAULT_LIMIT);
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(AppError::invalid("limit", format!("{limit} is outside 1-{}", Self::MAX_LIMIT)));
        }
        if offset > Self::MAX_OFFSET {
            return Err(AppError::invalid("offset", format!("{offset} is above {}", Self::MAX_OFFSET)));
        }
        Ok(Self { offset, limit, search: search.filter(|s| !s.trim().is_empty()) })
    }

    /// Every requirement, for callers in this process (the CLI's `framework show`).
    pub fn all() -> Self {
        Self { offset: 0, limit: i64::MAX as u64, search: None }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequirementNode {
    #[serde(rename = "ref")]
    pub reference: String,
    pub parent: Option<String>,
    pub title: String,
    pub text: Option<String>,
    pub assessable: bool,
    /// Withdrawn by its source: kept for references, never assessed or counted.
    pub withdrawn: bool,
    pub depth: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProfileView {
    pub slug: String,
    pub name: String,
    pub requirements: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FrameworkDetail {
    pub framework: FrameworkSummary,
    pub profiles: Vec<ProfileView>,
    /// This page of the requirement tree, in document order (`depth` counts every ancestor, also
    /// those on other pages).
    pub requirements: Vec<RequirementNode>,
    /// How many requirements match (all of them, without a search).
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}

/// One relation seen from the `from` side: a stored "B subset A" reads "A superset B".
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelationView {
    pub id: i64,
    pub from_framework: String,
    pub from: String,
    pub to_framework: String,
    #[serde(skip)]
    pub(crate) to_framework_id: i64,
    pub to: String,
    pub to_title: String,
    #[serde(rename = "type")]
    pub relation: RelationType,
    pub strength: Option<u8>,
    pub rationale: Option<String>,
    pub provenance: String,
    pub mapping_set: String,
    pub note: Option<String>,
    /// The organisation's own relation, which its managers may delete.
    pub own: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequirementDetail {
    pub framework: FrameworkSummary,
    pub requirement: RequirementNode,
    /// Relations into every other framework, seen from this requirement.
    pub relations: Vec<RelationView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportedItem {
    /// `framework`, `profile` or `mapping_set`.
    pub kind: String,
    pub name: String,
    /// False when an identical item was already loaded (importing again changes nothing).
    pub inserted: bool,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub items: Vec<ImportedItem>,
    /// What the import left out on purpose (e.g. the reverse copy of a mapping set).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewRelation {
    pub from_framework: String,
    pub from: String,
    pub to_framework: String,
    pub to: String,
    #[serde(rename = "type")]
    pub relation: RelationType,
    pub strength: Option<u8>,
    pub rationale: Option<Rationale>,
    /// Why the relation holds; required, because a typed relation without a reason cannot be reviewed.
    pub note: String,
}

/// The catalog-wide relation graph, indexed by requirement id; cached in the app and rebuilt after imports.
#[derive(Debug)]
pub(crate) struct CatalogGraph {
    /// The database state this graph was built from ([`App::catalog_key`]); reports computed from it
    /// are cached under it.
    pub generation: u64,
    pub graph: MappingGraph,
    /// What is known of each requirement id, shared by the organisation-specific graphs.
    pub nodes: Arc<NodeIndex>,
    /// `slug@version` of every framework, by id.
    pub framework_labels: Arc<HashMap<i64, String>>,
}

/// Per requirement id (dense; empty entries where no requirement has that id).
#[derive(Debug, Default)]
pub(crate) struct NodeIndex {
    pub framework_of: Vec<i64>,
    pub reference_of: Vec<String>,
    pub title_of: Vec<String>,
    /// A heading (has children) or a withdrawn requirement: never assessed directly, never a
    /// source of credit, never credited ([`crosswalk_domain::hierarchy`]).
    pub structural: Vec<bool>,
}

impl CatalogGraph {
    pub fn framework(&self, requirement: i64) -> i64 {
        self.nodes.framework_of.get(requirement as usize).copied().unwrap_or_default()
    }

    pub fn reference(&self, requirement: i64) -> &str {
        self.nodes.reference_of.get(requirement as usize).map(String::as_str).unwrap_or_default()
    }

    pub fn title(&self, requirement: i64) -> &str {
        self.nodes.title_of.get(requirement as usize).map(String::as_str).unwrap_or_default()
    }

    /// A heading or withdrawn requirement (see [`NodeIndex::structural`]).
    pub fn is_structural(&self, requirement: i64) -> bool {
        self.nodes.structural.get(requirement as usize).copied().unwrap_or_default()
    }
}

fn node_of(id: i64) -> u32 {
    u32::try_from(id).unwrap_or(u32::MAX)
}

fn relation_of(raw: &str) -> RelationType {
    RelationType::parse(raw).unwrap_or(RelationType::Intersects)
}

fn strength_of(raw: Option<i16>) -> Option<u8> {
    raw.and_then(|s| u8::try_from(s).ok())
}

fn summary(f: &Framework, counts: &HashMap<i64, (i64, i64)>, followed: &[i64]) -> FrameworkSummary {
    let scope = if f.tenant_id.is_some() { FrameworkScope::Organisation } else { FrameworkScope::Shared };
    let (requirements, assessable) = counts.get(&f.id).copied().unwrap_or_default();
    FrameworkSummary {
        slug: f.slug.clone(),
        version: f.version.clone(),
        name: f.name.clone(),
        publisher: f.publisher.clone(),
        source: f.source.clone(),
        terms: f.terms.clone(),
        bundled: f.bundled,
        requirements,
        assessable,
        followed: followed.contains(&f.id),
        scope,
    }
}

/// Tree depth of each requirement (parents precede children in document order).
fn nodes(requirements: Vec<repo::Requirement>) -> Vec<RequirementNode> {
    nodes_with(requirements, &HashMap::new())
}

/// Tree depth of each requirement, given the parent of ancestors that are not in `requirements`.
fn nodes_with(requirements: Vec<repo::Requirement>, parent_of: &HashMap<String, Option<String>>) -> Vec<RequirementNode> {
    let mut depth_of: HashMap<String, usize> = HashMap::with_capacity(requirements.len());
    let outside_depth = |start: &str| {
        let mut reference: &str = start;
        let mut depth = 0;
        while let Some(Some(parent)) = parent_of.get(reference) {
            depth += 1;
            reference = parent;
            if depth > parent_of.len() {
                break; // a cycle in imported data must not hang the request
            }
        }
        depth
    };
    requirements
        .into_iter()
        .map(|r| {
            let depth = match &r.parent_ref {
                None => 0,
                Some(p) => depth_of.get(p).map_or_else(|| outside_depth(p) + 1, |d| d + 1),
            };
            depth_of.insert(r.reference.clone(), depth);
            RequirementNode {
                reference: r.reference,
                parent: r.parent_ref,
                title: r.title,
                text: r.text,
                assessable: r.assessable,
                withdrawn: r.withdrawn,
                depth,
            }
        })
        .collect()
}

impl App {
    /// A framework the actor sees, named `slug` or `slug@version`; 404 naming it otherwise (also
    /// for another organisation's framework, whose existence is never revealed).
    ///
    /// A slug without a version means, in order: the version the organisation follows (pinned, so
    /// a newer import never changes what its work refers to), the organisation's own newest
    /// version, the newest shared version.
    pub(crate) async fn framework_named(&self, actor: &Actor, id: &str) -> AppResult<Framework> {
        let (slug, version) = parse_framework_id(id);
        let scope = actor.catalog_scope();
        let not_found = || AppError::NotFound(format!("framework '{id}'"));
        if let Some(version) = version {
            return repo::framework_by_key(self.db(), scope, slug, version).await?.ok_or_else(not_found);
        }
        let mut versions = repo::frameworks_with_slug(self.db(), scope, slug).await?;
        if versions.len() <= 1 {
            return versions.pop().ok_or_else(not_found);
        }
        let followed = crosswalk_store::repo::controls::followed(self.db(), actor.tenant.0).await?;
        let index = versions
            .iter()
            .position(|f| followed.contains(&f.id))
            .or_else(|| versions.iter().position(|f| f.tenant_id.is_some()))
            .unwrap_or(0);
        Ok(versions.swap_remove(index))
    }

    /// A requirement by framework id and ref; 404 naming both when either is unknown.
    pub(crate) async fn requirement_named(
        &self,
        actor: &Actor,
        framework: &str,
        reference: &str,
    ) -> AppResult<(Framework, repo::Requirement)> {
        let f = self.framework_named(actor, framework).await?;
        let r = repo::requirement(self.db(), f.id, reference)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("requirement '{reference}' in {}", key_label(&f))))?;
        Ok((f, r))
    }

    /// The catalog graph as the database stands now. The shared part is cached under the database
    /// state it was built from — the installation chain's head (every change to the shared catalog is
    /// journaled there) and the highest requirement id (every import, by anyone, adds requirements) —
    /// read in each call, so a change made through another server instance is seen on the next request.
    pub(crate) async fn graph(&self, tenant: Option<uuid::Uuid>) -> AppResult<Arc<CatalogGraph>> {
        let key = self.catalog_key().await?;
        let cached = self.inner.graph.read().map_err(|_| AppError::Internal("graph cache poisoned".into()))?.clone();
        let global = match cached {
            Some(g) if g.generation == key => g,
            _ => {
                let mut built = self.build_graph(None).await?;
                built.generation = key;
                let built = Arc::new(built);
                *self.inner.graph.write().map_err(|_| AppError::Internal("graph cache poisoned".into()))? = Some(built.clone());
                built
            }
        };
        let Some(tenant) = tenant else { return Ok(global) };
        let own = repo::own_relations(self.db(), tenant).await?;
        if own.is_empty() {
            return Ok(global);
        }
        // The organisation's own relations sit on top of the shared graph, for its requests only.
        let mut graph = global.graph.clone();
        for (from, to, relation, strength) in own {
            graph.add(node_of(from), node_of(to), relation_of(&relation), strength_of(strength));
        }
        Ok(Arc::new(CatalogGraph {
            generation: global.generation,
            graph,
            nodes: global.nodes.clone(),
            framework_labels: global.framework_labels.clone(),
        }))
    }

    /// The database state the shared catalog graph depends on, as one number (see [`Self::graph`]).
    pub(crate) async fn catalog_key(&self) -> AppResult<u64> {
        let installation =
            crosswalk_store::journal::head(self.db(), crosswalk_store::records::INSTALLATION).await?.map_or(0, |(seq, _)| seq);
        let max_requirement = repo::max_requirement_id(self.db()).await?;
        // Both grow monotonically; mixing them keeps a change of either visible.
        Ok((installation as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (max_requirement as u64))
    }

    async fn build_graph(&self, tenant: Option<uuid::Uuid>) -> AppResult<CatalogGraph> {
        let index = repo::requirement_index(self.db()).await?;
        let max = index.iter().map(|r| r.id).max().unwrap_or(0) as usize;
        // A requirement is a heading when another requirement of its framework names it as parent.
        let parents: std::collections::HashSet<(i64, &str)> =
            index.iter().filter(|r| !r.withdrawn).filter_map(|r| Some((r.framework_id, r.parent.as_deref()?))).collect();
        let mut nodes = NodeIndex {
            framework_of: vec![0; max + 1],
            reference_of: vec![String::new(); max + 1],
            title_of: vec![String::new(); max + 1],
            structural: vec![false; max + 1],
        };
        for r in &index {
            let at = r.id as usize;
            nodes.structural[at] = r.withdrawn || parents.contains(&(r.framework_id, r.reference.as_str()));
            nodes.framework_of[at] = r.framework_id;
        }
        for r in index {
            let at = r.id as usize;
            nodes.reference_of[at] = r.reference;
            nodes.title_of[at] = r.title;
        }
        let mut graph = MappingGraph::new(max + 1);
        for (from, to, relation, strength) in repo::graph_relations(self.db(), tenant).await? {
            graph.add(node_of(from), node_of(to), relation_of(&relation), strength_of(strength));
        }
        let framework_labels = Arc::new(self.framework_labels().await?);
        Ok(CatalogGraph { generation: 0, graph, nodes: Arc::new(nodes), framework_labels })
    }

    /// `slug@version` by framework id, for labelling requirements the actor already reached
    /// through visible data (relations, links, attestations).
    pub(crate) async fn framework_labels(&self) -> AppResult<HashMap<i64, String>> {
        Ok(repo::framework_labels(self.db()).await?.into_iter().map(|(id, slug, version)| (id, format!("{slug}@{version}"))).collect())
    }

    /// Drop the cached graph at once after a change made here (the next request would see the new
    /// database state anyway; this saves it the comparison).
    pub(crate) fn invalidate_graph(&self) {
        if let Ok(mut guard) = self.inner.graph.write() {
            *guard = None;
        }
    }

    /// The frameworks the actor sees: the shared catalog and its organisation's own.
    pub async fn list_frameworks(&self, actor: &Actor) -> AppResult<Vec<FrameworkSummary>> {
        actor.require(Permission::Read, "reading the catalog")?;
        let frameworks = repo::frameworks(self.db(), actor.catalog_scope()).await?;
        let ids: Vec<i64> = frameworks.iter().map(|f| f.id).collect();
        let counts = repo::requirement_counts(self.db(), &ids).await?;
        let followed = crosswalk_store::repo::controls::followed(self.db(), actor.tenant.0).await?;
        Ok(frameworks.iter().map(|f| summary(f, &counts, &followed)).collect())
    }

    pub(crate) async fn framework_summary(&self, actor: &Actor, f: &Framework) -> AppResult<FrameworkSummary> {
        let counts = repo::requirement_counts(self.db(), &[f.id]).await?;
        let followed = crosswalk_store::repo::controls::followed(self.db(), actor.tenant.0).await?;
        Ok(summary(f, &counts, &followed))
    }

    /// A framework with one page of its requirement tree and its profiles.
    pub async fn framework_detail(&self, actor: &Actor, id: &str, page: &RequirementRange) -> AppResult<FrameworkDetail> {
        actor.require(Permission::Read, "reading the catalog")?;
        let f = self.framework_named(actor, id).await?;
        let (total, rows) = repo::requirements_page(self.db(), f.id, page.search.as_deref(), page.offset, page.limit).await?;
        // Depth counts ancestors on earlier pages too: look them up level by level (trees are shallow).
        let mut parent_of: HashMap<String, Option<String>> = HashMap::new();
        let in_page: std::collections::HashSet<&str> = rows.iter().map(|r| r.reference.as_str()).collect();
        let mut missing: Vec<String> = rows.iter().filter_map(|r| r.parent_ref.clone()).filter(|p| !in_page.contains(p.as_str())).collect();
        while !missing.is_empty() && parent_of.len() < 10_000 {
            missing.sort_unstable();
            missing.dedup();
            let found = repo::parents_of(self.db(), f.id, &missing).await?;
            missing = found.iter().filter_map(|(_, p)| p.clone()).filter(|p| !parent_of.contains_key(p)).collect();
            for (reference, parent) in found {
                parent_of.insert(reference, parent);
            }
            missing.retain(|p| !parent_of.contains_key(p));
        }
        let requirements = nodes_with(rows, &parent_of);
        let profiles = repo::profiles(self.db(), actor.catalog_scope(), f.id)
            .await?
            .into_iter()
            .map(|p| ProfileView { requirements: p.refs.lines().count(), slug: p.slug, name: p.name })
            .collect();
        Ok(FrameworkDetail {
            framework: self.framework_summary(actor, &f).await?,
            profiles,
            requirements,
            total,
            offset: page.offset,
            limit: page.limit,
        })
    }

    /// Relations between two frameworks, seen from `from` (both stored directions).
    pub async fn mapping_list(&self, actor: &Actor, from: &str, to: &str) -> AppResult<Vec<RelationView>> {
        actor.require(Permission::Read, "reading the catalog")?;
        let (a, b) = (self.framework_named(actor, from).await?, self.framework_named(actor, to).await?);
        let ids: Vec<i64> = repo::requirement_rows(self.db(), a.id).await?.into_iter().map(|r| r.id).collect();
        let mut views = self.relation_views(actor, &ids).await?;
        views.retain(|v| v.to_framework_id == b.id);
        Ok(views)
    }

    /// Every relation touching the given requirements, oriented so that `from` is one of them.
    pub(crate) async fn relation_views(&self, actor: &Actor, ids: &[i64]) -> AppResult<Vec<RelationView>> {
        let relations = repo::relations_touching(self.db(), Some(actor.tenant.0), ids).await?;
        let sets: HashMap<i64, repo::MappingSet> =
            repo::mapping_sets(self.db(), Some(actor.tenant.0)).await?.into_iter().map(|s| (s.id, s)).collect();
        let frameworks: HashMap<i64, Framework> =
            repo::frameworks(self.db(), actor.catalog_scope()).await?.into_iter().map(|f| (f.id, f)).collect();
        let mut other_ids: Vec<i64> = relations.iter().flat_map(|r| [r.from_requirement_id, r.to_requirement_id]).collect();
        other_ids.sort_unstable();
        other_ids.dedup();
        let reqs: HashMap<i64, repo::Requirement> =
            repo::requirements_by_ids(self.db(), &other_ids).await?.into_iter().map(|r| (r.id, r)).collect();
        let mine: std::collections::HashSet<i64> = ids.iter().copied().collect();
        let mut out = Vec::with_capacity(relations.len());
        for r in relations {
            let forward = mine.contains(&r.from_requirement_id);
            let (near, far, relation) = if forward {
                (r.from_requirement_id, r.to_requirement_id, relation_of(&r.relation))
            } else {
                (r.to_requirement_id, r.from_requirement_id, relation_of(&r.relation).inverse())
            };
            let (Some(near_req), Some(far_req), Some(set)) = (reqs.get(&near), reqs.get(&far), sets.get(&r.mapping_set_id)) else {
                continue;
            };
            let label = |id: i64| frameworks.get(&id).map(key_label).unwrap_or_default();
            out.push(RelationView {
                id: r.id,
                from_framework: label(near_req.framework_id),
                from: near_req.reference.clone(),
                to_framework: label(far_req.framework_id),
                to_framework_id: far_req.framework_id,
                to: far_req.reference.clone(),
                to_title: far_req.title.clone(),
                relation,
                strength: strength_of(r.strength),
                rationale: r.rationale.clone(),
                provenance: set.provenance.clone(),
                mapping_set: set.name.clone(),
                note: r.note.clone(),
                own: set.tenant_id.is_some(),
            });
        }
        out.sort_by(|x, y| (&x.from, &x.to_framework, &x.to).cmp(&(&y.from, &y.to_framework, &y.to)));
        Ok(out)
    }

    pub async fn requirement_detail(&self, actor: &Actor, framework: &str, reference: &str) -> AppResult<RequirementDetail> {
        actor.require(Permission::Read, "reading the catalog")?;
        let (f, r) = self.requirement_named(actor, framework, reference).await?;
        let relations = self.relation_views(actor, &[r.id]).await?;
        let requirement = nodes(vec![r]).remove(0);
        Ok(RequirementDetail { framework: self.framework_summary(actor, &f).await?, requirement, relations })
    }

    /// The operator reading the catalog from the command line: as organisation `slug` sees it
    /// (shared plus its own), or without one the shared catalog only. Reads only: this actor belongs
    /// to no organisation, so anything that journals refuses it.
    pub async fn catalog_reader(&self, slug: Option<&str>) -> AppResult<Actor> {
        match slug {
            Some(slug) => self.operator(slug).await,
            None => Ok(Actor {
                tenant: crosswalk_domain::TenantId(uuid::Uuid::nil()),
                tenant_slug: String::new(),
                tenant_name: String::new(),
                user: None,
                email: None,
                role: crosswalk_domain::Role::Viewer,
                method: crate::AuthMethod::Operator,
            }),
        }
    }

    /// Adds an organisation-defined relation (manager role), journaled with its type and reason.
    pub async fn add_relation(&self, actor: &Actor, new: NewRelation) -> AppResult<RelationView> {
        actor.require(Permission::ManageCompliance, "defining mappings")?;
        let note = crosswalk_domain::validate::non_empty_text("note", &new.note, 1000)?;
        if let Some(strength) = new.strength
            && strength > 10
        {
            return Err(AppError::invalid("strength", format!("{strength} is outside 0-10")));
        }
        let (a, b) = (self.framework_named(actor, &new.from_framework).await?, self.framework_named(actor, &new.to_framework).await?);
        let from = repo::requirement(self.db(), a.id, &new.from)
            .await?
            .ok_or_else(|| AppError::invalid("from", format!("'{}' is not a requirement of {}", new.from, key_label(&a))))?;
        let to = repo::requirement(self.db(), b.id, &new.to)
            .await?
            .ok_or_else(|| AppError::invalid("to", format!("'{}' is not a requirement of {}", new.to, key_label(&b))))?;
        let tx = self.begin().await?;
        let set = repo::tenant_mapping_set(&tx, actor.tenant.0, &a, &b, self.now()).await?;
        repo::insert_relations(&tx, set, std::iter::once((from.id, to.id, new.relation, new.strength, new.rationale, Some(note.clone()))))
            .await?;
        self.journal(
            &tx,
            actor,
            "mapping.relation.add",
            "requirement",
            format!("{}:{}", key_label(&a), from.reference),
            json!({"to": format!("{}:{}", key_label(&b), to.reference), "type": new.relation, "strength": new.strength, "rationale": new.rationale, "note": note}),
        )
        .await?;
        tx.commit().await?;
        let views = self.relation_views(actor, &[from.id]).await?;
        views
            .into_iter()
            .filter(|v| v.own && v.to == to.reference && v.relation == new.relation)
            .max_by_key(|v| v.id)
            .ok_or_else(|| AppError::Internal("relation not found after insert".into()))
    }

    pub async fn delete_relation(&self, actor: &Actor, id: i64) -> AppResult<()> {
        actor.require(Permission::ManageCompliance, "defining mappings")?;
        let tx = self.begin().await?;
        let removed =
            repo::delete_tenant_relation(&tx, actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("relation {id}")))?;
        self.journal(
            &tx,
            actor,
            "mapping.relation.delete",
            "relation",
            id,
            json!({"from": removed.from_requirement_id, "to": removed.to_requirement_id, "type": removed.relation}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A framework as people name it: `slug@version`.
pub(crate) fn key_label(f: &Framework) -> String {
    format!("{}@{}", f.slug, f.version)
}
