//! Headings and roll-up (issue 13, item 1): a requirement with children is never assessed directly.
//!
//! A heading — a CSF category, an ISO/IEC 27001 clause such as 9.2, an SP 800-53 family, a CIR
//! 2024/2690 section such as 6.10 with points 6.10.1–6.10.4 — states nothing an organisation can
//! implement on its own: its children do. So its state is *rolled up* from its applicable children:
//! - `proven` only when every applicable child is proven;
//! - `derived` or `attested` when every applicable child is at least that (the weakest wins);
//! - `partial` when some child is partial or better but not all are met;
//! - otherwise the weakest child (`gap`, or `unknown` when a child has nothing recorded);
//! - not-applicable children leave the denominator; a heading whose every child is excluded is
//!   itself not applicable.
//!
//! Credit never flows from a heading, and a relation whose target is a heading gives suggestions
//! only ([`crate::crosswalk`] enforces both through `Inputs::is_heading`).
//!
//! Two legal structures are rules here too:
//! - ISO/IEC 27001:2022 clause 1 ("Scope") does not accept excluding any requirement of clauses 4
//!   to 10: only Annex A controls may be excluded (through the Statement of Applicability, 6.1.3 d).
//! - NIS2 Art 21(5) first subparagraph and CIR 2024/2690 Art 2: for the entity types the CIR covers,
//!   the Art 21(2)(a)–(j) measures are those laid down in the CIR Annex, so each measure is
//!   satisfied through the Annex sections that specify it ([`cir_sections_of_measure`]); nothing
//!   flows from a measure down to its points.
use crate::crosswalk::Readiness;

/// The state of a heading from its children's states (see the module documentation).
///
/// Monotone: raising any child's state never lowers the result (property-tested below).
pub fn roll_up(children: impl IntoIterator<Item = Readiness>) -> Readiness {
    let mut any = false;
    let mut weakest: Option<Readiness> = None;
    let mut some_progress = false;
    for state in children {
        any = true;
        if state == Readiness::NotApplicable {
            continue;
        }
        some_progress |= state >= Readiness::Partial;
        weakest = Some(weakest.map_or(state, |w| w.min(state)));
    }
    match weakest {
        None if any => Readiness::NotApplicable,
        None => Readiness::Unknown,
        Some(w) if w >= Readiness::Attested => w,
        Some(_) if some_progress => Readiness::Partial,
        Some(w) => w,
    }
}

/// Whether an organisation may mark this requirement not applicable. ISO/IEC 27001:2022 clause 1
/// allows no exclusion of clauses 4–10; Annex A controls (`A.…`) may be excluded with a
/// justification in the Statement of Applicability (6.1.3 d). The NIS2 duties bind every entity in
/// scope: Art 21(2) measures "shall include at least" points (a)–(j), and Art 20 and 23 admit no
/// exclusion either (whether NIS2 applies at all is the scoping's question, not a requirement's).
pub fn may_be_excluded(framework_slug: &str, reference: &str) -> bool {
    let iso_clause = framework_slug.starts_with("iso27001-") && reference.chars().next().is_some_and(|c| c.is_ascii_digit());
    !(iso_clause || framework_slug == "nis2")
}

/// The CIR 2024/2690 Annex sections that lay down NIS2 Art 21(2) measure `letter` (a–j) for the
/// entity types of NIS2 Art 21(5): CIR Art 2 and the Annex section headings, whose references to
/// Art 21(2) are: 1 and 2 → (a); 3 → (b); 4 → (c); 5 → (d); 6 → (e); 7 → (f); 8 → (g); 9 → (h);
/// 10 and 12 → (i); 11 → (i) and (j); 13 → (c), (e) and (i).
///
/// A section that specifies several measures counts towards each of them: a measure is satisfied
/// only when every section that specifies it is, which never claims more than the points show.
pub fn cir_sections_of_measure(letter: char) -> &'static [&'static str] {
    match letter {
        'a' => &["1", "2"],
        'b' => &["3"],
        'c' => &["4", "13"],
        'd' => &["5"],
        'e' => &["6", "13"],
        'f' => &["7"],
        'g' => &["8"],
        'h' => &["9"],
        'i' => &["10", "11", "12", "13"],
        'j' => &["11"],
        _ => &[],
    }
}

