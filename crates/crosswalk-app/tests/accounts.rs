//! Accounts across organisations (issue 11): invitations instead of admin-set passwords, organisation
//! credentials, verified addresses by e-mail (against a local SMTP sink) or by the operator, the
//! organisation switcher, and login throttling that never locks the right person out.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use chrono::{Duration, TimeZone, Utc};
use crosswalk_app::users::NewMember;
use crosswalk_app::{Actor, App, AppConfig, AppError, FixedClock, NewInvitation, PasswordCost};
use crosswalk_domain::Role;
use crosswalk_store::testing::TestDb;
use std::sync::Arc;
use support::smtp_sink::SmtpSink;

const ADMIN_PASSWORD: &str = "admin password for tests";
const SQUATTER_PASSWORD: &str = "chosen by organisation B";
const REAL_PASSWORD: &str = "the new hire's own secret";

struct World {
    _db: TestDb,
    app: App,
    clock: Arc<FixedClock>,
}

async fn world_with(smtp: Option<&SmtpSink>) -> World {
    let db = TestDb::new().await;
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()));
    let config = AppConfig {
        password_cost: PasswordCost::InsecureFastForTests,
        smtp: smtp.map(|s| crosswalk_app::mail::SmtpSettings { url: s.url(), from: "Crosswalk <crosswalk@test.example>".into() }),
        public_url: Some("https://grc.test.example".into()),
        ..AppConfig::default()
    };
    let app = App::new(db.store.clone(), clock.clone(), db.key.clone(), config);
    World { _db: db, app, clock }
}

/// An organisation with an admin created by the operator; returns the admin's actor.
async fn org(app: &App, slug: &str) -> Actor {
    app.create_tenant(slug, &format!("{slug} Ltd")).await.unwrap();
    let op = app.operator(slug).await.unwrap();
    let email = format!("admin@{slug}.example");
    app.add_member(&op, NewMember { email: email.clone(), role: Role::Admin, display_name: None, password: Some(ADMIN_PASSWORD.into()) })
        .await
        .unwrap();
    app.login(&email, ADMIN_PASSWORD, "10.0.0.1").await.unwrap().actor
}

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn an_admin_cannot_create_accounts_or_set_passwords() {
    let w = world_with(None).await;
    let admin = org(&w.app, "org-b").await;
    let attempt = w
        .app
        .add_member(
            &admin,
            NewMember {
                email: "newhire@a.example".into(),
                role: Role::Manager,
                display_name: None,
                password: Some(SQUATTER_PASSWORD.into()),
            },
        )
        .await;
    assert!(matches!(attempt, Err(AppError::Forbidden(_))), "{attempt:?}");
}

#[tokio::test]
async fn inviting_answers_alike_whether_or_not_the_address_has_an_account() {
    let w = world_with(None).await;
    let a = org(&w.app, "org-a").await;
    let _b = org(&w.app, "org-b").await;
    // admin@org-b.example has an account (in B); nobody@else.example has none.
    let existing = w.app.invite(&a, NewInvitation { email: "admin@org-b.example".into(), role: Role::Viewer }).await.unwrap();
    let fresh = w.app.invite(&a, NewInvitation { email: "nobody@else.example".into(), role: Role::Viewer }).await.unwrap();
    let shape = |i: &crosswalk_app::Invited| {
        let v = serde_json::to_value(i).unwrap();
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        (keys, v["emailed"].clone(), v["role"].clone(), i.link.len())
    };
    assert_eq!(shape(&existing), shape(&fresh));
    // The redemption page's preview says nothing about the existing account either.
    let p1 = serde_json::to_value(w.app.invitation_preview(&token_of(&existing.link)).await.unwrap()).unwrap();
    let p2 = serde_json::to_value(w.app.invitation_preview(&token_of(&fresh.link)).await.unwrap()).unwrap();
    assert_eq!(p1.as_object().unwrap().keys().collect::<Vec<_>>(), p2.as_object().unwrap().keys().collect::<Vec<_>>());
    assert!(!p1.to_string().contains("org-b Ltd"), "nothing about the account's organisations: {p1}");
}

