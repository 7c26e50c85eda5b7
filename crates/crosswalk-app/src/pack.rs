//! Building an auditor pack (`crosswalk pack`, the framework page's "Download auditor pack",
//! `POST /api/v1/frameworks/{slug}/pack`). The format and its offline verification live in
//! [`crosswalk_journal::pack`]; this module gathers what goes in, consistently:
//!
//! - one read snapshot gives the journal, the record hashes and the rows; the chain is verified there
//!   (hashes, links, MACs, every entry's record hashes against its root) and the rows compared with
//!   their journaled state before anything is signed, so a pack never signs tampered data; then a
//!   checkpoint is signed at the snapshot's head (writers are not held up: a checkpoint at an earlier
//!   entry stays valid however far the chain has moved on);
//! - the records are the organisation's compliance work behind readiness: controls, their requirement
//!   links, evidence, its control links and attestations, each with its values, its hash, the entry
//!   that last wrote it (payload shown) and its audit path in the signed state root; every other entry
//!   is in the pack with its payload withheld;
//! - the zip is written after the transaction from content-addressed (immutable) evidence files; files
//!   in a bucket are first downloaded, streamed, into a private temp directory removed afterwards.
use std::collections::{BTreeMap, BTreeSet};

use crosswalk_domain::Permission;
use crosswalk_journal::pack::{PackContents, PackRecord};
use crosswalk_journal::records::state_leaf;
use crosswalk_journal::{Cell, Entry, Hash, State, merkle, state_root};
use crosswalk_store::journal as store;

use crate::{Actor, App, AppError, AppResult};

/// The tables whose rows a pack carries.
const PACK_TABLES: [&str; 5] = ["controls", "control_requirements", "evidence", "evidence_controls", "attestations"];

