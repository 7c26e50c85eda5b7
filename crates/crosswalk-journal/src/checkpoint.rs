//! Signed checkpoints: the instance's ed25519 key signs (tenant, seq, head hash, state root, time), so
//! a chain can be shown to be unchanged since the checkpoint, and a record to be the latest state of
//! its row at that point, by someone holding only the public key. The public key travels with every
//! checkpoint, so verification after a key rotation or a restore on another machine still works when
//! the auditor trusts that key.
use crate::canonical::Hash;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, Verifier};
use sha2::{Digest, Sha256};

pub use ed25519_dalek::{SigningKey, VerifyingKey};

const CHECKPOINT_TAG: &[u8] = b"crosswalk-journal-checkpoint-v1\0";
const CHECKPOINT_TAG_V2: &[u8] = b"crosswalk-journal-checkpoint-v2\0";

/// A signed statement that `tenant`'s chain had `head_hash` (and, v2, the records in `state_root`) at `seq`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checkpoint {
    pub tenant: String,
    pub seq: i64,
    pub head_hash: String,
    /// Hex of the Merkle root over the latest hash of every live record at `seq` (v2; empty for v1).
    #[serde(default)]
    pub state_root: String,
    pub signed_at_micros: i64,
    /// Hex of the 32-byte ed25519 public key that signed.
    pub public_key: String,
    /// Hex of the 64-byte signature.
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint at entry {seq}: signed by key {found}, not the instance key {expected}")]
    UnknownKey { seq: i64, found: String, expected: String },
    #[error("checkpoint at entry {seq}: the signature is invalid")]
    BadSignature { seq: i64 },
    #[error("checkpoint at entry {seq}: the chain's hash there is {actual}, but the checkpoint signed {signed}")]
    HeadDiffers { seq: i64, signed: String, actual: String },
    #[error("checkpoint at entry {seq}: the chain has no such entry (entries were removed)")]
    Missing { seq: i64 },
    #[error("key: {0}")]
    Key(String),
}

fn message(tenant: &str, seq: i64, head_hash: &str, state_root: &str, signed_at_micros: i64) -> Hash {
    let mut h = Sha256::new();
    // A v1 checkpoint (no state root) keeps its original message, so old checkpoints still verify.
    h.update(if state_root.is_empty() { CHECKPOINT_TAG } else { CHECKPOINT_TAG_V2 });
    h.update((tenant.len() as u64).to_be_bytes());
    h.update(tenant.as_bytes());
    h.update(seq.to_be_bytes());
    h.update(head_hash.as_bytes());
    if !state_root.is_empty() {
        h.update(state_root.as_bytes());
    }
    h.update(signed_at_micros.to_be_bytes());
    h.finalize().into()
}

impl Checkpoint {
    pub fn sign(key: &SigningKey, tenant: &str, seq: i64, head_hash: &Hash, state_root: &Hash, signed_at_micros: i64) -> Self {
        let head_hash = hex::encode(head_hash);
        let state_root = hex::encode(state_root);
        let sig = key.sign(&message(tenant, seq, &head_hash, &state_root, signed_at_micros));
        Self {
            tenant: tenant.into(),
            seq,
            head_hash,
            state_root,
            signed_at_micros,
            public_key: hex::encode(key.verifying_key().as_bytes()),
            signature: hex::encode(sig.to_bytes()),
        }
    }

    /// The signed state root, when this is a v2 checkpoint.
    pub fn state_root_hash(&self) -> Option<Hash> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(&self.state_root, &mut out).ok().map(|_| out)
    }

    /// Check the signature alone (against `trusted` when given, else against the embedded key).
    pub fn verify_signature(&self, trusted: Option<&VerifyingKey>) -> Result<(), CheckpointError> {
        self.verify(trusted, |_| None).or_else(|e| match e {
            CheckpointError::Missing { .. } => Ok(()),
            other => Err(other),
        })
    }

    /// Check the signature (against `trusted` when given, else against the embedded key) and that
    /// the chain's hash at `seq` is the signed one. `hash_at(seq)` looks the entry up.
    pub fn verify(&self, trusted: Option<&VerifyingKey>, hash_at: impl Fn(i64) -> Option<Hash>) -> Result<(), CheckpointError> {
        let seq = self.seq;
        if let Some(t) = trusted {
            let expected = hex::encode(t.as_bytes());
            if expected != self.public_key {
                return Err(CheckpointError::UnknownKey { seq, found: self.public_key.clone(), expected });
            }
        }
        let key = decode_public_key_hex(&self.public_key).map_err(|_| CheckpointError::BadSignature { seq })?;
        let mut sig = [0u8; 64];
        hex::decode_to_slice(&self.signature, &mut sig).map_err(|_| CheckpointError::BadSignature { seq })?;
        key.verify(&message(&self.tenant, seq, &self.head_hash, &self.state_root, self.signed_at_micros), &Signature::from_bytes(&sig))
            .map_err(|_| CheckpointError::BadSignature { seq })?;
        match hash_at(seq) {
            None => Err(CheckpointError::Missing { seq }),
            Some(h) if hex::encode(h) != self.head_hash => {
                Err(CheckpointError::HeadDiffers { seq, signed: self.head_hash.clone(), actual: hex::encode(h) })
            }
            Some(_) => Ok(()),
        }
    }
}

pub fn decode_public_key_hex(hex_key: &str) -> Result<VerifyingKey, CheckpointError> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(hex_key, &mut bytes).map_err(|e| CheckpointError::Key(e.to_string()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| CheckpointError::Key(e.to_string()))
}

/// Domain separation for a backup manifest's signature (never valid as a checkpoint's).
const BACKUP_MANIFEST_TAG: &[u8] = b"crosswalk-backup-manifest-v1\0";

