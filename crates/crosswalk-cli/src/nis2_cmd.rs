//! The NIS2 and incident commands: suppliers, management-body approvals and training, the incident
//! register, scoping and the regulatory deadline calculator.
use crate::commands::{app_err, open_app};
use crate::config::{Cli, Format};
use crate::output;
use anyhow::{Context, anyhow};
use std::process::ExitCode;

pub async fn supplier(cli: &Cli, c: &crate::config::SupplierCommand) -> anyhow::Result<ExitCode> {
    use crate::config::SupplierCommand;
    use crosswalk_app::suppliers::{NewAssessment, NewSupplier, SupplierView};
    let app = open_app(cli).await?;
    let print_one = |s: &SupplierView| -> anyhow::Result<()> {
        let score = s.latest_assessment.as_ref().map_or_else(|| "never".to_owned(), |a| format!("{} %", a.score));
        let rows = vec![vec![
            s.id.to_string(),
            s.name.clone(),
            s.criticality.as_str().to_owned(),
            s.missing_clauses.len().to_string(),
            score,
            s.next_review_on.to_string(),
        ]];
        output::print(cli.format, s, &["id", "name", "criticality", "missing clauses", "score", "next review"], rows)
    };
    match c {
        SupplierCommand::List { tenant } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let list = app.list_suppliers(&op).await.map_err(app_err)?;
            let rows = list
                .iter()
                .map(|s| {
                    let score = s.latest_assessment.as_ref().map_or_else(|| "never".to_owned(), |a| format!("{} %", a.score));
                    let review = format!("{}{}", s.next_review_on, if s.review_overdue { " OVERDUE" } else { "" });
                    vec![
                        s.id.to_string(),
                        s.name.clone(),
                        s.criticality.as_str().to_owned(),
                        s.missing_clauses.len().to_string(),
                        score,
                        review,
                    ]
                })
                .collect();
            output::print(cli.format, &list, &["id", "name", "criticality", "missing clauses", "score", "next review"], rows)?;
        }
        SupplierCommand::Create { tenant, name, criticality, services, clauses } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let criticality = criticality.parse().map_err(|e: crosswalk_domain::ValidationError| anyhow!(e.to_string()))?;
            let new = NewSupplier {
                name: name.clone(),
                services: services.clone(),
                criticality,
                contact: String::new(),
                clauses: clauses.clone(),
                next_review_on: None,
            };
            let s = app.create_supplier(&op, new).await.map_err(app_err)?;
            if cli.format == Format::Json { print_one(&s)? } else { output::line(&s.id.to_string())? }
        }
        SupplierCommand::Update { tenant, id, criticality, clauses, clear_clauses, review_on } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let id = uuid::Uuid::parse_str(id).map_err(|_| anyhow!("'{id}' is not a supplier id"))?;
            let criticality = criticality
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: crosswalk_domain::ValidationError| anyhow!(e.to_string()))?;
            let clauses = if *clear_clauses || !clauses.is_empty() { Some(clauses.clone()) } else { None };
            let change = crosswalk_app::suppliers::SupplierChange { criticality, clauses, next_review_on: *review_on };
            let s = app.change_supplier(&op, id, change).await.map_err(app_err)?;
            print_one(&s)?;
        }
        SupplierCommand::Assess { tenant, id, answers } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let id = uuid::Uuid::parse_str(id).map_err(|_| anyhow!("'{id}' is not a supplier id"))?;
            let mut map = std::collections::BTreeMap::new();
            for a in answers {
                let (k, v) = a.split_once('=').ok_or_else(|| anyhow!("--answer '{a}': expected KEY=yes|partial|no"))?;
                let v = serde_json::from_value(serde_json::Value::String(v.to_owned()))
                    .map_err(|_| anyhow!("--answer '{a}': the answer must be yes, partial or no"))?;
                map.insert(k.to_owned(), v);
            }
            let s = app.assess_supplier(&op, id, NewAssessment { answers: map, assessed_on: None }).await.map_err(app_err)?;
            print_one(&s)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn management(cli: &Cli, c: &crate::config::ManagementCommand) -> anyhow::Result<ExitCode> {
    use crate::config::ManagementCommand;
    use crosswalk_app::management::{NewApproval, NewTraining};
    let app = open_app(cli).await?;
    match c {
        ManagementCommand::Show { tenant } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let o = app.management_overview(&op).await.map_err(app_err)?;
            let rows = o
                .members
                .iter()
                .map(|m| {
                    let until = m.trained_until.map_or_else(|| "never trained".to_owned(), |d| d.to_string());
                    vec![m.member.clone(), until, if m.overdue { "OVERDUE".into() } else { "ok".into() }]
                })
                .collect();
            output::print(cli.format, &o, &["member", "trained until", "training"], rows)?;
        }
        ManagementCommand::Approve { tenant, member, document, version, decision, on, note } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let new = NewApproval {
                member: member.clone(),
                document: document.clone(),
                document_version: version.clone(),
                decision: decision.clone(),
                decided_on: *on,
                note: note.clone(),
            };
            let a = app.record_approval(&op, new).await.map_err(app_err)?;
            output::line(&a.id.to_string())?;
        }
        ManagementCommand::Train { tenant, member, course, completed_on, valid_until } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let new =
                NewTraining { member: member.clone(), course: course.clone(), completed_on: *completed_on, valid_until: *valid_until };
            let t = app.record_training(&op, new).await.map_err(app_err)?;
            output::line(&t.id.to_string())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_incident(cli: &Cli, i: &crosswalk_app::incidents::IncidentView) -> anyhow::Result<()> {
    let rows = i
        .clocks
        .iter()
        .flat_map(|c| {
            c.steps.iter().map(move |s| {
                let mut due = s.step.due.as_ref().map(ToString::to_string).unwrap_or_else(|| s.step.rule.to_owned());
                if let Some(m) = &s.step.moved_from {
                    due.push_str(&format!(" (moved from {m})"));
                }
                let state = match (&s.submitted, s.overdue) {
                    (Some(sub), _) => format!("submitted{}", if sub.late { " (late)" } else { "" }),
                    (None, true) => "OVERDUE".to_owned(),
                    (None, false) => String::new(),
                };
                vec![c.regime.to_string(), s.step.id.to_owned(), due, state, s.step.basis.to_owned()]
            })
        })
        .collect();
    output::print(cli.format, i, &["regime", "step", "due", "state", "basis"], rows)?;
    if cli.format != Format::Json {
        for s in i.clocks.iter().flat_map(|c| c.steps.iter()) {
            for n in &s.step.notes {
                output::line(&format!("note ({}): {n}", s.step.id))?;
            }
        }
        if let Some(c) = &i.holiday_calendar {
            output::line(&format!("calendar: {c}"))?;
        }
    }
    Ok(())
}

