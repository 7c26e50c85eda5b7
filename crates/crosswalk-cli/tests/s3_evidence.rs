//! Evidence on S3-compatible storage through the real binary (`--blob-store s3://bucket/prefix`):
//! upload, deep verification, an auditor pack and a backup holding the file, blob upkeep listing the
//! bucket; and a store that is down failing the upload with one clear line and no record. The S3 story
//! needs `CROSSWALK_TEST_S3_ENDPOINT` (moto, started by `scripts/test.sh`); the down store does not.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use std::io::Read as _;
use std::process::{Command, Output};

use crosswalk_store::blob_store::s3;
use sha2::Digest as _;
use support::{Env, assert_error, stderr, stdout};

fn json_of(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// `env`'s command on the S3 store `url` at `endpoint` (credentials from the environment, as in production).
fn on_s3(env: &Env, url: &str, endpoint: &str, args: &[&str]) -> Output {
    let mut c: Command = env.command(&["--blob-store", url]);
    c.args(args)
        .env("CROSSWALK_S3_ENDPOINT", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("CROSSWALK_BLOB_STORE");
    c.output().unwrap()
}

#[tokio::test]
async fn evidence_on_s3_is_uploaded_verified_packed_backed_up_and_kept_by_gc() {
    let Some(settings) = s3::test_settings().await else {
        eprintln!("CROSSWALK_TEST_S3_ENDPOINT is not set: evidence on S3 is not tested here");
        return;
    };
    let endpoint = settings.endpoint.clone().unwrap();
    let url = settings.url();
    let env = Env::new().await;
    let run = |args: &[&str]| on_s3(&env, &url, &endpoint, args);
    assert!(run(&["tenant", "create", "acme", "--name", "Acme Ltd"]).status.success());
    assert!(run(&["framework", "follow", "--tenant", "acme", "--framework", "iso27001-2022"]).status.success());
    let control =
        json_of(&run(&["--format", "json", "control", "create", "--tenant", "acme", "--name", "Backups", "--status", "implemented"]))["id"]
            .as_str()
            .unwrap()
            .to_owned();
    assert!(run(&["control", "link", "--tenant", "acme", &control, "--framework", "iso27001-2022", "--ref", "A.8.13"]).status.success());

    // Larger than one multipart part, so the upload is streamed in parts.
    let content: Vec<u8> = (0..s3::PART_SIZE + 100_000).map(|i| (i % 251) as u8).collect();
    let sha = hex::encode(sha2::Sha256::digest(&content));
    let file = env.data_dir.join("restore-test.bin");
    std::fs::write(&file, &content).unwrap();
    let added = json_of(&run(&["--format", "json", "evidence", "add", "--tenant", "acme", file.to_str().unwrap(), "--control", &control]));
    assert_eq!(added["sha256"], sha.as_str());
    assert!(!env.data_dir.join("blobs").exists(), "nothing went to the local file store");

    // Deep verification downloads and re-hashes the object.
    let r = json_of(&run(&["--format", "json", "journal", "verify", "--deep", "--tenant", "acme"]));
    assert_eq!((r["ok"].clone(), r["record_problem_count"].clone()), (true.into(), 0.into()), "{r}");

    // The auditor pack carries the file, byte for byte.
    let pack = env.data_dir.join("acme.zip");
    let o = run(&["pack", "--tenant", "acme", "--framework", "iso27001-2022", "-o", pack.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&pack).unwrap()).unwrap();
    let mut packed = Vec::new();
    zip.by_name(&format!("evidence/{sha}")).unwrap().read_to_end(&mut packed).unwrap();
    assert!(packed == content, "the packed evidence differs from the upload");
    let key = env.data_dir.join("key.pem");
    std::fs::write(&key, stdout(&run(&["journal", "public-key"]))).unwrap();
    let o = run(&["verify", pack.to_str().unwrap(), "--public-key", key.to_str().unwrap()]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));

    // A backup reads the file from the bucket too.
    let backup = env.data_dir.join("site.backup");
    let o = run(&["--format", "json", "backup", "-o", backup.to_str().unwrap()]);
    let summary = json_of(&o);
    assert_eq!((summary["files"].clone(), summary["file_bytes"].clone()), (1.into(), (content.len() as u64).into()), "{summary}");

    // A refused upload leaves no object; upkeep lists the bucket and keeps the evidence file.
    let other = env.data_dir.join("other.txt");
    std::fs::write(&other, b"refused bytes").unwrap();
    let o = run(&["evidence", "add", "--tenant", "acme", other.to_str().unwrap(), "--control", "00000000-0000-7000-8000-000000000000"]);
    assert!(!o.status.success());
    let gc = json_of(&run(&["--format", "json", "blobs", "gc", "--dry-run"]));
    assert_eq!((gc["kept"].clone(), gc["removed"].as_array().map(Vec::len)), (1.into(), Some(0)), "{gc}");
    env.cleanup().await;
}

#[tokio::test]
async fn an_s3_store_that_is_down_fails_the_upload_with_one_line_and_leaves_no_record() {
    let env = Env::new().await;
    // Port 1 on the loopback address: nothing listens there.
    let run = |args: &[&str]| on_s3(&env, "s3://evidence/acme", "http://127.0.0.1:1", args);
    assert!(run(&["tenant", "create", "acme", "--name", "Acme Ltd"]).status.success(), "no upload, no contact with the store");
    let file = env.data_dir.join("scan.txt");
    std::fs::write(&file, b"scan of 2026-11-20: 0 critical findings").unwrap();
    let o = run(&["evidence", "add", "--tenant", "acme", file.to_str().unwrap()]);
    assert_error(&o, 2, "evidence store s3://evidence/acme is unreachable: ");
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    let listed = json_of(&run(&["--format", "json", "evidence", "list", "--tenant", "acme"]));
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed}");
    let r = json_of(&run(&["--format", "json", "journal", "verify", "--tenant", "acme"]));
    assert_eq!(r["ok"], true, "{r}");
    env.cleanup().await;
}
