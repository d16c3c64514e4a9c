//! `navet backup --out FILE`: a consistent copy while the server runs
//! (SQLite `VACUUM INTO`, PostgreSQL `pg_dump --format=custom`), checked
//! after writing. Restoring is described in docs/operations.md.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use navet_store::backup::{self, Verified};

use crate::config::Settings;

#[derive(Args)]
pub struct BackupArgs {
    /// The backup file; must not exist.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long)]
    pub database_url: Option<String>,
}

/// "12,3 MB" for people, with the exact byte count beside it.
fn size(bytes: u64) -> String {
    let mb = bytes as f64 / 1_000_000.0;
    format!("{} MB ({bytes} byte)", format!("{mb:.1}").replace('.', ","))
}

pub async fn run(a: BackupArgs, settings: &Settings) -> Result<()> {
    let url = settings.database_url(a.database_url)?;
    let db = settings.open_db(&url).await?;
    let result = backup::run(&db, &a.out).await;
    db.close().await;
    let b = result?;
    println!(
        "Säkerhetskopia skriven: {}, {}",
        b.path.display(),
        size(b.bytes)
    );
    match &b.verified {
        Verified::Sqlite { tables } => {
            println!("Integritetskontroll (PRAGMA integrity_check): ok");
            println!("Rader per tabell i kopian:");
            for (name, n) in tables {
                println!("  {name:<32} {n:>10}");
            }
        }
        Verified::Postgres {
            tables_with_data: Some(n),
        } => println!("pg_restore --list läser arkivet: {n} tabeller med data."),
        Verified::Postgres {
            tables_with_data: None,
        } => println!(
            "Obs: pg_restore finns inte här, så arkivet kunde inte läsas tillbaka som kontroll."
        ),
    }
    Ok(())
}
