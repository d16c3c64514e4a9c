//! Region → municipalities → units; roles and competence areas.

use domain::access::{Scope, Visibility};
use domain::ids::{MunicipalityId, UnitId};
use domain::org::ActivityArea;
use serde::Serialize;
use sqlx::FromRow;

use crate::db::Db;
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Municipality {
    pub id: i64,
    pub name: String,
    pub official_name: String,
    pub county_part: Option<String>,
    pub employees: Option<i64>,
    pub inhabitants: Option<i64>,
    pub inhabitants_approx: i64,
}

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Unit {
    pub id: i64,
    pub municipality_id: i64,
    pub municipality_name: String,
    pub name: String,
    pub activity_area: String,
    pub synthetic: i64,
    pub staff_count: i64,
}

impl Unit {
    pub fn activity_area_label(&self) -> &'static str {
        ActivityArea::parse(&self.activity_area)
            .map(|a| a.label_sv())
            .unwrap_or("okänt")
    }
}

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Role {
    pub id: i64,
    pub name: String,
    pub name_en: String,
    pub role_group: String,
}

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct CompetenceArea {
    pub id: i64,
    pub code: String,
    pub parent_id: Option<i64>,
    pub name: String,
}

pub async fn municipalities(db: &Db) -> StoreResult<Vec<Municipality>> {
    let mut v: Vec<Municipality> = sqlx::query_as(
        "SELECT id, name, official_name, county_part, employees, inhabitants, inhabitants_approx FROM municipalities",
    )
    .fetch_all(db.pool())
    .await?;
    domain::collation::sort_swedish_by(&mut v, |m| &m.name);
    Ok(v)
}

pub async fn municipality(db: &Db, id: MunicipalityId) -> StoreResult<Municipality> {
    sqlx::query_as(
        "SELECT id, name, official_name, county_part, employees, inhabitants, inhabitants_approx FROM municipalities WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(StoreError::NotFound("kommun"))
}

/// Find a municipality by its short name (`Örebro`), case-insensitively.
pub async fn municipality_by_name(db: &Db, name: &str) -> StoreResult<Option<Municipality>> {
    let name = name.trim().to_lowercase();
    Ok(municipalities(db)
        .await?
        .into_iter()
        .find(|m| m.name.to_lowercase() == name || m.official_name.to_lowercase() == name))
}

pub async fn set_municipality_figures(
    db: &Db,
    id: MunicipalityId,
    employees: Option<i64>,
    inhabitants: Option<i64>,
) -> StoreResult<()> {
    for (field, v) in [("employees", employees), ("inhabitants", inhabitants)] {
        if v.is_some_and(|n| n < 0) {
            return Err(StoreError::invalid(
                field,
                "negative",
                "Värdet får inte vara negativt.",
            ));
        }
    }
    sqlx::query("UPDATE municipalities SET employees = $1, inhabitants = $2, inhabitants_approx = 0 WHERE id = $3")
        .bind(employees)
        .bind(inhabitants)
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

const UNIT_SELECT: &str = "SELECT u.id, u.municipality_id, m.name AS municipality_name, u.name, u.activity_area, u.synthetic, \
    (SELECT COUNT(*) FROM people p WHERE p.unit_id = u.id AND p.active = 1) AS staff_count \
    FROM units u JOIN municipalities m ON m.id = u.municipality_id";

pub async fn units(db: &Db, municipality_id: Option<MunicipalityId>) -> StoreResult<Vec<Unit>> {
    let mut v: Vec<Unit> = match municipality_id {
        Some(m) => {
            sqlx::query_as(&format!("{UNIT_SELECT} WHERE u.municipality_id = $1"))
                .bind(m)
                .fetch_all(db.pool())
                .await?
        }
        None => sqlx::query_as(UNIT_SELECT).fetch_all(db.pool()).await?,
    };
    v.sort_by(|a, b| {
        domain::collation::swedish_cmp(&a.municipality_name, &b.municipality_name)
            .then_with(|| domain::collation::swedish_cmp(&a.name, &b.name))
    });
    Ok(v)
}

/// How many units there are, in the county or the nation.
pub async fn unit_count(db: &Db) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) AS n FROM units")
        .fetch_one(db.pool())
        .await?)
}

