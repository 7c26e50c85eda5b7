//! Catalog pages: the framework list (follow, import), a framework's requirement tree with the
//! organisation's states, a requirement with its typed relations into every framework (and the
//! mapping editor), coverage between two frameworks with a server-side SVG heat map, readiness of
//! one framework, and a side-by-side view of two frameworks.
use super::{Nav, PermittedForm, error_page, form_error, needs, render_with};
use crate::AppState;
use crate::auth::PageActor;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::AppError;
use crosswalk_app::attestations::{AttestationFilter, AttestationView, NewAttestation};
use crosswalk_app::catalog::{
    FrameworkDetail, FrameworkScope, FrameworkSummary, ImportReport, NewRelation, RelationView, RequirementDetail, RequirementRange,
};
use crosswalk_app::readiness::{ReadinessReport, RequirementReadiness, SignOff};
use crosswalk_domain::Permission;
use crosswalk_domain::catalog::{Rationale, RelationType};
use crosswalk_domain::crosswalk::Readiness;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "frameworks.html")]
struct FrameworksPage {
    nav: Nav,
    frameworks: Vec<FrameworkSummary>,
    can_follow: bool,
    can_import: bool,
    report: Option<ImportReport>,
    flash_error: Option<String>,
    /// Per mapping set: relations by type and what each side reaches (issue 13).
    stats: Vec<crosswalk_app::mapping_stats::MappingSetStats>,
}

#[derive(Template)]
#[template(path = "framework.html")]
struct FrameworkPage<'a> {
    nav: Nav,
    /// Whether the actor may download an auditor pack (journal readers, framework followed).
    can_pack: bool,
    detail: FrameworkDetail,
    id: String,
    q: String,
    /// Requirement → (state, reason), borrowed from the shared readiness report (no copy per request).
    states: HashMap<&'a str, (&'static str, &'a str)>,
    /// 1-based positions of the first and last requirement shown, among those matching.
    first: u64,
    last: u64,
    /// Offsets of the neighbouring pages, when there are any.
    previous: Option<u64>,
    next: Option<u64>,
}

#[derive(Template)]
#[template(path = "requirement.html")]
struct RequirementPage {
    nav: Nav,
    detail: RequirementDetail,
    id: String,
    readiness: Option<RequirementReadiness>,
    attestations: Vec<AttestationView>,
    frameworks: Vec<FrameworkSummary>,
    can_manage: bool,
    flash_error: Option<String>,
}

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage {
    nav: Nav,
    frameworks: Vec<FrameworkSummary>,
    from: String,
    to: String,
    report: Option<ReadinessReport>,
    heatmap: String,
    flash_error: Option<String>,
}

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    nav: Nav,
    frameworks: Vec<FrameworkSummary>,
    from: String,
    to: String,
    rows: Vec<(String, String, Vec<RelationView>)>,
}

fn id_of(f: &FrameworkSummary) -> String {
    format!("{}@{}", f.slug, f.version)
}

/// Colour of a readiness state, shared by the heat map and the legend (CSS classes use the same names).
fn colour(state: Readiness) -> &'static str {
    match state {
        Readiness::Proven => "#1a7f37",
        Readiness::Derived => "#2da44e",
        Readiness::Attested => "#8fd19e",
        Readiness::Partial => "#d4a72c",
        Readiness::Gap => "#cf222e",
        Readiness::NotApplicable => "#8c959f",
        Readiness::Unknown => "#eaeef2",
    }
}

