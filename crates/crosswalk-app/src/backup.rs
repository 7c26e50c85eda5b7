//! `crosswalk backup` and `crosswalk restore`: the whole installation in one file, restorable into an
//! empty database of either engine with the journal heads unchanged.
//!
//! **The file** is a ZIP archive:
//! - `tables/NAME.jsonl` — a header line (`table`, `columns`, `types`) then one JSON array of cells per
//!   row, engine-neutral ([`crosswalk_store::backup`]), read in one database snapshot;
//! - `files/SHA256` — every evidence file the snapshot's evidence rows name, checked against its name
//!   while it is copied;
//! - `signing-key.pem` — only when asked: the installation's signing key as encrypted PKCS#8
//!   (passphrase of at least 12 characters);
//! - `manifest.json`, written last — format, schema (the migrations applied), the SHA-256 and row count
//!   of every table file, every file's hash and size, each chain's head with a checkpoint signed there
//!   at backup time, and every public key that signed checkpoints or sealed entries in the backup.
//!
//! A backup verifies every chain before it writes anything: a journal that does not verify is not
//! packed up as if it did.
//!
//! **A restore** writes only through [`crosswalk_store::backup::RestoreTx`] (never the use cases): it
//! needs an empty database, loads every table in one transaction, writes the files to the blob store,
//! and then, before committing, checks each chain in that transaction — links and hashes, the head the
//! manifest names, the checkpoint signed at backup time, every live row against its latest journaled
//! hash, every evidence file against its row. Any difference rolls the whole restore back.
//!
//! **Keys.** Entries carry a MAC under a key derived from the signing key, which stays outside the
//! database. When the backup carries the key (and the passphrase is given), the restored installation
//! uses it and everything verifies as before. Without it, the backup's public keys are *adopted*:
//! `checkpoints/adopted-keys.json` in the data directory (outside the database, like the key) names
//! each key and, per chain, the last entry sealed under it. Verification then accepts checkpoints those
//! keys signed, checks MACs only of entries after that point, and the entries up to it are held by
//! the hash chain to the checkpoint the old key signed at backup time, which the restore keeps in the
//! data directory. A database-only attacker can change neither file.
use crate::journal::{RecordProblem, TrustedKey, check_blob_files, compare_state, verify_loaded, verify_records};
use crate::{App, AppError, AppResult};
use crosswalk_journal::{Checkpoint, Hash, MacKey, SigningKey, VerifyingKey};
use crosswalk_store::Store;
use crosswalk_store::backup as dump;
use crosswalk_store::blob_store::{BlobError, BlobStore};
use crosswalk_store::journal as journal_store;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// The archive format this version writes and reads.
pub const FORMAT: &str = "crosswalk-backup/1";
const MANIFEST: &str = "manifest.json";
const KEY_ENTRY: &str = "signing-key.pem";
/// The file, in the checkpoint directory, naming the keys adopted from restored backups.
pub const ADOPTED_KEYS_FILE: &str = "adopted-keys.json";
/// Rows read from the database, and inserted, per batch.
const BATCH: usize = 2_000;

/// One table file of a backup.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TableEntry {
    pub name: String,
    pub rows: u64,
    pub sha256: String,
}

/// One evidence file of a backup.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    pub sha256: String,
    pub size: u64,
}

/// One chain's head at backup time, with a checkpoint signed there.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChainHead {
    pub chain: Uuid,
    pub head_seq: i64,
    pub head_hash: String,
    pub checkpoint: Checkpoint,
}

/// A public key whose signatures and MACs appear in the backup, and per chain the last entry it
/// sealed (entries after that were sealed by a later key).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KnownKey {
    /// Hex of the 32-byte ed25519 public key.
    pub public_key: String,
    pub sealed_through: BTreeMap<Uuid, i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub crosswalk_version: String,
    /// `sqlite` or `postgres`: where the backup was taken (any engine restores it).
    pub source_engine: String,
    /// The schema: every migration applied, oldest first.
    pub migrations: Vec<String>,
    pub tables: Vec<TableEntry>,
    pub files: Vec<FileEntry>,
    pub chains: Vec<ChainHead>,
    /// The key that signed `chains[].checkpoint` first, then any adopted earlier.
    pub keys: Vec<KnownKey>,
    /// Whether `signing-key.pem` is in the archive.
    pub signing_key_included: bool,
    /// Hex ed25519 signature by `keys[0]` over the manifest's canonical JSON with this field empty:
    /// nothing in the manifest (heads, table hashes, keys) can change without breaking it.
    #[serde(default)]
    pub signature: String,
}

