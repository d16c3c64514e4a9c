//! The funder's monthly participant file (`domain::attestation::esf_file`):
//! the participants and their attested months read from the store, the
//! archive of every file produced (bytes, SHA-256, who and when), and the
//! year of birth and optional personal identity number the file's age band
//! and the ESF reporter need.

use domain::ids::PersonId;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::attestation::esf_file::{Latest, MonthFact, Participant};
use domain::attestation::{self as rules, pnr, Method, Status};
use domain::cofinancing::month_of;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

/// Rows read per query when a period's attendance is walked.
const PAGE: i64 = 5000;

/// Where the file's months start: the current funding programme's first
/// month, or (without a programme) the file's month alone.
pub async fn first_month(db: &Db, month: NaiveDate) -> StoreResult<NaiveDate> {
    Ok(match crate::funding::current(db).await? {
        Some((_, p)) if p.starts <= month => month_of(p.starts),
        _ => month,
    })
}

/// Everyone with attended time from `first` to the end of `month`, with
/// each month's latest attestation version.
pub async fn participants(
    db: &Db,
    first: NaiveDate,
    month: NaiveDate,
) -> StoreResult<Vec<Participant>> {
    participants_for(db, first, month, None).await
}

/// [`participants`] with attended time under one funding source (None:
/// all); only those months count.
pub async fn participants_for(
    db: &Db,
    first: NaiveDate,
    month: NaiveDate,
    source: Option<i64>,
) -> StoreResult<Vec<Participant>> {
    let only = source.map_or_else(String::new, |id| format!(" AND funding_source_id = {id}"));
    let (a, _) = crate::attestation::bounds(first);
    let (_, b) = crate::attestation::bounds(month);
    let mut months: BTreeMap<i64, Vec<NaiveDate>> = BTreeMap::new();
    let mut after = (i64::MIN, i64::MIN);
    loop {
        let rows = sqlx::query(&format!(
            "SELECT person_id, booking_id, starts_at FROM attendance_facts WHERE starts_at >= $1 AND starts_at < $2{only} \
             AND (person_id > $3 OR (person_id = $3 AND booking_id > $4)) ORDER BY person_id, booking_id LIMIT {PAGE}"
        ))
        .bind(a)
        .bind(b)
        .bind(after.0)
        .bind(after.1)
        .fetch_all(db.pool())
        .await?;
        for r in &rows {
            let p: i64 = r.get("person_id");
            after = (p, r.get("booking_id"));
            let m = month_of(crate::time::local_date(r.get("starts_at")));
            let v = months.entry(p).or_default();
            if !v.contains(&m) {
                v.push(m);
            }
        }
        if (rows.len() as i64) < PAGE {
            break;
        }
    }
    // The latest version of each person's months in the period.
    let mut latest: BTreeMap<(i64, NaiveDate), Latest> = BTreeMap::new();
    let mut after_id = i64::MIN;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT id, person_id, month, status, method, centi_hours, version FROM attestations \
             WHERE month >= $1 AND month <= $2 AND status <> 'superseded' AND id > $3 ORDER BY id LIMIT {PAGE}"
        ))
        .bind(rules::month_key(first))
        .bind(rules::month_key(month))
        .bind(after_id)
        .fetch_all(db.pool())
        .await?;
        for r in &rows {
            after_id = r.get("id");
            let m = rules::parse_month("month", &r.get::<String, _>("month")).unwrap_or_default();
            latest.insert(
                (r.get("person_id"), m),
                (
                    Status::parse(&r.get::<String, _>("status")),
                    r.get::<Option<String>, _>("method")
                        .and_then(|s| Method::parse(&s)),
                    r.get("centi_hours"),
                    r.get("version"),
                ),
            );
        }
        if (rows.len() as i64) < PAGE {
            break;
        }
    }
    let ids: Vec<i64> = months.keys().copied().collect();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows = sqlx::query(&format!(
            "SELECT p.id, m.name, p.gender, p.birth_year FROM people p JOIN municipalities m ON m.id = p.municipality_id \
             WHERE p.id IN ({list}) ORDER BY p.id LIMIT 500"
        ))
        .fetch_all(db.pool())
        .await?;
        for r in &rows {
            let id: i64 = r.get("id");
            let ms = months.remove(&id).unwrap_or_default();
            out.push(Participant {
                person_id: id,
                municipality: r.get("name"),
                gender: r.get::<String, _>("gender").replace(' ', "_"),
                birth_year: r.get::<Option<i64>, _>("birth_year").map(|y| y as i32),
                months: ms
                    .into_iter()
                    .map(|m| MonthFact {
                        month: m,
                        latest: latest.get(&(id, m)).copied(),
                    })
                    .collect(),
            });
        }
    }
    Ok(out)
}

/// One archived file.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Export {
    pub id: i64,
    pub month: String,
    pub format: String,
    pub format_version: i64,
    pub sha256: String,
    pub row_count: i64,
    pub produced_by_account_id: Option<i64>,
    pub produced_by: String,
    pub produced_at: i64,
    /// The funding source the file was limited to (None: all participations).
    pub funding_source_id: Option<i64>,
}

const EXPORT_COLUMNS: &str =
    "id, month, format, format_version, sha256, row_count, produced_by_account_id, produced_by, produced_at, funding_source_id";

