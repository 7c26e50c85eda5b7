//! Verifying a tenant's chain: recompute every hash, check every link, the sequence and (with the key)
//! every entry's MAC.
//!
//! Two entry encodings exist. v1 (the first releases) hashes every column in one go and has no MAC
//! or record hashes; v2 hashes `prev ‖ header ‖ H(payload)`, commits to the entry's record refs and
//! carries a MAC. A chain may start with v1 entries, but once a v2 entry appears every later entry is
//! v2: a v1 entry after it is a forgery that tries to dodge the MAC.
//!
//! Hashes are independent given the stored `prev_hash` values, so they are recomputed in parallel on
//! all cores; only the cheap link check runs in order. That is how verification keeps up with
//! SHA-256's own speed.
use crate::canonical::{Hash, HeaderV2, ZERO_HASH, entry_hash, entry_hash_v2, payload_hash};
use crate::mac::MacKey;

/// One stored journal entry, as read back from the database or from a pack.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// Entry encoding: 1 or 2.
    #[serde(default = "v1")]
    pub version: i16,
    pub tenant: String,
    pub seq: i64,
    #[serde(with = "crate::hexser::hash")]
    pub prev_hash: Hash,
    pub at_micros: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// Canonical JSON, exactly as hashed; empty when withheld (then `withheld_payload_hash` is set).
    pub payload: String,
    /// In an auditor pack, the hash of a payload that is not shown (v2 only).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::hexser::opt_hash")]
    pub withheld_payload_hash: Option<Hash>,
    /// Merkle root over the entry's record refs (zeros for v1).
    #[serde(default, with = "crate::hexser::hash")]
    pub records_root: Hash,
    #[serde(default)]
    pub record_count: i64,
    #[serde(with = "crate::hexser::hash")]
    pub hash: Hash,
    /// HMAC of `hash` under the instance's MAC key (v2). Never included in packs' trust: a pack
    /// relies on the signed checkpoint instead.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::hexser::opt_hash")]
    pub mac: Option<Hash>,
}

fn v1() -> i16 {
    1
}

/// The columns of an entry about to be appended; `seal` links and hashes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub at_micros: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// Canonical JSON (see [`crate::canonical_json`]).
    pub payload: String,
    /// Merkle root over the record refs this entry covers ([`crate::records_root`]).
    pub records_root: Hash,
    pub record_count: i64,
}

impl NewEntry {
    /// The v2 entry that follows `head` (seq, hash) of `tenant`'s chain (`(0, ZERO_HASH)` for the
    /// first), hashed and MACed.
    pub fn seal(self, tenant: &str, head: (i64, Hash), key: &MacKey) -> Entry {
        let mut e = Entry {
            version: 2,
            tenant: tenant.to_owned(),
            seq: head.0 + 1,
            prev_hash: head.1,
            at_micros: self.at_micros,
            actor: self.actor,
            action: self.action,
            entity: self.entity,
            entity_id: self.entity_id,
            payload: self.payload,
            withheld_payload_hash: None,
            records_root: self.records_root,
            record_count: self.record_count,
            hash: ZERO_HASH,
            mac: None,
        };
        e.hash = e.recompute_hash();
        e.mac = Some(key.mac(&e.hash));
        e
    }
}

impl Entry {
    /// The hash of the payload (or the withheld payload's stated hash).
    pub fn payload_hash(&self) -> Hash {
        self.withheld_payload_hash.unwrap_or_else(|| payload_hash(&self.payload))
    }

    /// The hash this entry's columns produce now.
    pub fn recompute_hash(&self) -> Hash {
        if self.version >= 2 {
            let header = HeaderV2 {
                tenant: &self.tenant,
                seq: self.seq,
                at_micros: self.at_micros,
                actor: &self.actor,
                action: &self.action,
                entity: &self.entity,
                entity_id: &self.entity_id,
                records_root: &self.records_root,
                record_count: self.record_count,
            };
            return entry_hash_v2(&self.prev_hash, &header, &self.payload_hash());
        }
        entry_hash(
            &self.tenant,
            self.seq,
            &self.prev_hash,
            self.at_micros,
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_id,
            &self.payload,
        )
    }