/// Sign a backup manifest (its canonical JSON without the signature); hex of the signature.
pub fn sign_backup_manifest(key: &SigningKey, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(BACKUP_MANIFEST_TAG);
    h.update(canonical.as_bytes());
    let digest: Hash = h.finalize().into();
    hex::encode(key.sign(&digest).to_bytes())
}

/// Check a backup manifest's signature by `key`.
pub fn verify_backup_manifest(key: &VerifyingKey, canonical: &str, signature_hex: &str) -> bool {
    let mut sig = [0u8; 64];
    if hex::decode_to_slice(signature_hex, &mut sig).is_err() {
        return false;
    }
    let mut h = Sha256::new();
    h.update(BACKUP_MANIFEST_TAG);
    h.update(canonical.as_bytes());
    let digest: Hash = h.finalize().into();
    key.verify(&digest, &Signature::from_bytes(&sig)).is_ok()
}

/// A new random signing key.
pub fn generate_signing_key() -> SigningKey {
    SigningKey::generate(&mut rand::rngs::OsRng)
}

/// PKCS#8 PEM of a signing key, for the key file in the data directory.
pub fn signing_key_to_pem(key: &SigningKey) -> Result<String, CheckpointError> {
    key.to_pkcs8_pem(Default::default()).map(|p| p.to_string()).map_err(|e| CheckpointError::Key(e.to_string()))
}

pub fn signing_key_from_pem(pem: &str) -> Result<SigningKey, CheckpointError> {
    SigningKey::from_pkcs8_pem(pem).map_err(|e| CheckpointError::Key(e.to_string()))
}

/// Encrypted PKCS#8 PEM of a signing key (PBES2: scrypt key derivation, AES-256-CBC), for a backup
/// that carries the key. Any PKCS#8 tool (`openssl pkey`) reads it with the passphrase.
pub fn signing_key_to_encrypted_pem(key: &SigningKey, passphrase: &str) -> Result<String, CheckpointError> {
    use pkcs8::EncodePrivateKey as _;
    if passphrase.chars().count() < 12 {
        return Err(CheckpointError::Key("the passphrase protecting the signing key must be at least 12 characters".into()));
    }
    key.to_pkcs8_encrypted_pem(rand::rngs::OsRng, passphrase.as_bytes(), Default::default())
        .map(|p| p.to_string())
        .map_err(|e| CheckpointError::Key(e.to_string()))
}

/// The signing key from [`signing_key_to_encrypted_pem`]'s output; a wrong passphrase is named.
pub fn signing_key_from_encrypted_pem(pem: &str, passphrase: &str) -> Result<SigningKey, CheckpointError> {
    use pkcs8::DecodePrivateKey as _;
    SigningKey::from_pkcs8_encrypted_pem(pem, passphrase.as_bytes())
        .map_err(|_| CheckpointError::Key("the signing key cannot be decrypted: wrong passphrase, or the key is damaged".into()))
}

/// SPKI PEM of a public key, for exporting to auditors.
pub fn public_key_to_pem(key: &VerifyingKey) -> Result<String, CheckpointError> {
    key.to_public_key_pem(Default::default()).map_err(|e| CheckpointError::Key(e.to_string()))
}

pub fn public_key_from_pem(pem: &str) -> Result<VerifyingKey, CheckpointError> {
    VerifyingKey::from_public_key_pem(pem).map_err(|e| CheckpointError::Key(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_checkpoint_verifies_and_detects_changes() {
        let key = generate_signing_key();
        let head = [7u8; 32];
        let cp = Checkpoint::sign(&key, "t", 3, &head, &[9u8; 32], 42);
        let vk = key.verifying_key();
        assert!(cp.verify(Some(&vk), |s| (s == 3).then_some(head)).is_ok());
        assert!(matches!(cp.verify(Some(&vk), |_| Some([8u8; 32])), Err(CheckpointError::HeadDiffers { .. })));
        assert!(matches!(cp.verify(Some(&vk), |_| None), Err(CheckpointError::Missing { seq: 3 })));
        let mut forged = cp.clone();
        forged.seq = 2;
        assert!(matches!(forged.verify(Some(&vk), |_| Some(head)), Err(CheckpointError::BadSignature { .. })));
        let mut other_root = cp.clone();
        other_root.state_root = hex::encode([1u8; 32]);
        assert!(matches!(other_root.verify(Some(&vk), |_| Some(head)), Err(CheckpointError::BadSignature { .. })));
        let other = generate_signing_key().verifying_key();
        assert!(matches!(cp.verify(Some(&other), |_| Some(head)), Err(CheckpointError::UnknownKey { .. })));
    }

    #[test]
    fn encrypted_key_needs_its_passphrase() {
        let key = generate_signing_key();
        let pem = signing_key_to_encrypted_pem(&key, "correct horse battery").unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"), "{pem}");
        assert_eq!(signing_key_from_encrypted_pem(&pem, "correct horse battery").unwrap().to_bytes(), key.to_bytes());
        assert!(signing_key_from_encrypted_pem(&pem, "wrong horse battery").is_err());
        assert!(signing_key_to_encrypted_pem(&key, "short").is_err());
    }

    #[test]
    fn keys_round_trip_through_pem() {
        let key = generate_signing_key();
        let back = signing_key_from_pem(&signing_key_to_pem(&key).unwrap()).unwrap();
        assert_eq!(back.to_bytes(), key.to_bytes());
        let pk = public_key_from_pem(&public_key_to_pem(&key.verifying_key()).unwrap()).unwrap();
        assert_eq!(pk, key.verifying_key());
    }
}
