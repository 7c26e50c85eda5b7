//! The Content-Security-Policy stays strict (no `'unsafe-inline'`), so nothing the pages send may need
//! it: no `style` attribute, no `<style>` block and no inline script in any template or in HTML built
//! in Rust (issue 11: the printable SoA and the requirement tree lost their layout under the policy).
#![allow(clippy::unwrap_used)] // a test that cannot proceed should fail loudly, right there
mod common;

use common::*;
use std::path::{Path, PathBuf};

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path, ext));
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    out
}

/// What the policy would block in `html`, if anything.
fn inline_styles_or_scripts(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    if lower.contains("style=") {
        found.push("a style= attribute".to_owned());
    }
    if lower.contains("<style") {
        found.push("a <style> block".to_owned());
    }
    for (at, _) in lower.match_indices("<script") {
        let tag_end = lower[at..].find('>').map_or(lower.len(), |e| at + e);
        let tag = &lower[at..tag_end];
        let body_end = lower[tag_end..].find("</script>").map_or(lower.len(), |e| tag_end + e);
        let body = lower.get(tag_end + 1..body_end).unwrap_or_default();
        if !tag.contains(" src=") || !body.trim().is_empty() {
            found.push(format!("an inline script ({tag}>)"));
        }
    }
    for handler in [" onclick=", " onload=", " onerror=", " onsubmit=", " onchange=", "javascript:"] {
        if lower.contains(handler) {
            found.push(format!("an inline handler ({})", handler.trim()));
        }
    }
    found
}

#[test]
fn no_template_or_page_module_needs_unsafe_inline() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = files(&root.join("templates"), "html");
    assert!(sources.len() > 10, "templates not found under {}", root.display());
    sources.extend(files(&root.join("src/pages"), "rs"));
    for path in sources {
        let text = std::fs::read_to_string(&path).unwrap();
        let found = inline_styles_or_scripts(&text);
        assert!(found.is_empty(), "{}: {}", path.display(), found.join(", "));
    }
}

#[test]
fn the_checker_finds_what_the_policy_blocks() {
    assert!(!inline_styles_or_scripts(r#"<td style="padding-left: 2em">"#).is_empty());
    assert!(!inline_styles_or_scripts("<STYLE>body{}</STYLE>").is_empty());
    assert!(!inline_styles_or_scripts("<script>alert(1)</script>").is_empty());
    assert!(!inline_styles_or_scripts(r#"<a onclick="x()">"#).is_empty());
    assert!(inline_styles_or_scripts(r#"<script src="/static/htmx.min.js" defer></script>"#).is_empty());
}

#[tokio::test]
async fn the_policy_is_strict_and_the_requirement_tree_renders_without_inline_styles() {
    let h = harness().await;
    org_with_tokens(&h.app, "acme").await;
    let (_, session) = browser_login(&h.router, "admin@acme.example", PASSWORD).await;
    let session = session.unwrap();
    let tree = send(&h.router, page("/frameworks/view?framework=nist-sp-800-53-r5", &session)).await;
    assert_eq!(tree.status, 200, "{}", tree.body);
    let csp = tree.headers["content-security-policy"].to_str().unwrap().to_owned();
    assert!(!csp.contains("unsafe-inline") && csp.contains("default-src 'self'"), "{csp}");
    assert!(tree.body.contains(r#"<tr class="depth-1">"#), "the tree marks levels with classes");
    assert!(inline_styles_or_scripts(&tree.body).is_empty(), "{:?}", inline_styles_or_scripts(&tree.body));
    let css = send(&h.router, page("/static/app.css", "")).await.body;
    assert!(css.contains("tr.depth-1 > td.ref") && css.contains("body.print-doc"), "the stylesheet carries the moved rules");
}
