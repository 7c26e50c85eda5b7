//! `/`: the organisation's dashboard. Empty until frameworks are followed, but honest about it.
use super::{Nav, PermittedForm, error_page, needs, render};
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
    nis2: Option<String>,
    open_incidents: usize,
    overdue_steps: usize,
    notifications: Vec<crosswalk_app::reminders::NotificationView>,
    can_rename: bool,
    cards: Vec<(crosswalk_app::posture::PostureCard, String)>,
    expiring: Vec<crosswalk_app::evidence::EvidenceView>,
}

/// A small line chart of the proven, attested and derived shares per day (server-side SVG, no script).
pub fn trend_svg(points: &[crosswalk_app::posture::TrendPoint]) -> String {
    const W: f64 = 240.0;
    const H: f64 = 60.0;
    let n = points.len().max(2) as f64 - 1.0;
    let line = |pick: &dyn Fn(&crosswalk_app::posture::TrendPoint) -> i32, colour: &str, name: &str| {
        let coords: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let share = if p.total > 0 { f64::from(pick(p)) / f64::from(p.total) } else { 0.0 };
                format!("{:.1},{:.1}", i as f64 / n * W, H - share * H)
            })
            .collect();
        format!(
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"><title>{name}</title></polyline>"#,
            coords.join(" ")
        )
    };
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="trend" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="Proven, attested and derived shares over {} day(s)">{}{}{}</svg>"#,
        points.len(),
        line(&|p| p.proven, "#1a7f37", "proven"),
        line(&|p| p.attested, "#8fd19e", "attested"),
        line(&|p| p.derived, "#2da44e", "derived")
    )
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
    let (profile, incidents) = match (state.app.nis2_profile(&p.actor).await, state.app.list_incidents(&p.actor).await) {
        (Ok(pr), Ok(i)) => (pr, i),
        (Err(e), _) | (_, Err(e)) => return error_page(&e),
    };
    let nis2 = profile.map(|pr| pr.result.classification.label().to_owned());
    let open_incidents = incidents.iter().filter(|i| i.status == "open").count();
    let overdue_steps = incidents.iter().flat_map(|i| i.clocks.iter().flat_map(|c| c.steps.iter())).filter(|s| s.overdue).count();
    let notifications = match state.app.notifications(&p.actor, 5).await {
        Ok(n) => n,
        Err(e) => return error_page(&e),
    };
    let posture = match state.app.posture(&p.actor).await {
        Ok(view) => view,
        Err(e) => return error_page(&e),
    };
    let cards = posture.cards.into_iter().map(|c| {
        let svg = trend_svg(&c.trend);
        (c, svg)
    });
    render(&DashboardPage {
        nav: Nav::new(&p, "dashboard"),
        members,
        journal_head,
        nis2,
        open_incidents,
        overdue_steps,
        notifications,
        can_rename: p.actor.can(crosswalk_domain::Permission::ManageTenant),
        cards: cards.collect(),
        expiring: posture.expiring_evidence,
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct RenameForm {
    name: String,
}

/// Rename the organisation (admins).
pub async fn rename(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageTenant, RenameForm>,
) -> Response {
    use axum::response::IntoResponse;
    match state.app.rename_tenant(&p.actor, &f.name).await {
        Ok(_) => axum::response::Redirect::to("/").into_response(),
        Err(e) => error_page(&e),
    }
}
