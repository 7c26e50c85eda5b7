//! Tests of the reporting clocks: one case per rule, written from the legal texts and citing them.
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
