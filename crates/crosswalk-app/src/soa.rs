//! The Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d): a working draft computed from the
//! organisation's decisions, controls, evidence and readiness; immutable published versions; the
//! approval of a version by a named manager; the diff between versions; XLSX and printable views.
//!
//! Without an explicit decision, a control is taken as applicable when controls are linked to it
//! and as excluded when every linked control is not applicable (with that control's
//! justification); otherwise it stays undecided, which blocks publishing.
use std::collections::HashMap;

use crosswalk_domain::Permission;
use crosswalk_domain::crosswalk::Basis;
use crosswalk_domain::soa::{self, SoaChange, SoaProblem, SoaRow};
use crosswalk_store::repo::{catalog as catalog_repo, soa as repo};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{Actor, App, AppError, AppResult};

const ISO: &str = "iso27001-2022";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SoaDraft {
    pub rows: Vec<SoaRow>,
    /// What must be decided or justified before the draft can be published.
    pub problems: Vec<SoaProblem>,
    pub latest_version: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SoaVersionSummary {
    pub version: i32,
    pub note: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SoaVersionView {
    #[serde(flatten)]
    pub summary: SoaVersionSummary,
    pub rows: Vec<SoaRow>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SoaDecision {
    pub applicable: bool,
    /// Required for an exclusion, and for an inclusion that rests only on a mapping.
    pub justification: Option<String>,
}

fn summary(v: &repo::Version) -> SoaVersionSummary {
    SoaVersionSummary {
        version: v.version,
        note: v.note.clone(),
        created_at: v.created_at,
        created_by: v.created_by.clone(),
        approved_by: v.approved_by.clone(),
        approved_at: v.approved_at,
    }
}

fn rows_of(v: &repo::Version) -> AppResult<Vec<SoaRow>> {
    serde_json::from_str(&v.rows).map_err(|e| AppError::Internal(format!("SoA version {}: {e}", v.version)))
}

fn is_annex_a(reference: &str) -> bool {
    reference.starts_with("A.") && reference.matches('.').count() == 2
}

impl App {
    pub async fn soa_draft(&self, actor: &Actor) -> AppResult<SoaDraft> {
        actor.require(Permission::Read, "reading the Statement of Applicability")?;
        let iso = self.framework_named(actor, ISO).await?;
        let readiness = self.readiness(actor, ISO).await?;
        let (snapshot, entries, versions, requirements) = tokio::try_join!(
            self.snapshot(actor.tenant.0),
            async { Ok::<_, AppError>(repo::entries(self.db(), actor.tenant.0).await?) },
            async { Ok::<_, AppError>(repo::versions(self.db(), actor.tenant.0).await?) },
            async { Ok::<_, AppError>(catalog_repo::requirement_rows(self.db(), iso.id).await?) },
        )?;
        let id_of: HashMap<&str, i64> = requirements.iter().map(|r| (r.reference.as_str(), r.id)).collect();
        let mut evidence_of: HashMap<uuid::Uuid, Vec<String>> = HashMap::new();
        for (control, ids) in &snapshot.evidence_by_control {
            evidence_of.insert(*control, ids.iter().filter_map(|id| snapshot.evidence.get(id)).map(|e| e.name.clone()).collect());
        }
        let mut controls_of: HashMap<i64, Vec<&crate::readiness::ControlRow>> = HashMap::new();
        for (control, requirement) in &snapshot.links {
            if let Some(c) = snapshot.controls.get(control) {
                controls_of.entry(*requirement).or_default().push(c);
            }
        }
        let entries: HashMap<&str, &repo::Entry> = entries.iter().map(|e| (e.reference.as_str(), e)).collect();
        let mut rows = Vec::new();
        for r in readiness.requirements.iter().filter(|r| is_annex_a(&r.reference)) {
            let linked = id_of.get(r.reference.as_str()).and_then(|id| controls_of.get(id)).cloned().unwrap_or_default();
            let (applicable, justification) = match entries.get(r.reference.as_str()) {
                Some(e) => (Some(e.applicable), e.justification.clone()),
                None if !linked.is_empty() && linked.iter().all(|c| c.status == "not_applicable") => {
                    (Some(false), Some(format!("control '{}' is not applicable", linked[0].name)))
                }
                None if !linked.is_empty() => (Some(true), None),
                None => (None, None),
            };
            let mut evidence: Vec<String> = linked.iter().flat_map(|c| evidence_of.get(&c.id).cloned().unwrap_or_default()).collect();
            evidence.sort();
            evidence.dedup();
            rows.push(SoaRow {
                reference: r.reference.clone(),
                title: r.title.clone(),
                applicable,
                justification,
                status: r.state.as_str().to_owned(),
                included_via_mapping_only: linked.is_empty()
                    && applicable == Some(true)
                    && matches!(r.basis, Basis::Derived | Basis::SignedOff | Basis::Suggestion),
                controls: linked.iter().map(|c| format!("{} ({})", c.name, c.status)).collect(),
                evidence,
                risks: vec![],
            });
        }
        Ok(SoaDraft { problems: soa::problems(&rows), rows, latest_version: versions.first().map(|v| v.version) })
    }

    /// Records whether an Annex A control applies and why (journaled).
    pub async fn decide_soa(&self, actor: &Actor, reference: &str, decision: SoaDecision) -> AppResult<SoaDraft> {
        actor.require(Permission::ManageCompliance, "editing the Statement of Applicability")?;
        if !is_annex_a(reference) {
            return Err(AppError::invalid("ref", format!("'{reference}' is not an ISO/IEC 27001:2022 Annex A control")));
        }
        let iso = self.framework_named(actor, ISO).await?;
        catalog_repo::requirement(self.db(), iso.id, reference)
            .await?
            .ok_or_else(|| AppError::invalid("ref", format!("'{reference}' is not an ISO/IEC 27001:2022 Annex A control")))?;
        let justification = decision.justification.map(|j| j.trim().to_owned()).filter(|j| !j.is_empty());
        if !decision.applicable && justification.is_none() {
            return Err(AppError::invalid("justification", "an excluded control needs a justification (ISO/IEC 27001 6.1.3 d)"));
        }
        let tx = self.begin().await?;
        repo::put_entry(
            &tx,
            repo::Entry {
                tenant_id: actor.tenant.0,
                reference: reference.to_owned(),
                applicable: decision.applicable,
                justification: justification.clone(),
                updated_at: self.now(),
                updated_by: actor.journal_name(),
            },
        )
        .await?;
        self.journal(
            &tx,
            actor,
            "soa.decide",
            "soa",
            reference,
            json!({"applicable": decision.applicable, "justification": justification}),
        )
        .await?;
        tx.commit().await?;
        self.soa_draft(actor).await
    }

    /// Freezes the draft as the next version; refused while anything is undecided or unjustified.
    pub async fn publish_soa(&self, actor: &Actor, note: &str) -> AppResult<SoaVersionView> {
        actor.require(Permission::ManageCompliance, "publishing the Statement of Applicability")?;
        let draft = self.soa_draft(actor).await?;
        if let Some(first) = draft.problems.first() {
            let more = draft.problems.len() - 1;
            return Err(AppError::invalid(
                &first.reference,
                format!("{}{}", first.message, if more > 0 { format!(" (and {more} more row(s) to settle)") } else { String::new() }),
            ));
        }
        let rows = serde_json::to_string(&draft.rows).map_err(|e| AppError::Internal(e.to_string()))?;
        let version = draft.latest_version.unwrap_or(0) + 1;
        let tx = self.begin().await?;
        let saved = repo::insert_version(
            &tx,
            repo::Version {
                tenant_id: actor.tenant.0,
                version,
                rows: rows.clone(),
                note: note.trim().to_owned(),
                created_at: self.now(),
                created_by: actor.journal_name(),
                approved_by: None,
                approved_at: None,
            },
        )
        .await?;
        // The journal holds the version's content hash, so an exported copy can be checked against it.
        self.journal(
            &tx,
            actor,
            "soa.publish",
            "soa",
            version,
            json!({"sha256": hex::encode(Sha256::digest(rows.as_bytes())), "note": note.trim()}),
        )
        .await?;
        tx.commit().await?;
        Ok(SoaVersionView { summary: summary(&saved), rows: draft.rows })
    }

    /// A named manager approves a published version (journaled); a version is approved once.
    pub async fn approve_soa(&self, actor: &Actor, version: i32) -> AppResult<SoaVersionView> {
        actor.require(Permission::ManageCompliance, "approving the Statement of Applicability")?;
        let Some(email) = actor.email.clone().filter(|_| actor.user.is_some()) else {
            return Err(AppError::Forbidden("approving without a named person (log in or use a personal token)".into()));
        };
        let v = self.soa_version(actor, version).await?;
        if let Some(by) = &v.summary.approved_by {
            return Err(AppError::Conflict(format!("version {version} was already approved by {by}")));
        }
        let tx = self.begin().await?;
        // The check above ran outside the transaction: only the conditional update decides. When a
        // concurrent approval won, nothing changed here and no approval may be journaled.
        if repo::approve(&tx, actor.tenant.0, version, &email, self.now()).await? != 1 {
            drop(tx);
            let by = self.soa_version(actor, version).await?.summary.approved_by.unwrap_or_default();
            return Err(AppError::Conflict(format!("version {version} was already approved by {by}")));
        }
        self.journal(&tx, actor, "soa.approve", "soa", version, json!({"approved_by": email})).await?;
        tx.commit().await?;
        self.soa_version(actor, version).await
    }

    pub async fn soa_versions(&self, actor: &Actor) -> AppResult<Vec<SoaVersionSummary>> {
        actor.require(Permission::Read, "reading the Statement of Applicability")?;
        Ok(repo::versions(self.db(), actor.tenant.0).await?.iter().map(summary).collect())
    }

    pub async fn soa_version(&self, actor: &Actor, version: i32) -> AppResult<SoaVersionView> {
        actor.require(Permission::Read, "reading the Statement of Applicability")?;
        let v =
            repo::version(self.db(), actor.tenant.0, version).await?.ok_or_else(|| AppError::NotFound(format!("SoA version {version}")))?;
        Ok(SoaVersionView { summary: summary(&v), rows: rows_of(&v)? })
    }

    /// Changes from version `from` to version `to` (the current draft when `to` is None).
    pub async fn soa_diff(&self, actor: &Actor, from: i32, to: Option<i32>) -> AppResult<Vec<SoaChange>> {
        let before = self.soa_version(actor, from).await?.rows;
        let after = match to {
            Some(v) => self.soa_version(actor, v).await?.rows,
            None => self.soa_draft(actor).await?.rows,
        };
        Ok(soa::diff(&before, &after))
    }

    /// The SoA as XLSX: a published version, or the draft when `version` is None. Returns (file name, bytes).
    pub async fn soa_xlsx(&self, actor: &Actor, version: Option<i32>) -> AppResult<(String, Vec<u8>)> {
        let (rows, status, name) = match version {
            Some(v) => {
                let view = self.soa_version(actor, v).await?;
                let approval = match (&view.summary.approved_by, view.summary.approved_at) {
                    (Some(by), Some(at)) => format!("approved by {by} on {}", at.date_naive()),
                    _ => "not approved".into(),
                };
                (view.rows, format!("version {v}, {approval}"), format!("soa-v{v}.xlsx"))
            }
            None => (self.soa_draft(actor).await?.rows, "draft (not published)".into(), "soa-draft.xlsx".into()),
        };
        let meta =
            crosswalk_export::SoaMeta { organisation: actor.tenant_name.clone(), status, generated: self.now().date_naive().to_string() };
        let bytes = crosswalk_export::soa_xlsx(&meta, &rows).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((name, bytes))
    }
}
