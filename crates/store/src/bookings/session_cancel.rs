//! Cancelling a whole session: notices to everyone, offers of other dates.

use domain::booking::{self as rules, Pool};
use domain::ids::SessionId;
use domain::notices::{self, Recipient};
use domain::sessions::SessionStatus;
use serde::Serialize;
use sqlx::Row;

use super::decide::SessionCtx;
use super::people::has_overlap;
use super::LIVE;
use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::outbox::{self, Address};

#[derive(Debug, Clone, Default, Serialize)]
pub struct SessionCancelReport {
    pub notified: usize,
    pub offers: usize,
    pub next_session_id: Option<i64>,
}

/// How long an offered place on the next session is held.
pub const OFFER_HOLD_SECS: i64 = 7 * 86_400;

/// Cancel a whole session (e.g. the trainer is ill): everyone booked or
/// waiting is told, and each is offered a place on the next session of the
/// same course, held for them before others can take it (booked people
/// first, then the waiting list in order, as long as seats last).
pub async fn cancel_session(
    db: &Db,
    who: &Who,
    session_id: SessionId,
    reason: &str,
) -> StoreResult<SessionCancelReport> {
    let now = crate::time::now();
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::invalid(
            "reason",
            "missing_reason",
            "Ange orsak till att tillfället ställs in.",
        ));
    }
    let mut tx = db.begin().await?;
    let ctx = SessionCtx::load(db, &mut tx, session_id.get(), now).await?;
    if !ctx.facts.status.can_become(SessionStatus::Cancelled) {
        return Err(StoreError::conflict(
            None,
            format!(
                "Ett {} kurstillfälle kan inte ställas in.",
                ctx.facts.status.label_sv()
            ),
        ));
    }
    sqlx::query("UPDATE sessions SET status = 'cancelled', cancel_reason = $1, cancelled_at = $2, updated_at = $2 WHERE id = $3")
        .bind(reason)
        .bind(now)
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE session_holds SET released_at = $1 WHERE session_id = $2 AND released_at IS NULL",
    )
    .bind(now)
    .bind(session_id)
    .execute(&mut *tx)
    .await?;
    let affected = sqlx::query(
        "SELECT b.id, b.status, b.ics_sequence, p.id AS person_id, p.name, p.email, p.municipality_id, p.active \
         FROM bookings b \
         JOIN people p ON p.id = b.person_id WHERE b.session_id = $1 AND b.status IN ('booked', 'waitlisted') \
         ORDER BY CASE WHEN b.status = 'booked' THEN 0 ELSE 1 END, b.waitlist_seq, b.booked_at, b.id",
    )
    .bind(session_id)
    .fetch_all(&mut *tx)
    .await?;
    let next_id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM sessions WHERE course_id = $1 AND id <> $2 AND status NOT IN ('cancelled', 'held') \
         AND starts_at > $3 ORDER BY starts_at, id LIMIT 1",
    )
    .bind(ctx.row.course_id)
    .bind(session_id)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let mut next = match next_id {
        Some(id) => {
            let c = SessionCtx::load(db, &mut tx, id, now).await?;
            // The offer lasts a week, but never past the next session's close.
            let expires = (now + OFFER_HOLD_SECS).min(c.row.closes_at());
            (expires > now && c.row.registration_opens_at.is_none_or(|o| o <= now))
                .then_some((c, expires))
        }
        None => None,
    };
    let sender = db.sender();
    let mut report = SessionCancelReport {
        next_session_id: next_id,
        ..Default::default()
    };
    for r in &affected {
        let bid: i64 = r.get("id");
        let had_seat = r.get::<String, _>("status") == "booked";
        let seq: i64 = r.get::<i64, _>("ics_sequence") + 1;
        let pid: i64 = r.get("person_id");
        sqlx::query(
            "UPDATE bookings SET status = 'cancelled', waitlist_seq = NULL, cancelled_at = $1, cancelled_by_account_id = $2, \
             ics_sequence = $3, updated_at = $1 WHERE id = $4",
        )
        .bind(now)
        .bind(who.account_id)
        .bind(seq)
        .bind(bid)
        .execute(&mut *tx)
        .await?;
        let mut offer = None;
        if let Some((n, expires)) = next.as_mut() {
            let live: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM bookings WHERE session_id = $1 AND person_id = $2 AND status IN {LIVE}"
            ))
            .bind(n.row.id)
            .bind(pid)
            .fetch_one(&mut *tx)
            .await?;
            let eligible = r.get::<i64, _>("active") == 1
                && live == 0
                && !has_overlap(&mut tx, pid, n.row.id, &n.parts).await?;
            if eligible {
                if let Ok((q, g)) =
                    rules::decide_hold(&n.facts, &n.occ, now, r.get("municipality_id"), 1)
                {
                    let token = crate::accounts::new_secret();
                    let hid: i64 = sqlx::query(
                        "INSERT INTO session_holds (session_id, kind, municipality_id, person_id, from_session_id, quota_seats, \
                         general_seats, expires_at, token_hash, created_by_account_id, created_at) \
                         VALUES ($1, 'offer', $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    )
                    .bind(n.row.id)
                    .bind(r.get::<i64, _>("municipality_id"))
                    .bind(pid)
                    .bind(session_id)
                    .bind(q)
                    .bind(g)
                    .bind(*expires)
                    .bind(crate::accounts::hash_secret(&token))
                    .bind(who.account_id)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?
                    .get("id");
                    if q > 0 {
                        n.occ.hold(Pool::Quota(r.get("municipality_id")), q);
                    }
                    n.occ.hold(Pool::General, g);
                    report.offers += 1;
                    offer = Some(notices::OfferText {
                        hold_id: hid,
                        token,
                        session: n.text.clone(),
                        expires_at: *expires,
                    });
                }
            }
        }
        let to = Recipient {
            name: r.get("name"),
            email: r.get("email"),
        };
        let notice = notices::session_cancelled(
            &ctx.text,
            sender,
            &to,
            bid,
            seq,
            had_seat,
            reason,
            offer.as_ref(),
            now,
        );
        let addr = Address {
            email: to.email.clone(),
            person_id: Some(pid),
            session_id: Some(session_id.get()),
            booking_id: Some(bid),
        };
        outbox::enqueue(&mut tx, &addr, &notice, now).await?;
        report.notified += 1;
    }
    if let Some((n, _)) = &next {
        n.save_status(&mut tx, now).await?;
    }
    audit::record(
        &mut tx,
        who,
        "session.cancel",
        "session",
        Some(session_id.get()),
        None,
        reason,
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}
