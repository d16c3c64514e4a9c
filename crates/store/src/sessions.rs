//! Course sessions: scheduling (parts, quotas, registration window,
//! trainers), reading them with their seat counts, and public listings.

use domain::ids::{CourseId, PersonId, SessionId};
use std::collections::HashMap;

use domain::booking::Occupancy;
use domain::catalogue::CourseStatus;
use domain::sessions::{
    check_session, parse_instant, CheckedSession, Interval, LocalTimeError, Quota, SessionDraft,
    SessionStatus,
};
use domain::FieldErrors;
use serde::Deserialize;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

pub use crate::session_rows::SessionRow;
pub(crate) use crate::session_rows::{lock_suffix, parts, row, SESSION_SELECT};
pub(crate) use crate::session_views::{add_hold, HoldCount};
pub use crate::session_views::{QuotaView, SessionView, TrainerRef};

pub(crate) async fn quotas(conn: &mut AnyConnection, id: i64) -> StoreResult<Vec<Quota>> {
    let rows = sqlx::query(
        "SELECT municipality_id, seats, release_at FROM session_quotas WHERE session_id = $1 ORDER BY municipality_id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Quota {
            municipality_id: r.get("municipality_id"),
            seats: r.get("seats"),
            release_at: r.get("release_at"),
        })
        .collect())
}

const SEAT_STATUSES: &str = "('booked', 'attended', 'absent')";

pub(crate) async fn active_holds(
    conn: &mut AnyConnection,
    session_id: i64,
    now: i64,
) -> StoreResult<Vec<HoldCount>> {
    let rows = sqlx::query(
        "SELECT h.id, h.municipality_id, h.quota_seats, h.general_seats, \
           (SELECT COUNT(*) FROM bookings b WHERE b.hold_id = h.id AND b.quota_municipality_id IS NOT NULL AND b.status IN ('booked', 'attended', 'absent')) AS named_quota, \
           (SELECT COUNT(*) FROM bookings b WHERE b.hold_id = h.id AND b.quota_municipality_id IS NULL AND b.status IN ('booked', 'attended', 'absent')) AS named_general \
         FROM session_holds h WHERE h.session_id = $1 AND h.released_at IS NULL AND h.expires_at > $2",
    )
    .bind(session_id)
    .bind(now)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| HoldCount {
            id: r.get("id"),
            municipality_id: r.get("municipality_id"),
            quota_seats: r.get("quota_seats"),
            general_seats: r.get("general_seats"),
            named_quota: r.get("named_quota"),
            named_general: r.get("named_general"),
        })
        .collect())
}

/// Seats taken on a session right now: bookings and unnamed held seats.
pub(crate) async fn occupancy(
    conn: &mut AnyConnection,
    session_id: i64,
    now: i64,
) -> StoreResult<Occupancy> {
    let rows = sqlx::query(&format!(
        "SELECT quota_municipality_id, COUNT(*) AS n FROM bookings WHERE session_id = $1 AND status IN {SEAT_STATUSES} \
         GROUP BY quota_municipality_id"
    ))
    .bind(session_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut occ = Occupancy::default();
    for r in rows {
        let m: Option<i64> = r.get("quota_municipality_id");
        let n: i64 = r.get("n");
        occ.booked += n;
        if let Some(m) = m {
            occ.quota_booked.insert(m, n);
        }
    }
    for h in active_holds(conn, session_id, now).await? {
        add_hold(&mut occ, &h);
    }
    Ok(occ)
}

// Reading ---------------------------------------------------------------------

async fn municipality_names(db: &Db) -> StoreResult<HashMap<i64, String>> {
    Ok(sqlx::query("SELECT id, name FROM municipalities")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (r.get("id"), r.get("name")))
        .collect())
}

pub async fn get(db: &Db, id: SessionId) -> StoreResult<SessionView> {
    let names = municipality_names(db).await?;
    let mut conn = db.pool().acquire().await?;
    let r = row(&mut conn, id.get(), "").await?;
    let mut views =
        crate::session_views::views_of(&mut conn, vec![r], crate::time::now(), &names).await?;
    Ok(views.remove(0))
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub course_id: Option<i64>,
    pub municipality_id: Option<i64>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub include_cancelled: bool,
    pub trainer_person_id: Option<i64>,
    pub limit: i64,
    /// Continue after this session in start order (keyset paging).
    pub after: Option<SessionId>,
}

