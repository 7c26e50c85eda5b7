//! Catalog and crosswalk benchmarks for `crosswalk bench`: importing an SP 800-53-sized OSCAL
//! catalog, listing all SP 800-53 requirements with the organisation's states, coverage ISO 27001
//! → NIS2 → CSF, and readiness recomputation after one evidence change — for an organisation with
//! thousands of controls linked across frameworks.
use std::time::Instant;

use anyhow::anyhow;
use chrono::Days;
use crosswalk_app::{Actor, App};
use uuid::Uuid;

pub(crate) type Figures = Vec<(String, f64, &'static str)>;

fn p95(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[((samples.len() as f64 * 0.95).ceil() as usize).saturating_sub(1).min(samples.len() - 1)]
}

/// An OSCAL catalog shaped like SP 800-53: 20 groups, ~1,200 controls and enhancements with statements.
fn synthetic_oscal_catalog() -> Vec<u8> {
    let groups: Vec<serde_json::Value> = (0..20)
        .map(|g| {
            let controls: Vec<serde_json::Value> = (1..=25)
                .map(|c| {
                    let id = format!("g{g}-{c}");
                    let enhancements: Vec<serde_json::Value> = (1..=2)
                        .map(|e| serde_json::json!({"id": format!("{id}.{e}"), "title": format!("Enhancement {e} of {id}"), "props": [{"name": "label", "value": format!("G{g}-{c}({e})")}],
                            "parts": [{"id": format!("{id}.{e}_smt"), "name": "statement", "prose": "The organisation employs automated mechanisms to support the management of accounts, reviewing them at the frequency defined in the parameter."}]}))
                        .collect();
                    serde_json::json!({"id": id, "title": format!("Control {c} of group {g}"), "props": [{"name": "label", "value": format!("G{g}-{c}")}],
                        "parts": [{"id": format!("{id}_smt"), "name": "statement", "parts": [
                            {"id": format!("{id}_smt.a"), "name": "item", "props": [{"name": "label", "value": "a."}], "prose": "Define and document the types of accounts allowed and specifically prohibited for use within the system;"},
                            {"id": format!("{id}_smt.b"), "name": "item", "props": [{"name": "label", "value": "b."}], "prose": "Assign account managers and require approvals by the defined personnel for requests to create accounts;"}]}],
                        "controls": enhancements})
                })
                .collect();
            serde_json::json!({"id": format!("g{g}"), "class": "family", "title": format!("Group {g}"), "controls": controls})
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"catalog": {"uuid": Uuid::new_v4(), "metadata": {"title": "Bench catalog", "version": "1", "oscal-version": "1.1.2"}, "groups": groups}}))
        .unwrap_or_default()
}

/// What the page load measured.
struct PageLoad {
    dashboard: Vec<f64>,
    framework: Vec<f64>,
    writes: usize,
    cold_dashboard_ms: f64,
}

