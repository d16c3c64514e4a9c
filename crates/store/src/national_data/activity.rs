//! What happens around the sessions of the national data set: coming
//! sessions open for booking, certificates for attended bookings, survey
//! invitations and answers, sent e-mail in the outbox and the funding
//! programme. All synthetic.

use chrono::{Days, Months, NaiveDate};
use sqlx::AnyConnection;

use super::{series, Size};
use crate::audit::Who;
use crate::db::Db;
use crate::error::StoreResult;

/// Coming sessions (open, from tomorrow over the next year) with a few
/// bookings each, so that the catalogue, booking and session pages have
/// something to show. Returns (first id - 1, last id).
pub(super) async fn coming_sessions(
    conn: &mut AnyConnection,
    size: &Size,
    ids: &super::Ids,
    now: i64,
) -> StoreResult<(i64, i64)> {
    let s0: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM sessions")
        .fetch_one(&mut *conn)
        .await?;
    let day0 = crate::time::day_start(crate::time::today() + Days::new(1));
    let (c0, nc, m0, nm) = (ids.c0, ids.nc, ids.m0, ids.nm);
    sqlx::query(&format!(
        "{} INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, cancel_reason, created_at, updated_at) \
         SELECT {c0} + (i * 7) % {nc}, {day0} + ((i * 37) % 365) * 86400 + 28800, {day0} + ((i * 37) % 365) * 86400 + 28800 + 10800, \
           {m0} + (i * 23) % {nm}, 'Syntetisk lokal', 20, 3.0, 'open', '', {now}, {now} FROM g",
        series(size.coming_sessions)
    ))
    .execute(&mut *conn)
    .await?;
    let s1 = s0 + size.coming_sessions;
    // Booking i is on coming session 1 + (i - 1) / 10, person spread as above.
    let (p0, np) = (ids.p0, size.people);
    sqlx::query(&format!(
        "{} INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) \
         SELECT {s0} + 1 + (i - 1) / 10, {p0} + 1 + ((i * 7919) % {np}), 'booked', {now}, {now} FROM g",
        series(size.coming_sessions * 10)
    ))
    .execute(&mut *conn)
    .await?;
    Ok((s0, s1))
}

