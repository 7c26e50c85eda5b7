//! `/incidents`: the incident register, each incident's clocks with countdowns (overdue in red), and
//! recording submissions. Countdowns are computed on the server, so the page works without JavaScript.
use super::{Nav, PermittedForm, error_page, form_error, needs, render_with};
use crate::AppState;
use crate::auth::PageActor;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::AppError;
use crosswalk_app::incidents::{IncidentChange, IncidentView, NewIncident, NewSubmission, StepStatus};
use crosswalk_domain::Permission;
use serde::Deserialize;

/// "2 d 3 h 5 min" for a duration in seconds.
pub fn human_duration(secs: i64) -> String {
    let s = secs.unsigned_abs();
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    match (d, h) {
        (0, 0) => format!("{m} min"),
        (0, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

/// A step as the page shows it.
pub struct StepRow {
    pub id: &'static str,
    pub name: &'static str,
    pub basis: &'static str,
    pub rule: &'static str,
    pub due: String,
    /// `submitted`, `overdue`, `due`, `conditional` or `open`.
    pub state: &'static str,
    pub state_text: String,
    pub can_submit: bool,
    /// Why the due time is what it is (a moved DORA limit, a zero-length window), with the original limit.
    pub notes: Vec<String>,
}

fn row(s: &StepStatus) -> StepRow {
    let due = s.step.due.as_ref().map(|d| d.strftime("%Y-%m-%d %H:%M %Z").to_string()).unwrap_or_else(|| "—".into());
    let (state, state_text) = match (&s.submitted, s.overdue, s.seconds_left, s.step.condition) {
        (Some(sub), ..) => (
            "submitted",
            format!(
                "submitted {} to {}{}{}",
                sub.submitted_at.format("%Y-%m-%d %H:%M UTC"),
                sub.authority,
                if sub.reference.is_empty() { String::new() } else { format!(" (ref. {})", sub.reference) },
                if sub.late { " — LATE" } else { "" }
            ),
        ),
        (None, true, Some(left), _) => ("overdue", format!("overdue by {}", human_duration(left))),
        (None, _, _, Some(c)) => ("conditional", format!("only if {c}")),
        (None, false, Some(left), None) => ("due", format!("due in {}", human_duration(left))),
        _ => ("open", "no fixed time".into()),
    };
    StepRow {
        id: s.step.id,
        name: s.step.name,
        basis: s.step.basis,
        rule: s.step.rule,
        due: if s.step.provisional { format!("{due} (provisional)") } else { due },
        state,
        state_text,
        can_submit: s.submitted.is_none() || s.step.id == "dora_intermediate_report",
        notes: s
            .step
            .moved_from
            .as_ref()
            .map(|m| format!("time limit {} moved", m.strftime("%Y-%m-%d %H:%M %Z")))
            .into_iter()
            .chain(s.step.notes.iter().cloned())
            .collect(),
    }
}

pub struct ClockRows {
    pub regime: String,
    pub rows: Vec<StepRow>,
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct IncidentsPage {
    nav: Nav,
    incidents: Vec<(IncidentView, Option<StepRow>)>,
    can_manage: bool,
    flash_error: Option<String>,
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    nav: Nav,
    i: IncidentView,
    clocks: Vec<ClockRows>,
    can_manage: bool,
    flash_error: Option<String>,
}

async fn list_page(state: &AppState, p: &PageActor, status: StatusCode, flash_error: Option<String>) -> Response {
    match state.app.list_incidents(&p.actor).await {
        Ok(list) => {
            let incidents = list
                .into_iter()
                .map(|i| {
                    let next = i.next_step.as_ref().map(row);
                    (i, next)
                })
                .collect();
            render_with(
                status,
                &IncidentsPage {
                    nav: Nav::new(p, "incidents"),
                    incidents,
                    can_manage: p.actor.can(Permission::ManageIncidents),
                    flash_error,
                },
            )
        }
        Err(e) => error_page(&e),
    }
}

pub async fn list(State(state): State<AppState>, p: PageActor) -> Response {
    list_page(&state, &p, StatusCode::OK, None).await
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    title: String,
    #[serde(default)]
    description: String,
    aware_at: String,
    #[serde(default)]
    classified_at: String,
    tz: String,
    regime_nis2: Option<String>,
    regime_gdpr: Option<String>,
    regime_dora: Option<String>,
    personal_data: Option<String>,
    cross_border: Option<String>,
    financial_entity: Option<String>,
    #[serde(default)]
    affected_services: String,
    /// ISO 3166-1 alpha-2; empty: no weekend and bank-holiday relief applied (2025/301 Art 5(4)).
    #[serde(default)]
    member_state: String,
    dora_relief_withdrawn: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageIncidents, CreateForm>,
) -> Response {
    let regimes = [("nis2", &f.regime_nis2), ("gdpr", &f.regime_gdpr), ("dora", &f.regime_dora)]
        .into_iter()
        .filter(|(_, on)| on.is_some())
        .map(|(r, _)| r.to_owned())
        .collect();
    let new = NewIncident {
        title: f.title,
        description: f.description,
        aware_at: f.aware_at,
        classified_at: Some(f.classified_at).filter(|s| !s.is_empty()),
        tz: f.tz,
        regimes,
        entity_type: None,
        personal_data: f.personal_data.is_some(),
        cross_border: f.cross_border.is_some(),
        financial_entity: f.financial_entity.is_some(),
        affected_services: f.affected_services,
        member_state: Some(f.member_state).filter(|m| !m.trim().is_empty()),
        nis2_identified: None,
        dora_relief_withdrawn: f.dora_relief_withdrawn.is_some(),
    };
    match state.app.create_incident(&p.actor, new).await {
        Ok(i) => Redirect::to(&format!("/incidents/{}", i.id)).into_response(),
        Err(e @ AppError::Invalid(_)) => list_page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

async fn detail_page(state: &AppState, p: &PageActor, id: uuid::Uuid, status: StatusCode, flash_error: Option<String>) -> Response {
    match state.app.get_incident(&p.actor, id).await {
        Ok(i) => {
            let clocks =
                i.clocks.iter().map(|c| ClockRows { regime: c.regime.to_string(), rows: c.steps.iter().map(row).collect() }).collect();
            render_with(
                status,
                &IncidentPage {
                    nav: Nav::new(p, "incidents"),
                    i,
                    clocks,
                    can_manage: p.actor.can(Permission::ManageIncidents),
                    flash_error,
                },
            )
        }
        Err(e) => error_page(&e),
    }
}

/// An unparsable id is simply an incident that does not exist.
fn not_found(raw: &str) -> Response {
    error_page(&AppError::NotFound(format!("incident {raw}")))
}

pub async fn show(State(state): State<AppState>, p: PageActor, Path(incident_id): Path<String>) -> Response {
    match incident_id.parse() {
        Ok(id) => detail_page(&state, &p, id, StatusCode::OK, None).await,
        Err(_) => not_found(&incident_id),
    }
}

#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    step: String,
    authority: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    submitted_at: String,
}

pub async fn submit(
    State(state): State<AppState>,
    p: PageActor,
    Path(incident_id): Path<String>,
    PermittedForm(f, _): PermittedForm<needs::ManageIncidents, SubmitForm>,
) -> Response {
    let Ok(id) = incident_id.parse::<uuid::Uuid>() else { return not_found(&incident_id) };
    let new = NewSubmission {
        step: f.step,
        authority: f.authority,
        reference: f.reference,
        submitted_at: Some(f.submitted_at).filter(|s| !s.is_empty()),
    };
    match state.app.record_submission(&p.actor, id, new).await {
        Ok(_) => Redirect::to(&format!("/incidents/{id}")).into_response(),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            detail_page(&state, &p, id, crate::error::status_of(&e), Some(form_error(&e))).await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    aware_at: String,
    #[serde(default)]
    significance: String,
    #[serde(default)]
    significance_reason: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    /// The entity's Member State for DORA's weekend and bank-holiday rule; `-` clears it.
    #[serde(default)]
    member_state: String,
    /// Set by the proposal form: its facts replace the kept ones and a proposal is computed.
    #[serde(default)]
    propose: String,
    #[serde(default)]
    financial_loss_eur: String,
    #[serde(default)]
    annual_turnover_eur: String,
    #[serde(default)]
    complete_unavailability_minutes: String,
    #[serde(default)]
    limited_availability_minutes: String,
    #[serde(default)]
    users_affected: String,
    #[serde(default)]
    union_users: String,
    #[serde(default)]
    data_compromised: Option<String>,
    #[serde(default)]
    data_compromise_malicious: Option<String>,
    #[serde(default)]
    malicious_access_severe_disruption: Option<String>,
    #[serde(default)]
    trade_secrets_exfiltrated: Option<String>,
    #[serde(default)]
    death: Option<String>,
    #[serde(default)]
    considerable_health_damage: Option<String>,
    #[serde(default)]
    physical_access_compromised: Option<String>,
    #[serde(default)]
    scheduled_maintenance: Option<String>,
    /// `yes`, `no` or empty (NIS2 Art 23(3)(a), for entity types the CIR does not cover).
    #[serde(default)]
    severe_disruption_or_financial_loss: String,
    /// `yes`, `no` or empty (NIS2 Art 23(3)(b)).
    #[serde(default)]
    considerable_damage_to_others: String,
    /// DORA (Delegated Regulation (EU) 2024/1772): set when the incident runs DORA.
    #[serde(default)]
    dora: String,
    #[serde(default)]
    dora_critical_services: Option<String>,
    #[serde(default)]
    dora_clients_affected: String,
    #[serde(default)]
    dora_clients_total: String,
    #[serde(default)]
    dora_duration_minutes: String,
    #[serde(default)]
    dora_downtime_minutes: String,
    #[serde(default)]
    dora_member_states: String,
    #[serde(default)]
    dora_costs_eur: String,
    #[serde(default)]
    dora_reputational: Option<String>,
    #[serde(default)]
    dora_data_impact: Option<String>,
    #[serde(default)]
    dora_malicious_access: Option<String>,
}

impl ChangeForm {
    /// The proposal form's facts; a figure that is not a whole number is refused naming its field.
    fn facts(&self) -> Result<Option<crosswalk_domain::significance::IncidentFacts>, String> {
        if self.propose.is_empty() {
            return Ok(None);
        }
        fn figure<T: std::str::FromStr>(field: &str, raw: &str) -> Result<Option<T>, String> {
            let raw = raw.trim().replace([' ', ','], "");
            if raw.is_empty() {
                return Ok(None);
            }
            raw.parse().map(Some).map_err(|_| format!("{field}: '{raw}' is not a whole number"))
        }
        let answer = |raw: &str| match raw {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        Ok(Some(crosswalk_domain::significance::IncidentFacts {
            financial_loss_eur: figure("financial_loss_eur", &self.financial_loss_eur)?,
            annual_turnover_eur: figure("annual_turnover_eur", &self.annual_turnover_eur)?,
            complete_unavailability_minutes: figure("complete_unavailability_minutes", &self.complete_unavailability_minutes)?,
            limited_availability_minutes: figure("limited_availability_minutes", &self.limited_availability_minutes)?,
            users_affected: figure("users_affected", &self.users_affected)?,
            union_users: figure("union_users", &self.union_users)?,
            data_compromised: self.data_compromised.is_some(),
            data_compromise_malicious: self.data_compromise_malicious.is_some(),
            malicious_access_severe_disruption: self.malicious_access_severe_disruption.is_some(),
            trade_secrets_exfiltrated: self.trade_secrets_exfiltrated.is_some(),
            death: self.death.is_some(),
            considerable_health_damage: self.considerable_health_damage.is_some(),
            physical_access_compromised: self.physical_access_compromised.is_some(),
            scheduled_maintenance: self.scheduled_maintenance.is_some(),
            severe_disruption_or_financial_loss: answer(&self.severe_disruption_or_financial_loss),
            considerable_damage_to_others: answer(&self.considerable_damage_to_others),
            dora: if self.dora.is_empty() {
                None
            } else {
                Some(crosswalk_domain::significance::DoraFacts {
                    critical_services_affected: self.dora_critical_services.is_some(),
                    clients_affected: figure("dora_clients_affected", &self.dora_clients_affected)?,
                    clients_total: figure("dora_clients_total", &self.dora_clients_total)?,
                    duration_minutes: figure("dora_duration_minutes", &self.dora_duration_minutes)?,
                    critical_function_downtime_minutes: figure("dora_downtime_minutes", &self.dora_downtime_minutes)?,
                    member_states_affected: figure("dora_member_states", &self.dora_member_states)?,
                    costs_and_losses_eur: figure("dora_costs_eur", &self.dora_costs_eur)?,
                    reputational_impact: self.dora_reputational.is_some(),
                    data_impact_adverse: self.dora_data_impact.is_some(),
                    malicious_access_possible_data_loss: self.dora_malicious_access.is_some(),
                    ..Default::default()
                })
            },
            ..Default::default()
        }))
    }
}

/// The assessment/correction form: empty fields leave the value as it is.
pub async fn change(
    State(state): State<AppState>,
    p: PageActor,
    Path(incident_id): Path<String>,
    PermittedForm(f, _): PermittedForm<needs::ManageIncidents, ChangeForm>,
) -> Response {
    let Ok(id) = incident_id.parse::<uuid::Uuid>() else { return not_found(&incident_id) };
    let facts = match f.facts() {
        Ok(facts) => facts,
        Err(message) => return detail_page(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await,
    };
    let some = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    let change = IncidentChange {
        facts,
        aware_at: some(f.aware_at),
        significance: some(f.significance),
        significance_reason: some(f.significance_reason),
        status: some(f.status),
        reason: some(f.reason),
        // Empty leaves it; "-" clears it (the app takes "" as clearing).
        member_state: some(f.member_state).map(|m| if m.trim() == "-" { String::new() } else { m }),
        ..Default::default()
    };
    match state.app.change_incident(&p.actor, id, change).await {
        Ok(_) => Redirect::to(&format!("/incidents/{id}")).into_response(),
        Err(e @ AppError::Invalid(_)) => detail_page(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

#[derive(Template)]
#[template(path = "incident_draft.html")]
struct DraftPage {
    nav: Nav,
    incident_id: uuid::Uuid,
    incident_title: String,
    d: crosswalk_domain::reports::Draft,
}

/// A printable report draft.
pub async fn draft(State(state): State<AppState>, p: PageActor, Path((incident_id, step)): Path<(String, String)>) -> Response {
    let Ok(id) = incident_id.parse::<uuid::Uuid>() else { return not_found(&incident_id) };
    let (d, i) = match (state.app.incident_draft(&p.actor, id, &step).await, state.app.get_incident(&p.actor, id).await) {
        (Ok(d), Ok(i)) => (d, i),
        (Err(e), _) | (_, Err(e)) => return error_page(&e),
    };
    super::render(&DraftPage { nav: Nav::new(&p, "incidents"), incident_id: id, incident_title: i.title, d })
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_naturally() {
        assert_eq!(super::human_duration(59), "0 min");
        assert_eq!(super::human_duration(3 * 3600 + 5 * 60), "3 h 5 min");
        assert_eq!(super::human_duration(-(2 * 86_400 + 3600)), "2 d 1 h");
    }
}
