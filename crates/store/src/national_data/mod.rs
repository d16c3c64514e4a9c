//! A synthetic national-scale data set for measuring every page: about 290
//! municipalities with their units and managers, 250 000 people, trainers,
//! 100 000 past sessions with 5 000 000 bookings and their certificates,
//! coming sessions open for booking, requirements and tracks per role,
//! survey answers, sent e-mail and a funding programme. Everything is marked
//! synthetic. Generated in SQL (recursive CTEs with arithmetic
//! "randomness"), so both engines get the same data without sending
//! millions of rows over the wire.

mod activity;
mod org;

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
    pub units_per_municipality: i64,
    /// Every n-th person is a trainer.
    pub trainer_every: i64,
    /// Sessions from tomorrow on, open for booking (ten bookings each).
    pub coming_sessions: i64,
    /// The last n past sessions have survey invitations and answers.
    pub surveyed_sessions: i64,
    /// Sent e-mails in the outbox.
    pub outbox: i64,
}

/// First ids of what was generated (ids are consecutive in a fresh table).
pub(crate) struct Ids {
    m0: i64,
    nm: i64,
    c0: i64,
    nc: i64,
    /// Last person id before the generated ones.
    p0: i64,
    /// Last session id before the generated past sessions.
    s0: i64,
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
            units_per_municipality: 10,
            trainer_every: 125,
            coming_sessions: 3_000,
            surveyed_sessions: 2_000,
            outbox: 100_000,
        }
    }
    /// The same shape at a scale a test can afford.
    pub fn small() -> Size {
        Size {
            municipalities: 20,
            people: 2_000,
            courses: 30,
            sessions: 400,
            per_session: 10,
            first_day: chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap(),
            days: 5 * 365,
            units_per_municipality: 3,
            trainer_every: 20,
            coming_sessions: 40,
            surveyed_sessions: 50,
            outbox: 500,
        }
    }
    pub fn bookings(&self) -> i64 {
        self.sessions * self.per_session
    }
}

/// Synthetic Swedish names: first and last names picked by arithmetic on
/// the row number, so the Swedish order and search have å, ä and ö to work on.
mod names {
    const FIRST: [&str; 24] = [
        "Anna", "Åsa", "Maria", "Eva", "Karin", "Lena", "Kerstin", "Ingrid", "Sara", "Elin",
        "Märta", "Linnéa", "Fatima", "Amina", "Ölvir", "Erik", "Lars", "Johan", "Ahmed",
        "Mohammed", "Björn", "Jörgen", "Åke", "Per",
    ];
    const LAST: [&str; 24] = [
        "Andersson",
        "Johansson",
        "Karlsson",
        "Nilsson",
        "Eriksson",
        "Larsson",
        "Olsson",
        "Persson",
        "Svensson",
        "Gustafsson",
        "Öberg",
        "Åberg",
        "Ängström",
        "Lindström",
        "Ali",
        "Hassan",
        "Björk",
        "Sjögren",
        "Wikström",
        "Ek",
        "Holm",
        "Lundqvist",
        "Nordén",
        "Östlund",
    ];

    fn pick(list: &[&str], expr: &str) -> String {
        let mut s = format!("CASE {expr}");
        for (i, n) in list.iter().enumerate() {
            s.push_str(&format!(" WHEN {i} THEN '{n}'"));
        }
        s.push_str(" END");
        s
    }

    /// SQL for the name of generated row `i`.
    pub fn sql(i: &str) -> String {
        format!(
            "{} || ' ' || {}",
            pick(&FIRST, &format!("({i} * 7) % {}", FIRST.len())),
            pick(&LAST, &format!("({i} * 11 + {i} / 24) % {}", LAST.len()))
        )
    }
}

pub(crate) fn series(n: i64) -> String {
    format!("WITH RECURSIVE g(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM g WHERE i < {n})")
}

