//! Courses that depend on one trainer: the courses still given (active,
//! test, in development) with fewer than two active, qualified trainers
//! (`domain::planning::bus_factor`).

use domain::catalogue::CourseStatus;
use serde::Serialize;
use sqlx::Row;

use crate::db::Db;
use crate::error::{code, StoreResult};

/// The most courses looked at (the catalogue has hundreds).
pub const COURSES: i64 = 2000;

/// A course and how many active trainers are qualified for it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CourseTrainers {
    pub course_id: i64,
    pub title: String,
    pub status: CourseStatus,
    pub trainers: i64,
}

/// Courses still given with fewer than two active, qualified trainers,
/// the fewest first.
pub async fn person_dependent(db: &Db) -> StoreResult<Vec<CourseTrainers>> {
    let rows = sqlx::query(&format!(
        "SELECT c.id, c.title, c.status, CAST(COALESCE(q.n, 0) AS BIGINT) AS trainers \
         FROM courses c LEFT JOIN (SELECT tc.course_id, COUNT(*) AS n FROM trainer_courses tc \
           JOIN trainers t ON t.person_id = tc.person_id WHERE t.active = 1 GROUP BY tc.course_id) q \
           ON q.course_id = c.id \
         WHERE c.status IN ('aktiv', 'test', 'under_utveckling') ORDER BY c.id LIMIT {COURSES}"
    ))
    .fetch_all(db.pool())
    .await?;
    let mut v = vec![];
    for r in &rows {
        let c = CourseTrainers {
            course_id: r.get("id"),
            title: r.get("title"),
            status: code(r, "status")?,
            trainers: r.get("trainers"),
        };
        if domain::planning::bus_factor::is_person_dependent(c.trainers) {
            v.push(c);
        }
    }
    v.sort_by(|a, b| {
        a.trainers
            .cmp(&b.trainers)
            .then_with(|| domain::collation::swedish_cmp(&a.title, &b.title))
    });
    Ok(v)
}
