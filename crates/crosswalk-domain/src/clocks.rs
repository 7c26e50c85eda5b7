//! Regulatory reporting clocks: `(regime, facts) -> steps [{id, due, basis}]`, pure and exact.
//!
//! Sources (hand-written summary in `shared/reference/eu-law/incident-clocks.yaml`):
//! - NIS2: Directive (EU) 2022/2555 Art 23(4).
//! - GDPR: Regulation (EU) 2016/679 Art 33(1), Art 34(1).
//! - DORA: Regulation (EU) 2022/2554 Art 19(4) with Commission Delegated Regulation (EU) 2025/301 Art 5.
//!
//! Time rules (project decision, see issue "NIS2 layer"): "N hours" are elapsed hours, so a DST change
//! inside the period does not move the deadline in absolute time; "one month" is a calendar month in the
//! entity's time zone, at the same local time, clamped to the last day of a shorter month (31 January +
//! 1 month = 28/29 February). Regulation (EEC, Euratom) No 1182/71 Art 3 would let some periods run to
//! the end of a day or hour; we report the earlier instant, so following Crosswalk is never late.
//!
//! DORA weekends and bank holidays (2025/301 Art 5(4)-(6)): a time limit that falls on a weekend day or a
//! national bank holiday of the entity's Member State may be met by noon (the Member State's local time) of
//! the next working day, except for the initial notification and intermediate report of the entities named in
//! Art 5(5) or those whose competent authority withdrew the relief (Art 5(6)). Each moved step keeps the
//! original limit in `moved_from` and says why in `notes`; the next step runs from the moved time until the
//! actual submission is recorded. Without a Member State the relief is not applied (the earlier time stands).
//! Holiday data and its limits: [`crate::bank_holidays`].
use crate::bank_holidays::{self, MemberState};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp, Zoned};
use serde::Serialize;

/// A legal reporting regime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Regime {
    Nis2,
    Gdpr,
    Dora,
}

impl std::fmt::Display for Regime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Regime::Nis2 => "NIS2",
            Regime::Gdpr => "GDPR",
            Regime::Dora => "DORA",
        })
    }
}

impl std::str::FromStr for Regime {
    type Err = crate::ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "nis2" => Ok(Regime::Nis2),
            "gdpr" => Ok(Regime::Gdpr),
            "dora" => Ok(Regime::Dora),
            _ => Err(crate::ValidationError::new("regime", format!("unknown regime '{s}' (expected nis2, gdpr or dora)"))),
        }
    }
}

/// What is known about an incident, as instants plus the entity's time zone.
#[derive(Debug, Clone)]
pub struct IncidentFacts {
    /// When the entity became aware of the (significant) incident / personal data breach.
    pub aware_at: Timestamp,
    /// When it was classified as significant (NIS2) or major (DORA), if it has been.
    pub classified_at: Option<Timestamp>,
    /// The entity's time zone (IANA name), in which calendar months are counted.
    pub zone: TimeZone,
    /// NIS2 entity-type slug; trust service providers (qualified or not) notify within 24 h, and credit
    /// institutions, CCPs and trading venues lose the DORA weekend relief for their first two reports.
    pub entity_type: Option<String>,
    /// The Member State whose weekends and bank holidays DORA's time limits respect (2025/301 Art 5(4)).
    pub member_state: Option<&'static MemberState>,
    /// A financial entity identified as essential or important under NIS2 Art 3 (2025/301 Art 5(5)).
    pub nis2_identified: bool,
    /// The competent authority withdrew the weekend relief by notified decision (2025/301 Art 5(6)).
    pub dora_relief_withdrawn: bool,
    /// Submission times of earlier steps, when known: later deadlines run from them.
    pub nis2_notification_submitted_at: Option<Timestamp>,
    pub dora_initial_submitted_at: Option<Timestamp>,
    pub dora_latest_intermediate_submitted_at: Option<Timestamp>,
}

impl IncidentFacts {
    /// Facts with only awareness known, in `zone`.
    pub fn new(aware_at: Timestamp, zone: TimeZone) -> Self {
        Self {
            aware_at,
            classified_at: None,
            zone,
            entity_type: None,
            member_state: None,
            nis2_identified: false,
            dora_relief_withdrawn: false,
            nis2_notification_submitted_at: None,
            dora_initial_submitted_at: None,
            dora_latest_intermediate_submitted_at: None,
        }
    }
}