/// Sessions in start order.
pub async fn list(db: &Db, f: &Filter) -> StoreResult<Vec<SessionView>> {
    let mut conds = vec!["1=1".to_string()];
    if let Some(c) = f.course_id {
        conds.push(format!("s.course_id = {c}"));
    }
    if let Some(m) = f.municipality_id {
        conds.push(format!("s.municipality_id = {m}"));
    }
    if let Some(t) = f.from {
        conds.push(format!("s.ends_at > {t}"));
    }
    if let Some(t) = f.to {
        conds.push(format!("s.starts_at < {t}"));
    }
    if !f.include_cancelled {
        conds.push("s.status <> 'cancelled'".into());
    }
    if let Some(p) = f.trainer_person_id {
        conds.push(format!(
            "s.id IN (SELECT session_id FROM session_trainers WHERE person_id = {p})"
        ));
    }
    if let Some(a) = f.after {
        // Start order is (starts_at, id): those after the given session's.
        let a = a.get();
        conds.push(format!(
            "(s.starts_at > (SELECT starts_at FROM sessions WHERE id = {a}) \
             OR (s.starts_at = (SELECT starts_at FROM sessions WHERE id = {a}) AND s.id > {a}))"
        ));
    }
    let limit = if f.limit <= 0 { 500 } else { f.limit.min(2000) };
    let sql = format!(
        "{SESSION_SELECT} WHERE {} ORDER BY s.starts_at, s.id LIMIT {limit}",
        conds.join(" AND ")
    );
    let names = municipality_names(db).await?;
    let mut conn = db.pool().acquire().await?;
    let rows: Vec<SessionRow> = sqlx::query_as(&sql).fetch_all(&mut *conn).await?;
    crate::session_views::views_of(&mut conn, rows, crate::time::now(), &names).await
}

/// Upcoming, not cancelled sessions of each course: course id → count.
pub async fn upcoming_counts(db: &Db) -> StoreResult<HashMap<i64, i64>> {
    Ok(sqlx::query(
        "SELECT course_id, COUNT(*) AS upcoming FROM sessions WHERE starts_at > $1 AND status NOT IN ('cancelled', 'held') GROUP BY course_id",
    )
    .bind(crate::time::now())
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| (r.get("course_id"), r.get("upcoming")))
    .collect())
}

// Scheduling --------------------------------------------------------------------

/// A session as entered in a form or the API: names and texts.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SessionInput {
    pub course_id: i64,
    /// One or more parts: (start, end), RFC 3339 or Stockholm local time.
    pub parts: Vec<(String, String)>,
    pub municipality: String,
    pub venue: String,
    pub capacity: i64,
    /// (municipality name, seats, release time)
    pub quotas: Vec<(String, i64, String)>,
    pub registration_opens_at: Option<String>,
    pub registration_closes_at: Option<String>,
    pub language_support: Vec<String>,
    pub trainer_person_ids: Vec<i64>,
}

/// A checked session ready to store.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub course_id: i64,
    pub municipality_id: i64,
    pub venue: String,
    pub language_support: String,
    pub checked: CheckedSession,
    pub trainer_person_ids: Vec<i64>,
}

fn time_field(e: &mut FieldErrors, field: &str, s: &str) -> Option<i64> {
    match parse_instant(s) {
        Some(Ok(t)) => Some(t),
        Some(Err(LocalTimeError::DoesNotExist)) => {
            e.add(
                field,
                "time_does_not_exist",
                "Tiden finns inte i svensk tid (klockan ställs fram en timme denna natt).",
            );
            None
        }
        None => {
            e.add(
                field,
                "invalid_time",
                "Ange tid som 2026-03-14T09:00 (svensk tid) eller med tidszon, som 2026-03-14T09:00:00+01:00.",
            );
            None
        }
    }
}

