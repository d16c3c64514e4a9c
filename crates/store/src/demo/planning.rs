//! Demo planning of the term (synthetic): every active trainer's
//! availability for this term and the next, one week left out for the
//! trainer of the next coming session so its page shows the warning, and
//! places agreed with each municipality for the term's most planned
//! courses and a package. Agreements are stored with `synthetic = 1`; the
//! availability belongs to synthetic people and says so in its note.

use domain::ids::{CourseId, MunicipalityId, PackageId, PersonId};
use domain::planning::availability::AvailabilityDraft;
use domain::planning::requests::Week;
use domain::planning::term::Term;
use sqlx::Row;

use crate::audit::Who;
use crate::db::Db;
use crate::error::StoreResult;
use crate::planning::{availability, volumes};

pub async fn load(db: &Db) -> StoreResult<()> {
    let who = Who::system("demo");
    let today = crate::time::today();
    let term = Term::current_or_next(today);
    // The trainer of the next coming session, and that session's week.
    let next = sqlx::query(
        "SELECT t.person_id, s.starts_at FROM session_trainers t JOIN sessions s ON s.id = t.session_id \
         WHERE s.starts_at > $1 AND s.status IN ('planned', 'open', 'full') ORDER BY s.starts_at, s.id LIMIT 1",
    )
    .bind(crate::time::now())
    .fetch_optional(db.pool())
    .await?
    .map(|r| {
        (
            r.get::<i64, _>("person_id"),
            Week::of(crate::time::local_date(r.get("starts_at"))),
        )
    });
    let trainers: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM trainers WHERE active = 1 ORDER BY person_id LIMIT 50",
    )
    .fetch_all(db.pool())
    .await?;
    for (i, pid) in trainers.iter().enumerate() {
        for t in [term, term.next()] {
            let weeks: Vec<String> = t
                .weeks()
                .into_iter()
                .filter(|w| w.sunday() >= today)
                // Everyone has a week or two off; the next session's
                // trainer has that session's week off too.
                .filter(|w| !(w.week as usize + i).is_multiple_of(7))
                .filter(|w| next != Some((*pid, *w)))
                .map(|w| w.week.to_string())
                .collect();
            let days: &[&str] = if i.is_multiple_of(2) {
                &["mon", "tue", "wed", "thu"]
            } else {
                &["tue", "wed", "thu", "fri"]
            };
            let draft = AvailabilityDraft {
                weeks,
                weekdays: days.iter().map(|d| d.to_string()).collect(),
                max_per_week: (2 + i % 2).to_string(),
                note: "Syntetiska demodata.".into(),
            };
            availability::set(db, &who, PersonId(*pid), t, &draft, today).await?;
        }
    }
    // The courses with the most sessions this term, and one package.
    let from = crate::time::day_start(term.first_day());
    let to = crate::time::day_start(term.last_day() + chrono::Duration::days(1));
    let courses: Vec<i64> = sqlx::query_scalar(
        "SELECT course_id FROM sessions WHERE starts_at >= $1 AND starts_at < $2 AND status <> 'cancelled' \
         GROUP BY course_id ORDER BY COUNT(*) DESC, course_id LIMIT 3",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    let package: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM packages")
        .fetch_one(db.pool())
        .await?;
    let munis = crate::org::municipalities(db).await?;
    for m in &munis {
        // About one place per 150 employees, at least 4.
        let base = (m.employees.unwrap_or(600) / 150).clamp(4, 60);
        for (k, c) in courses.iter().enumerate() {
            let places = (base / (k as i64 + 1)).max(4);
            volumes::set_synthetic(
                db,
                &who,
                term,
                MunicipalityId(m.id),
                volumes::Item::Course(CourseId(*c)),
                places,
            )
            .await?;
        }
        if let Some(p) = package {
            volumes::set_synthetic(
                db,
                &who,
                term,
                MunicipalityId(m.id),
                volumes::Item::Package(PackageId(p)),
                (base / 4).max(2),
            )
            .await?;
        }
    }
    Ok(())
}
