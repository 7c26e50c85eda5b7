//! Crosswalk's domain: the types and rules every other crate speaks in.
//!
//! Nothing here does IO (no database, network, filesystem or clock): callers pass time and data in.
//! Later capabilities (catalog, mappings, scoring, scoping) live here as further modules; the
//! regulatory reporting clocks are in [`clocks`], the readiness rules (control status, evidence and
//! attestation validity, a requirement's direct state) in [`readiness`].
#![forbid(unsafe_code)]

pub mod bank_holidays;
pub mod catalog;
pub mod clocks;
pub mod common_passwords;
pub mod crosswalk;
pub mod hierarchy;
pub mod ids;
pub mod nis2;
pub mod readiness;
pub mod reports;
pub mod role;
pub mod significance;
pub mod soa;
pub mod suppliers;
pub mod validate;

pub use ids::{TenantId, TokenId, UserId};
pub use role::{Permission, Role};
pub use validate::{Email, Slug, ValidationError};