/// Resolve names and parse times, then check with the domain rules.
pub async fn resolve(db: &Db, input: &SessionInput, now: i64) -> StoreResult<NewSession> {
    let r = resolve_all(db, input, now, true).await?;
    match r.session {
        Some(s) if r.errors.is_empty() => Ok(s),
        _ => Err(StoreError::Invalid(r.errors)),
    }
}

/// Everything wrong with a session as entered, at once, and what could be
/// read of it: the session when nothing is wrong, the parsed parts anyway.
pub(crate) struct Resolved {
    pub errors: FieldErrors,
    pub session: Option<NewSession>,
    pub parts: Vec<Interval>,
    /// The quotas that could be read (for the capacity rule of an edit).
    pub quotas: Vec<Quota>,
}

/// [`resolve`] without stopping at the first kind of error; `new_session`
/// also checks that the course may get new sessions (not for an edit).
pub(crate) async fn resolve_all(
    db: &Db,
    input: &SessionInput,
    now: i64,
    new_session: bool,
) -> StoreResult<Resolved> {
    let mut e = FieldErrors::new();
    match crate::catalogue::get(db, CourseId(input.course_id)).await {
        Ok(_) if !new_session => {}
        Ok(c) => {
            if matches!(c.status, CourseStatus::Pausad | CourseStatus::Avvecklad) {
                e.add(
                    "course_id",
                    "course_not_schedulable",
                    format!(
                        "Kursen är {} och kan inte få nya tillfällen.",
                        c.status_label()
                    ),
                );
            }
        }
        Err(StoreError::NotFound(_)) => e.add("course_id", "unknown_course", "Kursen finns inte."),
        Err(other) => return Err(other),
    }
    let municipality_id = match crate::org::municipality_by_name(db, &input.municipality).await? {
        Some(m) => Some(m.id),
        None => {
            e.add(
                "municipality",
                "unknown_municipality",
                domain::text::unknown("kommun", &input.municipality),
            );
            None
        }
    };
    let mut parts = vec![];
    for (i, (s, t)) in input.parts.iter().enumerate() {
        let (fs, fe) = if i == 0 {
            ("starts_at".to_string(), "ends_at".to_string())
        } else {
            (
                format!("parts[{i}].starts_at"),
                format!("parts[{i}].ends_at"),
            )
        };
        let a = time_field(&mut e, &fs, s);
        let b = time_field(&mut e, &fe, t);
        if let (Some(a), Some(b)) = (a, b) {
            parts.push(Interval::new(a, b));
        }
    }
    if input.parts.is_empty() {
        e.add("starts_at", "missing_start", "Ange start- och sluttid.");
    }
    let mut quotas = vec![];
    for (i, (m, seats, rel)) in input.quotas.iter().enumerate() {
        let mid = match crate::org::municipality_by_name(db, m).await? {
            Some(mm) => Some(mm.id),
            None => {
                e.add(
                    &format!("quotas[{i}].municipality"),
                    "unknown_municipality",
                    domain::text::unknown("kommun", m),
                );
                None
            }
        };
        let r = time_field(&mut e, &format!("quotas[{i}].release_at"), rel);
        if let (Some(mid), Some(r)) = (mid, r) {
            quotas.push(Quota {
                municipality_id: mid,
                seats: *seats,
                release_at: r,
            });
        }
    }
    let opens = input
        .registration_opens_at
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| time_field(&mut e, "registration_opens_at", s));
    let closes = input
        .registration_closes_at
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| time_field(&mut e, "registration_closes_at", s));
    let venue = domain::sessions::check_venue(&input.venue)
        .map_err(|m| e.add("venue", "invalid_venue", m))
        .unwrap_or_default();
    let mut support = vec![];
    for s in &input.language_support {
        match domain::catalogue::LanguageSupport::parse(s) {
            Some(l) => support.push(l.code()),
            None => e.add(
                "language_support",
                "invalid_language_support",
                format!(
                    "Okänt språkstöd ”{s}”: välj SVA-lärare, teckentolk eller anpassat material."
                ),
            ),
        }
    }
    let parsed = parts.clone();
    let parsed_quotas = quotas.clone();
    let draft = SessionDraft {
        parts,
        capacity: input.capacity,
        quotas,
        registration_opens_at: opens,
        registration_closes_at: closes,
    };
    let checked = match check_session(&draft, now) {
        Ok(c) => Some(c),
        Err(errs) => {
            for x in errs.0 {
                // Time fields already reported as unparsable are not repeated.
                if e.get(&x.field).is_none() {
                    e.push(x);
                }
            }
            None
        }
    };
    let session = match (municipality_id, checked) {
        (Some(m), Some(checked)) if e.is_empty() => Some(NewSession {
            course_id: input.course_id,
            municipality_id: m,
            venue,
            language_support: support.join(","),
            checked,
            trainer_person_ids: input.trainer_person_ids.clone(),
        }),
        _ => None,
    };
    Ok(Resolved {
        errors: e,
        session,
        parts: parsed,
        quotas: parsed_quotas,
    })
}

