//! Bad input on the command line (issue 11): weak passwords, non-http links, empty files and
//! out-of-range limits exit 2 with one clear line and store nothing; blob upkeep and file permissions.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use support::*;

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().flat_map(|e| if e.path().is_dir() { files_under(&e.path()) } else { vec![e.path()] }).collect()
}

#[tokio::test]
async fn weak_passwords_bad_links_empty_files_and_bad_limits_exit_2_and_store_nothing() {
    let env = Env::new().await;
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme Ltd"]).status.success());
    let create = ["user", "create", "--tenant", "acme", "--email", "ciso@acme.example", "--role", "manager", "--password-stdin"];
    assert_error(&env.run_with_stdin(&create, "Password1234\n"), 2, "is a commonly used password");
    assert_error(&env.run_with_stdin(&create, "short\n"), 2, "must be at least 12 characters");
    assert_error(&env.run_with_stdin(&create, "              \n"), 2, "password");

    for bad in ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x"] {
        let o = env.run(&["evidence", "add", "--tenant", "acme", "--link", bad, "--name", "Ticket"]);
        assert_error(&o, 2, "link");
    }
    let blobs = env.data_dir.join("blobs");
    let empty = env.data_dir.join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    assert_error(&env.run(&["evidence", "add", "--tenant", "acme", empty.to_str().unwrap()]), 2, "empty");
    let report = env.data_dir.join("report.txt");
    std::fs::write(&report, "findings").unwrap();
    let unknown = "00000000-0000-7000-8000-000000000000";
    assert_error(&env.run(&["evidence", "add", "--tenant", "acme", report.to_str().unwrap(), "--control", unknown]), 2, "not found");
    assert!(files_under(&blobs).is_empty(), "{:?}", files_under(&blobs));

    for limit in ["0", "1001", "18446744073709551615"] {
        assert_error(&env.run(&["evidence", "list", "--tenant", "acme", "--limit", limit]), 2, "limit");
    }
    let o = env.run(&["--format", "json", "evidence", "list", "--tenant", "acme", "--limit", "1000"]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap(), serde_json::json!([]));

    let o = env.run(&["--format", "json", "blobs", "gc", "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let gc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((gc["dry_run"].as_bool(), gc["removed"].as_array().map(Vec::len)), (Some(true), Some(0)));
    env.cleanup().await;
}

#[cfg(unix)]
#[test]
fn a_new_data_directory_is_owner_only_and_so_is_the_database() {
    use std::os::unix::fs::PermissionsExt;
    let root = std::env::temp_dir().join(format!("crosswalk-cli-perms-{}", uuid::Uuid::new_v4().simple()));
    let data_dir = root.join("data");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
        .args(["--data-dir", data_dir.to_str().unwrap(), "migrate"])
        .env_remove("CROSSWALK_DATABASE_URL")
        .env_remove("CROSSWALK_DATA_DIR")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data_dir), 0o700);
    assert_eq!(mode(&data_dir.join("crosswalk.db")), 0o600);
    assert_eq!(mode(&data_dir.join("journal-signing-key.pem")), 0o600);
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test]
async fn migrate_removes_temp_files_a_crashed_upload_left() {
    let env = Env::new().await;
    let blobs = env.data_dir.join("blobs");
    std::fs::create_dir_all(&blobs).unwrap();
    let crashed = blobs.join(".upload-crashed");
    std::fs::write(&crashed, "half a file").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 60 * 60);
    std::fs::File::options().write(true).open(&crashed).unwrap().set_modified(old).unwrap();
    let o = env.run(&["migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!crashed.exists(), "start-up removes a temp file older than the grace period");
    env.cleanup().await;
}
