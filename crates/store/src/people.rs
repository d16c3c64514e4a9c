//! People (medarbetare): listing within a scope, creating and editing (the
//! staff-list import is `crate::staff_import`). Every change is audited in
//! the same transaction.

use domain::access::Scope;
use domain::ids::{MunicipalityId, PersonId};
use domain::org::Gender;
use domain::people::{check_person, PersonDraft};
use serde::Serialize;
use sqlx::{FromRow, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{is_unique_violation, StoreError, StoreResult};
use crate::org;

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub gender: String,
    pub role_id: i64,
    pub role_name: String,
    pub role_group: String,
    pub municipality_id: i64,
    pub municipality_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub employee_no: Option<String>,
    pub language_support: String,
    pub active: i64,
    pub synthetic: i64,
}

impl Person {
    pub fn gender_label(&self) -> &'static str {
        Gender::parse(&self.gender)
            .map(|g| g.label_sv())
            .unwrap_or("ej angivet")
    }
    pub fn as_ref(&self) -> domain::access::PersonRef {
        domain::access::PersonRef {
            person_id: self.id,
            unit_id: self.unit_id,
            municipality_id: self.municipality_id,
        }
    }
}

const SELECT: &str = "SELECT p.id, p.name, p.email, p.gender, p.role_id, r.name AS role_name, r.role_group, \
    p.municipality_id, m.name AS municipality_name, p.unit_id, u.name AS unit_name, p.employee_no, \
    p.language_support, p.active, p.synthetic \
    FROM people p JOIN roles r ON r.id = p.role_id JOIN municipalities m ON m.id = p.municipality_id \
    LEFT JOIN units u ON u.id = p.unit_id";

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Limit to what a manager covers; None = everyone.
    pub scope: Option<Scope>,
    pub municipality_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// Case-insensitive match on name, e-mail or employee number.
    pub query: Option<String>,
    pub include_left: bool,
}

/// The filter as SQL conditions (ids are formatted in; the search pattern
/// is bound as `$1` when there is one). None when the scope covers nothing.
fn conditions(f: &Filter) -> Option<(Vec<String>, Option<String>)> {
    let mut conds: Vec<String> = vec![];
    if !f.include_left {
        conds.push("p.active = 1".into());
    }
    if let Some(m) = f.municipality_id {
        conds.push(format!("p.municipality_id = {m}"));
    }
    if let Some(u) = f.unit_id {
        conds.push(format!("p.unit_id = {u}"));
    }
    if let Some(s) = &f.scope {
        let mut parts = vec![];
        if !s.unit_ids.is_empty() {
            parts.push(format!(
                "p.unit_id IN ({})",
                crate::db::id_list(&s.unit_ids)
            ));
        }
        if !s.municipality_ids.is_empty() {
            parts.push(format!(
                "p.municipality_id IN ({})",
                crate::db::id_list(&s.municipality_ids)
            ));
        }
        if parts.is_empty() {
            return None;
        }
        conds.push(format!("({})", parts.join(" OR ")));
    }
    let pattern = f
        .query
        .as_deref()
        .and_then(domain::collation::contains_pattern);
    if pattern.is_some() {
        conds.push("p.search_key LIKE $1 ESCAPE '\\'".into());
    }
    Some((conds, pattern))
}

fn where_clause(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    }
}

