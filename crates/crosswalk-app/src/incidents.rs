//! The incident register: record an incident with the facts its legal clocks run from, see every
//! applicable regime's steps with due times (from the pure clock engine), and record each report as it
//! is submitted (late ones flagged). Every change is journaled.
use crate::actor::Actor;
use crate::{App, AppError, AppResult};
use chrono::{DateTime, Utc};
use crosswalk_domain::bank_holidays;
use crosswalk_domain::clocks::{self, IncidentFacts, Regime, Step};
use crosswalk_domain::{Permission, validate::non_empty_text};
use crosswalk_store::repo::incidents::{self as repo, Incident, Submission};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// Registering an incident.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// When the organisation became aware: RFC 3339, or a local time read in `tz`.
    pub aware_at: String,
    /// When it was classified as significant (NIS2) or major (DORA).
    #[serde(default)]
    pub classified_at: Option<String>,
    /// The organisation's IANA time zone, e.g. Europe/Berlin.
    pub tz: String,
    /// The regimes whose clocks run: `nis2`, `gdpr`, `dora`. Empty: NIS2, plus GDPR when personal data is involved.
    #[serde(default)]
    pub regimes: Vec<String>,
    /// NIS2 entity type (e.g. `trust_service_provider` shortens the notification to 24 h).
    #[serde(default)]
    pub entity_type: Option<String>,
    #[serde(default)]
    pub personal_data: bool,
    #[serde(default)]
    pub cross_border: bool,
    /// A financial entity under DORA: the DORA clock runs instead of NIS2's (NIS2 Art 4(1), DORA Art 1(2)).
    /// Credit institutions, CCPs and trading venues are financial entities by their entity type.
    #[serde(default)]
    pub financial_entity: bool,
    #[serde(default)]
    pub affected_services: String,
    /// ISO 3166-1 alpha-2 code of the entity's Member State: its weekends and national bank holidays move
    /// DORA time limits to noon of the next working day (Delegated Regulation (EU) 2025/301 Art 5(4)).
    #[serde(default)]
    pub member_state: Option<String>,
    /// The financial entity is identified as essential or important under NIS2 Art 3 (2025/301 Art 5(5)).
    /// Default: taken from the saved NIS2 scoping when it says essential or important.
    #[serde(default)]
    pub nis2_identified: Option<bool>,
    /// The competent authority withdrew the weekend relief by notified decision (2025/301 Art 5(6)).
    #[serde(default)]
    pub dora_relief_withdrawn: bool,
}

/// Changing an incident's facts. Changing `aware_at` or `classified_at` after a report has been
/// submitted moves legal deadlines that were already acted on, so it needs a `reason` (journaled).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentChange {
    #[serde(default)]
    pub aware_at: Option<String>,
    #[serde(default)]
    pub classified_at: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub affected_services: Option<String>,
    /// NIS2 Art 23(3): `significant` or `not_significant`.
    #[serde(default)]
    pub significance: Option<String>,
    /// Which Art 23(3) criterion applies: (a) severe operational disruption or financial loss,
    /// (b) considerable damage to other persons. Required when `significance` departs from the proposal.
    #[serde(default)]
    pub significance_reason: Option<String>,
    /// The facts for a significance proposal (CIR 2024/2690 Arts 3-14, or NIS2 Art 23(3)): the
    /// proposal is computed, kept with the incident and journaled; a person confirms it by setting
    /// `significance`.
    #[serde(default)]
    pub facts: Option<crosswalk_domain::significance::IncidentFacts>,
    /// `open` or `closed`.
    #[serde(default)]
    pub status: Option<String>,
    /// The entity's Member State (ISO 3166-1 alpha-2; empty clears it). It moves DORA time limits
    /// (2025/301 Art 5(4)), so after a submission it needs a `reason` like a time change.
    #[serde(default)]
    pub member_state: Option<String>,
    /// Why the facts changed; required for a time or Member State change after a submission.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Recording a report sent to an authority.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubmission {
    /// The step id, e.g. `nis2_early_warning`.
    pub step: String,
    /// When it was sent (default: now). RFC 3339 or local time in the incident's zone.
    #[serde(default)]
    pub submitted_at: Option<String>,
    /// To which authority or CSIRT.
    pub authority: String,
    /// The authority's reference, if any.
    #[serde(default)]
    pub reference: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmissionView {
    pub id: Uuid,
    pub step: String,
    pub submitted_at: DateTime<Utc>,
    pub authority: String,
    pub reference: String,
    pub late: bool,
}

