//! `/api/v1/frameworks`, `/requirement`, `/mappings`, `/coverage`, `/readiness`: the catalog,
//! typed relations and what a tenant's work proves. Frameworks and refs travel in the query string
//! (`?framework=nist-sp-800-53-r5&ref=AC-2(1)`) because refs contain characters paths mangle.
use super::query_problem;
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use crosswalk_app::catalog::{
    FrameworkDetail, FrameworkSummary, ImportFormat, ImportReport, NewRelation, RelationView, RequirementDetail, RequirementRange,
};
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
pub struct FrameworkPageQuery {
    /// `slug` or `slug@version`, e.g. `iso27001-2022`.
    pub framework: String,
    /// Requirements to skip, in document order (default 0, at most 10,000,000).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 10_000_000)]
    pub offset: Option<crate::params::Int<0, 10_000_000>>,
    /// Requirements to return (default 500, 1 to 2,000); `total` in the response says how many there are.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 2000)]
    pub limit: Option<crate::params::Int<1, 2000>>,
    /// Only requirements whose ref or title contains this text (case-insensitive).
    pub q: Option<String>,
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MappingImportQuery {
    /// `scf-strm`: a Secure Controls Framework STRM sheet exported as CSV.
    pub format: String,
    /// The framework the file maps (its focal document), e.g. `iso27001-2022`.
    pub focal: String,
    /// The file's name, used in error messages and the journal.
    pub name: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MappingStatsList {
    pub sets: Vec<crosswalk_app::mapping_stats::MappingSetStats>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RelationList {
    pub relations: Vec<RelationView>,
}

#[utoipa::path(get, path = "/api/v1/frameworks", tag = "catalog", responses((status = 200, body = [FrameworkSummary]), (status = 401, body = Problem)))]
pub async fn list(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<FrameworkSummary>>> {
    Ok(Json(s.app.list_frameworks(&actor).await?))
}

#[utoipa::path(get, path = "/api/v1/framework", tag = "catalog", params(FrameworkPageQuery),
    responses((status = 200, body = FrameworkDetail, description = "The framework, its profiles and one page of its requirement tree (`total`, `offset`, `limit` say which)"), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem, description = "`offset` or `limit` out of bounds")))]
pub async fn detail(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<FrameworkPageQuery>, QueryRejection>,
) -> ApiResult<Json<FrameworkDetail>> {
    let Query(q) = q.map_err(query_problem)?;
    let page = RequirementRange::new(q.offset.map(|o| o.unsigned()), q.limit.map(|l| l.unsigned()), q.q)?;
    Ok(Json(s.app.framework_detail(&actor, &q.framework, &page).await?))
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

/// What is imported belongs to the caller's organisation: visible and effective only there,
/// journaled in its journal. The body is read only after the role check, and only up to the
/// organisation's import limit (a larger `Content-Length` is refused before reading).
#[utoipa::path(post, path = "/api/v1/frameworks/import", tag = "catalog", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "An OSCAL catalog or profile (JSON) or a CISO Assistant library (YAML)"),
    responses((status = 200, body = ImportReport, description = "What was imported; `notes` names a slug the organisation's framework got instead of a shared one"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem, description = "The file exceeds the import limit; nothing was written"),
        (status = 422, body = Problem, description = "Names the file position or JSON path of the problem, or the requirement limit; nothing was written")))]
pub async fn import(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<ImportQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportReport>, Response> {
    super::require(&actor, crosswalk_domain::Permission::ManageTenant, "importing frameworks").map_err(IntoResponse::into_response)?;
    let Query(q) = q.map_err(|e| query_problem(e).into_response())?;
    let format = match q.format.as_deref() {
        None => None,
        Some(raw) => Some(ImportFormat::parse(raw).ok_or_else(|| {
            ApiError(crosswalk_app::AppError::invalid("format", format!("'{raw}' is not oscal or ciso-assistant"))).into_response()
        })?),
    };
    let bytes = read_upload(&s, &actor, &headers, body).await?;
    s.app
        .import_catalog(&actor, &bytes, q.name.as_deref().unwrap_or("upload"), format)
        .await
        .map(Json)
        .map_err(|e| ApiError(e).into_response())
}

/// A mapping file the organisation brings (issue 13): the SCF controls it names join the
/// organisation's `scf` pivot framework; its relations keep their IR 8477 types and strengths.
#[utoipa::path(post, path = "/api/v1/mappings/import", tag = "catalog", params(MappingImportQuery),
    request_body(content = Vec<u8>, content_type = "text/csv", description = "An SCF STRM sheet exported as CSV"),
    responses((status = 200, body = ImportReport, description = "What was imported"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem, description = "The file exceeds the import limit; nothing was written"),
        (status = 422, body = Problem, description = "Names the unknown column, row or value, or the unknown focal framework; nothing was written")))]
pub async fn import_mappings(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<MappingImportQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportReport>, Response> {
    super::require(&actor, crosswalk_domain::Permission::ManageTenant, "importing mappings").map_err(IntoResponse::into_response)?;
    let Query(q) = q.map_err(|e| query_problem(e).into_response())?;
    if q.format != "scf-strm" {
        return Err(ApiError(crosswalk_app::AppError::invalid("format", format!("'{}' is not scf-strm", q.format))).into_response());
    }
    let bytes = read_upload(&s, &actor, &headers, body).await?;
    s.app
        .import_strm(&actor, &bytes, q.name.as_deref().unwrap_or("upload.csv"), &q.focal)
        .await
        .map(Json)
        .map_err(|e| ApiError(e).into_response())
}

/// Per mapping set the caller sees: relations by type, share of each side reached (at all and by
/// credit-carrying relations), credit-carrying relations without an independent review, and
/// relations touching withdrawn requirements.
#[utoipa::path(get, path = "/api/v1/mappings/stats", tag = "catalog",
    responses((status = 200, body = MappingStatsList), (status = 401, body = Problem)))]
pub async fn mapping_stats(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<MappingStatsList>> {
    Ok(Json(MappingStatsList { sets: s.app.mapping_stats(&actor).await? }))
}

/// An uploaded file, up to the actor's import limit: a larger declared `Content-Length` is refused
/// before reading, a body that grows past it while streaming is refused as soon as it does.
async fn read_upload(s: &AppState, actor: &crosswalk_app::Actor, headers: &HeaderMap, body: Body) -> Result<Vec<u8>, Response> {
    let max = s.app.import_limits(actor).map(|l| l.max_bytes);
    if let Some(max) = max
        && let Some(length) = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok())
        && length > max
    {
        return Err(crate::limits::too_large(max).into_response());
    }
    crate::limits::read_capped(body.into_data_stream(), max).await.map_err(IntoResponse::into_response)
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

#[utoipa::path(post, path = "/api/v1/pack", tag = "catalog", params(FrameworkQuery),
    responses((status = 200, content_type = "application/zip", description = "The auditor pack for the framework (check offline with `crosswalk verify`)"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "The journal or records do not verify"), (status = 422, body = Problem)))]
pub async fn pack(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    q: Result<Query<FrameworkQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Response> {
    super::require(&actor, crosswalk_domain::Permission::ReadJournal, "building an auditor pack").map_err(IntoResponse::into_response)?;
    let Query(q) = q.map_err(|e| super::query_problem(e).into_response())?;
    crate::pack::download(&s.app, &actor, &q.framework).await.map_err(|e| crate::error::ApiError(e).into_response())
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
