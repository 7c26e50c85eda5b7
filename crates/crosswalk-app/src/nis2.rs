//! NIS2 scoping from raw input (CLI flags, API query): the rules themselves are pure domain code.
use crate::AppResult;
use crosswalk_domain::nis2::{self, EntityType, ScopeInput, ScopeResult};
use serde::Deserialize;

/// The scoping question.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct ScopeQuery {
    /// Entity-type slug (unique across annexes; see `/api/v1/nis2/sectors`).
    pub entity_type: String,
    /// Optional sector slug, checked against the entity type.
    pub sector: Option<String>,
    /// Optional subsector slug, checked against the entity type.
    pub subsector: Option<String>,
    /// Staff headcount in annual work units.
    pub employees: i64,
    /// Annual turnover in EUR (worldwide, of the undertaking; also the base of the Art 34 fine).
    pub turnover_eur: i64,
    /// Annual balance-sheet total in EUR.
    pub balance_eur: i64,
}

pub fn scope(q: &ScopeQuery) -> AppResult<ScopeResult> {
    Ok(nis2::scope(&ScopeInput {
        entity_type: q.entity_type.clone(),
        sector: q.sector.clone(),
        subsector: q.subsector.clone(),
        employees: q.employees,
        turnover_eur: q.turnover_eur,
        balance_eur: q.balance_eur,
    })?)
}

/// Every entity type of Annexes I and II (with the size-independent types of Art 2(2)).
pub fn sectors() -> &'static [EntityType] {
    nis2::ENTITY_TYPES
}
