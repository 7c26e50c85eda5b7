//! The operator's OIDC configuration (issue 15, item 5): identity providers are set in a JSON file
//! given to `serve --oidc-config FILE` (and `crosswalk oidc list`), never through the web UI. The
//! file holds client secrets, so it is read once at start-up and should be readable by the service
//! account only.
//!
//! ```json
//! [{"name": "corp", "label": "Corp SSO", "issuer": "https://id.example.com",
//!   "client_id": "crosswalk", "client_secret": "…",
//!   "claim_rules": [{"claim": "groups", "value": "grc-auditors", "organisation": "acme", "role": "auditor"}]}]
//! ```
use crate::config::{Cli, Format};
use crate::output;
use anyhow::{Context, anyhow};
use crosswalk_web::oidc::OidcProvider;
use std::path::Path;
use std::process::ExitCode;

/// Reads and checks the providers file: valid entries, unique names.
pub fn load(path: &Path) -> anyhow::Result<Vec<OidcProvider>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the OIDC configuration {}", path.display()))?;
    let de = &mut serde_json::Deserializer::from_str(&text);
    let providers: Vec<OidcProvider> =
        serde_path_to_error::deserialize(de).map_err(|e| anyhow!("{}: {}: {}", path.display(), e.path(), e.inner()))?;
    for (i, p) in providers.iter().enumerate() {
        p.validate().map_err(|e| anyhow!("{}: {e}", path.display()))?;
        if providers[..i].iter().any(|q| q.name == p.name) {
            return Err(anyhow!("{}: provider name '{}' is used twice", path.display(), p.name));
        }
    }
    Ok(providers)
}

/// `crosswalk oidc list`: the configured providers, without their secrets.
pub fn list(cli: &Cli, path: &Path) -> anyhow::Result<ExitCode> {
    let providers = load(path)?;
    if cli.format == Format::Json {
        let rows: Vec<serde_json::Value> = providers
            .iter()
            .map(|p| {
                serde_json::json!({
                    "name": p.name, "label": p.label, "issuer": p.issuer, "client_id": p.client_id,
                    "confidential": p.client_secret.is_some(),
                    "claim_rules": p.claim_rules.iter().map(|r| serde_json::json!({
                        "claim": r.claim, "value": r.value, "organisation": r.organisation, "role": r.role,
                    })).collect::<Vec<_>>(),
                    "redirect_uri": cli.public_url.as_deref().map(|u| format!("{}/auth/oidc/{}/callback", u.trim_end_matches('/'), p.name)),
                })
            })
            .collect();
        output::line(&serde_json::to_string_pretty(&rows)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if providers.is_empty() {
        output::line("no identity providers configured")?;
    }
    for p in &providers {
        let redirect = match cli.public_url.as_deref() {
            Some(u) => format!("{}/auth/oidc/{}/callback", u.trim_end_matches('/'), p.name),
            None => "(set --public-url)".to_owned(),
        };
        output::line(&format!("{}\t{}\t{}\tclient {}\tredirect URI {redirect}", p.name, p.label, p.issuer, p.client_id))?;
        for r in &p.claim_rules {
            output::line(&format!("  rule: {} = {} -> {} as {}", r.claim, r.value, r.organisation, r.role))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
