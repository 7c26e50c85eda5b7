//! `/api/v1/attestations`: a named person's dated statements that a control or requirement is met.
use super::controls::Created;
use super::query_problem;
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswalk_app::attestations::{AttestationFilter, AttestationView, NewAttestation};

#[utoipa::path(get, path = "/api/v1/attestations", tag = "controls", params(AttestationFilter),
    responses((status = 200, body = [AttestationView], description = "Attestations (newest first) with the named person; `valid` is false once expired"), (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn attestations(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<AttestationFilter>, QueryRejection>,
) -> ApiResult<Json<Vec<AttestationView>>> {
    let Query(q) = q.map_err(query_problem)?;
    Ok(Json(s.app.attestations(&actor, &q).await?))
}

#[utoipa::path(post, path = "/api/v1/attestations", tag = "controls", request_body = NewAttestation,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn attest(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, NewAttestation>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(Created { id: s.app.attest(&actor, body).await? })).into_response())
}
