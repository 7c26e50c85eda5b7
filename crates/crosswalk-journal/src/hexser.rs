//! Serde helpers: hashes as lowercase hex strings in JSON (entries, record refs, packs).
use crate::canonical::Hash;
use serde::{Deserialize, Deserializer, Serializer};

fn decode<E: serde::de::Error>(s: &str) -> Result<Hash, E> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(E::custom)?;
    Ok(out)
}

/// `#[serde(with = "crate::hexser::hash")]`
pub mod hash {
    use super::*;

    pub fn serialize<S: Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(h))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        decode(&String::deserialize(d)?)
    }
}

/// `#[serde(with = "crate::hexser::opt_hash")]`
pub mod opt_hash {
    use super::*;

    pub fn serialize<S: Serializer>(h: &Option<Hash>, s: S) -> Result<S::Ok, S::Error> {
        match h {
            Some(h) => s.serialize_str(&hex::encode(h)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Hash>, D::Error> {
        Option::<String>::deserialize(d)?.map(|s| decode(&s)).transpose()
    }
}
