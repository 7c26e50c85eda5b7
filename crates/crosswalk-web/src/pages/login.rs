//! `/login` and `/logout`. The login form is protected against CSRF by a double-submit cookie, since
//! there is no session yet; a new session (new secret, new CSRF token) is created at every login.
use super::render_with;
use crate::AppState;
use crate::auth::{LOGIN_CSRF_COOKIE, PageActor, SESSION_COOKIE, cookie_value, set_cookie};
use askama::Template;
use axum::Extension;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::AppError;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    /// "Sign in with …" links (operator-configured providers).
    providers: Vec<crate::oidc::ProviderLink>,
    email: String,
    organisation: String,
    error: Option<String>,
    expired: bool,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    expired: Option<String>,
    /// Pre-fills the organisation (links from an invitation say which one).
    #[serde(default)]
    organisation: Option<String>,
}

pub(crate) fn login_page(
    state: &AppState,
    status: StatusCode,
    email: String,
    organisation: String,
    error: Option<String>,
    expired: bool,
) -> Response {
    let csrf = crate::auth::random_token();
    let mut resp = render_with(
        status,
        &LoginPage { csrf: csrf.clone(), providers: crate::oidc::provider_links(state), email, organisation, error, expired },
    );
    let mut set = vec![set_cookie(LOGIN_CSRF_COOKIE, &csrf, Some(3600), state.config.secure_cookies)];
    if expired {
        set.push(set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies));
    }
    for c in set {
        if let Ok(v) = c.parse() {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

pub async fn form(State(state): State<AppState>, session: Option<PageActor>, Query(q): Query<LoginQuery>) -> Response {
    if session.is_some() {
        return Redirect::to("/").into_response();
    }
    login_page(&state, StatusCode::OK, String::new(), q.organisation.unwrap_or_default(), None, q.expired.is_some())
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    /// Only for a password set for one organisation (and to choose where an account login lands).
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    csrf: String,
}

/// The client address logins are throttled by: the socket peer, or — when the peer is a configured
/// trusted proxy — the right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries
/// further left are whatever the client chose to send).
pub(crate) fn client_address(state: &AppState, connect: Option<Extension<ConnectInfo<SocketAddr>>>, headers: &HeaderMap) -> String {
    let Some(Extension(ConnectInfo(peer))) = connect else { return "unknown".to_owned() };
    let trusted = &state.config.trusted_proxies;
    if !trusted.contains(&peer.ip()) {
        return peer.ip().to_string();
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded.into_iter().rev().find(|a| !trusted.contains(a)).unwrap_or(peer.ip()).to_string()
}

pub async fn submit(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let cookie_csrf = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie_csrf.is_empty() || cookie_csrf != f.csrf {
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            f.email,
            f.organisation,
            Some("The form expired; please try again.".into()),
            false,
        );
    }
    let client = client_address(&state, connect, &headers);
    let organisation = Some(f.organisation.trim()).filter(|o| !o.is_empty());
    match state.app.login_into(&f.email, &f.password, &client, organisation).await {
        Ok(outcome) => {
            // Several organisations: the person picks one (the session starts in the first).
            let target = if outcome.organisations > 1 { "/account" } else { "/" };
            logged_in(&state, &outcome, target)
        }
        Err(e @ (AppError::Unauthenticated(_) | AppError::TooManyAttempts { .. })) => {
            let status = crate::error::status_of(&e);
            login_page(&state, status, f.email, f.organisation, Some(e.to_string()), false)
        }
        Err(e) => super::error_page(&e),
    }
}

/// Log the browser in with `outcome` and go to `target`. A session cookie (no Max-Age): the server
/// decides expiry; closing the browser ends it too. The anonymous form's CSRF cookie is dropped.
pub(crate) fn logged_in(state: &AppState, outcome: &crosswalk_app::LoginOutcome, target: &str) -> Response {
    let mut resp = Redirect::to(target).into_response();
    for c in [
        set_cookie(SESSION_COOKIE, &outcome.session.secret, None, state.config.secure_cookies),
        set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), state.config.secure_cookies),
    ] {
        if let Ok(v) = c.parse() {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

pub async fn logout(State(state): State<AppState>, session: Option<PageActor>) -> Response {
    if let Some(p) = session
        && let Err(e) = state.app.logout(&p.actor, &p.secret).await
    {
        return super::error_page(&e);
    }
    let mut resp = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", Some(0), state.config.secure_cookies).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}
