//! OIDC single sign-on against a small test-only OpenID provider started by the test (axum on
//! 127.0.0.1:0): discovery, JWKS with an RSA key, an authorize endpoint that redirects straight back
//! with a code, and a token endpoint that checks the PKCE verifier and returns a signed ID token.
//! Crosswalk fetches discovery, keys and tokens over real HTTP; the browser is played by the test.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod common;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{TimeZone, Utc};
use common::*;
use crosswalk_app::{App, AppConfig, FixedClock, PasswordCost};
use crosswalk_store::testing::TestDb;
use openidconnect::core::{
    CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreResponseType, CoreRsaPrivateSigningKey,
    CoreSubjectIdentifierType, CoreTokenType,
};
use openidconnect::{
    AccessToken, Audience, AuthUrl, EmptyAdditionalProviderMetadata, EmptyExtraTokenFields, EndUserEmail, IssuerUrl, JsonWebKeyId,
    JsonWebKeySetUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, PrivateSigningKey, ResponseTypes, StandardClaims, SubjectIdentifier,
    TokenUrl,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A throw-away key made for this test only.
const TEST_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEArKp4AQG2Qi8u9sf4opdObPa9aeMHdTQcwng0XMObyO6ov/u8
eMpwRrswtmwye25HJ0X21K84mwT0IcUmMCuX/ldYLvEbWilbxmDMcPXeUPheaQfB
97mgDtUvX7hKA0DLHo7OoleUBbWBbMlsIokXm+RTSk8wVVfJIwZyZnTiDi/chsQw
9W4jq5UYug4FJk5cXQyGGNqm1u7io6RCmv7vVNqn1cG+5srPcI8F7JEOQG0SB4BC
rMOp+jL4GuPBPYDafCTNKMAtqgW0dlrLm8eAieH82vlNhRASGe+bxGSaNx3GeSam
qr4pPg126VOe/SNemiblNbh5mr3DR95VMN6nNQIDAQABAoIBAALKw+OCR1P1Jt2D
OMxKRZCiAciZTPjSdaeYYYJhgF6kq1Jla/QJE/000DIW+E8CJsDmEvp39eKd1yPH
qBktz0ij2W9y4yYXVp5T2OJ3u1dUWNR6dWK/2+x5eolh9cJtNQuitAkwgNqBx5y+
ehLp5BmXfNhOBQJQR9aa51UsTS59BUwV0eG8/8DRvRsfCWiaD8ggX0ySxSoJw1zW
C8lfh9HbrvMyyLRXObrt/2u6j5FgzXjqwM0mRe116mA0Fdj9TR8AAofvDcUGuL54
hOA/vgKs6bAhN92F5XIcHdmCJAdyyZjaOjwgCMGzsOpSWer+BXM+hu2ZIHa55QE7
lyDHSLkCgYEA67FE/UZKfl/6Fjce4kWOwYlpdWeokvK+JGJylqwdGLo6YkMdsRac
cerw17ZYChc0OEAeLVLF9sFj64dHl9Hn1TUvYwU5bGRnKnHQG0o8uDPX5YzMyZ7v
plm14FLC5SXr1S9A06dpFoMj/nPlP8STqFRC+s3BN84DOY9y3KNdYB0CgYEAu4sB
eXuX9kOTTDkZ4uPGdQlZKfLyAVZJpgN+8XagU8Ml54Lh6x5IzLnNM4gttjXQlyya
+tz2X8O/U5GBdNTTB72oKo9dhMz1f4YEqApfTF88yuZSrxS/BExwk9twqQcX9pG+
6TZbziDtENLaWsouIhF504w/eG3jPxsjGFH65/kCgYBEI7zhSGgS/yZrM8Ze/mMW
OubdRXmr+jfUhw2/18SVuIlWjTbRUssp+BVnF9V+HVVAifDvg4WuIB0GI9cj4lCX
CEhJ5WHDn4df8wWKTj0duAdL2xf9llCMlFULpIGqA/uZZ47jYfv0wTcvwkvd0rQp
ryqqHcAlpQ6znnBDr4s4VQKBgQCuiLQLmcEXl1X6xt1XcUEdZGDNkGI2alZKINC/
6PVWXrPk28JibKG1nWjh/2cDPtvsBMAKnR7QiryBClYfI31to8xgJ2ISGCiU0GV+
+YAs9CkAbw8eD0Ghv325rKwRMh/UAVlZcpRHpg7Z7FD301bRr8/f15KuAh5NeXTU
yl6mCQKBgQDdzfLneFFYTXcldwlMA/RSb1S2wgQUzRwSMOvq3noDpW11yJP0D1fh
5n47/NKXRXg9wStfr08vTr03MXhXHpAPvnnasT/5xliolUs2Q4xK8W+fb3G9SBB3
e4JJsZjqFawQhHCwcx1XsPwu9B2mCYyqMk6lij9UH6T3FGTEwsRU7A==
-----END RSA PRIVATE KEY-----";

const CLIENT_ID: &str = "crosswalk";
const CLIENT_SECRET: &str = "test-secret";
const PUBLIC_URL: &str = "http://crosswalk.test";

/// Who the next sign-in at the provider is, and how the provider misbehaves.
#[derive(Clone, Default)]
struct NextLogin {
    subject: String,
    email: Option<String>,
    /// Sign the ID token with this nonce instead of the one requested.
    wrong_nonce: bool,
    /// A `groups` claim, for the operator's claim rules.
    groups: Vec<String>,
}

/// The provider's claims beyond the standard ones.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct GroupClaims {
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    groups: Vec<String>,
}
impl openidconnect::AdditionalClaims for GroupClaims {}

