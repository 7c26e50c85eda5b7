//! CLI commands for the day-to-day compliance work: `control`, `evidence`, `attestation`, `soa`
//! and `export`. Each resolves the acting operator (a named member with `--as` where only a named
//! person may act), makes app calls and prints a table or, with `--format json`, the JSON shape.
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use crosswalk_app::attestations::{AttestationFilter, AttestationView, NewAttestation};
use crosswalk_app::controls::{ControlChange, ControlStatus, ControlView, NewControl};
use crosswalk_app::evidence::{EvidenceView, NewEvidence};
use crosswalk_app::{Actor, App};
use serde_json::json;
use uuid::Uuid;

use crate::commands::app_err;
use crate::config::{AttestationCommand, Cli, Command, ControlCommand, EvidenceCommand, ExportCommand, SoaCommand};
use crate::output;

/// An id given on the command line, or a usage error naming the argument.
fn parse_id(what: &str, raw: &str) -> anyhow::Result<Uuid> {
    raw.trim().parse().map_err(|_| anyhow!("{what}: '{raw}' is not a valid id"))
}

fn parse_status(raw: &str) -> anyhow::Result<ControlStatus> {
    ControlStatus::parse(raw).ok_or_else(|| anyhow!("--status: '{raw}' is not planned, partial, implemented or not_applicable"))
}

fn print_control(cli: &Cli, control: &ControlView) -> anyhow::Result<()> {
    let rows = control
        .requirements
        .iter()
        .map(|r| vec![r.framework.clone(), r.reference.clone(), r.how.clone(), r.via.clone().unwrap_or_default()])
        .collect();
    output::print(cli.format, control, &["framework", "ref", "how", "via"], rows)
}

fn print_evidence(cli: &Cli, items: &[EvidenceView]) -> anyhow::Result<()> {
    let rows = items
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                e.name.clone(),
                e.sha256.clone().or_else(|| e.link.clone()).unwrap_or_default(),
                e.valid_until.map(|d| d.to_string()).unwrap_or_default(),
                if e.valid { "valid" } else { "NOT VALID" }.into(),
                e.controls.len().to_string(),
            ]
        })
        .collect();
    output::print(cli.format, &items, &["id", "name", "sha256/link", "valid_until", "state", "controls"], rows)
}

fn print_attestations(cli: &Cli, items: &[AttestationView]) -> anyhow::Result<()> {
    let rows = items
        .iter()
        .map(|a| {
            let subject = match (&a.framework, &a.reference, a.control) {
                (Some(f), Some(r), _) => format!("{f} {r}"),
                (_, _, Some(c)) => format!("control {c}"),
                _ => String::new(),
            };
            vec![
                subject,
                a.person.clone(),
                a.attested_on.to_string(),
                a.expires_on.map(|d| d.to_string()).unwrap_or_default(),
                if a.valid { "attested" } else { "expired" }.into(),
                a.statement.clone(),
            ]
        })
        .collect();
    output::print(cli.format, &items, &["subject", "by", "on", "expires", "state", "statement"], rows)
}

pub async fn run(cli: &Cli, app: &App) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Control(c) => control(cli, app, c).await?,
        Command::Evidence(c) => evidence(cli, app, c).await?,
        Command::Attestation(c) => attestation(cli, app, c).await?,
        Command::Soa(_) | Command::Export(_) => soa(cli, app).await?,
        _ => unreachable!("dispatched from commands::run"),
    }
    Ok(ExitCode::SUCCESS)
}