/// Fill a migrated database that has reference data and nothing else.
/// `progress` is told what is being done.
pub async fn generate(db: &Db, size: &Size, progress: impl Fn(&str)) -> StoreResult<()> {
    let now = crate::time::now();
    let mut conn = db.writer().acquire().await?;
    let booked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings")
        .fetch_one(&mut *conn)
        .await?;
    if booked > 0 {
        return Err(crate::error::StoreError::conflict(
            None,
            "databasen har redan bokningar: nationell testdata skapas bara i en tom databas",
        ));
    }
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
    progress("enheter och chefer");
    let u0 = org::units(&mut conn, size, m0).await?;
    org::managers(&mut conn, size, now).await?;
    let upm = size.units_per_municipality;
    // Ids are consecutive in a fresh database; the generator relies on it.
    let p0: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM people")
        .fetch_one(&mut *conn)
        .await?;
    progress("personer");
    // 85 % women, 14 % men, 1 % annat / ej angivet; most are assistant nurses.
    sqlx::query(&format!(
        "{} INSERT INTO people (name, email, gender, role_id, municipality_id, unit_id, active, synthetic, created_at, updated_at) \
         SELECT {name}, 'synt' || CAST(i AS TEXT) || '@nationell.invalid', \
           CASE WHEN (i * 7) % 100 < 85 THEN 'kvinna' WHEN (i * 7) % 100 < 99 THEN 'man' WHEN i % 2 = 0 THEN 'annat' ELSE 'ej_angivet' END, \
           CASE WHEN (i * 11) % 100 < 50 THEN {usk} ELSE {r0} + (i * 13) % {nr} END, \
           {m0} + (i * 17) % {nm}, {u0} + ((i * 17) % {nm}) * {upm} + (i * 31) % {upm}, 1, 1, {now}, {now} FROM g",
        series(size.people),
        name = names::sql("i"),
    ))
    .execute(&mut *conn)
    .await?;
    let s0: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM sessions")
        .fetch_one(&mut *conn)
        .await?;
    progress("kurstillfällen");
    let day0 = crate::time::day_start(size.first_day);
    sqlx::query(&format!(
        "{} INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, cancel_reason, closed_at, created_at, updated_at) \
         SELECT {c0} + (i * 7) % {nc}, {day0} + ((i * 1579) % {days}) * 86400 + 28800, {day0} + ((i * 1579) % {days}) * 86400 + 28800 + 3600 * (2 + i % 4), \
           {m0} + (i * 23) % {nm}, 'Syntetisk lokal', {per}, 2.0 + (i % 4), \
           CASE WHEN i % 25 = 0 THEN 'cancelled' ELSE 'held' END, \
           CASE WHEN i % 50 = 0 THEN 'för få anmälda' WHEN i % 25 = 0 THEN 'utbildningsledare sjuk' ELSE '' END, \
           CASE WHEN i % 25 = 0 THEN NULL ELSE {day0} + ((i * 1579) % {days}) * 86400 + 86400 * 2 END, {now}, {now} FROM g",
        series(size.sessions),
        days = size.days,
        per = size.per_session
    ))
    .execute(&mut *conn)
    .await?;
    let ids = Ids {
        m0,
        nm,
        c0,
        nc,
        p0,
        s0,
    };
    progress("utbildare");
    org::trainers(&mut conn, size, p0, c0, nc).await?;
    org::session_trainers(&mut conn, size, p0, c0, s0, s0 + size.sessions).await?;
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
    progress("kommande kurstillfällen");
    let (k0, k1) = activity::coming_sessions(&mut conn, size, &ids, now).await?;
    org::session_trainers(&mut conn, size, p0, c0, k0, k1).await?;
    progress("intyg");
    activity::completions(&mut conn, size, &ids, now).await?;
    progress("e-post");
    activity::outbox(&mut conn, size, now).await?;
    progress("spår");
    org::tracks(&mut conn, c0, nc, now).await?;
    drop(conn);
    progress("krav");
    org::requirements(db, c0, nc).await?;
    progress("enkäter");
    activity::surveys(db, size, &ids, now).await?;
    progress("finansieringsprogram");
    activity::funding(db).await?;
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

/// Who the page benchmark signs in as: a participant with a coming booking,
/// a trainer with sessions and a unit with staff (each `None` when the
/// database has none). People who already have an account are skipped.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    pub participant: Option<i64>,
    pub trainer: Option<i64>,
    pub unit: Option<i64>,
}

pub async fn sample(db: &Db) -> StoreResult<Sample> {
    let participant: Option<i64> = sqlx::query_scalar(
        "SELECT b.person_id FROM bookings b WHERE b.status = 'booked' \
         AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = b.person_id) ORDER BY b.id LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?;
    let trainer: Option<i64> = sqlx::query_scalar(
        "SELECT st.person_id FROM session_trainers st \
         WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = st.person_id) \
         ORDER BY st.session_id DESC LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?;
    let unit: Option<i64> = sqlx::query_scalar(
        "SELECT unit_id FROM people WHERE unit_id IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(Sample {
        participant,
        trainer,
        unit,
    })
}

/// Rows per table of what the generator fills, for its report.
pub async fn counts(db: &Db) -> StoreResult<Vec<(&'static str, i64)>> {
    let mut out = vec![];
    for table in [
        "municipalities",
        "units",
        "people",
        "accounts",
        "trainers",
        "courses",
        "sessions",
        "bookings",
        "completions",
        "requirements",
        "tracks",
        "survey_invitations",
        "survey_responses",
        "outbox",
        "funding_programmes",
        "attendance_facts",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db.pool())
            .await?;
        out.push((table, n));
    }
    Ok(out)
}