/// People matching the filter, sorted by name the Swedish way (in the
/// database: `name_key`, then id). Unbounded: only for lists bounded by
/// the filter (a unit's staff, a manager's scope); pages use [`page`].
pub async fn list(db: &Db, f: &Filter) -> StoreResult<Vec<Person>> {
    let Some((conds, pattern)) = conditions(f) else {
        return Ok(vec![]);
    };
    let sql = format!("{SELECT}{} ORDER BY p.name_key, p.id", where_clause(&conds));
    let mut q = sqlx::query_as::<_, Person>(&sql);
    if let Some(p) = pattern {
        q = q.bind(p);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

/// One page of a long list: at most `limit` people in Swedish name order,
/// starting after the person `after` (keyset pagination on `name_key, id`,
/// so a page costs the same wherever it is in the list), and the id to
/// continue after when there are more.
pub async fn page(
    db: &Db,
    f: &Filter,
    after: Option<i64>,
    limit: i64,
) -> StoreResult<(Vec<Person>, Option<i64>)> {
    let Some((mut conds, pattern)) = conditions(f) else {
        return Ok((vec![], None));
    };
    let after_param = if pattern.is_some() { "$2" } else { "$1" };
    if after.is_some() {
        conds.push(format!(
            "(p.name_key, p.id) > ((SELECT name_key FROM people WHERE id = {after_param}), {after_param})"
        ));
    }
    let limit = limit.clamp(1, 1000);
    let sql = format!(
        "{SELECT}{} ORDER BY p.name_key, p.id LIMIT {}",
        where_clause(&conds),
        limit + 1
    );
    let mut q = sqlx::query_as::<_, Person>(&sql);
    if let Some(p) = pattern {
        q = q.bind(p);
    }
    if let Some(a) = after {
        q = q.bind(a);
    }
    let mut v = q.fetch_all(db.pool()).await?;
    let next = if v.len() as i64 > limit {
        v.truncate(limit as usize);
        v.last().map(|p| p.id)
    } else {
        None
    };
    Ok((v, next))
}

/// How many people match the filter, counting at most `cap` (a count of a
/// national list stops there; the page says "more than").
pub async fn count(db: &Db, f: &Filter, cap: i64) -> StoreResult<i64> {
    let Some((conds, pattern)) = conditions(f) else {
        return Ok(0);
    };
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM people p{} LIMIT {}) capped",
        where_clause(&conds),
        cap.max(0)
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    if let Some(p) = pattern {
        q = q.bind(p);
    }
    Ok(q.fetch_one(db.pool()).await?)
}

pub async fn get(db: &Db, id: PersonId) -> StoreResult<Person> {
    sqlx::query_as(&format!("{SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("person"))
}

pub async fn by_email(db: &Db, email: &str) -> StoreResult<Option<Person>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE p.email = $1"))
        .bind(email.trim().to_lowercase())
        .fetch_optional(db.pool())
        .await?)
}

/// A person as entered: names of role, municipality and unit still text.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub name: String,
    pub email: String,
    pub gender: String,
    pub employee_no: String,
    /// Role name (`undersköterska`) or id as text.
    pub role: String,
    /// Municipality name (`Örebro`) or id as text.
    pub municipality: String,
    /// Unit name or id as text; empty for none.
    pub unit: String,
    pub language_support: String,
}

/// A fully checked person, ids resolved.
#[derive(Debug, Clone)]
pub struct ResolvedPerson {
    pub name: String,
    pub email: String,
    pub gender: Gender,
    pub employee_no: Option<String>,
    pub role_id: i64,
    pub municipality_id: i64,
    pub unit_id: Option<i64>,
    pub language_support: String,
}

/// Check every field and resolve names to ids; report all problems at once.
pub async fn resolve(db: &Db, input: &PersonInput) -> StoreResult<ResolvedPerson> {
    let mut errs = domain::FieldErrors::new();
    let checked = check_person(&PersonDraft {
        name: input.name.clone(),
        email: input.email.clone(),
        gender: input.gender.clone(),
        employee_no: input.employee_no.clone(),
    });
    let checked = match checked {
        Ok(c) => Some(c),
        Err(e) => {
            errs.0.extend(e.0);
            None
        }
    };
    let roles = org::roles(db).await?;
    let role_key = input.role.trim().to_lowercase();
    let role = roles
        .iter()
        .find(|r| r.name.to_lowercase() == role_key || r.id.to_string() == role_key);
    if role.is_none() {
        errs.add(
            "role",
            "unknown_role",
            domain::text::unknown("yrkesroll", &input.role),
        );
    }
    let munis = org::municipalities(db).await?;
    let mkey = input.municipality.trim().to_lowercase();
    let muni = munis
        .iter()
        .find(|m| m.name.to_lowercase() == mkey || m.id.to_string() == mkey);
    if muni.is_none() {
        errs.add(
            "municipality",
            "unknown_municipality",
            domain::text::unknown("kommun", &input.municipality),
        );
    }
    let mut unit_id = None;
    if let Some(m) = muni {
        let ukey = input.unit.trim().to_lowercase();
        if !ukey.is_empty() {
            let units = org::units(db, Some(MunicipalityId(m.id))).await?;
            match units
                .iter()
                .find(|u| u.name.to_lowercase() == ukey || u.id.to_string() == ukey)
            {
                Some(u) => unit_id = Some(u.id),
                None => errs.add(
                    "unit",
                    "unknown_unit",
                    format!("Enheten ”{}” finns inte i {}.", input.unit.trim(), m.name),
                ),
            }
        }
    }
    if input.language_support.chars().count() > 500 {
        errs.add("language_support", "too_long", "Högst 500 tecken.");
    }
    match (checked, role, muni) {
        (Some(c), Some(r), Some(m)) if errs.is_empty() => Ok(ResolvedPerson {
            name: c.name.into_string(),
            email: c.email.into_string(),
            gender: c.gender,
            employee_no: c.employee_no,
            role_id: r.id,
            municipality_id: m.id,
            unit_id,
            language_support: input.language_support.trim().to_string(),
        }),
        _ => Err(StoreError::Invalid(errs)),
    }
}

