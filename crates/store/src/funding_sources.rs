//! Funding sources (`domain::funding::sources`): the list the hub keeps,
//! a session's source and a single booking's override, and the
//! double-funding rule applied inside the transaction that writes. The
//! booking path's own check is one more column of the query that already
//! reads the people of a booking group (`bookings::people`), asked only
//! when the session's source is exclusive.

use domain::booking::BookingStatus;
use domain::funding::sources::{self, Draft, Kind, Source, SourceRef};
use domain::ids::{BookingId, SessionId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

/// Sources read at most (a hub has a handful).
pub const MAX_SOURCES: i64 = 200;

/// Booking states that claim funding: a seat or a place in the queue, or
/// attended (absent and cancelled claim nothing).
pub(crate) const CLAIMING: &str = "('booked', 'waitlisted', 'attended')";

/// The effective source of booking `b` on session `s`.
pub(crate) const EFFECTIVE: &str = "COALESCE(b.funding_source_id, s.funding_source_id)";

const COLUMNS: &str = "id, name, kind, exclusive, programme_id";

fn from_row(r: &AnyRow) -> Source {
    Source {
        id: r.get("id"),
        name: r.get("name"),
        kind: Kind::parse(&r.get::<String, _>("kind")).unwrap_or(Kind::Other),
        exclusive: r.get::<i64, _>("exclusive") == 1,
        programme_id: r.get("programme_id"),
    }
}

fn as_ref(s: &Source) -> SourceRef {
    SourceRef {
        id: s.id,
        name: s.name.clone(),
        exclusive: s.exclusive,
    }
}

/// Every source, by name (Swedish order).
pub async fn list(db: &Db) -> StoreResult<Vec<Source>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM funding_sources ORDER BY name, id LIMIT {MAX_SOURCES}"
    ))
    .fetch_all(db.pool())
    .await?;
    let mut v: Vec<Source> = rows.iter().map(from_row).collect();
    v.sort_by(|a, b| domain::collation::swedish_cmp(&a.name, &b.name));
    Ok(v)
}

pub async fn get(db: &Db, id: i64) -> StoreResult<Source> {
    let mut conn = db.pool().acquire().await?;
    source_in(&mut conn, id)
        .await?
        .ok_or(StoreError::NotFound("finansieringskälla"))
}

async fn source_in(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<Source>> {
    Ok(sqlx::query(&format!(
        "SELECT {COLUMNS} FROM funding_sources WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(|r| from_row(&r)))
}

/// A source named in a request: unknown is bad input naming `field`.
async fn named_source(
    conn: &mut AnyConnection,
    field: &str,
    id: Option<i64>,
) -> StoreResult<Option<Source>> {
    match id {
        None => Ok(None),
        Some(id) => match source_in(conn, id).await? {
            Some(s) => Ok(Some(s)),
            None => Err(StoreError::invalid(
                field,
                "unknown_funding_source",
                "Finansieringskällan finns inte.",
            )),
        },
    }
}

async fn other_names(conn: &mut AnyConnection, except: Option<i64>) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT name FROM funding_sources WHERE id <> $1 ORDER BY id LIMIT {MAX_SOURCES}"
    ))
    .bind(except.unwrap_or(0))
    .fetch_all(conn)
    .await?)
}

