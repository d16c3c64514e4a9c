//! Attendance: the list for a session, marking present or absent, and
//! closing the session, which records no-shows, gives every attended
//! participant a completion with the session's hours, and invites them to
//! the participant survey.

use chrono::NaiveDate;
use domain::booking::BookingStatus;
use domain::ids::{PersonId, SessionId};
use domain::sessions::SessionStatus;
use serde::Serialize;
use sqlx::{AnyConnection, FromRow, Row};

use crate::audit::{self, Who};
use crate::completions::{self, NewCompletion};
use crate::db::Db;
use crate::error::{code, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct SessionInfo {
    pub id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub hours: f64,
    pub venue: String,
    pub municipality_name: String,
    #[sqlx(try_from = "crate::error::Stored<SessionStatus>")]
    pub status: SessionStatus,
    pub cancel_reason: String,
    pub closed_at: Option<i64>,
    pub validity_months: Option<i64>,
}

impl SessionInfo {
    pub fn date(&self) -> NaiveDate {
        crate::time::local_date(self.starts_at)
    }
    pub fn is_closed(&self) -> bool {
        self.closed_at.is_some()
    }
    /// Today's, recent, upcoming or earlier (for the attendance start page).
    pub fn group(&self, now: i64) -> domain::sessions::day::DayGroup {
        domain::sessions::day::group(now, self.starts_at, self.ends_at)
    }
    /// Whether attendance may be closed now (the session is over, not
    /// closed, not cancelled).
    pub fn may_close(&self, now: i64) -> bool {
        !self.is_closed()
            && self.status != SessionStatus::Cancelled
            && domain::certificates::may_close(now, self.ends_at).is_ok()
    }
    /// Whether attendance can be marked now (from the session's day on).
    pub fn may_mark(&self, now: i64) -> bool {
        self.status != SessionStatus::Cancelled
            && crate::time::local_date(self.starts_at) <= crate::time::local_date(now)
    }
    pub fn status_label(&self) -> &'static str {
        match self.status {
            SessionStatus::Started => "okänd",
            s => s.label_sv(),
        }
    }
}

pub async fn session(db: &Db, id: SessionId) -> StoreResult<SessionInfo> {
    sqlx::query_as(
        "SELECT s.id, s.course_id, k.title AS course_title, s.starts_at, s.ends_at, s.hours, s.venue, \
         m.name AS municipality_name, s.status, s.cancel_reason, s.closed_at, k.validity_months \
         FROM sessions s JOIN courses k ON k.id = s.course_id JOIN municipalities m ON m.id = s.municipality_id WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(StoreError::NotFound("kurstillfälle"))
}

/// The people assigned to teach a session (for access decisions).
pub async fn trainer_ids(db: &Db, session_id: SessionId) -> StoreResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT person_id FROM session_trainers WHERE session_id = $1")
            .bind(session_id)
            .fetch_all(db.pool())
            .await?,
    )
}

/// Sessions a trainer teaches, or all sessions for coordinators, in the
/// order of the day (`domain::sessions::day`): today's first, then those
/// held in the last two weeks, then upcoming ones (the next 60 days), then
/// older ones.
pub async fn sessions_for_trainer(
    db: &Db,
    person_id: Option<PersonId>,
) -> StoreResult<Vec<SessionInfo>> {
    let base = "SELECT s.id, s.course_id, k.title AS course_title, s.starts_at, s.ends_at, s.hours, s.venue, \
         m.name AS municipality_name, s.status, s.cancel_reason, s.closed_at, k.validity_months \
         FROM sessions s JOIN courses k ON k.id = s.course_id JOIN municipalities m ON m.id = s.municipality_id";
    let now = crate::time::now();
    let horizon = now + 60 * 86_400;
    let mut v: Vec<SessionInfo> = match person_id {
        Some(p) => {
            sqlx::query_as(&format!(
                "{base} WHERE s.id IN (SELECT session_id FROM session_trainers WHERE person_id = $1) \
                 AND s.starts_at < $2 ORDER BY s.starts_at DESC LIMIT 200"
            ))
            .bind(p)
            .bind(horizon)
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query_as(&format!(
                "{base} WHERE s.status <> 'cancelled' AND s.import_batch_id IS NULL AND s.starts_at < $1 \
                 ORDER BY s.starts_at DESC LIMIT 200"
            ))
            .bind(horizon)
            .fetch_all(db.pool())
            .await?
        }
    };
    domain::sessions::day::order(now, &mut v, |s| (s.starts_at, s.ends_at));
    Ok(v)
}

