//! `navet roles map TITLE ROLE [--municipality M]` and `navet roles
//! mappings`: HR titles every import reads as a Navet role
//! (`navet_store::role_mappings`).

use anyhow::{anyhow, bail, Result};
use clap::{Args, Subcommand};
use domain::ids::MunicipalityId;
use navet_store::audit::Who;
use navet_store::{org, role_mappings, StoreError};

use crate::config::Settings;

#[derive(Subcommand)]
pub enum RolesCmd {
    /// Read an HR title (e.g. "Usk") as a Navet role in every import.
    Map(MapArgs),
    /// List the titles mapped to roles.
    Mappings(ListArgs),
}

#[derive(Args)]
pub struct MapArgs {
    /// The title as HR writes it.
    pub title: String,
    /// A Navet role name (e.g. "Undersköterska", or one of its alternatives).
    pub role: String,
    /// Only for people in this municipality (default: every municipality).
    #[arg(long)]
    pub municipality: Option<String>,
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Args)]
pub struct ListArgs {
    #[arg(long)]
    pub database_url: Option<String>,
}

pub async fn run(cmd: RolesCmd, settings: &Settings) -> Result<()> {
    match cmd {
        RolesCmd::Map(a) => map(a, settings).await,
        RolesCmd::Mappings(a) => list(a, settings).await,
    }
}

async fn map(a: MapArgs, settings: &Settings) -> Result<()> {
    let db = settings.db(a.database_url).await?;
    // The role by its own name or an alternative, never through a mapping.
    let roles = org::roles(&db).await?;
    let plain =
        domain::role_titles::TitleMap::new(roles.iter().map(|r| (r.id, r.name.as_str())), &[]);
    let Some(role_id) = plain.resolve(&a.role, None) else {
        let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
        bail!(
            "okänd yrkesroll ”{}”; Navets roller är: {}",
            a.role.trim(),
            names.join(", ")
        );
    };
    let municipality = match &a.municipality {
        Some(m) => Some(
            org::municipality_by_name(&db, m.trim())
                .await?
                .ok_or_else(|| anyhow!("okänd kommun ”{}”", m.trim()))?,
        ),
        None => None,
    };
    let who = Who::system("kommandoraden (roles map)");
    match role_mappings::set(
        &db,
        &who,
        (municipality.as_ref().map(|m| m.id)).map(MunicipalityId),
        &a.title,
        role_id,
    )
    .await
    {
        Ok(()) => {}
        Err(StoreError::Invalid(e)) => bail!("{e}"),
        Err(e) => return Err(e.into()),
    }
    let role = roles
        .iter()
        .find(|r| r.id == role_id)
        .map(|r| r.name.as_str())
        .unwrap_or("");
    println!(
        "”{}” läses som {role} i {}",
        domain::role_titles::normalise(&a.title),
        municipality
            .map(|m| m.name)
            .unwrap_or_else(|| "alla kommuner".into())
    );
    Ok(())
}

async fn list(a: ListArgs, settings: &Settings) -> Result<()> {
    let db = settings.db(a.database_url).await?;
    for m in role_mappings::list(&db).await? {
        println!(
            "{}\t{}\t{}",
            m.title,
            m.role_name,
            m.municipality_name.as_deref().unwrap_or("alla kommuner")
        );
    }
    Ok(())
}
