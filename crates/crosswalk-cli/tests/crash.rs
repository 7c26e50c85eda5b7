//! Crash safety (issue 15, item 2): `crosswalk serve` under a steady writer is killed with SIGKILL at
//! random moments, 20 times, and restarted on the same database. Afterwards every write the API
//! acknowledged (201) is there exactly once, nothing is half there (deep verification finds every row
//! matching its journal entry), and both chains verify. Runs on SQLite and, in the PostgreSQL pass,
//! on PostgreSQL.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::*;

const KILLS: usize = 20;

/// Start `serve` on a free port and return it with its address once it answers.
fn start(env: &Env) -> (Child, String) {
    let mut child = env.command(&["serve", "--listen", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let line = BufReader::new(child.stdout.take().unwrap()).lines().next().unwrap().unwrap();
    let base = line.rsplit(' ').next().unwrap().trim_end_matches('/').to_owned();
    let addr = base.trim_start_matches("http://").to_owned();
    assert!(addr.starts_with("127.0.0.1:"), "{line}");
    (child, addr)
}

/// POST one control; the HTTP status, or an error when the server is not there (or died mid-request).
fn post_control(addr: &str, token: &str, name: &str) -> std::io::Result<u16> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = format!(r#"{{"name":"{name}","status":"implemented"}}"#);
    write!(
        s,
        "POST /api/v1/controls HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    s.read_to_string(&mut response)?;
    response.split(' ').nth(1).and_then(|c| c.parse().ok()).ok_or_else(|| std::io::Error::other(format!("no status line in {response:?}")))
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let env = rt.block_on(Env::new());
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme Ltd"]).status.success());
    let o = env.run_with_stdin(
        &["user", "create", "--tenant", "acme", "--email", "writer@acme.example", "--role", "manager", "--password-stdin"],
        "a long writer password\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let token = stdout(&env.run(&["token", "create", "--tenant", "acme", "--email", "writer@acme.example"])).trim().to_owned();

    let (mut server, addr) = start(&env);
    let current = Arc::new(Mutex::new(addr));
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (current, acknowledged, stop, token) = (current.clone(), acknowledged.clone(), stop.clone(), token.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            let mut other_statuses = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let addr = current.lock().unwrap().clone();
                let name = format!("crash-{n}");
                n += 1;
                match post_control(&addr, &token, &name) {
                    Ok(201) => acknowledged.lock().unwrap().push(name),
                    Ok(status) => other_statuses.push(status),
                    // Refused or cut off: the server is down or was killed mid-request.
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
            (n, other_statuses)
        })
    };

    for _ in 0..KILLS {
        std::thread::sleep(Duration::from_millis(150 + rand::random::<u64>() % 450));
        server.kill().unwrap(); // SIGKILL: no shutdown, no flush
        server.wait().unwrap();
        let (next, addr) = start(&env);
        server = next;
        *current.lock().unwrap() = addr;
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let (attempts, other_statuses) = writer.join().unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(other_statuses.iter().all(|s| *s == 503 || *s == 500), "unexpected answers: {other_statuses:?}");

    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= KILLS, "too few writes to prove anything: {} of {attempts}", acknowledged.len());
    let o = env.run(&["--format", "json", "control", "list", "--tenant", "acme"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listed: Vec<String> = serde_json::from_slice::<serde_json::Value>(&o.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    for name in &acknowledged {
        assert_eq!(listed.iter().filter(|l| *l == name).count(), 1, "acknowledged {name} is not there exactly once");
    }
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "a control written twice");
    // Nothing half-present: every row matches its journal entry, and both chains verify.
    for chain in [&["--tenant", "acme"][..], &["--installation"][..]] {
        let mut args = vec!["journal", "verify", "--deep"];
        args.extend_from_slice(chain);
        let o = env.run(&args);
        assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    }
    eprintln!("{KILLS} kills, {attempts} attempts, {} acknowledged, {} present", acknowledged.len(), listed.len());
    rt.block_on(env.cleanup());
}
