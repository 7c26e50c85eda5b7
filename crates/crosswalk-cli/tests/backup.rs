//! `crosswalk backup` and `crosswalk restore` across engines, as an operator moving an installation:
//! the run on SQLite restores into PostgreSQL, the run on PostgreSQL into SQLite, so CI covers both
//! directions. After a restore on "another machine" (a new data directory) the journal heads are
//! identical and `journal verify --deep` passes, with the signing key adopted or brought back.
//! Bad input — a truncated file, a newer schema, a non-empty target, a wrong passphrase, a row
//! changed inside the backup — is refused with a clear error and changes nothing.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use crosswalk_store::testing::{create_postgres_database, drop_postgres_database, test_postgres_url};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;
use support::*;

/// A second installation on the other engine, on its own data directory (another machine).
struct Other {
    data_dir: PathBuf,
    url: String,
    pg: Option<(String, String)>,
}

impl Other {
    async fn new(source_is_postgres: bool) -> Other {
        let data_dir = std::env::temp_dir().join(format!("crosswalk-restore-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&data_dir).unwrap();
        if source_is_postgres {
            let url = format!("sqlite://{}?mode=rwc", data_dir.join("crosswalk.db").display());
            Other { data_dir, url, pg: None }
        } else {
            let admin = test_postgres_url().unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
            let name = format!("cw_test_{}", uuid::Uuid::new_v4().simple());
            let url = create_postgres_database(&admin, &name).await.unwrap();
            Other { data_dir, url, pg: Some((admin, name)) }
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"));
        c.args(["--data-dir", self.data_dir.to_str().unwrap(), "--database-url", &self.url]).args(args);
        c.env_remove("CROSSWALK_DATABASE_URL").env_remove("CROSSWALK_DATA_DIR").env_remove("CROSSWALK_BACKUP_PASSPHRASE");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }

    async fn cleanup(self) {
        if let Some((admin, name)) = &self.pg {
            drop_postgres_database(admin, name).await.unwrap();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn json_of(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// (head seq, head hash) of the chain `journal verify` reports, after a deep verification passed.
fn deep_head(run: impl Fn(&[&str]) -> Output, chain: &[&str]) -> (i64, String) {
    let mut args = vec!["--format", "json", "journal", "verify", "--deep"];
    args.extend_from_slice(chain);
    let r = json_of(&run(&args));
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["record_problem_count"], 0, "{r}");
    (r["head_seq"].as_i64().unwrap(), r["head_hash"].as_str().unwrap().to_owned())
}

/// A copy of the zip `from` with `entry` rewritten by `change`.
fn rewrite_entry(from: &Path, to: &Path, entry: &str, change: impl Fn(Vec<u8>) -> Vec<u8>) {
    let mut src = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().to_owned();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name == entry {
            bytes = change(bytes);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
}

#[tokio::test]
async fn backup_restores_across_engines_with_identical_heads() {
    let env = Env::new().await;
    let source_is_postgres = env.database_url.starts_with("postgres");
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme Ltd"]).status.success());
    assert!(env.run(&["framework", "follow", "--tenant", "acme", "--framework", "iso27001-2022"]).status.success());
    let control = json_of(&env.run(&[
        "--format",
        "json",
        "control",
        "create",
        "--tenant",
        "acme",
        "--name",
        "Backups",
        "--status",
        "implemented",
    ]))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        env.run(&["control", "link", "--tenant", "acme", &control, "--framework", "iso27001-2022", "--ref", "A.8.13"]).status.success()
    );
    let report = env.data_dir.join("restore-test.txt");
    std::fs::write(&report, b"quarterly restore test: 42 files restored, checksums match").unwrap();
    let o = env.run(&["evidence", "add", "--tenant", "acme", report.to_str().unwrap(), "--name", "Restore test", "--control", &control]);
    assert!(o.status.success(), "{}", stderr(&o));
    let readiness_before =
        json_of(&env.run(&["--format", "json", "readiness", "--tenant", "acme", "--framework", "iso27001-2022"]))["summary"].clone();
    let acme_head = deep_head(|a| env.run(a), &["--tenant", "acme"]);
    let inst_head = deep_head(|a| env.run(a), &["--installation"]);

    // Without the key: the backup's public key is adopted on the other machine.
    let backup = env.data_dir.join("site.backup");
    let o = env.run(&["backup", "-o", backup.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("public only"), "{}", stdout(&o));

    let other = Other::new(source_is_postgres).await;
    // Trust comes from outside the file: without the key, the source's public key must be named.
    let public = env.data_dir.join("source.pem");
    std::fs::write(&public, stdout(&env.run(&["journal", "public-key"]))).unwrap();
    let pk = public.to_str().unwrap();
    assert_error(&other.run(&["restore", backup.to_str().unwrap()]), 2, "confirm it with --public-key");
    let stranger = env.data_dir.join("stranger.pem");
    let stranger_key = crosswalk_journal::generate_signing_key().verifying_key();
    std::fs::write(&stranger, crosswalk_journal::public_key_to_pem(&stranger_key).unwrap()).unwrap();
    assert_error(
        &other.run(&["restore", backup.to_str().unwrap(), "--public-key", stranger.to_str().unwrap()]),
        2,
        "not by the public key given",
    );
    let o = other.run(&["--format", "json", "restore", backup.to_str().unwrap(), "--public-key", pk]);
    let summary = json_of(&o);
    assert_eq!(summary["key"], "adopted", "{summary}");
    assert_eq!(summary["files"], 1, "{summary}");
    assert_eq!(deep_head(|a| other.run(a), &["--tenant", "acme"]), acme_head, "organisation head after restore");
    assert_eq!(deep_head(|a| other.run(a), &["--installation"]), inst_head, "installation head after restore");
    let readiness_after =
        json_of(&other.run(&["--format", "json", "readiness", "--tenant", "acme", "--framework", "iso27001-2022"]))["summary"].clone();
    assert_eq!(readiness_after, readiness_before);
    // Entries restored without their key are held by the checkpoints kept in the data directory: with
    // one gone, verification (and so any pack) refuses rather than trusting the database alone.
    let acme_chain = summary["chains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[0].as_str().unwrap().to_owned())
        .find(|c| !c.starts_with("00000000"))
        .unwrap();
    let kept = other.data_dir.join("checkpoints").join(format!("{acme_chain}.json"));
    let aside = other.data_dir.join("kept.json");
    std::fs::rename(&kept, &aside).unwrap();
    let o = other.run(&["journal", "verify", "--tenant", "acme"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("which is missing") || stderr(&o).contains("which is missing"), "{}{}", stdout(&o), stderr(&o));
    assert_error(
        &other.run(&["pack", "--tenant", "acme", "--framework", "iso27001-2022", "-o", aside.with_extension("zip").to_str().unwrap()]),
        2,
        "which is missing",
    );
    std::fs::rename(&aside, &kept).unwrap();
    // The restored installation keeps working: a new entry is sealed under its own key and verifies.
    assert!(other.run(&["control", "update", "--tenant", "acme", &control, "--status", "partial"]).status.success());
    let (seq, _) = deep_head(|a| other.run(a), &["--tenant", "acme"]);
    assert_eq!(seq, acme_head.0 + 1);
    // The evidence file came along, byte for byte.
    let o = other.run(&["--format", "json", "evidence", "list", "--tenant", "acme"]);
    assert!(stdout(&o).contains("Restore test"), "{}", stdout(&o));

    // A restore into a database that holds anything is refused, and changes nothing.
    let o = other.run(&["restore", backup.to_str().unwrap(), "--public-key", pk]);
    assert_error(&o, 2, "needs an empty database");
    assert_eq!(deep_head(|a| other.run(a), &["--tenant", "acme"]).0, seq);
    other.cleanup().await;

    // With the key, encrypted: a wrong passphrase is refused; the right one brings the key back, so
    // entries verify with their original MACs and the public key is unchanged.
    let pass = env.data_dir.join("pass.txt");
    std::fs::write(&pass, "a long and secret passphrase\n").unwrap();
    let keyed = env.data_dir.join("keyed.backup");
    assert_error(&env.run(&["backup", "-o", keyed.to_str().unwrap(), "--with-key"]), 2, "needs a passphrase");
    let o = env.run(&["backup", "-o", keyed.to_str().unwrap(), "--with-key", "--passphrase-file", pass.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let other = Other::new(source_is_postgres).await;
    let o = other.run_env(&["restore", keyed.to_str().unwrap()], &[("CROSSWALK_BACKUP_PASSPHRASE", "not the passphrase at all")]);
    assert_error(&o, 2, "wrong passphrase");
    let o = other.run_env(
        &["--format", "json", "restore", keyed.to_str().unwrap()],
        &[("CROSSWALK_BACKUP_PASSPHRASE", "a long and secret passphrase")],
    );
    assert_eq!(json_of(&o)["key"], "restored");
    assert_eq!(stdout(&other.run(&["journal", "public-key"])), stdout(&env.run(&["journal", "public-key"])));
    assert_eq!(deep_head(|a| other.run(a), &["--tenant", "acme"]), acme_head);
    other.cleanup().await;

    // Bad files, each refused before anything is written.
    let other = Other::new(source_is_postgres).await;
    let bytes = std::fs::read(&backup).unwrap();
    let truncated = env.data_dir.join("truncated.backup");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert_error(&other.run(&["restore", truncated.to_str().unwrap()]), 2, "truncated");
    let newer = env.data_dir.join("newer.backup");
    rewrite_entry(&backup, &newer, "manifest.json", |b| {
        let mut m: serde_json::Value = serde_json::from_slice(&b).unwrap();
        m["migrations"].as_array_mut().unwrap().push("m20991231_000099_from_the_future".into());
        serde_json::to_vec(&m).unwrap()
    });
    assert_error(&other.run(&["restore", newer.to_str().unwrap(), "--public-key", pk]), 2, "newer schema");
    // Any change to the signed manifest (here: claiming entries beyond the head were sealed by the
    // old key, which would exempt forged entries from MAC checks) breaks its signature.
    let widened = env.data_dir.join("widened.backup");
    rewrite_entry(&backup, &widened, "manifest.json", |b| {
        let mut m: serde_json::Value = serde_json::from_slice(&b).unwrap();
        for (_, seq) in m["keys"][0]["sealed_through"].as_object_mut().unwrap() {
            *seq = serde_json::json!(seq.as_i64().unwrap() + 100);
        }
        serde_json::to_vec(&m).unwrap()
    });
    assert_error(&other.run(&["restore", widened.to_str().unwrap(), "--public-key", pk]), 2, "signature does not hold");
    // A control renamed inside the backup (and the table's hash fixed up): the record no longer
    // matches its journaled hash, so the whole restore rolls back.
    let forged = env.data_dir.join("forged.backup");
    let tampered = |b: Vec<u8>| String::from_utf8(b).unwrap().replace("\"Backups\"", "\"Backups (never tested)\"").into_bytes();
    rewrite_entry(&backup, &forged, "tables/controls.jsonl", tampered);
    let body = {
        let mut z = zip::ZipArchive::new(std::fs::File::open(&forged).unwrap()).unwrap();
        let mut s = Vec::new();
        z.by_name("tables/controls.jsonl").unwrap().read_to_end(&mut s).unwrap();
        s
    };
    let fix_table_hash = |b: Vec<u8>| {
        use sha2::Digest;
        let mut m: serde_json::Value = serde_json::from_slice(&b).unwrap();
        for t in m["tables"].as_array_mut().unwrap() {
            if t["name"] == "controls" {
                t["sha256"] = hex::encode(sha2::Sha256::digest(&body)).into();
            }
        }
        m
    };
    let forged2 = env.data_dir.join("forged2.backup");
    rewrite_entry(&forged, &forged2, "manifest.json", |b| serde_json::to_vec(&fix_table_hash(b)).unwrap());
    // Even re-signed with the source's own key (an insider holding it), the row does not match its
    // journaled hash, and the whole restore rolls back.
    let key_pem = std::fs::read_to_string(env.data_dir.join("journal-signing-key.pem")).unwrap();
    let key = crosswalk_journal::signing_key_from_pem(&key_pem).unwrap();
    let forged3 = env.data_dir.join("forged3.backup");
    rewrite_entry(&forged, &forged3, "manifest.json", |b| {
        let mut m = fix_table_hash(b);
        m["signature"] = "".into();
        m["signature"] = crosswalk_journal::sign_backup_manifest(&key, &crosswalk_journal::canonical_json(&m)).into();
        serde_json::to_vec(&m).unwrap()
    });
    assert_error(&other.run(&["restore", forged.to_str().unwrap(), "--public-key", pk]), 2, "backup is damaged");
    assert_error(&other.run(&["restore", forged2.to_str().unwrap(), "--public-key", pk]), 2, "signature does not hold");
    assert_error(&other.run(&["restore", forged3.to_str().unwrap(), "--public-key", pk]), 2, "differs from its journaled state");
    // Nothing was left behind: the untouched backup still restores into the same database.
    let o = other.run(&["restore", backup.to_str().unwrap(), "--public-key", pk]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(deep_head(|a| other.run(a), &["--tenant", "acme"]), acme_head);
    other.cleanup().await;
    env.cleanup().await;
}
