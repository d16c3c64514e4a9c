//! The staff-list import (`domain::staff_import` plans it): the
//! municipality's people to compare with, the look-ups for titles and
//! units, and applying a plan in one transaction, recorded so it can be
//! undone (`crate::import_history`).

use domain::ids::{MunicipalityId, PersonId};
use std::collections::HashMap;

use domain::org::Gender;
use domain::role_titles::TitleMap;
use domain::staff_import::{ChangeKind, ExistingStaff, ImportPlan, StaffRecord};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{is_unique_violation, StoreError, StoreResult};
use crate::import_history::{self, NewImport, Recorded, Snapshot};

/// Everyone Navet holds in the municipality (also those marked as left, so
/// a returning employee is recognised): the import matches its rows
/// against all of them, and concerns only the people of its units.
pub async fn municipality_staff(
    db: &Db,
    municipality_id: MunicipalityId,
) -> StoreResult<Vec<ExistingStaff>> {
    let rows = sqlx::query(
        "SELECT id, employee_no, name, email, role_id, unit_id, gender, active FROM people WHERE municipality_id = $1",
    )
    .bind(municipality_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| ExistingStaff {
            person_id: r.get("id"),
            employee_no: r.get("employee_no"),
            name: r.get("name"),
            email: r.get("email"),
            role_id: r.get("role_id"),
            unit_id: r.get("unit_id"),
            gender: Gender::parse(&r.get::<String, _>("gender")).unwrap_or(Gender::EjAngivet),
            active: r.get::<i64, _>("active") == 1,
        })
        .collect())
}

/// Titles (roles, their alternatives and the remembered mappings) and the
/// municipality's units by lower-cased name.
pub async fn import_lookups(
    db: &Db,
    municipality_id: MunicipalityId,
) -> StoreResult<(TitleMap, HashMap<String, i64>)> {
    let titles = crate::role_mappings::title_map(db).await?;
    let units = crate::org::units(db, Some(municipality_id))
        .await?
        .into_iter()
        .map(|u| (u.name.to_lowercase(), u.id))
        .collect();
    Ok((titles, units))
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub added: usize,
    pub changed: usize,
    pub left: usize,
    pub unchanged: usize,
    /// The import in the history (for undo).
    pub import_id: i64,
}

fn after_of(rec: &StaffRecord) -> Snapshot {
    Snapshot {
        name: rec.name.clone(),
        email: rec.email.clone(),
        gender: rec.gender.code().to_string(),
        role_id: rec.role_id,
        unit_id: Some(rec.unit_id),
        employee_no: Some(rec.employee_no.clone()),
        active: 1,
    }
}

