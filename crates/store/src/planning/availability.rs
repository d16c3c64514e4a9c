//! Trainers' availability per term, and the warnings when a session lies
//! outside it (`domain::planning::availability`): on the session page for
//! the trainers on it and those who could be added, and in the cover list.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use domain::ids::{PersonId, SessionId};
use domain::planning::availability::{
    check_availability, warnings, week_load, Availability, AvailabilityDraft, Warning,
};
use domain::planning::term::Term;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

/// The most trainers the coordinator's overview lists (the national pool
/// is about 2 000).
pub const TRAINERS: i64 = 5000;

/// A trainer's availability as stored, with when it was last changed.
#[derive(Debug, Clone, Serialize)]
pub struct Given {
    pub availability: Availability,
    pub updated_at: i64,
}

/// One trainer in the overview of a term.
#[derive(Debug, Clone, Serialize)]
pub struct TrainerRow {
    pub person_id: i64,
    pub name: String,
    pub home_municipality: String,
    pub active: bool,
    /// None: not given for the term.
    pub given: Option<Given>,
}

/// The trainer's name; 404 when the person is not in the trainer registry.
pub async fn trainer_name(db: &Db, person_id: PersonId) -> StoreResult<String> {
    sqlx::query(
        "SELECT p.name FROM trainers t JOIN people p ON p.id = t.person_id WHERE t.person_id = $1",
    )
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?
    .map(|r| r.get::<String, _>("name"))
    .ok_or(StoreError::NotFound("utbildningsledare"))
}

fn read(term: Term, r: &sqlx::any::AnyRow) -> Given {
    Given {
        availability: Availability::from_stored(
            term,
            &r.get::<String, _>("weeks"),
            &r.get::<String, _>("weekdays"),
            r.get("max_per_week"),
            &r.get::<String, _>("note"),
        ),
        updated_at: r.get("updated_at"),
    }
}

/// A trainer's availability for a term (None when not given); 404 when
/// the person is not in the trainer registry.
pub async fn of_trainer(db: &Db, person_id: PersonId, term: Term) -> StoreResult<Option<Given>> {
    trainer_name(db, person_id).await?;
    Ok(sqlx::query(
        "SELECT weeks, weekdays, max_per_week, note, updated_at FROM trainer_availability \
         WHERE person_id = $1 AND term = $2",
    )
    .bind(person_id)
    .bind(term.code())
    .fetch_optional(db.pool())
    .await?
    .map(|r| read(term, &r)))
}

