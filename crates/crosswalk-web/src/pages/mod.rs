//! HTML pages. Each handler takes a [`PageActor`], calls the app once or twice, and renders a template.
//! Pages work without JavaScript; htmx only makes some actions (journal verification) update in place.
use crate::AppState;
use crate::auth::PageActor;
use crate::error::{public_message, status_of};
use crate::json::Needs;
pub(crate) use crate::json::needs;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use crosswalk_app::AppError;
use crosswalk_domain::Permission;
use std::marker::PhantomData;

mod accounts;
mod catalog;
mod controls;
mod dashboard;
mod incidents;
mod journal;
pub(crate) mod login;
mod management;
mod nis2;
mod soa;
mod suppliers;
mod tokens;
mod users;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/organisation", post(dashboard::rename))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/users", get(users::list))
        .route("/users/invitations", post(users::invite))
        .route("/users/invitations/{invitation_id}/revoke", post(users::revoke_invitation))
        .route("/invite/{token}", get(accounts::invite).post(accounts::redeem))
        .route("/invite/{token}/accept", post(accounts::accept))
        .route("/verify-email/{token}", get(accounts::verify_form).post(accounts::verify_submit))
        .route("/account", get(accounts::organisations))
        .route("/account/switch", post(accounts::switch))
        .route("/account/verification", post(accounts::request_verification))
        .route("/account/logins/{link_id}/unlink", post(accounts::unlink))
        .route("/auth/oidc/{provider}/start", post(crate::oidc::start))
        .route("/auth/oidc/{provider}/callback", get(crate::oidc::callback))
        .route("/users/{user_id}", post(users::change))
        .route("/users/{user_id}/remove", post(users::remove))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{token_id}/revoke", post(tokens::revoke))
        .route("/incidents", get(incidents::list).post(incidents::create))
        .route("/incidents/{incident_id}", get(incidents::show).post(incidents::change))
        .route("/incidents/{incident_id}/submissions", post(incidents::submit))
        .route("/incidents/{incident_id}/drafts/{step}", get(incidents::draft))
        .route("/nis2/scope", get(nis2::scope))
        .route("/nis2/profile", post(nis2::save))
        .route("/nis2/art21", get(nis2::art21))
        .route("/nis2/registration", get(nis2::registration).post(nis2::save_registration))
        .route("/nis2/registration/reported", post(nis2::registration_reported))
        .route("/suppliers", get(suppliers::list).post(suppliers::create))
        .route("/suppliers/{supplier_id}", get(suppliers::show))
        .route("/suppliers/{supplier_id}/clauses", post(suppliers::clauses))
        .route("/suppliers/{supplier_id}/assessments", post(suppliers::assess))
        .route("/management-body", get(management::show))
        .route("/management-body/approvals", post(management::approve))
        .route("/management-body/trainings", post(management::train))
        .route("/frameworks", get(catalog::list))
        .route("/frameworks/follow", post(catalog::follow))
        .route("/frameworks/import", post(catalog::import))
        .route("/frameworks/view", get(catalog::framework))
        .route("/frameworks/pack", post(catalog::pack))
        .route("/requirement", get(catalog::requirement))
        .route("/requirement/relations", post(catalog::add_relation))
        .route("/requirement/relations/delete", post(catalog::delete_relation))
        .route("/requirement/signoff", post(catalog::sign_off))
        .route("/coverage", get(catalog::coverage))
        .route("/readiness", get(catalog::readiness))
        .route("/compare", get(catalog::compare))
        .route("/controls", get(controls::list).post(controls::create))
        .route("/controls/{control_id}", get(controls::show).post(controls::change))
        .route("/controls/{control_id}/links", post(controls::link))
        .route("/controls/{control_id}/links/delete", post(controls::unlink))
        .route("/controls/{control_id}/evidence", post(controls::upload))
        .route("/controls/{control_id}/records", post(controls::add_record))
        .route("/controls/{control_id}/evidence-links", post(controls::link_existing))
        .route("/controls/{control_id}/attestations", post(controls::attest))
        .route("/evidence", get(controls::evidence_list))
        .route("/requirement/attestations", post(catalog::attest))
        .route("/evidence/{evidence_id}/validity", post(controls::validity))
        .route("/soa", get(soa::show))
        .route("/soa/decisions", post(soa::decide))
        .route("/soa/versions", post(soa::publish))
        .route("/soa/approvals", post(soa::approve))
        .route("/soa/print", get(soa::print))
        .route("/soa/diff", get(soa::diff))
        .route("/soa/export.xlsx", get(soa::export))
        .route("/journal", get(journal::list))
        .route("/journal/verify", post(journal::verify))
        .route("/journal/verify-deep", post(journal::verify_deep))
        .route("/journal/checkpoint", post(journal::checkpoint))
        .route("/journal/public-key.pem", get(journal::public_key_pem))
}