async fn control(cli: &Cli, app: &App, command: &ControlCommand) -> anyhow::Result<()> {
    match command {
        ControlCommand::Create { tenant, name, status, justification } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let status = parse_status(status)?;
            let new = NewControl { name: name.clone(), description: String::new(), status, justification: justification.clone() };
            let control = app.create_control(&op, new).await.map_err(app_err)?;
            output::print(cli.format, &json!({"id": control.id}), &["id"], vec![vec![control.id.to_string()]])
        }
        ControlCommand::Link { tenant, control_id, framework, reference } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let id = parse_id("CONTROL_ID", control_id)?;
            print_control(cli, &app.link_control(&op, id, framework, reference).await.map_err(app_err)?)
        }
        ControlCommand::Unlink { tenant, control_id, framework, reference } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let id = parse_id("CONTROL_ID", control_id)?;
            print_control(cli, &app.unlink_control(&op, id, framework, reference).await.map_err(app_err)?)
        }
        ControlCommand::Update { tenant, control_id, name, status, justification, owner } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let id = parse_id("CONTROL_ID", control_id)?;
            let change = ControlChange {
                name: name.clone(),
                description: None,
                status: status.as_deref().map(parse_status).transpose()?,
                justification: justification.clone(),
                owner: owner.clone(),
            };
            print_control(cli, &app.change_control(&op, id, change).await.map_err(app_err)?)
        }
        ControlCommand::Show { tenant, control_id } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let control = app.control(&op, parse_id("CONTROL_ID", control_id)?).await.map_err(app_err)?;
            print_control(cli, &control)?;
            if cli.format != crate::config::Format::Json {
                output::line(&format!(
                    "{}: {}{}; {} evidence item(s), {} valid; {} attestation(s)",
                    control.name,
                    control.status.as_str(),
                    control.owner.as_deref().map(|o| format!(", owner {o}")).unwrap_or_default(),
                    control.evidence.len(),
                    control.evidence.iter().filter(|e| e.valid).count(),
                    control.attestations.len()
                ))?;
            }
            Ok(())
        }
        ControlCommand::List { tenant } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let list = app.list_controls(&op).await.map_err(app_err)?;
            let value: Vec<_> = list.iter().map(|c| json!({"id": c.id, "name": c.name, "status": c.status})).collect();
            let rows = list.iter().map(|c| vec![c.id.to_string(), c.name.clone(), c.status.clone()]).collect();
            output::print(cli.format, &value, &["id", "name", "status"], rows)
        }
    }
}

async fn evidence(cli: &Cli, app: &App, command: &EvidenceCommand) -> anyhow::Result<()> {
    match command {
        EvidenceCommand::Add { tenant, file, link, name, controls, valid_from, valid_until } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let ids = controls.iter().map(|c| parse_id("--control", c)).collect::<anyhow::Result<Vec<_>>>()?;
            let shown = file.as_ref().map_or_else(String::new, |file| {
                file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned())
            });
            let new = NewEvidence {
                name: name.clone().unwrap_or(shown),
                link: link.clone(),
                controls: ids,
                effective_from: *valid_from,
                valid_until: *valid_until,
            };
            // Refuse bad input before copying the file into the store.
            app.check_new_evidence(&op, &new).await.map_err(app_err)?;
            let blob = match file {
                Some(file) => {
                    let reader = tokio::fs::File::open(file).await.with_context(|| format!("cannot read {}", file.display()))?;
                    Some(app.store_blob(&op, reader).await.map_err(app_err)?)
                }
                None => None,
            };
            let evidence = app.add_evidence(&op, new, blob).await.map_err(app_err)?;
            output::print(
                cli.format,
                &json!({"id": evidence.id, "sha256": evidence.sha256}),
                &["id", "sha256"],
                vec![vec![evidence.id.to_string(), evidence.sha256.clone().unwrap_or_default()]],
            )
        }
        EvidenceCommand::List { tenant, name, limit } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            print_evidence(cli, &app.search_evidence(&op, name.as_deref(), Some(*limit)).await.map_err(app_err)?)
        }
        EvidenceCommand::Link { tenant, evidence_id, control } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let e =
                app.link_evidence(&op, parse_id("EVIDENCE_ID", evidence_id)?, parse_id("--control", control)?).await.map_err(app_err)?;
            print_evidence(cli, &[e])
        }
        EvidenceCommand::Update { tenant, evidence_id, valid_from, valid_until } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let id = parse_id("EVIDENCE_ID", evidence_id)?;
            print_evidence(cli, &[app.set_evidence_validity(&op, id, *valid_from, *valid_until).await.map_err(app_err)?])
        }
    }
}

