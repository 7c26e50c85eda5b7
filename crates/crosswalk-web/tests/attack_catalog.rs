//! The two-organisation attack suite, catalog part (issue 11): organisation B, holding an admin
//! token, tries to change organisation A's catalog through the API. Each case of the security test
//! is a regression test here: B's imports are B's own (visible, effective and journaled only in B),
//! a shared slug keeps its meaning for everyone, the role check runs before the body is read, and
//! the import size limits refuse an oversized file with nothing written.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use common::*;
use crosswalk_app::catalog::ImportLimits;
use crosswalk_app::controls::{ControlStatus, NewControl};
use crosswalk_app::evidence::NewEvidence;
use crosswalk_app::{App, AppConfig, FixedClock, PasswordCost};
use crosswalk_store::testing::TestDb;
use std::sync::Arc;

/// A harness whose organisations may import at most `limits`.
async fn harness_with(limits: ImportLimits) -> Harness {
    let db = TestDb::new().await;
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()));
    let blob_dir = std::env::temp_dir().join(format!("cw-web-blobs-{}", uuid::Uuid::now_v7()));
    let config = AppConfig { password_cost: PasswordCost::InsecureFastForTests, blob_dir, import_limits: limits, ..AppConfig::default() };
    let app = App::new(db.store.clone(), clock.clone(), db.key.clone(), config);
    let router = crosswalk_web::router(app.clone(), crosswalk_web::WebConfig::default());
    Harness { _db: db, app, clock, router }
}

