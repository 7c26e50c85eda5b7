//! Unified controls: implement once, link to requirements of any framework the organisation follows.
//! Evidence ([`crate::evidence`]) and attestations ([`crate::attestations`]) attach to them.
use std::collections::HashMap;

use crosswalk_domain::Permission;
use crosswalk_domain::catalog::RelationType;
use crosswalk_domain::validate::non_empty_text;
use crosswalk_store::repo::attestations as attestation_repo;
use crosswalk_store::repo::evidence as evidence_repo;
use crosswalk_store::repo::{catalog as catalog_repo, controls as repo};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::attestations::AttestationView;
use crate::catalog::key_label;
use crate::evidence::{EvidenceView, evidence_view};
use crate::readiness::ControlRow;
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

impl App {
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
        let evidence = evidence_repo::evidence_of_control(self.db(), actor.tenant.0, id)
            .await?
            .into_iter()
            .map(|(e, controls)| evidence_view(e, controls, today))
            .collect();
        let owner = match c.owner_id {
            Some(owner) => crosswalk_store::repo::users::by_id(self.db(), owner).await?.map(|u| u.email),
            None => None,
        };
        let attestations =
            self.attestation_views(attestation_repo::attestations_of(self.db(), actor.tenant.0, Some(id), None).await?).await?;
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

    /// A requirement of a framework the organisation follows: 422 naming the framework otherwise
    /// (work is recorded only against frameworks the organisation has chosen).
    pub(crate) async fn followed_requirement(
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
        // Issue 13: a heading is never assessed directly and a withdrawn requirement not at all, so
        // work recorded against either would count for nothing; say so instead of accepting it.
        if r.withdrawn {
            return Err(AppError::invalid(
                "ref",
                format!("{reference} is withdrawn from {}: it is kept for references but not assessed", key_label(&f)),
            ));
        }
        let children = catalog_repo::children_of(self.db(), f.id, reference).await?;
        if !children.is_empty() {
            let shown: Vec<&str> = children.iter().take(5).map(String::as_str).collect();
            return Err(AppError::invalid(
                "ref",
                format!(
                    "{reference} is a heading of {}: its state rolls up from its requirements ({}{}); link one of those",
                    key_label(&f),
                    shown.join(", "),
                    if children.len() > shown.len() { ", …" } else { "" }
                ),
            ));
        }
        Ok((f, r))
    }
}

impl App {
    /// E-mail addresses of the people named in records (each looked up once, in one query).
    pub(crate) async fn emails_of(&self, people: impl Iterator<Item = Uuid>) -> AppResult<HashMap<Uuid, String>> {
        let mut ids: Vec<Uuid> = people.collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(crosswalk_store::repo::users::emails(self.db(), &ids).await?.into_iter().collect())
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
