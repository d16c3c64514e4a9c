//! Completions (genomförda kurser) and their certificates: numbering,
//! verification, expiry and reminders.

use chrono::NaiveDate;
use domain::certificates;
use domain::ids::{PersonId, SessionId, UnitId};
use rand::RngCore;
use serde::Serialize;
use sqlx::{AnyConnection, FromRow, Row};

use crate::db::Db;
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Completion {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub municipality_id: i64,
    pub municipality_name: String,
    pub course_id: i64,
    pub course_title: String,
    pub session_id: Option<i64>,
    pub completed_on: String,
    pub hours: f64,
    pub certificate_no: String,
    pub verify_code: Option<String>,
    pub expires_on: Option<String>,
    pub source: String,
}

const SELECT: &str = "SELECT c.id, c.person_id, p.name AS person_name, p.unit_id, u.name AS unit_name, \
    p.municipality_id, m.name AS municipality_name, c.course_id, k.title AS course_title, c.session_id, \
    c.completed_on, c.hours, c.certificate_no, c.verify_code, c.expires_on, c.source \
    FROM completions c JOIN people p ON p.id = c.person_id JOIN courses k ON k.id = c.course_id \
    JOIN municipalities m ON m.id = p.municipality_id LEFT JOIN units u ON u.id = p.unit_id";

/// Reserve `n` certificate numbers for `year`; returns the first.
async fn reserve_numbers(conn: &mut AnyConnection, year: i32, n: i64) -> StoreResult<i64> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO certificate_counters (year, last_seq) VALUES ($1, $2) \
         ON CONFLICT (year) DO UPDATE SET last_seq = certificate_counters.last_seq + $2 RETURNING last_seq",
    )
    .bind(year as i64)
    .bind(n)
    .fetch_one(&mut *conn)
    .await?;
    Ok(last - n + 1)
}

pub fn new_verify_code() -> String {
    let mut bytes = [0u8; certificates::CODE_RANDOM_CHARS];
    rand::rng().fill_bytes(&mut bytes);
    certificates::verification_code(&bytes)
}

/// Give every completion without a verification code a fresh one (the
/// migration step `certificate_codes`: rows written before every path
/// issued codes, such as demo completions). Returns how many were filled.
pub(crate) async fn fill_missing_codes(conn: &mut AnyConnection) -> StoreResult<u64> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM completions WHERE verify_code IS NULL ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    for id in &ids {
        sqlx::query("UPDATE completions SET verify_code = $1 WHERE id = $2")
            .bind(new_verify_code())
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(ids.len() as u64)
}

/// What a new completion records.
#[derive(Debug, Clone)]
pub struct NewCompletion {
    pub person_id: i64,
    pub course_id: i64,
    pub session_id: Option<i64>,
    pub booking_id: Option<i64>,
    pub completed_on: NaiveDate,
    pub hours: f64,
    pub validity_months: Option<i64>,
    pub source: &'static str,
}

