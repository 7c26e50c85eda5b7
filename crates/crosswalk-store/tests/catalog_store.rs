//! The catalog on both engines: bundled catalogs load once at migration, a document loads
//! all-or-nothing, and the same version with other content is refused.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there

use crosswalk_domain::catalog::{FrameworkDoc, MappingSetDoc, Provenance, RelationDoc, RelationType, RequirementDoc};
use crosswalk_store::repo::catalog::{self, Loaded, Scope};
use crosswalk_store::testing::TestDb;
use crosswalk_store::{StoreError, bundled};

fn newest(mut found: Vec<catalog::Framework>) -> catalog::Framework {
    assert!(!found.is_empty(), "framework not found");
    found.remove(0)
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z").unwrap().into()
}

fn tiny(version: &str, title: &str) -> FrameworkDoc {
    let req = |r: &str, parent: Option<&str>| RequirementDoc {
        reference: r.into(),
        parent: parent.map(Into::into),
        title: title.into(),
        text: None,
        assessable: parent.is_some(),
        withdrawn: false,
        aliases: vec![format!("urn:test:{r}")],
    };
    FrameworkDoc {
        slug: "tiny".into(),
        version: version.into(),
        name: "Tiny".into(),
        publisher: "Test".into(),
        source: "test".into(),
        terms: "test".into(),
        aliases: vec!["urn:test:framework:tiny".into()],
        requirements: vec![req("1", None), req("1.1", Some("1")), req("1.2", Some("1"))],
        profiles: vec![],
    }
}

#[tokio::test]
async fn bundled_catalogs_are_loaded_once_with_their_counts() {
    let db = TestDb::new().await;
    let store = &db.store;
    let frameworks = catalog::frameworks(&store, Scope::Shared).await.unwrap();
    assert_eq!(frameworks.len(), bundled::FRAMEWORKS.len());
    let iso = newest(catalog::frameworks_with_slug(&store, Scope::Shared, "iso27001-2022").await.unwrap());
    let counts = catalog::requirement_counts(&store, &[iso.id]).await.unwrap();
    assert!(counts[&iso.id].1 >= 93 + 20, "Annex A and clause leaves are assessable");
    let relations = catalog::graph_relations(&store, None).await.unwrap();
    assert!(relations.len() > 10_000, "{} relations", relations.len());

    // A second migration (every server start) adds nothing.
    store.migrate(&crosswalk_journal::MacKey::derive(&crosswalk_journal::generate_signing_key())).await.unwrap();
    assert_eq!(catalog::frameworks(&store, Scope::Shared).await.unwrap().len(), frameworks.len());
    assert_eq!(catalog::graph_relations(&store, None).await.unwrap().len(), relations.len());
    let sp = newest(catalog::frameworks_with_slug(&store, Scope::Shared, "nist-sp-800-53-r5").await.unwrap());
    let profiles = catalog::profiles(&store, Scope::Shared, sp.id).await.unwrap();
    assert_eq!(profiles.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>(), ["low", "moderate", "high", "privacy"]);
    assert_eq!(
        catalog::framework_by_alias(&store, Scope::Shared, "oscal-catalog:NIST_SP-800-53_rev5_catalog").await.unwrap().unwrap().id,
        sp.id
    );
}

