//! Readiness rules: when evidence and attestations count, what state a control is in, and what
//! state a requirement has from the organisation's own work (its *direct* state, before the
//! crosswalk engine in [`crate::crosswalk`] adds what typed relations carry).
//!
//! Rules (ARCHITECTURE.md, "Tenant data"):
//! - Evidence counts from `effective_from` through `valid_until`, both days included; a missing
//!   bound is open. An attestation counts from the day it was made through its expiry date.
//! - A control is `not_applicable` when so marked (with a justification), a `gap` when only planned,
//!   `partial` when partially implemented, and `proven` when implemented with evidence valid today.
//!   An implemented control without valid evidence is `attested` when a named person attested it —
//!   never shown as proven — and otherwise `partial`; **expired evidence makes it not ready**, and
//!   the reason names the evidence and the day it expired.
//! - A requirement is only as ready as its weakest applicable control: `not_applicable` when every
//!   linked control is, `partial` when some controls are planned and others further along. A valid
//!   attestation of the requirement itself raises an unknown, gap or partial state to `attested`,
//!   and stands alone when no control is linked. Nothing recorded at all is `unknown` (no state).
//!
//! This module is the one place for these rules. The rules that risks and findings will bring (an
//! untreated risk or an open major finding against a requirement) belong here too, as further
//! pure functions with their tests beside them; the app's readiness cache only gathers the inputs
//! and calls these functions.
//!
//! Dates are generic (`D: Ord`): the rules only compare and name days, so the same functions serve
//! the store's calendar dates and the domain's own.
use std::fmt::{self, Display};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::crosswalk::Readiness;

// Plain comments, not doc comments: utoipa would copy a doc comment into the OpenAPI document.
// A control's implementation status, as stored and as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    Planned,
    Partial,
    Implemented,
    NotApplicable,
}

impl ControlStatus {
    pub const ALL: [ControlStatus; 4] = [Self::Planned, Self::Partial, Self::Implemented, Self::NotApplicable];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Partial => "partial",
            Self::Implemented => "implemented",
            Self::NotApplicable => "not_applicable",
        }
    }

    /// For callers that word their own message (a form field, a CLI flag); `str::parse` gives an
    /// error naming the value.
    pub fn parse(raw: &str) -> Option<Self> {
        raw.parse().ok()
    }
}

impl Display for ControlStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A control status that is none of the four names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown control status '{0}' (expected planned, partial, implemented or not_applicable)")]
pub struct UnknownControlStatus(pub String);

impl FromStr for ControlStatus {
    type Err = UnknownControlStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| UnknownControlStatus(s.to_owned()))
    }
}

/// Whether evidence counts on `today`: from `effective_from` through `valid_until`, both included;
/// a missing bound is open.
pub fn evidence_valid<D: Ord>(effective_from: Option<D>, valid_until: Option<D>, today: D) -> bool {
    effective_from.is_none_or(|d| d <= today) && valid_until.is_none_or(|d| d >= today)
}

/// Whether an attestation counts on `today`: from the day it was made through its expiry date
/// (included); without an expiry date it does not lapse.
pub fn attestation_valid<D: Ord>(attested_on: D, expires_on: Option<D>, today: D) -> bool {
    attested_on <= today && expires_on.is_none_or(|d| d >= today)
}

/// One evidence item of a control, as the rules see it: its name (for reasons) and validity window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence<'a, D> {
    pub name: &'a str,
    pub effective_from: Option<D>,
    pub valid_until: Option<D>,
}

impl<D: Ord + Copy> Evidence<'_, D> {
    /// See [`evidence_valid`].
    pub fn is_valid(&self, today: D) -> bool {
        evidence_valid(self.effective_from, self.valid_until, today)
    }

    /// The day it expired, when that is before `today` (evidence not yet in force has not expired).
    pub fn expired_on(&self, today: D) -> Option<D> {
        self.valid_until.filter(|d| *d < today)
    }
}

/// A state from the organisation's own work (of a control, or of a requirement directly), with the
/// reason shown beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectState {
    pub state: Readiness,
    pub reason: String,
}

impl DirectState {
    fn new(state: Readiness, reason: String) -> Self {
        Self { state, reason }
    }
}

