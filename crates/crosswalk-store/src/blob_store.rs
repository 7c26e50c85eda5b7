//! The evidence blob store: files addressed by the SHA-256 of their content (`ab/abcd…`), shared by
//! every organisation (an organisation reaches a file only through its own evidence rows, which the
//! app scopes). One interface for the app: [`FileBlobStore`] today; an S3-compatible store will
//! implement the same operations (the operations issue).
//!
//! A file is streamed into a temp file (`.upload-*`) while being hashed and then renamed to its
//! address, so memory stays flat for any size, identical content is stored once, and an upload that
//! fails or is dropped mid-stream leaves nothing behind.
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

/// Prefix of the temp file an upload streams into before it is renamed to its content address.
pub const TEMP_PREFIX: &str = ".upload-";

/// A file now in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutBlob {
    pub sha256: String,
    pub size: u64,
    /// False when identical content was already stored (nothing new was written).
    pub created: bool,
}

/// Why a put failed.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The reader failed (the client went away, the body was cut).
    #[error("upload interrupted: {0}")]
    Interrupted(String),
    /// An empty file proves nothing; it is refused before it enters the store.
    #[error("the file is empty (0 bytes); evidence must have content")]
    Empty,
    #[error("blob store {path}: {message}")]
    Io { path: String, message: String },
}

fn io(path: &Path, e: std::io::Error) -> BlobError {
    BlobError::Io { path: path.display().to_string(), message: e.to_string() }
}

/// Evidence files on the local file system (`--blob-store file://DIR`).
#[derive(Debug, Clone)]
pub struct FileBlobStore {
    dir: PathBuf,
}

/// Removes the temp file on every way out but the rename, including when the future is dropped.
struct PartialUpload(PathBuf);

impl Drop for PartialUpload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl FileBlobStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the file with this SHA-256 lives (whether or not it exists).
    pub fn path(&self, sha256: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("__");
        self.dir.join(prefix).join(sha256)
    }

    /// Stream `reader` into the store.
    pub async fn put(&self, mut reader: impl AsyncRead + Unpin) -> Result<PutBlob, BlobError> {
        let dir = &self.dir;
        tokio::fs::create_dir_all(dir).await.map_err(|e| io(dir, e))?;
        let guard = PartialUpload(dir.join(format!("{TEMP_PREFIX}{}", uuid::Uuid::now_v7())));
        let temp = &guard.0;
        let mut file = tokio::fs::File::create(temp).await.map_err(|e| io(temp, e))?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = reader.read(&mut buffer).await.map_err(|e| BlobError::Interrupted(e.to_string()))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            file.write_all(&buffer[..n]).await.map_err(|e| io(temp, e))?;
            size += n as u64;
        }
        file.sync_all().await.map_err(|e| io(temp, e))?;
        if size == 0 {
            return Err(BlobError::Empty);
        }
        let sha256 = hex::encode(hasher.finalize());
        let target = self.path(&sha256);
        let mut created = false;
        // Identical content is stored once (the guard removes the duplicate).
        if !tokio::fs::try_exists(&target).await.unwrap_or(false) {
            tokio::fs::create_dir_all(target.parent().unwrap_or(dir)).await.map_err(|e| io(dir, e))?;
            tokio::fs::rename(temp, &target).await.map_err(|e| io(&target, e))?;
            created = true;
        }
        Ok(PutBlob { sha256, size, created })
    }

    pub async fn open(&self, sha256: &str) -> std::io::Result<tokio::fs::File> {
        tokio::fs::File::open(self.path(sha256)).await
    }

    pub async fn remove(&self, sha256: &str) -> std::io::Result<()> {
        tokio::fs::remove_file(self.path(sha256)).await
    }

    /// `.upload-*` files in the store's top directory older than `grace`.
    pub async fn stale_temp_files(&self, now: SystemTime, grace: std::time::Duration) -> Result<Vec<PathBuf>, BlobError> {
        let dir = &self.dir;
        let mut found = Vec::new();
        let mut entries = match tokio::fs::read_dir(dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
            Err(e) => return Err(io(dir, e)),
        };
        while let Some(entry) = entries.next_entry().await.map_err(|e| io(dir, e))? {
            if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                continue;
            }
            let meta = entry.metadata().await.map_err(|e| io(&entry.path(), e))?;
            let modified = meta.modified().unwrap_or(now);
            if meta.is_file() && now.duration_since(modified).unwrap_or_default() >= grace {
                found.push(entry.path());
            }
        }
        Ok(found)
    }

    /// Every evidence file `ab/<sha256>` with its path, size and modification time. Names that are not a
    /// SHA-256 in its own two-character folder are not ours and are never listed.
    pub async fn files(&self) -> Result<Vec<(String, PathBuf, u64, SystemTime)>, BlobError> {
        let dir = &self.dir;
        let mut found = Vec::new();
        let mut folders = match tokio::fs::read_dir(dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
            Err(e) => return Err(io(dir, e)),
        };
        while let Some(folder) = folders.next_entry().await.map_err(|e| io(dir, e))? {
            let prefix = folder.file_name().to_string_lossy().into_owned();
            if prefix.len() != 2 || !folder.file_type().await.map_err(|e| io(&folder.path(), e))?.is_dir() {
                continue;
            }
            let mut files = tokio::fs::read_dir(folder.path()).await.map_err(|e| io(&folder.path(), e))?;
            while let Some(file) = files.next_entry().await.map_err(|e| io(&folder.path(), e))? {
                let name = file.file_name().to_string_lossy().into_owned();
                let is_sha = name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                if !is_sha || !name.starts_with(&prefix) {
                    continue;
                }
                let meta = file.metadata().await.map_err(|e| io(&file.path(), e))?;
                if meta.is_file() {
                    found.push((name, file.path(), meta.len(), meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)));
                }
            }
        }
        Ok(found)
    }
}
