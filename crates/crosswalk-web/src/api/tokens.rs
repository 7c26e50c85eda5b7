//! `/api/v1/tokens`: the caller's API tokens (all of the organisation's for an admin).
use super::parse_id;
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswalk_app::tokens::{CreatedToken, NewToken, TokenView};
use crosswalk_domain::TokenId;

#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", responses((status = 200, body = [TokenView]), (status = 401, body = Problem)))]
pub async fn list_tokens(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<TokenView>>> {
    Ok(Json(s.app.list_tokens(&actor).await?))
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken, description = "The secret is shown only in this response"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_token(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageOwnTokens, NewToken>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(s.app.create_token(&actor, None, &body.name).await?)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/tokens/{token_id}", tag = "tokens", params(("token_id" = uuid::Uuid, Path, description = "Token id")),
    responses((status = 200, body = TokenView, description = "The revoked token"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(token_id): Path<String>,
) -> Result<Json<TokenView>, Response> {
    super::require(&actor, crosswalk_domain::Permission::ManageOwnTokens, "revoking API tokens").map_err(IntoResponse::into_response)?;
    let id: TokenId = parse_id("token_id", &token_id).map_err(IntoResponse::into_response)?;
    s.app.revoke_token(&actor, id).await.map(Json).map_err(|e| ApiError(e).into_response())
}