struct Pending {
    challenge: String,
    nonce: String,
    login: NextLogin,
}

#[derive(Clone)]
struct Idp {
    issuer: String,
    key: Arc<CoreRsaPrivateSigningKey>,
    next: Arc<Mutex<NextLogin>>,
    codes: Arc<Mutex<HashMap<String, Pending>>>,
}

impl Idp {
    async fn start() -> Idp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let key = CoreRsaPrivateSigningKey::from_pem(TEST_KEY, Some(JsonWebKeyId::new("test-key".into()))).unwrap();
        let idp = Idp { issuer, key: Arc::new(key), next: Default::default(), codes: Default::default() };
        let router = axum::Router::new()
            .route("/.well-known/openid-configuration", axum::routing::get(discovery))
            .route("/jwks", axum::routing::get(jwks))
            .route("/authorize", axum::routing::get(authorize))
            .route("/token", axum::routing::post(token))
            .with_state(idp.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        idp
    }

    fn sign_in_as(&self, subject: &str, email: Option<&str>) {
        *self.next.lock().unwrap() = NextLogin { subject: subject.into(), email: email.map(str::to_owned), ..Default::default() };
    }

    fn provider(&self, name: &str) -> crosswalk_web::oidc::OidcProvider {
        crosswalk_web::oidc::OidcProvider {
            name: name.into(),
            label: format!("Provider {name}"),
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: Some(CLIENT_SECRET.into()),
            claim_rules: serde_json::from_value(serde_json::json!([
                {"claim": "groups", "value": "grc-auditors", "organisation": "acme", "role": "auditor"}
            ]))
            .unwrap(),
        }
    }
}

async fn discovery(State(idp): State<Idp>) -> Response {
    let url = |p: &str| format!("{}{p}", idp.issuer);
    let metadata = CoreProviderMetadata::new(
        IssuerUrl::new(idp.issuer.clone()).unwrap(),
        AuthUrl::new(url("/authorize")).unwrap(),
        JsonWebKeySetUrl::new(url("/jwks")).unwrap(),
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        EmptyAdditionalProviderMetadata {},
    )
    .set_token_endpoint(Some(TokenUrl::new(url("/token")).unwrap()));
    axum::Json(metadata).into_response()
}

async fn jwks(State(idp): State<Idp>) -> Response {
    axum::Json(CoreJsonWebKeySet::new(vec![idp.key.as_verification_key()])).into_response()
}