/// Store a new session with its parts, quotas and trainers, in one transaction.
pub async fn create(db: &Db, who: &Who, s: &NewSession) -> StoreResult<i64> {
    let mut tx = db.begin().await?;
    let now = crate::time::now();
    let c = &s.checked;
    let status = if c.registration_opens_at.is_some_and(|o| o > now) {
        SessionStatus::Planned
    } else {
        SessionStatus::Open
    };
    let id: i64 = sqlx::query(
        &format!(
            "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, registration_opens_at, \
             registration_closes_at, language_support, status, created_at, updated_at, created_by_account_id, funding_source_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, {}) RETURNING id",
            crate::funding_sources::DEFAULT_FOR_NEW_SESSIONS
        ),
    )
    .bind(s.course_id)
    .bind(c.starts_at)
    .bind(c.ends_at)
    .bind(s.municipality_id)
    .bind(&s.venue)
    .bind(c.capacity)
    .bind(c.hours)
    .bind(c.registration_opens_at)
    .bind(c.registration_closes_at)
    .bind(&s.language_support)
    .bind(status.code())
    .bind(now)
    .bind(who.account_id)
    .fetch_one(&mut *tx)
    .await?
    .get("id");
    for p in &c.parts {
        sqlx::query(
            "INSERT INTO session_parts (session_id, starts_at, ends_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(p.starts_at)
        .bind(p.ends_at)
        .execute(&mut *tx)
        .await?;
    }
    for q in &c.quotas {
        sqlx::query("INSERT INTO session_quotas (session_id, municipality_id, seats, release_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(q.municipality_id)
            .bind(q.seats)
            .bind(q.release_at)
            .execute(&mut *tx)
            .await?;
    }
    for (i, t) in s.trainer_person_ids.iter().enumerate() {
        crate::trainers::assign_in(
            db,
            &mut tx,
            SessionId(id),
            PersonId(*t),
            &format!("trainers[{i}]"),
        )
        .await?;
    }
    audit::record(
        &mut tx,
        who,
        "session.create",
        "session",
        Some(id),
        None,
        &format!(
            "kurs {} {}",
            s.course_id,
            domain::sessions::format_local(c.starts_at)
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Mark a session held (after it ended). Attendance is recorded elsewhere.
pub async fn set_held(db: &Db, who: &Who, id: SessionId) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let r = row(&mut tx, id.get(), lock_suffix(db)).await?;
    let now = crate::time::now();
    if now < r.ends_at {
        return Err(StoreError::conflict(
            None,
            "Kurstillfället är inte slut än.",
        ));
    }
    if !r.stored_status().can_become(SessionStatus::Held) {
        return Err(StoreError::conflict(
            None,
            format!(
                "Ett {} kurstillfälle kan inte markeras som genomfört.",
                r.stored_status().label_sv()
            ),
        ));
    }
    sqlx::query("UPDATE sessions SET status = 'held', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "session.held",
        "session",
        Some(id.get()),
        None,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The session list for calendar feeds: one event per part.
pub async fn feed_events(db: &Db, f: &Filter) -> StoreResult<Vec<(SessionRow, Vec<Interval>)>> {
    let views = list(db, f).await?;
    Ok(views.into_iter().map(|v| (v.row, v.parts)).collect())
}
