//! Command-line interface and configuration (flags, each also a `CROSSWALK_*` environment variable).
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "crosswalk", version, about = "Crosswalk: implement a control once, collect evidence once, prove it to every framework.")]
pub struct Cli {
    /// Database: sqlite://PATH or postgres://USER@HOST:PORT/DB (default: sqlite in the data directory)
    #[arg(long, global = true, env = "CROSSWALK_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where the default database, evidence blobs and the journal signing key live
    #[arg(long, global = true, env = "CROSSWALK_DATA_DIR", default_value = "./crosswalk-data")]
    pub data_dir: PathBuf,
    /// Evidence blob store: file://DIR (default: DATA_DIR/blobs) or s3://bucket/prefix
    #[arg(long, global = true, env = "CROSSWALK_BLOB_STORE")]
    pub blob_store: Option<String>,
    /// S3-compatible endpoint for an s3:// blob store, e.g. http://127.0.0.1:9000 (MinIO); default: AWS
    #[arg(long, global = true, env = "CROSSWALK_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// Region of an s3:// blob store (default us-east-1)
    #[arg(long, global = true, env = "AWS_REGION")]
    pub s3_region: Option<String>,
    /// S3 credentials come from the environment only (a command line would show them to every user)
    #[arg(long, global = true, env = "AWS_ACCESS_KEY_ID", hide = true, hide_env_values = true)]
    pub aws_access_key_id: Option<String>,
    #[arg(long, global = true, env = "AWS_SECRET_ACCESS_KEY", hide = true, hide_env_values = true)]
    pub aws_secret_access_key: Option<String>,
    #[arg(long, global = true, env = "AWS_SESSION_TOKEN", hide = true, hide_env_values = true)]
    pub aws_session_token: Option<String>,
    /// Outgoing e-mail (invitations, address verification, reminders): smtp://HOST:PORT, or
    /// smtp://USER:PASS@HOST?tls=required, smtps://USER:PASS@HOST. Without it, links are passed on by hand.
    #[arg(long, global = true, env = "CROSSWALK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of Crosswalk's e-mail
    #[arg(long, global = true, env = "CROSSWALK_MAIL_FROM", default_value = "Crosswalk <crosswalk@localhost>")]
    pub mail_from: String,
    /// The address people reach this installation at (for links in invitations and e-mails), e.g. https://grc.example.org
    #[arg(long, global = true, env = "CROSSWALK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Output format of listings and reports
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}?mode=rwc", self.data_dir.join("crosswalk.db").display()))
    }
}

