//! A coordinator's start page: sessions in the next 14 days that need
//! action, sessions over but not closed, registration opening soon,
//! notices that failed to go out, and checked imports left unconfirmed.

use domain::ids::{AccountId, SessionId};
use serde::Serialize;

use super::count;
use crate::db::Db;
use crate::error::StoreResult;

/// How far ahead "needs action" looks.
pub const AHEAD_DAYS: i64 = 14;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Glance {
    /// Coming sessions (next 14 days) with fewer trainers than the course wants.
    pub short_of_trainers: i64,
    /// Coming sessions (next 14 days) where an assigned trainer is away.
    pub trainer_away: i64,
    /// Sessions that have ended and whose attendance is not closed.
    pub not_closed: i64,
    /// Sessions whose registration opens within 14 days.
    pub opening_soon: i64,
    /// Notices that failed at least once and are not sent.
    pub outbox_failed: i64,
    /// Checked import files waiting for the account's confirmation.
    pub imports_waiting: i64,
}

pub async fn glance(db: &Db, account_id: AccountId, now: i64) -> StoreResult<Glance> {
    let until = now + AHEAD_DAYS * 86_400;
    let short_of_trainers = count(
        db,
        "SELECT COUNT(*) FROM sessions s JOIN courses k ON k.id = s.course_id \
         WHERE s.status IN ('planned', 'open', 'full') AND s.starts_at >= $1 AND s.starts_at < $2 \
         AND (SELECT COUNT(*) FROM session_trainers t WHERE t.session_id = s.id) < k.trainers_per_session",
        &[now, until],
    )
    .await?;
    // Whether an absence covers a session is decided on its dated parts
    // (`domain::sessions::overlaps`): only the window's sessions whose
    // trainers have an absence at all are looked at.
    let candidates: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT s.id FROM sessions s JOIN session_trainers t ON t.session_id = s.id \
         WHERE s.status IN ('planned', 'open', 'full') AND s.starts_at >= $1 AND s.starts_at < $2 \
         AND EXISTS (SELECT 1 FROM trainer_absences a WHERE a.person_id = t.person_id AND a.ends_on >= $3) \
         ORDER BY s.id",
    )
    .bind(now)
    .bind(until)
    .bind(crate::time::date_str(crate::time::local_date(now)))
    .fetch_all(db.pool())
    .await?;
    let mut trainer_away = 0;
    for id in candidates {
        if !crate::cover::absent_trainers(db, SessionId(id))
            .await?
            .is_empty()
        {
            trainer_away += 1;
        }
    }
    let not_closed = count(
        db,
        "SELECT COUNT(*) FROM sessions s WHERE s.ends_at < $1 AND s.status <> 'cancelled' AND s.closed_at IS NULL",
        &[now],
    )
    .await?;
    let opening_soon = count(
        db,
        "SELECT COUNT(*) FROM sessions s WHERE s.status IN ('planned', 'open') \
         AND s.registration_opens_at >= $1 AND s.registration_opens_at < $2",
        &[now, until],
    )
    .await?;
    let outbox_failed = count(
        db,
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts > 0",
        &[],
    )
    .await?;
    let imports_waiting = count(
        db,
        "SELECT COUNT(*) FROM import_uploads WHERE account_id = $1",
        &[account_id.get()],
    )
    .await?;
    Ok(Glance {
        short_of_trainers,
        trainer_away,
        not_closed,
        opening_soon,
        outbox_failed,
        imports_waiting,
    })
}
