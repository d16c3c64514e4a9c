//! The version of each month of attended time (`attendance_month_versions`,
//! raised by triggers on every change to `attendance_facts`), which tells
//! `crate::fact_cache` whether a sum kept in memory is still current.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::Row;

use crate::db::Db;
use crate::error::StoreResult;

/// `2026-03` for the month `d` falls in.
fn label(d: NaiveDate) -> String {
    domain::cofinancing::month_label(domain::cofinancing::month_of(d))
}

/// The versions of the months from `from`'s to `to`'s, by label.
pub(crate) async fn month_versions(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<HashMap<String, i64>> {
    Ok(sqlx::query(
        "SELECT month, version FROM attendance_month_versions WHERE month >= $1 AND month <= $2",
    )
    .bind(label(from))
    .bind(label(to))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| (r.get("month"), r.get("version")))
    .collect())
}

/// The version of the period from `from` to `to`: the sum of its months'.
pub(crate) async fn period_version(db: &Db, from: NaiveDate, to: NaiveDate) -> StoreResult<i64> {
    Ok(month_versions(db, from, to).await?.values().sum())
}