/// The squatting case of the security test: B invites A's future hire and redeems its own link
/// with a password B chose; A later invites the same address. B's password never opens A.
#[tokio::test]
async fn a_squatted_address_gives_the_squatter_nothing_in_the_other_organisation() {
    let w = world_with(None).await;
    let a = org(&w.app, "org-a").await;
    let b = org(&w.app, "org-b").await;
    let squat = w.app.invite(&b, NewInvitation { email: "newhire@a.example".into(), role: Role::Admin }).await.unwrap();
    w.app.redeem_invitation(&token_of(&squat.link), "Mallory", SQUATTER_PASSWORD, "10.6.6.6").await.unwrap();

    let real = w.app.invite(&a, NewInvitation { email: "newhire@a.example".into(), role: Role::Manager }).await.unwrap();
    let preview = w.app.invitation_preview(&token_of(&real.link)).await.unwrap();
    assert_eq!(preview.organisation, "org-a Ltd");
    let joined = w.app.redeem_invitation(&token_of(&real.link), "New Hire", REAL_PASSWORD, "10.1.1.1").await.unwrap();
    assert_eq!(joined.login.actor.tenant_slug(), "org-a");
    assert_eq!(joined.login.actor.role(), Role::Manager);

    // With two organisation passwords the address must name the organisation at login; guessing
    // which one is not offered.
    let unnamed = w.app.login("newhire@a.example", SQUATTER_PASSWORD, "10.6.6.6").await;
    assert!(matches!(unnamed, Err(AppError::Unauthenticated(_))), "{unnamed:?}");
    let into_a = w.app.login_into("newhire@a.example", SQUATTER_PASSWORD, "10.6.6.5", Some("org-a")).await;
    assert!(matches!(into_a, Err(AppError::Unauthenticated(_))), "B's password never opens A: {into_a:?}");
    // B's password opens B only, and cannot switch to A.
    let squatter = w.app.login_into("newhire@a.example", SQUATTER_PASSWORD, "10.6.6.6", Some("org-b")).await.unwrap();
    assert_eq!(squatter.actor.tenant_slug(), "org-b");
    let choices = w.app.organisation_choices(&squatter.actor).await.unwrap();
    assert_eq!(choices.iter().map(|c| c.slug.as_str()).collect::<Vec<_>>(), ["org-b"]);
    let switch = w.app.switch_organisation(&squatter.actor, &squatter.session.secret, "org-a", "10.6.6.6").await;
    assert!(matches!(switch, Err(AppError::NotFound(_))), "{switch:?}");
    // Even after B removes its own membership, B's password opens nothing.
    let member = w.app.member_by_email(&b, "newhire@a.example").await.unwrap();
    w.app.remove_member(&b, crosswalk_domain::UserId(member.id)).await.unwrap();
    let after = w.app.login_into("newhire@a.example", SQUATTER_PASSWORD, "10.6.6.7", Some("org-b")).await;
    assert!(matches!(after, Err(AppError::Unauthenticated(_))), "{after:?}");
    // The real person's password opens A.
    let real_login = w.app.login("newhire@a.example", REAL_PASSWORD, "10.1.1.1").await.unwrap();
    assert_eq!(real_login.actor.tenant_slug(), "org-a");
}

