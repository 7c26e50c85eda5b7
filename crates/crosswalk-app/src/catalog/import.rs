//! Importing catalog files: OSCAL catalogs and profiles, CISO Assistant libraries and SCF STRM sheets,
//! each parsed whole before one transaction writes it, within the importer's limits.
use super::*;

/// A file read by its format's parser, before any write.
enum Parsed {
    Oscal(oscal::Document),
    Ciso(ciso::CisoLibrary),
}

impl App {
    /// The limits `actor`'s imports must keep: an organisation's members are held to the configured
    /// limits; the installation operator, who has the database anyway, is not.
    pub fn import_limits(&self, actor: &Actor) -> Option<ImportLimits> {
        actor.catalog_owner().map(|_| self.config().import_limits)
    }

    /// Imports a Secure Controls Framework STRM file the organisation brings (issue 13, item 5):
    /// the SCF controls it names join the owner's `scf` pivot framework, and its relations become
    /// the mapping set `scf-strm--{focal}` from the focal framework to SCF, types and strengths kept.
    /// One transaction: an unknown column, relationship, focal framework or FDE ref imports nothing.
    pub async fn import_strm(&self, actor: &Actor, bytes: &[u8], file_name: &str, focal: &str) -> AppResult<ImportReport> {
        actor.require(Permission::ManageTenant, "importing mappings")?;
        let limits = self.import_limits(actor);
        if let Some(limits) = limits
            && bytes.len() as u64 > limits.max_bytes
        {
            return Err(AppError::invalid("file", too_large(bytes.len() as u64, limits.max_bytes)));
        }
        let rows = crosswalk_import::strm::parse(bytes).map_err(|e| AppError::invalid(file_name, e.to_string()))?;
        if let Some(limits) = limits
            && rows.len() > limits.max_requirements
        {
            return Err(AppError::invalid(
                file_name,
                format!("{} rows exceed this installation's import limit of {}", rows.len(), limits.max_requirements),
            ));
        }
        let focal = match self.framework_named(actor, focal).await {
            Ok(f) => f,
            Err(AppError::NotFound(_)) => {
                return Err(AppError::invalid(
                    "focal",
                    format!("'{focal}' is not a framework of the catalog (see `crosswalk framework list`)"),
                ));
            }
            Err(e) => return Err(e),
        };
        let focal_refs: std::collections::HashSet<String> =
            repo::requirement_rows(self.db(), focal.id).await?.into_iter().map(|r| r.reference).collect();
        let is_placeholder = |v: &str| v.is_empty() || v.eq_ignore_ascii_case("n/a");
        let mut notes = Vec::new();
        let mut relations = Vec::with_capacity(rows.len());
        let mut controls: Vec<RequirementDoc> = Vec::new();
        let mut seen_controls = std::collections::HashSet::new();
        let mut seen_pairs = std::collections::HashSet::new();
        for row in &rows {
            if !focal_refs.contains(&row.fde) {
                return Err(AppError::invalid(
                    &format!("{file_name}: row {}, column 'FDE #'", row.line),
                    format!("'{}' is not a requirement of {}", row.fde, key_label(&focal)),
                ));
            }
            if is_placeholder(&row.scf) {
                notes.push(format!("row {}: {} has no SCF control ({}); nothing to relate", row.line, row.fde, row.relation));
                continue;
            }
            if seen_controls.insert(row.scf.clone()) {
                controls.push(RequirementDoc {
                    reference: row.scf.clone(),
                    parent: None,
                    title: row.scf_name.clone(),
                    text: Some(row.scf_description.clone()).filter(|t| !t.is_empty()),
                    assessable: true,
                    withdrawn: false,
                    aliases: vec![],
                });
            }
            if !seen_pairs.insert((row.fde.clone(), row.scf.clone())) {
                return Err(AppError::invalid(
                    &format!("{file_name}: row {}", row.line),
                    format!("{} → {} is stated twice", row.fde, row.scf),
                ));
            }
            relations.push(RelationDoc {
                from: row.fde.clone(),
                to: row.scf.clone(),
                relation: row.relation,
                strength: row.strength,
                rationale: row.rationale,
                note: row.notes.clone(),
            });
        }
        let owner = actor.catalog_owner();
        let hash = repo::content_hash(bytes);
        let tx = self.begin().await?;
        let mut report = ImportReport { items: vec![], notes };
        // The pivot grows with every file: it counts towards the organisation's requirement limit
        // like any framework it imports (every requirement is indexed in memory for the crosswalk).
        if let Some(owner) = owner {
            let held = repo::owned_requirement_count(&tx, owner).await?;
            let max_total = self.config().import_limits.max_total_requirements;
            if held + controls.len() as u64 > max_total {
                return Err(AppError::invalid(
                    "requirements",
                    format!(
                        "this organisation's frameworks hold {held} requirements; {} SCF controls more would exceed this installation's limit of {max_total}",
                        controls.len()
                    ),
                ));
            }
        }
        let (scf, added) = match repo::owned_framework_by_key(&tx, owner, SCF_SLUG, SCF_VERSION).await? {
            Some(existing) => {
                let added = repo::append_requirements(&tx, &existing, &controls).await?;
                (existing, added)
            }
            None => {
                let doc = FrameworkDoc {
                    slug: SCF_SLUG.into(),
                    version: SCF_VERSION.into(),
                    name: "Secure Controls Framework (pivot of imported STRM files)".into(),
                    publisher: "Secure Controls Framework Council".into(),
                    source: format!("SCF controls named by the STRM file(s) this organisation imported, first {file_name}"),
                    terms: "SCF terms: imported by the organisation from its own copy; not redistributed by Crosswalk".into(),
                    aliases: vec![],
                    requirements: controls.clone(),
                    profiles: vec![],
                };
                let loaded =
                    repo::load_framework(&tx, &doc, &repo::content_hash(format!("scf-pivot:{hash}").as_bytes()), false, owner, self.now())
                        .await?;
                let framework = repo::framework_by_id(&tx, actor.catalog_scope(), loaded.id())
                    .await?
                    .ok_or_else(|| AppError::Internal("SCF pivot vanished".into()))?;
                (framework, controls.len())
            }
        };
        report.items.push(ImportedItem { kind: "framework".into(), name: key_label(&scf), inserted: added > 0, count: added });
        let set = MappingSetDoc {
            slug: format!("scf-strm--{}", focal.slug),
            name: format!("{} → SCF (STRM, imported)", focal.name),
            from: FrameworkKey { slug: focal.slug.clone(), version: focal.version.clone() },
            to: FrameworkKey { slug: SCF_SLUG.into(), version: SCF_VERSION.into() },
            provenance: Provenance::VendorLibrary,
            source: format!("SCF Set Theory Relationship Mapping file {file_name} (sha256 {hash})"),
            terms: "SCF terms: imported by the organisation from its own copy; not redistributed by Crosswalk".into(),
            relations,
        };
        if let Some(existing) = repo::mapping_sets(&tx, owner).await?.into_iter().find(|s| s.slug == set.slug && s.tenant_id == owner)
            && existing.content_hash != hash
        {
            return Err(AppError::Conflict(format!(
                "mapping set {} was imported from another file already; delete it before importing a new STRM release",
                set.slug
            )));
        }
        let loaded = repo::load_mapping_set_between(&tx, &set, &focal, &scf, owner, &hash, self.now()).await?;
        report.items.push(item("mapping_set", set.name.clone(), loaded, set.relations.len()));
        self.finish_import(tx, actor, file_name, json!({"sha256": hash, "format": "scf-strm", "focal": key_label(&focal)}), report).await
    }

