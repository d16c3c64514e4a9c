//! A manager's start page: their units' gaps, certificates expiring this
//! month and next, coming bookings, reserved seats still to be named,
//! waiting lists, last month's late cancellations and no-shows, and the
//! team's next bookings.

use chrono::NaiveDate;
use domain::access::Scope;
use serde::Serialize;
use sqlx::FromRow;

use super::{count, month_start, scope_sql};
use crate::db::Db;
use crate::error::StoreResult;

/// How far ahead "coming bookings" reach.
pub const COMING_DAYS: i64 = 28;
/// How many of the team's next bookings the page lists.
pub const TEAM_BOOKINGS_SHOWN: i64 = 8;

/// A unit's reservation with seats nobody has been named on yet.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct OpenReservation {
    /// The reservation (named into from the staff-booking page).
    pub id: i64,
    pub unit_id: i64,
    pub session_id: i64,
    pub course_title: String,
    pub unit_name: String,
    pub starts_at: i64,
    pub unnamed: i64,
    /// The seats go back to everyone at this time.
    pub expires_at: i64,
}

/// One of the team's coming bookings.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct TeamBooking {
    pub person_id: i64,
    pub person_name: String,
    pub session_id: i64,
    pub course_title: String,
    pub starts_at: i64,
    #[sqlx(try_from = "crate::error::Stored<domain::booking::BookingStatus>")]
    pub status: domain::booking::BookingStatus,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Glance {
    pub unit_ids: Vec<i64>,
    pub expiring: i64,
    pub coming_bookings: i64,
    pub reservations: Vec<OpenReservation>,
    pub waitlisted: i64,
    pub late_cancelled: i64,
    pub no_shows: i64,
    pub team: Vec<TeamBooking>,
}

impl Glance {
    pub fn unnamed_seats(&self) -> i64 {
        self.reservations.iter().map(|r| r.unnamed).sum()
    }
    /// The earliest deadline for naming reserved seats.
    pub fn first_deadline(&self) -> Option<i64> {
        self.reservations.iter().map(|r| r.expires_at).min()
    }
    /// Every person the page names (for the audit log).
    pub fn people_shown(&self) -> Vec<i64> {
        self.team.iter().map(|t| t.person_id).collect()
    }
}

pub async fn glance(db: &Db, scope: &Scope, now: i64, today: NaiveDate) -> StoreResult<Glance> {
    let in_scope = scope_sql(scope, "p");
    let units_sql = {
        let u = scope_sql(scope, "x");
        // units have their own id, not a unit_id column
        format!(
            "SELECT x.id FROM (SELECT id, id AS unit_id, municipality_id FROM units) x WHERE {u} ORDER BY x.id"
        )
    };
    let unit_ids: Vec<i64> = sqlx::query_scalar(&units_sql).fetch_all(db.pool()).await?;
    let expiring = count(
        db,
        &format!(
            "SELECT COUNT(*) FROM completions c JOIN people p ON p.id = c.person_id \
             WHERE {in_scope} AND p.active = 1 AND c.expires_on IS NOT NULL \
             AND c.expires_on >= '{from}' AND c.expires_on < '{to}' \
             AND NOT EXISTS (SELECT 1 FROM completions n WHERE n.person_id = c.person_id \
             AND n.course_id = c.course_id AND n.completed_on > c.completed_on)",
            from = crate::time::date_str(today),
            to = crate::time::date_str(month_start(today, 2)),
        ),
        &[],
    )
    .await?;
    let last_month = (
        crate::time::day_start(month_start(today, -1)),
        crate::time::day_start(month_start(today, 0)),
    );
    // The four booking counts in one pass over the team's bookings of those
    // statuses (an index-only read per person: bookings_person_status).
    let (coming_bookings, waitlisted, late_cancelled, no_shows): (i64, i64, i64, i64) =
        sqlx::query_as(&format!(
            "SELECT \
             CAST(COALESCE(SUM(CASE WHEN b.status = 'booked' AND s.starts_at >= $1 AND s.starts_at < $2 THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN b.status = 'waitlisted' AND s.starts_at >= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN b.status = 'late_cancelled' AND b.cancelled_at >= $3 AND b.cancelled_at < $4 THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN b.status = 'absent' AND s.starts_at >= $3 AND s.starts_at < $4 THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM people p JOIN bookings b ON b.person_id = p.id JOIN sessions s ON s.id = b.session_id \
             WHERE {in_scope} AND b.status IN ('booked', 'waitlisted', 'late_cancelled', 'absent')"
        ))
        .bind(now)
        .bind(now + COMING_DAYS * 86_400)
        .bind(last_month.0)
        .bind(last_month.1)
        .fetch_one(db.pool())
        .await?;
    let reservations: Vec<OpenReservation> = sqlx::query_as(&format!(
        "SELECT * FROM (SELECT h.id, h.unit_id, h.session_id, k.title AS course_title, u.name AS unit_name, s.starts_at, \
         h.quota_seats + h.general_seats - (SELECT COUNT(*) FROM bookings b WHERE b.hold_id = h.id \
         AND b.status IN ('booked', 'attended', 'absent')) AS unnamed, h.expires_at \
         FROM session_holds h JOIN units u ON u.id = h.unit_id JOIN sessions s ON s.id = h.session_id \
         JOIN courses k ON k.id = s.course_id \
         WHERE h.kind = 'reservation' AND h.released_at IS NULL AND h.expires_at > $1 AND s.status <> 'cancelled' \
         AND {}) r WHERE r.unnamed > 0 ORDER BY r.expires_at LIMIT 20",
        scope_sql(scope, "h")
    ))
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let team: Vec<TeamBooking> = sqlx::query_as(&format!(
        "SELECT p.id AS person_id, p.name AS person_name, s.id AS session_id, k.title AS course_title, \
         s.starts_at, b.status FROM bookings b JOIN people p ON p.id = b.person_id \
         JOIN sessions s ON s.id = b.session_id JOIN courses k ON k.id = s.course_id \
         WHERE {in_scope} AND b.status IN ('booked', 'waitlisted') AND s.ends_at > $1 AND s.status <> 'cancelled' \
         ORDER BY s.starts_at, p.name, b.id LIMIT {TEAM_BOOKINGS_SHOWN}"
    ))
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    Ok(Glance {
        unit_ids,
        expiring,
        coming_bookings,
        reservations,
        waitlisted,
        late_cancelled,
        no_shows,
        team,
    })
}
