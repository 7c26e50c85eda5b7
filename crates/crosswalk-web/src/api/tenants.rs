//! `/api/v1/me`, `/api/v1/tenants`, `/api/v1/tenant`.
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::ApiResult;
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::extract::State;
use crosswalk_app::tenants::TenantView;
use crosswalk_domain::Role;
use serde::{Deserialize, Serialize};

/// Who the caller is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user_id: Option<uuid::Uuid>,
    pub email: Option<String>,
    pub tenant: String,
    pub role: Role,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "tenants", responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)))]
pub async fn me(ApiActor(actor): ApiActor) -> Json<Me> {
    Json(Me {
        user_id: actor.user().map(|u| u.0),
        email: actor.email().map(str::to_owned),
        tenant: actor.tenant_slug().to_owned(),
        role: actor.role(),
    })
}

#[utoipa::path(get, path = "/api/v1/tenants", tag = "tenants", responses((status = 200, body = [TenantView]), (status = 401, body = crate::error::Problem)))]
pub async fn list_tenants(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<TenantView>>> {
    Ok(Json(s.app.my_tenants(&actor).await?))
}

#[utoipa::path(get, path = "/api/v1/tenant", tag = "tenants", responses((status = 200, body = TenantView), (status = 401, body = crate::error::Problem)))]
pub async fn current_tenant(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<TenantView>> {
    Ok(Json(s.app.current_tenant(&actor).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantChange {
    pub name: String,
}

#[utoipa::path(patch, path = "/api/v1/tenant", tag = "tenants", request_body = TenantChange,
    responses((status = 200, body = TenantView), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn rename_tenant(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageTenant, TenantChange>,
) -> ApiResult<Json<TenantView>> {
    Ok(Json(s.app.rename_tenant(&actor, &body.name).await?))
}
