//! The figures on each role's start page: counts straight from SQL
//! (`COUNT(*)`, `LIMIT`ed lists), never a whole table loaded to be counted.

pub mod coordinator;
pub mod manager;
pub mod participant;
pub mod trainer;

use chrono::{Datelike, NaiveDate};
use domain::access::Scope;

use crate::db::Db;
use crate::error::StoreResult;

/// `alias.unit_id IN (…) OR alias.municipality_id IN (…)` for a manager's
/// scope (ids are integers, written into the SQL), or a false condition
/// when the scope is empty.
pub(crate) fn scope_sql(scope: &Scope, alias: &str) -> String {
    let list = |ids: &[i64]| {
        ids.iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = vec![];
    if !scope.unit_ids.is_empty() {
        parts.push(format!("{alias}.unit_id IN ({})", list(&scope.unit_ids)));
    }
    if !scope.municipality_ids.is_empty() {
        parts.push(format!(
            "{alias}.municipality_id IN ({})",
            list(&scope.municipality_ids)
        ));
    }
    if parts.is_empty() {
        "1 = 0".into()
    } else {
        format!("({})", parts.join(" OR "))
    }
}

/// The first day of the month `months` after the month of `d` (0 = this month).
pub fn month_start(d: NaiveDate, months: i32) -> NaiveDate {
    let m0 = d.year() * 12 + d.month0() as i32 + months;
    NaiveDate::from_ymd_opt(m0.div_euclid(12), m0.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

/// The Monday of the week `d` falls in.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64)
}

pub(crate) async fn count(db: &Db, sql: &str, binds: &[i64]) -> StoreResult<i64> {
    let mut q = sqlx::query_scalar::<_, i64>(sql);
    for b in binds {
        q = q.bind(*b);
    }
    Ok(q.fetch_one(db.pool()).await?)
}

/// Courses open for booking (status `aktiv`), counted.
pub async fn active_courses(db: &Db) -> StoreResult<i64> {
    count(
        db,
        "SELECT COUNT(*) FROM courses WHERE status = 'aktiv'",
        &[],
    )
    .await
}

/// People on the register who have not left, counted.
pub async fn active_people(db: &Db) -> StoreResult<i64> {
    count(db, "SELECT COUNT(*) FROM people WHERE active = 1", &[]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_weeks() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 16).unwrap();
        assert_eq!(month_start(d, 0).to_string(), "2026-12-01");
        assert_eq!(month_start(d, 1).to_string(), "2027-01-01");
        assert_eq!(month_start(d, 2).to_string(), "2027-02-01");
        assert_eq!(month_start(d, -1).to_string(), "2026-11-01");
        assert_eq!(week_start(d).to_string(), "2026-12-14");
    }

    #[test]
    fn scope_as_sql() {
        let s = Scope {
            unit_ids: vec![3, 4],
            municipality_ids: vec![9],
        };
        assert_eq!(
            scope_sql(&s, "p"),
            "(p.unit_id IN (3, 4) OR p.municipality_id IN (9))"
        );
        assert_eq!(scope_sql(&Scope::default(), "p"), "1 = 0");
    }
}
