//! Every applied staff import, with each person's values before and after,
//! and undoing one within seven days. An import is undone only as a whole
//! and only while nobody it changed has been changed again since (by hand
//! or by a later import): otherwise the undo is refused and names those
//! people, since restoring them would silently throw the later change
//! away. Undo the later import first, then this one. Bookings released when
//! people were marked as left are not taken back.

use domain::ids::{AccountId, ImportId, PersonId};
use std::collections::BTreeSet;

use domain::staff_import::ChangeKind;
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{is_unique_violation, StoreError, StoreResult};

/// How long an import can be undone; the before-values are removed after.
pub const UNDO_DAYS: i64 = 7;
pub const UNDO_SECS: i64 = UNDO_DAYS * 24 * 60 * 60;

/// A person's fields an import sets.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Snapshot {
    pub name: String,
    pub email: String,
    pub gender: String,
    pub role_id: i64,
    pub unit_id: Option<i64>,
    pub employee_no: Option<String>,
    pub active: i64,
}

pub(crate) async fn snapshot(
    conn: &mut AnyConnection,
    db: &Db,
    person_id: i64,
) -> StoreResult<Snapshot> {
    sqlx::query_as(&format!(
        "SELECT name, email, gender, role_id, unit_id, employee_no, active FROM people WHERE id = $1{}",
        db.for_update()
    ))
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound("person"))
}

/// One person as an import left them.
pub(crate) struct Recorded {
    pub person_id: i64,
    pub kind: ChangeKind,
    pub before: Option<Snapshot>,
    pub after: Snapshot,
}

pub(crate) struct NewImport<'a> {
    pub municipality_id: i64,
    pub file_name: &'a str,
    pub mode: &'a str,
    pub units: &'a BTreeSet<i64>,
}

