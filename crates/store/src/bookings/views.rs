//! Reading bookings as pages and the API show them, and checking one-time
//! links.

use domain::booking::{self as rules, BookingStatus};
use domain::ids::{BookingId, HoldId, PersonId, SessionId};
use domain::sessions::SessionStatus;
use serde::Serialize;
use sqlx::FromRow;

use super::{Via, LIVE};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

/// A booking with its session, as "Mina bokningar" and the API show it.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct BookingView {
    pub id: i64,
    pub session_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub person_email: String,
    pub person_municipality_id: i64,
    pub person_municipality: String,
    pub person_unit_id: Option<i64>,
    pub person_unit: Option<String>,
    #[sqlx(try_from = "crate::error::Stored<BookingStatus>")]
    pub status: BookingStatus,
    pub waitlist_seq: Option<i64>,
    pub quota_municipality_id: Option<i64>,
    pub support_needs: String,
    pub booked_by_account_id: Option<i64>,
    pub booked_by: Option<String>,
    pub booked_via: String,
    pub booked_at: i64,
    pub cancelled_at: Option<i64>,
    pub promoted_at: Option<i64>,
    pub hold_id: Option<i64>,
    pub ics_sequence: i64,
    pub course_id: i64,
    pub course_title: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub venue: String,
    pub session_municipality: String,
    #[sqlx(try_from = "crate::error::Stored<SessionStatus>")]
    pub session_status: SessionStatus,
    pub cancellation_deadline_days: i64,
    /// What a cancelled booking was before (`booked`, `waitlisted`), for undo.
    #[sqlx(try_from = "crate::error::MaybeStored<BookingStatus>")]
    pub cancelled_from: Option<BookingStatus>,
    /// Filled in after loading.
    #[sqlx(skip)]
    pub waitlist_position: Option<i64>,
}

impl BookingView {
    pub fn status(&self) -> BookingStatus {
        self.status
    }
    pub fn status_label(&self) -> &'static str {
        self.status().label_sv()
    }
    pub fn via_label(&self) -> &'static str {
        Via::label_sv(&self.booked_via)
    }
    /// Whether cancelling now is possible, and whether it would be late.
    pub fn cancel_kind(&self, now: i64) -> Option<rules::CancelKind> {
        rules::cancellation(
            now,
            self.starts_at,
            self.cancellation_deadline_days,
            self.status(),
            self.promoted_at,
        )
        .ok()
    }
    /// The last moment a booked seat can be given up without it counting
    /// as a late cancellation.
    pub fn free_cancellation_until(&self) -> i64 {
        rules::free_cancellation_until(self.starts_at, self.cancellation_deadline_days)
    }
    /// Whether "Ångra" is offered now (the seat is checked when pressed).
    pub fn undo_offered(&self, now: i64) -> bool {
        super::undo::undo_offered(self.status, self.cancelled_from, self.cancelled_at, now)
    }
    /// Until when the cancellation can be undone.
    pub fn undo_until(&self) -> Option<i64> {
        self.cancelled_at.map(rules::undo::undo_until)
    }
    pub fn when_local(&self) -> String {
        domain::sessions::format_local(self.starts_at)
    }
}

pub(super) const BOOKING_SELECT: &str = "SELECT b.id, b.session_id, b.person_id, p.name AS person_name, p.email AS person_email, \
    p.municipality_id AS person_municipality_id, pm.name AS person_municipality, p.unit_id AS person_unit_id, \
    u.name AS person_unit, b.status, b.waitlist_seq, b.quota_municipality_id, b.support_needs, b.booked_by_account_id, \
    a.display_name AS booked_by, b.booked_via, b.booked_at, b.cancelled_at, b.promoted_at, b.hold_id, b.ics_sequence, \
    s.course_id, c.title AS course_title, s.starts_at, s.ends_at, s.venue, sm.name AS session_municipality, \
    s.status AS session_status, c.cancellation_deadline_days, b.cancelled_from \
    FROM bookings b JOIN people p ON p.id = b.person_id JOIN municipalities pm ON pm.id = p.municipality_id \
    LEFT JOIN units u ON u.id = p.unit_id LEFT JOIN accounts a ON a.id = b.booked_by_account_id \
    JOIN sessions s ON s.id = b.session_id JOIN courses c ON c.id = s.course_id \
    JOIN municipalities sm ON sm.id = s.municipality_id";

