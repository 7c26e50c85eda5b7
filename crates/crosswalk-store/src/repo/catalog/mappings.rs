//! Typed mapping sets (NIST IR 8477 relations) between frameworks: loading them whole, an
//! organisation's own relations, and the relations the crosswalk graph is built from.
use super::*;

async fn resolve_key(db: &impl Read, scope: Scope, key: &FrameworkKey, side: &str) -> StoreResult<Framework> {
    let db = conn(db);
    framework_by_key(db, scope, &key.slug, &key.version)
        .await?
        .ok_or_else(|| StoreError::Rejected { field: side.into(), message: format!("framework {key} is not loaded") })
}

/// Inserts a mapping set owned by `tenant` (NULL: shared) between the frameworks its document names
/// (as `tenant` sees them); see [`load_mapping_set_between`].
pub async fn load_mapping_set(
    tx: &WriteTx,
    doc: &MappingSetDoc,
    tenant: Option<Uuid>,
    hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Loaded> {
    let scope = tenant.map_or(Scope::Shared, Scope::Organisation);
    let from = resolve_key(tx, scope, &doc.from, "from").await?;
    let to = resolve_key(tx, scope, &doc.to, "to").await?;
    load_mapping_set_between(tx, doc, &from, &to, tenant, hash, now).await
}

/// Inserts a mapping set between two resolved frameworks, owned by `tenant` (NULL: shared), whose
/// every relation is checked against the stored requirements; the first relation that names a
/// missing requirement rejects the whole set, naming its row.
pub async fn load_mapping_set_between(
    tx: &WriteTx,
    doc: &MappingSetDoc,
    from: &Framework,
    to: &Framework,
    tenant: Option<Uuid>,
    hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Loaded> {
    let existing = mapping_set::Entity::find()
        .filter(mapping_set::Column::Slug.eq(&doc.slug))
        .filter(match tenant {
            Some(t) => mapping_set::Column::TenantId.eq(t),
            None => mapping_set::Column::TenantId.is_null(),
        })
        .filter(mapping_set::Column::ContentHash.eq(hash))
        .one(tx.conn())
        .await?;
    if let Some(existing) = existing {
        return Ok(Loaded::Unchanged(existing.id));
    }
    let from_ids = ref_ids(tx, from.id).await?;
    let to_ids = if to.id == from.id { from_ids.clone() } else { ref_ids(tx, to.id).await? };
    doc.validate_refs(&|r| from_ids.contains_key(r), &|r| to_ids.contains_key(r))
        .map_err(|e| StoreError::Rejected { field: "relations".into(), message: e.to_string() })?;
    let inserted = mapping_set::Entity::insert(mapping_set::ActiveModel {
        id: NotSet,
        tenant_id: Set(tenant),
        slug: Set(doc.slug.clone()),
        name: Set(doc.name.clone()),
        from_framework_id: Set(from.id),
        to_framework_id: Set(to.id),
        provenance: Set(doc.provenance.as_str().to_owned()),
        source: Set(doc.source.clone()),
        terms: Set(doc.terms.clone()),
        content_hash: Set(hash.to_owned()),
        created_at: Set(crate::truncate_micros(now)),
    })
    .exec(tx.conn())
    .await?;
    let set_id = inserted.last_insert_id;
    tx.touch(tenant.unwrap_or(crate::records::INSTALLATION), "mapping_sets", set_id);
    insert_relations(
        tx,
        set_id,
        doc.relations.iter().map(|r| (from_ids[&r.from], to_ids[&r.to], r.relation, r.strength, r.rationale, r.note.clone())),
    )
    .await?;
    Ok(Loaded::Inserted(set_id))
}

/// A mapping set with this slug and content among the rows `owner` owns (NULL: the shared catalog).
pub async fn owned_mapping_set_by_hash(db: &impl Read, owner: Option<Uuid>, slug: &str, hash: &str) -> StoreResult<Option<MappingSet>> {
    let db = conn(db);
    Ok(mapping_set::Entity::find()
        .filter(owned_by(mapping_set::Column::TenantId, owner))
        .filter(mapping_set::Column::Slug.eq(slug))
        .filter(mapping_set::Column::ContentHash.eq(hash))
        .one(db)
        .await?)
}

type RelationRow = (i64, i64, RelationType, Option<u8>, Option<crosswalk_domain::catalog::Rationale>, Option<String>);

pub async fn insert_relations(tx: &WriteTx, set_id: i64, rows: impl Iterator<Item = RelationRow>) -> StoreResult<()> {
    let rows: Vec<relation::ActiveModel> = rows
        .map(|(from, to, ty, strength, rationale, note)| relation::ActiveModel {
            id: NotSet,
            mapping_set_id: Set(set_id),
            from_requirement_id: Set(from),
            to_requirement_id: Set(to),
            relation: Set(ty.as_str().to_owned()),
            strength: Set(strength.map(i16::from)),
            rationale: Set(rationale.map(|r| r.as_str().to_owned())),
            note: Set(note),
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        relation::Entity::insert_many(chunk.iter().cloned()).exec_without_returning(tx.conn()).await?;
    }
    // Bulk inserts return no ids: record every relation of the set (unchanged ones hash the same).
    let owner: Option<Option<Uuid>> =
        mapping_set::Entity::find_by_id(set_id).select_only().column(mapping_set::Column::TenantId).into_tuple().one(tx.conn()).await?;
    let chain = owner.flatten().unwrap_or(crate::records::INSTALLATION);
    let ids: Vec<i64> = relation::Entity::find()
        .select_only()
        .column(relation::Column::Id)
        .filter(relation::Column::MappingSetId.eq(set_id))
        .into_tuple()
        .all(tx.conn())
        .await?;
    tx.touch_many(chain, "relations", ids);
    Ok(())
}

/// Every relation the crosswalk may use for a tenant: the catalog's and the tenant's own, as
/// (from requirement, to requirement, type, strength).
pub async fn graph_relations(db: &impl Read, tenant: Option<Uuid>) -> StoreResult<Vec<(i64, i64, String, Option<i16>)>> {
    let db = conn(db);
    let sets = visible_set_ids(db, tenant).await?;
    let mut out = Vec::new();
    for chunk in sets.chunks(CHUNK) {
        let rows: Vec<(i64, i64, String, Option<i16>)> = relation::Entity::find()
            .select_only()
            .column(relation::Column::FromRequirementId)
            .column(relation::Column::ToRequirementId)
            .column(relation::Column::Relation)
            .column(relation::Column::Strength)
            .filter(relation::Column::MappingSetId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Relations of the tenant's own mapping sets only.
pub async fn own_relations(db: &impl Read, tenant: Uuid) -> StoreResult<Vec<(i64, i64, String, Option<i16>)>> {
    let db = conn(db);
    let sets: Vec<i64> = mapping_set::Entity::find()
        .select_only()
        .column(mapping_set::Column::Id)
        .filter(mapping_set::Column::TenantId.eq(tenant))
        .into_tuple()
        .all(db)
        .await?;
    if sets.is_empty() {
        return Ok(vec![]);
    }
    Ok(relation::Entity::find()
        .select_only()
        .column(relation::Column::FromRequirementId)
        .column(relation::Column::ToRequirementId)
        .column(relation::Column::Relation)
        .column(relation::Column::Strength)
        .filter(relation::Column::MappingSetId.is_in(sets))
        .into_tuple()
        .all(db)
        .await?)
}

async fn visible_set_ids(db: &impl Read, tenant: Option<Uuid>) -> StoreResult<Vec<i64>> {
    let db = conn(db);
    let mut query = mapping_set::Entity::find().select_only().column(mapping_set::Column::Id);
    query = match tenant {
        Some(t) => query.filter(mapping_set::Column::TenantId.is_null().or(mapping_set::Column::TenantId.eq(t))),
        None => query.filter(mapping_set::Column::TenantId.is_null()),
    };
    Ok(query.into_tuple().all(db).await?)
}

pub async fn mapping_sets(db: &impl Read, tenant: Option<Uuid>) -> StoreResult<Vec<MappingSet>> {
    let db = conn(db);
    let query = mapping_set::Entity::find();
    let query = match tenant {
        Some(t) => query.filter(mapping_set::Column::TenantId.is_null().or(mapping_set::Column::TenantId.eq(t))),
        None => query.filter(mapping_set::Column::TenantId.is_null()),
    };
    Ok(query.order_by_asc(mapping_set::Column::Id).all(db).await?)
}

/// (from requirement, to requirement, type) of every relation of one mapping set.
pub async fn set_relations(db: &impl Read, set_id: i64) -> StoreResult<Vec<(i64, i64, String)>> {
    let db = conn(db);
    Ok(relation::Entity::find()
        .select_only()
        .column(relation::Column::FromRequirementId)
        .column(relation::Column::ToRequirementId)
        .column(relation::Column::Relation)
        .filter(relation::Column::MappingSetId.eq(set_id))
        .into_tuple()
        .all(db)
        .await?)
}

/// Relations touching any of the given requirements, with the set each comes from.
pub async fn relations_touching(db: &impl Read, tenant: Option<Uuid>, requirement_ids: &[i64]) -> StoreResult<Vec<relation::Model>> {
    let db = conn(db);
    let sets = visible_set_ids(db, tenant).await?;
    let mut out = Vec::new();
    for chunk in requirement_ids.chunks(CHUNK) {
        let rows = relation::Entity::find()
            .filter(relation::Column::MappingSetId.is_in(sets.iter().copied()))
            .filter(
                relation::Column::FromRequirementId
                    .is_in(chunk.iter().copied())
                    .or(relation::Column::ToRequirementId.is_in(chunk.iter().copied())),
            )
            .all(db)
            .await?;
        out.extend(rows);
    }
    out.sort_by_key(|r| r.id);
    out.dedup_by_key(|r| r.id);
    Ok(out)
}

/// The tenant's own mapping set between two frameworks, created on first use.
pub async fn tenant_mapping_set(tx: &WriteTx, tenant: Uuid, from: &Framework, to: &Framework, now: DateTime<Utc>) -> StoreResult<i64> {
    let slug = format!("org--{}--{}", from.slug, to.slug);
    let existing = mapping_set::Entity::find()
        .filter(mapping_set::Column::TenantId.eq(tenant))
        .filter(mapping_set::Column::FromFrameworkId.eq(from.id))
        .filter(mapping_set::Column::ToFrameworkId.eq(to.id))
        .one(tx.conn())
        .await?;
    if let Some(existing) = existing {
        return Ok(existing.id);
    }
    let inserted = mapping_set::Entity::insert(mapping_set::ActiveModel {
        id: NotSet,
        tenant_id: Set(Some(tenant)),
        slug: Set(slug),
        name: Set(format!("Organisation-defined: {} → {}", from.name, to.name)),
        from_framework_id: Set(from.id),
        to_framework_id: Set(to.id),
        provenance: Set("user".into()),
        source: Set("defined by the organisation in Crosswalk".into()),
        terms: Set("the organisation's own".into()),
        content_hash: Set(String::new()),
        created_at: Set(crate::truncate_micros(now)),
    })
    .exec(tx.conn())
    .await?;
    tx.touch(tenant, "mapping_sets", inserted.last_insert_id);
    Ok(inserted.last_insert_id)
}

/// Deletes one relation of the tenant's own sets (catalog relations cannot be deleted).
pub async fn delete_tenant_relation(tx: &WriteTx, tenant: Uuid, relation_id: i64) -> StoreResult<Option<relation::Model>> {
    let own_sets: Vec<i64> = mapping_set::Entity::find()
        .select_only()
        .column(mapping_set::Column::Id)
        .filter(mapping_set::Column::TenantId.eq(tenant))
        .into_tuple()
        .all(tx.conn())
        .await?;
    let Some(found) =
        relation::Entity::find_by_id(relation_id).filter(relation::Column::MappingSetId.is_in(own_sets)).one(tx.conn()).await?
    else {
        return Ok(None);
    };
    relation::Entity::delete_by_id(relation_id).exec(tx.conn()).await?;
    tx.touch(tenant, "relations", relation_id);
    Ok(Some(found))
}
