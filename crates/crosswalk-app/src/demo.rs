//! The demo organisation, "Acme Demo": created by `crosswalk serve --demo`, idempotently. Later
//! capabilities add their demo data here.
use crate::incidents::NewIncident;
use crate::users::NewMember;
use crate::{App, AppError, AppResult};
use crosswalk_domain::Role;

pub const DEMO_SLUG: &str = "acme-demo";
pub const DEMO_NAME: &str = "Acme Demo";
pub const DEMO_ADMIN_EMAIL: &str = "admin@acme-demo.example";
/// Public on purpose: this is a demo. Never use `--demo` on an installation holding real data.
pub const DEMO_ADMIN_PASSWORD: &str = "crosswalk-demo-2026";

/// Who to log in as.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: String,
    pub password: String,
    pub created: bool,
}

impl App {
    pub async fn ensure_demo(&self) -> AppResult<DemoLogin> {
        let created = match self.create_tenant(DEMO_SLUG, DEMO_NAME).await {
            Ok(_) => true,
            Err(AppError::Conflict(_)) => false,
            Err(e) => return Err(e),
        };
        let op = self.operator(DEMO_SLUG).await?;
        let people = [
            (DEMO_ADMIN_EMAIL, Role::Admin, "Ada Admin"),
            ("ciso@acme-demo.example", Role::Manager, "Chris CISO"),
            ("owner@acme-demo.example", Role::Contributor, "Olga Owner"),
            ("auditor@acme-demo.example", Role::Auditor, "Ian Auditor"),
            ("board@acme-demo.example", Role::Viewer, "Bea Board"),
        ];
        for (email, role, name) in people {
            if self.member_by_email(&op, email).await.is_ok() {
                continue;
            }
            self.add_member(
                &op,
                NewMember { email: email.into(), role, display_name: Some(name.into()), password: Some(DEMO_ADMIN_PASSWORD.into()) },
            )
            .await?;
        }
        if self.nis2_profile(&op).await?.is_none() {
            // A mid-sized managed service provider: an important entity (NIS2 Art 2(1), Art 3(2)).
            let input = crosswalk_domain::nis2::ScopeInput {
                entity_type: "managed_service_provider".into(),
                employees: 180,
                turnover_eur: 38_000_000,
                balance_eur: 25_000_000,
                ..Default::default()
            };
            self.save_nis2_profile(&op, input).await?;
        }
        if self.management_overview(&op).await?.approvals.is_empty() {
            // Art 20: the board approved the measures; one member's training has lapsed.
            let today = self.now().date_naive();
            let approval = crate::management::NewApproval {
                member: "Bea Board".into(),
                document: "Cybersecurity risk-management measures (NIS2 Art 21)".into(),
                document_version: "2.1".into(),
                decision: "approved".into(),
                decided_on: today - chrono::Duration::days(30),
                note: "Reviewed with the CISO".into(),
            };
            self.record_approval(&op, approval).await?;
            for (member, valid_until) in
                [("Bea Board", today + chrono::Duration::days(300)), ("Carl CFO", today - chrono::Duration::days(20))]
            {
                let training = crate::management::NewTraining {
                    member: member.into(),
                    course: "NIS2 duties of management bodies".into(),
                    completed_on: valid_until - chrono::Duration::days(365),
                    valid_until,
                };
                self.record_training(&op, training).await?;
            }
        }
        if self.list_suppliers(&op).await?.is_empty() {
            // Art 21(2)(d): a critical cloud provider, assessed, with a clause still missing; and a
            // supplier whose review is overdue.
            use crosswalk_domain::suppliers::{Answer, Criticality};
            let cloud = self
                .create_supplier(
                    &op,
                    crate::suppliers::NewSupplier {
                        name: "Nimbus Cloud GmbH".into(),
                        services: "IaaS hosting of the customer portal".into(),
                        criticality: Criticality::Critical,
                        contact: "security@nimbus.example".into(),
                        clauses: ["security_requirements", "incident_notification", "audit_rights", "exit"].map(String::from).to_vec(),
                        next_review_on: None,
                    },
                )
                .await?;
            let answers = [
                ("certification", Answer::Yes),
                ("secure_development", Answer::Yes),
                ("vulnerabilities", Answer::Partial),
                ("incident_response", Answer::Yes),
                ("access_control", Answer::Yes),
                ("mfa", Answer::Yes),
                ("continuity", Answer::Partial),
                ("subcontractor_oversight", Answer::No),
            ];
            self.assess_supplier(
                &op,
                cloud.id,
                crate::suppliers::NewAssessment {
                    answers: answers.into_iter().map(|(k, a)| (k.to_owned(), a)).collect(),
                    assessed_on: None,
                },
            )
            .await?;
            self.create_supplier(
                &op,
                crate::suppliers::NewSupplier {
                    name: "Payroll Services Ltd".into(),
                    services: "Payroll processing".into(),
                    criticality: Criticality::High,
                    contact: String::new(),
                    clauses: vec!["security_requirements".into()],
                    next_review_on: Some(self.now().date_naive() - chrono::Duration::days(14)),
                },
            )
            .await?;
        }
        if self.list_controls(&op).await?.is_empty() {
            self.seed_controls(&op).await?;
        }
        if self.soa_versions(&op).await?.is_empty() {
            self.seed_soa(&op).await?;
        }
        if self.list_incidents(&op).await?.is_empty() {
            // An open significant incident with personal data: NIS2 and GDPR clocks run (issue: NIS2 layer).
            let aware = self.now() - chrono::Duration::hours(5);
            self.create_incident(
                &op,
                NewIncident {
                    title: "Ransomware on the file server".into(),
                    description: "Encrypted shares detected at night; customer records possibly exfiltrated.".into(),
                    aware_at: aware.to_rfc3339(),
                    classified_at: Some((aware + chrono::Duration::hours(1)).to_rfc3339()),
                    tz: "Europe/Berlin".into(),
                    regimes: vec!["nis2".into(), "gdpr".into()],
                    entity_type: None,
                    personal_data: true,
                    cross_border: false,
                    financial_entity: false,
                    affected_services: String::new(),
                    member_state: None,
                    nis2_identified: None,
                    dora_relief_withdrawn: false,
                },
            )
            .await?;
        }
        Ok(DemoLogin { email: DEMO_ADMIN_EMAIL.into(), password: DEMO_ADMIN_PASSWORD.into(), created })
    }

