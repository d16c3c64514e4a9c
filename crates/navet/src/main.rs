//! `navet`: the command line. Wiring only; the work is done by the
//! `domain`, `navet-store` and `navet-web` crates.

mod backup;
mod bench;
mod bench_cpu;
mod bench_data;
mod bench_pages;
mod cli;
mod config;
mod export;
mod import;
mod privacy;
mod register_extract;
mod report;
mod roles;

use anyhow::Result;
use clap::Parser;

use config::Settings;

#[tokio::main]
async fn main() {
    let args = cli::Cli::parse();
    // Every NAVET_* setting, read once; a bad one stops here, named.
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fel: {e:#}");
            std::process::exit(1);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(settings.log_filter()))
        .with_writer(std::io::stderr)
        .init();
    if !matches!(args.command, cli::Command::Demo(_) | cli::Command::Serve(_)) {
        exit_quietly_on_closed_pipe();
    }
    if let Err(e) = run(args, &settings).await {
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

async fn run(args: cli::Cli, settings: &Settings) -> Result<()> {
    use cli::Command::*;
    let s = settings;
    match args.command {
        Demo(a) => cli::demo(a, s).await,
        Serve(a) => cli::serve(a, s).await,
        Migrate(a) => cli::migrate(a, s).await,
        User(cli::UserCmd::Add(a)) => cli::user_add(a, s).await,
        User(cli::UserCmd::ResetSecondFactor(a)) => cli::user_reset_second_factor(a, s).await,
        Token(cli::TokenCmd::Create(a)) => cli::token_create(a, s).await,
        Token(cli::TokenCmd::List(a)) => cli::token_list(a, s).await,
        Token(cli::TokenCmd::Revoke(a)) => cli::token_revoke(a, s).await,
        Audit(cli::AuditCmd::Verify(a)) => cli::audit_verify(a, s).await,
        Import(c) => import::run(c, s).await,
        Roles(c) => roles::run(c, s).await,
        Privacy(c) => privacy::run(c, s).await,
        Export(c) => export::run(c, s).await,
        Report(c) => report::run(c, s).await,
        Backup(a) => backup::run(a, s).await,
        Bench(c) => bench::run_cmd(c, s).await,
    }
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
