//! Operations benchmarks of `crosswalk bench` (issue 15), each over HTTP on loopback against the real
//! router, on a fresh PostgreSQL database:
//!
//! - `cluster.*`: two server instances (two apps, two connection pools, two ports) on one database;
//!   50 clients alternate between them, nine dashboard renders for each control written through the
//!   API. Reports latency percentiles, errors, acknowledged and lost writes, and whether the journal
//!   still verifies with one head (no fork). 20 s at `small`, 5 minutes at `medium`/`large`.
//! - `hosting.*`: one organisation's dashboard p95 and journal verification time alone, then again
//!   after generating many more organisations on the same database (200 at `small`, 10,000 above).
//! - `evidence.upload.*`: a file streamed through the API (`POST /api/v1/evidence`) and through the
//!   control page's multipart form, with this process's RSS growth while it streams.
use anyhow::{Context, anyhow};
use axum::body::Bytes;
use crosswalk_app::controls::NewControl;
use crosswalk_app::users::NewMember;
use crosswalk_app::{Actor, App, AppConfig, PasswordCost, SystemClock};
use crosswalk_domain::Role;
use crosswalk_store::Store;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full, StreamBody};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bench_catalog::{Figures, percentile};
type Body = BoxBody<Bytes, std::io::Error>;
type HttpClient = Client<HttpConnector, Body>;

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed()
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed()
}

/// `size` bytes in 1 MiB chunks, generated as they are sent (the client holds one chunk at a time).
fn generated(prefix: Bytes, size: u64, suffix: Bytes) -> Body {
    let chunk = Bytes::from(vec![0x5a; 1 << 20]);
    let full_chunks = size / (1 << 20);
    let rest = (size % (1 << 20)) as usize;
    let middle = (0..full_chunks).map(move |_| chunk.clone()).chain((rest > 0).then(|| Bytes::from(vec![0x5a; rest])));
    let frames = std::iter::once(prefix).chain(middle).chain(std::iter::once(suffix)).filter(|b| !b.is_empty());
    StreamBody::new(futures_util::stream::iter(frames.map(|b| Ok(http_body::Frame::data(b))))).boxed()
}

/// Serve `app` on a free loopback port; the task ends with the returned handle.
async fn serve(app: &App) -> anyhow::Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = crosswalk_web::router(app.clone(), crosswalk_web::WebConfig::default());
    let handle = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((addr, handle))
}

/// Status and body of one request, with its time in ms.
async fn send(client: &HttpClient, req: axum::http::Request<Body>) -> anyhow::Result<(u16, Bytes, f64)> {
    let started = Instant::now();
    let response = client.request(req).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body, started.elapsed().as_secs_f64() * 1000.0))
}

/// An app on `url` with the bench organisation's admin: (app, operator, session secret, API token).
async fn instance(url: &str, key: &crosswalk_journal::SigningKey, blob_dir: &std::path::Path, first: bool) -> anyhow::Result<App> {
    let store = Store::connect(url).await?;
    if first {
        store.migrate(&crosswalk_journal::MacKey::derive(key)).await?;
    }
    let config = AppConfig { password_cost: PasswordCost::InsecureFastForTests, blob_dir: blob_dir.to_owned(), ..AppConfig::default() };
    Ok(App::new(store, Arc::new(SystemClock), key.clone(), config))
}

/// An organisation `slug` with an admin; its operator, the admin's session and an API token.
async fn organisation(app: &App, slug: &str) -> anyhow::Result<(Actor, String, String, String)> {
    app.create_tenant(slug, &format!("{slug} Ltd")).await.map_err(|e| anyhow!(e))?;
    let op = app.operator(slug).await.map_err(|e| anyhow!(e))?;
    let email = format!("admin@{slug}.example");
    let m = app
        .add_member(
            &op,
            NewMember { email: email.clone(), role: Role::Admin, display_name: None, password: Some("bench-password-1".into()) },
        )
        .await
        .map_err(|e| anyhow!(e))?;
    let login = app.login(&email, "bench-password-1", "127.0.0.1").await.map_err(|e| anyhow!(e))?;
    let token = app.create_token(&op, Some(crosswalk_domain::UserId(m.id)), "bench").await.map_err(|e| anyhow!(e))?.secret;
    Ok((op, login.session.secret, login.session.csrf_token, token))
}