    /// Journals an import that changed anything — in the organisation's chain for its own catalog,
    /// in the installation's for the shared one (which belongs to no organisation) — commits, and
    /// rebuilds the crosswalk graph.
    async fn finish_import(
        &self,
        tx: crosswalk_store::WriteTx,
        actor: &Actor,
        file_name: &str,
        mut payload: serde_json::Value,
        report: ImportReport,
    ) -> AppResult<ImportReport> {
        let changed = report.items.iter().any(|i| i.inserted);
        if changed {
            let shared = actor.catalog_owner().is_none();
            payload["scope"] = json!(if shared { "shared" } else { "organisation" });
            payload["items"] = json!(report.items);
            payload["notes"] = json!(report.notes);
            if shared {
                self.journal_installation(&tx, actor, "catalog.import", "file", file_name, payload).await?;
            } else {
                self.journal(&tx, actor, "catalog.import", "file", file_name, payload).await?;
            }
        }
        tx.commit().await?;
        if changed {
            self.invalidate_graph();
        }
        Ok(report)
    }

    /// Imports a file in one transaction: everything in it is loaded, or nothing. What an
    /// organisation imports is its own; what the operator imports is shared (see the module doc).
    pub async fn import_catalog(&self, actor: &Actor, bytes: &[u8], file_name: &str, format: Option<Format>) -> AppResult<ImportReport> {
        actor.require(Permission::ManageTenant, "importing frameworks")?;
        let limits = self.import_limits(actor);
        if let Some(limits) = limits
            && bytes.len() as u64 > limits.max_bytes
        {
            return Err(AppError::invalid("file", too_large(bytes.len() as u64, limits.max_bytes)));
        }
        let owner = actor.catalog_owner();
        let format = format.unwrap_or_else(|| Format::sniff(bytes));
        let stem = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
        let stem = stem.split_once('.').map_or(stem, |(s, _)| s);
        let bad = |e: crosswalk_import::ImportError| AppError::invalid(file_name, e.to_string());
        let hash = repo::content_hash(bytes);
        // Parse (CPU-bound, up to the size limit) on a blocking thread and before the write
        // transaction: no organisation's upload holds other organisations' writes while it is read.
        let parsed = {
            let (owned, stem_owned) = (bytes.to_vec(), stem.to_owned());
            tokio::task::spawn_blocking(move || match format {
                Format::Oscal => oscal::parse(&owned, &stem_owned).map(Parsed::Oscal),
                Format::CisoAssistant => ciso::parse(&owned).map(Parsed::Ciso),
            })
            .await
            .map_err(|e| AppError::Internal(format!("import parser stopped: {e}")))?
            .map_err(bad)?
        };
        let tx = self.begin().await?;
        let mut report = ImportReport { items: vec![], notes: vec![] };
        match parsed {
            Parsed::Oscal(document) => match document {
                oscal::Document::Catalog(mut doc) => {
                    check_framework(&doc, file_name, limits)?;
                    let loaded = self.place_framework(&tx, actor, &mut doc, &hash, &mut report.notes).await?;
                    report.items.push(item("framework", doc.key().to_string(), loaded, doc.requirements.len()));
                }
                oscal::Document::Profile(profile) => {
                    let import = &profile.imports[0];
                    let mut catalog = None;
                    for alias in &import.catalog_aliases {
                        if let Some(found) = repo::framework_by_alias(&tx, actor.catalog_scope(), alias).await? {
                            catalog = Some(found);
                            break;
                        }
                    }
                    let catalog = catalog.ok_or_else(|| {
                        AppError::invalid(
                            &format!("{file_name}: $.profile.imports[0].href"),
                            format!(
                                "the profile imports catalog '{}' ({}), which is not loaded; import that catalog first",
                                import.href,
                                import.catalog_aliases.join(", ")
                            ),
                        )
                    })?;
                    let stored = stored_doc(&tx, &catalog).await?;
                    let doc = oscal::profile_doc(&profile, &stored, None).map_err(bad)?;
                    let loaded = repo::insert_profile(&tx, catalog.id, owner, &doc).await?;
                    report.items.push(item("profile", format!("{} on {}", doc.slug, key_label(&catalog)), loaded, doc.refs.len()));
                }
            },
            Parsed::Ciso(library) => {
                if let Some(mut doc) = ciso::framework_doc(&library) {
                    doc.validate().map_err(|e| AppError::invalid(file_name, e.to_string()))?;
                    check_framework(&doc, file_name, limits)?;
                    let loaded = self.place_framework(&tx, actor, &mut doc, &hash, &mut report.notes).await?;
                    report.items.push(item("framework", doc.key().to_string(), loaded, doc.requirements.len()));
                }
                for (index, set) in library.mapping_sets.iter().enumerate() {
                    if set.urn.ends_with("-revert") {
                        report
                            .notes
                            .push(format!("{}: the reverse copy of a set is not stored; every relation is read both ways", set.urn));
                        continue;
                    }
                    if let Some(limits) = limits
                        && set.rows.len() > limits.max_requirements
                    {
                        return Err(AppError::invalid(
                            &format!("{file_name}: requirement_mapping_sets[{index}].requirement_mappings"),
                            format!("{} relations exceed this installation's import limit of {}", set.rows.len(), limits.max_requirements),
                        ));
                    }
                    let (doc, from, to) = self.resolve_ciso_set(&tx, actor, file_name, index, set).await?;
                    let set_hash = repo::content_hash(format!("{hash}:{index}").as_bytes());
                    // The same file imported by the operator already put this set in the shared catalog.
                    let loaded = match owner {
                        Some(_) => match repo::owned_mapping_set_by_hash(&tx, None, &doc.slug, &set_hash).await? {
                            Some(shared) => Loaded::Unchanged(shared.id),
                            None => repo::load_mapping_set_between(&tx, &doc, &from, &to, owner, &set_hash, self.now()).await?,
                        },
                        None => repo::load_mapping_set_between(&tx, &doc, &from, &to, owner, &set_hash, self.now()).await?,
                    };
                    report.items.push(item("mapping_set", doc.name.clone(), loaded, doc.relations.len()));
                }
            }
        }
        self.finish_import(tx, actor, file_name, json!({"sha256": hash}), report).await
    }

