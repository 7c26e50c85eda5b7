//! `crosswalk bench --scale small` runs end to end, so the benchmark cannot rot: every figure the
//! README and the issues name is reported with a finite value, and the two-instance load (20 s at
//! this scale; CI's version of the 5-minute run) ends with no error, no lost write and one journal head.
//! The figures themselves are not judged here (a debug build on a shared machine says nothing);
//! `crosswalk bench` on a release build is where they are read.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use support::*;

/// Every name the benchmark must report at every scale.
const NAMES: &[&str] = &[
    "journal.append.sqlite",
    "journal.append.postgres",
    "journal.verify",
    "journal.verify.with_load",
    "catalog.import",
    "bulk.import.journaled.sqlite",
    "requirements.list.cold",
    "requirements.list.p95",
    "requirements.list.cached.p95",
    "coverage.compute",
    "coverage.compute.p50",
    "coverage.compute.p95",
    "readiness.recompute.p50",
    "readiness.recompute.p95",
    "readiness.recompute.change.p95",
    "readiness.after_change.p95",
    "evidence.upload",
    "evidence.upload.rss_growth",
    "evidence.upload.api",
    "evidence.upload.api.rss_growth",
    "evidence.upload.page",
    "evidence.upload.page.rss_growth",
    "dashboard.cold",
    "dashboard.p95",
    "dashboard.p99",
    "framework.status.p95",
    "framework.status.p99",
    "framework.status.throughput",
    "pages.throughput",
    "journal.verify.deep",
    "pack.build",
    "cluster.p50",
    "cluster.p95",
    "cluster.p99",
    "cluster.errors",
    "cluster.writes",
    "cluster.writes.lost",
    "cluster.journal.forked",
    "hosting.orgs",
    "hosting.dashboard.p95.alone",
    "hosting.dashboard.p95",
    "hosting.verify.alone",
    "hosting.verify",
    "hosting.scale",
    "rss.peak",
];

#[tokio::test]
async fn bench_small_reports_every_figure() {
    let env = Env::new().await;
    let admin = crosswalk_store::testing::test_postgres_url().unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let o = env.run(&["--format", "json", "bench", "--scale", "small", "--postgres-url", &admin]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let value = |name: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .and_then(|f| f["value"].as_f64())
            .unwrap_or_else(|| panic!("{name} missing from {report}"))
    };
    for name in NAMES {
        assert!(value(name).is_finite(), "{name} is not a number");
    }
    assert!(value("cluster.writes") > 0.0, "the load wrote nothing");
    assert_eq!(value("cluster.errors"), 0.0);
    assert_eq!(value("cluster.writes.lost"), 0.0);
    assert_eq!(value("cluster.journal.forked"), 0.0);
    assert_eq!(value("hosting.orgs"), 200.0);
    env.cleanup().await;
}
