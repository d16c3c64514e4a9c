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
    /// The funder's monthly participant file (archived with its SHA-256).
    EsfMonth(EsfMonthArgs),
}

#[derive(Args)]
pub struct EsfMonthArgs {
    /// The month, YYYY-MM (one that has ended)
    #[arg(long)]
    pub month: String,
    /// csv (default) or xlsx
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Only participations under this funding source (its id, as listed on
    /// /finansiering/kallor); default all
    #[arg(long)]
    pub programme: Option<i64>,
    #[arg(long)]
    pub database_url: Option<String>,
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
        ExportCmd::EsfMonth(a) => esf_month(a, settings).await,
    }
}

/// `navet export esf-month --month 2026-03`: the same file as the page
/// and the API, archived the same way (by "kommandoraden").
async fn esf_month(a: EsfMonthArgs, settings: &Settings) -> Result<()> {
    let month = domain::attestation::parse_month("month", &a.month)
        .map_err(|e| anyhow::anyhow!("--month: {}", e.message))?;
    let db = settings.db(a.database_url).await?;
    let who = navet_store::audit::Who::system("kommandoraden");
    let today = navet_store::time::today();
    let produced = navet_web::usecase::attestation::produce_for(
        &db,
        &who,
        month,
        a.format.trim(),
        today,
        a.programme,
    )
    .await;
    db.close().await;
    let p = match produced {
        Ok(p) => p,
        Err(navet_store::StoreError::Invalid(f)) => {
            let msgs: Vec<String> =
                f.0.iter()
                    .map(|e| {
                        let flag = if e.field == "program" {
                            "programme"
                        } else {
                            &e.field
                        };
                        format!("--{flag}: {}", e.message)
                    })
                    .collect();
            bail!("{}", msgs.join("; "))
        }
        Err(e) => return Err(e.into()),
    };
    emit(a.out.as_ref(), &p.bytes)?;
    eprintln!(
        "Deltagarfil {} ({}, version {}): {} rader, sha256 {}",
        p.export.month,
        p.export.format,
        p.export.format_version,
        p.export.row_count,
        p.export.sha256
    );
    Ok(())
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
