//! Honest readiness: each requirement's state from the tenant's own work (controls, evidence,
//! attestations), then what the crosswalk engine may add through typed relations.
//!
//! Direct state of a requirement (ARCHITECTURE.md, "Tenant data"):
//! - `not_applicable` when every linked control is not applicable (each carries a justification);
//! - `proven` when every applicable linked control is implemented and has evidence valid today;
//! - `attested` when a valid attestation covers the requirement (or every control is proven or
//!   attested); never shown as proven;
//! - `partial` when some work exists but something is missing — notably **expired evidence**, and the
//!   reason names it;
//! - `gap` when linked controls are only planned; `unknown` when nothing is recorded.
use std::collections::HashMap;

use chrono::NaiveDate;
use crosswalk_domain::Permission;
use crosswalk_domain::crosswalk::{self, Basis, Inputs, Readiness, Summary};
use crosswalk_store::repo::{catalog as catalog_repo, controls as repo};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::catalog::{CatalogGraph, key_label};
use crate::{Actor, App, AppError, AppResult};

/// One step of a derivation or suggestion path, with both ends named.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PathStep {
    pub from_framework: String,
    pub from: String,
    #[serde(rename = "type")]
    pub relation: String,
    pub to_framework: String,
    pub to: String,
    pub strength: Option<u8>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuggestionView {
    pub path: Vec<PathStep>,
    pub weakest_strength: Option<u8>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequirementReadiness {
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub state: Readiness,
    pub basis: Basis,
    pub reason: String,
    pub path: Vec<PathStep>,
    pub suggestions: Vec<SuggestionView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReadinessReport {
    pub framework: String,
    /// For coverage: the framework whose work is counted.
    pub from: Option<String>,
    pub summary: Summary,
    /// Whole percentages of each part, never added into one score.
    pub percent: HashMap<String, u32>,
    /// Share of the target's assessable requirements reached from `from` by equal/superset, and by any relation.
    pub overlap: Option<Overlap>,
    pub requirements: Vec<RequirementReadiness>,
}

#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Overlap {
    pub sound_percent: u32,
    pub any_percent: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct DirectState {
    pub state: Readiness,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SignOff {
    /// Why the reviewer accepts the suggestion.
    pub statement: String,
    pub expires_on: Option<NaiveDate>,
}

fn evidence_valid(e: &repo::Evidence, today: NaiveDate) -> bool {
    e.effective_from.is_none_or(|d| d <= today) && e.valid_until.is_none_or(|d| d >= today)
}

impl App {
    /// The tenant's own state of every requirement it has touched, in five queries.
    pub(crate) async fn direct_states(&self, tenant: Uuid, today: NaiveDate) -> AppResult<HashMap<i64, DirectState>> {
        let controls: HashMap<Uuid, repo::Control> = repo::controls(self.db(), tenant).await?.into_iter().map(|c| (c.id, c)).collect();
        let links = repo::links(self.db(), tenant).await?;
        let evidence: HashMap<Uuid, repo::Evidence> = repo::evidence(self.db(), tenant).await?.into_iter().map(|e| (e.id, e)).collect();
        let mut evidence_of: HashMap<Uuid, Vec<&repo::Evidence>> = HashMap::new();
        for (evidence_id, control_id) in repo::evidence_links(self.db(), tenant).await? {
            if let Some(e) = evidence.get(&evidence_id) {
                evidence_of.entry(control_id).or_default().push(e);
            }
        }
        let attestations = repo::attestations(self.db(), tenant).await?;
        let valid_attestation = |a: &&repo::Attestation| a.attested_on <= today && a.expires_on.is_none_or(|d| d >= today);
        let attested_controls: std::collections::HashSet<Uuid> =
            attestations.iter().filter(valid_attestation).filter_map(|a| a.control_id).collect();

        // Per control: its own state and why.
        let control_state = |c: &repo::Control| -> (Readiness, String) {
            match c.status.as_str() {
                "not_applicable" => (Readiness::NotApplicable, format!("control '{}' is not applicable", c.name)),
                "planned" => (Readiness::Gap, format!("control '{}' is only planned", c.name)),
                status => {
                    let items = evidence_of.get(&c.id).map(Vec::as_slice).unwrap_or_default();
                    let valid = items.iter().any(|e| evidence_valid(e, today));
                    if status == "implemented" && valid {
                        (Readiness::Proven, format!("control '{}' is implemented with valid evidence", c.name))
                    } else if status == "implemented" && attested_controls.contains(&c.id) {
                        (Readiness::Attested, format!("control '{}' is attested, not proven", c.name))
                    } else if status == "partial" {
                        (Readiness::Partial, format!("control '{}' is partially implemented", c.name))
                    } else if let Some(expired) =
                        items.iter().filter(|e| e.valid_until.is_some_and(|d| d < today)).max_by_key(|e| e.valid_until)
                    {
                        (
                            Readiness::Partial,
                            format!(
                                "not ready: evidence '{}' of control '{}' expired on {}",
                                expired.name,
                                c.name,
                                expired.valid_until.unwrap_or(today)
                            ),
                        )
                    } else {
                        (Readiness::Partial, format!("control '{}' is implemented but has no valid evidence", c.name))
                    }
                }
            }
        };

        let mut per_requirement: HashMap<i64, Vec<(Readiness, String)>> = HashMap::new();
        for (control_id, requirement_id) in links {
            if let Some(c) = controls.get(&control_id) {
                per_requirement.entry(requirement_id).or_default().push(control_state(c));
            }
        }
        let mut out: HashMap<i64, DirectState> = HashMap::with_capacity(per_requirement.len());
        for (requirement, states) in per_requirement {
            let applicable: Vec<&(Readiness, String)> = states.iter().filter(|(s, _)| *s != Readiness::NotApplicable).collect();
            let direct = if applicable.is_empty() {
                DirectState { state: Readiness::NotApplicable, reason: states[0].1.clone() }
            } else {
                // The requirement is only as ready as its weakest applicable control.
                let weakest = applicable.iter().min_by_key(|(s, _)| *s).copied().cloned().unwrap_or((Readiness::Unknown, String::new()));
                let state = match weakest.0 {
                    Readiness::Proven | Readiness::Attested => weakest.0,
                    Readiness::Gap if applicable.iter().any(|(s, _)| *s > Readiness::Gap) => Readiness::Partial,
                    other => other,
                };
                DirectState { state, reason: weakest.1 }
            };
            out.insert(requirement, direct);
        }
        for a in attestations.iter().filter(valid_attestation) {
            let Some(requirement) = a.requirement_id else { continue };
            let reason = match &a.path {
                Some(_) => format!("attested (signed-off crosswalk suggestion) on {}: {}", a.attested_on, a.statement),
                None => format!("attested on {}: {}", a.attested_on, a.statement),
            };
            let entry = out.entry(requirement).or_insert(DirectState { state: Readiness::Unknown, reason: String::new() });
            if entry.state < Readiness::Attested {
                *entry = DirectState { state: Readiness::Attested, reason };
            }
        }
        Ok(out)
    }

    /// Readiness of every requirement of a framework, with derivations through sound mappings.
    pub async fn readiness(&self, actor: &Actor, framework: &str) -> AppResult<ReadinessReport> {
        actor.require(Permission::Read, "reading readiness")?;
        let f = self.framework_named(framework).await?;
        self.assess_framework(actor, &f, None).await
    }

    /// What the tenant's work on `from` proves for `to`, counting only what comes from `from`.
    pub async fn coverage(&self, actor: &Actor, from: &str, to: &str) -> AppResult<ReadinessReport> {
        actor.require(Permission::Read, "reading coverage")?;
        let (a, b) = (self.framework_named(from).await?, self.framework_named(to).await?);
        self.assess_framework(actor, &b, Some(&a)).await
    }

    async fn assess_framework(
        &self,
        actor: &Actor,
        target: &catalog_repo::Framework,
        from: Option<&catalog_repo::Framework>,
    ) -> AppResult<ReadinessReport> {
        let today = self.now().date_naive();
        let graph = self.graph(Some(actor.tenant.0)).await?;
        let direct = self.direct_states(actor.tenant.0, today).await?;
        let requirements = catalog_repo::requirements(self.db(), target.id).await?;
        let frameworks: HashMap<i64, String> = catalog_repo::frameworks(self.db()).await?.iter().map(|f| (f.id, key_label(f))).collect();
        let signed_off: std::collections::HashSet<i64> = repo::attestations(self.db(), actor.tenant.0)
            .await?
            .into_iter()
            .filter(|a| a.path.is_some() && a.expires_on.is_none_or(|d| d >= today))
            .filter_map(|a| a.requirement_id)
            .collect();
        let state_of = |n: u32| direct.get(&i64::from(n)).map_or(Readiness::Unknown, |d| d.state);
        let from_id = from.map(|f| f.id);
        let is_source = |n: u32| from_id.is_none_or(|id| graph.framework(i64::from(n)) == id);
        let is_signed = |n: u32| signed_off.contains(&i64::from(n));
        let inputs = Inputs { direct: &state_of, is_source: &is_source, use_target_direct: from.is_none(), signed_off: &is_signed };
        let mut summary = Summary::default();
        let (mut sound, mut any, mut assessable) = (0usize, 0usize, 0usize);
        let mut rows = Vec::with_capacity(requirements.len());
        for r in requirements.into_iter().filter(|r| r.assessable) {
            assessable += 1;
            let node = u32::try_from(r.id).unwrap_or(u32::MAX);
            let result = crosswalk::assess(&graph.graph, node, &inputs);
            if let Some(a) = from {
                let (has_sound, has_any) = reach(&graph, node, a.id);
                sound += usize::from(has_sound);
                any += usize::from(has_any);
            }
            summary.add(result.state);
            let path: Vec<PathStep> = result.path.iter().map(|s| step(&graph, &frameworks, s)).collect();
            let suggestions: Vec<SuggestionView> = result
                .suggestions
                .iter()
                .map(|s| SuggestionView {
                    path: s.path.iter().map(|p| step(&graph, &frameworks, p)).collect(),
                    weakest_strength: s.weakest_strength,
                })
                .collect();
            let reason = explain(&result, &path, &suggestions, direct.get(&r.id), from.map(key_label).as_deref());
            rows.push(RequirementReadiness {
                reference: r.reference,
                title: r.title,
                state: result.state,
                basis: result.basis,
                reason,
                path,
                suggestions,
            });
        }
        let percent = Readiness::ALL
            .iter()
            .map(|s| {
                let count = match s {
                    Readiness::Proven => summary.proven,
                    Readiness::Attested => summary.attested,
                    Readiness::Derived => summary.derived,
                    Readiness::Partial => summary.partial,
                    Readiness::Gap => summary.gap,
                    Readiness::NotApplicable => summary.not_applicable,
                    Readiness::Unknown => summary.unknown,
                };
                (s.as_str().to_owned(), summary.percent(count))
            })
            .collect();
        let share = |n: usize| (n * 100 + assessable / 2).checked_div(assessable).map_or(0, |p| p as u32);
        Ok(ReadinessReport {
            framework: key_label(target),
            from: from.map(key_label),
            summary,
            percent,
            overlap: from.map(|_| Overlap { sound_percent: share(sound), any_percent: share(any) }),
            requirements: rows,
        })
    }

    /// Signs off a crosswalk suggestion for one requirement: a named person's attestation that keeps
    /// the reviewed path; it counts as attested, never as proven or derived (journaled).
    pub async fn sign_off_suggestion(
        &self,
        actor: &Actor,
        framework: &str,
        reference: &str,
        input: SignOff,
    ) -> AppResult<RequirementReadiness> {
        actor.require(Permission::ManageCompliance, "signing off crosswalk suggestions")?;
        let statement = crosswalk_domain::validate::non_empty_text("statement", &input.statement, 2000)?;
        let f = self.framework_named(framework).await?;
        let report = self.assess_framework(actor, &f, None).await?;
        let row = report
            .requirements
            .into_iter()
            .find(|r| r.reference == reference)
            .ok_or_else(|| AppError::NotFound(format!("requirement '{reference}' in {}", key_label(&f))))?;
        let Some(suggestion) = row.suggestions.first() else {
            return Err(AppError::invalid("ref", format!("{reference} has no crosswalk suggestion to sign off")));
        };
        let requirement = catalog_repo::requirement(self.db(), f.id, reference)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("requirement '{reference}'")))?;
        let person = actor.user.ok_or_else(|| AppError::Forbidden("sign-off without a named person".into()))?;
        let path = serde_json::to_string(&suggestion.path).map_err(|e| AppError::Internal(e.to_string()))?;
        let tx = self.begin().await?;
        let saved = repo::insert_attestation(
            &tx,
            repo::Attestation {
                id: Uuid::now_v7(),
                tenant_id: actor.tenant.0,
                requirement_id: Some(requirement.id),
                control_id: None,
                statement: statement.clone(),
                person_id: person.0,
                attested_on: self.now().date_naive(),
                expires_on: input.expires_on,
                path: Some(path),
                created_at: self.now(),
            },
        )
        .await?;
        self.journal(
            &tx,
            actor,
            "crosswalk.signoff",
            "requirement",
            format!("{}:{reference}", key_label(&f)),
            json!({"attestation": saved.id, "statement": statement, "path": suggestion.path, "expires_on": input.expires_on}),
        )
        .await?;
        tx.commit().await?;
        let report = self.assess_framework(actor, &f, None).await?;
        report.requirements.into_iter().find(|r| r.reference == reference).ok_or_else(|| AppError::Internal("requirement vanished".into()))
    }
}

/// Whether any relation from framework `from` reaches `node` soundly (equal/superset) or at all.
fn reach(graph: &CatalogGraph, node: u32, from: i64) -> (bool, bool) {
    let mut sound = false;
    let mut any = false;
    // Reuse the engine with every `from` requirement treated as proven: sound reach is exactly "would be derived".
    let proven = |n: u32| if graph.framework(i64::from(n)) == from { Readiness::Proven } else { Readiness::Unknown };
    let is_from = |n: u32| graph.framework(i64::from(n)) == from;
    let never = |_: u32| false;
    let result = crosswalk::assess(
        &graph.graph,
        node,
        &Inputs { direct: &proven, is_source: &is_from, use_target_direct: false, signed_off: &never },
    );
    if result.basis == Basis::Derived {
        sound = true;
        any = true;
    }
    if result.suggestions.iter().any(|s| s.path.len() == 1) {
        any = true;
    }
    (sound, any)
}

fn step(graph: &CatalogGraph, frameworks: &HashMap<i64, String>, s: &crosswalk::Step) -> PathStep {
    let label = |n: u32| frameworks.get(&graph.framework(i64::from(n))).cloned().unwrap_or_default();
    PathStep {
        from_framework: label(s.from),
        from: graph.reference(i64::from(s.from)).to_owned(),
        relation: s.relation.as_str().to_owned(),
        to_framework: label(s.to),
        to: graph.reference(i64::from(s.to)).to_owned(),
        strength: s.strength,
    }
}

fn describe(path: &[PathStep]) -> String {
    path.iter()
        .map(|p| {
            format!(
                "{} ({}) {} {}{}",
                p.from,
                p.from_framework,
                p.relation,
                p.to,
                p.strength.map(|s| format!(" [strength {s}]")).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn explain(
    result: &crosswalk::Assessment,
    path: &[PathStep],
    suggestions: &[SuggestionView],
    direct: Option<&DirectState>,
    from: Option<&str>,
) -> String {
    match result.basis {
        Basis::Direct => direct
            .map(|d| d.reason.clone())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "no control, evidence or attestation recorded".into()),
        Basis::Derived => format!("derived: {} (the source is proven)", describe(path)),
        Basis::SignedOff => format!("signed off from a suggestion: {}", describe(path)),
        Basis::Suggestion => {
            let own = direct.map(|d| format!("{}; ", d.reason)).unwrap_or_default();
            format!(
                "{own}suggestion only (needs a named person's sign-off): {}{}",
                suggestions.first().map(|s| describe(&s.path)).unwrap_or_default(),
                if suggestions.len() > 1 { format!(" (+{} more)", suggestions.len() - 1) } else { String::new() }
            )
        }
        Basis::Gap => match from {
            Some(from) => format!("gap: nothing the organisation has done in {from} reaches this requirement"),
            None => "no control, evidence or attestation recorded".into(),
        },
    }
}