pub(super) async fn fill_positions(db: &Db, v: &mut [BookingView]) -> StoreResult<()> {
    for b in v
        .iter_mut()
        .filter(|b| b.status == BookingStatus::Waitlisted)
    {
        let ahead: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM bookings WHERE session_id = $1 AND status = 'waitlisted' AND waitlist_seq < $2",
        )
        .bind(b.session_id)
        .bind(b.waitlist_seq.unwrap_or(0))
        .fetch_one(db.pool())
        .await?;
        b.waitlist_position = Some(ahead + 1);
    }
    Ok(())
}

/// Whether `token` is the live one-click decline link of the booking (the
/// link stops working once used). Says nothing about unknown bookings.
pub async fn decline_link_valid(db: &Db, booking_id: BookingId, token: &str) -> StoreResult<bool> {
    link_valid(db, "bookings", booking_id.get(), token).await
}

/// Whether `token` is the live link of an offered place.
pub async fn offer_link_valid(db: &Db, hold_id: HoldId, token: &str) -> StoreResult<bool> {
    link_valid(db, "session_holds", hold_id.get(), token).await
}

pub(super) async fn link_valid(db: &Db, table: &str, id: i64, token: &str) -> StoreResult<bool> {
    let token = token.trim();
    if token.is_empty() {
        return Ok(false);
    }
    let stored: Option<Option<String>> =
        sqlx::query_scalar(&format!("SELECT token_hash FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    Ok(stored.flatten().as_deref() == Some(crate::accounts::hash_secret(token).as_str()))
}

pub async fn get(db: &Db, id: BookingId) -> StoreResult<BookingView> {
    let mut v: Vec<BookingView> = sqlx::query_as(&format!("{BOOKING_SELECT} WHERE b.id = $1"))
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    fill_positions(db, &mut v).await?;
    v.pop().ok_or(StoreError::NotFound("anmälan"))
}

/// A person's bookings, upcoming first then past, newest first within each.
pub async fn for_person(db: &Db, person_id: PersonId) -> StoreResult<Vec<BookingView>> {
    let mut v: Vec<BookingView> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE b.person_id = $1 ORDER BY s.starts_at DESC, b.id DESC"
    ))
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    fill_positions(db, &mut v).await?;
    Ok(v)
}

/// Everyone on a session: booked first (by time booked), then the waiting
/// list in order, then cancelled.
pub async fn for_session(db: &Db, session_id: SessionId) -> StoreResult<Vec<BookingView>> {
    let mut v: Vec<BookingView> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE b.session_id = $1 ORDER BY \
         CASE WHEN b.status IN ('booked', 'attended', 'absent') THEN 0 WHEN b.status = 'waitlisted' THEN 1 ELSE 2 END, \
         b.waitlist_seq, b.booked_at, b.id"
    ))
    .bind(session_id)
    .fetch_all(db.pool())
    .await?;
    let mut pos = 0;
    for b in v.iter_mut() {
        if b.status == BookingStatus::Waitlisted {
            pos += 1;
            b.waitlist_position = Some(pos);
        }
    }
    Ok(v)
}

/// Bookings of people in the given units on upcoming sessions (a manager's view).
pub async fn for_units(db: &Db, unit_ids: &[i64], from: i64) -> StoreResult<Vec<BookingView>> {
    if unit_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids = unit_ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut v: Vec<BookingView> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE p.unit_id IN ({ids}) AND s.ends_at > $1 AND b.status IN {LIVE} ORDER BY s.starts_at, p.name"
    ))
    .bind(from)
    .fetch_all(db.pool())
    .await?;
    fill_positions(db, &mut v).await?;
    Ok(v)
}
