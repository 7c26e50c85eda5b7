//! JSON bodies of shared app results, serialised once. The app hands out the same `Arc` for a
//! report until its data changes (a new journal entry, a new day, a catalog import), so the
//! allocation identifies the content: while the cached `Weak` still points at the `Arc` the app
//! returned, the bytes are those of this very report. Dashboards polled by many clients then cost
//! an authentication and a journal-head check, not a serialisation.
use axum::body::Bytes;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// At most this many bodies are kept (per kind of report); then the cache starts afresh.
const MAX_ENTRIES: usize = 1024;

pub struct JsonCache<T>(Mutex<HashMap<String, (Weak<T>, Bytes)>>);

impl<T> Default for JsonCache<T> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<T> std::fmt::Debug for JsonCache<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsonCache")
    }
}

impl<T: Serialize> JsonCache<T> {
    /// The JSON of `value`, cached under `key` (which must include the tenant).
    pub fn body(&self, key: String, value: &Arc<T>) -> Result<Bytes, serde_json::Error> {
        if let Ok(cache) = self.0.lock()
            && let Some((weak, bytes)) = cache.get(&key)
            && weak.upgrade().is_some_and(|cached| Arc::ptr_eq(&cached, value))
        {
            return Ok(bytes.clone());
        }
        let bytes = Bytes::from(serde_json::to_vec(value.as_ref())?);
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= MAX_ENTRIES {
                cache.clear();
            }
            cache.insert(key, (Arc::downgrade(value), bytes.clone()));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_arc_reuses_its_bytes_and_a_new_one_is_serialised_afresh() {
        let cache = JsonCache::default();
        let first = Arc::new(vec![1, 2]);
        let a = cache.body("t1".into(), &first).unwrap();
        let b = cache.body("t1".into(), &first).unwrap();
        assert_eq!(a.as_ptr(), b.as_ptr(), "served from the cache");
        let changed = Arc::new(vec![3]);
        assert_eq!(&cache.body("t1".into(), &changed).unwrap()[..], b"[3]");
        drop(first);
        let again = Arc::new(vec![1, 2]);
        assert_eq!(&cache.body("t1".into(), &again).unwrap()[..], b"[1,2]");
    }
}
