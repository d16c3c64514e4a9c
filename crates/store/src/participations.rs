//! Participations leaving this instance: every attended and absent booking
//! on sessions held in a period, as the CSV that `navet import
//! participations` reads (CONTRACTS.md), so the history can move to another
//! Navet. The file is checked with the importer's own rules before it is
//! handed out, so a file that another instance would refuse is never written.

use std::collections::{HashMap, HashSet};

use domain::indicators::Period;
use domain::org::Gender;
use domain::participation_import::{self, Row as FileRow};
use sqlx::Row;

use crate::db::Db;
use crate::error::StoreResult;

/// The opaque, stable reference a person gets in exported files: the prefix
/// and the person's id here. Not the name or e-mail, and the same in every
/// export from this database, so a later file maps to the same person on the
/// receiving side. Give each source instance its own prefix when several
/// send files to one receiver (their ids overlap).
pub fn person_ref(prefix: &str, person_id: i64) -> String {
    format!("{prefix}{person_id}")
}

#[derive(Debug, Clone, Default)]
pub struct Export {
    /// The file (comma-separated UTF-8 with the header row).
    pub csv: Vec<u8>,
    pub rows: usize,
    pub attended: usize,
    pub absent: usize,
    pub people: usize,
    /// Held sessions with at least one attended or absent booking.
    pub sessions: usize,
    /// Sessions the importer will create: fewer than `sessions` when two
    /// sessions of one course share a date (the format's "same course and
    /// date = one session").
    pub sessions_after_import: usize,
    /// Attended bookings in the period on sessions not closed (held) yet:
    /// the report counts them, the export leaves them out.
    pub attended_not_closed: i64,
    /// Why the importer would refuse the file (empty when it is fine).
    pub problems: Vec<String>,
}

/// Everything attended or absent on sessions held in `period` (session
/// start in Europe/Stockholm, both ends included, like the report).
pub async fn export(db: &Db, period: Period, ref_prefix: &str) -> StoreResult<Export> {
    let (from, to) = crate::reports::bounds(period);
    let rows = sqlx::query(
        "SELECT s.id, s.starts_at, s.hours, k.title, b.person_id, p.gender, r.name AS role, m.name AS municipality, b.status \
         FROM bookings b JOIN sessions s ON s.id = b.session_id JOIN courses k ON k.id = s.course_id \
         JOIN people p ON p.id = b.person_id JOIN roles r ON r.id = COALESCE(b.attended_role_id, p.role_id) \
         JOIN municipalities m ON m.id = COALESCE(b.attended_municipality_id, p.municipality_id) \
         WHERE s.status = 'held' AND b.status IN ('attended', 'absent') \
         AND s.starts_at >= $1 AND s.starts_at < $2 \
         ORDER BY s.starts_at, s.id, b.person_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    let mut out = Export::default();
    let mut file_rows = Vec::with_capacity(rows.len());
    let mut session_of_row = Vec::with_capacity(rows.len());
    let mut people = HashSet::new();
    let mut sessions = HashSet::new();
    for r in &rows {
        let session_id: i64 = r.get("id");
        let person_id: i64 = r.get("person_id");
        let attended = r.get::<String, _>("status") == "attended";
        people.insert(person_id);
        sessions.insert(session_id);
        if attended {
            out.attended += 1;
        } else {
            out.absent += 1;
        }
        file_rows.push(FileRow {
            person_ref: person_ref(ref_prefix, person_id),
            gender: Gender::parse(&r.get::<String, _>("gender")).unwrap_or(Gender::EjAngivet),
            role: r.get("role"),
            municipality: r.get("municipality"),
            course: r.get("title"),
            // A multi-part session is one session on its first part's date,
            // with the whole session's hours, as the report counts it.
            date: crate::time::local_date(r.get("starts_at")),
            hours: r.get("hours"),
            attended,
        });
        session_of_row.push(session_id);
    }
    out.rows = file_rows.len();
    out.people = people.len();
    out.sessions = sessions.len();
    out.csv = participation_import::write(&file_rows);
    out.attended_not_closed = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings b JOIN sessions s ON s.id = b.session_id \
         WHERE b.status = 'attended' AND s.status <> 'held' AND s.starts_at >= $1 AND s.starts_at < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(db.pool())
    .await?;
    if file_rows.is_empty() {
        return Ok(out);
    }

    // The importer's own check, against this database's names (every title
    // exists here; the receiver may need --create-courses).
    let today = crate::time::local_date(crate::time::now());
    let lookups = crate::history_import::lookups(db, true, today).await?;
    match participation_import::parse(&out.csv, &lookups, &domain::tabular::Stop::never()) {
        Ok(plan) => out.sessions_after_import = plan.sessions.len(),
        Err(errors) => {
            // Data rows start on line 2 (no cell holds a line break in practice;
            // when one does, the raw line number is still given).
            let titles: HashMap<i64, (&str, chrono::NaiveDate)> = file_rows
                .iter()
                .zip(&session_of_row)
                .map(|(r, s)| (*s, (r.course.as_str(), r.date)))
                .collect();
            out.problems = errors
                .iter()
                .map(
                    |e| match e.line.checked_sub(2).and_then(|i| session_of_row.get(i)) {
                        Some(s) => {
                            let (title, date) = titles[s];
                            format!("kurstillfälle {s} (”{title}”, {date}): {}", e.message)
                        }
                        None => e.to_string(),
                    },
                )
                .collect();
        }
    }
    Ok(out)
}
