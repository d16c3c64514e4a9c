//! Importing historical participations (CSV, see CONTRACTS.md): every row
//! checked first (`domain::participation_import`), then everything written
//! in one transaction: people (by their opaque `person_ref`), sessions held,
//! attended and absent bookings, completions and report facts. A file with
//! any error, or one imported before, changes nothing.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::participation_import::{
    self, CourseRef, ImportError, ImportErrors, ImportPlan, Lookups,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::audit::{self, Who};
use crate::completions::{self, NewCompletion};
use crate::db::Db;
use crate::error::StoreResult;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportSummary {
    pub rows: usize,
    pub people_created: usize,
    pub people_known: usize,
    pub sessions: usize,
    pub attended: usize,
    pub absent: usize,
    pub courses_created: Vec<String>,
    pub completions: usize,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |count: usize, one: &str, many: &str| {
            format!("{count} {}", if count == 1 { one } else { many })
        };
        write!(
            f,
            "{}: {}, {} närvarande och {} frånvarande, {} ({} kända sedan tidigare), {} kursintyg",
            n(self.rows, "rad", "rader"),
            n(self.sessions, "kurstillfälle", "kurstillfällen"),
            self.attended,
            self.absent,
            n(self.people_created, "ny person", "nya personer"),
            self.people_known,
            self.completions
        )?;
        if let (Some(a), Some(b)) = (self.first_date, self.last_date) {
            write!(f, ", {a} – {b}")?;
        }
        if !self.courses_created.is_empty() {
            // A few titles, each short: the summary is shown in a page.
            let shown: Vec<String> = self
                .courses_created
                .iter()
                .take(10)
                .map(|t| domain::tabular::excerpt(t))
                .collect();
            write!(f, "; nya kurser: {}", shown.join(", "))?;
            if self.courses_created.len() > shown.len() {
                write!(f, " och {} till", self.courses_created.len() - shown.len())?;
            }
        }
        Ok(())
    }
}

/// Names in the database, lower-cased, for matching the file's values.
pub async fn lookups(db: &Db, create_courses: bool, today: NaiveDate) -> StoreResult<Lookups> {
    let roles = crate::role_mappings::title_map(db).await?;
    let mut municipalities: HashMap<String, i64> = HashMap::new();
    for m in crate::org::municipalities(db).await? {
        municipalities.insert(m.name.to_lowercase(), m.id);
        municipalities.insert(m.official_name.to_lowercase(), m.id);
    }
    let courses = sqlx::query("SELECT id, title FROM courses")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            (
                r.get::<String, _>("title").to_lowercase(),
                r.get::<i64, _>("id"),
            )
        })
        .collect();
    Ok(Lookups {
        roles,
        municipalities,
        courses,
        create_courses,
        today,
    })
}