/// Signs the person in at once and sends the browser back with a code.
async fn authorize(State(idp): State<Idp>, Query(q): Query<HashMap<String, String>>) -> Response {
    assert_eq!(q.get("client_id").map(String::as_str), Some(CLIENT_ID));
    assert_eq!(q.get("code_challenge_method").map(String::as_str), Some("S256"), "PKCE is used");
    let code = format!("code-{}", uuid::Uuid::new_v4().simple());
    let login = idp.next.lock().unwrap().clone();
    idp.codes.lock().unwrap().insert(
        code.clone(),
        Pending { challenge: q["code_challenge"].clone(), nonce: q.get("nonce").cloned().unwrap_or_default(), login },
    );
    let back = format!("{}?code={code}&state={}", q["redirect_uri"], q["state"]);
    Redirect::to(&back).into_response()
}

async fn token(State(idp): State<Idp>, headers: axum::http::HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let bad = |e: &str| (StatusCode::BAD_REQUEST, axum::Json(serde_json::json!({"error": e}))).into_response();
    // Client authentication: HTTP Basic (openidconnect's default for a confidential client).
    if !headers.get("authorization").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("Basic ")) {
        return bad("invalid_client");
    }
    let Some(pending) = f.get("code").and_then(|c| idp.codes.lock().unwrap().remove(c)) else { return bad("invalid_grant") };
    let Some(verifier) = f.get("code_verifier") else { return bad("invalid_grant") };
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.clone()));
    if challenge.as_str() != pending.challenge {
        return bad("invalid_grant");
    }
    let nonce = if pending.login.wrong_nonce { "not-the-nonce".to_owned() } else { pending.nonce };
    // openidconnect checks expiry against the system clock, not the app's fixed test clock.
    #[allow(clippy::disallowed_methods)]
    let now = Utc::now();
    let mut standard = StandardClaims::new(SubjectIdentifier::new(pending.login.subject.clone()));
    if let Some(email) = &pending.login.email {
        standard = standard.set_email(Some(EndUserEmail::new(email.clone()))).set_email_verified(Some(true));
    }
    let claims = openidconnect::IdTokenClaims::<GroupClaims, openidconnect::core::CoreGenderClaim>::new(
        IssuerUrl::new(idp.issuer.clone()).unwrap(),
        vec![Audience::new(CLIENT_ID.into())],
        now + chrono::Duration::minutes(5),
        now,
        standard,
        GroupClaims { groups: pending.login.groups.clone() },
    )
    .set_nonce(Some(Nonce::new(nonce)));
    let id_token = openidconnect::IdToken::<
        GroupClaims,
        openidconnect::core::CoreGenderClaim,
        openidconnect::core::CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >::new(claims, idp.key.as_ref(), CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, None, None)
    .unwrap();
    let response = openidconnect::StandardTokenResponse::new(
        AccessToken::new("access".into()),
        CoreTokenType::Bearer,
        openidconnect::IdTokenFields::new(Some(id_token), EmptyExtraTokenFields {}),
    );
    axum::Json(response).into_response()
}

struct Setup {
    _db: TestDb,
    app: App,
    router: axum::Router,
    a: Idp,
    b: Idp,
}

async fn setup() -> Setup {
    let (a, b) = (Idp::start().await, Idp::start().await);
    let db = TestDb::new().await;
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()));
    let blob_dir = std::env::temp_dir().join(format!("cw-web-blobs-{}", uuid::Uuid::now_v7()));
    let config = AppConfig {
        password_cost: PasswordCost::InsecureFastForTests,
        blob_dir,
        public_url: Some(PUBLIC_URL.into()),
        ..AppConfig::default()
    };
    let app = App::new(db.store.clone(), clock, db.key.clone(), config);
    let web = crosswalk_web::WebConfig { oidc: vec![a.provider("a"), b.provider("b")], ..Default::default() };
    let router = crosswalk_web::router(app.clone(), web);
    org_with_tokens(&app, "acme").await;
    Setup { _db: db, app, router, a, b }
}