impl Manifest {
    fn canonical_unsigned(&self) -> String {
        let mut unsigned = self.clone();
        unsigned.signature.clear();
        crosswalk_journal::canonical_json(&serde_json::to_value(&unsigned).unwrap_or_default())
    }
}

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    pub file: String,
    pub tables: usize,
    pub rows: u64,
    pub files: usize,
    pub file_bytes: u64,
    pub chains: usize,
    pub public_key: String,
    pub signing_key_included: bool,
    pub elapsed_ms: f64,
}

/// What a restore loaded.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreSummary {
    pub rows: u64,
    pub files: usize,
    pub file_bytes: u64,
    /// Every chain with its head after the restore (identical to the backup's).
    pub chains: Vec<(Uuid, i64, String)>,
    pub records_checked: u64,
    /// `restored` (the backup's signing key is now this installation's) or `adopted` (its public key
    /// is trusted for what it sealed; this installation signs with its own).
    pub key: String,
    pub public_key: String,
    pub elapsed_ms: f64,
}

/// Keys adopted from restored backups (`checkpoints/adopted-keys.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AdoptedKeys {
    pub keys: Vec<KnownKey>,
}

impl AdoptedKeys {
    /// Read from `dir`; no file means none adopted. An unreadable file is an error (it is trust).
    pub fn load(dir: Option<&Path>) -> AppResult<Self> {
        let Some(dir) = dir else { return Ok(Self::default()) };
        let path = dir.join(ADOPTED_KEYS_FILE);
        match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(AppError::Internal(format!("cannot read {}: {e}", path.display()))),
            Ok(text) => serde_json::from_str(&text).map_err(|e| AppError::Internal(format!("{} is damaged: {e}", path.display()))),
        }
    }

    /// The keys `chain`'s checkpoints may be signed with: `own` first, then each adopted key for
    /// the entries of the chain it sealed.
    pub fn trusted_for(&self, chain: Uuid, own: VerifyingKey) -> AppResult<Vec<TrustedKey>> {
        let mut out = vec![TrustedKey::own(own)];
        for k in &self.keys {
            let Some(&up_to) = k.sealed_through.get(&chain) else { continue };
            let key = crosswalk_journal::decode_public_key_hex(&k.public_key)
                .map_err(|e| AppError::Internal(format!("adopted key {}: {e}", k.public_key)))?;
            out.push(TrustedKey { key, up_to });
        }
        Ok(out)
    }

    /// The first entry of `chain` sealed by this installation's own key (earlier ones: adopted keys).
    pub fn mac_from(&self, chain: Uuid) -> i64 {
        self.keys.iter().filter_map(|k| k.sealed_through.get(&chain)).max().map_or(1, |s| s.saturating_add(1))
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("{what}: {e}"))
}

/// A write that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The checks of one chain that backup and restore share: the chain verifies (with MACs from
/// `mac_from` when `mac` is given) against `trusted` keys, and its live rows match the journal.
struct ChainCheck {
    head: Option<(i64, Hash)>,
    entries: Vec<crosswalk_journal::Entry>,
    state_root: Hash,
    records_checked: u64,
    problems: Vec<RecordProblem>,
}

async fn check_chain(
    db: &impl crosswalk_store::Read,
    chain: Uuid,
    trusted: &[TrustedKey],
    mac: Option<&MacKey>,
    mac_from: i64,
) -> AppResult<Result<ChainCheck, String>> {
    let entries = journal_store::load_all(db, chain).await?;
    let head = journal_store::head(db, chain).await?;
    let cps = journal_store::checkpoints(db, chain).await?;
    let refs = journal_store::records(db, chain).await?;
    let (live, _) = journal_store::live_records(db, chain).await?;
    let name = chain.to_string();
    let verdict = verify_loaded(&name, &entries, head, &cps, trusted, mac, mac_from)
        .and_then(|_| verify_records(&entries, &refs, &cps))
        .map_err(|(seq, problem)| match seq {
            Some(s) => format!("chain {chain}, entry {s}: {problem}"),
            None => format!("chain {chain}: {problem}"),
        });
    Ok(verdict.map(|state| {
        let problems = compare_state(&state, &live);
        ChainCheck { head, entries, state_root: crosswalk_journal::state_root(&state), records_checked: live.len() as u64, problems }
    }))
}

