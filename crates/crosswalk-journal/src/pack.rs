//! Auditor packs: a zip an auditor can check without Crosswalk's database or network.
//!
//! Layout (format `crosswalk-auditor-pack-v1`):
//! - `manifest.json`: tenant, framework, time, the public key, the checkpoint's entry, and every other
//!   file of the pack with its SHA-256 and size; `manifest.sig`: ed25519 signature (hex) over
//!   `SHA-256("crosswalk-pack-manifest-v1\0" ‖ manifest.json)`.
//! - `journal/entries.json`: every entry of the chain up to the checkpoint, payloads shown for the
//!   entries that last wrote a record in the pack and withheld (hash only) for the others;
//!   `journal/checkpoint.json`: a checkpoint signed when the pack was built, over the head and the
//!   state root.
//! - `records.json`: each record behind the readiness shown — table, key, every column value, its
//!   hash, the entry that last wrote it, and its Merkle audit path in the checkpoint's state root.
//! - `readiness.json`: each requirement's state with its derivation path; `evidence/<sha256>`: the files;
//!   `index.html`: the same for a person, readable offline without scripts.
//!
//! [`verify`] needs only the pack (and optionally the key the auditor trusts): every file against the
//! manifest, the manifest's signature, the chain and checkpoint, each record's hash and audit path,
//! each evidence file's name against its content.
use crate::chain::{Entry, verify_chain};
use crate::checkpoint::{Checkpoint, SigningKey, VerifyingKey, decode_public_key_hex};
use crate::merkle;
use crate::records::{Cell, RecordRef, record_hash, records_root, state_leaf};
use crate::{Hash, canonical_json};
use ed25519_dalek::{Signature, Signer, Verifier};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek, Write};

pub const FORMAT: &str = "crosswalk-auditor-pack-v1";
const MANIFEST_TAG: &[u8] = b"crosswalk-pack-manifest-v1\0";

/// One file of the pack, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileRef {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format: String,
    pub tenant: String,
    pub tenant_name: String,
    pub framework: String,
    pub created_at_micros: i64,
    /// Hex of the ed25519 key that signed the manifest and the checkpoint.
    pub public_key: String,
    pub checkpoint_seq: i64,
    pub files: Vec<FileRef>,
}

/// A record in the pack with what proves it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PackRecord {
    pub table: String,
    pub id: String,
    pub cells: Vec<(String, Cell)>,
    pub hash: String,
    /// The entry that last wrote this record.
    pub entry_seq: i64,
    /// Position among the state root's leaves, their number, and the audit path (hex, bottom-up).
    pub leaf_index: usize,
    pub leaf_count: usize,
    pub proof: Vec<String>,
}

/// What goes into a pack; the writer adds the manifest and its signature.
#[derive(Debug)]
pub struct PackContents {
    pub tenant: String,
    pub tenant_name: String,
    pub framework: String,
    pub created_at_micros: i64,
    pub entries: Vec<Entry>,
    pub checkpoint: Checkpoint,
    pub records: Vec<PackRecord>,
    /// Every record ref of each entry whose payload is shown, so its records root is checked offline.
    pub entry_records: BTreeMap<i64, Vec<RecordRef>>,
    pub readiness_json: String,
    pub index_html: String,
    /// (SHA-256 hex, path on disk) of each evidence file.
    pub evidence: Vec<(String, std::path::PathBuf)>,
}

/// What a pack holds, once verified.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PackSummary {
    /// Whether the signing key was checked against a key the auditor trusts (`--public-key`); when
    /// false, compare `public_key` with the installation's published key.
    pub trusted: bool,
    pub tenant: String,
    pub tenant_name: String,
    pub framework: String,
    pub public_key: String,
    pub entries: u64,
    pub checkpoint_seq: i64,
    pub records: u64,
    pub evidence_files: u64,
    pub bytes: u64,
}

/// Why a pack does not verify: not a pack at all (exit 2), or a pack that was changed (exit 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    #[error("not an auditor pack: {0}")]
    NotAPack(String),
    #[error("{0}")]
    Tampered(String),
    #[error("cannot build the pack: {0}")]
    Build(String),
}

fn manifest_digest(bytes: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(MANIFEST_TAG);
    h.update(bytes);
    h.finalize().into()
}

