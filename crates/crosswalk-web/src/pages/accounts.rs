//! Account pages: redeeming an invitation (`/invite/{token}`), verifying an address
//! (`/verify-email/{token}`), the caller's account (`/account`) and choosing or switching the
//! organisation (`/organisations`).
//!
//! The invitation page looks the same whether or not the address already has an account: it offers
//! a password for this organisation, or — for someone logged in as the invited address with their
//! account's own password — accepting into that account. Anonymous forms are protected against CSRF
//! by the login page's double-submit cookie.
use super::{Nav, error_page, form_error, render_with};
use crate::AppState;
use crate::auth::{LOGIN_CSRF_COOKIE, PageActor, SESSION_COOKIE, cookie_value, set_cookie};
use askama::Template;
use axum::Extension;
use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use crosswalk_app::{AppError, OrganisationChoice};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    csrf: String,
    token: String,
    organisation: String,
    organisation_slug: String,
    email: String,
    role: String,
    expires: String,
    /// Logged in as someone: offer to accept into that account.
    logged_in_as: Option<String>,
    /// "Accept with …" links (operator-configured providers).
    providers: Vec<crate::oidc::ProviderLink>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "verify_email.html")]
struct VerifyPage {
    csrf: String,
    token: String,
    email: String,
    organisation: String,
    organisation_slug: String,
    done: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "organisations.html")]
struct OrganisationsPage {
    nav: Nav,
    choices: Vec<OrganisationChoice>,
    can_send_mail: bool,
    providers: Vec<crate::oidc::ProviderLink>,
    logins: Vec<crosswalk_app::oidc::LinkedLogin>,
    flash_ok: Option<String>,
    flash_error: Option<String>,
}

/// A page with a fresh login-CSRF cookie (anonymous forms).
fn with_form_cookie(state: &AppState, status: StatusCode, render: impl FnOnce(String) -> Response) -> Response {
    let csrf = crate::auth::random_token();
    let mut resp = render(csrf.clone());
    *resp.status_mut() = status;
    if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, &csrf, Some(3600), state.config.secure_cookies).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

