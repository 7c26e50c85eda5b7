//! App-layer stories on a real database (SQLite, or PostgreSQL with CROSSWALK_TEST_DATABASE_URL):
//! authentication, authorisation, tenant isolation, journaling of every mutation, checkpoints.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
use chrono::{Duration, TimeZone, Utc};
use crosswalk_app::users::{MemberChange, NewMember};
use crosswalk_app::{Actor, App, AppConfig, AppError, FixedClock, PasswordCost};
use crosswalk_domain::{Role, TokenId, UserId};
use crosswalk_store::testing::TestDb;
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery staple";

struct World {
    _db: TestDb,
    app: App,
    clock: Arc<FixedClock>,
}

async fn world_with(config: AppConfig) -> World {
    let db = TestDb::new().await;
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()));
    let app = App::new(db.store.clone(), clock.clone(), db.key.clone(), config);
    World { _db: db, app, clock }
}

async fn world() -> World {
    world_with(AppConfig { password_cost: PasswordCost::InsecureFastForTests, ..AppConfig::default() }).await
}

/// Create a tenant with one member per role; returns the operator and each member's actor.
async fn org(app: &App, slug: &str) -> (Actor, Vec<(Role, Actor)>) {
    app.create_tenant(slug, &format!("{slug} Ltd")).await.unwrap();
    let op = app.operator(slug).await.unwrap();
    let mut actors = Vec::new();
    for role in Role::ALL {
        let email = format!("{role}@{slug}.example");
        app.add_member(&op, NewMember { email: email.clone(), role, display_name: None, password: Some(PASSWORD.into()) }).await.unwrap();
        let outcome = app.login(&email, PASSWORD, "10.0.0.1").await.unwrap();
        actors.push((role, outcome.actor));
    }
    (op, actors)
}

fn actor(actors: &[(Role, Actor)], role: Role) -> Actor {
    actors.iter().find(|(r, _)| *r == role).map(|(_, a)| a.clone()).unwrap()
}

#[tokio::test]
async fn wrong_password_and_unknown_account_fail_alike() {
    let w = world().await;
    org(&w.app, "acme").await;
    let a = w.app.login("admin@acme.example", "wrong password!!", "10.0.0.2").await.unwrap_err();
    let b = w.app.login("nobody@acme.example", PASSWORD, "10.0.0.2").await.unwrap_err();
    assert!(matches!(a, AppError::Unauthenticated(_)));
    assert_eq!(a.to_string(), b.to_string(), "the message must not reveal which part was wrong");
}

#[tokio::test]
async fn one_client_spraying_many_accounts_is_capped_without_locking_anyone_out() {
    let w =
        world_with(AppConfig { password_cost: PasswordCost::InsecureFastForTests, login_max_per_client: 8, ..AppConfig::default() }).await;
    org(&w.app, "acme").await;
    for who in ["admin", "manager", "auditor", "contributor"] {
        for _ in 0..2 {
            assert!(matches!(
                w.app.login(&format!("{who}@acme.example"), "wrong password!!", "10.0.0.3").await,
                Err(AppError::Unauthenticated(_))
            ));
        }
    }
    // That client has reached the cap across addresses …
    assert!(matches!(w.app.login("viewer@acme.example", PASSWORD, "10.0.0.3").await, Err(AppError::TooManyAttempts { .. })));
    // … the accounts have not: the right password from elsewhere works.
    w.app.login("admin@acme.example", PASSWORD, "10.0.0.4").await.unwrap();
    // The window passes.
    w.clock.advance(Duration::minutes(61));
    w.app.login("admin@acme.example", PASSWORD, "10.0.0.3").await.unwrap();
}