async fn attestation(cli: &Cli, app: &App, command: &AttestationCommand) -> anyhow::Result<()> {
    match command {
        AttestationCommand::Add { tenant, person, control, framework, reference, statement, expires_on } => {
            if control.is_none() && framework.is_none() {
                return Err(anyhow!("name what is attested: --control ID, or --framework ID --ref REF"));
            }
            let actor: Actor = app.operator_as(tenant, person).await.map_err(app_err)?;
            let new = NewAttestation {
                framework: framework.clone(),
                reference: reference.clone(),
                control: control.as_deref().map(|c| parse_id("--control", c)).transpose()?,
                statement: statement.clone(),
                expires_on: *expires_on,
            };
            let id = app.attest(&actor, new).await.map_err(app_err)?;
            output::print(cli.format, &json!({"id": id}), &["id"], vec![vec![id.to_string()]])
        }
        AttestationCommand::List { tenant, control, framework, reference } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let filter = AttestationFilter {
                control: control.as_deref().map(|c| parse_id("--control", c)).transpose()?,
                framework: framework.clone(),
                reference: reference.clone(),
            };
            print_attestations(cli, &app.attestations(&op, &filter).await.map_err(app_err)?)
        }
    }
}

async fn soa(cli: &Cli, app: &App) -> anyhow::Result<()> {
    match &cli.command {
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
            Ok(())
        }
        Command::Soa(SoaCommand::Decide { tenant, reference, applicable, justification }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            // Every ref is checked before the first is recorded, so a typo changes nothing.
            let rows = app.soa_draft(&op).await.map_err(app_err)?.rows;
            if let Some(unknown) = reference.iter().find(|r| !rows.iter().any(|row| &row.reference == *r)) {
                return Err(anyhow!("--ref: '{unknown}' is not an Annex A control of the Statement of Applicability"));
            }
            let mut problems = 0;
            for r in reference {
                let decision = crosswalk_app::soa::SoaDecision { applicable: *applicable, justification: justification.clone() };
                problems = app.decide_soa(&op, r, decision).await.map_err(app_err)?.problems.len();
            }
            output::line(&format!("{} decision(s) recorded; {problems} row(s) still to settle before publishing", reference.len()))?;
            Ok(())
        }
        Command::Soa(SoaCommand::Publish { tenant, note }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let v = app.publish_soa(&op, note).await.map_err(app_err)?;
            output::print(cli.format, &json!({"version": v.summary.version}), &["version"], vec![vec![v.summary.version.to_string()]])?;
            Ok(())
        }
        Command::Soa(SoaCommand::Versions { tenant }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let versions = app.soa_versions(&op).await.map_err(app_err)?;
            let rows = versions
                .iter()
                .map(|v| {
                    vec![
                        v.version.to_string(),
                        v.created_at.date_naive().to_string(),
                        v.approved_by.clone().unwrap_or_else(|| "not approved".into()),
                        v.approved_at.map(|d| d.date_naive().to_string()).unwrap_or_default(),
                        v.note.clone(),
                    ]
                })
                .collect();
            output::print(cli.format, &versions, &["version", "published", "approved_by", "approved_on", "note"], rows)?;
            Ok(())
        }
        Command::Soa(SoaCommand::Approve { tenant, version, person }) => {
            let manager = app.operator_as(tenant, person).await.map_err(app_err)?;
            let v = app.approve_soa(&manager, *version).await.map_err(app_err)?;
            output::line(&format!("version {} approved by {}", v.summary.version, v.summary.approved_by.unwrap_or_default()))?;
            Ok(())
        }
        Command::Soa(SoaCommand::Diff { tenant, from, to }) => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let changes = app.soa_diff(&op, *from, *to).await.map_err(app_err)?;
            let rows = changes.iter().map(|c| vec![c.reference.clone(), c.field.clone(), c.before.clone(), c.after.clone()]).collect();
            output::print(cli.format, &changes, &["ref", "field", "before", "after"], rows)?;
            Ok(())
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
            Ok(())
        }
        _ => unreachable!("dispatched from run"),
    }
}
