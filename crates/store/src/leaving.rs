//! What happens when a person is marked as left — by the staff import or
//! by hand — and when they come back, inside the caller's transaction:
//!
//! - their account can no longer be used (it is refused while the person is
//!   marked as left, see `accounts::Account::refusal`), every login session
//!   ends and every API token is revoked;
//! - their invitation and unused reset links are deleted;
//! - their bookings on sessions that have not started are cancelled through
//!   the one cancellation path (`bookings::cancel_in`): each freed seat goes
//!   to the waiting list at once and the promoted people are told, exactly
//!   as for any cancellation. Past bookings and attendance stay.
//!
//! Either all of it happens with the change of the person, or nothing does.
//! Rows are written first and the audit entries last ([`Left::record`]), so
//! a caller changing many people keeps one lock order (rows, then the audit
//! chain's head) with every other writer.

use domain::booking::BookingStatus;
use domain::ids::{AccountId, BookingId, PersonId};
use sqlx::AnyConnection;

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::StoreResult;

/// Why the rows changed, as the audit entries say it.
pub const REASON: &str = crate::accounts::PERSON_LEFT_REASON;

/// What leaving changed, for the audit entries written after the rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Left {
    pub person_id: i64,
    /// The person's account, if they had one.
    pub account_id: Option<i64>,
    pub tokens_revoked: u64,
    /// Released bookings: (booking, its new status, bookings promoted into
    /// the freed seat).
    pub released: Vec<(i64, BookingStatus, Vec<i64>)>,
}

impl Left {
    /// Every promoted booking, in order.
    pub fn promoted(&self) -> Vec<i64> {
        self.released
            .iter()
            .flat_map(|(_, _, p)| p.iter().copied())
            .collect()
    }

    /// The audit entries: the account switched off, its tokens revoked, and
    /// one cancellation per released booking.
    pub async fn record(&self, conn: &mut AnyConnection, who: &Who) -> StoreResult<()> {
        if let Some(a) = self.account_id {
            audit::record(
                conn,
                who,
                "account.disable",
                "account",
                Some(a),
                Some(self.person_id),
                REASON,
            )
            .await?;
            crate::accounts::record_tokens_revoked(
                conn,
                who,
                AccountId(a),
                self.tokens_revoked,
                REASON,
            )
            .await?;
        }
        for (booking, status, _) in &self.released {
            crate::bookings::record_cancel(
                conn,
                who,
                BookingId(*booking),
                PersonId(self.person_id),
                *status,
                REASON,
            )
            .await?;
        }
        Ok(())
    }
}

/// The row changes of leaving (see the module notes), without the audit
/// entries: the caller writes them with [`Left::record`] after its rows.
/// The person's row must already say they have left (so they are not
/// promoted into a seat they just gave up).
pub async fn person_left_rows(
    db: &Db,
    conn: &mut AnyConnection,
    who: &Who,
    person_id: PersonId,
) -> StoreResult<Left> {
    let now = crate::time::now();
    let (account_id, tokens_revoked) =
        match crate::accounts::person_left_rows(conn, person_id).await? {
            Some((a, n)) => (Some(a), n),
            None => (None, 0),
        };
    sqlx::query("DELETE FROM invitations WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    if let Some(a) = account_id {
        sqlx::query("DELETE FROM password_resets WHERE account_id = $1 AND used_at IS NULL")
            .bind(a)
            .execute(&mut *conn)
            .await?;
    }
    // Sessions in id order: two transactions releasing bookings lock them
    // in the same order.
    let future: Vec<i64> = sqlx::query_scalar(
        "SELECT b.id FROM bookings b JOIN sessions s ON s.id = b.session_id \
         WHERE b.person_id = $1 AND b.status IN ('booked', 'waitlisted') AND s.starts_at > $2 \
         AND s.status NOT IN ('cancelled', 'held') ORDER BY b.session_id, b.id",
    )
    .bind(person_id)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let mut released = Vec::with_capacity(future.len());
    for booking in future {
        let (done, _) =
            crate::bookings::cancel_in(db, conn, who, BookingId(booking), None, now).await?;
        released.push((booking, done.status, done.promoted));
    }
    Ok(Left {
        person_id: person_id.get(),
        account_id,
        tokens_revoked,
        released,
    })
}

/// Leaving, rows and audit entries, inside the caller's transaction.
pub async fn person_left(
    db: &Db,
    conn: &mut AnyConnection,
    who: &Who,
    person_id: PersonId,
) -> StoreResult<Left> {
    let left = person_left_rows(db, conn, who, person_id).await?;
    left.record(conn, who).await?;
    Ok(left)
}

/// The person's account, if they have one.
pub async fn account_of(conn: &mut AnyConnection, person_id: PersonId) -> StoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM accounts WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// What the audit log says when a person comes back: their account can be
/// used again (it was never switched off by itself, only refused while the
/// person was marked as left), but the tokens revoked when they left stay
/// revoked and the old sessions stay ended.
pub const RETURNED_DETAIL: &str =
    "personen är åter i tjänst; gamla API-nycklar förblir återkallade";

/// A person marked as left is active again: one audit entry for their
/// account (if any), inside the caller's transaction.
pub async fn person_returned(
    conn: &mut AnyConnection,
    who: &Who,
    person_id: PersonId,
) -> StoreResult<()> {
    if let Some(a) = account_of(conn, person_id).await? {
        audit::record(
            conn,
            who,
            "account.enable",
            "account",
            Some(a),
            Some(person_id.get()),
            RETURNED_DETAIL,
        )
        .await?;
    }
    Ok(())
}
