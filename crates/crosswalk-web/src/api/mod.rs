//! The JSON API under `/api/v1`. Each handler carries its `#[utoipa::path]`, and `routes!` registers
//! route and documentation together, so the OpenAPI document cannot drift from the router.
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod attestations;
mod catalog;
mod controls;
mod deadlines;
mod evidence;
mod incidents;
mod invitations;
mod journal;
mod management;
mod nis2;
pub(crate) mod soa;
mod suppliers;
mod tenants;
mod tokens;
mod users;

#[derive(OpenApi)]
#[openapi(
    info(title = "Crosswalk API", description = "Crosswalk ISMS/GRC: organisations, members, API tokens and the tamper-evident journal. Errors are RFC 9457 problem documents.", license(name = "Apache-2.0")),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    components(schemas(crate::error::Problem)),
    tags(
        (name = "tenants", description = "The caller's organisations"),
        (name = "users", description = "Members and their roles"),
        (name = "tokens", description = "API tokens"),
        (name = "journal", description = "The hash-chained journal of every change"),
        (name = "incidents", description = "Incident register and reporting clocks (NIS2, GDPR, DORA)"),
        (name = "nis2", description = "NIS2 scoping: sectors, entity types, classification"),
        (name = "catalog", description = "Frameworks, typed IR 8477 mappings, coverage and readiness"),
        (name = "controls", description = "Unified controls, evidence and attestations"),
        (name = "soa", description = "Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d)")
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::SESSION_COOKIE,
                "Browser session; unsafe methods also need the X-CSRF-Token header",
            ))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(tenants::me))
        .routes(routes!(tenants::list_tenants))
        .routes(routes!(tenants::current_tenant, tenants::rename_tenant))
        .routes(routes!(users::list_users))
        .routes(routes!(invitations::list, invitations::create))
        .routes(routes!(invitations::revoke))
        .routes(routes!(invitations::account))
        .routes(routes!(invitations::request_verification))
        .routes(routes!(invitations::logins))
        .routes(routes!(invitations::unlink))
        .routes(routes!(users::get_user, users::change_user, users::remove_user))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(journal::list_entries))
        .routes(routes!(journal::get_entry))
        .routes(routes!(journal::verify))
        .routes(routes!(journal::export_checkpoint))
        .routes(routes!(journal::verify_checkpoint))
        .routes(routes!(journal::public_key))
        .routes(routes!(deadlines::deadlines))
        .routes(routes!(incidents::list_incidents, incidents::create_incident))
        .routes(routes!(incidents::get_incident, incidents::change_incident))
        .routes(routes!(incidents::record_submission))
        .routes(routes!(incidents::draft))
        .routes(routes!(incidents::significance_proposal))
        .routes(routes!(incidents::notifications))
        .routes(routes!(nis2::sectors))
        .routes(routes!(nis2::scope))
        .routes(routes!(nis2::get_profile, nis2::put_profile))
        .routes(routes!(nis2::art21))
        .routes(routes!(nis2::get_registration, nis2::put_registration))
        .routes(routes!(nis2::registration_reported))
        .routes(routes!(management::overview))
        .routes(routes!(management::approve))
        .routes(routes!(management::train))
        .routes(routes!(suppliers::list, suppliers::create))
        .routes(routes!(suppliers::get, suppliers::change))
        .routes(routes!(suppliers::assess))
        .routes(routes!(catalog::list))
        .routes(routes!(catalog::detail))
        .routes(routes!(catalog::pack))
        .routes(routes!(catalog::requirement))
        .routes(routes!(catalog::import))
        .routes(routes!(catalog::import_mappings))
        .routes(routes!(catalog::mapping_stats))
        .routes(routes!(catalog::follow, catalog::unfollow))
        .routes(routes!(catalog::mappings, catalog::add_relation))
        .routes(routes!(catalog::delete_relation))
        .routes(routes!(catalog::coverage))
        .routes(routes!(catalog::readiness))
        .routes(routes!(catalog::sign_off))
        .routes(routes!(catalog::posture))
        .routes(routes!(controls::list, controls::create))
        .routes(routes!(controls::get, controls::change))
        .routes(routes!(controls::link, controls::unlink))
        .routes(routes!(evidence::list_evidence, evidence::upload))
        .routes(routes!(evidence::add_record))
        .routes(routes!(evidence::change_evidence))
        .routes(routes!(evidence::link_evidence))
        .routes(routes!(attestations::attestations, attestations::attest))
        .routes(routes!(soa::draft))
        .routes(routes!(soa::decide))
        .routes(routes!(soa::versions, soa::publish))
        .routes(routes!(soa::version))
        .routes(routes!(soa::approve))
        .routes(routes!(soa::diff))
        .routes(routes!(soa::export))
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.app.health().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// The role check for handlers that must refuse before reading their query or body (403 before 422).
pub(crate) fn require(
    actor: &crosswalk_app::Actor,
    permission: crosswalk_domain::Permission,
    what: &str,
) -> Result<(), crate::error::ApiError> {
    if actor.can(permission) { Ok(()) } else { Err(crosswalk_app::AppError::Forbidden(what.into()).into()) }
}

/// Parse an id from a path segment, or 422 naming the parameter.
pub(crate) fn parse_id<T: std::str::FromStr>(name: &str, raw: &str) -> Result<T, crate::error::Problem> {
    raw.parse().map_err(|_| crate::error::Problem::invalid(name, format!("{name}: '{raw}' is not a valid id")))
}

/// A query-string rejection as a 422 naming the parameter (serde says "missing field `x`" or
/// "x: invalid digit" in its message).
pub(crate) fn query_problem(e: axum::extract::rejection::QueryRejection) -> crate::error::ApiError {
    let text = e.body_text();
    let field = text
        .split("missing field `")
        .nth(1)
        .and_then(|r| r.split('`').next())
        .or_else(|| {
            text.strip_prefix("Failed to deserialize query string: ").and_then(|r| r.split(':').next()).filter(|f| !f.contains(' '))
        })
        .unwrap_or("query")
        .to_owned();
    crosswalk_app::AppError::invalid(&field, text).into()
}
