//! Generated from the router's OpenAPI document: every API route × no credentials, a bad token, and
//! every role of tenant A aimed at tenant B's objects. A route added later is covered automatically;
//! one that takes a body or a new kind of path parameter fails here until the test knows a sample.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod common;

use axum::http::{Method, StatusCode};
use common::*;
use crosswalk_domain::Role;
use serde_json::json;
use utoipa::openapi::path::{HttpMethod, Operation};

fn methods(item: &utoipa::openapi::path::PathItem) -> Vec<(Method, &Operation)> {
    [
        (Method::GET, &item.get),
        (Method::POST, &item.post),
        (Method::PUT, &item.put),
        (Method::PATCH, &item.patch),
        (Method::DELETE, &item.delete),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
    .collect()
}

/// A valid body for each route that takes one, so that authorisation, not validation, decides.
fn sample_body(method: &Method, path: &str, n: usize) -> serde_json::Value {
    match (method.as_str(), path) {
        ("POST", "/api/v1/invitations") => json!({"email": format!("sample{n}@a.example"), "role": "viewer"}),
        ("PATCH", "/api/v1/users/{user_id}") => json!({"role": "admin"}),
        ("PATCH", "/api/v1/tenant") => json!({"name": "Renamed by test"}),
        ("POST", "/api/v1/tokens") => json!({"name": "sample"}),
        ("PUT", "/api/v1/nis2/profile") => {
            json!({"entity_type": "postal_service_provider", "employees": 60, "turnover_eur": 11000000, "balance_eur": 11000000})
        }
        ("POST", "/api/v1/management-body/approvals") => {
            json!({"member": "Bea Board", "document": "Measures", "document_version": "1", "decision": "approved", "decided_on": "2026-01-10"})
        }
        ("POST", "/api/v1/management-body/trainings") => {
            json!({"member": "Bea Board", "course": "NIS2", "completed_on": "2026-01-10", "valid_until": "2027-01-10"})
        }
        ("POST", "/api/v1/suppliers") => json!({"name": "Sample Cloud", "criticality": "high"}),
        ("PATCH", "/api/v1/suppliers/{supplier_id}") => json!({"clauses": ["exit"]}),
        ("POST", "/api/v1/suppliers/{supplier_id}/assessments") => json!({"answers": {"mfa": "yes"}}),
        ("POST", "/api/v1/incidents") => {
            json!({"title": "Sample", "aware_at": "2026-11-27T02:13:00Z", "tz": "Europe/Berlin", "regimes": ["nis2"]})
        }
        ("PATCH", "/api/v1/incidents/{incident_id}") => json!({"aware_at": "2026-11-26T00:00:00Z", "reason": "test"}),
        ("POST", "/api/v1/incidents/{incident_id}/submissions") => json!({"step": "nis2_early_warning", "authority": "CSIRT"}),
        ("POST", "/api/v1/frameworks/import") => json!({"catalog": {}}),
        ("POST", "/api/v1/mappings/import") => json!("FDE #,STRM Relationship,SCF #"),
        ("POST", "/api/v1/incidents/{incident_id}/significance-proposal") => json!({"financial_loss_eur": 1}),
        ("PUT", "/api/v1/nis2/registration") => json!({"name": "N", "address": "A", "emails": ["a@example.org"], "phones": ["+1 555"]}),
        ("POST", "/api/v1/nis2/registration/reported") => json!({"reported_on": "2026-11-27"}),
        ("POST", "/api/v1/mappings") => {
            json!({"from_framework": "iso27001-2022", "from": "A.8.8", "to_framework": "nist-csf-2.0", "to": "ID.RA-02", "type": "intersects", "note": "sample"})
        }
        ("POST", "/api/v1/signoffs") => json!({"statement": "sample"}),
        ("POST", "/api/v1/controls") => json!({"name": "Sample control"}),
        ("PATCH", "/api/v1/controls/{control_id}") => json!({"status": "implemented"}),
        ("POST", "/api/v1/controls/{control_id}/links") => json!({"framework": "iso27001-2022", "ref": "A.8.8"}),
        ("POST", "/api/v1/evidence") => json!({"sample": true}),
        ("POST", "/api/v1/evidence/records") => json!({"name": "Access review", "link": "https://tickets.example/42"}),
        ("PATCH", "/api/v1/evidence/{evidence_id}") => json!({"valid_until": "2026-01-01"}),
        ("POST", "/api/v1/evidence/{evidence_id}/links") => json!({"control": "00000000-0000-7000-8000-000000000000"}),
        ("PUT", "/api/v1/soa/decisions") => json!({"applicable": true}),
        ("POST", "/api/v1/soa/versions") => json!({"note": "sample"}),
        ("POST", "/api/v1/attestations") => json!({"framework": "iso27001-2022", "ref": "A.8.8", "statement": "sample"}),
        ("POST", "/api/v1/journal/checkpoint/verify") => json!({
            "tenant": "0190d6f4-0000-7000-8000-000000000001", "seq": 1, "head_hash": "00".repeat(32), "state_root": "",
            "signed_at_micros": 0, "public_key": "00".repeat(32), "signature": "00".repeat(64)
        }),
        _ => panic!("{method} {path} takes a body: add a valid sample to sample_body()"),
    }
}

#[tokio::test]
async fn every_route_every_role_and_a_foreign_tenants_objects() {
    let _ = HttpMethod::Get; // the spec's own method type, for readers looking for it
    let h = harness().await;
    let a_tokens = org_with_tokens(&h.app, "tenant-a").await;
    let b_tokens = org_with_tokens(&h.app, "tenant-b").await;
    let b_admin = h.app.resolve_token(&b_tokens[0].1).await.unwrap();
    let b_viewer_id = h.app.member_by_email(&b_admin, "viewer@tenant-b.example").await.unwrap().id;
    let b_token_id = h.app.list_tokens(&b_admin).await.unwrap()[0].id;
    let b_incident_id = h
        .app
        .create_incident(
            &b_admin,
            crosswalk_app::incidents::NewIncident {
                title: "B's incident".into(),
                description: String::new(),
                aware_at: "2026-11-27T02:13:00Z".into(),
                classified_at: None,
                tz: "UTC".into(),
                regimes: vec![],
                entity_type: None,
                personal_data: false,
                cross_border: false,
                financial_entity: false,
                affected_services: String::new(),
                member_state: None,
                nis2_identified: None,
                dora_relief_withdrawn: false,
            },
        )
        .await
        .unwrap()
        .id;
    let b_supplier_id = h
        .app
        .create_supplier(
            &b_admin,
            crosswalk_app::suppliers::NewSupplier {
                name: "B's supplier".into(),
                services: String::new(),
                criticality: crosswalk_domain::suppliers::Criticality::High,
                contact: String::new(),
                clauses: vec![],
                next_review_on: None,
            },
        )
        .await
        .unwrap()
        .id;
    h.app.follow_framework(&b_admin, "iso27001-2022").await.unwrap();
    let b_control = h
        .app
        .create_control(
            &b_admin,
            crosswalk_app::controls::NewControl {
                name: "B's control".into(),
                description: String::new(),
                status: crosswalk_app::controls::ControlStatus::Planned,
                justification: None,
            },
        )
        .await
        .unwrap()
        .id;
    let b_evidence = h
        .app
        .add_evidence(
            &b_admin,
            crosswalk_app::evidence::NewEvidence { name: "B's link".into(), link: Some("https://b.example".into()), ..Default::default() },
            None,
        )
        .await
        .unwrap()
        .id;
    let b_relation = h
        .app
        .add_relation(
            &b_admin,
            crosswalk_app::catalog::NewRelation {
                from_framework: "iso27001-2022".into(),
                from: "A.5.1".into(),
                to_framework: "nist-csf-2.0".into(),
                to: "GV.PO-01".into(),
                relation: crosswalk_domain::catalog::RelationType::Intersects,
                strength: None,
                rationale: None,
                note: "B's own".into(),
            },
        )
        .await
        .unwrap()
        .id;
    let b_invitation = h
        .app
        .invite(&b_admin, crosswalk_app::NewInvitation { email: "pending@tenant-b.example".into(), role: Role::Viewer })
        .await
        .unwrap()
        .id;
    // A tenant-B member's single sign-on login, linked by accepting an invitation with a provider.
    let sso =
        h.app.invite(&b_admin, crosswalk_app::NewInvitation { email: "sso@tenant-b.example".into(), role: Role::Viewer }).await.unwrap();
    let sso_token = sso.link.rsplit('/').next().unwrap().to_owned();
    h.app.accept_invitation_oidc(&sso_token, "https://id.tenant-b.example", "b-person", "127.0.0.1").await.unwrap();
    let b_link = h.app.operator_oidc_logins("sso@tenant-b.example").await.unwrap()[0].id;
    let b_head_before = h.app.journal_head(&b_admin).await.unwrap();

    let spec = crosswalk_web::openapi();
    let mut checked = 0usize;
    for (template, item) in &spec.paths.paths {
        for (method, op) in methods(item) {
            let path = template
                .replace("{user_id}", &b_viewer_id.to_string())
                .replace("{token_id}", &b_token_id.to_string())
                .replace("{incident_id}", &b_incident_id.to_string())
                .replace("{step}", "nis2_early_warning")
                .replace("{supplier_id}", &b_supplier_id.to_string())
                .replace("{seq}", "999999")
                .replace("{control_id}", &b_control.to_string())
                .replace("{evidence_id}", &b_evidence.to_string())
                .replace("{relation_id}", &b_relation.to_string())
                .replace("{invitation_id}", &b_invitation.to_string())
                .replace("{link_id}", &b_link.to_string());
            assert!(!path.contains('{'), "{method} {template}: unknown path parameter; map it to a tenant-B object here");
            let has_object = path != *template;
            let body = |n| op.request_body.as_ref().map(|_| sample_body(&method, template, n));

            let r = send(&h.router, api(method.clone(), &path, None, body(0))).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {template} without credentials: {}", r.body);
            assert_eq!(r.headers["content-type"], "application/problem+json");
            let r = send(&h.router, api(method.clone(), &path, Some("cwt_forged"), body(0))).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {template} with a forged token");

            for (i, (role, token)) in a_tokens.iter().enumerate() {
                let r = send(&h.router, api(method.clone(), &path, Some(token), body(checked * 10 + i))).await;
                let what = format!("{method} {template} as {role} of tenant A: {} {}", r.status, r.body);
                assert!(!r.status.is_server_error(), "{what}");
                if has_object {
                    assert!(
                        r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN,
                        "another tenant's object must be 404 (or 403 before any lookup): {what}"
                    );
                }
                // A person's own account (asking for an address-verification e-mail) is not the
                // organisation's data: every role may act on it.
                let personal = *template == "/api/v1/account/verification";
                if *role == Role::Viewer && method != Method::GET && !personal {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "a viewer changes nothing: {what}");
                }
                if !r.status.is_success() {
                    assert_eq!(r.headers["content-type"], "application/problem+json", "{what}");
                    let p = r.json();
                    assert_eq!(p["status"], r.status.as_u16(), "{what}");
                    assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{what}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "expected every API route to be exercised, got {checked}");
    // Nothing of tenant B was touched: its journal did not move and its token still works.
    assert_eq!(h.app.journal_head(&b_admin).await.unwrap(), b_head_before);
    assert!(h.app.resolve_token(&b_tokens[4].1).await.is_ok());
    assert!(h.app.member_by_email(&b_admin, "viewer@tenant-b.example").await.unwrap().role == Role::Viewer);
    assert!(h.app.get_incident(&b_admin, b_incident_id).await.unwrap().clocks[0].steps.iter().all(|s| s.submitted.is_none()));
    assert!(h.app.get_supplier(&b_admin, b_supplier_id).await.unwrap().latest_assessment.is_none());
}

#[tokio::test]
async fn tenant_a_reads_its_own_objects() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "tenant-a").await;
    let admin = &a[0].1;
    let users = send(&h.router, api(Method::GET, "/api/v1/users", Some(admin), None)).await;
    assert_eq!(users.status, StatusCode::OK);
    let id = users.json()[0]["id"].as_str().unwrap().to_owned();
    let one = send(&h.router, api(Method::GET, &format!("/api/v1/users/{id}"), Some(admin), None)).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    let entry = send(&h.router, api(Method::GET, "/api/v1/journal/entries/1", Some(admin), None)).await;
    assert_eq!(entry.json()["action"], "tenant.create");
    let bad = send(&h.router, api(Method::GET, "/api/v1/users/not-a-uuid", Some(admin), None)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["field"], "user_id");
}

/// Generated from the OpenAPI document like the test above: every API route that names a
/// framework (`framework`, `from`, `to`) × every role of tenant A, aimed at a framework tenant B
/// imported. B's framework is as absent for A as one that exists nowhere: 404 (or 403 where the
/// role is refused before any lookup), and it never appears in A's framework list.
#[tokio::test]
async fn every_catalog_route_hides_a_foreign_organisations_framework() {
    let h = harness().await;
    let a_tokens = org_with_tokens(&h.app, "tenant-a").await;
    let b_tokens = org_with_tokens(&h.app, "tenant-b").await;
    let b_admin = h.app.resolve_token(&b_tokens[0].1).await.unwrap();
    let library = "urn: urn:b:library:own\nname: B's own\nversion: 1\nobjects:\n  framework:\n    urn: urn:b:framework:b-only\n    name: B only framework\n    requirement_nodes:\n    - {urn: \"urn:b:req_node:1\", ref_id: \"B.1\", assessable: true, name: B's requirement}\n";
    let report = h.app.import_catalog(&b_admin, library.as_bytes(), "b.yaml", None).await.unwrap();
    assert_eq!(report.items[0].name, "b-only@ciso-assistant-v1");
    h.app.follow_framework(&b_admin, "b-only").await.unwrap();
    let b_head_before = h.app.journal_head(&b_admin).await.unwrap();

    let spec = crosswalk_web::openapi();
    let mut checked = 0usize;
    for (template, item) in &spec.paths.paths {
        for (method, op) in methods(item) {
            let names: Vec<&str> = op.parameters.iter().flatten().map(|p| p.name.as_str()).collect();
            let catalog = op.tags.iter().flatten().any(|t| t == "catalog");
            if !catalog || !names.iter().any(|n| ["framework", "from", "to"].contains(n)) || template.contains('{') {
                continue;
            }
            let query: Vec<(&str, &str)> = names
                .iter()
                .filter_map(|n| match *n {
                    "framework" | "from" | "to" => Some((*n, "b-only")),
                    "ref" => Some((*n, "B.1")),
                    _ => None,
                })
                .collect();
            let path = format!("{template}?{}", serde_urlencoded::to_string(&query).unwrap());
            let body = op.request_body.as_ref().map(|_| sample_body(&method, template, checked));
            for (role, token) in &a_tokens {
                let r = send(&h.router, api(method.clone(), &path, Some(token), body.clone())).await;
                let what = format!("{method} {path} as {role} of tenant A: {} {}", r.status, r.body);
                assert!(r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN, "{what}");
                assert_eq!(r.headers["content-type"], "application/problem+json", "{what}");
                assert!(!r.body.contains("B only framework"), "{what}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 6, "expected the catalog routes naming a framework, got {checked}");
    // Bodies that name the framework: a relation and an attestation.
    for (role, token) in &a_tokens {
        for (path, body) in [
            (
                "/api/v1/mappings",
                json!({"from_framework": "b-only", "from": "B.1", "to_framework": "iso27001-2022", "to": "A.8.8", "type": "equal", "note": "x"}),
            ),
            ("/api/v1/attestations", json!({"framework": "b-only", "ref": "B.1", "statement": "x"})),
        ] {
            let r = send(&h.router, api(Method::POST, path, Some(token), Some(body))).await;
            assert!(
                r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN,
                "POST {path} as {role}: {} {}",
                r.status,
                r.body
            );
        }
        let list = send(&h.router, api(Method::GET, "/api/v1/frameworks", Some(token), None)).await;
        assert!(!list.body.contains("b-only"), "B's framework in A's list as {role}");
    }
    assert_eq!(h.app.journal_head(&b_admin).await.unwrap(), b_head_before, "nothing of B's changed");
}
