//! Serving an auditor pack (page form and API): built by the app into a temporary file that is
//! unlinked as soon as it is open, then streamed, so a 1 GB pack never sits in memory and never stays
//! on disk after the download.
use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use crosswalk_app::{Actor, App, AppError};

/// The pack as a download, or the app's error.
pub async fn download(app: &App, actor: &Actor, framework: &str) -> Result<Response, AppError> {
    let dir = std::env::temp_dir();
    let path = dir.join(format!("crosswalk-pack-{}.zip", uuid::Uuid::new_v4().simple()));
    let built = app.build_pack(actor, framework, &path).await;
    let opened = tokio::fs::File::open(&path).await;
    // Unlink now: the open handle keeps the bytes readable until the stream ends.
    let _ = tokio::fs::remove_file(&path).await;
    built?;
    let file = opened.map_err(|e| AppError::Internal(format!("cannot reopen the pack: {e}")))?;
    let name =
        format!("crosswalk-pack-{}-{}.zip", actor.tenant_slug(), framework.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_"));
    Ok((
        [(header::CONTENT_TYPE, "application/zip".to_owned()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))],
        Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file, 1 << 20)),
    )
        .into_response())
}
