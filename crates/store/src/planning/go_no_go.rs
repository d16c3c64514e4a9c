//! A session's minimum number of participants and its go/no-go date, and
//! the sessions due for a decision that are under their minimum, each with
//! the course's other coming sessions that could take its people (to merge
//! or move). Cancelling goes through `bookings::cancel_session`, which
//! gives the booked the first claim on the next session.

use chrono::NaiveDate;
use domain::ids::SessionId;
use domain::planning::go_no_go::{check_minimum, Minimum, MinimumDraft};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

/// The most sessions the decision list shows.
pub const DUE_LIMIT: i64 = 100;

/// A session's minimum and decision date, if set.
pub async fn minimum_of(db: &Db, session_id: SessionId) -> StoreResult<Option<Minimum>> {
    let r = sqlx::query("SELECT min_participants, decision_on FROM sessions WHERE id = $1")
        .bind(session_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("kurstillfälle"))?;
    let min: Option<i64> = r.get("min_participants");
    let on: Option<String> = r.get("decision_on");
    Ok(
        match (min, on.as_deref().and_then(crate::time::parse_date)) {
            (Some(min_participants), Some(decision_on)) => Some(Minimum {
                min_participants,
                decision_on,
            }),
            _ => None,
        },
    )
}

/// Set (or with an empty minimum, clear) a session's minimum and date.
pub async fn set_minimum(
    db: &Db,
    who: &Who,
    session_id: SessionId,
    d: &MinimumDraft,
    today: NaiveDate,
) -> StoreResult<Option<Minimum>> {
    let mut tx = db.begin().await?;
    let row =
        crate::sessions::row(&mut tx, session_id.get(), crate::sessions::lock_suffix(db)).await?;
    if row.stored_status().is_final() {
        return Err(StoreError::conflict(
            None,
            "Kurstillfället är genomfört eller inställt.",
        ));
    }
    let starts_on = crate::time::local_date(row.starts_at);
    let m = check_minimum(d, row.capacity, starts_on, today).map_err(StoreError::Invalid)?;
    sqlx::query("UPDATE sessions SET min_participants = $1, decision_on = $2 WHERE id = $3")
        .bind(m.map(|m| m.min_participants))
        .bind(m.map(|m| crate::time::date_str(m.decision_on)))
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "session.minimum",
        "session",
        Some(session_id.get()),
        None,
        &match m {
            Some(m) => format!("minst {} senast {}", m.min_participants, m.decision_on),
            None => "inget minimum".into(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

/// Another coming session of the course that could take the people.
#[derive(Debug, Clone, Serialize)]
pub struct Alternative {
    pub session_id: i64,
    pub starts_at: i64,
    pub municipality: String,
    pub free: i64,
}

/// A session due for its decision and under its minimum.
#[derive(Debug, Clone, Serialize)]
pub struct Due {
    pub session_id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub starts_at: i64,
    pub municipality: String,
    pub venue: String,
    pub booked: i64,
    pub min_participants: i64,
    pub decision_on: String,
    /// Coming sessions of the course with room for everyone booked here.
    pub alternatives: Vec<Alternative>,
}

const DUE_WHERE: &str = "s.min_participants IS NOT NULL AND s.decision_on <= $1 AND s.starts_at > $2 \
    AND s.status IN ('planned', 'open', 'full') \
    AND (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status IN ('booked', 'attended', 'absent')) < s.min_participants";

/// How many sessions are due for a decision and under their minimum.
pub async fn due_count(db: &Db, today: NaiveDate, now: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM sessions s WHERE {DUE_WHERE}"
    ))
    .bind(crate::time::date_str(today))
    .bind(now)
    .fetch_one(db.pool())
    .await?)
}

/// Sessions due for a decision and under their minimum, the soonest first,
/// with up to three alternatives each.
pub async fn due(db: &Db, today: NaiveDate, now: i64) -> StoreResult<Vec<Due>> {
    let rows = sqlx::query(&format!(
        "SELECT s.id, s.course_id, c.title, s.starts_at, m.name, s.venue, \
           (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status IN ('booked', 'attended', 'absent')) AS booked, \
           s.min_participants, s.decision_on \
         FROM sessions s JOIN courses c ON c.id = s.course_id JOIN municipalities m ON m.id = s.municipality_id \
         WHERE {DUE_WHERE} ORDER BY s.starts_at, s.id LIMIT {DUE_LIMIT}"
    ))
    .bind(crate::time::date_str(today))
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let session_id: i64 = r.get("id");
        let course_id: i64 = r.get("course_id");
        let booked: i64 = r.get("booked");
        let alts = sqlx::query(
            "SELECT s.id, s.starts_at, m.name, s.capacity - \
               (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status IN ('booked', 'attended', 'absent')) AS free \
             FROM sessions s JOIN municipalities m ON m.id = s.municipality_id \
             WHERE s.course_id = $1 AND s.id <> $2 AND s.starts_at > $3 AND s.status IN ('planned', 'open') \
             ORDER BY s.starts_at, s.id LIMIT 20",
        )
        .bind(course_id)
        .bind(session_id)
        .bind(now)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|a| Alternative {
            session_id: a.get("id"),
            starts_at: a.get("starts_at"),
            municipality: a.get("name"),
            free: a.get("free"),
        })
        .filter(|a| a.free >= booked.max(1))
        .take(3)
        .collect();
        out.push(Due {
            session_id,
            course_id,
            course_title: r.get("title"),
            starts_at: r.get("starts_at"),
            municipality: r.get("name"),
            venue: r.get("venue"),
            booked,
            min_participants: r.get("min_participants"),
            decision_on: r.get("decision_on"),
            alternatives: alts,
        });
    }
    Ok(out)
}
