//! Record hashes: how a stored row is encoded and hashed, so that a journal entry can commit to the
//! state of every row it created, changed or deleted, and a checkpoint to the latest state of all.
//!
//! **Record encoding v1** (documented in docs/JOURNAL.md). A row is a set of named cells. The hash is
//! `SHA-256("crosswalk-record-v1\0" ‖ len‖entity ‖ len‖id ‖ for each cell sorted by name:
//! len‖name ‖ type byte ‖ value)`, with every length a big-endian u64. Values are normalised so the
//! same record hashes the same on SQLite and PostgreSQL: timestamps as microseconds since the epoch,
//! dates as `YYYY-MM-DD`, booleans as one byte, UUIDs as their 16 bytes, JSON as canonical JSON (keys
//! sorted, no whitespace), floats as their IEEE-754 bits, NULL as its own type byte.
//!
//! A [`RecordRef`] names a row and its hash after a change (`None`: deleted). An entry's
//! `records_root` is the Merkle root over its refs' leaves in (entity, id) order; a checkpoint's
//! state root is the Merkle root over the latest hash of every live row.
use crate::canonical::Hash;
use crate::merkle;
use sha2::{Digest, Sha256};

/// Version of the record encoding; stored with every entry that carries record hashes.
pub const RECORD_ENCODING: u32 = 1;

const RECORD_TAG: &[u8] = b"crosswalk-record-v1\0";
const REF_TAG: &[u8] = b"crosswalk-record-ref-v1\0";
const STATE_TAG: &[u8] = b"crosswalk-state-leaf-v1\0";

/// One column value, normalised.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    /// Microseconds since the Unix epoch, UTC.
    Timestamp(i64),
    /// `YYYY-MM-DD`.
    Date(String),
    Uuid([u8; 16]),
    /// Canonical JSON text.
    Json(String),
}

fn put(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    buf.extend_from_slice(bytes);
}

impl Cell {
    fn encode(&self, buf: &mut Vec<u8>) {
        match self {
            Cell::Null => buf.push(0),
            Cell::Bool(b) => buf.extend_from_slice(&[1, u8::from(*b)]),
            Cell::Int(i) => {
                buf.push(2);
                buf.extend_from_slice(&i.to_be_bytes());
            }
            Cell::Float(f) => {
                buf.push(3);
                buf.extend_from_slice(&f.to_bits().to_be_bytes());
            }
            Cell::Text(s) => {
                buf.push(4);
                put(buf, s.as_bytes());
            }
            Cell::Bytes(b) => {
                buf.push(5);
                put(buf, b);
            }
            Cell::Timestamp(t) => {
                buf.push(6);
                buf.extend_from_slice(&t.to_be_bytes());
            }
            Cell::Date(d) => {
                buf.push(7);
                put(buf, d.as_bytes());
            }
            Cell::Uuid(u) => {
                buf.push(8);
                buf.extend_from_slice(u);
            }
            Cell::Json(j) => {
                buf.push(9);
                put(buf, j.as_bytes());
            }
        }
    }
}

/// The hash of one row: `entity` is the table, `id` its key as text, `cells` its columns (any order).
pub fn record_hash(entity: &str, id: &str, cells: &mut [(&str, Cell)]) -> Hash {
    cells.sort_by(|a, b| a.0.cmp(b.0));
    let mut buf = Vec::with_capacity(256);
    buf.extend_from_slice(RECORD_TAG);
    put(&mut buf, entity.as_bytes());
    put(&mut buf, id.as_bytes());
    for (name, cell) in cells.iter() {
        put(&mut buf, name.as_bytes());
        cell.encode(&mut buf);
    }
    Sha256::digest(&buf).into()
}

/// A row named by table and key, with its hash after a change; `None` when the change deleted it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct RecordRef {
    pub entity: String,
    pub id: String,
    #[serde(with = "crate::hexser::opt_hash")]
    pub hash: Option<Hash>,
}

impl RecordRef {
    /// The Merkle leaf of this ref inside an entry's `records_root`.
    pub fn leaf(&self) -> Hash {
        let mut buf = Vec::with_capacity(128);
        buf.extend_from_slice(REF_TAG);
        put(&mut buf, self.entity.as_bytes());
        put(&mut buf, self.id.as_bytes());
        match &self.hash {
            Some(h) => {
                buf.push(1);
                buf.extend_from_slice(h);
            }
            None => buf.push(0),
        }
        merkle::leaf_hash(&buf)
    }
}