/// Apply a staff-import plan in one transaction: all of it or nothing. An
/// e-mail already used by someone outside the municipality fails the whole
/// import and names the line. The import is recorded with everyone's values
/// before it (`import_history`), so it can be undone for seven days.
///
/// Every row is written first and the audit entries last: the first entry
/// locks the audit chain's head until commit (on PostgreSQL), so taking it
/// only after the people, token and session rows keeps one lock order with
/// every other writer (rows, then the chain) and cannot deadlock.
pub async fn apply_import(
    db: &Db,
    who: &Who,
    municipality_id: MunicipalityId,
    plan: &ImportPlan,
    file_name: &str,
) -> StoreResult<ImportSummary> {
    let mut tx = db.begin().await?;
    let now = crate::time::now();
    let describe = |c: &domain::staff_import::StaffChange| {
        c.describe(|r| format!("roll {r}"), |u| format!("enhet {u}"))
    };
    // (action, person, detail), written after the rows.
    let mut entries: Vec<(&str, i64, String)> = vec![];
    let mut recorded: Vec<Recorded> = vec![];
    let mut returned = vec![];
    for (person_id, rec, changes) in &plan.changed {
        let before = import_history::snapshot(&mut tx, db, *person_id).await?;
        let r = sqlx::query(
            "UPDATE people SET name = $1, email = $2, gender = $3, role_id = $4, unit_id = $5, employee_no = $6, active = 1, updated_at = $7 WHERE id = $8",
        )
        .bind(&rec.name)
        .bind(&rec.email)
        .bind(rec.gender.code())
        .bind(rec.role_id)
        .bind(rec.unit_id)
        .bind(&rec.employee_no)
        .bind(now)
        .bind(person_id)
        .execute(&mut *tx)
        .await;
        if let Err(e) = r {
            return Err(line_conflict(e, rec.line, &rec.email));
        }
        // Names and e-mail stay out of the audit log: field names only.
        let detail: Vec<String> = changes
            .iter()
            .map(|c| describe(c).split(':').next().unwrap_or("").to_string())
            .collect();
        entries.push(("person.import_update", *person_id, detail.join(", ")));
        if changes.contains(&domain::staff_import::StaffChange::Returned) {
            returned.push(*person_id);
        }
        recorded.push(Recorded {
            person_id: *person_id,
            kind: ChangeKind::Changed,
            before: Some(before),
            after: after_of(rec),
        });
    }
    for rec in &plan.added {
        let r = sqlx::query(
            "INSERT INTO people (name, email, gender, role_id, municipality_id, unit_id, employee_no, language_support, active, synthetic, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, '', 1, 0, $8, $8) RETURNING id",
        )
        .bind(&rec.name)
        .bind(&rec.email)
        .bind(rec.gender.code())
        .bind(rec.role_id)
        .bind(municipality_id)
        .bind(rec.unit_id)
        .bind(&rec.employee_no)
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match r {
            Ok(row) => row.get("id"),
            Err(e) => return Err(line_conflict(e, rec.line, &rec.email)),
        };
        entries.push(("person.import_create", id, format!("rad {}", rec.line)));
        recorded.push(Recorded {
            person_id: id,
            kind: ChangeKind::Added,
            before: None,
            after: after_of(rec),
        });
    }
    let mut revoked = vec![];
    for e in &plan.left {
        let before = import_history::snapshot(&mut tx, db, e.person_id).await?;
        sqlx::query("UPDATE people SET active = 0, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(e.person_id)
            .execute(&mut *tx)
            .await?;
        entries.push((
            "person.import_left",
            e.person_id,
            "markerad som slutat".into(),
        ));
        // Account off, sessions and tokens ended, future seats to the waiting lists.
        revoked
            .push(crate::leaving::person_left_rows(db, &mut tx, who, PersonId(e.person_id)).await?);
        recorded.push(Recorded {
            person_id: e.person_id,
            kind: ChangeKind::Left,
            after: Snapshot {
                active: 0,
                ..before.clone()
            },
            before: Some(before),
        });
    }
    let import_id = import_history::record(
        &mut tx,
        who,
        &NewImport {
            municipality_id: municipality_id.get(),
            file_name,
            mode: plan.mode.code(),
            units: &plan.units,
        },
        &recorded,
    )
    .await?;
    for (action, person_id, detail) in &entries {
        audit::record(
            &mut tx,
            who,
            action,
            "person",
            Some(*person_id),
            Some(*person_id),
            detail,
        )
        .await?;
    }
    audit::record(
        &mut tx,
        who,
        "staff_import.apply",
        "staff_import",
        Some(import_id),
        None,
        &format!(
            "tillagda {}, ändrade {}, markerade som slutat {}",
            plan.added.len(),
            plan.changed.len(),
            plan.left.len()
        ),
    )
    .await?;
    for left in revoked {
        left.record(&mut tx, who).await?;
    }
    for person_id in returned {
        crate::leaving::person_returned(&mut tx, who, PersonId(person_id)).await?;
    }
    tx.commit().await?;
    Ok(ImportSummary {
        added: plan.added.len(),
        changed: plan.changed.len(),
        left: plan.left.len(),
        unchanged: plan.unchanged,
        import_id,
    })
}

fn line_conflict(e: sqlx::Error, line: usize, email: &str) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::invalid(
            &format!("rad {line}, kolumn e-post"),
            "duplicate_email",
            format!(
                "rad {line}, kolumn ”e-post”: {email} används redan av en person utanför listan."
            ),
        )
    } else {
        e.into()
    }
}
