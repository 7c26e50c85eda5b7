//! Reading and verifying a tenant's journal, and signing checkpoints.
//!
//! Checkpoints are signatures over the chain, not changes to any record, so they are not themselves
//! journaled (that would move the head they sign).
use crate::actor::Actor;
use crate::{App, AppError, AppResult};
use crosswalk_domain::Permission;
use crosswalk_journal::{Checkpoint, Entry, verify_chain};
use crosswalk_store::journal as store;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    pub seq: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// The canonical JSON that was hashed.
    pub payload: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

fn view(m: crosswalk_store::entities::journal_entry::Model) -> EntryView {
    EntryView {
        seq: m.seq,
        at: m.at,
        actor: m.actor,
        action: m.action,
        entity: m.entity,
        entity_id: m.entity_id,
        payload: serde_json::from_str(&m.payload).unwrap_or(serde_json::Value::String(m.payload)),
        prev_hash: m.prev_hash,
        hash: m.hash,
    }
}

/// The result of recomputing a tenant's chain.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    pub tenant: String,
    pub ok: bool,
    pub entries: u64,
    /// Bytes hashed.
    pub bytes: u64,
    pub head_seq: i64,
    pub head_hash: String,
    pub checkpoints_verified: u64,
    /// The first bad entry's sequence number, when not ok.
    pub first_bad_seq: Option<i64>,
    /// What is wrong, naming the entry, when not ok.
    pub problem: Option<String>,
    /// A checkpoint signed at the head after a successful verification.
    pub checkpoint_signed_at_seq: Option<i64>,
    /// Public key (hex) the checkpoints were checked against.
    pub public_key: String,
    pub elapsed_ms: f64,
}

/// Verify entries, head and checkpoints of one tenant, entirely in memory. Shared by the server, the
/// CLI and (later) offline pack verification.
pub fn verify_loaded(
    tenant: &str,
    entries: &[Entry],
    head: Option<(i64, crosswalk_journal::Hash)>,
    checkpoints: &[Checkpoint],
    trusted: &crosswalk_journal::VerifyingKey,
) -> Result<crosswalk_journal::ChainSummary, (Option<i64>, String)> {
    let summary = verify_chain(tenant, entries, head).map_err(|e| (Some(e.seq), e.to_string()))?;
    for cp in checkpoints {
        if cp.tenant != tenant {
            return Err((Some(cp.seq), format!("checkpoint at entry {} belongs to another tenant", cp.seq)));
        }
        cp.verify(Some(trusted), |seq| usize::try_from(seq - 1).ok().and_then(|i| entries.get(i)).map(|e| e.hash))
            .map_err(|e| (Some(cp.seq), e.to_string()))?;
    }
    Ok(summary)
}

impl App {
    /// Newest entries first; `before` pages backwards.
    pub async fn journal_entries(&self, actor: &Actor, before: Option<i64>, limit: u64) -> AppResult<Vec<EntryView>> {
        actor.require(Permission::ReadJournal, "reading the journal")?;
        let limit = limit.clamp(1, 500);
        Ok(store::list_recent(self.db(), actor.tenant.0, before, limit).await?.into_iter().map(view).collect())
    }

    pub async fn journal_entry(&self, actor: &Actor, seq: i64) -> AppResult<EntryView> {
        actor.require(Permission::ReadJournal, "reading the journal")?;
        store::get(self.db(), actor.tenant.0, seq).await?.map(view).ok_or_else(|| AppError::NotFound(format!("journal entry {seq}")))
    }

    /// Recompute the actor's chain and check its checkpoints against this instance's key. When all is
    /// well and `sign` is set, sign a checkpoint at the head so later tampering is caught even if the
    /// head row itself is rewritten.
    pub async fn verify_journal(&self, actor: &Actor, sign: bool) -> AppResult<VerifyReport> {
        actor.require(Permission::VerifyJournal, "verifying the journal")?;
        let started = std::time::Instant::now();
        let tenant = actor.tenant.0;
        let tenant_s = tenant.to_string();
        let (entries, head, cps) = (
            store::load_all(self.db(), tenant).await?,
            store::head(self.db(), tenant).await?,
            store::checkpoints(self.db(), tenant).await?,
        );
        let checkpoint_count = cps.len() as u64;
        let last_checkpoint = cps.last().map_or(0, |c| c.seq);
        let trusted = self.verifying_key();
        let public_key = hex::encode(trusted.as_bytes());
        // Hashing is CPU-bound: keep it off the async executor.
        let (entries, result) = tokio::task::spawn_blocking(move || {
            let r = verify_loaded(&tenant_s, &entries, head, &cps, &trusted);
            (entries, r)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut report = VerifyReport {
            tenant: actor.tenant_slug.clone(),
            ok: result.is_ok(),
            entries: entries.len() as u64,
            bytes: 0,
            head_seq: 0,
            head_hash: String::new(),
            checkpoints_verified: 0,
            first_bad_seq: None,
            problem: None,
            checkpoint_signed_at_seq: None,
            public_key,
            elapsed_ms: 0.0,
        };
        match result {
            Ok(s) => {
                report.bytes = s.bytes;
                report.head_seq = s.head_seq;
                report.head_hash = hex::encode(s.head_hash);
                report.checkpoints_verified = checkpoint_count;
                if sign
                    && s.head_seq > last_checkpoint
                    && let Some(last) = entries.last()
                {
                    let tx = self.begin().await?;
                    // Re-read the head under the write lock: only sign what is still the head.
                    if store::head(&*tx, tenant).await? == Some((last.seq, last.hash)) {
                        self.sign_checkpoint(&tx, last).await?;
                        report.checkpoint_signed_at_seq = Some(last.seq);
                    }
                    tx.commit().await?;
                }
            }
            Err((seq, problem)) => {
                report.first_bad_seq = seq;
                report.problem = Some(problem);
            }
        }
        report.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(report)
    }

    /// How many entries the actor's chain has (any member may know how much has been recorded).
    pub async fn journal_head(&self, actor: &Actor) -> AppResult<i64> {
        actor.require(Permission::Read, "reading the organisation")?;
        Ok(store::head(self.db(), actor.tenant.0).await?.map_or(0, |h| h.0))
    }

    /// The instance's public key as PEM, for auditors.
    pub fn public_key_pem(&self) -> AppResult<String> {
        crosswalk_journal::public_key_to_pem(&self.verifying_key()).map_err(|e| AppError::Internal(e.to_string()))
    }
}