/// One line of the attendance list.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Attendee {
    pub booking_id: i64,
    pub person_id: i64,
    pub name: String,
    pub role_name: String,
    pub unit_name: Option<String>,
    pub municipality_name: String,
    /// Needs noted on the booking and on the person.
    pub support_needs: String,
    pub language_support: String,
    #[sqlx(try_from = "crate::error::Stored<BookingStatus>")]
    pub status: BookingStatus,
}

impl Attendee {
    pub fn status_label(&self) -> &'static str {
        match self.status {
            BookingStatus::Attended => "närvarande",
            BookingStatus::Absent => "frånvarande",
            _ => "ej markerad",
        }
    }
    pub fn needs(&self) -> String {
        let mut v: Vec<String> = Vec::new();
        for code in self
            .language_support
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            v.push(
                domain::catalogue::LanguageSupport::parse(code)
                    .map(|l| l.label_sv().to_string())
                    .unwrap_or_else(|| code.to_string()),
            );
        }
        if !self.support_needs.trim().is_empty() {
            v.push(self.support_needs.trim().to_string());
        }
        v.join(", ")
    }
}

/// Everyone with a seat on the session (booked, attended or absent), in
/// Swedish name order.
pub async fn attendees(db: &Db, session_id: SessionId) -> StoreResult<Vec<Attendee>> {
    let mut v: Vec<Attendee> = sqlx::query_as(
        "SELECT b.id AS booking_id, p.id AS person_id, p.name, r.name AS role_name, u.name AS unit_name, \
         m.name AS municipality_name, b.support_needs, p.language_support, b.status \
         FROM bookings b JOIN people p ON p.id = b.person_id JOIN roles r ON r.id = p.role_id \
         JOIN municipalities m ON m.id = p.municipality_id LEFT JOIN units u ON u.id = p.unit_id \
         WHERE b.session_id = $1 AND b.status IN ('booked', 'attended', 'absent')",
    )
    .bind(session_id)
    .fetch_all(db.pool())
    .await?;
    domain::collation::sort_swedish_by(&mut v, |a| &a.name);
    Ok(v)
}

async fn lock_session(
    db: &Db,
    conn: &mut AnyConnection,
    session_id: i64,
) -> StoreResult<(SessionStatus, Option<i64>, i64, f64)> {
    let row = sqlx::query(&format!(
        "SELECT status, closed_at, starts_at, hours FROM sessions WHERE id = $1{}",
        db.for_update()
    ))
    .bind(session_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound("kurstillfälle"))?;
    Ok((
        code(&row, "status")?,
        row.get("closed_at"),
        row.get("starts_at"),
        row.get("hours"),
    ))
}

/// `SET` clause that keeps, on a booking whose attendance is taken, the
/// municipality and role the person has then (see migration 0500).
/// A later correction keeps the first values: history stays as it was.
const KEEP_EMPLOYMENT: &str = "attended_municipality_id = COALESCE(attended_municipality_id, \
    (SELECT p.municipality_id FROM people p WHERE p.id = bookings.person_id)), \
    attended_role_id = COALESCE(attended_role_id, \
    (SELECT p.role_id FROM people p WHERE p.id = bookings.person_id))";

