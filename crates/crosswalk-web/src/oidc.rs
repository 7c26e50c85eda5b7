//! OIDC single sign-on (issue 15, item 5): authorization code flow with PKCE through the
//! `openidconnect` crate, against identity providers the installation operator configured
//! (`serve --oidc-config FILE`); nothing in the web UI adds one.
//!
//! `POST /auth/oidc/{provider}/start` (a form with the page's CSRF token: the login or invitation
//! page's double-submit token, or the session's, so no page elsewhere can start a flow — no login
//! CSRF) makes the state, nonce and PKCE verifier and keeps them in a
//! short-lived HttpOnly cookie (SameSite=Lax, so it comes back with the provider's top-level
//! redirect); no server-side state, so any instance behind a load balancer finishes the flow. The
//! cookie carries a keyed tag (`App::oidc_flow_tag`), so it cannot be forged or altered (e.g. a
//! login flow turned into a link flow), and a link flow is bound to the session that started it:
//! a cookie planted in a victim's browser cannot link the planter's sign-in to the victim's account. `GET …/callback` checks the state,
//! exchanges the code with the verifier, and verifies the ID token (signature against the provider's
//! keys, issuer, audience, expiry, nonce). What a verified (issuer, subject) opens is decided by
//! `crosswalk_app::oidc`: never the e-mail claim.
use crate::AppState;
use crate::auth::{PageActor, cookie_value, set_cookie};
use axum::Extension;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::AppError;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use serde::Deserialize;
use std::net::SocketAddr;

/// The cookie that carries one sign-in attempt from start to callback.
pub const FLOW_COOKIE: &str = "cw_oidc";
/// How long a sign-in at the provider may take.
const FLOW_MAX_AGE_SECS: i64 = 600;

/// One identity provider, as the operator configured it.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcProvider {
    /// In URLs (`/auth/oidc/{name}/…`): lower-case letters, digits and '-'.
    pub name: String,
    /// Shown on buttons: "Sign in with {label}".
    pub label: String,
    /// The issuer URL; discovery reads `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// For confidential clients; omitted for a public client (PKCE alone).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Operator rules that make an account and membership for an unlinked sign-in whose claim
    /// carries a value (e.g. `groups` contains `grc-admins` → organisation `acme` as `admin`).
    #[serde(default)]
    pub claim_rules: Vec<ClaimRule>,
}

/// An operator rule: a sign-in whose `claim` equals `value` (or, for a list, contains it) joins
/// `organisation` as `role`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimRule {
    pub claim: String,
    pub value: String,
    pub organisation: String,
    pub role: crosswalk_domain::Role,
}

impl ClaimRule {
    fn matches(&self, claims: &serde_json::Map<String, serde_json::Value>) -> bool {
        match claims.get(&self.claim) {
            Some(serde_json::Value::String(s)) => *s == self.value,
            Some(serde_json::Value::Array(items)) => items.iter().any(|v| v.as_str() == Some(self.value.as_str())),
            _ => false,
        }
    }
}

/// The payload of an ID token that openidconnect has already verified (signature, issuer,
/// audience, expiry, nonce): only read for claims the standard set does not name.
fn verified_payload(jwt: &str) -> serde_json::Map<String, serde_json::Value> {
    use base64::Engine;
    jwt.split('.')
        .nth(1)
        .and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

impl std::fmt::Debug for OidcProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcProvider")
            .field("name", &self.name)
            .field("label", &self.label)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "<redacted>"))
            .field("claim_rules", &self.claim_rules)
            .finish()
    }
}

impl OidcProvider {
    /// Checks an operator's entry; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        let name_ok = !self.name.is_empty() && self.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !name_ok {
            return Err(format!("provider name '{}': use lower-case letters, digits and '-'", self.name));
        }
        IssuerUrl::new(self.issuer.clone()).map_err(|e| format!("provider '{}': issuer: {e}", self.name))?;
        if self.client_id.trim().is_empty() || self.label.trim().is_empty() {
            return Err(format!("provider '{}': client_id and label are required", self.name));
        }
        Ok(())
    }
}

/// A provider as pages show it.
#[derive(Debug, Clone)]
pub struct ProviderLink {
    pub name: String,
    pub label: String,
}

pub(crate) fn provider_links(state: &AppState) -> Vec<ProviderLink> {
    state.config.oidc.iter().map(|p| ProviderLink { name: p.name.clone(), label: p.label.clone() }).collect()
}

