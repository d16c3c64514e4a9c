//! A trainer's start page: sessions this week and next (attendance to
//! take), and coming sessions where they are registered as away.

use chrono::NaiveDate;
use domain::ids::PersonId;
use serde::Serialize;

use super::week_start;
use crate::db::Db;
use crate::error::StoreResult;
use crate::teaching::{self, Taught};

/// How far ahead "sessions where I am away" look.
pub const AWAY_DAYS: i64 = 90;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Glance {
    /// This week's and next week's sessions (from Monday of this week).
    pub fortnight: Vec<Taught>,
    /// Sessions that have started and whose attendance is not closed.
    pub attendance_due: i64,
    /// Coming sessions (next 90 days) the trainer is away from.
    pub away: Vec<Taught>,
}

pub async fn glance(
    db: &Db,
    person_id: PersonId,
    now: i64,
    today: NaiveDate,
) -> StoreResult<Glance> {
    let monday = week_start(today);
    let from = crate::time::day_start(monday);
    let to = crate::time::day_start(monday + chrono::Duration::days(14));
    let fortnight = teaching::between(db, person_id, from, to).await?;
    let attendance_due = super::count(
        db,
        "SELECT COUNT(*) FROM session_trainers t JOIN sessions s ON s.id = t.session_id \
         WHERE t.person_id = $1 AND s.starts_at <= $2 AND s.status <> 'cancelled' AND s.closed_at IS NULL",
        &[person_id.get(), now],
    )
    .await?;
    let away = teaching::between(db, person_id, now, now + AWAY_DAYS * 86_400)
        .await?
        .into_iter()
        .filter(|t| t.away)
        .collect();
    Ok(Glance {
        fortnight,
        attendance_due,
        away,
    })
}