fn first_problems(problems: &[RecordProblem]) -> String {
    let mut s: Vec<String> = problems.iter().take(3).map(|p| p.detail.clone()).collect();
    if problems.len() > 3 {
        s.push(format!("and {} more", problems.len() - 3));
    }
    s.join("; ")
}

impl App {
    /// Write a backup of the whole installation to `path` (atomically: a temp file renamed at the
    /// end). With `key_passphrase`, the signing key goes in too, encrypted with it.
    pub async fn backup(&self, path: &Path, key_passphrase: Option<&str>) -> AppResult<BackupSummary> {
        let started = std::time::Instant::now();
        if let Some(newer) = self.store().newer_schema().await? {
            return Err(AppError::SchemaTooNew(newer));
        }
        let key_pem = match key_passphrase {
            Some(p) => Some(
                crosswalk_journal::signing_key_to_encrypted_pem(self.signing_key(), p)
                    .map_err(|e| AppError::Invalid(crosswalk_domain::ValidationError::new("passphrase", e.to_string())))?,
            ),
            None => None,
        };
        let adopted = AdoptedKeys::load(self.config().checkpoint_dir.as_deref())?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let tmp = dir.join(format!(".{}.{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("backup"), Uuid::now_v7().simple()));
        let result = self.write_backup(&tmp, key_pem, &adopted).await;
        let mut summary = match result {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            internal(&format!("cannot write {}", path.display()), e)
        })?;
        summary.file = path.display().to_string();
        summary.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(summary)
    }

    async fn write_backup(&self, tmp: &Path, key_pem: Option<String>, adopted: &AdoptedKeys) -> AppResult<BackupSummary> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        // It holds password and token hashes and every organisation's evidence: owner-only, like the database.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(tmp).map_err(|e| internal(&format!("cannot create {}", tmp.display()), e))?;
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
        let io = |e: std::io::Error| internal("cannot write the backup", e);
        let ze = |e: zip::result::ZipError| internal("cannot write the backup", e);

        // One snapshot for every table and chain: the backup is one instant of the database.
        let snap = self.store().begin_read().await?;
        let now = self.now();
        let mut chains = Vec::new();
        let mut own = KnownKey { public_key: hex::encode(self.verifying_key().as_bytes()), sealed_through: BTreeMap::new() };
        for chain in journal_store::chains(&snap).await? {
            let trusted = adopted.trusted_for(chain, self.verifying_key())?;
            let check = check_chain(&snap, chain, &trusted, Some(self.mac_key()), adopted.mac_from(chain))
                .await?
                .map_err(|p| AppError::Conflict(format!("the journal does not verify, so no backup was written: {p}")))?;
            if !check.problems.is_empty() {
                return Err(AppError::Conflict(format!(
                    "records differ from the journal, so no backup was written: {}",
                    first_problems(&check.problems)
                )));
            }
            let Some((seq, hash)) = check.head else { continue };
            if seq == 0 {
                continue;
            }
            let cp = Checkpoint::sign(self.signing_key(), &chain.to_string(), seq, &hash, &check.state_root, now.timestamp_micros());
            own.sealed_through.insert(chain, seq);
            chains.push(ChainHead { chain, head_seq: seq, head_hash: hex::encode(hash), checkpoint: cp });
            drop(check.entries);
        }

        let mut tables = Vec::new();
        let mut rows_total = 0u64;
        let mut files: BTreeMap<String, u64> = BTreeMap::new();
        for layout in dump::backed_up() {
            zip.start_file(format!("tables/{}.jsonl", layout.name), deflated).map_err(ze)?;
            let mut w = Hashing { inner: &mut zip, hash: Sha256::new() };
            let header = serde_json::json!({"table": layout.name, "columns": layout.columns, "types": layout.column_types()});
            writeln!(w, "{header}").map_err(io)?;
            let sha_col = (layout.name == "evidence").then(|| layout.columns.iter().position(|c| *c == "sha256")).flatten();
            let size_col = (layout.name == "evidence").then(|| layout.columns.iter().position(|c| *c == "size")).flatten();
            let rows = dump::dump_table(&snap, layout, BATCH as u64, |batch| {
                for row in batch {
                    if let (Some(s), Some(z)) = (sha_col, size_col)
                        && let Some(sha) = row[s].as_str()
                    {
                        files.insert(sha.to_owned(), row[z].as_u64().unwrap_or(0));
                    }
                    serde_json::to_writer(&mut w, &row).map_err(std::io::Error::other)?;
                    w.write_all(b"\n")?;
                }
                Ok(())
            })
            .await?;
            rows_total += rows;
            tables.push(TableEntry { name: layout.name.to_owned(), rows, sha256: hex::encode(w.hash.finalize()) });
        }
        drop(snap);

        let mut file_bytes = 0u64;
        let mut file_entries = Vec::new();
        let mut buf = vec![0u8; 1 << 20];
        for sha in files.keys() {
            let mut f = self.blobs().open(sha).await.map_err(|e| match e {
                BlobError::NotFound { .. } => AppError::Conflict(format!(
                    "evidence file {sha} is not in the blob store ({e}); no backup was written (`journal verify --deep` names its evidence)"
                )),
                other => crate::evidence::blob_error(other),
            })?;
            zip.start_file(format!("files/{sha}"), stored).map_err(ze)?;
            let mut h = Sha256::new();
            let mut size = 0u64;
            loop {
                let n = tokio::io::AsyncReadExt::read(&mut f, &mut buf).await.map_err(io)?;
                if n == 0 {
                    break;
                }
                h.update(&buf[..n]);
                zip.write_all(&buf[..n]).map_err(io)?;
                size += n as u64;
            }
            let got = hex::encode(h.finalize());
            if got != *sha {
                return Err(AppError::Conflict(format!(
                    "evidence file {sha} in the blob store now hashes to {got}: it was altered; no backup was written"
                )));
            }
            file_bytes += size;
            file_entries.push(FileEntry { sha256: sha.clone(), size });
        }

        let included = key_pem.is_some();
        if let Some(pem) = key_pem {
            zip.start_file(KEY_ENTRY, stored).map_err(ze)?;
            zip.write_all(pem.as_bytes()).map_err(io)?;
        }
        let public_key = own.public_key.clone();
        let mut keys = vec![own];
        keys.extend(adopted.keys.iter().cloned());
        let manifest = Manifest {
            format: FORMAT.into(),
            created_at: now,
            crosswalk_version: env!("CARGO_PKG_VERSION").into(),
            source_engine: match self.store().engine() {
                crosswalk_store::Engine::Sqlite => "sqlite".into(),
                crosswalk_store::Engine::Postgres => "postgres".into(),
            },
            migrations: dump::migrations(),
            tables,
            files: file_entries,
            chains,
            keys,
            signing_key_included: included,
            signature: String::new(),
        };
        let mut manifest = manifest;
        manifest.signature = crosswalk_journal::sign_backup_manifest(self.signing_key(), &manifest.canonical_unsigned());
        zip.start_file(MANIFEST, deflated).map_err(ze)?;
        serde_json::to_writer_pretty(&mut zip, &manifest).map_err(|e| internal("cannot write the manifest", e))?;
        let inner = zip.finish().map_err(ze)?;
        let file = inner.into_inner().map_err(|e| internal("cannot write the backup", e.error()))?;
        file.sync_all().map_err(io)?;
        Ok(BackupSummary {
            file: String::new(),
            tables: manifest.tables.len(),
            rows: rows_total,
            files: manifest.files.len(),
            file_bytes,
            chains: manifest.chains.len(),
            public_key,
            signing_key_included: included,
            elapsed_ms: 0.0,
        })
    }
}

