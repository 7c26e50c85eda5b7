//! Crosswalk's use cases. The web and CLI front ends call these and nothing below them.
//!
//! Two rules are enforced here, once:
//! - **Authorisation and tenant scoping.** Every use case takes an [`Actor`], which only this crate can
//!   make (from a session, an API token, or the local operator), checks the actor's role against the
//!   policy in [`crosswalk_domain::Role::allows`], and passes the actor's tenant to every store call.
//!   An object of another tenant is simply not found.
//! - **Journaling.** Every mutation appends an entry to the tenant's hash chain in the same
//!   transaction as the change itself ([`App::journal`]).
#![forbid(unsafe_code)]

mod accounts;
mod actor;
pub mod art21;
pub mod attestations;
mod auth;
pub mod backup;
pub mod blobs;
mod bulk;
pub mod catalog;
pub mod catalog_release;
mod clock;
pub mod clocks;
pub mod controls;
pub mod demo;
mod error;
pub mod evidence;
mod heavy;
pub mod incidents;
pub mod journal;
pub mod keys;
pub mod mail;
pub mod management;
pub mod mapping_stats;
pub mod nis2;
pub mod oidc;
pub mod pack;
mod passwords;
pub mod posture;
pub mod readiness;
pub mod reminders;
pub mod scheduler;
mod single_flight;
pub mod soa;
pub mod suppliers;
pub mod tenants;
pub mod tokens;
pub mod users;

pub use accounts::{InvitationView, Invited, NewInvitation, OrganisationChoice, RedeemOutcome};
pub use actor::{Actor, AuthMethod};
pub use auth::{LoginOutcome, SessionInfo};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{AppError, AppResult};

use chrono::Duration;
use crosswalk_journal::{Checkpoint, Entry, MacKey, SigningKey};
use crosswalk_store::journal::Draft;
use crosswalk_store::{Store, WriteTx};
use std::sync::Arc;

/// Tunables of the app layer, with production defaults.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after login, however active (forces re-authentication daily).
    pub session_absolute: Duration,
    /// Failed logins for one address from one client before back-off starts (ASVS 4.0.3 V2.2.1:
    /// throttle without locking the account out, so the right password from elsewhere still works).
    pub login_free_failures: u64,
    /// The first back-off after `login_free_failures`; it doubles with each further failure.
    pub login_backoff: Duration,
    /// The longest back-off.
    pub login_backoff_max: Duration,
    /// Failed logins one client may make within `login_window` across all addresses (password spraying).
    pub login_max_per_client: u64,
    /// How far back failures count.
    pub login_window: Duration,
    /// How long an invitation link stays valid.
    pub invitation_ttl: Duration,
    /// How long an address-verification link stays valid.
    pub verification_ttl: Duration,
    /// The installation's address as people reach it, for links in e-mails and invitations
    /// (`--public-url`); links are relative when unset.
    pub public_url: Option<String>,
    /// Outgoing e-mail; none means invitation links are passed on by hand and the operator verifies.
    pub smtp: Option<mail::SmtpSettings>,
    /// Sign a checkpoint automatically every this many entries of a tenant's chain.
    pub checkpoint_every: i64,
    /// argon2id cost; tests lower it, production keeps OWASP's recommendation.
    pub password_cost: passwords::PasswordCost,
    /// Where evidence files are stored, content-addressed by SHA-256 (`--blob-store file://DIR`).
    pub blob_dir: std::path::PathBuf,
    /// The evidence store when it is not `blob_dir` (`--blob-store s3://bucket/prefix`).
    pub blob_store: Option<crosswalk_store::blob_store::BlobStore>,
    /// Where the latest verified checkpoint of every chain is kept outside the database (the data
    /// directory's `checkpoints/`); verification then detects a rewrite or truncation before it even by
    /// someone who can write the whole database. `None`: not kept (tests).
    pub checkpoint_dir: Option<std::path::PathBuf>,
    /// What one catalog import by an organisation may hold (`serve --import-max-bytes`, `--import-max-requirements`).
    pub import_limits: catalog::ImportLimits,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::hours(8),
            session_absolute: Duration::hours(24),
            login_free_failures: 5,
            login_backoff: Duration::minutes(1),
            login_backoff_max: Duration::minutes(15),
            login_max_per_client: 100,
            login_window: Duration::hours(1),
            invitation_ttl: Duration::days(7),
            verification_ttl: Duration::days(2),
            public_url: None,
            smtp: None,
            checkpoint_every: 1000,
            password_cost: passwords::PasswordCost::Owasp,
            blob_dir: std::path::PathBuf::from("crosswalk-data/blobs"),
            blob_store: None,
            import_limits: catalog::ImportLimits::default(),
            checkpoint_dir: None,
        }
    }
}

