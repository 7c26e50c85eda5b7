//! `/users`: member administration (admins).
use super::{Nav, error_page, form_error, render_with};
use crate::AppState;
use crate::auth::PageActor;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::AppError;
use crosswalk_app::users::{MemberChange, MemberView, NewMember};
use crosswalk_domain::{Permission, Role, UserId};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Nav,
    members: Vec<MemberView>,
    roles: Vec<&'static str>,
    flash_ok: Option<String>,
    flash_error: Option<String>,
}

async fn page(state: &AppState, p: &PageActor, status: StatusCode, flash_ok: Option<String>, flash_error: Option<String>) -> Response {
    if let Err(e) = p.actor.require(Permission::ManageUsers, "managing users") {
        return error_page(&e);
    }
    match state.app.list_members(&p.actor).await {
        Ok(members) => render_with(
            status,
            &UsersPage { nav: Nav::new(p, "users"), members, roles: Role::ALL.iter().map(|r| r.as_str()).collect(), flash_ok, flash_error },
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn list(State(state): State<AppState>, p: PageActor) -> Response {
    page(&state, &p, StatusCode::OK, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct AddForm {
    email: String,
    role: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

pub async fn add(State(state): State<AppState>, p: PageActor, Form(f): Form<AddForm>) -> Response {
    let role = match f.role.parse::<Role>() {
        Ok(r) => r,
        Err(e) => return page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, None, Some(format!("role: {e}"))).await,
    };
    let new = NewMember {
        email: f.email,
        role,
        display_name: Some(f.display_name).filter(|s| !s.trim().is_empty()),
        password: Some(f.password).filter(|s| !s.is_empty()),
    };
    match state.app.add_member(&p.actor, new).await {
        Ok(m) => page(&state, &p, StatusCode::OK, Some(format!("Added {} as {}.", m.email, m.role)), None).await,
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            page(&state, &p, crate::error::status_of(&e), None, Some(form_error(&e))).await
        }
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
        Err(e) => return page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, None, Some(format!("role: {e}"))).await,
    };
    let change = MemberChange { role, disabled: f.disabled.map(|d| d == "true") };
    match state.app.change_member(&p.actor, id, change).await {
        Ok(_) => Redirect::to("/users").into_response(),
        Err(e @ AppError::Conflict(_)) => page(&state, &p, StatusCode::CONFLICT, None, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

pub async fn remove(State(state): State<AppState>, p: PageActor, Path(user_id): Path<String>) -> Response {
    let Ok(id) = user_id.parse::<UserId>() else { return error_page(&AppError::NotFound(format!("user {user_id}"))) };
    match state.app.remove_member(&p.actor, id).await {
        Ok(()) => Redirect::to("/users").into_response(),
        Err(e @ AppError::Conflict(_)) => page(&state, &p, StatusCode::CONFLICT, None, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}