/// 50 clients on loopback against a running server, each asking in turn for the rendered HTML
/// dashboard (`/`) and a framework's status page (`/frameworks/view`, SP 800-53 with every state),
/// for a bounded time, while a writer changes an evidence item's validity about once a second (a
/// journaled write that invalidates the organisation's caches, as real use does). Latency measured
/// at the client. The first dashboard request, before any cache is warm, is reported apart.
async fn page_load(
    app: &App,
    op: &Actor,
    session: &str,
    evidence: uuid::Uuid,
    clients: usize,
    seconds: f64,
    framework_only: bool,
) -> anyhow::Result<PageLoad> {
    use http_body_util::{BodyExt, Empty};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = crosswalk_web::router(app.clone(), crosswalk_web::WebConfig::default());
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let client: Client<_, Empty<axum::body::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let cookie = format!("{}={session}", crosswalk_web::SESSION_COOKIE);
    let get = {
        let (client, cookie) = (client.clone(), cookie.clone());
        move |path: &'static str| {
            let (client, cookie) = (client.clone(), cookie.clone());
            async move {
                let request = axum::http::Request::get(format!("http://{addr}{path}"))
                    .header(axum::http::header::COOKIE, cookie)
                    .body(Empty::new())?;
                let started = Instant::now();
                let response = client.request(request).await?;
                let status = response.status();
                let body = response.into_body().collect().await?.to_bytes();
                anyhow::ensure!(status.is_success() && body.len() > 1000, "{path}: {status}, {} bytes", body.len());
                anyhow::Ok(started.elapsed().as_secs_f64() * 1000.0)
            }
        }
    };
    let cold_dashboard_ms = get("/").await?;
    let deadline = Instant::now() + std::time::Duration::from_secs_f64(seconds);
    let writer = {
        let (app, op) = (app.clone(), op.clone());
        tokio::spawn(async move {
            let mut writes = 0usize;
            while Instant::now() < deadline {
                let days = 30 + (writes as u64 % 300);
                let until = crosswalk_app::Clock::now(&crosswalk_app::SystemClock).date_naive().checked_add_days(Days::new(days));
                app.set_evidence_validity(&op, evidence, None, until).await.map_err(|e| anyhow!(e))?;
                writes += 1;
                tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
            }
            anyhow::Ok(writes)
        })
    };
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let get = get.clone();
        tasks.push(tokio::spawn(async move {
            let mut samples: Vec<(bool, f64)> = Vec::new();
            while Instant::now() < deadline {
                if !framework_only {
                    samples.push((true, get("/").await?));
                }
                samples.push((false, get("/frameworks/view?framework=nist-sp-800-53-r5").await?));
            }
            anyhow::Ok(samples)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    let writes = writer.await??;
    server.abort();
    let pick = |dashboard: bool| all.iter().filter(|(d, _)| *d == dashboard).map(|(_, ms)| *ms).collect::<Vec<_>>();
    Ok(PageLoad { dashboard: pick(true), framework: pick(false), writes, cold_dashboard_ms })
}

pub(crate) fn percentile(mut samples: Vec<f64>, p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    samples[((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1]
}

pub async fn run(
    app: &App,
    op: &Actor,
    _owner: crosswalk_domain::UserId,
    n_controls: usize,
    wanted: &dyn Fn(&str) -> bool,
) -> anyhow::Result<Figures> {
    let mut out = Figures::new();
    if wanted("catalog.import") {
        let bytes = synthetic_oscal_catalog();
        let started = Instant::now();
        let report = app.import_catalog(op, &bytes, "bench_catalog.json", None).await.map_err(|e| anyhow!(e))?;
        out.push(("catalog.import".into(), started.elapsed().as_secs_f64() * 1000.0, "ms"));
        out.push(("catalog.import.requirements".into(), report.items.first().map_or(0, |i| i.count) as f64, "requirements"));
    }
    // 100,000 evidence items for 10,000 controls (20 per implemented control); 10,000 for 1,000.
    // Written through the app in one transaction with one journal entry covering every row.
    let started = Instant::now();
    let (evidence, rows) = app.generate_bench_controls(op, n_controls, 20).await.map_err(|e| anyhow!(e))?;
    out.push(("bulk.import.journaled.sqlite".into(), rows as f64 / started.elapsed().as_secs_f64(), "rows/s"));
    out.push(("bulk.import.journaled.rows".into(), rows as f64, "rows"));
    out.push(("catalog.controls".into(), n_controls as f64, "controls"));
    out.push(("catalog.evidence".into(), (n_controls / 2 * 20) as f64, "evidence"));
    // Warm the shared relation graph once, as a running server has it.
    app.readiness(op, "iso27001-2022").await.map_err(|e| anyhow!(e))?;
    if wanted("requirements.list") {
        // Every SP 800-53 requirement with the organisation's state, computed each time (no cache):
        // that is what `requirements.list` names. The first read and later reads served from the
        // snapshot's cache are warm figures, reported under their own names.
        let mut computed = Vec::new();
        for _ in 0..30 {
            let started = Instant::now();
            std::hint::black_box(app.readiness_computed(op, "nist-sp-800-53-r5", None).await.map_err(|e| anyhow!(e))?);
            computed.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        out.push(("requirements.list.p95".into(), p95(computed), "ms (SP 800-53 with states, computed, no cache, 30 runs)"));
        let mut samples = Vec::new();
        for _ in 0..31 {
            let started = Instant::now();
            let report = app.readiness(op, "nist-sp-800-53-r5").await.map_err(|e| anyhow!(e))?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(report);
        }
        out.push(("requirements.list.cold".into(), samples.remove(0), "ms (first read through the cache: the report computed)"));
        out.push(("requirements.list.cached.p95".into(), p95(samples), "ms (30 later reads, served from the cache)"));
    }
    if wanted("coverage.compute") {
        // Computed each time: the organisation's data loaded and the report derived, no cache.
        let mut samples = Vec::new();
        for _ in 0..30 {
            let started = Instant::now();
            let report = app.readiness_computed(op, "nis2", Some("iso27001-2022")).await.map_err(|e| anyhow!(e))?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(report);
        }
        out.push((
            "coverage.compute.p50".into(),
            percentile(samples.clone(), 0.50),
            "ms (ISO 27001 work → NIS2, computed, no cache, 30 runs)",
        ));
        out.push(("coverage.compute.p95".into(), percentile(samples.clone(), 0.95), "ms"));
        // The contract's name (CONTRACT.md): the same computed p95.
        out.push(("coverage.compute".into(), percentile(samples, 0.95), "ms (p95, computed, no cache)"));
    }
    if wanted("readiness.recompute") {
        let mut computed = Vec::new();
        let mut served = Vec::new();
        let mut changes = Vec::new();
        for i in 0..30u64 {
            let until = crosswalk_app::Clock::now(&crosswalk_app::SystemClock).date_naive().checked_add_days(Days::new(30 + i));
            let started = Instant::now();
            app.set_evidence_validity(op, evidence, None, until).await.map_err(|e| anyhow!(e))?;
            changes.push(started.elapsed().as_secs_f64() * 1000.0);
            // The work a change costs: SP 800-53 readiness derived afresh from the changed data.
            let started = Instant::now();
            std::hint::black_box(app.readiness_computed(op, "nist-sp-800-53-r5", None).await.map_err(|e| anyhow!(e))?);
            computed.push(started.elapsed().as_secs_f64() * 1000.0);
            // What a reader sees after the change: the cached snapshot patched, the report re-derived once.
            let started = Instant::now();
            std::hint::black_box(app.readiness_report(op, "nist-sp-800-53-r5").await.map_err(|e| anyhow!(e))?);
            served.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        out.push((
            "readiness.recompute.p50".into(),
            percentile(computed.clone(), 0.50),
            "ms (SP 800-53, computed after a change, no cache, 30 runs)",
        ));
        out.push(("readiness.recompute.p95".into(), percentile(computed, 0.95), "ms"));
        out.push(("readiness.recompute.change.p95".into(), percentile(changes, 0.95), "ms (the journaled evidence change itself)"));
        out.push((
            "readiness.after_change.p95".into(),
            percentile(served, 0.95),
            "ms (first read after a change: patched snapshot, cached thereafter)",
        ));
    }
    if wanted("evidence.upload") {
        // 1 GB at 10,000 controls (the figure), 128 MB otherwise; over HTTP, both routes.
        let bytes: u64 = if n_controls >= 10_000 { 1 << 30 } else { 128 << 20 };
        out.extend(crate::bench_ops::uploads(app, bytes).await?);
    }
    if wanted("dashboard") || wanted("framework.status") {
        let session = app.login("bench@bench.example", "bench-password-1", "127.0.0.1").await.map_err(|e| anyhow!(e))?.session.secret;
        let seconds = 10.0;
        let load = page_load(app, op, &session, evidence, 50, seconds, false).await?;
        let requests = load.dashboard.len() + load.framework.len();
        out.push(("dashboard.cold".into(), load.cold_dashboard_ms, "ms (first render, caches empty)"));
        out.push((
            "dashboard.p95".into(),
            percentile(load.dashboard.clone(), 0.95),
            "ms (HTML over HTTP, 50 clients, writes during the run)",
        ));
        out.push(("dashboard.p99".into(), percentile(load.dashboard, 0.99), "ms"));
        out.push(("framework.status.p95".into(), percentile(load.framework.clone(), 0.95), "ms (SP 800-53 page, HTML, same load)"));
        out.push(("framework.status.p99".into(), percentile(load.framework, 0.99), "ms"));
        out.push(("pages.throughput".into(), requests as f64 / seconds, "req/s (both pages, 50 clients)"));
        // The SP 800-53 page alone (1,189 rows), same clients and writer: its own throughput.
        let alone = page_load(app, op, &session, evidence, 50, seconds / 2.0, true).await?;
        out.push((
            "framework.status.throughput".into(),
            alone.framework.len() as f64 / (seconds / 2.0),
            "req/s (SP 800-53 page alone, 50 clients, writes)",
        ));
        out.push(("pages.writes".into(), load.writes as f64, "evidence writes committed during the run"));
    }
    Ok(out)
}
