//! Planning the term with the municipalities: session requests and their
//! answers (`requests`), interest in courses and the demand per course and
//! municipality (`interest`).

pub mod availability;
pub mod bus_factor;
pub mod go_no_go;
pub mod interest;
pub mod requests;
pub mod volumes;

use crate::db::Db;
use crate::error::StoreResult;

/// The coordinator's start-page cards for planning.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Glance {
    /// Sessions at or past their go/no-go date with fewer booked than the minimum.
    pub under_minimum: i64,
    /// Requests not answered yet.
    pub open_requests: i64,
    /// Courses still given with fewer than two qualified, active trainers.
    pub person_dependent: i64,
}

pub async fn glance(db: &Db, today: chrono::NaiveDate, now: i64) -> StoreResult<Glance> {
    Ok(Glance {
        under_minimum: go_no_go::due_count(db, today, now).await?,
        open_requests: sqlx::query_scalar(
            "SELECT COUNT(*) FROM session_requests WHERE status = 'open'",
        )
        .fetch_one(db.pool())
        .await?,
        person_dependent: bus_factor::person_dependent(db).await?.len() as i64,
    })
}
