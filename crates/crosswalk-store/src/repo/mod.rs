//! Repositories: typed queries per table. Functions for tenant-owned rows take the tenant id, and
//! write functions take a [`crate::WriteTx`] so they can only run inside a journaled transaction.
pub mod attestations;
pub mod blobs;
pub mod catalog;
pub mod controls;
pub mod credentials;
pub mod evidence;
pub mod identity_links;
pub mod incidents;
pub mod invitations;
pub mod jobs;
pub mod login_failures;
pub mod management;
pub mod memberships;
pub mod nis2_profiles;
pub mod nis2_registrations;
pub mod sessions;
pub mod snapshots;
pub mod soa;
pub mod suppliers;
pub mod tenants;
pub mod tokens;
pub mod users;