/// One step of one regime's clock, with where it stands now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepStatus {
    #[serde(flatten)]
    pub step: Step,
    pub submitted: Option<SubmissionView>,
    /// Due, not submitted, past its due time, and not conditional.
    pub overdue: bool,
    /// Seconds until due (negative when past), for steps with a due time that are not submitted.
    pub seconds_left: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegimeClock {
    pub regime: Regime,
    pub steps: Vec<StepStatus>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentView {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub aware_at: DateTime<Utc>,
    pub classified_at: Option<DateTime<Utc>>,
    pub tz: String,
    pub entity_type: Option<String>,
    pub regimes: Vec<Regime>,
    pub personal_data: bool,
    pub cross_border: bool,
    pub financial_entity: bool,
    pub member_state: Option<String>,
    pub nis2_identified: bool,
    pub dora_relief_withdrawn: bool,
    /// Which holiday calendar the DORA steps used, when a Member State is given.
    pub holiday_calendar: Option<String>,
    pub affected_services: String,
    pub significance: String,
    pub significance_reason: String,
    /// The latest significance proposal and the facts it was computed from, if one was made.
    pub significance_proposal: Option<StoredProposal>,
    pub status: String,
    pub clocks: Vec<RegimeClock>,
    /// The earliest unsubmitted, unconditional step with a due time, across regimes.
    pub next_step: Option<StepStatus>,
}

/// A significance proposal kept with an incident.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredProposal {
    pub facts: crosswalk_domain::significance::IncidentFacts,
    pub proposal: crosswalk_domain::significance::SignificanceProposal,
}

fn to_jiff(t: DateTime<Utc>) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(t.timestamp_micros()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

fn to_chrono(t: jiff::Timestamp) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros(t.as_microsecond()).unwrap_or_default()
}

fn parse_regimes(raw: &[String]) -> AppResult<Vec<Regime>> {
    let mut out: Vec<Regime> = Vec::new();
    for r in raw {
        let regime: Regime = r.parse()?;
        if !out.contains(&regime) {
            out.push(regime);
        }
    }
    Ok(out)
}

fn regimes_of(i: &Incident) -> Vec<Regime> {
    i.regimes.split(',').filter_map(|r| r.parse().ok()).collect()
}

fn sub_view(s: &Submission) -> SubmissionView {
    SubmissionView {
        id: s.id,
        step: s.step.clone(),
        submitted_at: s.submitted_at,
        authority: s.authority.clone(),
        reference: s.reference.clone(),
        late: s.late,
    }
}

/// The clock facts of an incident, with the submissions that later steps run from.
fn facts(i: &Incident, subs: &[&Submission]) -> AppResult<IncidentFacts> {
    let zone = clocks::parse_zone("tz", &i.tz)?;
    let mut f = IncidentFacts::new(to_jiff(i.aware_at), zone);
    f.classified_at = i.classified_at.map(to_jiff);
    f.entity_type = i.entity_type.clone();
    f.member_state = i.member_state.as_deref().map(|m| bank_holidays::parse_member_state("member_state", m)).transpose()?;
    f.nis2_identified = i.nis2_identified;
    f.dora_relief_withdrawn = i.dora_relief_withdrawn;
    let first = |step: &str| subs.iter().find(|s| s.step == step).map(|s| to_jiff(s.submitted_at));
    f.nis2_notification_submitted_at = first("nis2_incident_notification");
    f.dora_initial_submitted_at = first("dora_initial_notification");
    f.dora_latest_intermediate_submitted_at =
        subs.iter().rev().find(|s| s.step == "dora_intermediate_report").map(|s| to_jiff(s.submitted_at));
    Ok(f)
}

/// Every regime's steps for an incident, as they stand at `now`.
/// The proposal kept with an incident, if any (a row written by an older release has none).
fn stored_proposal(i: &Incident) -> Option<StoredProposal> {
    serde_json::from_str(&i.significance_facts).ok()
}

