//! The needs inventory per profession (behovsinventering) and the courses
//! that answer each need: one inventory, maintained by coordinators
//! (`/kompetens/behov`) and shown as a coverage matrix with the reports
//! ([`matrix`], derived from the linked courses' status so it follows the
//! catalogue). Other code reads it through [`list`], [`links`] and
//! [`matrix`].

use std::collections::HashMap;

use domain::catalogue::CourseStatus;
use domain::requirements::{
    check_need, need_status_from_courses, Certainty, NeedDraft, NeedStatus, Profession,
};
use serde::Serialize;
use sqlx::{FromRow, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{code, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct NeedRow {
    pub id: i64,
    pub code: Option<String>,
    pub profession: String,
    pub position: i64,
    pub title: String,
    #[sqlx(try_from = "crate::error::Stored<NeedStatus>")]
    pub status: NeedStatus,
    pub certainty: String,
    pub alternative_status: Option<String>,
    pub note: String,
    pub source: String,
    pub updated_at: i64,
}

/// A course linked to a need.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedCourse {
    pub course_id: i64,
    pub title: String,
    pub status: CourseStatus,
}

/// A need with its linked courses and the status they give it today.
#[derive(Debug, Clone, Serialize)]
pub struct NeedEntry {
    #[serde(flatten)]
    pub row: NeedRow,
    pub courses: Vec<LinkedCourse>,
    /// From the linked courses' lifecycle (`None` without linked courses).
    pub derived_status: Option<NeedStatus>,
}

impl NeedEntry {
    pub fn profession_label(&self) -> &'static str {
        Profession::parse(&self.row.profession)
            .map(|p| p.label_sv())
            .unwrap_or("")
    }
    pub fn status_label(&self) -> &'static str {
        self.row.status.label_sv()
    }
    pub fn derived_status_label(&self) -> &'static str {
        self.derived_status.map(|s| s.label_sv()).unwrap_or("")
    }
    pub fn certainty_label(&self) -> &'static str {
        Certainty::parse(&self.row.certainty)
            .map(|s| s.label_sv())
            .unwrap_or("")
    }
    /// The status to show: the linked courses' when there are any.
    pub fn current_status(&self) -> NeedStatus {
        self.derived_status.unwrap_or(self.row.status)
    }
    pub fn current_status_label(&self) -> &'static str {
        self.current_status().label_sv()
    }
}

/// Every need, by profession (in the source's order) then position.
pub async fn list(db: &Db) -> StoreResult<Vec<NeedEntry>> {
    let rows: Vec<NeedRow> = sqlx::query_as(
        "SELECT id, code, profession, position, title, status, certainty, alternative_status, note, source, updated_at FROM needs",
    )
    .fetch_all(db.pool())
    .await?;
    let mut courses: HashMap<i64, Vec<LinkedCourse>> = HashMap::new();
    for r in sqlx::query(
        "SELECT nc.need_id, c.id AS course_id, c.title, c.status FROM need_courses nc JOIN courses c ON c.id = nc.course_id ORDER BY c.title",
    )
    .fetch_all(db.pool())
    .await?
    {
        courses
            .entry(r.get("need_id"))
            .or_default()
            .push(LinkedCourse {
                course_id: r.get("course_id"),
                title: r.get("title"),
                status: code(&r, "status")?,
            });
    }
    let order = |p: &str| Profession::parse(p).map(|x| x as usize).unwrap_or(99);
    let mut v: Vec<NeedEntry> = rows
        .into_iter()
        .map(|row| {
            let cs = courses.remove(&row.id).unwrap_or_default();
            let statuses: Vec<CourseStatus> = cs.iter().map(|c| c.status).collect();
            NeedEntry {
                derived_status: need_status_from_courses(&statuses),
                courses: cs,
                row,
            }
        })
        .collect();
    v.sort_by(|a, b| {
        order(&a.row.profession)
            .cmp(&order(&b.row.profession))
            .then(a.row.position.cmp(&b.row.position))
            .then(a.row.id.cmp(&b.row.id))
    });
    Ok(v)
}

/// Every (need id, course id) link.
pub async fn links(db: &Db) -> StoreResult<Vec<(i64, i64)>> {
    Ok(
        sqlx::query("SELECT need_id, course_id FROM need_courses ORDER BY need_id, course_id")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get("need_id"), r.get("course_id")))
            .collect(),
    )
}

pub async fn get(db: &Db, id: i64) -> StoreResult<NeedEntry> {
    list(db)
        .await?
        .into_iter()
        .find(|n| n.row.id == id)
        .ok_or(StoreError::NotFound("behov"))
}

async fn check_courses(db: &Db, course_ids: &[i64]) -> StoreResult<()> {
    let known: Vec<i64> = sqlx::query_scalar("SELECT id FROM courses")
        .fetch_all(db.pool())
        .await?;
    if let Some(bad) = course_ids.iter().find(|c| !known.contains(c)) {
        return Err(StoreError::invalid(
            "course_ids",
            "invalid_course",
            format!("Okänd kurs {bad}."),
        ));
    }
    Ok(())
}

