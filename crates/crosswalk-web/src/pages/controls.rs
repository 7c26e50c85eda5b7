//! Control pages: the list (create), a control with every requirement it serves (direct and
//! derived through sound mappings), its status, links, and evidence — uploaded here as a stream
//! straight into the blob store — with validity dates.
use super::{Nav, PermittedForm, error_page, form_error, needs, optional_date, render_with};
use crate::AppState;
use crate::auth::PageActor;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use crosswalk_app::AppError;
use crosswalk_app::attestations::NewAttestation;
use crosswalk_app::catalog::FrameworkSummary;
use crosswalk_app::controls::{ControlChange, ControlStatus, ControlView, NewControl};
use crosswalk_app::evidence::NewEvidence;
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

pub async fn create(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, CreateForm>,
) -> Response {
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

/// The `{control_id}` of a control page's path. A malformed id shows the control's 404 page; it is
/// extracted after the session, so a stranger still goes to the login page first.
pub struct ControlId(Uuid);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ControlId {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        raw.parse().map(ControlId).map_err(|_| error_page(&AppError::NotFound(format!("control {raw}"))))
    }
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

pub async fn show(State(state): State<AppState>, p: PageActor, ControlId(id): ControlId) -> Response {
    detail(&state, &p, id, StatusCode::OK, None).await
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    status: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    owner: String,
}

pub async fn change(
    State(state): State<AppState>,
    p: PageActor,
    ControlId(id): ControlId,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, ChangeForm>,
) -> Response {
    let change = ControlChange {
        status: ControlStatus::parse(&f.status),
        justification: Some(f.justification),
        owner: Some(f.owner),
        ..ControlChange::default()
    };
    let result = state.app.change_control(&p.actor, id, change).await;
    back_to_control(&state, &p, id, result).await
}

/// After a form on the control page: back to the control, or the page again with the problem.
async fn back_to_control<T>(state: &AppState, p: &PageActor, id: Uuid, result: Result<T, AppError>) -> Response {
    match result {
        Ok(_) => Redirect::to(&format!("/controls/{id}")).into_response(),
        Err(e @ AppError::Invalid(_)) => detail(state, p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    framework: String,
    #[serde(rename = "ref")]
    reference: String,
}

pub async fn link(
    State(state): State<AppState>,
    p: PageActor,
    ControlId(id): ControlId,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, LinkForm>,
) -> Response {
    let result = state.app.link_control(&p.actor, id, &f.framework, f.reference.trim()).await;
    back_to_control(&state, &p, id, result).await
}

pub async fn unlink(
    State(state): State<AppState>,
    p: PageActor,
    ControlId(id): ControlId,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, LinkForm>,
) -> Response {
    let result = state.app.unlink_control(&p.actor, id, &f.framework, f.reference.trim()).await;
    back_to_control(&state, &p, id, result).await
}

#[derive(Debug, Deserialize)]
pub struct RecordForm {
    name: String,
    link: String,
    #[serde(default)]
    effective_from: String,
    #[serde(default)]
    valid_until: String,
}

/// Evidence that is not a file: a URL or a record reference, linked to this control.
pub async fn add_record(
    State(state): State<AppState>,
    p: PageActor,
    ControlId(id): ControlId,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, RecordForm>,
) -> Response {
    let dates = validity_window(&f.effective_from, &f.valid_until);
    let (effective_from, valid_until) = match dates {
        Ok(d) => d,
        Err(msg) => return detail(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await,
    };
    let new = NewEvidence { name: f.name, link: Some(f.link), controls: vec![id], effective_from, valid_until };
    let result = state.app.add_evidence(&p.actor, new, None).await;
    back_to_control(&state, &p, id, result).await
}

#[derive(Debug, Deserialize)]
pub struct EvidenceLinkForm {
    evidence: String,
}

/// Evidence collected once serves many controls: link an existing item by its id.
pub async fn link_existing(
    State(state): State<AppState>,
    p: PageActor,
    ControlId(id): ControlId,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, EvidenceLinkForm>,
) -> Response {
    let result = match f.evidence.trim().parse::<Uuid>() {
        Ok(evidence) => state.app.link_evidence(&p.actor, evidence, id).await.map_err(|e| match e {
            AppError::NotFound(what) => AppError::invalid("evidence", format!("{what} not found")),
            other => other,
        }),
        Err(_) => Err(AppError::invalid("evidence", format!("'{}' is not an evidence id (see the Evidence page)", f.evidence.trim()))),
    };
    back_to_control(&state, &p, id, result).await
}

#[derive(Debug, Deserialize)]
pub struct AttestForm {
    statement: String,
    #[serde(default)]
    expires_on: String,
}

/// The signed-in person states that this control is met: counted as attested, never as proven.
pub async fn attest(
    State(state): State<AppState>,
    p: PageActor,
    ControlId(id): ControlId,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, AttestForm>,
) -> Response {
    let expires_on = match optional_date(&f.expires_on, "expires_on") {
        Ok(d) => d,
        Err(msg) => return detail(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await,
    };
    let new = NewAttestation { framework: None, reference: None, control: Some(id), statement: f.statement, expires_on };
    let result = state.app.attest(&p.actor, new).await;
    back_to_control(&state, &p, id, result).await
}

/// The (effective from, valid until) pair of a form; empty fields mean "open".
fn validity_window(from: &str, until: &str) -> Result<(Option<NaiveDate>, Option<NaiveDate>), String> {
    Ok((optional_date(from, "effective_from")?, optional_date(until, "valid_until")?))
}

/// Multipart upload: the small fields first (the form puts them before the file), then the file,
/// streamed into the blob store without holding it in memory.
pub async fn upload(State(state): State<AppState>, p: PageActor, ControlId(id): ControlId, mut form: Multipart) -> Response {
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
            // A form sent without choosing a file has an empty file part: "choose a file" below.
            "file" if field.file_name().is_some_and(str::is_empty) => {}
            "file" => {
                name = field.file_name().unwrap_or("evidence").to_owned();
                let reader = tokio_util::io::StreamReader::new(field.map_err(std::io::Error::other));
                match state.app.store_blob(&p.actor, reader).await {
                    Ok(blob) => stored = Some(blob),
                    Err(e) => return detail(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
                }
            }
            which @ ("effective_from" | "valid_until") => {
                let text = field.text().await.unwrap_or_default();
                match optional_date(&text, which) {
                    Ok(d) if which == "effective_from" => effective_from = d,
                    Ok(d) => valid_until = d,
                    Err(msg) => return detail(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await,
                }
            }
            _ => {}
        }
    }
    let Some(blob) = stored else {
        return detail(&state, &p, id, StatusCode::UNPROCESSABLE_ENTITY, Some("file: choose a file".into())).await;
    };
    let new = NewEvidence { name, link: None, controls: vec![id], effective_from, valid_until };
    let result = state.app.add_evidence(&p.actor, new, Some(blob)).await;
    back_to_control(&state, &p, id, result).await
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
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, ValidityForm>,
) -> Response {
    let Ok(id) = evidence_id.parse::<Uuid>() else { return error_page(&AppError::NotFound(format!("evidence {evidence_id}"))) };
    let dates = validity_window(&f.effective_from, &f.valid_until);
    let (from, until) = match dates {
        Ok(d) => d,
        Err(msg) => return detail(&state, &p, f.control, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await,
    };
    match state.app.set_evidence_validity(&p.actor, id, from, until).await {
        Ok(_) => Redirect::to(&format!("/controls/{}", f.control)).into_response(),
        Err(e) => error_page(&e),
    }
}

/// At most this many items on the evidence page: it is for finding an item, not for paging 100,000.
const EVIDENCE_PAGE_LIMIT: u64 = 200;

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    nav: Nav,
    q: String,
    items: Vec<crosswalk_app::evidence::EvidenceView>,
    limit: u64,
}

#[derive(Debug, Deserialize)]
pub struct EvidenceSearch {
    #[serde(default)]
    q: String,
}

/// Evidence of the organisation, newest first, filtered by name: where an item's id is found to link
/// it to another control.
pub async fn evidence_list(
    State(state): State<AppState>,
    p: PageActor,
    axum::extract::Query(search): axum::extract::Query<EvidenceSearch>,
) -> Response {
    match state.app.search_evidence(&p.actor, Some(&search.q), Some(EVIDENCE_PAGE_LIMIT)).await {
        Ok(items) => {
            render_with(StatusCode::OK, &EvidencePage { nav: Nav::new(&p, "evidence"), q: search.q, items, limit: EVIDENCE_PAGE_LIMIT })
        }
        Err(e) => error_page(&e),
    }
}
