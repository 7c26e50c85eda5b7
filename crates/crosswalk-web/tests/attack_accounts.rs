//! The two-organisation attack suite, accounts part (issue 11): an attacker holds an admin account
//! in organisation B on the same installation and goes after organisation A's people. Each case is
//! a regression test of a hole found in the security test of the release build.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod common;

use axum::extract::ConnectInfo;
use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;
use std::net::SocketAddr;

const B_PASSWORD: &str = "chosen by organisation B";
const REAL_PASSWORD: &str = "the new hire's own secret";

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_owned()
}

/// Open an invitation page and submit its form as an anonymous visitor; returns the reply.
async fn redeem_in_browser(h: &Harness, token: &str, name: &str, password: &str) -> Reply {
    let page_reply = send(&h.router, page(&format!("/invite/{token}"), "")).await;
    assert_eq!(page_reply.status, StatusCode::OK, "{}", page_reply.body);
    let csrf = page_reply.set_cookie("crosswalk_login_csrf").unwrap();
    send(
        &h.router,
        form(
            &format!("/invite/{token}"),
            &format!("crosswalk_login_csrf={csrf}"),
            &[("csrf", &csrf), ("display_name", name), ("password", password), ("confirm", password)],
        ),
    )
    .await
}

#[tokio::test]
async fn admins_of_another_organisation_cannot_create_accounts_or_learn_about_them() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "org-a").await;
    let b = org_with_tokens(&h.app, "org-b").await;
    let (_a_admin, b_admin) = (a[0].1.as_str(), b[0].1.as_str());
    // The old way in is gone: no account is created with a password an admin chose.
    let r = send(
        &h.router,
        api(
            Method::POST,
            "/api/v1/users",
            Some(b_admin),
            Some(json!({"email": "newhire@a.example", "role": "manager", "password": B_PASSWORD})),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    // Inviting an address with an account (A's admin) and one without answer alike.
    let existing = send(
        &h.router,
        api(Method::POST, "/api/v1/invitations", Some(b_admin), Some(json!({"email": "admin@org-a.example", "role": "admin"}))),
    )
    .await;
    let fresh = send(
        &h.router,
        api(Method::POST, "/api/v1/invitations", Some(b_admin), Some(json!({"email": "nobody@a.example", "role": "admin"}))),
    )
    .await;
    assert_eq!(existing.status, StatusCode::CREATED, "{}", existing.body);
    assert_eq!(existing.status, fresh.status);
    let keys = |r: &Reply| {
        let mut k: Vec<String> = r.json().as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&existing), keys(&fresh));
    for leak in ["display_name", "org-a Ltd", "user_id", "member"] {
        assert!(!existing.body.contains(leak), "{leak} leaked: {}", existing.body);
    }
    // Redeeming B's invitation to A's admin address does not touch A's admin account: A's admin
    // still logs in with their own password, into A, and the new password opens B only.
    let redeemed = redeem_in_browser(&h, &token_of(existing.json()["link"].as_str().unwrap()), "Eve", B_PASSWORD).await;
    assert_eq!(redeemed.status, StatusCode::SEE_OTHER, "{}", redeemed.body);
    let (reply, session) = browser_login(&h.router, "admin@org-a.example", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let home = send(&h.router, page("/", &session.unwrap())).await;
    assert!(home.body.contains("org-a Ltd"), "A's admin lands in A");
    let (_, nothing) = browser_login_into(&h.router, "admin@org-a.example", B_PASSWORD, "org-a").await;
    assert!(nothing.is_none(), "B's password does not open A");
    let (_, eve) = browser_login_into(&h.router, "admin@org-a.example", B_PASSWORD, "org-b").await;
    let eve = eve.unwrap();
    let account = send(&h.router, page("/account", &eve)).await;
    assert!(account.body.contains("org-b Ltd") && !account.body.contains("org-a Ltd"), "B's password opens B only: {}", account.body);
}

/// The squatting case: B invites `newhire@a.example` and redeems its own link with a password it
/// chose; when A later invites the same address, B's password gives no access to A, and the
/// redemption page reveals nothing about B's account.
#[tokio::test]
async fn a_squatted_address_opens_nothing_in_the_organisation_that_hires_the_person() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "org-a").await;
    let b = org_with_tokens(&h.app, "org-b").await;
    let invite = |token: String| {
        let router = h.router.clone();
        async move {
            let r = send(
                &router,
                api(Method::POST, "/api/v1/invitations", Some(&token), Some(json!({"email": "newhire@a.example", "role": "manager"}))),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            token_of(r.json()["link"].as_str().unwrap())
        }
    };
    let squat = invite(b[0].1.clone()).await;
    let fresh_page = send(&h.router, page(&format!("/invite/{squat}"), "")).await.body;
    assert_eq!(redeem_in_browser(&h, &squat, "Mallory", B_PASSWORD).await.status, StatusCode::SEE_OTHER);

    let real = invite(a[0].1.clone()).await;
    let a_page = send(&h.router, page(&format!("/invite/{real}"), "")).await.body;
    assert!(!a_page.contains("Mallory") && !a_page.contains("org-b"), "nothing about B's account: {a_page}");
    // The page is the one anybody new would see: same form, only organisation and token differ.
    let normalise = |p: &str, org: &str, token: &str| {
        let csrf_at = p.find("name=\"csrf\" value=\"").unwrap() + 19;
        let p = format!("{}{}", &p[..csrf_at], &p[csrf_at + 64..]);
        p.replace(&format!("{org} Ltd"), "ORG").replace(org, "SLUG").replace(token, "TOKEN")
    };
    assert_eq!(normalise(&a_page, "org-a", &real), normalise(&fresh_page, "org-b", &squat));

    assert_eq!(redeem_in_browser(&h, &real, "New Hire", REAL_PASSWORD).await.status, StatusCode::SEE_OTHER);
    // B's password: B only; switching to A is refused as if A did not exist.
    let (_, squatter) = browser_login_into(&h.router, "newhire@a.example", B_PASSWORD, "org-b").await;
    let squatter = squatter.unwrap();
    let account = send(&h.router, page("/account", &squatter)).await;
    assert!(!account.body.contains("org-a"), "{}", account.body);
    let csrf = csrf_in(&account.body);
    let switch = send(&h.router, form("/account/switch", &squatter, &[("csrf", &csrf), ("organisation", "org-a")])).await;
    assert_eq!(switch.status, StatusCode::NOT_FOUND);
    // B removes its own membership: B's password now opens nothing at all.
    let b_admin = h.app.resolve_token(&b[0].1).await.unwrap();
    let member = h.app.member_by_email(&b_admin, "newhire@a.example").await.unwrap();
    let r = send(&h.router, api(Method::DELETE, &format!("/api/v1/users/{}", member.id), Some(&b[0].1), None)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let (reply, none) = browser_login_into(&h.router, "newhire@a.example", B_PASSWORD, "org-b").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(none.is_none());
    // The real person's password opens A, as the manager A invited.
    let (_, hire) = browser_login(&h.router, "newhire@a.example", REAL_PASSWORD).await;
    let home = send(&h.router, page("/", &hire.unwrap())).await;
    assert!(home.body.contains("org-a Ltd") && home.body.contains("manager"), "{}", home.body);
}

fn login_from(client: &str, csrf: &str, email: &str, password: &str) -> axum::http::Request<axum::body::Body> {
    let mut req = form("/login", &format!("crosswalk_login_csrf={csrf}"), &[("email", email), ("password", password), ("csrf", csrf)]);
    // Through a trusted reverse proxy on loopback, which names the client.
    req.extensions_mut().insert(ConnectInfo::<SocketAddr>("127.0.0.1:40000".parse().unwrap()));
    req.headers_mut().insert("x-forwarded-for", format!("198.51.100.99, {client}").parse().unwrap());
    req
}

/// ASVS 4.0.3 V2.2.1: five wrong passwords from one client slow that client down; the right
/// password from another client still logs in (no lock-out of the account).
#[tokio::test]
async fn guessing_from_one_client_never_locks_the_account_out() {
    let h = harness_with_web(crosswalk_web::WebConfig { trusted_proxies: vec!["127.0.0.1".parse().unwrap()], ..Default::default() }).await;
    org_with_tokens(&h.app, "org-a").await;
    let csrf = send(&h.router, page("/login", "")).await.set_cookie("crosswalk_login_csrf").unwrap();
    for _ in 0..5 {
        let r = send(&h.router, login_from("203.0.113.9", &csrf, "admin@org-a.example", "wrong password!!")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = send(&h.router, login_from("203.0.113.9", &csrf, "admin@org-a.example", PASSWORD)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let r = send(&h.router, login_from("192.0.2.44", &csrf, "admin@org-a.example", PASSWORD)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "another client logs in: {}", r.body);
    // The forwarded address counts only from a trusted proxy: a client that forges the header
    // itself is throttled by its own socket address.
    let mut forged = login_from("192.0.2.45", &csrf, "admin@org-a.example", "wrong password!!");
    forged.extensions_mut().insert(ConnectInfo::<SocketAddr>("203.0.113.9:5555".parse().unwrap()));
    assert_eq!(send(&h.router, forged).await.status, StatusCode::TOO_MANY_REQUESTS);
}

/// The verification page works in the browser that is logged in (the session's CSRF token), sets a
/// password of the person's own, and ends the organisation-password session.
#[tokio::test]
async fn verifying_from_a_logged_in_browser_sets_the_accounts_own_password() {
    let h = harness().await;
    let a = org_with_tokens(&h.app, "org-a").await;
    let r =
        send(&h.router, api(Method::POST, "/api/v1/invitations", Some(&a[0].1), Some(json!({"email": "kim@a.example", "role": "viewer"}))))
            .await;
    let joined = redeem_in_browser(&h, &token_of(r.json()["link"].as_str().unwrap()), "Kim", REAL_PASSWORD).await;
    let session = format!("crosswalk_session={}", joined.set_cookie("crosswalk_session").unwrap());
    let link = h.app.operator_verify("org-a", "kim@a.example").await.unwrap();
    let page_reply = send(&h.router, page(&link, &session)).await;
    assert_eq!(page_reply.status, StatusCode::OK, "{}", page_reply.body);
    let csrf = csrf_in(&page_reply.body);
    let mismatch =
        send(&h.router, form(&link, &session, &[("csrf", &csrf), ("password", "kim's account pw 1"), ("confirm", "other")])).await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done =
        send(&h.router, form(&link, &session, &[("csrf", &csrf), ("password", "kim's account pw 1"), ("confirm", "kim's account pw 1")]))
            .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("id=\"verified\""), "{}", done.body);
    assert_eq!(send(&h.router, page("/", &session)).await.status, StatusCode::SEE_OTHER, "the old session ended");
    let (_, own) = browser_login(&h.router, "kim@a.example", "kim's account pw 1").await;
    assert!(own.is_some());
}