/// Add a need at the end of its profession's list (coordinators:
/// `ManageNeedsInventory`, decided by the caller, as for the other
/// changes here).
pub async fn create(db: &Db, who: &Who, d: &NeedDraft, course_ids: &[i64]) -> StoreResult<i64> {
    let n = check_need(d).map_err(StoreError::Invalid)?;
    check_courses(db, course_ids).await?;
    let mut tx = db.begin().await?;
    let pos: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM needs WHERE profession = $1",
    )
    .bind(n.profession.code())
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = sqlx::query(
        "INSERT INTO needs (code, profession, position, title, status, certainty, note, source, updated_at, updated_by_account_id) \
         VALUES (NULL, $1, $2, $3, $4, $5, $6, '', $7, $8) RETURNING id",
    )
    .bind(n.profession.code())
    .bind(pos)
    .bind(&n.title)
    .bind(n.status.code())
    .bind(n.certainty.code())
    .bind(&n.note)
    .bind(crate::time::now())
    .bind(who.account_id)
    .fetch_one(&mut *tx)
    .await?
    .get("id");
    set_links(&mut tx, id, course_ids).await?;
    audit::record(
        &mut tx,
        who,
        "need.create",
        "need",
        Some(id),
        None,
        &n.title,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Change a need and replace its course links.
pub async fn update(
    db: &Db,
    who: &Who,
    id: i64,
    d: &NeedDraft,
    course_ids: &[i64],
) -> StoreResult<()> {
    let old = get(db, id).await?;
    let n = check_need(d).map_err(StoreError::Invalid)?;
    check_courses(db, course_ids).await?;
    let mut tx = db.begin().await?;
    let position = if old.row.profession == n.profession.code() {
        old.row.position
    } else {
        sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM needs WHERE profession = $1")
            .bind(n.profession.code())
            .fetch_one(&mut *tx)
            .await?
    };
    sqlx::query(
        "UPDATE needs SET profession = $1, position = $2, title = $3, status = $4, certainty = $5, note = $6, updated_at = $7, \
         updated_by_account_id = $8 WHERE id = $9",
    )
    .bind(n.profession.code())
    .bind(position)
    .bind(&n.title)
    .bind(n.status.code())
    .bind(n.certainty.code())
    .bind(&n.note)
    .bind(crate::time::now())
    .bind(who.account_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    set_links(&mut tx, id, course_ids).await?;
    audit::record(
        &mut tx,
        who,
        "need.update",
        "need",
        Some(id),
        None,
        &n.title,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete(db: &Db, who: &Who, id: i64) -> StoreResult<()> {
    let old = get(db, id).await?;
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM need_courses WHERE need_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM needs WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        who,
        "need.delete",
        "need",
        Some(id),
        None,
        &old.row.title,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn set_links(tx: &mut crate::Tx, need_id: i64, course_ids: &[i64]) -> StoreResult<()> {
    sqlx::query("DELETE FROM need_courses WHERE need_id = $1")
        .bind(need_id)
        .execute(&mut **tx)
        .await?;
    let mut seen = vec![];
    for c in course_ids {
        if seen.contains(c) {
            continue;
        }
        seen.push(*c);
        sqlx::query("INSERT INTO need_courses (need_id, course_id) VALUES ($1, $2)")
            .bind(need_id)
            .bind(c)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

// The coverage matrix ----------------------------------------------------------

/// A need's column in the coverage matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Coverage {
    Levererat,
    UnderUtveckling,
    Risk,
}

impl Coverage {
    pub fn label_sv(self) -> &'static str {
        match self {
            Coverage::Levererat => "levererat",
            Coverage::UnderUtveckling => "under utveckling",
            Coverage::Risk => "risk att ej leverera",
        }
    }
    pub fn css(self) -> &'static str {
        match self {
            Coverage::Levererat => "ok",
            Coverage::UnderUtveckling => "dev",
            Coverage::Risk => "risk",
        }
    }
    /// An active course delivers the need; one under development or in
    /// test is on its way; paused, retired or no course is a risk (see
    /// `domain::requirements::need_status_from_courses`).
    pub fn from_course_statuses(statuses: &[CourseStatus]) -> Coverage {
        match need_status_from_courses(statuses) {
            Some(NeedStatus::Levererat) => Coverage::Levererat,
            Some(NeedStatus::UnderUtveckling) => Coverage::UnderUtveckling,
            _ => Coverage::Risk,
        }
    }
}

/// One need in the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Need {
    pub code: String,
    pub profession: String,
    pub item: String,
    /// The status recorded (from the annual report, or as last maintained).
    pub reported_status: String,
    pub certainty: String,
    /// (course id, title, lifecycle status)
    pub courses: Vec<(i64, String, CourseStatus)>,
    pub coverage: Coverage,
}

/// Load the inventory from the annual report if it is empty.
pub async fn ensure_loaded(db: &Db) -> StoreResult<()> {
    load_seed(db).await.map(|_| ())
}

/// The matrix: every need with its linked courses and derived coverage.
pub async fn matrix(db: &Db) -> StoreResult<Vec<Need>> {
    ensure_loaded(db).await?;
    Ok(list(db)
        .await?
        .into_iter()
        .map(|n| {
            let courses: Vec<(i64, String, CourseStatus)> = n
                .courses
                .iter()
                .map(|c| (c.course_id, c.title.clone(), c.status))
                .collect();
            let statuses: Vec<CourseStatus> = courses.iter().map(|c| c.2).collect();
            Need {
                code: n.row.code.clone().unwrap_or_default(),
                profession: n.profession_label().to_string(),
                item: n.row.title.clone(),
                reported_status: n.status_label().to_string(),
                certainty: n.certainty_label().to_string(),
                coverage: Coverage::from_course_statuses(&statuses),
                courses,
            }
        })
        .collect())
}

const NEEDS_CSV: &str = include_str!("../../../seed/needs_inventory.csv");

fn profession_code(sv: &str) -> Option<&'static str> {
    Profession::parse(sv).map(|p| p.code())
}

/// Load the annual report's needs inventory if the table is empty, linking
/// each need to the catalogue course of the same entry (K001 ↔ B001) and to
/// the planned course named in the source, where those courses exist.
/// Returns the number of needs loaded.
pub async fn load_seed(db: &Db) -> StoreResult<usize> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM needs")
        .fetch_one(db.pool())
        .await?;
    if n > 0 {
        return Ok(0);
    }
    let codes: HashMap<String, i64> =
        sqlx::query("SELECT code, id FROM courses WHERE code IS NOT NULL")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get("code"), r.get("id")))
            .collect();
    // Planned courses by their name in the source ("Sårvård baspersonal").
    let planned: HashMap<String, i64> =
        sqlx::query("SELECT title, id FROM courses WHERE planned_term <> ''")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get::<String, _>("title").to_lowercase(), r.get("id")))
            .collect();
    let mut r = csv::Reader::from_reader(NEEDS_CSV.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| anyhow::anyhow!("needs_inventory.csv: {e}"))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .expect("needs_inventory.csv column")
    };
    let (c_id, c_prof, c_pos, c_item, c_status, c_cert, c_alt, c_note, c_planned, c_source) = (
        col("need_id"),
        col("profession_sv"),
        col("table_position"),
        col("need_item_sv"),
        col("status"),
        col("column_certainty"),
        col("alternative_status"),
        col("reconstruction_note_sv"),
        col("related_planned_course_sv"),
        col("source"),
    );
    let mut tx = db.begin().await?;
    let mut count = 0;
    for rec in r.records() {
        let rec = rec.map_err(|e| anyhow::anyhow!("needs_inventory.csv: {e}"))?;
        let code = rec[c_id].to_string();
        let prof = profession_code(&rec[c_prof])
            .ok_or_else(|| anyhow::anyhow!("okänd yrkesgrupp {}", &rec[c_prof]))?;
        let status = NeedStatus::parse(&rec[c_status])
            .ok_or_else(|| anyhow::anyhow!("okänd status {}", &rec[c_status]))?;
        let certainty = Certainty::parse(&rec[c_cert]).unwrap_or(Certainty::Hog);
        let alt = NeedStatus::parse(&rec[c_alt]).map(|s| s.code());
        let id: i64 = sqlx::query(
            "INSERT INTO needs (code, profession, position, title, status, certainty, alternative_status, note, source, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&code)
        .bind(prof)
        .bind(rec[c_pos].parse::<i64>().unwrap_or(0))
        .bind(&rec[c_item])
        .bind(status.code())
        .bind(certainty.code())
        .bind(alt)
        .bind(&rec[c_note])
        .bind(&rec[c_source])
        .bind(crate::time::now())
        .fetch_one(&mut *tx)
        .await?
        .get("id");
        let mut course_ids = vec![];
        // The same entry in courses.csv: B001 ↔ K001.
        if let Some(c) = codes.get(&code.replacen('B', "K", 1)) {
            course_ids.push(*c);
        }
        // "Sårvård baspersonal (Hösten 2026)" → the planned course.
        let planned_name = rec[c_planned]
            .split(" (")
            .next()
            .unwrap_or("")
            .trim()
            .to_lowercase();
        if let Some(c) = planned.get(&planned_name) {
            course_ids.push(*c);
        }
        set_links(&mut tx, id, &course_ids).await?;
        count += 1;
    }
    audit::record(
        &mut tx,
        &Who::system("seed"),
        "need.seed",
        "need",
        None,
        None,
        &format!("{count} behov"),
    )
    .await?;
    tx.commit().await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_follows_course_status() {
        use CourseStatus::*;
        assert_eq!(
            Coverage::from_course_statuses(&[Pausad, Aktiv]),
            Coverage::Levererat
        );
        assert_eq!(
            Coverage::from_course_statuses(&[UnderUtveckling]),
            Coverage::UnderUtveckling
        );
        assert_eq!(
            Coverage::from_course_statuses(&[Test, Pausad]),
            Coverage::UnderUtveckling
        );
        assert_eq!(
            Coverage::from_course_statuses(&[Pausad, Avvecklad]),
            Coverage::Risk
        );
        assert_eq!(Coverage::from_course_statuses(&[]), Coverage::Risk);
    }
}
