//! `crosswalk journal …`, `crosswalk pack` and `crosswalk verify`: verifying chains (plain, deep,
//! against a kept checkpoint), exporting checkpoints, building auditor packs and checking them offline.
use crate::commands::{app_err, open_app};
use crate::config::{Cli, Format, JournalCommand};
use crate::output;
use anyhow::{Context, anyhow, bail};
use std::process::ExitCode;

/// `crosswalk pack`: an auditor pack of one framework, written to `file` (removed again on failure).
pub async fn pack(cli: &Cli, tenant: &str, framework: &str, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let app = open_app(cli).await?;
    let op = app.operator(tenant).await.map_err(app_err)?;
    let out = std::fs::File::create(file).with_context(|| format!("cannot write {}", file.display()))?;
    let built = match app.build_pack(&op, framework, out).await {
        Ok(b) => b,
        Err(e) => {
            // Nothing half-written is left behind.
            let _ = std::fs::remove_file(file);
            return Err(app_err(e));
        }
    };
    output::print(
        cli.format,
        &built,
        &["file", "bytes", "entries", "records", "evidence files", "checkpoint"],
        vec![vec![
            file.display().to_string(),
            built.bytes.to_string(),
            built.entries.to_string(),
            built.records.to_string(),
            built.evidence_files.to_string(),
            built.checkpoint_seq.to_string(),
        ]],
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `crosswalk verify FILE.zip`: needs no database, opens nothing but the pack (and the key file).
pub fn verify_pack(cli: &Cli, file: &std::path::Path, public_key: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    use crosswalk_journal::pack::{PackError, verify};
    let trusted = match public_key {
        Some(p) => {
            let pem = std::fs::read_to_string(p).with_context(|| format!("cannot read public key {}", p.display()))?;
            Some(crosswalk_journal::public_key_from_pem(&pem).map_err(|e| anyhow!("{} is not an ed25519 public key: {e}", p.display()))?)
        }
        None => None,
    };
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let started = std::time::Instant::now();
    match verify(std::io::BufReader::with_capacity(1 << 20, f), trusted.as_ref()) {
        Ok(s) => {
            let secs = started.elapsed().as_secs_f64();
            if cli.format == Format::Json {
                output::line(&serde_json::to_string_pretty(&s)?)?;
            } else {
                output::line(&format!(
                    "ok: pack of {} ({}) for {}: {} journal entries up to the signed checkpoint at entry {}, {} records, {} evidence files, {:.1} MB checked in {:.2} s; signed by {}{}",
                    s.tenant_name,
                    s.tenant,
                    s.framework,
                    s.entries,
                    s.checkpoint_seq,
                    s.records,
                    s.evidence_files,
                    s.bytes as f64 / 1e6,
                    secs,
                    s.public_key,
                    if trusted.is_some() {
                        " (the trusted key)"
                    } else {
                        " (compare with the installation's published key, or pass --public-key)"
                    }
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(PackError::Tampered(m)) => {
            eprintln!("verification failed: {m}");
            Ok(ExitCode::from(1))
        }
        Err(e) => bail!("{}: {e}", file.display()),
    }
}

pub async fn journal(cli: &Cli, c: &JournalCommand) -> anyhow::Result<ExitCode> {
    let app = open_app(cli).await?;
    match c {
        JournalCommand::Verify { tenant, installation, deep, checkpoint } => {
            // A kept checkpoint that cannot be read is bad input (exit 2), before any work is done.
            let kept = match checkpoint {
                Some(path) => {
                    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read checkpoint {}", path.display()))?;
                    let cp: crosswalk_journal::Checkpoint = serde_json::from_str(&text)
                        .map_err(|e| anyhow!("{} is not a Crosswalk journal checkpoint: {e}", path.display()))?;
                    Some(cp)
                }
                None => None,
            };
            // Verification only reads: no checkpoint is signed from the command line.
            let (r, op) = match (tenant, installation) {
                (Some(t), false) => {
                    let op = app.operator(t).await.map_err(app_err)?;
                    (app.verify_journal_with(&op, false, *deep).await.map_err(app_err)?, Some(op))
                }
                _ => {
                    if kept.is_some() {
                        bail!("--checkpoint works with --tenant; the installation's checkpoints are checked by --installation itself");
                    }
                    (app.verify_installation_journal(false, *deep).await.map_err(app_err)?, None)
                }
            };
            let against = match (&kept, &op) {
                (Some(cp), Some(op)) => Some(app.verify_against_checkpoint(op, cp).await.map_err(app_err)?),
                _ => None,
            };
            let ok = r.ok && against.as_ref().is_none_or(|c| c.ok);
            if cli.format == Format::Json {
                let mut v = serde_json::to_value(&r)?;
                v["ok"] = ok.into();
                v["checkpoint"] = serde_json::to_value(&against)?;
                output::line(&serde_json::to_string_pretty(&v)?)?;
            } else if ok {
                let mut line = format!(
                    "ok: {} entries, head {} {}, {} signed checkpoint(s) valid",
                    r.entries, r.head_seq, r.head_hash, r.checkpoints_verified
                );
                if r.deep {
                    line.push_str(&format!(
                        "; {} records and {} evidence files ({:.1} MB) match the journal",
                        r.records_checked,
                        r.files_checked,
                        r.file_bytes as f64 / 1e6
                    ));
                }
                if let (Some(cp), Some(c)) = (&kept, &against) {
                    line.push_str(&format!(
                        "; unchanged since the kept checkpoint at entry {}{}",
                        cp.seq,
                        if c.current_key { "" } else { " (signed by an earlier key)" }
                    ));
                }
                output::line(&format!("{line} ({:.1} ms)", r.elapsed_ms))?;
            }
            if !ok {
                if let Some(p) = r.problem.as_deref().filter(|_| r.record_problems.is_empty()) {
                    eprintln!("verification failed: {p}");
                }
                for p in &r.record_problems {
                    eprintln!("verification failed: {}", p.detail);
                }
                if r.record_problem_count > r.record_problems.len() as u64 {
                    eprintln!("... and {} more", r.record_problem_count - r.record_problems.len() as u64);
                }
                if let Some(c) = against.filter(|c| !c.ok) {
                    eprintln!("verification failed: {}", c.problem.unwrap_or_default());
                }
                return Ok(ExitCode::from(1));
            }
        }
        JournalCommand::Checkpoint { tenant, output: file } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let cp = app.export_checkpoint(&op).await.map_err(app_err)?;
            let json = serde_json::to_string_pretty(&cp)?;
            match file {
                Some(path) => {
                    std::fs::write(path, format!("{json}\n")).with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("checkpoint at entry {} written to {}", cp.seq, path.display());
                }
                None => output::line(&json)?,
            }
        }
        JournalCommand::PublicKey => output::line(app.public_key_pem().map_err(app_err)?.trim_end())?,
    }
    Ok(ExitCode::SUCCESS)
}
