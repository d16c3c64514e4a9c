//! Applying the retention schedule (`domain::retention`): the daily job,
//! `navet privacy retention [--dry-run]` and the admin page's last run.
//!
//! A run is one transaction: it locks the funding programmes (so a legal
//! hold placed or released meanwhile applies to all of the run or none of
//! it), reads the holds in force, and removes each kind in turn. A dry run
//! does exactly the same and rolls back, so what it lists is what a real
//! run at that moment removes. A real run is recorded in `retention_runs`
//! and the audit log (counts only).

use domain::ids::PersonId;
use std::collections::BTreeMap;

use domain::retention::{Kind, Schedule};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::StoreResult;
use crate::legal_holds::{self, ActiveHold};

/// How many of each kind a run removed (or would remove).
pub type Counts = BTreeMap<Kind, u64>;

/// A recorded run, for the admin page.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub started_at: i64,
    pub finished_at: i64,
    pub actor_label: String,
    /// (kind's Swedish label, count), in the schedule's order.
    pub counts: Vec<(String, u64)>,
}

/// SQL: the session `s` does not start in any held programme's period.
fn not_held(holds: &[ActiveHold]) -> String {
    holds
        .iter()
        .map(|h| {
            format!(
                " AND NOT (s.starts_at >= {} AND s.starts_at < {})",
                h.from, h.to
            )
        })
        .collect()
}

async fn exec(conn: &mut AnyConnection, sql: &str, cutoff: i64) -> StoreResult<u64> {
    Ok(sqlx::query(sql)
        .bind(cutoff)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// Rows read per batch: a run never holds more than this many ids.
const BATCH: i64 = 500;

/// Run the schedule at `now`; with `dry_run` nothing is kept.
pub async fn run(
    db: &Db,
    schedule: &Schedule,
    who: &Who,
    now: i64,
    dry_run: bool,
) -> StoreResult<Counts> {
    let mut tx = db.begin().await?;
    legal_holds::lock_programmes(db, &mut tx).await?;
    let holds = legal_holds::active(&mut tx).await?;
    // The run's row first (its id names the run in an audit-log anchor);
    // a dry run rolls it back with everything else.
    let run_id: i64 = sqlx::query_scalar(
        "INSERT INTO retention_runs (started_at, finished_at, actor_label, counts) \
         VALUES ($1, $1, $2, '{}') RETURNING id",
    )
    .bind(now)
    .bind(&who.label)
    .fetch_one(&mut *tx)
    .await?;
    let mut counts = Counts::new();
    let ctx = Ctx {
        db,
        schedule,
        who,
        holds: &holds,
        now,
        run_id,
    };
    for kind in Kind::ALL {
        let n = apply(&ctx, &mut tx, kind).await?;
        counts.insert(kind, n);
        crate::fault_point!(db, "retention.kind");
    }
    if dry_run {
        tx.rollback().await?;
        return Ok(counts);
    }
    let json = serde_json::to_string(
        &counts
            .iter()
            .map(|(k, n)| (k.code(), *n))
            .collect::<BTreeMap<_, _>>(),
    )
    .map_err(anyhow::Error::from)?;
    sqlx::query("UPDATE retention_runs SET finished_at = $1, counts = $2 WHERE id = $3")
        .bind(crate::time::now())
        .bind(&json)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "retention.run",
        "retention",
        Some(run_id),
        None,
        &json,
    )
    .await?;
    tx.commit().await?;
    if counts.get(&Kind::LeftPeople).copied().unwrap_or(0) > 0 {
        crate::erasure::after_erasure(db).await;
    }
    Ok(counts)
}

/// What every kind's removal needs.
struct Ctx<'a> {
    db: &'a Db,
    schedule: &'a Schedule,
    who: &'a Who,
    holds: &'a [ActiveHold],
    now: i64,
    run_id: i64,
}

async fn apply(ctx: &Ctx<'_>, conn: &mut AnyConnection, kind: Kind) -> StoreResult<u64> {
    let cutoff = ctx.schedule.cutoff(kind, ctx.now);
    let held = not_held(ctx.holds);
    match kind {
        Kind::Waitlist => {
            exec(
                conn,
                &format!(
                    "DELETE FROM bookings WHERE id IN (SELECT b.id FROM bookings b \
                     JOIN sessions s ON s.id = b.session_id \
                     WHERE b.status IN ('waitlisted', 'cancelled') AND s.starts_at < $1{held})"
                ),
                cutoff,
            )
            .await
        }
        Kind::Bookings => ended_programmes(ctx, conn).await,
        Kind::WebSessions => {
            exec(
                conn,
                "DELETE FROM web_sessions WHERE last_seen_at < $1",
                cutoff,
            )
            .await
        }
        Kind::StaffImportRows => {
            exec(
                conn,
                "DELETE FROM staff_import_people WHERE import_id IN \
                 (SELECT id FROM staff_imports WHERE created_at < $1)",
                cutoff,
            )
            .await
        }
        Kind::Tokens => {
            let a = exec(
                conn,
                "DELETE FROM invitations WHERE used_at IS NULL AND expires_at < $1",
                cutoff,
            )
            .await?;
            let b = exec(
                conn,
                "DELETE FROM password_resets WHERE COALESCE(used_at, expires_at) < $1 OR expires_at < $1",
                cutoff,
            )
            .await?;
            Ok(a + b)
        }
        Kind::LeftPeople => left_people(ctx, conn, cutoff).await,
        Kind::AuditLog => {
            crate::audit_prune::prune_in(conn, ctx.who, ctx.run_id, cutoff, ctx.now).await
        }
    }
}

