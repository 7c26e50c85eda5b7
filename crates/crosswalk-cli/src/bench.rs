//! `crosswalk bench`: generates an organisation on fresh databases and measures the figures the
//! project tracks. Names are stable (CONTRACT.md, "Benchmark output").
use crate::config::{BenchArgs, Cli, Format, Scale};
use crate::output;
use anyhow::{Context, anyhow};
use crosswalk_app::users::NewMember;
use crosswalk_app::{App, AppConfig, PasswordCost, SystemClock};
use crosswalk_domain::{Role, UserId};
use crosswalk_store::Store;
use crosswalk_store::{create_postgres_database, drop_postgres_database};
use serde::Serialize;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Serialize)]
struct Figure {
    name: String,
    value: f64,
    unit: &'static str,
}

#[derive(Debug, Serialize)]
struct Report {
    machine: serde_json::Value,
    scale: &'static str,
    results: Vec<Figure>,
}

fn mutations(scale: Scale) -> usize {
    match scale {
        Scale::Small => 2_000,
        Scale::Medium => 20_000,
        Scale::Large => 100_000,
    }
}

/// Controls in the generated organisation for the catalog benchmarks (the target is 10,000).
fn controls_for(scale: Scale) -> usize {
    match scale {
        Scale::Small => 1_000,
        Scale::Medium | Scale::Large => 10_000,
    }
}

/// Evidence files of 1 MB for deep verification and packs (the target: 1,000 files, 1 GB).
fn evidence_files_for(scale: Scale) -> usize {
    match scale {
        Scale::Small => 100,
        Scale::Medium | Scale::Large => 1_000,
    }
}

fn scale_name(scale: Scale) -> &'static str {
    match scale {
        Scale::Small => "small",
        Scale::Medium => "medium",
        Scale::Large => "large",
    }
}

/// Evidence blobs of benchmark runs, removed when the run ends.
fn bench_blob_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("crosswalk-bench-blobs-{}", std::process::id()))
}

/// A generated organisation on `store`: a tenant and one admin whose tokens are the mutations.
async fn generated_app(store: Store) -> anyhow::Result<(App, crosswalk_app::Actor, UserId)> {
    let key = crosswalk_journal::generate_signing_key();
    store.migrate(&crosswalk_journal::MacKey::derive(&key)).await?;
    // Benchmarks measure journaling, not password hashing.
    let config = AppConfig { password_cost: PasswordCost::InsecureFastForTests, blob_dir: bench_blob_dir(), ..AppConfig::default() };
    let app = App::new(store, Arc::new(SystemClock), key, config);
    app.create_tenant("bench-org", "Bench Org").await.map_err(|e| anyhow!(e))?;
    let op = app.operator("bench-org").await.map_err(|e| anyhow!(e))?;
    let m = app
        .add_member(
            &op,
            NewMember {
                email: "bench@bench.example".into(),
                role: Role::Admin,
                display_name: None,
                password: Some("bench-password-1".into()),
            },
        )
        .await
        .map_err(|e| anyhow!(e))?;
    Ok((app, op, UserId(m.id)))
}

