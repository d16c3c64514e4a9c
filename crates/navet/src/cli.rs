//! Sub-commands (see CONTRACTS.md for the stable interface).

use domain::ids::AccountId;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use domain::access::{Role, Scope};
use navet_store::audit::Who;
use navet_store::{accounts, demo, migrate, seed};
use navet_web::{AppState, Config};

use crate::config::Settings;

#[derive(Parser)]
#[command(
    name = "navet",
    version,
    about = "Navet – kompetensutveckling för vård och omsorg"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Create (if missing) an embedded database with demo data, and serve it.
    Demo(DemoArgs),
    /// Serve an existing database.
    Serve(ServeArgs),
    /// Create or upgrade the schema (safe to run twice).
    Migrate(DbArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Import historical participations or a funding programme.
    #[command(subcommand)]
    Import(crate::import::ImportCmd),
    /// HR titles read as Navet roles by every import (`map`, `mappings`).
    #[command(subcommand)]
    Roles(crate::roles::RolesCmd),
    /// Data protection: register extracts, erasure, the retention schedule and legal holds (docs/privacy.md).
    #[command(subcommand)]
    Privacy(crate::privacy::PrivacyCmd),
    /// Export participations in the import format, to move them to another instance.
    #[command(subcommand)]
    Export(crate::export::ExportCmd),
    /// Reports as files: the indicator report as JSON, CSV or XLSX.
    #[command(subcommand)]
    Report(crate::report::ReportCmd),
    /// A consistent backup while the server runs (SQLite or PostgreSQL).
    Backup(crate::backup::BackupArgs),
    /// The audit log: check that no entry was changed, removed or slipped in.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Measure: `bench booking` (load test), `bench pages` (every page per role), `bench data` (national data set).
    #[command(subcommand)]
    Bench(crate::bench::BenchCmd),
}

#[derive(Args)]
pub struct DbArgs {
    /// sqlite://PATH or postgres://… (or NAVET_DATABASE_URL)
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Args)]
pub struct DemoArgs {
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    #[arg(long, default_value = "./navet-data")]
    pub data_dir: PathBuf,
    /// Configuration file (TOML): sign-in providers (see README); or NAVET_CONFIG.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Args)]
pub struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    #[arg(long)]
    pub database_url: Option<String>,
    /// Configuration file (TOML): sign-in providers (see README); or NAVET_CONFIG.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// Add an account.
    Add(UserAddArgs),
    /// Remove an account's two-step verification (a lost phone): it is
    /// set up again at the next sign-in with a password.
    ResetSecondFactor(UserEmailArgs),
}

#[derive(Args)]
pub struct UserEmailArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// admin, coordinator, trainer, manager or participant
    #[arg(long)]
    pub role: String,
    /// For a manager: the municipality they are responsible for.
    #[arg(long)]
    pub municipality: Option<String>,
    /// Read the password from standard input (otherwise one is generated and printed).
    #[arg(long)]
    pub password_stdin: bool,
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Print a new API bearer token for a user (last line of output).
    Create(TokenArgs),
    /// List tokens, one a line: id, owner, name, created, expires, last used, state.
    List(TokenListArgs),
    /// Revoke a token; it stops working at once.
    Revoke(TokenRevokeArgs),
}

#[derive(Args)]
pub struct TokenArgs {
    #[arg(long)]
    pub email: String,
    /// What the token is for (shown in lists).
    #[arg(long, default_value = "kommandoraden")]
    pub name: String,
    /// Days until it expires (default 90).
    #[arg(long, conflicts_with = "no_expiry")]
    pub expires_days: Option<String>,
    /// A service token that never expires.
    #[arg(long)]
    pub no_expiry: bool,
    /// The token may only read (GET and HEAD).
    #[arg(long)]
    pub read_only: bool,
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Args)]
pub struct TokenListArgs {
    /// Only this account's tokens.
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Args)]
pub struct TokenRevokeArgs {
    /// The token's id (first column of `navet token list`).
    pub id: i64,
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Check the audit log's hash chain: OK with the count, or the first broken entry.
    Verify(DbArgs),
}

/// The configuration file's sign-in providers, their secrets taken from the
/// environment variables the file names.
fn sign_in_providers(file: Option<&std::path::Path>) -> Result<Vec<navet_web::oidc::Provider>> {
    let Some(file) = file else {
        return Ok(Vec::new());
    };
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("kunde inte läsa {}", file.display()))?;
    let parsed = navet_web::oidc::FileConfig::parse(&text)
        .map_err(|m| anyhow::anyhow!("{}: {m}", file.display()))?;
    parsed
        .providers(|var| std::env::var(var).ok())
        .map_err(|m| anyhow::anyhow!("{}: {m}", file.display()))
}