/// Insert completions inside the caller's transaction, each with the next
/// certificate number of its year and a fresh verification code.
pub async fn insert_many(
    conn: &mut AnyConnection,
    items: &[NewCompletion],
) -> StoreResult<Vec<i64>> {
    let mut by_year: std::collections::BTreeMap<i32, i64> = Default::default();
    for c in items {
        *by_year
            .entry(chrono::Datelike::year(&c.completed_on))
            .or_default() += 1;
    }
    let mut next: std::collections::BTreeMap<i32, i64> = Default::default();
    for (year, n) in by_year {
        next.insert(year, reserve_numbers(conn, year, n).await?);
    }
    let now = crate::time::now();
    let mut ids = Vec::with_capacity(items.len());
    for c in items {
        let year = chrono::Datelike::year(&c.completed_on);
        let seq = next.get_mut(&year).expect("reserved");
        let number = certificates::certificate_number(year, *seq);
        *seq += 1;
        let expires =
            certificates::expiry(c.completed_on, c.validity_months).map(crate::time::date_str);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO completions (person_id, course_id, session_id, booking_id, completed_on, hours, certificate_no, \
             verify_code, expires_on, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(c.person_id)
        .bind(c.course_id)
        .bind(c.session_id)
        .bind(c.booking_id)
        .bind(crate::time::date_str(c.completed_on))
        .bind(c.hours)
        .bind(&number)
        .bind(new_verify_code())
        .bind(expires)
        .bind(c.source)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

pub async fn get(db: &Db, id: i64) -> StoreResult<Completion> {
    sqlx::query_as(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("kursintyg"))
}

pub async fn for_person(db: &Db, person_id: PersonId) -> StoreResult<Vec<Completion>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE c.person_id = $1 ORDER BY c.completed_on DESC, c.id DESC"
    ))
    .bind(person_id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn for_session(db: &Db, session_id: SessionId) -> StoreResult<Vec<Completion>> {
    let mut v: Vec<Completion> = sqlx::query_as(&format!("{SELECT} WHERE c.session_id = $1"))
        .bind(session_id)
        .fetch_all(db.pool())
        .await?;
    domain::collation::sort_swedish_by(&mut v, |c| &c.person_name);
    Ok(v)
}

pub async fn for_unit(db: &Db, unit_id: UnitId) -> StoreResult<Vec<Completion>> {
    let mut v: Vec<Completion> = sqlx::query_as(&format!(
        "{SELECT} WHERE p.unit_id = $1 ORDER BY c.completed_on DESC"
    ))
    .bind(unit_id)
    .fetch_all(db.pool())
    .await?;
    v.sort_by(|a, b| {
        domain::collation::swedish_cmp(&a.person_name, &b.person_name)
            .then(b.completed_on.cmp(&a.completed_on))
    });
    Ok(v)
}

/// Verification: whether a code belongs to a certificate that is valid
/// today (exists and has not expired). Nothing else is revealed.
/// What the public check shows about a certificate: enough to see that a
/// code belongs to the paper in hand (number, course, date, initials), not
/// who holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verified {
    pub course_id: i64,
    pub certificate_no: String,
    pub course_title: String,
    pub completed_on: String,
    pub expires_on: Option<String>,
    pub holder_initials: String,
    /// Not expired on the day of the check.
    pub valid: bool,
}

/// The certificate a verification code belongs to, if any.
pub async fn verify_details(
    db: &Db,
    code: &str,
    today: NaiveDate,
) -> StoreResult<Option<Verified>> {
    let Some(code) = certificates::normalize_code(code) else {
        return Ok(None);
    };
    let row = sqlx::query(
        "SELECT c.certificate_no, k.title, c.completed_on, c.expires_on, p.name, c.course_id FROM completions c \
         JOIN courses k ON k.id = c.course_id JOIN people p ON p.id = c.person_id WHERE c.verify_code = $1",
    )
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| {
        let expires_on: Option<String> = r.get("expires_on");
        Verified {
            course_id: r.get("course_id"),
            certificate_no: r.get("certificate_no"),
            course_title: r.get("title"),
            completed_on: r.get("completed_on"),
            valid: expires_on
                .as_deref()
                .is_none_or(|e| crate::time::parse_date(e).is_some_and(|e| e >= today)),
            expires_on,
            holder_initials: certificates::initials(&r.get::<String, _>("name")),
        }
    }))
}

/// The nearest upcoming session of each course (not cancelled, not yet
/// started), for a "book a refresher" link: course id → session id.
pub async fn refresher_sessions(
    db: &Db,
    course_ids: &[i64],
    now: i64,
) -> StoreResult<std::collections::HashMap<i64, i64>> {
    let mut out = std::collections::HashMap::new();
    if course_ids.is_empty() {
        return Ok(out);
    }
    let ids: Vec<String> = course_ids.iter().map(i64::to_string).collect();
    let rows = sqlx::query(&format!(
        "SELECT course_id, id FROM sessions WHERE course_id IN ({}) AND starts_at > $1 \
         AND status NOT IN ('cancelled', 'held') ORDER BY starts_at DESC, id DESC",
        ids.join(", ")
    ))
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    // Latest first, so the earliest session of each course is written last.
    for r in rows {
        out.insert(r.get::<i64, _>("course_id"), r.get::<i64, _>("id"));
    }
    Ok(out)
}

pub async fn verify(db: &Db, code: &str, today: NaiveDate) -> StoreResult<bool> {
    let Some(code) = certificates::normalize_code(code) else {
        return Ok(false);
    };
    let row: Option<Option<String>> =
        sqlx::query_scalar("SELECT expires_on FROM completions WHERE verify_code = $1")
            .bind(code)
            .fetch_optional(db.pool())
            .await?;
    Ok(match row {
        None => false,
        Some(None) => true,
        Some(Some(exp)) => crate::time::parse_date(&exp).is_some_and(|e| e >= today),
    })
}