/// A control's own state and why, on `today`.
///
/// `attested_by` names the person of a valid attestation of the control, if any. `evidence` is
/// walked lazily: for an implemented control it stops at the first valid item, so most controls
/// cost one look-up; it is walked again only to name expired evidence.
pub fn control_state<'a, D, I>(name: &str, status: ControlStatus, attested_by: Option<&str>, evidence: I, today: D) -> DirectState
where
    D: Ord + Copy + Display + 'a,
    I: IntoIterator<Item = Evidence<'a, D>>,
    I::IntoIter: Clone,
{
    match status {
        ControlStatus::NotApplicable => DirectState::new(Readiness::NotApplicable, format!("control '{name}' is not applicable")),
        ControlStatus::Planned => DirectState::new(Readiness::Gap, format!("control '{name}' is only planned")),
        ControlStatus::Partial => DirectState::new(Readiness::Partial, format!("control '{name}' is partially implemented")),
        ControlStatus::Implemented => {
            let items = evidence.into_iter();
            if items.clone().any(|e| e.is_valid(today)) {
                DirectState::new(Readiness::Proven, format!("control '{name}' is implemented with valid evidence"))
            } else if let Some(by) = attested_by {
                DirectState::new(Readiness::Attested, format!("control '{name}' is attested by {by}, not proven"))
            } else if let Some((until, expired)) = items.filter_map(|e| Some((e.expired_on(today)?, e))).max_by_key(|(until, _)| *until) {
                // The most recently expired item: the one whose renewal is most likely under way.
                DirectState::new(
                    Readiness::Partial,
                    format!("not ready: evidence '{}' of control '{name}' expired on {until}", expired.name),
                )
            } else {
                DirectState::new(Readiness::Partial, format!("control '{name}' is implemented but has no valid evidence"))
            }
        }
    }
}