#[tokio::test]
async fn an_unverified_account_cannot_accept_another_organisations_invitation() {
    let w = world_with(None).await;
    let a = org(&w.app, "org-a").await;
    let b = org(&w.app, "org-b").await;
    let first = w.app.invite(&b, NewInvitation { email: "pat@x.example".into(), role: Role::Viewer }).await.unwrap();
    let pat = w.app.redeem_invitation(&token_of(&first.link), "", REAL_PASSWORD, "10.0.0.9").await.unwrap().login;
    let second = w.app.invite(&a, NewInvitation { email: "pat@x.example".into(), role: Role::Viewer }).await.unwrap();
    let refused = w.app.accept_invitation(&pat.actor, &token_of(&second.link), "10.0.0.9").await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))), "{refused:?}");
    // The operator vouches for the address with a link Pat opens to set the account password; Pat
    // may then accept A into the account, and the account password opens both.
    let link = w.app.operator_verify("org-b", "pat@x.example").await.unwrap();
    w.app.complete_verification(&token_of(&link), "pat's account password").await.unwrap();
    let pat = w.app.login("pat@x.example", "pat's account password", "10.0.0.9").await.unwrap();
    assert_eq!(pat.actor.tenant_slug(), "org-b");
    let joined = w.app.accept_invitation(&pat.actor, &token_of(&second.link), "10.0.0.9").await.unwrap();
    assert_eq!(joined.actor.tenant_slug(), "org-a");
    let again = w.app.login("pat@x.example", "pat's account password", "10.0.0.9").await.unwrap();
    assert_eq!(again.organisations, 2);
    let slugs: Vec<String> = w.app.organisation_choices(&again.actor).await.unwrap().into_iter().map(|c| c.slug).collect();
    assert_eq!(slugs.len(), 2);
    let other = slugs.iter().find(|s| *s != again.actor.tenant_slug()).unwrap();
    let switched = w.app.switch_organisation(&again.actor, &again.session.secret, other, "10.0.0.9").await.unwrap();
    assert_eq!(switched.actor.tenant_slug(), other);
    // The old session ended with the switch.
    assert!(w.app.resolve_session(&again.session.secret).await.unwrap().is_none());
}

#[tokio::test]
async fn invitation_links_are_single_use_expiring_and_revocable() {
    let w = world_with(None).await;
    let a = org(&w.app, "org-a").await;
    let used = w.app.invite(&a, NewInvitation { email: "one@a.example".into(), role: Role::Viewer }).await.unwrap();
    w.app.redeem_invitation(&token_of(&used.link), "", REAL_PASSWORD, "10.0.0.1").await.unwrap();
    let twice = w.app.redeem_invitation(&token_of(&used.link), "", REAL_PASSWORD, "10.0.0.1").await;
    assert!(matches!(twice, Err(AppError::NotFound(_))), "{twice:?}");

    let revoked = w.app.invite(&a, NewInvitation { email: "two@a.example".into(), role: Role::Viewer }).await.unwrap();
    w.app.revoke_invitation(&a, revoked.id).await.unwrap();
    assert!(matches!(w.app.invitation_preview(&token_of(&revoked.link)).await, Err(AppError::NotFound(_))));

    let expiring = w.app.invite(&a, NewInvitation { email: "three@a.example".into(), role: Role::Viewer }).await.unwrap();
    w.clock.advance(Duration::days(8));
    let late = w.app.redeem_invitation(&token_of(&expiring.link), "", REAL_PASSWORD, "10.0.0.1").await;
    assert!(matches!(late, Err(AppError::NotFound(_))), "{late:?}");
    // Nothing half-written: no account, no membership for the expired one.
    assert!(matches!(w.app.member_by_email(&a, "three@a.example").await, Err(AppError::NotFound(_))));
    let states: Vec<String> = w.app.list_invitations(&a).await.unwrap().into_iter().map(|i| i.state).collect();
    assert!(states.contains(&"redeemed".to_owned()) && states.contains(&"revoked".to_owned()) && states.contains(&"expired".to_owned()));
    // A weak password is refused, and the invitation stays usable.
    let weak = w.app.invite(&a, NewInvitation { email: "four@a.example".into(), role: Role::Viewer }).await.unwrap();
    let short = w.app.redeem_invitation(&token_of(&weak.link), "", "short", "10.0.0.1").await;
    assert!(matches!(short, Err(AppError::Invalid(_))), "{short:?}");
    w.app.redeem_invitation(&token_of(&weak.link), "", REAL_PASSWORD, "10.0.0.1").await.unwrap();
}