fn view(i: Incident, subs: &[&Submission], now: DateTime<Utc>) -> AppResult<IncidentView> {
    let f = facts(&i, subs)?;
    let regimes = regimes_of(&i);
    let mut clocks_out = Vec::new();
    for &regime in &regimes {
        let steps = clocks::deadlines(regime, &f).map_err(|clocks::ClockError::Invalid(v)| v)?;
        let steps = steps
            .into_iter()
            .map(|step| {
                let submitted = subs.iter().find(|s| s.step == step.id).map(|s| sub_view(s));
                let due = step.due.as_ref().map(|d| to_chrono(d.timestamp()));
                let open = submitted.is_none() && step.condition.is_none();
                let seconds_left = due.filter(|_| submitted.is_none()).map(|d| (d - now).num_seconds());
                StepStatus { overdue: open && due.is_some_and(|d| d < now), seconds_left, submitted, step }
            })
            .collect();
        clocks_out.push(RegimeClock { regime, steps });
    }
    let next_step = clocks_out
        .iter()
        .flat_map(|c| c.steps.iter())
        .filter(|s| s.submitted.is_none() && s.step.condition.is_none() && s.step.due.is_some())
        .min_by_key(|s| s.step.due.as_ref().map(|d| d.timestamp()))
        .cloned();
    let significance_proposal = stored_proposal(&i);
    Ok(IncidentView {
        significance_proposal,
        id: i.id,
        title: i.title,
        description: i.description,
        aware_at: i.aware_at,
        classified_at: i.classified_at,
        tz: i.tz,
        entity_type: i.entity_type,
        regimes,
        personal_data: i.personal_data,
        cross_border: i.cross_border,
        financial_entity: i.financial_entity,
        holiday_calendar: f.member_state.map(bank_holidays::calendar_note),
        member_state: i.member_state,
        nis2_identified: i.nis2_identified,
        dora_relief_withdrawn: i.dora_relief_withdrawn,
        affected_services: i.affected_services,
        significance: i.significance,
        significance_reason: i.significance_reason,
        status: i.status,
        clocks: clocks_out,
        next_step,
    })
}

