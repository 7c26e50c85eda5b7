//! Shared test harness: an app on a fresh database, its router, and request helpers.
#![allow(dead_code)] // each test file uses a different part of the harness

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use crosswalk_app::users::NewMember;
use crosswalk_app::{App, AppConfig, FixedClock, PasswordCost};
use crosswalk_domain::Role;
use crosswalk_store::testing::TestDb;
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct Harness {
    pub _db: TestDb,
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub router: Router,
}

pub async fn harness() -> Harness {
    harness_with_web(crosswalk_web::WebConfig::default()).await
}

pub async fn harness_with_web(web: crosswalk_web::WebConfig) -> Harness {
    let db = TestDb::new().await;
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()));
    let blob_dir = std::env::temp_dir().join(format!("cw-web-blobs-{}", uuid::Uuid::now_v7()));
    let config = AppConfig { password_cost: PasswordCost::InsecureFastForTests, blob_dir, ..AppConfig::default() };
    let app = App::new(db.store.clone(), clock.clone(), db.key.clone(), config);
    let router = crosswalk_web::router(app.clone(), web);
    Harness { _db: db, app, clock, router }
}

/// A tenant with one member per role (`<role>@<slug>.example`); returns each role's API token.
pub async fn org_with_tokens(app: &App, slug: &str) -> Vec<(Role, String)> {
    app.create_tenant(slug, &format!("{slug} Ltd")).await.unwrap();
    let op = app.operator(slug).await.unwrap();
    let mut tokens = Vec::new();
    for role in Role::ALL {
        let m = app
            .add_member(
                &op,
                NewMember { email: format!("{role}@{slug}.example"), role, display_name: None, password: Some(PASSWORD.into()) },
            )
            .await
            .unwrap();
        let t = app.create_token(&op, Some(crosswalk_domain::UserId(m.id)), "test").await.unwrap();
        tokens.push((role, t.secret));
    }
    tokens
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap_or_default()[name.len() + 1..].to_owned())
    }
}

pub async fn send(router: &Router, req: Request<Body>) -> Reply {
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), 10 << 20).await.unwrap();
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

pub fn api(method: Method, path: &str, token: Option<&str>, body: Option<serde_json::Value>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    match body {
        Some(json) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(json.to_string())).unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

pub fn form(path: &str, cookies: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let body = serde_urlencoded::to_string(fields).unwrap();
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

pub fn page(path: &str, cookies: &str) -> Request<Body> {
    Request::builder().uri(path).header(header::COOKIE, cookies).body(Body::empty()).unwrap()
}

/// Log in through the HTML form; returns the session cookie header value.
pub async fn browser_login(router: &Router, email: &str, password: &str) -> (Reply, Option<String>) {
    browser_login_into(router, email, password, "").await
}

/// Log in naming the organisation (for a password set for one organisation).
pub async fn browser_login_into(router: &Router, email: &str, password: &str, organisation: &str) -> (Reply, Option<String>) {
    let login = send(router, page("/login", "")).await;
    let csrf = login.set_cookie("crosswalk_login_csrf").expect("login page sets its CSRF cookie");
    let fields = [("email", email), ("password", password), ("organisation", organisation), ("csrf", &csrf)];
    let reply = send(router, form("/login", &format!("crosswalk_login_csrf={csrf}"), &fields)).await;
    let session = reply.set_cookie("crosswalk_session").filter(|s| !s.is_empty()).map(|s| format!("crosswalk_session={s}"));
    (reply, session)
}

/// The CSRF token embedded in a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..start + 64].to_owned()
}