#[tokio::test]
async fn invitations_and_verification_links_are_emailed_and_verification_opens_the_account() {
    let sink = SmtpSink::start().await;
    let w = world_with(Some(&sink)).await;
    let a = org(&w.app, "org-a").await;
    let invited = w.app.invite(&a, NewInvitation { email: "sam@a.example".into(), role: Role::Contributor }).await.unwrap();
    assert!(invited.emailed);
    assert!(invited.link.starts_with("https://grc.test.example/invite/"), "{}", invited.link);
    let mailed = sink.token("sam@a.example", "invite").expect("invitation e-mail");
    assert_eq!(mailed, token_of(&invited.link));
    let sam = w.app.redeem_invitation(&mailed, "Sam", REAL_PASSWORD, "10.0.0.5").await.unwrap().login;

    w.app.request_verification(&sam.actor).await.unwrap();
    let token = sink.token("sam@a.example", "verify-email").expect("verification e-mail");
    let preview = w.app.verification_preview(&token).await.unwrap();
    assert_eq!((preview.email.as_str(), preview.organisation_slug.as_str()), ("sam@a.example", "org-a"));
    let weak = w.app.complete_verification(&token, "short").await;
    assert!(matches!(weak, Err(AppError::Invalid(_))), "{weak:?}");
    w.app.complete_verification(&token, "sam's account password").await.unwrap();
    // The organisation password is gone with its session; the account password opens A.
    assert!(w.app.resolve_session(&sam.session.secret).await.unwrap().is_none());
    assert!(w.app.login("sam@a.example", REAL_PASSWORD, "10.0.0.5").await.is_err());
    let login = w.app.login("sam@a.example", "sam's account password", "10.0.0.5").await.unwrap();
    assert_eq!(login.actor.method(), crosswalk_app::AuthMethod::Session);
    // A verification link works once.
    assert!(matches!(w.app.complete_verification(&token, "sam's account password").await, Err(AppError::NotFound(_))));
}

#[tokio::test]
async fn without_smtp_verification_is_refused_with_the_reason() {
    let w = world_with(None).await;
    let a = org(&w.app, "org-a").await;
    let err = w.app.request_verification(&a).await.unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)) && err.to_string().contains("crosswalk user verify"), "{err}");
}

/// ASVS 4.0.3 V2.2.1: throttle per address and client with back-off, without locking the account.
#[tokio::test]
async fn failed_logins_back_off_per_client_without_locking_the_account_out() {
    let w = world_with(None).await;
    org(&w.app, "org-a").await;
    for _ in 0..5 {
        let e = w.app.login("admin@org-a.example", "wrong password!!", "203.0.113.9").await.unwrap_err();
        assert!(matches!(e, AppError::Unauthenticated(_)), "{e:?}");
    }
    // The attacker's client now waits, even with the right password …
    let throttled = w.app.login("admin@org-a.example", ADMIN_PASSWORD, "203.0.113.9").await.unwrap_err();
    let AppError::TooManyAttempts { retry_after_secs } = throttled else { panic!("{throttled:?}") };
    assert!((1..=60).contains(&retry_after_secs), "{retry_after_secs}");
    // … while the right password from another client logs in.
    w.app.login("admin@org-a.example", ADMIN_PASSWORD, "198.51.100.7").await.unwrap();
    // After a minute one more attempt is allowed; another failure doubles the wait.
    w.clock.advance(Duration::seconds(61));
    let e = w.app.login("admin@org-a.example", "wrong password!!", "203.0.113.9").await.unwrap_err();
    assert!(matches!(e, AppError::Unauthenticated(_)), "{e:?}");
    w.clock.advance(Duration::seconds(61));
    let again = w.app.login("admin@org-a.example", ADMIN_PASSWORD, "203.0.113.9").await.unwrap_err();
    let AppError::TooManyAttempts { retry_after_secs } = again else { panic!("{again:?}") };
    assert!((50..=120).contains(&retry_after_secs), "doubled back-off: {retry_after_secs}");
    w.clock.advance(Duration::seconds(61));
    w.app.login("admin@org-a.example", ADMIN_PASSWORD, "203.0.113.9").await.unwrap();
}

