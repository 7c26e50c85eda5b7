//! HTTP hardening (issue 15, item 7): body limits per route kind, an upload that is not cut off by the
//! request deadline but is by stalling, and HSTS when configured. Each refusal names the limit and
//! stores nothing.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use crosswalk_domain::Role;
use crosswalk_web::request_limits::Limits;
use std::time::Duration;

fn limits() -> Limits {
    Limits {
        evidence_max_bytes: 64 << 10,
        import_max_bytes: 256 << 10,
        body_max_bytes: 8 << 10,
        request_timeout: Duration::from_millis(300),
        upload_idle: Duration::from_millis(300),
    }
}

fn token_of(tokens: &[(Role, String)], role: Role) -> String {
    tokens.iter().find(|(r, _)| *r == role).unwrap().1.clone()
}

fn upload(token: &str, body: Body, length: Option<usize>) -> Request<Body> {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/evidence?name=Scan")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream");
    if let Some(n) = length {
        b = b.header(header::CONTENT_LENGTH, n);
    }
    b.body(body).unwrap()
}

async fn evidence_count(h: &Harness, token: &str) -> usize {
    send(&h.router, api(Method::GET, "/api/v1/evidence", Some(token), None)).await.json().as_array().unwrap().len()
}

#[tokio::test]
async fn bodies_are_limited_per_route_and_uploads_only_by_stalling() {
    let h = harness_with_web(crosswalk_web::WebConfig { limits: limits(), hsts_max_age: Some(31_536_000), ..Default::default() }).await;
    let tokens = org_with_tokens(&h.app, "acme").await;
    let admin = token_of(&tokens, Role::Admin);

    // An ordinary JSON route: 8 KiB at most, refused before reading when declared.
    let big = serde_json::json!({"name": "x".repeat(20_000)});
    let r = send(&h.router, api(Method::POST, "/api/v1/controls", Some(&admin), Some(big))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert!(r.json()["detail"].as_str().unwrap().contains("at most 8192 bytes"), "{}", r.body);
    assert_eq!(r.headers.get(header::STRICT_TRANSPORT_SECURITY).unwrap(), "max-age=31536000; includeSubDomains");
    // Without a Content-Length the body is cut where it passes the limit.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(br#"{"name":""#.to_vec()), Ok(vec![b'a'; 16 << 10]), Ok(br#""}"#.to_vec())];
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/controls")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    assert_eq!(send(&h.router, req).await.status, StatusCode::PAYLOAD_TOO_LARGE);

    // An evidence upload may be far larger than an ordinary body ...
    let r = send(&h.router, upload(&admin, Body::from(vec![b'e'; 40 << 10]), Some(40 << 10))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // ... but not larger than its own limit, declared or not; nothing is stored.
    let r = send(&h.router, upload(&admin, Body::from(vec![b'f'; 100 << 10]), Some(100 << 10))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert!(r.body.contains("an evidence file may be at most 64 KiB") || r.body.contains("at most 65536 bytes"), "{}", r.body);
    let r = send(
        &h.router,
        upload(&admin, Body::from_stream(futures_util::stream::iter(vec![Ok::<_, std::io::Error>(vec![b'g'; 100 << 10])])), None),
    )
    .await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    assert_eq!(evidence_count(&h, &admin).await, 1);

    // A slow upload outlives the request deadline (300 ms here) as long as data keeps coming ...
    let slow = futures_util::stream::unfold(0u32, |i| async move {
        if i == 6 {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        Some((Ok::<_, std::io::Error>(vec![b'0' + i as u8; 1024]), i + 1))
    });
    let r = send(&h.router, upload(&admin, Body::from_stream(slow), None)).await;
    assert_eq!(r.status, StatusCode::CREATED, "a 600 ms upload must not be cut off: {}", r.body);
    // ... while one that stalls is ended, and leaves nothing.
    let stalled = futures_util::stream::unfold(0u32, |i| async move {
        if i == 1 {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        (i < 3).then(|| (Ok::<_, std::io::Error>(vec![b'z'; 512]), i + 1))
    });
    let r = send(&h.router, upload(&admin, Body::from_stream(stalled), None)).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    assert!(r.body.contains("stalled"), "{}", r.body);
    assert_eq!(evidence_count(&h, &admin).await, 2);

    // Without HSTS configured, no header.
    let plain = harness().await;
    let r = send(&plain.router, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert!(r.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
}

/// Found by the API schema test (scripts/api-schema-test.sh): unfollowing a framework the
/// organisation does not follow registered a row as written and then refused to commit (500).
/// It changes nothing, so it is a 204 with no journal entry.
#[tokio::test]
async fn unfollowing_what_is_not_followed_changes_nothing() {
    let h = harness().await;
    let tokens = org_with_tokens(&h.app, "acme").await;
    let admin = token_of(&tokens, Role::Admin);
    let head = |r: Reply| r.json().as_array().unwrap().first().map(|e| e["seq"].as_i64().unwrap()).unwrap_or(0);
    let before = head(send(&h.router, api(Method::GET, "/api/v1/journal/entries?limit=1", Some(&admin), None)).await);
    let r = send(&h.router, api(Method::DELETE, "/api/v1/followed-frameworks?framework=hipaa-security", Some(&admin), None)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(head(send(&h.router, api(Method::GET, "/api/v1/journal/entries?limit=1", Some(&admin), None)).await), before);
}
