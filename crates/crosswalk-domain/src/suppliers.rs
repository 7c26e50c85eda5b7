//! Supply-chain security: the contract clauses and assessment questions Crosswalk tracks for each
//! supplier, each mapped to the requirements it serves, and the scoring of an assessment.
//!
//! Requirements: NIS2 Art 21(2)(d) (supply chain security) and Art 21(3) (what to consider per direct
//! supplier); ISO/IEC 27001:2022 A.5.19-A.5.22 (identifiers and short titles only); NIST CSF 2.0
//! GV.SC. The wording of clauses and questions is our own.
use serde::{Deserialize, Serialize};

/// A tracked item (contract clause or assessment question) and the requirements it serves.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Item {
    pub key: &'static str,
    pub text: &'static str,
    /// Requirement references, as the frameworks write them.
    pub serves: &'static [&'static str],
}

/// Contract clauses to have in a supplier agreement.
pub static CONTRACT_CLAUSES: &[Item] = &[
    Item {
        key: "security_requirements",
        text: "Information security requirements the supplier must meet",
        serves: &["NIS2 Art 21(2)(d)", "ISO 27001 A.5.20", "CSF GV.SC-05"],
    },
    Item {
        key: "incident_notification",
        text: "Supplier notifies us of security incidents affecting us, with a deadline",
        serves: &["NIS2 Art 21(2)(d)", "NIS2 Art 23", "ISO 27001 A.5.20", "CSF GV.SC-05"],
    },
    Item {
        key: "audit_rights",
        text: "Right to audit or to receive independent assurance reports",
        serves: &["ISO 27001 A.5.22", "CSF GV.SC-07"],
    },
    Item {
        key: "subcontractors",
        text: "Flow-down of requirements to subcontractors, and approval of new ones",
        serves: &["NIS2 Art 21(3)", "ISO 27001 A.5.21", "CSF GV.SC-05"],
    },
    Item {
        key: "vulnerability_handling",
        text: "Vulnerability handling and secure development obligations",
        serves: &["NIS2 Art 21(2)(e)", "NIS2 Art 21(3)", "ISO 27001 A.5.21"],
    },
    Item {
        key: "exit",
        text: "Exit: return and deletion of data, continuity at the end of the relationship",
        serves: &["ISO 27001 A.5.20", "CSF GV.SC-10"],
    },
];

/// Assessment questions.
pub static QUESTIONS: &[Item] = &[
    Item {
        key: "certification",
        text: "Holds a current security certification or assurance report covering the service",
        serves: &["NIS2 Art 21(3)", "ISO 27001 A.5.22", "CSF GV.SC-07"],
    },
    Item {
        key: "secure_development",
        text: "Follows secure development practices for what it delivers",
        serves: &["NIS2 Art 21(3)", "ISO 27001 A.5.21"],
    },
    Item {
        key: "vulnerabilities",
        text: "Fixes vulnerabilities in its products or services within agreed times",
        serves: &["NIS2 Art 21(2)(e)", "NIS2 Art 21(3)"],
    },
    Item {
        key: "incident_response",
        text: "Has an incident response process and a contact reachable at all times",
        serves: &["NIS2 Art 21(2)(b)", "NIS2 Art 21(2)(d)"],
    },
    Item {
        key: "access_control",
        text: "Controls and reviews its staff's access to our data and systems",
        serves: &["NIS2 Art 21(2)(i)", "ISO 27001 A.5.19"],
    },
    Item { key: "mfa", text: "Uses multi-factor authentication for access to our data and systems", serves: &["NIS2 Art 21(2)(j)"] },
    Item {
        key: "continuity",
        text: "Has tested business continuity and backup arrangements for the service",
        serves: &["NIS2 Art 21(2)(c)"],
    },
    Item {
        key: "subcontractor_oversight",
        text: "Knows and oversees its own subcontractors",
        serves: &["NIS2 Art 21(3)", "ISO 27001 A.5.21", "CSF GV.SC-04"],
    },
];

/// An answer to an assessment question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Yes,
    Partial,
    No,
}

/// Supplier criticality, which sets how often it is reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    Low,
    Medium,
    High,
    Critical,
}

