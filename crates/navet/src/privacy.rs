//! `navet privacy erase --person ID [--yes]`, `navet privacy retention
//! [--dry-run]` and legal holds (`hold`, `release`, `holds`); see
//! docs/privacy.md.

use domain::ids::PersonId;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use domain::retention::Kind;
use navet_store::audit::Who;
use navet_store::{erasure, legal_holds, retention, StoreError};

use crate::config::Settings;

#[derive(Subcommand)]
pub enum PrivacyCmd {
    /// A zip with everything held about a person: one JSON file and one PDF.
    Extract(crate::register_extract::ExtractArgs),
    /// Erase a person (pseudonymise what statistics or a legal hold must
    /// keep); without --yes only says what it would do.
    Erase(EraseArgs),
    /// Apply the retention schedule, or with --dry-run list what it would remove.
    Retention(RetentionArgs),
    /// Put a legal hold on a funding programme's records.
    Hold(HoldArgs),
    /// Release a legal hold.
    Release(ReleaseArgs),
    /// List the legal holds.
    Holds(DbOnly),
    /// After erasures on PostgreSQL: rewrite the tables that held the erased
    /// data (VACUUM FULL), so no old row version stays in their files.
    Compact(DbOnly),
}

#[derive(Args)]
pub struct EraseArgs {
    /// The person's id.
    #[arg(long)]
    pub person: i64,
    /// Really erase (irreversible).
    #[arg(long)]
    pub yes: bool,
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Args)]
pub struct RetentionArgs {
    /// Only list what would be removed, per kind.
    #[arg(long)]
    pub dry_run: bool,
    /// Configuration file with `[privacy.retention]` (or NAVET_CONFIG).
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Args)]
pub struct HoldArgs {
    /// The funding programme's id.
    #[arg(long)]
    pub programme: i64,
    /// Why (e.g. the funder's decision).
    #[arg(long)]
    pub reason: String,
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Args)]
pub struct ReleaseArgs {
    /// The hold's id (first column of `navet privacy holds`).
    pub id: i64,
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Args)]
pub struct DbOnly {
    #[arg(long)]
    pub database_url: Option<String>,
}

fn who() -> Who {
    Who::system("kommandoraden")
}

/// A store error as the command line says it.
fn said(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::NotFound(what) => anyhow::anyhow!("{what} finns inte"),
        StoreError::Invalid(errs) => anyhow::anyhow!(
            "{}",
            errs.0
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

pub async fn run(cmd: PrivacyCmd, settings: &Settings) -> Result<()> {
    match cmd {
        PrivacyCmd::Extract(a) => crate::register_extract::extract(a, settings).await,
        PrivacyCmd::Erase(a) => erase(a, settings).await,
        PrivacyCmd::Compact(a) => {
            let db = settings.db(a.database_url).await?;
            let done = erasure::compact(&db).await.map_err(said)?;
            db.close().await;
            if done.is_empty() {
                println!("SQLite: inget att göra (raderat innehåll skrivs över direkt).");
            } else {
                println!("Omskrivna tabeller (VACUUM FULL): {}", done.join(", "));
            }
            Ok(())
        }
        PrivacyCmd::Retention(a) => retention_run(a, settings).await,
        PrivacyCmd::Hold(a) => {
            let db = settings.db(a.database_url).await?;
            let id = legal_holds::place(&db, &who(), a.programme, &a.reason)
                .await
                .map_err(said)?;
            println!("Bevarandebeslut {id} gäller från nu.");
            Ok(())
        }
        PrivacyCmd::Release(a) => {
            let db = settings.db(a.database_url).await?;
            legal_holds::release(&db, &who(), a.id)
                .await
                .map_err(said)?;
            println!("Bevarandebeslut {} är upphävt.", a.id);
            Ok(())
        }
        PrivacyCmd::Holds(a) => {
            let db = settings.db(a.database_url).await?;
            for h in legal_holds::list(&db).await? {
                println!(
                    "{}\t{}\t{}–{}\t{}\t{}",
                    h.id,
                    h.programme_name,
                    h.starts_on,
                    h.ends_on,
                    if h.released_at.is_some() {
                        "upphävt"
                    } else {
                        "gäller"
                    },
                    h.reason
                );
            }
            Ok(())
        }
    }
}

async fn erase(a: EraseArgs, settings: &Settings) -> Result<()> {
    let db = settings.db(a.database_url).await?;
    let p = erasure::preview(&db, PersonId(a.person))
        .await
        .map_err(said)?;
    if p.is_erased() {
        bail!(
            "person {} är redan raderad (visas som ”{}”)",
            p.person_id,
            p.name
        );
    }
    if !a.yes {
        println!("Radering av person {} ({}):", p.person_id, p.name);
        println!("Tas bort:");
        for line in domain::erasure::REMOVED_SV {
            println!("  - {line}");
        }
        println!(
            "  ({} framtida anmälningar, {} rader i personalimporter, {} meddelanden, konto: {})",
            p.future_bookings,
            p.staff_import_rows,
            p.notices,
            if p.has_account { "ja" } else { "nej" }
        );
        println!("Behålls under pseudonym:");
        for line in domain::erasure::KEPT_SV {
            println!("  - {line}");
        }
        println!(
            "  ({} genomförda kurstillfällen, {} intyg)",
            p.attended, p.completions
        );
        if let Some(at) = p.erasure_held_at {
            println!(
                "Delvis raderad {}: resten raderas när bevarandebesluten har upphävts.",
                navet_store::time::to_datetime(at).format("%Y-%m-%d")
            );
        }
        if !p.holds.is_empty() {
            println!("Behålls enligt bevarandebeslut (namn, anställningsnummer och närvaro):");
            for h in &p.holds {
                println!(
                    "  - {} ({}): {} kurstillfällen",
                    h.programme, h.reason, h.bookings
                );
            }
        }
        println!("Inget har ändrats. Kör igen med --yes för att radera (kan inte ångras).");
        return Ok(());
    }
    let done = erasure::erase(&db, &who(), PersonId(a.person))
        .await
        .map_err(said)?;
    match &done.pseudonym {
        Some(p) => println!(
            "Person {} är raderad och visas nu som ”{}”. {} framtida anmälningar släpptes, {} från väntelistan fick plats.",
            done.person_id,
            p,
            done.released,
            done.promoted.len()
        ),
        None => println!(
            "Person {} är raderad utom det som bevarandebeslut behåller. {} {} framtida anmälningar släpptes, {} från väntelistan fick plats.",
            done.person_id,
            erasure::held_message(&done.held),
            done.released,
            done.promoted.len()
        ),
    }
    Ok(())
}

async fn retention_run(a: RetentionArgs, settings: &Settings) -> Result<()> {
    let file = a.config.or_else(|| settings.config_file.clone());
    let schedule = crate::config::retention_schedule(file.as_deref())?;
    let db = settings.db(a.database_url).await?;
    let counts = retention::run(&db, &schedule, &who(), navet_store::time::now(), a.dry_run)
        .await
        .map_err(said)?;
    if a.dry_run {
        println!("Skulle tas bort (inget har ändrats):");
    } else {
        println!("Borttaget:");
    }
    for k in Kind::ALL {
        println!(
            "{}\t{}\t{} ({})",
            k.code(),
            counts.get(&k).copied().unwrap_or(0),
            k.label_sv(),
            schedule.kept_sv(k)
        );
    }
    Ok(())
}