#[tokio::test]
async fn sessions_rotate_on_login_and_expire() {
    let w = world().await;
    org(&w.app, "acme").await;
    let s1 = w.app.login("admin@acme.example", PASSWORD, "10.0.0.1").await.unwrap().session;
    let s2 = w.app.login("admin@acme.example", PASSWORD, "10.0.0.1").await.unwrap().session;
    assert_ne!(s1.secret, s2.secret, "every login gets a new session id");
    assert_ne!(s1.csrf_token, s2.csrf_token);
    let (actor, csrf) = w.app.resolve_session(&s1.secret).await.unwrap().unwrap();
    assert_eq!(actor.role(), Role::Admin);
    assert_eq!(csrf, s1.csrf_token);
    // Idle expiry (8 h by default).
    w.clock.advance(Duration::hours(9));
    assert!(w.app.resolve_session(&s1.secret).await.unwrap().is_none());
    assert!(w.app.resolve_session("not-a-session").await.unwrap().is_none());
}

#[tokio::test]
async fn active_sessions_still_end_at_the_absolute_limit() {
    let w = world().await;
    org(&w.app, "acme").await;
    let s = w.app.login("admin@acme.example", PASSWORD, "10.0.0.1").await.unwrap().session;
    for _ in 0..5 {
        w.clock.advance(Duration::hours(5));
        let alive = w.app.resolve_session(&s.secret).await.unwrap().is_some();
        if !alive {
            return;
        }
    }
    panic!("a session used every 5 hours must still end after 24 hours");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let w = world().await;
    org(&w.app, "acme").await;
    let o = w.app.login("admin@acme.example", PASSWORD, "10.0.0.1").await.unwrap();
    w.app.logout(&o.actor, &o.session.secret).await.unwrap();
    assert!(w.app.resolve_session(&o.session.secret).await.unwrap().is_none());
}

#[tokio::test]
async fn tokens_resolve_until_revoked_and_are_stored_hashed() {
    let w = world().await;
    let (_, people) = org(&w.app, "acme").await;
    let manager = actor(&people, Role::Manager);
    let created = w.app.create_token(&manager, None, "ci").await.unwrap();
    assert!(created.secret.starts_with("cwt_"));
    assert_eq!(w.app.resolve_token(&created.secret).await.unwrap().role(), Role::Manager);
    let listed = w.app.list_tokens(&manager).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!serde_json::to_string(&listed).unwrap().contains(&created.secret[4..]), "the secret is never listed");
    w.app.revoke_token(&manager, TokenId(created.token.id)).await.unwrap();
    assert!(matches!(w.app.resolve_token(&created.secret).await, Err(AppError::Unauthenticated(_))));
}

#[tokio::test]
async fn roles_are_enforced_in_the_app_layer() {
    let w = world().await;
    let (_, people) = org(&w.app, "acme").await;
    let viewer = actor(&people, Role::Viewer);
    let manager = actor(&people, Role::Manager);
    let new = || NewMember { email: "new@acme.example".into(), role: Role::Viewer, display_name: None, password: Some(PASSWORD.into()) };
    assert!(matches!(w.app.add_member(&manager, new()).await, Err(AppError::Forbidden(_))));
    assert!(matches!(w.app.create_token(&viewer, None, "x").await, Err(AppError::Forbidden(_))));
    assert!(matches!(w.app.journal_entries(&viewer, None, 10).await, Err(AppError::Forbidden(_))));
    assert!(matches!(w.app.rename_tenant(&manager, "X").await, Err(AppError::Forbidden(_))));
    let auditor = actor(&people, Role::Auditor);
    assert!(w.app.verify_journal(&auditor, false).await.unwrap().ok);
}