/// Completions that expire within `days` of `today` and have not been
/// renewed by a later completion of the same course. `unit_ids` /
/// `municipality_ids` limit the list (a manager's scope); both empty = all.
pub async fn expiring(
    db: &Db,
    today: NaiveDate,
    days: i64,
    unit_ids: &[i64],
    municipality_ids: &[i64],
    all: bool,
) -> StoreResult<Vec<Completion>> {
    expiring_page(db, today, days, unit_ids, municipality_ids, all, None, None).await
}

/// The same a page at a time, in expiry order (keyset on `(expires_on,
/// id)`): at most `limit`, after the completion `after`.
#[allow(clippy::too_many_arguments)]
pub async fn expiring_page(
    db: &Db,
    today: NaiveDate,
    days: i64,
    unit_ids: &[i64],
    municipality_ids: &[i64],
    all: bool,
    after: Option<i64>,
    limit: Option<i64>,
) -> StoreResult<Vec<Completion>> {
    let until = today + chrono::Duration::days(days);
    // The scope in SQL: a manager's units are a few hundred people among a
    // nation's, whose expiring certificates are tens of thousands.
    let scope = if all {
        "1 = 1".to_string()
    } else {
        let mut parts = vec![];
        if !unit_ids.is_empty() {
            parts.push(format!("p.unit_id IN ({})", crate::db::id_list(unit_ids)));
        }
        if !municipality_ids.is_empty() {
            parts.push(format!(
                "p.municipality_id IN ({})",
                crate::db::id_list(municipality_ids)
            ));
        }
        if parts.is_empty() {
            return Ok(vec![]);
        }
        format!("({})", parts.join(" OR "))
    };
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE {scope} AND c.expires_on IS NOT NULL AND c.expires_on >= $1 AND c.expires_on <= $2 AND p.active = 1 \
         AND NOT EXISTS (SELECT 1 FROM completions n WHERE n.person_id = c.person_id AND n.course_id = c.course_id \
         AND n.completed_on > c.completed_on){seek} ORDER BY c.expires_on, c.id{limit}",
        seek = after
            .map(|a| format!(
                " AND (c.expires_on > (SELECT expires_on FROM completions WHERE id = {a}) \
                 OR (c.expires_on = (SELECT expires_on FROM completions WHERE id = {a}) AND c.id > {a}))"
            ))
            .unwrap_or_default(),
        limit = limit.map(|l| format!(" LIMIT {l}")).unwrap_or_default(),
    ))
    .bind(crate::time::date_str(today))
    .bind(crate::time::date_str(until))
    .fetch_all(db.pool())
    .await?)
}

/// Queue an e-mail reminder for every unrenewed completion that expires
/// within the reminder window and has not been reminded. Returns how many.
pub async fn queue_reminders(db: &Db, today: NaiveDate, public_url: &str) -> StoreResult<usize> {
    let due = expiring(
        db,
        today,
        certificates::REMINDER_DAYS_BEFORE,
        &[],
        &[],
        true,
    )
    .await?;
    let mut tx = db.begin().await?;
    let mut n = 0;
    for c in due {
        let updated = sqlx::query(
            "UPDATE completions SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
        )
        .bind(crate::time::now())
        .bind(c.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            continue;
        }
        let email: String = sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
            .bind(c.person_id)
            .fetch_one(&mut *tx)
            .await?;
        let body = format!(
            "Hej {}!\n\nDitt intyg för {} ({}) gäller till och med {}. Boka ett nytt tillfälle i god tid:\n{}/kurser/{}\n\nVänliga hälsningar\nKompetensnavet",
            c.person_name,
            c.course_title,
            c.certificate_no,
            c.expires_on.as_deref().unwrap_or(""),
            public_url,
            c.course_id
        );
        crate::outbox::enqueue_text(
            &mut tx,
            "certificate_expiry",
            &email,
            Some(PersonId(c.person_id)),
            &format!("Påminnelse: {} behöver förnyas", c.course_title),
            &body,
        )
        .await?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}