/// SHA-256 of the bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Archive a produced file (CSV kept as text, XLSX as base64), clear the
/// month's flag for a new export, and log it.
pub async fn archive(
    db: &Db,
    who: &Who,
    month: NaiveDate,
    format: &str,
    bytes: &[u8],
    row_count: i64,
) -> StoreResult<Export> {
    archive_for(db, who, month, format, bytes, row_count, None).await
}

/// [`archive`] of a file limited to one funding source.
pub async fn archive_for(
    db: &Db,
    who: &Who,
    month: NaiveDate,
    format: &str,
    bytes: &[u8],
    row_count: i64,
    source: Option<i64>,
) -> StoreResult<Export> {
    use base64::Engine as _;
    let content = match format {
        "csv" => String::from_utf8_lossy(bytes).into_owned(),
        _ => base64::engine::general_purpose::STANDARD.encode(bytes),
    };
    let sha = sha256_hex(bytes);
    let key = rules::month_key(month);
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO esf_exports (month, format, format_version, sha256, content, row_count, produced_by_account_id, produced_by, \
         produced_at, funding_source_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&key)
    .bind(format)
    .bind(i64::from(rules::esf_file::FORMAT_VERSION))
    .bind(&sha)
    .bind(content)
    .bind(row_count)
    .bind(who.account_id)
    .bind(&who.label)
    .bind(now)
    .bind(source)
    .fetch_one(&mut *tx)
    .await?;
    // A file limited to one source leaves the month's flag for the full file.
    sqlx::query("UPDATE attestation_months SET reexport_needed = 0 WHERE month = $1 AND $2 = 0")
        .bind(&key)
        .bind(source.unwrap_or(0))
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "esf.export",
        "esf_export",
        Some(id),
        None,
        &match source {
            Some(id) => format!("{key} {format} källa {id} {row_count} rader sha256 {sha}"),
            None => format!("{key} {format} {row_count} rader sha256 {sha}"),
        },
    )
    .await?;
    tx.commit().await?;
    export(db, id).await
}

pub async fn export(db: &Db, id: i64) -> StoreResult<Export> {
    sqlx::query_as::<_, Export>(&format!(
        "SELECT {EXPORT_COLUMNS} FROM esf_exports WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(StoreError::NotFound("deltagarfil"))
}

/// The archived bytes of a file.
pub async fn content(db: &Db, id: i64) -> StoreResult<(Export, Vec<u8>)> {
    use base64::Engine as _;
    let e = export(db, id).await?;
    let text: String = sqlx::query_scalar("SELECT content FROM esf_exports WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await?;
    let bytes = if e.format == "csv" {
        text.into_bytes()
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap_or_default()
    };
    Ok((e, bytes))
}

/// The latest archived files, newest first.
pub async fn list(db: &Db, limit: i64) -> StoreResult<Vec<Export>> {
    Ok(sqlx::query_as::<_, Export>(&format!(
        "SELECT {EXPORT_COLUMNS} FROM esf_exports ORDER BY produced_at DESC, id DESC LIMIT $1"
    ))
    .bind(limit.clamp(1, 500))
    .fetch_all(db.pool())
    .await?)
}

/// A person's year of birth and personal identity number (checked form).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportingDetails {
    pub birth_year: Option<i32>,
    pub personal_number: Option<String>,
}

impl ReportingDetails {
    /// The number as everyone but the ESF reporter sees it.
    pub fn masked(&self) -> Option<String> {
        self.personal_number.as_deref().map(pnr::mask)
    }
}

pub async fn reporting_details(db: &Db, person_id: PersonId) -> StoreResult<ReportingDetails> {
    let r = sqlx::query("SELECT birth_year, personal_number FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("person"))?;
    Ok(ReportingDetails {
        birth_year: r.get::<Option<i64>, _>("birth_year").map(|y| y as i32),
        personal_number: r.get("personal_number"),
    })
}

/// Check and save the details: the year of birth (1900 to this year) and
/// an optional number (format, date, check digit); a number gives the
/// year when none is typed, and the two must agree. Nothing changes on an
/// error. The audit entry never carries the number.
pub async fn set_reporting_details(
    db: &Db,
    who: &Who,
    person_id: PersonId,
    birth_year: &str,
    personal_number: &str,
    this_year: i32,
) -> StoreResult<ReportingDetails> {
    let mut errors = domain::FieldErrors::new();
    let number = match personal_number.trim() {
        "" => None,
        s => match pnr::check(s) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    let year = match birth_year.trim() {
        "" => number.as_deref().and_then(pnr::birth_year),
        s => match s.parse::<i32>() {
            Ok(y) if (1900..=this_year).contains(&y) => Some(y),
            _ => {
                errors.add(
                    "birth_year",
                    "bad_year",
                    format!("Ange födelseåret med fyra siffror, 1900–{this_year}."),
                );
                None
            }
        },
    };
    if let (Some(y), Some(n)) = (year, number.as_deref()) {
        if pnr::birth_year(n) != Some(y) {
            errors.add(
                "birth_year",
                "year_mismatch",
                "Födelseåret stämmer inte med personnumret.",
            );
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE people SET birth_year = $1, personal_number = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(year.map(i64::from))
    .bind(number.as_deref())
    .bind(crate::time::now())
    .bind(person_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound("person"));
    }
    audit::record(
        &mut tx,
        who,
        "person.reporting_details",
        "person",
        Some(person_id.get()),
        Some(person_id.get()),
        if number.is_some() {
            "födelseår och personnummer"
        } else {
            "födelseår"
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ReportingDetails {
        birth_year: year,
        personal_number: number,
    })
}
