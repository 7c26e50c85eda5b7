//! The HTML shell: login, layout, CSRF, expiry, admin pages, journal page.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn login_shows_the_dashboard_with_the_organisation_name() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (reply, session) = browser_login(&h.router, "admin@acme.example", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let cookie_line = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("crosswalk_session="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie_line.contains(flag), "session cookie lacks {flag}: {cookie_line}");
    }
    let page = send(&h.router, page("/", &session.unwrap())).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("acme Ltd"));
    assert!(page.body.contains("href=\"/users\""), "admins see user administration");
}

#[tokio::test]
async fn wrong_password_is_401_without_saying_which_part() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (reply, session) = browser_login(&h.router, "admin@acme.example", "not the password").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(session.is_none());
    assert!(reply.body.contains("invalid e-mail or password"));
}

#[tokio::test]
async fn pages_need_a_session_and_an_expired_one_goes_back_to_login() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let r = send(&h.router, page("/users", "")).await;
    assert_eq!((r.status, r.headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/login"));
    let (_, session) = browser_login(&h.router, "admin@acme.example", PASSWORD).await;
    h.clock.advance(chrono::Duration::hours(9));
    let r = send(&h.router, page("/", &session.unwrap())).await;
    assert_eq!(r.headers["location"], "/login?expired=1");
    let login = send(&h.router, page("/login?expired=1", "")).await;
    assert!(login.body.contains("Your session has expired"));
}

#[tokio::test]
async fn unsafe_requests_without_the_csrf_token_are_refused() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "admin@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let fields = [("email", "eve@acme.example"), ("role", "admin")];
    let r = send(&h.router, form("/users/invitations", &session, &fields)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut with_wrong = fields.to_vec();
    with_wrong.push(("csrf", "0000"));
    assert_eq!(send(&h.router, form("/users/invitations", &session, &with_wrong)).await.status, StatusCode::FORBIDDEN);
    // The login form itself needs its double-submit cookie.
    let r = send(&h.router, form("/login", "", &[("email", "admin@acme.example"), ("password", PASSWORD), ("csrf", "x")])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // With the page's token it works.
    let users_page = send(&h.router, page("/users", &session)).await;
    let csrf = csrf_in(&users_page.body);
    let mut ok = fields.to_vec();
    ok.push(("csrf", &csrf));
    let r = send(&h.router, form("/users/invitations", &session, &ok)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Invited eve@acme.example as admin"), "{}", r.body);
    assert!(r.body.contains("data-testid=\"invitation-link\">/invite/"), "the link is shown once");
}

#[tokio::test]
async fn a_viewer_cannot_open_user_administration() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "viewer@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let r = send(&h.router, page("/users", &session)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let dash = send(&h.router, page("/", &session)).await;
    assert!(!dash.body.contains("href=\"/users\""));
}

#[tokio::test]
async fn tokens_page_shows_a_new_secret_once_and_journal_verifies_in_place() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "admin@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let tokens = send(&h.router, page("/tokens", &session)).await;
    let csrf = csrf_in(&tokens.body);
    let r = send(&h.router, form("/tokens", &session, &[("name", "laptop"), ("csrf", &csrf)])).await;
    assert!(r.body.contains("id=\"new-token\""));
    let again = send(&h.router, page("/tokens", &session)).await;
    assert!(!again.body.contains("id=\"new-token\""), "the secret is shown only once");
    let journal = send(&h.router, page("/journal", &session)).await;
    assert!(journal.body.contains("token.create"));
    let mut req = form("/journal/verify", &session, &[("csrf", &csrf)]);
    req.headers_mut().insert("hx-request", "true".parse().unwrap());
    let r = send(&h.router, req).await;
    assert!(r.body.contains("id=\"verify-ok\""), "{}", r.body);
    assert!(!r.body.contains("<html"), "htmx gets a partial");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "admin@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let dash = send(&h.router, page("/", &session)).await;
    let csrf = csrf_in(&dash.body);
    let r = send(&h.router, form("/logout", &session, &[("csrf", &csrf)])).await;
    assert_eq!(r.headers["location"], "/login");
    let r = send(&h.router, page("/", &session)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_admin_disables_and_re_enables_a_member_from_the_users_page() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "admin@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let admin = h.app.operator("acme").await.unwrap();
    let contributor = h.app.member_by_email(&admin, "contributor@acme.example").await.unwrap();
    let users = send(&h.router, page("/users", &session)).await;
    let csrf = csrf_in(&users.body);
    let path = format!("/users/{}", contributor.id);
    let r = send(&h.router, form(&path, &session, &[("csrf", &csrf), ("disabled", "true")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(h.app.get_member(&admin, crosswalk_domain::UserId(contributor.id)).await.unwrap().disabled);
    let users = send(&h.router, page("/users", &session)).await;
    assert!(users.body.contains("badge disabled") && users.body.contains(">Enable</button>"));
    send(&h.router, form(&path, &session, &[("csrf", &csrf), ("disabled", "false")])).await;
    assert!(!h.app.get_member(&admin, crosswalk_domain::UserId(contributor.id)).await.unwrap().disabled);
}

#[tokio::test]
async fn incident_pages_show_clocks_and_record_submissions() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "manager@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let list = send(&h.router, page("/incidents", &session)).await;
    let csrf = csrf_in(&list.body);
    // The harness clock is 2026-11-27 09:00 UTC: aware three hours earlier.
    let r = send(
        &h.router,
        form(
            "/incidents",
            &session,
            &[
                ("csrf", &csrf),
                ("title", "Phishing wave"),
                ("aware_at", "2026-11-27T07:00"),
                ("tz", "Europe/Berlin"),
                ("regime_nis2", "on"),
                ("regime_gdpr", "on"),
                ("personal_data", "on"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.headers["location"].to_str().unwrap().to_owned();
    let detail = send(&h.router, page(&location, &session)).await;
    assert!(detail.body.contains("2026-11-28 07:00 CET"), "early warning due 24 h after 07:00 Berlin");
    assert!(detail.body.contains("due in 21 h 0 min"));
    assert!(detail.body.contains("GDPR Art 33(1)"));
    // Issue 14, item 6: the facts form proposes the significance (NIS2 Art 23(3) without a saved
    // scoping) and shows the criteria; a figure that is not a number is refused naming the field.
    let proposed = send(
        &h.router,
        form(
            &location,
            &session,
            &[("csrf", &csrf), ("propose", "1"), ("severe_disruption_or_financial_loss", "yes"), ("considerable_damage_to_others", "no")],
        ),
    )
    .await;
    assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
    let detail = send(&h.router, page(&location, &session)).await;
    assert!(detail.body.contains("id=\"proposed-outcome\">significant") && detail.body.contains("NIS2 Art 23(3)(a)"), "{}", detail.body);
    let bad = send(&h.router, form(&location, &session, &[("csrf", &csrf), ("propose", "1"), ("financial_loss_eur", "lots")])).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("financial_loss_eur"), "{}", bad.body);
    // The correction form sets the Member State (DORA 2025/301 Art 5(4)); an unknown code names the field.
    let r = send(&h.router, form(&location, &session, &[("csrf", &csrf), ("member_state", "DE")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = send(&h.router, form(&location, &session, &[("csrf", &csrf), ("member_state", "XX")])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("member_state"), "{}", r.body);
    let r = send(
        &h.router,
        form(
            &format!("{location}/submissions"),
            &session,
            &[("csrf", &csrf), ("step", "nis2_early_warning"), ("authority", "BSI"), ("reference", "EW-7")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    h.clock.advance(chrono::Duration::days(4));
    // Four days on, the session has expired: log in again.
    let (_, session) = browser_login(&h.router, "manager@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let detail = send(&h.router, page(&location, &session)).await;
    assert!(detail.body.contains("submitted 2026-11-27 09:00 UTC to BSI (ref. EW-7)"), "{}", detail.body);
    assert!(detail.body.contains("class=\"state-overdue\""), "the unsent notification is overdue");
    let list = send(&h.router, page("/incidents", &session)).await;
    assert!(list.body.contains("Phishing wave") && list.body.contains("overdue by"));
    // The GDPR notification is now late: its draft asks for the reasons for the delay (Art 33(1)).
    let draft = send(&h.router, page(&format!("{location}/drafts/gdpr_sa_notification"), &session)).await;
    assert_eq!(draft.status, StatusCode::OK);
    assert!(draft.body.contains("Reasons for the delay") && draft.body.contains("GDPR Art 33(3)(a)"));
    assert!(draft.body.contains("Phishing wave"), "pre-filled from the record");
}

#[tokio::test]
async fn the_scoping_wizard_classifies() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "viewer@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let r = send(
        &h.router,
        page("/nis2/scope?entity_type=managed_service_provider&employees=80&turnover_eur=12000000&balance_eur=3000000", &session),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<h2 id=\"classification\">Important</h2>"), "{}", r.body);
    assert!(r.body.contains("NIS2 Art 34(5)"));
    let r =
        send(&h.router, page("/nis2/scope?entity_type=managed_service_provider&employees=-2&turnover_eur=1&balance_eur=1", &session)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("employees: must not be negative"));
    // NIS2 Art 4(1), DORA Art 1(2): the wizard says which NIS2 duties DORA replaces for a credit institution.
    let r = send(
        &h.router,
        page("/nis2/scope?entity_type=credit_institution&employees=1000&turnover_eur=500000000&balance_eur=900000000", &session),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"lex-specialis\"") && r.body.contains("DORA Art 19"), "{}", r.body);
    assert!(!r.body.contains("Maximum fine"), "NIS2 Art 34 fines do not reach duties DORA replaces");
    // Issue 14, item 4: the Member State's identification and CER designation are inputs; what is
    // not modelled is stated; regional administration is conditional on the Member State's assessment.
    let r = send(
        &h.router,
        page("/nis2/scope?entity_type=food_business&employees=30&turnover_eur=5000000&balance_eur=5000000&member_state_identification=essential", &session),
    )
    .await;
    assert!(r.body.contains("<h2 id=\"classification\">Essential</h2>") && r.body.contains("Art 3(1)(e)"), "{}", r.body);
    assert!(r.body.contains("id=\"not-modelled\"") && r.body.contains("two consecutive accounting periods"));
    let r =
        send(&h.router, page("/nis2/scope?entity_type=regional_government_entity&employees=300&turnover_eur=0&balance_eur=0", &session))
            .await;
    assert!(r.body.contains("<h2 id=\"classification\">Conditional</h2>") && r.body.contains("id=\"depends-on\""), "{}", r.body);
    assert!(r.body.contains("Art 34(7)") && !r.body.contains("Maximum fine"));
    let r = send(
        &h.router,
        page(
            "/nis2/scope?entity_type=domain_name_registration_service_provider&employees=3&turnover_eur=1&balance_eur=1&critical_entity=1",
            &session,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("critical_entity"), "{}", r.body);
}

#[tokio::test]
async fn a_manager_saves_the_scoping_and_the_dashboard_shows_it() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "manager@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let r = send(
        &h.router,
        page("/nis2/scope?entity_type=cloud_computing_service_provider&employees=300&turnover_eur=90000000&balance_eur=80000000", &session),
    )
    .await;
    assert!(r.body.contains("id=\"save-scope\""));
    let csrf = csrf_in(&r.body);
    let fields = [
        ("csrf", csrf.as_str()),
        ("entity_type", "cloud_computing_service_provider"),
        ("employees", "300"),
        ("turnover_eur", "90000000"),
        ("balance_eur", "80000000"),
    ];
    let r = send(&h.router, form("/nis2/profile", &session, &fields)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let dash = send(&h.router, page("/", &session)).await;
    assert!(dash.body.contains("<strong id=\"nis2-class\">Essential</strong>"), "{}", dash.body);
}

#[tokio::test]
async fn suppliers_pages_track_clauses_and_assessments() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "manager@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let list = send(&h.router, page("/suppliers", &session)).await;
    let csrf = csrf_in(&list.body);
    let r = send(
        &h.router,
        form("/suppliers", &session, &[("csrf", &csrf), ("name", "CloudCo"), ("services", "Hosting"), ("criticality", "high")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.headers["location"].to_str().unwrap().to_owned();
    let r = send(
        &h.router,
        form(&format!("{location}/clauses"), &session, &[("csrf", &csrf), ("clause_exit", "on"), ("clause_audit_rights", "on")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = send(
        &h.router,
        form(&format!("{location}/assessments"), &session, &[("csrf", &csrf), ("answer_mfa", "yes"), ("answer_certification", "partial")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let detail = send(&h.router, page(&location, &session)).await;
    assert!(detail.body.contains("id=\"clause-exit\" checked"));
    assert!(detail.body.contains("<strong id=\"score\">18 %</strong>"), "{}", detail.body);
    let list = send(&h.router, page("/suppliers", &session)).await;
    assert!(list.body.contains("CloudCo") && list.body.contains("18 %"));
}

#[tokio::test]
async fn an_admin_renames_the_organisation_from_the_dashboard() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "admin@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let dash = send(&h.router, page("/", &session)).await;
    let csrf = csrf_in(&dash.body);
    let r = send(&h.router, form("/organisation", &session, &[("csrf", &csrf), ("name", "Acme Holdings")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(send(&h.router, page("/", &session)).await.body.contains("Acme Holdings"));
    let (_, viewer) = browser_login(&h.router, "viewer@acme.example", PASSWORD).await;
    let viewer = viewer.unwrap();
    let vdash = send(&h.router, page("/", &viewer)).await;
    assert!(!vdash.body.contains("id=\"rename-org\""));
    let r = send(&h.router, form("/organisation", &viewer, &[("csrf", &csrf_in(&vdash.body)), ("name", "Hijacked")])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

fn multipart(path: &str, cookies: &str, fields: &[(&str, Option<&str>, &str)]) -> axum::http::Request<axum::body::Body> {
    let boundary = "----crosswalk-test-boundary";
    let mut body = String::new();
    for (name, file_name, value) in fields {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""));
        if let Some(f) = file_name {
            body.push_str(&format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream"));
        }
        body.push_str(&format!("\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    axum::http::Request::builder()
        .method(axum::http::Method::POST)
        .uri(path)
        .header(axum::http::header::COOKIE, cookies)
        .header(axum::http::header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn catalog_pages_browse_map_and_show_coverage_with_a_heat_map() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "manager@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let list = send(&h.router, page("/frameworks", &session)).await;
    assert!(list.body.contains("NIST SP 800-53 Rev. 5") && list.body.contains("ISO/IEC 27001:2022"));
    let csrf = csrf_in(&list.body);
    for f in ["iso27001-2022@2022", "nist-csf-2.0@2.0"] {
        let r = send(&h.router, form("/frameworks/follow", &session, &[("csrf", &csrf), ("framework", f)])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    // Tree with search.
    let tree = send(&h.router, page("/frameworks/view?framework=iso27001-2022&q=vulnerab", &session)).await;
    assert!(tree.body.contains("A.8.8") && !tree.body.contains("A.5.1<"), "{}", tree.body);
    // Requirement page: typed relations with provenance, both directions.
    let req = send(&h.router, page("/requirement?framework=nist-csf-2.0&ref=PR.DS-11", &session)).await;
    assert!(req.body.contains("rel-subset") && req.body.contains("crosswalk-curated"), "PR.DS-11 subset A.8.13 seen from CSF");
    // The mapping editor (manager): an organisation-defined relation appears and can be deleted.
    let r = send(
        &h.router,
        form(
            "/requirement/relations",
            &session,
            &[
                ("csrf", &csrf),
                ("framework", "nist-csf-2.0@2.0"),
                ("ref", "ID.RA-01"),
                ("relation", "intersects"),
                ("to_framework", "iso27001-2022@2022"),
                ("to", "A.5.7"),
                ("strength", "4"),
                ("rationale", "semantic"),
                ("note", "threat intel informs vulnerability identification"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let req = send(&h.router, page("/requirement?framework=nist-csf-2.0&ref=ID.RA-01", &session)).await;
    assert!(req.body.contains("threat intel informs") && req.body.contains(">user<"), "{}", req.body);
    let bad = send(
        &h.router,
        form(
            "/requirement/relations",
            &session,
            &[
                ("csrf", &csrf),
                ("framework", "nist-csf-2.0"),
                ("ref", "ID.RA-01"),
                ("relation", "intersects"),
                ("to_framework", "iso27001-2022"),
                ("to", "A.99"),
                ("note", "x"),
            ],
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("&#39;A.99&#39; is not a requirement") || bad.body.contains("'A.99' is not a requirement"), "{}", bad.body);

    // A control with evidence uploaded through the page (multipart, CSRF in the action's query).
    let r =
        send(&h.router, form("/controls", &session, &[("csrf", &csrf), ("name", "Vulnerability management"), ("status", "implemented")]))
            .await;
    let control = r.headers["location"].to_str().unwrap().to_owned();
    let r = send(
        &h.router,
        form(&format!("{control}/links"), &session, &[("csrf", &csrf), ("framework", "iso27001-2022@2022"), ("ref", "A.8.13")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let refused = send(&h.router, multipart(&format!("{control}/evidence"), &session, &[("file", Some("scan.txt"), "results")])).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "no CSRF token, no upload");
    let r = send(
        &h.router,
        multipart(
            &format!("{control}/evidence?csrf={csrf}"),
            &session,
            &[("valid_until", None, "2027-06-30"), ("file", Some("scan.txt"), "results")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let detail = send(&h.router, page(&control, &session)).await;
    assert!(detail.body.contains("scan.txt") && detail.body.contains("2027-06-30"));
    assert!(detail.body.contains("data-ref=\"PR.DS-11\""), "the control serves PR.DS-11 through A.8.13 superset PR.DS-11");

    // Coverage with the server-side heat map and reasons.
    let cov = send(&h.router, page("/coverage?from=iso27001-2022&to=nist-csf-2.0", &session)).await;
    assert!(cov.body.contains("<svg") && cov.body.contains("data-state=\"derived\""), "{}", cov.body);
    assert!(cov.body.contains("derived: 1. A.8.13 Information backup (iso27001-2022@2022) superset PR.DS-11"), "{}", cov.body);
    let unknown = send(&h.router, page("/coverage?from=iso27001-2022&to=nope", &session)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let side = send(&h.router, page("/compare?from=nis2&to=iso27001-2022", &session)).await;
    assert!(side.body.contains("Art.21(2)(h)") && side.body.contains("rel-intersects"));
    let readiness = send(&h.router, page("/readiness?framework=iso27001-2022", &session)).await;
    assert!(readiness.body.contains("1 proven"), "{}", readiness.body);
    let art21 = send(&h.router, page("/nis2/art21", &session)).await;
    assert_eq!(art21.status, StatusCode::OK);
    assert!(art21.body.contains("Art.21(2)(j)") && art21.body.contains("save your"), "no scoping saved yet: {}", art21.body);
}

#[tokio::test]
async fn soa_pages_decide_publish_approve_print_diff_and_export() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "manager@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let soa = send(&h.router, page("/soa", &session)).await;
    assert_eq!(soa.status, StatusCode::OK);
    assert!(soa.body.contains("93</strong> row(s) to settle"), "{}", soa.body);
    let csrf = csrf_in(&soa.body);
    let bad = send(
        &h.router,
        form("/soa/decisions", &session, &[("csrf", &csrf), ("ref", "A.7.2"), ("applicable", "no"), ("justification", "")]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("A.7.2: justification"), "{}", bad.body);
    let refused = send(&h.router, form("/soa/versions", &session, &[("csrf", &csrf), ("note", "too early")])).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Settle every row (excluding A.7.2 with a reason), publish, approve by name.
    let op = h.app.operator("acme").await.unwrap();
    for row in h.app.soa_draft(&op).await.unwrap().rows {
        let exclude = row.reference == "A.7.2";
        let fields = [
            ("csrf", csrf.as_str()),
            ("ref", row.reference.as_str()),
            ("applicable", if exclude { "no" } else { "yes" }),
            ("justification", if exclude { "no premises" } else { "" }),
        ];
        let r = send(&h.router, form("/soa/decisions", &session, &fields)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = send(&h.router, form("/soa/versions", &session, &[("csrf", &csrf), ("note", "first")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = send(&h.router, form("/soa/approvals", &session, &[("csrf", &csrf), ("version", "1")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let soa = send(&h.router, page("/soa", &session)).await;
    assert!(soa.body.contains("approved by <strong>manager@acme.example</strong>"));
    let print = send(&h.router, page("/soa/print?version=1", &session)).await;
    assert!(print.body.contains("no premises") && print.body.contains("approved by manager@acme.example"));
    // Its layout comes from the stylesheet: the Content-Security-Policy blocks inline styles.
    assert!(print.body.contains(r#"<body class="print-doc">"#) && !print.body.contains("<style"), "{}", print.body);
    send(&h.router, form("/soa/decisions", &session, &[("csrf", &csrf), ("ref", "A.7.2"), ("applicable", "yes"), ("justification", "")]))
        .await;
    let diff = send(&h.router, page("/soa/diff?from=1", &session)).await;
    assert!(diff.body.contains("<td>A.7.2</td><td>applicable</td><td>no</td><td>yes</td>"), "{}", diff.body);
    let xlsx = send(&h.router, page("/soa/export.xlsx?version=1", &session)).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(xlsx.headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

#[tokio::test]
async fn control_pages_record_reuse_attest_and_unlink() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "manager@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let csrf = csrf_in(&send(&h.router, page("/controls", &session)).await.body);
    send(&h.router, form("/frameworks/follow", &session, &[("csrf", &csrf), ("framework", "iso27001-2022")])).await;
    let mut controls = Vec::new();
    for name in ["Access reviews", "Privileged access"] {
        let r = send(&h.router, form("/controls", &session, &[("csrf", &csrf), ("name", name), ("status", "implemented")])).await;
        controls.push(r.headers["location"].to_str().unwrap().to_owned());
    }
    let (first, second) = (&controls[0], &controls[1]);
    let r =
        send(&h.router, form(&format!("{first}/links"), &session, &[("csrf", &csrf), ("framework", "iso27001-2022"), ("ref", "A.5.18")]))
            .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // A record (not a file) as evidence, then the same item reused by the second control.
    let r = send(
        &h.router,
        form(
            &format!("{first}/records"),
            &session,
            &[("csrf", &csrf), ("name", "Q3 access review"), ("link", "https://tickets.example/REV-3"), ("valid_until", "2027-03-31")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let evidence_page = send(&h.router, page("/evidence?q=Q3", &session)).await;
    assert!(
        evidence_page.body.contains("Q3 access review") && evidence_page.body.contains("tickets.example/REV-3"),
        "{}",
        evidence_page.body
    );
    let op = h.app.operator("acme").await.unwrap();
    let item = h.app.search_evidence(&op, Some("Q3"), Some(5)).await.unwrap().remove(0);
    let r =
        send(&h.router, form(&format!("{second}/evidence-links"), &session, &[("csrf", &csrf), ("evidence", &item.id.to_string())])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(send(&h.router, page(second, &session)).await.body.contains("serves 2 controls"));
    let bad = send(&h.router, form(&format!("{second}/evidence-links"), &session, &[("csrf", &csrf), ("evidence", "REV-3")])).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("is not an evidence id"), "{}", bad.body);

    // Attest the second control and a requirement: named, attested (not proven), with the expiry.
    let r = send(
        &h.router,
        form(
            &format!("{second}/attestations"),
            &session,
            &[("csrf", &csrf), ("statement", "PAM vault reviewed"), ("expires_on", "2027-01-31")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let detail = send(&h.router, page(second, &session)).await;
    assert!(
        detail.body.contains("PAM vault reviewed") && detail.body.contains("manager@acme.example") && detail.body.contains("2027-01-31")
    );
    let past = send(
        &h.router,
        form(&format!("{second}/attestations"), &session, &[("csrf", &csrf), ("statement", "old"), ("expires_on", "2020-01-01")]),
    )
    .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(past.body.contains("expires_on"), "{}", past.body);
    let r = send(
        &h.router,
        form(
            "/requirement/attestations",
            &session,
            &[("csrf", &csrf), ("framework", "iso27001-2022@2022"), ("ref", "A.5.1"), ("statement", "Policy set approved 2026-10-01")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let req = send(&h.router, page("/requirement?framework=iso27001-2022&ref=A.5.1", &session)).await;
    assert!(req.body.contains("Policy set approved") && req.body.contains("id=\"readiness-state\">attested<"), "{}", req.body);

    // Unlink the direct link: the control no longer serves A.5.18.
    let r = send(
        &h.router,
        form(&format!("{first}/links/delete"), &session, &[("csrf", &csrf), ("framework", "iso27001-2022@2022"), ("ref", "A.5.18")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(!send(&h.router, page(first, &session)).await.body.contains("data-ref=\"A.5.18\""));

    // A malformed control id is the control's 404 page, for a page and for a form.
    assert_eq!(send(&h.router, page("/controls/not-a-control", &session)).await.status, StatusCode::NOT_FOUND);
    let r = send(&h.router, form("/controls/not-a-control/attestations", &session, &[("csrf", &csrf), ("statement", "x")])).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A viewer sees the evidence page but cannot attest.
    let (_, viewer) = browser_login(&h.router, "viewer@acme.example", PASSWORD).await;
    let viewer = viewer.unwrap();
    let viewer_csrf = csrf_in(&send(&h.router, page("/evidence", &viewer)).await.body);
    let r = send(&h.router, form(&format!("{second}/attestations"), &viewer, &[("csrf", &viewer_csrf), ("statement", "x")])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// Issue 14, item 6: a financial entity's incident page proposes the DORA classification
/// (Delegated Regulation (EU) 2024/1772) from the form's facts.
#[tokio::test]
async fn a_dora_incident_page_proposes_the_major_incident_classification() {
    let h = harness().await;
    org_with_tokens(&h.app, "bank").await;
    let op = h.app.operator("bank").await.unwrap();
    let scope = crosswalk_domain::nis2::ScopeInput {
        entity_type: "credit_institution".into(),
        employees: 1000,
        turnover_eur: 500_000_000,
        balance_eur: 900_000_000,
        ..Default::default()
    };
    h.app.save_nis2_profile(&op, scope).await.unwrap();
    let new = crosswalk_app::incidents::NewIncident {
        title: "Payments outage".into(),
        description: String::new(),
        aware_at: "2026-11-27T07:00".into(),
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
    let id = h.app.create_incident(&op, new).await.unwrap().id;
    let (_, session) = browser_login(&h.router, "manager@bank.example", PASSWORD).await;
    let session = session.unwrap();
    let location = format!("/incidents/{id}");
    let detail = send(&h.router, page(&location, &session)).await;
    assert!(detail.body.contains("Delegated Regulation (EU) 2024/1772"), "{}", detail.body);
    let csrf = csrf_in(&detail.body);
    let fields = [
        ("csrf", csrf.as_str()),
        ("propose", "1"),
        ("dora", "1"),
        ("dora_critical_services", "1"),
        ("dora_clients_affected", "150000"),
        ("dora_downtime_minutes", "180"),
    ];
    let r = send(&h.router, form(&location, &session, &fields)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let detail = send(&h.router, page(&location, &session)).await;
    assert!(detail.body.contains("id=\"proposed-outcome\">significant") && detail.body.contains("Art 9(3)"), "{}", detail.body);
}

/// Issue 14, item 6: the registration page saves the record, shows when a change must be reported,
/// and names a bad entry; a viewer sees it without the forms.
#[tokio::test]
async fn the_registration_page_keeps_the_record_and_its_deadline() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "manager@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let empty = send(&h.router, page("/nis2/registration", &session)).await;
    assert_eq!(empty.status, StatusCode::OK);
    let csrf = csrf_in(&empty.body);
    let fields = |ips: &'static str| {
        [
            ("csrf", csrf.as_str()),
            ("name", "Acme"),
            ("address", "Main St 1"),
            ("emails", "noc@acme.example"),
            ("phones", "+49 30 1"),
            ("ip_ranges", ips),
            ("member_states", "DE\nFR"),
        ]
    };
    let r = send(&h.router, form("/nis2/registration", &session, &fields("203.0.113.0/99"))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("ip_ranges[0]") && r.body.contains("value=\"Acme\""), "the form keeps what was typed: {}", r.body);
    let r = send(&h.router, form("/nis2/registration", &session, &fields("203.0.113.0/24"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let shown = send(&h.router, page("/nis2/registration", &session)).await;
    assert!(shown.body.contains("id=\"not-reported\"") && shown.body.contains("NIS2 Art 3(4)"), "{}", shown.body);
    let (_, viewer) = browser_login(&h.router, "viewer@acme.example", PASSWORD).await;
    let viewer_page = send(&h.router, page("/nis2/registration", &viewer.unwrap())).await;
    assert!(viewer_page.body.contains("registration-status") && !viewer_page.body.contains("id=\"registration-form\""));
}
