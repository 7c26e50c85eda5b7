//! Journal and auditor-pack benchmarks for `crosswalk bench`, each on a generated organisation of its
//! own (a fresh SQLite database):
//! - `journal.verify.deep` (s): deep verification — chain, MACs, record roots, then every live row
//!   of every journaled table re-hashed and every evidence file re-read — of an organisation with
//!   100,000 evidence rows and 1 GB of evidence files (large/medium; small: 10,000 rows, 100 MB);
//! - `pack.build` (s): an auditor pack for a framework whose controls carry 1,000 evidence files of
//!   1 MB (small: 100), written to disk; `pack.verify` (MB/s): its offline verification, bytes checked
//!   per second.
use std::time::Instant;

use anyhow::anyhow;
use crosswalk_app::controls::{ControlStatus, NewControl};
use crosswalk_app::evidence::NewEvidence;
use crosswalk_app::{Actor, App};

type Figures = Vec<(String, f64, &'static str)>;

/// Files of `size` bytes each, different content, as evidence linked to `control`.
async fn add_files(app: &App, op: &Actor, control: uuid::Uuid, files: usize, size: usize) -> anyhow::Result<()> {
    let mut body = vec![0u8; size];
    for i in 0..files {
        // Cheap distinct content: a counter pattern, so every file has its own address.
        for (k, b) in body.iter_mut().enumerate() {
            *b = (k as u32).wrapping_mul(2_654_435_761).wrapping_add(i as u32).to_le_bytes()[0];
        }
        body[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let blob = app.store_blob(op, body.as_slice()).await.map_err(|e| anyhow!(e))?;
        let new = NewEvidence {
            name: format!("evidence file {i}"),
            link: None,
            controls: vec![control],
            effective_from: None,
            valid_until: None,
        };
        app.add_evidence(op, new, Some(blob)).await.map_err(|e| anyhow!(e))?;
    }
    Ok(())
}

pub async fn deep_verify(app: &App, op: &Actor, controls: usize, files: usize) -> anyhow::Result<Figures> {
    let mut out = Figures::new();
    let (_, rows) = app.generate_bench_controls(op, controls, 20).await.map_err(|e| anyhow!(e))?;
    let control = app.list_controls(op).await.map_err(|e| anyhow!(e))?.first().map(|c| c.id).ok_or_else(|| anyhow!("no control"))?;
    add_files(app, op, control, files, 1 << 20).await?;
    let started = Instant::now();
    let r = app.verify_journal_with(op, false, true).await.map_err(|e| anyhow!(e))?;
    let secs = started.elapsed().as_secs_f64();
    if !r.ok {
        return Err(anyhow!("deep verification of the generated organisation failed: {:?}", r.problem));
    }
    out.push(("journal.verify.deep".into(), secs, "s"));
    out.push(("journal.verify.deep.records".into(), r.records_checked as f64, "records"));
    out.push(("journal.verify.deep.files_mb".into(), r.file_bytes as f64 / 1e6, "MB"));
    out.push(("journal.verify.deep.generated_rows".into(), rows as f64, "rows"));
    Ok(out)
}

pub async fn pack(app: &App, op: &Actor, files: usize, dir: &std::path::Path) -> anyhow::Result<Figures> {
    let mut out = Figures::new();
    app.follow_framework(op, "iso27001-2022").await.map_err(|e| anyhow!(e))?;
    let c = app
        .create_control(
            op,
            NewControl { name: "Backups".into(), description: String::new(), status: ControlStatus::Implemented, justification: None },
        )
        .await
        .map_err(|e| anyhow!(e))?;
    app.link_control(op, c.id, "iso27001-2022", "A.8.13").await.map_err(|e| anyhow!(e))?;
    add_files(app, op, c.id, files, 1 << 20).await?;
    let path = dir.join("bench-pack.zip");
    let started = Instant::now();
    let built = app.build_pack(op, "iso27001-2022", std::fs::File::create(&path)?).await.map_err(|e| anyhow!(e))?;
    out.push(("pack.build".into(), started.elapsed().as_secs_f64(), "s"));
    out.push(("pack.build.mb".into(), built.bytes as f64 / 1e6, "MB"));
    let started = Instant::now();
    let file = std::fs::File::open(&path)?;
    let summary = crosswalk_journal::pack::verify(std::io::BufReader::with_capacity(1 << 20, file), Some(&app.verifying_key()))
        .map_err(|e| anyhow!("the benchmark's pack does not verify: {e}"))?;
    let secs = started.elapsed().as_secs_f64();
    out.push(("pack.verify".into(), summary.bytes as f64 / 1e6 / secs, "MB/s"));
    let _ = std::fs::remove_file(&path);
    Ok(out)
}