fn duplicate_email(email: &str) -> StoreError {
    StoreError::invalid(
        "email",
        "duplicate_email",
        format!("Det finns redan en person med e-postadressen {email}."),
    )
}

pub async fn create(db: &Db, who: &Who, p: &ResolvedPerson, synthetic: bool) -> StoreResult<i64> {
    let mut tx = db.begin().await?;
    let now = crate::time::now();
    let r = sqlx::query(
        "INSERT INTO people (name, email, gender, role_id, municipality_id, unit_id, employee_no, language_support, active, synthetic, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10) RETURNING id",
    )
    .bind(&p.name)
    .bind(&p.email)
    .bind(p.gender.code())
    .bind(p.role_id)
    .bind(p.municipality_id)
    .bind(p.unit_id)
    .bind(&p.employee_no)
    .bind(&p.language_support)
    .bind(synthetic as i64)
    .bind(now)
    .fetch_one(&mut *tx)
    .await;
    let id: i64 = match r {
        Ok(row) => row.get("id"),
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            return Err(if by_email(db, &p.email).await?.is_some() {
                duplicate_email(&p.email)
            } else {
                StoreError::invalid(
                    "employee_no",
                    "duplicate_employee_no",
                    "Anställningsnumret används redan i kommunen.",
                )
            });
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        who,
        "person.create",
        "person",
        Some(id),
        Some(id),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update(
    db: &Db,
    who: &Who,
    id: PersonId,
    p: &ResolvedPerson,
    active: bool,
) -> StoreResult<()> {
    let before = get(db, id).await?;
    let mut tx = db.begin().await?;
    let r = sqlx::query(
        "UPDATE people SET name = $1, email = $2, gender = $3, role_id = $4, municipality_id = $5, unit_id = $6, \
         employee_no = $7, language_support = $8, active = $9, updated_at = $10 WHERE id = $11",
    )
    .bind(&p.name)
    .bind(&p.email)
    .bind(p.gender.code())
    .bind(p.role_id)
    .bind(p.municipality_id)
    .bind(p.unit_id)
    .bind(&p.employee_no)
    .bind(&p.language_support)
    .bind(active as i64)
    .bind(crate::time::now())
    .bind(id)
    .execute(&mut *tx)
    .await;
    match r {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Err(duplicate_email(&p.email)),
        Err(e) => return Err(e.into()),
    }
    let mut changed = vec![];
    if before.name != p.name {
        changed.push("namn");
    }
    if before.email != p.email {
        changed.push("e-post");
    }
    if before.gender != p.gender.code() {
        changed.push("kön");
    }
    if before.role_id != p.role_id {
        changed.push("yrkesroll");
    }
    if before.unit_id != p.unit_id || before.municipality_id != p.municipality_id {
        changed.push("enhet");
    }
    if before.language_support != p.language_support {
        changed.push("språkstöd");
    }
    if (before.active == 1) != active {
        changed.push("anställd");
    }
    if before.active == 1 && !active {
        // Marked as left: their account's tokens and sessions end now and
        // their future seats go to the waiting lists.
        crate::leaving::person_left(db, &mut tx, who, id).await?;
    } else if before.active == 0 && active {
        crate::leaving::person_returned(&mut tx, who, id).await?;
    }
    audit::record(
        &mut tx,
        who,
        "person.update",
        "person",
        Some(id.get()),
        Some(id.get()),
        &changed.join(", "),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
