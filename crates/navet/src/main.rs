//! `navet`: the command line. Wiring only; the work is done by the
//! `domain`, `navet-store` and `navet-web` crates.

mod backup;
mod bench;
mod cli;
mod export;
mod import;
mod report;
mod roles;

use anyhow::{bail, Context, Result};
use clap::Parser;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("NAVET_LOG")
                .unwrap_or_else(|_| "navet=info,navet_web=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = cli::Cli::parse();
    if !matches!(args.command, cli::Command::Demo(_) | cli::Command::Serve(_)) {
        exit_quietly_on_closed_pipe();
    }
    if let Err(e) = run(args).await {
        eprintln!("fel: {e:#}");
        std::process::exit(1);
    }
}

/// A command whose output is cut short (`navet token list | head -1`)
/// ends quietly, as other command-line tools do, instead of panicking on
/// "Broken pipe": the default action of SIGPIPE (which Rust programs
/// ignore) is restored. Not for the servers, which keep running when a
/// client goes away.
fn exit_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called once at start, before any other thread writes to a
    // pipe; it only changes the process's action for one signal.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

async fn run(args: cli::Cli) -> Result<()> {
    use cli::Command::*;
    match args.command {
        Demo(a) => cli::demo(a).await,
        Serve(a) => cli::serve(a).await,
        Migrate(a) => cli::migrate(a).await,
        User(cli::UserCmd::Add(a)) => cli::user_add(a).await,
        User(cli::UserCmd::ResetSecondFactor(a)) => cli::user_reset_second_factor(a).await,
        Token(cli::TokenCmd::Create(a)) => cli::token_create(a).await,
        Token(cli::TokenCmd::List(a)) => cli::token_list(a).await,
        Token(cli::TokenCmd::Revoke(a)) => cli::token_revoke(a).await,
        Audit(cli::AuditCmd::Verify(a)) => cli::audit_verify(a).await,
        Import(c) => import::run(c).await,
        Roles(c) => roles::run(c).await,
        Export(c) => export::run(c).await,
        Report(c) => report::run(c).await,
        Backup(a) => backup::run(a).await,
        Bench(a) => bench::run(a).await,
    }
}

/// The database URL from the flag or NAVET_DATABASE_URL.
pub fn database_url(flag: Option<String>) -> Result<String> {
    match flag.or_else(|| std::env::var("NAVET_DATABASE_URL").ok()) {
        Some(u) if !u.trim().is_empty() => Ok(u),
        _ => bail!(
            "ange --database-url eller NAVET_DATABASE_URL (sqlite://SÖKVÄG eller postgres://…)"
        ),
    }
}

pub async fn open_db(url: &str) -> Result<navet_store::Db> {
    let db = navet_store::Db::connect(url)
        .await
        .with_context(|| format!("kunde inte öppna databasen {}", redact(url)))?;
    Ok(db)
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
