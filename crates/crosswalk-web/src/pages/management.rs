//! `/management-body`: NIS2 Art 20 — who approved which version of the measures, who is trained until
//! when, and who is overdue.
use super::{Nav, PermittedForm, error_page, form_error, needs, render_with};
use crate::AppState;
use crate::auth::PageActor;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::AppError;
use crosswalk_app::management::{DECISIONS, ManagementOverview, NewApproval, NewTraining};
use crosswalk_domain::Permission;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "management.html")]
struct ManagementPage {
    nav: Nav,
    o: ManagementOverview,
    decisions: [&'static str; 3],
    can_manage: bool,
    flash_error: Option<String>,
}

async fn page(state: &AppState, p: &PageActor, status: StatusCode, flash_error: Option<String>) -> Response {
    match state.app.management_overview(&p.actor).await {
        Ok(o) => render_with(
            status,
            &ManagementPage {
                nav: Nav::new(p, "management"),
                o,
                decisions: DECISIONS,
                can_manage: p.actor.can(Permission::ManageCompliance),
                flash_error,
            },
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn show(State(state): State<AppState>, p: PageActor) -> Response {
    page(&state, &p, StatusCode::OK, None).await
}

fn date(field: &str, raw: &str) -> Result<chrono::NaiveDate, AppError> {
    raw.parse().map_err(|_| AppError::invalid(field, format!("'{raw}' is not a date (YYYY-MM-DD)")))
}

#[derive(Debug, Deserialize)]
pub struct ApprovalForm {
    member: String,
    document: String,
    document_version: String,
    decision: String,
    decided_on: String,
    #[serde(default)]
    note: String,
}

pub async fn approve(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, ApprovalForm>,
) -> Response {
    let result = match date("decided_on", &f.decided_on) {
        Ok(decided_on) => {
            let new = NewApproval {
                member: f.member,
                document: f.document,
                document_version: f.document_version,
                decision: f.decision,
                decided_on,
                note: f.note,
            };
            state.app.record_approval(&p.actor, new).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    finish(&state, &p, result).await
}

#[derive(Debug, Deserialize)]
pub struct TrainingForm {
    member: String,
    course: String,
    completed_on: String,
    valid_until: String,
}

pub async fn train(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, TrainingForm>,
) -> Response {
    let result = match (date("completed_on", &f.completed_on), date("valid_until", &f.valid_until)) {
        (Ok(completed_on), Ok(valid_until)) => state
            .app
            .record_training(&p.actor, NewTraining { member: f.member, course: f.course, completed_on, valid_until })
            .await
            .map(|_| ()),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    finish(&state, &p, result).await
}

async fn finish(state: &AppState, p: &PageActor, result: Result<(), AppError>) -> Response {
    match result {
        Ok(()) => Redirect::to("/management-body").into_response(),
        Err(e @ AppError::Invalid(_)) => page(state, p, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}