#[tokio::test]
async fn reminders_are_emailed_to_verified_admins_and_managers_only() {
    let sink = SmtpSink::start().await;
    let w = world_with(Some(&sink)).await;
    let a = org(&w.app, "org-a").await;
    // An invited manager who has not verified the address gets no e-mail.
    let invited = w.app.invite(&a, NewInvitation { email: "unverified@a.example".into(), role: Role::Manager }).await.unwrap();
    w.app.redeem_invitation(&token_of(&invited.link), "", REAL_PASSWORD, "10.0.0.1").await.unwrap();
    w.app
        .create_supplier(
            &a,
            crosswalk_app::suppliers::NewSupplier {
                name: "CloudCo".into(),
                services: String::new(),
                criticality: crosswalk_domain::suppliers::Criticality::Critical,
                contact: String::new(),
                clauses: vec![],
                next_review_on: Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()),
            },
        )
        .await
        .unwrap();
    assert!(w.app.run_due_jobs(10).await.unwrap() >= 1);
    let to_admin = sink.to("admin@org-a.example");
    assert_eq!(to_admin.len(), 1, "{to_admin:?}");
    assert!(
        to_admin[0].data.contains("CloudCo") && to_admin[0].data.contains("https://grc.test.example/suppliers/"),
        "{}",
        to_admin[0].data
    );
    assert!(sink.to("unverified@a.example").iter().all(|m| !m.data.contains("CloudCo")));
}

#[tokio::test]
async fn an_organisation_password_lists_only_its_own_organisation() {
    let w = world_with(None).await;
    let a = org(&w.app, "org-a").await;
    let b = org(&w.app, "org-b").await;
    for (admin, password) in [(&b, "squatter password 1"), (&a, REAL_PASSWORD)] {
        let i = w.app.invite(admin, NewInvitation { email: "hire@a.example".into(), role: Role::Viewer }).await.unwrap();
        w.app.redeem_invitation(&token_of(&i.link), "", password, "10.0.0.1").await.unwrap();
    }
    let squatter = w.app.login_into("hire@a.example", "squatter password 1", "10.0.0.2", Some("org-b")).await.unwrap();
    let listed: Vec<String> = w.app.my_tenants(&squatter.actor).await.unwrap().into_iter().map(|t| t.slug).collect();
    assert_eq!(listed, ["org-b"]);
}

#[tokio::test]
async fn an_organisation_sees_the_name_given_to_it_not_the_accounts_own() {
    let w = world_with(None).await;
    let a = org(&w.app, "org-a").await;
    let b = org(&w.app, "org-b").await;
    let op_a = w.app.operator("org-a").await.unwrap();
    w.app
        .add_member(
            &op_a,
            NewMember {
                email: "dana@a.example".into(),
                role: Role::Viewer,
                display_name: Some("Dana Secret-Name".into()),
                password: Some(REAL_PASSWORD.into()),
            },
        )
        .await
        .unwrap();
    let i = w.app.invite(&b, NewInvitation { email: "dana@a.example".into(), role: Role::Viewer }).await.unwrap();
    w.app.redeem_invitation(&token_of(&i.link), "Whoever", "b's chosen password", "10.0.0.1").await.unwrap();
    let seen_by_b = w.app.member_by_email(&b, "dana@a.example").await.unwrap();
    assert_eq!(seen_by_b.display_name, "Whoever");
    assert_eq!(w.app.member_by_email(&a, "dana@a.example").await.unwrap().display_name, "Dana Secret-Name");
    assert!(w.app.list_members(&b).await.unwrap().iter().all(|m| m.display_name != "Dana Secret-Name"));
}

