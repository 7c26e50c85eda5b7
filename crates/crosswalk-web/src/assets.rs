//! Static assets, embedded in the binary so a single file deploys.
use axum::Router;
use axum::http::header;
use axum::routing::get;

const HTMX: &str = include_str!("../assets/htmx.min.js");
const CSS: &str = include_str!("../assets/app.css");
const CACHE: &str = "public, max-age=3600";

pub fn router() -> Router<crate::AppState> {
    Router::new()
        .route("/static/htmx.min.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript"), (header::CACHE_CONTROL, CACHE)], HTMX) }))
        .route("/static/app.css", get(|| async { ([(header::CONTENT_TYPE, "text/css"), (header::CACHE_CONTROL, CACHE)], CSS) }))
}
