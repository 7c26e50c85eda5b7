//! Bad input from issue 11, item 6: every case answers with a problem document naming what is wrong
//! (never a 500 or a panic) and leaves nothing behind.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod common;

use axum::http::{Method, StatusCode};
use common::*;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{Schema, SchemaType, Type};

fn operations(spec: &utoipa::openapi::OpenApi) -> Vec<(Method, String, Operation)> {
    let mut out = Vec::new();
    for (path, item) in &spec.paths.paths {
        for (m, op) in [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::PATCH, &item.patch),
            (Method::DELETE, &item.delete),
        ] {
            if let Some(op) = op {
                out.push((m, path.clone(), op.clone()));
            }
        }
    }
    out
}

/// A documented integer query parameter with its bounds.
struct IntParam {
    name: String,
    min: Option<i128>,
    max: Option<i128>,
}

fn is_integer(t: &SchemaType) -> bool {
    match t {
        SchemaType::Type(t) => *t == Type::Integer,
        SchemaType::Array(ts) => ts.contains(&Type::Integer),
        SchemaType::AnyValue => false,
    }
}

fn number(n: &Option<utoipa::Number>) -> Option<i128> {
    n.as_ref().and_then(|n| serde_json::to_value(n).ok()).and_then(|v| v.as_i64().map(i128::from).or(v.as_u64().map(i128::from)))
}

/// A valid value for each required non-integer query parameter, so that only the integer under test is wrong.
fn sample(path: &str, name: &str) -> &'static str {
    match name {
        "entity_type" => "postal_service_provider",
        "framework" => "iso27001-2022",
        other => panic!("{path}: required query parameter {other} needs a sample value in this test"),
    }
}

#[tokio::test]
async fn every_numeric_query_parameter_is_bounded_and_answers_422_naming_it() {
    let h = harness().await;
    let tokens = org_with_tokens(&h.app, "acme").await;
    let admin = tokens[0].1.as_str();
    let spec = crosswalk_web::openapi();
    let mut checked = 0;
    for (method, path, op) in operations(&spec) {
        let params: Vec<_> =
            op.parameters.clone().unwrap_or_default().into_iter().filter(|p| p.parameter_in == ParameterIn::Query).collect();
        let has_integer = params.iter().any(|p| matches!(&p.schema, Some(RefOr::T(Schema::Object(o))) if is_integer(&o.schema_type)));
        if !has_integer {
            continue;
        }
        let mut ints = Vec::new();
        let mut base = Vec::new();
        for p in &params {
            let schema = match &p.schema {
                Some(RefOr::T(Schema::Object(o))) => o.clone(),
                _ => continue,
            };
            if is_integer(&schema.schema_type) {
                let int = IntParam { name: p.name.clone(), min: number(&schema.minimum), max: number(&schema.maximum) };
                assert!(int.min.is_some() && int.max.is_some(), "{method} {path}: numeric parameter {} has no documented bounds", p.name);
                if p.required == utoipa::openapi::Required::True {
                    base.push((p.name.clone(), int.min.unwrap().to_string()));
                }
                ints.push(int);
            } else if p.required == utoipa::openapi::Required::True {
                base.push((p.name.clone(), sample(&path, &p.name).to_owned()));
            }
        }
        for int in &ints {
            let (min, max) = (int.min.unwrap(), int.max.unwrap());
            let query = |value: &str| {
                let mut pairs: Vec<(String, String)> = base.iter().filter(|(n, _)| *n != int.name).cloned().collect();
                pairs.push((int.name.clone(), value.to_owned()));
                format!("{path}?{}", serde_urlencoded::to_string(&pairs).unwrap())
            };
            let bad = [
                (min - 1).to_string(),
                (max + 1).to_string(),
                "-1".to_owned(),
                "0".to_owned(),
                (1_i128 << 63).to_string(),
                (1_i128 << 64).to_string(),
                "not-a-number".to_owned(),
                "1.5".to_owned(),
            ];
            for value in bad.iter().filter(|v| v.parse::<i128>().map_or(true, |n| n < min || n > max)) {
                let r = send(&h.router, api(method.clone(), &query(value), Some(admin), None)).await;
                assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {} -> {}", query(value), r.body);
                assert_eq!(r.headers["content-type"], "application/problem+json");
                assert_eq!(r.json()["field"], int.name.as_str(), "{method} {}: {}", query(value), r.body);
            }
            // The documented bounds themselves are accepted (whatever the answer, it is not about this parameter).
            for value in [min, max] {
                let r = send(&h.router, api(method.clone(), &query(&value.to_string()), Some(admin), None)).await;
                assert!(
                    r.status.is_client_error() || r.status.is_success(),
                    "{method} {} -> {}: {}",
                    query(&value.to_string()),
                    r.status,
                    r.body
                );
                if r.status == StatusCode::UNPROCESSABLE_ENTITY {
                    assert_ne!(
                        r.json()["field"],
                        int.name.as_str(),
                        "{method} {}: in range but refused: {}",
                        query(&value.to_string()),
                        r.body
                    );
                }
            }
            checked += 1;
        }
    }
    // evidence limit, journal before/limit, notifications limit, nis2 scope ×3, SoA version/approve/diff×2/export.
    assert!(checked >= 12, "only {checked} numeric query parameters found: is the OpenAPI document describing them as query parameters?");
}

