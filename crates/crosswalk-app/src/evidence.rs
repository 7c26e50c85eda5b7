//! Evidence: files streamed into the content-addressed blob store and links, each with its validity
//! window and the controls it supports. Every change is journaled with the row's hash; the file's
//! SHA-256 is part of that row, so `journal verify --deep` proves the file too.
//!
//! Files are streamed into the blob store while being hashed (SHA-256), then renamed to their content
//! address, so memory stays flat for any size, identical content is stored once, and an interrupted
//! upload leaves no blob, no record and no journal entry.

use chrono::NaiveDate;
use crosswalk_domain::Permission;
use crosswalk_domain::readiness::evidence_valid;
use crosswalk_domain::validate::non_empty_text;
use crosswalk_store::repo::controls as repo;
use crosswalk_store::repo::evidence as evidence_repo;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::io::AsyncRead;
use uuid::Uuid;

use crate::readiness::EvidenceRow;
use crate::{Actor, App, AppError, AppResult};

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

/// A blob written to the store: its content address and size.
#[derive(Debug, Clone)]
pub struct StoredBlob {
    pub sha256: String,
    pub size: u64,
    /// This upload wrote the file (it was not already stored). Only such a file may be removed again
    /// when its record is refused: an identical file that was there before belongs to other evidence.
    pub(crate) created: bool,
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

pub(crate) fn evidence_view(e: evidence_repo::Evidence, controls: Vec<Uuid>, today: NaiveDate) -> EvidenceView {
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

/// A blob store failure as the app reports it: the uploader's fault (422), a store that is down or
/// refusing (503, named so the operator knows where to look), or ours (500).
pub(crate) fn blob_error(e: crosswalk_store::blob_store::BlobError) -> AppError {
    use crosswalk_store::blob_store::BlobError;
    match e {
        BlobError::Interrupted(_) | BlobError::Empty => AppError::invalid("file", e.to_string()),
        BlobError::Unreachable { .. } | BlobError::Store { .. } => AppError::Unavailable(e.to_string()),
        other => AppError::Internal(other.to_string()),
    }
}

impl App {
    /// Streams `reader` into the blob store ([`crosswalk_store::blob_store`]); on any error the partial
    /// file is removed. The actor must be allowed to add evidence: the check happens here, before a byte is read.
    pub async fn store_blob(&self, actor: &Actor, reader: impl AsyncRead + Unpin) -> AppResult<StoredBlob> {
        actor.require(Permission::ManageCompliance, "adding evidence")?;
        let put = self.blobs().put(reader).await.map_err(blob_error)?;
        Ok(StoredBlob { sha256: put.sha256, size: put.size, created: put.created })
    }

    /// Opens a stored evidence file of the actor's tenant.
    pub async fn evidence_file(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> AppResult<(evidence_repo::Evidence, crosswalk_store::blob_store::BlobReader)> {
        actor.require(Permission::Read, "reading evidence")?;
        let e = evidence_repo::get_evidence(self.db(), actor.tenant.0, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("evidence {id}")))?;
        let sha = e.sha256.clone().ok_or_else(|| AppError::NotFound(format!("file of evidence {id} (it is a link)")))?;
        let file = self.blobs().open(&sha).await.map_err(blob_error)?;
        Ok((e, file))
    }

    /// Everything [`App::add_evidence`] checks about `new` except the file itself: the role, name, link,
    /// validity window and controls. Front ends call it before streaming a file, so a bad request is
    /// refused before a byte reaches the blob store.
    pub async fn check_new_evidence(&self, actor: &Actor, new: &NewEvidence) -> AppResult<()> {
        self.checked_evidence(actor, new).await.map(|_| ())
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

    pub async fn set_evidence_validity(
        &self,
        actor: &Actor,
        id: Uuid,
        effective_from: Option<NaiveDate>,
        valid_until: Option<NaiveDate>,
    ) -> AppResult<EvidenceView> {
        actor.require(Permission::ManageCompliance, "changing evidence")?;
        let current = evidence_repo::get_evidence(self.db(), actor.tenant.0, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("evidence {id}")))?;
        let controls = evidence_repo::evidence_with_controls(self.db(), actor.tenant.0, id).await?.map(|(_, c)| c).unwrap_or_default();
        let control = controls.first().copied();
        let tx = self.begin().await?;
        self.reschedule_evidence_expiry(&tx, actor.tenant, id, &current.name, valid_until, control).await?;
        evidence_repo::update_evidence_validity(&tx, actor.tenant.0, id, effective_from, valid_until).await?;
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
        evidence_repo::get_evidence(self.db(), actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("evidence {id}")))?;
        repo::get_control(self.db(), actor.tenant.0, control).await?.ok_or_else(|| AppError::NotFound(format!("control {control}")))?;
        let tx = self.begin().await?;
        let mut seq = None;
        if evidence_repo::link_evidence(&tx, actor.tenant.0, id, control).await? {
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

    /// Evidence whose name contains `name` (all when None), newest first, at most `limit` items (all
    /// when None).
    pub async fn search_evidence(&self, actor: &Actor, name: Option<&str>, limit: Option<u64>) -> AppResult<Vec<EvidenceView>> {
        actor.require(Permission::Read, "reading evidence")?;
        let limit = limit.map(|l| crosswalk_domain::validate::list_limit("limit", l)).transpose()?;
        let today = self.now().date_naive();
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        Ok(evidence_repo::evidence_matching(self.db(), actor.tenant.0, name, limit)
            .await?
            .into_iter()
            .map(|(e, controls)| evidence_view(e, controls, today))
            .collect())
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

    async fn record_evidence(&self, actor: &Actor, new: NewEvidence, blob: Option<StoredBlob>) -> AppResult<EvidenceView> {
        let (name, link) = self.checked_evidence(actor, &new).await?;
        if blob.is_none() && link.is_none() {
            return Err(AppError::invalid("file", "evidence needs a file or a link"));
        }
        if blob.as_ref().is_some_and(|b| b.size == 0) {
            return Err(AppError::invalid("file", "the file is empty (0 bytes); evidence must have content"));
        }
        let now = self.now();
        let row = evidence_repo::Evidence {
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
        let row = evidence_repo::insert_evidence(&tx, row).await?;
        for control in &new.controls {
            evidence_repo::link_evidence(&tx, actor.tenant.0, row.id, *control).await?;
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

    async fn one_evidence(&self, actor: &Actor, id: Uuid) -> AppResult<EvidenceView> {
        let (e, controls) = evidence_repo::evidence_with_controls(self.db(), actor.tenant.0, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("evidence {id}")))?;
        Ok(evidence_view(e, controls, self.now().date_naive()))
    }
}