/// Mark one booked person present or absent. Allowed from the session's
/// day on, until and after closing (a correction after closing also adds
/// or withdraws the completion).
pub async fn mark(
    db: &Db,
    who: &Who,
    session_id: SessionId,
    person_id: PersonId,
    present: bool,
) -> StoreResult<BookingStatus> {
    let mut tx = db.begin().await?;
    let (status, closed_at, starts_at, _) = lock_session(db, &mut tx, session_id.get()).await?;
    if status == SessionStatus::Cancelled {
        return Err(StoreError::conflict(
            None,
            "Kurstillfället är inställt; närvaro kan inte registreras.",
        ));
    }
    if crate::time::local_date(starts_at) > crate::time::local_date(crate::time::now()) {
        return Err(StoreError::conflict(
            None,
            "Närvaro kan registreras först den dag kurstillfället hålls.",
        ));
    }
    let booking: Option<(i64, BookingStatus)> = sqlx::query(
        "SELECT id, status FROM bookings WHERE session_id = $1 AND person_id = $2 AND status IN ('booked', 'attended', 'absent')",
    )
    .bind(session_id)
    .bind(person_id)
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| Ok::<_, sqlx::Error>((r.get("id"), code(&r, "status")?)))
    .transpose()?;
    let Some((booking_id, old)) = booking else {
        return Err(StoreError::invalid(
            "person_id",
            "not_booked",
            "Personen har ingen plats på kurstillfället.",
        ));
    };
    let new = if present {
        BookingStatus::Attended
    } else {
        BookingStatus::Absent
    };
    if old != new {
        sqlx::query(&format!(
            "UPDATE bookings SET status = $1, updated_at = $2, {KEEP_EMPLOYMENT} WHERE id = $3"
        ))
        .bind(new.code())
        .bind(crate::time::now())
        .bind(booking_id)
        .execute(&mut *tx)
        .await?;
        crate::reports::refresh_people(&mut tx, &[person_id.get()]).await?;
        crate::attestation::attendance_changed(&mut tx, db, person_id, starts_at).await?;
        if closed_at.is_some() {
            if present {
                issue_completions(&mut tx, session_id.get(), Some(booking_id)).await?;
            } else {
                sqlx::query("DELETE FROM completions WHERE booking_id = $1")
                    .bind(booking_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        audit::record(
            &mut tx,
            who,
            if present {
                "attendance.present"
            } else {
                "attendance.absent"
            },
            "session",
            Some(session_id.get()),
            Some(person_id.get()),
            "",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(new)
}

/// "Alla närvarande": everyone with a seat on the session is marked
/// present at once (single people are then changed one by one). Returns
/// how many marks changed.
pub async fn mark_all_present(db: &Db, who: &Who, session_id: SessionId) -> StoreResult<usize> {
    let mut tx = db.begin().await?;
    let (status, closed_at, starts_at, _) = lock_session(db, &mut tx, session_id.get()).await?;
    if status == SessionStatus::Cancelled {
        return Err(StoreError::conflict(
            None,
            "Kurstillfället är inställt; närvaro kan inte registreras.",
        ));
    }
    if crate::time::local_date(starts_at) > crate::time::local_date(crate::time::now()) {
        return Err(StoreError::conflict(
            None,
            "Närvaro kan registreras först den dag kurstillfället hålls.",
        ));
    }
    let people: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM bookings WHERE session_id = $1 AND status IN ('booked', 'absent') ORDER BY id",
    )
    .bind(session_id)
    .fetch_all(&mut *tx)
    .await?;
    if people.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    sqlx::query(&format!(
        "UPDATE bookings SET status = 'attended', updated_at = $1, {KEEP_EMPLOYMENT} \
         WHERE session_id = $2 AND status IN ('booked', 'absent')"
    ))
    .bind(crate::time::now())
    .bind(session_id)
    .execute(&mut *tx)
    .await?;
    crate::reports::refresh_people(&mut tx, &people).await?;
    for p in &people {
        crate::attestation::attendance_changed(&mut tx, db, PersonId(*p), starts_at).await?;
    }
    if closed_at.is_some() {
        issue_completions(&mut tx, session_id.get(), None).await?;
    }
    audit::record(
        &mut tx,
        who,
        "attendance.all_present",
        "session",
        Some(session_id.get()),
        None,
        &format!("{} markerade närvarande", people.len()),
    )
    .await?;
    tx.commit().await?;
    Ok(people.len())
}

/// What closing the session would do, for the confirmation page.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClosePreview {
    pub attended: i64,
    pub absent: i64,
    /// Booked but not marked: they will be recorded as absent.
    pub unmarked: i64,
    /// Course certificates that will be issued (one per attended person).
    pub certificates: i64,
}

pub async fn close_preview(db: &Db, session_id: SessionId) -> StoreResult<ClosePreview> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN b.status = 'attended' THEN 1 ELSE 0 END), 0) AS BIGINT) AS attended, \
         CAST(COALESCE(SUM(CASE WHEN b.status = 'absent' THEN 1 ELSE 0 END), 0) AS BIGINT) AS absent, \
         CAST(COALESCE(SUM(CASE WHEN b.status = 'booked' THEN 1 ELSE 0 END), 0) AS BIGINT) AS unmarked, \
         CAST(COALESCE(SUM(CASE WHEN b.status = 'attended' AND NOT EXISTS \
           (SELECT 1 FROM completions c WHERE c.booking_id = b.id) THEN 1 ELSE 0 END), 0) AS BIGINT) AS certificates \
         FROM bookings b WHERE b.session_id = $1",
    )
    .bind(session_id)
    .fetch_one(db.pool())
    .await?;
    Ok(ClosePreview {
        attended: r.get("attended"),
        absent: r.get("absent"),
        unmarked: r.get("unmarked"),
        certificates: r.get("certificates"),
    })
}

