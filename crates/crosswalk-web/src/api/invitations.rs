//! `/api/v1/invitations` and `/api/v1/account`: inviting people into the organisation (admins), and
//! the caller's own account (address verification, organisations it may switch between, linked
//! single sign-on logins).
//!
//! Creating an invitation answers the same status and body shape whether or not the address has an
//! account on the installation: nothing about other organisations' people leaks through it.
use super::parse_id;
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswalk_app::oidc::LinkedLogin;
use crosswalk_app::{InvitationView, Invited, NewInvitation, OrganisationChoice};
use serde::Serialize;

#[utoipa::path(get, path = "/api/v1/invitations", tag = "users",
    responses((status = 200, body = [InvitationView]), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<InvitationView>>> {
    Ok(Json(s.app.list_invitations(&actor).await?))
}

#[utoipa::path(post, path = "/api/v1/invitations", tag = "users", request_body = NewInvitation,
    responses((status = 201, body = Invited, description = "The one-time link, shown once; also e-mailed when SMTP is configured"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem, description = "Already a member of this organisation"), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageUsers, NewInvitation>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(s.app.invite(&actor, body).await?)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/invitations/{invitation_id}", tag = "users", params(("invitation_id" = uuid::Uuid, Path, description = "Invitation id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(invitation_id): Path<String>,
) -> Result<StatusCode, Response> {
    super::require(&actor, crosswalk_domain::Permission::ManageUsers, "managing invitations").map_err(IntoResponse::into_response)?;
    let id: uuid::Uuid = parse_id("invitation_id", &invitation_id).map_err(IntoResponse::into_response)?;
    s.app.revoke_invitation(&actor, id).await.map(|()| StatusCode::NO_CONTENT).map_err(|e| crate::error::ApiError(e).into_response())
}

/// The caller's account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub email: Option<String>,
    /// Organisations this login may switch between (one for an organisation password or a token).
    pub organisations: Vec<OrganisationChoice>,
    /// Whether address verification links can be e-mailed from this installation.
    pub can_send_mail: bool,
}

#[utoipa::path(get, path = "/api/v1/account", tag = "users", responses((status = 200, body = AccountView), (status = 401, body = Problem)))]
pub async fn account(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<AccountView>> {
    Ok(Json(AccountView {
        email: actor.email().map(str::to_owned),
        organisations: s.app.organisation_choices(&actor).await?,
        can_send_mail: s.app.can_send_mail(),
    }))
}

#[utoipa::path(post, path = "/api/v1/account/verification", tag = "users",
    responses((status = 202, description = "A verification link was e-mailed to the account's address"), (status = 401, body = Problem),
        (status = 409, body = Problem, description = "E-mail is not configured; the operator verifies instead"), (status = 503, body = Problem)))]
pub async fn request_verification(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<StatusCode> {
    s.app.request_verification(&actor).await?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(get, path = "/api/v1/account/logins", tag = "users",
    responses((status = 200, body = [LinkedLogin], description = "The caller's linked single sign-on logins (issuer, subject)"), (status = 401, body = Problem)))]
pub async fn logins(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<LinkedLogin>>> {
    Ok(Json(s.app.my_oidc_logins(&actor).await?))
}

#[utoipa::path(delete, path = "/api/v1/account/logins/{link_id}", tag = "users", params(("link_id" = uuid::Uuid, Path, description = "Linked login id")),
    responses((status = 204), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "Only a login that opens the whole account (not an API token or an organisation password) unlinks"),
        (status = 404, body = Problem)))]
pub async fn unlink(State(s): State<AppState>, ApiActor(actor): ApiActor, Path(link_id): Path<String>) -> Result<StatusCode, Response> {
    s.app.may_unlink_oidc(&actor).map_err(|e| crate::error::ApiError(e).into_response())?;
    let id: uuid::Uuid = parse_id("link_id", &link_id).map_err(IntoResponse::into_response)?;
    s.app.unlink_oidc(&actor, id).await.map(|()| StatusCode::NO_CONTENT).map_err(|e| crate::error::ApiError(e).into_response())
}
