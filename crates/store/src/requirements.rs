//! Competence requirements. Coordinators set them for the region, an
//! activity area or a unit; managers only for their own units (decided by
//! the caller with `domain::access`, action `ManageRequirements`, for
//! where a requirement applies: [`applies_in`], [`applied_in`]).

use domain::catalogue::{CourseStatus, Level};
use domain::education::{Direction, Education, EducationKind};
use domain::org::ActivityArea;
use domain::requirements::{
    check_requirement, warning, CheckedRequirement, CourseRef, Requirement, RequirementContext,
    RequirementDraft, RequirementKind, RequirementScope, RequirementTarget, UnitRef,
};
use serde::Serialize;
use sqlx::{FromRow, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{code, is_unique_violation, StoreError, StoreResult};

/// A stored requirement with the names a page shows.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct RequirementRow {
    pub id: i64,
    pub role_id: i64,
    pub role_name: String,
    pub scope: String,
    pub activity_area: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub municipality_id: Option<i64>,
    pub municipality_name: Option<String>,
    #[sqlx(try_from = "crate::error::Stored<RequirementKind>")]
    pub kind: RequirementKind,
    pub course_id: Option<i64>,
    pub course_title: Option<String>,
    #[sqlx(try_from = "crate::error::MaybeStored<CourseStatus>")]
    pub course_status: Option<CourseStatus>,
    pub validity_months: Option<i64>,
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    pub level: Option<String>,
    pub education: Option<String>,
    pub direction: Option<String>,
    pub note: String,
    pub synthetic: i64,
}

impl RequirementRow {
    /// The domain value; `None` for a row whose vocabulary is no longer known.
    pub fn to_domain(&self) -> Option<Requirement> {
        let scope = match self.scope.as_str() {
            "region" => RequirementScope::Region,
            "activity_area" => RequirementScope::ActivityArea {
                activity_area: ActivityArea::parse(self.activity_area.as_deref()?)?,
            },
            "unit" => RequirementScope::Unit {
                unit_id: self.unit_id?,
            },
            _ => return None,
        };
        let target = match self.kind {
            RequirementKind::Course => RequirementTarget::Course {
                course_id: self.course_id?,
            },
            RequirementKind::Area => RequirementTarget::Area {
                area_id: self.area_id?,
                level: Level::parse(self.level.as_deref()?)?,
            },
            RequirementKind::Education => RequirementTarget::Education {
                education: Education::new(
                    EducationKind::parse(self.education.as_deref()?)?,
                    self.direction.as_deref().and_then(Direction::parse),
                ),
            },
        };
        Some(Requirement {
            id: self.id,
            role_id: self.role_id,
            scope,
            target,
        })
    }

    /// "Kurs: HLR (förnyas var 12:e månad)", "Kompetensområde: … på nivå fördjupning", …
    pub fn what_sv(&self) -> String {
        match self.kind {
            RequirementKind::Course => {
                let title = self.course_title.clone().unwrap_or_default();
                match self.validity_months {
                    Some(m) => format!("Kurs: {title} (förnyas var {m}:e månad)"),
                    None => format!("Kurs: {title}"),
                }
            }
            RequirementKind::Area => format!(
                "Kompetensområde: {} på nivå {} eller högre",
                self.area_name.clone().unwrap_or_default(),
                self.level
                    .as_deref()
                    .and_then(Level::parse)
                    .map(|l| l.label_sv())
                    .unwrap_or("")
            ),
            RequirementKind::Education => {
                let ed = self.to_domain().and_then(|r| match r.target {
                    RequirementTarget::Education { education } => Some(education.label_sv()),
                    _ => None,
                });
                format!("Formell utbildning: {}", ed.unwrap_or_default())
            }
        }
    }

