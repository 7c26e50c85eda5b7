//! Upkeep of the blob store (files or S3): temp files a crash left, and files no evidence refers to.
//!
//! Evidence files are content-addressed (`blobs/ab/abcd…`, or `PREFIX/ab/abcd…` in a bucket) and shared by every organisation, so a file
//! is removed only when no evidence row of any organisation refers to it. Such a file is no part of any
//! record: evidence rows are never deleted, and a row is journaled (with its file's hash) in the same
//! transaction that writes it, so an unreferenced file is always one whose record was never written (a
//! refused or interrupted upload). Removing one therefore changes nothing in any organisation's
//! journal, and none is written; every removal is logged, and [`App::gc_blobs`] can run as a dry run.
//!
//! Files younger than [`GRACE`] are left alone: an upload in flight has renamed its file into the store
//! before its record commits (requests time out after 60 s), and another process on the same data
//! directory (the CLI beside a server) may be writing a temp file right now.
use crate::evidence::blob_error;
use crate::{App, AppResult};
use crosswalk_store::blob_store::StoredFile;
use crosswalk_store::repo::blobs as repo;
use std::time::{Duration, SystemTime};

/// How old a temp or unreferenced file must be before upkeep removes it.
pub const GRACE: Duration = Duration::from_secs(60 * 60);

/// What a garbage collection found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BlobGcReport {
    /// True when nothing was removed, only reported.
    pub dry_run: bool,
    /// Unreferenced evidence files (SHA-256 and size) removed, or that would be.
    pub removed: Vec<RemovedBlob>,
    /// Leftover `.upload-*` temp files removed, or that would be.
    pub temp_files: Vec<String>,
    /// Evidence files kept because evidence refers to them (or they are younger than [`GRACE`]).
    pub kept: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RemovedBlob {
    pub sha256: String,
    pub size: u64,
}

impl App {
    /// Start-up upkeep (`serve` and `migrate`): removes `.upload-*` temp files older than [`GRACE`], which
    /// only a crash or a killed process leaves (a dropped request removes its own). Returns their names.
    pub async fn startup_cleanup(&self) -> AppResult<Vec<String>> {
        let stale = self.blobs().stale_temp_files(SystemTime::now(), GRACE).await.map_err(blob_error)?;
        for name in &stale {
            match self.blobs().remove_temp(name).await {
                Ok(()) => tracing::info!(file = %name, "removed a temp file left by an interrupted upload"),
                Err(e) => tracing::warn!(file = %name, error = %e, "cannot remove a leftover temp file"),
            }
        }
        Ok(stale)
    }

    /// Removes evidence files (and stale temp files) that no evidence of any organisation refers to and
    /// that are older than [`GRACE`]; with `dry_run`, only reports them. Operator upkeep (`crosswalk blobs
    /// gc`): it sees every organisation's file hashes, so it takes no organisation's actor.
    pub async fn gc_blobs(&self, dry_run: bool) -> AppResult<BlobGcReport> {
        self.gc_blobs_older_than(dry_run, GRACE).await
    }

    /// [`App::gc_blobs`] with another grace period. Tests use it on stores whose modification times
    /// cannot be set back (S3); a shorter grace than [`GRACE`] can remove the file of an upload in flight.
    pub async fn gc_blobs_older_than(&self, dry_run: bool, grace: Duration) -> AppResult<BlobGcReport> {
        let now = SystemTime::now();
        let referenced = repo::referenced(self.db()).await?;
        let mut report = BlobGcReport { dry_run, ..Default::default() };
        for name in self.blobs().stale_temp_files(now, grace).await.map_err(blob_error)? {
            if !dry_run {
                self.blobs().remove_temp(&name).await.map_err(blob_error)?;
                tracing::info!(file = %name, "blob gc: removed a leftover temp file");
            }
            report.temp_files.push(name);
        }
        for file in self.blobs().files().await.map_err(blob_error)? {
            let StoredFile { sha256, size, modified } = file;
            let old = now.duration_since(modified).unwrap_or_default() >= grace;
            if referenced.contains(&sha256) || !old {
                report.kept += 1;
                continue;
            }
            if !dry_run {
                // Checked again right before removing: a record may have been written since the list was read.
                if repo::is_referenced(self.db(), &sha256).await? {
                    report.kept += 1;
                    continue;
                }
                self.blobs().remove(&sha256).await.map_err(blob_error)?;
                tracing::info!(%sha256, size, "blob gc: removed an evidence file no evidence refers to");
            }
            report.removed.push(RemovedBlob { sha256, size });
        }
        Ok(report)
    }

    /// Removes the file with this hash unless evidence refers to it: the clean-up after an upload whose
    /// record was refused. Failures are logged, not returned: the caller is already reporting the
    /// refusal, and `crosswalk blobs gc` catches what is left.
    ///
    /// Known narrow race, accepted: a second upload of the very same bytes that finished streaming
    /// (and so reused this file) between this upload's rename and this check, and commits its record
    /// only after the check, would refer to a removed file. Uploads are checked before streaming, so a
    /// refusal after it is rare (a membership changed meanwhile, a database error); `journal verify --deep`
    /// names such a file, and uploading it again restores it.
    pub(crate) async fn discard_blob_if_unreferenced(&self, sha256: &str) {
        match repo::is_referenced(self.db(), sha256).await {
            Ok(false) => {
                if let Err(e) = self.blobs().remove(sha256).await {
                    tracing::warn!(%sha256, error = %e, "cannot remove the file of a refused upload");
                }
            }
            Ok(true) => {}
            Err(e) => tracing::warn!(%sha256, error = %e, "cannot check whether a refused upload's file is used"),
        }
    }
}
