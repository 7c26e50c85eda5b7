//! Each command: open what it needs, make app calls, print. Errors become one line and exit 2;
//! a failed check (journal verification) exits 1.
use crate::config::{Cli, Command, Format, JournalCommand, ServeArgs, TenantCommand, TokenCommand, UserCommand};
use crate::output;
use anyhow::{Context, anyhow, bail};
use crosswalk_app::users::NewMember;
use crosswalk_app::{App, AppConfig, AppError, SystemClock};
use crosswalk_domain::Role;
use crosswalk_store::Store;
use std::process::ExitCode;
use std::sync::Arc;

/// Open the database, apply migrations, load the signing key: everything a command needs.
pub async fn open_app(cli: &Cli) -> anyhow::Result<App> {
    // Evidence blobs arrive with the evidence capability; the option is validated from day one.
    if let Some(blob) = &cli.blob_store
        && !(blob.starts_with("file://") || blob.starts_with("s3://"))
    {
        bail!("unsupported blob store '{blob}' (expected file://DIR or s3://bucket/prefix)");
    }
    let blob_dir = match cli.blob_store.as_deref() {
        Some(url) if url.starts_with("s3://") => bail!("the s3:// blob store is not available yet; use file://DIR"),
        Some(url) => std::path::PathBuf::from(url.trim_start_matches("file://")),
        None => cli.data_dir.join("blobs"),
    };
    let store = Store::connect(&cli.database_url()).await?;
    if let Some(unknown) = store.newer_schema().await? {
        bail!("the database has a newer schema than this Crosswalk knows (migration {unknown}); use a newer version");
    }
    let key = crosswalk_app::keys::load_or_create_signing_key(&cli.data_dir).map_err(|e| anyhow!(e))?;
    store.migrate(&crosswalk_journal::MacKey::derive(&key)).await?;
    let smtp = match &cli.smtp_url {
        Some(url) => {
            let settings = crosswalk_app::mail::SmtpSettings { url: url.clone(), from: cli.mail_from.clone() };
            crosswalk_app::mail::check_settings(&settings).map_err(app_err)?;
            Some(settings)
        }
        None => None,
    };
    let import_limits = match &cli.command {
        Command::Serve(args) => crosswalk_app::catalog::ImportLimits {
            max_bytes: args.import_max_bytes,
            max_requirements: usize::try_from(args.import_max_requirements).unwrap_or(usize::MAX),
            max_total_requirements: args.import_max_total_requirements,
        },
        _ => crosswalk_app::catalog::ImportLimits::default(),
    };
    let config = AppConfig {
        blob_dir,
        smtp,
        public_url: cli.public_url.clone(),
        import_limits,
        checkpoint_dir: Some(cli.data_dir.join("checkpoints")),
        ..AppConfig::default()
    };
    Ok(App::new(store, Arc::new(SystemClock), key, config))
}

