//! Courses in the catalogue (the booking issue adds sessions around them).

use domain::catalogue::{CheckedCourse, CourseStatus, Format, Level};
use serde::Serialize;
use sqlx::{FromRow, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Course {
    pub id: i64,
    pub code: Option<String>,
    pub title: String,
    pub description: String,
    pub level: String,
    pub format: String,
    pub hours: f64,
    pub provider: String,
    pub status: String,
    pub validity_months: Option<i64>,
    pub default_capacity: i64,
    pub trainers_per_session: i64,
    pub language_support: String,
    pub target_group: String,
    pub planned_term: String,
    pub cancellation_deadline_days: i64,
    pub synthetic_note: String,
}

impl Course {
    pub fn level_label(&self) -> &'static str {
        Level::parse(&self.level)
            .map(|l| l.label_sv())
            .unwrap_or("")
    }
    pub fn format_label(&self) -> &'static str {
        Format::parse(&self.format)
            .map(|l| l.label_sv())
            .unwrap_or("")
    }
    pub fn status_label(&self) -> &'static str {
        CourseStatus::parse(&self.status)
            .map(|l| l.label_sv())
            .unwrap_or("")
    }
}

pub const COURSE_COLUMNS: &str = "id, code, title, description, level, format, hours, provider, status, validity_months, \
    default_capacity, trainers_per_session, language_support, target_group, planned_term, cancellation_deadline_days, synthetic_note";

/// All courses, or only those with the given status; sorted by title.
pub async fn list(db: &Db, status: Option<CourseStatus>) -> StoreResult<Vec<Course>> {
    let mut v: Vec<Course> = match status {
        Some(s) => {
            sqlx::query_as(&format!(
                "SELECT {COURSE_COLUMNS} FROM courses WHERE status = $1"
            ))
            .bind(s.code())
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query_as(&format!("SELECT {COURSE_COLUMNS} FROM courses"))
                .fetch_all(db.pool())
                .await?
        }
    };
    domain::collation::sort_swedish_by(&mut v, |c| &c.title);
    Ok(v)
}

pub async fn get(db: &Db, id: i64) -> StoreResult<Course> {
    sqlx::query_as(&format!(
        "SELECT {COURSE_COLUMNS} FROM courses WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(StoreError::NotFound("kurs"))
}

/// Find a course by exact title, case-insensitively.
pub async fn by_title(db: &Db, title: &str) -> StoreResult<Option<Course>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COURSE_COLUMNS} FROM courses WHERE LOWER(title) = $1"
    ))
    .bind(title.trim().to_lowercase())
    .fetch_optional(db.pool())
    .await?)
}

/// Optional course fields beyond the checked core.
#[derive(Debug, Clone, Default)]
pub struct CourseExtras {
    pub code: Option<String>,
    pub description: String,
    pub provider: String,
    pub language_support: String,
    pub target_group: String,
    pub planned_term: String,
    pub synthetic_note: String,
    pub role_ids: Vec<i64>,
    pub area_ids: Vec<i64>,
}

pub async fn create(db: &Db, who: &Who, c: &CheckedCourse, x: &CourseExtras) -> StoreResult<i64> {
    let mut tx = db.begin().await?;
    let now = crate::time::now();
    let row = sqlx::query(
        "INSERT INTO courses (code, title, description, level, format, hours, provider, status, validity_months, default_capacity, \
         trainers_per_session, language_support, target_group, planned_term, synthetic_note, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id",
    )
    .bind(&x.code)
    .bind(&c.title)
    .bind(&x.description)
    .bind(c.level.code())
    .bind(c.format.code())
    .bind(c.hours)
    .bind(&x.provider)
    .bind(c.status.code())
    .bind(c.validity_months)
    .bind(c.default_capacity)
    .bind(c.trainers_per_session)
    .bind(&x.language_support)
    .bind(&x.target_group)
    .bind(&x.planned_term)
    .bind(&x.synthetic_note)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.get(0);
    for r in &x.role_ids {
        sqlx::query("INSERT INTO course_roles (course_id, role_id) VALUES ($1, $2)")
            .bind(id)
            .bind(r)
            .execute(&mut *tx)
            .await?;
    }
    for a in &x.area_ids {
        sqlx::query("INSERT INTO course_areas (course_id, area_id) VALUES ($1, $2)")
            .bind(id)
            .bind(a)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        who,
        "course.create",
        "course",
        Some(id),
        None,
        &c.title,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
