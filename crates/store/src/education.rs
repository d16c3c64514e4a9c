//! Formal education per person, registered by the person's manager or a
//! coordinator (decided by the caller: `RegisterEducation`). Unknown
//! values are refused (see `domain::education`).

use domain::education::{
    check_person_education, Direction, Education, EducationKind, PersonEducationDraft,
};
use domain::ids::{EducationId, PersonId};
use serde::Serialize;
use sqlx::{FromRow, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{is_unique_violation, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct PersonEducation {
    pub id: i64,
    pub person_id: i64,
    #[sqlx(try_from = "crate::error::Stored<EducationKind>")]
    pub kind: EducationKind,
    pub direction: String,
    pub completed_on: Option<String>,
    pub note: String,
    pub synthetic: i64,
    pub registered_at: i64,
}

impl PersonEducation {
    pub fn education(&self) -> Option<Education> {
        Some(Education::new(self.kind, Direction::parse(&self.direction)))
    }
    /// "specialistundersköterska (YH), inriktning demens"
    pub fn label(&self) -> String {
        Education::new(self.kind, Direction::parse(&self.direction)).label_sv()
    }
}

pub async fn for_person(db: &Db, person_id: PersonId) -> StoreResult<Vec<PersonEducation>> {
    Ok(sqlx::query_as(
        "SELECT id, person_id, kind, direction, completed_on, note, synthetic, registered_at \
         FROM person_educations WHERE person_id = $1 ORDER BY id",
    )
    .bind(person_id)
    .fetch_all(db.pool())
    .await?)
}

/// One registered education.
pub async fn get(db: &Db, education_id: EducationId) -> StoreResult<PersonEducation> {
    sqlx::query_as(
        "SELECT id, person_id, kind, direction, completed_on, note, synthetic, registered_at FROM person_educations WHERE id = $1",
    )
    .bind(education_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(StoreError::NotFound("utbildning"))
}

/// Register an education for a person. Refused (nothing changed) when the
/// value is unknown or already registered.
pub async fn register(
    db: &Db,
    who: &Who,
    person_id: PersonId,
    draft: &PersonEducationDraft,
) -> StoreResult<i64> {
    crate::people::get(db, person_id).await?;
    let today = chrono::Utc::now().date_naive();
    let checked = check_person_education(draft, today).map_err(StoreError::Invalid)?;
    let mut tx = db.begin().await?;
    let row = sqlx::query(
        "INSERT INTO person_educations (person_id, kind, direction, completed_on, note, synthetic, registered_by_account_id, registered_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7) RETURNING id",
    )
    .bind(person_id)
    .bind(checked.education.kind.code())
    .bind(checked.education.direction.map(|d| d.code()).unwrap_or(""))
    .bind(checked.completed_on.map(crate::time::date_str))
    .bind(&checked.note)
    .bind(who.account_id)
    .bind(crate::time::now())
    .fetch_one(&mut *tx)
    .await;
    let id: i64 = match row {
        Ok(r) => r.get("id"),
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::invalid(
                "kind",
                "duplicate",
                format!(
                    "{} är redan registrerad för personen.",
                    checked.education.label_sv()
                ),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        who,
        "education.register",
        "person_education",
        Some(id),
        Some(person_id.get()),
        &checked.education.label_sv(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Remove a registered education.
pub async fn remove(db: &Db, who: &Who, education_id: EducationId) -> StoreResult<()> {
    let ed = get(db, education_id).await?;
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM person_educations WHERE id = $1")
        .bind(education_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "education.remove",
        "person_education",
        Some(education_id.get()),
        Some(ed.person_id),
        &ed.label(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
