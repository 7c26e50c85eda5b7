//! The tamper-evident journal: how entries are encoded and hashed, how a chain is verified, and how
//! checkpoints are signed. Pure code over values, so the server, the CLI and an offline verifier of an
//! auditor pack all run exactly the same checks.
//!
//! Every tenant has its own chain. Entry `n` stores the hash of entry `n-1` (`prev_hash`, zeros for the
//! first) and its own hash over a length-prefixed encoding of every column, so changing, deleting,
//! inserting or reordering any entry breaks either that entry's hash or the link after it. Truncation
//! of the newest entries is caught by the stored head and by signed checkpoints.
#![forbid(unsafe_code)]

mod canonical;
mod chain;
mod checkpoint;

pub use canonical::{Hash, ZERO_HASH, canonical_json, entry_hash};
pub use chain::{ChainError, ChainProblem, ChainSummary, Entry, NewEntry, verify_chain};
pub use checkpoint::{
    Checkpoint, CheckpointError, SigningKey, VerifyingKey, decode_public_key_hex, generate_signing_key, public_key_from_pem,
    public_key_to_pem, signing_key_from_pem, signing_key_to_pem,
};
