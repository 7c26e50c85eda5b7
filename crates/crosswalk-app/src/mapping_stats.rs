//! `mapping stats` (issue 13, item 4): per mapping set the actor sees, its relations by type, the
//! share of each side's assessable requirements it reaches at all and by credit-carrying relations
//! (equal, superset, subset read in the direction credit flows), how many credit-carrying
//! relations lack an independently confirmed review, and relations that touch withdrawn requirements
//! or headings (which carry no credit). The same figures serve the CLI, the REST API and the
//! frameworks page.
use std::collections::{BTreeMap, HashMap, HashSet};

use crosswalk_domain::Permission;
use crosswalk_domain::catalog::{RelationType, ReviewsDoc};
use crosswalk_store::repo::catalog as repo;
use serde::Serialize;

use crate::{Actor, App, AppResult};

/// One side of a mapping set.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SideStats {
    pub framework: String,
    /// Assessable requirements of that framework (leaves; withdrawn ones are not counted).
    pub assessable: usize,
    /// Share of them touched by any relation of the set other than `not_related` (whole percent).
    pub reached_percent: u32,
    /// Share of them that can receive credit through the set (whole percent): the other side
    /// equal or superset of them.
    pub credit_percent: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MappingSetStats {
    pub slug: String,
    pub name: String,
    pub provenance: String,
    /// `shared` or `organisation`.
    pub scope: String,
    pub from: SideStats,
    pub to: SideStats,
    /// Relations by type (`equal`, `subset`, `superset`, `intersects`, `not_related`).
    pub relations: BTreeMap<String, usize>,
    /// Credit-carrying relations (equal, superset, subset) without an independently confirmed review.
    pub unreviewed: usize,
    /// Relations touching a withdrawn requirement (kept for reference; they carry nothing).
    pub withdrawn: usize,
    /// Credit-carrying relations touching a heading (they only ever suggest).
    pub heading: usize,
}

struct Side {
    label: String,
    assessable: HashSet<i64>,
    withdrawn: HashSet<i64>,
    heading: HashSet<i64>,
}

fn percent(part: usize, whole: usize) -> u32 {
    (part * 100 + whole / 2).checked_div(whole).map_or(0, |p| p as u32)
}

impl App {
    pub async fn mapping_stats(&self, actor: &Actor) -> AppResult<Vec<MappingSetStats>> {
        actor.require(Permission::Read, "reading the catalog")?;
        let sets = repo::mapping_sets(self.db(), Some(actor.tenant.0)).await?;
        let frameworks: HashMap<i64, repo::Framework> =
            repo::frameworks(self.db(), actor.catalog_scope()).await?.into_iter().map(|f| (f.id, f)).collect();
        let reviews: HashMap<&str, ReviewsDoc> =
            crosswalk_store::bundled::REVIEWS.iter().filter_map(|(slug, json)| Some((*slug, serde_json::from_str(json).ok()?))).collect();
        let mut sides: HashMap<i64, Side> = HashMap::new();
        let mut out = Vec::with_capacity(sets.len());
        for set in sets {
            let (Some(from_fw), Some(to_fw)) = (frameworks.get(&set.from_framework_id), frameworks.get(&set.to_framework_id)) else {
                continue;
            };
            for f in [from_fw, to_fw] {
                if let std::collections::hash_map::Entry::Vacant(slot) = sides.entry(f.id) {
                    let rows = repo::requirement_rows(self.db(), f.id).await?;
                    let parents: HashSet<&str> = rows.iter().filter(|r| !r.withdrawn).filter_map(|r| r.parent.as_deref()).collect();
                    let side = Side {
                        label: crate::catalog::key_label(f),
                        assessable: rows
                            .iter()
                            .filter(|r| r.assessable && !r.withdrawn && !parents.contains(r.reference.as_str()))
                            .map(|r| r.id)
                            .collect(),
                        withdrawn: rows.iter().filter(|r| r.withdrawn).map(|r| r.id).collect(),
                        heading: rows.iter().filter(|r| parents.contains(r.reference.as_str())).map(|r| r.id).collect(),
                    };
                    slot.insert(side);
                }
            }
            let (from, to) = (&sides[&from_fw.id], &sides[&to_fw.id]);
            let relations = repo::set_relations(self.db(), set.id).await?;
            let refs = self.refs_of(&relations).await?;
            let confirmed: HashSet<(&str, &str)> = reviews
                .get(set.slug.as_str())
                .filter(|_| set.tenant_id.is_none())
                .map(|doc| {
                    doc.reviews.iter().filter(|r| r.is_independently_confirmed()).map(|r| (r.from.as_str(), r.to.as_str())).collect()
                })
                .unwrap_or_default();
            let mut by_type: BTreeMap<String, usize> = RelationType::ALL.iter().map(|t| (t.as_str().to_owned(), 0)).collect();
            let (mut reached_from, mut reached_to, mut credit_from, mut credit_to) =
                (HashSet::new(), HashSet::new(), HashSet::new(), HashSet::new());
            let (mut unreviewed, mut withdrawn, mut heading) = (0, 0, 0);
            for (a, b, raw) in &relations {
                let relation = RelationType::parse(raw).unwrap_or(RelationType::Intersects);
                *by_type.entry(relation.as_str().to_owned()).or_default() += 1;
                if from.withdrawn.contains(a) || to.withdrawn.contains(b) {
                    withdrawn += 1;
                }
                if relation == RelationType::NotRelated {
                    continue;
                }
                reached_from.insert(*a);
                reached_to.insert(*b);
                let structural =
                    from.heading.contains(a) || to.heading.contains(b) || from.withdrawn.contains(a) || to.withdrawn.contains(b);
                if relation.carries_credit() || relation.inverse().carries_credit() {
                    let key = (refs.get(a).map(String::as_str).unwrap_or_default(), refs.get(b).map(String::as_str).unwrap_or_default());
                    if !confirmed.contains(&key) {
                        unreviewed += 1;
                    }
                    if structural {
                        heading += usize::from(from.heading.contains(a) || to.heading.contains(b));
                        continue;
                    }
                }
                if relation.carries_credit() {
                    credit_to.insert(*b);
                }
                if relation.inverse().carries_credit() {
                    credit_from.insert(*a);
                }
            }
            let side = |s: &Side, reached: &HashSet<i64>, credit: &HashSet<i64>| SideStats {
                framework: s.label.clone(),
                assessable: s.assessable.len(),
                reached_percent: percent(reached.intersection(&s.assessable).count(), s.assessable.len()),
                credit_percent: percent(credit.intersection(&s.assessable).count(), s.assessable.len()),
            };
            out.push(MappingSetStats {
                slug: set.slug.clone(),
                name: set.name.clone(),
                provenance: set.provenance.clone(),
                scope: if set.tenant_id.is_some() { "organisation" } else { "shared" }.into(),
                from: side(from, &reached_from, &credit_from),
                to: side(to, &reached_to, &credit_to),
                relations: by_type,
                unreviewed,
                withdrawn,
                heading,
            });
        }
        Ok(out)
    }

    /// The refs of every requirement a set's relations name.
    async fn refs_of(&self, relations: &[(i64, i64, String)]) -> AppResult<HashMap<i64, String>> {
        let ids: Vec<i64> = relations.iter().flat_map(|(a, b, _)| [*a, *b]).collect::<HashSet<_>>().into_iter().collect();
        Ok(repo::requirements_by_ids(self.db(), &ids).await?.into_iter().map(|r| (r.id, r.reference)).collect())
    }
}
