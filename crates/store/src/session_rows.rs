//! Reading one session row inside a transaction (with its course and
//! place, optionally locked) and its parts: shared by sessions, bookings,
//! trainers and cover, which all lock a session before changing it.

use domain::booking::SessionFacts;
use domain::notices::SessionText;
use domain::sessions::{Interval, Quota, SessionStatus};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow, Row};

use crate::db::{Db, Engine};
use crate::error::{StoreError, StoreResult};

/// One session row with its course and place.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub course_hours: f64,
    pub cancellation_deadline_days: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub municipality_id: i64,
    pub municipality_name: String,
    pub venue: String,
    pub capacity: i64,
    pub hours: f64,
    pub registration_opens_at: Option<i64>,
    pub registration_closes_at: Option<i64>,
    pub language_support: String,
    #[sqlx(try_from = "crate::error::Stored<SessionStatus>")]
    pub status: SessionStatus,
    pub cancel_reason: String,
    /// Who pays (`funding_sources`), and whether that source is exclusive
    /// (1: the booking path checks for double funding).
    pub funding_source_id: Option<i64>,
    pub funding_exclusive: i64,
}

pub(crate) const SESSION_SELECT: &str = "SELECT s.id, s.course_id, c.title AS course_title, c.hours AS course_hours, \
    c.cancellation_deadline_days, s.starts_at, s.ends_at, s.municipality_id, m.name AS municipality_name, s.venue, \
    s.capacity, s.hours, s.registration_opens_at, s.registration_closes_at, s.language_support, s.status, s.cancel_reason, \
    s.funding_source_id, COALESCE(fs.exclusive, 0) AS funding_exclusive \
    FROM sessions s JOIN courses c ON c.id = s.course_id JOIN municipalities m ON m.id = s.municipality_id \
    LEFT JOIN funding_sources fs ON fs.id = s.funding_source_id";

impl SessionRow {
    pub fn stored_status(&self) -> SessionStatus {
        self.status
    }
    pub fn closes_at(&self) -> i64 {
        self.registration_closes_at.unwrap_or(self.starts_at)
    }
    pub fn facts(&self, quotas: &[Quota]) -> SessionFacts {
        SessionFacts {
            status: self.stored_status(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            registration_opens_at: self.registration_opens_at,
            registration_closes_at: self.closes_at(),
            capacity: self.capacity,
            quotas: quotas.to_vec(),
        }
    }
    pub fn text(&self, parts: &[Interval]) -> SessionText {
        SessionText {
            session_id: self.id,
            course_title: self.course_title.clone(),
            venue: self.venue.clone(),
            municipality: self.municipality_name.clone(),
            parts: if parts.is_empty() {
                vec![Interval::new(self.starts_at, self.ends_at)]
            } else {
                parts.to_vec()
            },
        }
    }
}

/// Lock clause for the session row inside a write transaction.
pub(crate) fn lock_suffix(db: &Db) -> &'static str {
    match db.engine() {
        Engine::Postgres => " FOR UPDATE OF s",
        Engine::Sqlite => "",
    }
}

pub(crate) async fn row(conn: &mut AnyConnection, id: i64, lock: &str) -> StoreResult<SessionRow> {
    sqlx::query_as(&format!("{SESSION_SELECT} WHERE s.id = $1{lock}"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound("kurstillfälle"))
}

pub(crate) async fn parts(conn: &mut AnyConnection, id: i64) -> StoreResult<Vec<Interval>> {
    let rows = sqlx::query(
        "SELECT starts_at, ends_at FROM session_parts WHERE session_id = $1 ORDER BY starts_at",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Interval::new(r.get("starts_at"), r.get("ends_at")))
        .collect())
}

/// A session's parts, or its whole span when it has none stored.
pub(crate) async fn parts_or_span(conn: &mut AnyConnection, id: i64) -> StoreResult<Vec<Interval>> {
    let parts = parts(&mut *conn, id).await?;
    if !parts.is_empty() {
        return Ok(parts);
    }
    let r = sqlx::query("SELECT starts_at, ends_at FROM sessions WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok(vec![Interval::new(r.get("starts_at"), r.get("ends_at"))])
}