fn escape(raw: &str) -> String {
    raw.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The heat map: one square per requirement of the target framework, coloured by state, linking to
/// the requirement, with its reason as the tooltip. Drawn on the server so it works without scripts.
pub fn heatmap(report: &ReadinessReport) -> String {
    const CELL: usize = 14;
    const PER_ROW: usize = 40;
    // Headings roll up from their requirements and are not counted: one square per assessable requirement.
    let leaves: Vec<_> = report.requirements.iter().filter(|r| !r.heading).collect();
    let rows = leaves.len().div_ceil(PER_ROW).max(1);
    let (width, height) = (PER_ROW * CELL, rows * CELL);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" role="img" aria-label="Readiness of {} requirements" width="{width}" height="{height}" viewBox="0 0 {width} {height}">"#,
        leaves.len()
    );
    for (i, r) in leaves.into_iter().enumerate() {
        let (x, y) = ((i % PER_ROW) * CELL, (i / PER_ROW) * CELL);
        let href = format!("/requirement?framework={}&amp;ref={}", escape(&report.framework), escape(&urlencode(&r.reference)));
        svg.push_str(&format!(
            r#"<a href="{href}"><rect x="{x}" y="{y}" width="{w}" height="{w}" fill="{fill}" data-ref="{r}" data-state="{state}"><title>{r}: {state} — {reason}</title></rect></a>"#,
            w = CELL - 2,
            fill = colour(r.state),
            r = escape(&r.reference),
            state = r.state.as_str(),
            reason = escape(&r.reason),
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn urlencode(raw: &str) -> String {
    serde_urlencoded::to_string([("v", raw)]).map(|s| s[2..].to_owned()).unwrap_or_default()
}

pub async fn list(State(state): State<AppState>, p: PageActor) -> Response {
    list_page(&state, &p, StatusCode::OK, None, None).await
}

async fn list_page(
    state: &AppState,
    p: &PageActor,
    status: StatusCode,
    report: Option<ImportReport>,
    flash_error: Option<String>,
) -> Response {
    let stats = match state.app.mapping_stats(&p.actor).await {
        Ok(stats) => stats,
        Err(e) => return error_page(&e),
    };
    match state.app.list_frameworks(&p.actor).await {
        Ok(frameworks) => render_with(
            status,
            &FrameworksPage {
                nav: Nav::new(p, "frameworks"),
                frameworks,
                can_follow: p.actor.can(Permission::ManageCompliance),
                can_import: p.actor.can(Permission::ManageTenant),
                report,
                flash_error,
                stats,
            },
        ),
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct PackForm {
    framework: String,
}

/// "Download auditor pack" on the framework page.
pub async fn pack(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ReadJournal, PackForm>,
) -> Response {
    match crate::pack::download(&state.app, &p.actor, &f.framework).await {
        Ok(r) => r,
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct FollowForm {
    framework: String,
    #[serde(default)]
    unfollow: Option<String>,
}

pub async fn follow(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, FollowForm>,
) -> Response {
    let result = if f.unfollow.is_some() {
        state.app.unfollow_framework(&p.actor, &f.framework).await
    } else {
        state.app.follow_framework(&p.actor, &f.framework).await
    };
    match result {
        Ok(()) => Redirect::to("/frameworks").into_response(),
        Err(e) => error_page(&e),
    }
}

/// Import upload (multipart) into the organisation's own catalog. Catalogs are parsed in memory, so
/// the file is read whole, but only after the role check and only up to the organisation's limit.
pub async fn import(State(state): State<AppState>, p: PageActor, mut form: Multipart) -> Response {
    if let Err(e) = p.actor.require(Permission::ManageTenant, "importing frameworks") {
        return error_page(&e);
    }
    let max = state.app.import_limits(&p.actor).map(|l| l.max_bytes);
    let mut file: Option<(String, Vec<u8>)> = None;
    let (mut format, mut focal) = (String::new(), String::new());
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("format") {
            format = field.text().await.unwrap_or_default();
        } else if field.name() == Some("focal") {
            focal = field.text().await.unwrap_or_default();
        } else if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_owned();
            match crate::limits::read_capped(field, max).await {
                Ok(bytes) => file = Some((name, bytes)),
                Err(problem) => {
                    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                    return list_page(&state, &p, status, None, Some(format!("file: {}", problem.detail))).await;
                }
            }
        }
    }
    let Some((name, bytes)) = file else {
        return list_page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, None, Some("file: choose a file to import".into())).await;
    };
    let imported = if format == "scf-strm" {
        state.app.import_strm(&p.actor, &bytes, &name, focal.trim()).await
    } else {
        state.app.import_catalog(&p.actor, &bytes, &name, None).await
    };
    match imported {
        Ok(report) => list_page(&state, &p, StatusCode::OK, Some(report), None).await,
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            list_page(&state, &p, StatusCode::UNPROCESSABLE_ENTITY, None, Some(form_error(&e))).await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct FrameworkQuery {
    framework: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    offset: Option<u64>,
}

/// A framework's requirement tree, one page at a time (the largest importable framework has
/// 50,000 requirements), searchable across all pages.
pub async fn framework(State(state): State<AppState>, p: PageActor, Query(query): Query<FrameworkQuery>) -> Response {
    let page = match RequirementRange::new(query.offset, None, Some(query.q.clone())) {
        Ok(page) => page,
        Err(e) => return error_page(&e),
    };
    let detail = match state.app.framework_detail(&p.actor, &query.framework, &page).await {
        Ok(d) => d,
        Err(e) => return error_page(&e),
    };
    // The organisation's states beside each requirement, when it follows the framework: read from
    // the shared report (an `Arc`), not cloned from it, so a page costs its rendering and little else.
    let report = if detail.framework.followed {
        match state.app.readiness_report(&p.actor, &query.framework).await {
            Ok(report) => Some(report),
            Err(e) => return error_page(&e),
        }
    } else {
        None
    };
    let states: HashMap<&str, (&'static str, &str)> = report
        .as_deref()
        .map(|r| r.requirements.iter().map(|x| (x.reference.as_str(), (x.state.as_str(), x.reason.as_str()))).collect())
        .unwrap_or_default();
    let shown = detail.requirements.len();
    let id = id_of(&detail.framework);
    let previous = (detail.offset > 0).then(|| detail.offset.saturating_sub(detail.limit));
    let next = (detail.offset + detail.limit < detail.total).then_some(detail.offset + detail.limit);
    let first = if shown == 0 { 0 } else { detail.offset + 1 };
    let last = detail.offset + shown as u64;
    render_with(
        StatusCode::OK,
        &FrameworkPage {
            nav: Nav::new(&p, "frameworks"),
            can_pack: p.actor.can(Permission::ReadJournal) && detail.framework.followed,
            detail,
            id,
            q: query.q,
            states,
            first,
            last,
            previous,
            next,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct RequirementQuery {
    framework: String,
    #[serde(rename = "ref")]
    reference: String,
}

async fn requirement_page(
    state: &AppState,
    p: &PageActor,
    framework: &str,
    reference: &str,
    status: StatusCode,
    flash_error: Option<String>,
) -> Response {
    let detail = match state.app.requirement_detail(&p.actor, framework, reference).await {
        Ok(d) => d,
        Err(e) => return error_page(&e),
    };
    let readiness = if detail.framework.followed {
        match state.app.readiness(&p.actor, framework).await {
            Ok(report) => report.requirements.into_iter().find(|r| r.reference == reference),
            Err(e) => return error_page(&e),
        }
    } else {
        None
    };
    let frameworks = match state.app.list_frameworks(&p.actor).await {
        Ok(f) => f,
        Err(e) => return error_page(&e),
    };
    let id = id_of(&detail.framework);
    let filter = AttestationFilter { control: None, framework: Some(id.clone()), reference: Some(detail.requirement.reference.clone()) };
    let attestations = match state.app.attestations(&p.actor, &filter).await {
        Ok(a) => a,
        Err(e) => return error_page(&e),
    };
    render_with(
        status,
        &RequirementPage {
            nav: Nav::new(p, "frameworks"),
            detail,
            id,
            readiness,
            attestations,
            frameworks,
            can_manage: p.actor.can(Permission::ManageCompliance),
            flash_error,
        },
    )
}

pub async fn requirement(State(state): State<AppState>, p: PageActor, Query(q): Query<RequirementQuery>) -> Response {
    requirement_page(&state, &p, &q.framework, &q.reference, StatusCode::OK, None).await
}

#[derive(Debug, Deserialize)]
pub struct RelationForm {
    framework: String,
    #[serde(rename = "ref")]
    reference: String,
    to_framework: String,
    to: String,
    relation: String,
    #[serde(default)]
    strength: String,
    #[serde(default)]
    rationale: String,
    #[serde(default)]
    note: String,
}

fn parse_relation_form(f: &RelationForm) -> Result<NewRelation, String> {
    let relation = RelationType::parse(&f.relation).ok_or_else(|| format!("type: '{}' is not an IR 8477 relation", f.relation))?;
    let strength = match f.strength.trim() {
        "" => None,
        raw => Some(raw.parse::<u8>().map_err(|_| format!("strength: '{raw}' is not a number from 0 to 10"))?),
    };
    Ok(NewRelation {
        from_framework: f.framework.clone(),
        from: f.reference.clone(),
        to_framework: f.to_framework.clone(),
        to: f.to.trim().to_owned(),
        relation,
        strength,
        rationale: Rationale::parse(&f.rationale),
        note: f.note.clone(),
    })
}

pub async fn add_relation(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, RelationForm>,
) -> Response {
    let result = match parse_relation_form(&f) {
        Ok(new) => state.app.add_relation(&p.actor, new).await.map_err(|e| match e {
            e @ AppError::Invalid(_) => Ok(form_error(&e)),
            e => Err(e),
        }),
        Err(msg) => Err(Ok(msg)),
    };
    match result {
        Ok(_) => {
            Redirect::to(&format!("/requirement?framework={}&ref={}", urlencode(&f.framework), urlencode(&f.reference))).into_response()
        }
        Err(Ok(msg)) => requirement_page(&state, &p, &f.framework, &f.reference, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await,
        Err(Err(e)) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct DeleteRelationForm {
    framework: String,
    #[serde(rename = "ref")]
    reference: String,
    id: i64,
}

pub async fn delete_relation(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, DeleteRelationForm>,
) -> Response {
    match state.app.delete_relation(&p.actor, f.id).await {
        Ok(()) => {
            Redirect::to(&format!("/requirement?framework={}&ref={}", urlencode(&f.framework), urlencode(&f.reference))).into_response()
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct SignOffForm {
    framework: String,
    #[serde(rename = "ref")]
    reference: String,
    statement: String,
}

pub async fn sign_off(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, SignOffForm>,
) -> Response {
    let result = state
        .app
        .sign_off_suggestion(&p.actor, &f.framework, &f.reference, SignOff { statement: f.statement.clone(), expires_on: None })
        .await;
    back_to_requirement(&state, &p, &f.framework, &f.reference, result).await
}

/// After a form on the requirement page: back to it, or the page again with the problem.
async fn back_to_requirement<T>(
    state: &AppState,
    p: &PageActor,
    framework: &str,
    reference: &str,
    result: Result<T, AppError>,
) -> Response {
    match result {
        Ok(_) => Redirect::to(&format!("/requirement?framework={}&ref={}", urlencode(framework), urlencode(reference))).into_response(),
        Err(e @ AppError::Invalid(_)) => {
            requirement_page(state, p, framework, reference, StatusCode::UNPROCESSABLE_ENTITY, Some(form_error(&e))).await
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Debug, Deserialize)]
pub struct AttestForm {
    framework: String,
    #[serde(rename = "ref")]
    reference: String,
    statement: String,
    #[serde(default)]
    expires_on: String,
}

/// The signed-in person attests that the requirement is met: attested, never proven.
pub async fn attest(
    State(state): State<AppState>,
    p: PageActor,
    PermittedForm(f, _): PermittedForm<needs::ManageCompliance, AttestForm>,
) -> Response {
    let result = match super::optional_date(&f.expires_on, "expires_on") {
        Ok(expires_on) => {
            let new = NewAttestation {
                framework: Some(f.framework.clone()),
                reference: Some(f.reference.clone()),
                control: None,
                statement: f.statement,
                expires_on,
            };
            state.app.attest(&p.actor, new).await
        }
        Err(message) => {
            return requirement_page(&state, &p, &f.framework, &f.reference, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await;
        }
    };
    back_to_requirement(&state, &p, &f.framework, &f.reference, result).await
}

#[derive(Debug, Deserialize)]
pub struct PairQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn coverage(State(state): State<AppState>, p: PageActor, Query(q): Query<PairQuery>) -> Response {
    let frameworks = match state.app.list_frameworks(&p.actor).await {
        Ok(f) => f,
        Err(e) => return error_page(&e),
    };
    let (report, flash_error) = if q.from.is_empty() || q.to.is_empty() {
        (None, None)
    } else {
        match state.app.coverage(&p.actor, &q.from, &q.to).await {
            Ok(r) => (Some(r), None),
            Err(e @ AppError::NotFound(_)) => (None, Some(form_error(&e))),
            Err(e) => return error_page(&e),
        }
    };
    let heatmap = report.as_ref().map(heatmap).unwrap_or_default();
    let status = if flash_error.is_some() { StatusCode::NOT_FOUND } else { StatusCode::OK };
    render_with(status, &CoveragePage { nav: Nav::new(&p, "coverage"), frameworks, from: q.from, to: q.to, report, heatmap, flash_error })
}

#[derive(Debug, Deserialize)]
pub struct ReadinessQuery {
    framework: String,
}

/// Readiness of one framework: the same page as coverage, with the organisation's own work counted.
pub async fn readiness(State(state): State<AppState>, p: PageActor, Query(q): Query<ReadinessQuery>) -> Response {
    let frameworks = match state.app.list_frameworks(&p.actor).await {
        Ok(f) => f,
        Err(e) => return error_page(&e),
    };
    match state.app.readiness(&p.actor, &q.framework).await {
        Ok(report) => {
            let heatmap = heatmap(&report);
            render_with(
                StatusCode::OK,
                &CoveragePage {
                    nav: Nav::new(&p, "frameworks"),
                    frameworks,
                    from: String::new(),
                    to: q.framework,
                    report: Some(report),
                    heatmap,
                    flash_error: None,
                },
            )
        }
        Err(e) => error_page(&e),
    }
}

pub async fn compare(State(state): State<AppState>, p: PageActor, Query(q): Query<PairQuery>) -> Response {
    let frameworks = match state.app.list_frameworks(&p.actor).await {
        Ok(f) => f,
        Err(e) => return error_page(&e),
    };
    let mut rows = Vec::new();
    if !q.from.is_empty() && !q.to.is_empty() {
        // A bounded view: the first requirements of very large frameworks.
        let page = RequirementRange { offset: 0, limit: RequirementRange::MAX_LIMIT, search: None };
        let (detail, relations) =
            match (state.app.framework_detail(&p.actor, &q.from, &page).await, state.app.mapping_list(&p.actor, &q.from, &q.to).await) {
                (Ok(d), Ok(r)) => (d, r),
                (Err(e), _) | (_, Err(e)) => return error_page(&e),
            };
        let mut by_ref: HashMap<String, Vec<RelationView>> = HashMap::new();
        for r in relations {
            by_ref.entry(r.from.clone()).or_default().push(r);
        }
        for req in detail.requirements.into_iter().filter(|r| r.assessable) {
            let related = by_ref.remove(&req.reference).unwrap_or_default();
            rows.push((req.reference, req.title, related));
        }
    }
    render_with(StatusCode::OK, &ComparePage { nav: Nav::new(&p, "coverage"), frameworks, from: q.from, to: q.to, rows })
}
