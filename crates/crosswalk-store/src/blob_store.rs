//! The evidence blob store: files addressed by the SHA-256 of their content (`ab/abcd…`), shared by
//! every organisation (an organisation reaches a file only through its own evidence rows, which the
//! app scopes). One interface for the app, [`BlobStore`], over two backends: [`FileBlobStore`] on the
//! local file system and [`S3BlobStore`] on S3-compatible storage (module [`s3`]).
//!
//! A file is streamed into a temp file (`.upload-*`) while being hashed and then renamed to its
//! address, so memory stays flat for any size, identical content is stored once, and an upload that
//! fails or is dropped mid-stream leaves nothing behind.
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::{Duration, SystemTime};

pub mod s3;
pub use s3::{S3BlobStore, S3Settings};

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
    /// No file with this hash is in the store.
    #[error("evidence file {sha256} is not in the blob store")]
    NotFound { sha256: String },
    /// The store did not answer (connection refused, timed out): nothing was stored.
    #[error("evidence store {store} is unreachable: {message}")]
    Unreachable { store: String, message: String },
    /// The store answered with an error (no such bucket, access denied…).
    #[error("evidence store {store} failed: {message}")]
    Store { store: String, message: String },
    /// The `--blob-store` setting cannot work.
    #[error("{0}")]
    Config(String),
}

/// A stored file's content, read as it arrives.
pub type BlobReader = Pin<Box<dyn AsyncRead + Send>>;

/// An evidence file in the store, as listed for upkeep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub size: u64,
    pub modified: SystemTime,
}

/// Whether `name` is a lower-case hex SHA-256 (the only names the stores list as evidence).
pub fn is_sha256(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The evidence store the app uses: files or S3, the same operations on both. Cheap to clone.
#[derive(Debug, Clone)]
pub enum BlobStore {
    File(FileBlobStore),
    S3(S3BlobStore),
}

impl BlobStore {
    /// `file://DIR` or `s3://bucket/prefix`, for messages.
    pub fn describe(&self) -> String {
        match self {
            Self::File(f) => format!("file://{}", f.dir().display()),
            Self::S3(s) => s.url().to_owned(),
        }
    }

    /// The directory when the files are on the local file system (fast paths: parallel re-hashing).
    pub fn local_dir(&self) -> Option<&Path> {
        match self {
            Self::File(f) => Some(f.dir()),
            Self::S3(_) => None,
        }
    }

    /// Stream `reader` into the store, hashing it; nothing is left behind when it fails or is dropped.
    pub async fn put(&self, reader: impl AsyncRead + Unpin) -> Result<PutBlob, BlobError> {
        match self {
            Self::File(f) => f.put(reader).await,
            Self::S3(s) => s.put(reader).await,
        }
    }

    /// The content of the file with this hash.
    pub async fn open(&self, sha256: &str) -> Result<BlobReader, BlobError> {
        match self {
            Self::File(f) => match f.open(sha256).await {
                Ok(file) => Ok(Box::pin(file)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(BlobError::NotFound { sha256: sha256.to_owned() }),
                Err(e) => Err(io(&f.path(sha256), e)),
            },
            Self::S3(s) => s.open(sha256).await,
        }
    }

    pub async fn remove(&self, sha256: &str) -> Result<(), BlobError> {
        match self {
            Self::File(f) => f.remove(sha256).await.map_err(|e| io(&f.path(sha256), e)),
            Self::S3(s) => s.remove(sha256).await,
        }
    }

    /// Names of upload temp files (`.upload-*`) older than `grace`: only a crash leaves them.
    pub async fn stale_temp_files(&self, now: SystemTime, grace: Duration) -> Result<Vec<String>, BlobError> {
        match self {
            Self::File(f) => Ok(f
                .stale_temp_files(now, grace)
                .await?
                .iter()
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect()),
            Self::S3(s) => s.stale_temp_files(now, grace).await,
        }
    }

    /// Removes a temp file [`BlobStore::stale_temp_files`] named.
    pub async fn remove_temp(&self, name: &str) -> Result<(), BlobError> {
        if !name.starts_with(TEMP_PREFIX) || name.contains('/') || name.contains('\\') {
            return Err(BlobError::Config(format!("{name} is not an upload temp file")));
        }
        match self {
            Self::File(f) => {
                let path = f.dir().join(name);
                tokio::fs::remove_file(&path).await.map_err(|e| io(&path, e))
            }
            Self::S3(s) => s.remove_temp(name).await,
        }
    }

    /// Every evidence file with its size and modification time.
    pub async fn files(&self) -> Result<Vec<StoredFile>, BlobError> {
        match self {
            Self::File(f) => {
                Ok(f.files().await?.into_iter().map(|(sha256, _, size, modified)| StoredFile { sha256, size, modified }).collect())
            }
            Self::S3(s) => s.files().await,
        }
    }
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
                if !is_sha256(&name) || !name.starts_with(&prefix) {
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
