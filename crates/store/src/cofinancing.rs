//! Co-financing in kronor: the unit-cost table, the rounding rule, and the
//! attended hours per person and month they value (see
//! `domain::cofinancing`). The hours are read from `attendance_facts`, the
//! rows the indicator report counts as participant hours, with the
//! municipality and role group the person had when they attended.

use chrono::NaiveDate;
use domain::cofinancing::unit_costs::{self, UnitCost};
use domain::cofinancing::{self as rules, HoursGroup, PersonMonth, RoundingRule, Valuation};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

/// Rows of the unit-cost table read at most (ten categories over fifty years
/// of yearly rows is 500).
pub const MAX_UNIT_COSTS: i64 = 2000;

/// People read per query when summing a month (keyset by person).
const PEOPLE_PER_PAGE: i64 = 2000;

/// The occupational categories a unit cost may name: the role groups.
pub async fn categories(db: &Db) -> StoreResult<Vec<String>> {
    let mut v: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT role_group FROM roles ORDER BY role_group LIMIT 200")
            .fetch_all(db.pool())
            .await?;
    v.sort_by(|a, b| domain::collation::swedish_cmp(a, b));
    Ok(v)
}

fn from_row(r: &AnyRow) -> UnitCost {
    let date = |s: String| crate::time::parse_date(&s).unwrap_or_default();
    UnitCost {
        id: Some(r.get("id")),
        category: r.get("category"),
        valid_from: date(r.get("valid_from")),
        valid_to: date(r.get("valid_to")),
        hourly_ore: r.get("hourly_ore"),
        source: r.get("source"),
    }
}

const COLUMNS: &str = "id, category, valid_from, valid_to, hourly_ore, source";

/// The whole table, by category and period.
pub async fn unit_costs(db: &Db) -> StoreResult<Vec<UnitCost>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM unit_costs ORDER BY category, valid_from, id LIMIT {MAX_UNIT_COSTS}"
    ))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(from_row).collect())
}

pub async fn unit_cost(db: &Db, id: i64) -> StoreResult<UnitCost> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM unit_costs WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .map(|r| from_row(&r))
        .ok_or(StoreError::NotFound("enhetskostnad"))
}

/// Serialise changes to the table (PostgreSQL holds the settings row's lock
/// until commit; SQLite has one writer anyway), so two overlapping rows
/// saved at the same moment cannot both pass the check.
async fn lock(tx: &mut crate::Tx) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO cofinancing_settings (id, rounding, updated_at) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET rounding = cofinancing_settings.rounding",
    )
    .bind(RoundingRule::default().key())
    .bind(crate::time::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn table_in(tx: &mut crate::Tx) -> StoreResult<Vec<UnitCost>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM unit_costs ORDER BY category, valid_from, id LIMIT {MAX_UNIT_COSTS}"
    ))
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.iter().map(from_row).collect())
}

fn refuse_overlap(rows: &[UnitCost]) -> StoreResult<()> {
    match unit_costs::overlap(rows) {
        Some((a, b)) => Err(StoreError::invalid(
            "valid_from",
            "overlapping_validity",
            unit_costs::overlap_message(a, b),
        )),
        None => Ok(()),
    }
}

async fn insert(tx: &mut crate::Tx, u: &UnitCost, now: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO unit_costs (category, valid_from, valid_to, hourly_ore, source, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&u.category)
    .bind(crate::time::date_str(u.valid_from))
    .bind(crate::time::date_str(u.valid_to))
    .bind(u.hourly_ore)
    .bind(&u.source)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?)
}

fn detail(u: &UnitCost) -> String {
    format!("{} {} öre/h", u.label(), u.hourly_ore)
}