fn page(addr: std::net::SocketAddr, path: &str, session: &str) -> anyhow::Result<axum::http::Request<Body>> {
    Ok(axum::http::Request::get(format!("http://{addr}{path}"))
        .header(axum::http::header::COOKIE, format!("{}={session}", crosswalk_web::SESSION_COOKIE))
        .body(empty())?)
}

fn new_control(addr: std::net::SocketAddr, token: &str, name: &str) -> anyhow::Result<axum::http::Request<Body>> {
    Ok(axum::http::Request::post(format!("http://{addr}/api/v1/controls"))
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(full(serde_json::json!({"name": name, "status": "implemented"}).to_string()))?)
}

/// A fresh PostgreSQL database for one benchmark, dropped afterwards whatever happens.
async fn with_postgres<F, Fut>(admin_url: &str, run: F) -> anyhow::Result<Figures>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Figures>>,
{
    let name = format!("cw_bench_{}", uuid::Uuid::new_v4().simple());
    let url = crosswalk_store::create_postgres_database(admin_url, &name).await.context("creating the benchmark database")?;
    let outcome = run(url).await;
    crosswalk_store::drop_postgres_database(admin_url, &name).await.context("dropping the benchmark database")?;
    outcome
}

/// `cluster.*`: two instances, 50 clients, mixed reads and writes for `seconds`.
pub async fn cluster(admin_url: &str, seconds: u64, blob_dir: &std::path::Path) -> anyhow::Result<Figures> {
    with_postgres(admin_url, |url| async move {
        let key = crosswalk_journal::generate_signing_key();
        let a = instance(&url, &key, blob_dir, true).await?;
        let b = instance(&url, &key, blob_dir, false).await?;
        let (op, session, _, token) = organisation(&a, "cluster-org").await?;
        a.follow_framework(&op, "iso27001-2022").await.map_err(|e| anyhow!(e))?;
        let (addr_a, serve_a) = serve(&a).await?;
        let (addr_b, serve_b) = serve(&b).await?;
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for c in 0..50usize {
            let (session, token, client) = (session.clone(), token.clone(), client());
            tasks.push(tokio::spawn(async move {
                let (mut samples, mut errors, mut acknowledged) = (Vec::new(), 0u64, Vec::new());
                let mut i = 0usize;
                while Instant::now() < deadline {
                    let addr = if (c + i).is_multiple_of(2) { addr_a } else { addr_b };
                    let write = i % 10 == 9;
                    let name = format!("cluster-{c}-{i}");
                    let req = if write { new_control(addr, &token, &name)? } else { page(addr, "/", &session)? };
                    match send(&client, req).await {
                        Ok((status, _, ms)) if (200..300).contains(&status) => {
                            samples.push(ms);
                            if write {
                                acknowledged.push(name);
                            }
                        }
                        _ => errors += 1,
                    }
                    i += 1;
                }
                anyhow::Ok((samples, errors, acknowledged))
            }));
        }
        let (mut samples, mut errors, mut acknowledged) = (Vec::new(), 0u64, Vec::new());
        for t in tasks {
            let (s, e, a) = t.await??;
            samples.extend(s);
            errors += e;
            acknowledged.extend(a);
        }
        serve_a.abort();
        serve_b.abort();
        let present: std::collections::HashSet<String> =
            b.list_controls(&op).await.map_err(|e| anyhow!(e))?.into_iter().map(|c| c.name).collect();
        let lost = acknowledged.iter().filter(|n| !present.contains(*n)).count();
        let (va, vb) = (
            a.verify_journal_with(&op, false, false).await.map_err(|e| anyhow!(e))?,
            b.verify_journal_with(&op, false, false).await.map_err(|e| anyhow!(e))?,
        );
        let forked = !(va.ok && vb.ok && va.head_seq == vb.head_seq && va.head_hash == vb.head_hash);
        let requests = samples.len() as f64 + errors as f64;
        let figures = vec![
            ("cluster.p50".to_owned(), percentile(samples.clone(), 0.50), "ms (2 instances, 50 clients, 1 write in 10)"),
            ("cluster.p95".to_owned(), percentile(samples.clone(), 0.95), "ms"),
            ("cluster.p99".to_owned(), percentile(samples, 0.99), "ms"),
            ("cluster.throughput".to_owned(), requests / seconds as f64, "req/s"),
            ("cluster.errors".to_owned(), errors as f64, "requests"),
            ("cluster.writes".to_owned(), acknowledged.len() as f64, "acknowledged"),
            ("cluster.writes.lost".to_owned(), lost as f64, "acknowledged but missing"),
            ("cluster.journal.forked".to_owned(), f64::from(u8::from(forked)), "0 = one verified head"),
            ("cluster.seconds".to_owned(), seconds as f64, "s"),
        ];
        a.close().await?;
        b.close().await?;
        Ok(figures)
    })
    .await
}