#[tokio::test]
async fn another_tenants_objects_are_not_found() {
    let w = world().await;
    let (_, acme) = org(&w.app, "acme").await;
    let (_, globex) = org(&w.app, "globex").await;
    let acme_admin = actor(&acme, Role::Admin);
    let globex_admin = actor(&globex, Role::Admin);
    let globex_viewer = actor(&globex, Role::Viewer).user().unwrap();
    let globex_token = w.app.create_token(&globex_admin, None, "theirs").await.unwrap();
    assert!(matches!(w.app.get_member(&acme_admin, globex_viewer).await, Err(AppError::NotFound(_))));
    assert!(matches!(
        w.app.change_member(&acme_admin, globex_viewer, MemberChange { role: Some(Role::Admin), disabled: None }).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(w.app.remove_member(&acme_admin, globex_viewer).await, Err(AppError::NotFound(_))));
    assert!(matches!(w.app.revoke_token(&acme_admin, TokenId(globex_token.token.id)).await, Err(AppError::NotFound(_))));
    assert!(matches!(w.app.create_token(&acme_admin, Some(globex_viewer), "x").await, Err(AppError::NotFound(_))));
    assert!(w.app.list_members(&acme_admin).await.unwrap().iter().all(|m| m.email.ends_with("@acme.example")));
    // The other tenant's token still works: nothing was changed.
    assert!(w.app.resolve_token(&globex_token.secret).await.is_ok());
}

#[tokio::test]
async fn one_person_can_belong_to_two_tenants() {
    let w = world().await;
    let (_, acme) = org(&w.app, "acme").await;
    w.app.create_tenant("globex", "Globex").await.unwrap();
    let gop = w.app.operator("globex").await.unwrap();
    // Existing account: no password needed, and their password is unchanged.
    w.app
        .add_member(&gop, NewMember { email: "auditor@acme.example".into(), role: Role::Auditor, display_name: None, password: None })
        .await
        .unwrap();
    let auditor = actor(&acme, Role::Auditor);
    let tenants = w.app.my_tenants(&auditor).await.unwrap();
    assert_eq!(tenants.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(), ["acme", "globex"]);
    w.app.login("auditor@acme.example", PASSWORD, "10.0.0.1").await.unwrap();
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed_or_demoted() {
    let w = world().await;
    let (_, people) = org(&w.app, "acme").await;
    let admin = actor(&people, Role::Admin);
    let me = admin.user().unwrap();
    assert!(matches!(
        w.app.change_member(&admin, me, MemberChange { role: Some(Role::Viewer), disabled: None }).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(w.app.remove_member(&admin, me).await, Err(AppError::Conflict(_))));
    // Promote someone else; then demotion is fine.
    let manager = actor(&people, Role::Manager).user().unwrap();
    w.app.change_member(&admin, manager, MemberChange { role: Some(Role::Admin), disabled: None }).await.unwrap();
    w.app.change_member(&admin, me, MemberChange { role: Some(Role::Viewer), disabled: None }).await.unwrap();
}

#[tokio::test]
async fn disabling_a_member_ends_sessions_and_tokens() {
    let w = world().await;
    let (_, people) = org(&w.app, "acme").await;
    let admin = actor(&people, Role::Admin);
    let c = w.app.login("contributor@acme.example", PASSWORD, "10.0.0.1").await.unwrap();
    let token = w.app.create_token(&c.actor, None, "mine").await.unwrap();
    w.app.change_member(&admin, c.actor.user().unwrap(), MemberChange { role: None, disabled: Some(true) }).await.unwrap();
    assert!(w.app.resolve_session(&c.session.secret).await.unwrap().is_none());
    assert!(w.app.resolve_token(&token.secret).await.is_err());
    assert!(w.app.login("contributor@acme.example", PASSWORD, "10.0.0.1").await.is_err());
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let w = world().await;
    let (op, people) = org(&w.app, "acme").await;
    let admin = actor(&people, Role::Admin);
    let head = w.app.journal_head(&admin).await.unwrap();
    let cases = [
        (NewMember { email: "not-an-email".into(), role: Role::Viewer, display_name: None, password: Some(PASSWORD.into()) }, "email"),
        (
            NewMember { email: "short@acme.example".into(), role: Role::Viewer, display_name: None, password: Some("short".into()) },
            "password",
        ),
        (NewMember { email: "nopass@acme.example".into(), role: Role::Viewer, display_name: None, password: None }, "password"),
    ];
    for (input, field) in cases {
        match w.app.add_member(&op, input).await {
            Err(AppError::Invalid(v)) => assert_eq!(v.field, field),
            other => panic!("expected a validation error on {field}, got {other:?}"),
        }
    }
    assert!(matches!(
        w.app
            .add_member(&op, NewMember { email: "viewer@acme.example".into(), role: Role::Viewer, display_name: None, password: None })
            .await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(w.app.create_tenant("acme", "Again").await, Err(AppError::Conflict(_))));
    assert!(matches!(w.app.create_tenant("Bad Slug", "X").await, Err(AppError::Invalid(v)) if v.field == "slug"));
    assert_eq!(w.app.journal_head(&admin).await.unwrap(), head, "failed calls journal nothing");
    assert_eq!(w.app.list_members(&admin).await.unwrap().len(), 5);
}

#[tokio::test]
async fn every_mutation_is_journaled_and_the_chain_verifies() {
    let w = world().await;
    let (_, people) = org(&w.app, "acme").await;
    let admin = actor(&people, Role::Admin);
    let before = w.app.journal_head(&admin).await.unwrap();
    let t = w.app.create_token(&admin, None, "t").await.unwrap();
    w.app.revoke_token(&admin, TokenId(t.token.id)).await.unwrap();
    w.app.rename_tenant(&admin, "Acme Holdings").await.unwrap();
    let viewer: UserId = actor(&people, Role::Viewer).user().unwrap();
    w.app.change_member(&admin, viewer, MemberChange { role: Some(Role::Auditor), disabled: None }).await.unwrap();
    w.app.remove_member(&admin, viewer).await.unwrap();
    let entries = w.app.journal_entries(&admin, None, 5).await.unwrap();
    let actions: Vec<_> = entries.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["token.create", "token.revoke", "tenant.rename", "member.change", "member.remove"]);
    assert_eq!(w.app.journal_head(&admin).await.unwrap(), before + 5);
    assert!(entries.iter().all(|e| e.actor.contains("admin@acme.example")));
    let report = w.app.verify_journal(&admin, true).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.checkpoint_signed_at_seq, Some(report.head_seq));
}

#[tokio::test]
async fn checkpoints_are_signed_periodically_and_catch_a_rewritten_head() {
    let w = world_with(AppConfig { password_cost: PasswordCost::InsecureFastForTests, checkpoint_every: 4, ..AppConfig::default() }).await;
    let (op, people) = org(&w.app, "acme").await;
    let admin = actor(&people, Role::Admin);
    let report = w.app.verify_journal(&op, false).await.unwrap();
    assert!(report.ok);
    assert!(report.checkpoints_verified >= 2, "{report:?}");
    // An attacker deletes the newest entries AND rewinds the head row: the chain alone looks fine,
    // but a signed checkpoint names an entry that is gone.
    use crosswalk_store::entities::{journal_entry as je, journal_head as jh};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = w._db.raw();
    let tenant = admin.tenant().0;
    je::Entity::delete_many().filter(je::Column::TenantId.eq(tenant)).filter(je::Column::Seq.gt(5)).exec(db).await.unwrap();
    let e5 = crosswalk_store::journal::get(db, tenant, 5).await.unwrap().unwrap();
    jh::Entity::update_many()
        .col_expr(jh::Column::Seq, 5i64.into())
        .col_expr(jh::Column::Hash, e5.hash.into())
        .filter(jh::Column::TenantId.eq(tenant))
        .exec(db)
        .await
        .unwrap();
    let report = w.app.verify_journal(&op, false).await.unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad_seq, Some(8), "{report:?}");
    assert!(report.problem.unwrap().contains("checkpoint at entry 8"));
}

#[tokio::test]
async fn demo_is_idempotent() {
    let w = world().await;
    let first = w.app.ensure_demo().await.unwrap();
    let second = w.app.ensure_demo().await.unwrap();
    assert!(first.created && !second.created);
    let o = w.app.login(&first.email, &first.password, "127.0.0.1").await.unwrap();
    assert_eq!(o.actor.tenant_name(), "Acme Demo");
    assert_eq!(w.app.list_members(&o.actor).await.unwrap().len(), 5);
}
