//! JSON API behaviour: OpenAPI snapshot, problem documents, 422 naming fields, journal verify.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use serde_json::json;

#[test]
fn openapi_document_is_stable() {
    let spec = serde_json::to_value(crosswalk_web::openapi()).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    insta::assert_json_snapshot!("openapi", spec);
}

#[tokio::test]
async fn openapi_and_health_are_served() {
    let h = harness().await;
    let r = send(&h.router, Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["paths"]["/api/v1/users"].is_object());
    let r = send(&h.router, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn malformed_json_is_422_naming_the_field() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "acme").await;
    let admin = a[0].1.as_str();
    let cases = [
        (json!({"role": "viewer"}), "email"),
        (json!({"email": "x@acme.example", "role": "root"}), "role"),
        (json!({"email": 5, "role": "viewer"}), "email"),
        (json!({"email": "nonsense", "role": "viewer"}), "email"),
        // An admin never sets anyone's password: the field does not exist.
        (json!({"email": "x@acme.example", "role": "viewer", "password": "long enough password"}), "password"),
    ];
    for (body, field) in cases {
        let r = send(&h.router, api(Method::POST, "/api/v1/invitations", Some(admin), Some(body.clone()))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
        let p = r.json();
        assert!(
            p["field"].as_str().unwrap_or_default().contains(field) || p["detail"].as_str().unwrap_or_default().contains(field),
            "{body} should name {field}: {p}"
        );
    }
    let raw = Request::post("/api/v1/invitations")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let r = send(&h.router, raw).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "body");
    // Nothing was created by any of these.
    let users = send(&h.router, api(Method::GET, "/api/v1/users", Some(admin), None)).await;
    assert_eq!(users.json().as_array().unwrap().len(), 5);
    let invitations = send(&h.router, api(Method::GET, "/api/v1/invitations", Some(admin), None)).await;
    assert_eq!(invitations.json().as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn users_and_tokens_round_trip_through_the_api() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "acme").await;
    let admin = a[0].1.as_str();
    let r = send(
        &h.router,
        api(Method::POST, "/api/v1/invitations", Some(admin), Some(json!({"email": "new@acme.example", "role": "contributor"}))),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let link = r.json()["link"].as_str().unwrap().to_owned();
    let token = link.rsplit('/').next().unwrap();
    let joined = h.app.redeem_invitation(token, "New", "a long password 1", "10.0.0.1").await.unwrap();
    let id = joined.login.actor.user().unwrap().0.to_string();
    let r = send(&h.router, api(Method::PATCH, &format!("/api/v1/users/{id}"), Some(admin), Some(json!({"role": "manager"})))).await;
    assert_eq!(r.json()["role"], "manager");
    let r = send(
        &h.router,
        api(Method::POST, "/api/v1/invitations", Some(admin), Some(json!({"email": "new@acme.example", "role": "viewer"}))),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "already a member of this organisation");
    let r = send(&h.router, api(Method::POST, "/api/v1/tokens", Some(admin), Some(json!({"name": "deploy"})))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let created = r.json();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let me = send(&h.router, api(Method::GET, "/api/v1/me", Some(&secret), None)).await;
    assert_eq!(me.json()["role"], "admin");
    let tid = created["token"]["id"].as_str().unwrap();
    let r = send(&h.router, api(Method::DELETE, &format!("/api/v1/tokens/{tid}"), Some(admin), None)).await;
    assert!(r.json()["revoked_at"].is_string());
    let me = send(&h.router, api(Method::GET, "/api/v1/me", Some(&secret), None)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let r = send(&h.router, api(Method::DELETE, &format!("/api/v1/users/{id}"), Some(admin), None)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn journal_lists_and_verifies() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "acme").await;
    let auditor = a.iter().find(|(r, _)| r.as_str() == "auditor").unwrap().1.as_str();
    let r = send(&h.router, api(Method::GET, "/api/v1/journal/entries?limit=3", Some(auditor), None)).await;
    let entries = r.json();
    assert_eq!(entries.as_array().unwrap().len(), 3);
    assert_eq!(entries[0]["hash"].as_str().unwrap().len(), 64);
    let r = send(&h.router, api(Method::POST, "/api/v1/journal/verify", Some(auditor), None)).await;
    let report = r.json();
    assert_eq!(report["ok"], true, "{report}");
    assert!(report["entries"].as_u64().unwrap() >= 11);
    let r = send(&h.router, api(Method::GET, "/api/v1/journal/public-key", Some(auditor), None)).await;
    assert!(r.json()["pem"].as_str().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
}

#[tokio::test]
async fn deadlines_are_computed_for_any_member_and_bad_fields_are_named() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "acme").await;
    let viewer = a.iter().find(|(r, _)| r.as_str() == "viewer").unwrap().1.as_str();
    let r =
        send(&h.router, api(Method::GET, "/api/v1/deadlines?regime=gdpr&aware_at=2026-10-24T10:00&tz=Europe/Dublin", Some(viewer), None))
            .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // GDPR Art 33(1): 72 elapsed hours; Dublin leaves summer time on 25 October.
    assert_eq!(r.json()["steps"][0]["due"], "2026-10-27T09:00:00+00:00[Europe/Dublin]");
    let r = send(&h.router, api(Method::GET, "/api/v1/deadlines?regime=nis2", Some(viewer), None)).await;
    assert_eq!((r.status, r.json()["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("aware_at")));
    let r =
        send(&h.router, api(Method::GET, "/api/v1/deadlines?regime=nis2&aware_at=2026-01-01T00:00Z&tz=Nowhere", Some(viewer), None)).await;
    assert_eq!(r.json()["field"], "tz");
    // 2025/301 Art 5(4): Saturday 14 November 2026 in Germany → Monday noon; Art 5(5): not for a credit
    // institution's initial notification.
    let q = "/api/v1/deadlines?regime=dora&aware_at=2026-11-13T12:00&classified_at=2026-11-14T09:00&member_state=DE";
    let r = send(&h.router, api(Method::GET, q, Some(viewer), None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["steps"][0]["due"], "2026-11-16T12:00:00+01:00[Europe/Berlin]");
    assert_eq!(r.json()["steps"][0]["moved_from"], "2026-11-14T12:00:00+01:00[Europe/Berlin]");
    let r = send(&h.router, api(Method::GET, &format!("{q}&entity_type=credit_institution"), Some(viewer), None)).await;
    assert_eq!(r.json()["steps"][0]["due"], "2026-11-14T12:00:00+01:00[Europe/Berlin]");
    let notes = r.json()["steps"][0]["notes"].to_string();
    assert!(notes.contains("Art 5(5)"), "{notes}");
    for bad in ["aware_at=2026-11-13T12:00&member_state=ZZ", "aware_at=2050-01-01T00:00Z&member_state=DE"] {
        let r = send(&h.router, api(Method::GET, &format!("/api/v1/deadlines?regime=dora&{bad}"), Some(viewer), None)).await;
        assert_eq!((r.status, r.json()["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("member_state")), "{bad}: {}", r.body);
    }
}

#[tokio::test]
async fn nis2_scoping_through_the_api() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "acme").await;
    let viewer = a.iter().find(|(r, _)| r.as_str() == "viewer").unwrap().1.as_str();
    let r = send(
        &h.router,
        api(
            Method::GET,
            "/api/v1/nis2/scope?entity_type=postal_service_provider&employees=60&turnover_eur=11000000&balance_eur=11000000",
            Some(viewer),
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["classification"], "important");
    assert_eq!(r.json()["max_fine"]["basis"], "NIS2 Art 34(5)");
    let r = send(
        &h.router,
        api(
            Method::GET,
            "/api/v1/nis2/scope?entity_type=postal_service_provider&employees=-1&turnover_eur=0&balance_eur=0",
            Some(viewer),
            None,
        ),
    )
    .await;
    assert_eq!((r.status, r.json()["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("employees")));
    let r = send(
        &h.router,
        api(
            Method::GET,
            "/api/v1/nis2/scope?entity_type=postal_service_provider&employees=ten&turnover_eur=0&balance_eur=0",
            Some(viewer),
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = send(&h.router, api(Method::GET, "/api/v1/nis2/sectors", Some(viewer), None)).await;
    assert!(r.json().as_array().unwrap().len() >= 60);
    // Issue 14, item 4: a small hospital identified as a CER critical entity is essential (Art 2(3),
    // Art 3(1)(f)); a domain name registration service has specific duties only (Art 2(4));
    // contradictory designations are 422 naming the field.
    let get = |q: &str| api(Method::GET, &format!("/api/v1/nis2/scope?{q}"), Some(viewer), None);
    let r =
        send(&h.router, get("entity_type=healthcare_provider&employees=20&turnover_eur=3000000&balance_eur=3000000&critical_entity=true"))
            .await;
    assert_eq!((r.status, r.json()["classification"].clone()), (StatusCode::OK, json!("essential")), "{}", r.body);
    let r = send(&h.router, get("entity_type=domain_name_registration_service_provider&employees=3&turnover_eur=1&balance_eur=1")).await;
    assert_eq!(r.json()["classification"], "specific_duties", "{}", r.body);
    assert!(r.json()["annex"].is_null() && r.json()["max_fine"].is_null());
    assert!(r.json()["not_modelled"].as_array().unwrap().len() >= 3);
    let r = send(&h.router, get("entity_type=regional_government_entity&employees=300&turnover_eur=0&balance_eur=0")).await;
    assert_eq!(r.json()["classification"], "conditional");
    assert!(r.json()["depends_on"].as_str().unwrap().contains("risk-based assessment"));
    assert!(r.json()["fine_note"].as_str().unwrap().contains("Art 34(7)"));
    let r = send(&h.router, get("entity_type=healthcare_provider&employees=20&turnover_eur=1&balance_eur=1&critical_entity=true&member_state_identification=important")).await;
    assert_eq!(
        (r.status, r.json()["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("member_state_identification")),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn management_body_records_through_the_api() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "acme").await;
    let manager = a.iter().find(|(r, _)| r.as_str() == "manager").unwrap().1.as_str();
    let r = send(&h.router, api(Method::POST, "/api/v1/management-body/approvals", Some(manager), Some(json!({"member": "Bea Board", "document": "Art 21 measures", "document_version": "3", "decision": "approved", "decided_on": "2026-11-01"})))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = send(
        &h.router,
        api(
            Method::POST,
            "/api/v1/management-body/trainings",
            Some(manager),
            Some(json!({"member": "Carl CFO", "course": "NIS2 for boards", "completed_on": "2026-01-01", "valid_until": "2025-12-31"})),
        ),
    )
    .await;
    assert_eq!((r.status, r.json()["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("valid_until")));
    let r = send(
        &h.router,
        api(
            Method::POST,
            "/api/v1/management-body/approvals",
            Some(manager),
            Some(json!({"member": "Bea", "document": "D", "document_version": "1", "decision": "maybe", "decided_on": "2026-11-01"})),
        ),
    )
    .await;
    assert_eq!(r.json()["field"], "decision");
    let o = send(&h.router, api(Method::GET, "/api/v1/management-body", Some(manager), None)).await.json();
    assert_eq!(o["members"][0]["member"], "Bea Board");
    assert_eq!(o["members"][0]["overdue"], true, "approved, but never trained (Art 20(2))");
}

#[tokio::test]
async fn suppliers_with_clauses_and_assessments() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "acme").await;
    let manager = a.iter().find(|(r, _)| r.as_str() == "manager").unwrap().1.as_str();
    let r = send(
        &h.router,
        api(
            Method::POST,
            "/api/v1/suppliers",
            Some(manager),
            Some(json!({"name": "CloudCo", "criticality": "critical", "clauses": ["security_requirements"]})),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let s = r.json();
    // Critical suppliers are reviewed every 6 months: 2026-11-27 + 6 months.
    assert_eq!(s["next_review_on"], "2027-05-27");
    assert_eq!(s["missing_clauses"].as_array().unwrap().len(), 5);
    let id = s["id"].as_str().unwrap();
    let r = send(
        &h.router,
        api(
            Method::POST,
            &format!("/api/v1/suppliers/{id}/assessments"),
            Some(manager),
            Some(json!({"answers": {"certification": "yes", "mfa": "partial"}})),
        ),
    )
    .await;
    let s = r.json();
    assert_eq!(s["latest_assessment"]["score"], 18); // (2 + 1) / 16 points
    assert!(s["latest_assessment"]["gaps"].as_array().unwrap().contains(&json!("NIS2 Art 21(2)(j)")));
    let r = send(&h.router, api(Method::PATCH, &format!("/api/v1/suppliers/{id}"), Some(manager), Some(json!({"clauses": ["nda"]})))).await;
    assert_eq!((r.status, r.json()["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("clauses")));
    let r =
        send(&h.router, api(Method::POST, "/api/v1/suppliers", Some(manager), Some(json!({"name": "X", "criticality": "vital"})))).await;
    assert_eq!((r.status, r.json()["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("criticality")));
}

#[tokio::test]
async fn controls_evidence_attestations_and_fresh_readiness_through_the_api() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "acme").await;
    let manager = a.iter().find(|(r, _)| *r == crosswalk_domain::Role::Manager).unwrap().1.as_str();
    let call = |m: Method, path: &str, body: Option<serde_json::Value>| send(&h.router, api(m, path, Some(manager), body));
    let r = call(Method::PUT, "/api/v1/followed-frameworks?framework=iso27001-2022", None).await;
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
    let r = call(Method::POST, "/api/v1/controls", Some(json!({"name": "Vulnerability management", "status": "implemented"}))).await;
    let control = r.json()["id"].as_str().unwrap().to_owned();
    let r =
        call(Method::POST, &format!("/api/v1/controls/{control}/links"), Some(json!({"framework": "iso27001-2022", "ref": "A.8.8"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = call(Method::POST, &format!("/api/v1/controls/{control}/links"), Some(json!({"framework": "nist-csf-2.0", "ref": "ID.RA-01"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["detail"].as_str().unwrap().contains("does not follow nist-csf-2.0"), "{}", r.body);

    // A record as evidence; readiness and the dashboard follow every change (no stale cached JSON).
    let r = call(
        Method::POST,
        "/api/v1/evidence/records",
        Some(json!({"name": "Scan ticket", "link": "https://tickets.example/SCAN-1", "controls": [control], "valid_until": "2099-01-01"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let evidence = r.json()["id"].as_str().unwrap().to_owned();
    let a88 = |report: &serde_json::Value| report["requirements"].as_array().unwrap().iter().find(|x| x["ref"] == "A.8.8").unwrap().clone();
    let readiness = call(Method::GET, "/api/v1/readiness?framework=iso27001-2022", None).await;
    assert_eq!(readiness.headers["content-type"], "application/json");
    assert_eq!(a88(&readiness.json())["state"], "proven");
    assert_eq!(call(Method::GET, "/api/v1/posture", None).await.status, StatusCode::OK);
    let r = call(Method::PATCH, &format!("/api/v1/evidence/{evidence}"), Some(json!({"valid_until": "2020-01-01"}))).await;
    assert_eq!(r.json()["valid"], false);
    let row = a88(&call(Method::GET, "/api/v1/readiness?framework=iso27001-2022", None).await.json());
    assert_eq!(row["state"], "partial");
    assert!(row["reason"].as_str().unwrap().contains("expired on 2020-01-01"), "{row}");
    let search = call(Method::GET, "/api/v1/evidence?q=Scan&limit=5", None).await.json();
    assert_eq!(search.as_array().unwrap().len(), 1);

    // An attestation: named, listed, and counted as attested (never proven).
    let r = call(
        Method::POST,
        "/api/v1/attestations",
        Some(json!({"control": control, "statement": "Scanner runs weekly", "expires_on": "2099-01-01"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let listed = call(Method::GET, &format!("/api/v1/attestations?control={control}"), None).await.json();
    assert_eq!(listed[0]["person"], "manager@acme.example");
    let row = a88(&call(Method::GET, "/api/v1/readiness?framework=iso27001-2022", None).await.json());
    assert_eq!(row["state"], "attested");
    let r = call(Method::GET, "/api/v1/attestations?framework=iso27001-2022", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // Unlinking: the control no longer serves A.8.8, which becomes unknown.
    let r = call(Method::DELETE, &format!("/api/v1/controls/{control}/links?framework=iso27001-2022&ref=A.8.8"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(a88(&call(Method::GET, "/api/v1/readiness?framework=iso27001-2022", None).await.json())["state"], "unknown");
}

/// Issue 14, item 6: the register's significance proposal through the API, and a facts body with an
/// unknown field refused naming it.
#[tokio::test]
async fn an_incident_significance_proposal_through_the_api() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "acme").await;
    let manager = a.iter().find(|(r, _)| r.as_str() == "manager").unwrap().1.as_str();
    let op = h.app.operator("acme").await.unwrap();
    let dns = crosswalk_domain::nis2::ScopeInput {
        entity_type: "dns_service_provider".into(),
        employees: 5,
        turnover_eur: 1_000_000,
        balance_eur: 1_000_000,
        ..Default::default()
    };
    h.app.save_nis2_profile(&op, dns).await.unwrap();
    let incident = crosswalk_app::incidents::NewIncident {
        title: "Resolver outage".into(),
        description: String::new(),
        aware_at: "2026-11-27T02:13".into(),
        classified_at: None,
        tz: "Europe/Berlin".into(),
        regimes: vec![],
        entity_type: None,
        personal_data: false,
        cross_border: false,
        financial_entity: false,
        affected_services: String::new(),
        member_state: None,
        nis2_identified: None,
        dora_relief_withdrawn: false,
    };
    let id = h.app.create_incident(&op, incident).await.unwrap().id;
    let path = format!("/api/v1/incidents/{id}/significance-proposal");
    let r = send(
        &h.router,
        api(
            Method::POST,
            &path,
            Some(manager),
            Some(json!({"financial_loss_eur": 0, "annual_turnover_eur": 1000000, "complete_unavailability_minutes": 31})),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.json()["outcome"].as_str(), r.json()["criteria_met"][0]["article"].as_str()),
        (Some("significant"), Some("CIR 2024/2690 Art 5(a)"))
    );
    let r = send(&h.router, api(Method::POST, &path, Some(manager), Some(json!({"outage_minutes": 31})))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("outage_minutes"), "{}", r.body);
}

/// Issue 14, item 6: the NIS2 registration record through the API; a bad IP range names its entry.
#[tokio::test]
async fn the_nis2_registration_record_through_the_api() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "acme").await;
    let manager = a.iter().find(|(r, _)| r.as_str() == "manager").unwrap().1.as_str();
    let r = send(&h.router, api(Method::GET, "/api/v1/nis2/registration", Some(manager), None)).await;
    assert_eq!((r.status, r.body.trim()), (StatusCode::OK, "null"));
    let record = json!({"name": "Acme", "address": "Main St 1", "emails": ["noc@acme.example"], "phones": ["+33 1 23 45 67 89"], "ip_ranges": ["198.51.100.0/24", "bad"]});
    let r = send(&h.router, api(Method::PUT, "/api/v1/nis2/registration", Some(manager), Some(record.clone()))).await;
    assert_eq!((r.status, r.json()["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("ip_ranges[1]")), "{}", r.body);
    let mut good = record;
    good["ip_ranges"] = json!(["198.51.100.0/24"]);
    let r = send(&h.router, api(Method::PUT, "/api/v1/nis2/registration", Some(manager), Some(good))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["report_by"][0]["basis"].as_str().unwrap().contains("Art 3(4)"));
    let r =
        send(&h.router, api(Method::POST, "/api/v1/nis2/registration/reported", Some(manager), Some(json!({"reported_on": "2026-11-27"}))))
            .await;
    assert_eq!((r.status, r.json()["reported_on"].as_str()), (StatusCode::OK, Some("2026-11-27")), "{}", r.body);
}