    /// Unified controls across ISO 27001, CSF and NIS2 with evidence — one item expired, so the
    /// demo shows "not ready" with its reason — and one justified exclusion.
    async fn seed_controls(&self, op: &crate::Actor) -> AppResult<()> {
        use crate::controls::{ControlStatus, NewControl};
        use crate::evidence::NewEvidence;
        // A managed service provider: CIR 2024/2690 lays down its Art 21(2) measures (NIS2 Art 21(5)).
        for framework in ["iso27001-2022", "nist-csf-2.0", "nis2", "nis2-cir-2024-2690"] {
            self.follow_framework(op, framework).await?;
        }
        let today = self.now().date_naive();
        let days = |n: i64| today + chrono::Duration::days(n);
        // (name, status, justification, requirement links, evidence title and valid-until)
        type DemoControl<'a> = (&'a str, ControlStatus, Option<&'a str>, &'a [(&'a str, &'a str)], Option<(&'a str, chrono::NaiveDate)>);
        let controls: [DemoControl<'_>; 7] = [
            (
                "Vulnerability management",
                ControlStatus::Implemented,
                None,
                &[("iso27001-2022", "A.8.8"), ("nis2-cir-2024-2690", "6.10.3")],
                Some(("Monthly vulnerability scan report (October)", days(60))),
            ),
            (
                "Backup and restore",
                ControlStatus::Implemented,
                None,
                &[("iso27001-2022", "A.8.13")],
                Some(("Restore test record Q3", days(30))),
            ),
            (
                "Cryptography standard",
                ControlStatus::Implemented,
                None,
                &[("iso27001-2022", "A.8.24")],
                Some(("Cryptography policy v3 (approved)", days(-10))),
            ),
            (
                "Multi-factor authentication",
                ControlStatus::Implemented,
                None,
                &[("iso27001-2022", "A.8.5")],
                Some(("IdP MFA enforcement export", days(90))),
            ),
            ("Security awareness programme", ControlStatus::Partial, None, &[("iso27001-2022", "A.6.3")], None),
            ("Supplier security", ControlStatus::Planned, None, &[("iso27001-2022", "A.5.19"), ("iso27001-2022", "A.5.20")], None),
            (
                "Physical entry controls",
                ControlStatus::NotApplicable,
                Some("Fully remote company: no premises of its own"),
                &[("iso27001-2022", "A.7.2")],
                None,
            ),
        ];
        for (name, status, justification, links, evidence) in controls {
            let control = self
                .create_control(
                    op,
                    NewControl { name: name.into(), description: String::new(), status, justification: justification.map(str::to_owned) },
                )
                .await?;
            for (framework, reference) in links {
                self.link_control(op, control.id, framework, reference).await?;
            }
            if let Some((title, valid_until)) = evidence {
                let new = NewEvidence {
                    name: title.into(),
                    link: Some(format!("https://intranet.acme-demo.example/evidence/{}", control.id)),
                    controls: vec![control.id],
                    effective_from: None,
                    valid_until: Some(valid_until),
                };
                self.add_evidence(op, new, None).await?;
            }
        }
        // A requirement the CISO attests (board-approved policy set): shown as attested, not proven.
        let ciso = self.operator_as(DEMO_SLUG, "ciso@acme-demo.example").await?;
        let attestation = crate::attestations::NewAttestation {
            framework: Some("iso27001-2022".into()),
            reference: Some("A.5.1".into()),
            control: None,
            statement: "Information security policy set approved by the board on its last meeting; minutes in the board portal".into(),
            expires_on: Some(days(180)),
        };
        self.attest(&ciso, attestation).await?;
        Ok(())
    }

    /// An approved SoA version 1: every undecided Annex A control is included as selected in the
    /// risk treatment plan; the CISO approves it by name.
    async fn seed_soa(&self, op: &crate::Actor) -> AppResult<()> {
        let draft = self.soa_draft(op).await?;
        for row in draft.rows.iter().filter(|r| r.applicable.is_none() || (r.included_via_mapping_only && r.justification.is_none())) {
            let decision = crate::soa::SoaDecision {
                applicable: true,
                justification: Some("Selected in the risk treatment plan (RTP-2026, risk assessment of 2026-09)".into()),
            };
            self.decide_soa(op, &row.reference, decision).await?;
        }
        let published = self.publish_soa(op, "Initial SoA for the certification audit").await?;
        let ciso = self.operator_as(DEMO_SLUG, "ciso@acme-demo.example").await?;
        self.approve_soa(&ciso, published.summary.version).await?;
        Ok(())
    }
}
