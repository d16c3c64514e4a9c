//! Bookkeeping around uploaded files: one import at a time per account, and
//! checked files waiting for the user's confirmation (kept on the server,
//! not sent back in the page).

use base64::Engine as _;
use domain::ids::AccountId;

use crate::db::Db;
use crate::error::StoreResult;

/// A lock older than this is taken over (its holder crashed or hung).
pub const STALE_LOCK_SECS: i64 = 10 * 60;
/// A waiting upload older than this is gone.
pub const UPLOAD_KEEP_SECS: i64 = 60 * 60;

/// Held while an account imports; give it back with [`unlock`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLock {
    pub account_id: i64,
    pub started_at: i64,
}

/// Take the account's import lock, or `None` when another import of the
/// same account is still running (on any instance).
pub async fn try_lock(
    db: &Db,
    account_id: AccountId,
    kind: &str,
) -> StoreResult<Option<ImportLock>> {
    let now = crate::time::now();
    let r = sqlx::query(
        "INSERT INTO import_locks (account_id, kind, started_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id) DO UPDATE SET kind = excluded.kind, started_at = excluded.started_at \
         WHERE import_locks.started_at < $4",
    )
    .bind(account_id)
    .bind(kind)
    .bind(now)
    .bind(now - STALE_LOCK_SECS)
    .execute(db.writer())
    .await?;
    Ok((r.rows_affected() == 1).then_some(ImportLock {
        account_id: account_id.get(),
        started_at: now,
    }))
}

pub async fn unlock(db: &Db, lock: ImportLock) -> StoreResult<()> {
    sqlx::query("DELETE FROM import_locks WHERE account_id = $1 AND started_at = $2")
        .bind(lock.account_id)
        .bind(lock.started_at)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Keep a checked file until the user confirms it; replaces the account's
/// earlier waiting file of the same kind. Returns its id for the form.
pub async fn save_upload(
    db: &Db,
    account_id: AccountId,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
) -> StoreResult<i64> {
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    sqlx::query(
        "DELETE FROM import_uploads WHERE (account_id = $1 AND kind = $2) OR created_at < $3",
    )
    .bind(account_id)
    .bind(kind)
    .bind(now - UPLOAD_KEEP_SECS)
    .execute(&mut *tx)
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO import_uploads (account_id, kind, file_name, content, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(account_id)
    .bind(kind)
    .bind(file_name)
    .bind(base64::engine::general_purpose::STANDARD.encode(bytes))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The account's own waiting file (name and bytes), if it is still there.
pub async fn upload(
    db: &Db,
    account_id: AccountId,
    kind: &str,
    id: i64,
) -> StoreResult<Option<(String, Vec<u8>)>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT file_name, content FROM import_uploads \
         WHERE id = $1 AND account_id = $2 AND kind = $3 AND created_at >= $4",
    )
    .bind(id)
    .bind(account_id)
    .bind(kind)
    .bind(crate::time::now() - UPLOAD_KEEP_SECS)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.and_then(|(name, content)| {
        base64::engine::general_purpose::STANDARD
            .decode(content)
            .ok()
            .map(|b| (name, b))
    }))
}

pub async fn delete_upload(db: &Db, account_id: AccountId, id: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM import_uploads WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account_id)
        .execute(db.writer())
        .await?;
    Ok(())
}