/// Journaled mutations per second: each creates an API token and appends its journal entry in one transaction.
async fn append_rate(app: &App, op: &crosswalk_app::Actor, owner: UserId, n: usize) -> anyhow::Result<f64> {
    let started = Instant::now();
    for i in 0..n {
        app.create_token(op, Some(owner), &format!("bench token {i}")).await.map_err(|e| anyhow!(e))?;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub async fn run(cli: &Cli, args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let n = mutations(args.scale);
    let wanted = |name: &str| args.only.as_deref().is_none_or(|p| name.starts_with(p));
    let mut results = Vec::new();
    let dir = std::env::temp_dir().join(format!("crosswalk-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let sqlite_url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());

    let (app, op, owner) = generated_app(Store::connect(&sqlite_url).await?).await?;
    if wanted("journal.append.sqlite") || wanted("journal.verify") {
        let rate = append_rate(&app, &op, owner, n).await?;
        if wanted("journal.append.sqlite") {
            results.push(Figure { name: "journal.append.sqlite".into(), value: rate, unit: "ops/s" });
        }
    }
    if wanted("journal.verify") {
        let tenant = op.tenant().0;
        let load_started = Instant::now();
        let (entries, head, cps) = app.journal_loaded(&op).await.map_err(|e| anyhow!(e))?;
        let load = load_started.elapsed();
        let key = app.verifying_key();
        let tenant_s = tenant.to_string();
        // Repeat in-memory verification until it has run long enough to time reliably.
        let (mut bytes, mut rounds) = (0u64, 0u32);
        let started = Instant::now();
        while rounds < 3 || started.elapsed().as_secs_f64() < 1.0 {
            let s = crosswalk_app::journal::verify_loaded(
                &tenant_s,
                &entries,
                head,
                &cps,
                &[crosswalk_app::journal::TrustedKey::own(key)],
                Some(app.mac_key()),
                1,
            )
            .map_err(|(_, m)| anyhow!(m))?;
            bytes += s.bytes;
            rounds += 1;
        }
        let secs = started.elapsed().as_secs_f64();
        results.push(Figure { name: "journal.verify".into(), value: bytes as f64 / 1e6 / secs, unit: "MB/s" });
        let one_round = secs / f64::from(rounds);
        results.push(Figure {
            name: "journal.verify.with_load".into(),
            value: (bytes / u64::from(rounds)) as f64 / 1e6 / (one_round + load.as_secs_f64()),
            unit: "MB/s",
        });
        results.push(Figure { name: "journal.verify.entries".into(), value: entries.len() as f64, unit: "entries" });
    }
    app.close().await?;
    let _ = std::fs::remove_dir_all(&dir);

    if wanted("journal.append.postgres") {
        let name = format!("cw_bench_{}", uuid::Uuid::new_v4().simple());
        match create_postgres_database(&args.postgres_url, &name).await {
            Ok(url) => {
                let outcome = async {
                    let (app, op, owner) = generated_app(Store::connect(&url).await?).await?;
                    let rate = append_rate(&app, &op, owner, n).await?;
                    app.close().await?;
                    anyhow::Ok(rate)
                }
                .await;
                drop_postgres_database(&args.postgres_url, &name).await.context("dropping the benchmark database")?;
                results.push(Figure { name: "journal.append.postgres".into(), value: outcome?, unit: "ops/s" });
            }
            Err(e) => eprintln!("skipping journal.append.postgres: {e}"),
        }
    }
    if ["catalog.", "requirements.", "coverage.", "readiness.", "dashboard.", "framework.", "evidence.", "bulk."]
        .iter()
        .any(|p| wanted(p) || args.only.as_deref().is_some_and(|o| p.starts_with(o)))
    {
        let dir = std::env::temp_dir().join(format!("crosswalk-bench-cat-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
        let (app, op, owner) = generated_app(Store::connect(&url).await?).await?;
        let outcome = crate::bench_catalog::run(&app, &op, owner, controls_for(args.scale), &wanted).await;
        app.close().await?;
        let _ = std::fs::remove_dir_all(&dir);
        results.extend(outcome?.into_iter().map(|(name, value, unit)| Figure { name, value, unit }));
    }
    // Deep verification and auditor packs, each on an organisation of its own.
    let files = evidence_files_for(args.scale);
    if wanted("journal.verify.deep") {
        let dir = std::env::temp_dir().join(format!("crosswalk-bench-deep-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        let (app, op, _) = generated_app(Store::connect(&format!("sqlite://{}?mode=rwc", dir.join("bench.db").display())).await?).await?;
        let outcome = crate::bench_journal::deep_verify(&app, &op, controls_for(args.scale), files).await;
        app.close().await?;
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(bench_blob_dir());
        results.extend(outcome?.into_iter().map(|(name, value, unit)| Figure { name, value, unit }));
    }
    if wanted("pack.") || args.only.as_deref().is_some_and(|o| "pack.".starts_with(o)) {
        let dir = std::env::temp_dir().join(format!("crosswalk-bench-pack-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        let (app, op, _) = generated_app(Store::connect(&format!("sqlite://{}?mode=rwc", dir.join("bench.db").display())).await?).await?;
        let outcome = crate::bench_journal::pack(&app, &op, files, &dir).await;
        app.close().await?;
        let _ = std::fs::remove_dir_all(&dir);
        results.extend(outcome?.into_iter().map(|(name, value, unit)| Figure { name, value, unit }));
    }
    // Two instances on one PostgreSQL, and many organisations on one PostgreSQL.
    let group = |p: &str| wanted(p) || args.only.as_deref().is_some_and(|o| p.starts_with(o));
    if group("cluster.") {
        let seconds = if args.scale == Scale::Small { 20 } else { 300 };
        results.extend(
            crate::bench_ops::cluster(&args.postgres_url, seconds, &bench_blob_dir())
                .await?
                .into_iter()
                .map(|(name, value, unit)| Figure { name, value, unit }),
        );
    }
    if group("hosting.") {
        let orgs = if args.scale == Scale::Small { 200 } else { 10_000 };
        results.extend(
            crate::bench_ops::hosting(&args.postgres_url, orgs, &bench_blob_dir()).await?.into_iter().map(|(name, value, unit)| Figure {
                name,
                value,
                unit,
            }),
        );
    }
    let _ = std::fs::remove_dir_all(bench_blob_dir());
    if let Some(rss) = peak_rss_mb() {
        results.push(Figure { name: "rss.peak".into(), value: rss, unit: "MB" });
    }

    let report = Report {
        machine: serde_json::json!({
            "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
        }),
        scale: scale_name(args.scale),
        results,
    };
    let rows = report.results.iter().map(|f| vec![f.name.clone(), format!("{:.1}", f.value), f.unit.to_owned()]).collect();
    output::print(cli.format, &report, &["benchmark", "value", "unit"], rows)?;
    if cli.format != Format::Json {
        eprintln!("scale {} ({} journaled mutations)", report.scale, n);
    }
    Ok(ExitCode::SUCCESS)
}