    /// Stores an imported framework under a slug that keeps every slug's meaning: the operator's
    /// import goes to the shared catalog as it is; an organisation's import identical to a shared
    /// framework reuses it, and one whose slug the shared catalog uses gets a slug of its own
    /// (`{slug}-{organisation}`, then `-2`, `-3`, …), which the report's notes name.
    async fn place_framework(
        &self,
        tx: &crosswalk_store::WriteTx,
        actor: &Actor,
        doc: &mut FrameworkDoc,
        hash: &str,
        notes: &mut Vec<String>,
    ) -> AppResult<Loaded> {
        let now = self.now();
        let Some(owner) = actor.catalog_owner() else {
            return Ok(repo::load_framework(tx, doc, hash, false, None, now).await?);
        };
        for existing_owner in [None, Some(owner)] {
            if let Some(same) = repo::owned_framework_by_hash(tx, existing_owner, hash).await? {
                doc.slug.clone_from(&same.slug);
                doc.version.clone_from(&same.version);
                return Ok(Loaded::Unchanged(same.id));
            }
        }
        let held = repo::owned_requirement_count(tx, owner).await?;
        let max_total = self.config().import_limits.max_total_requirements;
        if held + doc.requirements.len() as u64 > max_total {
            return Err(AppError::invalid(
                "requirements",
                format!(
                    "this organisation's frameworks hold {held} requirements; {} more would exceed this installation's limit of {max_total}",
                    doc.requirements.len()
                ),
            ));
        }
        if repo::slug_in_use(tx, Scope::Shared, &doc.slug).await? {
            let base = format!("{}-{}", doc.slug, actor.tenant_slug);
            let mut candidate = base.clone();
            let mut n = 2;
            while repo::slug_in_use(tx, Scope::Shared, &candidate).await? {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            notes.push(format!(
                "'{}' names a framework of the shared catalog, which keeps that name; this organisation's framework is '{candidate}@{}'",
                doc.slug, doc.version
            ));
            doc.slug = candidate;
        }
        Ok(repo::load_framework(tx, doc, hash, false, Some(owner), now).await?)
    }

    async fn resolve_ciso_set(
        &self,
        tx: &crosswalk_store::WriteTx,
        actor: &Actor,
        file: &str,
        index: usize,
        set: &ciso::CisoMappingSet,
    ) -> AppResult<(MappingSetDoc, Framework, Framework)> {
        let scope = actor.catalog_scope();
        let path = format!("{file}: requirement_mapping_sets[{index}]");
        let find = |urn: String, field: &'static str| {
            let path = path.clone();
            async move {
                repo::framework_by_alias(tx, scope, &urn).await?.ok_or_else(|| {
                    AppError::invalid(&format!("{path}.{field}"), format!("framework '{urn}' is not loaded; import its library first"))
                })
            }
        };
        let from = find(set.source_framework_urn.clone(), "source_framework_urn").await?;
        let to = find(set.target_framework_urn.clone(), "target_framework_urn").await?;
        let (from_ids, to_ids) = (repo::alias_ids(tx, from.id).await?, repo::alias_ids(tx, to.id).await?);
        let mut relations = Vec::with_capacity(set.rows.len());
        for (row, m) in set.rows.iter().enumerate() {
            let field = |side: &str| format!("{path}.requirement_mappings[{row}].{side}_requirement_urn");
            let (_, f) = from_ids.get(&m.source_urn).ok_or_else(|| {
                AppError::invalid(&field("source"), format!("'{}' is not a requirement of {}", m.source_urn, key_label(&from)))
            })?;
            let (_, t) = to_ids.get(&m.target_urn).ok_or_else(|| {
                AppError::invalid(&field("target"), format!("'{}' is not a requirement of {}", m.target_urn, key_label(&to)))
            })?;
            relations.push(RelationDoc {
                from: f.clone(),
                to: t.clone(),
                relation: m.relation,
                strength: m.strength,
                rationale: m.rationale,
                note: m.note.clone(),
            });
        }
        let doc = MappingSetDoc {
            slug: ciso::urn_tail(&set.urn).to_owned(),
            name: set.name.clone(),
            from: FrameworkKey { slug: from.slug.clone(), version: from.version.clone() },
            to: FrameworkKey { slug: to.slug.clone(), version: to.version.clone() },
            provenance: Provenance::VendorLibrary,
            source: format!("CISO Assistant mapping set {} (imported from {file})", set.urn),
            terms: "as stated by the library".into(),
            relations,
        };
        Ok((doc, from, to))
    }
}