/// Give or change a trainer's availability for a term; what was stored.
/// `today` is the local date (see `check_availability`).
pub async fn set(
    db: &Db,
    who: &Who,
    person_id: PersonId,
    term: Term,
    draft: &AvailabilityDraft,
    today: NaiveDate,
) -> StoreResult<Availability> {
    let previous = of_trainer(db, person_id, term).await?;
    let a = check_availability(
        term,
        draft,
        today,
        previous.as_ref().map(|g| &g.availability),
    )
    .map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO trainer_availability (person_id, term, weeks, weekdays, max_per_week, note, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (person_id, term) DO UPDATE SET \
         weeks = excluded.weeks, weekdays = excluded.weekdays, max_per_week = excluded.max_per_week, \
         note = excluded.note, updated_at = excluded.updated_at",
    )
    .bind(person_id)
    .bind(term.code())
    .bind(a.weeks_code())
    .bind(a.weekdays_code())
    .bind(a.max_per_week)
    .bind(&a.note)
    .bind(crate::time::now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        "trainer.availability.set",
        "person",
        Some(person_id.get()),
        Some(person_id.get()),
        &format!(
            "{term}: {}; {}; högst {} i veckan",
            a.weeks_label_sv(),
            a.weekdays_label_sv(),
            a.max_per_week
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

/// Every trainer (active ones, and inactive ones who gave availability)
/// with their availability for the term, in Swedish name order.
pub async fn for_term(db: &Db, term: Term) -> StoreResult<Vec<TrainerRow>> {
    let rows = sqlx::query(&format!(
        "SELECT t.person_id, p.name, m.name AS home_municipality, t.active, a.weeks, a.weekdays, \
           a.max_per_week, a.note, a.updated_at \
         FROM trainers t JOIN people p ON p.id = t.person_id \
         JOIN municipalities m ON m.id = t.home_municipality_id \
         LEFT JOIN trainer_availability a ON a.person_id = t.person_id AND a.term = $1 \
         WHERE t.active = 1 OR a.id IS NOT NULL ORDER BY t.person_id LIMIT {TRAINERS}"
    ))
    .bind(term.code())
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<TrainerRow> = rows
        .iter()
        .map(|r| TrainerRow {
            person_id: r.get("person_id"),
            name: r.get("name"),
            home_municipality: r.get("home_municipality"),
            active: r.get::<i64, _>("active") == 1,
            given: r
                .get::<Option<i64>, _>("updated_at")
                .is_some()
                .then(|| read(term, r)),
        })
        .collect();
    domain::collation::sort_swedish_by(&mut out, |t| &t.name);
    Ok(out)
}

/// The availability the trainers gave for `terms`, per trainer.
pub(crate) async fn given_for_terms(
    db: &Db,
    terms: &BTreeSet<Term>,
) -> StoreResult<HashMap<i64, Vec<Availability>>> {
    let mut out: HashMap<i64, Vec<Availability>> = HashMap::new();
    for term in terms {
        for r in sqlx::query(&format!(
            "SELECT person_id, weeks, weekdays, max_per_week, note, updated_at FROM trainer_availability \
             WHERE term = $1 ORDER BY person_id LIMIT {TRAINERS}"
        ))
        .bind(term.code())
        .fetch_all(db.pool())
        .await?
        {
            out.entry(r.get("person_id"))
                .or_default()
                .push(read(*term, &r).availability);
        }
    }
    Ok(out)
}

/// The local days a session's parts begin on.
pub fn local_days(parts: &[domain::sessions::Interval]) -> Vec<NaiveDate> {
    let mut d: Vec<NaiveDate> = parts
        .iter()
        .map(|p| crate::time::local_date(p.starts_at))
        .collect();
    d.sort();
    d.dedup();
    d
}

/// For each of `person_ids`: the warnings if they lead the session (it
/// outside their availability), none for those within it or who gave
/// none for its term. Trainers without warnings are left out.
pub async fn warnings_for(
    db: &Db,
    session_id: SessionId,
    person_ids: &[i64],
) -> StoreResult<HashMap<i64, Vec<Warning>>> {
    let mut out = HashMap::new();
    if person_ids.is_empty() {
        return Ok(out);
    }
    let mut conn = db.pool().acquire().await?;
    let parts = crate::session_rows::parts_or_span(&mut conn, session_id.get()).await?;
    drop(conn);
    let days = local_days(&parts);
    let terms: BTreeSet<Term> = days.iter().filter_map(|d| Term::of_date(*d)).collect();
    if terms.is_empty() {
        return Ok(out);
    }
    let given = given_for_terms(db, &terms).await?;
    // Other sessions of these trainers in the weeks this one is held.
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Ok(out);
    };
    let from = crate::time::day_start(domain::planning::requests::Week::of(*first).monday());
    let to = crate::time::day_start(
        domain::planning::requests::Week::of(*last).sunday() + chrono::Duration::days(1),
    );
    let mut others: HashMap<i64, Vec<(i64, Vec<NaiveDate>)>> = HashMap::new();
    for r in sqlx::query(
        "SELECT t.person_id, s.id, COALESCE(p.starts_at, s.starts_at) AS starts_at \
         FROM session_trainers t JOIN sessions s ON s.id = t.session_id \
         LEFT JOIN session_parts p ON p.session_id = s.id \
         WHERE s.status <> 'cancelled' AND s.id <> $1 AND s.ends_at > $2 AND s.starts_at < $3 \
         ORDER BY t.person_id, s.id",
    )
    .bind(session_id)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?
    {
        let pid: i64 = r.get("person_id");
        if !person_ids.contains(&pid) {
            continue;
        }
        let sid: i64 = r.get("id");
        let day = crate::time::local_date(r.get("starts_at"));
        let list = others.entry(pid).or_default();
        match list.last_mut() {
            Some((last, v)) if *last == sid => v.push(day),
            _ => list.push((sid, vec![day])),
        }
    }
    for pid in person_ids {
        let Some(g) = given.get(pid) else {
            continue;
        };
        let mut sessions = others.remove(pid).unwrap_or_default();
        sessions.push((session_id.get(), days.clone()));
        let w = warnings(&days, g, &week_load(&sessions));
        if !w.is_empty() {
            out.insert(*pid, w);
        }
    }
    Ok(out)
}
