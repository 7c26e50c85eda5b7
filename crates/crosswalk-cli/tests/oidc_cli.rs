//! Single sign-on from the operator's side: providers come from a file given on the command line
//! (listed without secrets), a bad file or a missing public URL stops `serve` with one clear line,
//! and an account's linked logins are listed and removed with `user logins` / `user unlink`.
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod support;

use support::*;

#[tokio::test]
async fn providers_are_configured_by_the_operator_and_listed_without_secrets() {
    let env = Env::new().await;
    let config = env.data_dir.join("oidc.json");
    std::fs::write(
        &config,
        r#"[{"name": "corp", "label": "Corp SSO", "issuer": "https://id.example.com", "client_id": "crosswalk", "client_secret": "s3cret-value",
            "claim_rules": [{"claim": "groups", "value": "grc", "organisation": "acme", "role": "auditor"}]}]"#,
    )
    .unwrap();
    let path = config.to_str().unwrap();
    let o = env.run(&["--public-url", "https://grc.example.org", "oidc", "list", "--oidc-config", path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("corp\tCorp SSO\thttps://id.example.com"), "{out}");
    assert!(out.contains("https://grc.example.org/auth/oidc/corp/callback"), "{out}");
    assert!(!out.contains("s3cret-value"), "the secret is never printed");
    assert!(out.contains("rule: groups = grc -> acme as auditor"), "{out}");

    // serve refuses providers without the public URL they redirect back to.
    let o = env.run(&["serve", "--listen", "127.0.0.1:0", "--oidc-config", path]);
    assert_error(&o, 2, "--oidc-config needs --public-url");

    std::fs::write(&config, r#"[{"name": "Bad Name", "label": "x", "issuer": "https://id.example.com", "client_id": "c"}]"#).unwrap();
    let o = env.run(&["oidc", "list", "--oidc-config", path]);
    assert_error(&o, 2, "provider name 'Bad Name'");
    std::fs::write(&config, r#"[{"name": "a", "label": "x", "issuer": "https://id.example.com", "client_id": "c", "extra": 1}]"#).unwrap();
    let o = env.run(&["oidc", "list", "--oidc-config", path]);
    assert_error(&o, 2, "unknown field `extra`");
    env.cleanup().await;
}

#[tokio::test]
async fn linked_logins_are_listed_and_unlinking_an_unknown_one_is_not_found() {
    let env = Env::new().await;
    let o = env.run(&["tenant", "create", "acme", "--name", "Acme Ltd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env.run_with_stdin(
        &["user", "create", "--tenant", "acme", "--email", "ciso@acme.example", "--role", "manager", "--password-stdin"],
        "a long password 1\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env.run(&["user", "logins", "--email", "ciso@acme.example"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("no linked single sign-on logins"));
    let o = env.run(&["--format", "json", "user", "logins", "--email", "ciso@acme.example"]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap(), serde_json::json!([]));
    let id = uuid::Uuid::new_v4().to_string();
    let o = env.run(&["user", "unlink", "--tenant", "acme", "--email", "ciso@acme.example", "--id", &id]);
    assert_error(&o, 2, "not found");
    env.cleanup().await;
}
