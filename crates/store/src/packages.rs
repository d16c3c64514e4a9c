//! Packages: courses the hub bundles for a target group. Coordinators
//! maintain them; managers see the published packages that fit their units,
//! with how far their staff have come.

use std::collections::{HashMap, HashSet};

use domain::access::Scope;
use domain::catalogue::CourseStatus;
use domain::org::ActivityArea;
use domain::packages::{check_package, uptake, PackageDraft, PackageUptake, Target};
use serde::Serialize;
use sqlx::{FromRow, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{code, is_unique_violation, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct PackageRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub published: i64,
    pub synthetic: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackageCourse {
    pub course_id: i64,
    pub title: String,
    pub status: CourseStatus,
    pub hours: f64,
}

impl PackageCourse {
    pub fn status_label(&self) -> &'static str {
        self.status.label_sv()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Package {
    pub package: PackageRow,
    pub role_ids: Vec<i64>,
    pub roles: Vec<String>,
    pub activity_areas: Vec<String>,
    pub courses: Vec<PackageCourse>,
}

impl Package {
    pub fn target(&self) -> Target {
        Target {
            role_ids: self.role_ids.clone(),
            activity_areas: self
                .activity_areas
                .iter()
                .filter_map(|a| ActivityArea::parse(a))
                .collect(),
        }
    }
    pub fn activity_area_labels(&self) -> String {
        if self.activity_areas.is_empty() {
            "alla verksamhetsområden".into()
        } else {
            self.activity_areas
                .iter()
                .filter_map(|a| ActivityArea::parse(a))
                .map(|a| a.label_sv())
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
    pub fn hours(&self) -> f64 {
        self.courses.iter().map(|c| c.hours).sum()
    }
    pub fn course_ids(&self) -> Vec<i64> {
        self.courses.iter().map(|c| c.course_id).collect()
    }
}

/// Every package (or only published ones), sorted by name.
pub async fn list(db: &Db, published_only: bool) -> StoreResult<Vec<Package>> {
    let rows: Vec<PackageRow> = sqlx::query_as(&format!(
        "SELECT id, name, description, published, synthetic FROM packages{}",
        if published_only {
            " WHERE published = 1"
        } else {
            ""
        }
    ))
    .fetch_all(db.pool())
    .await?;
    let mut roles: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for r in sqlx::query("SELECT pr.package_id, r.id AS role_id, r.name AS role_name FROM package_roles pr JOIN roles r ON r.id = pr.role_id")
        .fetch_all(db.pool())
        .await?
    {
        roles.entry(r.get("package_id")).or_default().push((r.get("role_id"), r.get("role_name")));
    }
    let mut areas: HashMap<i64, Vec<String>> = HashMap::new();
    for r in sqlx::query("SELECT package_id, activity_area FROM package_areas")
        .fetch_all(db.pool())
        .await?
    {
        areas
            .entry(r.get("package_id"))
            .or_default()
            .push(r.get("activity_area"));
    }
    let mut courses: HashMap<i64, Vec<PackageCourse>> = HashMap::new();
    for r in sqlx::query(
        "SELECT pc.package_id, c.id AS course_id, c.title, c.status, c.hours FROM package_courses pc JOIN courses c ON c.id = pc.course_id \
         ORDER BY pc.package_id, pc.position",
    )
    .fetch_all(db.pool())
    .await?
    {
        courses
            .entry(r.get("package_id"))
            .or_default()
            .push(PackageCourse {
                course_id: r.get("course_id"),
                title: r.get("title"),
                status: code(&r, "status")?,
                hours: r.get("hours"),
            });
    }
    let mut v: Vec<Package> = rows
        .into_iter()
        .map(|p| {
            let mut rs = roles.remove(&p.id).unwrap_or_default();
            domain::collation::sort_swedish_by(&mut rs, |r| &r.1);
            let mut a = areas.remove(&p.id).unwrap_or_default();
            a.sort();
            Package {
                role_ids: rs.iter().map(|r| r.0).collect(),
                roles: rs.into_iter().map(|r| r.1).collect(),
                activity_areas: a,
                courses: courses.remove(&p.id).unwrap_or_default(),
                package: p,
            }
        })
        .collect();
    v.sort_by(|a, b| domain::collation::swedish_cmp(&a.package.name, &b.package.name));
    Ok(v)
}

pub async fn get(db: &Db, id: i64) -> StoreResult<Package> {
    list(db, false)
        .await?
        .into_iter()
        .find(|p| p.package.id == id)
        .ok_or(StoreError::NotFound("paket"))
}

async fn check(db: &Db, d: &PackageDraft) -> StoreResult<domain::packages::CheckedPackage> {
    let roles: Vec<i64> = sqlx::query_scalar("SELECT id FROM roles")
        .fetch_all(db.pool())
        .await?;
    let mut courses: HashMap<i64, (String, CourseStatus)> = HashMap::new();
    for r in sqlx::query("SELECT id, title, status FROM courses")
        .fetch_all(db.pool())
        .await?
    {
        courses.insert(r.get("id"), (r.get("title"), code(&r, "status")?));
    }
    check_package(d, &roles, |id| courses.get(&id).cloned()).map_err(StoreError::Invalid)
}

/// Create a package (coordinators: `ManageTracks`, decided by the
/// caller, as for the other changes here).
pub async fn create(db: &Db, who: &Who, d: &PackageDraft) -> StoreResult<i64> {
    save(db, who, None, d, false).await
}

pub async fn create_synthetic(db: &Db, who: &Who, d: &PackageDraft) -> StoreResult<i64> {
    save(db, who, None, d, true).await
}

pub async fn update(db: &Db, who: &Who, id: i64, d: &PackageDraft) -> StoreResult<()> {
    get(db, id).await?;
    save(db, who, Some(id), d, false).await.map(|_| ())
}

async fn save(
    db: &Db,
    who: &Who,
    id: Option<i64>,
    d: &PackageDraft,
    synthetic: bool,
) -> StoreResult<i64> {
    let c = check(db, d).await?;
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let r = match id {
        None => sqlx::query(
            "INSERT INTO packages (name, description, published, synthetic, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(&c.name)
        .bind(&c.description)
        .bind(c.published as i64)
        .bind(synthetic as i64)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map(|r| r.get::<i64, _>("id")),
        Some(id) => sqlx::query("UPDATE packages SET name = $1, description = $2, published = $3, updated_at = $4 WHERE id = $5")
            .bind(&c.name)
            .bind(&c.description)
            .bind(c.published as i64)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map(|_| id),
    };
    let id = match r {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::invalid(
                "name",
                "duplicate",
                "Det finns redan ett paket med det namnet.",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    for table in ["package_roles", "package_areas", "package_courses"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE package_id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    for r in &c.role_ids {
        sqlx::query("INSERT INTO package_roles (package_id, role_id) VALUES ($1, $2)")
            .bind(id)
            .bind(r)
            .execute(&mut *tx)
            .await?;
    }
    for a in &c.activity_areas {
        sqlx::query("INSERT INTO package_areas (package_id, activity_area) VALUES ($1, $2)")
            .bind(id)
            .bind(a.code())
            .execute(&mut *tx)
            .await?;
    }
    for (n, course) in c.course_ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO package_courses (package_id, course_id, position) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(course)
        .bind(n as i64 + 1)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        who,
        "package.save",
        "package",
        Some(id),
        None,
        &c.name,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete(db: &Db, who: &Who, id: i64) -> StoreResult<()> {
    let p = get(db, id).await?;
    let mut tx = db.begin().await?;
    for table in ["package_roles", "package_areas", "package_courses"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE package_id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM packages WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "package.delete",
        "package",
        Some(id),
        None,
        &p.package.name,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A published package that fits a manager's units, with uptake.
#[derive(Debug, Clone, Serialize)]
pub struct FittingPackage {
    pub package: Package,
    pub uptake: PackageUptake,
    pub percent: u32,
}

/// Published packages whose target group has people in the scope's units,
/// most people first.
pub async fn fitting(db: &Db, scope: &Scope) -> StoreResult<Vec<FittingPackage>> {
    let mut conds = vec![];
    if !scope.unit_ids.is_empty() {
        conds.push(format!("p.unit_id IN ({})", ids(&scope.unit_ids)));
    }
    if !scope.municipality_ids.is_empty() {
        conds.push(format!(
            "p.municipality_id IN ({})",
            ids(&scope.municipality_ids)
        ));
    }
    if conds.is_empty() {
        return Ok(vec![]);
    }
    let cond = conds.join(" OR ");
    let people: Vec<(i64, i64, Option<ActivityArea>)> = sqlx::query(&format!(
        "SELECT p.id, p.role_id, u.activity_area FROM people p LEFT JOIN units u ON u.id = p.unit_id WHERE p.active = 1 AND ({cond})"
    ))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| (r.get("id"), r.get("role_id"), r.get::<Option<String>, _>("activity_area").as_deref().and_then(ActivityArea::parse)))
    .collect();
    let mut done: HashMap<i64, HashSet<i64>> = HashMap::new();
    for r in sqlx::query(&format!(
        "SELECT DISTINCT c.person_id, c.course_id FROM completions c JOIN people p ON p.id = c.person_id WHERE p.active = 1 AND ({cond})"
    ))
    .fetch_all(db.pool())
    .await?
    {
        done.entry(r.get("person_id")).or_default().insert(r.get("course_id"));
    }
    let empty = HashSet::new();
    let mut out: Vec<FittingPackage> = list(db, true)
        .await?
        .into_iter()
        .filter_map(|pkg| {
            let u = uptake(
                &pkg.target(),
                &pkg.course_ids(),
                people
                    .iter()
                    .map(|(id, role, area)| (*role, *area, done.get(id).unwrap_or(&empty))),
            );
            (u.people > 0).then(|| FittingPackage {
                percent: u.percent(),
                uptake: u,
                package: pkg,
            })
        })
        .collect();
    out.sort_by_key(|p| std::cmp::Reverse(p.uptake.people));
    Ok(out)
}

fn ids(v: &[i64]) -> String {
    v.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}
