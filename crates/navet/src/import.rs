//! `navet import participations FILE [--create-courses]` and
//! `navet import funding FILE` (formats in CONTRACTS.md). Both are all or
//! nothing; errors name the file, line and column.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use navet_store::audit::Who;
use navet_store::{funding, history_import};

use crate::config::Settings;

#[derive(Subcommand)]
pub enum ImportCmd {
    /// Historical participation records (CSV); all or nothing.
    Participations(ParticipationArgs),
    /// A funding programme and the municipalities' employees (TOML).
    Funding(FundingArgs),
}

#[derive(Args)]
pub struct ParticipationArgs {
    pub file: PathBuf,
    /// Create courses whose titles are not in the catalogue (as retired courses).
    #[arg(long)]
    pub create_courses: bool,
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Args)]
pub struct FundingArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub database_url: Option<String>,
}

fn who(what: &str) -> Who {
    Who::system(&format!("kommandoraden (import {what})"))
}

pub async fn run(cmd: ImportCmd, settings: &Settings) -> Result<()> {
    match cmd {
        ImportCmd::Participations(a) => participations(a, settings).await,
        ImportCmd::Funding(a) => funding_programme(a, settings).await,
    }
}

/// The file's bytes, refused before reading when it is past `max` bytes.
fn read_capped(file: &std::path::Path, max: usize) -> Result<Vec<u8>> {
    let len = std::fs::metadata(file)
        .with_context(|| format!("kunde inte läsa {}", file.display()))?
        .len();
    if len > max as u64 {
        bail!(
            "{}: filen är större än {} kB; dela upp den i mindre filer",
            file.display(),
            max / 1024
        );
    }
    std::fs::read(file).with_context(|| format!("kunde inte läsa {}", file.display()))
}

async fn participations(a: ParticipationArgs, settings: &Settings) -> Result<()> {
    let bytes = read_capped(&a.file, domain::tabular::LIMITS.max_file_bytes)?;
    let db = settings.db(a.database_url).await?;
    navet_store::migrate::run(&db).await?;
    let name = a.file.display().to_string();
    match history_import::import(&db, &who("participations"), &name, &bytes, a.create_courses)
        .await?
    {
        Ok(summary) => {
            println!("Importerat från {name}: {summary}.");
            Ok(())
        }
        Err(errors) => {
            for e in errors.iter() {
                eprintln!("{name}: {e}");
            }
            if errors.hidden() > 0 {
                eprintln!("{name}: … och {} fel till", errors.hidden());
            }
            bail!("{name}: {} fel; inget importerades", errors.total)
        }
    }
}

async fn funding_programme(a: FundingArgs, settings: &Settings) -> Result<()> {
    let bytes = read_capped(&a.file, domain::funding::MAX_TOML_BYTES)?;
    let text = String::from_utf8(bytes)
        .with_context(|| format!("kunde inte läsa {} som UTF-8-text", a.file.display()))?;
    let db = settings.db(a.database_url).await?;
    navet_store::migrate::run(&db).await?;
    let name = a.file.display().to_string();
    let known = funding::municipality_names(&db).await?;
    match domain::funding::parse_toml(&text, &known) {
        Ok(p) => {
            funding::save(&db, &who("funding"), &p).await?;
            println!(
                "Finansieringsprogrammet ”{}” ({} – {}) är sparat: {} kr beviljat, medfinansiering {} %, {} deltagartimmar.",
                p.name,
                p.starts,
                p.ends,
                p.granted_sek,
                (p.cofinancing_rate * 100.0 * 100.0).round() / 100.0,
                p.target_hours
            );
            for c in p.commitments() {
                println!(
                    "  {:<14} {:>7} anställda  åtagande {:>9.1} deltagartimmar",
                    c.municipality, c.employees, c.commitment_hours
                );
            }
            Ok(())
        }
        Err(errors) => {
            for e in errors.iter().take(domain::tabular::MAX_ERRORS_SHOWN) {
                eprintln!("{name}: {e}");
            }
            bail!("{name}: {} fel; inget sparades", errors.len())
        }
    }
}
