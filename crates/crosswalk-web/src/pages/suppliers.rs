//! `/suppliers`: the supplier register with criticality, missing contract clauses, review dates
//! (overdue in red) and the latest assessment; a supplier's page records clauses and assessments.
use super::{Nav, PermittedForm, error_page, form_error, needs, render_with};
use crate::AppState;
use crate::auth::PageActor;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::AppError;
use crosswalk_app::suppliers::{NewAssessment, NewSupplier, SupplierChange, SupplierView};
use crosswalk_domain::Permission;
use crosswalk_domain::suppliers::{Answer, CONTRACT_CLAUSES, Item, QUESTIONS};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "suppliers.html")]
struct SuppliersPage {
    nav: Nav,
    suppliers: Vec<SupplierView>,
    can_manage: bool,
    flash_error: Option<String>,
}

#[derive(Template)]
#[template(path = "supplier.html")]
struct SupplierPage {
    nav: Nav,
    s: SupplierView,
    clauses: &'static [Item],
    questions: &'static [Item],
    can_manage: bool,
    flash_error: Option<String>,
}

async fn list_page(state: &AppState, p: &PageActor, status: StatusCode, flash_error: Option<String>) -> Response {
    match state.app.list_suppliers(&p.actor).await {
        Ok(suppliers) => render_with(
            status,
            &SuppliersPage { nav: Nav::new(p, "suppliers"), suppliers, can_manage: p.actor.can(Permission::ManageCompliance), flash_error },
        ),
        Err(e) => error_page(&e),
    }
}

pub async fn list(State(state): State<AppState>, p: PageActor) -> Response {
    list_page(&state, &p, StatusCode::OK, None).await
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    name: String,
    #[serde(default)]
    services: String,
    criticality: String,
    #[serde(default)]
    contact: String,
}

pub async fn create(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, CreateForm>,
) -> Response {
    let criticality = match f.criticality.parse() {
        Ok(c) => c,
        Err(e) => return list_page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, Some(AppError::Invalid(e).to_string())).await,
    };
    let new = NewSupplier { name: f.name, services: f.services, criticality, contact: f.contact, clauses: vec![], next_review_on: None };
    match state.app.create_supplier(&p.actor, new).await {
        Ok(s) => Redirect::to(&format!("/suppliers/{}", s.id)).into_response(),
        Err(e @ AppError::Invalid(_)) => list_page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}

async fn detail(state: &AppState, p: &PageActor, id: uuid::Uuid, status: StatusCode, flash_error: Option<String>) -> Response {
    match state.app.get_supplier(&p.actor, id).await {
        Ok(s) => render_with(
            status,
            &SupplierPage {
                nav: Nav::new(p, "suppliers"),
                s,
                clauses: CONTRACT_CLAUSES,
                questions: QUESTIONS,
                can_manage: p.actor.can(Permission::ManageCompliance),
                flash_error,
            },
        ),
        Err(e) => error_page(&e),
    }
}

fn not_found(raw: &str) -> Response {
    error_page(&AppError::NotFound(format!("supplier {raw}")))
}

pub async fn show(State(state): State<AppState>, p: PageActor, Path(supplier_id): Path<String>) -> Response {
    match supplier_id.parse() {
        Ok(id) => detail(&state, &p, id, StatusCode::OK, None).await,
        Err(_) => not_found(&supplier_id),
    }
}

/// Plain forms send one field per checked box (`clause_<key>=on`) and per answer (`answer_<key>=yes`).
fn prefixed(fields: &[(String, String)], prefix: &str) -> Vec<(String, String)> {
    fields.iter().filter_map(|(k, v)| k.strip_prefix(prefix).map(|key| (key.to_owned(), v.clone()))).collect()
}

pub async fn clauses(
    State(state): State<AppState>,
    p: PageActor,
    Path(supplier_id): Path<String>,
    PermittedForm(fields, _): PermittedForm<needs::ManageCompliance, Vec<(String, String)>>,
) -> Response {
    let Ok(id) = supplier_id.parse::<uuid::Uuid>() else { return not_found(&supplier_id) };
    let keys = prefixed(&fields, "clause_").into_iter().map(|(k, _)| k).collect();
    finish(&state, &p, id, state.app.change_supplier(&p.actor, id, SupplierChange { clauses: Some(keys), ..Default::default() }).await)
        .await
}

pub async fn assess(
    State(state): State<AppState>,
    p: PageActor,
    Path(supplier_id): Path<String>,
    PermittedForm(fields, _): PermittedForm<needs::ManageCompliance, Vec<(String, String)>>,
) -> Response {
    let Ok(id) = supplier_id.parse::<uuid::Uuid>() else { return not_found(&supplier_id) };
    let mut answers = std::collections::BTreeMap::new();
    for (k, v) in prefixed(&fields, "answer_") {
        let a = match v.as_str() {
            "yes" => Answer::Yes,
            "partial" => Answer::Partial,
            _ => Answer::No,
        };
        answers.insert(k, a);
    }
    finish(&state, &p, id, state.app.assess_supplier(&p.actor, id, NewAssessment { answers, assessed_on: None }).await).await
}

async fn finish(state: &AppState, p: &PageActor, id: uuid::Uuid, result: Result<SupplierView, AppError>) -> Response {
    match result {
        Ok(_) => Redirect::to(&format!("/suppliers/{id}")).into_response(),
        Err(e @ AppError::Invalid(_)) => detail(state, p, id, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await,
        Err(e) => error_page(&e),
    }
}