/// Dashboard p95 (30 renders, each after a write so none is a cached page) and journal verification.
async fn one_organisation_figures(app: &App, op: &Actor, session: &str, evidence: uuid::Uuid) -> anyhow::Result<(f64, f64)> {
    let (addr, server) = serve(app).await?;
    let client = client();
    let mut samples = Vec::new();
    for i in 0..30u64 {
        let until = crosswalk_app::Clock::now(&SystemClock).date_naive().checked_add_days(chrono::Days::new(40 + i));
        app.set_evidence_validity(op, evidence, None, until).await.map_err(|e| anyhow!(e))?;
        let (status, body, ms) = send(&client, page(addr, "/", session)?).await?;
        anyhow::ensure!(status == 200 && body.len() > 1000, "dashboard: {status}");
        samples.push(ms);
    }
    server.abort();
    let started = Instant::now();
    let report = app.verify_journal_with(op, false, false).await.map_err(|e| anyhow!(e))?;
    anyhow::ensure!(report.ok, "journal does not verify: {:?}", report.problem);
    Ok((percentile(samples, 0.95), started.elapsed().as_secs_f64() * 1000.0))
}

/// `hosting.*`: one organisation alone, then among `orgs` organisations on one PostgreSQL.
pub async fn hosting(admin_url: &str, orgs: usize, blob_dir: &std::path::Path) -> anyhow::Result<Figures> {
    with_postgres(admin_url, |url| async move {
        let key = crosswalk_journal::generate_signing_key();
        let app = instance(&url, &key, blob_dir, true).await?;
        let (op, session, _, _) = organisation(&app, "hosted-0").await?;
        let (evidence, _) = app.generate_bench_controls(&op, 200, 5).await.map_err(|e| anyhow!(e))?;
        let (alone_p95, alone_verify) = one_organisation_figures(&app, &op, &session, evidence).await?;
        let started = Instant::now();
        for i in 1..orgs {
            app.create_tenant(&format!("hosted-{i}"), &format!("Hosted {i}")).await.map_err(|e| anyhow!(e))?;
        }
        let generated = started.elapsed().as_secs_f64();
        let (many_p95, many_verify) = one_organisation_figures(&app, &op, &session, evidence).await?;
        app.close().await?;
        Ok(vec![
            ("hosting.orgs".to_owned(), orgs as f64, "organisations on one PostgreSQL"),
            ("hosting.generate".to_owned(), (orgs - 1) as f64 / generated, "organisations/s created"),
            ("hosting.dashboard.p95.alone".to_owned(), alone_p95, "ms (dashboard HTML after a write, 1 organisation)"),
            ("hosting.dashboard.p95".to_owned(), many_p95, "ms (the same, among all the others)"),
            ("hosting.scale".to_owned(), many_p95, "ms (= hosting.dashboard.p95: one organisation's dashboard among all)"),
            ("hosting.verify.alone".to_owned(), alone_verify, "ms (journal verify of that organisation)"),
            ("hosting.verify".to_owned(), many_verify, "ms (the same, among all the others)"),
        ])
    })
    .await
}

fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Run `upload` while sampling RSS every 20 ms: (seconds, peak growth in MB).
async fn with_rss<F: std::future::Future<Output = anyhow::Result<()>>>(upload: F) -> anyhow::Result<(f64, f64)> {
    let before = rss_mb().unwrap_or(0.0);
    let peak = Arc::new(std::sync::Mutex::new(before));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                if let (Some(now), Ok(mut p)) = (rss_mb(), peak.lock()) {
                    *p = p.max(now);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let started = Instant::now();
    let outcome = upload.await;
    let secs = started.elapsed().as_secs_f64();
    sampler.abort();
    outcome?;
    Ok((secs, peak.lock().map(|p| *p - before).unwrap_or(0.0)))
}

/// `evidence.upload.*`: `bytes` through the API and through the page's multipart form, over HTTP.
pub async fn uploads(app: &App, bytes: u64) -> anyhow::Result<Figures> {
    let (op, session, csrf, token) = organisation(app, "upload-org").await?;
    let control = app
        .create_control(
            &op,
            NewControl {
                name: "Backups".into(),
                description: String::new(),
                status: crosswalk_domain::readiness::ControlStatus::Implemented,
                justification: None,
            },
        )
        .await
        .map_err(|e| anyhow!(e))?;
    let (addr, server) = serve(app).await?;
    let client = client();
    let mut out = Figures::new();

    let (secs, growth) = with_rss(async {
        let req = axum::http::Request::post(format!("http://{addr}/api/v1/evidence?name=big.bin"))
            .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
            .header(axum::http::header::CONTENT_TYPE, "application/octet-stream")
            .header(axum::http::header::CONTENT_LENGTH, bytes)
            .body(generated(Bytes::new(), bytes, Bytes::new()))?;
        let (status, body, _) = send(&client, req).await?;
        anyhow::ensure!(status == 201, "API upload: {status} {}", String::from_utf8_lossy(&body));
        Ok(())
    })
    .await?;
    out.push(("evidence.upload.api".into(), bytes as f64 / 1e6 / secs, "MB/s (POST /api/v1/evidence over HTTP)"));
    out.push(("evidence.upload.api.rss_growth".into(), growth, "MB"));
    // The established names: the API route's figures.
    out.push(("evidence.upload".into(), bytes as f64 / 1e6 / secs, "MB/s (= evidence.upload.api)"));
    out.push(("evidence.upload.rss_growth".into(), growth, "MB (= evidence.upload.api.rss_growth)"));

    let (secs, growth) = with_rss(async {
        let boundary = "crosswalk-bench-boundary";
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        );
        let tail = format!("\r\n--{boundary}--\r\n");
        let length = head.len() as u64 + bytes + tail.len() as u64;
        let req = axum::http::Request::post(format!("http://{addr}/controls/{}/evidence", control.id))
            .header(axum::http::header::COOKIE, format!("{}={session}", crosswalk_web::SESSION_COOKIE))
            .header("x-csrf-token", csrf.as_str())
            .header(axum::http::header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(axum::http::header::CONTENT_LENGTH, length)
            .body(generated(Bytes::from(head), bytes, Bytes::from(tail)))?;
        let (status, body, _) = send(&client, req).await?;
        // The page answers with a redirect back to the control.
        anyhow::ensure!(status == 303 || status == 200, "page upload: {status} {}", String::from_utf8_lossy(&body));
        Ok(())
    })
    .await?;
    server.abort();
    let stored = app.search_evidence(&op, Some("big.bin"), None).await.map_err(|e| anyhow!(e))?;
    anyhow::ensure!(stored.len() >= 2, "the uploads did not both become evidence ({} found)", stored.len());
    out.push(("evidence.upload.page".into(), bytes as f64 / 1e6 / secs, "MB/s (multipart form of the control page over HTTP)"));
    out.push(("evidence.upload.page.rss_growth".into(), growth, "MB"));
    out.push(("evidence.upload.size".into(), bytes as f64 / 1e6, "MB per upload"));
    Ok(out)
}