/// What a sign-in is for, carried through the provider in the flow cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Purpose {
    Login,
    /// Link to the account logged in when the callback arrives (checked then, not at start).
    Link,
    /// Accept the invitation with this token.
    Invitation(String),
}

impl Purpose {
    fn encode(&self) -> String {
        match self {
            Purpose::Login => "login".into(),
            Purpose::Link => "link".into(),
            Purpose::Invitation(t) => format!("invite-{t}"),
        }
    }

    fn decode(s: &str) -> Option<Purpose> {
        match s {
            "login" => Some(Purpose::Login),
            "link" => Some(Purpose::Link),
            _ => s.strip_prefix("invite-").filter(|t| t.chars().all(|c| c.is_ascii_alphanumeric())).map(|t| Purpose::Invitation(t.into())),
        }
    }
}

/// The flow cookie's content: provider, purpose, state, nonce, PKCE verifier. Each part is
/// base64url or hex, so '.' separates them unambiguously.
#[derive(Debug)]
struct Flow {
    provider: String,
    purpose: Purpose,
    state: String,
    nonce: String,
    verifier: String,
    /// For a link flow, the hash of the session that started it ("-" otherwise).
    binding: String,
}

/// What a link flow is bound to: a keyed hash of the session secret, never the secret itself.
fn session_binding(state: &AppState, secret: &str) -> String {
    state.app.oidc_flow_tag(&format!("session:{secret}"))
}

impl Flow {
    /// The cookie value: the parts, then the keyed tag over them.
    fn encode(&self, state: &AppState) -> String {
        let content =
            format!("{}.{}.{}.{}.{}.{}", self.provider, self.purpose.encode(), self.state, self.nonce, self.verifier, self.binding);
        let tag = state.app.oidc_flow_tag(&content);
        format!("{content}.{tag}")
    }

    /// The flow, when the cookie is one this installation made and nobody altered.
    fn decode(state: &AppState, s: &str) -> Option<Flow> {
        let (content, tag) = s.rsplit_once('.')?;
        if !crate::auth::constant_time_eq(tag, &state.app.oidc_flow_tag(content)) {
            return None;
        }
        let mut parts = content.split('.');
        let flow = Flow {
            provider: parts.next()?.to_owned(),
            purpose: Purpose::decode(parts.next()?)?,
            state: parts.next()?.to_owned(),
            nonce: parts.next()?.to_owned(),
            verifier: parts.next()?.to_owned(),
            binding: parts.next()?.to_owned(),
        };
        parts.next().is_none().then_some(flow)
    }
}

/// Why a sign-in failed; every case is shown as a page, none leaks a token.
#[derive(Debug, thiserror::Error)]
enum FlowError {
    #[error("unknown sign-in provider")]
    UnknownProvider,
    #[error("sign-in with this provider needs the installation's public URL (serve --public-url)")]
    NoPublicUrl,
    #[error("the identity provider could not be reached or answered wrongly: {0}")]
    Provider(String),
    #[error("the sign-in expired or did not start in this browser; please start again")]
    BadState,
    #[error("the identity provider refused the sign-in: {0}")]
    Refused(String),
    #[error("the identity provider's answer could not be verified: {0}")]
    Unverified(String),
}

fn http_client() -> Result<openidconnect::reqwest::Client, FlowError> {
    // No redirects: a token endpoint that redirects could send the code and verifier elsewhere (SSRF).
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|e| FlowError::Provider(e.to_string()))
}

fn find<'a>(state: &'a AppState, name: &str) -> Result<&'a OidcProvider, FlowError> {
    state.config.oidc.iter().find(|p| p.name == name).ok_or(FlowError::UnknownProvider)
}

fn redirect_url(state: &AppState, provider: &OidcProvider) -> Result<RedirectUrl, FlowError> {
    let link = state.app.public_link(&format!("/auth/oidc/{}/callback", provider.name));
    RedirectUrl::new(link).map_err(|_| FlowError::NoPublicUrl)
}

