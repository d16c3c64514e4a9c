//! What the pages show of attestation: a person's months, the hub's
//! overview per municipality, the people of a month, the certificate to
//! sign on paper, and the reminders.

use domain::ids::{MunicipalityId, PersonId};
use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::attestation::{self as rules, Status};
use domain::cofinancing::{centi, month_of};
use serde::Serialize;
use sqlx::Row;

use super::{bounds, version_of, Version, COLUMNS, REMINDER_PAUSE_SECS};
use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::StoreResult;

/// One attended session of a month.
#[derive(Debug, Clone, Serialize)]
pub struct SessionLine {
    pub session_id: i64,
    pub date: NaiveDate,
    pub course: String,
    pub centi_hours: i64,
}

impl SessionLine {
    pub fn hours(&self) -> String {
        rules::hours_sv(self.centi_hours)
    }
}

/// One month of a person's attended time with its latest version.
#[derive(Debug, Clone, Serialize)]
pub struct PersonMonth {
    pub month: NaiveDate,
    pub lines: Vec<SessionLine>,
    pub centi_hours: i64,
    pub latest: Option<Version>,
    /// Whether the month is over (only then is it confirmed).
    pub ended: bool,
}

impl PersonMonth {
    pub fn key(&self) -> String {
        rules::month_key(self.month)
    }
    pub fn label(&self) -> String {
        rules::month_label_sv(self.month)
    }
    pub fn hours(&self) -> String {
        rules::hours_sv(self.centi_hours)
    }
    pub fn phrase(&self) -> String {
        rules::time_phrase(self.centi_hours, self.lines.len() as i64)
    }
    /// Waiting for the person: ended, with time, not attested.
    pub fn to_attest(&self) -> bool {
        self.ended
            && self.centi_hours > 0
            && !self.latest.as_ref().is_some_and(Version::is_attested)
    }
    /// A correction replaced an attested version.
    pub fn corrected(&self) -> bool {
        self.latest.as_ref().is_some_and(|v| v.version > 1)
    }
}

/// The person's attended sessions in [from, to) (at most 500).
async fn lines(db: &Db, person_id: i64, from: i64, to: i64) -> StoreResult<Vec<SessionLine>> {
    let rows = sqlx::query(
        "SELECT f.session_id, f.starts_at, k.title, f.hours FROM attendance_facts f \
         JOIN courses k ON k.id = f.course_id WHERE f.person_id = $1 AND f.starts_at >= $2 AND f.starts_at < $3 \
         ORDER BY f.starts_at, f.session_id LIMIT 500",
    )
    .bind(person_id)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| SessionLine {
            session_id: r.get("session_id"),
            date: crate::time::local_date(r.get("starts_at")),
            course: r.get("title"),
            centi_hours: centi(r.get::<f64, _>("hours")),
        })
        .collect())
}

/// The person's months with attended time over the last year and a bit
/// (this month and the twelve before), newest first, each with its
/// latest version.
pub async fn person_months(
    db: &Db,
    person_id: PersonId,
    today: NaiveDate,
) -> StoreResult<Vec<PersonMonth>> {
    let this = month_of(today);
    let mut first = this;
    for _ in 0..12 {
        first = rules::previous_month(first);
    }
    let (from, _) = bounds(first);
    let (_, to) = bounds(this);
    let mut by_month: BTreeMap<NaiveDate, Vec<SessionLine>> = BTreeMap::new();
    for l in lines(db, person_id.get(), from, to).await? {
        by_month.entry(month_of(l.date)).or_default().push(l);
    }
    let latest = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM attestations a WHERE person_id = $1 AND month >= $2 AND version = \
         (SELECT MAX(version) FROM attestations b WHERE b.person_id = a.person_id AND b.month = a.month) \
         ORDER BY month LIMIT 100"
    ))
    .bind(person_id)
    .bind(rules::month_key(first))
    .fetch_all(db.pool())
    .await?;
    let mut versions: BTreeMap<NaiveDate, Version> = latest
        .iter()
        .map(version_of)
        .map(|v| (v.month, v))
        .collect();
    for m in versions.keys() {
        by_month.entry(*m).or_default();
    }
    Ok(by_month
        .into_iter()
        .rev()
        .map(|(month, lines)| PersonMonth {
            centi_hours: lines.iter().map(|l| l.centi_hours).sum(),
            latest: versions.remove(&month),
            ended: rules::has_ended(month, today),
            month,
            lines,
        })
        .collect())
}