/// Press a page's "Sign in with…" / "Link…" / "Accept with…" button: a POST carrying the page's
/// CSRF token (the session's when logged in, else the login page's double-submit token and cookie).
async fn start_at(router: &axum::Router, start: &str, cookies: &str) -> Reply {
    let (token, cookies) = if cookies.contains("crosswalk_session=") {
        (csrf_in(&send(router, page("/account", cookies)).await.body), cookies.to_owned())
    } else {
        let login = send(router, page("/login", cookies)).await;
        let cookie = login.set_cookie("crosswalk_login_csrf").expect("the login page sets its CSRF cookie");
        (csrf_in(&login.body), format!("crosswalk_login_csrf={cookie}; {cookies}"))
    };
    send(router, form(start, &cookies, &[("csrf", &token)])).await
}

/// The browser's side of a sign-in: start, the provider's redirect, and the callback. `cookies` are
/// the browser's other cookies (a session, when logged in). Returns the callback's reply.
async fn sign_in(router: &axum::Router, start: &str, cookies: &str) -> Reply {
    let started = start_at(router, start, cookies).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "start redirects to the provider: {}", started.body);
    let flow = started.set_cookie("cw_oidc").expect("start sets the flow cookie");
    let at_provider = started.headers["location"].to_str().unwrap().to_owned();
    let back = follow_provider(&at_provider).await;
    let path = back.strip_prefix(PUBLIC_URL).expect("the provider sends the browser to the public URL");
    send(router, page(path, &format!("cw_oidc={flow}; {cookies}"))).await
}

async fn follow_provider(url: &str) -> String {
    let http = openidconnect::reqwest::ClientBuilder::new().redirect(openidconnect::reqwest::redirect::Policy::none()).build().unwrap();
    let reply = http.get(url).send().await.unwrap();
    assert_eq!(reply.status().as_u16(), 303);
    reply.headers()["location"].to_str().unwrap().to_owned()
}

fn session_of(reply: &Reply) -> Option<String> {
    reply.set_cookie("crosswalk_session").filter(|s| !s.is_empty()).map(|s| format!("crosswalk_session={s}"))
}

/// Links provider `idp` (as `subject`) to the account logged in with `email`'s password.
async fn link(s: &Setup, idp: &Idp, provider: &str, email: &str, subject: &str) -> String {
    let (_, session) = browser_login(&s.router, email, PASSWORD).await;
    let session = session.expect("password login works");
    idp.sign_in_as(subject, None);
    let linked = sign_in(&s.router, &format!("/auth/oidc/{provider}/start?link=1"), &session).await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    assert_eq!(linked.headers["location"], "/account?linked=1");
    session
}

#[tokio::test]
async fn login_page_offers_the_configured_providers() {
    let s = setup().await;
    let login = send(&s.router, page("/login", "")).await;
    assert!(login.body.contains("action=\"/auth/oidc/a/start\""), "{}", login.body);
    assert!(login.body.contains("Sign in with Provider b"));
}

#[tokio::test]
async fn a_linked_sign_in_logs_in_to_its_account() {
    let s = setup().await;
    let session = link(&s, &s.a, "a", "viewer@acme.example", "alice-at-a").await;
    let account = send(&s.router, page("/account", &session)).await;
    assert!(account.body.contains("alice-at-a"), "the account page lists the linked sign-in");
    let api_logins = send(&s.router, page("/api/v1/account/logins", &session)).await;
    assert_eq!(api_logins.status, StatusCode::OK);
    assert_eq!(api_logins.json()[0]["subject"], "alice-at-a");
    assert_eq!(api_logins.json()[0]["issuer"], s.a.issuer.as_str());

    s.a.sign_in_as("alice-at-a", None);
    let reply = sign_in(&s.router, "/auth/oidc/a/start", "").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let session = session_of(&reply).expect("a session");
    let home = send(&s.router, page("/", &session)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("viewer@acme.example"), "logged in as the linked account");
}

#[tokio::test]
async fn an_unknown_subject_is_refused() {
    let s = setup().await;
    s.a.sign_in_as("nobody", None);
    let reply = sign_in(&s.router, "/auth/oidc/a/start", "").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("not linked to an account"), "{}", reply.body);
    assert!(session_of(&reply).is_none());
}

