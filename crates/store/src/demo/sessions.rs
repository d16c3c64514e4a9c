//! Synthetic upcoming sessions with trainers and bookings.
use crate::audit::Who;
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::sessions::{create, NewSession};
use domain::catalogue::CourseStatus;
use domain::sessions::{check_session, Interval, Quota, SessionDraft};

/// Synthetic upcoming sessions for the active courses around the county,
/// with trainers and some bookings (all marked `synthetic = 1`).
pub async fn load(db: &Db) -> StoreResult<()> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261124);
    let who = Who::system("demo");
    let munis = crate::org::municipalities(db).await?;
    let courses = crate::catalogue::list(db, Some(CourseStatus::Aktiv)).await?;
    let trainer_ids: Vec<i64> =
        sqlx::query_scalar("SELECT person_id FROM trainers WHERE active = 1")
            .fetch_all(db.pool())
            .await?;
    let today = crate::time::now();
    let base = domain::sessions::utc_to_stockholm(today).date();
    let mut n = 0i64;
    for (ci, course) in courses.iter().enumerate() {
        for k in 0..2 {
            n += 1;
            let m = &munis[(ci * 5 + k * 7) % munis.len()];
            let day = base + chrono::Duration::days(7 + (n * 5) % 70);
            let (h0, h1) = if n % 2 == 0 { (9, 12) } else { (13, 16) };
            let to_ts = |h: u32| {
                domain::sessions::stockholm_to_utc(day.and_hms_opt(h, 0, 0).expect("time"))
                    .unwrap_or(today + 86_400)
            };
            let quotas = if k == 0 && ci % 3 == 0 {
                vec![Quota {
                    municipality_id: m.id,
                    seats: (course.default_capacity / 3).max(1),
                    release_at: to_ts(h0) - 14 * 86_400,
                }]
            } else {
                vec![]
            };
            let checked = check_session(
                &SessionDraft {
                    parts: vec![Interval::new(to_ts(h0), to_ts(h1))],
                    capacity: course.default_capacity,
                    quotas: quotas
                        .into_iter()
                        .filter(|q| q.release_at > today)
                        .collect(),
                    registration_opens_at: None,
                    registration_closes_at: None,
                },
                today,
            )
            .map_err(StoreError::Invalid)?;
            let trainers = trainer_ids
                .first()
                .filter(|_| n % 2 == 1)
                .copied()
                .into_iter()
                .collect();
            let new = NewSession {
                course_id: course.id,
                municipality_id: m.id,
                venue: format!("Vård- och omsorgscentrum {}", m.name),
                language_support: course.language_support.clone(),
                checked,
                trainer_person_ids: trainers,
            };
            // Overlaps for the one demo trainer are skipped rather than failing the demo.
            let id = match create(db, &who, &new).await {
                Ok(id) => id,
                Err(StoreError::Invalid(_)) => {
                    create(
                        db,
                        &who,
                        &NewSession {
                            trainer_person_ids: vec![],
                            ..new
                        },
                    )
                    .await?
                }
                Err(e) => return Err(e),
            };
            sqlx::query("UPDATE sessions SET synthetic = 1 WHERE id = $1")
                .bind(id)
                .execute(db.writer())
                .await?;
            // Book a share of the seats with staff from the session's municipality.
            let staff: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM people WHERE municipality_id = $1 AND synthetic = 1 AND active = 1 AND email NOT LIKE '%@demo.navet.se' ORDER BY id",
            )
            .bind(m.id)
            .fetch_all(db.pool())
            .await?;
            let want = if n % 5 == 0 {
                course.default_capacity + 2
            } else {
                rng.random_range(0..=course.default_capacity * 2 / 3)
            } as usize;
            let reqs: Vec<crate::bookings::BookRequest> = staff
                .iter()
                .skip(rng.random_range(0..staff.len().max(1)))
                .chain(staff.iter())
                .take(want.min(staff.len()))
                .map(|p| crate::bookings::BookRequest {
                    session_id: id,
                    person_id: *p,
                    who: who.clone(),
                    via: crate::bookings::Via::Manager,
                    support_needs: String::new(),
                    hold_id: None,
                })
                .collect();
            crate::bookings::book_batch(db, &reqs).await;
        }
    }
    // Demo notices are not for real people: mark them delivered.
    sqlx::query("UPDATE outbox SET sent_at = created_at WHERE sent_at IS NULL")
        .execute(db.writer())
        .await?;
    Ok(())
}
