//! Report drafts: for each reporting step, the content the law requires, pre-filled from what the
//! incident record already says. Pure: the caller passes the facts and renders the result.
//!
//! Sources: NIS2 Art 23(4)(a)-(e); GDPR Art 33(1), 33(3), 34(2); DORA Art 19(4) with Delegated
//! Regulation (EU) 2025/301 (content of the initial, intermediate and final reports).
use serde::Serialize;

/// What the incident record knows, for pre-filling.
#[derive(Debug, Clone, Default)]
pub struct DraftFacts {
    pub title: String,
    pub description: String,
    /// Human-readable instant the entity became aware (with zone).
    pub aware_at: String,
    pub classified_at: Option<String>,
    pub cross_border: bool,
    pub personal_data: bool,
    /// The step's due instant, if any (for the GDPR "reasons for delay" field).
    pub due: Option<String>,
    /// The draft is being prepared after the step's due time.
    pub late: bool,
}

/// One field of a report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DraftField {
    pub key: &'static str,
    pub label: &'static str,
    /// The provision that requires this content.
    pub basis: &'static str,
    /// Pre-filled from the incident record; `None` means a person must complete it.
    pub value: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Draft {
    pub step: &'static str,
    pub title: &'static str,
    pub basis: &'static str,
    pub fields: Vec<DraftField>,
}

fn f(key: &'static str, label: &'static str, basis: &'static str, value: Option<String>) -> DraftField {
    DraftField { key, label, basis, value }
}

fn summary(x: &DraftFacts) -> Option<String> {
    Some(if x.description.is_empty() { x.title.clone() } else { format!("{}: {}", x.title, x.description) })
}

fn yes_no(b: bool, yes: &str) -> Option<String> {
    Some(if b { yes.to_owned() } else { "No, as far as known at this time.".to_owned() })
}

