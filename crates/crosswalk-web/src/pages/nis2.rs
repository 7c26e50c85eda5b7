//! `/nis2/scope`: the NIS2 scoping wizard. A GET form (it changes nothing), answered on the same page
//! with the classification, the articles it rests on, the maximum fine and the duties.
use super::{Nav, render_with};
use crate::auth::PageActor;
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use crosswalk_domain::nis2::{ENTITY_TYPES, EntityType, ScopeInput, ScopeResult};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "nis2_scope.html")]
struct ScopePage {
    nav: Nav,
    types: &'static [EntityType],
    form: ScopeForm,
    result: Option<ScopeResult>,
    classification: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ScopeForm {
    #[serde(default)]
    entity_type: String,
    #[serde(default)]
    employees: String,
    #[serde(default)]
    turnover_eur: String,
    #[serde(default)]
    balance_eur: String,
}

fn number(field: &str, raw: &str) -> Result<i64, String> {
    raw.trim().replace([' ', ','], "").parse().map_err(|_| format!("{field}: '{raw}' is not a whole number"))
}

pub async fn scope(p: PageActor, Query(form): Query<ScopeForm>) -> Response {
    let (mut result, mut error) = (None, None);
    if !form.entity_type.is_empty() {
        let input = (|| {
            Ok::<_, String>(ScopeInput {
                entity_type: form.entity_type.clone(),
                sector: None,
                subsector: None,
                employees: number("employees", &form.employees)?,
                turnover_eur: number("turnover_eur", &form.turnover_eur)?,
                balance_eur: number("balance_eur", &form.balance_eur)?,
            })
        })();
        match input.and_then(|i| crosswalk_app::nis2::scope(&i).map_err(|e| e.to_string())) {
            Ok(r) => result = Some(r),
            Err(e) => error = Some(e),
        }
    }
    let classification =
        result.as_ref().map(|r| format!("{:?}", r.classification).replace("OutOfScope", "Out of scope")).unwrap_or_default();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_with(status, &ScopePage { nav: Nav::new(&p, "nis2"), types: ENTITY_TYPES, form, result, classification, error })
}
