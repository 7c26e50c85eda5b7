//! The app on S3-compatible storage (moto in CI; skipped without `CROSSWALK_TEST_S3_ENDPOINT`): evidence
//! uploaded and read back, deep verification naming an object that was replaced or deleted in the
//! bucket, and blob upkeep removing only objects no evidence refers to.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
use chrono::{TimeZone, Utc};
use crosswalk_app::evidence::NewEvidence;
use crosswalk_app::users::NewMember;
use crosswalk_app::{App, AppConfig, FixedClock, PasswordCost};
use crosswalk_domain::Role;
use crosswalk_store::blob_store::{BlobStore, S3BlobStore, s3};
use crosswalk_store::testing::TestDb;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt as _;

#[tokio::test]
async fn evidence_in_a_bucket_is_read_back_verified_and_collected() {
    let Some(settings) = s3::test_settings().await else {
        eprintln!("CROSSWALK_TEST_S3_ENDPOINT is not set: the app on S3 is not tested here");
        return;
    };
    let bucket = BlobStore::S3(S3BlobStore::new(&settings).unwrap());
    let db = TestDb::new().await;
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap()));
    let unused_dir = std::env::temp_dir().join(format!("cw-s3-unused-{}", uuid::Uuid::now_v7()));
    let config = AppConfig {
        password_cost: PasswordCost::InsecureFastForTests,
        blob_dir: unused_dir.clone(),
        blob_store: Some(bucket.clone()),
        ..AppConfig::default()
    };
    let app = App::new(db.store.clone(), clock, db.key.clone(), config);
    app.create_tenant("acme", "Acme").await.unwrap();
    let op = app.operator("acme").await.unwrap();
    app.add_member(
        &op,
        NewMember {
            email: "m@acme.example".into(),
            role: Role::Manager,
            display_name: None,
            password: Some("a-long-enough-password".into()),
        },
    )
    .await
    .unwrap();
    let manager = app.login("m@acme.example", "a-long-enough-password", "127.0.0.1").await.unwrap().actor;

    let mut ids = Vec::new();
    for text in ["policy v1", "scan of 2026-11-20", "restore test"] {
        let blob = app.store_blob(&manager, text.as_bytes()).await.unwrap();
        ids.push((
            app.add_evidence(&manager, NewEvidence { name: text.into(), ..Default::default() }, Some(blob.clone())).await.unwrap().id,
            blob.sha256,
        ));
    }
    let (_, mut reader) = app.evidence_file(&manager, ids[0].0).await.unwrap();
    let mut back = String::new();
    reader.read_to_string(&mut back).await.unwrap();
    assert_eq!(back, "policy v1");
    assert!(!unused_dir.exists(), "nothing went to the local directory");

    let r = app.verify_journal_with(&op, false, true).await.unwrap();
    assert!(r.ok && r.files_checked == 3, "{:?}", r.record_problems);

    // Someone with access to the bucket replaces one object and deletes another: both are named.
    bucket.remove(&ids[1].1).await.unwrap();
    let replaced = bucket.put(&b"forged"[..]).await.unwrap();
    // The store itself only writes content at its own address; forging takes a raw write (moto lets
    // an unsigned request create a key, not overwrite one).
    bucket.remove(&ids[2].1).await.unwrap();
    let endpoint = settings.endpoint.clone().unwrap();
    raw_put(&endpoint, &format!("{}/{}/{}/{}", settings.bucket, settings.prefix, &ids[2].1[..2], ids[2].1), b"forged").await;
    let r = app.verify_journal_with(&op, false, true).await.unwrap();
    assert!(!r.ok);
    let named = |kind: &str, sha: &str| r.record_problems.iter().any(|p| p.kind == kind && p.id == sha);
    assert!(named("file_missing", &ids[1].1), "{:?}", r.record_problems);
    assert!(named("file_altered", &ids[2].1), "{:?}", r.record_problems);
    assert_eq!(r.record_problems.len(), 2, "{:?}", r.record_problems);

    // Upkeep: the forged object no evidence refers to goes; every referenced one stays.
    let dry = app.gc_blobs_older_than(true, Duration::ZERO).await.unwrap();
    assert_eq!(dry.removed.iter().map(|b| b.sha256.as_str()).collect::<Vec<_>>(), [replaced.sha256.as_str()]);
    let gc = app.gc_blobs_older_than(false, Duration::ZERO).await.unwrap();
    assert_eq!((gc.removed.len(), gc.kept), (1, 2));
    assert!(bucket.files().await.unwrap().iter().all(|f| f.sha256 != replaced.sha256));
    assert!(app.gc_blobs(false).await.unwrap().removed.is_empty(), "the default grace keeps young objects");
}

/// An object written by hand (moto does not check signatures): what someone with bucket access can do.
async fn raw_put(endpoint: &str, key: &str, body: &[u8]) {
    use tokio::io::AsyncWriteExt as _;
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!("PUT /{key} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{key}: {response}");
}
