//! `navet report indicators --from DATE --to DATE [--format json|csv|xlsx]
//! [--out FILE]`: the indicator report as the API (JSON) and the report page
//! (CSV, XLSX) give it, built by the same code (`navet_web::report_files`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use crate::config::Settings;

#[derive(Subcommand)]
pub enum ReportCmd {
    /// The funder's indicator report for a period (same as GET /api/v1/reports/indicators).
    Indicators(IndicatorArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

#[derive(Args)]
pub struct IndicatorArgs {
    /// First day, YYYY-MM-DD
    #[arg(long)]
    pub from: String,
    /// Last day (included), YYYY-MM-DD
    #[arg(long)]
    pub to: String,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Only participations under this funding source (its id); default all
    #[arg(long)]
    pub programme: Option<i64>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub database_url: Option<String>,
}

/// The period from --from/--to; errors name the flag and the value given.
pub fn period(from: &str, to: &str) -> Result<domain::indicators::Period> {
    domain::indicators::check_period(from, to).map_err(|errors| {
        let lines: Vec<String> = errors
            .0
            .iter()
            .map(|e| {
                let value = if e.field == "from" { from } else { to };
                format!("--{} ”{value}”: {}", e.field, e.message)
            })
            .collect();
        anyhow::anyhow!(lines.join("; "))
    })
}

/// Write `bytes` to `out`, or to standard output.
pub fn emit(out: Option<&PathBuf>, bytes: &[u8]) -> Result<()> {
    match out {
        Some(path) => std::fs::write(path, bytes)
            .with_context(|| format!("kunde inte skriva {}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
            Ok(())
        }
    }
}

pub async fn run(cmd: ReportCmd, settings: &Settings) -> Result<()> {
    match cmd {
        ReportCmd::Indicators(a) => indicators(a, settings).await,
    }
}

async fn indicators(a: IndicatorArgs, settings: &Settings) -> Result<()> {
    let period = period(&a.from, &a.to)?;
    if matches!(a.format, Format::Xlsx) && a.out.is_none() && std::io::stdout().is_terminal() {
        bail!("en XLSX-fil kan inte visas i terminalen: ange --out FIL.xlsx");
    }
    let db = settings.db(a.database_url).await?;
    if let Some(id) = a.programme {
        if navet_store::funding_sources::get(&db, id).await.is_err() {
            db.close().await;
            bail!("--programme {id}: finansieringskällan finns inte");
        }
    }
    let report = navet_store::reports::indicator_report_for(&db, period, a.programme).await?;
    db.close().await;
    let bytes = match a.format {
        Format::Json => {
            let mut body = serde_json::to_vec(&navet_web::report_files::to_json(&report)?)?;
            if a.out.is_none() && std::io::stdout().is_terminal() {
                body.push(b'\n');
            }
            body
        }
        Format::Csv => navet_web::report_files::to_csv(&report),
        Format::Xlsx => navet_web::report_files::to_xlsx(&report)
            .map_err(|e| anyhow::anyhow!("kunde inte skapa XLSX-filen: {e}"))?,
    };
    emit(a.out.as_ref(), &bytes)?;
    if let Some(path) = &a.out {
        eprintln!(
            "Indikatorrapporten {} – {} är skriven till {}.",
            report.from,
            report.to,
            path.display()
        );
    }
    Ok(())
}
