//! `/api/v1/evidence`: files streamed into the blob store, links, validity windows, control links.
use super::{parse_id, query_problem};
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use crosswalk_app::evidence::{EvidenceView, NewEvidence};
use futures_util::TryStreamExt;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceQuery {
    /// Shown name of the evidence (e.g. the file name).
    pub name: String,
    /// Control ids to link, comma-separated.
    pub controls: Option<String>,
    pub effective_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ValidityChange {
    pub effective_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceSearch {
    /// Only evidence whose name contains this text.
    pub q: Option<String>,
    /// At most this many items, newest first (1-1000; default: all).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<crate::params::Limit>,
}

#[utoipa::path(get, path = "/api/v1/evidence", tag = "controls", params(EvidenceSearch),
    responses((status = 200, body = [EvidenceView]), (status = 401, body = Problem), (status = 422, body = Problem, description = "A parameter out of range, naming it")))]
pub async fn list_evidence(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<EvidenceSearch>, QueryRejection>,
) -> ApiResult<Json<Vec<EvidenceView>>> {
    let Query(q) = q.map_err(query_problem)?;
    Ok(Json(s.app.search_evidence(&actor, q.q.as_deref(), q.limit.map(crate::params::Int::unsigned)).await?))
}

/// The body is the file itself, streamed to the blob store: memory stays flat for any size, and an
/// interrupted upload leaves no blob, record or journal entry.
#[utoipa::path(post, path = "/api/v1/evidence", tag = "controls", params(EvidenceQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The evidence file"),
    responses((status = 201, body = EvidenceView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem, description = "Bad name, dates or controls (checked before the file is read), or an empty file; nothing is stored")))]
pub async fn upload(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<EvidenceQuery>, QueryRejection>,
    body: Body,
) -> ApiResult<Response> {
    // Check the role before reading a byte, so a viewer cannot fill the disk.
    super::require(&actor, crosswalk_domain::Permission::ManageCompliance, "adding evidence")?;
    let Query(q) = q.map_err(query_problem)?;
    let mut controls = Vec::new();
    for raw in q.controls.as_deref().unwrap_or_default().split(',').map(str::trim).filter(|c| !c.is_empty()) {
        controls.push(parse_id::<Uuid>("controls", raw).map_err(|p| ApiError(crosswalk_app::AppError::invalid("controls", p.detail)))?);
    }
    let new = NewEvidence { name: q.name, link: None, controls, effective_from: q.effective_from, valid_until: q.valid_until };
    // Name, dates and controls are checked before the body is read: a request refused for them stores
    // nothing (and one refused later has its file removed again by add_evidence).
    s.app.check_new_evidence(&actor, &new).await?;
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let blob = s.app.store_blob(&actor, tokio_util::io::StreamReader::new(stream)).await?;
    Ok((StatusCode::CREATED, Json(s.app.add_evidence(&actor, new, Some(blob)).await?)).into_response())
}

#[utoipa::path(patch, path = "/api/v1/evidence/{evidence_id}", tag = "controls", params(("evidence_id" = Uuid, Path, description = "Evidence id")), request_body = ValidityChange,
    responses((status = 200, body = EvidenceView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_evidence(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(evidence_id): Path<String>,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, ValidityChange>,
) -> Result<Json<EvidenceView>, Response> {
    let id: Uuid = parse_id("evidence_id", &evidence_id).map_err(IntoResponse::into_response)?;
    s.app.set_evidence_validity(&actor, id, body.effective_from, body.valid_until).await.map(Json).map_err(|e| ApiError(e).into_response())
}

/// Evidence that is not a file: a URL or a record reference (a ticket, a register entry).
#[utoipa::path(post, path = "/api/v1/evidence/records", tag = "controls", request_body = NewEvidence,
    responses((status = 201, body = EvidenceView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_record(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, NewEvidence>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(s.app.add_evidence(&actor, body, None).await?)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EvidenceLink {
    pub control: Uuid,
}

#[utoipa::path(post, path = "/api/v1/evidence/{evidence_id}/links", tag = "controls", params(("evidence_id" = Uuid, Path, description = "Evidence id")), request_body = EvidenceLink,
    responses((status = 200, body = EvidenceView, description = "One evidence item serves many controls"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn link_evidence(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(evidence_id): Path<String>,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, EvidenceLink>,
) -> Result<Json<EvidenceView>, Response> {
    let id: Uuid = parse_id("evidence_id", &evidence_id).map_err(IntoResponse::into_response)?;
    s.app.link_evidence(&actor, id, body.control).await.map(Json).map_err(|e| ApiError(e).into_response())
}
