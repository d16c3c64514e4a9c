//! Importing historical participations (CSV, see CONTRACTS.md): every row
//! checked first (`domain::participation_import`), then everything written
//! in one transaction: people (by their opaque `person_ref`), sessions held,
//! attended and absent bookings, completions and report facts. A file with
//! any error, or one imported before, changes nothing.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::participation_import::{self, CourseRef, ImportError, ImportPlan, Lookups};
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
            write!(f, "; nya kurser: {}", self.courses_created.join(", "))?;
        }
        Ok(())
    }
}

/// Names in the database, lower-cased, for matching the file's values.
pub async fn lookups(db: &Db, create_courses: bool, today: NaiveDate) -> StoreResult<Lookups> {
    let roles = crate::org::roles(db)
        .await?
        .into_iter()
        .map(|r| (r.name.to_lowercase(), r.id))
        .collect();
    let mut municipalities: HashMap<String, i64> = HashMap::new();
    for m in crate::org::municipalities(db).await? {
        municipalities.insert(m.name.to_lowercase(), m.id);
        municipalities.insert(m.official_name.to_lowercase(), m.id);
    }
    let courses = sqlx::query("SELECT id, title FROM courses")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (r.get::<String, _>(1).to_lowercase(), r.get::<i64, _>(0)))
        .collect();
    Ok(Lookups {
        roles,
        municipalities,
        courses,
        create_courses,
        today,
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

/// Check a file without writing anything (the UI's preview).
pub async fn preview(
    db: &Db,
    bytes: &[u8],
    create_courses: bool,
) -> StoreResult<Result<ImportSummary, Vec<ImportError>>> {
    let today = crate::reports::local_date(crate::time::now());
    let lk = lookups(db, create_courses, today).await?;
    let plan = match participation_import::parse(bytes, &lk) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(e) = already_imported(db, bytes).await? {
        return Ok(Err(vec![e]));
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
            crate::time::date_str(crate::reports::local_date(at))
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
) -> StoreResult<Result<ImportSummary, Vec<ImportError>>> {
    let today = crate::reports::local_date(crate::time::now());
    let lk = lookups(db, create_courses, today).await?;
    let plan = match participation_import::parse(bytes, &lk) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(e) = already_imported(db, bytes).await? {
        return Ok(Err(vec![e]));
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
            .map(|r| (r.get(0), r.get(1)))
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
        let starts_at = crate::reports::day_start(s.date) + 8 * 3600;
        let ends_at = starts_at + (s.hours * 3600.0).round() as i64;
        let session_id: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at, closed_at, import_batch_id) \
             VALUES ($1, $2, $3, $4, 'Historisk import', $5, $6, 'held', $7, $7, $7, $8) RETURNING id",
        )
        .bind(course_id)
        .bind(starts_at)
        .bind(ends_at)
        .bind(venue_muni)
        .bind(s.participants.len() as i64)
        .bind(s.hours)
        .bind(now)
        .bind(batch_id)
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

/// Demo: the funding programme from the 2025 annual report (employee
/// figures are the demo's synthetic ones), synthetic participations for
/// 2025 up to today imported like a real file, synthetic survey answers,
/// and a session today for the demo trainer with the demo participant
/// booked. Everything synthetic is marked so.
pub async fn load_demo(db: &Db) -> StoreResult<()> {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    let who = Who::system("demo");
    let munis = crate::org::municipalities(db).await?;
    let programme = domain::funding::Programme {
        name: "ESF Kompetensnavet (2025 års rapport)".into(),
        starts: NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        ends: NaiveDate::from_ymd_opt(2027, 6, 30).expect("date"),
        granted_sek: 23_731_055,
        cofinancing_rate: 0.46,
        target_hours: 42_000.0,
        employees: munis
            .iter()
            .map(|m| (m.name.clone(), m.employees.unwrap_or(1000)))
            .collect(),
    };
    crate::funding::save(db, &who, &programme).await?;

    let courses: Vec<(String, f64)> =
        sqlx::query("SELECT title, hours FROM courses WHERE status = 'aktiv' ORDER BY id")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    if courses.is_empty() {
        return Ok(());
    }
    let today = crate::reports::local_date(crate::time::now());
    let first = NaiveDate::from_ymd_opt(2025, 1, 13).expect("date");
    let span = (today - first).num_days().max(30);
    let mut rng = StdRng::seed_from_u64(2025);
    let roles = [
        ("undersköterska", 55),
        ("vårdbiträde", 12),
        ("stödassistent/boendestödjare", 12),
        ("sjuksköterska", 14),
        ("arbetsterapeut", 4),
        ("enhetschef", 3),
    ];
    let total_pop: i64 = munis.iter().map(|m| m.inhabitants.unwrap_or(10_000)).sum();
    let mut people = vec![];
    for i in 0..700 {
        let g: f64 = rng.random();
        let gender = if g < 0.85 {
            "kvinna"
        } else if g < 0.995 {
            "man"
        } else {
            "ej angivet"
        };
        let mut pick = rng.random_range(0..100);
        let role = roles
            .iter()
            .find(|(_, w)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .map(|r| r.0)
            .unwrap_or("undersköterska");
        let mut p = rng.random_range(0..total_pop);
        let muni = munis
            .iter()
            .find(|m| {
                let w = m.inhabitants.unwrap_or(10_000);
                if p < w {
                    true
                } else {
                    p -= w;
                    false
                }
            })
            .map(|m| m.name.clone())
            .unwrap_or_else(|| "Örebro".into());
        people.push((format!("SYNT-{:04}", i + 1), gender, role, muni));
    }
    let mut csv = String::from("person_ref;gender;role;municipality;course;date;hours;attended\n");
    // About 120 sessions, 6–14 people each, 88 % attended.
    for _ in 0..120 {
        let (title, hours) = &courses[rng.random_range(0..courses.len())];
        let mut date = first + chrono::Duration::days(rng.random_range(0..span));
        while chrono::Datelike::weekday(&date).number_from_monday() > 5
            || date > today - chrono::Duration::days(1)
        {
            date -= chrono::Duration::days(1);
        }
        let mut chosen = std::collections::HashSet::new();
        for _ in 0..rng.random_range(6..15) {
            let i = rng.random_range(0..people.len());
            if !chosen.insert(i) {
                continue;
            }
            let (r, g, role, m) = &people[i];
            let attended = if rng.random_bool(0.88) { "ja" } else { "nej" };
            csv.push_str(&format!(
                "{r};{g};{role};{m};{title};{date};{};{attended}\n",
                format!("{hours}").replace('.', ",")
            ));
        }
    }
    if let Err(errors) = import(
        db,
        &who,
        "syntetisk-historik-demo.csv",
        csv.as_bytes(),
        false,
    )
    .await?
    {
        return Err(crate::StoreError::Other(anyhow::anyhow!(
            "syntetisk demohistorik: {}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    sqlx::query("UPDATE people SET synthetic = 1, name = REPLACE(name, 'Historisk deltagare', 'Syntetisk deltagare') WHERE id IN (SELECT person_id FROM import_person_refs WHERE person_ref LIKE 'SYNT-%')")
        .execute(db.writer())
        .await?;

    // Synthetic survey answers for the imported sessions.
    let qs = crate::surveys::questions(db, domain::surveys::SurveyKind::Participant).await?;
    let sessions: Vec<(i64, i64)> = sqlx::query(
        "SELECT s.id, CAST(COUNT(*) AS BIGINT) FROM sessions s JOIN bookings b ON b.session_id = s.id AND b.status = 'attended' \
         WHERE s.venue = 'Historisk import' GROUP BY s.id",
    )
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let mut tx = db.begin().await?;
    for (sid, n) in sessions {
        for _ in 0..(n * 7 / 10) {
            let rid: i64 = sqlx::query_scalar("INSERT INTO survey_responses (survey_kind, session_id, submitted_on) VALUES ('participant', $1, $2) RETURNING id")
                .bind(sid)
                .bind(crate::time::date_str(today))
                .fetch_one(&mut *tx)
                .await?;
            for q in &qs {
                let v: Option<i64> = match q.metric {
                    domain::surveys::Metric::Helped => Some(if rng.random_bool(0.87) {
                        rng.random_range(3..=4)
                    } else {
                        rng.random_range(1..=2)
                    }),
                    domain::surveys::Metric::Confidence => Some(if rng.random_bool(0.65) {
                        5
                    } else {
                        rng.random_range(3..=4)
                    }),
                    domain::surveys::Metric::LanguageSupport => {
                        rng.random_bool(0.12)
                            .then(|| if rng.random_bool(0.8) { 2 } else { 1 })
                    }
                    domain::surveys::Metric::None => None,
                };
                if let Some(v) = v {
                    sqlx::query("INSERT INTO survey_answers (response_id, question_id, value_int) VALUES ($1, $2, $3)")
                        .bind(rid)
                        .bind(q.id)
                        .bind(v)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
    }
    tx.commit().await?;

    // A session today for the demo trainer, with the demo participant booked
    // (or late yesterday, when the day has just begun).
    let trainer: Option<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE email = 'utbildningsledare@demo.navet.se'")
            .fetch_optional(db.pool())
            .await?;
    let participant: Option<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE email = 'medarbetare@demo.navet.se'")
            .fetch_optional(db.pool())
            .await?;
    let hlr: Option<(i64, f64)> = sqlx::query("SELECT id, hours FROM courses WHERE status = 'aktiv' ORDER BY validity_months DESC, id LIMIT 1")
        .fetch_optional(db.pool())
        .await?
        .map(|r| (r.get(0), r.get(1)));
    if let (Some(trainer), Some(participant), Some((course_id, hours))) =
        (trainer, participant, hlr)
    {
        let orebro = munis
            .iter()
            .find(|m| m.name == "Örebro")
            .map(|m| m.id)
            .unwrap_or(munis[0].id);
        // Over by now (an hour ago at the latest), so that attendance can be
        // closed: certificates are issued only after a session has ended.
        let now = crate::time::now();
        let starts =
            (crate::reports::day_start(today) + 8 * 3600).min(now - (hours * 3600.0) as i64 - 3600);
        let mut tx = db.begin().await?;
        let sid: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'Träningscentret, sal 2 (demo)', 12, $5, 'open', $6, $6) RETURNING id",
        )
        .bind(course_id)
        .bind(starts)
        .bind(starts + (hours * 3600.0) as i64)
        .bind(orebro)
        .bind(hours)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO session_trainers (session_id, person_id) VALUES ($1, $2)")
            .bind(sid)
            .bind(trainer)
            .execute(&mut *tx)
            .await?;
        let others: Vec<i64> = sqlx::query_scalar("SELECT id FROM people WHERE synthetic = 1 AND active = 1 AND municipality_id = $1 AND email NOT LIKE '%@demo.navet.se' ORDER BY id LIMIT 5")
            .bind(orebro)
            .fetch_all(&mut *tx)
            .await?;
        for p in std::iter::once(participant).chain(others) {
            sqlx::query("INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at, support_needs) VALUES ($1, $2, 'booked', $3, $3, $4)")
                .bind(sid)
                .bind(p)
                .bind(now)
                .bind(if p == participant { "Behöver SVA-stöd vid teorigenomgången" } else { "" })
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }

    // An HLR session eleven months ago for the demo manager's first unit, so
    // certificates that expire soon (and their reminders) can be shown.
    let hlr: Option<(i64, f64)> = sqlx::query(
        "SELECT id, hours FROM courses WHERE validity_months IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?
    .map(|r| (r.get(0), r.get(1)));
    let unit: Option<i64> = sqlx::query_scalar(
        "SELECT s.unit_id FROM account_scopes s JOIN accounts a ON a.id = s.account_id \
         WHERE a.email = 'chef@demo.navet.se' AND s.unit_id IS NOT NULL ORDER BY s.unit_id LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?;
    if let (Some((course_id, hours)), Some(unit)) = (hlr, unit) {
        let day = today
            .checked_sub_months(chrono::Months::new(11))
            .unwrap_or(today);
        let starts = crate::reports::day_start(day) + 8 * 3600;
        let now = crate::time::now();
        let unit_muni: i64 = sqlx::query_scalar("SELECT municipality_id FROM units WHERE id = $1")
            .bind(unit)
            .fetch_one(db.pool())
            .await?;
        let mut tx = db.begin().await?;
        let sid: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'Träningscentret (demo)', 8, $5, 'open', $6, $6) RETURNING id",
        )
        .bind(course_id)
        .bind(starts)
        .bind(starts + (hours * 3600.0) as i64)
        .bind(unit_muni)
        .bind(hours)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let staff: Vec<i64> = sqlx::query_scalar("SELECT id FROM people WHERE unit_id = $1 AND active = 1 AND email NOT LIKE '%@demo.navet.se' ORDER BY id LIMIT 6")
            .bind(unit)
            .fetch_all(&mut *tx)
            .await?;
        for (i, p) in staff.iter().enumerate() {
            sqlx::query("INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
                .bind(sid)
                .bind(p)
                .bind(if i == 5 { "booked" } else { "attended" })
                .bind(starts)
                .execute(&mut *tx)
                .await?;
        }
        crate::reports::refresh_people(&mut tx, &staff).await?;
        tx.commit().await?;
        crate::attendance::close(db, &who, sid, "http://localhost:8080").await?;
    }
    Ok(())
}
