//! Serving an auditor pack (page form and API): built by the app into a temporary file that is
//! unlinked the moment it is created (only the open handle reaches it), then streamed, so a 1 GB pack
//! never sits in memory and nothing is left on disk however the request ends (a timeout or a client
//! that goes away included).
use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use crosswalk_app::{Actor, App, AppError};

/// The pack as a download, or the app's error.
pub async fn download(app: &App, actor: &Actor, framework: &str) -> Result<Response, AppError> {
    let path = std::env::temp_dir().join(format!("crosswalk-pack-{}.zip", uuid::Uuid::new_v4().simple()));
    let io = |e: std::io::Error| AppError::Internal(format!("temporary pack file: {e}"));
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path).map_err(io)?;
    // Unlink at once: the handles keep the bytes until the last one closes.
    let _ = std::fs::remove_file(&path);
    app.build_pack(actor, framework, file.try_clone().map_err(io)?).await?;
    let mut file = tokio::fs::File::from_std(file);
    use tokio::io::AsyncSeekExt as _;
    file.seek(std::io::SeekFrom::Start(0)).await.map_err(io)?;
    let name =
        format!("crosswalk-pack-{}-{}.zip", actor.tenant_slug(), framework.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_"));
    Ok((
        [(header::CONTENT_TYPE, "application/zip".to_owned()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))],
        Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file, 1 << 20)),
    )
        .into_response())
}
