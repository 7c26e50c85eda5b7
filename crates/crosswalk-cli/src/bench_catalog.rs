//! Catalog and crosswalk benchmarks for `crosswalk bench`: importing an SP 800-53-sized OSCAL
//! catalog, listing all SP 800-53 requirements with the organisation's states, coverage ISO 27001
//! → NIS2 → CSF, and readiness recomputation after one evidence change — for an organisation with
//! thousands of controls linked across frameworks.
use std::time::Instant;

use anyhow::anyhow;
use chrono::Days;
use crosswalk_app::{Actor, App};
use crosswalk_store::repo::{catalog, controls};
use uuid::Uuid;

type Figures = Vec<(String, f64, &'static str)>;

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

/// Generates controls linked to ISO 27001, SP 800-53 and CSF requirements (one transaction, bulk
/// setup without journaling: the benchmark measures reads), half implemented with valid evidence.
async fn generate_controls(app: &App, op: &Actor, n: usize) -> anyhow::Result<Uuid> {
    for f in ["iso27001-2022", "nist-csf-2.0", "nis2", "nist-sp-800-53-r5"] {
        app.follow_framework(op, f).await.map_err(|e| anyhow!(e))?;
    }
    let db = app.store().db();
    let mut targets = Vec::new();
    for slug in ["iso27001-2022", "nist-sp-800-53-r5", "nist-csf-2.0"] {
        let f = catalog::find_framework(db, slug, None).await?.ok_or_else(|| anyhow!("{slug} not bundled"))?;
        targets.extend(catalog::requirements(db, f.id).await?.into_iter().filter(|r| r.assessable).map(|r| r.id));
    }
    let tenant = op.tenant().0;
    let now = crosswalk_store::truncate_micros(crosswalk_app::Clock::now(&crosswalk_app::SystemClock));
    let today = now.date_naive();
    let tx = app.store().begin_write().await?;
    let mut first_evidence = None;
    for i in 0..n {
        let implemented = i % 2 == 0;
        let control = controls::insert_control(
            &tx,
            controls::Control {
                id: Uuid::now_v7(),
                tenant_id: tenant,
                name: format!("Control {i}"),
                description: String::new(),
                owner_id: None,
                status: if implemented { "implemented" } else { "planned" }.into(),
                justification: None,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        for k in 0..2 {
            let target = targets[(i * 7 + k * 131) % targets.len()];
            controls::link(&tx, tenant, control.id, target).await?;
        }
        if implemented {
            let evidence = controls::insert_evidence(
                &tx,
                controls::Evidence {
                    id: Uuid::now_v7(),
                    tenant_id: tenant,
                    name: format!("evidence {i}"),
                    sha256: None,
                    size: 0,
                    link: Some(format!("https://evidence.example/{i}")),
                    collected_at: now,
                    effective_from: None,
                    valid_until: today.checked_add_days(Days::new(90)),
                    created_at: now,
                },
            )
            .await?;
            controls::link_evidence(&tx, tenant, evidence.id, control.id).await?;
            first_evidence.get_or_insert(evidence.id);
        }
    }
    tx.commit().await?;
    first_evidence.ok_or_else(|| anyhow!("no evidence generated"))
}

pub async fn run(app: &App, op: &Actor, n_controls: usize, wanted: &dyn Fn(&str) -> bool) -> anyhow::Result<Figures> {
    let mut out = Figures::new();
    if wanted("catalog.import") {
        let bytes = synthetic_oscal_catalog();
        let started = Instant::now();
        let report = app.import_catalog(op, &bytes, "bench_catalog.json", None).await.map_err(|e| anyhow!(e))?;
        out.push(("catalog.import".into(), started.elapsed().as_secs_f64() * 1000.0, "ms"));
        out.push(("catalog.import.requirements".into(), report.items.first().map_or(0, |i| i.count) as f64, "requirements"));
    }
    let evidence = generate_controls(app, op, n_controls).await?;
    out.push(("catalog.controls".into(), n_controls as f64, "controls"));
    // Warm the shared relation graph once, as a running server has it.
    app.readiness(op, "iso27001-2022").await.map_err(|e| anyhow!(e))?;
    if wanted("requirements.list") {
        let mut samples = Vec::new();
        for _ in 0..30 {
            let started = Instant::now();
            let report = app.readiness(op, "nist-sp-800-53-r5").await.map_err(|e| anyhow!(e))?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(report);
        }
        out.push(("requirements.list.p95".into(), p95(samples), "ms"));
    }
    if wanted("coverage.compute") {
        let mut samples = Vec::new();
        for _ in 0..30 {
            let started = Instant::now();
            let first = app.coverage(op, "iso27001-2022", "nis2").await.map_err(|e| anyhow!(e))?;
            let second = app.coverage(op, "nis2", "nist-csf-2.0").await.map_err(|e| anyhow!(e))?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box((first, second));
        }
        out.push(("coverage.compute".into(), p95(samples), "ms"));
    }
    if wanted("readiness.recompute") {
        let mut samples = Vec::new();
        for i in 0..20u64 {
            let until = crosswalk_app::Clock::now(&crosswalk_app::SystemClock).date_naive().checked_add_days(Days::new(30 + i));
            app.set_evidence_validity(op, evidence, None, until).await.map_err(|e| anyhow!(e))?;
            let started = Instant::now();
            std::hint::black_box(app.readiness(op, "iso27001-2022").await.map_err(|e| anyhow!(e))?);
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        out.push(("readiness.recompute.p95".into(), p95(samples), "ms"));
    }
    Ok(out)
}