/// A certificate (completion) for every attended booking of the past
/// sessions; courses whose index is a multiple of 8 are valid 24 months.
pub(super) async fn completions(
    conn: &mut AnyConnection,
    size: &Size,
    ids: &super::Ids,
    now: i64,
) -> StoreResult<()> {
    // Day index → date text, the same on both engines.
    sqlx::raw_sql(
        "DROP TABLE IF EXISTS national_days; \
         CREATE TABLE national_days (d BIGINT PRIMARY KEY, day TEXT NOT NULL, expires TEXT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    let rows: Vec<String> = (0..size.days)
        .map(|d| {
            let day: NaiveDate = size.first_day + Days::new(d as u64);
            let exp = day.checked_add_months(Months::new(24)).unwrap_or(day);
            format!("({d}, '{day}', '{exp}')")
        })
        .collect();
    for chunk in rows.chunks(500) {
        sqlx::query(&format!(
            "INSERT INTO national_days (d, day, expires) VALUES {}",
            chunk.join(",")
        ))
        .execute(&mut *conn)
        .await?;
    }
    let (s0, c0, days) = (ids.s0, ids.c0, size.days);
    let s1 = s0 + size.sessions;
    sqlx::query(&format!(
        "INSERT INTO completions (person_id, course_id, session_id, completed_on, hours, certificate_no, verify_code, expires_on, source, created_at) \
         SELECT b.person_id, s.course_id, s.id, nd.day, s.hours, 'N-' || CAST(b.id AS TEXT), 'NV' || CAST(b.id AS TEXT), \
           CASE WHEN (s.course_id - {c0}) % 8 = 0 THEN nd.expires ELSE NULL END, 'attendance', {now} \
         FROM bookings b JOIN sessions s ON s.id = b.session_id \
         JOIN national_days nd ON nd.d = ((s.id - {s0}) * 1579) % {days} \
         WHERE b.status = 'attended' AND s.id > {s0} AND s.id <= {s1}"
    ))
    .execute(&mut *conn)
    .await?;
    sqlx::raw_sql("DROP TABLE national_days")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Participant survey invitations for the attended bookings of the last
/// `size.surveyed_sessions` generated sessions, with every other one
/// answered (scale questions get a value, text questions none).
pub(super) async fn surveys(db: &Db, size: &Size, ids: &super::Ids, now: i64) -> StoreResult<()> {
    let questions = crate::surveys::questions(db, domain::surveys::SurveyKind::Participant).await?;
    let mut conn = db.writer().acquire().await?;
    let s1 = ids.s0 + size.sessions;
    let from = s1 - size.surveyed_sessions;
    let due = crate::time::today().to_string();
    sqlx::query(&format!(
        "INSERT INTO survey_invitations (survey_kind, session_id, person_id, token_hash, due_on, sent, answered, created_at) \
         SELECT 'participant', b.session_id, b.person_id, 'nationell-' || CAST(b.id AS TEXT), '{due}', 1, \
           CASE WHEN b.id % 2 = 0 THEN 1 ELSE 0 END, {now} \
         FROM bookings b WHERE b.session_id > {from} AND b.session_id <= {s1} AND b.status = 'attended'"
    ))
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO survey_responses (survey_kind, session_id, submitted_on) \
         SELECT 'participant', session_id, '{due}' FROM survey_invitations \
         WHERE survey_kind = 'participant' AND answered = 1 AND session_id > {from} AND session_id <= {s1}"
    ))
    .execute(&mut *conn)
    .await?;
    for q in questions {
        let value = match q.kind {
            domain::surveys::QuestionKind::Degree4 => "1 + r.id % 4",
            domain::surveys::QuestionKind::Scale5 => "1 + (r.id * 7) % 5",
            domain::surveys::QuestionKind::YesPartlyNo => "(r.id * 3) % 3",
            domain::surveys::QuestionKind::FreeText => continue,
        };
        sqlx::query(&format!(
            "INSERT INTO survey_answers (response_id, question_id, value_int, value_text) \
             SELECT r.id, {}, {value}, NULL FROM survey_responses r \
             WHERE r.survey_kind = 'participant' AND r.session_id > {from} AND r.session_id <= {s1}",
            q.id
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Sent booking confirmations in the outbox, one per booking of the most
/// recent `size.outbox` bookings.
pub(super) async fn outbox(conn: &mut AnyConnection, size: &Size, now: i64) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO outbox (created_at, kind, to_email, to_person_id, subject, body, ics, session_id, booking_id, sent_at, attempts, last_error) \
         SELECT {now} - b.id % 86400, 'booking_confirmed', p.email, p.id, 'Bokningsbekräftelse (syntetisk)', \
           'Syntetiskt meddelande om bokning ' || CAST(b.id AS TEXT), NULL, b.session_id, b.id, {now}, 1, '' \
         FROM bookings b JOIN people p ON p.id = b.person_id \
         WHERE b.id > (SELECT MAX(id) FROM bookings) - {}",
        size.outbox
    ))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A funding programme 2025-01-01 – 2027-06-30 with a commitment from every
/// municipality.
pub(super) async fn funding(db: &Db) -> StoreResult<()> {
    let text = "name = \"Syntetiskt nationellt program\"\nstarts = 2025-01-01\nends = 2027-06-30\n\
        granted_sek = 500000000\ncofinancing_rate = 0.46\ntarget_hours = 3000000\n[employees]\n\"Örebro\" = 9000\n";
    let names = crate::funding::municipality_names(db).await?;
    let mut p = domain::funding::parse_toml(text, &names)
        .map_err(|e| crate::error::StoreError::Other(anyhow::anyhow!("{e:?}")))?;
    p.employees = names
        .iter()
        .enumerate()
        .map(|(i, m)| (m.clone(), 1000 + (i as i64 * 37) % 9000))
        .collect();
    crate::funding::save(db, &Who::system("nationell-data"), &p).await?;
    Ok(())
}