/// Journal what `tx` wrote in each chain, then commit (the store refuses unjournaled rows).
async fn commit_journaled(db: &TestDb, tx: crosswalk_store::WriteTx, chains: &[uuid::Uuid]) {
    for chain in chains {
        let draft = crosswalk_store::journal::Draft::new("test", "catalog.load", "catalog", "test", serde_json::json!({}), now());
        crosswalk_store::journal::append(&tx, *chain, draft, &db.mac_key()).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn same_version_is_idempotent_and_other_content_is_refused() {
    let db = TestDb::new().await;
    let store = &db.store;
    let tx = store.begin_write().await.unwrap();
    let first = catalog::load_framework(&tx, &tiny("1", "a"), "h1", false, None, now()).await.unwrap();
    assert!(matches!(first, Loaded::Inserted(_)));
    assert_eq!(catalog::load_framework(&tx, &tiny("1", "a"), "h1", false, None, now()).await.unwrap(), Loaded::Unchanged(first.id()));
    let err = catalog::load_framework(&tx, &tiny("1", "b"), "h2", false, None, now()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(ref m) if m.contains("tiny@1")), "{err}");
    // A new version sits beside the old one.
    let second = catalog::load_framework(&tx, &tiny("2", "b"), "h2", false, None, now()).await.unwrap();
    commit_journaled(&db, tx, &[crosswalk_store::records::INSTALLATION]).await;
    assert_ne!(first.id(), second.id());
    assert_eq!(newest(catalog::frameworks_with_slug(&store, Scope::Shared, "tiny").await.unwrap()).version, "2");
    assert_eq!(catalog::requirements(&store, first.id()).await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_mapping_to_a_missing_requirement_rejects_the_whole_set() {
    let db = TestDb::new().await;
    let store = &db.store;
    let tx = store.begin_write().await.unwrap();
    catalog::load_framework(&tx, &tiny("1", "a"), "h1", false, None, now()).await.unwrap();
    commit_journaled(&db, tx, &[crosswalk_store::records::INSTALLATION]).await;
    let relation = |from: &str, to: &str| RelationDoc {
        from: from.into(),
        to: to.into(),
        relation: RelationType::Equal,
        strength: None,
        rationale: None,
        note: None,
    };
    let set = MappingSetDoc {
        slug: "tiny-to-iso".into(),
        name: "t".into(),
        from: tiny("1", "a").key(),
        to: crosswalk_domain::catalog::FrameworkKey { slug: "iso27001-2022".into(), version: "2022".into() },
        provenance: Provenance::User,
        source: String::new(),
        terms: String::new(),
        relations: vec![relation("1.1", "A.8.8"), relation("1.2", "A.9.9")],
    };
    let before = catalog::graph_relations(&store, None).await.unwrap().len();
    let tx = store.begin_write().await.unwrap();
    let err = catalog::load_mapping_set(&tx, &set, None, "m1", now()).await.unwrap_err();
    drop(tx);
    assert_eq!(err.to_string(), "relations: relations[1]: to requirement 'A.9.9' does not exist in iso27001-2022@2022");
    assert_eq!(catalog::graph_relations(&store, None).await.unwrap().len(), before, "nothing half-written");
}

/// Two organisations may own the same slug and version, each seeing only its own and the shared
/// catalog; the shared catalog keeps one row per slug and version.
#[tokio::test]
async fn organisations_own_frameworks_independently() {
    let db = TestDb::new().await;
    let store = &db.store;
    let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let tx = store.begin_write().await.unwrap();
    crosswalk_store::journal::init_head(&tx, a).await.unwrap();
    crosswalk_store::journal::init_head(&tx, b).await.unwrap();
    let in_a = catalog::load_framework(&tx, &tiny("1", "a"), "ha", false, Some(a), now()).await.unwrap();
    let in_b = catalog::load_framework(&tx, &tiny("1", "b"), "hb", false, Some(b), now()).await.unwrap();
    assert_ne!(in_a.id(), in_b.id());
    let shared = catalog::load_framework(&tx, &tiny("1", "s"), "hs", false, None, now()).await.unwrap();
    let err = catalog::load_framework(&tx, &tiny("1", "t"), "ht", false, None, now()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    commit_journaled(&db, tx, &[a, b, crosswalk_store::records::INSTALLATION]).await;
    let seen = |scope| async move {
        catalog::frameworks_with_slug(&store, scope, "tiny").await.unwrap().into_iter().map(|f| f.id).collect::<Vec<_>>()
    };
    assert_eq!(seen(Scope::Organisation(a)).await, [shared.id(), in_a.id()]);
    assert_eq!(seen(Scope::Organisation(b)).await, [shared.id(), in_b.id()]);
    assert_eq!(seen(Scope::Shared).await, [shared.id()]);
    // An exact key prefers the organisation's own row; an alias prefers the shared one.
    assert_eq!(catalog::framework_by_key(&store, Scope::Organisation(a), "tiny", "1").await.unwrap().unwrap().id, in_a.id());
    let by_alias = catalog::framework_by_alias(&store, Scope::Organisation(a), "urn:test:framework:tiny").await.unwrap().unwrap();
    assert_eq!(by_alias.id, shared.id());
    assert!(catalog::framework_by_id(&store, Scope::Organisation(b), in_a.id()).await.unwrap().is_none());
}
