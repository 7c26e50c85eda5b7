//! The scheduler: what runs in the background of `serve` every 30 s, and once per `crosswalk jobs run`.
//!
//! - due jobs (reminders) and daily readiness snapshots;
//! - pruning of expired sessions and old login failures;
//! - **kept checkpoints**: for every chain whose head moved past the checkpoint kept in the data
//!   directory, verify the chain (hashes, links, MACs, record roots), sign a checkpoint at the head
//!   and write it to `checkpoints/<chain>.json`. Verification checks the chain against that file, so
//!   someone who can rewrite the whole database (but not the data directory) cannot rewrite or drop
//!   entries older than about 30 s without it being reported.
use crate::{App, AppResult};

/// What one round did.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct RoundReport {
    pub jobs: usize,
    pub snapshots: usize,
    pub checkpoints_kept: usize,
}

impl App {
    /// Run the background work forever (called by `serve`).
    pub async fn run_scheduler(&self) {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
        let mut n: u64 = 0;
        loop {
            tick.tick().await;
            if let Err(e) = self.run_due_jobs(500).await {
                tracing::warn!(error = %e, "running due jobs failed");
            }
            if let Err(e) = self.keep_checkpoints().await {
                tracing::warn!(error = %e, "keeping journal checkpoints failed");
            }
            // Cheap when today's snapshots exist: one query per organisation.
            if n.is_multiple_of(10)
                && let Err(e) = self.record_daily_snapshots().await
            {
                tracing::warn!(error = %e, "daily readiness snapshots failed");
            }
            if n.is_multiple_of(20)
                && let Err(e) = self.prune_expired().await
            {
                tracing::warn!(error = %e, "housekeeping failed");
            }
            n += 1;
        }
    }

    /// One round of everything (`crosswalk jobs run`).
    pub async fn run_scheduled_once(&self) -> AppResult<RoundReport> {
        let jobs = self.run_due_jobs(1000).await?;
        let snapshots = self.record_daily_snapshots().await?;
        // Last, so it covers what the jobs wrote.
        Ok(RoundReport { jobs, snapshots, checkpoints_kept: self.keep_checkpoints().await? })
    }
}
