//! "Visa underlag": the participations behind a figure of the indicator
//! report, the co-financing or a participant file, read from the same
//! `attendance_facts` rows those figures sum, so the list's sum is the
//! figure. Paged by keyset (session start, booking id) with a bounded
//! page; each row carries who, which session, the hours, the effective
//! funding source and how the month was attested.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row as _;

use crate::db::{id_list, Db};
use crate::error::StoreResult;

/// Rows on one page, and the most a caller may ask for.
pub const PAGE_SIZE: i64 = 100;
pub const MAX_PAGE_SIZE: i64 = 500;

/// Which participations: attended sessions starting in `[from, to]`
/// (Stockholm days, both included), narrowed as the figure was.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The municipality the person worked for when they attended.
    pub municipality_id: Option<i64>,
    pub course_id: Option<i64>,
    /// `kvinna`, `man`, `annat`, `ej_angivet`.
    pub gender: Option<String>,
    pub role_group: Option<String>,
    /// The effective funding source.
    pub source: Option<i64>,
}

/// The sums of the whole list (not of one page).
#[derive(Debug, Clone, Default, PartialEq, Serialize, sqlx::FromRow)]
pub struct Totals {
    pub participations: i64,
    /// Different people among them.
    pub people: i64,
    pub hours: f64,
}

/// How the row's month stands in the monthly attestation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attestation {
    /// Pending or attested (the latest version).
    pub status: domain::attestation::Status,
    /// `password`, `oidc`, `api_token`, `paper` when attested.
    pub method: Option<String>,
    pub attested_at: Option<i64>,
    pub version: i64,
}

/// One participation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub booking_id: i64,
    pub session_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub course: String,
    pub starts_at: i64,
    pub venue: String,
    /// Where the session was held.
    pub place: String,
    /// The municipality the person worked for when they attended.
    pub municipality: String,
    pub hours: f64,
    pub funding_source: Option<String>,
    pub month: String,
    /// None: the month was never asked for (version 0).
    pub attestation: Option<Attestation>,
}

fn quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

/// The WHERE clause of `f` over `attendance_facts f` (ids are numbers;
/// the two texts are quoted).
fn condition(filter: &Filter) -> String {
    let (from, to) = crate::reports::bounds(domain::indicators::Period {
        from: filter.from,
        to: filter.to,
    });
    let mut w = format!("f.starts_at >= {from} AND f.starts_at < {to}");
    if let Some(m) = filter.municipality_id {
        w.push_str(&format!(" AND f.municipality_id = {m}"));
    }
    if let Some(c) = filter.course_id {
        w.push_str(&format!(" AND f.course_id = {c}"));
    }
    if let Some(g) = &filter.gender {
        w.push_str(&format!(" AND f.gender = {}", quote(g)));
    }
    if let Some(g) = &filter.role_group {
        w.push_str(&format!(" AND f.role_group = {}", quote(g)));
    }
    if let Some(s) = filter.source {
        w.push_str(&format!(" AND f.funding_source_id = {s}"));
    }
    w
}

/// Participations, people and hours of the whole list: the figure.
pub async fn totals(db: &Db, filter: &Filter) -> StoreResult<Totals> {
    Ok(sqlx::query_as::<_, Totals>(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS participations, CAST(COUNT(DISTINCT f.person_id) AS BIGINT) AS people, COALESCE(SUM(f.hours), 0.0) AS hours \
         FROM attendance_facts f WHERE {}",
        condition(filter)
    ))
    .fetch_one(db.pool())
    .await?)
}

/// One page of the list, in session start then booking order, after the
/// `after` (start, booking id) of the previous page's last row.
pub async fn page(
    db: &Db,
    filter: &Filter,
    after: Option<(i64, i64)>,
    limit: i64,
) -> StoreResult<Vec<Row>> {
    let limit = limit.clamp(1, MAX_PAGE_SIZE);
    let keyset = match after {
        Some((at, id)) => {
            format!(" AND (f.starts_at > {at} OR (f.starts_at = {at} AND f.booking_id > {id}))")
        }
        None => String::new(),
    };
    let rows = sqlx::query(&format!(
        "SELECT f.booking_id, f.session_id, f.person_id, p.name AS person_name, k.title AS course, f.starts_at, s.venue, \
         sm.name AS place, fm.name AS municipality, f.hours, fs.name AS funding_source FROM attendance_facts f JOIN people p ON p.id = f.person_id \
         JOIN sessions s ON s.id = f.session_id JOIN courses k ON k.id = f.course_id \
         JOIN municipalities sm ON sm.id = s.municipality_id JOIN municipalities fm ON fm.id = f.municipality_id \
         LEFT JOIN funding_sources fs ON fs.id = f.funding_source_id \
         WHERE {}{keyset} ORDER BY f.starts_at, f.booking_id LIMIT {limit}",
        condition(filter)
    ))
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<Row> = rows
        .iter()
        .map(|r| {
            let starts_at: i64 = r.get("starts_at");
            Row {
                booking_id: r.get("booking_id"),
                session_id: r.get("session_id"),
                person_id: r.get("person_id"),
                person_name: r.get("person_name"),
                course: r.get("course"),
                starts_at,
                venue: r.get("venue"),
                place: r.get("place"),
                municipality: r.get("municipality"),
                hours: r.get("hours"),
                funding_source: r.get("funding_source"),
                month: domain::cofinancing::month_of(crate::time::local_date(starts_at))
                    .format("%Y-%m")
                    .to_string(),
                attestation: None,
            }
        })
        .collect();
    attach_attestations(db, &mut out).await?;
    Ok(out)
}

/// The latest version of each row's person and month.
async fn attach_attestations(db: &Db, rows: &mut [Row]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut people: Vec<i64> = rows.iter().map(|r| r.person_id).collect();
    people.sort_unstable();
    people.dedup();
    let mut months: Vec<String> = rows.iter().map(|r| quote(&r.month)).collect();
    months.sort();
    months.dedup();
    let found = sqlx::query(&format!(
        "SELECT person_id, month, status, method, attested_at, version FROM attestations \
         WHERE person_id IN ({}) AND month IN ({}) AND status <> 'superseded' ORDER BY version LIMIT {}",
        id_list(&people),
        months.join(", "),
        MAX_PAGE_SIZE * 4
    ))
    .fetch_all(db.pool())
    .await?;
    let mut latest: BTreeMap<(i64, String), Attestation> = BTreeMap::new();
    for r in &found {
        latest.insert(
            (r.get("person_id"), r.get("month")),
            Attestation {
                status: crate::error::code(r, "status")?,
                method: r.get("method"),
                attested_at: r.get("attested_at"),
                version: r.get("version"),
            },
        );
    }
    for row in rows.iter_mut() {
        row.attestation = latest.get(&(row.person_id, row.month.clone())).cloned();
    }
    Ok(())
}