/// The reviewer's route (a): B squats an address, renames itself like A and asks for a verification
/// e-mail, which the real person follows. Verifying always sets a password of the mailbox holder's
/// own, so B's password never becomes the account's and never opens A.
#[tokio::test]
async fn verification_never_turns_an_organisation_password_into_the_accounts() {
    let sink = SmtpSink::start().await;
    let w = world_with(Some(&sink)).await;
    let a = org(&w.app, "org-a").await;
    let b = org(&w.app, "org-b").await;
    w.app.rename_tenant(&b, "org-a Ltd").await.unwrap();
    let squat = w.app.invite(&b, NewInvitation { email: "newhire@a.example".into(), role: Role::Admin }).await.unwrap();
    let mallory = w.app.redeem_invitation(&token_of(&squat.link), "Mallory", SQUATTER_PASSWORD, "10.6.6.6").await.unwrap().login;
    w.app.request_verification(&mallory.actor).await.unwrap();
    let mail = sink.to("newhire@a.example").last().unwrap().data.clone();
    assert!(mail.contains("identifier: org-b"), "the mail names the organisation's identifier: {mail}");
    let token = sink.token("newhire@a.example", "verify-email").unwrap();
    // The real person clicks, and must choose a password: there is no way to keep B's.
    w.app.complete_verification(&token, REAL_PASSWORD).await.unwrap();
    assert!(w.app.login("newhire@a.example", SQUATTER_PASSWORD, "10.6.6.6").await.is_err());
    assert!(w.app.login_into("newhire@a.example", SQUATTER_PASSWORD, "10.6.6.6", Some("org-b")).await.is_err());
    // The real A invites and the person accepts into the (now their own) account.
    let real = w.app.invite(&a, NewInvitation { email: "newhire@a.example".into(), role: Role::Manager }).await.unwrap();
    let own = w.app.login("newhire@a.example", REAL_PASSWORD, "10.1.1.1").await.unwrap();
    w.app.accept_invitation(&own.actor, &token_of(&real.link), "10.1.1.1").await.unwrap();
    for org in [None, Some("org-a"), Some("org-b")] {
        assert!(w.app.login_into("newhire@a.example", SQUATTER_PASSWORD, "10.6.6.9", org).await.is_err(), "{org:?}");
    }
    // Verification mails are rate limited.
    for _ in 0..4 {
        w.app.request_verification(&own.actor).await.unwrap();
    }
    assert!(matches!(w.app.request_verification(&own.actor).await, Err(AppError::RateLimited(_))));
}

/// Every login costs exactly one password verification, and an organisation can be named.
#[tokio::test]
async fn naming_the_organisation_at_login_picks_where_an_account_lands() {
    let w = world_with(None).await;
    let a = org(&w.app, "org-a").await;
    let op_b = {
        w.app.create_tenant("org-b", "org-b Ltd").await.unwrap();
        w.app.operator("org-b").await.unwrap()
    };
    w.app
        .add_member(&op_b, NewMember { email: "admin@org-a.example".into(), role: Role::Viewer, display_name: None, password: None })
        .await
        .unwrap();
    let first = w.app.login("admin@org-a.example", ADMIN_PASSWORD, "10.0.0.1").await.unwrap();
    assert_eq!((first.actor.tenant_slug(), first.organisations), ("org-a", 2));
    let named = w.app.login_into("admin@org-a.example", ADMIN_PASSWORD, "10.0.0.1", Some("org-b")).await.unwrap();
    assert_eq!(named.actor.tenant_slug(), "org-b");
    assert_eq!(named.actor.role(), Role::Viewer);
    let unknown = w.app.login_into("admin@org-a.example", ADMIN_PASSWORD, "10.0.0.1", Some("no-such-org")).await;
    assert!(matches!(unknown, Err(AppError::Unauthenticated(_))));
    let _ = a;
}