/// Read and check the file on the blocking pool, within the time limit
/// (`crate::offload`).
async fn parse(bytes: &[u8], lk: Lookups) -> Result<ImportPlan, ImportErrors> {
    let owned = bytes.to_vec();
    crate::offload::parse(crate::offload::PARSE_TIME_LIMIT, move |stop| {
        participation_import::parse(&owned, &lk, stop)
    })
    .await
    .unwrap_or_else(|| {
        Err(ImportErrors::one(ImportError {
            line: 0,
            column: 0,
            column_name: String::new(),
            message: domain::tabular::TIMED_OUT.into(),
        }))
    })
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn summary_of(plan: &ImportPlan) -> ImportSummary {
    ImportSummary {
        rows: plan.rows,
        sessions: plan.sessions.len(),
        attended: plan.attended,
        absent: plan.absent,
        courses_created: plan.new_courses.clone(),
        completions: plan.attended,
        first_date: plan.sessions.iter().map(|s| s.date).min(),
        last_date: plan.sessions.iter().map(|s| s.date).max(),
        ..Default::default()
    }
}

/// The role titles in a file that neither a role nor a remembered mapping
/// matches (what the import page offers to map).
pub async fn unknown_titles(db: &Db, bytes: &[u8]) -> StoreResult<Vec<String>> {
    let today = crate::time::local_date(crate::time::now());
    let lk = lookups(db, false, today).await?;
    let owned = bytes.to_vec();
    Ok(
        crate::offload::parse(crate::offload::PARSE_TIME_LIMIT, move |stop| {
            participation_import::unknown_titles(&owned, &lk, stop)
        })
        .await
        .unwrap_or_default(),
    )
}

/// Check a file without writing anything (the UI's preview).
pub async fn preview(
    db: &Db,
    bytes: &[u8],
    create_courses: bool,
) -> StoreResult<Result<ImportSummary, ImportErrors>> {
    let today = crate::time::local_date(crate::time::now());
    let lk = lookups(db, create_courses, today).await?;
    let plan = match parse(bytes, lk).await {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(e) = already_imported(db, bytes).await? {
        return Ok(Err(ImportErrors::one(e)));
    }
    let mut s = summary_of(&plan);
    let known: i64 = if plan.people.is_empty() {
        0
    } else {
        let mut n = 0;
        for chunk in plan.people.chunks(500) {
            let sql = format!(
                "SELECT COUNT(*) FROM import_person_refs WHERE person_ref IN ({})",
                (1..=chunk.len())
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let mut q = sqlx::query_scalar::<_, i64>(&sql);
            for p in chunk {
                q = q.bind(p.person_ref.clone());
            }
            n += q.fetch_one(db.pool()).await?;
        }
        n
    };
    s.people_known = known as usize;
    s.people_created = plan.people.len() - s.people_known;
    Ok(Ok(s))
}

async fn already_imported(db: &Db, bytes: &[u8]) -> StoreResult<Option<ImportError>> {
    let at: Option<i64> =
        sqlx::query_scalar("SELECT created_at FROM import_batches WHERE sha256 = $1")
            .bind(sha256(bytes))
            .fetch_optional(db.pool())
            .await?;
    Ok(at.map(|at| ImportError {
        line: 1,
        column: 0,
        column_name: String::new(),
        message: format!(
            "Den här filen importerades redan {}; inget har ändrats.",
            crate::time::date_str(crate::time::local_date(at))
        ),
    }))
}

/// Check and import a file. `Ok(Err(errors))` when the file has errors (then
/// nothing was written); `Err` only for database failures.
pub async fn import(
    db: &Db,
    who: &Who,
    file_name: &str,
    bytes: &[u8],
    create_courses: bool,
) -> StoreResult<Result<ImportSummary, ImportErrors>> {
    let today = crate::time::local_date(crate::time::now());
    let lk = lookups(db, create_courses, today).await?;
    let plan = match parse(bytes, lk).await {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(e) = already_imported(db, bytes).await? {
        return Ok(Err(ImportErrors::one(e)));
    }
    let mut summary = summary_of(&plan);
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let batch_id: i64 = sqlx::query_scalar(
        "INSERT INTO import_batches (kind, file_name, sha256, rows_imported, summary, created_at, actor_label) \
         VALUES ('participations', $1, $2, $3, '', $4, $5) RETURNING id",
    )
    .bind(file_name)
    .bind(sha256(bytes))
    .bind(plan.rows as i64)
    .bind(now)
    .bind(&who.label)
    .fetch_one(&mut *tx)
    .await?;

    // Courses the file names that do not exist yet (only with --create-courses).
    let mut new_course_ids: HashMap<String, (i64, Option<i64>)> = HashMap::new();
    for title in &plan.new_courses {
        let hours = plan
            .sessions
            .iter()
            .find(|s| matches!(&s.course, CourseRef::New(t) if t == title))
            .map(|s| s.hours)
            .unwrap_or(1.0);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO courses (title, description, level, format, hours, provider, status, created_at, updated_at, synthetic_note) \
             VALUES ($1, $2, 'bas', 'lararledd', $3, '', 'avvecklad', $4, $4, '') RETURNING id",
        )
        .bind(title)
        .bind("Skapad vid import av historiska deltaganden. Granska uppgifterna och ändra status om kursen ges igen.")
        .bind(hours)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        new_course_ids.insert(title.clone(), (id, None));
    }
    let validity: HashMap<i64, Option<i64>> =
        sqlx::query("SELECT id, validity_months FROM courses")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| (r.get("id"), r.get("validity_months")))
            .collect();

    // People, matched by person_ref from earlier imports.
    let mut person_ids = Vec::with_capacity(plan.people.len());
    for p in &plan.people {
        let known: Option<i64> =
            sqlx::query_scalar("SELECT person_id FROM import_person_refs WHERE person_ref = $1")
                .bind(&p.person_ref)
                .fetch_optional(&mut *tx)
                .await?;
        let id = match known {
            Some(id) => {
                summary.people_known += 1;
                id
            }
            None => {
                let tag = &sha256(p.person_ref.as_bytes())[..16];
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO people (name, email, gender, role_id, municipality_id, unit_id, active, synthetic, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, NULL, 0, 0, $6, $6) RETURNING id",
                )
                .bind(format!("Historisk deltagare {}", p.person_ref))
                .bind(format!("historik-{tag}@import.invalid"))
                .bind(p.gender.code())
                .bind(p.role_id)
                .bind(p.municipality_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO import_person_refs (person_ref, person_id) VALUES ($1, $2)",
                )
                .bind(&p.person_ref)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                summary.people_created += 1;
                id
            }
        };
        person_ids.push(id);
    }

    // Sessions held, with their bookings and completions.
    let mut completions_todo = Vec::new();
    for s in &plan.sessions {
        let course_id = match &s.course {
            CourseRef::Existing(id) => *id,
            CourseRef::New(t) => new_course_ids[t].0,
        };
        // The venue municipality is not in the file: the one most participants came from.
        let mut munis: HashMap<i64, usize> = HashMap::new();
        for p in &s.participants {
            *munis.entry(p.municipality_id).or_default() += 1;
        }
        let venue_muni = munis
            .iter()
            .max_by_key(|(id, n)| (**n, -**id))
            .map(|(id, _)| *id)
            .unwrap_or(0);
        let starts_at = crate::time::day_start(s.date) + 8 * 3600;
        let ends_at = starts_at + (s.hours * 3600.0).round() as i64;
        let session_id: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at, closed_at, \
             import_batch_id, funding_source_id) VALUES ($1, $2, $3, $4, 'Historisk import', $5, $6, 'held', $7, $7, $7, $8, \
             (SELECT MAX(f.id) FROM funding_sources f JOIN funding_programmes g ON g.id = f.programme_id \
              WHERE g.current = 1 AND g.starts_on <= $9 AND g.ends_on >= $9)) RETURNING id",
        )
        .bind(course_id)
        .bind(starts_at)
        .bind(ends_at)
        .bind(venue_muni)
        .bind(s.participants.len() as i64)
        .bind(s.hours)
        .bind(now)
        .bind(batch_id)
        // A session within the current programme's period is the
        // programme's, as a session planned in Navet would be.
        .bind(crate::time::date_str(s.date))
        .fetch_one(&mut *tx)
        .await?;
        for p in &s.participants {
            let person_id = person_ids[p.person];
            let booking_id: i64 = sqlx::query_scalar(
                "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at, attended_municipality_id, attended_role_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(session_id)
            .bind(person_id)
            .bind(if p.attended { "attended" } else { "absent" })
            .bind(starts_at)
            .bind(now)
            .bind(p.municipality_id)
            .bind(p.role_id)
            .fetch_one(&mut *tx)
            .await?;
            if p.attended {
                completions_todo.push(NewCompletion {
                    person_id,
                    course_id,
                    session_id: Some(session_id),
                    booking_id: Some(booking_id),
                    completed_on: s.date,
                    hours: s.hours,
                    validity_months: validity.get(&course_id).copied().flatten(),
                    source: "import",
                });
            }
        }
    }
    completions::insert_many(&mut tx, &completions_todo).await?;
    crate::reports::refresh_people(&mut tx, &person_ids).await?;
    let text = summary.to_string();
    sqlx::query("UPDATE import_batches SET summary = $1 WHERE id = $2")
        .bind(&text)
        .bind(batch_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "import.participations",
        "import_batch",
        Some(batch_id),
        None,
        &format!("{file_name}: {text}"),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(summary))
}
