//! sea-orm entities, one module per table. Only this crate sees them; other crates get domain values.
pub mod api_token;
pub mod incident;
pub mod incident_submission;
pub mod journal_checkpoint;
pub mod journal_entry;
pub mod journal_head;
pub mod login_failure;
pub mod management_approval;
pub mod management_training;
pub mod membership;
pub mod nis2_profile;
pub mod session;
pub mod supplier;
pub mod supplier_assessment;
pub mod tenant;
pub mod user;
