//! `/api/v1/management-body`: NIS2 Art 20 approvals and training of the management body.
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswalk_app::management::{ApprovalView, ManagementOverview, NewApproval, NewTraining, TrainingView};

#[utoipa::path(get, path = "/api/v1/management-body", tag = "nis2",
    responses((status = 200, body = ManagementOverview, description = "Approvals, trainings and each member's standing"), (status = 401, body = Problem)))]
pub async fn overview(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<ManagementOverview>> {
    Ok(Json(s.app.management_overview(&actor).await?))
}

#[utoipa::path(post, path = "/api/v1/management-body/approvals", tag = "nis2", request_body = NewApproval,
    responses((status = 201, body = ApprovalView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn approve(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, NewApproval>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(s.app.record_approval(&actor, body).await?)).into_response())
}

#[utoipa::path(post, path = "/api/v1/management-body/trainings", tag = "nis2", request_body = NewTraining,
    responses((status = 201, body = TrainingView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn train(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, NewTraining>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(s.app.record_training(&actor, body).await?)).into_response())
}