    /// A copy for a pack with the payload withheld: its hash still proves the chain.
    pub fn withholding_payload(&self) -> Entry {
        let mut e = self.clone();
        if e.version >= 2 {
            e.withheld_payload_hash = Some(self.payload_hash());
            e.payload = String::new();
        }
        e.mac = None;
        e
    }

    /// Bytes covered by the hash, for throughput figures.
    pub fn encoded_len(&self) -> usize {
        8 + 32
            + 8
            + 8 * 6
            + self.tenant.len()
            + self.actor.len()
            + self.action.len()
            + self.entity.len()
            + self.entity_id.len()
            + self.payload.len()
    }
}

/// What is wrong with an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// The entry belongs to another tenant's chain.
    WrongTenant { found: String },
    /// A sequence number is missing or repeated (an entry was deleted, inserted or reordered).
    SequenceGap { expected: i64 },
    /// The stored hash is not the hash of the stored columns (a column was changed).
    HashMismatch { stored: Hash, computed: Hash },
    /// `prev_hash` is not the previous entry's hash (an entry before it was replaced or removed).
    BrokenLink { expected: Hash, found: Hash },
    /// The chain ends before the recorded head (newest entries were removed).
    Truncated { head_seq: i64 },
    /// The chain's last hash differs from the recorded head.
    HeadMismatch { head_hash: Hash },
    /// A v2 entry without a MAC, or whose MAC the instance key does not produce: appended by someone
    /// without the key.
    BadMac,
    /// A v1 entry after a v2 entry (or an unknown version): written to dodge the MAC.
    VersionDowngrade { version: i16 },
}

/// The first bad entry of a chain: its position and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("journal entry {seq}: {}", describe(.problem))]
pub struct ChainError {
    /// Sequence number of the first bad entry (for truncation: the first missing one).
    pub seq: i64,
    pub problem: ChainProblem,
}

fn describe(p: &ChainProblem) -> String {
    match p {
        ChainProblem::WrongTenant { found } => format!("belongs to tenant {found}, not this chain"),
        ChainProblem::SequenceGap { expected } => {
            format!("sequence number out of order (expected {expected}): an entry was deleted, inserted or moved")
        }
        ChainProblem::HashMismatch { stored, computed } => format!(
            "stored hash {} does not match its contents (computed {}): the entry was altered",
            hex::encode(stored),
            hex::encode(computed)
        ),
        ChainProblem::BrokenLink { expected, found } => {
            format!("prev_hash {} does not match the previous entry's hash {}", hex::encode(found), hex::encode(expected))
        }
        ChainProblem::Truncated { head_seq } => {
            format!("missing: the recorded head is at {head_seq}, so newer entries were removed")
        }
        ChainProblem::HeadMismatch { head_hash } => {
            format!("its hash differs from the recorded head {}: the newest entry was replaced", hex::encode(head_hash))
        }
        ChainProblem::BadMac => {
            "its MAC is missing or was not made with this installation's key: the entry was written by someone without the key".into()
        }
        ChainProblem::VersionDowngrade { version } => {
            format!("entry encoding v{version} after a v2 entry: the entry was written to dodge the MAC")
        }
    }
}

/// A verified chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    pub entries: u64,
    pub bytes: u64,
    pub head_seq: i64,
    pub head_hash: Hash,
}

/// Verify `entries` (ordered by seq, starting at 1) of `tenant` against the recorded head, if any,
/// and, given the MAC key, every v2 entry's MAC. Returns the first problem by sequence number.
pub fn verify_chain(tenant: &str, entries: &[Entry], head: Option<(i64, Hash)>, key: Option<&MacKey>) -> Result<ChainSummary, ChainError> {
    verify_chain_from(tenant, entries, head, key, 1)
}

