//! Request limits per route: how large a body may be and how long a request may take.
//!
//! Three kinds of route, decided here in one place ([`RouteKind::of`]):
//! - **evidence uploads** (`POST /api/v1/evidence`, `POST /controls/{id}/evidence`): bodies up to
//!   [`Limits::evidence_max_bytes`] (default 4 GiB), streamed to the blob store; no overall deadline,
//!   since a 2 GB file over a slow link takes as long as it takes, but the body must keep moving: no
//!   data for [`Limits::upload_idle`] ends the request (a stalled client cannot hold a connection);
//! - **catalog and mapping imports** (`POST /api/v1/frameworks/import`, `/api/v1/mappings/import`,
//!   `/frameworks/import`): up to [`Limits::import_max_bytes`] (the full SP 800-53 OSCAL catalog is about
//!   10 MB), with the ordinary deadline;
//! - **everything else** (forms and JSON): [`Limits::body_max_bytes`] (default 1 MiB) and a deadline of
//!   [`Limits::request_timeout`] for the whole request.
//!
//! A declared `Content-Length` over the limit is refused before a byte is read, with a Problem naming
//! the limit; a body without one is cut off where it passes the limit (axum's extractors answer 413,
//! an upload stores nothing).
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::time::Duration;

/// The limits, set by the operator (`serve --max-evidence-bytes`, `--max-body-bytes`, `--import-max-bytes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub evidence_max_bytes: u64,
    pub import_max_bytes: u64,
    pub body_max_bytes: u64,
    pub request_timeout: Duration,
    pub upload_idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            evidence_max_bytes: 4 << 30,
            import_max_bytes: 64 << 20,
            body_max_bytes: 1 << 20,
            request_timeout: Duration::from_secs(60),
            upload_idle: Duration::from_secs(60),
        }
    }
}

/// Which limits a request falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    EvidenceUpload,
    Import,
    Ordinary,
}

impl RouteKind {
    pub fn of(method: &Method, path: &str) -> Self {
        if method != Method::POST {
            return Self::Ordinary;
        }
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        match segments.as_slice() {
            ["", "api", "v1", "evidence"] | ["", "controls", _, "evidence"] => Self::EvidenceUpload,
            ["", "api", "v1", "frameworks", "import"] | ["", "api", "v1", "mappings", "import"] | ["", "frameworks", "import"] => {
                Self::Import
            }
            _ => Self::Ordinary,
        }
    }
}

fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b => format!("{b} bytes"),
    }
}

fn problem(status: StatusCode, title: &str, detail: String) -> Response {
    let body = serde_json::json!({"type": "about:blank", "title": title, "status": status.as_u16(), "detail": detail});
    (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
}

/// The body of an upload, ended with an error when no data arrives for `idle`.
fn idle_limited(body: Body, idle: Duration) -> Body {
    let stream = body.into_data_stream();
    let guarded = futures_util::stream::unfold(Some(stream), move |state| async move {
        let mut stream = state?;
        match tokio::time::timeout(idle, stream.next()).await {
            Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(stream))),
            Ok(Some(Err(e))) => Some((Err(axum::BoxError::from(e)), None)),
            Ok(None) => None,
            Err(_) => Some((Err(axum::BoxError::from(format!("no data for {} s: the upload stalled", idle.as_secs()))), None)),
        }
    });
    Body::from_stream(guarded)
}

/// The body limit of the request's route, put in its extensions so extractors can name it.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub u64);

/// The middleware: limit the body, and bound the time, by route kind.
pub async fn enforce(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let kind = RouteKind::of(request.method(), request.uri().path());
    let max = match kind {
        RouteKind::EvidenceUpload => limits.evidence_max_bytes,
        RouteKind::Import => limits.import_max_bytes,
        RouteKind::Ordinary => limits.body_max_bytes,
    };
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if let Some(len) = declared
        && len > max
    {
        let what = match kind {
            RouteKind::EvidenceUpload => "an evidence file",
            RouteKind::Import => "an import",
            RouteKind::Ordinary => "this request",
        };
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Payload Too Large",
            format!("the body is {} but {what} may be at most {}; nothing was stored", human(len), human(max)),
        );
    }
    let (mut parts, body) = request.into_parts();
    parts.extensions.insert(BodyLimit(max));
    let limited = Body::new(http_body_util::Limited::new(body, usize::try_from(max).unwrap_or(usize::MAX)));
    match kind {
        RouteKind::EvidenceUpload => next.run(Request::from_parts(parts, idle_limited(limited, limits.upload_idle))).await,
        _ => match tokio::time::timeout(limits.request_timeout, next.run(Request::from_parts(parts, limited))).await {
            Ok(response) => response,
            Err(_) => problem(
                StatusCode::REQUEST_TIMEOUT,
                "Request Timeout",
                format!("the request took longer than {} s and was abandoned", limits.request_timeout.as_secs()),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_classified() {
        assert_eq!(RouteKind::of(&Method::POST, "/api/v1/evidence"), RouteKind::EvidenceUpload);
        assert_eq!(RouteKind::of(&Method::POST, "/controls/0190a1b2-0000-7000-8000-000000000000/evidence"), RouteKind::EvidenceUpload);
        assert_eq!(RouteKind::of(&Method::GET, "/api/v1/evidence"), RouteKind::Ordinary);
        assert_eq!(RouteKind::of(&Method::POST, "/api/v1/evidence/x/links"), RouteKind::Ordinary);
        assert_eq!(RouteKind::of(&Method::POST, "/controls/x/evidence-links"), RouteKind::Ordinary);
        assert_eq!(RouteKind::of(&Method::POST, "/api/v1/frameworks/import"), RouteKind::Import);
        assert_eq!(RouteKind::of(&Method::POST, "/api/v1/mappings/import"), RouteKind::Import);
        assert_eq!(RouteKind::of(&Method::POST, "/frameworks/import"), RouteKind::Import);
        assert_eq!(RouteKind::of(&Method::POST, "/api/v1/controls"), RouteKind::Ordinary);
        assert_eq!(human(4 << 30), "4 GiB");
        assert_eq!(human(1 << 20), "1 MiB");
    }
}