/// Incident facts from a JSON file; an unknown field or a wrong value names itself.
fn read_facts(path: &std::path::Path) -> anyhow::Result<crosswalk_domain::significance::IncidentFacts> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| anyhow!("{}: facts.{}: {}", path.display(), e.path(), e.inner()))
}

pub async fn incident(cli: &Cli, c: &crate::config::IncidentCommand) -> anyhow::Result<ExitCode> {
    use crate::config::IncidentCommand;
    use crosswalk_app::incidents::{NewIncident, NewSubmission};
    let app = open_app(cli).await?;
    let parse_id = |id: &str| uuid::Uuid::parse_str(id).map_err(|_| anyhow!("'{id}' is not an incident id"));
    match c {
        IncidentCommand::ProposeSignificance { tenant, id, facts } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let proposal = app.propose_significance(&op, parse_id(id)?, &read_facts(facts)?).await.map_err(app_err)?;
            if cli.format == Format::Json {
                output::line(&serde_json::to_string_pretty(&proposal)?)?;
            } else {
                output::line(&format!("{} ({})", proposal.outcome.as_str(), proposal.basis))?;
                for c in &proposal.criteria_met {
                    output::line(&format!("- met: {} — {}", c.article, c.summary))?;
                }
                for c in &proposal.undetermined {
                    output::line(&format!("- undetermined: {} — {}", c.article, c.summary))?;
                }
                for n in &proposal.notes {
                    output::line(&format!("- note: {n}"))?;
                }
            }
        }
        IncidentCommand::Update {
            tenant,
            id,
            aware_at,
            classified_at,
            significance,
            significance_reason,
            status,
            member_state,
            reason,
            facts,
        } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let facts = facts.as_deref().map(read_facts).transpose()?;
            let change = crosswalk_app::incidents::IncidentChange {
                facts,
                aware_at: aware_at.clone(),
                classified_at: classified_at.clone(),
                significance: significance.clone(),
                significance_reason: significance_reason.clone(),
                status: status.clone(),
                member_state: member_state.clone(),
                reason: reason.clone(),
                ..Default::default()
            };
            let i = app.change_incident(&op, parse_id(id)?, change).await.map_err(app_err)?;
            print_incident(cli, &i)?;
        }
        IncidentCommand::Create {
            tenant,
            title,
            description,
            aware_at,
            classified_at,
            tz,
            regimes,
            entity_type,
            personal_data,
            cross_border,
            financial_entity,
            affected_services,
            member_state,
            nis2_identified,
            dora_relief_withdrawn,
        } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let new = NewIncident {
                title: title.clone(),
                description: description.clone(),
                aware_at: aware_at.clone(),
                classified_at: classified_at.clone(),
                tz: tz.clone(),
                regimes: regimes.clone(),
                entity_type: entity_type.clone(),
                personal_data: *personal_data,
                cross_border: *cross_border,
                financial_entity: *financial_entity,
                affected_services: affected_services.clone(),
                member_state: member_state.clone(),
                nis2_identified: *nis2_identified,
                dora_relief_withdrawn: *dora_relief_withdrawn,
            };
            let i = app.create_incident(&op, new).await.map_err(app_err)?;
            if cli.format == Format::Json {
                output::line(&serde_json::to_string_pretty(&i)?)?;
            } else {
                output::line(&i.id.to_string())?;
            }
        }
        IncidentCommand::List { tenant } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let list = app.list_incidents(&op).await.map_err(app_err)?;
            let rows = list
                .iter()
                .map(|i| {
                    let next = i.next_step.as_ref().map_or(String::new(), |s| {
                        format!("{} {}", s.step.id, s.step.due.as_ref().map(ToString::to_string).unwrap_or_default())
                    });
                    vec![i.id.to_string(), i.title.clone(), i.aware_at.to_rfc3339(), next]
                })
                .collect();
            output::print(cli.format, &list, &["id", "title", "aware at", "next step"], rows)?;
        }
        IncidentCommand::Show { tenant, id } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let i = app.get_incident(&op, parse_id(id)?).await.map_err(app_err)?;
            print_incident(cli, &i)?;
        }
        IncidentCommand::Draft { tenant, id, step } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let d = app.incident_draft(&op, parse_id(id)?, step).await.map_err(app_err)?;
            let rows = d
                .fields
                .iter()
                .map(|f| vec![f.label.to_owned(), f.value.clone().unwrap_or_else(|| "(to complete)".into()), f.basis.to_owned()])
                .collect();
            output::print(cli.format, &d, &["item", "content", "basis"], rows)?;
        }
        IncidentCommand::Submit { tenant, id, step, authority, reference, at } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let new =
                NewSubmission { step: step.clone(), authority: authority.clone(), reference: reference.clone(), submitted_at: at.clone() };
            let i = app.record_submission(&op, parse_id(id)?, new).await.map_err(app_err)?;
            print_incident(cli, &i)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Scoping is pure computation; only saving or reading the organisation's decision opens the database.
