//! Running the real `crosswalk` binary against a fresh database (SQLite file, or a fresh PostgreSQL
//! database when CROSSWALK_TEST_DATABASE_URL is set).
#![allow(dead_code)] // each test file uses a different part

use crosswalk_store::testing::{create_postgres_database, drop_postgres_database, test_postgres_url};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub struct Env {
    pub data_dir: PathBuf,
    pub database_url: String,
    pg: Option<(String, String)>,
}

impl Env {
    pub async fn new() -> Env {
        let data_dir = std::env::temp_dir().join(format!("crosswalk-cli-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&data_dir).unwrap();
        match test_postgres_url() {
            Some(admin) => {
                let name = format!("cw_test_{}", uuid::Uuid::new_v4().simple());
                let url = create_postgres_database(&admin, &name).await.unwrap();
                Env { data_dir, database_url: url, pg: Some((admin, name)) }
            }
            None => {
                let url = format!("sqlite://{}?mode=rwc", data_dir.join("crosswalk.db").display());
                Env { data_dir, database_url: url, pg: None }
            }
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_crosswalk"));
        c.args(["--data-dir", self.data_dir.to_str().unwrap(), "--database-url", &self.database_url]).args(args);
        c.env_remove("CROSSWALK_DATABASE_URL").env_remove("CROSSWALK_DATA_DIR");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self.command(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    pub async fn cleanup(self) {
        if let Some((admin, name)) = &self.pg {
            drop_postgres_database(admin, name).await.unwrap();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Assert an error exit: the code, and one clear first line on stderr containing `needle`, no panic.
pub fn assert_error(o: &Output, code: i32, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(first.contains(needle), "first stderr line should mention '{needle}': {err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
}
