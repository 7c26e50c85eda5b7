//! `/api/v1/deadlines`: the legal reporting steps for an incident under NIS2, GDPR or DORA.
use crate::auth::ApiActor;
use crate::error::{ApiResult, Problem};
use axum::Json;
use axum::extract::Query;
use crosswalk_app::clocks::{DeadlineQuery, DeadlineReport};

#[utoipa::path(get, path = "/api/v1/deadlines", tag = "incidents", params(DeadlineQuery),
    responses((status = 200, body = DeadlineReport, description = "Steps with due instants (RFC 3339 with offset and [zone]) and legal basis"),
        (status = 401, body = Problem), (status = 422, body = Problem, description = "Names the field: regime, aware_at, classified_at, tz, entity_type or member_state (an unknown code, or a year outside the bundled holiday data)")))]
pub async fn deadlines(
    ApiActor(_actor): ApiActor,
    query: Result<Query<DeadlineQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<DeadlineReport>> {
    let Query(q) = query.map_err(super::query_problem)?;
    Ok(Json(crosswalk_app::clocks::compute(&q)?))
}
