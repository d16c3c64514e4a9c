//! The indicator report (DESIGN.md rule 4), aggregated in SQL.
//!
//! Attended bookings are mirrored in `attendance_facts` (one row each, with
//! the person's gender, municipality and role group and pointers to the
//! person's previous attended session). The report reads index ranges of
//! that table, one branch per municipality and per course, so it needs no
//! join and no sort of millions of rows; see docs/performance.md.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::funding::Programme;
use domain::indicators::{self, Aggregates, Counts, IndicatorReport, Period};
use domain::org::Gender;
use sqlx::{AnyConnection, Row};

use crate::db::Db;
use crate::error::StoreResult;

use crate::db::id_list;

/// The person's gender as recorded now (corrections reach every report);
/// municipality and role as they were when attendance was taken.
const FACT_SELECT: &str =
    "SELECT b.id, s.id, b.person_id, s.course_id, s.starts_at, s.hours, p.gender, \
    COALESCE(b.attended_municipality_id, p.municipality_id), r.role_group, \
    LAG(s.starts_at) OVER (PARTITION BY b.person_id ORDER BY s.starts_at, b.id), \
    LAG(s.starts_at) OVER (PARTITION BY b.person_id, s.course_id ORDER BY s.starts_at, b.id), \
    COALESCE(b.funding_source_id, s.funding_source_id), \
    LAG(s.starts_at) OVER (PARTITION BY b.person_id, COALESCE(b.funding_source_id, s.funding_source_id) \
    ORDER BY s.starts_at, b.id), \
    LAG(s.starts_at) OVER (PARTITION BY b.person_id, s.course_id, COALESCE(b.funding_source_id, s.funding_source_id) \
    ORDER BY s.starts_at, b.id) \
    FROM bookings b JOIN sessions s ON s.id = b.session_id JOIN people p ON p.id = b.person_id \
    JOIN roles r ON r.id = COALESCE(b.attended_role_id, p.role_id) WHERE b.status = 'attended'";
const FACT_INSERT: &str = "INSERT INTO attendance_facts (booking_id, session_id, person_id, course_id, starts_at, hours, gender, \
    municipality_id, role_group, prev_at, prev_course_at, funding_source_id, prev_source_at, prev_course_source_at) ";

