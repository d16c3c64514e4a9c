//! Undoing a cancellation ("Ångra") in one write transaction that holds the
//! session, like every booking decision: a seat comes back only if one is
//! still free for the person at that moment (`domain::booking::undo`), so
//! an undo racing a booking for the same last seat gives it to exactly one.

use domain::booking::undo::{self as rules, CancelledBooking};
use domain::booking::{Applicant, BookingStatus, Placement};
use domain::ids::BookingId;
use domain::notices::{self, Recipient};
use domain::sessions::edit::next_sequence;
use serde::Serialize;
use sqlx::Row;

use super::batch::is_retryable;
use super::decide::SessionCtx;
use super::people::{has_overlap, person};
use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::outbox::{self, Address};

/// Where an undone cancellation left the booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restored {
    pub status: BookingStatus,
    pub waitlist_position: Option<i64>,
}

/// Take a cancellation back. Refusals are conflicts with the rule's message.
pub async fn undo_cancel(db: &Db, who: &Who, booking_id: BookingId) -> StoreResult<Restored> {
    let mut attempt = 0;
    loop {
        match try_undo(db, who, booking_id.get()).await {
            Err(e) if is_retryable(&e) && attempt < 5 => attempt += 1,
            other => return other,
        }
    }
}

async fn try_undo(db: &Db, who: &Who, booking_id: i64) -> StoreResult<Restored> {
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let sid: i64 = sqlx::query_scalar("SELECT session_id FROM bookings WHERE id = $1")
        .bind(booking_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("anmälan"))?;
    let mut ctx = SessionCtx::load(db, &mut tx, sid, now).await?;
    let b = sqlx::query(
        "SELECT status, person_id, cancelled_from, cancelled_waitlist_seq, cancelled_at, ics_sequence \
         FROM bookings WHERE id = $1",
    )
    .bind(booking_id)
    .fetch_one(&mut *tx)
    .await?;
    let person_id: i64 = b.get("person_id");
    let p = person(db, &mut tx, person_id)
        .await?
        .ok_or(StoreError::NotFound("person"))?;
    crate::funding_sources::check_restore(&mut tx, booking_id, person_id, &ctx.row).await?;
    let live: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM bookings WHERE session_id = $1 AND person_id = $2 AND status IN {}",
        super::LIVE
    ))
    .bind(sid)
    .bind(person_id)
    .fetch_one(&mut *tx)
    .await?;
    let was: Option<BookingStatus> = crate::error::code_opt(&b, "cancelled_from")?;
    let overlapping = was == Some(BookingStatus::Booked)
        && has_overlap(&mut tx, person_id, sid, &ctx.parts).await?;
    let facts = CancelledBooking {
        status: crate::error::code(&b, "status")?,
        was,
        cancelled_at: b.get("cancelled_at"),
    };
    let applicant = Applicant {
        municipality_id: p.municipality_id,
        active: p.active == 1,
        already_live: live > 0,
        overlapping,
    };
    let placement = rules::undo(&facts, &ctx.facts, &ctx.occ, now, &applicant)
        .map_err(|r| StoreError::conflict(None, r.message()))?;
    let seq = next_sequence(b.get::<i64, _>("ics_sequence"));
    let (status, quota, wait_seq) = match placement {
        Placement::Booked(pool) => {
            ctx.occ.take(pool);
            (BookingStatus::Booked, pool.quota_municipality(), None)
        }
        Placement::Waitlisted => {
            ctx.waitlisted += 1;
            // Back to the old number; someone who joined later stays behind.
            let old: Option<i64> = b.get("cancelled_waitlist_seq");
            let seq = match old {
                Some(s) => s,
                None => {
                    let n = ctx.next_seq;
                    ctx.next_seq += 1;
                    n
                }
            };
            (BookingStatus::Waitlisted, None, Some(seq))
        }
    };
    sqlx::query(
        "UPDATE bookings SET status = $1, quota_municipality_id = COALESCE($2, quota_municipality_id), \
         waitlist_seq = $3, cancelled_at = NULL, cancelled_by_account_id = NULL, cancelled_from = NULL, \
         cancelled_waitlist_seq = NULL, ics_sequence = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(status.code())
    .bind(quota)
    .bind(wait_seq)
    .bind(seq)
    .bind(now)
    .bind(booking_id)
    .execute(&mut *tx)
    .await?;
    let position = match wait_seq {
        Some(s) => Some(
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM bookings WHERE session_id = $1 AND status = 'waitlisted' AND waitlist_seq <= $2",
            )
            .bind(sid)
            .bind(s)
            .fetch_one(&mut *tx)
            .await?,
        ),
        None => None,
    };
    let to = Recipient {
        name: p.name.clone(),
        email: p.email.clone(),
    };
    let n = notices::booking_restored(&ctx.text, db.sender(), &to, booking_id, seq, position, now);
    let addr = Address {
        email: p.email.clone(),
        person_id: Some(person_id),
        session_id: Some(sid),
        booking_id: Some(booking_id),
    };
    outbox::enqueue(&mut tx, &addr, &n, now).await?;
    ctx.save_status(&mut tx, now).await?;
    audit::record(
        &mut tx,
        who,
        "booking.undo_cancel",
        "booking",
        Some(booking_id),
        Some(person_id),
        status.code(),
    )
    .await?;
    tx.commit().await?;
    Ok(Restored {
        status,
        waitlist_position: position,
    })
}

/// Whether the "Ångra" button should be shown for a booking now: the rule's
/// time window and a cancellation made from a live booking. Whether the
/// seat is still free is decided when the button is pressed.
pub fn undo_offered(
    status: BookingStatus,
    cancelled_from: Option<BookingStatus>,
    cancelled_at: Option<i64>,
    now: i64,
) -> bool {
    matches!(
        status,
        BookingStatus::Cancelled | BookingStatus::LateCancelled
    ) && cancelled_from.is_some()
        && cancelled_at.is_some_and(|t| now < rules::undo_until(t))
}
