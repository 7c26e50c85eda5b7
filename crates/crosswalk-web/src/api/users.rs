//! `/api/v1/users`: members of the caller's organisation. People join by invitation
//! (`/api/v1/invitations`); an admin never creates an account or sets a password.
use super::parse_id;
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswalk_app::users::{MemberChange, MemberView};
use crosswalk_domain::UserId;

#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = [MemberView]), (status = 401, body = Problem)))]
pub async fn list_users(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<MemberView>>> {
    Ok(Json(s.app.list_members(&actor).await?))
}

#[utoipa::path(get, path = "/api/v1/users/{user_id}", tag = "users", params(("user_id" = uuid::Uuid, Path, description = "User id")),
    responses((status = 200, body = MemberView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_user(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(user_id): Path<String>,
) -> Result<Json<MemberView>, Response> {
    let id: UserId = parse_id("user_id", &user_id).map_err(IntoResponse::into_response)?;
    s.app.get_member(&actor, id).await.map(Json).map_err(|e| crate::error::ApiError(e).into_response())
}

#[utoipa::path(patch, path = "/api/v1/users/{user_id}", tag = "users", params(("user_id" = uuid::Uuid, Path, description = "User id")), request_body = MemberChange,
    responses((status = 200, body = MemberView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change_user(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(user_id): Path<String>,
    PermittedJson(body, _): PermittedJson<needs::ManageUsers, MemberChange>,
) -> Result<Json<MemberView>, Response> {
    let id: UserId = parse_id("user_id", &user_id).map_err(IntoResponse::into_response)?;
    s.app.change_member(&actor, id, body).await.map(Json).map_err(|e| crate::error::ApiError(e).into_response())
}

#[utoipa::path(delete, path = "/api/v1/users/{user_id}", tag = "users", params(("user_id" = uuid::Uuid, Path, description = "User id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn remove_user(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(user_id): Path<String>,
) -> Result<StatusCode, Response> {
    super::require(&actor, crosswalk_domain::Permission::ManageUsers, "managing users").map_err(IntoResponse::into_response)?;
    let id: UserId = parse_id("user_id", &user_id).map_err(IntoResponse::into_response)?;
    s.app.remove_member(&actor, id).await.map(|()| StatusCode::NO_CONTENT).map_err(|e| crate::error::ApiError(e).into_response())
}
