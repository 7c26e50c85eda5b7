//! Reading an upload up to a limit: the bytes are counted as they stream in, and reading stops at
//! the first chunk past the limit, so an oversized upload costs at most the limit in memory (a
//! global body limit would only refuse it after buffering). Used by the catalog import (API and page).
use axum::http::StatusCode;
use futures_util::{Stream, StreamExt};

use crate::error::Problem;

/// 413 naming the limit.
pub(crate) fn too_large(max: u64) -> Problem {
    Problem {
        field: Some("body".into()),
        ..Problem::new(StatusCode::PAYLOAD_TOO_LARGE, format!("the file exceeds this installation's import limit of {max} bytes"))
    }
}

/// The whole stream, or 413 as soon as it passes `max` bytes (no limit when `max` is `None`).
pub(crate) async fn read_capped<B, E>(mut stream: impl Stream<Item = Result<B, E>> + Unpin, max: Option<u64>) -> Result<Vec<u8>, Problem>
where
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Problem::new(StatusCode::BAD_REQUEST, format!("the upload was interrupted: {e}")))?;
        let chunk = chunk.as_ref();
        if let Some(max) = max
            && (out.len() + chunk.len()) as u64 > max
        {
            return Err(too_large(max));
        }
        out.extend_from_slice(chunk);
    }
    Ok(out)
}