/// Sort and de-duplicate refs (the last change of a row within one entry wins), returning them with
/// their Merkle root.
pub fn records_root(mut refs: Vec<RecordRef>) -> (Vec<RecordRef>, Hash) {
    // Stable sort keeps write order among equal keys; keep the last one.
    refs.sort_by(|a, b| (&a.entity, &a.id).cmp(&(&b.entity, &b.id)));
    let mut out: Vec<RecordRef> = Vec::with_capacity(refs.len());
    for r in refs {
        match out.last_mut() {
            Some(last) if last.entity == r.entity && last.id == r.id => *last = r,
            _ => out.push(r),
        }
    }
    let leaves: Vec<Hash> = out.iter().map(RecordRef::leaf).collect();
    let root = merkle::root(&leaves);
    (out, root)
}

/// The Merkle leaf of a live row inside a state root.
pub fn state_leaf(entity: &str, id: &str, hash: &Hash) -> Hash {
    let mut buf = Vec::with_capacity(128);
    buf.extend_from_slice(STATE_TAG);
    put(&mut buf, entity.as_bytes());
    put(&mut buf, id.as_bytes());
    buf.extend_from_slice(hash);
    merkle::leaf_hash(&buf)
}

/// The latest journaled state of every row of one chain, in (entity, id) order.
pub type State = std::collections::BTreeMap<(String, String), Hash>;

/// The state root: Merkle root over [`state_leaf`] of every live row in (entity, id) order.
pub fn state_root(state: &State) -> Hash {
    let leaves: Vec<Hash> = state.iter().map(|((e, i), h)| state_leaf(e, i, h)).collect();
    merkle::root(&leaves)
}

/// Apply one entry's refs to a state (a tombstone removes the row).
pub fn apply(state: &mut State, refs: &[RecordRef]) {
    for r in refs {
        let key = (r.entity.clone(), r.id.clone());
        match r.hash {
            Some(h) => {
                state.insert(key, h);
            }
            None => {
                state.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn column_order_does_not_matter_but_every_value_does() {
        let a = record_hash("evidence", "1", &mut [("name", Cell::Text("x".into())), ("valid_until", Cell::Date("2026-12-31".into()))]);
        let b = record_hash("evidence", "1", &mut [("valid_until", Cell::Date("2026-12-31".into())), ("name", Cell::Text("x".into()))]);
        let c = record_hash("evidence", "1", &mut [("valid_until", Cell::Date("2027-12-31".into())), ("name", Cell::Text("x".into()))]);
        let d = record_hash("evidence", "2", &mut [("valid_until", Cell::Date("2026-12-31".into())), ("name", Cell::Text("x".into()))]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn null_false_zero_and_empty_text_differ() {
        let h = |c: Cell| record_hash("t", "1", &mut [("c", c)]);
        let all = [h(Cell::Null), h(Cell::Bool(false)), h(Cell::Int(0)), h(Cell::Text(String::new())), h(Cell::Json("null".into()))];
        for i in 0..all.len() {
            for j in i + 1..all.len() {
                assert_ne!(all[i], all[j], "{i} vs {j}");
            }
        }
    }

    #[test]
    fn last_change_of_a_row_within_an_entry_wins() {
        let r = |id: &str, h: Option<u8>| RecordRef { entity: "control".into(), id: id.into(), hash: h.map(|b| [b; 32]) };
        let (refs, _) = records_root(vec![r("b", Some(1)), r("a", Some(2)), r("b", None)]);
        assert_eq!(refs, vec![r("a", Some(2)), r("b", None)]);
    }

    #[test]
    fn state_follows_creates_changes_and_deletes() {
        let r = |id: &str, h: Option<u8>| RecordRef { entity: "e".into(), id: id.into(), hash: h.map(|b| [b; 32]) };
        let mut s = State::new();
        apply(&mut s, &[r("1", Some(1)), r("2", Some(2))]);
        let before = state_root(&s);
        apply(&mut s, &[r("2", None)]);
        assert_eq!(s.len(), 1);
        assert_ne!(state_root(&s), before);
    }

    proptest! {
        #[test]
        fn text_boundaries_are_unambiguous(a in ".{0,8}", b in ".{0,8}") {
            let one = record_hash("t", "1", &mut [("x", Cell::Text(format!("{a}{b}"))), ("y", Cell::Text(String::new()))]);
            let two = record_hash("t", "1", &mut [("x", Cell::Text(a.clone())), ("y", Cell::Text(b.clone()))]);
            prop_assert!(b.is_empty() || one != two);
        }
    }
}