/// Builds the pack into `out`, signing the manifest with `key`. Evidence files are stored as they are
/// (no compression: they are usually compressed already, and packing stays at disk speed).
pub fn write<W: Write + Seek>(out: W, contents: &PackContents, key: &SigningKey) -> Result<(), PackError> {
    use zip::write::SimpleFileOptions;
    let err = |e: &dyn std::fmt::Display| PackError::Build(e.to_string());
    let mut zip = zip::ZipWriter::new(out);
    let deflate = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(false);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
    let mut files = Vec::new();
    let mut add = |zip: &mut zip::ZipWriter<W>, path: &str, bytes: &[u8]| -> Result<(), PackError> {
        zip.start_file(path, deflate).map_err(|e| err(&e))?;
        zip.write_all(bytes).map_err(|e| err(&e))?;
        files.push(FileRef { path: path.to_owned(), sha256: hex::encode(Sha256::digest(bytes)), size: bytes.len() as u64 });
        Ok(())
    };
    let entries = serde_json::to_vec(&contents.entries).map_err(|e| err(&e))?;
    add(&mut zip, "journal/entries.json", &entries)?;
    add(&mut zip, "journal/checkpoint.json", &serde_json::to_vec_pretty(&contents.checkpoint).map_err(|e| err(&e))?)?;
    add(&mut zip, "records.json", &serde_json::to_vec(&contents.records).map_err(|e| err(&e))?)?;
    add(&mut zip, "journal/entry_records.json", &serde_json::to_vec(&contents.entry_records).map_err(|e| err(&e))?)?;
    add(&mut zip, "readiness.json", contents.readiness_json.as_bytes())?;
    add(&mut zip, "index.html", contents.index_html.as_bytes())?;
    let mut seen = BTreeSet::new();
    let mut buf = vec![0u8; 1 << 20];
    for (sha, path) in &contents.evidence {
        if !seen.insert(sha.clone()) {
            continue;
        }
        let name = format!("evidence/{sha}");
        zip.start_file(&name, stored).map_err(|e| err(&e))?;
        let mut f = std::fs::File::open(path).map_err(|e| PackError::Build(format!("evidence file {sha}: {e}")))?;
        let mut h = Sha256::new();
        let mut size = 0u64;
        loop {
            let n = f.read(&mut buf).map_err(|e| err(&e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            zip.write_all(&buf[..n]).map_err(|e| err(&e))?;
            size += n as u64;
        }
        let got = hex::encode(h.finalize());
        if got != *sha {
            return Err(PackError::Build(format!("evidence file {sha} on disk hashes to {got}: run `journal verify --deep`")));
        }
        files.push(FileRef { path: name, sha256: got, size });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        tenant: contents.tenant.clone(),
        tenant_name: contents.tenant_name.clone(),
        framework: contents.framework.clone(),
        created_at_micros: contents.created_at_micros,
        public_key: hex::encode(key.verifying_key().as_bytes()),
        checkpoint_seq: contents.checkpoint.seq,
        files,
    };
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| err(&e))?;
    let sig = key.sign(&manifest_digest(&manifest_bytes));
    zip.start_file("manifest.json", deflate).map_err(|e| err(&e))?;
    zip.write_all(&manifest_bytes).map_err(|e| err(&e))?;
    zip.start_file("manifest.sig", deflate).map_err(|e| err(&e))?;
    zip.write_all(hex::encode(sig.to_bytes()).as_bytes()).map_err(|e| err(&e))?;
    zip.finish().map_err(|e| err(&e))?;
    Ok(())
}

fn read_member<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str, limit: u64) -> Result<Vec<u8>, PackError> {
    let mut f = zip.by_name(name).map_err(|_| PackError::Tampered(format!("file {name} is missing")))?;
    let mut out = Vec::new();
    (&mut f).take(limit).read_to_end(&mut out).map_err(|e| PackError::NotAPack(format!("{name} cannot be read: {e}")))?;
    Ok(out)
}

