//! Online backups while Navet runs (docs/operations.md).
//!
//! SQLite: `VACUUM INTO` writes a consistent, compacted copy from one read
//! transaction, so writers carry on (WAL mode); the copy is then opened
//! read-only and checked with `PRAGMA integrity_check`. PostgreSQL:
//! `pg_dump --format=custom`, which also reads one snapshot; the archive is
//! then listed with `pg_restore --list` to show it can be read back.

use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::{Connection, Row};

use crate::db::{Db, Engine};
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub enum Verified {
    /// SQLite: `PRAGMA integrity_check` said "ok"; rows per table in the copy.
    Sqlite { tables: Vec<(String, i64)> },
    /// PostgreSQL: tables whose data the archive holds (from `pg_restore
    /// --list`), or `None` when pg_restore is not installed.
    Postgres { tables_with_data: Option<usize> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    pub verified: Verified,
}

fn fail(message: String) -> StoreError {
    StoreError::Other(anyhow::anyhow!(message))
}

/// Write a backup of `db` to `out`, which must not exist yet.
pub async fn run(db: &Db, out: &Path) -> StoreResult<Backup> {
    if out.exists() {
        return Err(fail(format!(
            "{} finns redan; välj ett nytt filnamn (en säkerhetskopia skrivs aldrig över)",
            out.display()
        )));
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            return Err(fail(format!("mappen {} finns inte", dir.display())));
        }
    }
    let verified = match db.engine() {
        Engine::Sqlite => sqlite(db, out).await?,
        Engine::Postgres => {
            let url = db.url().to_string();
            let out = out.to_path_buf();
            tokio::task::spawn_blocking(move || postgres(&url, &out))
                .await
                .map_err(|e| fail(format!("pg_dump avbröts: {e}")))??
        }
    };
    let bytes = std::fs::metadata(out)
        .map_err(|e| fail(format!("kunde inte läsa {}: {e}", out.display())))?
        .len();
    Ok(Backup {
        path: out.to_path_buf(),
        bytes,
        verified,
    })
}

async fn sqlite(db: &Db, out: &Path) -> StoreResult<Verified> {
    let target = out
        .to_str()
        .ok_or_else(|| fail(format!("{} är inte ett giltigt filnamn", out.display())))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(db.pool())
        .await?;
    // Read-only, so checking the copy cannot change it (no WAL files either).
    let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{target}?mode=ro")).await?;
    let check: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await?;
    if check != ["ok"] {
        return Err(fail(format!(
            "kopian {} klarade inte integritetskontrollen: {}",
            out.display(),
            check.join("; ")
        )));
    }
    let names: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await?
    .iter()
    .map(|r| r.get("name"))
    .collect();
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM \"{}\"",
            name.replace('"', "\"\"")
        ))
        .fetch_one(&mut conn)
        .await?;
        tables.push((name, n));
    }
    conn.close().await?;
    Ok(Verified::Sqlite { tables })
}

/// The URL without its password, and the password (percent-decoded): the
/// password goes to pg_dump in PGPASSWORD, so it is not shown in the
/// process list.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_string(), None);
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map(|i| scheme_end + i)
        .unwrap_or(url.len());
    let Some(at) = url[scheme_end..authority_end]
        .rfind('@')
        .map(|i| scheme_end + i)
    else {
        return (url.to_string(), None);
    };
    match url[scheme_end..at].split_once(':') {
        Some((user, password)) => (
            format!("{}{}{}", &url[..scheme_end], user, &url[at..]),
            Some(percent_decode(password)),
        ),
        None => (url.to_string(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn postgres(url: &str, out: &Path) -> StoreResult<Verified> {
    let (url, password) = split_password(url);
    let mut cmd = Command::new("pg_dump");
    cmd.arg("--format=custom")
        .arg("--file")
        .arg(out)
        .arg("--dbname")
        .arg(&url);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let result = match cmd.output() {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(fail(
                "pg_dump finns inte på den här datorn. Installera PostgreSQL-klientverktygen \
                 (t.ex. apt install postgresql-client) i samma huvudversion som servern, eller \
                 lägg pg_dump i PATH."
                    .into(),
            ))
        }
        Err(e) => return Err(fail(format!("kunde inte starta pg_dump: {e}"))),
    };
    if !result.status.success() {
        // A failed dump leaves a partial file that must not pass for a backup.
        let _ = std::fs::remove_file(out);
        return Err(fail(format!(
            "pg_dump misslyckades ({}): {}",
            result.status,
            String::from_utf8_lossy(&result.stderr).trim()
        )));
    }
    let tables_with_data = match Command::new("pg_restore").arg("--list").arg(out).output() {
        Ok(r) if r.status.success() => Some(
            String::from_utf8_lossy(&r.stdout)
                .lines()
                .filter(|l| !l.starts_with(';') && l.contains(" TABLE DATA "))
                .count(),
        ),
        Ok(r) => {
            return Err(fail(format!(
                "pg_restore kan inte läsa {}: {}",
                out.display(),
                String::from_utf8_lossy(&r.stderr).trim()
            )))
        }
        Err(_) => None,
    };
    Ok(Verified::Postgres { tables_with_data })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url() {
        assert_eq!(
            split_password("postgres://navet:p%40ss:w@db.example:5432/navet?sslmode=require"),
            (
                "postgres://navet@db.example:5432/navet?sslmode=require".to_string(),
                Some("p@ss:w".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://postgres@127.0.0.1/x"),
            ("postgres://postgres@127.0.0.1/x".to_string(), None)
        );
        assert_eq!(
            split_password("postgres://localhost/a@b"),
            ("postgres://localhost/a@b".to_string(), None)
        );
    }
}
