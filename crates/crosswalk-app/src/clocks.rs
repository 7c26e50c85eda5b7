//! Reporting deadlines for an incident under NIS2, GDPR or DORA, from raw input (CLI flags, API query):
//! validates each field by name and hands the facts to the pure clock engine in the domain.
use crate::AppResult;
use crosswalk_domain::clocks::{self, IncidentFacts, Regime, Step};
use serde::{Deserialize, Serialize};

/// The question, as typed by a person or sent by a client.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// `nis2`, `gdpr` or `dora`.
    pub regime: String,
    /// When the entity became aware: RFC 3339 (`2026-11-27T02:13:00+01:00`) or a local time read in `tz`.
    pub aware_at: String,
    /// When the incident was classified as significant (NIS2) or major (DORA).
    pub classified_at: Option<String>,
    /// NIS2 entity type; `trust_service_provider` has a 24-hour notification.
    pub entity_type: Option<String>,
    /// The entity's IANA time zone (default UTC); months are counted in it.
    pub tz: Option<String>,
}

/// The answer: each step with its due instant and legal basis.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineReport {
    pub regime: Regime,
    pub tz: String,
    pub aware_at: String,
    pub classified_at: Option<String>,
    pub steps: Vec<Step>,
}

/// Compute the steps of one regime. Pure: no tenant data is read or written.
pub fn compute(q: &DeadlineQuery) -> AppResult<DeadlineReport> {
    let regime: Regime = q.regime.parse()?;
    let tz_name = q.tz.clone().unwrap_or_else(|| "UTC".to_owned());
    let zone = clocks::parse_zone("tz", &tz_name)?;
    let mut facts = IncidentFacts::new(clocks::parse_instant("aware_at", &q.aware_at, &zone)?, zone.clone());
    facts.classified_at = q.classified_at.as_deref().map(|c| clocks::parse_instant("classified_at", c, &zone)).transpose()?;
    facts.entity_type = q.entity_type.clone();
    let steps = clocks::deadlines(regime, &facts).map_err(|clocks::ClockError::Invalid(v)| v)?;
    let show = |t: jiff::Timestamp| t.to_zoned(zone.clone()).to_string();
    Ok(DeadlineReport { regime, tz: tz_name, aware_at: show(facts.aware_at), classified_at: facts.classified_at.map(show), steps })
}