/// Bookings (with their report facts) on sessions of every funding
/// programme that ended before the cut-off, outside the holds; programmes
/// and bookings are read in keyset batches.
async fn ended_programmes(ctx: &Ctx<'_>, conn: &mut AnyConnection) -> StoreResult<u64> {
    let today = chrono::DateTime::from_timestamp(ctx.now, 0)
        .unwrap_or_default()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive();
    let last_end = ctx.schedule.bookings_cutoff_date(today).format("%Y-%m-%d");
    let held = not_held(ctx.holds);
    let mut n = 0;
    let mut after_programme = 0i64;
    loop {
        let ended: Vec<(i64, String, String)> = sqlx::query(&format!(
            "SELECT id, starts_on, ends_on FROM funding_programmes \
             WHERE ends_on <= $1 AND id > $2 ORDER BY id LIMIT {BATCH}"
        ))
        .bind(last_end.to_string())
        .bind(after_programme)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| (r.get("id"), r.get("starts_on"), r.get("ends_on")))
        .collect();
        let Some(last) = ended.last() else {
            return Ok(n);
        };
        after_programme = last.0;
        for (_, starts, ends) in ended {
            let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            let (Some(from), Some(to)) = (day(&starts), day(&ends).and_then(|d| d.succ_opt()))
            else {
                continue;
            };
            let (from, to) = (crate::time::day_start(from), crate::time::day_start(to));
            let mut after = 0i64;
            loop {
                let rows = sqlx::query(&format!(
                    "SELECT b.id, b.person_id FROM bookings b JOIN sessions s ON s.id = b.session_id \
                     WHERE s.starts_at >= $1 AND s.starts_at < $2{held} AND b.id > $3 \
                     ORDER BY b.id LIMIT {BATCH}"
                ))
                .bind(from)
                .bind(to)
                .bind(after)
                .fetch_all(&mut *conn)
                .await?;
                let ids: Vec<i64> = rows.iter().map(|r| r.get("id")).collect();
                let Some(&last) = ids.last() else {
                    break;
                };
                after = last;
                let mut people: Vec<i64> = rows.iter().map(|r| r.get("person_id")).collect();
                people.sort_unstable();
                people.dedup();
                let list = ids
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                sqlx::query(&format!(
                    "DELETE FROM attendance_facts WHERE booking_id IN ({list})"
                ))
                .execute(&mut *conn)
                .await?;
                n += sqlx::query(&format!("DELETE FROM bookings WHERE id IN ({list})"))
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                // Later sessions' facts point at the previous attended one.
                crate::reports::refresh_people(conn, &people).await?;
            }
        }
    }
}

/// People who left before the cut-off (`left_at`), and erasures a legal
/// hold kept from finishing, not erased and not covered by a hold (any
/// more): pseudonymised through the erasure, in batches.
async fn left_people(ctx: &Ctx<'_>, conn: &mut AnyConnection, cutoff: i64) -> StoreResult<u64> {
    let mut n = 0;
    let mut after = 0i64;
    loop {
        let ids: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM people WHERE active = 0 AND erased_at IS NULL \
             AND (left_at < $1 OR erasure_held_at IS NOT NULL) \
             AND id > $2 ORDER BY id LIMIT {BATCH}"
        ))
        .bind(cutoff)
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        let Some(&last) = ids.last() else {
            return Ok(n);
        };
        after = last;
        for id in ids {
            if !legal_holds::covering_person(conn, PersonId(id))
                .await?
                .is_empty()
            {
                continue;
            }
            crate::erasure::erase_in(ctx.db, conn, ctx.who, PersonId(id)).await?;
            n += 1;
        }
    }
}

/// The last real run, if any.
pub async fn last_run(db: &Db) -> StoreResult<Option<Run>> {
    let row = sqlx::query(
        "SELECT started_at, finished_at, actor_label, counts FROM retention_runs ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| {
        let parsed: BTreeMap<String, u64> =
            serde_json::from_str(&r.get::<String, _>("counts")).unwrap_or_default();
        Run {
            started_at: r.get("started_at"),
            finished_at: r.get("finished_at"),
            actor_label: r.get("actor_label"),
            counts: Kind::ALL
                .iter()
                .map(|k| {
                    (
                        k.label_sv().to_string(),
                        parsed.get(k.code()).copied().unwrap_or(0),
                    )
                })
                .collect(),
        }
    }))
}
