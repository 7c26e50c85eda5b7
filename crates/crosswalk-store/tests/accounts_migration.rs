//! The accounts migration (issue 11) on accounts made under the old rules, where an admin of any
//! organisation could pre-register an address with a password of its choosing and a later
//! organisation's membership was attached by matching the address. Nothing is grandfathered as
//! verified: the password opens only the organisation that created the account; the membership
//! attached later opens with nothing until the operator issues a verification link.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there

use crosswalk_store::entities::{membership, tenant_credential, user};
use crosswalk_store::migration::Migrator;
use crosswalk_store::testing::TestDb;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, EntityTrait};
use sea_orm_migration::MigratorTrait;

/// The last migration before accounts.
const BEFORE_ACCOUNTS: u32 = 8;

fn at(day: u32) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(&format!("2026-11-{day:02}T10:00:00Z")).unwrap().into()
}

async fn insert(db: &impl ConnectionTrait, table: &str, cols: &[&str], values: Vec<sea_orm::Value>) {
    let q = Query::insert()
        .into_table(Alias::new(table))
        .columns(cols.iter().map(|c| Alias::new(*c)))
        .values_panic(values.into_iter().map(Into::into))
        .to_owned();
    db.execute(db.get_database_backend().build(&q)).await.unwrap();
}

#[tokio::test]
async fn old_passwords_open_only_the_organisation_that_created_the_account() {
    let db = TestDb::empty().await;
    let conn = db.raw();
    Migrator::up(conn, Some(BEFORE_ACCOUNTS)).await.unwrap();
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    for (id, slug) in [(a, "org-a"), (b, "org-b")] {
        insert(conn, "tenants", &["id", "slug", "name", "created_at"], vec![id.into(), slug.into(), slug.into(), at(1).into()]).await;
    }
    // B pre-registered newhire@a.example with its password; A's membership was attached later.
    let squatted = uuid::Uuid::new_v4();
    let loner = uuid::Uuid::new_v4();
    for (id, email, hash) in [(squatted, "newhire@a.example", "$argon2id$b-chose-this"), (loner, "solo@a.example", "$argon2id$solo")] {
        insert(
            conn,
            "users",
            &["id", "email", "display_name", "password_hash", "created_at"],
            vec![id.into(), email.into(), "Name".into(), Some(hash.to_owned()).into(), at(2).into()],
        )
        .await;
    }
    for (tenant, user_id, day) in [(b, squatted, 3), (a, squatted, 5), (a, loner, 4)] {
        insert(
            conn,
            "memberships",
            &["tenant_id", "user_id", "role", "disabled", "created_at"],
            vec![tenant.into(), user_id.into(), "manager".into(), false.into(), at(day).into()],
        )
        .await;
    }
    db.store.migrate(&db.mac_key()).await.unwrap();

    let credentials = tenant_credential::Entity::find().all(conn).await.unwrap();
    let of =
        |u: uuid::Uuid| credentials.iter().filter(|c| c.user_id == u).map(|c| (c.tenant_id, c.password_hash.as_str())).collect::<Vec<_>>();
    assert_eq!(of(squatted), [(b, "$argon2id$b-chose-this")], "B's password opens B only");
    assert_eq!(of(loner), [(a, "$argon2id$solo")], "a one-organisation account logs in as before");
    for u in user::Entity::find().all(conn).await.unwrap() {
        assert!(u.password_hash.is_none() && u.email_verified_at.is_none(), "nobody is grandfathered as verified: {u:?}");
    }
    assert!(membership::Entity::find().all(conn).await.unwrap().iter().all(|m| !m.account_accepted));
}
