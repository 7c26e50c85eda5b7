//! `/api/v1/nis2`: NIS2 sectors and entity types, and scoping (essential / important / out of scope).
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::extract::Query;
use axum::extract::State;
use crosswalk_app::nis2::Nis2ProfileView;
use crosswalk_domain::nis2::{EntityType, ScopeInput, ScopeResult};

#[utoipa::path(get, path = "/api/v1/nis2/sectors", tag = "nis2",
    responses((status = 200, body = [EntityType], description = "Entity types of NIS2 Annexes I and II with sector and subsector"), (status = 401, body = Problem)))]
pub async fn sectors(ApiActor(_actor): ApiActor) -> Json<&'static [EntityType]> {
    Json(crosswalk_app::nis2::sectors())
}

#[utoipa::path(get, path = "/api/v1/nis2/scope", tag = "nis2", params(ScopeInput),
    responses((status = 200, body = ScopeResult, description = "Classification with the articles it rests on, maximum fine and duties"),
        (status = 401, body = Problem), (status = 422, body = Problem, description = "Names the field")))]
pub async fn scope(
    ApiActor(_actor): ApiActor,
    query: Result<Query<ScopeInput>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<ScopeResult>> {
    let Query(q) = query.map_err(super::query_problem)?;
    Ok(Json(crosswalk_app::nis2::scope(&q)?))
}

#[utoipa::path(get, path = "/api/v1/nis2/art21", tag = "nis2",
    responses((status = 200, body = crosswalk_app::art21::Art21View, description = "Art 21(2)(a)-(j) with readiness, controls, related ISO 27001 requirements and CIR 2024/2690 sections"), (status = 401, body = Problem)))]
pub async fn art21(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<crosswalk_app::art21::Art21View>> {
    Ok(Json(s.app.art21(&actor).await?))
}

#[utoipa::path(get, path = "/api/v1/nis2/profile", tag = "nis2",
    responses((status = 200, body = Option<Nis2ProfileView>, description = "The organisation's saved scoping, or null"), (status = 401, body = Problem)))]
pub async fn get_profile(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Option<Nis2ProfileView>>> {
    Ok(Json(s.app.nis2_profile(&actor).await?))
}

#[utoipa::path(put, path = "/api/v1/nis2/profile", tag = "nis2", request_body = ScopeInputBody,
    responses((status = 200, body = Nis2ProfileView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_profile(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, ScopeInput>,
) -> ApiResult<Json<Nis2ProfileView>> {
    Ok(Json(s.app.save_nis2_profile(&actor, body).await?))
}

/// The scoping facts as a JSON body (same fields as the `/nis2/scope` query).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documentation only: the handler deserialises ScopeInput itself
pub struct ScopeInputBody {
    entity_type: String,
    sector: Option<String>,
    subsector: Option<String>,
    employees: i64,
    turnover_eur: i64,
    balance_eur: i64,
    /// `essential` or `important`: identified by the Member State under NIS2 Art 2(2)(b)-(e).
    member_state_identification: Option<String>,
    /// A critical entity under Directive (EU) 2022/2557 (NIS2 Art 2(3)).
    critical_entity: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/nis2/registration", tag = "nis2",
    responses((status = 200, body = Option<crosswalk_app::nis2::RegistrationView>, description = "The registration record (NIS2 Art 3(4), Art 27(2)) with when its last change must be reported, or null"), (status = 401, body = Problem)))]
pub async fn get_registration(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Option<crosswalk_app::nis2::RegistrationView>>> {
    Ok(Json(s.app.nis2_registration(&actor).await?))
}

/// Saving changed content starts the two-week reporting clock of NIS2 Art 3(4) (three months under
/// Art 27(3) for the Art 27 types) and schedules a reminder.
#[utoipa::path(put, path = "/api/v1/nis2/registration", tag = "nis2", request_body = crosswalk_domain::nis2::registration::RegistrationInput,
    responses((status = 200, body = crosswalk_app::nis2::RegistrationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem, description = "Names the field, e.g. `ip_ranges[1]`")))]
pub async fn put_registration(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, crosswalk_domain::nis2::registration::RegistrationInput>,
) -> ApiResult<Json<crosswalk_app::nis2::RegistrationView>> {
    Ok(Json(s.app.save_nis2_registration(&actor, body).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reported {
    /// The day the current content was reported to the competent authority.
    pub reported_on: chrono::NaiveDate,
}

#[utoipa::path(post, path = "/api/v1/nis2/registration/reported", tag = "nis2", request_body = Reported,
    responses((status = 200, body = crosswalk_app::nis2::RegistrationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn registration_reported(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, Reported>,
) -> ApiResult<Json<crosswalk_app::nis2::RegistrationView>> {
    Ok(Json(s.app.nis2_registration_reported(&actor, body.reported_on).await?))
}
