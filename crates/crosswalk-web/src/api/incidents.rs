//! `/api/v1/incidents`: the incident register with each regime's reporting clock.
use super::parse_id;
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswalk_app::incidents::{IncidentChange, IncidentView, NewIncident, NewSubmission};

#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", responses((status = 200, body = [IncidentView]), (status = 401, body = Problem)))]
pub async fn list_incidents(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<IncidentView>>> {
    Ok(Json(s.app.list_incidents(&actor).await?))
}

#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = NewIncident,
    responses((status = 201, body = IncidentView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_incident(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageIncidents, NewIncident>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(s.app.create_incident(&actor, body).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/incidents/{incident_id}", tag = "incidents", params(("incident_id" = uuid::Uuid, Path, description = "Incident id")),
    responses((status = 200, body = IncidentView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_incident(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(incident_id): Path<String>,
) -> Result<Json<IncidentView>, Response> {
    let id: uuid::Uuid = parse_id("incident_id", &incident_id).map_err(IntoResponse::into_response)?;
    s.app.get_incident(&actor, id).await.map(Json).map_err(|e| ApiError(e).into_response())
}

#[utoipa::path(post, path = "/api/v1/incidents/{incident_id}/submissions", tag = "incidents", params(("incident_id" = uuid::Uuid, Path, description = "Incident id")), request_body = NewSubmission,
    responses((status = 200, body = IncidentView, description = "The incident with the step recorded (late submissions flagged)"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_submission(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(incident_id): Path<String>,
    PermittedJson(body, _): PermittedJson<needs::ManageIncidents, NewSubmission>,
) -> Result<Json<IncidentView>, Response> {
    let id: uuid::Uuid = parse_id("incident_id", &incident_id).map_err(IntoResponse::into_response)?;
    s.app.record_submission(&actor, id, body).await.map(Json).map_err(|e| ApiError(e).into_response())
}

#[utoipa::path(get, path = "/api/v1/incidents/{incident_id}/drafts/{step}", tag = "incidents",
    params(("incident_id" = uuid::Uuid, Path, description = "Incident id"), ("step" = String, Path, description = "Step id, e.g. nis2_early_warning")),
    responses((status = 200, body = crosswalk_domain::reports::Draft, description = "The content the law requires for this report, pre-filled where the record knows it"),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn draft(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((incident_id, step)): Path<(String, String)>,
) -> Result<Json<crosswalk_domain::reports::Draft>, Response> {
    let id: uuid::Uuid = parse_id("incident_id", &incident_id).map_err(IntoResponse::into_response)?;
    s.app.incident_draft(&actor, id, &step).await.map(Json).map_err(|e| ApiError(e).into_response())
}

#[utoipa::path(patch, path = "/api/v1/incidents/{incident_id}", tag = "incidents", params(("incident_id" = uuid::Uuid, Path, description = "Incident id")), request_body = IncidentChange,
    responses((status = 200, body = IncidentView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "Names the field; `reason` when a time changes after a report was submitted")))]
pub async fn change_incident(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(incident_id): Path<String>,
    PermittedJson(body, _): PermittedJson<needs::ManageIncidents, IncidentChange>,
) -> Result<Json<IncidentView>, Response> {
    let id: uuid::Uuid = parse_id("incident_id", &incident_id).map_err(IntoResponse::into_response)?;
    s.app.change_incident(&actor, id, body).await.map(Json).map_err(|e| ApiError(e).into_response())
}

/// What the register proposes for the facts given, saving nothing: CIR 2024/2690 Arts 3-14 for the
/// entity types it covers (the criteria met, each with its article; those a missing figure leaves
/// undetermined), NIS2 Art 23(3) otherwise. Keep facts and proposal with `PATCH … {"facts": …}`;
/// a person confirms with `significance`.
#[utoipa::path(post, path = "/api/v1/incidents/{incident_id}/significance-proposal", tag = "incidents", params(("incident_id" = uuid::Uuid, Path, description = "Incident id")),
    request_body = crosswalk_domain::significance::IncidentFacts,
    responses((status = 200, body = crosswalk_domain::significance::SignificanceProposal), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn significance_proposal(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(incident_id): Path<String>,
    PermittedJson(facts, _): PermittedJson<needs::ManageIncidents, crosswalk_domain::significance::IncidentFacts>,
) -> Result<Json<crosswalk_domain::significance::SignificanceProposal>, Response> {
    let id: uuid::Uuid = parse_id("incident_id", &incident_id).map_err(IntoResponse::into_response)?;
    s.app.propose_significance(&actor, id, &facts).await.map(Json).map_err(|e| ApiError(e).into_response())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationsQuery {
    /// At most this many (1-200, default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<crate::params::Int<1, 200>>,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "incidents", params(NotificationsQuery),
    responses((status = 200, body = [crosswalk_app::reminders::NotificationView], description = "Reminders, newest first"), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn notifications(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<axum::extract::Query<NotificationsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Vec<crosswalk_app::reminders::NotificationView>>> {
    let axum::extract::Query(q) = q.map_err(super::query_problem)?;
    Ok(Json(s.app.notifications(&actor, q.limit.map_or(20, crate::params::Int::unsigned)).await?))
}
