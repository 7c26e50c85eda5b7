//! Reading and verifying a chain (an organisation's or the installation's), signing and exporting
//! checkpoints, and checking the chain against a checkpoint an auditor kept.
//!
//! Plain verification recomputes hashes, links, MACs, record-hash roots and checkpoints; it reads the
//! journal only and stays fast. Deep verification also re-hashes every live row of every journaled
//! table and every evidence file, in one database snapshot, and names each that differs from its
//! latest journaled state.
//!
//! Checkpoints are signatures over the chain, not changes to any record, so they are not themselves
//! journaled (that would move the head they sign).
use crate::actor::Actor;
use crate::{App, AppError, AppResult};
use crosswalk_domain::Permission;
use crosswalk_journal::{Checkpoint, Entry, MacKey, RecordRef, State, records_root, state_root, verify_chain_from};
use crosswalk_store::journal as store;
use crosswalk_store::records::INSTALLATION;
use serde::Serialize;
use std::collections::BTreeMap;

/// The outcome of checking the journal against a checkpoint an auditor kept.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckpointCheck {
    pub ok: bool,
    pub problem: Option<String>,
    /// Whether the checkpoint was signed by this installation's current key.
    pub current_key: bool,
}

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

/// A row or file that differs from the journal's latest record of it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordProblem {
    /// `changed`, `inserted` (not in the journal), `deleted` (journaled, gone), `file_missing`, `file_altered`.
    pub kind: String,
    /// The table (or `evidence_file`).
    pub table: String,
    /// The row's key (or the file's SHA-256).
    pub id: String,
    /// What was found, in words.
    pub detail: String,
}

/// The result of recomputing a chain.
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
    /// Merkle root over the latest journaled hash of every record (hex).
    pub state_root: String,
    /// Whether live rows and evidence files were compared with the journal.
    pub deep: bool,
    /// Rows re-hashed (deep).
    pub records_checked: u64,
    /// Evidence files re-hashed (deep) and their bytes.
    pub files_checked: u64,
    pub file_bytes: u64,
    /// Every row or file that differs from the journal (deep), at most 1,000.
    pub record_problems: Vec<RecordProblem>,
    /// How many differ in all.
    pub record_problem_count: u64,
    pub elapsed_ms: f64,
}

/// A key a chain's checkpoints may be signed with: this installation's own (any entry), or one adopted
/// from a restored backup, for the entries of the chain it sealed there (`up_to`).
#[derive(Debug, Clone)]
pub struct TrustedKey {
    pub key: crosswalk_journal::VerifyingKey,
    pub up_to: i64,
}

impl TrustedKey {
    pub fn own(key: crosswalk_journal::VerifyingKey) -> Self {
        Self { key, up_to: i64::MAX }
    }
}

/// Verify entries, head, MACs and checkpoints of one chain, entirely in memory. Shared by the server
/// and the CLI; an auditor pack is checked without the MAC key (`mac: None`).
///
/// `trusted` holds this installation's key first, then any adopted from restored backups
/// ([`crate::backup::AdoptedKeys`]); a checkpoint must be signed by one of them. MACs are checked from
/// entry `mac_from` on (1 unless earlier entries were sealed under an adopted key).
pub fn verify_loaded(
    tenant: &str,
    entries: &[Entry],
    head: Option<(i64, crosswalk_journal::Hash)>,
    checkpoints: &[Checkpoint],
    trusted: &[TrustedKey],
    mac: Option<&MacKey>,
    mac_from: i64,
) -> Result<crosswalk_journal::ChainSummary, (Option<i64>, String)> {
    let summary = verify_chain_from(tenant, entries, head, mac, mac_from).map_err(|e| (Some(e.seq), e.to_string()))?;
    for cp in checkpoints {
        if cp.tenant != tenant {
            return Err((Some(cp.seq), format!("checkpoint at entry {} belongs to another tenant", cp.seq)));
        }
        cp.verify(Some(signer_of(cp, trusted)), |seq| usize::try_from(seq - 1).ok().and_then(|i| entries.get(i)).map(|e| e.hash))
            .map_err(|e| (Some(cp.seq), e.to_string()))?;
    }
    Ok(summary)
}