/// The web tier's settings for serving on `bind:port`. Cookies are
/// `Secure` (and get the `__Host-` name) when people reach Navet over HTTPS
/// or on this machine; NAVET_SECURE_COOKIES=0/1 overrides.
fn web_config(
    settings: &Settings,
    bind: &str,
    port: u16,
    demo: bool,
    outbox_dir: Option<PathBuf>,
    config_flag: Option<PathBuf>,
) -> Result<Config> {
    let local = matches!(bind, "127.0.0.1" | "localhost" | "::1");
    let public_url = settings.public_url.clone().unwrap_or_else(|| {
        let host = if local { "localhost" } else { bind };
        format!("http://{host}:{port}")
    });
    let secure_cookies = settings
        .secure_cookies
        .unwrap_or(public_url.starts_with("https://") || local);
    let config_file = config_flag.or_else(|| settings.config_file.clone());
    Ok(Config {
        secure_cookies,
        trust_proxy: settings.trust_proxy,
        idle_timeout_secs: settings.idle_timeout_secs,
        session_max_secs: settings.session_max_secs,
        public_url: public_url.trim_end_matches('/').to_string(),
        outbox_dir: settings.outbox_dir.clone().or(outbox_dir),
        smtp_url: settings.smtp_url.clone(),
        mail_from: settings.mail_from.clone(),
        demo,
        oidc: sign_in_providers(config_file.as_deref())?,
        retention: crate::config::retention_schedule(config_file.as_deref())?,
        unusual_reads_per_day: settings.unusual_reads_per_day,
    })
}

async fn serve_app(db: navet_store::Db, bind: &str, port: u16, config: Config) -> Result<()> {
    let addr: SocketAddr = format!("{bind}:{port}")
        .parse()
        .or_else(|_| format!("[{bind}]:{port}").parse())
        .with_context(|| format!("ogiltig adress {bind}:{port}"))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("kunde inte lyssna på {addr}"))?;
    let state = AppState::new(db, config);
    navet_web::notify::start(&state)?;
    let app = navet_web::app(state);
    axum_serve(listener, app).await
}

async fn axum_serve(listener: tokio::net::TcpListener, app: axum::Router) -> Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

pub async fn demo(a: DemoArgs, settings: &Settings) -> Result<()> {
    std::fs::create_dir_all(&a.data_dir)
        .with_context(|| format!("kunde inte skapa {}", a.data_dir.display()))?;
    let db_path = a.data_dir.join("navet.db");
    let url = format!("sqlite://{}", db_path.display());
    let db = settings.open_db(&url).await?;
    migrate::run(&db).await?;
    seed::load_reference(&db).await?;
    if demo::loaded(&db).await? {
        println!(
            "Demodatabasen {} finns redan; dess data behålls.",
            db_path.display()
        );
    } else {
        println!("Skapar demodata i {} …", db_path.display());
        let hash = navet_web::password::hash(demo::DEMO_PASSWORD.to_string()).await;
        demo::load(&db, &hash).await?;
    }
    let config = web_config(
        settings,
        &a.bind,
        a.port,
        true,
        Some(a.data_dir.join("outbox")),
        a.config,
    )?;
    println!();
    println!("Navet körs på {}", config.public_url);
    println!("Demoinloggningar (lösenord: {}):", demo::DEMO_PASSWORD);
    for (role, email) in demo::DEMO_LOGINS {
        println!("  {role:<12} {email}");
    }
    println!("Avsluta med Ctrl+C.");
    serve_app(db, &a.bind, a.port, config).await
}

pub async fn serve(a: ServeArgs, settings: &Settings) -> Result<()> {
    let db = settings.db(a.database_url).await?;
    let pending = migrate::run(&db).await?;
    if !pending.is_empty() {
        tracing::info!("migrations applied: {}", pending.join(", "));
    }
    seed::load_reference(&db).await?;
    let config = web_config(settings, &a.bind, a.port, false, None, a.config)?;
    println!("Navet körs på {}", config.public_url);
    serve_app(db, &a.bind, a.port, config).await
}

pub async fn migrate(a: DbArgs, settings: &Settings) -> Result<()> {
    let db = settings.db(a.database_url).await?;
    let applied = migrate::run(&db).await?;
    let loaded = seed::load_reference(&db).await?;
    if applied.is_empty() {
        println!("Databasen är redan aktuell.");
    } else {
        for m in &applied {
            println!("migrerat: {m}");
        }
    }
    if loaded {
        println!("Referensdata inläst: kommuner, yrkesroller, kompetensområden.");
    }
    db.close().await;
    Ok(())
}