/// One person-month as the hub's certificate prints it.
pub async fn person_month(
    db: &Db,
    person_id: PersonId,
    month: NaiveDate,
) -> StoreResult<PersonMonth> {
    let (a, b) = bounds(month);
    let lines = lines(db, person_id.get(), a, b).await?;
    let latest = super::versions(db, person_id, month)
        .await?
        .into_iter()
        .next();
    Ok(PersonMonth {
        centi_hours: lines.iter().map(|l| l.centi_hours).sum(),
        ended: rules::has_ended(month, crate::time::today()),
        month,
        lines,
        latest,
    })
}

/// A month's state for the hub.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MonthState {
    pub opened_at: Option<i64>,
    pub reexport_needed: bool,
    pub flagged_at: Option<i64>,
}

pub async fn month_state(db: &Db, month: NaiveDate) -> StoreResult<MonthState> {
    let r = sqlx::query(
        "SELECT opened_at, reexport_needed, flagged_at FROM attestation_months WHERE month = $1",
    )
    .bind(rules::month_key(month))
    .fetch_optional(db.pool())
    .await?;
    Ok(r.map(|r| MonthState {
        opened_at: r.get("opened_at"),
        reexport_needed: r.get::<i64, _>("reexport_needed") != 0,
        flagged_at: r.get("flagged_at"),
    })
    .unwrap_or_default())
}

/// Months flagged for a new export (a correction after the export).
pub async fn flagged_months(db: &Db) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT month FROM attestation_months WHERE reexport_needed = 1 ORDER BY month LIMIT 600",
    )
    .fetch_all(db.pool())
    .await?)
}

/// One municipality's people in a month.
#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct MunicipalityCount {
    pub municipality_id: i64,
    pub municipality: String,
    pub people: i64,
    pub attested: i64,
    pub paper: i64,
    pub waiting: i64,
    /// Waiting again after a correction of an attested month.
    pub corrected: i64,
}

/// Per municipality (the person's current one): how many were asked, have
/// confirmed (of which on paper), and are still waiting.
pub async fn overview(db: &Db, month: NaiveDate) -> StoreResult<Vec<MunicipalityCount>> {
    let mut v: Vec<MunicipalityCount> = sqlx::query_as(
        "SELECT m.id AS municipality_id, m.name AS municipality, CAST(COUNT(*) AS BIGINT) AS people, \
         CAST(COALESCE(SUM(CASE WHEN a.status = 'attested' THEN 1 ELSE 0 END), 0) AS BIGINT) AS attested, \
         CAST(COALESCE(SUM(CASE WHEN a.status = 'attested' AND a.method = 'paper' THEN 1 ELSE 0 END), 0) AS BIGINT) AS paper, \
         CAST(COALESCE(SUM(CASE WHEN a.status = 'pending' THEN 1 ELSE 0 END), 0) AS BIGINT) AS waiting, \
         CAST(COALESCE(SUM(CASE WHEN a.status = 'pending' AND a.version > 1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS corrected \
         FROM attestations a JOIN people p ON p.id = a.person_id JOIN municipalities m ON m.id = p.municipality_id \
         WHERE a.month = $1 AND a.status <> 'superseded' GROUP BY m.id, m.name LIMIT 1000",
    )
    .bind(rules::month_key(month))
    .fetch_all(db.pool())
    .await?;
    domain::collation::sort_swedish_by(&mut v, |m| &m.municipality);
    Ok(v)
}

/// One person of a month in the hub's list.
#[derive(Debug, Clone, Serialize)]
pub struct PersonLine {
    pub person_id: i64,
    pub name: String,
    pub municipality: String,
    pub version: Version,
}

/// Most people one page lists for a municipality and month.
pub const MAX_PEOPLE: i64 = 1000;

