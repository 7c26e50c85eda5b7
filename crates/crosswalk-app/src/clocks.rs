//! Reporting deadlines for an incident under NIS2, GDPR or DORA, from raw input (CLI flags, API query):
//! validates each field by name and hands the facts to the pure clock engine in the domain.
use crate::AppResult;
use crosswalk_domain::bank_holidays;
use crosswalk_domain::clocks::{self, IncidentFacts, Regime, Step};
use crosswalk_domain::nis2;
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
    /// NIS2 entity type: trust service providers (qualified or not) notify within 24 h; credit institutions,
    /// CCPs and trading venues report under DORA, not NIS2, and lose DORA's weekend relief for the first two
    /// reports.
    pub entity_type: Option<String>,
    /// The entity's IANA time zone (default: the Member State's capital zone, else UTC); months are counted in it.
    pub tz: Option<String>,
    /// ISO 3166-1 alpha-2 code of the entity's Member State: DORA time limits on its weekends and national
    /// bank holidays move to noon of the next working day (Delegated Regulation (EU) 2025/301 Art 5(4));
    /// regional holidays are not considered.
    pub member_state: Option<String>,
    /// The financial entity is identified as essential or important under NIS2 Art 3 (2025/301 Art 5(5)).
    #[serde(default)]
    pub nis2_identified: bool,
    /// The competent authority withdrew the weekend relief by notified decision (2025/301 Art 5(6)).
    #[serde(default)]
    pub relief_withdrawn: bool,
}

/// The answer: each step with its due instant and legal basis.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineReport {
    pub regime: Regime,
    pub tz: String,
    pub aware_at: String,
    pub classified_at: Option<String>,
    pub member_state: Option<String>,
    /// Which holiday calendar the steps used (national holidays only), when a Member State is given.
    pub holiday_calendar: Option<String>,
    /// Remarks on the question as a whole, e.g. that DORA replaces NIS2 for this entity type.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub steps: Vec<Step>,
}

/// Compute the steps of one regime. Pure: no tenant data is read or written.
pub fn compute(q: &DeadlineQuery) -> AppResult<DeadlineReport> {
    let regime: Regime = q.regime.parse()?;
    let member_state = q
        .member_state
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .map(|m| bank_holidays::parse_member_state("member_state", m))
        .transpose()?;
    // Without --tz, a Member State's capital zone is the better guess than UTC for its civil days.
    let tz_name =
        q.tz.clone().filter(|t| !t.is_empty()).or_else(|| member_state.map(|m| m.zones[0].to_owned())).unwrap_or_else(|| "UTC".to_owned());
    let zone = clocks::parse_zone("tz", &tz_name)?;
    if let Some(t) = q.entity_type.as_deref().filter(|t| !t.is_empty())
        && nis2::entity_type(t).is_none()
    {
        return Err(crate::AppError::invalid("entity_type", format!("unknown NIS2 entity type '{t}' (see `crosswalk nis2 sectors`)")));
    }
    let mut facts = IncidentFacts::new(clocks::parse_instant("aware_at", &q.aware_at, &zone)?, zone.clone());
    facts.classified_at = q.classified_at.as_deref().map(|c| clocks::parse_instant("classified_at", c, &zone)).transpose()?;
    facts.entity_type = q.entity_type.clone().filter(|t| !t.is_empty());
    facts.member_state = member_state;
    facts.nis2_identified = q.nis2_identified;
    facts.dora_relief_withdrawn = q.relief_withdrawn;
    let steps = clocks::deadlines(regime, &facts).map_err(|clocks::ClockError::Invalid(v)| v)?;
    let mut notes = Vec::new();
    if regime == Regime::Nis2 && facts.entity_type.as_deref().is_some_and(nis2::is_dora_financial_entity) {
        // Answer the question asked, but say that these are not the entity's binding clocks.
        notes.push("this entity type is a financial entity under DORA: DORA Art 19 replaces NIS2 Art 23 (NIS2 Art 4(1), DORA Art 1(2)); use --regime dora".to_owned());
    }
    if regime != Regime::Dora && member_state.is_some() {
        notes.push(format!("the Member State does not move {regime} time limits: only DORA's (Delegated Regulation (EU) 2025/301 Art 5(4)) respect weekends and bank holidays"));
    }
    let show = |t: jiff::Timestamp| t.to_zoned(zone.clone()).to_string();
    Ok(DeadlineReport {
        regime,
        tz: tz_name,
        aware_at: show(facts.aware_at),
        classified_at: facts.classified_at.map(show),
        member_state: member_state.map(|m| m.code.to_owned()),
        holiday_calendar: member_state.filter(|_| regime == Regime::Dora).map(bank_holidays::calendar_note),
        notes,
        steps,
    })
}
