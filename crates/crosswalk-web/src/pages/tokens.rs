//! `/tokens`: the member's API tokens (every member's for admins).
use super::{Nav, PermittedForm, error_page, form_error, needs, render_with};
use crate::AppState;
use crate::auth::PageActor;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::AppError;
use crosswalk_app::tokens::TokenView;
use crosswalk_domain::{Permission, TokenId};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    nav: Nav,
    tokens: Vec<TokenView>,
    new_secret: Option<String>,
    flash_error: Option<String>,
    can_create: bool,
}

async fn page(state: &AppState, p: &PageActor, status: StatusCode, new_secret: Option<String>, flash_error: Option<String>) -> Response {
    match state.app.list_tokens(&p.actor).await {
        Ok(tokens) => render_with(
            status,
            &TokensPage {
                nav: Nav::new(p, "tokens"),
                tokens,
                new_secret,
                flash_error,
                can_create: p.actor.can(Permission::ManageOwnTokens),
            },
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn list(State(state): State<AppState>, p: PageActor) -> Response {
    page(&state, &p, StatusCode::OK, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageOwnTokens, CreateForm>,
) -> Response {
    match state.app.create_token(&p.actor, None, &f.name).await {
        Ok(created) => page(&state, &p, StatusCode::OK, Some(created.secret), None).await,
        Err(e @ AppError::Invalid(_)) => page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, None, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

pub async fn revoke(State(state): State<AppState>, p: PageActor, Path(token_id): Path<String>) -> Response {
    let Ok(id) = token_id.parse::<TokenId>() else { return error_page(&AppError::NotFound(format!("token {token_id}"))) };
    match state.app.revoke_token(&p.actor, id).await {
        Ok(_) => Redirect::to("/tokens").into_response(),
        Err(e) => error_page(&e),
    }
}