fn import(token: &str, name: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(format!("/api/v1/frameworks/import?format=ciso-assistant&name={name}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(body.into())
        .unwrap()
}

fn get(token: &str, path: &str) -> Request<Body> {
    api(Method::GET, path, Some(token), None)
}

/// A library mapping A.8.8 `equal` to every CSF 2.0 subcategory (the security test's mapping set).
fn a88_equals_all_of_csf() -> String {
    let csf = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalogs/frameworks/nist-csf-2.0.json");
    let csf: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(csf).unwrap()).unwrap();
    let rows: String = csf["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["assessable"] == true)
        .map(|r| {
            format!(
                "    - {{source_requirement_urn: \"urn:intuitem:risk:req_node:iso27001-2022:a.8.8\", target_requirement_urn: \"{}\", relationship: equal}}\n",
                r["aliases"][0].as_str().unwrap()
            )
        })
        .collect();
    format!(
        "urn: urn:evil:library:a88-equals-csf\nname: Evil\nversion: 1\nobjects:\n  requirement_mapping_sets:\n  - urn: urn:evil:req_mapping_set:a88-csf\n    name: A.8.8 equals every CSF subcategory\n    source_framework_urn: urn:intuitem:risk:framework:iso27001-2022\n    target_framework_urn: urn:intuitem:risk:framework:nist-csf-2.0\n    requirement_mappings:\n{rows}"
    )
}

/// A library whose framework URN ends in `framework:nist-csf-2.0`, with `n` requirements.
fn squatting_library(n: usize) -> String {
    let nodes: String = (0..n)
        .map(|i| format!("    - {{urn: \"urn:evil:req_node:csf:{i}\", ref_id: \"X.{i}\", assessable: true, name: Fake {i}}}\n"))
        .collect();
    format!(
        "urn: urn:evil:library:csf\nname: Fake CSF\nversion: 1\nobjects:\n  framework:\n    urn: urn:evil:risk:framework:nist-csf-2.0\n    name: Fake CSF by B\n    requirement_nodes:\n{nodes}"
    )
}

/// The token's organisation follows ISO and CSF and proves A.8.8, so a bogus `equal` relation would derive CSF credit.
async fn a_proves_a88(h: &Harness, admin_token: &str) {
    let a = h.app.resolve_token(admin_token).await.unwrap();
    for f in ["iso27001-2022", "nist-csf-2.0"] {
        h.app.follow_framework(&a, f).await.unwrap();
    }
    let control = h
        .app
        .create_control(
            &a,
            NewControl { name: "Vuln mgmt".into(), description: String::new(), status: ControlStatus::Implemented, justification: None },
        )
        .await
        .unwrap();
    h.app.link_control(&a, control.id, "iso27001-2022", "A.8.8").await.unwrap();
    let blob = h.app.store_blob(&a, &b"scan"[..]).await.unwrap();
    let evidence = NewEvidence { name: "scan.pdf".into(), controls: vec![control.id], ..NewEvidence::default() };
    h.app.add_evidence(&a, evidence, Some(blob)).await.unwrap();
}

async fn journal_actions(h: &Harness, token: &str) -> Vec<String> {
    let r = send(&h.router, get(token, "/api/v1/journal/entries?limit=200")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_mapping_set_imported_by_b_changes_nothing_for_a() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "tenant-a").await;
    let b = org_with_tokens(&h.app, "tenant-b").await;
    let (a_admin, b_admin) = (a[0].1.as_str(), b[0].1.as_str());
    a_proves_a88(&h, a_admin).await;
    let before = send(&h.router, get(a_admin, "/api/v1/readiness?framework=nist-csf-2.0")).await.json()["summary"].clone();
    assert!(before["derived"].as_u64().unwrap() < 10, "A.8.8's curated relations derive a few CSF subcategories: {before}");
    a_proves_a88(&h, b_admin).await;

    let r = send(&h.router, import(b_admin, "evil.yaml", a88_equals_all_of_csf())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let after = send(&h.router, get(a_admin, "/api/v1/readiness?framework=nist-csf-2.0")).await.json()["summary"].clone();
    assert_eq!(after, before, "A's CSF readiness is unchanged");
    let b_csf = send(&h.router, get(b_admin, "/api/v1/readiness?framework=nist-csf-2.0")).await.json()["summary"].clone();
    assert!(b_csf["derived"].as_u64().unwrap() >= 100, "the set is effective for B, which imported it: {b_csf}");
    let relations = send(&h.router, get(a_admin, "/api/v1/mappings?from=iso27001-2022&to=nist-csf-2.0")).await.json();
    assert!(relations["relations"].as_array().unwrap().iter().all(|r| r["mapping_set"] != "A.8.8 equals every CSF subcategory"));
    assert!(journal_actions(&h, b_admin).await.contains(&"catalog.import".to_owned()), "B's journal has the import");
    assert!(!journal_actions(&h, a_admin).await.contains(&"catalog.import".to_owned()), "A's journal does not");
    // B's own set is B's to remove.
    let own = send(&h.router, get(b_admin, "/api/v1/mappings?from=iso27001-2022&to=nist-csf-2.0")).await.json();
    let own_id = own["relations"].as_array().unwrap().iter().find(|r| r["own"] == true).unwrap()["id"].as_i64().unwrap();
    let r = send(&h.router, api(Method::DELETE, &format!("/api/v1/mappings/{own_id}"), Some(a_admin), None)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "A cannot remove B's relation");
    let r = send(&h.router, api(Method::DELETE, &format!("/api/v1/mappings/{own_id}"), Some(b_admin), None)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
}

#[tokio::test]
async fn a_library_squatting_a_shared_slug_gets_its_own_and_stays_invisible_to_a() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "tenant-a").await;
    let b = org_with_tokens(&h.app, "tenant-b").await;
    let (a_admin, b_admin) = (a[0].1.as_str(), b[0].1.as_str());
    let r = send(&h.router, import(b_admin, "csf.yaml", squatting_library(1))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = r.json();
    assert_eq!(report["items"][0]["name"], "nist-csf-2.0-tenant-b@ciso-assistant-v1", "{report}");
    assert!(report["notes"].to_string().contains("nist-csf-2.0-tenant-b"), "{report}");

    for token in [a_admin, b_admin] {
        let csf = send(&h.router, get(token, "/api/v1/framework?framework=nist-csf-2.0&limit=1")).await.json();
        assert_eq!(csf["framework"]["bundled"], true, "`nist-csf-2.0` still means the bundled framework: {csf}");
        assert_eq!(csf["framework"]["scope"], "shared");
    }
    let list = send(&h.router, get(a_admin, "/api/v1/frameworks")).await.json();
    assert!(list.as_array().unwrap().iter().all(|f| f["name"] != "Fake CSF by B"), "B's framework is absent from A's list");
    let list = send(&h.router, get(b_admin, "/api/v1/frameworks")).await.json();
    let own = list.as_array().unwrap().iter().find(|f| f["name"] == "Fake CSF by B").unwrap();
    assert_eq!(own["scope"], "organisation");
    for path in [
        "/api/v1/framework?framework=nist-csf-2.0-tenant-b",
        "/api/v1/framework?framework=nist-csf-2.0-tenant-b@ciso-assistant-v1",
        "/api/v1/requirement?framework=nist-csf-2.0-tenant-b&ref=X.0",
        "/api/v1/readiness?framework=nist-csf-2.0-tenant-b",
        "/api/v1/coverage?from=nist-csf-2.0-tenant-b&to=nist-csf-2.0",
        "/api/v1/mappings?from=nist-csf-2.0&to=nist-csf-2.0-tenant-b",
    ] {
        let r = send(&h.router, get(a_admin, path)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert_eq!(r.headers["content-type"], "application/problem+json");
        // The same answer as for a framework that exists nowhere: nothing revealed.
        let nowhere = send(&h.router, get(a_admin, &path.replace("nist-csf-2.0-tenant-b", "no-such-thing"))).await;
        assert_eq!(
            r.json()["detail"].as_str().unwrap().replace("nist-csf-2.0-tenant-b", "X"),
            nowhere.json()["detail"].as_str().unwrap().replace("no-such-thing", "X")
        );
    }
    let r = send(&h.router, api(Method::PUT, "/api/v1/followed-frameworks?framework=nist-csf-2.0-tenant-b", Some(a_admin), None)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "A cannot follow B's framework");
}

#[tokio::test]
async fn a_viewer_is_refused_before_the_body_is_read() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "tenant-a").await;
    let viewer = a.iter().find(|(r, _)| *r == crosswalk_domain::Role::Viewer).unwrap().1.clone();
    // A body that never ends: reading it would hang the request.
    let endless = Body::from_stream(futures_util::stream::pending::<Result<axum::body::Bytes, std::io::Error>>());
    let r = tokio::time::timeout(std::time::Duration::from_secs(10), send(&h.router, import(&viewer, "x.yaml", endless))).await.unwrap();
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    // Before validation too: a bad format parameter is still 403 for a viewer.
    let req = Request::post("/api/v1/frameworks/import?format=bogus")
        .header(header::AUTHORIZATION, format!("Bearer {viewer}"))
        .body(Body::from("x"))
        .unwrap();
    assert_eq!(send(&h.router, req).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_import_over_the_limits_is_refused_with_nothing_written() {
    let h = harness_with(ImportLimits { max_bytes: 4096, max_requirements: 20, max_total_requirements: 30 }).await;
    let b = org_with_tokens(&h.app, "tenant-b").await;
    let b_admin = b[0].1.as_str();
    let b_actor = h.app.resolve_token(b_admin).await.unwrap();
    let head = h.app.journal_head(&b_actor).await.unwrap();
    let count = h.app.list_frameworks(&b_actor).await.unwrap().len();

    // Announced too large: refused before reading.
    let big = squatting_library(200);
    assert!(big.len() > 4096);
    let r = send(&h.router, import(b_admin, "big.yaml", big.clone())).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert!(r.json()["detail"].as_str().unwrap().contains("4096"), "names the limit: {}", r.body);
    // Streamed without a length: refused once the count passes the limit.
    let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> =
        big.as_bytes().chunks(1000).map(|c| Ok(axum::body::Bytes::copy_from_slice(c))).collect();
    let r = send(&h.router, import(b_admin, "big.yaml", Body::from_stream(futures_util::stream::iter(chunks)))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    // Small enough in bytes, too many requirements.
    let r = send(&h.router, import(b_admin, "many.yaml", squatting_library(21))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["field"], "requirements");
    assert!(r.json()["detail"].as_str().unwrap().contains("20"), "names the limit: {}", r.body);
    // No requirements at all.
    let r = send(&h.router, import(b_admin, "empty.yaml", squatting_library(0))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["detail"].as_str().unwrap().contains("no requirements"), "{}", r.body);

    assert_eq!(h.app.journal_head(&b_actor).await.unwrap(), head, "nothing journaled");
    assert_eq!(h.app.list_frameworks(&b_actor).await.unwrap().len(), count, "nothing written");
    // Within the limits it works, until the organisation's frameworks together reach their limit.
    let r = send(&h.router, import(b_admin, "ok.yaml", squatting_library(20))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = send(&h.router, import(b_admin, "more.yaml", squatting_library(11).replace("version: 1", "version: 2"))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["detail"].as_str().unwrap().contains("limit of 30"), "{}", r.body);
}

#[tokio::test]
async fn framework_responses_are_paged_and_bad_bounds_are_422() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "tenant-a").await;
    let admin = a[0].1.as_str();
    let page = send(&h.router, get(admin, "/api/v1/framework?framework=nist-sp-800-53-r5&offset=10&limit=25")).await.json();
    assert_eq!(page["requirements"].as_array().unwrap().len(), 25);
    assert!(page["total"].as_u64().unwrap() > 1000, "{}", page["total"]);
    assert_eq!((page["offset"].as_u64(), page["limit"].as_u64()), (Some(10), Some(25)));
    // Depth counts ancestors on earlier pages: a control enhancement is deeper than the top.
    assert!(page["requirements"].as_array().unwrap().iter().all(|r| r["parent"].is_null() || r["depth"].as_u64() > Some(0)));
    let default = send(&h.router, get(admin, "/api/v1/framework?framework=nist-sp-800-53-r5")).await.json();
    assert_eq!(default["requirements"].as_array().unwrap().len(), 500);
    let found = send(&h.router, get(admin, "/api/v1/framework?framework=nist-sp-800-53-r5&q=ac-2(1)")).await.json();
    assert!(found["requirements"].as_array().unwrap().iter().any(|r| r["ref"] == "AC-2(1)"), "{found}");
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=2001", "limit"),
        ("limit=9223372036854775808", "limit"),
        ("limit=-1", "limit"),
        ("offset=abc", "offset"),
        ("offset=10000001", "offset"),
        ("offset=18446744073709551616", "offset"),
    ] {
        let r = send(&h.router, get(admin, &format!("/api/v1/framework?framework=nist-sp-800-53-r5&{query}"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {}", r.body);
        assert_eq!(r.json()["field"], field, "{query}: {}", r.body);
    }
}

fn multipart_import(cookies: &str, csrf: &str, file_name: &str, content: &str) -> Request<Body> {
    let boundary = "cwtestboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    Request::post(format!("/frameworks/import?csrf={csrf}"))
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap()
}

/// The frameworks page's import form imports into the organisation's own catalog and says so; the
/// other organisation's page does not list it; a viewer is refused.
#[tokio::test]
async fn the_import_form_imports_into_the_organisation_only() {
    let h = harness().await;
    org_with_tokens(&h.app, "tenant-a").await;
    org_with_tokens(&h.app, "tenant-b").await;
    let (_, b_session) = browser_login(&h.router, "admin@tenant-b.example", PASSWORD).await;
    let b_session = b_session.unwrap();
    let page = send(&h.router, common::page("/frameworks", &b_session)).await;
    let csrf = csrf_in(&page.body);
    let r = send(&h.router, multipart_import(&b_session, &csrf, "csf.yaml", &squatting_library(2))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("nist-csf-2.0-tenant-b"), "the report names the organisation's own slug");
    assert!(r.body.contains("data-scope=\"organisation\""), "the list shows it as the organisation's");

    let (_, a_session) = browser_login(&h.router, "admin@tenant-a.example", PASSWORD).await;
    let a_page = send(&h.router, common::page("/frameworks", &a_session.unwrap())).await;
    assert!(!a_page.body.contains("Fake CSF by B") && !a_page.body.contains("nist-csf-2.0-tenant-b"));
    assert!(a_page.body.contains("data-scope=\"shared\""));

    let (_, v_session) = browser_login(&h.router, "viewer@tenant-b.example", PASSWORD).await;
    let v_session = v_session.unwrap();
    let v_csrf = csrf_in(&send(&h.router, common::page("/frameworks", &v_session)).await.body);
    let r = send(&h.router, multipart_import(&v_session, &v_csrf, "csf.yaml", &squatting_library(3))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

/// The framework page shows a bounded part of a large framework, with links to the neighbouring parts.
#[tokio::test]
async fn the_framework_page_is_paged() {
    let h = harness().await;
    org_with_tokens(&h.app, "tenant-a").await;
    let (_, session) = browser_login(&h.router, "viewer@tenant-a.example", PASSWORD).await;
    let session = session.unwrap();
    let first = send(&h.router, common::page("/frameworks/view?framework=nist-sp-800-53-r5", &session)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first.body.contains("1–500 of") && first.body.contains("rel=\"next\"") && !first.body.contains("rel=\"prev\""),
        "{}",
        first.body
    );
    let second = send(&h.router, common::page("/frameworks/view?framework=nist-sp-800-53-r5&offset=500", &session)).await;
    assert!(second.body.contains("501–1000 of") && second.body.contains("rel=\"prev\""));
    let bad = send(&h.router, common::page("/frameworks/view?framework=nist-sp-800-53-r5&offset=99999999999", &session)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

fn strm_import(token: &str, query: &str, body: &str) -> Request<Body> {
    Request::post(format!("/api/v1/mappings/import?{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// Issue 13: an SCF STRM file imported by B is B's own. B's "A.8.8 equal VPM-02" and "ID.RA-01 equal
/// VPM-02" change nothing for A (A does not see B's pivot or set, and a chain through the pivot never
/// gives credit anyway); bad files get 422 naming the column or value with nothing written; a viewer
/// is refused before the body is read; A's own frameworks are not even named to B.
#[tokio::test]
async fn an_strm_import_by_another_organisation_changes_nothing_for_a() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "tenant-a").await;
    let b = org_with_tokens(&h.app, "tenant-b").await;
    let (a_admin, b_admin, b_viewer) = (&a[0].1, &b[0].1, &b[4].1);
    let a_op = h.app.operator("tenant-a").await.unwrap();
    for f in ["iso27001-2022", "nist-csf-2.0"] {
        h.app.follow_framework(&a_op, f).await.unwrap();
    }
    let control = h
        .app
        .create_control(
            &a_op,
            NewControl {
                name: "Vulnerability management".into(),
                description: String::new(),
                status: ControlStatus::Implemented,
                justification: None,
            },
        )
        .await
        .unwrap();
    h.app.link_control(&a_op, control.id, "iso27001-2022", "A.8.8").await.unwrap();
    h.app
        .add_evidence(
            &a_op,
            NewEvidence {
                name: "scan".into(),
                link: Some("https://a.example/scan".into()),
                controls: vec![control.id],
                ..NewEvidence::default()
            },
            None,
        )
        .await
        .unwrap();
    let before = send(&h.router, get(a_admin, "/api/v1/readiness?framework=nist-csf-2.0")).await.json()["summary"].clone();
    let a_stats_before = send(&h.router, get(a_admin, "/api/v1/mappings/stats")).await;
    assert_eq!(a_stats_before.status, StatusCode::OK, "{}", a_stats_before.body);

    let iso =
        "FDE #,STRM Relationship,SCF #,SCF Control,Strength of Relationship (optional)\nA.8.8,Equal,VPM-02,Vulnerability Remediation,10\n";
    let csf = "FDE #,STRM Relationship,SCF #,SCF Control\nID.RA-01,Equal,VPM-02,Vulnerability Remediation\n";
    let r = send(&h.router, strm_import(b_viewer, "format=scf-strm&focal=iso27001-2022", iso)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = send(&h.router, strm_import(b_admin, "format=scf-strm&focal=iso27001-2022", &iso.replace("FDE #", "FDE Number"))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("unknown column 'FDE Number'"), "{}", r.body);
    let r = send(&h.router, strm_import(b_admin, "format=scf-strm&focal=no-such-framework", iso)).await;
    assert_eq!((r.status, r.json()["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("focal")), "{}", r.body);
    let r = send(&h.router, strm_import(b_admin, "format=xlsx&focal=iso27001-2022", iso)).await;
    assert_eq!((r.status, r.json()["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("format")), "{}", r.body);
    for (focal, body) in [("iso27001-2022", iso), ("nist-csf-2.0", csf)] {
        let r = send(&h.router, strm_import(b_admin, &format!("format=scf-strm&focal={focal}&name=b.csv"), body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let b_stats = send(&h.router, get(b_admin, "/api/v1/mappings/stats")).await;
    assert!(b_stats.body.contains("scf-strm--iso27001-2022") && b_stats.body.contains("\"organisation\""), "{}", b_stats.body);

    // A: same readiness, no trace of B's pivot or sets.
    let after = send(&h.router, get(a_admin, "/api/v1/readiness?framework=nist-csf-2.0")).await.json()["summary"].clone();
    assert_eq!(before, after);
    let a_stats = send(&h.router, get(a_admin, "/api/v1/mappings/stats")).await;
    assert_eq!(a_stats.body, a_stats_before.body);
    let r = send(&h.router, get(a_admin, "/api/v1/framework?framework=scf@strm")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

/// The frameworks page lists the mapping sets with their figures and takes an STRM sheet in the
/// same upload form (format and focal framework chosen beside the file); errors name the column.
#[tokio::test]
async fn the_frameworks_page_shows_mapping_stats_and_imports_an_strm_sheet() {
    let h = harness().await;
    org_with_tokens(&h.app, "tenant-b").await;
    let (_, session) = browser_login(&h.router, "admin@tenant-b.example", PASSWORD).await;
    let session = session.unwrap();
    let page = send(&h.router, common::page("/frameworks", &session)).await;
    assert!(
        page.body.contains("id=\"mapping-stats\"") && page.body.contains("data-set=\"curated--iso27001-2022--nist-csf-2.0\""),
        "{}",
        page.body
    );
    let csrf = csrf_in(&page.body);
    let upload = |content: &str| {
        let boundary = "cwtestboundary";
        let field = |name: &str, value: &str| format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
        let body = format!(
            "{}{}--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"iso-strm.csv\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n",
            field("format", "scf-strm"),
            field("focal", "iso27001-2022@2022")
        );
        Request::post(format!("/frameworks/import?csrf={csrf}"))
            .header(header::COOKIE, session.as_str())
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap()
    };
    let r = send(&h.router, upload("FDE #,Colour,STRM Relationship,SCF #\nA.8.8,red,Equal,VPM-02\n")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("unknown column") && r.body.contains("Colour"), "{}", r.body);
    let r = send(&h.router, upload("FDE #,STRM Relationship,SCF #,SCF Control\nA.8.8,Intersects With,VPM-02,Vulnerability Remediation\n"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("id=\"import-report\"") && r.body.contains("scf@strm") && r.body.contains("data-set=\"scf-strm--iso27001-2022\""),
        "{}",
        r.body
    );
}

/// Attack review of issue 13: the SCF pivot an organisation's STRM files grow counts towards its
/// requirement limit, so repeated files cannot grow the in-memory index without bound.
#[tokio::test]
async fn strm_imports_count_towards_the_organisations_requirement_limit() {
    let h = harness_with(ImportLimits { max_total_requirements: 2, ..ImportLimits::default() }).await;
    let b = org_with_tokens(&h.app, "tenant-b").await;
    let ok = "FDE #,STRM Relationship,SCF #\nA.8.8,Intersects With,VPM-02\nA.8.13,Subset Of,BCD-11\n";
    let r = send(&h.router, strm_import(&b[0].1, "format=scf-strm&focal=iso27001-2022", ok)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let more = "FDE #,STRM Relationship,SCF #\nA.8.9,Intersects With,CFG-02\n";
    let r = send(&h.router, strm_import(&b[0].1, "format=scf-strm&focal=nist-csf-2.0", &more.replace("A.8.9", "PR.PS-01"))).await;
    assert_eq!((r.status, r.json()["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("requirements")), "{}", r.body);
}