fn form_cookie_ok(headers: &HeaderMap, field: &str) -> bool {
    let cookie = cookie_value(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    !cookie.is_empty() && cookie == field
}

async fn invite_page(state: &AppState, token: &str, session: Option<&PageActor>, status: StatusCode, error: Option<String>) -> Response {
    let preview = match state.app.invitation_preview(token).await {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    let logged_in_as = session.and_then(|p| p.actor.email().map(str::to_owned));
    let token = token.to_owned();
    with_form_cookie(state, status, move |csrf| {
        render_with(
            StatusCode::OK,
            &InvitePage {
                csrf: session.map(|p| p.csrf.clone()).unwrap_or(csrf),
                token,
                organisation: preview.organisation,
                organisation_slug: preview.organisation_slug,
                email: preview.email,
                role: preview.role.to_string(),
                expires: preview.expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                logged_in_as,
                providers: crate::oidc::provider_links(state),
                error,
            },
        )
    })
}

pub async fn invite(State(state): State<AppState>, session: Option<PageActor>, Path(token): Path<String>) -> Response {
    invite_page(&state, &token, session.as_ref(), StatusCode::OK, None).await
}

#[derive(Debug, Deserialize)]
pub struct RedeemForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// Redeem with a new password for this organisation (not logged in).
pub async fn redeem(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<RedeemForm>,
) -> Response {
    if !form_cookie_ok(&headers, &f.csrf) {
        return invite_page(&state, &token, None, StatusCode::FORBIDDEN, Some("The form expired; please try again.".into())).await;
    }
    if f.password != f.confirm {
        let e = AppError::invalid("confirm", "the two passwords differ");
        return invite_page(&state, &token, None, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await;
    }
    match state.app.redeem_invitation(&token, &f.display_name, &f.password, &super::login::client_address(&state, connect, &headers)).await
    {
        Ok(outcome) => super::login::logged_in(&state, &outcome.login, "/"),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            invite_page(&state, &token, None, crate::error::status_of(&e), Some(form_error(&e))).await
        }
        Err(e) => error_page(&e),
    }
}

/// Accept into the logged-in account (CSRF checked by the session middleware).
pub async fn accept(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    p: PageActor,
    Path(token): Path<String>,
) -> Response {
    match state.app.accept_invitation(&p.actor, &token, &super::login::client_address(&state, connect, &headers)).await {
        Ok(outcome) => {
            // The new session replaces the old one in the browser.
            let _ = state.app.logout(&p.actor, &p.secret).await;
            super::login::logged_in(&state, &outcome, "/")
        }
        Err(e @ (AppError::Forbidden(_) | AppError::Conflict(_))) => {
            invite_page(&state, &token, Some(&p), crate::error::status_of(&e), Some(form_error(&e))).await
        }
        Err(e) => error_page(&e),
    }
}

/// The verification page. In a browser that is logged in, the session's CSRF token is the one the
/// middleware checks, so the form carries it; otherwise the anonymous double-submit cookie.
async fn verify_page(
    state: &AppState,
    session: Option<&PageActor>,
    token: &str,
    status: StatusCode,
    done: bool,
    error: Option<String>,
) -> Response {
    let preview = match state.app.verification_preview(token).await {
        Ok(p) => Some(p),
        Err(AppError::NotFound(_)) if done => None,
        Err(e) => return error_page(&e),
    };
    let token = token.to_owned();
    with_form_cookie(state, status, move |csrf| {
        render_with(
            StatusCode::OK,
            &VerifyPage {
                csrf: session.map(|p| p.csrf.clone()).unwrap_or(csrf),
                token,
                email: preview.as_ref().map(|p| p.email.clone()).unwrap_or_default(),
                organisation: preview.as_ref().map(|p| p.organisation.clone()).unwrap_or_default(),
                organisation_slug: preview.as_ref().map(|p| p.organisation_slug.clone()).unwrap_or_default(),
                done,
                error,
            },
        )
    })
}

pub async fn verify_form(State(state): State<AppState>, session: Option<PageActor>, Path(token): Path<String>) -> Response {
    verify_page(&state, session.as_ref(), &token, StatusCode::OK, false, None).await
}

#[derive(Debug, Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn verify_submit(
    State(state): State<AppState>,
    session: Option<PageActor>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<VerifyForm>,
) -> Response {
    let s = session.as_ref();
    // With a session the middleware has already checked the session's token.
    if s.is_none() && !form_cookie_ok(&headers, &f.csrf) {
        return verify_page(&state, s, &token, StatusCode::FORBIDDEN, false, Some("The form expired; please try again.".into())).await;
    }
    if f.password != f.confirm {
        let e = AppError::invalid("confirm", "the two passwords differ");
        return verify_page(&state, s, &token, StatusCode::UNPROCESSABLE_ENTITY, false, Some(form_error(&e))).await;
    }
    match state.app.complete_verification(&token, &f.password).await {
        Ok(()) => {
            // The account's sessions ended with the new password: this browser logs in afresh.
            let mut resp = verify_page(&state, None, &token, StatusCode::OK, true, None).await;
            if let Ok(v) = set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies).parse() {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            resp
        }
        Err(e @ AppError::Invalid(_)) => verify_page(&state, s, &token, crate::error::status_of(&e), false, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

async fn organisations_page(state: &AppState, p: &PageActor, status: StatusCode, ok: Option<String>, err: Option<String>) -> Response {
    let logins = match state.app.my_oidc_logins(&p.actor).await {
        Ok(l) => l,
        Err(e) => return error_page(&e),
    };
    match state.app.organisation_choices(&p.actor).await {
        Ok(choices) => render_with(
            status,
            &OrganisationsPage {
                nav: Nav::new(p, "account"),
                choices,
                can_send_mail: state.app.can_send_mail(),
                providers: crate::oidc::provider_links(state),
                logins,
                flash_ok: ok,
                flash_error: err,
            },
        ),
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct AccountQuery {
    #[serde(default)]
    linked: Option<String>,
}

/// The account page: organisations to switch to, address verification and linked sign-ins.
pub async fn organisations(State(state): State<AppState>, p: PageActor, Query(q): Query<AccountQuery>) -> Response {
    let ok = q.linked.map(|_| "Your sign-in was linked to this account.".to_owned());
    organisations_page(&state, &p, StatusCode::OK, ok, None).await
}

/// Unlink one of the caller's OIDC sign-ins (CSRF checked by the session middleware).
pub async fn unlink(State(state): State<AppState>, p: PageActor, Path(link_id): Path<uuid::Uuid>) -> Response {
    match state.app.unlink_oidc(&p.actor, link_id).await {
        Ok(()) => organisations_page(&state, &p, StatusCode::OK, Some("The sign-in was unlinked.".into()), None).await,
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => {
            organisations_page(&state, &p, crate::error::status_of(&e), None, Some(form_error(&e))).await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct SwitchForm {
    organisation: String,
}

pub async fn switch(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    p: PageActor,
    Form(f): Form<SwitchForm>,
) -> Response {
    match state
        .app
        .switch_organisation(&p.actor, &p.secret, &f.organisation, &super::login::client_address(&state, connect, &headers))
        .await
    {
        Ok(outcome) => super::login::logged_in(&state, &outcome, "/"),
        Err(e @ AppError::NotFound(_)) => organisations_page(&state, &p, StatusCode::NOT_FOUND, None, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

pub async fn request_verification(State(state): State<AppState>, p: PageActor) -> Response {
    match state.app.request_verification(&p.actor).await {
        Ok(()) => {
            let to = p.actor.email().unwrap_or_default().to_owned();
            organisations_page(&state, &p, StatusCode::OK, Some(format!("A verification link was e-mailed to {to}.")), None).await
        }
        Err(e @ (AppError::Conflict(_) | AppError::Unavailable(_) | AppError::Forbidden(_) | AppError::RateLimited(_))) => {
            organisations_page(&state, &p, crate::error::status_of(&e), None, Some(form_error(&e))).await
        }
        Err(e) => error_page(&e),
    }
}
