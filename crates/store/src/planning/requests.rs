//! A municipality's request for a local session and the hub's answer
//! (planned as a session, merged with another request, declined). The
//! requester — and whoever asked in a request merged into this one — is
//! told through the outbox, in the same transaction as the answer.

use domain::access::Visibility;
use domain::catalogue::CourseStatus;
use domain::ids::{CourseId, UnitId};
use domain::planning::requests::{
    answer_notice, check_answer, Answer, AnswerDraft, AnswerRefusal, AnswerText, CheckedRequest,
    RequestFacts, RequestStatus, SessionFacts, TimeOfDay, Week,
};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

/// The most requests one page of a list shows.
pub const PAGE: i64 = 50;

/// A request with the names a page shows.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct RequestView {
    pub id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub municipality_id: i64,
    pub municipality: String,
    pub unit_id: Option<i64>,
    pub unit: Option<String>,
    pub place: String,
    pub participants: i64,
    pub first_week: String,
    pub last_week: String,
    pub weekdays: String,
    pub times: String,
    pub note: String,
    pub requested_by_account_id: Option<i64>,
    pub requested_by: Option<String>,
    pub created_at: i64,
    #[sqlx(try_from = "crate::error::Stored<RequestStatus>")]
    pub status: RequestStatus,
    pub session_id: Option<i64>,
    pub session_starts_at: Option<i64>,
    pub merged_into_request_id: Option<i64>,
    pub decline_reason: String,
    pub answered_at: Option<i64>,
}

impl RequestView {
    pub fn status(&self) -> RequestStatus {
        self.status
    }
    pub fn status_label(&self) -> &'static str {
        self.status().label_sv()
    }
    /// "vecka 12–14 2027" or "vecka 12 2027".
    pub fn weeks_sv(&self) -> String {
        match (Week::parse(&self.first_week), Week::parse(&self.last_week)) {
            (Some(f), Some(l)) if f == l => f.label_sv(),
            (Some(f), Some(l)) if f.year == l.year => {
                format!("vecka {}–{} {}", f.week, l.week, f.year)
            }
            (Some(f), Some(l)) => format!("{} – {}", f.label_sv(), l.label_sv()),
            _ => self.first_week.clone(),
        }
    }
    pub fn weekdays_sv(&self) -> String {
        let days: Vec<&str> = self
            .weekdays
            .split(',')
            .filter_map(domain::planning::requests::parse_weekday)
            .map(domain::planning::requests::weekday_sv)
            .collect();
        if days.is_empty() {
            "alla dagar".into()
        } else {
            days.join(", ")
        }
    }
    pub fn times_sv(&self) -> String {
        self.times
            .split(',')
            .filter_map(TimeOfDay::parse)
            .map(|t| t.label_sv())
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn facts(&self) -> RequestFacts {
        RequestFacts {
            id: self.id,
            course_id: self.course_id,
            status: self.status(),
        }
    }
}

const SELECT: &str = "SELECT r.id, r.course_id, c.title AS course_title, r.municipality_id, m.name AS municipality, \
    r.unit_id, u.name AS unit, r.place, r.participants, r.first_week, r.last_week, r.weekdays, r.times, r.note, \
    r.requested_by_account_id, a.display_name AS requested_by, r.created_at, r.status, r.session_id, \
    s.starts_at AS session_starts_at, r.merged_into_request_id, r.decline_reason, r.answered_at \
    FROM session_requests r JOIN courses c ON c.id = r.course_id JOIN municipalities m ON m.id = r.municipality_id \
    LEFT JOIN units u ON u.id = r.unit_id LEFT JOIN accounts a ON a.id = r.requested_by_account_id \
    LEFT JOIN sessions s ON s.id = r.session_id";

/// Where the request is for: a municipality and maybe one of its units.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub municipality_id: i64,
    pub unit_id: Option<i64>,
}

/// Check that the course may be asked for and the unit lies in the
/// municipality; every problem named by field.
pub async fn check_target(db: &Db, course_id: CourseId, place: Place) -> StoreResult<()> {
    let mut e = domain::FieldErrors::new();
    match crate::catalogue::get(db, course_id).await {
        Ok(c) => {
            if c.status == CourseStatus::Avvecklad {
                e.add(
                    "course_id",
                    "course_retired",
                    "Kursen är avvecklad och ges inte längre.",
                );
            }
        }
        Err(StoreError::NotFound(_)) => e.add("course_id", "unknown_course", "Kursen finns inte."),
        Err(other) => return Err(other),
    }
    let m = crate::org::municipalities(db).await?;
    if !m.iter().any(|m| m.id == place.municipality_id) {
        e.add(
            "municipality_id",
            "unknown_municipality",
            "Kommunen finns inte.",
        );
    }
    if let Some(u) = place.unit_id {
        match crate::org::unit(db, UnitId(u)).await {
            Ok(unit) if unit.municipality_id == place.municipality_id => {}
            Ok(_) => e.add(
                "unit_id",
                "unit_elsewhere",
                "Enheten ligger i en annan kommun än den valda.",
            ),
            Err(StoreError::NotFound(_)) => e.add("unit_id", "unknown_unit", "Enheten finns inte."),
            Err(other) => return Err(other),
        }
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(e))
    }
}