/// The trusted key that signed `cp` (an adopted key only for the entries it sealed), or the
/// installation's own (first) when none did, so the error names the key expected.
fn signer_of<'a>(cp: &Checkpoint, trusted: &'a [TrustedKey]) -> &'a crosswalk_journal::VerifyingKey {
    trusted.iter().find(|k| cp.seq <= k.up_to && hex::encode(k.key.as_bytes()) == cp.public_key).map_or(&trusted[0].key, |k| &k.key)
}

/// Check every v2 entry's stored record refs against its `records_root`, and fold them into the
/// latest state. The state root at the last checkpoint that signed one must match.
pub fn verify_records(entries: &[Entry], refs: &[(i64, RecordRef)], checkpoints: &[Checkpoint]) -> Result<State, (Option<i64>, String)> {
    let mut by_seq: BTreeMap<i64, Vec<RecordRef>> = BTreeMap::new();
    for (seq, r) in refs {
        by_seq.entry(*seq).or_default().push(r.clone());
    }
    let last_signed_root = checkpoints.iter().rev().find_map(|c| c.state_root_hash().map(|h| (c.seq, h)));
    let mut state = State::new();
    for e in entries {
        let mine = by_seq.remove(&e.seq).unwrap_or_default();
        if e.version >= 2 {
            let count = mine.len() as i64;
            let (sorted, root) = records_root(mine);
            if root != e.records_root || count != e.record_count {
                return Err((
                    Some(e.seq),
                    format!(
                        "journal entry {}: its stored record hashes ({count}) do not match the {} the entry committed to: journal_records was altered",
                        e.seq, e.record_count
                    ),
                ));
            }
            crosswalk_journal::records::apply(&mut state, &sorted);
        } else if !mine.is_empty() {
            return Err((
                Some(e.seq),
                format!("journal entry {}: record hashes stored for a v1 entry: journal_records was altered", e.seq),
            ));
        }
        if let Some((seq, signed)) = last_signed_root
            && seq == e.seq
            && state_root(&state) != signed
        {
            return Err((Some(seq), format!("checkpoint at entry {seq}: the state root it signed differs from the journaled records")));
        }
    }
    if let Some((seq, _)) = by_seq.into_iter().next() {
        return Err((Some(seq), format!("record hashes stored for entry {seq}, which does not exist: journal_records was altered")));
    }
    Ok(state)
}

/// Compare live rows with the latest journaled state; every difference, named.
pub fn compare_state(state: &State, live: &BTreeMap<(String, String), crosswalk_journal::Hash>) -> Vec<RecordProblem> {
    let mut out = Vec::new();
    for ((table, id), hash) in live {
        match state.get(&(table.clone(), id.clone())) {
            None => out.push(RecordProblem {
                kind: "inserted".into(),
                table: table.clone(),
                id: id.clone(),
                detail: format!("row {table} {id} is not in the journal: it was inserted outside Crosswalk"),
            }),
            Some(j) if j != hash => out.push(RecordProblem {
                kind: "changed".into(),
                table: table.clone(),
                id: id.clone(),
                detail: format!(
                    "row {table} {id} differs from its journaled state (hash {} now, {} journaled): it was changed outside Crosswalk",
                    hex::encode(&hash[..8]),
                    hex::encode(&j[..8])
                ),
            }),
            Some(_) => {}
        }
    }
    for (table, id) in state.keys() {
        if !live.contains_key(&(table.clone(), id.clone())) {
            out.push(RecordProblem {
                kind: "deleted".into(),
                table: table.clone(),
                id: id.clone(),
                detail: format!("row {table} {id} is in the journal but not in the database: it was deleted outside Crosswalk"),
            });
        }
    }
    out
}

