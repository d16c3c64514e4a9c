//! Funding sources for the demo (SYNTHETIC): besides the programme's own
//! source (made when the programme is saved), a state grant and the
//! municipalities' own budget, each named "(syntetisk demo)". The demo's
//! sessions within the programme period get the programme's source; every
//! session of the dementia-care courses gets the state grant instead (whole
//! courses, so nobody is funded twice for one course).

use sqlx::Row;

use crate::db::Db;
use crate::error::StoreResult;

pub const STATE_GRANT: &str = "Äldreomsorgslyftet (syntetisk demo)";
pub const OWN_BUDGET: &str = "Kommunens egen budget (syntetisk demo)";

pub async fn load(db: &Db) -> StoreResult<()> {
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let mut ids = vec![];
    for (name, kind, exclusive) in [(STATE_GRANT, "state", 1_i64), (OWN_BUDGET, "municipal", 0)] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO funding_sources (name, kind, exclusive, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(name)
        .bind(kind)
        .bind(exclusive)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        ids.push(id);
    }
    let programme = sqlx::query(
        "SELECT f.id, g.starts_on, g.ends_on FROM funding_sources f JOIN funding_programmes g ON g.id = f.programme_id \
         WHERE g.current = 1 ORDER BY g.id DESC LIMIT 1",
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(p) = programme {
        let date = |s: String| crate::time::parse_date(&s);
        if let (Some(from), Some(to)) = (date(p.get("starts_on")), date(p.get("ends_on"))) {
            sqlx::query(
                "UPDATE sessions SET funding_source_id = $1 WHERE funding_source_id IS NULL \
                 AND starts_at >= $2 AND starts_at < $3",
            )
            .bind(p.get::<i64, _>("id"))
            .bind(crate::time::day_start(from))
            .bind(crate::time::day_start(to.succ_opt().unwrap_or(to)))
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query(
        "UPDATE sessions SET funding_source_id = $1 WHERE course_id IN \
         (SELECT id FROM courses WHERE LOWER(title) LIKE '%demens%')",
    )
    .bind(ids[0])
    .execute(&mut *tx)
    .await?;
    crate::reports::rebuild_facts_in(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}
