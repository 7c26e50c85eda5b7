//! `/api/v1/frameworks`, `/requirement`, `/mappings`, `/coverage`, `/readiness`: the catalog,
//! typed relations and what a tenant's work proves. Frameworks and refs travel in the query string
//! (`?framework=nist-sp-800-53-r5&ref=AC-2(1)`) because refs contain characters paths mangle.
use super::query_problem;
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswalk_app::catalog::{FrameworkDetail, FrameworkSummary, ImportFormat, ImportReport, NewRelation, RelationView, RequirementDetail};
use crosswalk_app::readiness::{ReadinessReport, RequirementReadiness, SignOff};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FrameworkQuery {
    /// `slug` or `slug@version`, e.g. `iso27001-2022`.
    pub framework: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequirementQuery {
    pub framework: String,
    /// The requirement reference as the source writes it, e.g. `A.8.8`, `PR.AA-01`, `AC-2(1)`.
    #[serde(rename = "ref")]
    pub reference: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PairQuery {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `oscal` or `ciso-assistant`; guessed from the content when absent.
    pub format: Option<String>,
    /// The file's name, used in error messages and to register OSCAL catalog aliases.
    pub name: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RelationList {
    pub relations: Vec<RelationView>,
}

#[utoipa::path(get, path = "/api/v1/frameworks", tag = "catalog", responses((status = 200, body = [FrameworkSummary]), (status = 401, body = Problem)))]
pub async fn list(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<FrameworkSummary>>> {
    Ok(Json(s.app.list_frameworks(&actor).await?))
}

#[utoipa::path(get, path = "/api/v1/framework", tag = "catalog", params(FrameworkQuery),
    responses((status = 200, body = FrameworkDetail, description = "The requirement tree and profiles"), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn detail(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<FrameworkQuery>, QueryRejection>,
) -> ApiResult<Json<FrameworkDetail>> {
    let Query(q) = q.map_err(query_problem)?;
    Ok(Json(s.app.framework_detail(&actor, &q.framework).await?))
}

#[utoipa::path(get, path = "/api/v1/requirement", tag = "catalog", params(RequirementQuery),
    responses((status = 200, body = RequirementDetail, description = "The requirement and its relations into every other framework"), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn requirement(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<RequirementQuery>, QueryRejection>,
) -> ApiResult<Json<RequirementDetail>> {
    let Query(q) = q.map_err(query_problem)?;
    Ok(Json(s.app.requirement_detail(&actor, &q.framework, &q.reference).await?))
}

#[utoipa::path(post, path = "/api/v1/frameworks/import", tag = "catalog", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "An OSCAL catalog or profile (JSON) or a CISO Assistant library (YAML)"),
    responses((status = 200, body = ImportReport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem, description = "Names the file position or JSON path of the problem; nothing was written")))]
pub async fn import(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<ImportQuery>, QueryRejection>,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    super::require(&actor, crosswalk_domain::Permission::ManageTenant, "importing frameworks")?;
    let Query(q) = q.map_err(query_problem)?;
    let format = match q.format.as_deref() {
        None => None,
        Some(raw) => Some(
            ImportFormat::parse(raw)
                .ok_or_else(|| crosswalk_app::AppError::invalid("format", format!("'{raw}' is not oscal or ciso-assistant")))?,
        ),
    };
    Ok(Json(s.app.import_catalog(&actor, &body, q.name.as_deref().unwrap_or("upload"), format).await?))
}

#[utoipa::path(put, path = "/api/v1/followed-frameworks", tag = "catalog", params(FrameworkQuery),
    responses((status = 204, description = "The organisation follows the framework"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn follow(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<FrameworkQuery>, QueryRejection>,
) -> ApiResult<StatusCode> {
    super::require(&actor, crosswalk_domain::Permission::ManageCompliance, "choosing the frameworks the organisation follows")?;
    let Query(q) = q.map_err(query_problem)?;
    s.app.follow_framework(&actor, &q.framework).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/followed-frameworks", tag = "catalog", params(FrameworkQuery),
    responses((status = 204, description = "The organisation no longer follows the framework"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn unfollow(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<FrameworkQuery>, QueryRejection>,
) -> ApiResult<StatusCode> {
    super::require(&actor, crosswalk_domain::Permission::ManageCompliance, "choosing the frameworks the organisation follows")?;
    let Query(q) = q.map_err(query_problem)?;
    s.app.unfollow_framework(&actor, &q.framework).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/mappings", tag = "catalog", params(PairQuery),
    responses((status = 200, body = RelationList, description = "Typed relations seen from `from` (a stored B subset A is listed as A superset B)"), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn mappings(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<PairQuery>, QueryRejection>,
) -> ApiResult<Json<RelationList>> {
    let Query(q) = q.map_err(query_problem)?;
    Ok(Json(RelationList { relations: s.app.mapping_list(&actor, &q.from, &q.to).await? }))
}

#[utoipa::path(post, path = "/api/v1/mappings", tag = "catalog", request_body = NewRelation,
    responses((status = 201, body = RelationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_relation(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, NewRelation>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(s.app.add_relation(&actor, body).await?)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/mappings/{relation_id}", tag = "catalog", params(("relation_id" = i64, Path, description = "An organisation-defined relation")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_relation(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(relation_id): Path<String>,
) -> Result<StatusCode, Response> {
    super::require(&actor, crosswalk_domain::Permission::ManageCompliance, "editing mappings").map_err(IntoResponse::into_response)?;
    let id: i64 = super::parse_id("relation_id", &relation_id).map_err(IntoResponse::into_response)?;
    s.app.delete_relation(&actor, id).await.map_err(|e| crate::error::ApiError(e).into_response())?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/coverage", tag = "catalog", params(PairQuery),
    responses((status = 200, body = ReadinessReport, description = "States of `to`'s requirements counting only what comes from `from`, with reasons and overlap"), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn coverage(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<PairQuery>, QueryRejection>,
) -> ApiResult<Json<ReadinessReport>> {
    let Query(q) = q.map_err(query_problem)?;
    Ok(Json(s.app.coverage(&actor, &q.from, &q.to).await?))
}

#[utoipa::path(get, path = "/api/v1/readiness", tag = "catalog", params(FrameworkQuery),
    responses((status = 200, body = ReadinessReport, description = "Every requirement with its state (proven, attested, derived, partial, gap, not applicable, unknown), reason and path"), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn readiness(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<FrameworkQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(query_problem)?;
    let report = s.app.readiness_report(&actor, &q.framework).await?;
    json_body(s.readiness_json.body(format!("{}/{}", actor.tenant().0, q.framework), &report))
}

/// A serialised body as an `application/json` response.
fn json_body(bytes: Result<axum::body::Bytes, serde_json::Error>) -> ApiResult<Response> {
    let bytes = bytes.map_err(|e| crate::error::ApiError(crosswalk_app::AppError::Internal(format!("serialising the report: {e}"))))?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

#[utoipa::path(post, path = "/api/v1/signoffs", tag = "catalog", params(RequirementQuery), request_body = SignOff,
    responses((status = 200, body = RequirementReadiness, description = "The requirement, now attested from the signed-off suggestion"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn sign_off(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<RequirementQuery>, QueryRejection>,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, SignOff>,
) -> ApiResult<Json<RequirementReadiness>> {
    super::require(&actor, crosswalk_domain::Permission::ManageCompliance, "signing off crosswalk suggestions")?;
    let Query(q) = q.map_err(query_problem)?;
    Ok(Json(s.app.sign_off_suggestion(&actor, &q.framework, &q.reference, body).await?))
}

#[utoipa::path(get, path = "/api/v1/posture", tag = "controls",
    responses((status = 200, body = crosswalk_app::posture::PostureView, description = "One card per followed framework (parts shown separately, changes this week, daily trend) and expiring evidence"), (status = 401, body = Problem)))]
pub async fn posture(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Response> {
    let view = s.app.posture_shared(&actor).await?;
    json_body(s.posture_json.body(actor.tenant().0.to_string(), &view))
}
