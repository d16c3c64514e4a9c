//! The trainer registry (utbildningsledare): who may lead which courses,
//! their certifications in the simulation method, and assignment to
//! sessions (rule 3: qualified, and never two overlapping sessions).

use domain::ids::{CourseId, MunicipalityId, PersonId, SessionId};
use domain::sessions::{check_trainer, Interval};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

use crate::audit::{self, Who};
use crate::db::{Db, Engine, Tx};
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Serialize)]
pub struct Certification {
    pub id: i64,
    pub name: String,
    pub certified_on: String,
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trainer {
    pub person_id: i64,
    pub name: String,
    pub email: String,
    pub home_municipality_id: i64,
    pub home_municipality: String,
    pub active: bool,
    /// (course id, title)
    pub courses: Vec<(i64, String)>,
    pub certifications: Vec<Certification>,
}

impl Trainer {
    pub fn is_qualified(&self, course_id: i64) -> bool {
        self.courses.iter().any(|(c, _)| *c == course_id)
    }
}

/// Which trainers `load` reads.
enum Which {
    All,
    One(PersonId),
    /// Active trainers qualified for a course.
    QualifiedFor(CourseId),
}

impl Which {
    /// The condition on a table's `person_id` column, `col`. Ids are
    /// numbers from the newtypes, so formatting them in is safe.
    fn on(&self, col: &str) -> String {
        match self {
            Which::All => String::new(),
            Which::One(p) => format!(" WHERE {col} = {}", p.get()),
            Which::QualifiedFor(c) => format!(
                " WHERE {col} IN (SELECT q.person_id FROM trainer_courses q JOIN trainers qt ON qt.person_id = q.person_id \
                 WHERE q.course_id = {} AND qt.active = 1)",
                c.get()
            ),
        }
    }
}

/// Trainers (all, one, or those qualified for a course) with their courses
/// and certifications: three queries however many trainers (one per
/// trainer and fact took seconds for a national pool of 2 000).
async fn load(db: &Db, which: Which) -> StoreResult<Vec<Trainer>> {
    let rows = sqlx::query(&format!(
        "SELECT t.person_id, p.name, p.email, t.home_municipality_id, m.name AS home_municipality, t.active FROM trainers t \
         JOIN people p ON p.id = t.person_id JOIN municipalities m ON m.id = t.home_municipality_id{}",
        which.on("t.person_id")
    ))
    .fetch_all(db.pool())
    .await?;
    let mut courses: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for r in sqlx::query(&format!(
        "SELECT tc.person_id, c.id, c.title FROM trainer_courses tc JOIN courses c ON c.id = tc.course_id{}",
        which.on("tc.person_id")
    ))
    .fetch_all(db.pool())
    .await?
    {
        courses
            .entry(r.get("person_id"))
            .or_default()
            .push((r.get("id"), r.get("title")));
    }
    let mut certifications: HashMap<i64, Vec<Certification>> = HashMap::new();
    for r in sqlx::query(&format!(
        "SELECT person_id, id, name, certified_on, valid_until FROM trainer_certifications{} ORDER BY certified_on, id",
        which.on("person_id")
    ))
    .fetch_all(db.pool())
    .await?
    {
        certifications
            .entry(r.get("person_id"))
            .or_default()
            .push(Certification {
                id: r.get("id"),
                name: r.get("name"),
                certified_on: r.get("certified_on"),
                valid_until: r.get("valid_until"),
            });
    }
    let mut out = vec![];
    for r in rows {
        let pid: i64 = r.get("person_id");
        let mut courses = courses.remove(&pid).unwrap_or_default();
        domain::collation::sort_swedish_by(&mut courses, |c| &c.1);
        out.push(Trainer {
            person_id: pid,
            name: r.get("name"),
            email: r.get("email"),
            home_municipality_id: r.get("home_municipality_id"),
            home_municipality: r.get("home_municipality"),
            active: r.get::<i64, _>("active") == 1,
            courses,
            certifications: certifications.remove(&pid).unwrap_or_default(),
        });
    }
    domain::collation::sort_swedish_by(&mut out, |t| &t.name);
    Ok(out)
}

pub async fn list(db: &Db) -> StoreResult<Vec<Trainer>> {
    load(db, Which::All).await
}

pub async fn get(db: &Db, person_id: PersonId) -> StoreResult<Trainer> {
    load(db, Which::One(person_id))
        .await?
        .pop()
        .ok_or(StoreError::NotFound("utbildningsledare"))
}

/// Active trainers qualified for a course, read in the database (a
/// course's handful, not the nation's pool).
pub async fn qualified_for(db: &Db, course_id: CourseId) -> StoreResult<Vec<Trainer>> {
    load(db, Which::QualifiedFor(course_id)).await
}

/// How many active trainers there are.
pub async fn active_count(db: &Db) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) AS n FROM trainers WHERE active = 1")
            .fetch_one(db.pool())
            .await?,
    )
}