/// Store a checked request; its id.
pub async fn create(
    db: &Db,
    who: &Who,
    course_id: CourseId,
    place: Place,
    r: &CheckedRequest,
) -> StoreResult<i64> {
    check_target(db, course_id, place).await?;
    let mut tx = db.begin().await?;
    let now = crate::time::now();
    let id: i64 = sqlx::query(
        "INSERT INTO session_requests (course_id, municipality_id, unit_id, place, participants, first_week, last_week, \
         weekdays, times, note, requested_by_account_id, created_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'open') RETURNING id",
    )
    .bind(course_id)
    .bind(place.municipality_id)
    .bind(place.unit_id)
    .bind(&r.place)
    .bind(r.participants)
    .bind(r.first_week.code())
    .bind(r.last_week.code())
    .bind(r.weekdays_code())
    .bind(r.times_code())
    .bind(&r.note)
    .bind(who.account_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .get("id");
    audit::record(
        &mut tx,
        who,
        "session_request.create",
        "session_request",
        Some(id),
        None,
        &format!(
            "kurs {course_id}, kommun {}, {} personer",
            place.municipality_id, r.participants
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn get(db: &Db, id: i64) -> StoreResult<RequestView> {
    sqlx::query_as(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("förfrågan"))
}

/// What a list of requests is limited to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<RequestStatus>,
    pub course_id: Option<i64>,
    /// Keyset pagination: requests with a lower id (older) than this.
    pub before_id: Option<i64>,
}

/// The SQL condition for what `vis` may see (ids are integers, written
/// into the statement; nothing typed by a user is).
fn visible_sql(vis: &Visibility) -> String {
    match vis.restriction() {
        None => "1 = 1".into(),
        Some(s) if s.is_empty() => "1 = 0".into(),
        Some(s) => {
            let list = |ids: &[i64]| {
                if ids.is_empty() {
                    "NULL".to_string()
                } else {
                    ids.iter()
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            format!(
                "(r.unit_id IN ({}) OR r.municipality_id IN ({}))",
                list(&s.unit_ids),
                list(&s.municipality_ids)
            )
        }
    }
}

/// Newest first, at most [`PAGE`] requests, within what `vis` may see.
pub async fn list(db: &Db, vis: &Visibility, f: &Filter) -> StoreResult<Vec<RequestView>> {
    let mut sql = format!("{SELECT} WHERE {}", visible_sql(vis));
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if f.status.is_some() {
        sql.push_str(&format!(" AND r.status = {}", next()));
    }
    if f.course_id.is_some() {
        sql.push_str(&format!(" AND r.course_id = {}", next()));
    }
    if f.before_id.is_some() {
        sql.push_str(&format!(" AND r.id < {}", next()));
    }
    sql.push_str(&format!(" ORDER BY r.id DESC LIMIT {PAGE}"));
    let mut q = sqlx::query_as::<_, RequestView>(&sql);
    if let Some(s) = f.status {
        q = q.bind(s.code());
    }
    if let Some(c) = f.course_id {
        q = q.bind(c);
    }
    if let Some(b) = f.before_id {
        q = q.bind(b);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

/// Open requests for the same course (to merge with), at most [`PAGE`].
pub async fn merge_candidates(db: &Db, r: &RequestView) -> StoreResult<Vec<RequestView>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE r.course_id = $1 AND r.id <> $2 AND r.status IN ('open', 'planned') \
         ORDER BY r.id DESC LIMIT {PAGE}"
    ))
    .bind(r.course_id)
    .bind(r.id)
    .fetch_all(db.pool())
    .await?)
}

/// What an answer did: the request's new status and how many were told.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerReport {
    pub status: &'static str,
    pub notices: usize,
}

async fn session_facts(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<SessionFacts>> {
    match crate::sessions::row(conn, id, "").await {
        Ok(r) => Ok(Some(SessionFacts {
            id: r.id,
            course_id: r.course_id,
            starts_at: r.starts_at,
            is_final: r.stored_status().is_final(),
        })),
        Err(StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Answer a request; the requester (and those whose requests were merged
/// into it, when it is planned) get a notice in the same transaction. Two
/// coordinators answering at once: the second gets a conflict.
pub async fn answer(
    db: &Db,
    who: &Who,
    id: i64,
    draft: &AnswerDraft,
    now: i64,
) -> StoreResult<AnswerReport> {
    let req = get(db, id).await?;
    let mut tx = db.begin().await?;
    let session = match draft {
        AnswerDraft::Planned {
            session_id: Some(s),
        } => session_facts(&mut tx, *s).await?,
        _ => None,
    };
    let other = match draft {
        AnswerDraft::Merged {
            request_id: Some(o),
        } => match get(db, *o).await {
            Ok(o) => Some(o.facts()),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        _ => None,
    };
    let answer = match check_answer(req.facts(), draft, session, other, now) {
        Ok(a) => a,
        Err(AnswerRefusal::Invalid(e)) => return Err(StoreError::Invalid(e)),
        Err(AnswerRefusal::AlreadyAnswered(s)) => {
            return Err(StoreError::conflict(
                None,
                format!("Förfrågan är redan besvarad ({}).", s.label_sv()),
            ))
        }
    };
    let (session_id, merged, reason) = match &answer {
        Answer::Planned { session_id } => (Some(*session_id), None, ""),
        Answer::Merged { into_request_id } => (None, Some(*into_request_id), ""),
        Answer::Declined { reason } => (None, None, reason.as_str()),
    };
    // Only an open request is answered: a second answer at the same time
    // finds no open row and is refused.
    let done = sqlx::query(
        "UPDATE session_requests SET status = $1, session_id = $2, merged_into_request_id = $3, decline_reason = $4, \
         answered_at = $5, answered_by_account_id = $6 WHERE id = $7 AND status = 'open'",
    )
    .bind(answer.status().code())
    .bind(session_id)
    .bind(merged)
    .bind(reason)
    .bind(now)
    .bind(who.account_id)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done != 1 {
        return Err(StoreError::conflict(
            None,
            "Förfrågan besvarades nyss av någon annan.",
        ));
    }
    // Who is told: the requester, and for a planned request also those
    // whose requests were merged into it earlier.
    let mut told: Vec<(i64, Option<i64>)> = vec![(id, None)];
    if session_id.is_some() {
        let rows = sqlx::query(&format!(
            "SELECT id FROM session_requests WHERE merged_into_request_id = $1 ORDER BY id LIMIT {PAGE}"
        ))
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        told.extend(rows.iter().map(|r| (r.get::<i64, _>("id"), Some(id))));
    }
    // A request merged into one already planned is planned with it.
    let merged_session = match merged {
        Some(m) => sqlx::query("SELECT session_id FROM session_requests WHERE id = $1")
            .bind(m)
            .fetch_optional(&mut *tx)
            .await?
            .and_then(|r| r.get::<Option<i64>, _>("session_id")),
        None => None,
    };
    let session_text = match session_id.or(merged_session) {
        Some(s) => {
            let row = crate::sessions::row(&mut tx, s, "").await?;
            let when = domain::sessions::format_part_sv(&domain::sessions::Interval::new(
                row.starts_at,
                row.ends_at,
            ));
            Some((
                when,
                row.venue.clone(),
                format!("{}/kurstillfallen/{}", db.sender().base_url, s),
            ))
        }
        None => None,
    };
    let mut notices = 0;
    for (rid, merged_into) in told {
        let r = if rid == id {
            req.clone()
        } else {
            get(db, rid).await?
        };
        let Some(account) = r.requested_by_account_id else {
            continue;
        };
        let email: Option<String> =
            sqlx::query("SELECT email FROM accounts WHERE id = $1 AND active = 1")
                .bind(account)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| row.get("email"));
        let Some(email) = email else { continue };
        let (subject, body) = answer_notice(&AnswerText {
            request_id: rid,
            course_title: &r.course_title,
            municipality: &r.municipality,
            session: session_text
                .as_ref()
                .map(|(w, v, l)| (w.as_str(), v.as_str(), l.clone())),
            merged_into: merged_into.or(merged),
            reason: (!reason.is_empty()).then_some(reason),
        });
        crate::outbox::enqueue_text(
            &mut tx,
            "session_request_answered",
            &email,
            None,
            &subject,
            &body,
        )
        .await?;
        notices += 1;
    }
    audit::record(
        &mut tx,
        who,
        "session_request.answer",
        "session_request",
        Some(id),
        None,
        &match &answer {
            Answer::Planned { session_id } => format!("planerad som tillfälle {session_id}"),
            Answer::Merged { into_request_id } => {
                format!("sammanslagen med förfrågan {into_request_id}")
            }
            Answer::Declined { .. } => "avböjd".into(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(AnswerReport {
        status: answer.status().code(),
        notices,
    })
}
