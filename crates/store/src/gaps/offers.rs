//! Upcoming sessions of the courses that close gaps, with free seats.

use super::*;

/// An upcoming session of a course, with its free seats.
#[derive(Debug, Clone, Serialize)]
pub struct SessionOffer {
    pub session_id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub municipality: String,
    pub venue: String,
    pub capacity: i64,
    pub booked: i64,
    pub free: i64,
    pub status: domain::sessions::SessionStatus,
}

impl SessionOffer {
    /// "2026-03-14 13:00" in Europe/Stockholm.
    pub fn starts_label(&self) -> String {
        crate::time::local_label(self.starts_at)
    }
    pub fn starts_on(&self) -> NaiveDate {
        crate::time::local_date(self.starts_at)
    }
}

/// The next sessions (not cancelled, not yet started) of each course, up to
/// `per_course` each, soonest first.
pub async fn next_sessions(
    db: &Db,
    course_ids: &[i64],
    per_course: usize,
) -> StoreResult<HashMap<i64, Vec<SessionOffer>>> {
    let mut out: HashMap<i64, Vec<SessionOffer>> = HashMap::new();
    if course_ids.is_empty() {
        return Ok(out);
    }
    let ids: Vec<String> = course_ids.iter().map(|i| i.to_string()).collect();
    let rows = sqlx::query(&format!(
        "SELECT s.id, s.course_id, c.title, s.starts_at, s.ends_at, m.name, s.venue, s.capacity, s.status, \
         (SELECT COUNT(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'booked') AS booked \
         FROM sessions s JOIN courses c ON c.id = s.course_id JOIN municipalities m ON m.id = s.municipality_id \
         WHERE s.course_id IN ({}) AND s.starts_at > $1 AND s.status IN ('planned', 'open', 'full') \
         AND (s.registration_opens_at IS NULL OR s.registration_opens_at <= $1) \
         AND (s.registration_closes_at IS NULL OR s.registration_closes_at > $1) \
         ORDER BY s.starts_at, s.id",
        ids.join(",")
    ))
    .bind(crate::time::now())
    .fetch_all(db.pool())
    .await?;
    for r in rows {
        let course_id: i64 = r.get("course_id");
        let v = out.entry(course_id).or_default();
        if v.len() >= per_course {
            continue;
        }
        let capacity: i64 = r.get("capacity");
        let booked: i64 = r.get("booked");
        v.push(SessionOffer {
            session_id: r.get("id"),
            course_id,
            course_title: r.get("title"),
            starts_at: r.get("starts_at"),
            ends_at: r.get("ends_at"),
            municipality: r.get("name"),
            venue: r.get("venue"),
            capacity,
            booked,
            free: (capacity - booked).max(0),
            status: crate::error::code(&r, "status")?,
        });
    }
    Ok(out)
}
