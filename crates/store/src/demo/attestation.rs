//! Synthetic attested time for the demo (SYNTETISK like the rest of the
//! demo's people and history): the demo participant took part in a
//! synthetic historical session last month, and last month's requests
//! have gone out, so `/mina-narvarotider` and `/attestering` show a month
//! to confirm. The synthetic historical participants are inactive and get
//! no notices; they show as not yet confirmed.

use domain::attestation::previous_month;
use domain::ids::{PersonId, SessionId};
use sqlx::Row;

use crate::audit::Who;
use crate::db::Db;
use crate::error::StoreResult;

pub async fn load(db: &Db, participant: i64) -> StoreResult<()> {
    let who = Who::system("demo");
    let today = crate::time::today();
    let last = previous_month(today);
    let (a, b) = crate::attestation::bounds(last);
    let sessions: Vec<i64> = sqlx::query(
        "SELECT id FROM sessions WHERE starts_at >= $1 AND starts_at < $2 AND status = 'held' \
         ORDER BY starts_at, id LIMIT 2",
    )
    .bind(a)
    .bind(b)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| r.get("id"))
    .collect();
    let now = crate::time::now();
    for s in &sessions {
        sqlx::query(
            "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, 'booked', $3, $3)",
        )
        .bind(s)
        .bind(participant)
        .bind(now)
        .execute(db.writer())
        .await?;
        crate::attendance::mark(db, &who, SessionId(*s), PersonId(participant), true).await?;
    }
    if !sessions.is_empty() {
        crate::attestation::open_month(db, &who, last, today, "").await?;
    }
    Ok(())
}
