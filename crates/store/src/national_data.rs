//! A synthetic national-scale data set for measuring the indicator report:
//! about 290 municipalities, 250 000 people, 100 000 sessions and
//! 5 000 000 bookings over five years. Everything is marked synthetic.
//! Generated in SQL (recursive CTEs with arithmetic "randomness"), so both
//! engines get the same data without sending millions of rows over the wire.

use crate::db::Db;
use crate::error::StoreResult;

#[derive(Debug, Clone)]
pub struct Size {
    pub municipalities: i64,
    pub people: i64,
    pub courses: i64,
    pub sessions: i64,
    /// Bookings per session (every session gets the same number).
    pub per_session: i64,
    /// First day of the five years the sessions are spread over.
    pub first_day: chrono::NaiveDate,
    pub days: i64,
}

impl Size {
    pub fn national() -> Size {
        Size {
            municipalities: 290,
            people: 250_000,
            courses: 200,
            sessions: 100_000,
            per_session: 50,
            first_day: chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap(),
            days: 5 * 365,
        }
    }
    pub fn bookings(&self) -> i64 {
        self.sessions * self.per_session
    }
}

fn series(n: i64) -> String {
    format!("WITH RECURSIVE g(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM g WHERE i < {n})")
}

/// Fill a migrated database that has reference data and nothing else.
/// `progress` is told what is being done.
pub async fn generate(db: &Db, size: &Size, progress: impl Fn(&str)) -> StoreResult<()> {
    let now = crate::time::now();
    let mut conn = db.writer().acquire().await?;
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM municipalities")
        .fetch_one(&mut *conn)
        .await?;
    if size.municipalities > have {
        progress("kommuner");
        sqlx::query(&format!(
            "{} INSERT INTO municipalities (name, official_name, employees, inhabitants, inhabitants_approx) \
             SELECT 'Syntetisk kommun ' || CAST(i + {have} AS TEXT), 'Syntetisk kommun ' || CAST(i + {have} AS TEXT), 1000 + (i * 37) % 9000, NULL, 1 FROM g",
            series(size.municipalities - have)
        ))
        .execute(&mut *conn)
        .await?;
    }
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM courses")
        .fetch_one(&mut *conn)
        .await?;
    if size.courses > have {
        progress("kurser");
        sqlx::query(&format!(
            "{} INSERT INTO courses (title, level, format, hours, status, synthetic_note, created_at, updated_at) \
             SELECT 'Syntetisk kurs ' || CAST(i + {have} AS TEXT), 'bas', 'lararledd', 3.0, 'aktiv', 'syntetisk', {now}, {now} FROM g",
            series(size.courses - have)
        ))
        .execute(&mut *conn)
        .await?;
    }
    let munis: Vec<i64> = sqlx::query_scalar("SELECT id FROM municipalities ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    let roles: Vec<i64> = sqlx::query_scalar("SELECT id FROM roles ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    let courses: Vec<i64> = sqlx::query_scalar("SELECT id FROM courses ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    let (m0, nm) = (munis[0], munis.len() as i64);
    let (r0, nr) = (roles[0], roles.len() as i64);
    let (c0, nc) = (courses[0], courses.len() as i64);
    let usk: i64 = sqlx::query_scalar("SELECT id FROM roles WHERE name = 'Undersköterska'")
        .fetch_one(&mut *conn)
        .await?;
    // Ids are consecutive in a fresh database; the generator relies on it.
    let p0: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM people")
        .fetch_one(&mut *conn)
        .await?;
    progress("personer");
    // 85 % women, 14 % men, 1 % annat / ej angivet; most are assistant nurses.
    sqlx::query(&format!(
        "{} INSERT INTO people (name, email, gender, role_id, municipality_id, active, synthetic, created_at, updated_at) \
         SELECT 'Syntetisk person ' || CAST(i AS TEXT), 'synt' || CAST(i AS TEXT) || '@nationell.invalid', \
           CASE WHEN (i * 7) % 100 < 85 THEN 'kvinna' WHEN (i * 7) % 100 < 99 THEN 'man' WHEN i % 2 = 0 THEN 'annat' ELSE 'ej_angivet' END, \
           CASE WHEN (i * 11) % 100 < 50 THEN {usk} ELSE {r0} + (i * 13) % {nr} END, \
           {m0} + (i * 17) % {nm}, 1, 1, {now}, {now} FROM g",
        series(size.people)
    ))
    .execute(&mut *conn)
    .await?;
    let s0: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM sessions")
        .fetch_one(&mut *conn)
        .await?;
    progress("kurstillfällen");
    let day0 = crate::time::day_start(size.first_day);
    sqlx::query(&format!(
        "{} INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, cancel_reason, created_at, updated_at) \
         SELECT {c0} + (i * 7) % {nc}, {day0} + ((i * 1579) % {days}) * 86400 + 28800, {day0} + ((i * 1579) % {days}) * 86400 + 28800 + 3600 * (2 + i % 4), \
           {m0} + (i * 23) % {nm}, 'Syntetisk lokal', {per}, 2.0 + (i % 4), \
           CASE WHEN i % 25 = 0 THEN 'cancelled' ELSE 'held' END, \
           CASE WHEN i % 50 = 0 THEN 'för få anmälda' WHEN i % 25 = 0 THEN 'utbildningsledare sjuk' ELSE '' END, {now}, {now} FROM g",
        series(size.sessions),
        days = size.days,
        per = size.per_session
    ))
    .execute(&mut *conn)
    .await?;
    progress("bokningar");
    // Booking i is on session i / per_session; 104729 is prime and shares no
    // factor with the number of people, so a session never gets a person twice.
    let per = size.per_session;
    let np = size.people;
    sqlx::query(&format!(
        "{} INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) \
         SELECT {s0} + 1 + (i - 1) / {per}, {p0} + 1 + ((i * 104729) % {np}), \
           CASE WHEN ((i - 1) / {per} + 1) % 25 = 0 THEN 'cancelled' WHEN (i * 13) % 10 < 9 THEN 'attended' ELSE 'absent' END, {now}, {now} FROM g",
        series(size.bookings())
    ))
    .execute(&mut *conn)
    .await?;
    drop(conn);
    progress("rapportfakta");
    crate::reports::rebuild_facts(db).await?;
    progress("statistik");
    let analyze = match db.engine() {
        crate::Engine::Sqlite => "ANALYZE",
        crate::Engine::Postgres => "VACUUM ANALYZE",
    };
    sqlx::raw_sql(analyze).execute(db.writer()).await?;
    Ok(())
}