#[tokio::test]
async fn an_email_claim_of_an_existing_account_does_not_log_in() {
    let s = setup().await;
    s.a.sign_in_as("mallory", Some("admin@acme.example"));
    let reply = sign_in(&s.router, "/auth/oidc/a/start", "").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(session_of(&reply).is_none(), "the e-mail claim never picks an account");
}

#[tokio::test]
async fn the_same_subject_at_another_issuer_does_not_match() {
    let s = setup().await;
    link(&s, &s.a, "a", "contributor@acme.example", "shared-subject").await;
    s.b.sign_in_as("shared-subject", None);
    let reply = sign_in(&s.router, "/auth/oidc/b/start", "").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(session_of(&reply).is_none());
}

#[tokio::test]
async fn a_wrong_nonce_or_state_is_refused() {
    let s = setup().await;
    link(&s, &s.a, "a", "viewer@acme.example", "alice-at-a").await;

    *s.a.next.lock().unwrap() = NextLogin { subject: "alice-at-a".into(), wrong_nonce: true, ..Default::default() };
    let reply = sign_in(&s.router, "/auth/oidc/a/start", "").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(session_of(&reply).is_none());

    // A callback whose state is not the one this browser started with.
    s.a.sign_in_as("alice-at-a", None);
    let started = start_at(&s.router, "/auth/oidc/a/start", "").await;
    let flow = started.set_cookie("cw_oidc").unwrap();
    let back = follow_provider(started.headers["location"].to_str().unwrap()).await;
    let (path, state) = back.strip_prefix(PUBLIC_URL).unwrap().split_once("&state=").unwrap();
    let forged = format!("{path}&state=x{state}");
    let reply = send(&s.router, page(&forged, &format!("cw_oidc={flow}"))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(session_of(&reply).is_none());
    // And none at all without the flow cookie (a code injected into another browser).
    let reply = send(&s.router, page(back.strip_prefix(PUBLIC_URL).unwrap(), "")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(session_of(&reply).is_none());
}

#[tokio::test]
async fn linking_needs_a_logged_in_session() {
    let s = setup().await;
    let reply = start_at(&s.router, "/auth/oidc/a/start?link=1", "").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.headers["location"], "/login");
    assert!(reply.set_cookie("cw_oidc").is_none());
}

#[tokio::test]
async fn an_invitation_accepted_with_a_provider_creates_a_linked_account() {
    let s = setup().await;
    let op = s.app.operator("acme").await.unwrap();
    let invited = s
        .app
        .invite(&op, crosswalk_app::NewInvitation { email: "newcomer@acme.example".into(), role: crosswalk_domain::Role::Contributor })
        .await
        .unwrap();
    let token = invited.link.rsplit('/').next().unwrap().to_owned();
    let invite_page = send(&s.router, page(&format!("/invite/{token}"), "")).await;
    assert!(invite_page.body.contains(&format!("/auth/oidc/a/start?invitation={token}")));

    s.a.sign_in_as("newcomer-at-a", Some("someone-else@example.org"));
    let reply = sign_in(&s.router, &format!("/auth/oidc/a/start?invitation={token}"), "").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(session_of(&reply).is_some());

    // From now on the provider logs in to that account.
    let reply = sign_in(&s.router, "/auth/oidc/a/start", "").await;
    let session = session_of(&reply).expect("a session");
    let home = send(&s.router, page("/", &session)).await;
    assert!(home.body.contains("newcomer@acme.example"));
    let logins = s.app.operator_oidc_logins("newcomer@acme.example").await.unwrap();
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].issuer, s.a.issuer);
    let report = s.app.verify_installation_journal(false, true).await.unwrap();
    assert!(report.ok, "the installation's chain verifies deeply: {report:?}");

    // Whoever proves the address later owns the account: links made before that are dropped.
    let verify = s.app.operator_verify("acme", "newcomer@acme.example").await.unwrap();
    s.app.complete_verification(verify.rsplit('/').next().unwrap(), PASSWORD).await.unwrap();
    assert!(s.app.operator_oidc_logins("newcomer@acme.example").await.unwrap().is_empty());
    let reply = sign_in(&s.router, "/auth/oidc/a/start", "").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(s.app.verify_installation_journal(false, true).await.unwrap().ok);
}

