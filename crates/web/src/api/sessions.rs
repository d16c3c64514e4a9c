//! Sessions (kurstillfällen): schedule and read.

use crate::rejection::api::{Path, Query};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::ids::SessionId;
use navet_store::sessions::{self, SessionInput, SessionView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx};
use crate::error::{ApiError, ApiResult};
use crate::usecase::{Guest, UseCase};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(components(schemas(NewSession, NewQuota, NewPart, SessionOut, QuotaOut, PartOut)))]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list_sessions, create_session))
        .routes(routes!(get_session))
}

#[derive(Deserialize, ToSchema)]
pub struct NewQuota {
    /// Municipality name, e.g. "Karlskoga"
    pub municipality: String,
    pub seats: i64,
    /// RFC 3339; until then the seats are for this municipality only
    pub release_at: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewPart {
    pub starts_at: String,
    pub ends_at: String,
}

/// A new session. Times are RFC 3339 (or Stockholm local time without an
/// offset). `parts` replaces `starts_at`/`ends_at` for a session on several
/// dates (booked together).
#[derive(Deserialize, ToSchema)]
pub struct NewSession {
    pub course_id: i64,
    #[serde(default)]
    pub starts_at: Option<String>,
    #[serde(default)]
    pub ends_at: Option<String>,
    #[serde(default)]
    pub parts: Vec<NewPart>,
    /// Municipality name
    pub municipality: String,
    #[serde(default)]
    pub venue: String,
    pub capacity: i64,
    #[serde(default)]
    pub quotas: Vec<NewQuota>,
    #[serde(default)]
    pub registration_opens_at: Option<String>,
    #[serde(default)]
    pub registration_closes_at: Option<String>,
    /// sva, teckentolk, anpassat_material
    #[serde(default)]
    pub language_support: Vec<String>,
    /// Person ids of trainers (qualified, and free at the time)
    #[serde(default)]
    pub trainers: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct QuotaOut {
    pub municipality: String,
    pub seats: i64,
    pub booked: i64,
    pub release_at: String,
    /// False once the release date has passed.
    pub active: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PartOut {
    pub starts_at: String,
    pub ends_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    pub id: i64,
    pub course_id: i64,
    pub course_title: String,
    /// RFC 3339 in Stockholm time
    pub starts_at: String,
    pub ends_at: String,
    pub parts: Vec<PartOut>,
    pub municipality: String,
    pub venue: String,
    pub capacity: i64,
    pub booked: i64,
    pub waitlisted: i64,
    /// Seats anyone can book now (quota seats not included)
    pub free_seats: i64,
    /// planned, open, full, started (begun, not yet closed), held, cancelled
    pub status: String,
    pub cancel_reason: String,
    pub quotas: Vec<QuotaOut>,
    pub registration_opens_at: Option<String>,
    pub registration_closes_at: String,
    pub language_support: Vec<String>,
    pub hours: f64,
    pub trainers: Vec<i64>,
}

fn rfc(ts: i64) -> String {
    crate::format::stockholm(ts).to_rfc3339()
}

impl From<SessionView> for SessionOut {
    fn from(v: SessionView) -> Self {
        SessionOut {
            id: v.row.id,
            course_id: v.row.course_id,
            course_title: v.row.course_title.clone(),
            starts_at: rfc(v.row.starts_at),
            ends_at: rfc(v.row.ends_at),
            parts: v
                .parts
                .iter()
                .map(|p| PartOut {
                    starts_at: rfc(p.starts_at),
                    ends_at: rfc(p.ends_at),
                })
                .collect(),
            municipality: v.row.municipality_name.clone(),
            venue: v.row.venue.clone(),
            capacity: v.row.capacity,
            booked: v.booked,
            waitlisted: v.waitlisted,
            free_seats: v.free_general,
            status: v.effective_status.code().to_string(),
            cancel_reason: v.row.cancel_reason.clone(),
            quotas: v
                .quotas
                .iter()
                .map(|q| QuotaOut {
                    municipality: q.municipality.clone(),
                    seats: q.seats,
                    booked: q.booked,
                    release_at: rfc(q.release_at),
                    active: q.active,
                })
                .collect(),
            registration_opens_at: v.row.registration_opens_at.map(rfc),
            registration_closes_at: rfc(v.row.closes_at()),
            language_support: v
                .row
                .language_support
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            hours: v.row.hours,
            trainers: v.trainers.iter().map(|t| t.person_id).collect(),
        }
    }
}

/// Schedule a session (coordinators and admins).
#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", request_body = NewSession,
    security(("bearer" = [])),
    responses((status = 201, body = SessionOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401),
              (status = 403), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create_session(
    State(s): State<AppState>,
    api: ApiCtx,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<SessionOut>)> {
    let uc = UseCase::api(&s, &api)?;
    uc.may_schedule()?;
    let b: NewSession = parse_json(&body)?;
    let parts: Vec<(String, String)> = if b.parts.is_empty() {
        match (&b.starts_at, &b.ends_at) {
            (Some(a), Some(e)) => vec![(a.clone(), e.clone())],
            (None, _) => {
                return Err(ApiError::invalid(
                    "starts_at",
                    "Ange starts_at, starttiden, till exempel 2026-03-14T09:00 (svensk tid).",
                ))
            }
            (_, None) => {
                return Err(ApiError::invalid(
                    "ends_at",
                    "Ange ends_at, sluttiden, till exempel 2026-03-14T12:00 (svensk tid).",
                ))
            }
        }
    } else {
        b.parts
            .iter()
            .map(|p| (p.starts_at.clone(), p.ends_at.clone()))
            .collect()
    };
    let input = SessionInput {
        course_id: b.course_id,
        parts,
        municipality: b.municipality,
        venue: b.venue,
        capacity: b.capacity,
        quotas: b
            .quotas
            .into_iter()
            .map(|q| (q.municipality, q.seats, q.release_at))
            .collect(),
        registration_opens_at: b.registration_opens_at,
        registration_closes_at: b.registration_closes_at,
        language_support: b.language_support,
        trainer_person_ids: b.trainers,
    };
    let v = uc
        .schedule_session(&input, navet_store::time::now())
        .await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// One session with its seat counts (anyone).
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "sessions",
    responses((status = 200, body = SessionOut), (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn get_session(
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Json<SessionOut>> {
    let v = Guest::anonymous(&s)
        .session(id)
        .await
        .map_err(|e| match e {
            navet_store::StoreError::NotFound(_) => ApiError::not_found("Kurstillfället"),
            other => other.into(),
        })?;
    Ok(Json(v.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    pub course_id: Option<i64>,
    pub municipality_id: Option<i64>,
    /// Sessions ending after this date (YYYY-MM-DD); default today
    pub from: Option<String>,
    /// Sessions starting before this date (YYYY-MM-DD)
    pub to: Option<String>,
    /// Include cancelled sessions
    pub include_cancelled: Option<bool>,
    /// At most this many (default and most 1000)
    pub limit: Option<i64>,
    /// Continue after this session id in start order (the `Link:
    /// rel="next"` header gives the next page's address)
    pub after: Option<i64>,
}

const MOST_SESSIONS: i64 = 1000;

fn day_start(field: &str, s: &str) -> ApiResult<i64> {
    let d = navet_store::time::parse_date(s)
        .ok_or_else(|| ApiError::invalid(field, "Ange datum som ÅÅÅÅ-MM-DD."))?;
    domain::sessions::stockholm_to_utc(d.and_hms_opt(0, 0, 0).expect("midnight"))
        .map_err(|_| ApiError::invalid(field, "Ogiltigt datum."))
}

/// Upcoming sessions (anyone), in start order, a page at a time: when
/// there are more, the response has a `Link: </api/v1/sessions?…&after=ID>;
/// rel="next"` header.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions", params(SessionQuery),
    responses((status = 200, body = [SessionOut]), (status = 400, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn list_sessions(
    State(s): State<AppState>,
    Query(q): Query<SessionQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    if q.limit.is_some_and(|l| !(1..=MOST_SESSIONS).contains(&l)) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "limit ska vara ett tal från 1 till 1000.",
            Some("limit"),
        ));
    }
    let limit = q.limit.unwrap_or(MOST_SESSIONS);
    let from = match q.from.as_deref() {
        Some(f) if !f.is_empty() => day_start("from", f)?,
        _ => navet_store::time::now(),
    };
    let to = match q.to.as_deref() {
        Some(t) if !t.is_empty() => Some(day_start("to", t)? + 86_400),
        _ => None,
    };
    let mut v = Guest::anonymous(&s)
        .sessions(&sessions::Filter {
            course_id: q.course_id,
            municipality_id: q.municipality_id,
            from: Some(from),
            to,
            include_cancelled: q.include_cancelled.unwrap_or(false),
            trainer_person_id: None,
            limit: limit + 1,
            after: q.after.map(SessionId),
        })
        .await?;
    let more = v.len() as i64 > limit;
    v.truncate(limit as usize);
    let next = more.then(|| v.last().map(|s| s.row.id)).flatten();
    let body = Json(v.into_iter().map(SessionOut::from).collect::<Vec<_>>());
    Ok(match next {
        Some(id) => {
            let link = format!("<{}>; rel=\"next\"", next_url(&q, limit, id));
            ([(axum::http::header::LINK, link)], body).into_response()
        }
        None => body.into_response(),
    })
}

/// The address of the page after session `after`, with the same filters.
fn next_url(q: &SessionQuery, limit: i64, after: i64) -> String {
    let mut parts = vec![];
    if let Some(c) = q.course_id {
        parts.push(format!("course_id={c}"));
    }
    if let Some(m) = q.municipality_id {
        parts.push(format!("municipality_id={m}"));
    }
    for (name, value) in [("from", &q.from), ("to", &q.to)] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{name}={}", urlencoding::encode(v)));
        }
    }
    if q.include_cancelled == Some(true) {
        parts.push("include_cancelled=true".into());
    }
    parts.push(format!("limit={limit}"));
    parts.push(format!("after={after}"));
    format!("/api/v1/sessions?{}", parts.join("&"))
}