/// Write the import and its people (inside the import's transaction), and
/// forget the before-values of imports that can no longer be undone.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    who: &Who,
    i: &NewImport<'_>,
    people: &[Recorded],
) -> StoreResult<i64> {
    let now = crate::time::now();
    let count = |k: ChangeKind| people.iter().filter(|p| p.kind == k).count() as i64;
    let units: Vec<String> = i.units.iter().map(|u| u.to_string()).collect();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO staff_imports (account_id, actor, municipality_id, file_name, mode, units, added, changed, left_count, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(who.account_id)
    .bind(&who.label)
    .bind(i.municipality_id)
    .bind(domain::tabular::excerpt(i.file_name))
    .bind(i.mode)
    .bind(units.join(","))
    .bind(count(ChangeKind::Added))
    .bind(count(ChangeKind::Changed))
    .bind(count(ChangeKind::Left))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    for p in people {
        let b = p.before.as_ref();
        sqlx::query(
            "INSERT INTO staff_import_people (import_id, person_id, kind, before_name, before_email, before_gender, \
             before_role_id, before_unit_id, before_employee_no, before_active, after_name, after_email, after_gender, \
             after_role_id, after_unit_id, after_employee_no, after_active) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(id)
        .bind(p.person_id)
        .bind(p.kind.code())
        .bind(b.map(|b| b.name.clone()))
        .bind(b.map(|b| b.email.clone()))
        .bind(b.map(|b| b.gender.clone()))
        .bind(b.map(|b| b.role_id))
        .bind(b.and_then(|b| b.unit_id))
        .bind(b.and_then(|b| b.employee_no.clone()))
        .bind(b.map(|b| b.active))
        .bind(&p.after.name)
        .bind(&p.after.email)
        .bind(&p.after.gender)
        .bind(p.after.role_id)
        .bind(p.after.unit_id)
        .bind(&p.after.employee_no)
        .bind(p.after.active)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "DELETE FROM staff_import_people WHERE import_id IN (SELECT id FROM staff_imports WHERE created_at < $1)",
    )
    .bind(now - UNDO_SECS)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct ImportRow {
    pub id: i64,
    pub account_id: Option<i64>,
    pub actor: String,
    pub municipality_id: i64,
    pub municipality_name: String,
    pub file_name: String,
    pub mode: String,
    pub units: String,
    pub added: i64,
    pub changed: i64,
    pub left_count: i64,
    pub created_at: i64,
    pub undone_at: Option<i64>,
}

impl ImportRow {
    /// Within the seven days and not undone already.
    pub fn can_undo(&self, now: i64) -> bool {
        self.undone_at.is_none() && now - self.created_at <= UNDO_SECS
    }
    pub fn unit_ids(&self) -> Vec<i64> {
        self.units
            .split(',')
            .filter_map(|u| u.parse().ok())
            .collect()
    }
}

const SELECT: &str =
    "SELECT i.id, i.account_id, i.actor, i.municipality_id, m.name AS municipality_name, \
    i.file_name, i.mode, i.units, i.added, i.changed, i.left_count, i.created_at, i.undone_at \
    FROM staff_imports i JOIN municipalities m ON m.id = i.municipality_id";

/// The latest imports, newest first; only one account's when given.
pub async fn list(
    db: &Db,
    account_id: Option<AccountId>,
    limit: i64,
) -> StoreResult<Vec<ImportRow>> {
    let q = match account_id {
        Some(_) => format!("{SELECT} WHERE i.account_id = $1 ORDER BY i.id DESC LIMIT $2"),
        None => format!("{SELECT} ORDER BY i.id DESC LIMIT $1"),
    };
    let mut q = sqlx::query_as(&q);
    if let Some(a) = account_id {
        q = q.bind(a);
    }
    Ok(q.bind(limit).fetch_all(db.pool()).await?)
}

pub async fn get(db: &Db, id: ImportId) -> StoreResult<ImportRow> {
    sqlx::query_as(&format!("{SELECT} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("import"))
}

/// One person an import concerned, as shown before an undo.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct PersonLine {
    pub person_id: i64,
    #[sqlx(try_from = "crate::error::Stored<ChangeKind>")]
    pub kind: ChangeKind,
    pub name: String,
    pub before_name: Option<String>,
    pub after_name: String,
}

/// The people an import added, changed or marked as left (empty once its
/// seven days have passed).
pub async fn people(db: &Db, import_id: ImportId) -> StoreResult<Vec<PersonLine>> {
    let mut v: Vec<PersonLine> = sqlx::query_as(
        "SELECT s.person_id, s.kind, p.name, s.before_name, s.after_name FROM staff_import_people s \
         JOIN people p ON p.id = s.person_id WHERE s.import_id = $1",
    )
    .bind(import_id)
    .fetch_all(db.pool())
    .await?;
    domain::collation::sort_swedish_by(&mut v, |p| &p.name);
    Ok(v)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UndoSummary {
    /// Changed people given their earlier values.
    pub restored: usize,
    /// People the import marked as left, active again.
    pub returned: usize,
    /// People the import added, now marked as left (their records stay).
    pub removed: usize,
}

#[derive(FromRow)]
struct Stored {
    person_id: i64,
    #[sqlx(try_from = "crate::error::Stored<ChangeKind>")]
    kind: ChangeKind,
    before_name: Option<String>,
    before_email: Option<String>,
    before_gender: Option<String>,
    before_role_id: Option<i64>,
    before_unit_id: Option<i64>,
    before_employee_no: Option<String>,
    before_active: Option<i64>,
    after_name: String,
    after_email: String,
    after_gender: String,
    after_role_id: i64,
    after_unit_id: Option<i64>,
    after_employee_no: Option<String>,
    after_active: i64,
}

impl Stored {
    fn after(&self) -> Snapshot {
        Snapshot {
            name: self.after_name.clone(),
            email: self.after_email.clone(),
            gender: self.after_gender.clone(),
            role_id: self.after_role_id,
            unit_id: self.after_unit_id,
            employee_no: self.after_employee_no.clone(),
            active: self.after_active,
        }
    }
    fn before(&self) -> Option<Snapshot> {
        Some(Snapshot {
            name: self.before_name.clone()?,
            email: self.before_email.clone()?,
            gender: self.before_gender.clone()?,
            role_id: self.before_role_id?,
            unit_id: self.before_unit_id,
            employee_no: self.before_employee_no.clone(),
            active: self.before_active?,
        })
    }
}

/// Names in a sentence: "A, B och C", at most ten, then "och N till".
fn names_sentence(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(10).map(|s| s.as_str()).collect();
    let mut s = match shown.len() {
        0 => String::new(),
        1 => shown[0].to_string(),
        n => format!("{} och {}", shown[..n - 1].join(", "), shown[n - 1]),
    };
    if names.len() > shown.len() {
        s = format!(
            "{} och {} till",
            shown.join(", "),
            names.len() - shown.len()
        );
    }
    s
}

/// Undo an import: changed people get their earlier values back (name,
/// e-mail, gender, role, unit, employee number, employed), people it marked
/// as left are active again, people it added are marked as left. All or
/// nothing; refused after seven days, when already undone, and when anyone
/// it concerned has been changed since (named in the message).
pub async fn undo(db: &Db, who: &Who, import_id: ImportId, now: i64) -> StoreResult<UndoSummary> {
    let mut tx = db.begin().await?;
    let row: Option<(i64, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT created_at, undone_at FROM staff_imports WHERE id = $1{}",
        db.for_update()
    ))
    .bind(import_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((created_at, undone_at)) = row else {
        return Err(StoreError::NotFound("import"));
    };
    if undone_at.is_some() {
        return Err(StoreError::conflict(None, "Importen är redan ångrad."));
    }
    if now - created_at > UNDO_SECS {
        return Err(StoreError::conflict(
            None,
            format!(
                "Importen gjordes för mer än {UNDO_DAYS} dagar sedan och kan inte längre ångras."
            ),
        ));
    }
    let stored: Vec<Stored> = sqlx::query_as(
        "SELECT person_id, kind, before_name, before_email, before_gender, before_role_id, before_unit_id, \
         before_employee_no, before_active, after_name, after_email, after_gender, after_role_id, \
         after_unit_id, after_employee_no, after_active FROM staff_import_people WHERE import_id = $1 \
         ORDER BY person_id",
    )
    .bind(import_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut changed_since = vec![];
    for s in &stored {
        let now_is = snapshot(&mut tx, db, s.person_id).await?;
        if now_is != s.after() {
            changed_since.push(now_is.name);
        }
    }
    if !changed_since.is_empty() {
        domain::collation::sort_swedish_by(&mut changed_since, |s| s.as_str());
        return Err(StoreError::conflict(
            None,
            format!(
                "Importen kan inte ångras: {} har ändrats efter importen (för hand eller av en senare import). \
                 Ångra den senare importen först, eller ändra för hand.",
                names_sentence(&changed_since)
            ),
        ));
    }
    let mut summary = UndoSummary::default();
    let mut revoked = vec![];
    let mut returned = vec![];
    let t = crate::time::now();
    for s in &stored {
        match (s.kind, s.before()) {
            (ChangeKind::Added, _) => {
                sqlx::query("UPDATE people SET active = 0, updated_at = $1 WHERE id = $2")
                    .bind(t)
                    .bind(s.person_id)
                    .execute(&mut *tx)
                    .await?;
                revoked.push(
                    crate::leaving::person_left_rows(db, &mut tx, who, PersonId(s.person_id))
                        .await?,
                );
                summary.removed += 1;
            }
            (kind, Some(b)) => {
                let r = sqlx::query(
                    "UPDATE people SET name = $1, email = $2, gender = $3, role_id = $4, unit_id = $5, \
                     employee_no = $6, active = $7, updated_at = $8 WHERE id = $9",
                )
                .bind(&b.name)
                .bind(&b.email)
                .bind(&b.gender)
                .bind(b.role_id)
                .bind(b.unit_id)
                .bind(&b.employee_no)
                .bind(b.active)
                .bind(t)
                .bind(s.person_id)
                .execute(&mut *tx)
                .await;
                match r {
                    Ok(_) => {}
                    Err(e) if is_unique_violation(&e) => {
                        return Err(StoreError::conflict(
                            None,
                            format!(
                                "Importen kan inte ångras: {}s tidigare e-postadress eller anställningsnummer används nu av någon annan.",
                                s.after_name
                            ),
                        ))
                    }
                    Err(e) => return Err(e.into()),
                }
                if b.active == 1 && s.after_active == 0 {
                    returned.push(s.person_id);
                    summary.returned += 1;
                } else if kind == ChangeKind::Changed && b.active == 0 && s.after_active == 1 {
                    // Returned by the import: marked as left again.
                    revoked.push(
                        crate::leaving::person_left_rows(db, &mut tx, who, PersonId(s.person_id))
                            .await?,
                    );
                    summary.restored += 1;
                } else {
                    summary.restored += 1;
                }
            }
            _ => return Err(anyhow::anyhow!("import {import_id}: before-values missing").into()),
        }
    }
    sqlx::query("UPDATE staff_imports SET undone_at = $1, undone_by = $2 WHERE id = $3")
        .bind(t)
        .bind(who.account_id)
        .bind(import_id)
        .execute(&mut *tx)
        .await?;
    // Audit entries last, as the import writes them (one lock order).
    for s in &stored {
        audit::record(
            &mut tx,
            who,
            "person.import_undo",
            "person",
            Some(s.person_id),
            Some(s.person_id),
            &format!("import {import_id}: {}", s.kind.code()),
        )
        .await?;
    }
    audit::record(
        &mut tx,
        who,
        "staff_import.undo",
        "staff_import",
        Some(import_id.get()),
        None,
        &format!(
            "återställda {}, åter i tjänst {}, tillagda markerade som slutat {}",
            summary.restored, summary.returned, summary.removed
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
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::names_sentence;

    #[test]
    fn names_are_listed_in_a_sentence() {
        let n = |k: usize| (1..=k).map(|i| format!("P{i}")).collect::<Vec<_>>();
        assert_eq!(names_sentence(&n(1)), "P1");
        assert_eq!(names_sentence(&n(3)), "P1, P2 och P3");
        assert_eq!(
            names_sentence(&n(12)),
            "P1, P2, P3, P4, P5, P6, P7, P8, P9, P10 och 2 till"
        );
    }
}