/// Add a source (checked: a name used once, a known kind).
pub async fn create(db: &Db, who: &Who, d: &Draft) -> StoreResult<i64> {
    let mut tx = db.begin().await?;
    let c = sources::check(d, &other_names(&mut tx, None).await?).map_err(StoreError::Invalid)?;
    let now = crate::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO funding_sources (name, kind, exclusive, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(&c.name)
    .bind(c.kind.code())
    .bind(i64::from(c.exclusive))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        "funding_source.create",
        "funding_source",
        Some(id),
        None,
        &format!(
            "{} ({}, {})",
            c.name,
            c.kind.code(),
            if c.exclusive {
                "exklusiv"
            } else {
                "ej exklusiv"
            }
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Change a source. Making it exclusive is refused while a person has a
/// participation in a course under it and another under a different
/// exclusive source (the message names both and the person).
pub async fn update(db: &Db, who: &Who, id: i64, d: &Draft) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let Some(before) = source_in(&mut tx, id).await? else {
        return Err(StoreError::NotFound("finansieringskälla"));
    };
    let c =
        sources::check(d, &other_names(&mut tx, Some(id)).await?).map_err(StoreError::Invalid)?;
    if c.exclusive && !before.exclusive {
        let row = sqlx::query(&format!(
            "SELECT p.name AS person_name, k.title, f.id, f.name AS source_name FROM bookings b JOIN sessions s ON s.id = b.session_id \
             JOIN people p ON p.id = b.person_id JOIN courses k ON k.id = s.course_id \
             JOIN bookings b2 ON b2.person_id = b.person_id AND b2.id <> b.id AND b2.status IN {CLAIMING} \
             JOIN sessions s2 ON s2.id = b2.session_id AND s2.course_id = s.course_id \
             JOIN funding_sources f ON f.id = COALESCE(b2.funding_source_id, s2.funding_source_id) \
             WHERE {EFFECTIVE} = $1 AND b.status IN {CLAIMING} AND f.exclusive = 1 AND f.id <> $1 LIMIT 1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = row {
            let wanted = SourceRef {
                id,
                name: c.name.clone(),
                exclusive: true,
            };
            let existing = SourceRef {
                id: r.get("id"),
                name: r.get("source_name"),
                exclusive: true,
            };
            if let Err(e) = sources::double_claim(Some(&wanted), &[Some(existing)]) {
                return Err(StoreError::conflict(
                    Some("exclusive"),
                    e.message(
                        Some(&r.get::<String, _>("person_name")),
                        &r.get::<String, _>("title"),
                    ),
                ));
            }
        }
    }
    sqlx::query(
        "UPDATE funding_sources SET name = $1, kind = $2, exclusive = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(&c.name)
    .bind(c.kind.code())
    .bind(i64::from(c.exclusive))
    .bind(crate::time::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        "funding_source.update",
        "funding_source",
        Some(id),
        None,
        &format!(
            "{} → {} ({}, {})",
            before.name,
            c.name,
            c.kind.code(),
            if c.exclusive {
                "exklusiv"
            } else {
                "ej exklusiv"
            }
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A booking on a session with its own source (None: the session's).
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct BookingSource {
    pub booking_id: i64,
    pub person_id: i64,
    pub person_name: String,
    #[sqlx(try_from = "crate::error::Stored<BookingStatus>")]
    pub status: BookingStatus,
    pub funding_source_id: Option<i64>,
}

/// Bookings a session's funding page lists at most (a session's capacity
/// is far below).
pub const MAX_SESSION_BOOKINGS: i64 = 2000;

/// A session's claiming and absent bookings with their own sources.
pub async fn session_bookings(db: &Db, session_id: SessionId) -> StoreResult<Vec<BookingSource>> {
    Ok(sqlx::query_as::<_, BookingSource>(&format!(
        "SELECT b.id AS booking_id, b.person_id, p.name AS person_name, b.status, b.funding_source_id \
         FROM bookings b JOIN people p ON p.id = b.person_id \
         WHERE b.session_id = $1 AND b.status IN ('booked', 'waitlisted', 'attended', 'absent') \
         ORDER BY p.name, b.id LIMIT {MAX_SESSION_BOOKINGS}"
    ))
    .bind(session_id)
    .fetch_all(db.pool())
    .await?)
}

/// The session a booking is on (for going back to its page).
pub async fn session_of_booking(db: &Db, booking_id: BookingId) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT session_id FROM bookings WHERE id = $1")
        .bind(booking_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("anmälan"))
}

/// The source new sessions get: the current funding programme's, if it
/// has one (SQL for an INSERT's value).
pub(crate) const DEFAULT_FOR_NEW_SESSIONS: &str = "(SELECT f.id FROM funding_sources f \
    JOIN funding_programmes g ON g.id = f.programme_id WHERE g.current = 1 ORDER BY g.id DESC, f.id LIMIT 1)";

/// The first exclusive source other than `wanted` under which the person
/// has another claiming participation in the course (`except` is the
/// booking being changed, or 0), with its name.
async fn conflicting(
    conn: &mut AnyConnection,
    person_id: i64,
    course_id: i64,
    wanted: i64,
    except_booking: i64,
    except_session: i64,
) -> StoreResult<Option<SourceRef>> {
    Ok(sqlx::query(&format!(
        "SELECT f.id, f.name FROM bookings b JOIN sessions s ON s.id = b.session_id \
         JOIN funding_sources f ON f.id = {EFFECTIVE} \
         WHERE b.person_id = $1 AND s.course_id = $2 AND b.status IN {CLAIMING} AND b.id <> $3 \
         AND b.session_id <> $4 AND f.exclusive = 1 AND f.id <> $5 ORDER BY b.id LIMIT 1"
    ))
    .bind(person_id)
    .bind(course_id)
    .bind(except_booking)
    .bind(except_session)
    .bind(wanted)
    .fetch_optional(conn)
    .await?
    .map(|r| SourceRef {
        id: r.get("id"),
        name: r.get("name"),
        exclusive: true,
    }))
}

/// The refusal for booking `person` on `session`'s course under the
/// session's source `wanted` when `existing` already claims it (the
/// booking path found `existing` in its group query).
pub(crate) async fn refusal(
    conn: &mut AnyConnection,
    wanted: i64,
    existing: i64,
    course: &str,
) -> StoreResult<StoreError> {
    let w = source_in(conn, wanted).await?;
    let e = source_in(conn, existing).await?;
    let (Some(w), Some(e)) = (w, e) else {
        return Ok(StoreError::conflict(
            Some("person_id"),
            "Dubbelfinansiering.",
        ));
    };
    let msg = match sources::double_claim(Some(&as_ref(&w)), &[Some(as_ref(&e))]) {
        Err(d) => d.message(None, course),
        Ok(()) => "Dubbelfinansiering.".to_string(),
    };
    Ok(StoreError::conflict(Some("person_id"), msg))
}

/// Refuse restoring a cancelled booking (undo) that would now fund the
/// person twice for the course (another booking made in between under a
/// different exclusive source). Inside the undo's transaction.
pub(crate) async fn check_restore(
    conn: &mut AnyConnection,
    booking_id: i64,
    person_id: i64,
    session: &crate::session_rows::SessionRow,
) -> StoreResult<()> {
    let own: Option<i64> =
        sqlx::query_scalar("SELECT funding_source_id FROM bookings WHERE id = $1")
            .bind(booking_id)
            .fetch_one(&mut *conn)
            .await?;
    let Some(id) = own.or(session.funding_source_id) else {
        return Ok(());
    };
    let Some(w) = source_in(conn, id).await?.filter(|w| w.exclusive) else {
        return Ok(());
    };
    let other = conflicting(
        conn,
        person_id,
        session.course_id,
        w.id,
        booking_id,
        session.id,
    )
    .await?;
    sources::double_claim(Some(&as_ref(&w)), &[other]).map_err(|e| {
        StoreError::conflict(Some("person_id"), e.message(None, &session.course_title))
    })
}

/// Set a session's source (None: no source). Refused, changing nothing,
/// when a person booked on it (without an override of their own) has
/// another participation in the course under a different exclusive
/// source. Attended time moves to the new source in the report facts, and
/// exported months it falls in are flagged for a new export.
pub async fn set_session_source(
    db: &Db,
    who: &Who,
    session_id: SessionId,
    source: Option<i64>,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let s = crate::session_rows::row(
        &mut tx,
        session_id.get(),
        crate::session_rows::lock_suffix(db),
    )
    .await?;
    let new = named_source(&mut tx, "funding_source_id", source).await?;
    if s.funding_source_id == source {
        return Ok(());
    }
    if let Some(n) = new.as_ref().filter(|n| n.exclusive) {
        let row = sqlx::query(&format!(
            "SELECT p.name AS person_name, f.id, f.name AS source_name FROM bookings b JOIN people p ON p.id = b.person_id \
             JOIN bookings b2 ON b2.person_id = b.person_id AND b2.session_id <> b.session_id AND b2.status IN {CLAIMING} \
             JOIN sessions s2 ON s2.id = b2.session_id AND s2.course_id = $2 \
             JOIN funding_sources f ON f.id = COALESCE(b2.funding_source_id, s2.funding_source_id) \
             WHERE b.session_id = $1 AND b.status IN {CLAIMING} AND b.funding_source_id IS NULL \
             AND f.exclusive = 1 AND f.id <> $3 ORDER BY b.id LIMIT 1"
        ))
        .bind(session_id)
        .bind(s.course_id)
        .bind(n.id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = row {
            let existing = SourceRef {
                id: r.get("id"),
                name: r.get("source_name"),
                exclusive: true,
            };
            if let Err(e) = sources::double_claim(Some(&as_ref(n)), &[Some(existing)]) {
                return Err(StoreError::conflict(
                    Some("funding_source_id"),
                    e.message(Some(&r.get::<String, _>("person_name")), &s.course_title),
                ));
            }
        }
    }
    let now = crate::time::now();
    sqlx::query("UPDATE sessions SET funding_source_id = $1, updated_at = $2 WHERE id = $3")
        .bind(source)
        .bind(now)
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    let attended: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM bookings WHERE session_id = $1 AND status = 'attended' ORDER BY person_id LIMIT 100000",
    )
    .bind(session_id)
    .fetch_all(&mut *tx)
    .await?;
    if !attended.is_empty() {
        crate::reports::refresh_people(&mut tx, &attended).await?;
        let month = domain::cofinancing::month_of(crate::time::local_date(s.starts_at));
        crate::attestation::flag_exports_from(&mut tx, month, now).await?;
    }
    audit::record(
        &mut tx,
        who,
        "session.funding_source",
        "session",
        Some(session_id.get()),
        None,
        &format!(
            "{} → {}",
            s.funding_source_id
                .map_or_else(|| "ingen".to_string(), |i| i.to_string()),
            new.as_ref().map_or("ingen", |n| n.name.as_str())
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Set one booking's own source (None: the session's). Refused, changing
/// nothing, when the new effective source is exclusive and the person has
/// another participation in the course under a different exclusive source.
pub async fn set_booking_source(
    db: &Db,
    who: &Who,
    booking_id: BookingId,
    source: Option<i64>,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let Some(b) = sqlx::query(
        "SELECT b.person_id, b.session_id, b.status, b.funding_source_id AS booking_source_id, s.funding_source_id AS session_source_id, s.course_id, k.title, \
         p.name, s.starts_at FROM bookings b JOIN sessions s ON s.id = b.session_id JOIN courses k ON k.id = s.course_id \
         JOIN people p ON p.id = b.person_id WHERE b.id = $1",
    )
    .bind(booking_id)
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Err(StoreError::NotFound("anmälan"));
    };
    let person_id: i64 = b.get("person_id");
    let session_id: i64 = b.get("session_id");
    let status: BookingStatus = crate::error::code(&b, "status")?;
    let before: Option<i64> = b.get("booking_source_id");
    let session_source: Option<i64> = b.get("session_source_id");
    let new = named_source(&mut tx, "funding_source_id", source).await?;
    if before == source {
        return Ok(());
    }
    let effective = match &new {
        Some(n) => Some(n.clone()),
        None => match session_source {
            Some(id) => source_in(&mut tx, id).await?,
            None => None,
        },
    };
    if let Some(w) = effective.as_ref().filter(|w| w.exclusive) {
        let other = conflicting(
            &mut tx,
            person_id,
            b.get("course_id"),
            w.id,
            booking_id.get(),
            session_id,
        )
        .await?;
        if let Err(e) = sources::double_claim(Some(&as_ref(w)), &[other]) {
            return Err(StoreError::conflict(
                Some("funding_source_id"),
                e.message(
                    Some(&b.get::<String, _>("name")),
                    &b.get::<String, _>("title"),
                ),
            ));
        }
    }
    let now = crate::time::now();
    sqlx::query("UPDATE bookings SET funding_source_id = $1, updated_at = $2 WHERE id = $3")
        .bind(source)
        .bind(now)
        .bind(booking_id)
        .execute(&mut *tx)
        .await?;
    if status == BookingStatus::Attended {
        crate::reports::refresh_people(&mut tx, &[person_id]).await?;
        let month = domain::cofinancing::month_of(crate::time::local_date(b.get("starts_at")));
        crate::attestation::flag_exports_from(&mut tx, month, now).await?;
    }
    audit::record(
        &mut tx,
        who,
        "booking.funding_source",
        "booking",
        Some(booking_id.get()),
        Some(person_id),
        &format!(
            "{} → {}",
            before.map_or_else(|| "tillfällets".to_string(), |i| i.to_string()),
            new.as_ref().map_or("tillfällets", |n| n.name.as_str())
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Migration 1013: the current programme gets its source, the sessions
/// within its period are put under it, and the report facts are rebuilt
/// with their sources.
pub(crate) async fn migrate(conn: &mut AnyConnection) -> StoreResult<()> {
    let now = crate::time::now();
    let current = sqlx::query(
        "SELECT id, name, starts_on, ends_on FROM funding_programmes WHERE current = 1 ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(p) = current {
        let id: i64 = p.get("id");
        crate::funding::follow_programme(conn, None, id, &p.get::<String, _>("name"), now).await?;
        let source: i64 =
            sqlx::query_scalar("SELECT id FROM funding_sources WHERE programme_id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
        let date = |s: String| crate::time::parse_date(&s);
        if let (Some(from), Some(to)) = (date(p.get("starts_on")), date(p.get("ends_on"))) {
            sqlx::query(
                "UPDATE sessions SET funding_source_id = $1 WHERE starts_at >= $2 AND starts_at < $3",
            )
            .bind(source)
            .bind(crate::time::day_start(from))
            .bind(crate::time::day_start(to.succ_opt().unwrap_or(to)))
            .execute(&mut *conn)
            .await?;
        }
    }
    crate::reports::rebuild_facts_in(conn).await?;
    Ok(())
}
