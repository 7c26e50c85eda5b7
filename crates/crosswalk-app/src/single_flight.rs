//! Single flight (issue 15, item 6): at most one computation of a cached value per (tenant, kind)
//! at a time. A request that finds the cache empty takes the key's lock, looks at the cache again
//! (another request may have filled it meanwhile) and only then computes. Locks are taken in one
//! order — posture, then readiness, then snapshot — so nested computations cannot deadlock.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What is being computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Posture,
    /// A report of one framework (and, for coverage, the framework counted from): a report may
    /// compute another framework's first (NIS2 measures roll up from CIR sections).
    Readiness(i64, Option<i64>),
    Snapshot,
}

/// The lock held while one (tenant, kind) is computed.
type FlightLock = Arc<tokio::sync::Mutex<()>>;

#[derive(Debug, Default)]
pub(crate) struct SingleFlight {
    locks: Mutex<HashMap<(uuid::Uuid, Kind), FlightLock>>,
}

impl SingleFlight {
    /// The lock of one (tenant, kind); hold its guard while computing.
    pub(crate) fn lock_of(&self, tenant: uuid::Uuid, kind: Kind) -> FlightLock {
        let mut locks = self.locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.entry((tenant, kind)).or_default().clone()
    }
}
