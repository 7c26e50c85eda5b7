//! Entry MACs: every v2 entry carries `HMAC-SHA256(K, entry hash)` with a key K kept outside the
//! database (derived from the instance's signing key in the data directory). Someone who can write
//! the database but does not hold the key cannot append an entry that verifies, even with a correct
//! hash chain; hashes alone are unkeyed and anyone can recompute them.
use crate::canonical::Hash;
use crate::checkpoint::SigningKey;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const MAC_KEY_TAG: &[u8] = b"crosswalk-journal-mac-key-v1\0";

/// The MAC key. Its `Debug` shows nothing of the key, so it cannot end up in a log.
#[derive(Clone)]
pub struct MacKey([u8; 32]);

impl std::fmt::Debug for MacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MacKey(..)")
    }
}

impl MacKey {
    /// Derived from the signing key, so one key file holds both and a restore needs nothing more.
    pub fn derive(signing: &SigningKey) -> Self {
        let mut h = Sha256::new();
        h.update(MAC_KEY_TAG);
        h.update(signing.to_bytes());
        Self(h.finalize().into())
    }

    pub fn mac(&self, entry_hash: &Hash) -> Hash {
        let mut m = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts any key length");
        m.update(entry_hash);
        m.finalize().into_bytes().into()
    }

    /// Constant-time check of a stored MAC.
    pub fn verify(&self, entry_hash: &Hash, mac: &Hash) -> bool {
        let mut m = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts any key length");
        m.update(entry_hash);
        m.verify_slice(mac).is_ok()
    }
}
