//! The audit log's retention rule (`audit_log_years`): the retention run
//! removes the oldest entries, those written before the cut-off, without
//! breaking the hash chain (`audit`). It first records an anchor in
//! `audit_anchors`: the id and hash of the last entry it removes (the
//! next entry's `prev_hash`), how many, the cut-off, when and by which
//! run. Only then does the log accept the DELETE (its trigger refuses any
//! entry after the newest anchor). Last, an `audit.prune` entry in the
//! chain names the anchor's hash, so `audit::verify` can start from the
//! anchor and an anchor slipped in afterwards is found.
//!
//! Only a prefix of the chain goes: up to the entry before the first one
//! written at or after the cut-off, so an entry with an odd clock never
//! leaves a hole. Removal is in batches, inside the run's transaction.

use sqlx::{AnyConnection, Row};

use crate::audit::{self, Who};
use crate::error::StoreResult;

/// Entries removed per statement.
const BATCH: i64 = 5000;

/// Remove the entries before `cutoff` (see the module notes), in the
/// caller's transaction; returns how many went.
pub async fn prune_in(
    conn: &mut AnyConnection,
    who: &Who,
    run_id: i64,
    cutoff: i64,
    now: i64,
) -> StoreResult<u64> {
    let first_kept: Option<i64> =
        sqlx::query_scalar("SELECT MIN(id) FROM audit_log WHERE at >= $1")
            .bind(cutoff)
            .fetch_one(&mut *conn)
            .await?;
    let last = sqlx::query(
        "SELECT id, hash FROM audit_log WHERE id < $1 AND at < $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(first_kept.unwrap_or(i64::MAX))
    .bind(cutoff)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(last) = last else {
        return Ok(0);
    };
    let (through, hash): (i64, Option<String>) = (last.get("id"), last.get("hash"));
    let hash = hash.unwrap_or_default();
    let removed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE id <= $1")
        .bind(through)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO audit_anchors (through_id, through_hash, removed, cutoff, at, run_id) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(through)
    .bind(&hash)
    .bind(removed)
    .bind(cutoff)
    .bind(now)
    .bind(run_id)
    .execute(&mut *conn)
    .await?;
    let mut n = 0u64;
    loop {
        let gone = sqlx::query(&format!(
            "DELETE FROM audit_log WHERE id IN \
             (SELECT id FROM audit_log WHERE id <= $1 ORDER BY id LIMIT {BATCH})"
        ))
        .bind(through)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if gone == 0 {
            break;
        }
        n += gone;
    }
    audit::record(
        conn,
        who,
        "audit.prune",
        "retention",
        Some(run_id),
        None,
        &format!("gallrade {n} poster t.o.m. post {through}; ankare {hash}"),
    )
    .await?;
    Ok(n)
}