#[test]
fn path_parameters_are_in_the_path_and_import_takes_name_and_format_in_the_query() {
    let spec = crosswalk_web::openapi();
    for (method, path, op) in operations(&spec) {
        for p in op.parameters.unwrap_or_default() {
            if p.parameter_in == ParameterIn::Path {
                assert!(path.contains(&format!("{{{}}}", p.name)), "{method} {path}: {} is documented as a path parameter", p.name);
            }
        }
    }
    let import = spec.paths.paths["/api/v1/frameworks/import"].post.clone().unwrap();
    let mut query: Vec<_> =
        import.parameters.unwrap_or_default().into_iter().filter(|p| p.parameter_in == ParameterIn::Query).map(|p| p.name).collect();
    query.sort();
    assert_eq!(query, ["format", "name"]);
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().flat_map(|e| if e.path().is_dir() { files_under(&e.path()) } else { vec![e.path()] }).collect()
}

fn upload(path: &str, token: &str, body: &'static [u8]) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::post(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/octet-stream")
        .body(axum::body::Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn refused_uploads_and_empty_files_store_nothing() {
    let h = harness().await;
    let tokens = org_with_tokens(&h.app, "acme").await;
    let manager = tokens.iter().find(|(r, _)| *r == crosswalk_domain::Role::Manager).unwrap().1.clone();
    let blobs = h.app.config().blob_dir.clone();
    let unknown = uuid::Uuid::now_v7();
    let cases = [
        ("/api/v1/evidence?name=%20%20".to_owned(), b"some bytes".as_slice(), "name"),
        (format!("/api/v1/evidence?name=r.pdf&controls={unknown}"), b"some bytes".as_slice(), "controls"),
        (
            "/api/v1/evidence?name=r.pdf&effective_from=2026-06-01&valid_until=2026-01-01".to_owned(),
            b"some bytes".as_slice(),
            "valid_until",
        ),
        ("/api/v1/evidence?name=r.pdf&controls=not-an-id".to_owned(), b"some bytes".as_slice(), "controls"),
        ("/api/v1/evidence?name=empty.pdf".to_owned(), b"".as_slice(), "file"),
    ];
    for (path, body, field) in cases {
        let r = send(&h.router, upload(&path, &manager, body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", r.body);
        assert_eq!(r.json()["field"], field, "{path}: {}", r.body);
        assert!(files_under(&blobs).is_empty(), "{path} left {:?}", files_under(&blobs));
    }
    let empty = send(&h.router, upload("/api/v1/evidence?name=empty.pdf", &manager, b"")).await;
    assert!(empty.json()["detail"].as_str().unwrap().contains("empty"), "{}", empty.body);
    let list = send(&h.router, api(Method::GET, "/api/v1/evidence", Some(&manager), None)).await;
    assert_eq!(list.json().as_array().unwrap().len(), 0);
    let ok = send(&h.router, upload("/api/v1/evidence?name=r.pdf", &manager, b"some bytes")).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert_eq!(files_under(&blobs).len(), 1);
}

#[tokio::test]
async fn evidence_links_other_than_http_and_https_are_422_naming_the_link() {
    let h = harness().await;
    let tokens = org_with_tokens(&h.app, "acme").await;
    let admin = tokens[0].1.as_str();
    for bad in ["javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd"] {
        let body = serde_json::json!({"name": "Ticket", "link": bad});
        let r = send(&h.router, api(Method::POST, "/api/v1/evidence/records", Some(admin), Some(body))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", r.body);
        assert_eq!(r.json()["field"], "link");
    }
    let list = send(&h.router, api(Method::GET, "/api/v1/evidence", Some(admin), None)).await;
    assert_eq!(list.json().as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn pages_and_api_answers_are_not_stored_by_caches_but_static_assets_are() {
    let h = harness().await;
    let tokens = org_with_tokens(&h.app, "acme").await;
    let admin = tokens[0].1.as_str();
    let cache = |r: &Reply| r.headers.get("cache-control").map(|v| v.to_str().unwrap().to_owned());
    for path in ["/api/v1/me", "/api/v1/controls", "/api/v1/evidence?limit=0", "/api/v1/nowhere"] {
        let r = send(&h.router, api(Method::GET, path, Some(admin), None)).await;
        assert_eq!(cache(&r).as_deref(), Some("no-store"), "{path} ({})", r.status);
    }
    let (_, session) = browser_login(&h.router, "admin@acme.example", PASSWORD).await;
    let session = session.expect("logged in");
    for path in ["/", "/login"] {
        let r = send(&h.router, page(path, &session)).await;
        assert_eq!(cache(&r).as_deref(), Some("no-store"), "{path} ({})", r.status);
    }
    let css = send(&h.router, page("/static/app.css", "")).await;
    assert!(cache(&css).unwrap().contains("max-age"), "static assets keep their caching");
}

/// A sample value for a path parameter: well-formed, naming nothing that exists.
fn path_sample(name: &str) -> &'static str {
    match name {
        "relation_id" | "seq" => "1",
        "step" => "nis2_early_warning",
        _ => "00000000-0000-7000-8000-000000000000",
    }
}

#[tokio::test]
async fn a_viewer_sending_an_invalid_request_to_any_mutating_route_gets_403_not_422() {
    let h = harness().await;
    let tokens = org_with_tokens(&h.app, "acme").await;
    let viewer = tokens.iter().find(|(r, _)| *r == crosswalk_domain::Role::Viewer).unwrap().1.clone();
    let spec = crosswalk_web::openapi();
    let mut checked = 0;
    for (method, path, _) in operations(&spec) {
        // A person's own account (asking for an address-verification e-mail) is not the
        // organisation's data: every role may act on it.
        if method == Method::GET || path == "/api/v1/account/verification" {
            continue;
        }
        let with = |sample: &dyn Fn(&str) -> String| {
            let mut concrete = path.clone();
            while let Some(start) = concrete.find('{') {
                let end = concrete[start..].find('}').unwrap() + start;
                let name = concrete[start + 1..end].to_owned();
                concrete.replace_range(start..=end, &sample(&name));
            }
            concrete
        };
        // A malformed id in the path is bad input too: refused by role first.
        if path.contains('{') {
            let malformed = with(&|_| "not-an-id".to_owned());
            let r = send(&h.router, api(method.clone(), &malformed, Some(&viewer), Some(serde_json::json!({})))).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {malformed}: {}", r.body);
        }
        let concrete = with(&|name| path_sample(name).to_owned());
        // Bodies that fail validation in every way at once: wrong shape, and no query parameters.
        for body in [serde_json::json!({"unexpected": [1, 2, 3]}), serde_json::json!("not an object")] {
            let r = send(&h.router, api(method.clone(), &concrete, Some(&viewer), Some(body.clone()))).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {concrete} with {body}: {}", r.body);
            assert_eq!(r.headers["content-type"], "application/problem+json");
        }
        // A body that is not JSON at all.
        let raw = axum::http::Request::builder()
            .method(method.clone())
            .uri(&concrete)
            .header("authorization", format!("Bearer {viewer}"))
            .header("content-type", "text/plain")
            .body(axum::body::Body::from("garbage"))
            .unwrap();
        let r = send(&h.router, raw).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {concrete} with a text body: {}", r.body);
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} mutating routes");
}

#[tokio::test]
async fn a_viewer_posting_an_invalid_form_to_any_page_gets_403() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "viewer@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let csrf = csrf_in(&send(&h.router, page("/controls", &session)).await.body);
    let id = "00000000-0000-7000-8000-000000000000";
    // Every page form but login, logout, members (accounts) and the framework import (its own limits).
    let routes = [
        "/organisation".to_owned(),
        "/tokens".to_owned(),
        format!("/tokens/{id}/revoke"),
        "/incidents".to_owned(),
        format!("/incidents/{id}"),
        format!("/incidents/{id}/submissions"),
        "/nis2/profile".to_owned(),
        "/suppliers".to_owned(),
        format!("/suppliers/{id}/clauses"),
        format!("/suppliers/{id}/assessments"),
        "/management-body/approvals".to_owned(),
        "/management-body/trainings".to_owned(),
        "/frameworks/follow".to_owned(),
        "/requirement/relations".to_owned(),
        "/requirement/relations/delete".to_owned(),
        "/requirement/signoff".to_owned(),
        "/requirement/attestations".to_owned(),
        "/controls".to_owned(),
        format!("/controls/{id}"),
        format!("/controls/{id}/links"),
        format!("/controls/{id}/links/delete"),
        format!("/controls/{id}/records"),
        format!("/controls/{id}/evidence-links"),
        format!("/controls/{id}/attestations"),
        format!("/evidence/{id}/validity"),
        "/soa/decisions".to_owned(),
        "/soa/versions".to_owned(),
        "/soa/approvals".to_owned(),
        "/journal/verify".to_owned(),
    ];
    for path in &routes {
        let mut req = form(path, &session, &[("csrf", &csrf), ("status", "nonsense"), ("version", "-1"), ("date", "not a date")]);
        req.headers_mut().insert("x-csrf-token", csrf.parse().unwrap());
        let r = send(&h.router, req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
    }
}

#[tokio::test]
async fn pages_answer_bad_numeric_query_values_with_the_error_page_naming_the_parameter() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "admin@acme.example", PASSWORD).await;
    let session = session.unwrap();
    for (path, name) in [
        ("/journal?before=9223372036854775808", "before"),
        ("/journal?before=0", "before"),
        ("/soa/print?version=18446744073709551616", "version"),
        ("/soa/print?version=-1", "version"),
        ("/soa/diff?from=1&to=abc", "to"),
        ("/soa/export.xlsx?version=2147483648", "version"),
    ] {
        let r = send(&h.router, page(path, &session)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", r.body);
        assert!(r.body.contains(name) && r.body.contains("must be an integer from 1 to"), "{path}: {}", r.body);
    }
    assert_eq!(send(&h.router, page("/journal?before=9223372036854775807", &session)).await.status, StatusCode::OK);
}