pub use passwords::PasswordCost;

/// The application service: store, clock, signing key and configuration. Cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    signing_key: SigningKey,
    /// MACs every journal entry; derived from the signing key, never stored in the database.
    mac_key: MacKey,
    config: AppConfig,
    /// Built from `config.smtp`; `None` without SMTP (or with settings the CLI should have refused).
    mailer: Option<mail::Mailer>,
    /// The shared catalog graph with the database state it was built from ([`App::catalog_key`]).
    graph: std::sync::RwLock<Option<Arc<catalog::CatalogGraph>>>,
    /// One computation at a time per (tenant, kind): requests that find a cache empty wait for the
    /// one computing it instead of all computing it (after a write, 50 waiting dashboard requests
    /// cost one recomputation, not 50).
    flights: single_flight::SingleFlight,
    /// Evidence files, content-addressed (`config.blob_store`, else files under `config.blob_dir`).
    blobs: crosswalk_store::blob_store::BlobStore,
    /// Heavy work (deep verification, auditor packs) running now: per chain, and how many in all.
    heavy: heavy::Heavy,
    /// Per tenant, the data readiness is computed from, valid for one journal head and date.
    snapshots: std::sync::Mutex<std::collections::HashMap<uuid::Uuid, Arc<readiness::TenantSnapshot>>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("store", &self.inner.store).field("config", &self.inner.config).finish_non_exhaustive()
    }
}

