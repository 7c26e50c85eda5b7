//! The documents a release bundles: loaded at start-up when new, refreshed in place or replaced
//! when a new release changed them, with what changed returned for the journal.
use super::*;

/// What a start-up did to the shared catalog: new bundled documents, and bundled documents a new
/// release of Crosswalk changed (issue 13, item 6), each with what changed — recorded in the
/// installation journal by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BundledChanges {
    /// Documents loaded for the first time.
    pub loaded: usize,
    /// Bundled frameworks refreshed in place (same refs; titles, flags such as `withdrawn` changed).
    pub frameworks_refreshed: Vec<FrameworkRefresh>,
    /// Bundled mapping sets replaced by their new release.
    pub sets_replaced: Vec<SetReplacement>,
}

impl BundledChanges {
    pub fn is_empty(&self) -> bool {
        self.loaded == 0 && self.frameworks_refreshed.is_empty() && self.sets_replaced.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FrameworkRefresh {
    pub framework: String,
    /// Refs whose stored row changed.
    pub changed: Vec<String>,
}

/// One relation as a release states it: "from type to", with its strength.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct StatedRelation {
    pub from: String,
    #[serde(rename = "type")]
    pub relation: String,
    pub to: String,
    pub strength: Option<i16>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SetReplacement {
    pub set: String,
    pub added: Vec<StatedRelation>,
    pub removed: Vec<StatedRelation>,
}

/// Loads every bundled framework and mapping set that is not there yet, and brings bundled ones a
/// new release changed up to date, in the caller's transaction. Documents already present (by
/// content hash) are not even parsed, so start-up stays fast.
///
/// A bundled framework whose content changed but whose refs did not is refreshed in place (its
/// requirement ids, and so every organisation's links, stay); one whose refs changed is refused — a
/// release must give it a new version. A bundled mapping set whose content changed is replaced:
/// its old relations go, the new ones come, and the difference is returned for the journal.
pub async fn load_bundled(tx: &WriteTx, now: DateTime<Utc>) -> StoreResult<BundledChanges> {
    load_documents(tx, crate::bundled::FRAMEWORKS, crate::bundled::MAPPINGS, now).await
}

/// Content hashes of every shared framework and mapping set.
async fn shared_hashes(db: &impl Read) -> StoreResult<std::collections::HashSet<String>> {
    let db = conn(db);
    let mut known: std::collections::HashSet<String> = framework::Entity::find()
        .select_only()
        .column(framework::Column::ContentHash)
        .filter(framework::Column::TenantId.is_null())
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let set_hashes: Vec<String> = mapping_set::Entity::find()
        .select_only()
        .column(mapping_set::Column::ContentHash)
        .filter(mapping_set::Column::TenantId.is_null())
        .into_tuple()
        .all(db)
        .await?;
    known.extend(set_hashes);
    Ok(known)
}

/// Whether a bundled document is not in the database yet (by content hash).
pub async fn bundled_pending(db: &impl Read) -> StoreResult<bool> {
    let known = shared_hashes(db).await?;
    Ok(crate::bundled::FRAMEWORKS.iter().chain(crate::bundled::MAPPINGS).any(|(_, json)| !known.contains(&content_hash(json.as_bytes()))))
}

/// [`load_bundled`] with the documents given, as (path, JSON).
pub async fn load_documents(
    tx: &WriteTx,
    frameworks: &[(&str, &str)],
    mappings: &[(&str, &str)],
    now: DateTime<Utc>,
) -> StoreResult<BundledChanges> {
    let known = shared_hashes(tx).await?;
    let mut changes = BundledChanges::default();
    for (path, json) in frameworks {
        let hash = content_hash(json.as_bytes());
        if known.contains(&hash) {
            continue;
        }
        let doc: FrameworkDoc =
            serde_json::from_str(json).map_err(|e| StoreError::Rejected { field: format!("catalogs/{path}"), message: e.to_string() })?;
        match owned_framework_by_key(tx, None, &doc.slug, &doc.version).await? {
            Some(existing) if existing.bundled => {
                changes.frameworks_refreshed.push(refresh_framework(tx, &existing, &doc, &hash).await?);
            }
            _ => {
                if matches!(load_framework(tx, &doc, &hash, true, None, now).await?, Loaded::Inserted(_)) {
                    changes.loaded += 1;
                }
            }
        }
    }
    for (path, json) in mappings {
        let hash = content_hash(json.as_bytes());
        if known.contains(&hash) {
            continue;
        }
        let doc: MappingSetDoc =
            serde_json::from_str(json).map_err(|e| StoreError::Rejected { field: format!("catalogs/{path}"), message: e.to_string() })?;
        let previous = mapping_set::Entity::find()
            .filter(mapping_set::Column::TenantId.is_null())
            .filter(mapping_set::Column::Slug.eq(&doc.slug))
            .one(tx.conn())
            .await?;
        match previous {
            Some(old) => changes.sets_replaced.push(replace_mapping_set(tx, old, &doc, &hash).await?),
            None => {
                if matches!(load_mapping_set(tx, &doc, None, &hash, now).await?, Loaded::Inserted(_)) {
                    changes.loaded += 1;
                }
            }
        }
    }
    Ok(changes)
}

/// Brings a bundled framework's rows up to its new release, keeping requirement ids.
async fn refresh_framework(tx: &WriteTx, existing: &Framework, doc: &FrameworkDoc, hash: &str) -> StoreResult<FrameworkRefresh> {
    let label = format!("{}@{}", doc.slug, doc.version);
    let stored = requirements(tx, existing.id).await?;
    let same_refs = stored.len() == doc.requirements.len() && stored.iter().zip(&doc.requirements).all(|(s, d)| s.reference == d.reference);
    if !same_refs {
        return Err(StoreError::Conflict(format!(
            "bundled framework {label} changed its requirements; a release must give it a new version"
        )));
    }
    let mut changed = Vec::new();
    for (row, new) in stored.into_iter().zip(&doc.requirements) {
        let aliases = join_aliases(&new.aliases);
        let assessable = new.assessable && !new.withdrawn;
        if row.title == new.title
            && row.text == new.text
            && row.parent_ref == new.parent
            && row.assessable == assessable
            && row.withdrawn == new.withdrawn
            && row.aliases == aliases
        {
            continue;
        }
        let id = row.id;
        changed.push(row.reference.clone());
        let mut active: requirement::ActiveModel = row.into();
        active.title = Set(new.title.clone());
        active.text = Set(new.text.clone());
        active.parent_ref = Set(new.parent.clone());
        active.assessable = Set(assessable);
        active.withdrawn = Set(new.withdrawn);
        active.aliases = Set(aliases);
        active.update(tx.conn()).await?;
        tx.touch(crate::records::INSTALLATION, "requirements", id);
    }
    let mut framework_row: framework::ActiveModel = framework::Entity::find_by_id(existing.id)
        .one(tx.conn())
        .await?
        .ok_or_else(|| StoreError::Conflict(format!("framework {label} vanished")))?
        .into();
    framework_row.content_hash = Set(hash.to_owned());
    framework_row.name = Set(doc.name.clone());
    framework_row.source = Set(doc.source.clone());
    framework_row.terms = Set(doc.terms.clone());
    framework_row.update(tx.conn()).await?;
    tx.touch(crate::records::INSTALLATION, "frameworks", existing.id);
    Ok(FrameworkRefresh { framework: label, changed })
}

/// Replaces a bundled mapping set's relations by its new release's, returning the difference.
async fn replace_mapping_set(tx: &WriteTx, old: mapping_set::Model, doc: &MappingSetDoc, hash: &str) -> StoreResult<SetReplacement> {
    let stated = |rows: &[(String, String, String, Option<i16>)]| -> std::collections::BTreeSet<StatedRelation> {
        rows.iter()
            .map(|(from, to, relation, strength)| StatedRelation {
                from: from.clone(),
                relation: relation.clone(),
                to: to.clone(),
                strength: *strength,
            })
            .collect()
    };
    let from_refs = ref_ids(tx, old.from_framework_id).await?;
    let to_refs = if old.to_framework_id == old.from_framework_id { from_refs.clone() } else { ref_ids(tx, old.to_framework_id).await? };
    doc.validate_refs(&|r| from_refs.contains_key(r), &|r| to_refs.contains_key(r))
        .map_err(|e| StoreError::Rejected { field: "relations".into(), message: e.to_string() })?;
    let ref_of = |ids: &HashMap<String, i64>| -> HashMap<i64, String> { ids.iter().map(|(r, id)| (*id, r.clone())).collect() };
    let (from_ref_of, to_ref_of) = (ref_of(&from_refs), ref_of(&to_refs));
    let old_rows = relation::Entity::find().filter(relation::Column::MappingSetId.eq(old.id)).all(tx.conn()).await?;
    let before: Vec<(String, String, String, Option<i16>)> = old_rows
        .iter()
        .map(|r| {
            (
                from_ref_of.get(&r.from_requirement_id).cloned().unwrap_or_default(),
                to_ref_of.get(&r.to_requirement_id).cloned().unwrap_or_default(),
                r.relation.clone(),
                r.strength,
            )
        })
        .collect();
    let after: Vec<(String, String, String, Option<i16>)> =
        doc.relations.iter().map(|r| (r.from.clone(), r.to.clone(), r.relation.as_str().to_owned(), r.strength.map(i16::from))).collect();
    let (before, after) = (stated(&before), stated(&after));
    let removed: Vec<StatedRelation> = before.difference(&after).cloned().collect();
    let added: Vec<StatedRelation> = after.difference(&before).cloned().collect();
    let old_ids: Vec<i64> = old_rows.iter().map(|r| r.id).collect();
    for chunk in old_ids.chunks(CHUNK) {
        relation::Entity::delete_many().filter(relation::Column::Id.is_in(chunk.iter().copied())).exec(tx.conn()).await?;
    }
    tx.touch_many(crate::records::INSTALLATION, "relations", old_ids);
    let set_id = old.id;
    let mut active: mapping_set::ActiveModel = old.into();
    active.content_hash = Set(hash.to_owned());
    active.name = Set(doc.name.clone());
    active.provenance = Set(doc.provenance.as_str().to_owned());
    active.source = Set(doc.source.clone());
    active.terms = Set(doc.terms.clone());
    active.update(tx.conn()).await?;
    tx.touch(crate::records::INSTALLATION, "mapping_sets", set_id);
    insert_relations(
        tx,
        set_id,
        doc.relations.iter().map(|r| (from_refs[&r.from], to_refs[&r.to], r.relation, r.strength, r.rationale, r.note.clone())),
    )
    .await?;
    Ok(SetReplacement { set: doc.slug.clone(), added, removed })
}
