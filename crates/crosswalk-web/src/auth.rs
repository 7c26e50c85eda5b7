//! Authentication and CSRF, resolved once per request by middleware:
//! - `Authorization: Bearer <token>` → API token (no CSRF needed: browsers never attach it by themselves);
//! - else the session cookie → session; for unsafe methods the request must carry the session's CSRF
//!   token in `X-CSRF-Token` (htmx, API) or in a `csrf` form field (plain forms).
//!
//! Handlers then take [`ApiActor`] (401 problem when absent) or [`PageActor`] (redirect to the login
//! page when absent or expired).
use crate::AppState;
use crate::error::{ApiError, Problem};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use cookie::Cookie;
use crosswalk_app::{Actor, AppError};

pub const SESSION_COOKIE: &str = "crosswalk_session";
pub const LOGIN_CSRF_COOKIE: &str = "crosswalk_login_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest form body read to find the CSRF field.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// The outcome of authentication, stored in request extensions.
#[derive(Debug, Clone)]
pub enum Auth {
    Anonymous,
    /// A session cookie that does not (or no longer) match a live session.
    Expired,
    Session {
        actor: Actor,
        csrf: String,
        secret: String,
    },
    Token {
        actor: Actor,
    },
    BadToken(String),
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_owned()))
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` value with the project's flags: HttpOnly, SameSite=Lax, Path=/, Secure when configured.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> String {
    let mut c =
        Cookie::build((name.to_owned(), value.to_owned())).path("/").http_only(true).same_site(cookie::SameSite::Lax).secure(secure);
    if let Some(s) = max_age_secs {
        c = c.max_age(cookie::time::Duration::seconds(s));
    }
    c.build().to_string()
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let auth = match resolve(&state, req.headers()).await {
        Ok(a) => a,
        Err(e) => return ApiError(e).into_response(),
    };
    if let Auth::Session { csrf, .. } = &auth
        && is_unsafe(req.method())
    {
        req = match check_csrf(req, csrf).await {
            (true, Some(r)) => r,
            _ => {
                return Problem::new(StatusCode::FORBIDDEN, "CSRF token missing or invalid; reload the page and try again").into_response();
            }
        };
    }
    req.extensions_mut().insert(auth);
    next.run(req).await
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Auth, AppError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or_default();
        return Ok(match value.strip_prefix("Bearer ") {
            Some(token) => match state.app.resolve_token(token.trim()).await {
                Ok(actor) => Auth::Token { actor },
                Err(AppError::Unauthenticated(m)) => Auth::BadToken(m),
                Err(e) => return Err(e),
            },
            None => Auth::BadToken("unsupported Authorization scheme (expected Bearer)".into()),
        });
    }
    let Some(secret) = cookie_value(headers, SESSION_COOKIE) else { return Ok(Auth::Anonymous) };
    Ok(match state.app.resolve_session(&secret).await? {
        Some((actor, csrf)) => Auth::Session { actor, csrf, secret },
        None => Auth::Expired,
    })
}

/// Check the CSRF token from the header, or from the `csrf` field of a form body (which is then
/// put back for the handler).
async fn check_csrf(req: Request, expected: &str) -> (bool, Option<Request>) {
    if let Some(v) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let ok = constant_time_eq(v, expected);
        return (ok, Some(req));
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        // File uploads stream straight to the blob store, so the body cannot be read here first: the
        // token comes in the query string of the form's action (same-origin Referrer-Policy keeps it on-site).
        let ok = req
            .uri()
            .query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|fields| fields.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v))
            .is_some_and(|v| constant_time_eq(&v, expected));
        return (ok, Some(req));
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form {
        return (false, None);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else { return (false, None) };
    let ok = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|fields| fields.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v))
        .is_some_and(|v| constant_time_eq(&v, expected));
    (ok, Some(Request::from_parts(parts, Body::from(bytes))))
}

fn auth_of(parts: &Parts) -> Auth {
    parts.extensions.get::<Auth>().cloned().unwrap_or(Auth::Anonymous)
}

/// The authenticated actor of an API request.
#[derive(Debug, Clone)]
pub struct ApiActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for ApiActor {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match auth_of(parts) {
            Auth::Session { actor, .. } | Auth::Token { actor } => Ok(ApiActor(actor)),
            Auth::BadToken(m) => Err(Problem::new(StatusCode::UNAUTHORIZED, m)),
            Auth::Expired => Err(Problem::new(StatusCode::UNAUTHORIZED, "session expired; log in again")),
            Auth::Anonymous => {
                Err(Problem::new(StatusCode::UNAUTHORIZED, "authentication required (session cookie or Authorization: Bearer token)"))
            }
        }
    }
}

/// The logged-in person of a page request, with what the layout needs.
#[derive(Debug, Clone)]
pub struct PageActor {
    pub actor: Actor,
    pub csrf: String,
    pub secret: String,
}

impl<S: Send + Sync> FromRequestParts<S> for PageActor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match auth_of(parts) {
            Auth::Session { actor, csrf, secret } => Ok(PageActor { actor, csrf, secret }),
            Auth::Expired => Err(to_login(parts, true)),
            _ => Err(to_login(parts, false)),
        }
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for PageActor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(match auth_of(parts) {
            Auth::Session { actor, csrf, secret } => Some(PageActor { actor, csrf, secret }),
            _ => None,
        })
    }
}

/// A fresh 256-bit random value as hex (login-form CSRF tokens).
pub fn random_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Send the browser to the login page; htmx requests get `HX-Redirect` so the whole page changes.
fn to_login(parts: &Parts, expired: bool) -> Response {
    let target = if expired { "/login?expired=1" } else { "/login" };
    if parts.headers.contains_key("hx-request") {
        return (StatusCode::UNAUTHORIZED, [("hx-redirect", target)]).into_response();
    }
    Redirect::to(target).into_response()
}
