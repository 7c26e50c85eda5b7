//! `/`: the organisation's dashboard. Empty until frameworks are followed, but honest about it.
use super::{Nav, error_page, render};
use crate::AppState;
use crate::auth::PageActor;
use askama::Template;
use axum::extract::State;
use axum::response::Response;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Nav,
    members: usize,
    journal_head: i64,
}

pub async fn show(State(state): State<AppState>, p: PageActor) -> Response {
    let members = match state.app.list_members(&p.actor).await {
        Ok(m) => m.len(),
        Err(e) => return error_page(&e),
    };
    let journal_head = match state.app.journal_head(&p.actor).await {
        Ok(h) => h,
        Err(e) => return error_page(&e),
    };
    render(&DashboardPage { nav: Nav::new(&p, "dashboard"), members, journal_head })
}
