//! Opening the app, dispatching every command, and the server, organisation, user and token commands;
//! journal and pack commands are in `journal_cmd`, NIS2 and incident commands in `nis2_cmd`. Errors become one
//! line and exit 2; a failed check (journal verification) exits 1.
use crate::config::{Cli, Command, Format, ServeArgs, TenantCommand, TokenCommand, UserCommand};
use crate::output;
use anyhow::{Context, anyhow, bail};
use crosswalk_app::users::NewMember;
use crosswalk_app::{App, AppConfig, AppError, SystemClock};
use crosswalk_domain::Role;
use crosswalk_store::Store;
use crosswalk_store::blob_store::{BlobStore, FileBlobStore, S3BlobStore, S3Settings};
use std::process::ExitCode;
use std::sync::Arc;

/// Open the database, apply migrations, load the signing key: everything a command needs.
pub async fn open_app(cli: &Cli) -> anyhow::Result<App> {
    let (blob_dir, blob_store) = blob_store(cli)?;
    let store = Store::connect(&cli.database_url()).await?;
    if let Some(unknown) = store.newer_schema().await? {
        bail!("the database has a newer schema than this Crosswalk knows (migration {unknown}); use a newer version");
    }
    let key = crosswalk_app::keys::load_or_create_signing_key(&cli.data_dir).map_err(|e| anyhow!(e))?;
    // Schema and record hashes first; the bundled catalog is loaded by the app, which journals what a
    // new release changes in each organisation's readiness (`App::upgrade_catalog`).
    store.migrate_records(&crosswalk_journal::MacKey::derive(&key)).await?;
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
        blob_store: Some(blob_store),
        smtp,
        public_url: cli.public_url.clone(),
        import_limits,
        checkpoint_dir: Some(cli.data_dir.join("checkpoints")),
        ..AppConfig::default()
    };
    let app = App::new(store, Arc::new(SystemClock), key, config);
    app.upgrade_catalog().await.map_err(app_err)?;
    Ok(app)
}

/// The evidence store `--blob-store` names (default: files under DATA_DIR/blobs), and the directory
/// of a file store (the app's `blob_dir`; unused for S3).
fn blob_store(cli: &Cli) -> anyhow::Result<(std::path::PathBuf, BlobStore)> {
    let url = cli.blob_store.as_deref();
    if let Some(url) = url.filter(|u| u.starts_with("s3://")) {
        // The URL's own endpoint and region (s3://bucket/prefix?endpoint=…) win over the environment's.
        let from_url = S3Settings::from_url(url)?;
        let settings = S3Settings {
            endpoint: from_url.endpoint.clone().or_else(|| cli.s3_endpoint.clone()),
            region: from_url.region.clone().or_else(|| cli.s3_region.clone()),
            access_key_id: cli.aws_access_key_id.clone(),
            secret_access_key: cli.aws_secret_access_key.clone(),
            session_token: cli.aws_session_token.clone(),
            ..from_url
        };
        return Ok((cli.data_dir.join("blobs"), BlobStore::S3(S3BlobStore::new(&settings)?)));
    }
    let dir = match url {
        Some(url) if url.starts_with("file://") => std::path::PathBuf::from(url.trim_start_matches("file://")),
        Some(url) => bail!("unsupported blob store '{url}' (expected file://DIR or s3://bucket/prefix)"),
        None => cli.data_dir.join("blobs"),
    };
    Ok((dir.clone(), BlobStore::File(FileBlobStore::new(dir))))
}

/// The backup passphrase: the first line of `file`, else `CROSSWALK_BACKUP_PASSPHRASE`.
fn passphrase(file: Option<&std::path::Path>, from_env: Option<&str>) -> anyhow::Result<Option<String>> {
    if let Some(f) = file {
        let text = std::fs::read_to_string(f).with_context(|| format!("cannot read the passphrase file {}", f.display()))?;
        let line = text.lines().next().unwrap_or("").to_owned();
        if line.is_empty() {
            bail!("the passphrase file {} is empty", f.display());
        }
        return Ok(Some(line));
    }
    Ok(from_env.filter(|p| !p.is_empty()).map(str::to_owned))
}

async fn backup(
    cli: &Cli,
    output: &std::path::Path,
    with_key: bool,
    passphrase_file: Option<&std::path::Path>,
    from_env: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let pass = passphrase(passphrase_file, from_env)?;
    if with_key && pass.is_none() {
        bail!("--with-key needs a passphrase to encrypt the key: --passphrase-file FILE or CROSSWALK_BACKUP_PASSPHRASE");
    }
    if !with_key && passphrase_file.is_some() {
        bail!("--passphrase-file protects the signing key; add --with-key to include it");
    }
    let app = open_app(cli).await?;
    let s = app.backup(output, if with_key { pass.as_deref() } else { None }).await.map_err(app_err)?;
    output::print(
        cli.format,
        &s,
        &["file", "rows", "files", "bytes", "chains", "key"],
        vec![vec![
            s.file.clone(),
            s.rows.to_string(),
            s.files.to_string(),
            s.file_bytes.to_string(),
            s.chains.to_string(),
            if s.signing_key_included { "included (encrypted)".into() } else { format!("public only ({})", &s.public_key[..16]) },
        ]],
    )?;
    Ok(ExitCode::SUCCESS)
}