/// The Art 21(2) letter of a NIS2 catalog reference such as `Art.21(2)(i)`.
pub fn art21_measure_letter(reference: &str) -> Option<char> {
    let rest = reference.strip_prefix("Art.21(2)(")?.strip_suffix(')')?;
    let mut chars = rest.chars();
    let letter = chars.next()?;
    (chars.next().is_none() && ('a'..='j').contains(&letter)).then_some(letter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Readiness::*;
    use proptest::prelude::*;

    #[test]
    fn proven_only_when_every_applicable_child_is() {
        assert_eq!(roll_up([Proven, Proven]), Proven);
        assert_eq!(roll_up([Proven, NotApplicable]), Proven);
        assert_eq!(roll_up([Proven, Derived]), Derived);
        assert_eq!(roll_up([Proven, Attested, Derived]), Attested);
        assert_eq!(roll_up([Proven, Gap]), Partial);
        assert_eq!(roll_up([Partial, Unknown]), Partial);
        assert_eq!(roll_up([Gap, Gap]), Gap);
        assert_eq!(roll_up([Gap, Unknown]), Unknown);
        assert_eq!(roll_up([NotApplicable, NotApplicable]), NotApplicable);
        assert_eq!(roll_up([]), Unknown);
    }

    /// CIR 2024/2690 section 6.10 (vulnerability handling) with points 6.10.1–6.10.4: three
    /// proven points and one with nothing recorded leave the section partial, not proven.
    #[test]
    fn cir_section_6_10_is_partial_until_its_fourth_point_is_proven() {
        assert_eq!(roll_up([Proven, Proven, Proven, Unknown]), Partial);
        assert_eq!(roll_up([Proven, Proven, Proven, Proven]), Proven);
    }

    #[test]
    fn iso_clauses_cannot_be_excluded_but_annex_a_can() {
        assert!(!may_be_excluded("iso27001-2022", "9.2.1"));
        assert!(!may_be_excluded("iso27001-2022", "4.3"));
        assert!(may_be_excluded("iso27001-2022", "A.5.23"));
        assert!(may_be_excluded("nist-csf-2.0", "GV.OC-01"));
        // NIS2 Art 21(2): the measures "shall include at least" (a)-(j).
        assert!(!may_be_excluded("nis2", "Art.21(2)(h)"));
    }

    #[test]
    fn every_measure_has_its_cir_sections_and_every_section_a_measure() {
        for letter in 'a'..='j' {
            assert!(!cir_sections_of_measure(letter).is_empty(), "Art 21(2)({letter})");
        }
        for section in 1..=13 {
            let s = section.to_string();
            assert!(('a'..='j').any(|l| cir_sections_of_measure(l).contains(&s.as_str())), "section {s}");
        }
        // CIR Annex section 10 (human resources security, incl. 10.2 background verification)
        // specifies Art 21(2)(i) only.
        assert_eq!(('a'..='j').filter(|&l| cir_sections_of_measure(l).contains(&"10")).collect::<String>(), "i");
        assert_eq!(art21_measure_letter("Art.21(2)(i)"), Some('i'));
        assert_eq!(art21_measure_letter("Art.21(2)"), None);
        assert_eq!(art21_measure_letter("Art.21(2)(k)"), None);
    }

    fn arb_state() -> impl Strategy<Value = Readiness> {
        prop::sample::select(vec![Unknown, Gap, Partial, Attested, Derived, Proven, NotApplicable])
    }

    proptest! {
        /// Adding a child's proof never lowers its parent.
        #[test]
        fn proving_a_child_never_lowers_the_heading(children in prop::collection::vec(arb_state(), 1..8), which in any::<prop::sample::Index>()) {
            let before = roll_up(children.iter().copied());
            let mut more = children.clone();
            more[which.index(children.len())] = Proven;
            let after = roll_up(more);
            // NotApplicable stands outside the order: a heading that was wholly excluded and now has
            // a proven child is proven.
            prop_assert!(after >= before || before == NotApplicable, "{before:?} fell to {after:?}");
        }

        /// A heading is never better than its weakest applicable child, unless that child is met.
        #[test]
        fn a_heading_never_claims_more_than_its_children(children in prop::collection::vec(arb_state(), 1..8)) {
            let state = roll_up(children.iter().copied());
            let applicable: Vec<_> = children.iter().copied().filter(|s| *s != NotApplicable).collect();
            if let Some(weakest) = applicable.iter().min() {
                if *weakest < Attested { prop_assert!(state <= Partial); }
                else { prop_assert_eq!(state, *weakest); }
            }
        }
    }
}