impl Criticality {
    /// Our default review interval in months: the more critical, the more often (NIS2 Art 21(3) asks
    /// to consider each direct supplier's specifics; the intervals are Crosswalk's defaults).
    pub fn review_interval_months(self) -> u32 {
        match self {
            Criticality::Critical => 6,
            Criticality::High => 12,
            Criticality::Medium => 24,
            Criticality::Low => 36,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::Low => "low",
            Criticality::Medium => "medium",
            Criticality::High => "high",
            Criticality::Critical => "critical",
        }
    }
}

impl std::str::FromStr for Criticality {
    type Err = crate::ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "low" => Ok(Criticality::Low),
            "medium" => Ok(Criticality::Medium),
            "high" => Ok(Criticality::High),
            "critical" => Ok(Criticality::Critical),
            _ => Err(crate::ValidationError::new("criticality", format!("'{s}' is not one of low, medium, high, critical"))),
        }
    }
}

/// Check that every key names a known item of `items`; the error names `field` and the key.
pub fn check_keys<'a>(field: &str, items: &[Item], keys: impl IntoIterator<Item = &'a str>) -> Result<(), crate::ValidationError> {
    for k in keys {
        if !items.iter().any(|i| i.key == k) {
            let known: Vec<_> = items.iter().map(|i| i.key).collect();
            return Err(crate::ValidationError::new(field, format!("unknown item '{k}' (known: {})", known.join(", "))));
        }
    }
    Ok(())
}

/// Score of an assessment in percent: yes = 1, partial = ½, no or unanswered = 0, over all questions.
/// Unanswered questions count as no, so a short questionnaire cannot look better than it is.
pub fn score(answers: &[(String, Answer)]) -> u32 {
    let points: u32 = QUESTIONS
        .iter()
        .map(|q| match answers.iter().find(|(k, _)| k == q.key).map(|(_, a)| *a) {
            Some(Answer::Yes) => 2,
            Some(Answer::Partial) => 1,
            _ => 0,
        })
        .sum();
    points * 100 / (2 * QUESTIONS.len() as u32)
}

/// The requirements served by the questions answered other than yes: where the supplier falls short.
pub fn gaps(answers: &[(String, Answer)]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = QUESTIONS
        .iter()
        .filter(|q| !matches!(answers.iter().find(|(k, _)| k == q.key).map(|(_, a)| *a), Some(Answer::Yes)))
        .flat_map(|q| q.serves.iter().copied())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(a: Answer) -> Vec<(String, Answer)> {
        QUESTIONS.iter().map(|q| (q.key.to_owned(), a)).collect()
    }

    #[test]
    fn scoring_counts_unanswered_as_no() {
        assert_eq!(score(&all(Answer::Yes)), 100);
        assert_eq!(score(&all(Answer::Partial)), 50);
        assert_eq!(score(&[]), 0);
        assert_eq!(score(&[("mfa".into(), Answer::Yes)]), 100 / QUESTIONS.len() as u32);
    }

    #[test]
    fn gaps_name_the_requirements_not_met() {
        let mut answers = all(Answer::Yes);
        answers.retain(|(k, _)| k != "mfa");
        assert_eq!(gaps(&answers), ["NIS2 Art 21(2)(j)"]);
        assert!(gaps(&all(Answer::Yes)).is_empty());
    }

    #[test]
    fn every_item_serves_supply_chain_or_art_21_requirements() {
        for i in CONTRACT_CLAUSES.iter().chain(QUESTIONS) {
            assert!(!i.serves.is_empty(), "{}", i.key);
            assert!(
                i.serves.iter().all(|r| r.starts_with("NIS2 Art 2") || r.starts_with("ISO 27001 A.5.") || r.starts_with("CSF GV.SC-")),
                "{}",
                i.key
            );
        }
        assert!(check_keys("clauses", CONTRACT_CLAUSES, ["exit"]).is_ok());
        assert_eq!(check_keys("clauses", CONTRACT_CLAUSES, ["nda"]).unwrap_err().field, "clauses");
    }

    #[test]
    fn critical_suppliers_are_reviewed_more_often() {
        assert!(Criticality::Critical.review_interval_months() < Criticality::Low.review_interval_months());
        assert_eq!("high".parse::<Criticality>(), Ok(Criticality::High));
        assert_eq!("vital".parse::<Criticality>().unwrap_err().field, "criticality");
    }
}