/// App errors as CLI errors: the message already names what is wrong.
pub(crate) fn app_err(e: AppError) -> anyhow::Error {
    anyhow!(e.to_string())
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Serve(args) => serve(&cli, args).await,
        Command::Migrate => {
            let app = open_app(&cli).await?;
            app.startup_cleanup().await.map_err(app_err)?;
            eprintln!("migrations applied to {}", crosswalk_store::redact_url(&cli.database_url()));
            Ok(ExitCode::SUCCESS)
        }
        Command::Tenant(c) => tenant(&cli, c).await,
        Command::User(c) => user(&cli, c).await,
        Command::Token(c) => token(&cli, c).await,
        Command::Journal(c) => journal(&cli, c).await,
        Command::Deadlines(args) => deadlines(&cli, args),
        Command::Nis2(c) => nis2(&cli, c).await,
        Command::Incident(c) => incident(&cli, c).await,
        Command::Management(c) => management(&cli, c).await,
        Command::Supplier(c) => supplier(&cli, c).await,
        Command::Framework(_) | Command::Mapping(_) | Command::Coverage { .. } | Command::Readiness { .. } => {
            crate::catalog::run(&cli, &open_app(&cli).await?).await
        }
        Command::Control(_) | Command::Evidence(_) | Command::Attestation(_) | Command::Soa(_) | Command::Export(_) => {
            crate::compliance::run(&cli, &open_app(&cli).await?).await
        }
        Command::Jobs(crate::config::JobsCommand::Run) => {
            let app = open_app(&cli).await?;
            let done = app.run_scheduled_once().await.map_err(app_err)?;
            output::line(&format!(
                "ran {} job(s); took {} readiness snapshot(s); pinned {} journal checkpoint(s) in the data directory",
                done.jobs, done.snapshots, done.checkpoints_kept
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Blobs(crate::config::BlobsCommand::Gc { dry_run }) => {
            let app = open_app(&cli).await?;
            let report = app.gc_blobs(*dry_run).await.map_err(app_err)?;
            let verb = if *dry_run { "would remove" } else { "removed" };
            let mut rows: Vec<Vec<String>> =
                report.removed.iter().map(|b| vec![verb.to_owned(), b.sha256.clone(), b.size.to_string()]).collect();
            rows.extend(report.temp_files.iter().map(|t| vec![verb.to_owned(), t.clone(), "temp file".to_owned()]));
            output::print(cli.format, &report, &["action", "file", "size"], rows)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(args) => crate::bench::run(&cli, args).await,
        Command::Pack { tenant, framework, output: file } => {
            let app = open_app(&cli).await?;
            let op = app.operator(tenant).await.map_err(app_err)?;
            let out = std::fs::File::create(file).with_context(|| format!("cannot write {}", file.display()))?;
            let built = match app.build_pack(&op, framework, out).await {
                Ok(b) => b,
                Err(e) => {
                    // Nothing half-written is left behind.
                    let _ = std::fs::remove_file(file);
                    return Err(app_err(e));
                }
            };
            output::print(
                cli.format,
                &built,
                &["file", "bytes", "entries", "records", "evidence files", "checkpoint"],
                vec![vec![
                    file.display().to_string(),
                    built.bytes.to_string(),
                    built.entries.to_string(),
                    built.records.to_string(),
                    built.evidence_files.to_string(),
                    built.checkpoint_seq.to_string(),
                ]],
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { file, public_key } => verify_pack(&cli, file, public_key.as_deref()),
    }
}

/// `crosswalk verify FILE.zip`: needs no database, opens nothing but the pack (and the key file).
fn verify_pack(cli: &Cli, file: &std::path::Path, public_key: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    use crosswalk_journal::pack::{PackError, verify};
    let trusted = match public_key {
        Some(p) => {
            let pem = std::fs::read_to_string(p).with_context(|| format!("cannot read public key {}", p.display()))?;
            Some(crosswalk_journal::public_key_from_pem(&pem).map_err(|e| anyhow!("{} is not an ed25519 public key: {e}", p.display()))?)
        }
        None => None,
    };
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let started = std::time::Instant::now();
    match verify(std::io::BufReader::with_capacity(1 << 20, f), trusted.as_ref()) {
        Ok(s) => {
            let secs = started.elapsed().as_secs_f64();
            if cli.format == Format::Json {
                output::line(&serde_json::to_string_pretty(&s)?)?;
            } else {
                output::line(&format!(
                    "ok: pack of {} ({}) for {}: {} journal entries up to the signed checkpoint at entry {}, {} records, {} evidence files, {:.1} MB checked in {:.2} s; signed by {}{}",
                    s.tenant_name,
                    s.tenant,
                    s.framework,
                    s.entries,
                    s.checkpoint_seq,
                    s.records,
                    s.evidence_files,
                    s.bytes as f64 / 1e6,
                    secs,
                    s.public_key,
                    if trusted.is_some() {
                        " (the trusted key)"
                    } else {
                        " (compare with the installation's published key, or pass --public-key)"
                    }
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(PackError::Tampered(m)) => {
            eprintln!("verification failed: {m}");
            Ok(ExitCode::from(1))
        }
        Err(e) => bail!("{}: {e}", file.display()),
    }
}

async fn serve(cli: &Cli, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let app = open_app(cli).await?;
    app.startup_cleanup().await.map_err(app_err)?;
    let listener = tokio::net::TcpListener::bind(&args.listen).await.with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}/");
    if args.demo {
        let demo = app.ensure_demo().await.map_err(app_err)?;
        output::line(&format!("Crosswalk demo is running at {url}"))?;
        output::line(&format!("Log in as {} with password {}", demo.email, demo.password))?;
    } else {
        output::line(&format!("Crosswalk is running at {url}"))?;
    }
    tracing::info!(%addr, database = %crosswalk_store::redact_url(&cli.database_url()), "serving");
    let housekeeping = {
        let app = app.clone();
        tokio::spawn(async move { app.run_scheduler().await })
    };
    let router = crosswalk_web::router(
        app,
        crosswalk_web::WebConfig { secure_cookies: !args.insecure_cookies, trusted_proxies: args.trusted_proxies.clone() },
    );
    axum_serve(listener, router).await?;
    housekeeping.abort();
    Ok(ExitCode::SUCCESS)
}

async fn axum_serve(listener: tokio::net::TcpListener, router: axum::Router) -> anyhow::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server failed")
}

/// Ctrl-C or SIGTERM: stop accepting, finish in-flight requests, exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}

async fn tenant(cli: &Cli, c: &TenantCommand) -> anyhow::Result<ExitCode> {
    let app = open_app(cli).await?;
    match c {
        TenantCommand::Create { slug, name } => {
            let t = app.create_tenant(slug, name).await.map_err(app_err)?;
            output::print(cli.format, &t, &["id", "slug", "name"], vec![vec![t.id.to_string(), t.slug.clone(), t.name.clone()]])?;
        }
        TenantCommand::Rename { slug, name } => {
            let op = app.operator(slug).await.map_err(app_err)?;
            let t = app.rename_tenant(&op, name).await.map_err(app_err)?;
            output::print(cli.format, &t, &["id", "slug", "name"], vec![vec![t.id.to_string(), t.slug.clone(), t.name.clone()]])?;
        }
        TenantCommand::List => {
            let ts = app.list_all_tenants().await.map_err(app_err)?;
            let rows = ts.iter().map(|t| vec![t.slug.clone(), t.name.clone(), t.created_at.to_rfc3339()]).collect();
            output::print(cli.format, &ts, &["slug", "name", "created"], rows)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn generate_password() -> String {
    use rand::RngCore;
    let mut b = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

async fn user(cli: &Cli, c: &UserCommand) -> anyhow::Result<ExitCode> {
    let app = open_app(cli).await?;
    match c {
        UserCommand::Create { tenant, email, role, name, password_stdin } => {
            let role: Role = role.parse().map_err(|e| anyhow!("--role: {e}"))?;
            let op = app.operator(tenant).await.map_err(app_err)?;
            let (password, generated) = if *password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).context("cannot read the password from standard input")?;
                (line.trim_end_matches(['\n', '\r']).to_owned(), false)
            } else {
                (generate_password(), true)
            };
            let m = app
                .add_member(&op, NewMember { email: email.clone(), role, display_name: name.clone(), password: Some(password.clone()) })
                .await
                .map_err(app_err)?;
            if cli.format == Format::Json {
                let mut v = serde_json::to_value(&m)?;
                if generated {
                    v["password"] = serde_json::Value::String(password);
                }
                output::line(&serde_json::to_string_pretty(&v)?)?;
            } else {
                output::line(&format!("added {} to {} as {}", m.email, tenant, m.role))?;
                if generated {
                    output::line(&format!("initial password: {password}"))?;
                }
            }
        }
        UserCommand::Invite { tenant, email, role } => {
            let role: Role = role.parse().map_err(|e| anyhow!("--role: {e}"))?;
            let op = app.operator(tenant).await.map_err(app_err)?;
            let invited = app.invite(&op, crosswalk_app::NewInvitation { email: email.clone(), role }).await.map_err(app_err)?;
            if cli.format == Format::Json {
                output::line(&serde_json::to_string_pretty(&invited)?)?;
            } else {
                output::line(&invited.link)?;
            }
        }
        UserCommand::Verify { tenant, email } => {
            // The link, for the operator to pass on; the person sets their own account password.
            let link = app.operator_verify(tenant, email).await.map_err(app_err)?;
            output::line(&link)?;
        }
        UserCommand::Update { tenant, email, role, disable, enable } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let role = role.as_deref().map(str::parse::<Role>).transpose().map_err(|e| anyhow!("--role: {e}"))?;
            let disabled = if *disable {
                Some(true)
            } else if *enable {
                Some(false)
            } else {
                None
            };
            let member = app.member_by_email(&op, email).await.map_err(app_err)?;
            let m = app
                .change_member(&op, crosswalk_domain::UserId(member.id), crosswalk_app::users::MemberChange { role, disabled })
                .await
                .map_err(app_err)?;
            output::line(&format!("{} is {}{}", m.email, m.role, if m.disabled { " (disabled)" } else { "" }))?;
        }
        UserCommand::Remove { tenant, email } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let member = app.member_by_email(&op, email).await.map_err(app_err)?;
            app.remove_member(&op, crosswalk_domain::UserId(member.id)).await.map_err(app_err)?;
            output::line(&format!("removed {} from {tenant}", member.email))?;
        }
        UserCommand::List { tenant } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let ms = app.list_members(&op).await.map_err(app_err)?;
            let rows = ms
                .iter()
                .map(|m| {
                    vec![
                        m.email.clone(),
                        m.display_name.clone(),
                        m.role.to_string(),
                        if m.disabled { "disabled".into() } else { "active".into() },
                    ]
                })
                .collect();
            output::print(cli.format, &ms, &["email", "name", "role", "status"], rows)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn token(cli: &Cli, c: &TokenCommand) -> anyhow::Result<ExitCode> {
    let app = open_app(cli).await?;
    match c {
        TokenCommand::Create { tenant, email, name } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let member = app.member_by_email(&op, email).await.map_err(app_err)?;
            let created = app.create_token(&op, Some(crosswalk_domain::UserId(member.id)), name).await.map_err(app_err)?;
            // The contract: the token on stdout and nothing else, whatever the format.
            output::line(&created.secret)?;
        }
        TokenCommand::List { tenant } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let tokens = app.list_tokens(&op).await.map_err(app_err)?;
            let rows = tokens
                .iter()
                .map(|t| {
                    let state = if t.revoked_at.is_some() { "revoked" } else { "active" };
                    vec![t.id.to_string(), t.name.clone(), t.prefix.clone(), t.owner_email.clone().unwrap_or_default(), state.to_owned()]
                })
                .collect();
            output::print(cli.format, &tokens, &["id", "name", "prefix", "owner", "state"], rows)?;
        }
        TokenCommand::Revoke { tenant, id } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let id: crosswalk_domain::TokenId = id.parse().map_err(|_| anyhow!("'{id}' is not a token id"))?;
            let t = app.revoke_token(&op, id).await.map_err(app_err)?;
            output::line(&format!("revoked {} ({}…)", t.name, t.prefix))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn supplier(cli: &Cli, c: &crate::config::SupplierCommand) -> anyhow::Result<ExitCode> {
    use crate::config::SupplierCommand;
    use crosswalk_app::suppliers::{NewAssessment, NewSupplier, SupplierView};
    let app = open_app(cli).await?;
    let print_one = |s: &SupplierView| -> anyhow::Result<()> {
        let score = s.latest_assessment.as_ref().map_or_else(|| "never".to_owned(), |a| format!("{} %", a.score));
        let rows = vec![vec![
            s.id.to_string(),
            s.name.clone(),
            s.criticality.as_str().to_owned(),
            s.missing_clauses.len().to_string(),
            score,
            s.next_review_on.to_string(),
        ]];
        output::print(cli.format, s, &["id", "name", "criticality", "missing clauses", "score", "next review"], rows)
    };
    match c {
        SupplierCommand::List { tenant } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let list = app.list_suppliers(&op).await.map_err(app_err)?;
            let rows = list
                .iter()
                .map(|s| {
                    let score = s.latest_assessment.as_ref().map_or_else(|| "never".to_owned(), |a| format!("{} %", a.score));
                    let review = format!("{}{}", s.next_review_on, if s.review_overdue { " OVERDUE" } else { "" });
                    vec![
                        s.id.to_string(),
                        s.name.clone(),
                        s.criticality.as_str().to_owned(),
                        s.missing_clauses.len().to_string(),
                        score,
                        review,
                    ]
                })
                .collect();
            output::print(cli.format, &list, &["id", "name", "criticality", "missing clauses", "score", "next review"], rows)?;
        }
        SupplierCommand::Create { tenant, name, criticality, services, clauses } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let criticality = criticality.parse().map_err(|e: crosswalk_domain::ValidationError| anyhow!(e.to_string()))?;
            let new = NewSupplier {
                name: name.clone(),
                services: services.clone(),
                criticality,
                contact: String::new(),
                clauses: clauses.clone(),
                next_review_on: None,
            };
            let s = app.create_supplier(&op, new).await.map_err(app_err)?;
            if cli.format == Format::Json { print_one(&s)? } else { output::line(&s.id.to_string())? }
        }
        SupplierCommand::Update { tenant, id, criticality, clauses, clear_clauses, review_on } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let id = uuid::Uuid::parse_str(id).map_err(|_| anyhow!("'{id}' is not a supplier id"))?;
            let criticality = criticality
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: crosswalk_domain::ValidationError| anyhow!(e.to_string()))?;
            let clauses = if *clear_clauses || !clauses.is_empty() { Some(clauses.clone()) } else { None };
            let change = crosswalk_app::suppliers::SupplierChange { criticality, clauses, next_review_on: *review_on };
            let s = app.change_supplier(&op, id, change).await.map_err(app_err)?;
            print_one(&s)?;
        }
        SupplierCommand::Assess { tenant, id, answers } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let id = uuid::Uuid::parse_str(id).map_err(|_| anyhow!("'{id}' is not a supplier id"))?;
            let mut map = std::collections::BTreeMap::new();
            for a in answers {
                let (k, v) = a.split_once('=').ok_or_else(|| anyhow!("--answer '{a}': expected KEY=yes|partial|no"))?;
                let v = serde_json::from_value(serde_json::Value::String(v.to_owned()))
                    .map_err(|_| anyhow!("--answer '{a}': the answer must be yes, partial or no"))?;
                map.insert(k.to_owned(), v);
            }
            let s = app.assess_supplier(&op, id, NewAssessment { answers: map, assessed_on: None }).await.map_err(app_err)?;
            print_one(&s)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn management(cli: &Cli, c: &crate::config::ManagementCommand) -> anyhow::Result<ExitCode> {
    use crate::config::ManagementCommand;
    use crosswalk_app::management::{NewApproval, NewTraining};
    let app = open_app(cli).await?;
    match c {
        ManagementCommand::Show { tenant } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let o = app.management_overview(&op).await.map_err(app_err)?;
            let rows = o
                .members
                .iter()
                .map(|m| {
                    let until = m.trained_until.map_or_else(|| "never trained".to_owned(), |d| d.to_string());
                    vec![m.member.clone(), until, if m.overdue { "OVERDUE".into() } else { "ok".into() }]
                })
                .collect();
            output::print(cli.format, &o, &["member", "trained until", "training"], rows)?;
        }
        ManagementCommand::Approve { tenant, member, document, version, decision, on, note } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let new = NewApproval {
                member: member.clone(),
                document: document.clone(),
                document_version: version.clone(),
                decision: decision.clone(),
                decided_on: *on,
                note: note.clone(),
            };
            let a = app.record_approval(&op, new).await.map_err(app_err)?;
            output::line(&a.id.to_string())?;
        }
        ManagementCommand::Train { tenant, member, course, completed_on, valid_until } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let new =
                NewTraining { member: member.clone(), course: course.clone(), completed_on: *completed_on, valid_until: *valid_until };
            let t = app.record_training(&op, new).await.map_err(app_err)?;
            output::line(&t.id.to_string())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_incident(cli: &Cli, i: &crosswalk_app::incidents::IncidentView) -> anyhow::Result<()> {
    let rows = i
        .clocks
        .iter()
        .flat_map(|c| {
            c.steps.iter().map(move |s| {
                let mut due = s.step.due.as_ref().map(ToString::to_string).unwrap_or_else(|| s.step.rule.to_owned());
                if let Some(m) = &s.step.moved_from {
                    due.push_str(&format!(" (moved from {m})"));
                }
                let state = match (&s.submitted, s.overdue) {
                    (Some(sub), _) => format!("submitted{}", if sub.late { " (late)" } else { "" }),
                    (None, true) => "OVERDUE".to_owned(),
                    (None, false) => String::new(),
                };
                vec![c.regime.to_string(), s.step.id.to_owned(), due, state, s.step.basis.to_owned()]
            })
        })
        .collect();
    output::print(cli.format, i, &["regime", "step", "due", "state", "basis"], rows)?;
    if cli.format != Format::Json {
        for s in i.clocks.iter().flat_map(|c| c.steps.iter()) {
            for n in &s.step.notes {
                output::line(&format!("note ({}): {n}", s.step.id))?;
            }
        }
        if let Some(c) = &i.holiday_calendar {
            output::line(&format!("calendar: {c}"))?;
        }
    }
    Ok(())
}

async fn incident(cli: &Cli, c: &crate::config::IncidentCommand) -> anyhow::Result<ExitCode> {
    use crate::config::IncidentCommand;
    use crosswalk_app::incidents::{NewIncident, NewSubmission};
    let app = open_app(cli).await?;
    let parse_id = |id: &str| uuid::Uuid::parse_str(id).map_err(|_| anyhow!("'{id}' is not an incident id"));
    match c {
        IncidentCommand::Update {
            tenant,
            id,
            aware_at,
            classified_at,
            significance,
            significance_reason,
            status,
            member_state,
            reason,
        } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let change = crosswalk_app::incidents::IncidentChange {
                aware_at: aware_at.clone(),
                classified_at: classified_at.clone(),
                significance: significance.clone(),
                significance_reason: significance_reason.clone(),
                status: status.clone(),
                member_state: member_state.clone(),
                reason: reason.clone(),
                ..Default::default()
            };
            let i = app.change_incident(&op, parse_id(id)?, change).await.map_err(app_err)?;
            print_incident(cli, &i)?;
        }
        IncidentCommand::Create {
            tenant,
            title,
            description,
            aware_at,
            classified_at,
            tz,
            regimes,
            entity_type,
            personal_data,
            cross_border,
            financial_entity,
            affected_services,
            member_state,
            nis2_identified,
            dora_relief_withdrawn,
        } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let new = NewIncident {
                title: title.clone(),
                description: description.clone(),
                aware_at: aware_at.clone(),
                classified_at: classified_at.clone(),
                tz: tz.clone(),
                regimes: regimes.clone(),
                entity_type: entity_type.clone(),
                personal_data: *personal_data,
                cross_border: *cross_border,
                financial_entity: *financial_entity,
                affected_services: affected_services.clone(),
                member_state: member_state.clone(),
                nis2_identified: *nis2_identified,
                dora_relief_withdrawn: *dora_relief_withdrawn,
            };
            let i = app.create_incident(&op, new).await.map_err(app_err)?;
            if cli.format == Format::Json {
                output::line(&serde_json::to_string_pretty(&i)?)?;
            } else {
                output::line(&i.id.to_string())?;
            }
        }
        IncidentCommand::List { tenant } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let list = app.list_incidents(&op).await.map_err(app_err)?;
            let rows = list
                .iter()
                .map(|i| {
                    let next = i.next_step.as_ref().map_or(String::new(), |s| {
                        format!("{} {}", s.step.id, s.step.due.as_ref().map(ToString::to_string).unwrap_or_default())
                    });
                    vec![i.id.to_string(), i.title.clone(), i.aware_at.to_rfc3339(), next]
                })
                .collect();
            output::print(cli.format, &list, &["id", "title", "aware at", "next step"], rows)?;
        }
        IncidentCommand::Show { tenant, id } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let i = app.get_incident(&op, parse_id(id)?).await.map_err(app_err)?;
            print_incident(cli, &i)?;
        }
        IncidentCommand::Draft { tenant, id, step } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let d = app.incident_draft(&op, parse_id(id)?, step).await.map_err(app_err)?;
            let rows = d
                .fields
                .iter()
                .map(|f| vec![f.label.to_owned(), f.value.clone().unwrap_or_else(|| "(to complete)".into()), f.basis.to_owned()])
                .collect();
            output::print(cli.format, &d, &["item", "content", "basis"], rows)?;
        }
        IncidentCommand::Submit { tenant, id, step, authority, reference, at } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let new =
                NewSubmission { step: step.clone(), authority: authority.clone(), reference: reference.clone(), submitted_at: at.clone() };
            let i = app.record_submission(&op, parse_id(id)?, new).await.map_err(app_err)?;
            print_incident(cli, &i)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Scoping is pure computation; only saving or reading the organisation's decision opens the database.
async fn nis2(cli: &Cli, c: &crate::config::Nis2Command) -> anyhow::Result<ExitCode> {
    use crate::config::Nis2Command;
    match c {
        Nis2Command::Sectors => {
            let types = crosswalk_app::nis2::sectors();
            let rows = types
                .iter()
                .map(|t| {
                    let annex = serde_json::to_value(t.annex).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                    vec![annex, t.sector.to_owned(), t.subsector.unwrap_or("").to_owned(), t.slug.to_owned(), t.name.to_owned()]
                })
                .collect();
            output::print(cli.format, &types, &["annex", "sector", "subsector", "entity type", "name"], rows)?;
        }
        Nis2Command::Art21 { tenant } => {
            let app = open_app(cli).await?;
            let op = app.operator(tenant).await.map_err(app_err)?;
            let view = app.art21(&op).await.map_err(app_err)?;
            let rows = view
                .measures
                .iter()
                .map(|m| {
                    vec![
                        m.measure.reference.clone(),
                        m.measure.state.as_str().to_owned(),
                        m.controls.join("; "),
                        m.iso27001
                            .iter()
                            .map(|r| {
                                format!(
                                    "{} {}{}",
                                    r.relation,
                                    r.reference,
                                    r.state.map(|s| format!(" ({})", s.as_str())).unwrap_or_default()
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                        m.cir_sections.iter().map(|r| r.reference.clone()).collect::<Vec<_>>().join(", "),
                    ]
                })
                .collect();
            output::print(cli.format, &view, &["measure", "state", "controls", "ISO/IEC 27001", "CIR 2024/2690 sections"], rows)?;
        }
        Nis2Command::Profile { tenant } => {
            let app = open_app(cli).await?;
            let op = app.operator(tenant).await.map_err(app_err)?;
            let p = app.nis2_profile(&op).await.map_err(app_err)?;
            output::line(&serde_json::to_string_pretty(&p)?)?;
        }
        Nis2Command::Scope { sector, subsector, entity_type, employees, turnover_eur, balance_eur, tenant, save } => {
            let q = crosswalk_domain::nis2::ScopeInput {
                entity_type: entity_type.clone(),
                sector: sector.clone(),
                subsector: subsector.clone(),
                employees: *employees,
                turnover_eur: *turnover_eur,
                balance_eur: *balance_eur,
            };
            let r = match (tenant, save) {
                (Some(t), true) => {
                    let app = open_app(cli).await?;
                    let op = app.operator(t).await.map_err(app_err)?;
                    app.save_nis2_profile(&op, q).await.map_err(app_err)?.result
                }
                _ => crosswalk_app::nis2::scope(&q).map_err(app_err)?,
            };
            if cli.format == Format::Json {
                output::line(&serde_json::to_string_pretty(&r)?)?;
            } else {
                let class = serde_json::to_value(r.classification)?;
                output::line(&format!(
                    "{} ({} entity, Annex {:?}) — {}",
                    class.as_str().unwrap_or_default(),
                    r.entity_type,
                    r.annex,
                    r.basis.join(", ")
                ))?;
                if let Some(f) = &r.max_fine {
                    output::line(&format!("maximum fine: at least EUR {} ({})", f.amount_eur, f.basis))?;
                }
                for d in &r.duties {
                    output::line(&format!("- {d}"))?;
                }
                if let Some(l) = &r.lex_specialis {
                    output::line(&format!("{} replaces ({}):", l.act, l.basis.join(", ")))?;
                    for d in &l.replaces {
                        output::line(&format!("- {} -> {}", d.nis2, d.replaced_by))?;
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn deadlines(cli: &Cli, a: &crate::config::DeadlinesArgs) -> anyhow::Result<ExitCode> {
    let q = crosswalk_app::clocks::DeadlineQuery {
        regime: a.regime.clone(),
        aware_at: a.aware_at.clone(),
        classified_at: a.classified_at.clone(),
        entity_type: a.entity_type.clone(),
        tz: a.tz.clone(),
        member_state: a.member_state.clone(),
        nis2_identified: a.nis2_identified,
        relief_withdrawn: a.relief_withdrawn,
    };
    let report = crosswalk_app::clocks::compute(&q).map_err(app_err)?;
    let rows = report
        .steps
        .iter()
        .map(|s| {
            let mut due = match (&s.due, s.provisional) {
                (Some(d), false) => d.to_string(),
                (Some(d), true) => format!("{d} (provisional)"),
                (None, _) => s.rule.to_owned(),
            };
            if let Some(m) = &s.moved_from {
                due.push_str(&format!(" (moved from {m})"));
            }
            vec![s.name.to_owned(), due, s.basis.to_owned()]
        })
        .collect();
    output::print(cli.format, &report, &["step", "due", "basis"], rows)?;
    if cli.format != Format::Json {
        // The reasons belong beside the table: a moved or zero-length limit must never look arbitrary.
        for s in &report.steps {
            for n in &s.notes {
                output::line(&format!("note ({}): {n}", s.name))?;
            }
        }
        for n in &report.notes {
            output::line(&format!("note: {n}"))?;
        }
        if let Some(c) = &report.holiday_calendar {
            output::line(&format!("calendar: {c}"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn journal(cli: &Cli, c: &JournalCommand) -> anyhow::Result<ExitCode> {
    let app = open_app(cli).await?;
    match c {
        JournalCommand::Verify { tenant, installation, deep, checkpoint } => {
            // A kept checkpoint that cannot be read is bad input (exit 2), before any work is done.
            let kept = match checkpoint {
                Some(path) => {
                    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read checkpoint {}", path.display()))?;
                    let cp: crosswalk_journal::Checkpoint = serde_json::from_str(&text)
                        .map_err(|e| anyhow!("{} is not a Crosswalk journal checkpoint: {e}", path.display()))?;
                    Some(cp)
                }
                None => None,
            };
            // Verification only reads: no checkpoint is signed from the command line.
            let (r, op) = match (tenant, installation) {
                (Some(t), false) => {
                    let op = app.operator(t).await.map_err(app_err)?;
                    (app.verify_journal_with(&op, false, *deep).await.map_err(app_err)?, Some(op))
                }
                _ => {
                    if kept.is_some() {
                        bail!("--checkpoint works with --tenant; the installation's checkpoints are checked by --installation itself");
                    }
                    (app.verify_installation_journal(false, *deep).await.map_err(app_err)?, None)
                }
            };
            let against = match (&kept, &op) {
                (Some(cp), Some(op)) => Some(app.verify_against_checkpoint(op, cp).await.map_err(app_err)?),
                _ => None,
            };
            let ok = r.ok && against.as_ref().is_none_or(|c| c.ok);
            if cli.format == Format::Json {
                let mut v = serde_json::to_value(&r)?;
                v["ok"] = ok.into();
                v["checkpoint"] = serde_json::to_value(&against)?;
                output::line(&serde_json::to_string_pretty(&v)?)?;
            } else if ok {
                let mut line = format!(
                    "ok: {} entries, head {} {}, {} signed checkpoint(s) valid",
                    r.entries, r.head_seq, r.head_hash, r.checkpoints_verified
                );
                if r.deep {
                    line.push_str(&format!(
                        "; {} records and {} evidence files ({:.1} MB) match the journal",
                        r.records_checked,
                        r.files_checked,
                        r.file_bytes as f64 / 1e6
                    ));
                }
                if let (Some(cp), Some(c)) = (&kept, &against) {
                    line.push_str(&format!(
                        "; unchanged since the kept checkpoint at entry {}{}",
                        cp.seq,
                        if c.current_key { "" } else { " (signed by an earlier key)" }
                    ));
                }
                output::line(&format!("{line} ({:.1} ms)", r.elapsed_ms))?;
            }
            if !ok {
                if let Some(p) = r.problem.as_deref().filter(|_| r.record_problems.is_empty()) {
                    eprintln!("verification failed: {p}");
                }
                for p in &r.record_problems {
                    eprintln!("verification failed: {}", p.detail);
                }
                if r.record_problem_count > r.record_problems.len() as u64 {
                    eprintln!("... and {} more", r.record_problem_count - r.record_problems.len() as u64);
                }
                if let Some(c) = against.filter(|c| !c.ok) {
                    eprintln!("verification failed: {}", c.problem.unwrap_or_default());
                }
                return Ok(ExitCode::from(1));
            }
        }
        JournalCommand::Checkpoint { tenant, output: file } => {
            let op = app.operator(tenant).await.map_err(app_err)?;
            let cp = app.export_checkpoint(&op).await.map_err(app_err)?;
            let json = serde_json::to_string_pretty(&cp)?;
            match file {
                Some(path) => {
                    std::fs::write(path, format!("{json}\n")).with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("checkpoint at entry {} written to {}", cp.seq, path.display());
                }
                None => output::line(&json)?,
            }
        }
        JournalCommand::PublicKey => output::line(app.public_key_pem().map_err(app_err)?.trim_end())?,
    }
    Ok(ExitCode::SUCCESS)
}
