//! `/api/v1/soa`: the Statement of Applicability — draft, decisions, published versions, approval,
//! diff and XLSX export.
use super::query_problem;
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use crate::params::Int;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use crosswalk_app::soa::{SoaDecision, SoaDraft, SoaVersionSummary, SoaVersionView};
use crosswalk_domain::soa::SoaChange;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RefQuery {
    /// An Annex A control, e.g. `A.8.8`.
    #[serde(rename = "ref")]
    pub reference: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    #[param(value_type = i64, minimum = 1, maximum = 2_147_483_647)]
    pub version: Version,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// A published version; the current draft when absent.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 2_147_483_647)]
    pub version: Option<Version>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    #[param(value_type = i64, minimum = 1, maximum = 2_147_483_647)]
    pub from: Version,
    /// Another version; the current draft when absent.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 2_147_483_647)]
    pub to: Option<Version>,
}

/// A published SoA version number (stored as a 32-bit integer).
pub type Version = Int<1, { i32::MAX as i64 }>;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PublishRequest {
    #[serde(default)]
    pub note: String,
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[utoipa::path(get, path = "/api/v1/soa", tag = "soa", responses((status = 200, body = SoaDraft, description = "The working SoA and what blocks publishing"), (status = 401, body = Problem)))]
pub async fn draft(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<SoaDraft>> {
    Ok(Json(s.app.soa_draft(&actor).await?))
}

#[utoipa::path(put, path = "/api/v1/soa/decisions", tag = "soa", params(RefQuery), request_body = SoaDecision,
    responses((status = 200, body = SoaDraft), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem, description = "Not an Annex A control, or an exclusion without justification")))]
pub async fn decide(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<RefQuery>, QueryRejection>,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, SoaDecision>,
) -> ApiResult<Json<SoaDraft>> {
    super::require(&actor, crosswalk_domain::Permission::ManageCompliance, "editing the Statement of Applicability")?;
    let Query(q) = q.map_err(query_problem)?;
    Ok(Json(s.app.decide_soa(&actor, &q.reference, body).await?))
}

#[utoipa::path(get, path = "/api/v1/soa/versions", tag = "soa", responses((status = 200, body = [SoaVersionSummary]), (status = 401, body = Problem)))]
pub async fn versions(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<SoaVersionSummary>>> {
    Ok(Json(s.app.soa_versions(&actor).await?))
}

#[utoipa::path(post, path = "/api/v1/soa/versions", tag = "soa", request_body = PublishRequest,
    responses((status = 201, body = SoaVersionView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem, description = "Names the first row still undecided or unjustified")))]
pub async fn publish(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, PublishRequest>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(s.app.publish_soa(&actor, &body.note).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/soa/version", tag = "soa", params(VersionQuery), responses((status = 200, body = SoaVersionView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn version(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<VersionQuery>, QueryRejection>,
) -> ApiResult<Json<SoaVersionView>> {
    let Query(q) = q.map_err(query_problem)?;
    Ok(Json(s.app.soa_version(&actor, q.version.as_i32()).await?))
}

#[utoipa::path(post, path = "/api/v1/soa/approvals", tag = "soa", params(VersionQuery),
    responses((status = 200, body = SoaVersionView, description = "Approved by the calling named manager"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn approve(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<VersionQuery>, QueryRejection>,
) -> ApiResult<Json<SoaVersionView>> {
    super::require(&actor, crosswalk_domain::Permission::ManageCompliance, "approving the Statement of Applicability")?;
    let Query(q) = q.map_err(query_problem)?;
    Ok(Json(s.app.approve_soa(&actor, q.version.as_i32()).await?))
}

#[utoipa::path(get, path = "/api/v1/soa/diff", tag = "soa", params(DiffQuery), responses((status = 200, body = [SoaChange]), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn diff(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<DiffQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<SoaChange>>> {
    let Query(q) = q.map_err(query_problem)?;
    Ok(Json(s.app.soa_diff(&actor, q.from.as_i32(), q.to.map(Int::as_i32)).await?))
}

#[utoipa::path(get, path = "/api/v1/soa/export.xlsx", tag = "soa", params(ExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn export(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<ExportQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(query_problem)?;
    let (name, bytes) = s.app.soa_xlsx(&actor, q.version.map(Int::as_i32)).await?;
    Ok(([(header::CONTENT_TYPE, XLSX.to_owned()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], bytes)
        .into_response())
}
