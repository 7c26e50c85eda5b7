//! `/soa`: the Statement of Applicability — the draft with a decision form per Annex A control,
//! publishing, versions with approval, the diff between versions, XLSX download and a printable view.
use super::{Nav, PageQuery, PermittedForm, error_page, form_error, needs, render_with};
use crate::AppState;
use crate::api::soa::Version;
use crate::auth::PageActor;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::AppError;
use crosswalk_app::soa::{SoaDecision, SoaDraft, SoaVersionSummary, SoaVersionView};
use crosswalk_domain::Permission;
use crosswalk_domain::soa::SoaChange;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "soa.html")]
struct SoaPage {
    nav: Nav,
    draft: SoaDraft,
    versions: Vec<SoaVersionSummary>,
    can_manage: bool,
    flash_error: Option<String>,
}

#[derive(Template)]
#[template(path = "soa_print.html")]
struct PrintPage {
    nav: Nav,
    view: SoaVersionView,
}

#[derive(Template)]
#[template(path = "soa_diff.html")]
struct DiffPage {
    nav: Nav,
    from: i32,
    to: Option<i32>,
    changes: Vec<SoaChange>,
}

async fn page(state: &AppState, p: &PageActor, status: StatusCode, flash_error: Option<String>) -> Response {
    match (state.app.soa_draft(&p.actor).await, state.app.soa_versions(&p.actor).await) {
        (Ok(draft), Ok(versions)) => render_with(
            status,
            &SoaPage { nav: Nav::new(p, "soa"), draft, versions, can_manage: p.actor.can(Permission::ManageCompliance), flash_error },
        ),
        (Err(e), _) | (_, Err(e)) => error_page(&e),
    }
}

pub async fn show(State(state): State<AppState>, p: PageActor) -> Response {
    page(&state, &p, StatusCode::OK, None).await
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(rename = "ref")]
    reference: String,
    applicable: String,
    #[serde(default)]
    justification: String,
}

pub async fn decide(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, DecisionForm>,
) -> Response {
    let decision = SoaDecision { applicable: f.applicable == "yes", justification: Some(f.justification) };
    match state.app.decide_soa(&p.actor, &f.reference, decision).await {
        Ok(_) => Redirect::to(&format!("/soa#row-{}", f.reference)).into_response(),
        Err(e @ AppError::Invalid(_)) => {
            page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, Some(format!("{}: {}", f.reference, form_error(&e)))).await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    note: String,
}

pub async fn publish(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, PublishForm>,
) -> Response {
    match state.app.publish_soa(&p.actor, &f.note).await {
        Ok(_) => Redirect::to("/soa").into_response(),
        Err(e @ AppError::Invalid(_)) => page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct VersionForm {
    version: Version,
}

pub async fn approve(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, VersionForm>,
) -> Response {
    match state.app.approve_soa(&p.actor, f.version.as_i32()).await {
        Ok(_) => Redirect::to("/soa").into_response(),
        Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_))) => page(&state, &p, StatusCode::CONFLICT, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

pub async fn print(State(state): State<AppState>, p: PageActor, PageQuery(q): PageQuery<VersionForm>) -> Response {
    match state.app.soa_version(&p.actor, q.version.as_i32()).await {
        Ok(view) => render_with(StatusCode::OK, &PrintPage { nav: Nav::new(&p, "soa"), view }),
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct DiffQuery {
    from: Version,
    to: Option<Version>,
}

pub async fn diff(State(state): State<AppState>, p: PageActor, PageQuery(q): PageQuery<DiffQuery>) -> Response {
    let (from, to) = (q.from.as_i32(), q.to.map(Version::as_i32));
    match state.app.soa_diff(&p.actor, from, to).await {
        Ok(changes) => render_with(StatusCode::OK, &DiffPage { nav: Nav::new(&p, "soa"), from, to, changes }),
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    version: Option<Version>,
}

pub async fn export(State(state): State<AppState>, p: PageActor, PageQuery(q): PageQuery<ExportQuery>) -> Response {
    match state.app.soa_xlsx(&p.actor, q.version.map(Version::as_i32)).await {
        Ok((name, bytes)) => (
            [
                (header::CONTENT_TYPE, crate::api::soa::XLSX.to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error_page(&e),
    }
}
