//! CLI commands for the catalog and the crosswalk: `framework`, `mapping`, `coverage`,
//! `readiness`. Each makes one app call and prints a table or, with
//! `--format json`, the documented JSON shape (CONTRACT.md).
use std::process::ExitCode;

use anyhow::Context;
use crosswalk_app::App;
use crosswalk_app::catalog::{FrameworkScope, ImportFormat, RequirementRange};
use crosswalk_app::readiness::ReadinessReport;
use serde_json::json;

use crate::commands::app_err;
use crate::config::{Cli, Command, FrameworkCommand, MappingCommand};
use crate::output;

fn print_report(cli: &Cli, report: &ReadinessReport) -> anyhow::Result<ExitCode> {
    let rows = report
        .requirements
        .iter()
        .map(|r| {
            vec![
                if r.heading { format!("{} (heading)", r.reference) } else { r.reference.clone() },
                r.state.as_str().to_owned(),
                r.reason.clone(),
            ]
        })
        .collect();
    let value = json!({
        "framework": report.framework,
        "from": report.from,
        "summary": report.summary,
        "overlap": report.overlap,
        "requirements": report.requirements.iter().map(|r| json!({"ref": r.reference, "title": r.title, "heading": r.heading, "state": r.state, "basis": r.basis, "reason": r.reason, "path": r.path, "suggestions": r.suggestions})).collect::<Vec<_>>(),
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

/// What an import loaded, one row per framework, profile or mapping set.
fn print_import(format: crate::config::Format, report: &crosswalk_app::catalog::ImportReport) -> anyhow::Result<()> {
    let rows = report
        .items
        .iter()
        .map(|i| vec![i.kind.clone(), i.name.clone(), i.count.to_string(), if i.inserted { "imported" } else { "unchanged" }.into()])
        .collect();
    output::print(format, report, &["kind", "name", "entries", "result"], rows)
}

pub async fn run(cli: &Cli, app: &App) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Framework(FrameworkCommand::List { tenant }) => {
            let op = app.catalog_reader(tenant.as_deref()).await.map_err(app_err)?;
            let list = app.list_frameworks(&op).await.map_err(app_err)?;
            let rows = list
                .iter()
                .map(|f| {
                    vec![
                        format!("{}@{}", f.slug, f.version),
                        f.name.clone(),
                        f.requirements.to_string(),
                        f.assessable.to_string(),
                        match (f.bundled, f.scope) {
                            (true, _) => "bundled",
                            (false, FrameworkScope::Shared) => "imported (shared)",
                            (false, FrameworkScope::Organisation) => "imported (organisation)",
                        }
                        .into(),
                        if f.followed { "yes" } else { "" }.into(),
                    ]
                })
                .collect();
            output::print(cli.format, &list, &["id", "name", "requirements", "assessable", "origin", "followed"], rows)?;
        }
        Command::Framework(FrameworkCommand::Show { id }) => {
            let op = app.catalog_reader(None).await.map_err(app_err)?;
            let detail = app.framework_detail(&op, id, &RequirementRange::all()).await.map_err(app_err)?;
            let rows = detail
                .requirements
                .iter()
                .map(|r| {
                    vec![
                        format!("{}{}", "  ".repeat(r.depth), r.reference),
                        r.title.chars().take(100).collect(),
                        if r.withdrawn {
                            "withdrawn"
                        } else if r.assessable {
                            "yes"
                        } else {
                            ""
                        }
                        .into(),
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
            print_import(cli.format, &report)?;
        }
        Command::Framework(FrameworkCommand::Follow { tenant, framework }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            app.follow_framework(&op, framework).await.map_err(app_err)?;
            output::line(&format!("{tenant} follows {framework}"))?;
        }
        Command::Mapping(MappingCommand::List { from, to, tenant }) => {
            let op = app.catalog_reader(tenant.as_deref()).await.map_err(app_err)?;
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
        Command::Mapping(MappingCommand::Stats { tenant }) => {
            let op = app.catalog_reader(tenant.as_deref()).await.map_err(app_err)?;
            let stats = app.mapping_stats(&op).await.map_err(app_err)?;
            let rows = stats
                .iter()
                .map(|s| {
                    let credit = ["equal", "superset", "subset"].iter().map(|t| s.relations.get(*t).copied().unwrap_or(0)).sum::<usize>();
                    vec![
                        s.slug.clone(),
                        s.provenance.clone(),
                        s.relations.values().sum::<usize>().to_string(),
                        credit.to_string(),
                        format!("{} % / {} %", s.from.reached_percent, s.from.credit_percent),
                        format!("{} % / {} %", s.to.reached_percent, s.to.credit_percent),
                        s.unreviewed.to_string(),
                        s.withdrawn.to_string(),
                    ]
                })
                .collect();
            output::print(
                cli.format,
                &stats,
                &[
                    "set",
                    "provenance",
                    "relations",
                    "credit-carrying",
                    "from reached/credit",
                    "to reached/credit",
                    "unreviewed",
                    "withdrawn",
                ],
                rows,
            )?;
        }
        Command::Mapping(MappingCommand::Import { file, focal, tenant }) => {
            if cli.format != crate::config::Format::ScfStrm {
                anyhow::bail!("mapping import needs --format scf-strm (the only mapping file format it reads)");
            }
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let op = app.catalog_operator(tenant.as_deref()).await.map_err(app_err)?;
            let report = app.import_strm(&op, &bytes, &file.display().to_string(), focal).await.map_err(app_err)?;
            // `--format` named the input; the report is a table.
            print_import(crate::config::Format::Table, &report)?;
        }
        Command::Coverage { tenant, from, to } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            return print_report(cli, &app.coverage(&op, from, to).await.map_err(app_err)?);
        }
        Command::Readiness { tenant, framework } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            return print_report(cli, &app.readiness(&op, framework).await.map_err(app_err)?);
        }
        _ => unreachable!("dispatched from commands::run"),
    }
    Ok(ExitCode::SUCCESS)
}