/// Recompute the report facts of these people from their bookings, inside
/// the caller's transaction. Called whenever attendance changes.
pub async fn refresh_people(conn: &mut AnyConnection, person_ids: &[i64]) -> StoreResult<()> {
    let mut ids = person_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(500) {
        let list = id_list(chunk);
        sqlx::query(&format!(
            "DELETE FROM attendance_facts WHERE person_id IN ({list})"
        ))
        .execute(&mut *conn)
        .await?;
        sqlx::query(&format!(
            "{FACT_INSERT}{FACT_SELECT} AND b.person_id IN ({list})"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Rebuild all report facts from the bookings (after bulk loads).
pub async fn rebuild_facts(db: &Db) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    let n = rebuild_facts_in(&mut tx).await?;
    tx.commit().await?;
    Ok(n)
}

/// [`rebuild_facts`] inside the caller's transaction.
pub(crate) async fn rebuild_facts_in(conn: &mut AnyConnection) -> StoreResult<u64> {
    sqlx::query("DELETE FROM attendance_facts")
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query(&format!("{FACT_INSERT}{FACT_SELECT}"))
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

fn gender_from(code: &str) -> Gender {
    Gender::parse(code).unwrap_or(Gender::EjAngivet)
}

/// Half-open timestamp range [start of from, start of the day after to).
pub(crate) fn bounds(p: Period) -> (i64, i64) {
    (
        crate::time::day_start(p.from),
        crate::time::day_start(p.to.succ_opt().unwrap_or(p.to)),
    )
}

/// Run `branches` as UNION ALL queries of at most 400 branches each.
async fn union_all(db: &Db, branches: Vec<String>) -> StoreResult<Vec<sqlx::any::AnyRow>> {
    let mut rows = Vec::new();
    for chunk in branches.chunks(400) {
        let sql = chunk.join(" UNION ALL ");
        rows.extend(sqlx::query(&sql).fetch_all(db.pool()).await?);
    }
    Ok(rows)
}

const GENDERS: [&str; 4] = ["kvinna", "man", "annat", "ej_angivet"];

/// What the indicator report sums from the attendance rows of a period,
/// by municipality id, gender, role group and course id (and programme
/// hours by municipality id).
#[derive(Debug, Default)]
struct FactSums {
    by_municipality: Vec<(i64, Counts)>,
    by_gender: Vec<(String, Counts)>,
    by_role_group: Vec<(String, Counts)>,
    by_course: Vec<(i64, Counts)>,
    programme_hours: Vec<(i64, f64)>,
}

/// Aggregate everything rule 4 defines for `period` (and the programme's
/// hours since its start, if a programme is given).
pub async fn aggregates(
    db: &Db,
    period: Period,
    programme_start: Option<NaiveDate>,
) -> StoreResult<Aggregates> {
    aggregates_for(db, period, programme_start, None).await
}

/// [`aggregates`] of the participations whose effective funding source is
/// `source` (None: all). A filtered report counts unique participants
/// within the source (`prev_source_at`), and sessions held and cancelled
/// by the session's own source.
pub async fn aggregates_for(
    db: &Db,
    period: Period,
    programme_start: Option<NaiveDate>,
    source: Option<i64>,
) -> StoreResult<Aggregates> {
    let (from, to) = bounds(period);
    let (only, prev, prev_course) = match source {
        Some(id) => (
            format!(" AND funding_source_id = {id}"),
            "prev_source_at",
            "prev_course_source_at",
        ),
        None => (String::new(), "prev_at", "prev_course_at"),
    };
    let munis: Vec<(i64, String)> = sqlx::query("SELECT id, name FROM municipalities")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| (r.get("id"), r.get("name")))
        .collect();
    let groups: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT role_group FROM roles ORDER BY role_group")
            .fetch_all(db.pool())
            .await?;
    let courses: Vec<(i64, String)> = sqlx::query(
        "SELECT k.id, k.title FROM courses k WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.course_id = k.id \
         AND s.starts_at >= $1 AND s.starts_at < $2)",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| (r.get("id"), r.get("title")))
    .collect();

    // One branch per municipality, per gender and per role group; each is a
    // range scan of an index that starts with that column (u = the row that
    // starts a person's participation in the period).
    let u = format!("({prev} IS NULL OR {prev} < {from})");
    let cols = format!(
        "CAST(COUNT(*) AS BIGINT) AS participations, COALESCE(SUM(hours), 0.0) AS total_hours, \
         CAST(COALESCE(SUM(CASE WHEN {u} THEN 1 ELSE 0 END), 0) AS BIGINT) AS unique_people"
    );
    let range = format!("starts_at >= {from} AND starts_at < {to}{only}");
    let muni_branches: Vec<String> = munis
        .iter()
        .map(|(id, _)| format!("SELECT CAST({id} AS BIGINT) AS group_key, {cols} FROM attendance_facts WHERE municipality_id = {id} AND {range}"))
        .collect();
    let quote = |v: &str| format!("'{}'", v.replace('\'', "''"));
    let gender_branches: Vec<String> = GENDERS
        .iter()
        .map(|g| {
            format!(
                "SELECT {q} AS group_key, {cols} FROM attendance_facts WHERE gender = {q} AND {range}",
                q = quote(g)
            )
        })
        .collect();
    let group_branches: Vec<String> = groups
        .iter()
        .map(|g| {
            format!(
                "SELECT {q} AS group_key, {cols} FROM attendance_facts WHERE role_group = {q} AND {range}",
                q = quote(g)
            )
        })
        .collect();
    let course_branches: Vec<String> = courses
        .iter()
        .map(|(id, _)| {
            format!(
                "SELECT CAST({id} AS BIGINT) AS group_key, CAST(COUNT(*) AS BIGINT) AS participations, \
                 COALESCE(SUM(hours), 0.0) AS total_hours, \
                 CAST(COALESCE(SUM(CASE WHEN {prev_course} IS NULL OR {prev_course} < {from} THEN 1 ELSE 0 END), 0) AS BIGINT) \
                 AS unique_people \
                 FROM attendance_facts WHERE course_id = {id} AND {range}"
            )
        })
        .collect();
    // Hours since the programme's start: when it started before the period,
    // only [start, from) needs reading; the period's own hours come from the
    // municipality branches above.
    let prog_start = programme_start.map(crate::time::day_start);
    let (prog_from, prog_to) = match prog_start {
        Some(ps) if ps < from => (ps, from),
        Some(ps) => (ps, to),
        None => (0, 0),
    };
    let add_period_hours = prog_start.is_some_and(|ps| ps < from);
    let prog_branches: Vec<String> = if prog_start.is_some() && prog_from < prog_to {
        munis
            .iter()
            .map(|(id, _)| {
                format!(
                    "SELECT CAST({id} AS BIGINT) AS group_key, COALESCE(SUM(hours), 0.0) AS total_hours FROM attendance_facts \
                     WHERE municipality_id = {id} AND starts_at >= {prog_from} AND starts_at < {prog_to}{only}"
                )
            })
            .collect()
    } else {
        vec![]
    };
    let sessions_sql = format!(
        "SELECT status, cancel_reason, CAST(COUNT(*) AS BIGINT) AS sessions, COALESCE(SUM(hours), 0.0) AS total_hours FROM sessions \
         WHERE status IN ('held', 'cancelled') AND starts_at >= $1 AND starts_at < $2{only} GROUP BY status, cancel_reason"
    );
    // The attendance sums, kept in memory while the months they read are
    // unchanged (see crate::fact_cache); the sessions are read each time.
    let key = (
        "indicators.sums",
        from,
        to,
        prog_from.min(from),
        source.unwrap_or(0),
    );
    let first_month = programme_start.map_or(period.from, |p| p.min(period.from));
    let version = crate::attendance_versions::period_version(db, first_month, period.to).await?;
    let cached = db.fact_cache().get::<FactSums>(&key, version);
    let (sums, session_rows) = tokio::try_join!(
        async {
            if let Some(sums) = cached {
                return Ok(sums);
            }
            let (muni_rows, gender_rows, group_rows, course_rows, prog_rows) = tokio::try_join!(
                union_all(db, muni_branches),
                union_all(db, gender_branches),
                union_all(db, group_branches),
                union_all(db, course_branches),
                union_all(db, prog_branches),
            )?;
            let counts = |r: &sqlx::any::AnyRow| Counts {
                participations: r.get("participations"),
                hours: r.get("total_hours"),
                unique: r.get("unique_people"),
            };
            let sums = std::sync::Arc::new(FactSums {
                by_municipality: muni_rows
                    .iter()
                    .map(|r| (r.get("group_key"), counts(r)))
                    .collect(),
                by_gender: gender_rows
                    .iter()
                    .map(|r| (r.get("group_key"), counts(r)))
                    .collect(),
                by_role_group: group_rows
                    .iter()
                    .map(|r| (r.get("group_key"), counts(r)))
                    .collect(),
                by_course: course_rows
                    .iter()
                    .map(|r| (r.get("group_key"), counts(r)))
                    .collect(),
                programme_hours: prog_rows
                    .iter()
                    .map(|r| (r.get("group_key"), r.get("total_hours")))
                    .collect(),
            });
            db.fact_cache().put(key, version, sums.clone());
            Ok::<_, crate::StoreError>(sums)
        },
        async {
            Ok::<_, crate::StoreError>(
                sqlx::query(&sessions_sql)
                    .bind(from)
                    .bind(to)
                    .fetch_all(db.pool())
                    .await?,
            )
        },
    )?;

    let muni_name: BTreeMap<i64, String> = munis.into_iter().collect();
    let course_name: BTreeMap<i64, String> = courses.into_iter().collect();
    let mut a = Aggregates::default();
    // Rows of a municipality or course removed since the sums were kept
    // are left out, as a branch for them would not have been asked for.
    for (id, c) in &sums.by_municipality {
        let Some(name) = muni_name.get(id) else {
            continue;
        };
        if c.participations == 0 {
            continue;
        }
        a.total.participations += c.participations;
        a.total.hours += c.hours;
        a.total.unique += c.unique;
        a.by_municipality.insert(name.clone(), c.clone());
    }
    for (g, c) in &sums.by_gender {
        if c.participations > 0 {
            a.by_gender.insert(gender_from(g), c.clone());
        }
    }
    for (g, c) in &sums.by_role_group {
        if c.participations > 0 && groups.contains(g) {
            a.by_role_group.insert(g.clone(), c.clone());
        }
    }
    for (id, c) in &sums.by_course {
        if let (true, Some(name)) = (c.participations > 0, course_name.get(id)) {
            a.by_course.insert(name.clone(), c.clone());
        }
    }
    for (id, h) in &sums.programme_hours {
        if let (true, Some(name)) = (*h > 0.0, muni_name.get(id)) {
            a.programme_hours.insert(name.clone(), *h);
        }
    }
    if add_period_hours {
        for (m, c) in &a.by_municipality {
            if c.hours > 0.0 {
                *a.programme_hours.entry(m.clone()).or_default() += c.hours;
            }
        }
    }
    for r in &session_rows {
        let status: String = r.get("status");
        let reason: String = r.get("cancel_reason");
        let n: i64 = r.get("sessions");
        if status == "held" {
            a.sessions_held += n;
            a.delivered_hours += r.get::<f64, _>("total_hours");
        } else {
            *a.cancelled.entry(reason).or_default() += n;
        }
    }
    Ok(a)
}

/// The full indicator report for a period, with the current funding
/// programme's commitments and the participant survey summary.
pub async fn indicator_report(db: &Db, period: Period) -> StoreResult<IndicatorReport> {
    indicator_report_for(db, period, None).await
}

/// [`indicator_report`] of one funding source's participations (None:
/// all). The survey summary is the whole hub's (answers are anonymous and
/// carry no source).
pub async fn indicator_report_for(
    db: &Db,
    period: Period,
    source: Option<i64>,
) -> StoreResult<IndicatorReport> {
    let programme: Option<Programme> = crate::funding::current(db).await?.map(|(_, p)| p);
    let (a, survey) = tokio::try_join!(
        aggregates_for(db, period, programme.as_ref().map(|p| p.starts), source),
        crate::surveys::summary(db, period),
    )?;
    let names: Vec<String> = crate::org::municipalities(db)
        .await?
        .into_iter()
        .map(|m| m.name)
        .collect();
    Ok(indicators::assemble(
        period,
        &a,
        programme.as_ref(),
        &names,
        survey,
    ))
}

/// Participations per month (attended sessions), for the dashboard.
pub async fn participations_by_month(
    db: &Db,
    period: Period,
) -> StoreResult<Vec<(String, i64, i64)>> {
    // Per month: participations, unique participants within that month.
    let mut out = Vec::new();
    let mut m = NaiveDate::from_ymd_opt(
        chrono::Datelike::year(&period.from),
        chrono::Datelike::month(&period.from),
        1,
    )
    .expect("first of month");
    while m <= period.to {
        let next = m
            .checked_add_months(chrono::Months::new(1))
            .expect("next month");
        let p = Period {
            from: m.max(period.from),
            to: (next - chrono::Duration::days(1)).min(period.to),
        };
        let (f, t) = bounds(p);
        let row = sqlx::query(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS participations, \
             CAST(COALESCE(SUM(CASE WHEN prev_at IS NULL OR prev_at < {f} THEN 1 ELSE 0 END), 0) AS BIGINT) AS new_people \
             FROM attendance_facts WHERE starts_at >= $1 AND starts_at < $2"
        ))
        .bind(f)
        .bind(t)
        .fetch_one(db.pool())
        .await?;
        out.push((
            m.format("%Y-%m").to_string(),
            row.get("participations"),
            row.get("new_people"),
        ));
        m = next;
    }
    Ok(out)
}
