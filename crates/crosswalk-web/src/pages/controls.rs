//! Control pages: the list (create), a control with every requirement it serves (direct and
//! derived through sound mappings), its status, links, and evidence — uploaded here as a stream
//! straight into the blob store — with validity dates.
use super::{Nav, error_page, form_error, render_with};
use crate::AppState;
use crate::auth::PageActor;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use crosswalk_app::AppError;
use crosswalk_app::catalog::FrameworkSummary;
use crosswalk_app::controls::{ControlChange, ControlStatus, ControlView, NewControl, NewEvidence};
use crosswalk_domain::Permission;
use futures_util::TryStreamExt;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "controls.html")]
struct ControlsPage {
    nav: Nav,
    controls: Vec<(Uuid, String, String)>,
    can_manage: bool,
    flash_error: Option<String>,
}

#[derive(Template)]
#[template(path = "control.html")]
struct ControlPage {
    nav: Nav,
    c: ControlView,
    followed: Vec<FrameworkSummary>,
    can_manage: bool,
    flash_error: Option<String>,
}

async fn list_page(state: &AppState, p: &PageActor, status: StatusCode, flash_error: Option<String>) -> Response {
    match state.app.list_controls(&p.actor).await {
        Ok(list) => render_with(
            status,
            &ControlsPage {
                nav: Nav::new(p, "controls"),
                controls: list.into_iter().map(|c| (c.id, c.name, c.status)).collect(),
                can_manage: p.actor.can(Permission::ManageCompliance),
                flash_error,
            },
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn list(State(state): State<AppState>, p: PageActor) -> Response {
    list_page(&state, &p, StatusCode::OK, None).await
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    name: String,
    #[serde(default)]
    description: String,
    status: String,
    #[serde(default)]
    justification: String,
}

pub async fn create(State(state): State<AppState>, p: PageActor, Form(f): Form<CreateForm>) -> Response {
    let Some(status) = ControlStatus::parse(&f.status) else {
        return list_page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, Some(format!("status: '{}' is not a control status", f.status)))
            .await;
    };
    let new = NewControl { name: f.name, description: f.description, status, justification: Some(f.justification) };
    match state.app.create_control(&p.actor, new).await {
        Ok(c) => Redirect::to(&format!("/controls/{}", c.id)).into_response(),
        Err(e @ AppError::Invalid(_)) => list_page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

fn parse_control(raw: &str) -> Result<Uuid, AppError> {
    raw.parse().map_err(|_| AppError::NotFound(format!("control {raw}")))
}

async fn detail(state: &AppState, p: &PageActor, id: Uuid, status: StatusCode, flash_error: Option<String>) -> Response {
    let (c, frameworks) = match (state.app.control(&p.actor, id).await, state.app.list_frameworks(&p.actor).await) {
        (Ok(c), Ok(f)) => (c, f),
        (Err(e), _) | (_, Err(e)) => return error_page(&e),
    };
    let followed = frameworks.into_iter().filter(|f| f.followed).collect();
    render_with(
        status,
        &ControlPage { nav: Nav::new(p, "controls"), c, followed, can_manage: p.actor.can(Permission::ManageCompliance), flash_error },
    )
}

pub async fn show(State(state): State<AppState>, p: PageActor, Path(control_id): Path<String>) -> Response {
    match parse_control(&control_id) {
        Ok(id) => detail(&state, &p, id, StatusCode::OK, None).await,
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    status: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    owner: String,
}

pub async fn change(State(state): State<AppState>, p: PageActor, Path(control_id): Path<String>, Form(f): Form<ChangeForm>) -> Response {
    let id = match parse_control(&control_id) {
        Ok(id) => id,
        Err(e) => return error_page(&e),
    };
    let change = ControlChange {
        status: ControlStatus::parse(&f.status),
        justification: Some(f.justification),
        owner: Some(f.owner),
        ..ControlChange::default()
    };
    match state.app.change_control(&p.actor, id, change).await {
        Ok(_) => Redirect::to(&format!("/controls/{id}")).into_response(),
        Err(e @ AppError::Invalid(_)) => detail(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    framework: String,
    #[serde(rename = "ref")]
    reference: String,
}

pub async fn link(State(state): State<AppState>, p: PageActor, Path(control_id): Path<String>, Form(f): Form<LinkForm>) -> Response {
    let id = match parse_control(&control_id) {
        Ok(id) => id,
        Err(e) => return error_page(&e),
    };
    match state.app.link_control(&p.actor, id, &f.framework, f.reference.trim()).await {
        Ok(_) => Redirect::to(&format!("/controls/{id}")).into_response(),
        Err(e @ AppError::Invalid(_)) => detail(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

fn date(raw: &str, field: &str) -> Result<Option<NaiveDate>, String> {
    match raw.trim() {
        "" => Ok(None),
        d => d.parse().map(Some).map_err(|_| format!("{field}: '{d}' is not a date (YYYY-MM-DD)")),
    }
}

/// Multipart upload: the small fields first (the form puts them before the file), then the file,
/// streamed into the blob store without holding it in memory.
pub async fn upload(State(state): State<AppState>, p: PageActor, Path(control_id): Path<String>, mut form: Multipart) -> Response {
    let id = match parse_control(&control_id) {
        Ok(id) => id,
        Err(e) => return error_page(&e),
    };
    if !p.actor.can(Permission::ManageCompliance) {
        return error_page(&AppError::Forbidden("adding evidence".into()));
    }
    let (mut effective_from, mut valid_until, mut stored) = (None, None, None);
    let mut name = String::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                return detail(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(format!("file: upload interrupted ({e})"))).await;
            }
        };
        let field_name = field.name().unwrap_or_default().to_owned();
        match field_name.as_str() {
            "file" => {
                name = field.file_name().unwrap_or("evidence").to_owned();
                let reader = tokio_util::io::StreamReader::new(field.map_err(std::io::Error::other));
                match state.app.store_blob(reader).await {
                    Ok(blob) => stored = Some(blob),
                    Err(e) => return detail(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
                }
            }
            which @ ("effective_from" | "valid_until") => {
                let text = field.text().await.unwrap_or_default();
                match date(&text, which) {
                    Ok(d) if which == "effective_from" => effective_from = d,
                    Ok(d) => valid_until = d,
                    Err(msg) => return detail(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await,
                }
            }
            _ => {}
        }
    }
    let Some(blob) = stored.filter(|b| b.size > 0 || !name.is_empty()) else {
        return detail(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some("file: choose a file".into())).await;
    };
    let new = NewEvidence { name, link: None, controls: vec![id], effective_from, valid_until };
    match state.app.add_evidence(&p.actor, new, Some(blob)).await {
        Ok(_) => Redirect::to(&format!("/controls/{id}")).into_response(),
        Err(e @ AppError::Invalid(_)) => detail(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ValidityForm {
    control: Uuid,
    #[serde(default)]
    effective_from: String,
    #[serde(default)]
    valid_until: String,
}

pub async fn validity(
    State(state): State<AppState>,
    p: PageActor,
    Path(evidence_id): Path<String>,
    Form(f): Form<ValidityForm>,
) -> Response {
    let Ok(id) = evidence_id.parse::<Uuid>() else { return error_page(&AppError::NotFound(format!("evidence {evidence_id}"))) };
    let dates = date(&f.effective_from, "effective_from").and_then(|from| date(&f.valid_until, "valid_until").map(|until| (from, until)));
    let (from, until) = match dates {
        Ok(d) => d,
        Err(msg) => return detail(&state, &p, f.control, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await,
    };
    match state.app.set_evidence_validity(&p.actor, id, from, until).await {
        Ok(_) => Redirect::to(&format!("/controls/{}", f.control)).into_response(),
        Err(e) => error_page(&e),
    }
}
