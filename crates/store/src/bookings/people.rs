//! The people a decision needs: their facts (row-locked on PostgreSQL),
//! overlapping bookings, and who already holds a place on the session.

use std::collections::BTreeMap;

use domain::sessions::{overlaps, Interval};
use sqlx::{AnyConnection, FromRow, Row};

use super::decide::ROWS_PER_STATEMENT;
use super::{LIVE, SEAT};
use crate::db::{Db, Engine};
use crate::error::StoreResult;

pub(super) fn person_lock(db: &Db) -> &'static str {
    match db.engine() {
        Engine::Postgres => " FOR UPDATE",
        Engine::Sqlite => "",
    }
}

/// A person as a booking decision needs them.
#[derive(Debug, Clone, FromRow)]
pub(super) struct PersonFacts {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) email: String,
    pub(super) municipality_id: i64,
    pub(super) active: i64,
}

pub(super) async fn person(
    db: &Db,
    conn: &mut AnyConnection,
    id: i64,
) -> StoreResult<Option<PersonFacts>> {
    Ok(sqlx::query_as(&format!(
        "SELECT id, name, email, municipality_id, active FROM people WHERE id = $1{}",
        person_lock(db)
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// The first start and the last end of a session's parts.
pub(super) fn span(parts: &[Interval]) -> (i64, i64) {
    (
        parts.iter().map(|p| p.starts_at).min().unwrap_or(0),
        parts.iter().map(|p| p.ends_at).max().unwrap_or(0),
    )
}

/// Does the person hold a seat on another live session overlapping `parts`?
pub(crate) async fn has_overlap(
    conn: &mut AnyConnection,
    person_id: i64,
    session_id: i64,
    parts: &[Interval],
) -> StoreResult<bool> {
    let (from, to) = span(parts);
    let rows = sqlx::query(&format!(
        "SELECT COALESCE(p.starts_at, s.starts_at) AS starts_at, COALESCE(p.ends_at, s.ends_at) AS ends_at FROM bookings b \
         JOIN sessions s ON s.id = b.session_id LEFT JOIN session_parts p ON p.session_id = s.id \
         WHERE b.person_id = $1 AND b.session_id <> $2 AND b.status IN {SEAT} AND s.status <> 'cancelled' \
         AND s.starts_at < $3 AND s.ends_at > $4"
    ))
    .bind(person_id)
    .bind(session_id)
    .bind(to)
    .bind(from)
    .fetch_all(conn)
    .await?;
    let other: Vec<Interval> = rows
        .iter()
        .map(|r| Interval::new(r.get("starts_at"), r.get("ends_at")))
        .collect();
    Ok(overlaps(parts, &other))
}

/// What a group's decisions need to know about each person, read in one
/// query for the whole group.
pub(super) struct Known {
    pub(super) person: PersonFacts,
    /// Already has a live booking on this session.
    pub(super) live: bool,
    /// Holds a seat on another session within this session's span.
    pub(super) near: bool,
    /// An exclusive funding source other than the session's under which
    /// the person already takes part in the course (asked only when the
    /// session's source is exclusive).
    pub(super) other_claim: Option<i64>,
}

/// The session's exclusive source and course, when a booking on it must
/// be checked for double funding.
#[derive(Debug, Clone, Copy)]
pub(super) struct ClaimCheck {
    pub(super) source_id: i64,
    pub(super) course_id: i64,
}

/// The people of a group (locked on PostgreSQL, in id order so that two
/// writers never wait on each other in a circle), their live booking here
/// and whether anything they hold elsewhere may overlap.
pub(super) async fn known_people(
    db: &Db,
    tx: &mut AnyConnection,
    session_id: i64,
    parts: &[Interval],
    person_ids: &[i64],
    claim: Option<ClaimCheck>,
) -> StoreResult<BTreeMap<i64, Known>> {
    let ids: Vec<i64> = person_ids
        .iter()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut known = BTreeMap::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        known.extend(known_people_chunk(db, tx, session_id, parts, chunk, claim).await?);
    }
    Ok(known)
}

pub(super) async fn known_people_chunk(
    db: &Db,
    tx: &mut AnyConnection,
    session_id: i64,
    parts: &[Interval],
    ids: &[i64],
    claim: Option<ClaimCheck>,
) -> StoreResult<BTreeMap<i64, Known>> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let (from, to) = span(parts);
    // Double funding (domain::funding::double_claim): the person's other
    // claiming bookings in the course under another exclusive source, an
    // index lookup by person; only for a session under an exclusive source.
    let first = if claim.is_some() { 6 } else { 4 };
    let claim_col = if claim.is_some() {
        format!(
            ", (SELECT MIN(f.id) FROM bookings b JOIN sessions s ON s.id = b.session_id \
             JOIN funding_sources f ON f.id = {effective} WHERE b.person_id = p.id AND s.course_id = $4 \
             AND b.session_id <> $1 AND b.status IN {claiming} AND f.exclusive = 1 AND f.id <> $5) AS other_claim",
            effective = crate::funding_sources::EFFECTIVE,
            claiming = crate::funding_sources::CLAIMING,
        )
    } else {
        String::new()
    };
    let list = (0..ids.len())
        .map(|i| format!("${}", i + first))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT p.id, p.name, p.email, p.municipality_id, p.active, \
         (SELECT COUNT(*) FROM bookings b WHERE b.session_id = $1 AND b.person_id = p.id AND b.status IN {LIVE}) AS live, \
         (SELECT COUNT(*) FROM bookings b JOIN sessions s ON s.id = b.session_id WHERE b.person_id = p.id \
          AND b.session_id <> $1 AND b.status IN {SEAT} AND s.status <> 'cancelled' AND s.starts_at < $2 AND s.ends_at > $3) AS near{claim_col} \
         FROM people p WHERE p.id IN ({list}) ORDER BY p.id{}",
        person_lock(db)
    );
    let mut q = sqlx::query(&sql).bind(session_id).bind(to).bind(from);
    if let Some(c) = claim {
        q = q.bind(c.course_id).bind(c.source_id);
    }
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            let person = PersonFacts {
                id: r.get("id"),
                name: r.get("name"),
                email: r.get("email"),
                municipality_id: r.get("municipality_id"),
                active: r.get("active"),
            };
            let known = Known {
                live: r.get::<i64, _>("live") > 0,
                near: r.get::<i64, _>("near") > 0,
                other_claim: if claim.is_some() {
                    r.get("other_claim")
                } else {
                    None
                },
                person,
            };
            (known.person.id, known)
        })
        .collect())
}