/// Hash a member in a streaming fashion: (sha256 hex, size).
fn hash_member<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, index: usize, buf: &mut [u8]) -> Result<(String, u64), PackError> {
    let mut f = zip.by_index(index).map_err(|e| PackError::NotAPack(format!("member {index} cannot be read: {e}")))?;
    let name = f.name().to_owned();
    let mut h = Sha256::new();
    let mut size = 0u64;
    loop {
        let n = f.read(buf).map_err(|e| PackError::Tampered(format!("file {name} cannot be read (changed or truncated): {e}")))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(h.finalize()), size))
}

const JSON_LIMIT: u64 = 1 << 30;

/// Verify a pack. `trusted`: the installation key the auditor holds; without it the pack's own key is
/// used and reported, so the auditor can compare it with the one the organisation published.
pub fn verify<R: Read + Seek>(reader: R, trusted: Option<&VerifyingKey>) -> Result<PackSummary, PackError> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| PackError::NotAPack(format!("not a readable zip file ({e})")))?;
    let manifest_bytes =
        read_member(&mut zip, "manifest.json", 64 << 20).map_err(|_| PackError::NotAPack("it has no manifest.json".into()))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| PackError::NotAPack(format!("manifest.json is not a Crosswalk pack manifest ({e})")))?;
    if manifest.format != FORMAT {
        return Err(PackError::NotAPack(format!("format '{}' is not {FORMAT}", manifest.format)));
    }
    // 1. Who signed it.
    let key =
        decode_public_key_hex(&manifest.public_key).map_err(|_| PackError::Tampered("manifest.json names an invalid public key".into()))?;
    if let Some(t) = trusted
        && t != &key
    {
        return Err(PackError::Tampered(format!(
            "the pack is signed by key {}, not the trusted key {}",
            manifest.public_key,
            hex::encode(t.as_bytes())
        )));
    }
    let sig_hex = read_member(&mut zip, "manifest.sig", 1024)?;
    let mut sig = [0u8; 64];
    hex::decode_to_slice(String::from_utf8_lossy(&sig_hex).trim(), &mut sig)
        .map_err(|_| PackError::Tampered("manifest.sig is not a signature".into()))?;
    key.verify(&manifest_digest(&manifest_bytes), &Signature::from_bytes(&sig))
        .map_err(|_| PackError::Tampered("manifest.json was changed (its signature does not match)".into()))?;
    // 2. Every file, and nothing else.
    let listed: BTreeMap<&str, &FileRef> = manifest.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut present = BTreeSet::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    for i in 0..zip.len() {
        let name = zip.by_index_raw(i).map_err(|e| PackError::NotAPack(format!("member {i}: {e}")))?.name().to_owned();
        if name == "manifest.json" || name == "manifest.sig" {
            continue;
        }
        let Some(expected) = listed.get(name.as_str()) else {
            return Err(PackError::Tampered(format!("file {name} was added: the manifest does not list it")));
        };
        let (sha, size) = hash_member(&mut zip, i, &mut buf)?;
        if sha != expected.sha256 || size != expected.size {
            return Err(PackError::Tampered(format!("file {name} was changed (SHA-256 {sha}, the manifest says {})", expected.sha256)));
        }
        bytes += size;
        present.insert(name);
    }
    if let Some(missing) = manifest.files.iter().find(|f| !present.contains(&f.path)) {
        return Err(PackError::Tampered(format!("file {} is missing", missing.path)));
    }
    // 3. The chain and its checkpoint.
    let entries: Vec<Entry> = serde_json::from_slice(&read_member(&mut zip, "journal/entries.json", JSON_LIMIT)?)
        .map_err(|e| PackError::Tampered(format!("journal/entries.json is not a list of entries: {e}")))?;
    let cp: Checkpoint = serde_json::from_slice(&read_member(&mut zip, "journal/checkpoint.json", 1 << 20)?)
        .map_err(|e| PackError::Tampered(format!("journal/checkpoint.json is not a checkpoint: {e}")))?;
    if cp.tenant != manifest.tenant || cp.seq != manifest.checkpoint_seq {
        return Err(PackError::Tampered("journal/checkpoint.json is not the checkpoint the manifest names".into()));
    }
    let mut head = [0u8; 32];
    hex::decode_to_slice(&cp.head_hash, &mut head).map_err(|_| PackError::Tampered("the checkpoint's head hash is not hex".into()))?;
    verify_chain(&manifest.tenant, &entries, Some((cp.seq, head)), None).map_err(|e| PackError::Tampered(e.to_string()))?;
    cp.verify(Some(&key), |seq| usize::try_from(seq - 1).ok().and_then(|i| entries.get(i)).map(|e| e.hash))
        .map_err(|e| PackError::Tampered(e.to_string()))?;
    let state_root = cp.state_root_hash().ok_or_else(|| PackError::Tampered("the checkpoint signs no state root".into()))?;
    // 4. The record lists of the shown entries against their (chained, signed) records roots.
    let entry_records: BTreeMap<i64, Vec<RecordRef>> =
        serde_json::from_slice(&read_member(&mut zip, "journal/entry_records.json", JSON_LIMIT)?)
            .map_err(|e| PackError::Tampered(format!("journal/entry_records.json is not a map of record lists: {e}")))?;
    let by_seq: BTreeMap<i64, &Entry> = entries.iter().map(|e| (e.seq, e)).collect();
    for (seq, refs) in &entry_records {
        let Some(e) = by_seq.get(seq) else {
            return Err(PackError::Tampered(format!("journal/entry_records.json names entry {seq}, which is not in the pack")));
        };
        let count = refs.len() as i64;
        let (_, root) = records_root(refs.clone());
        if root != e.records_root || count != e.record_count {
            return Err(PackError::Tampered(format!("the record hashes listed for entry {seq} are not the ones the entry committed to")));
        }
    }
    // 5. Each record: its hash from its values, written by its entry, and its place in the signed state.
    let records: Vec<PackRecord> = serde_json::from_slice(&read_member(&mut zip, "records.json", JSON_LIMIT)?)
        .map_err(|e| PackError::Tampered(format!("records.json is not a list of records: {e}")))?;
    for r in &records {
        let mut cells: Vec<(&str, Cell)> = r.cells.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
        let hash = record_hash(&r.table, &r.id, &mut cells);
        if hex::encode(hash) != r.hash {
            return Err(PackError::Tampered(format!("record {} {}: its values do not hash to the recorded hash", r.table, r.id)));
        }
        let proof: Option<Vec<Hash>> = r
            .proof
            .iter()
            .map(|p| {
                let mut h = [0u8; 32];
                hex::decode_to_slice(p, &mut h).ok().map(|_| h)
            })
            .collect();
        let written = entry_records
            .get(&r.entry_seq)
            .is_some_and(|refs| refs.iter().any(|x| x.entity == r.table && x.id == r.id && x.hash == Some(hash)));
        if !written {
            return Err(PackError::Tampered(format!("record {} {}: entry {} did not write this state of it", r.table, r.id, r.entry_seq)));
        }
        let leaf = state_leaf(&r.table, &r.id, &hash);
        if !proof.is_some_and(|p| merkle::verify_inclusion(&leaf, r.leaf_index, r.leaf_count, &p, &state_root)) {
            return Err(PackError::Tampered(format!(
                "record {} {}: not the latest state signed by the checkpoint at entry {}",
                r.table, r.id, cp.seq
            )));
        }
        if !entries.iter().any(|e| e.seq == r.entry_seq && !e.payload.is_empty() && e.withheld_payload_hash.is_none()) {
            return Err(PackError::Tampered(format!("record {} {}: the entry {} that wrote it is not shown", r.table, r.id, r.entry_seq)));
        }
    }
    // 6. Evidence files are named by their content.
    let mut evidence = 0u64;
    for f in &manifest.files {
        if let Some(sha) = f.path.strip_prefix("evidence/") {
            if sha != f.sha256 {
                return Err(PackError::Tampered(format!("file {}: its content hashes to {}", f.path, f.sha256)));
            }
            evidence += 1;
        }
    }
    Ok(PackSummary {
        trusted: trusted.is_some(),
        tenant: manifest.tenant,
        tenant_name: manifest.tenant_name,
        framework: manifest.framework,
        public_key: manifest.public_key,
        entries: entries.len() as u64,
        checkpoint_seq: cp.seq,
        records: records.len() as u64,
        evidence_files: evidence,
        bytes,
    })
}

/// Canonical JSON of any serialisable value (for `readiness.json`).
pub fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).map(|v| canonical_json(&v)).unwrap_or_default()
}