/// Where a restore puts what is not in the database.
#[derive(Debug, Clone)]
pub struct RestoreTarget {
    /// The data directory (signing key, `checkpoints/`).
    pub data_dir: PathBuf,
    /// The evidence blob store (files or S3).
    pub blobs: BlobStore,
}

fn refused(message: impl Into<String>) -> AppError {
    AppError::Conflict(message.into())
}

/// The largest manifest, signing-key file and table line a restore reads (a crafted backup cannot
/// make it allocate more).
const MAX_MANIFEST_BYTES: u64 = 64 << 20;
const MAX_KEY_BYTES: u64 = 64 << 10;
const MAX_LINE_BYTES: u64 = 64 << 20;

/// Open `file` and read its manifest, refusing anything this version cannot restore.
pub fn read_manifest(file: &Path) -> AppResult<(zip::ZipArchive<std::fs::File>, Manifest)> {
    let f = std::fs::File::open(file).map_err(|e| refused(format!("cannot open {}: {e}", file.display())))?;
    let mut zip = zip::ZipArchive::new(f)
        .map_err(|e| refused(format!("{} is not a Crosswalk backup, or it is truncated ({e}); nothing was changed", file.display())))?;
    let manifest: Manifest = {
        let entry = zip
            .by_name(MANIFEST)
            .map_err(|_| refused(format!("{} has no {MANIFEST}: it is not a Crosswalk backup, or it is incomplete", file.display())))?;
        if entry.size() > MAX_MANIFEST_BYTES {
            return Err(refused(format!("the manifest of {} is {} bytes, more than a manifest can be", file.display(), entry.size())));
        }
        serde_json::from_reader(entry.take(MAX_MANIFEST_BYTES))
            .map_err(|e| refused(format!("the manifest of {} is damaged: {e}", file.display())))?
    };
    if manifest.format != FORMAT {
        return Err(refused(format!("{} is in format {:?}; this Crosswalk reads {FORMAT}", file.display(), manifest.format)));
    }
    let known = dump::migrations();
    if let Some(newer) = manifest.migrations.iter().find(|m| !known.contains(m)) {
        return Err(refused(format!(
            "the backup is of a newer schema than this Crosswalk knows (migration {newer}, Crosswalk {}); restore it with that version or newer",
            manifest.crosswalk_version
        )));
    }
    if let Some(missing) = known.iter().find(|m| !manifest.migrations.contains(m)) {
        return Err(refused(format!(
            "the backup was made by an older Crosswalk ({}; its schema lacks migration {missing}); restore it with that version, then upgrade",
            manifest.crosswalk_version
        )));
    }
    Ok((zip, manifest))
}