async fn restore(
    cli: &Cli,
    file: &std::path::Path,
    passphrase_file: Option<&std::path::Path>,
    public_key: Option<&std::path::Path>,
    from_env: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let pass = passphrase(passphrase_file, from_env)?;
    let expected = match public_key {
        Some(path) => {
            let pem = std::fs::read_to_string(path).with_context(|| format!("cannot read the public key {}", path.display()))?;
            Some(crosswalk_journal::public_key_from_pem(&pem).map_err(|e| anyhow!("{} is not a public key PEM: {e}", path.display()))?)
        }
        None => None,
    };
    // Not open_app: that would load the bundled catalog into the database the restore needs empty.
    let store = Store::connect(&cli.database_url()).await?;
    if let Some(unknown) = store.newer_schema().await? {
        bail!("the database has a newer schema than this Crosswalk knows (migration {unknown}); restore into a new database");
    }
    let target = crosswalk_app::backup::RestoreTarget { data_dir: cli.data_dir.clone(), blobs: blob_store(cli)?.1 };
    let result = crosswalk_app::backup::restore(&store, file, &target, pass.as_deref(), expected.as_ref()).await;
    store.close().await?;
    let s = result.map_err(app_err)?;
    let rows = s.chains.iter().map(|(c, seq, hash)| vec![c.to_string(), seq.to_string(), hash.clone()]).collect();
    output::print(cli.format, &s, &["chain", "head", "head hash"], rows)?;
    if matches!(cli.format, Format::Table) {
        eprintln!(
            "restored {} rows and {} evidence files ({} bytes); every record matched the journal; signing key {} ({})",
            s.rows,
            s.files,
            s.file_bytes,
            s.key,
            &s.public_key[..16]
        );
    }
    Ok(ExitCode::SUCCESS)
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
        Command::Oidc(crate::config::OidcCommand::List { oidc_config }) => crate::oidc_cmd::list(&cli, oidc_config),
        Command::User(c) => user(&cli, c).await,
        Command::Token(c) => token(&cli, c).await,
        Command::Journal(c) => crate::journal_cmd::journal(&cli, c).await,
        Command::Deadlines(args) => crate::nis2_cmd::deadlines(&cli, args),
        Command::Nis2(c) => crate::nis2_cmd::nis2(&cli, c).await,
        Command::Incident(c) => crate::nis2_cmd::incident(&cli, c).await,
        Command::Management(c) => crate::nis2_cmd::management(&cli, c).await,
        Command::Supplier(c) => crate::nis2_cmd::supplier(&cli, c).await,
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
        Command::Pack { tenant, framework, output: file } => crate::journal_cmd::pack(&cli, tenant, framework, file).await,
        Command::Backup { output, with_key, passphrase_file, passphrase_env } => {
            backup(&cli, output, *with_key, passphrase_file.as_deref(), passphrase_env.as_deref()).await
        }
        Command::Restore { file, passphrase_file, public_key, passphrase_env } => {
            restore(&cli, file, passphrase_file.as_deref(), public_key.as_deref(), passphrase_env.as_deref()).await
        }
        Command::Verify { file, public_key } => crate::journal_cmd::verify_pack(&cli, file, public_key.as_deref()),
    }
}

async fn serve(cli: &Cli, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let oidc = match &args.oidc_config {
        Some(path) => crate::oidc_cmd::load(path)?,
        None => Vec::new(),
    };
    if !oidc.is_empty() && cli.public_url.is_none() {
        return Err(anyhow!("--oidc-config needs --public-url: identity providers redirect back to it"));
    }
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
        crosswalk_web::WebConfig {
            secure_cookies: !args.insecure_cookies,
            trusted_proxies: args.trusted_proxies.clone(),
            limits: crosswalk_web::request_limits::Limits {
                evidence_max_bytes: args.max_evidence_bytes,
                // The import limit is checked on the file itself; a multipart form adds a little.
                import_max_bytes: args.import_max_bytes.saturating_add(1 << 20),
                body_max_bytes: args.max_body_bytes,
                request_timeout: std::time::Duration::from_secs(args.request_timeout),
                upload_idle: std::time::Duration::from_secs(60),
            },
            hsts_max_age: args.hsts_max_age,
            oidc,
        },
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
        UserCommand::Logins { email } => {
            let logins = app.operator_oidc_logins(email).await.map_err(app_err)?;
            if cli.format == Format::Json {
                output::line(&serde_json::to_string_pretty(&logins)?)?;
            } else if logins.is_empty() {
                output::line(&format!("{email} has no linked single sign-on logins"))?;
            }
            if cli.format != Format::Json {
                for l in &logins {
                    output::line(&format!("{}\t{}\t{}\t{}", l.id, l.issuer, l.subject, l.created_at.format("%Y-%m-%d %H:%M UTC")))?;
                }
            }
        }
        UserCommand::Unlink { tenant, email, id } => {
            app.operator_unlink_oidc(tenant, email, *id).await.map_err(app_err)?;
            output::line(&format!("unlinked {id} from {email}"))?;
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