/// The people of a month (one municipality, or all), by name.
pub async fn people(
    db: &Db,
    month: NaiveDate,
    municipality_id: Option<MunicipalityId>,
) -> StoreResult<Vec<PersonLine>> {
    let cols: String = COLUMNS
        .split(", ")
        .map(|c| format!("a.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(&format!(
        "SELECT {cols}, p.name AS person_name, m.name AS municipality FROM attestations a JOIN people p ON p.id = a.person_id \
         JOIN municipalities m ON m.id = p.municipality_id WHERE a.month = $1 AND a.status <> 'superseded' \
         AND ($2 = 0 OR p.municipality_id = $2) ORDER BY p.name, a.person_id LIMIT {MAX_PEOPLE}"
    ))
    .bind(rules::month_key(month))
    .bind(municipality_id.unwrap_or(MunicipalityId(0)))
    .fetch_all(db.pool())
    .await?;
    let mut v: Vec<PersonLine> = rows
        .iter()
        .map(|r| {
            let version = version_of(r);
            PersonLine {
                person_id: version.person_id,
                name: r.get("person_name"),
                municipality: r.get("municipality"),
                version,
            }
        })
        .collect();
    domain::collation::sort_swedish_by(&mut v, |l| &l.name);
    Ok(v)
}

/// Remind everyone still waiting in the month (one municipality, or all).
/// Each person is reminded at most once per [`REMINDER_PAUSE_SECS`]: the
/// rows are marked in the same statement that picks them, so a double
/// click (or two people at once) sends one reminder. Returns how many.
pub async fn remind(
    db: &Db,
    who: &Who,
    month: NaiveDate,
    municipality_id: Option<MunicipalityId>,
    public_url: &str,
) -> StoreResult<usize> {
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let picked = sqlx::query(
        "UPDATE attestations SET reminded_at = $1 WHERE month = $2 AND status = 'pending' \
         AND (reminded_at IS NULL OR reminded_at < $3) \
         AND ($4 = 0 OR person_id IN (SELECT id FROM people WHERE municipality_id = $4)) \
         RETURNING person_id, centi_hours, session_count",
    )
    .bind(now)
    .bind(rules::month_key(month))
    .bind(now - REMINDER_PAUSE_SECS)
    .bind(municipality_id.unwrap_or(MunicipalityId(0)))
    .fetch_all(&mut *tx)
    .await?;
    for r in &picked {
        let (p, c, n): (i64, i64, i64) = (
            r.get("person_id"),
            r.get("centi_hours"),
            r.get("session_count"),
        );
        let text = rules::reminder_text(month, c, n, public_url);
        super::notify(&mut tx, p, rules::NOTICE_REMINDER, &text).await?;
    }
    audit::record(
        &mut tx,
        who,
        "attestation.remind",
        "attestation_month",
        municipality_id.map(|id| id.get()),
        None,
        &format!("{}: {} påminda", rules::month_key(month), picked.len()),
    )
    .await?;
    tx.commit().await?;
    Ok(picked.len())
}

/// How many are still waiting (for the confirm step).
pub async fn waiting(
    db: &Db,
    month: NaiveDate,
    municipality_id: Option<MunicipalityId>,
) -> StoreResult<(i64, i64)> {
    let r = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS waiting, \
         CAST(COALESCE(SUM(CASE WHEN a.reminded_at IS NOT NULL AND a.reminded_at >= $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS reminded \
         FROM attestations a JOIN people p ON p.id = a.person_id \
         WHERE a.month = $1 AND a.status = 'pending' AND ($2 = 0 OR p.municipality_id = $2)",
    )
    .bind(rules::month_key(month))
    .bind(municipality_id.unwrap_or(MunicipalityId(0)))
    .bind(crate::time::now() - REMINDER_PAUSE_SECS)
    .fetch_one(db.pool())
    .await?;
    Ok((r.get("waiting"), r.get("reminded")))
}

/// The name and municipality on a certificate.
pub async fn person_heading(db: &Db, person_id: PersonId) -> StoreResult<Option<(String, String)>> {
    Ok(sqlx::query(
        "SELECT p.name, m.name AS municipality FROM people p JOIN municipalities m ON m.id = p.municipality_id WHERE p.id = $1",
    )
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?
    .map(|r| (r.get("name"), r.get("municipality"))))
}

/// Whether the status is a confirmation (for templates).
pub fn is_attested(s: &Status) -> bool {
    *s == Status::Attested
}

/// The identity provider a login session was signed in through (`None`
/// for a password sign-in), by the session's hash.
pub async fn session_provider(db: &Db, id_hash: &str) -> StoreResult<Option<String>> {
    let p: Option<Option<String>> =
        sqlx::query_scalar("SELECT provider FROM web_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(db.pool())
            .await?;
    Ok(p.flatten())
}
