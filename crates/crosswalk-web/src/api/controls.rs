//! `/api/v1/controls`, `/evidence`, `/attestations`: unified controls, evidence collected once
//! (streamed to the blob store) and attestations.
use super::{parse_id, query_problem};
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswalk_app::controls::{ControlChange, ControlView, NewControl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ControlSummary {
    pub id: Uuid,
    pub name: String,
    pub status: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LinkRequest {
    pub framework: String,
    #[serde(rename = "ref")]
    pub reference: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    #[serde(default)]
    pub framework: String,
    #[serde(rename = "ref", default)]
    #[param(rename = "ref")]
    pub reference: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: Uuid,
}

#[utoipa::path(get, path = "/api/v1/controls", tag = "controls", responses((status = 200, body = [ControlSummary]), (status = 401, body = Problem)))]
pub async fn list(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<ControlSummary>>> {
    Ok(Json(s.app.list_controls(&actor).await?.into_iter().map(|c| ControlSummary { id: c.id, name: c.name, status: c.status }).collect()))
}

#[utoipa::path(post, path = "/api/v1/controls", tag = "controls", request_body = NewControl,
    responses((status = 201, body = ControlView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, NewControl>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(s.app.create_control(&actor, body).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/controls/{control_id}", tag = "controls", params(("control_id" = Uuid, Path, description = "Control id")),
    responses((status = 200, body = ControlView, description = "The control with every requirement it serves (direct and derived) and its evidence"), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(control_id): Path<String>,
) -> Result<Json<ControlView>, Response> {
    let id: Uuid = parse_id("control_id", &control_id).map_err(IntoResponse::into_response)?;
    s.app.control(&actor, id).await.map(Json).map_err(|e| ApiError(e).into_response())
}

#[utoipa::path(patch, path = "/api/v1/controls/{control_id}", tag = "controls", params(("control_id" = Uuid, Path, description = "Control id")), request_body = ControlChange,
    responses((status = 200, body = ControlView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(control_id): Path<String>,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, ControlChange>,
) -> Result<Json<ControlView>, Response> {
    let id: Uuid = parse_id("control_id", &control_id).map_err(IntoResponse::into_response)?;
    s.app.change_control(&actor, id, body).await.map(Json).map_err(|e| ApiError(e).into_response())
}

#[utoipa::path(post, path = "/api/v1/controls/{control_id}/links", tag = "controls", params(("control_id" = Uuid, Path, description = "Control id")), request_body = LinkRequest,
    responses((status = 200, body = ControlView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem, description = "Unknown requirement, or a framework the organisation does not follow")))]
pub async fn link(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(control_id): Path<String>,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, LinkRequest>,
) -> Result<Json<ControlView>, Response> {
    let id: Uuid = parse_id("control_id", &control_id).map_err(IntoResponse::into_response)?;
    s.app.link_control(&actor, id, &body.framework, &body.reference).await.map(Json).map_err(|e| ApiError(e).into_response())
}

#[utoipa::path(delete, path = "/api/v1/controls/{control_id}/links", tag = "controls", params(("control_id" = Uuid, Path, description = "Control id"), LinkQuery),
    responses((status = 200, body = ControlView, description = "The control without that direct link"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn unlink(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(control_id): Path<String>,
    q: Result<Query<LinkQuery>, QueryRejection>,
) -> Result<Json<ControlView>, Response> {
    super::require(&actor, crosswalk_domain::Permission::ManageCompliance, "managing controls").map_err(IntoResponse::into_response)?;
    let id: Uuid = parse_id("control_id", &control_id).map_err(IntoResponse::into_response)?;
    let Query(q) = q.map_err(|r| query_problem(r).into_response())?;
    s.app.unlink_control(&actor, id, &q.framework, &q.reference).await.map(Json).map_err(|e| ApiError(e).into_response())
}
