//! A participant's start page: the next booked session, offers and
//! surveys waiting for an answer, certificates about to expire (with the
//! nearest session to renew them) and courses completed.

use chrono::NaiveDate;
use domain::ids::PersonId;
use serde::Serialize;
use sqlx::FromRow;

use super::count;
use crate::db::Db;
use crate::error::StoreResult;

/// How far ahead an expiring certificate is shown.
pub const EXPIRING_DAYS: i64 = 90;

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct NextSession {
    pub session_id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub starts_at: i64,
    pub venue: String,
    pub municipality: String,
    pub course_description: String,
}

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Expiring {
    pub course_id: i64,
    pub course_title: String,
    pub expires_on: String,
    /// The soonest bookable session of the course, if any.
    pub next_session_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Glance {
    pub next: Option<NextSession>,
    pub offers: i64,
    pub surveys: i64,
    pub expiring: Vec<Expiring>,
    pub completed: i64,
}

pub async fn glance(
    db: &Db,
    person_id: PersonId,
    now: i64,
    today: NaiveDate,
) -> StoreResult<Glance> {
    let next: Option<NextSession> = sqlx::query_as(
        "SELECT s.id AS session_id, k.id AS course_id, k.title AS course_title, s.starts_at, s.venue, \
         m.name AS municipality, k.description AS course_description \
         FROM bookings b JOIN sessions s ON s.id = b.session_id JOIN courses k ON k.id = s.course_id \
         JOIN municipalities m ON m.id = s.municipality_id \
         WHERE b.person_id = $1 AND b.status = 'booked' AND s.ends_at > $2 AND s.status <> 'cancelled' \
         ORDER BY s.starts_at, s.id LIMIT 1",
    )
    .bind(person_id)
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    let offers = count(
        db,
        "SELECT COUNT(*) FROM session_holds h WHERE h.kind = 'offer' AND h.person_id = $1 \
         AND h.released_at IS NULL AND h.expires_at > $2 \
         AND h.quota_seats + h.general_seats > (SELECT COUNT(*) FROM bookings b WHERE b.hold_id = h.id \
         AND b.status IN ('booked', 'attended', 'absent'))",
        &[person_id.get(), now],
    )
    .await?;
    let surveys = count(
        db,
        "SELECT COUNT(*) FROM survey_invitations WHERE person_id = $1 AND sent = 1 AND answered = 0",
        &[person_id.get()],
    )
    .await?;
    let until = today + chrono::Duration::days(EXPIRING_DAYS);
    let expiring: Vec<Expiring> = sqlx::query_as(
        "SELECT c.course_id, k.title AS course_title, c.expires_on, \
         (SELECT s.id FROM sessions s WHERE s.course_id = c.course_id AND s.starts_at > $4 \
          AND s.status IN ('planned', 'open') ORDER BY s.starts_at, s.id LIMIT 1) AS next_session_id \
         FROM completions c JOIN courses k ON k.id = c.course_id \
         WHERE c.person_id = $1 AND c.expires_on IS NOT NULL AND c.expires_on >= $2 AND c.expires_on <= $3 \
         AND NOT EXISTS (SELECT 1 FROM completions n WHERE n.person_id = c.person_id \
         AND n.course_id = c.course_id AND n.completed_on > c.completed_on) \
         ORDER BY c.expires_on LIMIT 5",
    )
    .bind(person_id)
    .bind(crate::time::date_str(today))
    .bind(crate::time::date_str(until))
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let completed = count(
        db,
        "SELECT COUNT(DISTINCT course_id) FROM completions WHERE person_id = $1",
        &[person_id.get()],
    )
    .await?;
    Ok(Glance {
        next,
        offers,
        surveys,
        expiring,
        completed,
    })
}