/// Re-hash evidence files: each must exist and hash to the SHA-256 its row names. Files on the local
/// file system are read on all cores; objects in a bucket are downloaded and hashed a few at a time.
pub(crate) async fn check_blob_files(
    blobs: &crosswalk_store::blob_store::BlobStore,
    files: Vec<(uuid::Uuid, String, i64)>,
) -> AppResult<(Vec<RecordProblem>, u64)> {
    if let Some(dir) = blobs.local_dir() {
        let dir = dir.to_owned();
        // Hashing is CPU-bound: keep it off the async executor.
        return tokio::task::spawn_blocking(move || check_files(&dir, &files)).await.map_err(|e| AppError::Internal(e.to_string()));
    }
    const DOWNLOADS_AT_ONCE: usize = 4;
    let mut problems = Vec::new();
    let mut bytes = 0u64;
    let mut running = tokio::task::JoinSet::new();
    let mut pending = files.into_iter().filter(|(_, sha, _)| sha.len() >= 2);
    loop {
        while running.len() < DOWNLOADS_AT_ONCE {
            let Some((id, sha, _)) = pending.next() else { break };
            let blobs = blobs.clone();
            running.spawn(async move { check_one_object(&blobs, id, sha).await });
        }
        let Some(done) = running.join_next().await else { break };
        let (problem, read) = done.map_err(|e| AppError::Internal(e.to_string()))?;
        problems.extend(problem);
        bytes += read;
    }
    problems.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((problems, bytes))
}

/// Downloads one stored object and compares its hash with its address.
async fn check_one_object(blobs: &crosswalk_store::blob_store::BlobStore, id: uuid::Uuid, sha: String) -> (Option<RecordProblem>, u64) {
    use crosswalk_store::blob_store::BlobError;
    use sha2::Digest;
    use tokio::io::AsyncReadExt as _;
    let problem = |kind: &str, detail: String| RecordProblem { kind: kind.into(), table: "evidence_file".into(), id: sha.clone(), detail };
    let mut reader = match blobs.open(&sha).await {
        Ok(r) => r,
        Err(BlobError::NotFound { .. }) => {
            return (Some(problem("file_missing", format!("evidence {id}: file {sha} is missing from the blob store"))), 0);
        }
        Err(e) => return (Some(problem("file_unreadable", format!("evidence {id}: file {sha} cannot be read: {e}"))), 0),
    };
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        match reader.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => {
                bytes += n as u64;
                h.update(&buf[..n]);
            }
            Err(e) => return (Some(problem("file_unreadable", format!("evidence {id}: file {sha} cannot be read: {e}"))), bytes),
        }
    }
    let got = hex::encode(h.finalize());
    if got != sha {
        let detail = format!("evidence {id}: file {sha} now hashes to {got}: it was replaced or truncated");
        return (Some(problem("file_altered", detail)), bytes);
    }
    (None, bytes)
}

