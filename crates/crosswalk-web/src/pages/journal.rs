//! `/journal`: recent entries with their hashes, and "verify now" (an htmx partial, or a full page
//! without JavaScript).
use super::{Nav, PageQuery, error_page, render};
use crate::AppState;
use crate::auth::PageActor;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use crosswalk_app::journal::{EntryView, VerifyReport};
use crosswalk_domain::Permission;
use serde::Deserialize;

const PAGE_SIZE: u64 = 50;

#[derive(Template)]
#[template(path = "journal.html")]
struct JournalPage {
    nav: Nav,
    entries: Vec<EntryView>,
    older: Option<i64>,
    public_key: String,
    can_verify: bool,
    report: Option<VerifyReport>,
}

#[derive(Template)]
#[template(path = "verify_partial.html")]
struct VerifyPartial {
    r: VerifyReport,
}

#[derive(Debug, Deserialize)]
pub struct JournalQuery {
    before: Option<crate::params::Int<1, { i64::MAX }>>,
}

async fn page(state: &AppState, p: &PageActor, before: Option<i64>, report: Option<VerifyReport>) -> Response {
    match state.app.journal_entries(&p.actor, before, PAGE_SIZE).await {
        Ok(entries) => {
            let older = entries.last().filter(|e| e.seq > 1 && entries.len() as u64 == PAGE_SIZE).map(|e| e.seq);
            render(&JournalPage {
                nav: Nav::new(p, "journal"),
                entries,
                older,
                public_key: hex::encode(state.app.verifying_key().as_bytes()),
                can_verify: p.actor.can(Permission::VerifyJournal),
                report,
            })
        }
        Err(e) => error_page(&e),
    }
}

pub async fn list(State(state): State<AppState>, p: PageActor, PageQuery(q): PageQuery<JournalQuery>) -> Response {
    page(&state, &p, q.before.map(crate::params::Int::get), None).await
}

pub async fn verify(State(state): State<AppState>, p: PageActor, headers: HeaderMap) -> Response {
    verify_with(state, p, headers, false).await
}

/// "Deep verify": also every live row and evidence file against the journal.
pub async fn verify_deep(State(state): State<AppState>, p: PageActor, headers: HeaderMap) -> Response {
    verify_with(state, p, headers, true).await
}

/// The latest signed checkpoint as a JSON download, for an auditor to keep.
pub async fn checkpoint(State(state): State<AppState>, p: PageActor) -> Response {
    match state.app.export_checkpoint(&p.actor).await {
        Ok(cp) => match serde_json::to_string_pretty(&cp) {
            Ok(json) => (
                [
                    (header::CONTENT_TYPE, "application/json".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"crosswalk-checkpoint-{}-{}.json\"", p.actor.tenant_slug(), cp.seq),
                    ),
                ],
                json,
            )
                .into_response(),
            Err(e) => error_page(&crosswalk_app::AppError::Internal(e.to_string())),
        },
        Err(e) => error_page(&e),
    }
}

async fn verify_with(state: AppState, p: PageActor, headers: HeaderMap, deep: bool) -> Response {
    let report = match state.app.verify_journal_with(&p.actor, true, deep).await {
        Ok(r) => r,
        Err(e) => return error_page(&e),
    };
    if headers.contains_key("hx-request") { render(&VerifyPartial { r: report }) } else { page(&state, &p, None, Some(report)).await }
}

pub async fn public_key_pem(State(state): State<AppState>, _p: PageActor) -> Response {
    match state.app.public_key_pem() {
        Ok(pem) => ([(header::CONTENT_TYPE, "application/x-pem-file")], pem).into_response(),
        Err(e) => error_page(&e),
    }
}
