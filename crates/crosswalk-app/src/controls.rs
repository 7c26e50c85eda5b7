//! Unified controls, evidence and attestations: implement once, link to requirements of any
//! framework the organisation follows, collect evidence once for many controls.
//!
//! Evidence files are streamed into the blob store while being hashed (SHA-256), then renamed to
//! their content address, so memory stays flat for any size, identical content is stored once, and
//! an interrupted upload leaves no blob, no record and no journal entry.
use std::collections::HashMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use crosswalk_domain::Permission;
use crosswalk_domain::catalog::RelationType;
use crosswalk_domain::readiness::{attestation_valid, evidence_valid};
use crosswalk_domain::validate::non_empty_text;
use crosswalk_store::repo::{catalog as catalog_repo, controls as repo};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use crate::catalog::key_label;
use crate::readiness::{ControlRow, EvidenceRow};
use crate::{Actor, App, AppError, AppResult};

/// A control's status: defined with the readiness rules that read it, re-exported for front ends.
pub use crosswalk_domain::readiness::ControlStatus;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewControl {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "planned")]
    pub status: ControlStatus,
    /// Required when the status is `not_applicable`.
    pub justification: Option<String>,
}

fn planned() -> ControlStatus {
    ControlStatus::Planned
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ControlChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub status: Option<ControlStatus>,
    pub justification: Option<String>,
    /// E-mail of a member of the organisation, or empty to clear.
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServedRequirement {
    pub framework: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    /// `direct`, or `derived` through the relation in `via`.
    pub how: String,
    pub via: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvidenceView {
    pub id: Uuid,
    pub name: String,
    pub sha256: Option<String>,
    pub size: i64,
    pub link: Option<String>,
    pub collected_at: chrono::DateTime<chrono::Utc>,
    pub effective_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// False when outside its validity window today.
    pub valid: bool,
    pub controls: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ControlView {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub status: ControlStatus,
    pub justification: Option<String>,
    pub owner: Option<String>,
    /// Every requirement served: direct links and those reached through equal/superset relations.
    pub requirements: Vec<ServedRequirement>,
    pub evidence: Vec<EvidenceView>,
    /// Named people's statements that the control is met (never counted as proof).
    pub attestations: Vec<AttestationView>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewEvidence {
    pub name: String,
    /// An `http` or `https` URL (a ticket, a register entry, a report), for evidence that is not a file.
    pub link: Option<String>,
    #[serde(default)]
    pub controls: Vec<Uuid>,
    pub effective_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewAttestation {
    /// Framework id and requirement ref, or a control id.
    pub framework: Option<String>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub control: Option<Uuid>,
    pub statement: String,
    pub expires_on: Option<NaiveDate>,
}

/// An attestation as shown everywhere: always "attested", with the named person and dates.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttestationView {
    pub id: Uuid,
    /// The attested requirement's framework (`slug@version`), when a requirement was attested.
    pub framework: Option<String>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// The attested control, when a control was attested.
    pub control: Option<Uuid>,
    pub statement: String,
    /// E-mail of the named person who attested.
    pub person: String,
    pub attested_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    /// False once expired (or not yet in force): it then counts for nothing.
    pub valid: bool,
    /// The crosswalk path that was reviewed, when the attestation signed off a suggestion.
    pub path: Option<String>,
}

/// Which attestations to list: one control's, one requirement's, or (neither) all.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttestationFilter {
    pub control: Option<Uuid>,
    /// Framework id (`slug` or `slug@version`); with `ref`.
    pub framework: Option<String>,
    #[serde(rename = "ref")]
    #[param(rename = "ref")]
    pub reference: Option<String>,
}

/// A blob written to the store: its content address and size.
#[derive(Debug, Clone)]
pub struct StoredBlob {
    pub sha256: String,
    pub size: u64,
    /// This upload wrote the file (it was not already stored). Only such a file may be removed again
    /// when its record is refused: an identical file that was there before belongs to other evidence.
    pub(crate) created: bool,
}

pub(crate) fn blob_path(dir: &std::path::Path, sha256: &str) -> PathBuf {
    dir.join(&sha256[..2]).join(sha256)
}

/// Longest link accepted (browsers and proxies handle about 2,000 characters reliably).
const MAX_LINK_LEN: usize = 2000;

/// Evidence links are rendered as `href`s: only `http` and `https` URLs with a host, so a
/// `javascript:`, `data:` or `file:` link can never run or open anything in a reader's browser.
fn evidence_link(raw: &str) -> AppResult<String> {
    let link = raw.trim();
    if link.chars().count() > MAX_LINK_LEN {
        return Err(AppError::invalid("link", format!("must be at most {MAX_LINK_LEN} characters")));
    }
    let url = url::Url::parse(link).map_err(|_| AppError::invalid("link", format!("'{link}' is not an absolute http(s) URL")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(AppError::invalid("link", format!("only http and https links are accepted (got a {}: URL)", url.scheme())));
    }
    Ok(link.to_owned())
}

impl App {
    /// Streams `reader` into the blob store; on any error the partial file is removed.
    pub async fn store_blob(&self, mut reader: impl AsyncRead + Unpin) -> AppResult<StoredBlob> {
        let dir = &self.inner.config.blob_dir;
        let io = |e: std::io::Error| AppError::Internal(format!("blob store {}: {e}", dir.display()));
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
        // Removed on every way out but the rename below, including when the request is dropped
        // mid-stream (the client went away): an interrupted upload leaves nothing behind.
        let guard = PartialUpload(dir.join(format!("{}{}", crate::blobs::TEMP_PREFIX, Uuid::now_v7())));
        let temp = &guard.0;
        let result = async {
            let mut file = tokio::fs::File::create(temp).await.map_err(io)?;
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                let n = reader.read(&mut buffer).await.map_err(|e| AppError::invalid("file", format!("upload interrupted: {e}")))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buffer[..n]);
                file.write_all(&buffer[..n]).await.map_err(io)?;
                size += n as u64;
            }
            file.sync_all().await.map_err(io)?;
            Ok::<_, AppError>(StoredBlob { sha256: hex::encode(hasher.finalize()), size, created: false })
        }
        .await;
        let mut blob = result?;
        // An empty file proves nothing; refused before it enters the store (the guard removes it).
        if blob.size == 0 {
            return Err(AppError::invalid("file", "the file is empty (0 bytes); evidence must have content"));
        }
        let target = blob_path(dir, &blob.sha256);
        // Identical content is stored once (the guard removes the duplicate).
        if !tokio::fs::try_exists(&target).await.unwrap_or(false) {
            tokio::fs::create_dir_all(target.parent().unwrap_or(dir)).await.map_err(io)?;
            tokio::fs::rename(temp, &target).await.map_err(io)?;
            blob.created = true;
        }
        Ok(blob)
    }

    /// Opens a stored evidence file of the actor's tenant.
    pub async fn evidence_file(&self, actor: &Actor, id: Uuid) -> AppResult<(repo::Evidence, tokio::fs::File)> {
        actor.require(Permission::Read, "reading evidence")?;
        let e = repo::get_evidence(self.db(), actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("evidence {id}")))?;
        let sha = e.sha256.clone().ok_or_else(|| AppError::NotFound(format!("file of evidence {id} (it is a link)")))?;
        let file = tokio::fs::File::open(blob_path(&self.inner.config.blob_dir, &sha))
            .await
            .map_err(|err| AppError::Internal(format!("blob {sha}: {err}")))?;
        Ok((e, file))
    }

    pub async fn follow_framework(&self, actor: &Actor, framework: &str) -> AppResult<()> {
        actor.require(Permission::ManageCompliance, "choosing the frameworks the organisation follows")?;
        let f = self.framework_named(actor, framework).await?;
        let tx = self.begin().await?;
        if repo::follow(&tx, actor.tenant.0, f.id, self.now()).await? {
            self.journal(&tx, actor, "framework.follow", "framework", key_label(&f), json!({})).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn unfollow_framework(&self, actor: &Actor, framework: &str) -> AppResult<()> {
        actor.require(Permission::ManageCompliance, "choosing the frameworks the organisation follows")?;
        let f = self.framework_named(actor, framework).await?;
        let tx = self.begin().await?;
        if repo::unfollow(&tx, actor.tenant.0, f.id).await? > 0 {
            self.journal(&tx, actor, "framework.unfollow", "framework", key_label(&f), json!({})).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_control(&self, actor: &Actor, new: NewControl) -> AppResult<ControlView> {
        actor.require(Permission::ManageCompliance, "managing controls")?;
        let name = non_empty_text("name", &new.name, 300)?;
        let justification = justification_for(new.status, new.justification.as_deref())?;
        let now = self.now();
        let row = repo::Control {
            id: Uuid::now_v7(),
            tenant_id: actor.tenant.0,
            name,
            description: new.description.trim().to_owned(),
            owner_id: None,
            status: new.status.as_str().to_owned(),
            justification,
            created_at: now,
            updated_at: now,
        };
        let tx = self.begin().await?;
        let row = repo::insert_control(&tx, row).await?;
        self.journal(
            &tx,
            actor,
            "control.create",
            "control",
            row.id,
            json!({"name": row.name, "status": row.status, "justification": row.justification}),
        )
        .await?;
        tx.commit().await?;
        self.control(actor, row.id).await
    }

    pub async fn list_controls(&self, actor: &Actor) -> AppResult<Vec<repo::Control>> {
        actor.require(Permission::Read, "reading controls")?;
        Ok(repo::controls(self.db(), actor.tenant.0).await?)
    }

    pub async fn control(&self, actor: &Actor, id: Uuid) -> AppResult<ControlView> {
        actor.require(Permission::Read, "reading controls")?;
        let c = repo::get_control(self.db(), actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("control {id}")))?;
        let direct: Vec<i64> =
            repo::links(self.db(), actor.tenant.0).await?.into_iter().filter(|(control, _)| *control == id).map(|(_, r)| r).collect();
        let graph = self.graph(Some(actor.tenant.0)).await?;
        // Requirements served through sound mappings: one equal/superset step from a direct link.
        let mut derived: Vec<(i64, String)> = Vec::new();
        let relations = catalog_repo::relations_touching(self.db(), Some(actor.tenant.0), &direct).await?;
        for r in &relations {
            let relation = RelationType::parse(&r.relation).unwrap_or(RelationType::Intersects);
            let (near, far, seen) = if direct.contains(&r.from_requirement_id) {
                (r.from_requirement_id, r.to_requirement_id, relation)
            } else {
                (r.to_requirement_id, r.from_requirement_id, relation.inverse())
            };
            if seen.carries_credit() && !direct.contains(&far) {
                derived.push((far, format!("{} {} {}", graph.reference(near), seen, graph.reference(far))));
            }
        }
        let mut ids: Vec<i64> = direct.iter().copied().chain(derived.iter().map(|(id, _)| *id)).collect();
        ids.sort_unstable();
        ids.dedup();
        let reqs: HashMap<i64, catalog_repo::Requirement> =
            catalog_repo::requirements_by_ids(self.db(), &ids).await?.into_iter().map(|r| (r.id, r)).collect();
        let frameworks: HashMap<i64, String> = self.framework_labels().await?;
        let served = |id: i64, how: &str, via: Option<String>| {
            reqs.get(&id).map(|r| ServedRequirement {
                framework: frameworks.get(&r.framework_id).cloned().unwrap_or_default(),
                reference: r.reference.clone(),
                title: r.title.clone(),
                how: how.into(),
                via,
            })
        };
        let mut requirements: Vec<ServedRequirement> = direct.iter().filter_map(|&id| served(id, "direct", None)).collect();
        requirements.extend(derived.into_iter().filter_map(|(id, via)| served(id, "derived", Some(via))));
        let today = self.now().date_naive();
        let evidence = repo::evidence_of_control(self.db(), actor.tenant.0, id)
            .await?
            .into_iter()
            .map(|(e, controls)| evidence_view(e, controls, today))
            .collect();
        let owner = match c.owner_id {
            Some(owner) => crosswalk_store::repo::users::by_id(self.db(), owner).await?.map(|u| u.email),
            None => None,
        };
        let attestations = self.attestation_views(repo::attestations_of(self.db(), actor.tenant.0, Some(id), None).await?).await?;
        Ok(ControlView {
            attestations,
            id: c.id,
            name: c.name,
            description: c.description,
            status: ControlStatus::parse(&c.status).unwrap_or(ControlStatus::Planned),
            justification: c.justification,
            owner,
            requirements,
            evidence,
        })
    }

    pub async fn change_control(&self, actor: &Actor, id: Uuid, change: ControlChange) -> AppResult<ControlView> {
        actor.require(Permission::ManageCompliance, "managing controls")?;
        let mut c = repo::get_control(self.db(), actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("control {id}")))?;
        if let Some(name) = &change.name {
            c.name = non_empty_text("name", name, 300)?;
        }
        if let Some(description) = &change.description {
            c.description = description.trim().to_owned();
        }
        let status = change.status.unwrap_or(ControlStatus::parse(&c.status).unwrap_or(ControlStatus::Planned));
        c.status = status.as_str().to_owned();
        c.justification = justification_for(status, change.justification.as_deref().or(c.justification.as_deref()))?;
        if let Some(owner) = change.owner.as_deref() {
            c.owner_id = if owner.trim().is_empty() { None } else { Some(self.member_id(actor, owner).await?) };
        }
        c.updated_at = self.now();
        let tx = self.begin().await?;
        let c = repo::update_control(&tx, c).await?;
        let entry = self
            .journal(
                &tx,
                actor,
                "control.change",
                "control",
                id,
                json!({"name": c.name, "status": c.status, "justification": c.justification, "owner": c.owner_id}),
            )
            .await?;
        tx.commit().await?;
        let changed = ControlRow { id: c.id, name: c.name.clone(), status: c.status.clone() };
        self.patch_snapshot(actor.tenant.0, entry.seq, |s| {
            let id = changed.id;
            s.controls.insert(id, changed);
            vec![id]
        });
        self.control(actor, id).await
    }

    async fn member_id(&self, actor: &Actor, email: &str) -> AppResult<Uuid> {
        let email = crosswalk_domain::Email::parse("owner", email)?;
        let user = crosswalk_store::repo::users::by_email(self.db(), email.as_str())
            .await?
            .ok_or_else(|| AppError::invalid("owner", format!("{email} is not a member of this organisation")))?;
        let member = crosswalk_store::repo::memberships::get(self.db(), actor.tenant.0, user.id).await?;
        member.map(|_| user.id).ok_or_else(|| AppError::invalid("owner", format!("{email} is not a member of this organisation")))
    }

    /// Links a control to a requirement of a framework the organisation follows (422 otherwise).
    pub async fn link_control(&self, actor: &Actor, id: Uuid, framework: &str, reference: &str) -> AppResult<ControlView> {
        actor.require(Permission::ManageCompliance, "managing controls")?;
        repo::get_control(self.db(), actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("control {id}")))?;
        let (f, r) = self.followed_requirement(actor, framework, reference).await?;
        let tx = self.begin().await?;
        let mut seq = None;
        if repo::link(&tx, actor.tenant.0, id, r.id).await? {
            seq = Some(
                self.journal(&tx, actor, "control.link", "control", id, json!({"framework": key_label(&f), "ref": r.reference})).await?.seq,
            );
        }
        tx.commit().await?;
        if let Some(seq) = seq {
            self.patch_snapshot(actor.tenant.0, seq, |s| {
                s.add_link(id, r.id);
                vec![id]
            });
        }
        self.control(actor, id).await
    }

    pub async fn unlink_control(&self, actor: &Actor, id: Uuid, framework: &str, reference: &str) -> AppResult<ControlView> {
        actor.require(Permission::ManageCompliance, "managing controls")?;
        repo::get_control(self.db(), actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("control {id}")))?;
        if framework.trim().is_empty() || reference.trim().is_empty() {
            return Err(AppError::invalid("ref", "name the framework and the requirement ref to unlink"));
        }
        let (f, r) = self.requirement_named(actor, framework, reference).await?;
        let tx = self.begin().await?;
        if repo::unlink(&tx, actor.tenant.0, id, r.id).await? > 0 {
            self.journal(&tx, actor, "control.unlink", "control", id, json!({"framework": key_label(&f), "ref": r.reference})).await?;
        }
        tx.commit().await?;
        self.control(actor, id).await
    }

    /// Everything [`App::add_evidence`] checks about `new` except the file itself: the role, name, link,
    /// validity window and controls. Front ends call it before streaming a file, so a bad request is
    /// refused before a byte reaches the blob store.
    pub async fn check_new_evidence(&self, actor: &Actor, new: &NewEvidence) -> AppResult<()> {
        self.checked_evidence(actor, new).await.map(|_| ())
    }

    /// The checked name and link of new evidence.
    async fn checked_evidence(&self, actor: &Actor, new: &NewEvidence) -> AppResult<(String, Option<String>)> {
        actor.require(Permission::ManageCompliance, "adding evidence")?;
        let name = non_empty_text("name", &new.name, 300)?;
        let link = new.link.as_deref().filter(|l| !l.trim().is_empty()).map(evidence_link).transpose()?;
        if let (Some(from), Some(until)) = (new.effective_from, new.valid_until)
            && until < from
        {
            return Err(AppError::invalid("valid_until", format!("{until} is before effective_from {from}")));
        }
        for control in &new.controls {
            repo::get_control(self.db(), actor.tenant.0, *control)
                .await?
                .ok_or_else(|| AppError::invalid("controls", format!("control {control} not found")))?;
        }
        Ok((name, link))
    }

    /// Records evidence (a stored blob or a link) and links it to controls, in one transaction. When
    /// the record is refused, a file this upload put in the blob store is removed again unless some
    /// evidence refers to it, so a rejected upload leaves nothing behind.
    pub async fn add_evidence(&self, actor: &Actor, new: NewEvidence, blob: Option<StoredBlob>) -> AppResult<EvidenceView> {
        let result = self.record_evidence(actor, new, blob.clone()).await;
        if result.is_err()
            && let Some(blob) = blob.filter(|b| b.created)
        {
            self.discard_blob_if_unreferenced(&blob.sha256).await;
        }
        result
    }

    async fn record_evidence(&self, actor: &Actor, new: NewEvidence, blob: Option<StoredBlob>) -> AppResult<EvidenceView> {
        let (name, link) = self.checked_evidence(actor, &new).await?;
        if blob.is_none() && link.is_none() {
            return Err(AppError::invalid("file", "evidence needs a file or a link"));
        }
        if blob.as_ref().is_some_and(|b| b.size == 0) {
            return Err(AppError::invalid("file", "the file is empty (0 bytes); evidence must have content"));
        }
        let now = self.now();
        let row = repo::Evidence {
            id: Uuid::now_v7(),
            tenant_id: actor.tenant.0,
            name,
            sha256: blob.as_ref().map(|b| b.sha256.clone()),
            size: blob.as_ref().map_or(0, |b| b.size as i64),
            link,
            collected_at: now,
            effective_from: new.effective_from,
            valid_until: new.valid_until,
            created_at: now,
        };
        let tx = self.begin().await?;
        let row = repo::insert_evidence(&tx, row).await?;
        for control in &new.controls {
            repo::link_evidence(&tx, actor.tenant.0, row.id, *control).await?;
        }
        self.reschedule_evidence_expiry(&tx, actor.tenant, row.id, &row.name, row.valid_until, new.controls.first().copied()).await?;
        // The journal holds the evidence by its hash, so an auditor can check the file offline.
        let entry = self.journal(
            &tx,
            actor,
            "evidence.add",
            "evidence",
            row.id,
            json!({"name": row.name, "sha256": row.sha256, "size": row.size, "link": row.link, "controls": new.controls, "effective_from": row.effective_from, "valid_until": row.valid_until}),
        )
        .await?;
        tx.commit().await?;
        let added = EvidenceRow { name: row.name.clone(), effective_from: row.effective_from, valid_until: row.valid_until };
        self.patch_snapshot(actor.tenant.0, entry.seq, |s| {
            s.evidence.insert(row.id, added);
            for control in &new.controls {
                s.link_evidence(row.id, *control);
            }
            new.controls.clone()
        });
        self.one_evidence(actor, row.id).await
    }

    pub async fn set_evidence_validity(
        &self,
        actor: &Actor,
        id: Uuid,
        effective_from: Option<NaiveDate>,
        valid_until: Option<NaiveDate>,
    ) -> AppResult<EvidenceView> {
        actor.require(Permission::ManageCompliance, "changing evidence")?;
        let current =
            repo::get_evidence(self.db(), actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("evidence {id}")))?;
        let controls = repo::evidence_with_controls(self.db(), actor.tenant.0, id).await?.map(|(_, c)| c).unwrap_or_default();
        let control = controls.first().copied();
        let tx = self.begin().await?;
        self.reschedule_evidence_expiry(&tx, actor.tenant, id, &current.name, valid_until, control).await?;
        repo::update_evidence_validity(&tx, actor.tenant.0, id, effective_from, valid_until).await?;
        let entry = self
            .journal(&tx, actor, "evidence.validity", "evidence", id, json!({"effective_from": effective_from, "valid_until": valid_until}))
            .await?;
        tx.commit().await?;
        self.patch_snapshot(actor.tenant.0, entry.seq, |s| {
            if let Some(e) = s.evidence.get_mut(&id) {
                e.effective_from = effective_from;
                e.valid_until = valid_until;
            }
            controls
        });
        self.one_evidence(actor, id).await
    }

    pub async fn link_evidence(&self, actor: &Actor, id: Uuid, control: Uuid) -> AppResult<EvidenceView> {
        actor.require(Permission::ManageCompliance, "linking evidence")?;
        repo::get_evidence(self.db(), actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("evidence {id}")))?;
        repo::get_control(self.db(), actor.tenant.0, control).await?.ok_or_else(|| AppError::NotFound(format!("control {control}")))?;
        let tx = self.begin().await?;
        let mut seq = None;
        if repo::link_evidence(&tx, actor.tenant.0, id, control).await? {
            seq = Some(self.journal(&tx, actor, "evidence.link", "evidence", id, json!({"control": control})).await?.seq);
        }
        tx.commit().await?;
        if let Some(seq) = seq {
            self.patch_snapshot(actor.tenant.0, seq, |s| {
                s.link_evidence(id, control);
                vec![control]
            });
        }
        self.one_evidence(actor, id).await
    }

    async fn one_evidence(&self, actor: &Actor, id: Uuid) -> AppResult<EvidenceView> {
        let (e, controls) = repo::evidence_with_controls(self.db(), actor.tenant.0, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("evidence {id}")))?;
        Ok(evidence_view(e, controls, self.now().date_naive()))
    }

    /// A requirement of a framework the organisation follows: 422 naming the framework otherwise
    /// (work is recorded only against frameworks the organisation has chosen).
    async fn followed_requirement(
        &self,
        actor: &Actor,
        framework: &str,
        reference: &str,
    ) -> AppResult<(catalog_repo::Framework, catalog_repo::Requirement)> {
        let f = self.framework_named(actor, framework).await?;
        if !repo::followed(self.db(), actor.tenant.0).await?.contains(&f.id) {
            return Err(AppError::invalid("framework", format!("the organisation does not follow {}; follow it first", key_label(&f))));
        }
        let r = catalog_repo::requirement(self.db(), f.id, reference)
            .await?
            .ok_or_else(|| AppError::invalid("ref", format!("'{reference}' is not a requirement of {}", key_label(&f))))?;
        Ok((f, r))
    }

    /// Evidence whose name contains `name` (all when None), newest first, at most `limit` items (all
    /// when None).
    pub async fn search_evidence(&self, actor: &Actor, name: Option<&str>, limit: Option<u64>) -> AppResult<Vec<EvidenceView>> {
        actor.require(Permission::Read, "reading evidence")?;
        let limit = limit.map(|l| crosswalk_domain::validate::list_limit("limit", l)).transpose()?;
        let today = self.now().date_naive();
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        Ok(repo::evidence_matching(self.db(), actor.tenant.0, name, limit)
            .await?
            .into_iter()
            .map(|(e, controls)| evidence_view(e, controls, today))
            .collect())
    }

    /// A named person states a requirement or control is met: shown as attested, never as proven.
    pub async fn attest(&self, actor: &Actor, new: NewAttestation) -> AppResult<Uuid> {
        actor.require(Permission::ManageCompliance, "attesting")?;
        let statement = non_empty_text("statement", &new.statement, 2000)?;
        let person = actor.user.ok_or_else(|| AppError::Forbidden("attesting without a named person".into()))?;
        if let Some(expiry) = new.expires_on
            && expiry < self.now().date_naive()
        {
            return Err(AppError::invalid("expires_on", format!("{expiry} is in the past; an attestation must be in force when made")));
        }
        let (requirement_id, subject) = match (&new.framework, &new.reference, new.control) {
            (Some(framework), Some(reference), None) => {
                let (f, r) = self.followed_requirement(actor, framework, reference).await?;
                (Some(r.id), format!("{}:{reference}", key_label(&f)))
            }
            (None, None, Some(control)) => {
                repo::get_control(self.db(), actor.tenant.0, control)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("control {control}")))?;
                (None, format!("control:{control}"))
            }
            _ => return Err(AppError::invalid("ref", "name either a framework and requirement ref, or a control")),
        };
        let tx = self.begin().await?;
        let saved = repo::insert_attestation(
            &tx,
            repo::Attestation {
                id: Uuid::now_v7(),
                tenant_id: actor.tenant.0,
                requirement_id,
                control_id: new.control,
                statement: statement.clone(),
                person_id: person.0,
                attested_on: self.now().date_naive(),
                expires_on: new.expires_on,
                path: None,
                created_at: self.now(),
            },
        )
        .await?;
        self.journal(
            &tx,
            actor,
            "attestation.add",
            "attestation",
            saved.id,
            json!({"subject": subject, "statement": statement, "expires_on": new.expires_on}),
        )
        .await?;
        tx.commit().await?;
        Ok(saved.id)
    }
}