pub async fn nis2(cli: &Cli, c: &crate::config::Nis2Command) -> anyhow::Result<ExitCode> {
    use crate::config::Nis2Command;
    match c {
        Nis2Command::Sectors => {
            let types = crosswalk_app::nis2::sectors();
            let rows = types
                .iter()
                .map(|t| {
                    let annex = serde_json::to_value(t.annex).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                    vec![annex, t.sector.to_owned(), t.subsector.unwrap_or("").to_owned(), t.slug.to_owned(), t.name.to_owned()]
                })
                .collect();
            output::print(cli.format, &types, &["annex", "sector", "subsector", "entity type", "name"], rows)?;
        }
        Nis2Command::Art21 { tenant } => {
            let app = open_app(cli).await?;
            let op = app.operator(tenant).await.map_err(app_err)?;
            let view = app.art21(&op).await.map_err(app_err)?;
            let rows = view
                .measures
                .iter()
                .map(|m| {
                    vec![
                        m.measure.reference.clone(),
                        m.measure.state.as_str().to_owned(),
                        m.controls.join("; "),
                        m.iso27001
                            .iter()
                            .map(|r| {
                                format!(
                                    "{} {}{}",
                                    r.relation,
                                    r.reference,
                                    r.state.map(|s| format!(" ({})", s.as_str())).unwrap_or_default()
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                        m.cir_sections.iter().map(|r| r.reference.clone()).collect::<Vec<_>>().join(", "),
                    ]
                })
                .collect();
            output::print(cli.format, &view, &["measure", "state", "controls", "ISO/IEC 27001", "CIR 2024/2690 sections"], rows)?;
        }
        Nis2Command::Registration(r) => {
            use crate::config::RegistrationCommand;
            let app = open_app(cli).await?;
            let view = match r {
                RegistrationCommand::Show { tenant } => {
                    let op = app.operator(tenant).await.map_err(app_err)?;
                    app.nis2_registration(&op).await.map_err(app_err)?
                }
                RegistrationCommand::Set { tenant, file } => {
                    let op = app.operator(tenant).await.map_err(app_err)?;
                    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
                    let mut de = serde_json::Deserializer::from_slice(&bytes);
                    let input: crosswalk_domain::nis2::registration::RegistrationInput = serde_path_to_error::deserialize(&mut de)
                        .map_err(|e| anyhow!("{}: {}: {}", file.display(), e.path(), e.inner()))?;
                    Some(app.save_nis2_registration(&op, input).await.map_err(app_err)?)
                }
                RegistrationCommand::Reported { tenant, on } => {
                    let op = app.operator(tenant).await.map_err(app_err)?;
                    let on: chrono::NaiveDate = on.parse().map_err(|_| anyhow!("--on: '{on}' is not a date (YYYY-MM-DD)"))?;
                    Some(app.nis2_registration_reported(&op, on).await.map_err(app_err)?)
                }
            };
            output::line(&serde_json::to_string_pretty(&view)?)?;
        }
        Nis2Command::Profile { tenant } => {
            let app = open_app(cli).await?;
            let op = app.operator(tenant).await.map_err(app_err)?;
            let p = app.nis2_profile(&op).await.map_err(app_err)?;
            output::line(&serde_json::to_string_pretty(&p)?)?;
        }
        Nis2Command::Scope {
            sector,
            subsector,
            entity_type,
            employees,
            turnover_eur,
            balance_eur,
            identified_as,
            critical_entity,
            tenant,
            save,
        } => {
            let q = crosswalk_domain::nis2::ScopeInput {
                entity_type: entity_type.clone(),
                sector: sector.clone(),
                subsector: subsector.clone(),
                employees: *employees,
                turnover_eur: *turnover_eur,
                balance_eur: *balance_eur,
                member_state_identification: identified_as.clone(),
                critical_entity: Some(*critical_entity),
            };
            let r = match (tenant, save) {
                (Some(t), true) => {
                    let app = open_app(cli).await?;
                    let op = app.operator(t).await.map_err(app_err)?;
                    app.save_nis2_profile(&op, q).await.map_err(app_err)?.result
                }
                _ => crosswalk_app::nis2::scope(&q).map_err(app_err)?,
            };
            if cli.format == Format::Json {
                output::line(&serde_json::to_string_pretty(&r)?)?;
            } else {
                output::line(&format!(
                    "{} ({} entity, {}) — {}",
                    r.classification.as_str(),
                    r.entity_type,
                    r.annex.map_or_else(|| "in neither annex".to_owned(), |a| format!("Annex {a:?}")),
                    r.basis.join(", ")
                ))?;
                if let Some(d) = r.depends_on {
                    output::line(&format!("depends on {d}"))?;
                }
                if let Some(f) = &r.max_fine {
                    output::line(&format!("maximum fine: at least EUR {} ({})", f.amount_eur, f.basis))?;
                }
                if let Some(n) = r.fine_note {
                    output::line(&format!("fines: {n}"))?;
                }
                for d in &r.duties {
                    output::line(&format!("- {d}"))?;
                }
                if let Some(l) = &r.lex_specialis {
                    output::line(&format!("{} replaces ({}):", l.act, l.basis.join(", ")))?;
                    for d in &l.replaces {
                        output::line(&format!("- {} -> {}", d.nis2, d.replaced_by))?;
                    }
                }
                output::line("not modelled (check these yourself):")?;
                for n in &r.not_modelled {
                    output::line(&format!("- {n}"))?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn deadlines(cli: &Cli, a: &crate::config::DeadlinesArgs) -> anyhow::Result<ExitCode> {
    let q = crosswalk_app::clocks::DeadlineQuery {
        regime: a.regime.clone(),
        aware_at: a.aware_at.clone(),
        classified_at: a.classified_at.clone(),
        entity_type: a.entity_type.clone(),
        tz: a.tz.clone(),
        member_state: a.member_state.clone(),
        nis2_identified: a.nis2_identified,
        relief_withdrawn: a.relief_withdrawn,
    };
    let report = crosswalk_app::clocks::compute(&q).map_err(app_err)?;
    let rows = report
        .steps
        .iter()
        .map(|s| {
            let mut due = match (&s.due, s.provisional) {
                (Some(d), false) => d.to_string(),
                (Some(d), true) => format!("{d} (provisional)"),
                (None, _) => s.rule.to_owned(),
            };
            if let Some(m) = &s.moved_from {
                due.push_str(&format!(" (moved from {m})"));
            }
            vec![s.name.to_owned(), due, s.basis.to_owned()]
        })
        .collect();
    output::print(cli.format, &report, &["step", "due", "basis"], rows)?;
    if cli.format != Format::Json {
        // The reasons belong beside the table: a moved or zero-length limit must never look arbitrary.
        for s in &report.steps {
            for n in &s.notes {
                output::line(&format!("note ({}): {n}", s.name))?;
            }
        }
        for n in &report.notes {
            output::line(&format!("note: {n}"))?;
        }
        if let Some(c) = &report.holiday_calendar {
            output::line(&format!("calendar: {c}"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
