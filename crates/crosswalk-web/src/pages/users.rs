//! `/users`: member administration (admins): invite people (the one-time link is shown once), revoke
//! pending invitations, change roles, disable and remove members.
use super::{Nav, error_page, form_error, render_with};
use crate::AppState;
use crate::auth::PageActor;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::AppError;
use crosswalk_app::users::{MemberChange, MemberView};
use crosswalk_app::{InvitationView, Invited, NewInvitation};
use crosswalk_domain::{Permission, Role, UserId};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Nav,
    members: Vec<MemberView>,
    invitations: Vec<InvitationView>,
    /// The invitation just created, whose link is shown this once.
    invited: Option<Invited>,
    roles: Vec<&'static str>,
    flash_ok: Option<String>,
    flash_error: Option<String>,
}

async fn page(
    state: &AppState,
    p: &PageActor,
    status: StatusCode,
    invited: Option<Invited>,
    flash_ok: Option<String>,
    flash_error: Option<String>,
) -> Response {
    if let Err(e) = p.actor.require(Permission::ManageUsers, "managing users") {
        return error_page(&e);
    }
    let loaded = async { Ok::<_, AppError>((state.app.list_members(&p.actor).await?, state.app.list_invitations(&p.actor).await?)) };
    match loaded.await {
        Ok((members, invitations)) => render_with(
            status,
            &UsersPage {
                nav: Nav::new(p, "users"),
                members,
                invitations,
                invited,
                roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
                flash_ok,
                flash_error,
            },
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn list(State(state): State<AppState>, p: PageActor) -> Response {
    page(&state, &p, StatusCode::OK, None, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    email: String,
    role: String,
}

pub async fn invite(State(state): State<AppState>, p: PageActor, Form(f): Form<InviteForm>) -> Response {
    if let Err(e) = p.actor.require(Permission::ManageUsers, "inviting members") {
        return error_page(&e);
    }
    let role = match f.role.parse::<Role>() {
        Ok(r) => r,
        Err(e) => return page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, None, None, Some(format!("role: {e}"))).await,
    };
    match state.app.invite(&p.actor, NewInvitation { email: f.email, role }).await {
        Ok(invited) => {
            let msg = if invited.emailed {
                format!("Invited {} as {}; the link was e-mailed.", invited.email, invited.role)
            } else {
                format!("Invited {} as {}. Pass the link below on; it is shown only now.", invited.email, invited.role)
            };
            page(&state, &p, StatusCode::OK, Some(invited), Some(msg), None).await
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            page(&state, &p, crate::error::status_of(&e), None, None, Some(form_error(&e))).await
        }
        Err(e) => error_page(&e),
    }
}

pub async fn revoke_invitation(State(state): State<AppState>, p: PageActor, Path(invitation_id): Path<String>) -> Response {
    let Ok(id) = invitation_id.parse::<uuid::Uuid>() else {
        return error_page(&AppError::NotFound(format!("invitation {invitation_id}")));
    };
    match state.app.revoke_invitation(&p.actor, id).await {
        Ok(()) => Redirect::to("/users").into_response(),
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    role: Option<String>,
    disabled: Option<String>,
}

pub async fn change(State(state): State<AppState>, p: PageActor, Path(user_id): Path<String>, Form(f): Form<ChangeForm>) -> Response {
    let Ok(id) = user_id.parse::<UserId>() else { return error_page(&AppError::NotFound(format!("user {user_id}"))) };
    let role = match f.role.as_deref().map(str::parse::<Role>).transpose() {
        Ok(r) => r,
        Err(e) => return page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, None, None, Some(format!("role: {e}"))).await,
    };
    let change = MemberChange { role, disabled: f.disabled.map(|d| d == "true") };
    match state.app.change_member(&p.actor, id, change).await {
        Ok(_) => Redirect::to("/users").into_response(),
        Err(e @ AppError::Conflict(_)) => page(&state, &p, StatusCode::CONFLICT, None, None, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

pub async fn remove(State(state): State<AppState>, p: PageActor, Path(user_id): Path<String>) -> Response {
    let Ok(id) = user_id.parse::<UserId>() else { return error_page(&AppError::NotFound(format!("user {user_id}"))) };
    match state.app.remove_member(&p.actor, id).await {
        Ok(()) => Redirect::to("/users").into_response(),
        Err(e @ AppError::Conflict(_)) => page(&state, &p, StatusCode::CONFLICT, None, None, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}
