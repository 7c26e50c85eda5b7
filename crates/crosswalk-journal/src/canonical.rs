//! Canonical encodings: the bytes that are hashed, and canonical JSON for payloads.
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// `prev_hash` of a chain's first entry.
pub const ZERO_HASH: Hash = [0u8; 32];

/// Domain separation: a hash of another structure can never be mistaken for an entry hash.
const ENTRY_TAG: &[u8] = b"crosswalk-journal-entry-v1\0";
const ENTRY_TAG_V2: &[u8] = b"crosswalk-journal-entry-v2\0";
const PAYLOAD_TAG: &[u8] = b"crosswalk-journal-payload-v2\0";

/// Canonical JSON: object keys sorted (serde_json's map is a BTreeMap here), no insignificant
/// whitespace. Payloads are stored in this form, so the stored text is exactly what was hashed.
pub fn canonical_json(value: &Value) -> String {
    // serde_json without `preserve_order` keeps keys sorted; `Value`'s Display writes no whitespace.
    value.to_string()
}

fn put_bytes(buf: &mut Vec<u8>, bytes: &[u8]) {
    // Length prefixes make the encoding injective: ("ab","c") and ("a","bc") hash differently.
    buf.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    buf.extend_from_slice(bytes);
}

thread_local! {
    /// One encoding buffer per thread: hashing one contiguous buffer is much faster than many small
    /// `update` calls, and reusing it avoids an allocation per entry during verification.
    static ENCODING: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The hash of one entry over every one of its columns (except the hash itself).
#[allow(clippy::too_many_arguments)] // one argument per journal column, in column order; a struct would only rename them
pub fn entry_hash(
    tenant: &str,
    seq: i64,
    prev_hash: &Hash,
    at_micros: i64,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    payload: &str,
) -> Hash {
    ENCODING.with_borrow_mut(|buf| {
        buf.clear();
        buf.extend_from_slice(ENTRY_TAG);
        put_bytes(buf, tenant.as_bytes());
        buf.extend_from_slice(&seq.to_be_bytes());
        buf.extend_from_slice(prev_hash);
        buf.extend_from_slice(&at_micros.to_be_bytes());
        put_bytes(buf, actor.as_bytes());
        put_bytes(buf, action.as_bytes());
        put_bytes(buf, entity.as_bytes());
        put_bytes(buf, entity_id.as_bytes());
        put_bytes(buf, payload.as_bytes());
        Sha256::digest(buf.as_slice()).into()
    })
}

/// The header of a v2 entry: every column but the payload, which enters the hash only through
/// [`payload_hash`] so an entry can be shown (and its chain proven) with the payload withheld.
#[derive(Debug, Clone, Copy)]
pub struct HeaderV2<'a> {
    pub tenant: &'a str,
    pub seq: i64,
    pub at_micros: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    /// Merkle root over the entry's record refs (see [`crate::records`]).
    pub records_root: &'a Hash,
    pub record_count: i64,
}

/// `SHA-256("crosswalk-journal-payload-v2\0" ‖ payload)`.
pub fn payload_hash(payload: &str) -> Hash {
    let mut h = Sha256::new();
    h.update(PAYLOAD_TAG);
    h.update(payload.as_bytes());
    h.finalize().into()
}

/// Entry encoding v2: `SHA-256(tag ‖ prev ‖ header ‖ H(payload))`.
pub fn entry_hash_v2(prev_hash: &Hash, header: &HeaderV2<'_>, payload_hash: &Hash) -> Hash {
    ENCODING.with_borrow_mut(|buf| {
        buf.clear();
        buf.extend_from_slice(ENTRY_TAG_V2);
        buf.extend_from_slice(prev_hash);
        put_bytes(buf, header.tenant.as_bytes());
        buf.extend_from_slice(&header.seq.to_be_bytes());
        buf.extend_from_slice(&header.at_micros.to_be_bytes());
        put_bytes(buf, header.actor.as_bytes());
        put_bytes(buf, header.action.as_bytes());
        put_bytes(buf, header.entity.as_bytes());
        put_bytes(buf, header.entity_id.as_bytes());
        buf.extend_from_slice(header.records_root);
        buf.extend_from_slice(&header.record_count.to_be_bytes());
        buf.extend_from_slice(payload_hash);
        Sha256::digest(buf.as_slice()).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let v: Value = serde_json::from_str(r#"{ "b": 1, "a": {"d": [1, 2], "c": "x"} }"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"a":{"c":"x","d":[1,2]},"b":1}"#);
        assert_eq!(canonical_json(&json!({"z": null, "y": true})), r#"{"y":true,"z":null}"#);
    }

    #[test]
    fn field_boundaries_matter() {
        let a = entry_hash("t", 1, &ZERO_HASH, 0, "ab", "c", "e", "i", "{}");
        let b = entry_hash("t", 1, &ZERO_HASH, 0, "a", "bc", "e", "i", "{}");
        assert_ne!(a, b);
    }
}
