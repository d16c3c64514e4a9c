//! Monthly attestation of attended time (`domain::attestation`): the
//! requests sent after a month, the person's confirmation (or the hub's
//! registration of a certificate signed on paper), the versions a
//! correction of attendance makes, the overview per municipality and the
//! reminders. Hours come from `attendance_facts`, the rows the indicator
//! report and the co-financing count.

use chrono::NaiveDate;
use domain::attestation::{self as rules, Method, Status};
use domain::cofinancing::{centi, month_end, month_of};
use domain::ids::PersonId;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

/// Attended sessions read for one person and month at most.
const MAX_SESSIONS: i64 = 500;
/// Rows read per page when a month's people are walked.
const PAGE: i64 = 5000;
/// A second reminder within this many seconds is not sent (a double
/// click, or a colleague pressing the same button).
pub const REMINDER_PAUSE_SECS: i64 = 12 * 3600;

/// One version of a person's month.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub id: i64,
    pub person_id: i64,
    pub month: NaiveDate,
    pub version: i64,
    pub previous_id: Option<i64>,
    pub status: Status,
    pub centi_hours: i64,
    pub session_count: i64,
    pub session_ids: Vec<i64>,
    pub attested_at: Option<i64>,
    pub method: Option<Method>,
    pub provider: Option<String>,
    pub attested_by_account_id: Option<i64>,
    pub reason: String,
    pub reminded_at: Option<i64>,
    pub created_at: i64,
}

impl Version {
    pub fn hours(&self) -> String {
        rules::hours_sv(self.centi_hours)
    }
    pub fn is_attested(&self) -> bool {
        self.status == Status::Attested
    }
    pub fn method_label(&self) -> &'static str {
        self.method.map(Method::label_sv).unwrap_or("")
    }
}

const COLUMNS: &str = "id, person_id, month, version, previous_id, status, centi_hours, session_count, \
    session_ids, attested_at, method, provider, attested_by_account_id, reason, reminded_at, created_at";

fn version_of(r: &AnyRow) -> Version {
    let month: String = r.get("month");
    let ids: String = r.get("session_ids");
    Version {
        id: r.get("id"),
        person_id: r.get("person_id"),
        month: rules::parse_month("month", &month).unwrap_or_default(),
        version: r.get("version"),
        previous_id: r.get("previous_id"),
        status: Status::parse(&r.get::<String, _>("status")),
        centi_hours: r.get("centi_hours"),
        session_count: r.get("session_count"),
        session_ids: ids.split(',').filter_map(|s| s.parse().ok()).collect(),
        attested_at: r.get("attested_at"),
        method: r
            .get::<Option<String>, _>("method")
            .and_then(|m| Method::parse(&m)),
        provider: r.get("provider"),
        attested_by_account_id: r.get("attested_by_account_id"),
        reason: r.get("reason"),
        reminded_at: r.get("reminded_at"),
        created_at: r.get("created_at"),
    }
}

/// A person's attended time in a month: hundredths of hours and sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Time {
    pub centi_hours: i64,
    pub session_ids: Vec<i64>,
}