/// One reporting step.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Step {
    /// Stable id, e.g. `nis2_early_warning`.
    pub id: &'static str,
    pub name: &'static str,
    /// When it is due (RFC 9557: RFC 3339 with offset and `[Zone]`); `None` when no fixed time applies.
    #[schema(value_type = Option<String>)]
    #[serde(serialize_with = "ser_zoned")]
    pub due: Option<Zoned>,
    /// The rule in words, e.g. "72 hours after becoming aware".
    pub rule: &'static str,
    /// The legal basis (article, paragraph).
    pub basis: &'static str,
    /// The due time rests on an earlier step's due time, because that step's submission is not recorded yet.
    pub provisional: bool,
    /// A condition for the step to apply at all, if any; a step with a condition is never flagged overdue
    /// by itself, because only a person can say whether the condition holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<&'static str>,
    /// The time limit before a rule moved it to `due` (2025/301 Art 5(4)); absent when nothing moved it.
    #[schema(value_type = Option<String>)]
    #[serde(serialize_with = "ser_zoned", skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<Zoned>,
    /// Why the due time is what it is, where the rule alone does not say it (a moved limit, a relief not
    /// available, a zero-length window).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Step {
    fn new(id: &'static str, name: &'static str, due: Option<Zoned>, rule: &'static str, basis: &'static str) -> Self {
        Self { id, name, due, rule, basis, provisional: false, condition: None, moved_from: None, notes: Vec::new() }
    }
}

fn ser_zoned<S: serde::Serializer>(z: &Option<Zoned>, s: S) -> Result<S::Ok, S::Error> {
    match z {
        Some(z) => s.serialize_str(&z.to_string()),
        None => s.serialize_none(),
    }
}

fn hours(from: Timestamp, n: i64, zone: &TimeZone) -> Zoned {
    // Elapsed time: add to the instant, then express in the entity's zone.
    (from + SignedDuration::from_hours(n)).to_zoned(zone.clone())
}

fn one_month(from: Timestamp, zone: &TimeZone) -> Option<Zoned> {
    // Calendar arithmetic in the zone: same local date and time next month, clamped to the month's end.
    from.to_zoned(zone.clone()).checked_add(Span::new().months(1)).ok()
}

/// Why facts were rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error(transparent)]
    Invalid(#[from] crate::ValidationError),
}

fn check_order(facts: &IncidentFacts) -> Result<(), ClockError> {
    if let Some(c) = facts.classified_at
        && c < facts.aware_at
    {
        return Err(crate::ValidationError::new(
            "classified_at",
            "must not be before aware_at (an incident is classified after becoming aware of it)",
        )
        .into());
    }
    Ok(())
}

/// The steps of `regime` for an incident with `facts`, in order.
pub fn deadlines(regime: Regime, facts: &IncidentFacts) -> Result<Vec<Step>, ClockError> {
    check_order(facts)?;
    Ok(match regime {
        Regime::Nis2 => nis2(facts),
        Regime::Gdpr => gdpr(facts),
        Regime::Dora => dora(facts)?,
    })
}

