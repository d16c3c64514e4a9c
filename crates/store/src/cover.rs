//! Trainer absences and cover: register that a trainer is away, see the
//! sessions that lose a trainer (or never had enough), and put someone
//! else in, in one transaction with the checks of rule 3 and a notice to
//! the new trainer. The choice of candidates is `domain::cover`.

use chrono::NaiveDate;
use domain::cover::{self, Candidate, Need, SessionFacts, TrainerFacts};
use domain::ids::{PersonId, SessionId};
use domain::notices::{self, Recipient};
use domain::sessions::Interval;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::outbox::{self, Address};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Absence {
    pub id: i64,
    pub person_id: i64,
    pub starts_on: String,
    pub ends_on: String,
}

/// Register a trainer as away from `from` to `to` (both included).
pub async fn add_absence(
    db: &Db,
    who: &Who,
    person_id: PersonId,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<i64> {
    cover::check_span(from, to).map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let is_trainer: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM trainers WHERE person_id = $1")
        .bind(person_id)
        .fetch_one(&mut *tx)
        .await?;
    if is_trainer == 0 {
        return Err(StoreError::NotFound("utbildningsledare"));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO trainer_absences (person_id, starts_on, ends_on, created_at, created_by_account_id) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(person_id)
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(crate::time::now())
    .bind(who.account_id)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        "trainer.absence.add",
        "person",
        Some(person_id.get()),
        Some(person_id.get()),
        &format!("{from} – {to}"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Remove a registered absence (the trainer is back, or it was a mistake).
pub async fn remove_absence(db: &Db, who: &Who, person_id: PersonId, id: i64) -> StoreResult<()> {
    crate::trainers::remove_row(
        db,
        who,
        "trainer_absences",
        person_id.get(),
        id,
        "frånvaro",
        "trainer.absence.remove",
    )
    .await
}

/// A trainer's absences that have not ended before `today`, earliest first.
pub async fn absences_of(
    db: &Db,
    person_id: PersonId,
    today: NaiveDate,
) -> StoreResult<Vec<Absence>> {
    Ok(sqlx::query_as::<_, Absence>(
        "SELECT id, person_id, starts_on, ends_on FROM trainer_absences \
         WHERE person_id = $1 AND ends_on >= $2 ORDER BY starts_on, id",
    )
    .bind(person_id)
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?)
}

/// The trainers on a session who are registered as away when it is held.
pub async fn absent_trainers(db: &Db, session_id: SessionId) -> StoreResult<Vec<i64>> {
    let mut conn = db.pool().acquire().await?;
    let parts = crate::session_rows::parts_or_span(&mut conn, session_id.get()).await?;
    let on: Vec<i64> =
        sqlx::query_scalar("SELECT person_id FROM session_trainers WHERE session_id = $1")
            .bind(session_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut away = Vec::new();
    for pid in on {
        let absences = crate::trainers::absence_intervals(&mut conn, pid).await?;
        if domain::sessions::overlaps(&parts, &absences) {
            away.push(pid);
        }
    }
    Ok(away)
}

/// Every trainer with courses, and the sessions and absences that can
/// touch a session ending after `now` (one read each): older ones can
/// neither overlap a coming session nor count towards its load window.
async fn trainer_facts(db: &Db, now: i64) -> StoreResult<Vec<TrainerFacts>> {
    let since = now - domain::cover::LOAD_WINDOW_DAYS * 86_400;
    let mut out: Vec<TrainerFacts> = sqlx::query(
        "SELECT t.person_id, p.name, t.home_municipality_id, t.active FROM trainers t JOIN people p ON p.id = t.person_id",
    )
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| TrainerFacts {
        person_id: r.get("person_id"),
        name: r.get("name"),
        home_municipality_id: r.get("home_municipality_id"),
        active: r.get::<i64, _>("active") == 1,
        courses: vec![],
        sessions: vec![],
        absences: vec![],
    })
    .collect();
    let index: std::collections::HashMap<i64, usize> = out
        .iter()
        .enumerate()
        .map(|(i, t)| (t.person_id, i))
        .collect();
    for r in sqlx::query("SELECT person_id, course_id FROM trainer_courses")
        .fetch_all(db.pool())
        .await?
    {
        if let Some(&i) = index.get(&r.get::<i64, _>("person_id")) {
            out[i].courses.push(r.get("course_id"));
        }
    }
    for r in sqlx::query(
        "SELECT t.person_id, s.id, COALESCE(p.starts_at, s.starts_at) AS starts_at, COALESCE(p.ends_at, s.ends_at) AS ends_at \
         FROM session_trainers t JOIN sessions s ON s.id = t.session_id \
         LEFT JOIN session_parts p ON p.session_id = s.id \
         WHERE s.status <> 'cancelled' AND s.ends_at > $1 ORDER BY t.person_id, s.id",
    )
    .bind(since)
    .fetch_all(db.pool())
    .await?
    {
        if let Some(&i) = index.get(&r.get::<i64, _>("person_id")) {
            let sid: i64 = r.get("id");
            let iv = Interval::new(r.get("starts_at"), r.get("ends_at"));
            let sessions = &mut out[i].sessions;
            match sessions.last_mut() {
                Some((last, v)) if *last == sid => v.push(iv),
                _ => sessions.push((sid, vec![iv])),
            }
        }
    }
    let first_day = crate::time::date_str(crate::time::local_date(since));
    for r in sqlx::query(
        "SELECT person_id, starts_on, ends_on FROM trainer_absences WHERE ends_on >= $1",
    )
    .bind(first_day)
    .fetch_all(db.pool())
    .await?
    {
        if let (Some(&i), Some(iv)) = (
            index.get(&r.get::<i64, _>("person_id")),
            crate::time::days_interval(
                &r.get::<String, _>("starts_on"),
                &r.get::<String, _>("ends_on"),
            ),
        ) {
            out[i].absences.push(iv);
        }
    }
    Ok(out)
}

/// A trainer on a session, and whether they are away then.
#[derive(Debug, Clone, Serialize)]
pub struct Assigned {
    pub person_id: i64,
    pub name: String,
    pub absent: bool,
}

/// A session that needs a trainer, with who could step in.
#[derive(Debug, Clone, Serialize)]
pub struct CoverItem {
    pub session_id: i64,
    pub course_title: String,
    pub starts_at: i64,
    pub municipality: String,
    pub venue: String,
    /// Booked participants who would be affected by a cancellation.
    pub booked: i64,
    pub assigned: Vec<Assigned>,
    pub missing: i64,
    /// Those with no availability warning first (see `warnings`).
    pub candidates: Vec<Candidate>,
    /// Candidates for whom the session lies outside the availability they
    /// gave for its term, with why (in Swedish).
    pub warnings: Vec<(i64, Vec<String>)>,
}

impl CoverItem {
    /// Why the session lies outside `person_id`'s availability (empty
    /// when it does not).
    pub fn warnings_of(&self, person_id: &i64) -> &[String] {
        self.warnings
            .iter()
            .find(|(p, _)| p == person_id)
            .map(|(_, w)| w.as_slice())
            .unwrap_or(&[])
    }
}

/// Upcoming live sessions that lack a trainer (someone assigned is away,
/// or fewer are assigned than the course wants), soonest first.
/// Every person a cover list shows (assigned trainers and candidates), for
/// the audit log's record of the read.
pub fn people_shown(items: &[CoverItem]) -> Vec<i64> {
    items
        .iter()
        .flat_map(|i| {
            i.assigned
                .iter()
                .map(|a| a.person_id)
                .chain(i.candidates.iter().map(|c| c.person_id))
        })
        .collect()
}

pub async fn needing_cover(db: &Db, now: i64) -> StoreResult<Vec<CoverItem>> {
    let trainers = trainer_facts(db, now).await?;
    let rows = sqlx::query(
        "SELECT s.id, s.course_id, c.title, s.starts_at, s.ends_at, s.municipality_id, m.name, s.venue, c.trainers_per_session, \
         (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'booked') AS booked \
         FROM sessions s JOIN courses c ON c.id = s.course_id JOIN municipalities m ON m.id = s.municipality_id \
         WHERE s.status IN ('planned', 'open', 'full') AND s.ends_at > $1 ORDER BY s.starts_at, s.id",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut parts_of: std::collections::HashMap<i64, Vec<Interval>> = Default::default();
    for r in sqlx::query(
        "SELECT p.session_id, p.starts_at, p.ends_at FROM session_parts p JOIN sessions s ON s.id = p.session_id \
         WHERE s.status IN ('planned', 'open', 'full') AND s.ends_at > $1 ORDER BY p.session_id, p.starts_at",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?
    {
        parts_of
            .entry(r.get("session_id"))
            .or_default()
            .push(Interval::new(r.get("starts_at"), r.get("ends_at")));
    }
    let mut assigned_of: std::collections::HashMap<i64, Vec<i64>> = Default::default();
    for r in sqlx::query(
        "SELECT t.session_id, t.person_id FROM session_trainers t JOIN sessions s ON s.id = t.session_id \
         WHERE s.status IN ('planned', 'open', 'full') AND s.ends_at > $1 ORDER BY t.session_id, t.person_id",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?
    {
        assigned_of.entry(r.get("session_id")).or_default().push(r.get("person_id"));
    }
    let mut out = Vec::new();
    let mut days_of: Vec<Vec<NaiveDate>> = Vec::new();
    for r in rows {
        let id: i64 = r.get("id");
        let facts = SessionFacts {
            session_id: id,
            course_id: r.get("course_id"),
            municipality_id: r.get("municipality_id"),
            parts: parts_of
                .remove(&id)
                .unwrap_or_else(|| vec![Interval::new(r.get("starts_at"), r.get("ends_at"))]),
            trainers_wanted: r.get("trainers_per_session"),
            assigned: assigned_of.remove(&id).unwrap_or_default(),
        };
        let Some(Need { absent, missing }) = cover::need(&facts, &trainers) else {
            continue;
        };
        let assigned = facts
            .assigned
            .iter()
            .map(|pid| Assigned {
                person_id: *pid,
                name: trainers
                    .iter()
                    .find(|t| t.person_id == *pid)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                absent: absent.contains(pid),
            })
            .collect();
        out.push(CoverItem {
            session_id: id,
            course_title: r.get("title"),
            starts_at: r.get("starts_at"),
            municipality: r.get("name"),
            venue: r.get("venue"),
            booked: r.get("booked"),
            assigned,
            missing,
            candidates: cover::candidates(&facts, &trainers),
            warnings: vec![],
        });
        days_of.push(crate::planning::availability::local_days(&facts.parts));
    }
    availability_warnings(db, &trainers, &mut out, &days_of).await?;
    Ok(out)
}

/// Warn of candidates for whom a session lies outside the availability
/// they gave (never leaving them out: the coordinator decides), and list
/// them after those within theirs.
async fn availability_warnings(
    db: &Db,
    trainers: &[TrainerFacts],
    items: &mut [CoverItem],
    days_of: &[Vec<NaiveDate>],
) -> StoreResult<()> {
    use domain::planning::availability::{warnings, week_load};
    let terms: std::collections::BTreeSet<domain::planning::term::Term> = days_of
        .iter()
        .flatten()
        .filter_map(|d| domain::planning::term::Term::of_date(*d))
        .collect();
    if terms.is_empty() {
        return Ok(());
    }
    let given = crate::planning::availability::given_for_terms(db, &terms).await?;
    for (item, days) in items.iter_mut().zip(days_of) {
        for c in &item.candidates {
            let (Some(g), Some(t)) = (
                given.get(&c.person_id),
                trainers.iter().find(|t| t.person_id == c.person_id),
            ) else {
                continue;
            };
            let mut sessions: Vec<(i64, Vec<NaiveDate>)> = t
                .sessions
                .iter()
                .filter(|(id, _)| *id != item.session_id)
                .map(|(id, parts)| (*id, crate::planning::availability::local_days(parts)))
                .collect();
            sessions.push((item.session_id, days.clone()));
            let w = warnings(days, g, &week_load(&sessions));
            if !w.is_empty() {
                item.warnings.push((
                    c.person_id,
                    w.iter().map(|x| x.message_sv(&c.name)).collect(),
                ));
            }
        }
        let warned: Vec<i64> = item.warnings.iter().map(|(p, _)| *p).collect();
        // Stable: the ranking of `domain::cover::candidates` within each group.
        item.candidates
            .sort_by_key(|c| warned.contains(&c.person_id));
    }
    Ok(())
}

/// Put `person_id` on the session, taking `replacing` (an absent trainer)
/// off it, in one transaction; the new trainer gets a calendar invitation.
pub async fn step_in(
    db: &Db,
    who: &Who,
    session_id: SessionId,
    person_id: PersonId,
    replacing: Option<i64>,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let s = crate::session_rows::row(
        &mut tx,
        session_id.get(),
        crate::session_rows::lock_suffix(db),
    )
    .await?;
    if s.stored_status().is_final() {
        return Err(StoreError::conflict(
            None,
            "Kurstillfället är avslutat eller inställt.",
        ));
    }
    if let Some(old) = replacing {
        sqlx::query("DELETE FROM session_trainers WHERE session_id = $1 AND person_id = $2")
            .bind(session_id)
            .bind(old)
            .execute(&mut *tx)
            .await?;
    }
    crate::trainers::assign_in(db, &mut tx, session_id, person_id, "person_id").await?;
    let to = sqlx::query("SELECT name, email FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_one(&mut *tx)
        .await?;
    let to = Recipient {
        name: to.get("name"),
        email: to.get("email"),
    };
    let parts = crate::session_rows::parts(&mut tx, session_id.get()).await?;
    let now = crate::time::now();
    let notice = notices::trainer_assigned(&s.text(&parts), db.sender(), &to, &who.label, now);
    let addr = Address {
        email: to.email.clone(),
        person_id: Some(person_id.get()),
        session_id: Some(session_id.get()),
        booking_id: None,
    };
    outbox::enqueue(&mut tx, &addr, &notice, now).await?;
    audit::record(
        &mut tx,
        who,
        "session.trainer.cover",
        "session",
        Some(session_id.get()),
        Some(person_id.get()),
        &replacing
            .map(|r| format!("ersätter person {r}"))
            .unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
