//! `navet bench data`: migrate a database and fill it with the synthetic
//! national data set (`navet_store::national_data`), printing how long each
//! step took. Refuses a database that already has bookings.

use std::time::Instant;

use anyhow::{bail, Result};
use clap::Args;
use navet_store::{migrate, national_data, seed};

#[derive(Args, Debug)]
pub struct DataArgs {
    /// sqlite://PATH or postgres://… (or NAVET_DATABASE_URL); an empty database.
    #[arg(long)]
    pub database_url: Option<String>,
    /// `national` (290 municipalities, 250 000 staff, 5 million bookings) or `small` (for trying it out).
    #[arg(long, default_value = "national")]
    pub scale: String,
}

pub async fn run(a: DataArgs, settings: &crate::config::Settings) -> Result<()> {
    let size = match a.scale.as_str() {
        "national" => national_data::Size::national(),
        "small" => national_data::Size::small(),
        other => bail!("okänd skala ”{other}”: ange national eller small"),
    };
    let db = settings.db(a.database_url).await?;
    let t = Instant::now();
    migrate::run(&db).await?;
    seed::load_reference(&db).await?;
    seed::load_courses(&db).await?;
    let last = std::sync::Mutex::new(Instant::now());
    national_data::generate(&db, &size, |step| {
        let mut l = last.lock().unwrap_or_else(|e| e.into_inner());
        eprintln!(
            "[{:>7.1} s] {step} … (förra steget {:.1} s)",
            t.elapsed().as_secs_f64(),
            l.elapsed().as_secs_f64()
        );
        *l = Instant::now();
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let counts = national_data::counts(&db).await?;
    println!(
        "Nationell testdata ({}) klar på {:.1} s:",
        a.scale,
        t.elapsed().as_secs_f64()
    );
    for (what, n) in counts {
        println!("  {what:<24} {n}");
    }
    db.close().await;
    Ok(())
}