fn nis2(f: &IncidentFacts) -> Vec<Step> {
    let z = &f.zone;
    // Art 23(4) second subparagraph names "trust service providers" without distinguishing qualified ones.
    let tsp = f.entity_type.as_deref().is_some_and(crate::nis2::is_trust_service_provider);
    let notification_due = if tsp { hours(f.aware_at, 24, z) } else { hours(f.aware_at, 72, z) };
    let (final_from, provisional) = match f.nis2_notification_submitted_at {
        Some(t) => (t, false),
        None => (notification_due.timestamp(), true),
    };
    let mut notification = if tsp {
        Step::new(
            "nis2_incident_notification",
            "Incident notification",
            Some(notification_due),
            "trust service providers: without undue delay and in any event within 24 hours of becoming aware of a significant incident impacting the provision of their trust services",
            "NIS2 Art 23(4)(b) with Art 23(4), second subparagraph",
        )
    } else {
        Step::new(
            "nis2_incident_notification",
            "Incident notification",
            Some(notification_due),
            "without undue delay and in any event within 72 hours of becoming aware of the significant incident",
            "NIS2 Art 23(4)(b)",
        )
    };
    if tsp {
        notification.notes.push(
            "trust service provider: the 24-hour limit replaces the 72 hours of point (b), so the notification is due with the early warning".into(),
        );
    }
    vec![
        Step::new(
            "nis2_early_warning",
            "Early warning",
            Some(hours(f.aware_at, 24, z)),
            "without undue delay and in any event within 24 hours of becoming aware of the significant incident",
            "NIS2 Art 23(4)(a)",
        ),
        notification,
        Step {
            condition: Some("the CSIRT or competent authority requests it"),
            ..Step::new(
                "nis2_intermediate_report",
                "Intermediate report",
                None,
                "upon request of the CSIRT or competent authority",
                "NIS2 Art 23(4)(c)",
            )
        },
        Step {
            provisional,
            ..Step::new(
                "nis2_final_report",
                "Final report",
                one_month(final_from, z),
                "not later than one month after the submission of the incident notification",
                "NIS2 Art 23(4)(d)",
            )
        },
        Step {
            provisional,
            condition: Some("the incident is still ongoing when the final report is due"),
            ..Step::new(
                "nis2_progress_report",
                "Progress report",
                one_month(final_from, z),
                "if the incident is still ongoing when the final report is due: a progress report then, and the final report within one month of handling the incident",
                "NIS2 Art 23(4)(e)",
            )
        },
    ]
}

fn gdpr(f: &IncidentFacts) -> Vec<Step> {
    vec![
        Step::new(
            "gdpr_sa_notification",
            "Notification to the supervisory authority",
            Some(hours(f.aware_at, 72, &f.zone)),
            "without undue delay and, where feasible, not later than 72 hours after becoming aware; later notifications must give the reasons for the delay; not needed if the breach is unlikely to result in a risk to the rights and freedoms of natural persons",
            "GDPR Art 33(1)",
        ),
        Step {
            condition: Some(
                "the breach is likely to result in a high risk to the rights and freedoms of natural persons (exemptions: Art 34(3))",
            ),
            ..Step::new("gdpr_data_subject_communication", "Communication to data subjects", None, "without undue delay", "GDPR Art 34(1)")
        },
    ]
}

/// Entity types that 2025/301 Art 5(5) names: credit institutions, central counterparties, operators of
/// trading venues.
const ART_5_5_TYPES: &[&str] = &["credit_institution", "central_counterparty", "trading_venue_operator"];

/// Whether 2025/301 Art 5(4) is available for the initial notification and the intermediate report, and if
/// not, why (Art 5(5) or 5(6)). The final report keeps the relief in every case: both paragraphs name only
/// the first two reports.
fn first_reports_relief(f: &IncidentFacts) -> Result<(), &'static str> {
    if f.entity_type.as_deref().is_some_and(|t| ART_5_5_TYPES.contains(&t)) {
        return Err(
            "not available to credit institutions, central counterparties and operators of trading venues for the initial notification and intermediate report (Delegated Regulation (EU) 2025/301 Art 5(5))",
        );
    }
    if f.nis2_identified {
        return Err(
            "not available to financial entities identified as essential or important under NIS2 Art 3 for the initial notification and intermediate report (Delegated Regulation (EU) 2025/301 Art 5(5))",
        );
    }
    if f.dora_relief_withdrawn {
        return Err(
            "withdrawn by the competent authority's notified decision for the initial notification and intermediate report (Delegated Regulation (EU) 2025/301 Art 5(6))",
        );
    }
    Ok(())
}

