//! Attestations: a named person's dated statement that a control or requirement is met, valid until
//! it expires; readiness shows it as attested, never as proven.
use std::collections::HashMap;

use chrono::NaiveDate;
use crosswalk_domain::Permission;
use crosswalk_domain::readiness::attestation_valid;
use crosswalk_domain::validate::non_empty_text;
use crosswalk_store::repo::attestations as attestation_repo;
use crosswalk_store::repo::{catalog as catalog_repo, controls as repo};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::catalog::key_label;
use crate::{Actor, App, AppError, AppResult};

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

impl App {
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
        let saved = attestation_repo::insert_attestation(
            &tx,
            attestation_repo::Attestation {
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

    /// Attestations of a control, of a requirement, or all of the organisation's.
    pub async fn attestations(&self, actor: &Actor, filter: &AttestationFilter) -> AppResult<Vec<AttestationView>> {
        actor.require(Permission::Read, "reading attestations")?;
        let requirement = match (&filter.framework, &filter.reference) {
            (Some(framework), Some(reference)) => Some(self.requirement_named(actor, framework, reference).await?.1.id),
            (None, None) => None,
            _ => return Err(AppError::invalid("ref", "name both a framework and a requirement ref")),
        };
        let rows = attestation_repo::attestations_of(self.db(), actor.tenant.0, filter.control, requirement).await?;
        self.attestation_views(rows).await
    }

    /// Rows as views: the person's e-mail and the requirement's framework and ref looked up once.
    pub(crate) async fn attestation_views(&self, rows: Vec<attestation_repo::Attestation>) -> AppResult<Vec<AttestationView>> {
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