/// The draft for `step`, or `None` for an unknown step id.
pub fn draft(step: &str, x: &DraftFacts) -> Option<Draft> {
    let aware = || f("aware_at", "Became aware of the incident", "NIS2 Art 23(4); GDPR Art 33(1)", Some(x.aware_at.clone()));
    Some(match step {
        "nis2_early_warning" => Draft {
            step: "nis2_early_warning",
            title: "NIS2 early warning",
            basis: "NIS2 Art 23(4)(a)",
            fields: vec![
                f("summary", "The significant incident", "NIS2 Art 23(4)(a)", summary(x)),
                aware(),
                f("suspected_malicious", "Suspected to be caused by unlawful or malicious acts?", "NIS2 Art 23(4)(a)", None),
                f(
                    "cross_border",
                    "Could it have a cross-border impact?",
                    "NIS2 Art 23(4)(a)",
                    yes_no(x.cross_border, "Yes, a cross-border impact is possible."),
                ),
            ],
        },
        "nis2_incident_notification" => Draft {
            step: "nis2_incident_notification",
            title: "NIS2 incident notification",
            basis: "NIS2 Art 23(4)(b)",
            fields: vec![
                f("update", "Update of the early warning", "NIS2 Art 23(4)(b)", summary(x)),
                f("initial_assessment", "Initial assessment, including severity and impact", "NIS2 Art 23(4)(b)", None),
                f("indicators_of_compromise", "Indicators of compromise, where available", "NIS2 Art 23(4)(b)", None),
            ],
        },
        "nis2_intermediate_report" => Draft {
            step: "nis2_intermediate_report",
            title: "NIS2 intermediate report",
            basis: "NIS2 Art 23(4)(c)",
            fields: vec![f(
                "status_updates",
                "Relevant status updates requested by the CSIRT or competent authority",
                "NIS2 Art 23(4)(c)",
                None,
            )],
        },
        "nis2_final_report" => Draft {
            step: "nis2_final_report",
            title: "NIS2 final report",
            basis: "NIS2 Art 23(4)(d)",
            fields: vec![
                f(
                    "description",
                    "Detailed description of the incident, including its severity and impact",
                    "NIS2 Art 23(4)(d)(i)",
                    summary(x),
                ),
                f(
                    "root_cause",
                    "Type of threat or root cause that is likely to have triggered the incident",
                    "NIS2 Art 23(4)(d)(ii)",
                    None,
                ),
                f("mitigation", "Applied and ongoing mitigation measures", "NIS2 Art 23(4)(d)(iii)", None),
                f(
                    "cross_border",
                    "Cross-border impact of the incident, where applicable",
                    "NIS2 Art 23(4)(d)(iv)",
                    yes_no(x.cross_border, "Yes: describe the Member States affected."),
                ),
            ],
        },
        "nis2_progress_report" => Draft {
            step: "nis2_progress_report",
            title: "NIS2 progress report",
            basis: "NIS2 Art 23(4)(e)",
            fields: vec![f("progress", "Progress so far (the incident is still ongoing)", "NIS2 Art 23(4)(e)", None)],
        },
        "gdpr_sa_notification" => {
            let mut fields = vec![
                f(
                    "nature",
                    "Nature of the breach, including categories and approximate numbers of data subjects and of personal data records",
                    "GDPR Art 33(3)(a)",
                    summary(x),
                ),
                aware(),
                f("contact", "Name and contact details of the data protection officer or other contact point", "GDPR Art 33(3)(b)", None),
                f("consequences", "Likely consequences of the breach", "GDPR Art 33(3)(c)", None),
                f("measures", "Measures taken or proposed, including to mitigate possible adverse effects", "GDPR Art 33(3)(d)", None),
            ];
            if x.late {
                fields.push(f("reasons_for_delay", "Reasons for the delay (notified after 72 hours)", "GDPR Art 33(1)", None));
            }
            Draft {
                step: "gdpr_sa_notification",
                title: "Personal data breach notification to the supervisory authority",
                basis: "GDPR Art 33",
                fields,
            }
        }
        "gdpr_data_subject_communication" => Draft {
            step: "gdpr_data_subject_communication",
            title: "Communication of the breach to data subjects",
            basis: "GDPR Art 34",
            fields: vec![
                f("nature", "Nature of the breach, in clear and plain language", "GDPR Art 34(2)", summary(x)),
                f("contact", "Contact point for more information", "GDPR Art 34(2), 33(3)(b)", None),
                f("consequences", "Likely consequences", "GDPR Art 34(2), 33(3)(c)", None),
                f("measures", "Measures taken or proposed", "GDPR Art 34(2), 33(3)(d)", None),
            ],
        },
        "dora_initial_notification" => Draft {
            step: "dora_initial_notification",
            title: "DORA initial notification of a major ICT-related incident",
            basis: "DORA Art 19(4)(a); Delegated Regulation (EU) 2025/301",
            fields: vec![
                f("description", "General information and description of the incident", "DORA Art 19(4)(a)", summary(x)),
                aware(),
                f("classified_at", "Classified as major at", "DORA Art 18; 2025/301 Art 5(1)(a)", x.classified_at.clone()),
                f(
                    "criteria",
                    "Classification criteria that triggered the major classification",
                    "DORA Art 18; Delegated Regulation (EU) 2024/1772",
                    None,
                ),
            ],
        },
        "dora_intermediate_report" => Draft {
            step: "dora_intermediate_report",
            title: "DORA intermediate report",
            basis: "DORA Art 19(4)(b); Delegated Regulation (EU) 2025/301",
            fields: vec![
                f("status", "Status update, handling and impact so far", "DORA Art 19(4)(b)", None),
                f("recovered", "Have regular activities been recovered?", "2025/301 Art 5(1)(b)", None),
            ],
        },
        "dora_final_report" => Draft {
            step: "dora_final_report",
            title: "DORA final report",
            basis: "DORA Art 19(4)(c); Delegated Regulation (EU) 2025/301",
            fields: vec![
                f("root_cause", "Completed root cause analysis", "DORA Art 19(4)(c)", None),
                f("impact", "Actual impact figures", "DORA Art 19(4)(c)", None),
                f("measures", "Measures taken", "DORA Art 19(4)(c)", None),
            ],
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> DraftFacts {
        DraftFacts {
            title: "Ransomware".into(),
            description: "File server encrypted".into(),
            aware_at: "2026-11-27T02:13+01:00[Europe/Berlin]".into(),
            cross_border: true,
            ..Default::default()
        }
    }

    /// NIS2 Art 23(4)(a): the early warning says whether a malicious cause is suspected and whether a
    /// cross-border impact is possible.
    #[test]
    fn early_warning_asks_what_art_23_4_a_requires() {
        let d = draft("nis2_early_warning", &facts()).unwrap();
        let keys: Vec<_> = d.fields.iter().map(|f| f.key).collect();
        assert_eq!(keys, ["summary", "aware_at", "suspected_malicious", "cross_border"]);
        assert_eq!(d.fields[0].value.as_deref(), Some("Ransomware: File server encrypted"));
        assert!(d.fields[2].value.is_none(), "a person must answer the malicious-cause question");
        assert!(d.fields[3].value.as_deref().unwrap().starts_with("Yes"));
    }

    /// NIS2 Art 23(4)(d)(i)-(iv): four items in the final report.
    #[test]
    fn final_report_has_the_four_items_of_art_23_4_d() {
        let d = draft("nis2_final_report", &facts()).unwrap();
        let bases: Vec<_> = d.fields.iter().map(|f| f.basis).collect();
        assert_eq!(bases, ["NIS2 Art 23(4)(d)(i)", "NIS2 Art 23(4)(d)(ii)", "NIS2 Art 23(4)(d)(iii)", "NIS2 Art 23(4)(d)(iv)"]);
    }

    /// GDPR Art 33(1): a notification after 72 hours carries the reasons for the delay.
    #[test]
    fn late_gdpr_notification_asks_for_reasons() {
        let on_time = draft("gdpr_sa_notification", &facts()).unwrap();
        assert!(!on_time.fields.iter().any(|f| f.key == "reasons_for_delay"));
        let late = draft("gdpr_sa_notification", &DraftFacts { late: true, ..facts() }).unwrap();
        assert!(late.fields.iter().any(|f| f.key == "reasons_for_delay" && f.basis == "GDPR Art 33(1)"));
        assert_eq!(late.fields.iter().filter(|f| f.basis.starts_with("GDPR Art 33(3)")).count(), 4);
    }

    #[test]
    fn every_clock_step_has_a_draft() {
        for id in [
            "nis2_early_warning",
            "nis2_incident_notification",
            "nis2_intermediate_report",
            "nis2_final_report",
            "nis2_progress_report",
            "gdpr_sa_notification",
            "gdpr_data_subject_communication",
            "dora_initial_notification",
            "dora_intermediate_report",
            "dora_final_report",
        ] {
            assert!(draft(id, &facts()).is_some(), "{id}");
        }
        assert!(draft("sox_404", &facts()).is_none());
    }
}
