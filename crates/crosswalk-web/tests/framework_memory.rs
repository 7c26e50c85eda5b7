//! Resident memory of large framework responses (issue 11): six concurrent reads of the largest
//! framework an organisation may import grow the process's resident memory by less than 100 MB.
//! A file of its own, so the test runs in a process of its own and other tests do not disturb the
//! measurement (VmRSS from /proc/self/status; Linux only).
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod common;

use axum::http::{Method, StatusCode};
use common::*;
use crosswalk_app::catalog::ImportLimits;

/// Resident set size of this process, in bytes.
fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
}

/// A CISO Assistant library with `n` requirements in a two-level tree, with some text each.
fn largest_library(n: usize) -> String {
    let mut out = String::with_capacity(n * 160);
    out.push_str("urn: urn:test:library:huge\nname: Huge\nversion: 1\nobjects:\n  framework:\n    urn: urn:test:framework:huge\n    name: Huge framework\n    requirement_nodes:\n");
    for i in 0..n {
        if i % 100 == 0 {
            out.push_str(&format!("    - {{urn: \"urn:test:req_node:huge:g{i}\", ref_id: \"G{i}\", name: Group {i}}}\n"));
        } else {
            let parent = i - i % 100;
            out.push_str(&format!(
                "    - {{urn: \"urn:test:req_node:huge:{i}\", parent_urn: \"urn:test:req_node:huge:g{parent}\", ref_id: \"R{i}\", assessable: true, name: Requirement number {i} of the huge framework}}\n"
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_concurrent_reads_of_the_largest_framework_stay_under_100_mb() {
    let Some(_) = rss_bytes() else { return }; // not Linux: nothing to measure
    let h = harness().await;
    let a = org_with_tokens(&h.app, "tenant-a").await;
    let admin = a[0].1.clone();
    let limits = ImportLimits::default();
    let library = largest_library(limits.max_requirements);
    assert!((library.len() as u64) < limits.max_bytes, "the file fits the byte limit: {} bytes", library.len());
    let actor = h.app.resolve_token(&admin).await.unwrap();
    let report = h.app.import_catalog(&actor, library.as_bytes(), "huge.yaml", None).await.unwrap();
    assert_eq!(report.items[0].count, limits.max_requirements);
    drop(library);

    let before = rss_bytes().unwrap();
    let requests = (0..6).map(|i| {
        let (router, admin) = (h.router.clone(), admin.clone());
        // The largest page a caller may ask for, at different places in the framework.
        let path = format!("/api/v1/framework?framework=huge&limit=2000&offset={}", i * 8000);
        tokio::spawn(async move { send(&router, api(Method::GET, &path, Some(&admin), None)).await })
    });
    for r in futures_util::future::join_all(requests).await {
        let r = r.unwrap();
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let page = r.json();
        assert_eq!(page["total"], limits.max_requirements);
        assert_eq!(page["requirements"].as_array().unwrap().len(), 2000);
    }
    let after = rss_bytes().unwrap();
    let grown_mb = after.saturating_sub(before) as f64 / (1024.0 * 1024.0);
    eprintln!("resident memory grew by {grown_mb:.1} MB for six concurrent reads");
    assert!(grown_mb < 100.0, "resident memory grew by {grown_mb:.1} MB");
}
