//! `/nis2/scope`: the NIS2 scoping wizard. A GET form (it changes nothing), answered on the same page
//! with the classification, the articles it rests on, the maximum fine and the duties; managers can
//! then save the result as the organisation's scoping decision (`POST /nis2/profile`, journaled).
use super::{Nav, PermittedForm, needs, render_with};
use crate::AppState;
use crate::auth::PageActor;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::nis2::Nis2ProfileView;
use crosswalk_domain::Permission;
use crosswalk_domain::nis2::{EntityType, ScopeInput, ScopeResult};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "nis2_scope.html")]
struct ScopePage {
    nav: Nav,
    types: &'static [EntityType],
    form: ScopeForm,
    result: Option<ScopeResult>,
    classification: String,
    error: Option<String>,
    profile: Option<Nis2ProfileView>,
    can_save: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ScopeForm {
    #[serde(default)]
    entity_type: String,
    #[serde(default)]
    employees: String,
    #[serde(default)]
    turnover_eur: String,
    #[serde(default)]
    balance_eur: String,
    /// `essential` or `important` when the Member State identified the entity (Art 2(2)(b)-(e)).
    #[serde(default)]
    member_state_identification: String,
    /// A checkbox: identified as a critical entity under the CER Directive (Art 2(3)).
    #[serde(default)]
    critical_entity: Option<String>,
}

fn number(field: &str, raw: &str) -> Result<i64, String> {
    raw.trim().replace([' ', ','], "").parse().map_err(|_| format!("{field}: '{raw}' is not a whole number"))
}

pub async fn scope(State(state): State<AppState>, p: PageActor, Query(form): Query<ScopeForm>) -> Response {
    let (mut result, mut error) = (None, None);
    if !form.entity_type.is_empty() {
        let input = (|| {
            Ok::<_, String>(ScopeInput {
                entity_type: form.entity_type.clone(),
                employees: number("employees", &form.employees)?,
                turnover_eur: number("turnover_eur", &form.turnover_eur)?,
                balance_eur: number("balance_eur", &form.balance_eur)?,
                member_state_identification: Some(form.member_state_identification.clone()).filter(|s| !s.is_empty()),
                critical_entity: Some(form.critical_entity.is_some()),
                ..ScopeInput::default()
            })
        })();
        match input.and_then(|i| crosswalk_app::nis2::scope(&i).map_err(|e| e.to_string())) {
            Ok(r) => result = Some(r),
            Err(e) => error = Some(e),
        }
    }
    let classification = result.as_ref().map(|r| r.classification.label().to_owned()).unwrap_or_default();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let profile = match state.app.nis2_profile(&p.actor).await {
        Ok(pr) => pr,
        Err(e) => return super::error_page(&e),
    };
    let can_save = p.actor.can(Permission::ManageCompliance);
    render_with(
        status,
        &ScopePage {
            nav: Nav::new(&p, "nis2"),
            types: crosswalk_app::nis2::sectors(),
            form,
            result,
            classification,
            error,
            profile,
            can_save,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct SaveForm {
    entity_type: String,
    employees: i64,
    turnover_eur: i64,
    balance_eur: i64,
    #[serde(default)]
    member_state_identification: String,
    #[serde(default)]
    critical_entity: Option<String>,
}

/// Save the shown result as the organisation's scoping decision.
pub async fn save(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, SaveForm>,
) -> Response {
    let input = ScopeInput {
        entity_type: f.entity_type,
        employees: f.employees,
        turnover_eur: f.turnover_eur,
        balance_eur: f.balance_eur,
        member_state_identification: Some(f.member_state_identification).filter(|s| !s.is_empty()),
        critical_entity: Some(f.critical_entity.is_some()),
        ..ScopeInput::default()
    };
    match state.app.save_nis2_profile(&p.actor, input).await {
        Ok(_) => Redirect::to("/nis2/scope").into_response(),
        Err(e) => super::error_page(&e),
    }
}

#[derive(Template)]
#[template(path = "nis2_art21.html")]
struct Art21Page {
    nav: Nav,
    view: crosswalk_app::art21::Art21View,
}

/// `/nis2/art21`: each Art 21(2) measure with its readiness, controls, ISO 27001 and CIR sections.
pub async fn art21(State(state): State<AppState>, p: PageActor) -> Response {
    match state.app.art21(&p.actor).await {
        Ok(view) => super::render(&Art21Page { nav: Nav::new(&p, "nis2"), view }),
        Err(e) => super::error_page(&e),
    }
}

#[derive(Template)]
#[template(path = "nis2_registration.html")]
struct RegistrationPage {
    nav: Nav,
    view: Option<crosswalk_app::nis2::RegistrationView>,
    form: RegistrationForm,
    can_manage: bool,
    flash_error: Option<String>,
}

/// The registration record as the form carries it: lists one entry per line.
#[derive(Debug, Default, Deserialize)]
pub struct RegistrationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    emails: String,
    #[serde(default)]
    phones: String,
    #[serde(default)]
    ip_ranges: String,
    #[serde(default)]
    member_states: String,
    #[serde(default)]
    representative: String,
    /// The day the facts changed (YYYY-MM-DD); empty: today.
    #[serde(default)]
    changed_on: String,
}

fn entries(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

impl RegistrationForm {
    fn of(v: &crosswalk_app::nis2::RegistrationView) -> Self {
        let r = &v.record;
        Self {
            name: r.name.clone(),
            address: r.address.clone(),
            emails: r.emails.join("\n"),
            phones: r.phones.join("\n"),
            ip_ranges: r.ip_ranges.join("\n"),
            member_states: r.member_states.join("\n"),
            representative: r.representative.clone().unwrap_or_default(),
            changed_on: String::new(),
        }
    }

    fn input(&self) -> Result<crosswalk_domain::nis2::registration::RegistrationInput, String> {
        let changed_on = match self.changed_on.trim() {
            "" => None,
            raw => Some(raw.parse::<jiff::civil::Date>().map_err(|_| format!("changed_on: '{raw}' is not a date"))?),
        };
        Ok(crosswalk_domain::nis2::registration::RegistrationInput {
            changed_on,
            name: self.name.clone(),
            address: self.address.clone(),
            emails: entries(&self.emails),
            phones: entries(&self.phones),
            ip_ranges: entries(&self.ip_ranges),
            member_states: entries(&self.member_states),
            representative: Some(self.representative.clone()).filter(|r| !r.trim().is_empty()),
        })
    }
}

async fn registration_page(
    state: &AppState,
    p: &PageActor,
    status: StatusCode,
    form: Option<RegistrationForm>,
    flash_error: Option<String>,
) -> Response {
    let view = match state.app.nis2_registration(&p.actor).await {
        Ok(v) => v,
        Err(e) => return super::error_page(&e),
    };
    let form = form.unwrap_or_else(|| view.as_ref().map(RegistrationForm::of).unwrap_or_default());
    render_with(
        status,
        &RegistrationPage { nav: Nav::new(p, "nis2"), view, form, can_manage: p.actor.can(Permission::ManageCompliance), flash_error },
    )
}

/// `/nis2/registration`: the record NIS2 Art 3(4) and Art 27(2) ask for, and when a change must be reported.
pub async fn registration(State(state): State<AppState>, p: PageActor) -> Response {
    registration_page(&state, &p, StatusCode::OK, None, None).await
}

pub async fn save_registration(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, RegistrationForm>,
) -> Response {
    let input = match f.input() {
        Ok(input) => input,
        Err(message) => return registration_page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, Some(f), Some(message)).await,
    };
    match state.app.save_nis2_registration(&p.actor, input).await {
        Ok(_) => Redirect::to("/nis2/registration").into_response(),
        Err(e @ crosswalk_app::AppError::Invalid(_)) => {
            registration_page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, Some(f), Some(super::form_error(&e))).await
        }
        Err(e) => super::error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ReportedForm {
    reported_on: String,
}

pub async fn registration_reported(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, ReportedForm>,
) -> Response {
    let Ok(on) = f.reported_on.trim().parse::<chrono::NaiveDate>() else {
        return registration_page(
            &state,
            &p,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(format!("reported_on: '{}' is not a date", f.reported_on)),
        )
        .await;
    };
    match state.app.nis2_registration_reported(&p.actor, on).await {
        Ok(_) => Redirect::to("/nis2/registration").into_response(),
        Err(e @ crosswalk_app::AppError::Invalid(_)) => {
            registration_page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, None, Some(super::form_error(&e))).await
        }
        Err(e) => super::error_page(&e),
    }
}
