//! The funding programme and each municipality's employees (from which the
//! commitments follow, see `domain::funding`).

use domain::funding::Programme;
use sqlx::Row;

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::StoreResult;

/// The current programme, if one has been set.
pub async fn current(db: &Db) -> StoreResult<Option<(i64, Programme)>> {
    let Some(r) = sqlx::query(
        "SELECT id, name, starts_on, ends_on, granted_sek, cofinancing_rate, target_hours FROM funding_programmes \
         WHERE current = 1 ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let id: i64 = r.get("id");
    let employees: Vec<(String, i64)> = sqlx::query(
        "SELECT m.name, f.employees FROM funding_employees f JOIN municipalities m ON m.id = f.municipality_id \
         WHERE f.programme_id = $1",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| (r.get("name"), r.get("employees")))
    .collect();
    let mut employees = employees;
    employees.sort_by(|a, b| domain::collation::swedish_cmp(&a.0, &b.0));
    let date = |s: String| crate::time::parse_date(&s).unwrap_or_default();
    Ok(Some((
        id,
        Programme {
            name: r.get("name"),
            starts: date(r.get("starts_on")),
            ends: date(r.get("ends_on")),
            granted_sek: r.get("granted_sek"),
            cofinancing_rate: r.get("cofinancing_rate"),
            target_hours: r.get("target_hours"),
            employees,
        },
    )))
}

/// Names of all municipalities (what a programme may name).
pub async fn municipality_names(db: &Db) -> StoreResult<Vec<String>> {
    Ok(crate::org::municipalities(db)
        .await?
        .into_iter()
        .map(|m| m.name)
        .collect())
}

/// Make `p` the current programme (the previous one is kept, not current).
pub async fn save(db: &Db, who: &Who, p: &Programme) -> StoreResult<i64> {
    let munis = crate::org::municipalities(db).await?;
    let mut tx = db.begin().await?;
    let now = crate::time::now();
    let previous: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM funding_programmes WHERE current = 1 ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query("UPDATE funding_programmes SET current = 0 WHERE current = 1")
        .execute(&mut *tx)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO funding_programmes (name, starts_on, ends_on, granted_sek, cofinancing_rate, target_hours, current, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id",
    )
    .bind(&p.name)
    .bind(crate::time::date_str(p.starts))
    .bind(crate::time::date_str(p.ends))
    .bind(p.granted_sek)
    .bind(p.cofinancing_rate)
    .bind(p.target_hours)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    follow_programme(&mut tx, previous, id, &p.name, now).await?;
    for (name, n) in &p.employees {
        let Some(m) = munis.iter().find(|m| &m.name == name) else {
            return Err(crate::StoreError::invalid(
                &format!("employees.{name}"),
                "unknown_municipality",
                domain::text::unknown("kommun", name),
            ));
        };
        sqlx::query("INSERT INTO funding_employees (programme_id, municipality_id, employees) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(m.id)
            .bind(n)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        who,
        "funding.save",
        "funding_programme",
        Some(id),
        None,
        &format!("{} {}–{}", p.name, p.starts, p.ends),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The source the current programme has, created when the programme is
/// saved and moved along when it is saved again (each save keeps the old
/// programme row and makes a new current one). Called inside the save's
/// transaction.
pub(crate) async fn follow_programme(
    conn: &mut sqlx::AnyConnection,
    previous: Option<i64>,
    programme_id: i64,
    name: &str,
    now: i64,
) -> StoreResult<()> {
    let moved = match previous {
        Some(prev) => sqlx::query(
            "UPDATE funding_sources SET programme_id = $1, updated_at = $2 WHERE programme_id = $3",
        )
        .bind(programme_id)
        .bind(now)
        .bind(prev)
        .execute(&mut *conn)
        .await?
        .rows_affected(),
        None => 0,
    };
    if moved == 0 {
        let taken: Vec<String> =
            sqlx::query_scalar("SELECT name FROM funding_sources ORDER BY id LIMIT 200")
                .fetch_all(&mut *conn)
                .await?;
        let mut label = name.trim().to_string();
        if taken
            .iter()
            .any(|t| t.to_lowercase() == label.to_lowercase())
        {
            label = format!("{label} (program {programme_id})");
        }
        sqlx::query(
            "INSERT INTO funding_sources (name, kind, exclusive, programme_id, created_at, updated_at) \
             VALUES ($1, 'eu', 1, $2, $3, $3)",
        )
        .bind(label)
        .bind(programme_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