/// The manifest's own consistency, once its signature is trusted: the key that signed sealed exactly
/// the chains' heads, each head has a checkpoint at that very entry, and earlier keys sealed no more.
fn check_manifest_heads(manifest: &Manifest) -> AppResult<()> {
    let source = &manifest.keys[0];
    let heads: BTreeMap<Uuid, i64> = manifest.chains.iter().map(|c| (c.chain, c.head_seq)).collect();
    if source.sealed_through != heads {
        return Err(refused("the manifest's key does not account for exactly the chains' heads; the backup is damaged"));
    }
    for c in &manifest.chains {
        let cp = &c.checkpoint;
        if cp.tenant != c.chain.to_string() || cp.seq != c.head_seq || cp.head_hash != c.head_hash || cp.public_key != source.public_key {
            return Err(refused(format!(
                "chain {}: the checkpoint in the manifest is not at the head it names; the backup is damaged",
                c.chain
            )));
        }
    }
    for k in &manifest.keys[1..] {
        for (chain, seq) in &k.sealed_through {
            if heads.get(chain).is_none_or(|head| seq > head) {
                return Err(refused(format!("earlier key {} claims entries of chain {chain} beyond its head", k.public_key)));
            }
        }
    }
    Ok(())
}

/// Files written into the data directory before the restore commits, so a committed restore always
/// has them; a failed one leaves files describing a database that holds nothing (set aside by the
/// next restore).
fn write_synced(path: &Path, bytes: &[u8]) -> AppResult<()> {
    let result = (|| -> std::io::Result<()> {
        let tmp = path.with_extension(format!("tmp-{}", Uuid::now_v7().simple()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| internal(&format!("cannot write {}", path.display()), e))
}

/// Restore `file` into the empty database behind `store`. `passphrase` unlocks the signing key when
/// the backup carries one. Without it, the backup's keys are adopted (see the module doc), which
/// needs `expected_key`: the source installation's public key, obtained out of band
/// (`crosswalk journal public-key` there), so a forged backup cannot bring its own trust.
pub async fn restore(
    store: &Store,
    file: &Path,
    target: &RestoreTarget,
    passphrase: Option<&str>,
    expected_key: Option<&VerifyingKey>,
) -> AppResult<RestoreSummary> {
    let started = std::time::Instant::now();
    let (mut zip, manifest) = read_manifest(file)?;
    let source_key = manifest.keys.first().ok_or_else(|| refused("the manifest names no key"))?.clone();
    let source = crosswalk_journal::decode_public_key_hex(&source_key.public_key)
        .map_err(|e| refused(format!("the manifest's key {}: {e}", source_key.public_key)))?;
    let fingerprint = &source_key.public_key[..16.min(source_key.public_key.len())];

    // The key this installation will sign with, and whether the backup's own comes back.
    let restored_key: Option<SigningKey> = match (manifest.signing_key_included, passphrase) {
        (true, Some(p)) => {
            let entry = zip
                .by_name(KEY_ENTRY)
                .map_err(|_| refused("the manifest says the signing key is included, but it is missing from the archive"))?;
            let mut pem = String::new();
            entry
                .take(MAX_KEY_BYTES)
                .read_to_string(&mut pem)
                .map_err(|e| refused(format!("cannot read the signing key from the backup: {e}")))?;
            let key = crosswalk_journal::signing_key_from_encrypted_pem(&pem, p).map_err(|e| refused(e.to_string()))?;
            if key.verifying_key() != source {
                return Err(refused("the signing key in the backup is not the key that signed it"));
            }
            Some(key)
        }
        (false, Some(_)) => {
            return Err(refused(
                "a passphrase was given, but this backup does not carry the signing key (back up with --with-key to include it)",
            ));
        }
        _ => None,
    };
    // Trust comes from outside the file: the passphrase-protected key, or the public key the operator names.
    match (&restored_key, expected_key) {
        (Some(_), _) => {}
        (None, Some(k)) if *k == source => {}
        (None, Some(k)) => {
            return Err(refused(format!(
                "the backup was signed by key {fingerprint}…, not by the public key given ({}…); nothing was changed",
                &hex::encode(k.as_bytes())[..16]
            )));
        }
        (None, None) => {
            return Err(refused(format!(
                "the backup was signed by key {fingerprint}…; confirm it with --public-key FILE.pem (the source installation's `crosswalk journal public-key`), or restore with the key's passphrase; nothing was changed"
            )));
        }
    }
    if !crosswalk_journal::verify_backup_manifest(&source, &manifest.canonical_unsigned(), &manifest.signature) {
        return Err(refused("the manifest's signature does not hold: the backup was altered; nothing was changed"));
    }
    check_manifest_heads(&manifest)?;
    let mac = restored_key.as_ref().map(MacKey::derive);
    // With the key back, MACs are checked after whatever earlier adopted keys sealed; without it, none
    // are (the hash chain to the signed checkpoints holds them).
    let earlier = AdoptedKeys { keys: manifest.keys[1..].to_vec() };
    let all = AdoptedKeys { keys: manifest.keys.clone() };

    let tx = store.begin_restore().await?;
    let mut rows_total = 0u64;
    let expected: Vec<&str> = dump::backed_up().iter().map(|t| t.name).collect();
    let listed: Vec<&str> = manifest.tables.iter().map(|t| t.name.as_str()).collect();
    if expected != listed {
        return Err(refused(format!("the backup's tables ({}) are not this schema's ({})", listed.join(", "), expected.join(", "))));
    }
    for entry in &manifest.tables {
        let layout = dump::layout_of(&entry.name).ok_or_else(|| refused(format!("unknown table {}", entry.name)))?;
        let name = format!("tables/{}.jsonl", entry.name);
        let reader = zip.by_name(&name).map_err(|_| refused(format!("the backup lacks {name}: it is incomplete; nothing was changed")))?;
        let mut hash = Sha256::new();
        let mut lines = std::io::BufReader::new(reader);
        let mut line = String::new();
        let mut read_line = |line: &mut String, hash: &mut Sha256| -> AppResult<bool> {
            line.clear();
            let n = (&mut lines)
                .take(MAX_LINE_BYTES + 1)
                .read_line(line)
                .map_err(|e| refused(format!("{name} cannot be read ({e}): the backup is damaged; nothing was changed")))?;
            if n as u64 > MAX_LINE_BYTES {
                return Err(refused(format!(
                    "{name} has a line of more than {MAX_LINE_BYTES} bytes: the backup is damaged; nothing was changed"
                )));
            }
            hash.update(line.as_bytes());
            Ok(n > 0)
        };
        if !read_line(&mut line, &mut hash)? {
            return Err(refused(format!("{name} is empty: the backup is damaged; nothing was changed")));
        }
        let header: serde_json::Value = serde_json::from_str(&line).map_err(|e| refused(format!("{name}, header: {e}")))?;
        let columns: Vec<String> = serde_json::from_value(header["columns"].clone()).unwrap_or_default();
        if columns.iter().map(String::as_str).ne(layout.columns.iter().copied()) {
            return Err(refused(format!("{name} has columns {columns:?}, the table has {:?}", layout.columns)));
        }
        let mut batch: Vec<Vec<serde_json::Value>> = Vec::with_capacity(BATCH);
        let mut count = 0u64;
        while read_line(&mut line, &mut hash)? {
            count += 1;
            let row: Vec<serde_json::Value> =
                serde_json::from_str(&line).map_err(|e| refused(format!("{name}, row {count}: {e}; nothing was changed")))?;
            batch.push(row);
            if batch.len() == BATCH {
                tx.insert(layout, &batch).await.map_err(|e| refused(format!("{name}: {e}; nothing was changed")))?;
                batch.clear();
            }
        }
        tx.insert(layout, &batch).await.map_err(|e| refused(format!("{name}: {e}; nothing was changed")))?;
        let got = hex::encode(hash.finalize());
        if count != entry.rows || got != entry.sha256 {
            return Err(refused(format!(
                "{name} holds {count} rows hashing to {}, the manifest says {} rows hashing to {}: the backup is damaged; nothing was changed",
                &got[..16],
                entry.rows,
                entry.sha256.get(..16).unwrap_or(&entry.sha256)
            )));
        }
        rows_total += count;
    }

    // Files into the blob store (content-addressed: a file already there is the same file; one left
    // by a failed restore is unreferenced and goes with `crosswalk blobs gc`).
    let blobs = &target.blobs;
    let mut file_bytes = 0u64;
    for f in &manifest.files {
        let name = format!("files/{}", f.sha256);
        let entry = zip.by_name(&name).map_err(|_| refused(format!("the backup lacks {name}; nothing was changed")))?;
        if entry.size() != f.size {
            return Err(refused(format!(
                "{name} is {} bytes, the manifest says {}: the backup is damaged; nothing was changed",
                entry.size(),
                f.size
            )));
        }
        // Staged beside the blob files when they are local (same file system), else in the data directory.
        let staging = blobs.local_dir().map_or_else(|| target.data_dir.clone(), Path::to_path_buf);
        crosswalk_store::create_private_dir(&staging).map_err(|e| internal("cannot create the blob store", e))?;
        let staged = staging.join(format!(".restore-{}", Uuid::now_v7().simple()));
        let copied = (|| -> std::io::Result<u64> {
            let mut out = std::fs::File::create(&staged)?;
            let n = std::io::copy(&mut entry.take(f.size.saturating_add(1)), &mut out)?;
            out.sync_all()?;
            Ok(n)
        })();
        let put = match copied {
            Ok(n) if n == f.size => match tokio::fs::File::open(&staged).await {
                Ok(r) => blobs.put(r).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            },
            Ok(n) => Err(format!("it holds {n} bytes, the manifest says {}", f.size)),
            Err(e) => Err(e.to_string()),
        };
        let _ = std::fs::remove_file(&staged);
        let put = put.map_err(|e| refused(format!("{name} cannot be restored: {e}; nothing was changed")))?;
        if put.sha256 != f.sha256 || put.size != f.size {
            return Err(refused(format!("{name} holds content hashing to {}: the backup is damaged; nothing was changed", put.sha256)));
        }
        file_bytes += put.size;
    }

    // Every chain, checked inside the restore transaction before anything is committed: the
    // installation's, every organisation's, and any that has entries.
    let restored_chains = journal_store::chains(&tx).await?;
    let mut required: std::collections::BTreeSet<Uuid> = journal_store::entry_chains(&tx).await?.into_iter().collect();
    required.insert(crosswalk_store::records::INSTALLATION);
    required.extend(crosswalk_store::repo::tenants::all(&tx).await?.into_iter().map(|t| t.id));
    if let Some(missing) = required.iter().find(|c| !restored_chains.contains(c)) {
        return Err(refused(format!("chain {missing} has no head in the backup, so it cannot be checked; nothing was changed")));
    }
    let mut chains = Vec::new();
    let mut records_checked = 0u64;
    for chain in &restored_chains {
        let listed = manifest.chains.iter().find(|c| c.chain == *chain);
        let mac_from = match (&mac, listed) {
            (Some(_), _) => earlier.mac_from(*chain),
            (None, Some(c)) => c.head_seq.saturating_add(1),
            (None, None) => i64::MAX,
        };
        let trusted = if restored_key.is_some() { earlier.trusted_for(*chain, source)? } else { all.trusted_for(*chain, source)? };
        let check = check_chain(&tx, *chain, &trusted, mac.as_ref(), mac_from)
            .await?
            .map_err(|p| refused(format!("the restored journal does not verify ({p}); nothing was changed")))?;
        if !check.problems.is_empty() {
            return Err(refused(format!(
                "restored records differ from the journal ({}); nothing was changed",
                first_problems(&check.problems)
            )));
        }
        let (seq, hash) = check.head.unwrap_or((0, crosswalk_journal::ZERO_HASH));
        match listed {
            Some(c) => {
                if c.head_seq != seq || c.head_hash != hex::encode(hash) {
                    return Err(refused(format!(
                        "chain {chain}: the restored head is entry {seq}, the manifest names entry {} ({}); nothing was changed",
                        c.head_seq, c.head_hash
                    )));
                }
                if c.checkpoint.state_root != hex::encode(check.state_root) {
                    return Err(refused(format!(
                        "chain {chain}: the restored records are not the ones the backup signed; nothing was changed"
                    )));
                }
                c.checkpoint
                    .verify(Some(&source), |s| usize::try_from(s - 1).ok().and_then(|i| check.entries.get(i)).map(|e| e.hash))
                    .map_err(|e| {
                        refused(format!("chain {chain}: the checkpoint signed at backup time does not hold ({e}); nothing was changed"))
                    })?;
            }
            None if seq > 0 => return Err(refused(format!("chain {chain} is not named in the manifest; nothing was changed"))),
            None => {}
        }
        if *chain != crosswalk_store::records::INSTALLATION {
            let files = crosswalk_store::repo::evidence::evidence_files(&tx, *chain).await?;
            let (problems, _) = check_blob_files(blobs, files).await?;
            if !problems.is_empty() {
                return Err(refused(format!("restored evidence files differ ({}); nothing was changed", first_problems(&problems))));
            }
        }
        records_checked += check.records_checked;
        chains.push((*chain, seq, hex::encode(hash)));
    }
    if let Some(missing) = manifest.chains.iter().find(|c| !restored_chains.contains(&c.chain)) {
        return Err(refused(format!("chain {} is in the manifest but not in the restored journal; nothing was changed", missing.chain)));
    }

    // Outside the database, written (and synced) before the commit: the key or the adopted keys, and
    // the checkpoints signed at backup time, which hold the entries whose MACs cannot be checked here.
    let checkpoint_dir = target.data_dir.join("checkpoints");
    set_aside(&checkpoint_dir)?;
    crosswalk_store::create_private_dir(&checkpoint_dir).map_err(|e| internal("cannot create the checkpoint directory", e))?;
    for c in &manifest.chains {
        write_synced(&checkpoint_dir.join(format!("{}.json", c.chain)), &serde_json::to_vec_pretty(&c.checkpoint).unwrap_or_default())?;
    }
    let (key, public_key, adopted) = match &restored_key {
        Some(k) => {
            crate::keys::install_signing_key(&target.data_dir, k)?;
            ("restored", hex::encode(k.verifying_key().as_bytes()), earlier)
        }
        None => {
            let own = crate::keys::load_or_create_signing_key(&target.data_dir)?;
            ("adopted", hex::encode(own.verifying_key().as_bytes()), all)
        }
    };
    if !adopted.keys.is_empty() {
        write_synced(&checkpoint_dir.join(ADOPTED_KEYS_FILE), &serde_json::to_vec_pretty(&adopted).unwrap_or_default())?;
    }
    tx.commit().await?;
    Ok(RestoreSummary {
        rows: rows_total,
        files: manifest.files.len(),
        file_bytes,
        chains,
        records_checked,
        key: key.into(),
        public_key,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// Move an existing, non-empty directory aside (`NAME.replaced-UUIDv7`): what it held described a
/// database that no longer exists, and is kept rather than deleted.
fn set_aside(dir: &Path) -> AppResult<()> {
    let non_empty = std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(false);
    if non_empty {
        // A time-ordered UUID, not a clock reading: unique, and sorts by when it was set aside.
        let aside = dir.with_extension(format!("replaced-{}", Uuid::now_v7().simple()));
        std::fs::rename(dir, &aside).map_err(|e| internal(&format!("cannot move {} aside", dir.display()), e))?;
    }
    Ok(())
}