/// A requirement's direct state from the states of its linked controls (in link order) and the
/// reason of a valid attestation of the requirement itself, if any. `None` when nothing is
/// recorded (the requirement is then unknown).
///
/// Only as ready as its weakest applicable control (the first of equally weak ones gives the
/// reason); planned controls beside further ones make it partial, not a gap. The requirement's own
/// attestation raises anything below attested to attested, and never lowers a proven state.
pub fn requirement_state<'a>(controls: impl IntoIterator<Item = &'a DirectState>, attested: Option<&str>) -> Option<DirectState> {
    let mut first: Option<&DirectState> = None;
    let mut weakest: Option<&DirectState> = None;
    let mut beyond_gap = false;
    for control in controls {
        first.get_or_insert(control);
        if control.state == Readiness::NotApplicable {
            continue;
        }
        beyond_gap |= control.state > Readiness::Gap;
        if weakest.is_none_or(|w| control.state < w.state) {
            weakest = Some(control);
        }
    }
    let from_controls = match (first, weakest) {
        (None, _) => None,
        (Some(first), None) => Some(DirectState::new(Readiness::NotApplicable, first.reason.clone())),
        (Some(_), Some(weakest)) => {
            let state = match weakest.state {
                Readiness::Gap if beyond_gap => Readiness::Partial,
                other => other,
            };
            Some(DirectState::new(state, weakest.reason.clone()))
        }
    };
    match (from_controls, attested) {
        (Some(d), Some(reason)) if d.state < Readiness::Attested => Some(DirectState::new(Readiness::Attested, reason.to_owned())),
        (None, Some(reason)) => Some(DirectState::new(Readiness::Attested, reason.to_owned())),
        (d, _) => d,
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::{Date, date};

    use super::*;

    const TODAY: Date = date(2026, 12, 1);

    fn day(offset: i8) -> Date {
        TODAY.checked_add(jiff::Span::new().days(offset)).unwrap()
    }

    fn item(name: &str, effective_from: Option<Date>, valid_until: Option<Date>) -> Evidence<'_, Date> {
        Evidence { name, effective_from, valid_until }
    }

    fn control(status: ControlStatus, attested_by: Option<&str>, evidence: &[Evidence<'_, Date>]) -> DirectState {
        control_state("Backups", status, attested_by, evidence.iter().copied(), TODAY)
    }

    fn state(state: Readiness, reason: &str) -> DirectState {
        DirectState { state, reason: reason.into() }
    }

    #[test]
    fn control_status_round_trips_through_its_stored_names() {
        for status in ControlStatus::ALL {
            assert_eq!(status.as_str().parse::<ControlStatus>(), Ok(status));
            assert_eq!(status.to_string(), status.as_str());
        }
        assert_eq!(ControlStatus::ALL.map(ControlStatus::as_str), ["planned", "partial", "implemented", "not_applicable"]);
    }

    #[test]
    fn unknown_control_status_is_refused_naming_the_value() {
        let err = "done".parse::<ControlStatus>().unwrap_err();
        assert_eq!(err, UnknownControlStatus("done".into()));
        assert!(err.to_string().contains("'done'"), "{err}");
        assert_eq!(ControlStatus::parse("Implemented"), None, "stored names are lower case");
    }

    #[test]
    fn evidence_valid_until_today_is_valid() {
        assert!(evidence_valid(None, Some(TODAY), TODAY));
    }

    #[test]
    fn evidence_effective_from_today_is_valid() {
        assert!(evidence_valid(Some(TODAY), None, TODAY));
        assert!(evidence_valid(Some(TODAY), Some(TODAY), TODAY), "a one-day window");
    }

    #[test]
    fn evidence_one_day_after_valid_until_is_expired() {
        assert!(!evidence_valid(None, Some(day(-1)), TODAY));
        assert_eq!(item("x", None, Some(day(-1))).expired_on(TODAY), Some(day(-1)));
        assert_eq!(item("x", None, Some(TODAY)).expired_on(TODAY), None);
    }

    #[test]
    fn evidence_not_yet_in_force_is_invalid_but_not_expired() {
        let e = item("x", Some(day(1)), None);
        assert!(!e.is_valid(TODAY));
        assert_eq!(e.expired_on(TODAY), None);
    }

    #[test]
    fn evidence_without_bounds_is_always_valid() {
        assert!(evidence_valid::<Date>(None, None, TODAY));
    }

    #[test]
    fn attestation_counts_from_the_day_made_through_its_expiry_day() {
        assert!(attestation_valid(TODAY, None, TODAY), "made today, no expiry");
        assert!(attestation_valid(day(-30), Some(TODAY), TODAY), "expires today");
        assert!(!attestation_valid(day(-30), Some(day(-1)), TODAY), "expired yesterday");
        assert!(!attestation_valid(day(1), None, TODAY), "dated tomorrow");
    }

    #[test]
    fn not_applicable_control_is_not_applicable() {
        assert_eq!(
            control(ControlStatus::NotApplicable, Some("ciso@x.example"), &[item("Report", None, None)]),
            state(Readiness::NotApplicable, "control 'Backups' is not applicable")
        );
    }

    #[test]
    fn planned_control_is_a_gap() {
        assert_eq!(
            control(ControlStatus::Planned, None, &[item("Report", None, None)]),
            state(Readiness::Gap, "control 'Backups' is only planned")
        );
    }

    #[test]
    fn partially_implemented_control_is_partial_even_with_valid_evidence() {
        assert_eq!(
            control(ControlStatus::Partial, Some("ciso@x.example"), &[item("Report", None, None)]),
            state(Readiness::Partial, "control 'Backups' is partially implemented")
        );
    }

    #[test]
    fn implemented_control_with_valid_evidence_is_proven() {
        let evidence = [item("Old", None, Some(day(-10))), item("Report", Some(TODAY), Some(TODAY))];
        assert_eq!(
            control(ControlStatus::Implemented, Some("ciso@x.example"), &evidence),
            state(Readiness::Proven, "control 'Backups' is implemented with valid evidence"),
            "valid evidence wins over an attestation"
        );
    }

    #[test]
    fn attested_control_is_shown_as_attested_never_as_proven() {
        let d = control(ControlStatus::Implemented, Some("ciso@x.example"), &[item("Report", None, Some(day(-1)))]);
        assert_eq!(d, state(Readiness::Attested, "control 'Backups' is attested by ciso@x.example, not proven"));
        let d = control(ControlStatus::Implemented, Some("ciso@x.example"), &[]);
        assert_eq!(d.state, Readiness::Attested);
    }

    #[test]
    fn expired_evidence_makes_the_control_partial_and_is_named() {
        let evidence =
            [item("Q1 report", None, Some(day(-60))), item("Q3 report", None, Some(day(-1))), item("Q2 report", None, Some(day(-30)))];
        assert_eq!(
            control(ControlStatus::Implemented, None, &evidence),
            state(Readiness::Partial, &format!("not ready: evidence 'Q3 report' of control 'Backups' expired on {}", day(-1)))
        );
        assert!(control(ControlStatus::Implemented, None, &evidence).reason.ends_with("expired on 2026-11-30"));
    }

    #[test]
    fn implemented_control_without_valid_evidence_is_partial() {
        let expected = state(Readiness::Partial, "control 'Backups' is implemented but has no valid evidence");
        assert_eq!(control(ControlStatus::Implemented, None, &[]), expected);
        assert_eq!(control(ControlStatus::Implemented, None, &[item("Next year", Some(day(1)), None)]), expected, "not yet in force");
    }

    #[test]
    fn requirement_without_controls_or_attestation_is_unknown() {
        assert_eq!(requirement_state([], None), None);
    }

    #[test]
    fn requirement_is_not_applicable_when_every_control_is() {
        let controls = [state(Readiness::NotApplicable, "control 'A' is not applicable"), state(Readiness::NotApplicable, "B")];
        assert_eq!(requirement_state(&controls, None), Some(state(Readiness::NotApplicable, "control 'A' is not applicable")));
    }

    #[test]
    fn not_applicable_controls_do_not_count_beside_applicable_ones() {
        let controls = [state(Readiness::NotApplicable, "n/a"), state(Readiness::Proven, "proven")];
        assert_eq!(requirement_state(&controls, None), Some(state(Readiness::Proven, "proven")));
    }

    #[test]
    fn requirement_is_as_ready_as_its_weakest_control() {
        let controls = [state(Readiness::Proven, "proven"), state(Readiness::Attested, "attested"), state(Readiness::Partial, "expired")];
        assert_eq!(requirement_state(&controls, None), Some(state(Readiness::Partial, "expired")));
        let controls = [state(Readiness::Proven, "proven"), state(Readiness::Attested, "attested")];
        assert_eq!(requirement_state(&controls, None), Some(state(Readiness::Attested, "attested")), "attested never counts as proven");
    }

    #[test]
    fn the_first_of_equally_weak_controls_gives_the_reason() {
        let controls = [state(Readiness::Partial, "first"), state(Readiness::Partial, "second")];
        assert_eq!(requirement_state(&controls, None), Some(state(Readiness::Partial, "first")));
    }

    #[test]
    fn planned_controls_alone_are_a_gap_and_beside_others_partial() {
        let planned = state(Readiness::Gap, "control 'A' is only planned");
        assert_eq!(requirement_state([&planned], None), Some(planned.clone()));
        let controls = [state(Readiness::Proven, "proven"), planned.clone()];
        assert_eq!(requirement_state(&controls, None), Some(state(Readiness::Partial, "control 'A' is only planned")));
    }

    #[test]
    fn a_requirement_attestation_raises_weaker_states_to_attested() {
        let reason = "attested by ciso@x.example on 2026-11-01: done";
        for weaker in [Readiness::Unknown, Readiness::Gap, Readiness::Partial] {
            let controls = [state(weaker, "weak")];
            assert_eq!(requirement_state(&controls, Some(reason)), Some(state(Readiness::Attested, reason)), "{weaker:?}");
        }
        assert_eq!(requirement_state([], Some(reason)), Some(state(Readiness::Attested, reason)), "an attestation alone");
    }

    #[test]
    fn a_requirement_attestation_never_lowers_proven_or_not_applicable() {
        let attested = Some("attested");
        let controls = [state(Readiness::Proven, "proven")];
        assert_eq!(requirement_state(&controls, attested), Some(state(Readiness::Proven, "proven")));
        let controls = [state(Readiness::NotApplicable, "n/a")];
        assert_eq!(requirement_state(&controls, attested), Some(state(Readiness::NotApplicable, "n/a")));
        let controls = [state(Readiness::Attested, "control attested")];
        assert_eq!(requirement_state(&controls, attested), Some(state(Readiness::Attested, "control attested")));
    }
}