/// Discovery each time: providers rotate keys, and a sign-in is rare enough not to need a cache.
async fn discover(provider: &OidcProvider, http: &openidconnect::reqwest::Client) -> Result<CoreProviderMetadata, FlowError> {
    let issuer = IssuerUrl::new(provider.issuer.clone()).map_err(|e| FlowError::Provider(e.to_string()))?;
    CoreProviderMetadata::discover_async(issuer, http).await.map_err(|e| FlowError::Provider(error_chain(&e)))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

fn flow_page(state: &AppState, e: &FlowError) -> Response {
    let status = match e {
        FlowError::UnknownProvider => StatusCode::NOT_FOUND,
        FlowError::NoPublicUrl | FlowError::Provider(_) => StatusCode::BAD_GATEWAY,
        FlowError::BadState | FlowError::Refused(_) | FlowError::Unverified(_) => StatusCode::BAD_REQUEST,
    };
    if let FlowError::Provider(detail) | FlowError::Unverified(detail) = e {
        tracing::warn!("OIDC sign-in failed: {detail}");
    }
    clear_flow(state, crate::pages::login::login_page(state, status, String::new(), String::new(), Some(e.to_string()), false))
}

fn clear_flow(state: &AppState, mut resp: Response) -> Response {
    if let Ok(v) = set_cookie(FLOW_COOKIE, "", Some(0), state.config.secure_cookies).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    /// Link the provider to the logged-in account instead of logging in.
    #[serde(default)]
    link: Option<String>,
    /// Accept the invitation with this token.
    #[serde(default)]
    invitation: Option<String>,
}

/// The start form: only the CSRF token (link or invitation come in the action's query).
#[derive(Debug, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /auth/oidc/{provider}/start`: off to the provider. With a session the middleware has checked
/// the session's CSRF token; without one, the form's token must match the login page's cookie.
pub async fn start(
    State(state): State<AppState>,
    session: Option<PageActor>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(q): Query<StartQuery>,
    axum::Form(form): axum::Form<StartForm>,
) -> Response {
    if session.is_none() {
        let cookie = cookie_value(&headers, crate::auth::LOGIN_CSRF_COOKIE).unwrap_or_default();
        if q.link.is_none() && (cookie.is_empty() || !crate::auth::constant_time_eq(&cookie, &form.csrf)) {
            return flow_page(&state, &FlowError::BadState);
        }
    }
    let mut binding = "-".to_owned();
    let purpose = match (q.link.is_some(), q.invitation) {
        (true, _) => {
            let Some(p) = &session else { return Redirect::to("/login").into_response() };
            binding = session_binding(&state, &p.secret);
            Purpose::Link
        }
        (false, Some(token)) => match Purpose::decode(&format!("invite-{}", token.trim())) {
            Some(p) => p,
            None => return flow_page(&state, &FlowError::BadState),
        },
        (false, None) => Purpose::Login,
    };
    match start_flow(&state, &name, purpose, binding).await {
        Ok(resp) => resp,
        Err(e) => flow_page(&state, &e),
    }
}

async fn start_flow(state: &AppState, name: &str, purpose: Purpose, binding: String) -> Result<Response, FlowError> {
    let provider = find(state, name)?;
    let redirect = redirect_url(state, provider)?;
    let http = http_client()?;
    let metadata = discover(provider, &http).await?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        provider.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("openid".into()))
        .set_pkce_challenge(challenge)
        .url();
    let flow = Flow {
        provider: provider.name.clone(),
        purpose,
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        binding,
    };
    let mut resp = Redirect::to(url.as_str()).into_response();
    if let Ok(v) = set_cookie(FLOW_COOKIE, &flow.encode(state), Some(FLOW_MAX_AGE_SECS), state.config.secure_cookies).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// A verified sign-in: who the provider says this is.
struct Verified {
    issuer: String,
    subject: String,
    /// The e-mail claim: never used to find an account, only as the address of one a claim rule creates.
    email: Option<String>,
    /// The first operator rule the token's claims match.
    rule: Option<ClaimRule>,
    purpose: Purpose,
    /// The session a link flow was started from (hash), "-" for other flows.
    binding: String,
}

async fn finish_flow(state: &AppState, name: &str, headers: &HeaderMap, q: CallbackQuery) -> Result<Verified, FlowError> {
    let provider = find(state, name)?;
    let flow = cookie_value(headers, FLOW_COOKIE).and_then(|v| Flow::decode(state, &v)).ok_or(FlowError::BadState)?;
    // The state ties the answer to this browser's own start (no login CSRF, no injected codes).
    let state_ok = q.state.as_deref().is_some_and(|s| crate::auth::constant_time_eq(s, &flow.state));
    if flow.provider != provider.name || !state_ok {
        return Err(FlowError::BadState);
    }
    if let Some(err) = q.error {
        return Err(FlowError::Refused(q.error_description.map(|d| format!("{err}: {d}")).unwrap_or(err)));
    }
    let code = q.code.ok_or(FlowError::BadState)?;
    let redirect = redirect_url(state, provider)?;
    let http = http_client()?;
    let metadata = discover(provider, &http).await?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        provider.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect);
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| FlowError::Provider(error_chain(&e)))?
        .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier))
        .request_async(&http)
        .await
        .map_err(|e| FlowError::Refused(error_chain(&e)))?;
    let id_token = token.id_token().ok_or_else(|| FlowError::Unverified("no ID token in the answer".into()))?;
    let verifier = client.id_token_verifier();
    let claims = id_token.claims(&verifier, &Nonce::new(flow.nonce)).map_err(|e| FlowError::Unverified(error_chain(&e)))?;
    let payload = verified_payload(&id_token.to_string());
    let rule = provider.claim_rules.iter().find(|r| r.matches(&payload)).cloned();
    let email = claims.email().map(|e| e.as_str().to_owned()).filter(|_| claims.email_verified() == Some(true));
    Ok(Verified {
        issuer: claims.issuer().as_str().to_owned(),
        subject: claims.subject().as_str().to_owned(),
        email,
        rule,
        purpose: flow.purpose,
        binding: flow.binding,
    })
}