/// One DORA time limit after 2025/301 Art 5(4): `(due, moved_from, note)`.
fn art_5_4(
    limit: Timestamp,
    f: &IncidentFacts,
    relief: Result<(), &'static str>,
) -> Result<(Timestamp, Option<Timestamp>, Option<String>), ClockError> {
    let Some(ms) = f.member_state else {
        // Without the Member State its bank holidays are unknown, so no day can be judged a working day:
        // the earlier, unmoved limit stands. A weekend is visible anyway, so say what the relief could give.
        let day = limit.to_zoned(f.zone.clone()).date();
        let note = matches!(day.weekday(), jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday)
            .then(|| format!("the time limit falls on a weekend day ({day}); give the entity's Member State to apply Delegated Regulation (EU) 2025/301 Art 5(4) (noon of the next working day) where it is available"));
        return Ok((limit, None, note.filter(|_| relief.is_ok())));
    };
    let moved = bank_holidays::noon_of_next_working_day(limit, ms, &f.zone)
        .map_err(|e| crate::ValidationError::new("member_state", e.to_string()))?;
    Ok(match (moved, relief) {
        (None, _) => (limit, None, None),
        (Some(r), Ok(())) => (
            r.until,
            Some(limit),
            Some(format!(
                "the time limit falls on {} ({}): may be submitted by noon ({}) of the next working day, {} (Delegated Regulation (EU) 2025/301 Art 5(4)); {}",
                r.falls_on,
                r.why,
                r.zone,
                r.next_working_day,
                bank_holidays::calendar_note(ms)
            )),
        ),
        (Some(r), Err(why_not)) => (
            limit,
            None,
            Some(format!("the time limit falls on {} ({}), but the weekend and holiday relief is {why_not}", r.falls_on, r.why)),
        ),
    })
}

fn dora(f: &IncidentFacts) -> Result<Vec<Step>, ClockError> {
    let z = &f.zone;
    let hard_limit = f.aware_at + SignedDuration::from_hours(24);
    let mut initial_notes = Vec::new();
    // DORA Art 19(4)(a) and 2025/301 Art 5(1)(a): within 4 h of classification, at the latest 24 h after
    // awareness; 2025/301 Art 5(2): classified later than that, 4 h from classification.
    let (initial_limit, initial_provisional) = match f.classified_at {
        Some(c) if c > hard_limit => (c + SignedDuration::from_hours(4), false),
        Some(c) => {
            let four = c + SignedDuration::from_hours(4);
            if c == hard_limit {
                // The literal reading of Art 5(1)(a): "within four hours from the classification ... and no
                // later than 24 hours from" awareness leaves no time at all; Art 5(2) gives four hours only
                // when the classification comes after the 24 hours. Say so rather than show a bare due time.
                initial_notes.push("classified exactly 24 hours after becoming aware: the 24-hour cap of Delegated Regulation (EU) 2025/301 Art 5(1)(a) ends at the moment of classification, so the window is zero-length (literal reading; the 4 hours of Art 5(2) apply only to a classification after the 24 hours). Submit at once; if that is impossible, inform the competent authority and explain the delay no later than the time limit (Art 5(3))".to_owned());
            } else if four > hard_limit {
                let left = hard_limit.duration_since(c);
                initial_notes.push(format!(
                    "classified {}h {:02}m before the 24-hour cap: the 4 hours after classification are cut to that cap (Delegated Regulation (EU) 2025/301 Art 5(1)(a))",
                    left.as_hours(),
                    (left.as_mins() % 60)
                ));
            }
            (four.min(hard_limit), false)
        }
        None => (hard_limit, true),
    };
    let first_relief = first_reports_relief(f);
    let (initial_due, initial_moved, note) = art_5_4(initial_limit, f, first_relief)?;
    initial_notes.extend(note);

    // Art 5(1)(b): 72 h from the submission of the initial notification; until it is recorded, from the
    // latest permitted submission (the moved due time).
    let (intermediate_from, p1) = match f.dora_initial_submitted_at {
        Some(t) => (t, false),
        None => (initial_due, true),
    };
    let intermediate_limit = intermediate_from + SignedDuration::from_hours(72);
    let (intermediate_due, intermediate_moved, intermediate_note) = art_5_4(intermediate_limit, f, first_relief)?;

    // Art 5(1)(c): one month after the (latest updated) intermediate report; same chaining.
    let (final_from, p2) = match f.dora_latest_intermediate_submitted_at {
        Some(t) => (t, false),
        None => (intermediate_due, true),
    };
    let final_limit = one_month(final_from, z).map(|d| d.timestamp());
    let (final_due, final_moved, final_note) = match final_limit {
        Some(l) => {
            let (d, m, n) = art_5_4(l, f, Ok(()))?;
            (Some(d), m, n)
        }
        None => (None, None, None),
    };
    let zoned = |t: Timestamp| t.to_zoned(z.clone());
    Ok(vec![
        Step {
            provisional: initial_provisional,
            condition: if f.classified_at.is_none() { Some("the incident is classified as major (not yet recorded)") } else { None },
            moved_from: initial_moved.map(zoned),
            notes: initial_notes,
            ..Step::new(
                "dora_initial_notification",
                "Initial notification",
                Some(zoned(initial_due)),
                "within 4 hours of classification as major and no later than 24 hours after becoming aware; if classified later, within 4 hours of classification",
                "DORA Art 19(4)(a); Delegated Regulation (EU) 2025/301 Art 5(1)(a), 5(2)",
            )
        },
        Step {
            provisional: p1 || initial_provisional,
            moved_from: intermediate_moved.map(zoned),
            notes: intermediate_note.into_iter().collect(),
            ..Step::new(
                "dora_intermediate_report",
                "Intermediate report",
                Some(zoned(intermediate_due)),
                "within 72 hours of the submission of the initial notification",
                "DORA Art 19(4)(b); Delegated Regulation (EU) 2025/301 Art 5(1)(b)",
            )
        },
        Step {
            provisional: p2 || p1 || initial_provisional,
            moved_from: final_moved.map(zoned),
            notes: final_note.into_iter().collect(),
            ..Step::new(
                "dora_final_report",
                "Final report",
                final_due.map(zoned),
                "no later than one month after the latest intermediate report",
                "DORA Art 19(4)(c); Delegated Regulation (EU) 2025/301 Art 5(1)(c)",
            )
        },
    ])
}