impl App {
    /// Attestations of a control, of a requirement, or all of the organisation's.
    pub async fn attestations(&self, actor: &Actor, filter: &AttestationFilter) -> AppResult<Vec<AttestationView>> {
        actor.require(Permission::Read, "reading attestations")?;
        let requirement = match (&filter.framework, &filter.reference) {
            (Some(framework), Some(reference)) => Some(self.requirement_named(actor, framework, reference).await?.1.id),
            (None, None) => None,
            _ => return Err(AppError::invalid("ref", "name both a framework and a requirement ref")),
        };
        let rows = repo::attestations_of(self.db(), actor.tenant.0, filter.control, requirement).await?;
        self.attestation_views(rows).await
    }

    /// E-mail addresses of the people named in records (each looked up once, in one query).
    pub(crate) async fn emails_of(&self, people: impl Iterator<Item = Uuid>) -> AppResult<HashMap<Uuid, String>> {
        let mut ids: Vec<Uuid> = people.collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(crosswalk_store::repo::users::emails(self.db(), &ids).await?.into_iter().collect())
    }

    /// Rows as views: the person's e-mail and the requirement's framework and ref looked up once.
    async fn attestation_views(&self, rows: Vec<repo::Attestation>) -> AppResult<Vec<AttestationView>> {
        let emails = self.emails_of(rows.iter().map(|a| a.person_id)).await?;
        let requirement_ids: Vec<i64> = rows.iter().filter_map(|a| a.requirement_id).collect();
        let requirements: HashMap<i64, catalog_repo::Requirement> =
            catalog_repo::requirements_by_ids(self.db(), &requirement_ids).await?.into_iter().map(|r| (r.id, r)).collect();
        let frameworks: HashMap<i64, String> = if requirements.is_empty() { HashMap::new() } else { self.framework_labels().await? };
        let today = self.now().date_naive();
        Ok(rows
            .into_iter()
            .map(|a| {
                let requirement = a.requirement_id.and_then(|id| requirements.get(&id));
                AttestationView {
                    id: a.id,
                    framework: requirement.and_then(|r| frameworks.get(&r.framework_id).cloned()),
                    reference: requirement.map(|r| r.reference.clone()),
                    control: a.control_id,
                    valid: attestation_valid(a.attested_on, a.expires_on, today),
                    person: emails.get(&a.person_id).cloned().unwrap_or_else(|| format!("user {}", a.person_id)),
                    statement: a.statement,
                    attested_on: a.attested_on,
                    expires_on: a.expires_on,
                    path: a.path,
                }
            })
            .collect())
    }
}

/// A partly written upload: its file is removed when this is dropped (a no-op once renamed).
struct PartialUpload(PathBuf);

impl Drop for PartialUpload {
    fn drop(&mut self) {
        // Synchronous on purpose: Drop cannot await, and it must also run when the future is cancelled.
        let _ = std::fs::remove_file(&self.0);
    }
}

pub(crate) fn evidence_view(e: repo::Evidence, controls: Vec<Uuid>, today: NaiveDate) -> EvidenceView {
    EvidenceView {
        valid: evidence_valid(e.effective_from, e.valid_until, today),
        controls,
        id: e.id,
        name: e.name,
        sha256: e.sha256,
        size: e.size,
        link: e.link,
        collected_at: e.collected_at,
        effective_from: e.effective_from,
        valid_until: e.valid_until,
    }
}

fn justification_for(status: ControlStatus, raw: Option<&str>) -> AppResult<Option<String>> {
    let text = raw.map(str::trim).filter(|t| !t.is_empty());
    match (status, text) {
        (ControlStatus::NotApplicable, None) => {
            Err(AppError::invalid("justification", "a control that is not applicable needs a justification"))
        }
        (_, text) => Ok(text.map(str::to_owned)),
    }
}