impl Time {
    fn ids(&self) -> String {
        self.session_ids
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
    pub fn sessions(&self) -> i64 {
        self.session_ids.len() as i64
    }
}

/// [start, end) of the month in Unix seconds (Stockholm days).
pub fn bounds(month: NaiveDate) -> (i64, i64) {
    let next = month_end(month).succ_opt().unwrap_or(month);
    (crate::time::day_start(month), crate::time::day_start(next))
}

/// The person's attended time in the month, as recorded now.
pub async fn time_of(
    conn: &mut AnyConnection,
    person_id: PersonId,
    month: NaiveDate,
) -> StoreResult<Time> {
    let (a, b) = bounds(month);
    let rows = sqlx::query(&format!(
        "SELECT session_id, hours FROM attendance_facts WHERE person_id = $1 AND starts_at >= $2 AND starts_at < $3 \
         ORDER BY session_id LIMIT {MAX_SESSIONS}"
    ))
    .bind(person_id)
    .bind(a)
    .bind(b)
    .fetch_all(&mut *conn)
    .await?;
    let mut t = Time::default();
    for r in &rows {
        t.centi_hours += centi(r.get::<f64, _>("hours"));
        t.session_ids.push(r.get("session_id"));
    }
    t.session_ids.dedup();
    Ok(t)
}

/// The latest version of the person's month, if any.
async fn latest(
    conn: &mut AnyConnection,
    db: &Db,
    person_id: i64,
    month: NaiveDate,
) -> StoreResult<Option<Version>> {
    Ok(sqlx::query(&format!(
        "SELECT {COLUMNS} FROM attestations WHERE person_id = $1 AND month = $2 \
         ORDER BY version DESC LIMIT 1{}",
        db.for_update()
    ))
    .bind(person_id)
    .bind(rules::month_key(month))
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| version_of(&r)))
}

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    conn: &mut AnyConnection,
    person_id: i64,
    month: NaiveDate,
    version: i64,
    previous_id: Option<i64>,
    t: &Time,
    reason: &str,
    now: i64,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO attestations (person_id, month, version, previous_id, status, centi_hours, session_count, \
         session_ids, reason, created_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(person_id)
    .bind(rules::month_key(month))
    .bind(version)
    .bind(previous_id)
    .bind(t.centi_hours)
    .bind(t.sessions())
    .bind(t.ids())
    .bind(reason)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

async fn email_of(conn: &mut AnyConnection, person_id: i64) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT email FROM people WHERE id = $1 AND active = 1 AND erased_at IS NULL",
    )
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?)
}

async fn notify(
    conn: &mut AnyConnection,
    person_id: i64,
    kind: &str,
    text: &rules::Text,
) -> StoreResult<()> {
    if let Some(email) = email_of(conn, person_id).await? {
        crate::outbox::enqueue_text(
            conn,
            kind,
            &email,
            Some(PersonId(person_id)),
            &text.subject,
            &text.body,
        )
        .await?;
    }
    Ok(())
}

/// Whether the month's requests have gone out.
async fn opened(conn: &mut AnyConnection, month: NaiveDate) -> StoreResult<bool> {
    let at: Option<Option<i64>> =
        sqlx::query_scalar("SELECT opened_at FROM attestation_months WHERE month = $1")
            .bind(rules::month_key(month))
            .fetch_optional(&mut *conn)
            .await?;
    Ok(at.flatten().is_some())
}

/// Ask everyone with attended time in a finished month to confirm it: one
/// pending version and one notice each, in one transaction with the
/// month's mark, so running it again (the daily job, a second click)
/// sends nothing twice. Returns how many were asked.
pub async fn open_month(
    db: &Db,
    who: &Who,
    month: NaiveDate,
    today: NaiveDate,
    public_url: &str,
) -> StoreResult<usize> {
    if !rules::has_ended(month, today) {
        return Err(StoreError::invalid(
            "month",
            "month_not_ended",
            format!(
                "Bekräftelser för {} kan skickas först när månaden är slut.",
                rules::month_label_sv(month)
            ),
        ));
    }
    let key = rules::month_key(month);
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    // Take the month's row first: a second run waits here, then finds it
    // opened and does nothing.
    sqlx::query(
        "INSERT INTO attestation_months (month, opened_at) VALUES ($1, NULL) ON CONFLICT (month) DO NOTHING",
    )
    .bind(&key)
    .execute(&mut *tx)
    .await?;
    let was: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT opened_at FROM attestation_months WHERE month = $1{}",
        db.for_update()
    ))
    .bind(&key)
    .fetch_one(&mut *tx)
    .await?;
    if was.is_some() {
        return Ok(0);
    }
    let (a, b) = bounds(month);
    let mut asked = 0;
    let (mut after_p, mut after_s) = (i64::MIN, i64::MIN);
    let mut current: Option<(i64, Time)> = None;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT person_id, session_id, hours FROM attendance_facts WHERE starts_at >= $1 AND starts_at < $2 \
             AND (person_id > $3 OR (person_id = $3 AND session_id > $4)) ORDER BY person_id, session_id LIMIT {PAGE}"
        ))
        .bind(a)
        .bind(b)
        .bind(after_p)
        .bind(after_s)
        .fetch_all(&mut *tx)
        .await?;
        let done = (rows.len() as i64) < PAGE;
        for r in &rows {
            let (p, s, h): (i64, i64, f64) =
                (r.get("person_id"), r.get("session_id"), r.get("hours"));
            (after_p, after_s) = (p, s);
            match &mut current {
                Some((cp, t)) if *cp == p => {
                    t.centi_hours += centi(h);
                    t.session_ids.push(s);
                }
                _ => {
                    if let Some((cp, t)) = current.take() {
                        asked += ask(&mut tx, db, cp, month, &t, public_url, now).await?;
                    }
                    current = Some((
                        p,
                        Time {
                            centi_hours: centi(h),
                            session_ids: vec![s],
                        },
                    ));
                }
            }
        }
        if done {
            break;
        }
    }
    if let Some((cp, t)) = current.take() {
        asked += ask(&mut tx, db, cp, month, &t, public_url, now).await?;
    }
    sqlx::query("UPDATE attestation_months SET opened_at = $1 WHERE month = $2")
        .bind(now)
        .bind(&key)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "attestation.open",
        "attestation_month",
        None,
        None,
        &format!("{key}: {asked} ombedda att bekräfta"),
    )
    .await?;
    tx.commit().await?;
    Ok(asked)
}

