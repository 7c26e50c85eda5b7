//! The tamper-evident journal: how entries are encoded and hashed, how a chain is verified, and how
//! checkpoints are signed. Pure code over values, so the server, the CLI and an offline verifier of an
//! auditor pack all run exactly the same checks.
//!
//! Every tenant has its own chain, and the installation one more (shared catalog and accounts). Entry `n` stores the hash of entry `n-1` (`prev_hash`, zeros for the
//! first) and its own hash over a length-prefixed encoding of every column, so changing, deleting,
//! inserting or reordering any entry breaks either that entry's hash or the link after it. Truncation
//! of the newest entries is caught by the stored head and by signed checkpoints. Since encoding v2 each
//! entry also commits to the hash of every row it wrote ([`records`]) and carries a MAC ([`MacKey`]);
//! checkpoints sign a state root over the latest hash of every row.
#![forbid(unsafe_code)]

mod canonical;
mod chain;
mod checkpoint;
mod hexser;
mod mac;
pub mod merkle;
pub mod pack;
pub mod records;

pub use canonical::{Hash, HeaderV2, ZERO_HASH, canonical_json, entry_hash, entry_hash_v2, payload_hash};
pub use chain::{ChainError, ChainProblem, ChainSummary, Entry, NewEntry, verify_chain, verify_chain_from};
pub use checkpoint::{
    Checkpoint, CheckpointError, SigningKey, VerifyingKey, decode_public_key_hex, generate_signing_key, public_key_from_pem,
    public_key_to_pem, sign_backup_manifest, signing_key_from_encrypted_pem, signing_key_from_pem, signing_key_to_encrypted_pem,
    signing_key_to_pem, verify_backup_manifest,
};
pub use mac::MacKey;
pub use records::{Cell, RECORD_ENCODING, RecordRef, State, record_hash, records_root, state_root};