/// `GET /auth/oidc/{provider}/callback`: the provider sends the browser back here (a GET: it is the
/// provider's redirect; the state, the tagged flow cookie and, for links, the session binding guard it).
pub async fn callback(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    session: Option<PageActor>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let verified = match finish_flow(&state, &name, &headers, q).await {
        Ok(v) => v,
        Err(e) => return flow_page(&state, &e),
    };
    let address = crate::pages::login::client_address(&state, connect, &headers);
    let resp = match verified.purpose {
        Purpose::Login => match login_or_provision(&state, &verified, &address).await {
            Ok(outcome) => {
                let target = if outcome.organisations > 1 { "/account" } else { "/" };
                crate::pages::login::logged_in(&state, &outcome, target)
            }
            Err(e @ AppError::Unauthenticated(_)) => crate::pages::login::login_page(
                &state,
                StatusCode::FORBIDDEN,
                String::new(),
                String::new(),
                Some(crate::pages::form_error(&e)),
                false,
            ),
            Err(e) => crate::pages::error_page(&e),
        },
        Purpose::Link => {
            // The account is the one logged in now, never one named in the cookie, and only the
            // session that started the flow may finish it.
            let Some(p) = session else { return clear_flow(&state, Redirect::to("/login").into_response()) };
            if !crate::auth::constant_time_eq(&session_binding(&state, &p.secret), &verified.binding) {
                return flow_page(&state, &FlowError::BadState);
            }
            match state.app.link_oidc(&p.actor, &verified.issuer, &verified.subject).await {
                Ok(_) => Redirect::to("/account?linked=1").into_response(),
                Err(e) => crate::pages::error_page(&e),
            }
        }
        // A session in this browser is never ended silently by an invitation a link brought here
        // (a page elsewhere could start this flow): its holder logs out first.
        Purpose::Invitation(_) if session.is_some() => crate::pages::error_page(&AppError::Conflict(
            "you are logged in: log out before accepting an invitation with an identity provider".into(),
        )),
        Purpose::Invitation(token) => match state.app.accept_invitation_oidc(&token, &verified.issuer, &verified.subject, &address).await {
            Ok(outcome) => crate::pages::login::logged_in(&state, &outcome, "/"),
            Err(e) => crate::pages::error_page(&e),
        },
    };
    clear_flow(&state, resp)
}

/// Log in a linked sign-in; an unlinked one that matches an operator claim rule gets its account
/// and membership first (crosswalk_app::oidc::App::provision_oidc).
async fn login_or_provision(state: &AppState, v: &Verified, address: &str) -> Result<crosswalk_app::LoginOutcome, AppError> {
    match state.app.oidc_login(&v.issuer, &v.subject, address, None).await {
        Err(AppError::Unauthenticated(m)) if m == crosswalk_app::oidc::NOT_LINKED => {
            let Some(rule) = &v.rule else { return Err(AppError::Unauthenticated(m)) };
            state
                .app
                .provision_oidc(&v.issuer, &v.subject, v.email.as_deref(), &rule.organisation, rule.role, &rule.claim, &rule.value, address)
                .await
        }
        other => other,
    }
}