/// What was written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PackBuilt {
    pub bytes: u64,
    pub entries: u64,
    pub records: u64,
    pub evidence_files: u64,
    pub checkpoint_seq: i64,
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl App {
    /// Write an auditor pack for `framework` of the actor's organisation to `out` (a new, empty file).
    pub async fn build_pack(&self, actor: &Actor, framework: &str, out: std::fs::File) -> AppResult<PackBuilt> {
        actor.require(Permission::ReadJournal, "building an auditor pack")?;
        let report = self.readiness_report(actor, framework).await?;
        let chain = actor.tenant.0;
        let _slot = self.heavy_slot(chain, "an auditor pack")?;
        let snap = self.store().begin_read().await?;
        let mut entries = store::load_all(&snap, chain).await?;
        let Some(last) = entries.last().cloned() else {
            return Err(AppError::NotFound("journal entries to put in a pack".into()));
        };
        let head = store::head(&snap, chain).await?;
        let refs = store::records(&snap, chain).await?;
        let checkpoints = store::checkpoints(&snap, chain).await?;
        let mut rows = Vec::new();
        for table in PACK_TABLES {
            let spec = crosswalk_store::records::table(table).ok_or_else(|| AppError::Internal(format!("{table} is not journaled")))?;
            for (key, hash, cells) in spec.rows(&snap, chain).await? {
                rows.push((table, key, hash, cells));
            }
        }
        drop(snap);
        let existing = checkpoints.last().filter(|cp| cp.seq == last.seq && !cp.state_root.is_empty()).cloned();
        // Verify before signing anything: a pack must never put the installation's signature on
        // entries or record hashes written without the key.
        let adopted = crate::backup::AdoptedKeys::load(self.config().checkpoint_dir.as_deref())?;
        let mac_from = adopted.mac_from(chain);
        let trusted = adopted.trusted_for(chain, self.verifying_key())?;
        // A pack signs: the chain must also hold against the checkpoint kept outside the database.
        let kept = self.read_kept(chain);
        let (mac, chain_s) = (self.mac_key().clone(), chain.to_string());
        let (entries_back, refs_back, checked) = tokio::task::spawn_blocking(move || {
            let r = crate::journal::verify_loaded(&chain_s, &entries, head, &checkpoints, &trusted, Some(&mac), mac_from)
                .and_then(|_| crate::journal::verify_kept(&entries, kept, &trusted, mac_from))
                .and_then(|_| crate::journal::verify_records(&entries, &refs, &checkpoints));
            (entries, refs, r.map(|_| ()))
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        checked.map_err(|(_, problem)| AppError::Conflict(format!("the journal does not verify, so no pack is signed: {problem}")))?;
        entries = entries_back;
        let refs = refs_back;
        let checkpoint = match existing {
            Some(cp) => cp,
            None => {
                let tx = self.begin().await?;
                match self.sign_checkpoint(&tx, chain, &last).await {
                    Ok(cp) => {
                        tx.commit().await?;
                        cp
                    }
                    // A concurrent pack or "verify now" signed this very entry first: use theirs.
                    Err(AppError::Conflict(_)) => {
                        drop(tx);
                        store::checkpoints(self.db(), chain)
                            .await?
                            .into_iter()
                            .find(|cp| cp.seq == last.seq && !cp.state_root.is_empty())
                            .ok_or_else(|| AppError::Conflict("a concurrent checkpoint could not be read; try again".into()))?
                    }
                    Err(e) => return Err(e),
                }
            }
        };

        // The signed state and, per record, the entry that last wrote it.
        let mut state = State::new();
        let mut written_by: BTreeMap<(String, String), i64> = BTreeMap::new();
        let mut refs_of: BTreeMap<i64, Vec<crosswalk_journal::RecordRef>> = BTreeMap::new();
        for (seq, r) in &refs {
            crosswalk_journal::records::apply(&mut state, std::slice::from_ref(r));
            written_by.insert((r.entity.clone(), r.id.clone()), *seq);
            refs_of.entry(*seq).or_default().push(r.clone());
        }
        if checkpoint.state_root_hash() != Some(state_root(&state)) {
            return Err(AppError::Conflict(
                "the journal's record hashes do not match its checkpoint; run `crosswalk journal verify`".into(),
            ));
        }
        let leaves: Vec<Hash> = state.iter().map(|((e, i), h)| state_leaf(e, i, h)).collect();
        let index: BTreeMap<&(String, String), usize> = state.keys().enumerate().map(|(i, k)| (k, i)).collect();
        let tree = merkle::Tree::new(leaves);
        let mut records = Vec::with_capacity(rows.len());
        let mut shown = BTreeSet::new();
        let mut evidence = Vec::new();
        let mut staged = StagedEvidence::default();
        for (table, key, hash, cells) in rows {
            let k = (table.to_owned(), key.clone());
            let (Some(journaled), Some(&i), Some(&seq)) = (state.get(&k), index.get(&k), written_by.get(&k)) else {
                return Err(AppError::Conflict(format!("{table} {key} is not in the journal; run `crosswalk journal verify --deep`")));
            };
            if *journaled != hash {
                return Err(AppError::Conflict(format!(
                    "{table} {key} differs from its journaled state; run `crosswalk journal verify --deep`"
                )));
            }
            if table == "evidence"
                && let Some((_, Cell::Text(sha))) = cells.iter().find(|(c, _)| *c == "sha256")
            {
                evidence.push((sha.clone(), staged.path(self.blobs(), sha).await?));
            }
            shown.insert(seq);
            records.push(PackRecord {
                table: table.to_owned(),
                id: key,
                cells: cells.into_iter().map(|(c, v)| (c.to_owned(), v)).collect(),
                hash: hex::encode(hash),
                entry_seq: seq,
                leaf_index: i,
                leaf_count: tree.size(),
                proof: tree.proof(i).iter().map(hex::encode).collect(),
            });
        }
        for e in &mut entries {
            *e = if shown.contains(&e.seq) { Entry { mac: None, ..e.clone() } } else { e.withholding_payload() };
        }
        // The full record list of each shown entry, so its records root is checked offline too.
        let entry_records: BTreeMap<i64, Vec<crosswalk_journal::RecordRef>> =
            shown.iter().map(|seq| (*seq, refs_of.remove(seq).unwrap_or_default())).collect();
        let index_html = index_html(actor, &report, &records, &evidence, &checkpoint, &hex::encode(self.verifying_key().as_bytes()));
        let contents = PackContents {
            tenant: chain.to_string(),
            tenant_name: actor.tenant_name().to_owned(),
            framework: report.framework.clone(),
            created_at_micros: self.now().timestamp_micros(),
            entries,
            checkpoint,
            records,
            entry_records,
            readiness_json: crosswalk_journal::pack::json(&*report),
            index_html,
            evidence,
        };
        let key = self.signing_key().clone();
        tokio::task::spawn_blocking(move || {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
            crosswalk_journal::pack::write(&mut w, &contents, &key).map_err(|e| AppError::Internal(e.to_string()))?;
            use std::io::Write as _;
            w.flush().map_err(|e| AppError::Internal(e.to_string()))?;
            let bytes = w.get_ref().metadata().map(|m| m.len()).unwrap_or(0);
            Ok(PackBuilt {
                bytes,
                entries: contents.entries.len() as u64,
                records: contents.records.len() as u64,
                evidence_files: contents.evidence.iter().map(|(s, _)| s).collect::<BTreeSet<_>>().len() as u64,
                checkpoint_seq: contents.checkpoint.seq,
            })
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    }
}

/// A page a person can read offline: no scripts, no network, no styles from elsewhere.
fn index_html(
    actor: &Actor,
    report: &crate::readiness::ReadinessReport,
    records: &[PackRecord],
    evidence: &[(String, std::path::PathBuf)],
    cp: &crosswalk_journal::Checkpoint,
    public_key: &str,
) -> String {
    let mut h = String::new();
    h.push_str("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Auditor pack</title></head><body>");
    h.push_str(&format!(
        "<h1>Auditor pack: {} — {}</h1><p>Signed checkpoint at journal entry {} (head {}, state root {}), public key <code>{}</code>. \
         Check this pack offline with <code>crosswalk verify FILE.zip --public-key KEY.pem</code>.</p>",
        esc(actor.tenant_name()),
        esc(&report.framework),
        cp.seq,
        esc(&cp.head_hash),
        esc(&cp.state_root),
        esc(public_key)
    ));
    let s = &report.summary;
    h.push_str(&format!(
        "<p>Proven {}, attested {}, derived {}, partial {}, gap {}, not applicable {}, unknown {} (parts shown apart, never one score).</p>",
        s.proven, s.attested, s.derived, s.partial, s.gap, s.not_applicable, s.unknown
    ));
    h.push_str("<h2>Requirements</h2><table><thead><tr><th>Ref</th><th>Title</th><th>State</th><th>Why</th><th>Derivation</th></tr></thead><tbody>");
    for r in &report.requirements {
        let path: Vec<String> = r
            .path
            .iter()
            .map(|p| format!("{} {} —{}→ {} {}", esc(&p.from_framework), esc(&p.from), esc(&p.relation), esc(&p.to_framework), esc(&p.to)))
            .collect();
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.reference),
            esc(&r.title),
            esc(&format!("{:?}", r.state).to_lowercase()),
            esc(&r.reason),
            path.join("<br>")
        ));
    }
    h.push_str("</tbody></table><h2>Records</h2><p>Each record's values hash to the recorded hash, which the signed state root contains (see records.json).</p><ul>");
    for r in records {
        let name = r.cells.iter().find(|(c, _)| c == "name").map(|(_, v)| match v {
            Cell::Text(t) => t.clone(),
            _ => String::new(),
        });
        h.push_str(&format!(
            "<li>{} <code>{}</code>{} — journal entry {}</li>",
            esc(&r.table),
            esc(&r.id),
            name.map(|n| format!(" “{}”", esc(&n))).unwrap_or_default(),
            r.entry_seq
        ));
    }
    h.push_str("</ul><h2>Evidence files</h2><ul>");
    for sha in evidence.iter().map(|(s, _)| s).collect::<BTreeSet<_>>() {
        h.push_str(&format!("<li><a href=\"evidence/{0}\">evidence/{0}</a></li>", esc(sha)));
    }
    h.push_str("</ul></body></html>\n");
    h
}

/// Where the pack writer (which reads files from disk) finds each evidence file: in place for a
/// file store; for a bucket, downloaded into a private temp directory that goes when this is dropped.
#[derive(Default)]
struct StagedEvidence {
    dir: Option<std::path::PathBuf>,
}

impl StagedEvidence {
    async fn path(&mut self, blobs: &crosswalk_store::blob_store::BlobStore, sha: &str) -> AppResult<std::path::PathBuf> {
        use crosswalk_store::blob_store::{BlobError, BlobStore};
        if let BlobStore::File(files) = blobs {
            return Ok(files.path(sha));
        }
        let internal = |e: std::io::Error| AppError::Internal(format!("cannot stage evidence for the pack: {e}"));
        let dir = match &self.dir {
            Some(dir) => dir.clone(),
            None => {
                let dir = std::env::temp_dir().join(format!("crosswalk-pack-{}", uuid::Uuid::now_v7().simple()));
                // Evidence of an organisation: owner-only, like the blob store.
                crosswalk_store::create_private_dir(&dir).map_err(internal)?;
                self.dir = Some(dir.clone());
                dir
            }
        };
        let path = dir.join(sha);
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(path);
        }
        let mut reader = blobs.open(sha).await.map_err(|e| match e {
            BlobError::NotFound { .. } => {
                AppError::Conflict(format!("{e}; no pack was written (`journal verify --deep` names its evidence)"))
            }
            other => crate::evidence::blob_error(other),
        })?;
        let mut file = tokio::fs::File::create(&path).await.map_err(internal)?;
        tokio::io::copy(&mut reader, &mut file).await.map_err(internal)?;
        tokio::io::AsyncWriteExt::flush(&mut file).await.map_err(internal)?;
        Ok(path)
    }
}

impl Drop for StagedEvidence {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