impl App {
    /// A significance proposal for one incident from the facts given, without saving anything
    /// (CIR 2024/2690 Arts 3-14 for the entity types it covers, NIS2 Art 23(3) otherwise).
    pub async fn propose_significance(
        &self,
        actor: &Actor,
        id: Uuid,
        facts: &crosswalk_domain::significance::IncidentFacts,
    ) -> AppResult<crosswalk_domain::significance::SignificanceProposal> {
        actor.require(Permission::Read, "reading incidents")?;
        let row = repo::get(self.db(), actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("incident {id}")))?;
        self.significance_proposal(actor, &row, facts).await
    }

    /// The proposal for an incident: its own entity type, else the organisation's saved scoping.
    async fn significance_proposal(
        &self,
        actor: &Actor,
        row: &Incident,
        facts: &crosswalk_domain::significance::IncidentFacts,
    ) -> AppResult<crosswalk_domain::significance::SignificanceProposal> {
        // A financial entity reporting under DORA Art 19 classifies by Delegated Regulation (EU)
        // 2024/1772 (NIS2 Art 4(1): DORA replaces NIS2 Art 23 for it).
        if regimes_of(row).contains(&Regime::Dora) {
            let Some(dora) = &facts.dora else {
                return Err(AppError::invalid(
                    "facts.dora",
                    "the incident is reported under DORA: give the Delegated Regulation (EU) 2024/1772 facts",
                ));
            };
            return Ok(crosswalk_domain::significance::propose_dora(dora));
        }
        let entity_type = match &row.entity_type {
            Some(t) => Some(t.clone()),
            None => crosswalk_store::repo::nis2_profiles::get(self.db(), actor.tenant.0).await?.map(|p| p.entity_type),
        };
        Ok(crosswalk_domain::significance::propose(entity_type.as_deref(), facts))
    }

    /// The report draft for one step of an incident, pre-filled from the record (NIS2 Art 23(4),
    /// GDPR Art 33(3)/34(2), DORA Art 19(4)).
    pub async fn incident_draft(&self, actor: &Actor, id: Uuid, step: &str) -> AppResult<crosswalk_domain::reports::Draft> {
        let i = self.get_incident(actor, id).await?;
        let Some(s) = i.clocks.iter().flat_map(|c| c.steps.iter()).find(|s| s.step.id == step) else {
            return Err(AppError::NotFound(format!("step '{step}' of incident {id}")));
        };
        let zone = clocks::parse_zone("tz", &i.tz)?;
        let show = |t: DateTime<Utc>| to_jiff(t).to_zoned(zone.clone()).to_string();
        let facts = crosswalk_domain::reports::DraftFacts {
            title: i.title.clone(),
            description: i.description.clone(),
            aware_at: show(i.aware_at),
            classified_at: i.classified_at.map(show),
            cross_border: i.cross_border,
            personal_data: i.personal_data,
            due: s.step.due.as_ref().map(ToString::to_string),
            late: s.overdue || s.submitted.as_ref().is_some_and(|x| x.late),
        };
        crosswalk_domain::reports::draft(step, &facts).ok_or_else(|| AppError::NotFound(format!("a draft for step '{step}'")))
    }

    /// Register an incident (admin, manager). Its clocks start at `aware_at`.
    pub async fn create_incident(&self, actor: &Actor, new: NewIncident) -> AppResult<IncidentView> {
        actor.require(Permission::ManageIncidents, "registering incidents")?;
        let title = non_empty_text("title", &new.title, 300)?;
        let zone = clocks::parse_zone("tz", &new.tz)?;
        let aware = clocks::parse_instant("aware_at", &new.aware_at, &zone)?;
        let classified =
            new.classified_at.as_deref().filter(|s| !s.is_empty()).map(|c| clocks::parse_instant("classified_at", c, &zone)).transpose()?;
        if classified.is_some_and(|c| c < aware) {
            return Err(AppError::invalid("classified_at", "must not be before aware_at"));
        }
        let profile = crosswalk_store::repo::nis2_profiles::get(self.db(), actor.tenant.0).await?;
        // The entity type decides e.g. the trust service providers' 24-hour notification (Art 23(4)).
        let entity_type = new.entity_type.clone().or_else(|| profile.as_ref().map(|p| p.entity_type.clone()));
        if let Some(t) = &entity_type
            && crosswalk_domain::nis2::entity_type(t).is_none()
        {
            return Err(AppError::invalid("entity_type", format!("unknown NIS2 entity type '{t}'")));
        }
        let member_state = new
            .member_state
            .as_deref()
            .filter(|m| !m.trim().is_empty())
            .map(|m| bank_holidays::parse_member_state("member_state", m).map(|ms| ms.code.to_owned()))
            .transpose()?;
        // NIS2 Art 4(1) with DORA Art 1(2): a financial entity under DORA reports under DORA Art 19 instead.
        let dora_financial = new.financial_entity || entity_type.as_deref().is_some_and(crosswalk_domain::nis2::is_dora_financial_entity);
        let identified = profile.as_ref().is_some_and(|p| p.classification == "essential" || p.classification == "important");
        let mut regimes = parse_regimes(&new.regimes)?;
        if regimes.is_empty() {
            // Suggested from scoping and the facts: NIS2 unless the organisation was scoped out of it
            // (Art 2), has only the Art 27-28 duties of a domain name registration service (Art 2(4):
            // no Art 23 reporting) or DORA replaces it; GDPR Art 33 when personal data is involved.
            let in_scope = profile.as_ref().is_none_or(|p| !matches!(p.classification.as_str(), "out_of_scope" | "specific_duties"));
            regimes = clocks::suggested_regimes(in_scope, dora_financial, new.personal_data);
            if regimes.is_empty() {
                return Err(AppError::invalid(
                    "regimes",
                    "the organisation is out of NIS2 scope and no personal data is involved: choose the regimes that apply",
                ));
            }
        }
        clocks::check_regimes(&regimes, dora_financial)?;
        let regimes_s = regimes.iter().map(|r| r.to_string().to_lowercase()).collect::<Vec<_>>().join(",");
        let now = self.now();
        let row = Incident {
            significance_facts: String::new(),
            id: Uuid::now_v7(),
            tenant_id: actor.tenant.0,
            title,
            description: new.description.trim().to_owned(),
            aware_at: crosswalk_store::truncate_micros(to_chrono(aware)),
            classified_at: classified.map(|c| crosswalk_store::truncate_micros(to_chrono(c))),
            tz: new.tz.clone(),
            entity_type,
            regimes: regimes_s,
            personal_data: new.personal_data,
            cross_border: new.cross_border,
            financial_entity: dora_financial,
            member_state,
            nis2_identified: new.nis2_identified.unwrap_or(dora_financial && identified),
            dora_relief_withdrawn: new.dora_relief_withdrawn,
            affected_services: new.affected_services.trim().to_owned(),
            significance: String::new(),
            significance_reason: String::new(),
            status: "open".into(),
            created_at: now,
        };
        let tx = self.begin().await?;
        let row = repo::insert(&tx, row).await?;
        self.journal(
            &tx,
            actor,
            "incident.create",
            "incident",
            row.id,
            json!({"title": row.title, "aware_at": row.aware_at, "classified_at": row.classified_at, "tz": row.tz, "regimes": row.regimes, "personal_data": row.personal_data, "cross_border": row.cross_border, "financial_entity": row.financial_entity, "member_state": row.member_state, "nis2_identified": row.nis2_identified, "dora_relief_withdrawn": row.dora_relief_withdrawn}),
        )
        .await?;
        let v = view(row, &[], now)?;
        self.reschedule_incident_reminders(&tx, actor.tenant, &v).await?;
        tx.commit().await?;
        Ok(v)
    }

    pub async fn list_incidents(&self, actor: &Actor) -> AppResult<Vec<IncidentView>> {
        actor.require(Permission::Read, "reading incidents")?;
        let (incidents, subs) = (repo::list(self.db(), actor.tenant.0).await?, repo::all_submissions(self.db(), actor.tenant.0).await?);
        let now = self.now();
        incidents
            .into_iter()
            .map(|i| {
                let mine: Vec<&Submission> = subs.iter().filter(|s| s.incident_id == i.id).collect();
                view(i, &mine, now)
            })
            .collect()
    }

    pub async fn get_incident(&self, actor: &Actor, id: Uuid) -> AppResult<IncidentView> {
        actor.require(Permission::Read, "reading incidents")?;
        let i = repo::get(self.db(), actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("incident {id}")))?;
        let subs = repo::submissions(self.db(), actor.tenant.0, id).await?;
        view(i, &subs.iter().collect::<Vec<_>>(), self.now())
    }

    /// Change an incident's facts (admin, manager). Moving `aware_at` or `classified_at` once a report
    /// was submitted requires a reason; every change is journaled with the old and new values.
    pub async fn change_incident(&self, actor: &Actor, id: Uuid, change: IncidentChange) -> AppResult<IncidentView> {
        actor.require(Permission::ManageIncidents, "changing incidents")?;
        let mut row = repo::get(self.db(), actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("incident {id}")))?;
        let before = row.clone();
        let zone = clocks::parse_zone("tz", &row.tz)?;
        if let Some(a) = change.aware_at.as_deref() {
            row.aware_at = crosswalk_store::truncate_micros(to_chrono(clocks::parse_instant("aware_at", a, &zone)?));
        }
        if let Some(c) = change.classified_at.as_deref() {
            row.classified_at = if c.is_empty() {
                None
            } else {
                Some(crosswalk_store::truncate_micros(to_chrono(clocks::parse_instant("classified_at", c, &zone)?)))
            };
        }
        if row.classified_at.is_some_and(|c| c < row.aware_at) {
            return Err(AppError::invalid("classified_at", "must not be before aware_at"));
        }
        if let Some(m) = change.member_state.as_deref() {
            row.member_state =
                if m.trim().is_empty() { None } else { Some(bank_holidays::parse_member_state("member_state", m)?.code.to_owned()) };
        }
        if let Some(d) = change.description {
            row.description = d.trim().to_owned();
        }
        if let Some(a) = change.affected_services {
            row.affected_services = a.trim().to_owned();
        }
        if let Some(facts) = change.facts {
            let proposal = self.significance_proposal(actor, &row, &facts).await?;
            row.significance_facts =
                serde_json::to_string(&StoredProposal { facts, proposal }).map_err(|e| AppError::Internal(e.to_string()))?;
        }
        if let Some(r) = change.significance_reason {
            row.significance_reason = r.trim().to_owned();
        }
        if let Some(s) = change.significance {
            if !["significant", "not_significant", ""].contains(&s.as_str()) {
                return Err(AppError::invalid("significance", format!("'{s}' is not one of significant, not_significant")));
            }
            // A person may decide against the proposal, but must say why (journaled with both).
            let proposed = stored_proposal(&row).map(|p| p.proposal.outcome.as_str());
            if proposed.is_some_and(|p| p != "undetermined" && !s.is_empty() && p != s) && row.significance_reason.is_empty() {
                return Err(AppError::invalid(
                    "significance_reason",
                    format!("the proposal is {}: deciding {s} needs a reason", proposed.unwrap_or_default()),
                ));
            }
            row.significance = s;
        }
        if let Some(st) = change.status {
            if st != "open" && st != "closed" {
                return Err(AppError::invalid("status", format!("'{st}' is not one of open, closed")));
            }
            row.status = st;
        }
        let times_moved =
            row.aware_at != before.aware_at || row.classified_at != before.classified_at || row.member_state != before.member_state;
        let reason = change.reason.as_deref().map(str::trim).unwrap_or_default().to_owned();
        if times_moved && reason.is_empty() && !repo::submissions(self.db(), actor.tenant.0, id).await?.is_empty() {
            return Err(AppError::invalid(
                "reason",
                "a report was already submitted: changing aware_at, classified_at or member_state needs a reason",
            ));
        }
        let tx = self.begin().await?;
        let row = repo::replace(&tx, row).await?;
        self.journal(
            &tx,
            actor,
            "incident.change",
            "incident",
            id,
            json!({
                "aware_at": {"from": before.aware_at, "to": row.aware_at},
                "classified_at": {"from": before.classified_at, "to": row.classified_at},
                "member_state": {"from": before.member_state, "to": row.member_state},
                "significance": row.significance,
                "significance_reason": row.significance_reason,
                "significance_proposal": stored_proposal(&row).map(|p| json!({"outcome": p.proposal.outcome, "criteria_met": p.proposal.criteria_met, "basis": p.proposal.basis})),
                "status": row.status,
                "reason": reason,
            }),
        )
        .await?;
        let subs = repo::submissions(&tx, actor.tenant.0, id).await?;
        let v = view(row, &subs.iter().collect::<Vec<_>>(), self.now())?;
        self.reschedule_incident_reminders(&tx, actor.tenant, &v).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Record that a step's report was submitted (admin, manager); flags it late against its due time.
    pub async fn record_submission(&self, actor: &Actor, id: Uuid, new: NewSubmission) -> AppResult<IncidentView> {
        actor.require(Permission::ManageIncidents, "recording incident reports")?;
        let current = self.get_incident(actor, id).await?;
        let Some(step) = current.clocks.iter().flat_map(|c| c.steps.iter()).find(|s| s.step.id == new.step) else {
            let known: Vec<_> = current.clocks.iter().flat_map(|c| c.steps.iter().map(|s| s.step.id)).collect();
            return Err(AppError::invalid(
                "step",
                format!("'{}' is not a step of this incident's regimes ({})", new.step, known.join(", ")),
            ));
        };
        if step.submitted.is_some() && new.step != "dora_intermediate_report" {
            return Err(AppError::Conflict(format!("{} was already recorded as submitted", step.step.name)));
        }
        let authority = non_empty_text("authority", &new.authority, 200)?;
        let zone = clocks::parse_zone("tz", &current.tz)?;
        let now = self.now();
        let submitted_at = match new.submitted_at.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => crosswalk_store::truncate_micros(to_chrono(clocks::parse_instant("submitted_at", s, &zone)?)),
            None => now,
        };
        if submitted_at < current.aware_at {
            return Err(AppError::invalid("submitted_at", "must not be before the incident's aware_at"));
        }
        let late = step.step.due.as_ref().is_some_and(|d| to_chrono(d.timestamp()) < submitted_at);
        let row = Submission {
            id: Uuid::now_v7(),
            tenant_id: actor.tenant.0,
            incident_id: id,
            step: new.step.clone(),
            submitted_at,
            authority,
            reference: new.reference.trim().to_owned(),
            late,
            created_at: now,
        };
        let tx = self.begin().await?;
        let row = repo::insert_submission(&tx, row).await?;
        self.journal(
            &tx,
            actor,
            "incident.submit",
            "incident",
            id,
            json!({"step": row.step, "submitted_at": row.submitted_at, "authority": row.authority, "reference": row.reference, "late": row.late}),
        )
        .await?;
        let incident = repo::get(&tx, actor.tenant.0, id).await?.ok_or_else(|| AppError::NotFound(format!("incident {id}")))?;
        let subs = repo::submissions(&tx, actor.tenant.0, id).await?;
        let v = view(incident, &subs.iter().collect::<Vec<_>>(), self.now())?;
        self.reschedule_incident_reminders(&tx, actor.tenant, &v).await?;
        tx.commit().await?;
        Ok(v)
    }
}
