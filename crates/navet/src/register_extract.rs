//! `navet privacy extract --person ID --out FILE`: the register extract
//! (GDPR article 15) as the web page and the API give it, one zip with the
//! JSON and the tagged PDF. The request and the delivery are audit-logged
//! as done from the command line.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use navet_store::audit::Who;

use crate::config::Settings;

#[derive(Args)]
pub struct ExtractArgs {
    /// The person's id.
    #[arg(long)]
    pub person: i64,
    /// Where to write the zip.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long)]
    pub database_url: Option<String>,
}

pub async fn extract(a: ExtractArgs, settings: &Settings) -> Result<()> {
    let db = settings.db(a.database_url).await?;
    let result =
        navet_web::register_extract_file::produce(&db, &Who::system("kommandoraden"), a.person)
            .await;
    db.close().await;
    let bytes = match result {
        Err(navet_store::StoreError::NotFound(_)) => {
            anyhow::bail!("det finns ingen person med id {}", a.person)
        }
        r => r?,
    };
    std::fs::write(&a.out, &bytes)
        .with_context(|| format!("kunde inte skriva {}", a.out.display()))?;
    println!(
        "registerutdrag för person {} skrivet till {} ({} byte)",
        a.person,
        a.out.display(),
        bytes.len()
    );
    Ok(())
}