    /// "hela regionen", "verksamhetsområde äldreomsorg", "enhet Hemtjänsten Centrum (Örebro)".
    pub fn scope_sv(&self) -> String {
        match self.scope.as_str() {
            "activity_area" => format!(
                "verksamhetsområde {}",
                self.activity_area
                    .as_deref()
                    .and_then(ActivityArea::parse)
                    .map(|a| a.label_sv())
                    .unwrap_or("")
            ),
            "unit" => format!(
                "enhet {} ({})",
                self.unit_name.clone().unwrap_or_default(),
                self.municipality_name.clone().unwrap_or_default()
            ),
            _ => "hela regionen".into(),
        }
    }

    /// Something the coordinator should fix (e.g. the course was retired).
    pub fn warning(&self) -> Option<&'static str> {
        let r = self.to_domain()?;
        let status = self.course_status;
        warning(&r, |_| status)
    }
}

const SELECT: &str = "SELECT r.id, r.role_id, ro.name AS role_name, r.scope, r.activity_area, r.unit_id, u.name AS unit_name, \
    u.municipality_id, m.name AS municipality_name, r.kind, r.course_id, c.title AS course_title, c.status AS course_status, \
    c.validity_months, r.area_id, a.name AS area_name, r.level, r.education, r.direction, r.note, r.synthetic \
    FROM requirements r JOIN roles ro ON ro.id = r.role_id \
    LEFT JOIN units u ON u.id = r.unit_id LEFT JOIN municipalities m ON m.id = u.municipality_id \
    LEFT JOIN courses c ON c.id = r.course_id LEFT JOIN competence_areas a ON a.id = r.area_id";

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub role_id: Option<i64>,
    /// Requirements that can apply in this unit: region-wide, the unit's
    /// activity area, and the unit's own.
    pub for_unit: Option<(i64, String)>,
}

/// Requirements sorted by role, then scope (wide first), then what.
pub async fn list(db: &Db, f: &Filter) -> StoreResult<Vec<RequirementRow>> {
    let mut conds = vec![];
    if let Some(r) = f.role_id {
        conds.push(format!("r.role_id = {r}"));
    }
    let mut binds: Vec<String> = vec![];
    if let Some((unit, area)) = &f.for_unit {
        binds.push(area.clone());
        conds.push(format!(
            "(r.scope = 'region' OR (r.scope = 'activity_area' AND r.activity_area = $1) OR r.unit_id = {unit})"
        ));
    }
    let sql = if conds.is_empty() {
        SELECT.to_string()
    } else {
        format!("{SELECT} WHERE {}", conds.join(" AND "))
    };
    let mut q = sqlx::query_as::<_, RequirementRow>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let mut v = q.fetch_all(db.pool()).await?;
    let rank = |s: &str| match s {
        "region" => 0,
        "activity_area" => 1,
        _ => 2,
    };
    v.sort_by(|a, b| {
        domain::collation::swedish_cmp(&a.role_name, &b.role_name)
            .then_with(|| rank(&a.scope).cmp(&rank(&b.scope)))
            .then_with(|| domain::collation::swedish_cmp(&a.what_sv(), &b.what_sv()))
    });
    Ok(v)
}

pub async fn get(db: &Db, id: i64) -> StoreResult<RequirementRow> {
    sqlx::query_as(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("kompetenskrav"))
}

/// Every requirement as domain values (for the gap analysis).
pub async fn all(db: &Db) -> StoreResult<Vec<Requirement>> {
    Ok(list(db, &Filter::default())
        .await?
        .iter()
        .filter_map(RequirementRow::to_domain)
        .collect())
}

/// What exists, for checking a draft.
pub struct Lookups {
    pub roles: Vec<i64>,
    pub units: Vec<UnitRef>,
    pub courses: Vec<CourseRef>,
    pub areas: Vec<i64>,
    pub existing: Vec<Requirement>,
}

