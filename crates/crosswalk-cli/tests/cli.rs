//! The command line as users and scripts see it: outputs, exit codes and one-line errors.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use support::*;

#[tokio::test]
async fn tenant_user_token_and_journal_verify() {
    let env = Env::new().await;
    let o = env.run(&["tenant", "create", "acme", "--name", "Acme Ltd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env.run(&["tenant", "create", "acme", "--name", "Again"]);
    assert_error(&o, 2, "a tenant with slug 'acme' already exists");

    let o = env.run_with_stdin(
        &["user", "create", "--tenant", "acme", "--email", "ciso@acme.example", "--role", "manager", "--password-stdin"],
        "a long password 1\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("added ciso@acme.example to acme as manager"));
    let o = env.run(&["user", "create", "--tenant", "acme", "--email", "x@acme.example", "--role", "root"]);
    assert_error(&o, 2, "unknown role 'root'");
    let o = env.run(&["user", "create", "--tenant", "nope", "--email", "x@acme.example", "--role", "viewer"]);
    assert_error(&o, 2, "tenant 'nope' not found");

    let o = env.run(&["token", "create", "--tenant", "acme", "--email", "ciso@acme.example", "--name", "ci"]);
    let token = stdout(&o);
    assert!(token.starts_with("cwt_") && token.trim_end().lines().count() == 1, "only the token on stdout: {token:?}");

    let o = env.run(&["--format", "json", "tenant", "list"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(list[0]["slug"], "acme");

    let o = env.run(&["journal", "verify", "--tenant", "acme"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("ok: 3 entries"), "{}", stdout(&o));
    let o = env.run(&["--format", "json", "journal", "verify", "--tenant", "acme"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["head_seq"], 3);

    // Tamper with entry 2 behind the app's back: verify exits 1 naming it.
    let store = crosswalk_store::testing::raw_connect(&env.database_url).await;
    use crosswalk_store::entities::journal_entry as je;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    je::Entity::update_many()
        .col_expr(je::Column::Payload, sea_orm::sea_query::Expr::value(r#"{"email":"mallory@evil.example","role":"admin"}"#))
        .filter(je::Column::Seq.eq(2))
        .exec(&store)
        .await
        .unwrap();
    store.close().await.unwrap();
    let o = env.run(&["journal", "verify", "--tenant", "acme"]);
    assert_error(&o, 1, "journal entry 2:");
    env.cleanup().await;
}

#[tokio::test]
async fn bad_database_urls_are_one_clear_line() {
    let env = Env::new().await;
    let o = env.command(&["tenant", "list"]).args(["--database-url", "mysql://root@localhost/x"]).output().unwrap();
    assert_error(&o, 2, "unsupported database URL 'mysql://root@localhost/x'");
    let o = env.command(&["tenant", "list"]).args(["--database-url", "postgres://nobody:pw@127.0.0.1:1/none"]).output().unwrap();
    assert_error(&o, 2, "cannot open database postgres://nobody:***@127.0.0.1:1/none");
    assert!(!stderr(&o).contains(":pw@"), "passwords are never printed");
    env.cleanup().await;
}

#[tokio::test]
async fn migrate_is_idempotent_and_help_lists_the_contract_commands() {
    let env = Env::new().await;
    assert!(env.run(&["migrate"]).status.success());
    assert!(env.run(&["migrate"]).status.success());
    let help = stdout(&env.run(&["--help"]));
    for cmd in ["serve", "migrate", "tenant", "user", "token", "journal", "bench"] {
        assert!(help.contains(cmd), "--help lists {cmd}");
    }
    assert!(env.data_dir.join("journal-signing-key.pem").exists(), "the signing key is created on first start");
    env.cleanup().await;
}

#[tokio::test]
async fn serve_answers_health_checks_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader, Read, Write};
    let env = Env::new().await;
    let mut server = env
        .command(&["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let line = BufReader::new(server.stdout.take().unwrap()).lines().next().unwrap().unwrap();
    let addr = line.rsplit(' ').next().unwrap().trim_start_matches("http://").trim_end_matches('/').to_owned();
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    let killed = std::process::Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(s) = server.try_wait().unwrap() {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "server did not stop within 10 s of SIGTERM");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    env.cleanup().await;
}

#[tokio::test]
async fn deadlines_follow_the_law_and_name_bad_fields() {
    let env = Env::new().await;
    let args = ["--format", "json", "deadlines", "--regime", "nis2", "--aware-at", "2026-03-28T02:13", "--tz", "Europe/Berlin"];
    let o = env.run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // NIS2 Art 23(4)(a): 24 elapsed hours, across the spring DST change.
    assert_eq!(r["steps"][0]["id"], "nis2_early_warning");
    assert_eq!(r["steps"][0]["due"], "2026-03-29T03:13:00+02:00[Europe/Berlin]");
    assert_eq!(r["steps"][0]["basis"], "NIS2 Art 23(4)(a)");
    let o = env.run(&["deadlines", "--regime", "gdpr", "--aware-at", "2026-11-27T02:13:00Z"]);
    assert!(stdout(&o).contains("2026-11-30T02:13:00+00:00[UTC]"), "{}", stdout(&o));
    let o = env.run(&["deadlines", "--regime", "dora", "--aware-at", "2026-11-27T10:00:00Z", "--classified-at", "2026-11-27T09:00:00Z"]);
    assert_error(&o, 2, "classified_at");
    let o = env.run(&["deadlines", "--regime", "nis2", "--aware-at", "2026-11-27T10:00:00Z", "--tz", "Mars/Olympus"]);
    assert_error(&o, 2, "unknown time zone 'Mars/Olympus'");
    let o = env.run(&["deadlines", "--regime", "sox", "--aware-at", "2026-11-27T10:00:00Z"]);
    assert_error(&o, 2, "unknown regime 'sox'");
    // NIS2 Art 23(4) second subparagraph: a qualified trust service provider notifies within 24 h.
    let o = env.run(&[
        "--format",
        "json",
        "deadlines",
        "--regime",
        "nis2",
        "--aware-at",
        "2026-11-27T02:13",
        "--tz",
        "Europe/Berlin",
        "--entity-type",
        "qualified_trust_service_provider",
    ]);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["steps"][1]["due"], "2026-11-28T02:13:00+01:00[Europe/Berlin]", "{r}");
    // 2025/301 Art 5(4): a DORA time limit on Saturday 14 November 2026 moves to Monday noon in Germany;
    // without --tz the Member State's capital zone is used.
    let o = env.run(&[
        "deadlines",
        "--regime",
        "dora",
        "--aware-at",
        "2026-11-13T12:00",
        "--classified-at",
        "2026-11-14T09:00",
        "--member-state",
        "DE",
    ]);
    let out = stdout(&o);
    assert!(out.contains("2026-11-16T12:00:00+01:00[Europe/Berlin] (moved from 2026-11-14T12:00:00+01:00[Europe/Berlin])"), "{out}");
    assert!(out.contains("regional holidays are not considered"), "{out}");
    let o = env.run(&["deadlines", "--regime", "dora", "--aware-at", "2026-11-13T12:00", "--member-state", "XX"]);
    assert_error(&o, 2, "member_state");
    let o = env.run(&["deadlines", "--regime", "dora", "--aware-at", "2041-11-13T12:00", "--member-state", "DE"]);
    assert_error(&o, 2, "2041");
    env.cleanup().await;
}

#[tokio::test]
async fn nis2_sectors_and_scope() {
    let env = Env::new().await;
    let o = env.run(&["--format", "json", "nis2", "sectors"]);
    let types: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(types.as_array().unwrap().iter().any(|t| t["slug"] == "qualified_trust_service_provider" && t["annex"] == "I"));
    let o = env.run(&[
        "--format",
        "json",
        "nis2",
        "scope",
        "--entity-type",
        "cloud_computing_service_provider",
        "--employees",
        "260",
        "--turnover-eur",
        "3000000000",
        "--balance-eur",
        "20000000",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["classification"], "essential");
    assert_eq!(r["basis"], serde_json::json!(["NIS2 Art 2(1)", "NIS2 Art 3(1)(a)"]));
    assert_eq!(r["max_fine"]["amount_eur"], 60_000_000); // 2 % of EUR 3 bn > EUR 10 m
    let o = env.run(&["nis2", "scope", "--entity-type", "food_business", "--employees", "-3", "--turnover-eur", "0", "--balance-eur", "0"]);
    assert_error(&o, 2, "employees: must not be negative");
    // Issue 14, item 4: domain name registration services (Art 2(4)) and the designations.
    let money = ["--employees", "3", "--turnover-eur", "1000000", "--balance-eur", "1000000"];
    let o = env
        .run(&[&["--format", "json", "nis2", "scope", "--entity-type", "domain_name_registration_service_provider"][..], &money].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["classification"], "specific_duties");
    let o = env.run(&[&["nis2", "scope", "--entity-type", "food_business", "--identified-as", "essential"][..], &money].concat());
    assert!(
        stdout(&o).starts_with("essential") && stdout(&o).contains("Art 3(1)(e)") && stdout(&o).contains("not modelled"),
        "{}",
        stdout(&o)
    );
    assert_error(
        &env.run(&[&["nis2", "scope", "--entity-type", "food_business", "--identified-as", "maybe"][..], &money].concat()),
        2,
        "member_state_identification",
    );
    assert_error(
        &env.run(
            &[&["nis2", "scope", "--entity-type", "domain_name_registration_service_provider", "--critical-entity"][..], &money].concat(),
        ),
        2,
        "critical_entity",
    );
    // Saving the decision for an organisation, then reading it back.
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme"]).status.success());
    let o = env.run(&[
        "nis2",
        "scope",
        "--tenant",
        "acme",
        "--save",
        "--entity-type",
        "postal_service_provider",
        "--employees",
        "60",
        "--turnover-eur",
        "11000000",
        "--balance-eur",
        "11000000",
    ]);
    assert!(o.status.success() && stdout(&o).starts_with("important"), "{}{}", stdout(&o), stderr(&o));
    let o = env.run(&["nis2", "profile", "--tenant", "acme"]);
    let p: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(p["result"]["classification"], "important");
    assert!(p["decided_by"].as_str().unwrap().starts_with("operator:"));
    env.cleanup().await;
}

#[tokio::test]
async fn incidents_from_the_command_line() {
    let env = Env::new().await;
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme"]).status.success());
    let o = env.run(&[
        "incident",
        "create",
        "--tenant",
        "acme",
        "--title",
        "DDoS",
        "--aware-at",
        "2026-11-27T02:13",
        "--tz",
        "Europe/Berlin",
        "--regime",
        "nis2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let id = stdout(&o).trim().to_owned();
    let o = env.run(&[
        "--format",
        "json",
        "incident",
        "submit",
        "--tenant",
        "acme",
        &id,
        "--step",
        "nis2_early_warning",
        "--authority",
        "BSI",
        "--at",
        "2026-11-27T20:00",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let i: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(i["next_step"]["id"], "nis2_incident_notification");
    assert_eq!(i["clocks"][0]["steps"][0]["submitted"]["late"], false);
    let o = env.run(&["--format", "json", "incident", "draft", "--tenant", "acme", &id, "--step", "nis2_final_report"]);
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d["basis"], "NIS2 Art 23(4)(d)");
    // Issue 14, item 6: a significance proposal from a facts file (no scoping saved: NIS2 Art 23(3)),
    // kept with --facts and confirmed with --significance; a bad facts file names the field.
    let facts = env.data_dir.join("facts.json");
    std::fs::write(&facts, r#"{"severe_disruption_or_financial_loss": true, "considerable_damage_to_others": false}"#).unwrap();
    let o = env.run(&["incident", "propose-significance", "--tenant", "acme", &id, "--facts", facts.to_str().unwrap()]);
    assert!(o.status.success() && stdout(&o).starts_with("significant (NIS2 Art 23(3))"), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("NIS2 Art 23(3)(a)"));
    let o = env.run(&[
        "--format",
        "json",
        "incident",
        "update",
        "--tenant",
        "acme",
        &id,
        "--facts",
        facts.to_str().unwrap(),
        "--significance",
        "significant",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let i: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (i["significance"].as_str(), i["significance_proposal"]["proposal"]["outcome"].as_str()),
        (Some("significant"), Some("significant"))
    );
    let bad = env.data_dir.join("bad-facts.json");
    std::fs::write(&bad, r#"{"financial_loss": 5}"#).unwrap();
    assert_error(
        &env.run(&["incident", "propose-significance", "--tenant", "acme", &id, "--facts", bad.to_str().unwrap()]),
        2,
        "financial_loss",
    );
    let o = env.run(&[
        "incident",
        "create",
        "--tenant",
        "acme",
        "--title",
        "X",
        "--aware-at",
        "2026-11-27T02:13",
        "--classified-at",
        "2026-11-26T00:00",
    ]);
    assert_error(&o, 2, "classified_at");
    let o = env.run(&["incident", "update", "--tenant", "acme", &id, "--aware-at", "2026-11-27T01:00"]);
    assert_error(&o, 2, "reason: a report was already submitted");
    let o = env.run(&["incident", "update", "--tenant", "acme", &id, "--aware-at", "2026-11-27T01:00", "--reason", "log review"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env.run(&["incident", "show", "--tenant", "acme", "not-an-id"]);
    assert_error(&o, 2, "'not-an-id' is not an incident id");
    env.cleanup().await;
}

#[tokio::test]
async fn management_body_from_the_command_line() {
    let env = Env::new().await;
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme"]).status.success());
    let o = env.run(&[
        "management",
        "approve",
        "--tenant",
        "acme",
        "--member",
        "Bea Board",
        "--document",
        "Art 21 measures",
        "--version",
        "2",
        "--on",
        "2026-01-10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env.run(&[
        "management",
        "train",
        "--tenant",
        "acme",
        "--member",
        "Bea Board",
        "--course",
        "NIS2",
        "--completed-on",
        "2026-01-10",
        "--valid-until",
        "2099-01-10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env.run(&["--format", "json", "management", "show", "--tenant", "acme"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["members"][0]["overdue"], false);
    let o = env.run(&[
        "management",
        "train",
        "--tenant",
        "acme",
        "--member",
        "X",
        "--course",
        "NIS2",
        "--completed-on",
        "2026-01-10",
        "--valid-until",
        "2025-01-10",
    ]);
    assert_error(&o, 2, "valid_until");
    env.cleanup().await;
}

#[tokio::test]
async fn suppliers_from_the_command_line() {
    let env = Env::new().await;
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme"]).status.success());
    let o = env.run(&["supplier", "create", "--tenant", "acme", "--name", "CloudCo", "--criticality", "critical", "--clause", "exit"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let id = stdout(&o).trim().to_owned();
    let o = env.run(&[
        "--format",
        "json",
        "supplier",
        "assess",
        "--tenant",
        "acme",
        &id,
        "--answer",
        "mfa=yes",
        "--answer",
        "certification=yes",
    ]);
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["latest_assessment"]["score"], 25);
    let o = env.run(&["supplier", "assess", "--tenant", "acme", &id, "--answer", "mfa=maybe"]);
    assert_error(&o, 2, "the answer must be yes, partial or no");
    let o = env.run(&["supplier", "create", "--tenant", "acme", "--name", "X", "--criticality", "vital"]);
    assert_error(&o, 2, "criticality");
    env.cleanup().await;
}

#[tokio::test]
async fn members_tokens_organisation_and_suppliers_are_managed_from_the_command_line() {
    let env = Env::new().await;
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme"]).status.success());
    assert!(env.run(&["tenant", "rename", "acme", "--name", "Acme Holdings"]).status.success());
    let o = env.run(&["--format", "json", "tenant", "list"]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()[0]["name"], "Acme Holdings");
    for (email, role) in [("a@acme.example", "admin"), ("c@acme.example", "contributor")] {
        let o = env.run_with_stdin(
            &["user", "create", "--tenant", "acme", "--email", email, "--role", role, "--password-stdin"],
            "a long password 1\n",
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = env.run(&["user", "update", "--tenant", "acme", "--email", "c@acme.example", "--role", "manager"]);
    assert_eq!(stdout(&o).trim(), "c@acme.example is manager");
    let o = env.run(&["user", "update", "--tenant", "acme", "--email", "a@acme.example", "--disable"]);
    assert_error(&o, 2, "at least one enabled admin");
    // Tokens: listed without secrets, revoked by id.
    let secret = stdout(&env.run(&["token", "create", "--tenant", "acme", "--email", "c@acme.example", "--name", "ci"])).trim().to_owned();
    let o = env.run(&["--format", "json", "token", "list", "--tenant", "acme"]);
    let tokens: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!String::from_utf8_lossy(&o.stdout).contains(&secret[4..]), "secrets are never listed");
    let id = tokens[0]["id"].as_str().unwrap().to_owned();
    assert!(env.run(&["token", "revoke", "--tenant", "acme", &id]).status.success());
    let o = env.run(&["--format", "json", "token", "list", "--tenant", "acme"]);
    assert!(serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()[0]["revoked_at"].is_string());
    let o = env.run(&["user", "remove", "--tenant", "acme", "--email", "c@acme.example"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Suppliers: clauses and review date.
    let sid = stdout(&env.run(&["supplier", "create", "--tenant", "acme", "--name", "CloudCo", "--criticality", "low"])).trim().to_owned();
    let o = env.run(&[
        "--format",
        "json",
        "supplier",
        "update",
        "--tenant",
        "acme",
        &sid,
        "--clause",
        "exit",
        "--criticality",
        "high",
        "--review-on",
        "2027-01-31",
    ]);
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (s["criticality"].clone(), s["next_review_on"].clone(), s["clauses"].clone()),
        (serde_json::json!("high"), serde_json::json!("2027-01-31"), serde_json::json!(["exit"]))
    );
    let o = env.run(&["supplier", "update", "--tenant", "acme", &sid, "--clause", "nda"]);
    assert_error(&o, 2, "clauses: unknown item 'nda'");
    // Every one of these changes is in the journal, and the chain verifies.
    let o = env.run(&["--format", "json", "journal", "verify", "--tenant", "acme"]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["ok"], true);
    env.cleanup().await;
}

#[tokio::test]
async fn the_crosswalk_from_the_command_line() {
    let env = Env::new().await;
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme"]).status.success());
    let o = env.run(&["--format", "json", "framework", "list"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(list.as_array().unwrap().iter().any(|f| f["slug"] == "nist-sp-800-53-r5"), "{}", stdout(&o));
    let o = env.run(&["framework", "show", "iso27001-2022"]);
    assert!(stdout(&o).contains("A.8.8") && stdout(&o).contains("Management of technical vulnerabilities"));
    assert_error(&env.run(&["framework", "show", "no-such"]), 2, "framework 'no-such' not found");

    // Relations seen from either side: CSF→ISO pairs are stored as intersects and stay so.
    let o = env.run(&["--format", "json", "mapping", "list", "--from", "iso27001-2022", "--to", "nist-csf-2.0"]);
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rels = m["relations"].as_array().unwrap();
    assert!(
        rels.iter()
            .any(|r| r["from"] == "A.8.13" && r["to"] == "PR.DS-11" && r["type"] == "superset" && r["provenance"] == "crosswalk-curated")
    );
    // Issue 13: A.8.8 only intersects ID.RA-01 (ID.RA-01 also covers design, physical and process weaknesses).
    assert!(rels.iter().any(|r| r["from"] == "A.8.8" && r["to"] == "ID.RA-01" && r["type"] == "intersects"));
    let o = env.run(&["--format", "json", "mapping", "list", "--from", "nist-csf-2.0", "--to", "iso27001-2022"]);
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(m["relations"].as_array().unwrap().iter().any(|r| r["from"] == "PR.DS-11" && r["to"] == "A.8.13" && r["type"] == "subset"));

    for f in ["iso27001-2022", "nist-csf-2.0"] {
        assert!(env.run(&["framework", "follow", "--tenant", "acme", "--framework", f]).status.success());
    }
    let o = env.run(&[
        "--format",
        "json",
        "control",
        "create",
        "--tenant",
        "acme",
        "--name",
        "Vulnerability management",
        "--status",
        "implemented",
    ]);
    let id = serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["id"].as_str().unwrap().to_owned();
    assert!(env.run(&["control", "link", "--tenant", "acme", &id, "--framework", "iso27001-2022", "--ref", "A.8.13"]).status.success());
    assert_error(
        &env.run(&["control", "link", "--tenant", "acme", &id, "--framework", "iso27001-2022", "--ref", "A.99"]),
        2,
        "'A.99' is not a requirement",
    );
    let file = env.data_dir.join("scan.txt");
    std::fs::write(&file, "scan results").unwrap();
    let o = env.run(&[
        "--format",
        "json",
        "evidence",
        "add",
        "--tenant",
        "acme",
        file.to_str().unwrap(),
        "--control",
        &id,
        "--valid-until",
        "2099-01-01",
    ]);
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(e["sha256"].as_str().unwrap().len(), 64, "{}", stderr(&o));

    let o = env.run(&["--format", "json", "coverage", "--tenant", "acme", "--from", "iso27001-2022", "--to", "nist-csf-2.0"]);
    let c: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(c["summary"]["derived"], 1);
    let ds11 = c["requirements"].as_array().unwrap().iter().find(|r| r["ref"] == "PR.DS-11").unwrap();
    assert_eq!(ds11["state"], "derived");
    assert_eq!(ds11["path"][0]["from"], "A.8.13");
    assert_eq!(ds11["path"][0]["from_title"], "Information backup", "each path step names both requirements");
    let o = env.run(&["--format", "json", "readiness", "--tenant", "acme", "--framework", "iso27001-2022"]);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["summary"]["proven"], 1);

    // The Statement of Applicability: an exclusion needs a justification; the draft exports to XLSX.
    assert_error(&env.run(&["soa", "decide", "--tenant", "acme", "--ref", "A.7.2", "--applicable", "false"]), 2, "justification");
    let o = env.run(&["soa", "decide", "--tenant", "acme", "--ref", "A.7.2", "--applicable", "false", "--justification", "no premises"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_error(&env.run(&["soa", "publish", "--tenant", "acme"]), 2, "decide whether the control applies");
    let o = env.run(&["--format", "json", "soa", "show", "--tenant", "acme"]);
    let soa: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(soa["rows"].as_array().unwrap().len(), 93);
    let xlsx = env.data_dir.join("soa.xlsx");
    let o = env.run(&["export", "xlsx", "--tenant", "acme", "--what", "soa", "-o", xlsx.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");

    // A malformed library: exit 2 naming the line.
    let bad = env.data_dir.join("bad.yaml");
    std::fs::write(&bad, "urn: x\nname: [unclosed\n").unwrap();
    assert_error(&env.run(&["framework", "import", bad.to_str().unwrap()]), 2, "line");
    env.cleanup().await;
}

fn json_of(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {} {}", stdout(o), stderr(o)))
}

#[tokio::test]
async fn controls_evidence_attestations_and_soa_approval_by_a_named_person() {
    let env = Env::new().await;
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme"]).status.success());
    for (email, role) in [("ciso@acme.example", "manager"), ("viewer@acme.example", "viewer")] {
        let o = env.run(&["user", "create", "--tenant", "acme", "--email", email, "--role", role]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!(env.run(&["framework", "follow", "--tenant", "acme", "--framework", "iso27001-2022"]).status.success());
    let mut ids = Vec::new();
    for name in ["Access reviews", "Privileged access"] {
        let o = env.run(&["--format", "json", "control", "create", "--tenant", "acme", "--name", name, "--status", "implemented"]);
        ids.push(json_of(&o)["id"].as_str().unwrap().to_owned());
    }
    let o = env.run(&[
        "control",
        "update",
        "--tenant",
        "acme",
        &ids[0],
        "--owner",
        "ciso@acme.example",
        "--status",
        "partial",
        "--name",
        "Access reviews (quarterly)",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_error(&env.run(&["control", "update", "--tenant", "acme", &ids[0], "--status", "done"]), 2, "'done' is not planned");
    assert_error(&env.run(&["control", "update", "--tenant", "acme", &ids[0], "--owner", "x@elsewhere.example"]), 2, "x@elsewhere.example");
    assert!(env.run(&["control", "link", "--tenant", "acme", &ids[1], "--framework", "iso27001-2022", "--ref", "A.8.2"]).status.success());

    // A record as evidence, reused by the second control, then expired.
    let o = env.run(&[
        "--format",
        "json",
        "evidence",
        "add",
        "--tenant",
        "acme",
        "--link",
        "https://tickets.example/REV-3",
        "--name",
        "Q3 review",
        "--control",
        &ids[0],
        "--valid-until",
        "2099-01-01",
    ]);
    let evidence = json_of(&o)["id"].as_str().unwrap().to_owned();
    assert_error(&env.run(&["evidence", "add", "--tenant", "acme", "--link", "https://x.example"]), 2, "required arguments");
    let o = env.run(&["--format", "json", "evidence", "link", "--tenant", "acme", &evidence, "--control", &ids[1]]);
    assert_eq!(json_of(&o)[0]["controls"].as_array().unwrap().len(), 2);
    let o = env.run(&["--format", "json", "readiness", "--tenant", "acme", "--framework", "iso27001-2022"]);
    let a82 = |r: &serde_json::Value| r["requirements"].as_array().unwrap().iter().find(|x| x["ref"] == "A.8.2").unwrap().clone();
    assert_eq!(a82(&json_of(&o))["state"], "proven");
    let o = env.run(&["evidence", "update", "--tenant", "acme", &evidence, "--valid-until", "2020-01-01"]);
    assert!(stdout(&o).contains("NOT VALID"), "{}", stdout(&o));
    let o = env.run(&["--format", "json", "readiness", "--tenant", "acme", "--framework", "iso27001-2022"]);
    let row = a82(&json_of(&o));
    assert_eq!(row["state"], "partial");
    assert!(row["reason"].as_str().unwrap().contains("expired on 2020-01-01"), "{row}");
    let o = env.run(&["--format", "json", "evidence", "list", "--tenant", "acme", "--name", "Q3"]);
    assert_eq!(json_of(&o).as_array().unwrap().len(), 1);

    // An attestation names a person; it counts as attested, never proven.
    let o = env.run(&[
        "attestation",
        "add",
        "--tenant",
        "acme",
        "--as",
        "ciso@acme.example",
        "--control",
        &ids[1],
        "--statement",
        "PAM vault reviewed",
        "--expires-on",
        "2099-01-31",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env.run(&["--format", "json", "readiness", "--tenant", "acme", "--framework", "iso27001-2022"]);
    let row = a82(&json_of(&o));
    assert_eq!(row["state"], "attested");
    assert!(row["reason"].as_str().unwrap().contains("ciso@acme.example"), "{row}");
    assert_error(
        &env.run(&["attestation", "add", "--tenant", "acme", "--as", "viewer@acme.example", "--control", &ids[1], "--statement", "x"]),
        2,
        "attesting",
    );
    assert_error(&env.run(&["attestation", "add", "--tenant", "acme", "--as", "ciso@acme.example", "--statement", "x"]), 2, "--control");
    let o = env.run(&["attestation", "list", "--tenant", "acme", "--control", &ids[1]]);
    assert!(stdout(&o).contains("ciso@acme.example") && stdout(&o).contains("attested"), "{}", stdout(&o));
    let o = env.run(&["--format", "json", "control", "show", "--tenant", "acme", &ids[1]]);
    let shown = json_of(&o);
    assert_eq!((shown["attestations"].as_array().unwrap().len(), shown["evidence"].as_array().unwrap().len()), (1, 1));
    assert!(
        env.run(&["control", "unlink", "--tenant", "acme", &ids[1], "--framework", "iso27001-2022", "--ref", "A.8.2"]).status.success()
    );

    // The SoA: settle every row in one command (a typo changes nothing), publish, approve by name.
    let o = env.run(&["--format", "json", "soa", "show", "--tenant", "acme"]);
    let refs: Vec<String> = json_of(&o)["rows"].as_array().unwrap().iter().map(|r| r["ref"].as_str().unwrap().to_owned()).collect();
    let mut args = vec!["soa", "decide", "--tenant", "acme", "--applicable", "true", "--ref", "A.99"];
    for r in &refs {
        args.extend(["--ref", r.as_str()]);
    }
    assert_error(&env.run(&args), 2, "'A.99' is not an Annex A control");
    let o = env.run(&["--format", "json", "soa", "show", "--tenant", "acme"]);
    assert!(json_of(&o)["rows"].as_array().unwrap().iter().all(|r| r["applicable"].is_null()), "nothing recorded after the typo");
    args.drain(6..8);
    let o = env.run(&args);
    assert!(stdout(&o).contains("0 row(s) still to settle"), "{} {}", stdout(&o), stderr(&o));
    assert!(env.run(&["soa", "publish", "--tenant", "acme", "--note", "first"]).status.success());
    assert_error(&env.run(&["soa", "approve", "--tenant", "acme", "--version", "1", "--as", "viewer@acme.example"]), 2, "approving");
    let o = env.run(&["soa", "approve", "--tenant", "acme", "--version", "1", "--as", "ciso@acme.example"]);
    assert!(stdout(&o).contains("approved by ciso@acme.example"), "{}", stderr(&o));
    assert_error(&env.run(&["soa", "approve", "--tenant", "acme", "--version", "1", "--as", "ciso@acme.example"]), 2, "already approved");
    let o = env.run(&["--format", "json", "soa", "versions", "--tenant", "acme"]);
    assert_eq!(json_of(&o)[0]["approved_by"], "ciso@acme.example");
    assert!(env.run(&["journal", "verify", "--tenant", "acme"]).status.success());
    env.cleanup().await;
}

#[tokio::test]
async fn user_invite_prints_the_link_alike_for_any_address_and_user_verify_vouches_for_it() {
    let env = Env::new().await;
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme Ltd"]).status.success());
    assert!(env.run(&["tenant", "create", "other", "--name", "Other Ltd"]).status.success());
    let o = env.run_with_stdin(
        &["user", "create", "--tenant", "other", "--email", "known@x.example", "--role", "viewer", "--password-stdin"],
        "a long password 1\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Same output shape whether or not the address has an account.
    let known = env.run(&["user", "invite", "--tenant", "acme", "--email", "known@x.example", "--role", "manager"]);
    let unknown = env.run(&["user", "invite", "--tenant", "acme", "--email", "new@x.example", "--role", "manager"]);
    assert!(known.status.success() && unknown.status.success(), "{} {}", stderr(&known), stderr(&unknown));
    for o in [&known, &unknown] {
        let out = stdout(o);
        assert!(
            out.starts_with("/invite/") && out.trim_end().lines().count() == 1 && out.trim_end().len() == "/invite/".len() + 64,
            "{out:?}"
        );
    }
    let o = env.run(&[
        "--public-url",
        "https://grc.example.org",
        "--format",
        "json",
        "user",
        "invite",
        "--tenant",
        "acme",
        "--email",
        "third@x.example",
        "--role",
        "viewer",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["link"].as_str().unwrap().starts_with("https://grc.example.org/invite/"), "{v}");
    assert_eq!(v["emailed"], false);
    let o = env.run(&["user", "invite", "--tenant", "acme", "--email", "bad", "--role", "viewer"]);
    assert_error(&o, 2, "email");
    let o = env.run(&["user", "invite", "--tenant", "acme", "--email", "x@x.example", "--role", "root"]);
    assert_error(&o, 2, "unknown role 'root'");
    // A bad SMTP URL is refused up front.
    let o = env.run(&["--smtp-url", "ftp://nowhere", "user", "invite", "--tenant", "acme", "--email", "y@x.example", "--role", "viewer"]);
    assert_error(&o, 2, "smtp-url");
    // The operator vouches for a member's address with a link to pass on; an address that is not a
    // member is not found.
    let o = env.run(&["user", "verify", "--tenant", "other", "--email", "known@x.example"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("/verify-email/"), "{}", stdout(&o));
    let o = env.run(&["user", "verify", "--tenant", "acme", "--email", "known@x.example"]);
    assert_error(&o, 2, "not found");
    env.cleanup().await;
}

/// Issue 13 from the command line: the bundled catalog is readable before any organisation exists;
/// withdrawn controls are marked; `mapping stats` reports the reviewed corpus; `mapping import
/// --format scf-strm` imports a sheet into an organisation, and a bad sheet exits 2 naming the column
/// with nothing imported.
#[tokio::test]
async fn the_catalog_without_organisations_mapping_stats_and_strm_import() {
    let env = Env::new().await;
    let o = env.run(&["--format", "json", "framework", "list"]);
    assert!(o.status.success(), "a fresh install lists the bundled catalog: {}", stderr(&o));
    let o = env.run(&["framework", "show", "nist-sp-800-53-r5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).lines().any(|l| l.trim_start().starts_with("AC-13 ") && l.contains("withdrawn")), "{}", stdout(&o));
    let o = env.run(&["--format", "json", "mapping", "list", "--from", "iso27001-2022", "--to", "nist-csf-2.0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env.run(&["--format", "json", "mapping", "stats"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stats: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let iso_csf = stats.as_array().unwrap().iter().find(|s| s["slug"] == "curated--iso27001-2022--nist-csf-2.0").unwrap();
    assert_eq!(
        (iso_csf["to"]["assessable"].as_u64(), iso_csf["to"]["reached_percent"].as_u64(), iso_csf["unreviewed"].as_u64()),
        (Some(106), Some(100), Some(0))
    );
    let table = env.run(&["mapping", "stats"]);
    assert!(stdout(&table).contains("unreviewed") && stdout(&table).contains("curated--nis2-cir-2024-2690--iso27001-2022"));

    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme"]).status.success());
    let sheet = env.data_dir.join("iso-strm.csv");
    std::fs::write(&sheet, "FDE #,FDE Name,STRM Rationale,STRM Relationship,SCF #,SCF Control,Strength of Relationship (optional)\nA.8.13,Information backup,Semantic,Subset Of,BCD-11,Data Backups,8\n").unwrap();
    let bad = env.data_dir.join("bad-strm.csv");
    std::fs::write(&bad, "FDE #,Colour,STRM Relationship,SCF #\nA.8.13,red,Subset Of,BCD-11\n").unwrap();
    assert_error(
        &env.run(&["--format", "scf-strm", "mapping", "import", bad.to_str().unwrap(), "--focal", "iso27001-2022", "--tenant", "acme"]),
        2,
        "unknown column 'Colour'",
    );
    assert_error(
        &env.run(&["--format", "scf-strm", "mapping", "import", sheet.to_str().unwrap(), "--focal", "iso27099", "--tenant", "acme"]),
        2,
        "iso27099",
    );
    assert_error(
        &env.run(&["mapping", "import", sheet.to_str().unwrap(), "--focal", "iso27001-2022", "--tenant", "acme"]),
        2,
        "--format scf-strm",
    );
    let o = env.run(&["--format", "json", "mapping", "stats", "--tenant", "acme"]);
    assert!(!stdout(&o).contains("scf-strm--"), "nothing was imported by the refused files");
    let o =
        env.run(&["--format", "scf-strm", "mapping", "import", sheet.to_str().unwrap(), "--focal", "iso27001-2022", "--tenant", "acme"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("scf@strm"), "{}", stdout(&o));
    let o = env.run(&["--format", "json", "mapping", "list", "--from", "iso27001-2022", "--to", "scf@strm", "--tenant", "acme"]);
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        m["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["from"] == "A.8.13" && r["to"] == "BCD-11" && r["type"] == "subset" && r["strength"] == 8),
        "{m}"
    );
}

/// Issue 14, item 6: the NIS2 registration record from the command line.
#[tokio::test]
async fn the_nis2_registration_record_from_the_command_line() {
    let env = Env::new().await;
    assert!(env.run(&["tenant", "create", "acme", "--name", "Acme"]).status.success());
    let file = env.data_dir.join("registration.json");
    std::fs::write(
        &file,
        r#"{"name": "Acme", "address": "Main St 1", "emails": ["noc@acme.example"], "phones": ["+49 30 1"], "member_states": ["DE"]}"#,
    )
    .unwrap();
    let o = env.run(&["nis2", "registration", "set", "--tenant", "acme", "--file", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["report_by"][0]["basis"].as_str().unwrap().contains("two weeks"));
    let o = env.run(&["nis2", "registration", "reported", "--tenant", "acme", "--on", "1999-01-01"]);
    assert_error(&o, 2, "reported_on");
    let bad = env.data_dir.join("bad.json");
    std::fs::write(&bad, r#"{"name": "Acme", "adress": "typo"}"#).unwrap();
    assert_error(&env.run(&["nis2", "registration", "set", "--tenant", "acme", "--file", bad.to_str().unwrap()]), 2, "adress");
    let o = env.run(&["nis2", "registration", "show", "--tenant", "acme"]);
    assert!(stdout(&o).contains("noc@acme.example"));
}
