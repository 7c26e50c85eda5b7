//! Crosswalk's web front end: HTML pages (askama + htmx) and the JSON API under `/api/v1`, documented
//! by an OpenAPI 3.1 document generated from the same route definitions.
//!
//! Handlers extract an authenticated actor, make one app call and render; no SQL and no policy here.
#![forbid(unsafe_code)]

mod api;
mod assets;
mod auth;
mod error;
mod json;
mod json_cache;
mod limits;
pub mod oidc;
mod pack;
mod pages;
mod params;
pub mod request_limits;

use axum::Router;
use axum::http::{HeaderValue, header};
use crosswalk_app::App;
use tower_http::set_header::SetResponseHeaderLayer;

pub use auth::SESSION_COOKIE;
pub use error::Problem;

/// Front-end settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure`. Browsers accept secure cookies from http://localhost and 127.0.0.1, so
    /// this stays on unless the server is reached over plain HTTP on another address.
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client (login throttling is per client).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Body sizes and time per route kind ([`request_limits`]).
    pub limits: request_limits::Limits,
    /// `Strict-Transport-Security: max-age=…` on every response, for an installation reached over
    /// HTTPS (TLS terminated in front of Crosswalk); `None` sends no header (`serve --hsts-max-age`).
    pub hsts_max_age: Option<u64>,
    /// Identity providers for single sign-on, configured by the operator only (`serve --oidc-config`).
    pub oidc: Vec<oidc::OidcProvider>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self { secure_cookies: true, trusted_proxies: Vec::new(), limits: Default::default(), hsts_max_age: None, oidc: Vec::new() }
    }
}

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    pub config: WebConfig,
    /// JSON of the most requested reports, serialised once per report.
    pub(crate) readiness_json: std::sync::Arc<json_cache::JsonCache<crosswalk_app::readiness::ReadinessReport>>,
    pub(crate) posture_json: std::sync::Arc<json_cache::JsonCache<crosswalk_app::posture::PostureView>>,
}

/// The OpenAPI document of the JSON API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::router().split_for_parts().1
}

/// The whole HTTP application: pages, API, OpenAPI, health and static assets.
pub fn router(app: App, config: WebConfig) -> Router {
    let limits = config.limits;
    let hsts = config.hsts_max_age.and_then(|age| HeaderValue::from_str(&format!("max-age={age}; includeSubDomains")).ok());
    let state = AppState { app, config, readiness_json: Default::default(), posture_json: Default::default() };
    let (api_router, spec) = api::router().split_for_parts();
    let spec_json = std::sync::Arc::new(spec.to_pretty_json().unwrap_or_default());
    Router::new()
        .merge(api_router)
        .merge(pages::router())
        .merge(assets::router())
        .route("/healthz", axum::routing::get(api::health))
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let body = spec_json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], (*body).clone()) }
            }),
        )
        .fallback(error::not_found_fallback)
        // Body limits per route kind are set by `request_limits::enforce` (outermost but tracing).
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        ))
        // Pages and API answers carry organisation data: no browser or proxy may keep a copy (a shared
        // computer's back button, a caching proxy). Static assets set their own caching and keep it.
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(axum::middleware::from_fn(move |request: axum::extract::Request, next: axum::middleware::Next| {
            let hsts = hsts.clone();
            async move {
                let mut response = next.run(request).await;
                if let Some(value) = hsts {
                    response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, value);
                }
                response
            }
        }))
        .layer(axum::middleware::from_fn_with_state(limits, request_limits::enforce))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
