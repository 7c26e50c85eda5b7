//! Admission for heavy work — deep verification and auditor packs re-read every row and evidence file
//! of an organisation. One organisation may run one at a time (a second is refused with 429, not
//! queued, so repeated clicks or scripts cannot pile work up), and the installation runs at most one
//! per core so one organisation cannot starve the others (503, try again).
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crate::{AppError, AppResult};

#[derive(Debug, Default)]
pub(crate) struct Heavy {
    running: Arc<Mutex<HashSet<uuid::Uuid>>>,
}

/// Held while the work runs; dropping it frees the slot (also when the request is cancelled).
#[derive(Debug)]
pub(crate) struct Slot {
    running: Arc<Mutex<HashSet<uuid::Uuid>>>,
    chain: uuid::Uuid,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.running.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.chain);
    }
}

impl Heavy {
    pub(crate) fn take(&self, chain: uuid::Uuid, what: &str) -> AppResult<Slot> {
        let limit = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if running.contains(&chain) {
            return Err(AppError::RateLimited(format!("{what} is already running for this organisation; wait for it to finish")));
        }
        if running.len() >= limit {
            return Err(AppError::Unavailable(format!(
                "the server is busy with {limit} other deep verifications or packs; try again in a minute"
            )));
        }
        running.insert(chain);
        Ok(Slot { running: self.running.clone(), chain })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_per_organisation_and_freed_on_drop() {
        let h = Heavy::default();
        let a = uuid::Uuid::now_v7();
        let slot = h.take(a, "a pack").unwrap();
        assert!(matches!(h.take(a, "a pack"), Err(AppError::RateLimited(m)) if m.contains("already running")));
        drop(slot);
        assert!(h.take(a, "a pack").is_ok());
    }
}