pub async fn lookups(db: &Db, except: Option<i64>) -> StoreResult<Lookups> {
    let roles = sqlx::query_scalar("SELECT id FROM roles")
        .fetch_all(db.pool())
        .await?;
    let units = sqlx::query("SELECT id, municipality_id FROM units")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| UnitRef {
            id: r.get("id"),
            municipality_id: r.get("municipality_id"),
        })
        .collect();
    let courses = sqlx::query("SELECT id, title, status FROM courses")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(CourseRef {
                id: r.get("id"),
                title: r.get("title"),
                status: code(r, "status")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    let areas = sqlx::query_scalar("SELECT id FROM competence_areas")
        .fetch_all(db.pool())
        .await?;
    let existing = all(db)
        .await?
        .into_iter()
        .filter(|r| Some(r.id) != except)
        .collect();
    Ok(Lookups {
        roles,
        units,
        courses,
        areas,
        existing,
    })
}

fn dedup_key(role_id: i64, scope: &RequirementScope, target: &RequirementTarget) -> String {
    let s = match scope {
        RequirementScope::Region => "region".to_string(),
        RequirementScope::ActivityArea { activity_area } => {
            format!("area:{}", activity_area.code())
        }
        RequirementScope::Unit { unit_id } => format!("unit:{unit_id}"),
    };
    let t = match target {
        RequirementTarget::Course { course_id } => format!("course:{course_id}"),
        RequirementTarget::Area { area_id, level } => format!("area:{area_id}:{}", level.code()),
        RequirementTarget::Education { education } => format!(
            "education:{}:{}",
            education.kind.code(),
            education.direction.map(|d| d.code()).unwrap_or("")
        ),
    };
    format!("{role_id}|{s}|{t}")
}

/// Where a checked requirement will apply, as (unit, municipality) for
/// `ManageRequirements`: the unit and its municipality, or no unit for
/// the region or an activity area.
pub fn applies_in(c: &CheckedRequirement) -> (Option<i64>, Option<i64>) {
    match c.scope {
        RequirementScope::Unit { unit_id } => (Some(unit_id), c.municipality_id),
        _ => (None, c.municipality_id),
    }
}

/// Where a stored requirement applies, as for [`applies_in`].
pub fn applied_in(r: &RequirementRow) -> (Option<i64>, Option<i64>) {
    let unit_id = if r.scope == "unit" { r.unit_id } else { None };
    (
        unit_id,
        if unit_id.is_some() {
            r.municipality_id
        } else {
            None
        },
    )
}

/// Check a draft against what exists (`except`: the requirement being
/// changed, so it is not its own duplicate).
pub async fn check_draft(
    db: &Db,
    d: &RequirementDraft,
    except: Option<i64>,
) -> StoreResult<CheckedRequirement> {
    let l = lookups(db, except).await?;
    check(d, &l)
}

fn check(d: &RequirementDraft, l: &Lookups) -> StoreResult<CheckedRequirement> {
    check_requirement(
        d,
        &RequirementContext {
            roles: &l.roles,
            units: &l.units,
            courses: &l.courses,
            areas: &l.areas,
            existing: &l.existing,
        },
    )
    .map_err(StoreError::Invalid)
}

/// The stored columns of a checked requirement.
struct Columns {
    activity_area: Option<&'static str>,
    unit_id: Option<i64>,
    course_id: Option<i64>,
    area_id: Option<i64>,
    level: Option<&'static str>,
    education: Option<&'static str>,
    direction: Option<&'static str>,
}

fn columns(c: &CheckedRequirement) -> Columns {
    let (activity_area, unit_id) = match c.scope {
        RequirementScope::Region => (None, None),
        RequirementScope::ActivityArea { activity_area } => (Some(activity_area.code()), None),
        RequirementScope::Unit { unit_id } => (None, Some(unit_id)),
    };
    let mut cols = Columns {
        activity_area,
        unit_id,
        course_id: None,
        area_id: None,
        level: None,
        education: None,
        direction: None,
    };
    match c.target {
        RequirementTarget::Course { course_id } => cols.course_id = Some(course_id),
        RequirementTarget::Area { area_id, level } => {
            cols.area_id = Some(area_id);
            cols.level = Some(level.code());
        }
        RequirementTarget::Education { education } => {
            cols.education = Some(education.kind.code());
            cols.direction = education.direction.map(|d| d.code());
        }
    }
    cols
}

fn duplicate() -> StoreError {
    StoreError::invalid(
        "kind",
        "duplicate",
        "Samma krav finns redan för rollen med samma omfattning.",
    )
}

/// Add a requirement. Bad input, a retired course and an unknown
/// education are refused with nothing changed.
pub async fn create(db: &Db, who: &Who, d: &RequirementDraft) -> StoreResult<i64> {
    let c = check_draft(db, d, None).await?;
    insert(db, who, &c, false).await
}

/// Add a requirement already checked (see [`check_draft`]).
pub async fn create_checked(db: &Db, who: &Who, c: &CheckedRequirement) -> StoreResult<i64> {
    insert(db, who, c, false).await
}

/// As `create`, marking the row as synthetic demo data.
pub async fn create_synthetic(db: &Db, who: &Who, d: &RequirementDraft) -> StoreResult<i64> {
    let c = check_draft(db, d, None).await?;
    insert(db, who, &c, true).await
}

async fn insert(db: &Db, who: &Who, c: &CheckedRequirement, synthetic: bool) -> StoreResult<i64> {
    let cols = columns(c);
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let r = sqlx::query(
        "INSERT INTO requirements (role_id, scope, activity_area, unit_id, kind, course_id, area_id, level, education, direction, \
         dedup_key, note, synthetic, created_by_account_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id",
    )
    .bind(c.role_id)
    .bind(c.scope.code())
    .bind(cols.activity_area)
    .bind(cols.unit_id)
    .bind(c.target.code())
    .bind(cols.course_id)
    .bind(cols.area_id)
    .bind(cols.level)
    .bind(cols.education)
    .bind(cols.direction)
    .bind(dedup_key(c.role_id, &c.scope, &c.target))
    .bind(&c.note)
    .bind(synthetic as i64)
    .bind(who.account_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await;
    let id: i64 = match r {
        Ok(row) => row.get("id"),
        Err(e) if is_unique_violation(&e) => return Err(duplicate()),
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        who,
        "requirement.create",
        "requirement",
        Some(id),
        None,
        &dedup_key(c.role_id, &c.scope, &c.target),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Change a requirement: not found, bad input and duplicates are refused
/// with nothing changed.
pub async fn update(db: &Db, who: &Who, id: i64, d: &RequirementDraft) -> StoreResult<()> {
    get(db, id).await?;
    let c = check_draft(db, d, Some(id)).await?;
    update_checked(db, who, id, &c).await
}

/// Change a requirement to one already checked (see [`check_draft`]).
pub async fn update_checked(
    db: &Db,
    who: &Who,
    id: i64,
    c: &CheckedRequirement,
) -> StoreResult<()> {
    let cols = columns(c);
    let mut tx = db.begin().await?;
    let r = sqlx::query(
        "UPDATE requirements SET role_id = $1, scope = $2, activity_area = $3, unit_id = $4, kind = $5, course_id = $6, area_id = $7, \
         level = $8, education = $9, direction = $10, dedup_key = $11, note = $12, updated_at = $13 WHERE id = $14",
    )
    .bind(c.role_id)
    .bind(c.scope.code())
    .bind(cols.activity_area)
    .bind(cols.unit_id)
    .bind(c.target.code())
    .bind(cols.course_id)
    .bind(cols.area_id)
    .bind(cols.level)
    .bind(cols.education)
    .bind(cols.direction)
    .bind(dedup_key(c.role_id, &c.scope, &c.target))
    .bind(&c.note)
    .bind(crate::time::now())
    .bind(id)
    .execute(&mut *tx)
    .await;
    match r {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Err(duplicate()),
        Err(e) => return Err(e.into()),
    }
    audit::record(
        &mut tx,
        who,
        "requirement.update",
        "requirement",
        Some(id),
        None,
        &dedup_key(c.role_id, &c.scope, &c.target),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete(db: &Db, who: &Who, id: i64) -> StoreResult<()> {
    let old = get(db, id).await?;
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM requirements WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "requirement.delete",
        "requirement",
        Some(id),
        None,
        &format!("{} – {}", old.role_name, old.what_sv()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