/// A pending first version and the request, unless the person's month
/// has a version already.
async fn ask(
    conn: &mut AnyConnection,
    db: &Db,
    person_id: i64,
    month: NaiveDate,
    t: &Time,
    public_url: &str,
    now: i64,
) -> StoreResult<usize> {
    if t.centi_hours <= 0 || latest(conn, db, person_id, month).await?.is_some() {
        return Ok(0);
    }
    insert_version(conn, person_id, month, 1, None, t, "", now).await?;
    let text = rules::request_text(month, t.centi_hours, t.sessions(), public_url);
    notify(conn, person_id, rules::NOTICE_REQUEST, &text).await?;
    Ok(1)
}

/// How a confirmation was made.
#[derive(Debug, Clone)]
pub struct HowSigned {
    pub method: Method,
    /// The identity provider, for `Method::Oidc`.
    pub provider: Option<String>,
}

/// Confirm the person's month as it is recorded now: digitally by the
/// person, or (`Method::Paper`) a signed certificate registered by the
/// hub. Refused for a month not yet ended or without attended time
/// (naming the month field), and for a month already confirmed.
pub async fn attest(
    db: &Db,
    who: &Who,
    person_id: PersonId,
    month: NaiveDate,
    today: NaiveDate,
    how: &HowSigned,
) -> StoreResult<Version> {
    let mut tx = db.begin().await?;
    let now = crate::time::now();
    let prior = latest(&mut tx, db, person_id.get(), month).await?;
    let t = time_of(&mut tx, person_id, month).await?;
    rules::may_attest(month, today, t.centi_hours)
        .map_err(|e| StoreError::Invalid(domain::FieldErrors(vec![e])))?;
    let prior = match prior {
        Some(v) => v,
        None => {
            // No version yet (the month's requests have not gone out): a
            // first one, which a simultaneous second click waits for.
            sqlx::query(
                "INSERT INTO attestations (person_id, month, version, status, centi_hours, session_count, session_ids, created_at) \
                 VALUES ($1, $2, 1, 'pending', $3, $4, $5, $6) ON CONFLICT (person_id, month, version) DO NOTHING",
            )
            .bind(person_id)
            .bind(rules::month_key(month))
            .bind(t.centi_hours)
            .bind(t.sessions())
            .bind(t.ids())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            latest(&mut tx, db, person_id.get(), month)
                .await?
                .ok_or(StoreError::NotFound("närvarotid"))?
        }
    };
    if prior.status == Status::Attested {
        return Err(StoreError::conflict(
            Some("month"),
            format!(
                "Närvarotiden för {} är redan bekräftad (version {}).",
                rules::month_label_sv(month),
                prior.version
            ),
        ));
    }
    let id = prior.id;
    sqlx::query(
        "UPDATE attestations SET status = 'attested', centi_hours = $1, session_count = $2, session_ids = $3, \
         attested_at = $4, method = $5, provider = $6, attested_by_account_id = $7 WHERE id = $8",
    )
    .bind(t.centi_hours)
    .bind(t.sessions())
    .bind(t.ids())
    .bind(now)
    .bind(how.method.code())
    .bind(how.provider.as_deref())
    .bind(who.account_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        if how.method == Method::Paper {
            "attestation.paper"
        } else {
            "attestation.attest"
        },
        "attestation",
        Some(id),
        Some(person_id.get()),
        &format!(
            "{} {} h, kurstillfällen {} ({})",
            rules::month_key(month),
            rules::hours_sv(t.centi_hours),
            t.ids(),
            how.method.code()
        ),
    )
    .await?;
    let v = sqlx::query(&format!("SELECT {COLUMNS} FROM attestations WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(version_of(&v))
}

/// Attendance of `person_id` on a session starting at `starts_at` has
/// changed (inside the caller's transaction). An attested month is frozen:
/// when its time differs now, the attested version is superseded by a new
/// pending one pointing to it, the person is told, and the month and
/// every later month already exported are flagged for a new export. A
/// pending version follows the attendance; in an opened month a person
/// with new time is asked to confirm it.
pub async fn attendance_changed(
    conn: &mut AnyConnection,
    db: &Db,
    person_id: PersonId,
    starts_at: i64,
) -> StoreResult<()> {
    let month = month_of(crate::time::local_date(starts_at));
    let now = crate::time::now();
    let t = time_of(conn, person_id, month).await?;
    match latest(conn, db, person_id.get(), month).await? {
        Some(v) if v.status == Status::Attested => {
            if v.centi_hours == t.centi_hours && v.session_ids == t.session_ids {
                return Ok(());
            }
            sqlx::query("UPDATE attestations SET status = 'superseded' WHERE id = $1")
                .bind(v.id)
                .execute(&mut *conn)
                .await?;
            let id = insert_version(
                conn,
                person_id.get(),
                month,
                v.version + 1,
                Some(v.id),
                &t,
                "correction",
                now,
            )
            .await?;
            let text = rules::corrected_text(
                month,
                (v.centi_hours, v.session_count),
                (t.centi_hours, t.sessions()),
                "",
            );
            notify(conn, person_id.get(), rules::NOTICE_CORRECTED, &text).await?;
            flag_exports_from(conn, month, now).await?;
            audit::record(
                conn,
                &Who::system("närvarorättelse"),
                "attestation.superseded",
                "attestation",
                Some(id),
                Some(person_id.get()),
                &format!(
                    "{} version {} ersätter {} ({} h → {} h)",
                    rules::month_key(month),
                    v.version + 1,
                    v.version,
                    rules::hours_sv(v.centi_hours),
                    rules::hours_sv(t.centi_hours)
                ),
            )
            .await?;
        }
        Some(v) => {
            sqlx::query(
                "UPDATE attestations SET centi_hours = $1, session_count = $2, session_ids = $3 WHERE id = $4",
            )
            .bind(t.centi_hours)
            .bind(t.sessions())
            .bind(t.ids())
            .bind(v.id)
            .execute(&mut *conn)
            .await?;
        }
        None => {
            if opened(conn, month).await? {
                ask(conn, db, person_id.get(), month, &t, "", now).await?;
            }
        }
    }
    Ok(())
}

/// Flag `month` (when exported) and every later exported month for a
/// new export: each later file repeats the earlier months' rows.
pub(crate) async fn flag_exports_from(
    conn: &mut AnyConnection,
    month: NaiveDate,
    now: i64,
) -> StoreResult<()> {
    let months: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT month FROM esf_exports WHERE month >= $1 ORDER BY month LIMIT 600",
    )
    .bind(rules::month_key(month))
    .fetch_all(&mut *conn)
    .await?;
    for m in months {
        sqlx::query(
            "INSERT INTO attestation_months (month, reexport_needed, flagged_at) VALUES ($1, 1, $2) \
             ON CONFLICT (month) DO UPDATE SET reexport_needed = 1, flagged_at = excluded.flagged_at",
        )
        .bind(&m)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Every version of the person's month, newest first.
pub async fn versions(db: &Db, person_id: PersonId, month: NaiveDate) -> StoreResult<Vec<Version>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM attestations WHERE person_id = $1 AND month = $2 ORDER BY version DESC LIMIT 100"
    ))
    .bind(person_id)
    .bind(rules::month_key(month))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(version_of).collect())
}

mod views;
pub use views::*;
