//! Courses in the catalogue (the booking issue adds sessions around them).

use domain::ids::CourseId;
use std::collections::HashMap;

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
    #[sqlx(try_from = "crate::error::Stored<CourseStatus>")]
    pub status: CourseStatus,
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
        self.status.label_sv()
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

pub async fn get(db: &Db, id: CourseId) -> StoreResult<Course> {
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
    let id: i64 = row.get("id");
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

/// Create a course with its cancellation deadline (days before the start
/// after which a cancellation is late).
pub async fn create_with_deadline(
    db: &Db,
    who: &Who,
    c: &CheckedCourse,
    x: &CourseExtras,
    cancellation_deadline_days: i64,
) -> StoreResult<i64> {
    check_deadline(cancellation_deadline_days)?;
    let id = create(db, who, c, x).await?;
    sqlx::query("UPDATE courses SET cancellation_deadline_days = $1 WHERE id = $2")
        .bind(cancellation_deadline_days)
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(id)
}

fn check_deadline(days: i64) -> StoreResult<()> {
    if !(0..=90).contains(&days) {
        return Err(StoreError::invalid(
            "cancellation_deadline_days",
            "invalid_deadline",
            "Sista avbokningsdag anges som 0–90 dagar före start.",
        ));
    }
    Ok(())
}

/// Change a course: every field, its target roles and competence areas.
pub async fn update(
    db: &Db,
    who: &Who,
    id: CourseId,
    c: &CheckedCourse,
    x: &CourseExtras,
    cancellation_deadline_days: i64,
) -> StoreResult<()> {
    check_deadline(cancellation_deadline_days)?;
    get(db, id).await?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE courses SET title = $1, description = $2, level = $3, format = $4, hours = $5, provider = $6, status = $7, \
         validity_months = $8, default_capacity = $9, trainers_per_session = $10, language_support = $11, target_group = $12, \
         planned_term = $13, cancellation_deadline_days = $14, updated_at = $15 WHERE id = $16",
    )
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
    .bind(cancellation_deadline_days)
    .bind(crate::time::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM course_roles WHERE course_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM course_areas WHERE course_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let mut roles = x.role_ids.clone();
    roles.sort_unstable();
    roles.dedup();
    for r in roles {
        sqlx::query("INSERT INTO course_roles (course_id, role_id) VALUES ($1, $2)")
            .bind(id)
            .bind(r)
            .execute(&mut *tx)
            .await?;
    }
    let mut areas = x.area_ids.clone();
    areas.sort_unstable();
    areas.dedup();
    for a in areas {
        sqlx::query("INSERT INTO course_areas (course_id, area_id) VALUES ($1, $2)")
            .bind(id)
            .bind(a)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        who,
        "course.update",
        "course",
        Some(id.get()),
        None,
        &c.title,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Target role ids and competence area ids of a course.
pub async fn links(db: &Db, id: CourseId) -> StoreResult<(Vec<i64>, Vec<i64>)> {
    let roles = sqlx::query_scalar(
        "SELECT role_id FROM course_roles WHERE course_id = $1 ORDER BY role_id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let areas = sqlx::query_scalar(
        "SELECT area_id FROM course_areas WHERE course_id = $1 ORDER BY area_id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok((roles, areas))
}

/// One course's target roles and competence areas by name, as the
/// catalogue lists them (the course page reads these, not the catalogue).
pub async fn names_of(db: &Db, id: CourseId) -> StoreResult<(Vec<String>, Vec<String>)> {
    let roles = sqlx::query_scalar(
        "SELECT r.name FROM course_roles cr JOIN roles r ON r.id = cr.role_id WHERE cr.course_id = $1",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let areas = sqlx::query_scalar(
        "SELECT a.name FROM course_areas ca JOIN competence_areas a ON a.id = ca.area_id WHERE ca.course_id = $1",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok((roles, areas))
}

/// A course in the public catalogue with what the filters and list need.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub course: Course,
    pub roles: Vec<String>,
    pub role_ids: Vec<i64>,
    pub areas: Vec<String>,
    pub area_codes: Vec<String>,
    pub upcoming_sessions: i64,
    pub next_start: Option<i64>,
    /// Municipality ids of upcoming sessions.
    pub session_municipalities: Vec<i64>,
    /// Terms (e.g. "HT 2026") of upcoming sessions.
    pub session_terms: Vec<String>,
    /// Free seats over the upcoming sessions (in the filter's municipality
    /// when there is one, as `upcoming_sessions` and `next_start` are).
    pub free_seats: i64,
    /// Under development: shown as "kommer snart", not bookable yet.
    pub coming_soon: bool,
}

/// Filters of the public catalogue (all optional).
#[derive(Debug, Clone, Default)]
pub struct CatalogueFilter {
    pub role_id: Option<i64>,
    pub level: Option<String>,
    /// An area code; a top-level code also matches its sub-areas.
    pub area_code: Option<String>,
    pub format: Option<String>,
    /// Courses with an upcoming session in this municipality.
    pub municipality_id: Option<i64>,
    /// "VT 2026" or "HT 2026": a session that term, or planned for it.
    pub term: Option<String>,
    pub query: Option<String>,
    /// A language-support code: courses that offer it, or that have an
    /// upcoming session with it.
    pub language_support: Option<String>,
    /// Only courses open for booking (aktiv, test); false = all.
    pub bookable_only: bool,
}

/// The term a time falls in: VT (January–June) or HT (July–December).
pub fn term_of(ts: i64) -> String {
    use chrono::Datelike;
    let d = domain::sessions::utc_to_stockholm(ts).date();
    format!("{} {}", if d.month() <= 6 { "VT" } else { "HT" }, d.year())
}

/// The catalogue: courses matching the filter, sorted by title.
pub async fn search(db: &Db, f: &CatalogueFilter) -> StoreResult<Vec<Listing>> {
    let now = crate::time::now();
    let courses = list(db, None).await?;
    let role_rows = sqlx::query(
        "SELECT cr.course_id, r.id, r.name FROM course_roles cr JOIN roles r ON r.id = cr.role_id",
    )
    .fetch_all(db.pool())
    .await?;
    let area_rows = sqlx::query(
        "SELECT ca.course_id, a.code, a.name FROM course_areas ca JOIN competence_areas a ON a.id = ca.area_id",
    )
    .fetch_all(db.pool())
    .await?;
    let sess_rows = sqlx::query(
        "SELECT s.course_id, s.starts_at, s.municipality_id, s.language_support, \
         s.capacity - (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'booked') AS free \
         FROM sessions s WHERE s.starts_at > $1 AND s.status NOT IN ('cancelled', 'held') ORDER BY s.starts_at",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let query = f
        .query
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(domain::collation::sort_text);
    // Decoded once and grouped by course: a pass per course over every
    // upcoming session cost courses × sessions (issue 15).
    let mut roles_of: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for r in &role_rows {
        roles_of
            .entry(r.get("course_id"))
            .or_default()
            .push((r.get("id"), r.get("name")));
    }
    let mut areas_of: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for r in &area_rows {
        areas_of
            .entry(r.get("course_id"))
            .or_default()
            .push((r.get("code"), r.get("name")));
    }
    // (start, municipality, language support, free seats), in start order.
    let mut sessions_of: HashMap<i64, Vec<(i64, i64, String, i64)>> = HashMap::new();
    for r in &sess_rows {
        sessions_of.entry(r.get("course_id")).or_default().push((
            r.get("starts_at"),
            r.get("municipality_id"),
            r.get("language_support"),
            r.get("free"),
        ));
    }
    let mut out = vec![];
    for c in courses {
        let coming_soon = c.status == CourseStatus::UnderUtveckling;
        // The public catalogue shows what can be booked, and what is
        // coming ("kommer snart"); paused and retired courses only to
        // those who manage the catalogue.
        if f.bookable_only && !c.status.is_bookable() && !coming_soon {
            continue;
        }
        let roles: Vec<(i64, String)> = roles_of.remove(&c.id).unwrap_or_default();
        let areas: Vec<(String, String)> = areas_of.remove(&c.id).unwrap_or_default();
        let course_sessions = sessions_of.remove(&c.id).unwrap_or_default();
        let sessions: Vec<(i64, i64)> = course_sessions.iter().map(|s| (s.0, s.1)).collect();
        // Next session and seats: in the chosen municipality, if any.
        let here = |m: i64| f.municipality_id.is_none_or(|fm| fm == m);
        let (upcoming_here, next_here, free_here) = course_sessions
            .iter()
            .filter(|s| here(s.1))
            .fold((0_i64, None::<i64>, 0_i64), |(n, first, free), s| {
                (n + 1, first.or(Some(s.0)), free + s.3.max(0))
            });
        let terms: Vec<String> = {
            let mut t: Vec<String> = sessions.iter().map(|(s, _)| term_of(*s)).collect();
            t.dedup();
            t
        };
        if f.role_id
            .is_some_and(|r| !roles.iter().any(|(id, _)| *id == r))
        {
            continue;
        }
        if f.level
            .as_deref()
            .is_some_and(|l| !l.is_empty() && l != c.level)
        {
            continue;
        }
        if f.format
            .as_deref()
            .is_some_and(|l| !l.is_empty() && l != c.format)
        {
            continue;
        }
        if let Some(code) = f.area_code.as_deref().filter(|s| !s.is_empty()) {
            let prefix = format!("{code}.");
            if !areas
                .iter()
                .any(|(a, _)| a == code || a.starts_with(&prefix))
            {
                continue;
            }
        }
        if f.municipality_id
            .is_some_and(|m| !sessions.iter().any(|(_, sm)| *sm == m))
        {
            continue;
        }
        if let Some(t) = f.term.as_deref().filter(|s| !s.is_empty()) {
            let t_lower = t.to_lowercase();
            if !terms.iter().any(|x| x == t) && !c.planned_term.to_lowercase().contains(&t_lower) {
                continue;
            }
        }
        if let Some(code) = f.language_support.as_deref().filter(|s| !s.is_empty()) {
            let offers = |codes: &str| codes.split(',').any(|c| c.trim() == code);
            if !offers(&c.language_support) && !course_sessions.iter().any(|s| offers(&s.2)) {
                continue;
            }
        }
        if let Some(q) = query.as_deref() {
            // Title, description, competence areas and target roles, with
            // the Swedish fold (case of å, ä, ö and a–z, accents).
            let hit = |t: &str| domain::collation::sort_text(t).contains(q);
            if !hit(&c.title)
                && !hit(&c.description)
                && !areas.iter().any(|(_, name)| hit(name))
                && !roles.iter().any(|(_, name)| hit(name))
            {
                continue;
            }
        }
        let mut munis: Vec<i64> = sessions.iter().map(|(_, m)| *m).collect();
        munis.sort_unstable();
        munis.dedup();
        out.push(Listing {
            roles: roles.iter().map(|r| r.1.clone()).collect(),
            role_ids: roles.iter().map(|r| r.0).collect(),
            areas: areas.iter().map(|a| a.1.clone()).collect(),
            area_codes: areas.iter().map(|a| a.0.clone()).collect(),
            upcoming_sessions: upcoming_here,
            next_start: next_here,
            session_municipalities: munis,
            session_terms: terms,
            free_seats: free_here,
            coming_soon,
            course: c,
        });
    }
    Ok(out)
}

/// Course titles by id.
pub async fn course_titles(db: &Db) -> StoreResult<std::collections::HashMap<i64, String>> {
    Ok(sqlx::query("SELECT id, title FROM courses")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (r.get("id"), r.get("title")))
        .collect())
}
