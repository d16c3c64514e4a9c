//! Interest in a course ("Anmäl intresse") and the demand per course and
//! municipality: open requests and registered interest, as counts.

use domain::ids::{CourseId, PersonId};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

/// Register (or change) a person's interest in a course; `people` counts
/// the staff a manager speaks for (1 for oneself). The municipality is the
/// person's own.
pub async fn register(
    db: &Db,
    who: &Who,
    course_id: CourseId,
    person_id: PersonId,
    people: i64,
) -> StoreResult<()> {
    let people =
        domain::planning::requests::check_interest_people(people).map_err(StoreError::Invalid)?;
    let course = crate::catalogue::get(db, course_id).await?;
    if course.status == domain::catalogue::CourseStatus::Avvecklad {
        return Err(StoreError::invalid(
            "course_id",
            "course_retired",
            "Kursen är avvecklad och ges inte längre.",
        ));
    }
    let person = crate::people::get(db, person_id).await?;
    let mut tx = db.begin().await?;
    let now = crate::time::now();
    let updated = sqlx::query(
        "UPDATE course_interest SET people = $1, municipality_id = $2 WHERE course_id = $3 AND person_id = $4",
    )
    .bind(people)
    .bind(person.municipality_id)
    .bind(course_id)
    .bind(person_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        // Two clicks at once: the unique (course, person) key keeps one row.
        sqlx::query(
            "INSERT INTO course_interest (course_id, person_id, municipality_id, people, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (course_id, person_id) DO UPDATE SET people = excluded.people",
        )
        .bind(course_id)
        .bind(person_id)
        .bind(person.municipality_id)
        .bind(people)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        who,
        "course_interest.register",
        "course",
        Some(course_id.get()),
        Some(person_id.get()),
        &format!("{people} personer"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraw a person's interest (nothing happens if there was none).
pub async fn withdraw(
    db: &Db,
    who: &Who,
    course_id: CourseId,
    person_id: PersonId,
) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("DELETE FROM course_interest WHERE course_id = $1 AND person_id = $2")
        .bind(course_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n > 0 {
        audit::record(
            &mut tx,
            who,
            "course_interest.withdraw",
            "course",
            Some(course_id.get()),
            Some(person_id.get()),
            "",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n > 0)
}

/// How many people a person's interest counts, if they registered any.
pub async fn of_person(
    db: &Db,
    course_id: CourseId,
    person_id: PersonId,
) -> StoreResult<Option<i64>> {
    Ok(
        sqlx::query("SELECT people FROM course_interest WHERE course_id = $1 AND person_id = $2")
            .bind(course_id)
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?
            .map(|r| r.get("people")),
    )
}

/// The most course × municipality rows the demand table shows (the
/// catalogue's hundreds of courses times the county's municipalities).
pub const DEMAND_ROWS: i64 = 2000;

/// Demand for one course in one municipality: counts, no names.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Demand {
    pub course_id: i64,
    pub course_title: String,
    pub course_status: domain::catalogue::CourseStatus,
    pub municipality_id: i64,
    pub municipality: String,
    /// Unanswered requests and the people they are for.
    pub open_requests: i64,
    pub requested_people: i64,
    /// People counted by registered interest.
    pub interested_people: i64,
    /// Sessions of the course not yet begun in the municipality.
    pub coming_sessions: i64,
}

impl Demand {
    pub fn total_people(&self) -> i64 {
        self.requested_people + self.interested_people
    }
}

/// Demand per course and municipality, the largest first. `now` decides
/// which sessions are still to come.
pub async fn demand(db: &Db, now: i64) -> StoreResult<Vec<Demand>> {
    let rows = sqlx::query(&format!(
        "SELECT d.course_id, c.title, c.status, d.municipality_id, m.name, \
           CAST(SUM(d.open_requests) AS BIGINT) AS open_requests, CAST(SUM(d.requested_people) AS BIGINT) AS requested_people, \
           CAST(SUM(d.interested_people) AS BIGINT) AS interested_people, \
           (SELECT COUNT(*) FROM sessions s WHERE s.course_id = d.course_id AND s.municipality_id = d.municipality_id \
              AND s.starts_at > $1 AND s.status NOT IN ('cancelled', 'held')) AS coming_sessions \
         FROM ( \
           SELECT course_id, municipality_id, CAST(COUNT(*) AS BIGINT) AS open_requests, \
                  CAST(SUM(participants) AS BIGINT) AS requested_people, CAST(0 AS BIGINT) AS interested_people \
             FROM session_requests WHERE status = 'open' GROUP BY course_id, municipality_id \
           UNION ALL \
           SELECT course_id, municipality_id, CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(SUM(people) AS BIGINT) \
             FROM course_interest GROUP BY course_id, municipality_id \
         ) d JOIN courses c ON c.id = d.course_id JOIN municipalities m ON m.id = d.municipality_id \
         GROUP BY d.course_id, c.title, c.status, d.municipality_id, m.name \
         ORDER BY SUM(d.requested_people) + SUM(d.interested_people) DESC, c.title, m.name LIMIT {DEMAND_ROWS}"
    ))
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Demand {
                course_id: r.get("course_id"),
                course_title: r.get("title"),
                course_status: crate::error::code(r, "status")?,
                municipality_id: r.get("municipality_id"),
                municipality: r.get("name"),
                open_requests: r.get("open_requests"),
                requested_people: r.get("requested_people"),
                interested_people: r.get("interested_people"),
                coming_sessions: r.get("coming_sessions"),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