/// What the layout shows: organisation, person, navigation, CSRF token.
#[derive(Debug, Clone)]
pub struct Nav {
    pub org_name: String,
    pub email: String,
    pub role: String,
    pub csrf: String,
    pub active: &'static str,
    pub can_manage_users: bool,
    pub can_read_journal: bool,
}

impl Nav {
    pub fn new(p: &PageActor, active: &'static str) -> Self {
        Self {
            org_name: p.actor.tenant_name().to_owned(),
            email: p.actor.email().unwrap_or_default().to_owned(),
            role: p.actor.role().to_string(),
            csrf: p.csrf.clone(),
            active,
            can_manage_users: p.actor.can(Permission::ManageUsers),
            can_read_journal: p.actor.can(Permission::ReadJournal),
        }
    }
}

/// Render a template; a render failure is logged and shown as a plain 500.
pub fn render(t: &impl Template) -> Response {
    render_with(StatusCode::OK, t)
}

pub fn render_with(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page could not be rendered").into_response()
        }
    }
}

/// A page-level error: the status the app error means, with a minimal readable page.
pub fn error_page(e: &AppError) -> Response {
    let status = status_of(e);
    let msg = public_message(e);
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main><div class=\"flash bad\" role=\"alert\">{}</div><p><a href=\"/\">Back to the dashboard</a></p></main></body></html>",
        askama::filters::escape(&msg, askama::filters::Html).map(|s| s.to_string()).unwrap_or_default()
    );
    (status, Html(body)).into_response()
}

/// A form read only once the caller's role allows the action: without the permission the answer is the
/// 403 page whatever was sent, never a message about the fields (issue 11: the role check comes
/// before validation). The permission is the weakest under which the app call could succeed; the app
/// checks the exact rule again.
#[derive(Debug)]
pub struct PermittedForm<N: Needs, T>(pub T, pub PhantomData<N>);

impl<N: Needs, T: serde::de::DeserializeOwned> axum::extract::FromRequest<AppState> for PermittedForm<N, T> {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = req.into_parts();
        let p = PageActor::from_request_parts(&mut parts, state).await?;
        if !p.actor.can(N::PERMISSION) {
            return Err(error_page(&AppError::Forbidden(N::WHAT.into())));
        }
        let axum::Form(value) = axum::Form::<T>::from_request(axum::extract::Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(PermittedForm(value, PhantomData))
    }
}

/// A page's query string, bounded like the API's ([`crate::params`]): a bad value is the error page
/// with 422 naming the parameter, not axum's plain-text rejection.
#[derive(Debug)]
pub struct PageQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<AppState> for PageQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(q)) => Ok(PageQuery(q)),
            Err(rejection) => Err(error_page(&crate::api::query_problem(rejection).0)),
        }
    }
}

/// The display string of a (field, message) pair for forms.
pub fn form_error(e: &AppError) -> String {
    public_message(e)
}

/// An optional date field of a form (`YYYY-MM-DD`; empty means none), or the message naming it.
pub(crate) fn optional_date(raw: &str, field: &str) -> Result<Option<chrono::NaiveDate>, String> {
    match raw.trim() {
        "" => Ok(None),
        d => d.parse().map(Some).map_err(|_| format!("{field}: '{d}' is not a date (YYYY-MM-DD)")),
    }
}