/// Completions for attended bookings that have none (all, or one booking).
async fn issue_completions(
    conn: &mut AnyConnection,
    session_id: i64,
    only: Option<i64>,
) -> StoreResult<usize> {
    let rows = sqlx::query(
        "SELECT b.id, b.person_id, s.course_id, s.starts_at, s.hours, k.validity_months FROM bookings b \
         JOIN sessions s ON s.id = b.session_id JOIN courses k ON k.id = s.course_id \
         WHERE b.session_id = $1 AND b.status = 'attended' \
         AND NOT EXISTS (SELECT 1 FROM completions c WHERE c.booking_id = b.id)",
    )
    .bind(session_id)
    .fetch_all(&mut *conn)
    .await?;
    let items: Vec<NewCompletion> = rows
        .iter()
        .filter(|r| only.is_none_or(|b| b == r.get::<i64, _>("id")))
        .map(|r| NewCompletion {
            booking_id: Some(r.get("id")),
            person_id: r.get("person_id"),
            course_id: r.get("course_id"),
            session_id: Some(session_id),
            completed_on: crate::time::local_date(r.get("starts_at")),
            hours: r.get("hours"),
            validity_months: r.get("validity_months"),
            source: "attendance",
        })
        .collect();
    completions::insert_many(conn, &items).await?;
    Ok(items.len())
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CloseSummary {
    pub attended: i64,
    pub absent: i64,
    /// Booked but never marked: recorded as absent (no-shows).
    pub no_shows: i64,
    pub completions: usize,
    pub surveys_sent: usize,
}

/// Close the session: unmarked bookings become absent (no-shows), the
/// session is held, attended participants get completions and a survey.
pub async fn close(
    db: &Db,
    who: &Who,
    session_id: SessionId,
    public_url: &str,
) -> StoreResult<CloseSummary> {
    let mut tx = db.begin().await?;
    let (status, closed_at, starts_at, _) = lock_session(db, &mut tx, session_id.get()).await?;
    if status == SessionStatus::Cancelled {
        return Err(StoreError::conflict(
            None,
            "Kurstillfället är inställt och kan inte stängas.",
        ));
    }
    if closed_at.is_some() {
        return Err(StoreError::conflict(
            None,
            "Närvaron för kurstillfället är redan stängd.",
        ));
    }
    if crate::time::local_date(starts_at) > crate::time::local_date(crate::time::now()) {
        return Err(StoreError::conflict(
            None,
            "Kurstillfället har inte hållits ännu.",
        ));
    }
    let ends_at: i64 = sqlx::query_scalar("SELECT ends_at FROM sessions WHERE id = $1")
        .bind(session_id)
        .fetch_one(&mut *tx)
        .await?;
    let now = crate::time::now();
    domain::certificates::may_close(now, ends_at).map_err(|m| StoreError::conflict(None, m))?;
    let no_shows = sqlx::query(&format!("UPDATE bookings SET status = 'absent', updated_at = $1, {KEEP_EMPLOYMENT} WHERE session_id = $2 AND status = 'booked'"))
        .bind(now)
        .bind(session_id)
        .execute(&mut *tx)
        .await?
        .rows_affected() as i64;
    sqlx::query(
        "UPDATE sessions SET status = 'held', closed_at = $1, updated_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(session_id)
    .execute(&mut *tx)
    .await?;
    let counts = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'attended' THEN 1 ELSE 0 END), 0) AS BIGINT) AS attended, \
         CAST(COALESCE(SUM(CASE WHEN status = 'absent' THEN 1 ELSE 0 END), 0) AS BIGINT) AS absent FROM bookings WHERE session_id = $1",
    )
    .bind(session_id)
    .fetch_one(&mut *tx)
    .await?;
    let completions = issue_completions(&mut tx, session_id.get(), None).await?;
    let surveys_sent = crate::surveys::invite_after_close(&mut tx, session_id, public_url).await?;
    let summary = CloseSummary {
        attended: counts.get("attended"),
        absent: counts.get("absent"),
        no_shows,
        completions,
        surveys_sent,
    };
    audit::record(
        &mut tx,
        who,
        "session.close",
        "session",
        Some(session_id.get()),
        None,
        &format!(
            "närvarande {}, frånvarande {} (varav ej markerade {})",
            summary.attended, summary.absent, summary.no_shows
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(summary)
}