pub async fn user_add(a: UserAddArgs, settings: &Settings) -> Result<()> {
    let db = settings.db(a.database_url).await?;
    let Some(role) = Role::parse(&a.role) else {
        bail!(
            "okänd roll ”{}”: ange admin, coordinator, trainer, manager, participant, steering eller esf_reporter",
            a.role
        );
    };
    let mut scope = Scope::default();
    if let Some(m) = &a.municipality {
        let muni = navet_store::org::municipality_by_name(&db, m)
            .await?
            .with_context(|| format!("okänd kommun ”{m}”"))?;
        if role == Role::Manager {
            scope.municipality_ids.push(muni.id);
        }
    } else if role == Role::Manager {
        bail!("en enhetschef (manager) behöver --municipality");
    }
    let (password, generated) = if a.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        (line.trim_end_matches(['\r', '\n']).to_string(), false)
    } else {
        (accounts::new_secret()[..20].to_string(), true)
    };
    if !generated {
        if let Err(m) = navet_web::password::check_strength(&password, &a.email, &a.name) {
            bail!("{m}");
        }
    }
    let person_id = navet_store::people::by_email(&db, &a.email)
        .await?
        .map(|p| p.id);
    let hash = navet_web::password::hash(password.clone()).await;
    let id = accounts::create(
        &db,
        &Who::system("kommandoraden"),
        &accounts::NewAccount {
            email: a.email.clone(),
            display_name: a.name.clone(),
            role,
            password_hash: Some(hash),
            person_id,
            scope,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "Konto {id} skapat för {} ({}).",
        a.email.trim().to_lowercase(),
        role.code()
    );
    if generated {
        println!("Lösenord: {password}");
    }
    if domain::second_factor::required_for(role) {
        println!("Tvåstegsverifiering (app i telefonen) ställs in vid första inloggningen.");
    }
    db.close().await;
    Ok(())
}

pub async fn token_create(a: TokenArgs, settings: &Settings) -> Result<()> {
    let draft = domain::tokens::check(
        &a.name,
        a.expires_days.as_deref().unwrap_or(""),
        a.no_expiry,
        a.read_only,
    )
    .map_err(|e| {
        let msgs: Vec<String> =
            e.0.iter()
                .map(|f| format!("--{}: {}", f.field.replace('_', "-"), f.message))
                .collect();
        anyhow::anyhow!("{}", msgs.join("; "))
    })?;
    let db = settings.db(a.database_url).await?;
    let account = accounts::by_email(&db, &a.email)
        .await?
        .with_context(|| format!("inget konto har e-postadressen {}", a.email))?;
    let (id, token) = accounts::create_token_with(
        &db,
        &Who::system("kommandoraden"),
        AccountId(account.id),
        &draft,
    )
    .await?;
    let expiry = match draft.expires_at(navet_store::time::now()) {
        Some(t) => format!("giltig till {}", navet_web::format::datetime(t)),
        None => "utan slutdatum".into(),
    };
    println!(
        "API-nyckel {id} för {} ({expiry}{}); visas bara nu:",
        account.email,
        if draft.read_only { ", bara läsa" } else { "" }
    );
    println!("{token}");
    db.close().await;
    Ok(())
}

pub async fn token_list(a: TokenListArgs, settings: &Settings) -> Result<()> {
    let db = settings.db(a.database_url).await?;
    let of = match &a.email {
        Some(e) => Some(
            accounts::by_email(&db, e)
                .await?
                .with_context(|| format!("inget konto har e-postadressen {e}"))?
                .id,
        ),
        None => None,
    };
    let now = navet_store::time::now();
    let when = |t: Option<i64>| t.map_or("-".to_string(), navet_web::format::datetime);
    for t in accounts::list_tokens(&db, of.map(AccountId)).await? {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}{}",
            t.id,
            t.owner_email,
            t.name,
            navet_web::format::datetime(t.created_at),
            when(t.expires_at),
            when(t.last_used_at),
            t.state(now),
            if t.read_only != 0 { "\tread-only" } else { "" }
        );
    }
    db.close().await;
    Ok(())
}

pub async fn token_revoke(a: TokenRevokeArgs, settings: &Settings) -> Result<()> {
    let db = settings.db(a.database_url).await?;
    accounts::revoke_token(&db, &Who::system("kommandoraden"), a.id)
        .await
        .map_err(|e| match e {
            navet_store::StoreError::NotFound(_) => {
                anyhow::anyhow!("det finns ingen API-nyckel med id {}", a.id)
            }
            e => e.into(),
        })?;
    println!("API-nyckel {} återkallad.", a.id);
    db.close().await;
    Ok(())
}

pub async fn audit_verify(a: DbArgs, settings: &Settings) -> Result<()> {
    let db = settings.db(a.database_url).await?;
    let verdict = navet_store::audit::verify(&db).await?;
    db.close().await;
    match verdict {
        navet_store::audit::Verdict::Intact { entries, head } => {
            println!("OK: {entries} poster i obruten kedja (senaste kontrollsumma {head})");
            Ok(())
        }
        navet_store::audit::Verdict::Broken { id, reason } => {
            bail!("granskningsloggen är bruten vid post {id}: {reason}")
        }
    }
}

pub async fn user_reset_second_factor(a: UserEmailArgs, settings: &Settings) -> Result<()> {
    let db = settings.db(a.database_url).await?;
    let account = accounts::by_email(&db, &a.email)
        .await?
        .with_context(|| format!("inget konto med e-postadressen {}", a.email.trim()))?;
    let had = navet_store::second_factor::reset(
        &db,
        &Who::system("kommandoraden"),
        AccountId(account.id),
    )
    .await?;
    if had {
        println!(
            "Tvåstegsverifieringen för konto {} är återställd; kontot är utloggat och ställer in appen igen vid nästa inloggning.",
            account.id
        );
    } else {
        println!(
            "Konto {} hade ingen tvåstegsverifiering. Inget ändrat.",
            account.id
        );
    }
    db.close().await;
    Ok(())
}