/// Re-hash evidence files in `dir` on all cores: each must exist and hash to the SHA-256 its row names.
pub(crate) fn check_files(dir: &std::path::Path, files: &[(uuid::Uuid, String, i64)]) -> (Vec<RecordProblem>, u64) {
    use sha2::Digest;
    use std::io::Read as _;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).max(1);
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut problems = Vec::new();
                    let mut bytes = 0u64;
                    let mut buf = vec![0u8; 1 << 20];
                    for (id, sha, _size) in part {
                        if sha.len() < 2 {
                            continue;
                        }
                        let path = crosswalk_store::blob_store::FileBlobStore::new(dir).path(sha);
                        let mut f = match std::fs::File::open(&path) {
                            Ok(f) => f,
                            Err(_) => {
                                problems.push(RecordProblem {
                                    kind: "file_missing".into(),
                                    table: "evidence_file".into(),
                                    id: sha.clone(),
                                    detail: format!("evidence {id}: file {sha} is missing from the blob store"),
                                });
                                continue;
                            }
                        };
                        let mut h = sha2::Sha256::new();
                        let ok = loop {
                            match f.read(&mut buf) {
                                Ok(0) => break true,
                                Ok(n) => {
                                    bytes += n as u64;
                                    h.update(&buf[..n]);
                                }
                                Err(_) => break false,
                            }
                        };
                        let got = hex::encode(h.finalize());
                        if !ok || got != *sha {
                            problems.push(RecordProblem {
                                kind: "file_altered".into(),
                                table: "evidence_file".into(),
                                id: sha.clone(),
                                detail: format!("evidence {id}: file {sha} now hashes to {got}: it was replaced or truncated"),
                            });
                        }
                    }
                    (problems, bytes)
                })
            })
            .collect();
        let mut all = Vec::new();
        let mut bytes = 0;
        for h in handles {
            if let Ok((p, b)) = h.join() {
                all.extend(p);
                bytes += b;
            }
        }
        (all, bytes)
    })
}

/// Check the chain against the checkpoint kept in the data directory (when there is one): the entry
/// it signed must still be there, unchanged. This catches rewrites and truncation by someone who can
/// write the whole database, head rows and checkpoint table included, but not the data directory.
pub(crate) fn verify_kept(
    entries: &[Entry],
    kept: Option<Result<Checkpoint, String>>,
    trusted: &[TrustedKey],
    mac_from: i64,
) -> Result<(), (Option<i64>, String)> {
    // Entries before `mac_from` were sealed under an adopted key: their MACs cannot be checked here,
    // so the checkpoint kept outside the database must hold them.
    let held_by_kept = mac_from - 1;
    let kept = match kept {
        None if held_by_kept > 0 => {
            return Err((
                Some(held_by_kept),
                format!(
                    "entries 1 to {held_by_kept} came from a restored backup and are held by the checkpoint kept in the data directory, which is missing"
                ),
            ));
        }
        Some(Ok(cp)) if cp.seq < held_by_kept => {
            return Err((
                Some(cp.seq),
                format!(
                    "entries 1 to {held_by_kept} came from a restored backup, but the checkpoint kept in the data directory holds only entries up to {}",
                    cp.seq
                ),
            ));
        }
        None => return Ok(()),
        Some(Err(e)) => return Err((None, format!("the checkpoint kept in the data directory cannot be read: {e}"))),
        Some(Ok(cp)) => cp,
    };
    let seq = kept.seq;
    kept.verify(Some(signer_of(&kept, trusted)), |s| usize::try_from(s - 1).ok().and_then(|i| entries.get(i)).map(|e| e.hash)).map_err(|e| {
        let text = match e {
            crosswalk_journal::CheckpointError::Missing { .. } => format!(
                "the journal ends at entry {} but the checkpoint kept in the data directory signed entry {seq}: entries were removed",
                entries.len()
            ),
            crosswalk_journal::CheckpointError::HeadDiffers { .. } => format!(
                "entry {seq} is not the entry the checkpoint kept in the data directory signed: the journal was rewritten at or before entry {seq}"
            ),
            other => format!("the checkpoint kept in the data directory: {other}"),
        };
        (Some(seq), text)
    })
}