/// Add one row; refused (naming both rows) when it overlaps another of its
/// category.
pub async fn add(db: &Db, who: &Who, u: &UnitCost) -> StoreResult<i64> {
    let mut tx = db.begin().await?;
    lock(&mut tx).await?;
    let mut all = table_in(&mut tx).await?;
    all.push(u.clone());
    refuse_overlap(&all)?;
    let id = insert(&mut tx, u, crate::time::now()).await?;
    audit::record(
        &mut tx,
        who,
        "unit_cost.add",
        "unit_cost",
        Some(id),
        None,
        &detail(u),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Change one row (the same overlap check, against the others).
pub async fn update(db: &Db, who: &Who, id: i64, u: &UnitCost) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    lock(&mut tx).await?;
    let mut all = table_in(&mut tx).await?;
    let Some(old) = all.iter_mut().find(|x| x.id == Some(id)) else {
        return Err(StoreError::NotFound("enhetskostnad"));
    };
    let before = detail(old);
    *old = UnitCost {
        id: Some(id),
        ..u.clone()
    };
    refuse_overlap(&all)?;
    sqlx::query(
        "UPDATE unit_costs SET category = $1, valid_from = $2, valid_to = $3, hourly_ore = $4, source = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(&u.category)
    .bind(crate::time::date_str(u.valid_from))
    .bind(crate::time::date_str(u.valid_to))
    .bind(u.hourly_ore)
    .bind(&u.source)
    .bind(crate::time::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        "unit_cost.update",
        "unit_cost",
        Some(id),
        None,
        &format!("{before} → {}", detail(u)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Remove one row; what it was is kept in the audit log.
pub async fn delete(db: &Db, who: &Who, id: i64) -> StoreResult<UnitCost> {
    let mut tx = db.begin().await?;
    lock(&mut tx).await?;
    let old = table_in(&mut tx)
        .await?
        .into_iter()
        .find(|x| x.id == Some(id))
        .ok_or(StoreError::NotFound("enhetskostnad"))?;
    sqlx::query("DELETE FROM unit_costs WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "unit_cost.delete",
        "unit_cost",
        Some(id),
        None,
        &detail(&old),
    )
    .await?;
    tx.commit().await?;
    Ok(old)
}

/// Replace the whole table with a file's rows (all or nothing).
pub async fn replace_all(db: &Db, who: &Who, rows: &[UnitCost], file: &str) -> StoreResult<usize> {
    refuse_overlap(rows)?;
    if rows.len() as i64 > MAX_UNIT_COSTS {
        return Err(StoreError::invalid(
            "file",
            "too_many_rows",
            format!("Högst {MAX_UNIT_COSTS} enhetskostnader."),
        ));
    }
    let mut tx = db.begin().await?;
    lock(&mut tx).await?;
    sqlx::query("DELETE FROM unit_costs")
        .execute(&mut *tx)
        .await?;
    let now = crate::time::now();
    for u in rows {
        insert(&mut tx, u, now).await?;
    }
    audit::record(
        &mut tx,
        who,
        "unit_cost.load",
        "unit_cost",
        None,
        None,
        &format!(
            "{} rader från {}",
            rows.len(),
            domain::tabular::excerpt(file)
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(rows.len())
}

/// The rounding rule in force.
pub async fn rounding(db: &Db) -> StoreResult<RoundingRule> {
    let key: Option<String> =
        sqlx::query_scalar("SELECT rounding FROM cofinancing_settings WHERE id = 1")
            .fetch_optional(db.pool())
            .await?;
    Ok(key
        .and_then(|k| RoundingRule::from_key(&k))
        .unwrap_or_default())
}

pub async fn set_rounding(db: &Db, who: &Who, rule: RoundingRule) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let before = {
        let k: Option<String> =
            sqlx::query_scalar("SELECT rounding FROM cofinancing_settings WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?;
        k.and_then(|k| RoundingRule::from_key(&k))
            .unwrap_or_default()
    };
    sqlx::query(
        "INSERT INTO cofinancing_settings (id, rounding, updated_at) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET rounding = excluded.rounding, updated_at = excluded.updated_at",
    )
    .bind(rule.key())
    .bind(crate::time::now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        "cofinancing.rounding",
        "cofinancing_settings",
        Some(1),
        None,
        &format!("{} → {}", before.key(), rule.key()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Attended hours per person and month from `from` to `to` (both days
/// included; sessions counted by their start in Stockholm time, a month cut
/// at `from` and `to` when they fall inside it), per the municipality and
/// role group the person had when they attended.
pub async fn person_months(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<PersonMonth>> {
    let mut out = Vec::new();
    let mut m = rules::month_of(from);
    while m <= to {
        let next = rules::month_end(m).succ_opt().unwrap_or(m);
        let end = to.succ_opt().unwrap_or(to);
        let (t1, t2) = (
            crate::time::day_start(m.max(from)),
            crate::time::day_start(next.min(end)),
        );
        let mut after = i64::MIN;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT person_id, municipality_id, role_group, COALESCE(SUM(hours), 0.0) AS total_hours, \
                 CAST(COUNT(*) AS BIGINT) AS sessions \
                 FROM attendance_facts WHERE starts_at >= $1 AND starts_at < $2 AND person_id > $3 \
                 GROUP BY person_id, municipality_id, role_group ORDER BY person_id, municipality_id, role_group \
                 LIMIT {PEOPLE_PER_PAGE}"
            ))
            .bind(t1)
            .bind(t2)
            .bind(after)
            .fetch_all(db.pool())
            .await?;
            let full = rows.len() as i64 == PEOPLE_PER_PAGE;
            // A full page may end inside a person's rows: leave that person
            // for the next page, which starts after the one before them.
            let last = rows.last().map(|r| r.get::<i64, _>("person_id"));
            let keep = rows
                .iter()
                .filter(|r| !full || Some(r.get::<i64, _>("person_id")) != last);
            let before = out.len();
            for r in keep {
                out.push(PersonMonth {
                    person_id: r.get("person_id"),
                    month: m,
                    municipality_id: r.get("municipality_id"),
                    category: r.get("role_group"),
                    centi_hours: rules::centi(r.get::<f64, _>("total_hours")),
                    sessions: r.get("sessions"),
                });
            }
            if !full {
                break;
            }
            match out[before..].last() {
                Some(p) => after = p.person_id,
                None => {
                    return Err(StoreError::conflict(
                        None,
                        "En person har för många rader i en månad för att summeras.",
                    ))
                }
            }
        }
        m = next;
    }
    Ok(out)
}

/// Attended hours per month from `from` to `to` (cut as in
/// [`person_months`]) as groups of people with equal hours in a month,
/// municipality and category: the same valuation as the person-months,
/// summed in the database (a national programme has millions of
/// person-months and a few thousand groups).
pub async fn hours_groups(db: &Db, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<HoursGroup>> {
    hours_groups_for(db, from, to, None).await
}

/// [`hours_groups`] of one funding source's participations (None: all).
pub async fn hours_groups_for(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    source: Option<i64>,
) -> StoreResult<Vec<HoursGroup>> {
    let only = source.map_or_else(String::new, |id| format!(" AND funding_source_id = {id}"));
    let mut out = Vec::new();
    // Read before the sums: see crate::fact_cache.
    let versions = crate::attendance_versions::month_versions(db, from, to).await?;
    let mut m = rules::month_of(from);
    while m <= to {
        let next = rules::month_end(m).succ_opt().unwrap_or(m);
        let end = to.succ_opt().unwrap_or(to);
        let key = (
            "cofinancing.month",
            crate::time::day_start(m.max(from)),
            crate::time::day_start(next.min(end)),
            0,
            source.unwrap_or(0),
        );
        let version = versions.get(&rules::month_label(m)).copied().unwrap_or(0);
        if let Some(groups) = db.fact_cache().get::<Vec<HoursGroup>>(&key, version) {
            out.extend(groups.iter().cloned());
            m = next;
            continue;
        }
        let rows = sqlx::query(&format!(
            "SELECT municipality_id, role_group, h, CAST(COUNT(*) AS BIGINT) AS people, CAST(SUM(n) AS BIGINT) AS sessions FROM \
             (SELECT person_id, municipality_id, role_group, COALESCE(SUM(hours), 0.0) AS h, COUNT(*) AS n \
              FROM attendance_facts WHERE starts_at >= $1 AND starts_at < $2{only} \
              GROUP BY person_id, municipality_id, role_group) per_person \
             GROUP BY municipality_id, role_group, h"
        ))
        .bind(key.1)
        .bind(key.2)
        .fetch_all(db.pool())
        .await?;
        // Sums of the same hours in another order may differ in the last
        // bit: groups are merged again on the hundredths.
        let mut groups: BTreeMap<(i64, String, i64), HoursGroup> = BTreeMap::new();
        for r in rows {
            let centi_hours = rules::centi(r.get::<f64, _>("h"));
            let g = groups
                .entry((r.get("municipality_id"), r.get("role_group"), centi_hours))
                .or_insert_with(|| HoursGroup {
                    month: m,
                    municipality_id: r.get("municipality_id"),
                    category: r.get("role_group"),
                    centi_hours,
                    people: 0,
                    sessions: 0,
                });
            g.people += r.get::<i64, _>("people");
            g.sessions += r.get::<i64, _>("sessions");
        }
        let groups: Vec<HoursGroup> = groups.into_values().collect();
        out.extend(groups.iter().cloned());
        db.fact_cache()
            .put(key, version, std::sync::Arc::new(groups));
        m = next;
    }
    Ok(out)
}

/// Co-financing per municipality and month, valued with the table and
/// rule in force.
pub async fn valuation(db: &Db, from: NaiveDate, to: NaiveDate) -> StoreResult<Valuation> {
    valuation_for(db, from, to, None).await
}

/// [`valuation`] of one funding source's participations (None: all).
pub async fn valuation_for(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    source: Option<i64>,
) -> StoreResult<Valuation> {
    let groups = hours_groups_for(db, from, to, source).await?;
    let costs = unit_costs(db).await?;
    let rule = rounding(db).await?;
    Ok(rules::value_groups(&groups, &costs, rule))
}