fn too_large(size: u64, max: u64) -> String {
    format!("the file has {size} bytes; this installation's import limit is {max} bytes")
}

/// A framework must have requirements, and no more than the import limit allows.
fn check_framework(doc: &FrameworkDoc, file_name: &str, limits: Option<ImportLimits>) -> AppResult<()> {
    if doc.requirements.is_empty() {
        return Err(AppError::invalid(file_name, format!("framework '{}' has no requirements; there is nothing to import", doc.key())));
    }
    if let Some(limits) = limits
        && doc.requirements.len() > limits.max_requirements
    {
        return Err(AppError::invalid(
            "requirements",
            format!("{} requirements exceed this installation's import limit of {}", doc.requirements.len(), limits.max_requirements),
        ));
    }
    Ok(())
}

fn item(kind: &str, name: String, loaded: Loaded, count: usize) -> ImportedItem {
    ImportedItem { kind: kind.into(), name, inserted: matches!(loaded, Loaded::Inserted(_)), count }
}

/// A stored framework as a document (refs, parents and aliases), for resolving profiles against it.
async fn stored_doc(db: &impl crosswalk_store::Read, f: &Framework) -> AppResult<FrameworkDoc> {
    let requirements = repo::requirements(db, f.id)
        .await?
        .into_iter()
        .map(|r| RequirementDoc {
            aliases: repo::split_aliases(&r.aliases).map(str::to_owned).collect(),
            reference: r.reference,
            parent: r.parent_ref,
            title: r.title,
            text: None,
            assessable: r.assessable,
            withdrawn: r.withdrawn,
        })
        .collect();
    Ok(FrameworkDoc {
        slug: f.slug.clone(),
        version: f.version.clone(),
        name: f.name.clone(),
        publisher: f.publisher.clone(),
        source: f.source.clone(),
        terms: f.terms.clone(),
        aliases: vec![],
        requirements,
        profiles: vec![],
    })
}