#[tokio::test]
async fn a_link_is_removed_from_the_account_page_and_journaled() {
    let s = setup().await;
    let session = link(&s, &s.a, "a", "viewer@acme.example", "alice-at-a").await;
    // The same sign-in cannot be linked to a second account.
    let (_, other) = browser_login(&s.router, "auditor@acme.example", PASSWORD).await;
    let again = sign_in(&s.router, "/auth/oidc/a/start?link=1", &other.unwrap()).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    let logins = s.app.operator_oidc_logins("viewer@acme.example").await.unwrap();
    let account = send(&s.router, page("/account", &session)).await;
    let csrf = csrf_in(&account.body);
    let unlinked = send(&s.router, form(&format!("/account/logins/{}/unlink", logins[0].id), &session, &[("csrf", &csrf)])).await;
    assert_eq!(unlinked.status, StatusCode::OK, "{}", unlinked.body);
    assert!(s.app.operator_oidc_logins("viewer@acme.example").await.unwrap().is_empty());
    let reply = sign_in(&s.router, "/auth/oidc/a/start", "").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "an unlinked sign-in no longer logs in");
    let report = s.app.verify_installation_journal(false, true).await.unwrap();
    assert!(report.ok, "the installation's chain verifies deeply: {report:?}");
}

#[tokio::test]
async fn an_organisation_password_login_cannot_link_a_sign_in() {
    let s = setup().await;
    let op = s.app.operator("acme").await.unwrap();
    let invited = s
        .app
        .invite(&op, crosswalk_app::NewInvitation { email: "squatter@acme.example".into(), role: crosswalk_domain::Role::Viewer })
        .await
        .unwrap();
    let token = invited.link.rsplit('/').next().unwrap().to_owned();
    // Redeemed with a password for this organisation only: a login that does not open an account.
    let outcome = s.app.redeem_invitation(&token, "", PASSWORD, "127.0.0.1").await.unwrap();
    let session = format!("crosswalk_session={}", outcome.login.session.secret);
    s.a.sign_in_as("squatter-at-a", None);
    let reply = sign_in(&s.router, "/auth/oidc/a/start?link=1", &session).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(s.app.operator_oidc_logins("squatter@acme.example").await.unwrap().is_empty());
}

#[tokio::test]
async fn an_invitation_never_attaches_a_sign_in_to_an_existing_account() {
    let s = setup().await;
    s.app.create_tenant("other", "Other Ltd").await.unwrap();
    let op = s.app.operator("other").await.unwrap();
    // The address already has an account (a member of acme); whoever holds this link may not be its owner.
    let invited = s
        .app
        .invite(&op, crosswalk_app::NewInvitation { email: "viewer@acme.example".into(), role: crosswalk_domain::Role::Viewer })
        .await
        .unwrap();
    let token = invited.link.rsplit('/').next().unwrap().to_owned();
    s.a.sign_in_as("link-holder", Some("viewer@acme.example"));
    let reply = sign_in(&s.router, &format!("/auth/oidc/a/start?invitation={token}"), "").await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert!(session_of(&reply).is_none());
    assert!(s.app.operator_oidc_logins("viewer@acme.example").await.unwrap().is_empty());
}