/// The regimes whose clocks run for an incident when nobody chose them: NIS2 unless the organisation is out
/// of its scope, but DORA instead of NIS2 for a financial entity under DORA (NIS2 Art 4(1) with DORA
/// Art 1(2): DORA Art 19 replaces NIS2 Art 23); GDPR Art 33 when personal data is involved, whatever else
/// runs (the lex specialis rule concerns NIS2 only).
pub fn suggested_regimes(in_nis2_scope: bool, dora_financial_entity: bool, personal_data: bool) -> Vec<Regime> {
    let mut out = Vec::new();
    if dora_financial_entity {
        out.push(Regime::Dora);
    } else if in_nis2_scope {
        out.push(Regime::Nis2);
    }
    if personal_data {
        out.push(Regime::Gdpr);
    }
    out
}

/// Refuse NIS2's clock for a financial entity under DORA: NIS2 Art 4(1) with DORA Art 1(2) make DORA Art 19
/// the reporting duty, so running both would show deadlines that do not bind the entity.
pub fn check_regimes(regimes: &[Regime], dora_financial_entity: bool) -> Result<(), crate::ValidationError> {
    if dora_financial_entity && regimes.contains(&Regime::Nis2) {
        return Err(crate::ValidationError::new(
            "regimes",
            "a financial entity under DORA reports under DORA Art 19, which replaces NIS2 Art 23 (NIS2 Art 4(1), DORA Art 1(2)): choose dora instead of nis2",
        ));
    }
    Ok(())
}

/// Parse an instant: RFC 3339 with offset (`2026-11-27T02:13:00+01:00`, `…Z`), RFC 9557 with a zone
/// (`…[Europe/Berlin]`), or a civil time without offset, read in `zone`.
pub fn parse_instant(field: &str, raw: &str, zone: &TimeZone) -> Result<Timestamp, crate::ValidationError> {
    if let Ok(z) = raw.parse::<Zoned>() {
        return Ok(z.timestamp());
    }
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Ok(t);
    }
    if let Ok(dt) = raw.parse::<jiff::civil::DateTime>()
        && let Ok(z) = dt.to_zoned(zone.clone())
    {
        return Ok(z.timestamp());
    }
    Err(crate::ValidationError::new(field, format!("'{raw}' is not a time (use RFC 3339, e.g. 2026-11-27T02:13:00+01:00)")))
}

/// Look up an IANA time zone by name.
pub fn parse_zone(field: &str, raw: &str) -> Result<TimeZone, crate::ValidationError> {
    TimeZone::get(raw)
        .map_err(|_| crate::ValidationError::new(field, format!("unknown time zone '{raw}' (use an IANA name, e.g. Europe/Berlin)")))
}
#[cfg(test)]
mod tests;