/// [`verify_chain`], checking MACs only from entry `mac_from_seq` on. Entries before it were sealed
/// under another installation's key (a restore without that key, see the app's backup module); they
/// stay covered by the hash chain up to a checkpoint that key signed, which the caller checks.
pub fn verify_chain_from(
    tenant: &str,
    entries: &[Entry],
    head: Option<(i64, Hash)>,
    key: Option<&MacKey>,
    mac_from_seq: i64,
) -> Result<ChainSummary, ChainError> {
    let first_bad_hash = first_hash_mismatch(entries);
    let mut prev = ZERO_HASH;
    let mut bytes = 0u64;
    let mut seen_v2 = false;
    for (i, e) in entries.iter().enumerate() {
        match e.version {
            2 => seen_v2 = true,
            1 if !seen_v2 => {}
            v => return Err(ChainError { seq: e.seq, problem: ChainProblem::VersionDowngrade { version: v } }),
        }
        let expected_seq = i as i64 + 1;
        if e.tenant != tenant {
            return Err(ChainError { seq: e.seq, problem: ChainProblem::WrongTenant { found: e.tenant.clone() } });
        }
        if e.seq != expected_seq {
            return Err(ChainError { seq: e.seq, problem: ChainProblem::SequenceGap { expected: expected_seq } });
        }
        if first_bad_hash == Some(i) {
            return Err(ChainError { seq: e.seq, problem: ChainProblem::HashMismatch { stored: e.hash, computed: e.recompute_hash() } });
        }
        if e.prev_hash != prev {
            return Err(ChainError { seq: e.seq, problem: ChainProblem::BrokenLink { expected: prev, found: e.prev_hash } });
        }
        if let Some(k) = key
            && e.version >= 2
            && e.seq >= mac_from_seq
            && !e.mac.is_some_and(|m| k.verify(&e.hash, &m))
        {
            return Err(ChainError { seq: e.seq, problem: ChainProblem::BadMac });
        }
        prev = e.hash;
        bytes += e.encoded_len() as u64;
    }
    let last_seq = entries.len() as i64;
    if let Some((head_seq, head_hash)) = head {
        if head_seq > last_seq {
            return Err(ChainError { seq: last_seq + 1, problem: ChainProblem::Truncated { head_seq } });
        }
        if head_seq < last_seq {
            // Entries beyond the head were appended without moving the head: forged.
            return Err(ChainError { seq: head_seq + 1, problem: ChainProblem::SequenceGap { expected: head_seq + 1 } });
        }
        if last_seq > 0 && head_hash != prev {
            return Err(ChainError { seq: last_seq, problem: ChainProblem::HeadMismatch { head_hash } });
        }
    }
    Ok(ChainSummary { entries: entries.len() as u64, bytes, head_seq: last_seq, head_hash: prev })
}

