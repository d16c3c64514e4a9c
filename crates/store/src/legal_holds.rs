//! Legal holds on a funding programme's records (an ESF project keeps its
//! evidence until the funder says otherwise). While a hold is in force,
//! neither an erasure nor the retention run touches the records of people
//! who attended (or were absent from) sessions in the programme's period.
//!
//! Placing and releasing lock the programme's row, and the retention run
//! locks the same rows before it reads the holds, so a hold that changes
//! while a run is under way applies to all of the run or none of it.

use chrono::NaiveDate;
use domain::ids::PersonId;
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Hold {
    pub id: i64,
    pub programme_id: i64,
    pub programme_name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub reason: String,
    pub placed_at: i64,
    pub released_at: Option<i64>,
}

/// A hold in force, as erasure and retention use it: the programme's
/// period as a half-open timestamp range of session starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveHold {
    pub id: i64,
    pub programme: String,
    pub reason: String,
    pub from: i64,
    pub to: i64,
}

const SELECT: &str = "SELECT h.id, h.programme_id, f.name AS programme_name, f.starts_on, f.ends_on, \
     h.reason, h.placed_at, h.released_at FROM legal_holds h JOIN funding_programmes f ON f.id = h.programme_id";

/// Every hold, those in force first, newest first.
pub async fn list(db: &Db) -> StoreResult<Vec<Hold>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} ORDER BY CASE WHEN h.released_at IS NULL THEN 0 ELSE 1 END, h.id DESC"
    ))
    .fetch_all(db.pool())
    .await?)
}

/// Every funding programme a hold can be put on: (id, "name (start – end)").
pub async fn programmes(db: &Db) -> StoreResult<Vec<(i64, String)>> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, name, starts_on, ends_on FROM funding_programmes ORDER BY starts_on DESC, id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n, a, b)| (id, format!("{n} ({a} – {b})")))
        .collect())
}

/// The holds in force, read inside the caller's transaction.
pub async fn active(conn: &mut AnyConnection) -> StoreResult<Vec<ActiveHold>> {
    let rows: Vec<Hold> = sqlx::query_as(&format!(
        "{SELECT} WHERE h.released_at IS NULL ORDER BY h.id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|h| {
            let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            let from = day(&h.starts_on)
                .map(crate::time::day_start)
                .unwrap_or(i64::MIN);
            let to = day(&h.ends_on)
                .and_then(|d| d.succ_opt())
                .map(crate::time::day_start)
                .unwrap_or(i64::MAX);
            ActiveHold {
                id: h.id,
                programme: h.programme_name,
                reason: h.reason,
                from,
                to,
            }
        })
        .collect())
}

/// The holds in force that cover one of `person_id`'s attended or absent
/// sessions (inside the caller's transaction), each with how many of the
/// person's bookings it covers.
pub async fn covering_person(
    conn: &mut AnyConnection,
    person_id: PersonId,
) -> StoreResult<Vec<(ActiveHold, i64)>> {
    let mut found = Vec::new();
    for h in active(conn).await? {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM bookings b JOIN sessions s ON s.id = b.session_id \
             WHERE b.person_id = $1 AND b.status IN ('attended', 'absent') \
             AND s.starts_at >= $2 AND s.starts_at < $3",
        )
        .bind(person_id)
        .bind(h.from)
        .bind(h.to)
        .fetch_one(&mut *conn)
        .await?;
        if n > 0 {
            found.push((h, n));
        }
    }
    Ok(found)
}

/// Lock every funding programme row (PostgreSQL; SQLite's single writer
/// already serialises): placing or releasing a hold waits for a retention
/// run in progress, and the other way round.
pub async fn lock_programmes(db: &Db, conn: &mut AnyConnection) -> StoreResult<()> {
    if db.engine() == crate::Engine::Postgres {
        sqlx::query("SELECT id FROM funding_programmes ORDER BY id FOR UPDATE")
            .fetch_all(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Put a hold on a programme's records.
pub async fn place(db: &Db, who: &Who, programme_id: i64, reason: &str) -> StoreResult<i64> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::invalid(
            "reason",
            "required",
            "Ange varför uppgifterna ska bevaras (t.ex. finansiärens beslut).",
        ));
    }
    if reason.chars().count() > 500 {
        return Err(StoreError::invalid(
            "reason",
            "too_long",
            "Skälet får vara högst 500 tecken.",
        ));
    }
    let mut tx = db.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM funding_programmes WHERE id = $1{}",
        db.for_update()
    ))
    .bind(programme_id)
    .fetch_optional(&mut *tx)
    .await?;
    if exists.is_none() {
        return Err(StoreError::invalid(
            "programme_id",
            "unknown",
            "Finansieringsprogrammet finns inte.",
        ));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO legal_holds (programme_id, reason, placed_at, placed_by_account_id) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(programme_id)
    .bind(reason)
    .bind(crate::time::now())
    .bind(who.account_id)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        "legal_hold.place",
        "funding_programme",
        Some(programme_id),
        None,
        &format!("bevarandebeslut {id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Release a hold; releasing one that is released already is a conflict.
pub async fn release(db: &Db, who: &Who, hold_id: i64) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let programme_id: i64 =
        sqlx::query_scalar("SELECT programme_id FROM legal_holds WHERE id = $1")
            .bind(hold_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("bevarandebeslut"))?;
    sqlx::query(&format!(
        "SELECT id FROM funding_programmes WHERE id = $1{}",
        db.for_update()
    ))
    .bind(programme_id)
    .fetch_optional(&mut *tx)
    .await?;
    let released: Option<i64> =
        sqlx::query_scalar("SELECT released_at FROM legal_holds WHERE id = $1")
            .bind(hold_id)
            .fetch_one(&mut *tx)
            .await?;
    if released.is_some() {
        return Err(StoreError::conflict(
            None,
            "Bevarandebeslutet är redan upphävt.",
        ));
    }
    sqlx::query(
        "UPDATE legal_holds SET released_at = $1, released_by_account_id = $2 WHERE id = $3 AND released_at IS NULL",
    )
    .bind(crate::time::now())
    .bind(who.account_id)
    .bind(hold_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        "legal_hold.release",
        "funding_programme",
        Some(programme_id),
        None,
        &format!("bevarandebeslut {hold_id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
