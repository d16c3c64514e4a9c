//! Cancelling a booking, settling a session's waiting list, and the
//! minute sweep.

use domain::booking::{self as rules, BookingStatus};
use domain::ids::{BookingId, PersonId, SessionId};
use domain::notices::{self, Recipient};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::batch::is_retryable;
use super::decide::SessionCtx;
use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::outbox::{self, Address};
use crate::sessions as sess;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cancelled {
    pub status: BookingStatus,
    /// Waiting people who got a seat because of this cancellation.
    pub promoted: Vec<i64>,
    /// Until when the cancellation can be undone (if the seat is not taken).
    pub undo_until: i64,
}

/// Cancel a booking (or leave the waiting list). With `token`, the caller
/// is the holder of a one-click decline link rather than a logged-in user.
pub async fn cancel(
    db: &Db,
    who: &Who,
    booking_id: BookingId,
    token: Option<&str>,
) -> StoreResult<Cancelled> {
    let mut attempt = 0;
    loop {
        match try_cancel(db, who, booking_id, token).await {
            Err(e) if is_retryable(&e) && attempt < 5 => attempt += 1,
            other => return other,
        }
    }
}

pub(super) async fn try_cancel(
    db: &Db,
    who: &Who,
    booking_id: BookingId,
    token: Option<&str>,
) -> StoreResult<Cancelled> {
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let (done, person_id) = cancel_in(db, &mut tx, who, booking_id, token, now).await?;
    record_cancel(
        &mut tx,
        who,
        booking_id,
        PersonId(person_id),
        done.status,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}

/// Cancel a booking inside the caller's transaction: the booking, its
/// notice, the waiting list promoted into the freed seat (with their
/// notices) and the session's status, but no audit entry (see
/// [`record_cancel`]; a caller that changes many rows writes its entries
/// last). Returns what happened and whose booking it was. The one
/// cancellation path: a person cancelling, a manager for them, and a
/// person marked as left (`leaving`) all come through here.
pub async fn cancel_in(
    db: &Db,
    tx: &mut AnyConnection,
    who: &Who,
    booking_id: BookingId,
    token: Option<&str>,
    now: i64,
) -> StoreResult<(Cancelled, i64)> {
    let sid: i64 = sqlx::query_scalar("SELECT session_id FROM bookings WHERE id = $1")
        .bind(booking_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("anmälan"))?;
    let mut ctx = SessionCtx::load(db, tx, sid, now).await?;
    let b = sqlx::query(
        "SELECT b.status, b.person_id, b.promoted_at, b.ics_sequence, b.token_hash, p.name, p.email, b.waitlist_seq \
         FROM bookings b JOIN people p ON p.id = b.person_id WHERE b.id = $1",
    )
    .bind(booking_id)
    .fetch_one(&mut *tx)
    .await?;
    let status =
        BookingStatus::parse(&b.get::<String, _>("status")).unwrap_or(BookingStatus::Cancelled);
    if let Some(t) = token {
        let stored: Option<String> = b.get("token_hash");
        if stored.as_deref() != Some(crate::accounts::hash_secret(t).as_str()) {
            return Err(StoreError::Forbidden(
                "Länken är ogiltig eller har redan använts.".into(),
            ));
        }
    }
    let kind = rules::cancellation(
        now,
        ctx.row.starts_at,
        ctx.row.cancellation_deadline_days,
        status,
        b.get::<Option<i64>, _>("promoted_at"),
    )
    .map_err(|r| StoreError::conflict(None, r.message()))?;
    let seq: i64 = b.get::<i64, _>("ics_sequence") + 1;
    sqlx::query(
        "UPDATE bookings SET status = $1, waitlist_seq = NULL, cancelled_at = $2, cancelled_by_account_id = $3, \
         ics_sequence = $4, token_hash = NULL, updated_at = $2, cancelled_from = $5, cancelled_waitlist_seq = $6 \
         WHERE id = $7",
    )
    .bind(kind.status().code())
    .bind(now)
    .bind(who.account_id)
    .bind(seq)
    .bind(status.code())
    .bind(b.get::<Option<i64>, _>("waitlist_seq"))
    .bind(booking_id)
    .execute(&mut *tx)
    .await?;
    let had_seat = status.holds_seat();
    if had_seat {
        // Recount: a seat named into a live reservation goes back to it.
        ctx.occ = sess::occupancy(tx, sid, now).await?;
        ctx.holds = sess::active_holds(tx, sid, now).await?;
    } else {
        ctx.waitlisted -= 1;
    }
    let person_id: i64 = b.get("person_id");
    let to = Recipient {
        name: b.get("name"),
        email: b.get("email"),
    };
    let n = notices::booking_cancelled(
        &ctx.text,
        db.sender(),
        &to,
        booking_id.get(),
        seq,
        had_seat,
        kind == rules::CancelKind::LateCancelled,
        now,
    );
    let addr = Address {
        email: to.email.clone(),
        person_id: Some(person_id),
        session_id: Some(sid),
        booking_id: Some(booking_id.get()),
    };
    outbox::enqueue(tx, &addr, &n, now).await?;
    let promoted = ctx.settle(db, tx, now).await?;
    ctx.save_status(tx, now).await?;
    Ok((
        Cancelled {
            status: kind.status(),
            promoted,
            undo_until: rules::undo::undo_until(now),
        },
        person_id,
    ))
}

/// The audit entry of a cancellation made by [`cancel_in`]; `why` is added
/// to the detail when not empty.
pub async fn record_cancel(
    conn: &mut AnyConnection,
    who: &Who,
    booking_id: BookingId,
    person_id: PersonId,
    status: BookingStatus,
    why: &str,
) -> StoreResult<()> {
    let detail = if why.is_empty() {
        status.code().to_string()
    } else {
        format!("{} ({why})", status.code())
    };
    audit::record(
        conn,
        who,
        "booking.cancel",
        "booking",
        Some(booking_id.get()),
        Some(person_id.get()),
        &detail,
    )
    .await
}

/// Fill free seats from the waiting list of one session (after a quota or
/// a reservation was released by time).
pub async fn settle_session(db: &Db, session_id: SessionId) -> StoreResult<Vec<i64>> {
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let mut ctx = SessionCtx::load(db, &mut tx, session_id.get(), now).await?;
    let p = ctx.settle(db, &mut tx, now).await?;
    ctx.save_status(&mut tx, now).await?;
    tx.commit().await?;
    Ok(p)
}

/// Release expired holds and fill freed seats on every upcoming session
/// that has people waiting. Run every minute by the server.
pub async fn sweep(db: &Db) -> StoreResult<usize> {
    let now = crate::time::now();
    sqlx::query("UPDATE session_holds SET released_at = expires_at WHERE released_at IS NULL AND expires_at <= $1")
        .bind(now)
        .execute(db.writer())
        .await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT b.session_id FROM bookings b JOIN sessions s ON s.id = b.session_id \
         WHERE b.status = 'waitlisted' AND s.starts_at > $1 AND s.status NOT IN ('cancelled', 'held')",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut n = 0;
    for id in ids {
        n += settle_session(db, SessionId(id)).await?.len();
    }
    Ok(n)
}
