//! `/api/v1/suppliers`: the supplier register, contract clauses, reviews and assessments.
use super::parse_id;
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::{PermittedJson, needs};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crosswalk_app::suppliers::{NewAssessment, NewSupplier, SupplierChange, SupplierView};

#[utoipa::path(get, path = "/api/v1/suppliers", tag = "nis2", responses((status = 200, body = [SupplierView]), (status = 401, body = Problem)))]
pub async fn list(State(s): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<SupplierView>>> {
    Ok(Json(s.app.list_suppliers(&actor).await?))
}

#[utoipa::path(post, path = "/api/v1/suppliers", tag = "nis2", request_body = NewSupplier,
    responses((status = 201, body = SupplierView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, NewSupplier>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(s.app.create_supplier(&actor, body).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/suppliers/{supplier_id}", tag = "nis2", params(("supplier_id" = uuid::Uuid, Path, description = "Supplier id")),
    responses((status = 200, body = SupplierView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(supplier_id): Path<String>,
) -> Result<Json<SupplierView>, Response> {
    let id: uuid::Uuid = parse_id("supplier_id", &supplier_id).map_err(IntoResponse::into_response)?;
    s.app.get_supplier(&actor, id).await.map(Json).map_err(|e| ApiError(e).into_response())
}

#[utoipa::path(patch, path = "/api/v1/suppliers/{supplier_id}", tag = "nis2", params(("supplier_id" = uuid::Uuid, Path, description = "Supplier id")), request_body = SupplierChange,
    responses((status = 200, body = SupplierView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(supplier_id): Path<String>,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, SupplierChange>,
) -> Result<Json<SupplierView>, Response> {
    let id: uuid::Uuid = parse_id("supplier_id", &supplier_id).map_err(IntoResponse::into_response)?;
    s.app.change_supplier(&actor, id, body).await.map(Json).map_err(|e| ApiError(e).into_response())
}

#[utoipa::path(post, path = "/api/v1/suppliers/{supplier_id}/assessments", tag = "nis2", params(("supplier_id" = uuid::Uuid, Path, description = "Supplier id")), request_body = NewAssessment,
    responses((status = 200, body = SupplierView, description = "The supplier with its new latest assessment and next review date"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn assess(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(supplier_id): Path<String>,
    PermittedJson(body, _): PermittedJson<needs::ManageCompliance, NewAssessment>,
) -> Result<Json<SupplierView>, Response> {
    let id: uuid::Uuid = parse_id("supplier_id", &supplier_id).map_err(IntoResponse::into_response)?;
    s.app.assess_supplier(&actor, id, body).await.map(Json).map_err(|e| ApiError(e).into_response())
}
