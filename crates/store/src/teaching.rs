//! A trainer's own sessions ("Mina kurstillfällen"): the coming and past
//! sessions they teach, whether they are registered as away on each, and
//! the events of their personal teaching calendar.

use domain::ids::PersonId;
use domain::notices::SessionText;
use domain::sessions::SessionStatus;
use serde::Serialize;
use sqlx::FromRow;

use crate::db::Db;
use crate::error::StoreResult;
use crate::session_rows;

/// How many past sessions the page lists.
pub const PAST_SHOWN: i64 = 50;

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Taught {
    pub session_id: i64,
    pub course_title: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub venue: String,
    pub municipality: String,
    #[sqlx(try_from = "crate::error::Stored<SessionStatus>")]
    pub status: SessionStatus,
    pub closed_at: Option<i64>,
    pub booked: i64,
    /// Set from the trainer's absences, not read from SQL.
    #[sqlx(default)]
    pub away: bool,
}

impl Taught {
    /// Over, not cancelled and attendance not closed: attendance to take.
    pub fn attendance_due(&self, now: i64) -> bool {
        self.status != SessionStatus::Cancelled && self.closed_at.is_none() && self.starts_at <= now
    }
}

const TAUGHT_SELECT: &str = "SELECT s.id AS session_id, k.title AS course_title, s.starts_at, s.ends_at, \
    s.venue, m.name AS municipality, s.status, s.closed_at, \
    (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status IN ('booked', 'attended', 'absent')) AS booked \
    FROM session_trainers t JOIN sessions s ON s.id = t.session_id JOIN courses k ON k.id = s.course_id \
    JOIN municipalities m ON m.id = s.municipality_id";

/// The trainer's sessions that end in `[from, to)`, soonest first, each
/// marked when the trainer is registered as away then.
pub async fn between(db: &Db, person_id: PersonId, from: i64, to: i64) -> StoreResult<Vec<Taught>> {
    let rows: Vec<Taught> = sqlx::query_as(&format!(
        "{TAUGHT_SELECT} WHERE t.person_id = $1 AND s.ends_at >= $2 AND s.ends_at < $3 ORDER BY s.starts_at, s.id"
    ))
    .bind(person_id)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    mark_away(db, person_id.get(), rows).await
}

/// The last `PAST_SHOWN` sessions that ended before `now`, latest first.
pub async fn past(db: &Db, person_id: PersonId, now: i64) -> StoreResult<Vec<Taught>> {
    Ok(sqlx::query_as(&format!(
        "{TAUGHT_SELECT} WHERE t.person_id = $1 AND s.ends_at < $2 ORDER BY s.starts_at DESC, s.id DESC LIMIT {PAST_SHOWN}"
    ))
    .bind(person_id)
    .bind(now)
    .fetch_all(db.pool())
    .await?)
}

async fn mark_away(db: &Db, person_id: i64, mut rows: Vec<Taught>) -> StoreResult<Vec<Taught>> {
    if rows.is_empty() {
        return Ok(rows);
    }
    let mut conn = db.pool().acquire().await?;
    let absences = crate::trainers::absence_intervals(&mut conn, person_id).await?;
    if absences.is_empty() {
        return Ok(rows);
    }
    for r in rows
        .iter_mut()
        .filter(|r| r.status != SessionStatus::Cancelled)
    {
        let parts = session_rows::parts_or_span(&mut conn, r.session_id).await?;
        r.away = domain::sessions::overlaps(&parts, &absences);
    }
    Ok(rows)
}

/// The sessions a trainer teaches from `from` on (cancelled ones too, so a
/// calendar drops them), with their dated parts, for the teaching feed.
pub async fn calendar(
    db: &Db,
    person_id: PersonId,
    from: i64,
) -> StoreResult<Vec<(i64, SessionStatus, SessionText)>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT s.id FROM session_trainers t JOIN sessions s ON s.id = t.session_id \
         WHERE t.person_id = $1 AND s.ends_at >= $2 ORDER BY s.starts_at, s.id",
    )
    .bind(person_id)
    .bind(from)
    .fetch_all(db.pool())
    .await?;
    let mut conn = db.pool().acquire().await?;
    let mut out = vec![];
    for id in ids {
        let r = session_rows::row(&mut conn, id, "").await?;
        let parts = session_rows::parts(&mut conn, id).await?;
        out.push((id, r.status, r.text(&parts)));
    }
    Ok(out)
}
