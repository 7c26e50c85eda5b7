//! `crosswalk pack` and `crosswalk verify` as an auditor uses them: a pack verifies with no database
//! (exit 0), a changed pack exits 1 naming the change, a file that is not a pack exits 2; and
//! `journal verify --deep` names a row changed behind Crosswalk's back, `--checkpoint` a truncation.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use support::*;

#[tokio::test]
async fn pack_verify_deep_verify_and_kept_checkpoints() {
    let env = Env::new().await;
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme Ltd"]).status.success());
    assert!(env.run(&["framework", "follow", "--tenant", "acme", "--framework", "iso27001-2022"]).status.success());
    let report = env.data_dir.join("report.txt");
    std::fs::write(&report, b"pen test report").unwrap();
    let o = env.run(&["evidence", "add", "--tenant", "acme", report.to_str().unwrap(), "--name", "Pen test"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let o = env.run(&["journal", "verify", "--tenant", "acme", "--deep"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 evidence files"), "{}", stdout(&o));
    let cp = env.data_dir.join("cp.json");
    assert!(env.run(&["journal", "checkpoint", "--tenant", "acme", "-o", cp.to_str().unwrap()]).status.success());
    let o = env.run(&["journal", "verify", "--tenant", "acme", "--checkpoint", cp.to_str().unwrap()]);
    assert!(o.status.success() && stdout(&o).contains("unchanged since the kept checkpoint"), "{}", stdout(&o));
    assert!(env.run(&["journal", "verify", "--installation", "--deep"]).status.success());

    let pack = env.data_dir.join("acme.zip");
    let o = env.run(&["pack", "--tenant", "acme", "--framework", "iso27001-2022", "-o", pack.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let key = env.data_dir.join("key.pem");
    std::fs::write(&key, stdout(&env.run(&["journal", "public-key"]))).unwrap();
    // Verification opens no database: point it at one that does not exist.
    let offline = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
            .args(["--database-url", "postgres://nobody@127.0.0.1:1/none"])
            .args(args)
            .output()
            .unwrap()
    };
    let o = offline(&["verify", pack.to_str().unwrap(), "--public-key", key.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("ok: pack of Acme Ltd"), "{}", stdout(&o));
    // One byte changed inside the zip's stored evidence file.
    let mut bytes = std::fs::read(&pack).unwrap();
    let at = bytes.windows(15).position(|w| w == b"pen test report").unwrap();
    bytes[at] = b'P';
    let bad = env.data_dir.join("bad.zip");
    std::fs::write(&bad, &bytes).unwrap();
    let o = offline(&["verify", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("evidence/"), "{}", stderr(&o));
    // Not a pack.
    let o = offline(&["verify", report.to_str().unwrap()]);
    assert_error(&o, 2, "not an auditor pack");

    // A row changed behind Crosswalk's back: deep verify names it; a truncated journal fails the kept checkpoint.
    let raw = crosswalk_store::testing::raw_connect(&env.database_url).await;
    use sea_orm::ConnectionTrait;
    let backend = raw.get_database_backend();
    raw.execute(sea_orm::Statement::from_string(backend, "UPDATE evidence SET valid_until = '2099-12-31'")).await.unwrap();
    let o = env.run(&["journal", "verify", "--tenant", "acme", "--deep"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("row evidence") && stderr(&o).contains("changed outside Crosswalk"), "{}", stderr(&o));
    raw.execute(sea_orm::Statement::from_string(
        backend,
        "DELETE FROM journal_entries WHERE seq > 1 AND entity <> 'x' AND tenant_id IN (SELECT id FROM tenants)",
    ))
    .await
    .unwrap();
    raw.close().await.unwrap();
    let o = env.run(&["journal", "verify", "--tenant", "acme", "--checkpoint", cp.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    env.cleanup().await;
}