/// Add a person to the registry, or change their home municipality and activity.
pub async fn upsert(
    db: &Db,
    who: &Who,
    person_id: PersonId,
    home_municipality_id: MunicipalityId,
    active: bool,
) -> StoreResult<()> {
    // Checked here rather than through `people` (which depends, through
    // leaving and bookings, on sessions and so on this module).
    let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_one(db.pool())
        .await?;
    if known == 0 {
        return Err(StoreError::NotFound("person"));
    }
    crate::org::municipality(db, home_municipality_id)
        .await
        .map_err(|_| {
            StoreError::invalid("home_municipality", "unknown_municipality", "Okänd kommun.")
        })?;
    let mut tx = db.begin().await?;
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM trainers WHERE person_id = $1")
        .bind(person_id)
        .fetch_one(&mut *tx)
        .await?;
    if exists > 0 {
        sqlx::query(
            "UPDATE trainers SET home_municipality_id = $1, active = $2 WHERE person_id = $3",
        )
        .bind(home_municipality_id)
        .bind(active as i64)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO trainers (person_id, home_municipality_id, active) VALUES ($1, $2, $3)",
        )
        .bind(person_id)
        .bind(home_municipality_id)
        .bind(active as i64)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        who,
        "trainer.save",
        "person",
        Some(person_id.get()),
        Some(person_id.get()),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Replace the courses a trainer may lead.
pub async fn set_courses(
    db: &Db,
    who: &Who,
    person_id: PersonId,
    course_ids: &[i64],
) -> StoreResult<()> {
    get(db, person_id).await?;
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM trainer_courses WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    let mut ids = course_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for c in &ids {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM courses WHERE id = $1")
            .bind(c)
            .fetch_one(&mut *tx)
            .await?;
        if n == 0 {
            return Err(StoreError::invalid(
                "courses",
                "unknown_course",
                format!("Kurs nr {c} finns inte."),
            ));
        }
        sqlx::query("INSERT INTO trainer_courses (person_id, course_id) VALUES ($1, $2)")
            .bind(person_id)
            .bind(c)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        who,
        "trainer.courses",
        "person",
        Some(person_id.get()),
        Some(person_id.get()),
        &format!("{} kurser", ids.len()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Record a certification (e.g. KlinSim 1) with its date.
pub async fn add_certification(
    db: &Db,
    who: &Who,
    person_id: PersonId,
    name: &str,
    certified_on: &str,
    valid_until: Option<&str>,
) -> StoreResult<i64> {
    get(db, person_id).await?;
    let mut e = domain::FieldErrors::new();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        e.add(
            "name",
            "invalid_name",
            "Ange certifieringens namn, t.ex. KlinSim 1.",
        );
    }
    let on = crate::time::parse_date(certified_on);
    if on.is_none() {
        e.add("certified_on", "invalid_date", "Ange datum som ÅÅÅÅ-MM-DD.");
    }
    let until = match valid_until.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match crate::time::parse_date(s) {
            Some(d) if on.is_none_or(|o| d > o) => Some(crate::time::date_str(d)),
            Some(_) => {
                e.add(
                    "valid_until",
                    "until_before_certified",
                    "Giltig till måste vara efter certifieringsdatum.",
                );
                None
            }
            None => {
                e.add("valid_until", "invalid_date", "Ange datum som ÅÅÅÅ-MM-DD.");
                None
            }
        },
    };
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO trainer_certifications (person_id, name, certified_on, valid_until) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(person_id)
    .bind(name)
    .bind(crate::time::date_str(on.expect("checked")))
    .bind(until)
    .fetch_one(&mut *tx)
    .await?
    .get("id");
    audit::record(
        &mut tx,
        who,
        "trainer.certification",
        "person",
        Some(person_id.get()),
        Some(person_id.get()),
        name,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn remove_certification(
    db: &Db,
    who: &Who,
    person_id: PersonId,
    id: i64,
) -> StoreResult<()> {
    remove_row(
        db,
        who,
        "trainer_certifications",
        person_id.get(),
        id,
        "certifiering",
        "trainer.certification.remove",
    )
    .await
}

/// Delete one of a trainer's rows in `table` (an absence, a certification),
/// refusing ids that belong to someone else, and log it.
pub(crate) async fn remove_row(
    db: &Db,
    who: &Who,
    table: &'static str,
    person_id: i64,
    id: i64,
    what: &'static str,
    action: &'static str,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let n = sqlx::query(&format!(
        "DELETE FROM {table} WHERE id = $1 AND person_id = $2"
    ))
    .bind(id)
    .bind(person_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound(what));
    }
    audit::record(
        &mut tx,
        who,
        action,
        "person",
        Some(person_id),
        Some(person_id),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The parts of the live sessions a trainer leads, other than `except`.
pub(crate) async fn trainer_sessions(
    conn: &mut AnyConnection,
    person_id: i64,
    except: i64,
) -> StoreResult<Vec<(i64, Vec<Interval>)>> {
    let rows = sqlx::query(
        "SELECT s.id, COALESCE(p.starts_at, s.starts_at) AS starts_at, COALESCE(p.ends_at, s.ends_at) AS ends_at \
         FROM session_trainers t \
         JOIN sessions s ON s.id = t.session_id LEFT JOIN session_parts p ON p.session_id = s.id \
         WHERE t.person_id = $1 AND s.id <> $2 AND s.status <> 'cancelled' ORDER BY s.id",
    )
    .bind(person_id)
    .bind(except)
    .fetch_all(conn)
    .await?;
    let mut out: Vec<(i64, Vec<Interval>)> = vec![];
    for r in rows {
        let id: i64 = r.get("id");
        let iv = Interval::new(r.get("starts_at"), r.get("ends_at"));
        match out.last_mut() {
            Some((last, v)) if *last == id => v.push(iv),
            _ => out.push((id, vec![iv])),
        }
    }
    Ok(out)
}

/// Assign inside the caller's transaction (used when scheduling).
pub(crate) async fn assign_in(
    db: &Db,
    tx: &mut Tx,
    session_id: SessionId,
    person_id: PersonId,
    field: &str,
) -> StoreResult<()> {
    let lock = if db.engine() == Engine::Postgres {
        " FOR UPDATE OF t"
    } else {
        ""
    };
    let t = sqlx::query(&format!(
        "SELECT t.active, p.name FROM trainers t JOIN people p ON p.id = t.person_id WHERE t.person_id = $1{lock}"
    ))
    .bind(person_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(t) = t else {
        return Err(StoreError::invalid(
            field,
            "not_a_trainer",
            "Personen finns inte i utbildningsledarregistret.",
        ));
    };
    let name: String = t.get("name");
    let active = t.get::<i64, _>("active") == 1;
    let course_id: i64 = sqlx::query_scalar("SELECT course_id FROM sessions WHERE id = $1")
        .bind(session_id)
        .fetch_one(&mut **tx)
        .await?;
    let qualified: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM trainer_courses WHERE person_id = $1 AND course_id = $2",
    )
    .bind(person_id)
    .bind(course_id)
    .fetch_one(&mut **tx)
    .await?;
    let already: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM session_trainers WHERE session_id = $1 AND person_id = $2",
    )
    .bind(session_id)
    .bind(person_id)
    .fetch_one(&mut **tx)
    .await?;
    if already > 0 {
        return Ok(());
    }
    let parts = crate::session_rows::parts_or_span(tx, session_id.get()).await?;
    let others = trainer_sessions(tx, person_id.get(), session_id.get()).await?;
    let away = absence_intervals(tx, person_id.get()).await?;
    if let Err(p) = check_trainer(active, qualified > 0, &parts, &others, &away) {
        return Err(StoreError::invalid(
            field,
            "trainer_unavailable",
            p.message(&name),
        ));
    }
    sqlx::query("INSERT INTO session_trainers (session_id, person_id) VALUES ($1, $2)")
        .bind(session_id)
        .bind(person_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Assign a trainer to a session (rule 3 checked under the trainer's lock).
pub async fn assign(
    db: &Db,
    who: &Who,
    session_id: SessionId,
    person_id: PersonId,
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
    assign_in(db, &mut tx, session_id, person_id, "trainer").await?;
    audit::record(
        &mut tx,
        who,
        "session.trainer.assign",
        "session",
        Some(session_id.get()),
        Some(person_id.get()),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn unassign(
    db: &Db,
    who: &Who,
    session_id: SessionId,
    person_id: PersonId,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM session_trainers WHERE session_id = $1 AND person_id = $2")
        .bind(session_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "session.trainer.remove",
        "session",
        Some(session_id.get()),
        Some(person_id.get()),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Trainers' person ids for a session (for access decisions).
pub async fn of_session(db: &Db, session_id: SessionId) -> StoreResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT person_id FROM session_trainers WHERE session_id = $1")
            .bind(session_id)
            .fetch_all(db.pool())
            .await?,
    )
}

/// A trainer's absences as time intervals (whole Stockholm days).
pub(crate) async fn absence_intervals(
    conn: &mut AnyConnection,
    person_id: i64,
) -> StoreResult<Vec<Interval>> {
    Ok(
        sqlx::query("SELECT starts_on, ends_on FROM trainer_absences WHERE person_id = $1")
            .bind(person_id)
            .fetch_all(conn)
            .await?
            .iter()
            .filter_map(|r| {
                crate::time::days_interval(
                    &r.get::<String, _>("starts_on"),
                    &r.get::<String, _>("ends_on"),
                )
            })
            .collect(),
    )
}
