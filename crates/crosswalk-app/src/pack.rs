//! Building an auditor pack (`crosswalk pack`, the framework page's "Download auditor pack",
//! `POST /api/v1/frameworks/{slug}/pack`). The format and its offline verification live in
//! [`crosswalk_journal::pack`]; this module gathers what goes in, consistently:
//!
//! - one write transaction holds the chain's head while the journal, the record hashes and the rows are
//!   read and a checkpoint is signed at the head (so every record in the pack is the state that
//!   checkpoint signs; on PostgreSQL only this organisation's writers wait, on SQLite the one writer);
//! - the records are the organisation's compliance work behind readiness: controls, their requirement
//!   links, evidence, its control links and attestations, each with its values, its hash, the entry
//!   that last wrote it (payload shown) and its audit path in the signed state root; every other entry
//!   is in the pack with its payload withheld;
//! - the zip is written after the transaction from content-addressed (immutable) evidence files.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crosswalk_domain::Permission;
use crosswalk_journal::pack::{PackContents, PackRecord};
use crosswalk_journal::records::state_leaf;
use crosswalk_journal::{Cell, Entry, Hash, State, merkle, state_root};
use crosswalk_store::journal as store;

use crate::controls::blob_path;
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
    /// Write an auditor pack for `framework` of the actor's organisation to `out`.
    pub async fn build_pack(&self, actor: &Actor, framework: &str, out: &Path) -> AppResult<PackBuilt> {
        actor.require(Permission::ReadJournal, "building an auditor pack")?;
        let report = self.readiness_report(actor, framework).await?;
        let chain = actor.tenant.0;
        let tx = self.begin().await?;
        let mut entries = store::load_all(&tx, chain).await?;
        let Some(last) = entries.last().cloned() else {
            return Err(AppError::NotFound("journal entries to put in a pack".into()));
        };
        let refs = store::records(&tx, chain).await?;
        let mut rows = Vec::new();
        for table in PACK_TABLES {
            let spec = crosswalk_store::records::table(table).ok_or_else(|| AppError::Internal(format!("{table} is not journaled")))?;
            for (key, hash, cells) in spec.rows(&tx, chain).await? {
                rows.push((table, key, hash, cells));
            }
        }
        let checkpoints = store::checkpoints(&tx, chain).await?;
        let checkpoint = match checkpoints.last() {
            Some(cp) if cp.seq == last.seq && !cp.state_root.is_empty() => cp.clone(),
            _ => self.sign_checkpoint(&tx, chain, &last).await?,
        };
        tx.commit().await?;

        // The signed state and, per record, the entry that last wrote it.
        let mut state = State::new();
        let mut written_by: BTreeMap<(String, String), i64> = BTreeMap::new();
        for (seq, r) in &refs {
            crosswalk_journal::records::apply(&mut state, std::slice::from_ref(r));
            written_by.insert((r.entity.clone(), r.id.clone()), *seq);
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
                evidence.push((sha.clone(), blob_path(&self.config().blob_dir, sha)));
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
        let index_html = index_html(actor, &report, &records, &evidence, &checkpoint, &hex::encode(self.verifying_key().as_bytes()));
        let contents = PackContents {
            tenant: chain.to_string(),
            tenant_name: actor.tenant_name().to_owned(),
            framework: report.framework.clone(),
            created_at_micros: self.now().timestamp_micros(),
            entries,
            checkpoint,
            records,
            readiness_json: crosswalk_journal::pack::json(&*report),
            index_html,
            evidence,
        };
        let key = self.signing_key().clone();
        let out = out.to_owned();
        tokio::task::spawn_blocking(move || {
            let file = std::fs::File::create(&out).map_err(|e| AppError::Internal(format!("cannot write {}: {e}", out.display())))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            crosswalk_journal::pack::write(&mut w, &contents, &key).map_err(|e| AppError::Internal(e.to_string()))?;
            use std::io::Write as _;
            w.flush().map_err(|e| AppError::Internal(e.to_string()))?;
            let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
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
