//! CLI commands for the catalog and the crosswalk: `framework`, `mapping`, `coverage`,
//! `readiness`, `control`, `evidence`. Each makes one app call and prints a table or, with
//! `--format json`, the documented JSON shape (CONTRACT.md).
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use crosswalk_app::App;
use crosswalk_app::catalog::ImportFormat;
use crosswalk_app::controls::{ControlStatus, NewControl, NewEvidence};
use crosswalk_app::readiness::ReadinessReport;
use serde_json::json;

use crate::commands::app_err;
use crate::config::{Cli, Command, ControlCommand, EvidenceCommand, ExportCommand, FrameworkCommand, MappingCommand, SoaCommand};
use crate::output;

fn print_report(cli: &Cli, report: &ReadinessReport) -> anyhow::Result<ExitCode> {
    let rows = report.requirements.iter().map(|r| vec![r.reference.clone(), r.state.as_str().to_owned(), r.reason.clone()]).collect();
    let value = json!({
        "framework": report.framework,
        "from": report.from,
        "summary": report.summary,
        "overlap": report.overlap,
        "requirements": report.requirements.iter().map(|r| json!({"ref": r.reference, "state": r.state, "basis": r.basis, "reason": r.reason, "path": r.path, "suggestions": r.suggestions})).collect::<Vec<_>>(),
    });
    output::print(cli.format, &value, &["ref", "state", "reason"], rows)?;
    if cli.format != crate::config::Format::Json {
        let s = &report.summary;
        output::line(&format!(
            "{}: {} % proven, {} % attested, {} % derived, {} % partial, {} % gap, {} % not applicable, {} % unknown{}",
            report.framework,
            s.percent(s.proven),
            s.percent(s.attested),
            s.percent(s.derived),
            s.percent(s.partial),
            s.percent(s.gap),
            s.percent(s.not_applicable),
            s.percent(s.unknown),
            report
                .overlap
                .map(|o| format!(
                    " (overlap from {}: {} % by equal/superset, {} % by any relation)",
                    report.from.as_deref().unwrap_or_default(),
                    o.sound_percent,
                    o.any_percent
                ))
                .unwrap_or_default()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn run(cli: &Cli, app: &App) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Framework(FrameworkCommand::List { tenant }) => {
            let op = app.catalog_operator(tenant.as_deref()).await.map_err(app_err)?;
            let list = app.list_frameworks(&op).await.map_err(app_err)?;
            let rows = list
                .iter()
                .map(|f| {
                    vec![
                        format!("{}@{}", f.slug, f.version),
                        f.name.clone(),
                        f.requirements.to_string(),
                        f.assessable.to_string(),
                        if f.bundled { "bundled" } else { "imported" }.into(),
                        if f.followed { "yes" } else { "" }.into(),
                    ]
                })
                .collect();
            output::print(cli.format, &list, &["id", "name", "requirements", "assessable", "origin", "followed"], rows)?;
        }
        Command::Framework(FrameworkCommand::Show { id }) => {
            let op = app.catalog_operator(None).await.map_err(app_err)?;
            let detail = app.framework_detail(&op, id).await.map_err(app_err)?;
            let rows = detail
                .requirements
                .iter()
                .map(|r| {
                    vec![
                        format!("{}{}", "  ".repeat(r.depth), r.reference),
                        r.title.chars().take(100).collect(),
                        if r.assessable { "yes" } else { "" }.into(),
                    ]
                })
                .collect();
            output::print(cli.format, &detail, &["ref", "title", "assessable"], rows)?;
        }
        Command::Framework(FrameworkCommand::Import { file, tenant }) => {
            // `--format oscal|ciso-assistant` picks the input format; otherwise it is guessed from the content.
            let format = match cli.format {
                crate::config::Format::Oscal => Some(ImportFormat::Oscal),
                crate::config::Format::CisoAssistant => Some(ImportFormat::CisoAssistant),
                _ => None,
            };
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let op = app.catalog_operator(tenant.as_deref()).await.map_err(app_err)?;
            let name = file.display().to_string();
            let report = app.import_catalog(&op, &bytes, &name, format).await.map_err(app_err)?;
            let rows = report
                .items
                .iter()
                .map(|i| {
                    vec![i.kind.clone(), i.name.clone(), i.count.to_string(), if i.inserted { "imported" } else { "unchanged" }.into()]
                })
                .collect();
            output::print(cli.format, &report, &["kind", "name", "entries", "result"], rows)?;
        }
        Command::Framework(FrameworkCommand::Follow { tenant, framework }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            app.follow_framework(&op, framework).await.map_err(app_err)?;
            output::line(&format!("{tenant} follows {framework}"))?;
        }
        Command::Mapping(MappingCommand::List { from, to, tenant }) => {
            let op = app.catalog_operator(tenant.as_deref()).await.map_err(app_err)?;
            let relations = app.mapping_list(&op, from, to).await.map_err(app_err)?;
            let value = json!({"relations": relations.iter().map(|r| json!({"from": r.from, "to": r.to, "type": r.relation, "strength": r.strength, "rationale": r.rationale, "provenance": r.provenance, "note": r.note, "mapping_set": r.mapping_set})).collect::<Vec<_>>()});
            let rows = relations
                .iter()
                .map(|r| {
                    vec![
                        r.from.clone(),
                        r.relation.as_str().into(),
                        r.to.clone(),
                        r.strength.map(|s| s.to_string()).unwrap_or_default(),
                        r.provenance.clone(),
                    ]
                })
                .collect();
            output::print(cli.format, &value, &["from", "type", "to", "strength", "provenance"], rows)?;
        }
        Command::Coverage { tenant, from, to } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            return print_report(cli, &app.coverage(&op, from, to).await.map_err(app_err)?);
        }
        Command::Readiness { tenant, framework } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            return print_report(cli, &app.readiness(&op, framework).await.map_err(app_err)?);
        }
        Command::Control(ControlCommand::Create { tenant, name, status, justification }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let status = ControlStatus::parse(status)
                .ok_or_else(|| anyhow!("--status: '{status}' is not planned, partial, implemented or not_applicable"))?;
            let control = app
                .create_control(
                    &op,
                    NewControl { name: name.clone(), description: String::new(), status, justification: justification.clone() },
                )
                .await
                .map_err(app_err)?;
            output::print(cli.format, &json!({"id": control.id}), &["id"], vec![vec![control.id.to_string()]])?;
        }
        Command::Control(ControlCommand::Link { tenant, control_id, framework, reference }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let id = control_id.parse().map_err(|_| anyhow!("CONTROL_ID: '{control_id}' is not a valid id"))?;
            let control = app.link_control(&op, id, framework, reference).await.map_err(app_err)?;
            let rows = control
                .requirements
                .iter()
                .map(|r| vec![r.framework.clone(), r.reference.clone(), r.how.clone(), r.via.clone().unwrap_or_default()])
                .collect();
            output::print(cli.format, &control, &["framework", "ref", "how", "via"], rows)?;
        }
        Command::Control(ControlCommand::List { tenant }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let list = app.list_controls(&op).await.map_err(app_err)?;
            let value: Vec<_> = list.iter().map(|c| json!({"id": c.id, "name": c.name, "status": c.status})).collect();
            let rows = list.iter().map(|c| vec![c.id.to_string(), c.name.clone(), c.status.clone()]).collect();
            output::print(cli.format, &value, &["id", "name", "status"], rows)?;
        }
        Command::Evidence(EvidenceCommand::Add { tenant, file, controls, valid_from, valid_until }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let mut ids = Vec::with_capacity(controls.len());
            for c in controls {
                ids.push(c.parse().map_err(|_| anyhow!("--control: '{c}' is not a valid id"))?);
            }
            let reader = tokio::fs::File::open(file).await.with_context(|| format!("cannot read {}", file.display()))?;
            let blob = app.store_blob(reader).await.map_err(app_err)?;
            let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
            let new = NewEvidence { name, link: None, controls: ids, effective_from: *valid_from, valid_until: *valid_until };
            let evidence = app.add_evidence(&op, new, Some(blob)).await.map_err(app_err)?;
            output::print(
                cli.format,
                &json!({"id": evidence.id, "sha256": evidence.sha256}),
                &["id", "sha256"],
                vec![vec![evidence.id.to_string(), evidence.sha256.clone().unwrap_or_default()]],
            )?;
        }
        Command::Soa(SoaCommand::Show { tenant, version }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let (rows, value) = match version {
                Some(v) => {
                    let view = app.soa_version(&op, *v).await.map_err(app_err)?;
                    (view.rows.clone(), serde_json::to_value(&view)?)
                }
                None => {
                    let draft = app.soa_draft(&op).await.map_err(app_err)?;
                    (draft.rows.clone(), serde_json::to_value(&draft)?)
                }
            };
            let table = rows
                .iter()
                .map(|r| {
                    vec![
                        r.reference.clone(),
                        r.applicable.map_or("undecided", |a| if a { "yes" } else { "no" }).to_owned(),
                        r.status.clone(),
                        r.justification.clone().unwrap_or_default(),
                        r.controls.join("; "),
                    ]
                })
                .collect();
            output::print(cli.format, &value, &["ref", "applicable", "status", "justification", "controls"], table)?;
        }
        Command::Soa(SoaCommand::Decide { tenant, reference, applicable, justification }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let decision = crosswalk_app::soa::SoaDecision { applicable: *applicable, justification: justification.clone() };
            let draft = app.decide_soa(&op, reference, decision).await.map_err(app_err)?;
            output::line(&format!("{reference} recorded; {} row(s) still to settle before publishing", draft.problems.len()))?;
        }
        Command::Soa(SoaCommand::Publish { tenant, note }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let v = app.publish_soa(&op, note).await.map_err(app_err)?;
            output::print(cli.format, &json!({"version": v.summary.version}), &["version"], vec![vec![v.summary.version.to_string()]])?;
        }
        Command::Soa(SoaCommand::Diff { tenant, from, to }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let changes = app.soa_diff(&op, *from, *to).await.map_err(app_err)?;
            let rows = changes.iter().map(|c| vec![c.reference.clone(), c.field.clone(), c.before.clone(), c.after.clone()]).collect();
            output::print(cli.format, &changes, &["ref", "field", "before", "after"], rows)?;
        }
        Command::Export(ExportCommand::Xlsx { tenant, what, version, output: path }) => {
            if !matches!(what.as_str(), "soa" | "risks" | "all") {
                return Err(anyhow!("--what: '{what}' is not soa, risks or all"));
            }
            let op = app.operator(tenant).await.map_err(app_err)?;
            let version = match version {
                Some(v) => Some(*v),
                None => app.soa_versions(&op).await.map_err(app_err)?.first().map(|v| v.version),
            };
            let (_, bytes) = app.soa_xlsx(&op, version).await.map_err(app_err)?;
            std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
            if what != "soa" {
                eprintln!("note: the risk register does not exist yet; {} contains the SoA only", path.display());
            }
            output::line(&format!("wrote {} ({} bytes)", path.display(), bytes.len()))?;
        }
        _ => unreachable!("dispatched from commands::run"),
    }
    Ok(ExitCode::SUCCESS)
}
