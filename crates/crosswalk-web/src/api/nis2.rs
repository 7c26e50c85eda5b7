//! `/api/v1/nis2`: NIS2 sectors and entity types, and scoping (essential / important / out of scope).
use crate::auth::ApiActor;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::Query;
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
