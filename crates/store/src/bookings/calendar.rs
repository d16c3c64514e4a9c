//! Personal calendar feeds: the secret token and the feed's contents.

use domain::ids::PersonId;
use domain::notices::SessionText;
use sqlx::Row;

use super::views::{BookingView, BOOKING_SELECT};
use crate::db::Db;
use crate::error::StoreResult;
use crate::sessions as sess;

/// The secret token of a person's calendar feed, created on first use.
pub async fn feed_token(db: &Db, person_id: PersonId) -> StoreResult<String> {
    if let Some(t) =
        sqlx::query_scalar::<_, String>("SELECT token FROM calendar_feeds WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?
    {
        return Ok(t);
    }
    renew_feed_token(db, person_id).await
}

/// Replace the token (the old link stops working).
pub async fn renew_feed_token(db: &Db, person_id: PersonId) -> StoreResult<String> {
    let token = crate::accounts::new_secret();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM calendar_feeds WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO calendar_feeds (person_id, token, created_at) VALUES ($1, $2, $3)")
        .bind(person_id)
        .bind(&token)
        .bind(crate::time::now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(token)
}

/// The person a feed token belongs to, while the feed may still be read:
/// not once the person has left (inactive) or an account of theirs has been
/// deactivated (rule 8: someone who leaves loses access at once).
pub async fn person_for_feed(db: &Db, token: &str) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT f.person_id FROM calendar_feeds f JOIN people p ON p.id = f.person_id \
         WHERE f.token = $1 AND p.active = 1 \
         AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id AND a.active <> 1)",
    )
    .bind(token.trim())
    .fetch_optional(db.pool())
    .await?)
}

/// A person's booked sessions with their parts (for the personal feed).
pub async fn person_calendar(
    db: &Db,
    person_id: PersonId,
) -> StoreResult<Vec<(BookingView, SessionText)>> {
    let rows: Vec<BookingView> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE b.person_id = $1 AND b.status IN ('booked', 'attended', 'absent') ORDER BY s.starts_at"
    ))
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    let mut out = vec![];
    let mut conn = db.pool().acquire().await?;
    for b in rows {
        let r = sess::row(&mut conn, b.session_id, "").await?;
        let parts = sess::parts(&mut conn, b.session_id).await?;
        out.push((b, r.text(&parts)));
    }
    Ok(out)
}

/// Where a person belongs, for the access decision before booking (one
/// indexed lookup; None when there is no such person).
pub async fn person_ref(
    db: &Db,
    person_id: PersonId,
) -> StoreResult<Option<domain::access::PersonRef>> {
    let row = sqlx::query("SELECT id, unit_id, municipality_id FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| domain::access::PersonRef {
        person_id: r.get("id"),
        unit_id: r.get("unit_id"),
        municipality_id: r.get("municipality_id"),
    }))
}
