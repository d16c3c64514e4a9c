//! `navet export participations --from DATE --to DATE [--out FILE]`: the
//! period's attended and absent bookings on held sessions, in the CSV that
//! `navet import participations` reads, for moving history to another
//! instance (docs/operations.md). Nothing is written when the importer would
//! refuse the file.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};

use crate::config::Settings;
use crate::report::{emit, period};

#[derive(Subcommand)]
pub enum ExportCmd {
    /// Attended and absent bookings on held sessions, as `import participations` reads them.
    Participations(ParticipationArgs),
}

#[derive(Args)]
pub struct ParticipationArgs {
    /// First day, YYYY-MM-DD (session start, Europe/Stockholm)
    #[arg(long)]
    pub from: String,
    /// Last day (included), YYYY-MM-DD
    #[arg(long)]
    pub to: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// person_ref is this prefix and the person's id here; give each source
    /// instance its own when several send files to one receiver.
    #[arg(long, default_value = "p")]
    pub ref_prefix: String,
    #[arg(long)]
    pub database_url: Option<String>,
}

pub async fn run(cmd: ExportCmd, settings: &Settings) -> Result<()> {
    match cmd {
        ExportCmd::Participations(a) => participations(a, settings).await,
    }
}

async fn participations(a: ParticipationArgs, settings: &Settings) -> Result<()> {
    let period = period(&a.from, &a.to)?;
    if a.ref_prefix.trim().is_empty() || a.ref_prefix.chars().count() > 40 {
        bail!("--ref-prefix ska vara 1–40 tecken");
    }
    let db = settings.db(a.database_url).await?;
    let x = navet_store::participations::export(&db, period, a.ref_prefix.trim()).await?;
    db.close().await;
    if !x.problems.is_empty() {
        for p in &x.problems {
            eprintln!("{p}");
        }
        bail!(
            "{} rader skulle inte gå att importera; ingen fil skrevs",
            x.problems.len()
        );
    }
    emit(a.out.as_ref(), &x.csv)?;
    // The summary goes to stderr so that stdout can be the file itself.
    let target = a
        .out
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "stdout".into());
    eprintln!(
        "Exporterat {} – {} till {target}: {} rader ({} närvarande, {} frånvarande), {} personer, {} kurstillfällen.",
        period.from, period.to, x.rows, x.attended, x.absent, x.people, x.sessions
    );
    if x.sessions_after_import < x.sessions && x.rows > 0 {
        eprintln!(
            "Obs: {} kurstillfällen blir {} vid import (samma kurs och datum räknas som ett tillfälle); deltagare och deltagartimmar påverkas inte.",
            x.sessions, x.sessions_after_import
        );
    }
    if x.attended_not_closed > 0 {
        eprintln!(
            "Obs: {} närvaromarkeringar på kurstillfällen som inte är stängda kom inte med; stäng tillfällena och exportera igen.",
            x.attended_not_closed
        );
    }
    Ok(())
}
