//! The needs inventory per profession (from the 2025 annual report) linked
//! to courses; coverage is derived from the linked courses' status, so the
//! matrix follows the catalogue as courses change status.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;

use crate::db::Db;
use crate::error::StoreResult;

const NEEDS_CSV: &str = include_str!("../../../seed/needs_inventory.csv");

/// Coverage of a need.
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
    /// test is on its way; paused, retired or no course is a risk.
    pub fn from_course_statuses(statuses: &[String]) -> Coverage {
        if statuses.iter().any(|s| s == "aktiv") {
            Coverage::Levererat
        } else if statuses
            .iter()
            .any(|s| s == "under_utveckling" || s == "test")
        {
            Coverage::UnderUtveckling
        } else {
            Coverage::Risk
        }
    }
}

/// Load the inventory and link it to courses by title and target group
/// (once; later calls do nothing).
pub async fn ensure_loaded(db: &Db) -> StoreResult<()> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM needs_items")
        .fetch_one(db.pool())
        .await?;
    if n > 0 {
        return Ok(());
    }
    let courses: Vec<(i64, String, String)> =
        sqlx::query("SELECT id, title, target_group FROM courses")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    r.get::<String, _>(1).to_lowercase(),
                    r.get::<String, _>(2),
                )
            })
            .collect();
    let mut tx = db.begin().await?;
    let mut rdr = csv::Reader::from_reader(NEEDS_CSV.as_bytes());
    let headers = rdr.headers().map_err(anyhow::Error::from)?.clone();
    for rec in rdr.records() {
        let rec = rec.map_err(anyhow::Error::from)?;
        let f: HashMap<&str, &str> = headers.iter().zip(rec.iter()).collect();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO needs_items (code, profession, position, item, reported_status, certainty) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(f["need_id"])
        .bind(f["profession_sv"])
        .bind(f["table_position"].parse::<i64>().unwrap_or(0))
        .bind(f["need_item_sv"])
        .bind(f["status"])
        .bind(f["column_certainty"])
        .fetch_one(&mut *tx)
        .await?;
        let item = f["need_item_sv"].to_lowercase();
        let group = f["profession_sv"];
        let planned = f["related_planned_course_sv"]
            .split(" (")
            .next()
            .unwrap_or("")
            .trim()
            .to_lowercase();
        for (cid, title, tg) in &courses {
            let same_need =
                tg == group && (*title == item || title.starts_with(&format!("{item} (")));
            let planned_course = !planned.is_empty() && *title == planned;
            if same_need || planned_course {
                sqlx::query("INSERT INTO needs_item_courses (need_id, course_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(id)
                    .bind(cid)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Need {
    pub code: String,
    pub profession: String,
    pub item: String,
    pub reported_status: String,
    pub certainty: String,
    pub courses: Vec<(i64, String, String)>,
    pub coverage: Coverage,
}

/// The matrix: every need with its linked courses and derived coverage.
pub async fn matrix(db: &Db) -> StoreResult<Vec<Need>> {
    ensure_loaded(db).await?;
    let items = sqlx::query("SELECT id, code, profession, item, reported_status, certainty FROM needs_items ORDER BY profession, position")
        .fetch_all(db.pool())
        .await?;
    let links = sqlx::query(
        "SELECT l.need_id, c.id, c.title, c.status FROM needs_item_courses l JOIN courses c ON c.id = l.course_id ORDER BY c.title",
    )
    .fetch_all(db.pool())
    .await?;
    let mut by_need: HashMap<i64, Vec<(i64, String, String)>> = HashMap::new();
    for l in &links {
        by_need
            .entry(l.get(0))
            .or_default()
            .push((l.get(1), l.get(2), l.get(3)));
    }
    Ok(items
        .iter()
        .map(|r| {
            let courses = by_need.remove(&r.get::<i64, _>(0)).unwrap_or_default();
            let statuses: Vec<String> = courses.iter().map(|c| c.2.clone()).collect();
            Need {
                code: r.get(1),
                profession: r.get(2),
                item: r.get(3),
                reported_status: r.get(4),
                certainty: r.get(5),
                coverage: Coverage::from_course_statuses(&statuses),
                courses,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_follows_course_status() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            Coverage::from_course_statuses(&s(&["pausad", "aktiv"])),
            Coverage::Levererat
        );
        assert_eq!(
            Coverage::from_course_statuses(&s(&["under_utveckling"])),
            Coverage::UnderUtveckling
        );
        assert_eq!(
            Coverage::from_course_statuses(&s(&["test", "pausad"])),
            Coverage::UnderUtveckling
        );
        assert_eq!(
            Coverage::from_course_statuses(&s(&["pausad", "avvecklad"])),
            Coverage::Risk
        );
        assert_eq!(Coverage::from_course_statuses(&[]), Coverage::Risk);
    }
}
