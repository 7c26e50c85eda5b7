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
mod tests {
    use super::*;

    fn berlin() -> TimeZone {
        parse_zone("tz", "Europe/Berlin").unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse::<Zoned>().map(|z| z.timestamp()).or_else(|_| s.parse::<Timestamp>()).unwrap()
    }

    fn due<'a>(steps: &'a [Step], id: &str) -> &'a Step {
        steps.iter().find(|s| s.id == id).unwrap()
    }

    fn due_str(steps: &[Step], id: &str) -> String {
        due(steps, id).due.as_ref().map(ToString::to_string).unwrap_or_default()
    }

    /// NIS2 Art 23(4)(a),(b): aware at 02:13 → early warning 24 h and notification 72 h later.
    #[test]
    fn nis2_early_warning_24h_notification_72h() {
        let f = IncidentFacts::new(at("2026-11-27T02:13:00+01:00[Europe/Berlin]"), berlin());
        let s = deadlines(Regime::Nis2, &f).unwrap();
        assert_eq!(due_str(&s, "nis2_early_warning"), "2026-11-28T02:13:00+01:00[Europe/Berlin]");
        assert_eq!(due_str(&s, "nis2_incident_notification"), "2026-11-30T02:13:00+01:00[Europe/Berlin]");
        assert!(due(&s, "nis2_intermediate_report").due.is_none(), "only on request");
        // Art 23(4)(d): one month after the notification; provisional until it is submitted.
        assert_eq!(due_str(&s, "nis2_final_report"), "2026-12-30T02:13:00+01:00[Europe/Berlin]");
        assert!(due(&s, "nis2_final_report").provisional);
    }

    /// NIS2 Art 23(4) second subparagraph: trust service providers notify within 24 hours.
    #[test]
    fn nis2_trust_service_provider_notifies_within_24h() {
        let mut f = IncidentFacts::new(at("2026-11-27T02:13:00+01:00[Europe/Berlin]"), berlin());
        f.entity_type = Some("trust_service_provider".into());
        let s = deadlines(Regime::Nis2, &f).unwrap();
        assert_eq!(due_str(&s, "nis2_incident_notification"), "2026-11-28T02:13:00+01:00[Europe/Berlin]");
    }

    /// Elapsed hours across the spring-forward night in Berlin (2026-03-29 02:00 CET → 03:00 CEST).
    #[test]
    fn hours_are_elapsed_across_dst_in_berlin() {
        let f = IncidentFacts::new(at("2026-03-28T02:13:00+01:00[Europe/Berlin]"), berlin());
        let s = deadlines(Regime::Nis2, &f).unwrap();
        assert_eq!(due_str(&s, "nis2_early_warning"), "2026-03-29T03:13:00+02:00[Europe/Berlin]");
    }

    /// Dublin's autumn change (2026-10-25 02:00 IST → 01:00 GMT): 24 elapsed hours end an hour earlier on the clock.
    #[test]
    fn hours_are_elapsed_across_dst_in_dublin() {
        let dublin = parse_zone("tz", "Europe/Dublin").unwrap();
        let f = IncidentFacts::new(at("2026-10-24T10:00:00+01:00[Europe/Dublin]"), dublin);
        let s = deadlines(Regime::Gdpr, &f).unwrap();
        assert_eq!(due_str(&s, "gdpr_sa_notification"), "2026-10-27T09:00:00+00:00[Europe/Dublin]");
    }

    /// One month after 31 January is the last day of February (clamped), at the same local time.
    #[test]
    fn a_month_after_31_january_is_the_end_of_february() {
        let mut f = IncidentFacts::new(at("2027-01-28T09:00:00+01:00[Europe/Berlin]"), berlin());
        f.nis2_notification_submitted_at = Some(at("2027-01-31T09:00:00+01:00[Europe/Berlin]"));
        let s = deadlines(Regime::Nis2, &f).unwrap();
        assert_eq!(due_str(&s, "nis2_final_report"), "2027-02-28T09:00:00+01:00[Europe/Berlin]");
        assert!(!due(&s, "nis2_final_report").provisional);
    }

    /// In a leap year the month after 31 January ends on 29 February; a month after 29 February is 29 March.
    #[test]
    fn leap_years_use_29_february() {
        let mut f = IncidentFacts::new(at("2028-01-30T09:00:00+01:00[Europe/Berlin]"), berlin());
        f.nis2_notification_submitted_at = Some(at("2028-01-31T09:00:00+01:00[Europe/Berlin]"));
        assert_eq!(due_str(&deadlines(Regime::Nis2, &f).unwrap(), "nis2_final_report"), "2028-02-29T09:00:00+01:00[Europe/Berlin]");
        f.nis2_notification_submitted_at = Some(at("2028-02-29T09:00:00+01:00[Europe/Berlin]"));
        // 29 March 2028 is after the spring change: same local time, new offset.
        assert_eq!(due_str(&deadlines(Regime::Nis2, &f).unwrap(), "nis2_final_report"), "2028-03-29T09:00:00+02:00[Europe/Berlin]");
    }

    /// GDPR Art 33(1): 72 hours after becoming aware.
    #[test]
    fn gdpr_72_hours() {
        let f = IncidentFacts::new(at("2026-11-27T02:13:00Z"), TimeZone::UTC);
        let s = deadlines(Regime::Gdpr, &f).unwrap();
        assert_eq!(due_str(&s, "gdpr_sa_notification"), "2026-11-30T02:13:00+00:00[UTC]");
        assert!(due(&s, "gdpr_data_subject_communication").due.is_none());
    }

    /// DORA: 4 h after classification when that is earlier than 24 h after awareness.
    #[test]
    fn dora_initial_four_hours_after_classification() {
        let mut f = IncidentFacts::new(at("2026-11-27T08:00:00+01:00[Europe/Berlin]"), berlin());
        f.classified_at = Some(at("2026-11-27T10:00:00+01:00[Europe/Berlin]"));
        let s = deadlines(Regime::Dora, &f).unwrap();
        assert_eq!(due_str(&s, "dora_initial_notification"), "2026-11-27T14:00:00+01:00[Europe/Berlin]");
        assert_eq!(due_str(&s, "dora_intermediate_report"), "2026-11-30T14:00:00+01:00[Europe/Berlin]");
        assert_eq!(due_str(&s, "dora_final_report"), "2026-12-30T14:00:00+01:00[Europe/Berlin]");
    }

    /// DORA Art 19(4)(a): no later than 24 h after awareness, even if classification + 4 h is later.
    #[test]
    fn dora_initial_is_capped_at_24_hours_after_awareness() {
        let mut f = IncidentFacts::new(at("2026-11-27T08:00:00+01:00[Europe/Berlin]"), berlin());
        f.classified_at = Some(at("2026-11-28T06:00:00+01:00[Europe/Berlin]"));
        let s = deadlines(Regime::Dora, &f).unwrap();
        assert_eq!(due_str(&s, "dora_initial_notification"), "2026-11-28T08:00:00+01:00[Europe/Berlin]");
    }

    /// 2025/301 Art 5(2): classified long after awareness → 4 h from classification.
    #[test]
    fn dora_classification_long_after_awareness() {
        let mut f = IncidentFacts::new(at("2026-11-20T08:00:00+01:00[Europe/Berlin]"), berlin());
        f.classified_at = Some(at("2026-11-27T16:30:00+01:00[Europe/Berlin]"));
        let s = deadlines(Regime::Dora, &f).unwrap();
        assert_eq!(due_str(&s, "dora_initial_notification"), "2026-11-27T20:30:00+01:00[Europe/Berlin]");
    }

    /// DORA: the intermediate report runs from the initial notification's actual submission.
    #[test]
    fn dora_later_steps_follow_actual_submissions() {
        let mut f = IncidentFacts::new(at("2026-11-27T08:00:00+01:00[Europe/Berlin]"), berlin());
        f.classified_at = Some(at("2026-11-27T09:00:00+01:00[Europe/Berlin]"));
        f.dora_initial_submitted_at = Some(at("2026-11-27T11:00:00+01:00[Europe/Berlin]"));
        f.dora_latest_intermediate_submitted_at = Some(at("2026-12-01T10:00:00+01:00[Europe/Berlin]"));
        let s = deadlines(Regime::Dora, &f).unwrap();
        assert_eq!(due_str(&s, "dora_intermediate_report"), "2026-11-30T11:00:00+01:00[Europe/Berlin]");
        assert_eq!(due_str(&s, "dora_final_report"), "2027-01-01T10:00:00+01:00[Europe/Berlin]");
        assert!(!due(&s, "dora_final_report").provisional);
    }

    /// One incident, several regimes: NIS2 and GDPR clocks run in parallel from the same awareness.
    #[test]
    fn several_regimes_on_one_incident() {
        let f = IncidentFacts::new(at("2026-11-27T02:13:00+01:00[Europe/Berlin]"), berlin());
        let n = deadlines(Regime::Nis2, &f).unwrap();
        let g = deadlines(Regime::Gdpr, &f).unwrap();
        assert_eq!(due(&n, "nis2_incident_notification").due, due(&g, "gdpr_sa_notification").due);
    }

    #[test]
    fn classification_before_awareness_is_rejected_naming_the_field() {
        let mut f = IncidentFacts::new(at("2026-11-27T08:00:00Z"), TimeZone::UTC);
        f.classified_at = Some(at("2026-11-27T07:00:00Z"));
        let ClockError::Invalid(v) = deadlines(Regime::Dora, &f).unwrap_err();
        assert_eq!(v.field, "classified_at");
    }

    #[test]
    fn zones_and_times_are_validated() {
        assert_eq!(parse_zone("tz", "Mars/Olympus").unwrap_err().field, "tz");
        assert_eq!(parse_instant("aware_at", "yesterday", &TimeZone::UTC).unwrap_err().field, "aware_at");
        let civil = parse_instant("aware_at", "2026-11-27T02:13", &berlin()).unwrap();
        assert_eq!(civil, at("2026-11-27T01:13:00Z"));
    }

    /// One clock case, written from the legal text and the national calendars (not from this code).
    struct Case {
        basis: &'static str,
        regime: Regime,
        tz: &'static str,
        aware: &'static str,
        classified: Option<&'static str>,
        entity: Option<&'static str>,
        ms: Option<&'static str>,
        identified: bool,
        withdrawn: bool,
        nis2_notification: Option<&'static str>,
        initial: Option<&'static str>,
        intermediate: Option<&'static str>,
        step: &'static str,
        due: &'static str,
        /// Whether 2025/301 Art 5(4) moved the limit.
        moved: bool,
    }

    const C: Case = Case {
        basis: "",
        regime: Regime::Dora,
        tz: "Europe/Berlin",
        aware: "2026-11-27T08:00:00+01:00",
        classified: None,
        entity: None,
        ms: None,
        identified: false,
        withdrawn: false,
        nis2_notification: None,
        initial: None,
        intermediate: None,
        step: "",
        due: "",
        moved: false,
    };

    /// The case table of issue 14: NIS2, GDPR and DORA clocks across DST changes in two zones (Berlin,
    /// Dublin), month ends, a leap year, weekend and mid-week bank holidays in several Member States (DE, IE,
    /// FR, ES), trust service providers, and financial entities with and without the Art 5(4) relief.
    /// Weekdays: 2026-11-14 and 2026-10-03 are Saturdays, 2026-05-14 (Ascension) a Thursday, 2026-03-17
    /// (St Patrick's Day) and 2026-07-14 (fête nationale) Tuesdays, 2027-02-28 a Sunday.
    #[test]
    fn clock_case_table() {
        let cases = [
            // --- NIS2 Art 23(4) ---
            Case {
                basis: "NIS2 Art 23(4)(a): 24 h",
                regime: Regime::Nis2,
                aware: "2026-11-27T02:13:00+01:00",
                step: "nis2_early_warning",
                due: "2026-11-28T02:13:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "NIS2 Art 23(4)(b): 72 h",
                regime: Regime::Nis2,
                aware: "2026-11-27T02:13:00+01:00",
                step: "nis2_incident_notification",
                due: "2026-11-30T02:13:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "NIS2 Art 23(4) 2nd subpara: qualified TSP 24 h",
                regime: Regime::Nis2,
                aware: "2026-11-27T02:13:00+01:00",
                entity: Some("qualified_trust_service_provider"),
                step: "nis2_incident_notification",
                due: "2026-11-28T02:13:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "NIS2 Art 23(4) 2nd subpara: non-qualified TSP 24 h",
                regime: Regime::Nis2,
                aware: "2026-11-27T02:13:00+01:00",
                entity: Some("trust_service_provider"),
                step: "nis2_incident_notification",
                due: "2026-11-28T02:13:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "NIS2 Art 23(4) 2nd subpara: TSP 24 elapsed hours over Berlin's spring change",
                regime: Regime::Nis2,
                aware: "2026-03-28T09:00:00+01:00",
                entity: Some("qualified_trust_service_provider"),
                step: "nis2_incident_notification",
                due: "2026-03-29T10:00:00+02:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "NIS2 Art 23(4)(a): TSP early warning unchanged",
                regime: Regime::Nis2,
                aware: "2026-11-27T02:13:00+01:00",
                entity: Some("trust_service_provider"),
                step: "nis2_early_warning",
                due: "2026-11-28T02:13:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "NIS2 Art 23(4)(b): 72 elapsed hours over Berlin's autumn change",
                regime: Regime::Nis2,
                aware: "2026-10-23T12:00:00+02:00",
                step: "nis2_incident_notification",
                due: "2026-10-26T11:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "NIS2 Art 23(4)(a): 24 elapsed hours over Dublin's spring change",
                regime: Regime::Nis2,
                tz: "Europe/Dublin",
                aware: "2026-03-28T12:00:00+00:00",
                step: "nis2_early_warning",
                due: "2026-03-29T13:00:00+01:00[Europe/Dublin]",
                ..C
            },
            Case {
                basis: "NIS2 Art 23(4)(d): one month from 31 January ends 28 February",
                regime: Regime::Nis2,
                aware: "2026-01-29T10:00:00+01:00",
                nis2_notification: Some("2026-01-31T10:00:00+01:00"),
                step: "nis2_final_report",
                due: "2026-02-28T10:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "NIS2 Art 23(4)(d): leap year, 31 January 2028 + one month = 29 February",
                regime: Regime::Nis2,
                aware: "2028-01-29T10:00:00+01:00",
                nis2_notification: Some("2028-01-31T10:00:00+01:00"),
                step: "nis2_final_report",
                due: "2028-02-29T10:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "NIS2 Art 23(4)(d): 30 April + one month = 30 May",
                regime: Regime::Nis2,
                aware: "2026-04-28T10:00:00+02:00",
                nis2_notification: Some("2026-04-30T10:00:00+02:00"),
                step: "nis2_final_report",
                due: "2026-05-30T10:00:00+02:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "NIS2 Art 23(4)(d): provisional, from the notification's due time",
                regime: Regime::Nis2,
                tz: "UTC",
                aware: "2026-12-01T09:00:00Z",
                step: "nis2_final_report",
                due: "2027-01-04T09:00:00+00:00[UTC]",
                ..C
            },
            Case {
                basis: "NIS2 Art 23(4)(a): no weekend or holiday rule in NIS2 (3 Oct 2026, Saturday and holiday in DE)",
                regime: Regime::Nis2,
                aware: "2026-10-02T10:00:00+02:00",
                ms: Some("DE"),
                step: "nis2_early_warning",
                due: "2026-10-03T10:00:00+02:00[Europe/Berlin]",
                ..C
            },
            // --- GDPR Art 33(1) ---
            Case {
                basis: "GDPR Art 33(1): 72 elapsed hours over Dublin's autumn change",
                regime: Regime::Gdpr,
                tz: "Europe/Dublin",
                aware: "2026-10-24T10:00:00+01:00",
                step: "gdpr_sa_notification",
                due: "2026-10-27T09:00:00+00:00[Europe/Dublin]",
                ..C
            },
            Case {
                basis: "GDPR Art 33(1): across the new year, on a Saturday, not moved",
                regime: Regime::Gdpr,
                aware: "2026-12-30T15:00:00+01:00",
                ms: Some("DE"),
                step: "gdpr_sa_notification",
                due: "2027-01-02T15:00:00+01:00[Europe/Berlin]",
                ..C
            },
            // --- DORA Art 19(4), 2025/301 Art 5(1)-(2), no Member State ---
            Case {
                basis: "2025/301 Art 5(1)(a): 4 h after classification",
                classified: Some("2026-11-27T10:00:00+01:00"),
                step: "dora_initial_notification",
                due: "2026-11-27T14:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(1)(a): capped at 24 h after awareness",
                classified: Some("2026-11-28T06:00:00+01:00"),
                step: "dora_initial_notification",
                due: "2026-11-28T08:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(1)(a): classified exactly at 24 h, zero-length window",
                classified: Some("2026-11-28T08:00:00+01:00"),
                step: "dora_initial_notification",
                due: "2026-11-28T08:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(2): classified after 24 h, 4 h from classification",
                classified: Some("2026-11-28T09:00:00+01:00"),
                step: "dora_initial_notification",
                due: "2026-11-28T13:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(1)(a): not yet classified, the 24 h cap",
                step: "dora_initial_notification",
                due: "2026-11-28T08:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(1)(b): 72 h from the initial notification's submission",
                classified: Some("2026-11-27T09:00:00+01:00"),
                initial: Some("2026-11-27T11:00:00+01:00"),
                step: "dora_intermediate_report",
                due: "2026-11-30T11:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(1)(c): one month after the latest intermediate report; no Member State, 1 Jan not moved",
                classified: Some("2026-11-27T09:00:00+01:00"),
                initial: Some("2026-11-27T11:00:00+01:00"),
                intermediate: Some("2026-12-01T10:00:00+01:00"),
                step: "dora_final_report",
                due: "2027-01-01T10:00:00+01:00[Europe/Berlin]",
                ..C
            },
            // --- 2025/301 Art 5(4): weekends and bank holidays (DE) ---
            Case {
                basis: "2025/301 Art 5(4): insurer's final report due Saturday 10:00 → Monday noon",
                classified: Some("2026-10-10T09:00:00+02:00"),
                aware: "2026-10-10T08:00:00+02:00",
                initial: Some("2026-10-10T11:00:00+02:00"),
                intermediate: Some("2026-10-14T10:00:00+02:00"),
                ms: Some("DE"),
                step: "dora_final_report",
                due: "2026-11-16T12:00:00+01:00[Europe/Berlin]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): German Unity Day on a Saturday → Monday noon",
                aware: "2026-09-01T08:00:00+02:00",
                classified: Some("2026-09-01T09:00:00+02:00"),
                initial: Some("2026-09-01T11:00:00+02:00"),
                intermediate: Some("2026-09-03T10:00:00+02:00"),
                ms: Some("DE"),
                step: "dora_final_report",
                due: "2026-10-05T12:00:00+02:00[Europe/Berlin]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): mid-week bank holiday (Ascension, Thursday) → Friday noon",
                aware: "2026-04-10T08:00:00+02:00",
                classified: Some("2026-04-10T09:00:00+02:00"),
                initial: Some("2026-04-10T11:00:00+02:00"),
                intermediate: Some("2026-04-14T09:00:00+02:00"),
                ms: Some("DE"),
                step: "dora_final_report",
                due: "2026-05-15T12:00:00+02:00[Europe/Berlin]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): Christmas Friday, Boxing Day Saturday → Monday noon",
                aware: "2026-11-20T08:00:00+01:00",
                classified: Some("2026-11-20T09:00:00+01:00"),
                initial: Some("2026-11-20T11:00:00+01:00"),
                intermediate: Some("2026-11-25T16:00:00+01:00"),
                ms: Some("DE"),
                step: "dora_final_report",
                due: "2026-12-28T12:00:00+01:00[Europe/Berlin]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): Good Friday to Easter Monday in DE → Tuesday noon",
                aware: "2026-03-01T08:00:00+01:00",
                classified: Some("2026-03-01T09:00:00+01:00"),
                initial: Some("2026-03-01T11:00:00+01:00"),
                intermediate: Some("2026-03-03T10:00:00+01:00"),
                ms: Some("DE"),
                step: "dora_final_report",
                due: "2026-04-07T12:00:00+02:00[Europe/Berlin]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): a Saturday before the spring change → Monday noon, summer time",
                aware: "2026-03-24T08:00:00+01:00",
                classified: Some("2026-03-24T09:00:00+01:00"),
                initial: Some("2026-03-25T10:00:00+01:00"),
                ms: Some("DE"),
                step: "dora_intermediate_report",
                due: "2026-03-30T12:00:00+02:00[Europe/Berlin]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(1)(c): leap day 2028 is a Tuesday, not moved",
                aware: "2028-01-20T08:00:00+01:00",
                classified: Some("2028-01-20T09:00:00+01:00"),
                initial: Some("2028-01-20T11:00:00+01:00"),
                intermediate: Some("2028-01-31T10:00:00+01:00"),
                ms: Some("DE"),
                step: "dora_final_report",
                due: "2028-02-29T10:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(1)(c), 5(4): month end 28 Feb 2027 is a Sunday → Monday 1 March noon",
                aware: "2027-01-20T08:00:00+01:00",
                classified: Some("2027-01-20T09:00:00+01:00"),
                initial: Some("2027-01-20T11:00:00+01:00"),
                intermediate: Some("2027-01-31T10:00:00+01:00"),
                ms: Some("DE"),
                step: "dora_final_report",
                due: "2027-03-01T12:00:00+01:00[Europe/Berlin]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): initial notification on a Saturday, insurer → Monday noon",
                aware: "2026-11-13T12:00:00+01:00",
                classified: Some("2026-11-14T09:00:00+01:00"),
                ms: Some("DE"),
                step: "dora_initial_notification",
                due: "2026-11-16T12:00:00+01:00[Europe/Berlin]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(1)(b): provisional intermediate chains from the moved initial limit",
                aware: "2026-11-13T12:00:00+01:00",
                classified: Some("2026-11-14T09:00:00+01:00"),
                ms: Some("DE"),
                step: "dora_intermediate_report",
                due: "2026-11-19T12:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(1)(b): once submitted, the intermediate runs from the actual submission",
                aware: "2026-11-13T12:00:00+01:00",
                classified: Some("2026-11-14T09:00:00+01:00"),
                initial: Some("2026-11-14T10:00:00+01:00"),
                ms: Some("DE"),
                step: "dora_intermediate_report",
                due: "2026-11-17T10:00:00+01:00[Europe/Berlin]",
                ..C
            },
            // --- 2025/301 Art 5(5)-(6): no relief for the first two reports ---
            Case {
                basis: "2025/301 Art 5(5): credit institution's initial notification stays on Saturday",
                aware: "2026-11-13T12:00:00+01:00",
                classified: Some("2026-11-14T09:00:00+01:00"),
                entity: Some("credit_institution"),
                ms: Some("DE"),
                step: "dora_initial_notification",
                due: "2026-11-14T12:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(5): credit institution's intermediate chains from the unmoved limit",
                aware: "2026-11-13T12:00:00+01:00",
                classified: Some("2026-11-14T09:00:00+01:00"),
                entity: Some("credit_institution"),
                ms: Some("DE"),
                step: "dora_intermediate_report",
                due: "2026-11-17T12:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(5): CCP's intermediate report on a Saturday stays",
                aware: "2026-11-11T08:00:00+01:00",
                classified: Some("2026-11-11T09:00:00+01:00"),
                initial: Some("2026-11-11T15:00:00+01:00"),
                entity: Some("central_counterparty"),
                ms: Some("DE"),
                step: "dora_intermediate_report",
                due: "2026-11-14T15:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): the same intermediate report of an insurer moves",
                aware: "2026-11-11T08:00:00+01:00",
                classified: Some("2026-11-11T09:00:00+01:00"),
                initial: Some("2026-11-11T15:00:00+01:00"),
                ms: Some("DE"),
                step: "dora_intermediate_report",
                due: "2026-11-16T12:00:00+01:00[Europe/Berlin]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(5): trading venue's final report keeps the relief",
                aware: "2026-10-10T08:00:00+02:00",
                classified: Some("2026-10-10T09:00:00+02:00"),
                initial: Some("2026-10-10T11:00:00+02:00"),
                intermediate: Some("2026-10-14T10:00:00+02:00"),
                entity: Some("trading_venue_operator"),
                ms: Some("DE"),
                step: "dora_final_report",
                due: "2026-11-16T12:00:00+01:00[Europe/Berlin]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(5): financial entity identified as essential/important under NIS2 Art 3",
                aware: "2026-11-11T08:00:00+01:00",
                classified: Some("2026-11-11T09:00:00+01:00"),
                initial: Some("2026-11-11T15:00:00+01:00"),
                identified: true,
                ms: Some("DE"),
                step: "dora_intermediate_report",
                due: "2026-11-14T15:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(6): relief withdrawn by the authority, intermediate stays",
                aware: "2026-11-11T08:00:00+01:00",
                classified: Some("2026-11-11T09:00:00+01:00"),
                initial: Some("2026-11-11T15:00:00+01:00"),
                withdrawn: true,
                ms: Some("DE"),
                step: "dora_intermediate_report",
                due: "2026-11-14T15:00:00+01:00[Europe/Berlin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(6): withdrawal does not reach the final report",
                aware: "2026-10-10T08:00:00+02:00",
                classified: Some("2026-10-10T09:00:00+02:00"),
                initial: Some("2026-10-10T11:00:00+02:00"),
                intermediate: Some("2026-10-14T10:00:00+02:00"),
                withdrawn: true,
                ms: Some("DE"),
                step: "dora_final_report",
                due: "2026-11-16T12:00:00+01:00[Europe/Berlin]",
                moved: true,
                ..C
            },
            // --- Other Member States and zones ---
            Case {
                basis: "2025/301 Art 5(4): St Patrick's Day (Tuesday) in IE → Wednesday noon",
                tz: "Europe/Dublin",
                aware: "2026-03-13T08:00:00+00:00",
                classified: Some("2026-03-13T09:00:00+00:00"),
                initial: Some("2026-03-14T09:00:00+00:00"),
                ms: Some("IE"),
                step: "dora_intermediate_report",
                due: "2026-03-18T12:00:00+00:00[Europe/Dublin]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): Easter Monday in IE → Tuesday noon, Irish summer time",
                tz: "Europe/Dublin",
                aware: "2026-03-02T08:00:00+00:00",
                classified: Some("2026-03-02T09:00:00+00:00"),
                initial: Some("2026-03-02T11:00:00+00:00"),
                intermediate: Some("2026-03-06T10:00:00+00:00"),
                ms: Some("IE"),
                step: "dora_final_report",
                due: "2026-04-07T12:00:00+01:00[Europe/Dublin]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): Good Friday is a working day in IE, not moved",
                tz: "Europe/Dublin",
                aware: "2026-03-01T08:00:00+00:00",
                classified: Some("2026-03-01T09:00:00+00:00"),
                initial: Some("2026-03-01T11:00:00+00:00"),
                intermediate: Some("2026-03-03T10:00:00+00:00"),
                ms: Some("IE"),
                step: "dora_final_report",
                due: "2026-04-03T10:00:00+01:00[Europe/Dublin]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): 14 July (Tuesday) in FR → Wednesday noon",
                tz: "Europe/Paris",
                aware: "2026-07-10T08:00:00+02:00",
                classified: Some("2026-07-10T09:00:00+02:00"),
                initial: Some("2026-07-11T09:00:00+02:00"),
                ms: Some("FR"),
                step: "dora_intermediate_report",
                due: "2026-07-15T12:00:00+02:00[Europe/Paris]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): Fiesta Nacional (Monday) in ES, entity on the Canary Islands → noon there",
                tz: "Atlantic/Canary",
                aware: "2026-10-08T08:00:00+01:00",
                classified: Some("2026-10-08T09:00:00+01:00"),
                initial: Some("2026-10-09T10:00:00+01:00"),
                ms: Some("ES"),
                step: "dora_intermediate_report",
                due: "2026-10-13T12:00:00+01:00[Atlantic/Canary]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): the day is judged in DE local time (Sat 00:30 Berlin is Fri 23:30 UTC) → noon Berlin",
                tz: "UTC",
                aware: "2026-11-10T08:00:00Z",
                classified: Some("2026-11-10T09:00:00Z"),
                initial: Some("2026-11-10T23:30:00Z"),
                ms: Some("DE"),
                step: "dora_intermediate_report",
                due: "2026-11-16T11:00:00+00:00[UTC]",
                moved: true,
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): the same instant is Friday 23:30 in Dublin, not moved for IE",
                tz: "UTC",
                aware: "2026-11-10T08:00:00Z",
                classified: Some("2026-11-10T09:00:00Z"),
                initial: Some("2026-11-10T23:30:00Z"),
                ms: Some("IE"),
                step: "dora_intermediate_report",
                due: "2026-11-13T23:30:00+00:00[UTC]",
                ..C
            },
            Case {
                basis: "2025/301 Art 5(4): without a Member State the earlier limit stands",
                aware: "2026-11-11T08:00:00+01:00",
                classified: Some("2026-11-11T09:00:00+01:00"),
                initial: Some("2026-11-11T15:00:00+01:00"),
                step: "dora_intermediate_report",
                due: "2026-11-14T15:00:00+01:00[Europe/Berlin]",
                ..C
            },
        ];
        assert!(cases.len() >= 40, "{} cases", cases.len());
        for c in &cases {
            let zone = parse_zone("tz", c.tz).unwrap();
            let mut f = IncidentFacts::new(at(c.aware), zone);
            f.classified_at = c.classified.map(at);
            f.entity_type = c.entity.map(str::to_owned);
            f.member_state = c.ms.map(|m| bank_holidays::parse_member_state("member_state", m).unwrap());
            f.nis2_identified = c.identified;
            f.dora_relief_withdrawn = c.withdrawn;
            f.nis2_notification_submitted_at = c.nis2_notification.map(at);
            f.dora_initial_submitted_at = c.initial.map(at);
            f.dora_latest_intermediate_submitted_at = c.intermediate.map(at);
            let steps = deadlines(c.regime, &f).unwrap_or_else(|e| panic!("{}: {e}", c.basis));
            let s = due(&steps, c.step);
            assert_eq!(due_str(&steps, c.step), c.due, "{}", c.basis);
            assert_eq!(s.moved_from.is_some(), c.moved, "{}: moved_from {:?}, notes {:?}", c.basis, s.moved_from, s.notes);
            if c.moved {
                assert!(
                    s.notes.iter().any(|n| n.contains("Art 5(4)") && n.contains("regional holidays are not considered")),
                    "{}: {:?}",
                    c.basis,
                    s.notes
                );
            }
        }
    }

    /// 2025/301 Art 5(1)(a) literally: classification exactly 24 h after awareness leaves no time; the step says why.
    #[test]
    fn zero_length_initial_window_is_explained() {
        let mut f = IncidentFacts::new(at("2026-11-27T08:00:00+01:00[Europe/Berlin]"), berlin());
        f.classified_at = Some(at("2026-11-28T08:00:00+01:00[Europe/Berlin]"));
        let s = deadlines(Regime::Dora, &f).unwrap();
        let initial = due(&s, "dora_initial_notification");
        assert_eq!(initial.due.as_ref().unwrap().timestamp(), f.classified_at.unwrap());
        assert!(
            initial.notes.iter().any(|n| n.contains("zero-length") && n.contains("Art 5(1)(a)") && n.contains("Art 5(3)")),
            "{:?}",
            initial.notes
        );
        // A classification 22 h after awareness leaves 2 h: said too.
        f.classified_at = Some(at("2026-11-28T06:00:00+01:00[Europe/Berlin]"));
        let s = deadlines(Regime::Dora, &f).unwrap();
        assert!(due(&s, "dora_initial_notification").notes.iter().any(|n| n.contains("2h 00m")));
    }

    /// A time limit whose year has no bundled holiday data is an error naming the field and the year.
    #[test]
    fn holiday_year_outside_the_data_is_an_error_naming_the_year() {
        let mut f = IncidentFacts::new(at("2040-06-01T08:00:00+02:00[Europe/Berlin]"), berlin());
        f.member_state = Some(bank_holidays::parse_member_state("member_state", "DE").unwrap());
        let ClockError::Invalid(v) = deadlines(Regime::Dora, &f).unwrap_err();
        assert_eq!(v.field, "member_state");
        assert!(v.message.contains("2040"), "{}", v.message);
        // NIS2 and GDPR do not read holidays, so they still answer.
        assert!(deadlines(Regime::Nis2, &f).is_ok());
    }

    /// NIS2 Art 4(1), DORA Art 1(2): DORA instead of NIS2 for financial entities; GDPR unaffected.
    #[test]
    fn financial_entities_run_dora_instead_of_nis2() {
        assert_eq!(suggested_regimes(true, true, true), vec![Regime::Dora, Regime::Gdpr]);
        assert_eq!(suggested_regimes(true, false, true), vec![Regime::Nis2, Regime::Gdpr]);
        assert_eq!(suggested_regimes(false, true, false), vec![Regime::Dora]);
        assert_eq!(suggested_regimes(false, false, false), vec![]);
        assert_eq!(check_regimes(&[Regime::Nis2, Regime::Dora], true).unwrap_err().field, "regimes");
        assert!(check_regimes(&[Regime::Dora, Regime::Gdpr], true).is_ok());
        assert!(check_regimes(&[Regime::Nis2], false).is_ok());
    }
}