/// The most record problems a report lists (the count is always complete).
const MAX_LISTED: usize = 1000;

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

    /// Recompute the actor's chain (hashes, links, MACs, record hashes, checkpoints) against this
    /// installation's keys. With `deep`, also re-hash every live row of every journaled table and
    /// every evidence file, in one database snapshot, and compare each with its latest journaled
    /// state. When all is well and `sign` is set, sign a checkpoint at the head.
    pub async fn verify_journal(&self, actor: &Actor, sign: bool) -> AppResult<VerifyReport> {
        self.verify_journal_with(actor, sign, false).await
    }

    pub async fn verify_journal_with(&self, actor: &Actor, sign: bool, deep: bool) -> AppResult<VerifyReport> {
        actor.require(Permission::VerifyJournal, "verifying the journal")?;
        self.verify_chain_of(actor.tenant.0, &actor.tenant_slug, sign, deep).await
    }

    /// Verify the installation's chain (shared catalog, tenants, accounts): the local operator only.
    pub async fn verify_installation_journal(&self, sign: bool, deep: bool) -> AppResult<VerifyReport> {
        self.verify_chain_of(INSTALLATION, "installation", sign, deep).await
    }

    async fn verify_chain_of(&self, chain: uuid::Uuid, name: &str, sign: bool, deep: bool) -> AppResult<VerifyReport> {
        if let Some(newer) = self.store().newer_schema().await? {
            return Err(AppError::SchemaTooNew(newer));
        }
        let _slot = if deep { Some(self.heavy_slot(chain, "a deep verification")?) } else { None };
        let started = std::time::Instant::now();
        let chain_s = chain.to_string();
        // One snapshot for everything read, so concurrent writes cannot show up as differences.
        let snap = self.store().begin_read().await?;
        let entries = store::load_all(&snap, chain).await?;
        let head = store::head(&snap, chain).await?;
        let cps = store::checkpoints(&snap, chain).await?;
        let refs = store::records(&snap, chain).await?;
        let (live, files) = if deep {
            let (live, _) = store::live_records(&snap, chain).await?;
            let files =
                if chain == INSTALLATION { Vec::new() } else { crosswalk_store::repo::evidence::evidence_files(&snap, chain).await? };
            (Some(live), files)
        } else {
            (None, Vec::new())
        };
        drop(snap);
        let checkpoint_count = cps.len() as u64;
        let last_checkpoint = cps.last().map_or(0, |c| c.seq);
        let kept = self.read_kept(chain);
        let adopted = crate::backup::AdoptedKeys::load(self.config().checkpoint_dir.as_deref())?;
        let mac_from = adopted.mac_from(chain);
        let trusted = adopted.trusted_for(chain, self.verifying_key())?;
        let public_key = hex::encode(trusted[0].key.as_bytes());
        let mac = self.mac_key().clone();
        // Hashing is CPU-bound: keep it off the async executor.
        let (entries, result, mut problems, records_checked) = tokio::task::spawn_blocking(move || {
            let r = verify_loaded(&chain_s, &entries, head, &cps, &trusted, Some(&mac), mac_from)
                .and_then(|summary| verify_kept(&entries, kept, &trusted, mac_from).map(|()| summary))
                .and_then(|summary| verify_records(&entries, &refs, &cps).map(|state| (summary, state)));
            let mut problems = Vec::new();
            let mut checked = 0u64;
            if let (Ok((_, state)), Some(live)) = (&r, &live) {
                checked = live.len() as u64;
                problems = compare_state(state, live);
            }
            (entries, r, problems, checked)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        // Evidence files only once the chain and records hold, as before (files or S3, see check_blob_files).
        let (mut files_checked, mut file_bytes) = (0u64, 0u64);
        if result.is_ok() && deep {
            files_checked = files.len() as u64;
            let (file_problems, bytes) = check_blob_files(self.blobs(), files).await?;
            file_bytes = bytes;
            problems.extend(file_problems);
        }
        let mut report = VerifyReport {
            tenant: name.to_owned(),
            ok: result.is_ok() && problems.is_empty(),
            entries: entries.len() as u64,
            bytes: 0,
            head_seq: 0,
            head_hash: String::new(),
            checkpoints_verified: 0,
            first_bad_seq: None,
            problem: None,
            checkpoint_signed_at_seq: None,
            public_key,
            state_root: String::new(),
            deep,
            records_checked,
            files_checked,
            file_bytes,
            record_problem_count: problems.len() as u64,
            record_problems: problems.into_iter().take(MAX_LISTED).collect(),
            elapsed_ms: 0.0,
        };
        match result {
            Ok((s, state)) => {
                report.bytes = s.bytes;
                report.head_seq = s.head_seq;
                report.head_hash = hex::encode(s.head_hash);
                report.checkpoints_verified = checkpoint_count;
                report.state_root = hex::encode(state_root(&state));
                if let Some(first) = report.record_problems.first() {
                    report.problem = Some(first.detail.clone());
                }
                if sign
                    && report.ok
                    && s.head_seq > last_checkpoint
                    && let Some(last) = entries.last()
                {
                    let tx = self.begin().await?;
                    // Re-read the head under the write lock: only sign what is still the head.
                    let mut signed = None;
                    if store::head(&tx, chain).await? == Some((last.seq, last.hash)) {
                        signed = Some(self.sign_checkpoint(&tx, chain, last).await?);
                        report.checkpoint_signed_at_seq = Some(last.seq);
                    }
                    tx.commit().await?;
                    // Only a committed checkpoint of a verified chain is kept outside the database.
                    if let Some(cp) = signed {
                        self.write_kept(&cp);
                    }
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

    fn kept_path(&self, chain: uuid::Uuid) -> Option<std::path::PathBuf> {
        self.config().checkpoint_dir.as_ref().map(|d| d.join(format!("{chain}.json")))
    }

    /// The checkpoint kept in the data directory for `chain`, if any (an unreadable one is an error).
    pub(crate) fn read_kept(&self, chain: uuid::Uuid) -> Option<Result<Checkpoint, String>> {
        let path = self.kept_path(chain)?;
        match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => Some(Err(e.to_string())),
            Ok(text) => Some(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))),
        }
    }

    /// Keep `cp` in the data directory (atomically: a reader never sees half a file). A failure is
    /// logged: the checkpoint is in the database either way.
    fn write_kept(&self, cp: &Checkpoint) {
        let Ok(chain) = uuid::Uuid::parse_str(&cp.tenant) else { return };
        let (Some(path), Some(dir)) = (self.kept_path(chain), self.config().checkpoint_dir.clone()) else { return };
        let result = (|| -> std::io::Result<()> {
            crosswalk_store::create_private_dir(&dir)?;
            let tmp = dir.join(format!(".{chain}.{}.tmp", uuid::Uuid::new_v4().simple()));
            std::fs::write(&tmp, serde_json::to_vec_pretty(cp).map_err(std::io::Error::other)?)?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(e) = result {
            tracing::warn!(error = %e, file = %path.display(), "cannot keep the journal checkpoint in the data directory");
        }
    }

    /// For every chain whose head is past its kept checkpoint: verify it, sign a checkpoint at the
    /// head and keep it in the data directory. Returns how many were kept. A chain that does not
    /// verify keeps its old checkpoint and is logged.
    pub async fn keep_checkpoints(&self) -> AppResult<usize> {
        if self.config().checkpoint_dir.is_none() {
            return Ok(0);
        }
        let mut kept = 0;
        for chain in store::chains(self.db()).await? {
            let Some((head, _)) = store::head(self.db(), chain).await? else { continue };
            let known = match self.read_kept(chain) {
                Some(Ok(cp)) => cp.seq,
                _ => 0,
            };
            if head == 0 || head <= known {
                continue;
            }
            let report = self.verify_chain_of(chain, &chain.to_string(), true, false).await?;
            if !report.ok {
                tracing::error!(chain = %chain, problem = ?report.problem, "journal does not verify; its kept checkpoint is left as it was");
                continue;
            }
            if report.checkpoint_signed_at_seq.is_none() {
                // The head already had a checkpoint: keep that one.
                if let Some(cp) = store::checkpoints(self.db(), chain).await?.pop().filter(|c| c.seq == report.head_seq) {
                    self.write_kept(&cp);
                }
            }
            kept += 1;
        }
        Ok(kept)
    }

    /// The actor's chain as stored (entries, head, checkpoints), for in-memory verification figures.
    pub async fn journal_loaded(&self, actor: &Actor) -> AppResult<(Vec<Entry>, Option<(i64, crosswalk_journal::Hash)>, Vec<Checkpoint>)> {
        actor.require(Permission::VerifyJournal, "verifying the journal")?;
        let t = actor.tenant.0;
        Ok((store::load_all(self.db(), t).await?, store::head(self.db(), t).await?, store::checkpoints(self.db(), t).await?))
    }

    /// The latest signed checkpoint of the actor's chain, signing one at the head first when the
    /// head is past it and the chain verifies. An auditor keeps it to detect later rewrites.
    pub async fn export_checkpoint(&self, actor: &Actor) -> AppResult<Checkpoint> {
        actor.require(Permission::VerifyJournal, "exporting a journal checkpoint")?;
        let report = self.verify_chain_of(actor.tenant.0, &actor.tenant_slug, true, false).await?;
        if !report.ok {
            return Err(AppError::Conflict(format!(
                "the journal does not verify, so no checkpoint is exported: {}",
                report.problem.unwrap_or_default()
            )));
        }
        store::checkpoints(self.db(), actor.tenant.0)
            .await?
            .pop()
            .ok_or_else(|| AppError::NotFound("a checkpoint: the journal has no entries yet".into()))
    }

    /// Check the actor's chain against a checkpoint an auditor kept: its signature, and that the
    /// chain still has the signed hash (and state root) at that entry. Detects truncation and any
    /// rewrite of history up to that entry, even by someone holding the signing key.
    pub async fn verify_against_checkpoint(&self, actor: &Actor, kept: &Checkpoint) -> AppResult<CheckpointCheck> {
        actor.require(Permission::VerifyJournal, "verifying the journal")?;
        if kept.tenant != actor.tenant.0.to_string() {
            return Ok(CheckpointCheck {
                ok: false,
                problem: Some(format!("the checkpoint belongs to chain {}, not this organisation's", kept.tenant)),
                current_key: false,
            });
        }
        let entries = store::load_all(self.db(), actor.tenant.0).await?;
        let refs = store::records(self.db(), actor.tenant.0).await?;
        let current_key = kept.public_key == hex::encode(self.verifying_key().as_bytes());
        if !current_key {
            return Ok(CheckpointCheck {
                ok: false,
                problem: Some(format!(
                    "the checkpoint is signed by key {}, not this installation's key {} (after a key rotation, check it with the old public key)",
                    kept.public_key,
                    hex::encode(self.verifying_key().as_bytes())
                )),
                current_key,
            });
        }
        let problem = match kept.verify(None, |seq| usize::try_from(seq - 1).ok().and_then(|i| entries.get(i)).map(|e| e.hash)) {
            Err(crosswalk_journal::CheckpointError::Missing { seq }) => {
                Some(format!("the journal ends at entry {} but the checkpoint signed entry {seq}: entries were removed", entries.len()))
            }
            Err(crosswalk_journal::CheckpointError::HeadDiffers { seq, .. }) => {
                Some(format!("entry {seq} is not the entry the checkpoint signed: the journal was rewritten at or before entry {seq}"))
            }
            Err(e) => Some(e.to_string()),
            Ok(()) => match kept.state_root_hash() {
                Some(signed) => {
                    let mut state = State::new();
                    for (seq, r) in &refs {
                        if *seq <= kept.seq {
                            crosswalk_journal::records::apply(&mut state, std::slice::from_ref(r));
                        }
                    }
                    (state_root(&state) != signed)
                        .then(|| format!("the record hashes up to entry {} differ from the state root the checkpoint signed", kept.seq))
                }
                None => None,
            },
        };
        Ok(CheckpointCheck { ok: problem.is_none(), problem, current_key })
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