/// The units a scope covers, read in the database: a manager's handful,
/// not the nation's thousands (each unit comes with its staff count).
pub async fn units_in(db: &Db, scope: &Scope) -> StoreResult<Vec<Unit>> {
    let mut parts = vec![];
    if !scope.unit_ids.is_empty() {
        parts.push(format!("u.id IN ({})", crate::db::id_list(&scope.unit_ids)));
    }
    if !scope.municipality_ids.is_empty() {
        parts.push(format!(
            "u.municipality_id IN ({})",
            crate::db::id_list(&scope.municipality_ids)
        ));
    }
    if parts.is_empty() {
        return Ok(vec![]);
    }
    let mut v: Vec<Unit> = sqlx::query_as(&format!("{UNIT_SELECT} WHERE {}", parts.join(" OR ")))
        .fetch_all(db.pool())
        .await?;
    v.sort_by(|a, b| {
        domain::collation::swedish_cmp(&a.municipality_name, &b.municipality_name)
            .then_with(|| domain::collation::swedish_cmp(&a.name, &b.name))
    });
    Ok(v)
}

/// The units an actor's lists may show (see `domain::access::Visibility`).
pub async fn visible_units(db: &Db, vis: &Visibility) -> StoreResult<Vec<Unit>> {
    match vis.restriction() {
        None => units(db, None).await,
        Some(scope) => units_in(db, &scope).await,
    }
}

pub async fn unit(db: &Db, id: UnitId) -> StoreResult<Unit> {
    sqlx::query_as(&format!("{UNIT_SELECT} WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("enhet"))
}

/// A unit's name (1–120 characters) and activity area.
fn check_unit(name: &str, activity_area: &str) -> StoreResult<(String, ActivityArea)> {
    let name = domain::text::single_line(name, "Enhetens namn")
        .map_err(|m| StoreError::invalid("name", "invalid_text", m))?;
    if name.is_empty() || name.chars().count() > 120 {
        return Err(StoreError::invalid(
            "name",
            "invalid_name",
            "Enhetens namn måste vara 1–120 tecken.",
        ));
    }
    let area = ActivityArea::parse(activity_area).ok_or_else(|| {
        StoreError::invalid(
            "activity_area",
            "invalid_activity_area",
            "Välj ett verksamhetsområde.",
        )
    })?;
    Ok((name, area))
}

pub async fn create_unit(
    db: &Db,
    municipality_id: MunicipalityId,
    name: &str,
    activity_area: &str,
    synthetic: bool,
) -> StoreResult<i64> {
    let (name, area) = check_unit(name, activity_area)?;
    municipality(db, municipality_id).await.map_err(|_| {
        StoreError::invalid("municipality", "unknown_municipality", "Okänd kommun.")
    })?;
    let r = sqlx::query("INSERT INTO units (municipality_id, name, activity_area, synthetic) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(municipality_id)
        .bind(&name)
        .bind(area.code())
        .bind(synthetic as i64)
        .fetch_one(db.writer())
        .await;
    match r {
        Ok(row) => Ok(sqlx::Row::get(&row, 0)),
        Err(e) if crate::error::is_unique_violation(&e) => Err(StoreError::invalid(
            "name",
            "duplicate",
            format!("Det finns redan en enhet som heter ”{name}” i kommunen."),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn update_unit(db: &Db, id: UnitId, name: &str, activity_area: &str) -> StoreResult<()> {
    let (name, area) = check_unit(name, activity_area)?;
    let r = sqlx::query("UPDATE units SET name = $1, activity_area = $2 WHERE id = $3")
        .bind(&name)
        .bind(area.code())
        .bind(id)
        .execute(db.writer())
        .await;
    match r {
        Ok(_) => Ok(()),
        Err(e) if crate::error::is_unique_violation(&e) => Err(StoreError::invalid(
            "name",
            "duplicate",
            format!("Det finns redan en enhet som heter ”{name}” i kommunen."),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn roles(db: &Db) -> StoreResult<Vec<Role>> {
    let mut v: Vec<Role> = sqlx::query_as("SELECT id, name, name_en, role_group FROM roles")
        .fetch_all(db.pool())
        .await?;
    domain::collation::sort_swedish_by(&mut v, |r| &r.name);
    Ok(v)
}

/// Find a role by name, case-insensitively.
pub async fn role_by_name(db: &Db, name: &str) -> StoreResult<Option<Role>> {
    let name = name.trim().to_lowercase();
    Ok(roles(db)
        .await?
        .into_iter()
        .find(|r| r.name.to_lowercase() == name))
}

pub async fn competence_areas(db: &Db) -> StoreResult<Vec<CompetenceArea>> {
    Ok(
        sqlx::query_as("SELECT id, code, parent_id, name FROM competence_areas ORDER BY code")
            .fetch_all(db.pool())
            .await?,
    )
}
