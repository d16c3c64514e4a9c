//! Demo trainers and an absence for the cover page.
use crate::audit::Who;
use crate::cover::add_absence;
use crate::db::Db;
use crate::error::StoreResult;
use domain::ids::{MunicipalityId, PersonId};
use sqlx::Row;

/// Demo: a handful of trainers (synthetic people in three more
/// municipalities, qualified for the active courses), and the demo
/// trainer away on the day of their next session, so the cover page has
/// something to solve.
pub async fn load(db: &Db) -> StoreResult<()> {
    let who = Who::system("demo");
    let courses: Vec<i64> = sqlx::query_scalar("SELECT id FROM courses WHERE status = 'aktiv'")
        .fetch_all(db.pool())
        .await?;
    for town in ["Karlskoga", "Lindesberg", "Örebro"] {
        let pick = sqlx::query(
            "SELECT p.id, p.municipality_id FROM people p JOIN municipalities m ON m.id = p.municipality_id \
             WHERE m.name = $1 AND p.synthetic = 1 AND p.active = 1 \
             AND p.id NOT IN (SELECT person_id FROM trainers) \
             AND p.id NOT IN (SELECT person_id FROM accounts WHERE person_id IS NOT NULL) \
             ORDER BY p.id LIMIT 1",
        )
        .bind(town)
        .fetch_optional(db.pool())
        .await?;
        if let Some(r) = pick {
            let (id, home): (i64, i64) = (r.get("id"), r.get("municipality_id"));
            crate::trainers::upsert(db, &who, PersonId(id), MunicipalityId(home), true).await?;
            crate::trainers::set_courses(db, &who, PersonId(id), &courses).await?;
        }
    }
    let next = sqlx::query(
        "SELECT t.person_id, s.starts_at FROM session_trainers t JOIN sessions s ON s.id = t.session_id \
         WHERE s.starts_at > $1 AND s.status IN ('planned', 'open', 'full') ORDER BY s.starts_at, s.id LIMIT 1",
    )
    .bind(crate::time::now())
    .fetch_optional(db.pool())
    .await?;
    if let Some(r) = next {
        let day = crate::time::local_date(r.get("starts_at"));
        add_absence(db, &who, r.get("person_id"), day, day).await?;
    }
    Ok(())
}