impl App {
    pub fn new(store: Store, clock: Arc<dyn Clock>, signing_key: SigningKey, config: AppConfig) -> Self {
        let blobs = config.blob_store.clone().unwrap_or_else(|| {
            crosswalk_store::blob_store::BlobStore::File(crosswalk_store::blob_store::FileBlobStore::new(config.blob_dir.clone()))
        });
        Self {
            inner: Arc::new(Inner {
                store,
                clock,
                mac_key: MacKey::derive(&signing_key),
                signing_key,
                mailer: config.smtp.as_ref().and_then(|s| match mail::Mailer::new(s) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        tracing::error!("SMTP disabled: {e}");
                        None
                    }
                }),
                config,
                graph: std::sync::RwLock::new(None),
                flights: Default::default(),
                snapshots: Default::default(),
                heavy: Default::default(),
                blobs,
            }),
        }
    }

    /// The store, as a read handle for this crate's use cases (no raw access: see crosswalk-store).
    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Close the database connections (end of a CLI command or benchmark).
    pub async fn close(&self) -> AppResult<()> {
        Ok(self.inner.store.clone().close().await?)
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.inner.signing_key
    }

    /// The evidence blob store.
    pub(crate) fn blobs(&self) -> &crosswalk_store::blob_store::BlobStore {
        &self.inner.blobs
    }

    /// A slot for heavy work on `chain`, or 429/503 naming why not (see [`heavy`]).
    pub(crate) fn heavy_slot(&self, chain: uuid::Uuid, what: &str) -> AppResult<heavy::Slot> {
        self.inner.heavy.take(chain, what)
    }

    /// The key that MACs journal entries (`Store::migrate` needs it).
    pub fn mac_key(&self) -> &MacKey {
        &self.inner.mac_key
    }

    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }

    /// Whether e-mail can be sent (SMTP configured).
    pub fn can_send_mail(&self) -> bool {
        self.inner.mailer.is_some()
    }

    pub(crate) fn mailer(&self) -> Option<&mail::Mailer> {
        self.inner.mailer.as_ref()
    }

    /// An absolute link when the public URL is known, else a path.
    pub(crate) fn link(&self, path: &str) -> String {
        self.public_link(path)
    }

    /// [`App::link`] for the front end (an OIDC redirect URL must be absolute; a path fails there).
    pub fn public_link(&self, path: &str) -> String {
        match &self.inner.config.public_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => path.to_owned(),
        }
    }

    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        crosswalk_store::truncate_micros(self.inner.clock.now())
    }

    pub(crate) fn db(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) async fn begin(&self) -> AppResult<WriteTx> {
        Ok(self.inner.store.begin_write().await?)
    }

    /// The instance's public key, which verifies every checkpoint it signs.
    pub fn verifying_key(&self) -> crosswalk_journal::VerifyingKey {
        self.inner.signing_key.verifying_key()
    }

    /// Is the database answering?
    pub async fn health(&self) -> AppResult<()> {
        Ok(self.inner.store.ping().await?)
    }

    /// Append the journal entry for a mutation to the actor's organisation's chain, inside the
    /// mutation's transaction: it records the hash of every row of that chain the transaction wrote.
    /// Signs a checkpoint when the chain reaches the next multiple of `checkpoint_every`.
    pub(crate) async fn journal(
        &self,
        tx: &WriteTx,
        actor: &Actor,
        action: &str,
        entity: &str,
        entity_id: impl std::fmt::Display,
        payload: serde_json::Value,
    ) -> AppResult<Entry> {
        self.journal_in(tx, actor.tenant.0, &actor.journal_name(), action, entity, entity_id, payload).await
    }

    /// The entry for a change to shared data only (the shared catalog), in the installation's chain.
    pub(crate) async fn journal_installation(
        &self,
        tx: &WriteTx,
        actor: &Actor,
        action: &str,
        entity: &str,
        entity_id: impl std::fmt::Display,
        payload: serde_json::Value,
    ) -> AppResult<Entry> {
        let installation = crosswalk_store::records::INSTALLATION;
        self.journal_in(tx, installation, &actor.journal_name(), action, entity, entity_id, payload).await
    }

    #[allow(clippy::too_many_arguments)] // the entry's columns, named
    async fn journal_in(
        &self,
        tx: &WriteTx,
        chain: uuid::Uuid,
        actor: &str,
        action: &str,
        entity: &str,
        entity_id: impl std::fmt::Display,
        payload: serde_json::Value,
    ) -> AppResult<Entry> {
        let installation = crosswalk_store::records::INSTALLATION;
        let entity_id = entity_id.to_string();
        let draft = Draft::new(actor, action, entity, &entity_id, payload, self.now());
        let entry = crosswalk_store::journal::append(tx, chain, draft, &self.inner.mac_key).await?;
        if entry.seq % self.inner.config.checkpoint_every == 0 {
            self.sign_checkpoint(tx, chain, &entry).await?;
        }
        // The same action also wrote shared rows (an account, the organisation itself, the shared
        // catalog): record them in the installation's chain, pointing at the organisation's entry.
        if chain != installation && tx.has_pending(installation) {
            let payload = serde_json::json!({"organisation": chain.to_string(), "organisation_entry": entry.seq});
            let draft = Draft::new(actor, action, entity, &entity_id, payload, self.now());
            let shared = crosswalk_store::journal::append(tx, installation, draft, &self.inner.mac_key).await?;
            if shared.seq % self.inner.config.checkpoint_every == 0 {
                self.sign_checkpoint(tx, installation, &shared).await?;
            }
        }
        Ok(entry)
    }

    /// Sign a checkpoint at `head` of `chain`, with the state root over the latest hash of every
    /// record of the chain at that entry.
    pub(crate) async fn sign_checkpoint(&self, tx: &WriteTx, chain: uuid::Uuid, head: &Entry) -> AppResult<Checkpoint> {
        let mut state = crosswalk_journal::State::new();
        let refs = crosswalk_store::journal::records(tx, chain).await?;
        for (seq, r) in &refs {
            if *seq <= head.seq {
                crosswalk_journal::records::apply(&mut state, std::slice::from_ref(r));
            }
        }
        let root = crosswalk_journal::state_root(&state);
        let cp = Checkpoint::sign(&self.inner.signing_key, &head.tenant, head.seq, &head.hash, &root, self.now().timestamp_micros());
        crosswalk_store::journal::insert_checkpoint(tx, chain, &cp).await?;
        Ok(cp)
    }
}