#[tokio::test]
async fn an_operator_claim_rule_creates_the_account_and_membership() {
    let s = setup().await;
    *s.a.next.lock().unwrap() = NextLogin {
        subject: "carol-at-a".into(),
        email: Some("carol@corp.example".into()),
        groups: vec!["staff".into(), "grc-auditors".into()],
        ..Default::default()
    };
    let reply = sign_in(&s.router, "/auth/oidc/a/start", "").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let session = session_of(&reply).expect("a session");
    let home = send(&s.router, page("/", &session)).await;
    assert!(home.body.contains("carol@corp.example"));
    let op = s.app.operator("acme").await.unwrap();
    let member = s.app.member_by_email(&op, "carol@corp.example").await.unwrap();
    assert_eq!(member.role, crosswalk_domain::Role::Auditor);
    let report = s.app.verify_installation_journal(false, true).await.unwrap();
    assert!(report.ok, "{report:?}");

    // Without the group, or when the address already has an account, the rule makes nothing.
    *s.a.next.lock().unwrap() = NextLogin {
        subject: "dave-at-a".into(),
        email: Some("dave@corp.example".into()),
        groups: vec!["staff".into()],
        ..Default::default()
    };
    let reply = sign_in(&s.router, "/auth/oidc/a/start", "").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    *s.a.next.lock().unwrap() = NextLogin {
        subject: "mallory-at-a".into(),
        email: Some("admin@acme.example".into()),
        groups: vec!["grc-auditors".into()],
        ..Default::default()
    };
    let reply = sign_in(&s.router, "/auth/oidc/a/start", "").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(session_of(&reply).is_none());
    assert!(s.app.operator_oidc_logins("admin@acme.example").await.unwrap().is_empty());
}

/// Attacker review: a link flow's cookie planted in a victim's browser (the attacker started the flow
/// from their own session) cannot link the attacker's sign-in to the victim's account; nor can a
/// login flow's cookie be altered into a link flow. The account page lists links in its body.
#[tokio::test]
async fn a_planted_or_altered_flow_cookie_links_nothing() {
    let s = setup().await;
    let (_, attacker) = browser_login(&s.router, "admin@acme.example", PASSWORD).await;
    let (_, victim) = browser_login(&s.router, "viewer@acme.example", PASSWORD).await;
    let (attacker, victim) = (attacker.unwrap(), victim.unwrap());
    s.a.sign_in_as("attacker-at-a", None);
    let started = start_at(&s.router, "/auth/oidc/a/start?link=1", &attacker).await;
    let flow = started.set_cookie("cw_oidc").unwrap();
    let back = follow_provider(started.headers["location"].to_str().unwrap()).await;
    let path = back.strip_prefix(PUBLIC_URL).unwrap().to_owned();
    let reply = send(&s.router, page(&path, &format!("cw_oidc={flow}; {victim}"))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(s.app.operator_oidc_logins("viewer@acme.example").await.unwrap().is_empty());

    // A login flow's cookie with its purpose rewritten to "link" fails its tag.
    let started = start_at(&s.router, "/auth/oidc/a/start", "").await;
    let flow = started.set_cookie("cw_oidc").unwrap();
    let altered = flow.replacen(".login.", ".link.", 1);
    assert_ne!(altered, flow);
    let back = follow_provider(started.headers["location"].to_str().unwrap()).await;
    let path = back.strip_prefix(PUBLIC_URL).unwrap().to_owned();
    let reply = send(&s.router, page(&path, &format!("cw_oidc={altered}; {victim}"))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(s.app.operator_oidc_logins("viewer@acme.example").await.unwrap().is_empty());

    // The account page shows the providers in its content, not in the page title.
    let account = send(&s.router, page("/account", &victim)).await;
    let title_end = account.body.find("</title>").unwrap();
    assert!(!account.body[..title_end].contains("Link your"), "{}", &account.body[..title_end]);
    assert!(account.body[title_end..].contains("/auth/oidc/a/start?link=1"));
}

/// No page elsewhere can start a sign-in (login CSRF): the start is a POST that needs the login
/// page's double-submit token; a GET, or a POST without the token, starts nothing.
#[tokio::test]
async fn a_flow_starts_only_from_the_installations_own_pages() {
    let s = setup().await;
    let get = send(&s.router, page("/auth/oidc/a/start", "")).await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
    let no_token = send(&s.router, form("/auth/oidc/a/start", "", &[("csrf", "")])).await;
    assert_eq!(no_token.status, StatusCode::BAD_REQUEST, "{}", no_token.body);
    assert!(no_token.set_cookie("cw_oidc").filter(|c| !c.is_empty()).is_none());
    let wrong = send(&s.router, form("/auth/oidc/a/start", "crosswalk_login_csrf=abc", &[("csrf", "abd")])).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let started = start_at(&s.router, "/auth/oidc/a/start", "").await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
}