/// Index of the first entry whose stored hash differs from its recomputed hash, hashing in parallel.
fn first_hash_mismatch(entries: &[Entry]) -> Option<usize> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Below this size thread start-up costs more than it saves.
    if threads == 1 || entries.len() < 4096 {
        return entries.iter().position(|e| e.recompute_hash() != e.hash);
    }
    let chunk = entries.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = entries
            .chunks(chunk)
            .enumerate()
            .map(|(k, part)| s.spawn(move || part.iter().position(|e| e.recompute_hash() != e.hash).map(|p| k * chunk + p)))
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok().flatten()).min()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn chain(tenant: &str, n: usize) -> Vec<Entry> {
        let mut prev = ZERO_HASH;
        (1..=n as i64)
            .map(|seq| {
                let mut e = Entry {
                    version: 1,
                    withheld_payload_hash: None,
                    records_root: ZERO_HASH,
                    record_count: 0,
                    mac: None,
                    tenant: tenant.into(),
                    seq,
                    prev_hash: prev,
                    at_micros: 1_700_000_000_000_000 + seq,
                    actor: "user:alice".into(),
                    action: "user.create".into(),
                    entity: "user".into(),
                    entity_id: format!("u{seq}"),
                    payload: format!("{{\"n\":{seq}}}"),
                    hash: ZERO_HASH,
                };
                e.hash = e.recompute_hash();
                prev = e.hash;
                e
            })
            .collect()
    }

    #[test]
    fn a_fresh_chain_verifies() {
        let c = chain("t", 10);
        let s = verify_chain("t", &c, Some((10, c[9].hash)), None).unwrap();
        assert_eq!(s.entries, 10);
        assert_eq!(s.head_hash, c[9].hash);
    }

    #[test]
    fn tampered_payload_is_pinpointed() {
        let mut c = chain("t", 10);
        c[4].payload = "{\"n\":99}".into();
        let err = verify_chain("t", &c, None, None).unwrap_err();
        assert_eq!(err.seq, 5);
        assert!(matches!(err.problem, ChainProblem::HashMismatch { .. }));
    }

    #[test]
    fn large_chain_uses_parallel_path_and_still_pinpoints() {
        let mut c = chain("t", 10_000);
        c[7_777].actor = "mallory".into();
        c[9_000].actor = "mallory".into();
        assert_eq!(verify_chain("t", &c, None, None).unwrap_err().seq, 7_778);
    }

    #[test]
    fn truncation_is_caught_by_head() {
        let c = chain("t", 5);
        let head = (5, c[4].hash);
        let err = verify_chain("t", &c[..4], Some(head), None).unwrap_err();
        assert_eq!(err.seq, 5);
        assert!(matches!(err.problem, ChainProblem::Truncated { .. }));
    }

    fn v2_chain(key: &MacKey, n: i64) -> Vec<Entry> {
        let mut head = (0, ZERO_HASH);
        (1..=n)
            .map(|i| {
                let e = NewEntry {
                    at_micros: i,
                    actor: "user:a".into(),
                    action: "control.create".into(),
                    entity: "control".into(),
                    entity_id: format!("c{i}"),
                    payload: "{}".into(),
                    records_root: [i as u8; 32],
                    record_count: 1,
                }
                .seal("t", head, key);
                head = (e.seq, e.hash);
                e
            })
            .collect()
    }

    #[test]
    fn an_entry_appended_without_the_key_is_caught_even_with_a_correct_chain() {
        let key = MacKey::derive(&crate::generate_signing_key());
        let mut c = v2_chain(&key, 4);
        assert!(verify_chain("t", &c, None, Some(&key)).is_ok());
        // The forger recomputes a perfect hash chain but has no key.
        let forger = MacKey::derive(&crate::generate_signing_key());
        let head = (c[3].seq, c[3].hash);
        let forged = NewEntry {
            at_micros: 9,
            actor: "user:a".into(),
            action: "soa.approve".into(),
            entity: "soa".into(),
            entity_id: "1".into(),
            payload: "{}".into(),
            records_root: ZERO_HASH,
            record_count: 0,
        }
        .seal("t", head, &forger);
        c.push(forged.clone());
        let err = verify_chain("t", &c, None, Some(&key)).unwrap_err();
        assert_eq!((err.seq, err.problem), (5, ChainProblem::BadMac));
        // Dropping the MAC or downgrading to v1 does not help.
        let mut no_mac = forged.clone();
        no_mac.mac = None;
        *c.last_mut().unwrap() = no_mac;
        assert_eq!(verify_chain("t", &c, None, Some(&key)).unwrap_err().problem, ChainProblem::BadMac);
        let mut v1 = forged;
        v1.version = 1;
        v1.hash = v1.recompute_hash();
        *c.last_mut().unwrap() = v1;
        assert!(matches!(verify_chain("t", &c, None, Some(&key)).unwrap_err().problem, ChainProblem::VersionDowngrade { version: 1 }));
    }

    #[test]
    fn a_withheld_payload_still_proves_the_chain_and_records_root_is_covered() {
        let key = MacKey::derive(&crate::generate_signing_key());
        let c = v2_chain(&key, 3);
        let shown: Vec<Entry> = c.iter().map(Entry::withholding_payload).collect();
        assert!(verify_chain("t", &shown, Some((3, c[2].hash)), None).is_ok());
        let mut changed = shown.clone();
        changed[1].records_root = [0xaa; 32];
        assert_eq!(verify_chain("t", &changed, None, None).unwrap_err().seq, 2);
    }

    #[test]
    fn error_message_names_the_entry() {
        let mut c = chain("t", 3);
        c[1].action = "x".into();
        let msg = verify_chain("t", &c, None, None).unwrap_err().to_string();
        assert!(msg.starts_with("journal entry 2:"), "{msg}");
    }
}