/// Output format; `framework import --format` shares the global flag (CONTRACT.md), so the two
/// input formats are values here too and print tables elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    /// Input format of `framework import`: OSCAL JSON.
    Oscal,
    /// Input format of `framework import`: CISO Assistant library YAML.
    CisoAssistant,
    /// Input format of `mapping import`: a Secure Controls Framework STRM sheet as CSV.
    ScfStrm,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run migrations and serve the web UI and API
    Serve(ServeArgs),
    /// Apply database migrations and exit
    Migrate,
    /// Organisations
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Single sign-on: the identity providers the operator configured
    #[command(subcommand)]
    Oidc(OidcCommand),
    /// People and their roles
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens
    #[command(subcommand)]
    Token(TokenCommand),
    /// The tamper-evident journal
    #[command(subcommand)]
    Journal(JournalCommand),
    /// The incident register
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// The supplier register (NIS2 Art 21(2)(d))
    #[command(subcommand)]
    Supplier(SupplierCommand),
    /// The framework catalog: list, show, import, follow
    #[command(subcommand)]
    Framework(FrameworkCommand),
    /// Typed relations (NIST IR 8477) between two frameworks
    #[command(subcommand)]
    Mapping(MappingCommand),
    /// What the organisation's work on one framework proves for another, row by row with the reason
    Coverage {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Readiness of every requirement of a framework: proven, attested, derived, partial, gap, not applicable, unknown
    Readiness {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        framework: String,
    },
    /// Unified controls
    #[command(subcommand)]
    Control(ControlCommand),
    /// Evidence files and links
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Named people's statements that a control or requirement is met
    #[command(subcommand)]
    Attestation(AttestationCommand),
    /// Statement of Applicability (ISO/IEC 27001:2022 6.1.3 d)
    #[command(subcommand)]
    Soa(SoaCommand),
    /// Spreadsheets and other documents
    #[command(subcommand)]
    Export(ExportCommand),
    /// NIS2 Art 20: management-body approvals and training
    #[command(subcommand)]
    Management(ManagementCommand),
    /// NIS2 sectors and scoping
    #[command(subcommand)]
    Nis2(Nis2Command),
    /// The legal reporting steps of an incident under NIS2, GDPR or DORA, with due instants and basis
    Deadlines(DeadlinesArgs),
    /// Background jobs (reminders); `serve` runs them every 30 s
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Upkeep of the evidence file store
    #[command(subcommand)]
    Blobs(BlobsCommand),
    /// Run the built-in benchmark on a generated organisation and print figures
    Bench(BenchArgs),
    /// Build an auditor pack: evidence files, each requirement's state with its derivation, the records
    /// behind them with their journal entries, a signed checkpoint and state-root proofs, and index.html
    Pack {
        #[arg(long)]
        tenant: String,
        /// The framework whose readiness the pack shows (slug)
        #[arg(long)]
        framework: String,
        #[arg(short = 'o', long = "output", value_name = "FILE.zip")]
        output: std::path::PathBuf,
    },
    /// Back up the whole installation into one file: every table in one snapshot, every evidence file,
    /// a manifest with hashes, the journal heads and a checkpoint signed at each head
    Backup {
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: std::path::PathBuf,
        /// Include the journal signing key, encrypted with a passphrase (from --passphrase-file or
        /// CROSSWALK_BACKUP_PASSPHRASE, at least 12 characters)
        #[arg(long)]
        with_key: bool,
        /// A file whose first line is the passphrase
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<std::path::PathBuf>,
        /// The passphrase from the environment (a command line would show it to every user of the machine)
        #[arg(long, env = "CROSSWALK_BACKUP_PASSPHRASE", hide = true, hide_env_values = true)]
        passphrase_env: Option<String>,
    },
    /// Restore a backup into an empty database (either engine); every record is checked against the
    /// restored journal before anything is committed, and the journal heads are the backup's
    Restore {
        #[arg(value_name = "FILE")]
        file: std::path::PathBuf,
        /// The passphrase of a backup made --with-key (first line of FILE; or CROSSWALK_BACKUP_PASSPHRASE).
        /// Without it the backup's public keys are adopted and this installation signs with its own key
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<std::path::PathBuf>,
        /// The source installation's public key (PEM, from `crosswalk journal public-key` there): needed
        /// to restore a backup without its signing key, so trust never comes from the file alone
        #[arg(long, value_name = "KEY.pem")]
        public_key: Option<std::path::PathBuf>,
        /// The passphrase from the environment (see `backup`)
        #[arg(long, env = "CROSSWALK_BACKUP_PASSPHRASE", hide = true, hide_env_values = true)]
        passphrase_env: Option<String>,
    },
    /// Verify an auditor pack offline (no database): exit 0 intact, 1 naming the first changed, missing
    /// or added file or entry (or a signature by another key), 2 for a file that is not a pack
    Verify {
        #[arg(value_name = "FILE.zip")]
        file: std::path::PathBuf,
        /// The installation's public key (PEM, from `crosswalk journal public-key`) the pack must be signed with
        #[arg(long, value_name = "KEY.pem")]
        public_key: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, env = "CROSSWALK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Seed the demo organisation "Acme Demo" (idempotent) and print how to log in
    #[arg(long)]
    pub demo: bool,
    /// Send cookies without the Secure flag (only for plain HTTP on an address other than localhost)
    #[arg(long, env = "CROSSWALK_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
    /// A reverse proxy whose X-Forwarded-For names the client (for login throttling); repeat for several
    #[arg(long = "trusted-proxy", env = "CROSSWALK_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Largest evidence file, in bytes (default 4 GiB); an upload streams to the blob store and is
    /// never cut off by the request timeout, only by sending nothing for a minute
    #[arg(long, env = "CROSSWALK_MAX_EVIDENCE_BYTES", default_value_t = 4 << 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_evidence_bytes: u64,
    /// Largest body of any other request (forms and JSON), in bytes
    #[arg(long, env = "CROSSWALK_MAX_BODY_BYTES", default_value_t = 1 << 20, value_parser = clap::value_parser!(u64).range(1024..))]
    pub max_body_bytes: u64,
    /// Seconds a request (other than an evidence upload) may take before it is abandoned with 408
    #[arg(long, env = "CROSSWALK_REQUEST_TIMEOUT", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,
    /// Send Strict-Transport-Security with this max-age (seconds) on every response; set it when
    /// TLS is terminated in front of Crosswalk (a reverse proxy), e.g. 31536000
    #[arg(long, env = "CROSSWALK_HSTS_MAX_AGE")]
    pub hsts_max_age: Option<u64>,
    /// OIDC identity providers for single sign-on: a JSON file (see README, "Single sign-on");
    /// needs --public-url, which the providers redirect back to
    #[arg(long, env = "CROSSWALK_OIDC_CONFIG")]
    pub oidc_config: Option<PathBuf>,
    /// Largest catalog file an organisation may import, in bytes (checked while the upload streams)
    #[arg(long, env = "CROSSWALK_IMPORT_MAX_BYTES", default_value_t = 20 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1..))]
    pub import_max_bytes: u64,
    /// Most requirements in a framework (and relations in a mapping set) an organisation may import
    #[arg(long, env = "CROSSWALK_IMPORT_MAX_REQUIREMENTS", default_value_t = 50_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub import_max_requirements: u64,
    /// Most requirements all of one organisation's own frameworks may hold together
    #[arg(long, env = "CROSSWALK_IMPORT_MAX_TOTAL_REQUIREMENTS", default_value_t = 500_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub import_max_total_requirements: u64,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create an organisation
    Create {
        /// URL-safe identifier, e.g. acme
        slug: String,
        /// Display name
        #[arg(long)]
        name: String,
    },
    /// List organisations
    List,
    /// Rename an organisation
    Rename {
        slug: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Invite someone: prints the one-time link (also e-mailed when SMTP is configured); the same
    /// output whether or not the address has an account
    Invite {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// admin, manager, contributor, auditor or viewer
        #[arg(long)]
        role: String,
    },
    /// Vouch for a member's address: prints a one-time verification link to pass on (also e-mailed
    /// when SMTP is configured); opening it, the person sets their account password and their
    /// membership of the organisation becomes part of the account
    Verify {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
    /// Add a person to an organisation directly, as the operator (creating a verified account if new)
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// admin, manager, contributor, auditor or viewer
        #[arg(long)]
        role: String,
        /// Display name (default: the part of the e-mail before @)
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input (first line) instead of generating one
        #[arg(long)]
        password_stdin: bool,
    },
    /// List an organisation's members
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Change a member's role, or disable/enable them (disabling ends their sessions and tokens)
    Update {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: Option<String>,
        #[arg(long, conflicts_with = "enable")]
        disable: bool,
        #[arg(long)]
        enable: bool,
    },
    /// Remove a member from an organisation
    Remove {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
    /// The single sign-on logins (issuer, subject) linked to an account
    Logins {
        #[arg(long)]
        email: String,
    },
    /// Remove a linked single sign-on login from an account (journaled in the organisation's chain)
    Unlink {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// The link's id, from `user logins`
        #[arg(long)]
        id: uuid::Uuid,
    },
}

#[derive(Debug, Subcommand)]
pub enum OidcCommand {
    /// The configured identity providers (without secrets) and the redirect URI to register at each
    List {
        #[arg(long, env = "CROSSWALK_OIDC_CONFIG")]
        oidc_config: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a member; prints the token on stdout and nothing else
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List an organisation's API tokens (never their secrets)
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Revoke an API token
    Revoke {
        #[arg(long)]
        tenant: String,
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Recompute an organisation's hash chain, MACs, record hashes and checkpoints; exit 1 naming the
    /// first bad entry (with --deep, also every row and evidence file that differs from the journal)
    Verify {
        /// The organisation whose chain to verify
        #[arg(long, required_unless_present = "installation", conflicts_with = "installation")]
        tenant: Option<String>,
        /// Verify the installation's chain (shared catalog, organisations, accounts) instead
        #[arg(long)]
        installation: bool,
        /// Also re-hash every live row of every journaled table and every evidence file, in one
        /// database snapshot, and compare each with its latest journaled state
        #[arg(long)]
        deep: bool,
        /// Also check the chain against a checkpoint an auditor kept (`crosswalk journal checkpoint`):
        /// detects truncation and any rewrite up to that entry
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<std::path::PathBuf>,
    },
    /// Export the latest signed checkpoint of an organisation's chain (signing one at the head first
    /// when needed) as JSON, for an auditor to keep and later pass to `journal verify --checkpoint`
    Checkpoint {
        #[arg(long)]
        tenant: String,
        /// Write to this file instead of standard output
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Print the instance's public key (PEM), which verifies every signed checkpoint
    PublicKey,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Register an incident; prints its id (`--format json`: the incident with its clocks)
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        /// When the organisation became aware (RFC 3339, or local time in --tz)
        #[arg(long)]
        aware_at: String,
        #[arg(long)]
        classified_at: Option<String>,
        #[arg(long, default_value = "UTC")]
        tz: String,
        /// nis2, gdpr or dora; repeat for several (default: NIS2, plus GDPR with --personal-data)
        #[arg(long = "regime")]
        regimes: Vec<String>,
        #[arg(long)]
        entity_type: Option<String>,
        #[arg(long)]
        personal_data: bool,
        #[arg(long)]
        cross_border: bool,
        /// A financial entity under DORA: the DORA clock runs instead of NIS2's (NIS2 Art 4(1), DORA Art 1(2))
        #[arg(long)]
        financial_entity: bool,
        #[arg(long, default_value = "")]
        affected_services: String,
        /// The entity's EU Member State (ISO 3166-1 alpha-2) for DORA's weekend and bank-holiday rule
        /// (2025/301 Art 5(4); national holidays only)
        #[arg(long)]
        member_state: Option<String>,
        /// Identified as essential or important under NIS2 Art 3 (2025/301 Art 5(5)); default: from the saved scoping
        #[arg(long)]
        nis2_identified: Option<bool>,
        /// The competent authority withdrew the weekend relief (2025/301 Art 5(6))
        #[arg(long)]
        dora_relief_withdrawn: bool,
    },
    /// Change an incident's facts; moving --aware-at or --classified-at after a submission needs --reason
    Update {
        #[arg(long)]
        tenant: String,
        id: String,
        #[arg(long)]
        aware_at: Option<String>,
        #[arg(long)]
        classified_at: Option<String>,
        /// significant or not_significant (NIS2 Art 23(3))
        #[arg(long)]
        significance: Option<String>,
        #[arg(long)]
        significance_reason: Option<String>,
        /// open or closed
        #[arg(long)]
        status: Option<String>,
        /// The entity's EU Member State for DORA's weekend and bank-holiday rule ("" clears it)
        #[arg(long)]
        member_state: Option<String>,
        #[arg(long)]
        reason: Option<String>,
        /// A JSON file of facts (financial_loss_eur, complete_unavailability_minutes, users_affected, …): the
        /// significance proposal (CIR 2024/2690 Arts 3-14 or NIS2 Art 23(3)) is computed and kept with the incident
        #[arg(long)]
        facts: Option<std::path::PathBuf>,
    },
    /// What the register proposes for an incident's significance from a JSON file of facts (nothing is saved)
    ProposeSignificance {
        #[arg(long)]
        tenant: String,
        id: String,
        #[arg(long)]
        facts: std::path::PathBuf,
    },
    /// List incidents with their next step
    List {
        #[arg(long)]
        tenant: String,
    },
    /// One incident with every regime's steps
    Show {
        #[arg(long)]
        tenant: String,
        id: String,
    },
    /// The report draft for one step, with the content the law requires (pre-filled where known)
    Draft {
        #[arg(long)]
        tenant: String,
        id: String,
        /// Step id, e.g. nis2_early_warning
        #[arg(long)]
        step: String,
    },
    /// Record that a step's report was submitted
    Submit {
        #[arg(long)]
        tenant: String,
        id: String,
        /// Step id, e.g. nis2_early_warning
        #[arg(long)]
        step: String,
        #[arg(long)]
        authority: String,
        #[arg(long, default_value = "")]
        reference: String,
        /// When it was sent (default: now)
        #[arg(long)]
        at: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BlobsCommand {
    /// Remove evidence files no evidence of any organisation refers to (left by refused or interrupted
    /// uploads) and leftover temp files, each older than an hour; every removal is logged
    Gc {
        /// Only list what would be removed
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Run the jobs that are due now, once (e.g. from cron when no server runs)
    Run,
}

#[derive(Debug, Subcommand)]
pub enum SupplierCommand {
    /// Suppliers with criticality, missing clauses, latest score and next review
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Add a supplier; prints its id
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        /// low, medium, high or critical
        #[arg(long)]
        criticality: String,
        #[arg(long, default_value = "")]
        services: String,
        /// Contract clause keys in place (repeat)
        #[arg(long = "clause")]
        clauses: Vec<String>,
    },
    /// Change criticality, the contract clauses in place (replaces the list) or the next review date
    Update {
        #[arg(long)]
        tenant: String,
        id: String,
        #[arg(long)]
        criticality: Option<String>,
        /// Contract clause keys in place (repeat); give none with --clear-clauses to empty the list
        #[arg(long = "clause")]
        clauses: Vec<String>,
        #[arg(long)]
        clear_clauses: bool,
        /// YYYY-MM-DD
        #[arg(long)]
        review_on: Option<chrono::NaiveDate>,
    },
    /// Record an assessment: --answer KEY=yes|partial|no (repeat; unanswered counts as no)
    Assess {
        #[arg(long)]
        tenant: String,
        id: String,
        #[arg(long = "answer")]
        answers: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ManagementCommand {
    /// Approvals, trainings and each member's standing (who is overdue)
    Show {
        #[arg(long)]
        tenant: String,
    },
    /// Record a member's decision on the risk-management measures
    Approve {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        member: String,
        #[arg(long)]
        document: String,
        #[arg(long)]
        version: String,
        /// approved, approved_with_conditions or rejected
        #[arg(long, default_value = "approved")]
        decision: String,
        /// YYYY-MM-DD
        #[arg(long)]
        on: chrono::NaiveDate,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record a member's completed training
    Train {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        member: String,
        #[arg(long)]
        course: String,
        /// YYYY-MM-DD
        #[arg(long)]
        completed_on: chrono::NaiveDate,
        /// YYYY-MM-DD
        #[arg(long)]
        valid_until: chrono::NaiveDate,
    },
}

#[derive(Debug, Subcommand)]
pub enum Nis2Command {
    /// Sectors, subsectors and entity types of NIS2 Annexes I and II (with the Art 2(2) size-independent types)
    Sectors,
    /// Essential, important or out of scope, with the articles, the maximum fine and the duties
    Scope {
        #[arg(long)]
        sector: Option<String>,
        #[arg(long)]
        subsector: Option<String>,
        /// Entity-type slug (see `crosswalk nis2 sectors`)
        #[arg(long)]
        entity_type: String,
        /// Staff headcount (annual work units)
        #[arg(long, allow_negative_numbers = true)]
        employees: i64,
        /// Annual (worldwide) turnover in EUR
        #[arg(long, allow_negative_numbers = true)]
        turnover_eur: i64,
        /// Annual balance-sheet total in EUR
        #[arg(long, allow_negative_numbers = true)]
        balance_eur: i64,
        /// Identified by the Member State under NIS2 Art 2(2)(b)-(e): essential (Art 3(1)(e)) or important (Art 3(2))
        #[arg(long)]
        identified_as: Option<String>,
        /// Identified as a critical entity under the CER Directive (EU) 2022/2557 (NIS2 Art 2(3), Art 3(1)(f))
        #[arg(long)]
        critical_entity: bool,
        /// Save the result as this organisation's scoping decision (journaled)
        #[arg(long, requires = "save")]
        tenant: Option<String>,
        /// With --tenant: save instead of only computing
        #[arg(long, requires = "tenant")]
        save: bool,
    },
    /// The registration record the organisation submits to its authority (NIS2 Art 3(4), Art 27(2))
    #[command(subcommand)]
    Registration(RegistrationCommand),
    /// The organisation's saved scoping decision
    /// Art 21(2)(a)-(j): readiness through the crosswalk, linked controls, ISO 27001 and CIR 2024/2690 beneath
    Art21 {
        #[arg(long)]
        tenant: String,
    },
    Profile {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Args)]
pub struct DeadlinesArgs {
    /// nis2, gdpr or dora
    #[arg(long)]
    pub regime: String,
    /// When the entity became aware: RFC 3339 (2026-11-27T02:13:00+01:00) or local time in --tz
    #[arg(long)]
    pub aware_at: String,
    /// When the incident was classified as significant (NIS2) or major (DORA)
    #[arg(long)]
    pub classified_at: Option<String>,
    /// NIS2 entity type (trust service providers notify within 24 h; credit_institution, central_counterparty
    /// and trading_venue_operator report under DORA and keep no weekend relief for the first two DORA reports)
    #[arg(long)]
    pub entity_type: Option<String>,
    /// The entity's IANA time zone; calendar months are counted in it (default: the --member-state's capital
    /// zone, else UTC)
    #[arg(long)]
    pub tz: Option<String>,
    /// The entity's EU Member State (ISO 3166-1 alpha-2, e.g. DE): DORA time limits on its weekends and
    /// national bank holidays move to noon of the next working day (Delegated Regulation (EU) 2025/301
    /// Art 5(4)); regional holidays are not considered
    #[arg(long)]
    pub member_state: Option<String>,
    /// The financial entity is identified as essential or important under NIS2 Art 3: no weekend relief for
    /// the DORA initial notification and intermediate report (2025/301 Art 5(5))
    #[arg(long)]
    pub nis2_identified: bool,
    /// The competent authority withdrew the weekend relief by notified decision (2025/301 Art 5(6))
    #[arg(long)]
    pub relief_withdrawn: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scale {
    Small,
    Medium,
    Large,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[arg(long, value_enum, default_value_t = Scale::Small)]
    pub scale: Scale,
    /// Only run benchmarks whose name starts with this
    #[arg(long)]
    pub only: Option<String>,
    /// PostgreSQL server for the postgres figures (a fresh database is created and dropped)
    #[arg(long, env = "CROSSWALK_BENCH_POSTGRES_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub postgres_url: String,
}

#[derive(Debug, Subcommand)]
pub enum FrameworkCommand {
    /// Bundled and imported frameworks with their requirement counts
    List {
        /// Show which frameworks this organisation follows
        #[arg(long)]
        tenant: Option<String>,
    },
    /// The requirement tree of a framework (ID is `slug` or `slug@version`)
    Show { id: String },
    /// Import an OSCAL catalog or profile (JSON) or a CISO Assistant library (YAML), all or nothing
    Import {
        file: std::path::PathBuf,
        /// Organisation whose journal records the import (default: the first one)
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Make the organisation follow a framework (controls can then link to it)
    Follow {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        framework: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MappingCommand {
    /// Relations seen from --from (a stored B subset A is listed as A superset B)
    List {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Per mapping set: relations by type, share of each side reached (at all and by credit), unreviewed credit-carrying relations
    Stats {
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Import a mapping file you bring: `--format scf-strm` reads a Secure Controls Framework STRM sheet (CSV export)
    Import {
        file: std::path::PathBuf,
        /// The framework the STRM file maps (its "focal document"), e.g. iso27001-2022
        #[arg(long)]
        focal: String,
        /// The organisation whose catalog receives it; without it the operator imports into the shared catalog
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ControlCommand {
    /// Create a control; prints its id
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        /// planned, partial, implemented or not_applicable
        #[arg(long, default_value = "planned")]
        status: String,
        #[arg(long)]
        justification: Option<String>,
    },
    /// The control satisfies a requirement directly
    Link {
        #[arg(long)]
        tenant: String,
        control_id: String,
        #[arg(long)]
        framework: String,
        #[arg(long = "ref")]
        reference: String,
    },
    /// Remove a direct link to a requirement
    Unlink {
        #[arg(long)]
        tenant: String,
        control_id: String,
        #[arg(long)]
        framework: String,
        #[arg(long = "ref")]
        reference: String,
    },
    /// Change a control's name, status, justification or owner (only what is given)
    Update {
        #[arg(long)]
        tenant: String,
        control_id: String,
        #[arg(long)]
        name: Option<String>,
        /// planned, partial, implemented or not_applicable
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        justification: Option<String>,
        /// E-mail of a member of the organisation ("" clears the owner)
        #[arg(long)]
        owner: Option<String>,
    },
    /// A control with every requirement it serves (direct and derived, with the path), its evidence and attestations
    Show {
        #[arg(long)]
        tenant: String,
        control_id: String,
    },
    /// Controls of the organisation
    List {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Store a file by content hash (or record a --link) and link it to controls
    Add {
        #[arg(long)]
        tenant: String,
        #[arg(required_unless_present = "link", conflicts_with = "link")]
        file: Option<std::path::PathBuf>,
        /// Evidence that is not a file: an http(s) URL, e.g. of a ticket or register entry (needs --name)
        #[arg(long, requires = "name")]
        link: Option<String>,
        /// Shown name (default: the file name)
        #[arg(long)]
        name: Option<String>,
        #[arg(long = "control")]
        controls: Vec<String>,
        /// YYYY-MM-DD
        #[arg(long)]
        valid_from: Option<chrono::NaiveDate>,
        /// YYYY-MM-DD
        #[arg(long)]
        valid_until: Option<chrono::NaiveDate>,
    },
    /// Evidence of the organisation, newest first
    List {
        #[arg(long)]
        tenant: String,
        /// Only items whose name contains this text
        #[arg(long)]
        name: Option<String>,
        /// At most this many items (1-1000)
        #[arg(long, default_value_t = 200)]
        limit: u64,
    },
    /// Link an existing evidence item to another control (collected once, serves many)
    Link {
        #[arg(long)]
        tenant: String,
        evidence_id: String,
        #[arg(long)]
        control: String,
    },
    /// Set the validity window (both dates are replaced; omit one to clear it)
    Update {
        #[arg(long)]
        tenant: String,
        evidence_id: String,
        /// YYYY-MM-DD
        #[arg(long)]
        valid_from: Option<chrono::NaiveDate>,
        /// YYYY-MM-DD
        #[arg(long)]
        valid_until: Option<chrono::NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AttestationCommand {
    /// A named member states that a control, or a requirement, is met (counted as attested, never proven)
    Add {
        #[arg(long)]
        tenant: String,
        /// E-mail of the member who attests (the record names this person)
        #[arg(long = "as")]
        person: String,
        #[arg(long, conflicts_with_all = ["framework", "reference"])]
        control: Option<String>,
        #[arg(long, requires = "reference")]
        framework: Option<String>,
        #[arg(long = "ref", requires = "framework")]
        reference: Option<String>,
        #[arg(long)]
        statement: String,
        /// YYYY-MM-DD; after this day the attestation no longer counts
        #[arg(long)]
        expires_on: Option<chrono::NaiveDate>,
    },
    /// Attestations (newest first), of one control or requirement when given
    List {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        control: Option<String>,
        #[arg(long, requires = "reference")]
        framework: Option<String>,
        #[arg(long = "ref", requires = "framework")]
        reference: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SoaCommand {
    /// The draft (or a published version) row by row
    Show {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        version: Option<i32>,
    },
    /// Decide whether Annex A controls apply (an exclusion needs --justification); --ref may repeat
    Decide {
        #[arg(long)]
        tenant: String,
        #[arg(long = "ref", required = true)]
        reference: Vec<String>,
        #[arg(long, action = clap::ArgAction::Set)]
        applicable: bool,
        #[arg(long)]
        justification: Option<String>,
    },
    /// Freeze the draft as the next version (refused, naming the row, while anything is unsettled)
    Publish {
        #[arg(long)]
        tenant: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Published versions with their approval
    Versions {
        #[arg(long)]
        tenant: String,
    },
    /// A named manager approves a published version (journaled; once per version)
    Approve {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        version: i32,
        /// E-mail of the approving member (needs a role that may manage compliance)
        #[arg(long = "as")]
        person: String,
    },
    /// What changed from one version to another (or to the draft)
    Diff {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        from: i32,
        #[arg(long)]
        to: Option<i32>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Spreadsheets: --what soa (the latest published version, or --version N; the draft if none)
    Xlsx {
        #[arg(long)]
        tenant: String,
        /// soa, risks or all (the risk register does not exist yet, so risks and all export the SoA only)
        #[arg(long, default_value = "soa")]
        what: String,
        #[arg(long)]
        version: Option<i32>,
        #[arg(short = 'o', long = "output")]
        output: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegistrationCommand {
    /// The record, when it last changed and when that change must be reported
    Show {
        #[arg(long)]
        tenant: String,
    },
    /// Save the record from a JSON file (name, address, emails, phones, ip_ranges, member_states, representative)
    Set {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Record the day the current content was reported to the competent authority
    Reported {
        #[arg(long)]
        tenant: String,
        /// YYYY-MM-DD
        #[arg(long)]
        on: String,
    },
}
