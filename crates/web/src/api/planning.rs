//! Planning the term: session requests and their answers, interest in a
//! course, and the demand per course and municipality.

use crate::rejection::api::{Path, Query};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::planning::requests::{AnswerDraft, RequestDraft, RequestStatus};
use navet_store::planning::interest::Demand;
use navet_store::planning::requests::{Filter, Place, RequestView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx};
use crate::error::{ApiError, ApiResult};
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(components(schemas(
    NewRequest,
    RequestOut,
    AnswerIn,
    AnswerOut,
    InterestIn,
    InterestOut,
    DemandOut,
    MinimumIn,
    MinimumOut,
    DueOut
)))]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list_requests, create_request))
        .routes(routes!(get_request))
        .routes(routes!(answer_request))
        .routes(routes!(register_interest, withdraw_interest))
        .routes(routes!(demand))
        .routes(routes!(set_minimum))
        .routes(routes!(decisions))
}

/// A request for a local session.
#[derive(Deserialize, ToSchema)]
pub struct NewRequest {
    pub course_id: i64,
    pub municipality_id: i64,
    /// One of the manager's units in the municipality (required for a
    /// manager of units rather than a whole municipality)
    #[serde(default)]
    pub unit_id: Option<i64>,
    /// How many people, 1–500
    pub participants: i64,
    /// ISO week, e.g. "2027-W10"; not a past week
    pub first_week: String,
    /// ISO week; default the first week
    #[serde(default)]
    pub last_week: Option<String>,
    /// mon … sun; empty: any day
    #[serde(default)]
    pub weekdays: Vec<String>,
    /// dag, kvall, helg (at least one)
    pub times: Vec<String>,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct RequestOut {
    pub id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub municipality_id: i64,
    pub municipality: String,
    pub unit_id: Option<i64>,
    pub participants: i64,
    pub first_week: String,
    pub last_week: String,
    pub weekdays: Vec<String>,
    pub times: Vec<String>,
    pub place: String,
    pub note: String,
    /// open, planned, merged, declined
    pub status: String,
    pub session_id: Option<i64>,
    pub merged_into_request_id: Option<i64>,
    pub decline_reason: String,
    pub created_at: String,
    pub answered_at: Option<String>,
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn rfc(ts: i64) -> String {
    crate::format::stockholm(ts).to_rfc3339()
}

impl From<RequestView> for RequestOut {
    fn from(r: RequestView) -> Self {
        RequestOut {
            id: r.id,
            course_id: r.course_id,
            course_title: r.course_title,
            municipality_id: r.municipality_id,
            municipality: r.municipality,
            unit_id: r.unit_id,
            participants: r.participants,
            weekdays: split(&r.weekdays),
            times: split(&r.times),
            first_week: r.first_week,
            last_week: r.last_week,
            place: r.place,
            note: r.note,
            status: r.status.code().to_string(),
            session_id: r.session_id,
            merged_into_request_id: r.merged_into_request_id,
            decline_reason: r.decline_reason,
            created_at: rfc(r.created_at),
            answered_at: r.answered_at.map(rfc),
        }
    }
}

/// Request a local session (managers for their units or municipality,
/// coordinators and admins for any).
#[utoipa::path(post, path = "/api/v1/session-requests", tag = "planning", request_body = NewRequest,
    security(("bearer" = [])),
    responses((status = 201, body = RequestOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401),
              (status = 403), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create_request(
    State(s): State<AppState>,
    api: ApiCtx,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<RequestOut>)> {
    let uc = UseCase::api(&s, &api)?;
    let b: NewRequest = parse_json(&body)?;
    let draft = RequestDraft {
        participants: b.participants,
        first_week: b.first_week,
        last_week: b.last_week.unwrap_or_default(),
        weekdays: b.weekdays,
        times: b.times,
        place: b.place,
        note: b.note,
    };
    let id = uc
        .request_session(
            b.course_id,
            Place {
                municipality_id: b.municipality_id,
                unit_id: b.unit_id,
            },
            &draft,
            navet_store::time::today(),
        )
        .await?;
    let p = uc.session_request(id, navet_store::time::now()).await?;
    Ok((StatusCode::CREATED, Json(p.request.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// open, planned, merged, declined
    pub status: Option<String>,
    pub course_id: Option<i64>,
    /// Keyset pagination: requests older than this id (50 a page)
    pub before_id: Option<i64>,
}

/// Requests the caller may see, newest first, 50 at a time.
#[utoipa::path(get, path = "/api/v1/session-requests", tag = "planning", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<RequestOut>), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403)))]
pub async fn list_requests(
    State(s): State<AppState>,
    api: ApiCtx,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<RequestOut>>> {
    let uc = UseCase::api(&s, &api)?;
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(x) => Some(RequestStatus::parse(x).ok_or_else(|| {
            ApiError::invalid(
                "status",
                "Okänd status: ange open, planned, merged eller declined.",
            )
        })?),
    };
    let list = uc
        .session_requests(&Filter {
            status,
            course_id: q.course_id,
            before_id: q.before_id,
        })
        .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// One request (the caller's units' or, for the hub, any).
#[utoipa::path(get, path = "/api/v1/session-requests/{id}", tag = "planning",
    security(("bearer" = [])),
    responses((status = 200, body = RequestOut), (status = 401), (status = 403), (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn get_request(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<RequestOut>> {
    let p = UseCase::api(&s, &api)?
        .session_request(id, navet_store::time::now())
        .await?;
    Ok(Json(p.request.into()))
}

/// The coordinator's answer.
#[derive(Deserialize, ToSchema)]
pub struct AnswerIn {
    /// planned (with session_id), merged (with request_id) or declined (with reason)
    pub answer: String,
    #[serde(default)]
    pub session_id: Option<i64>,
    #[serde(default)]
    pub request_id: Option<i64>,
    #[serde(default)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct AnswerOut {
    pub status: String,
    /// Notices queued (the requester, and for a planned request those
    /// whose requests were merged into it)
    pub notices: usize,
}

/// Answer a request (coordinators and admins); the requester is told.
/// 409 when it has been answered already.
#[utoipa::path(post, path = "/api/v1/session-requests/{id}/answer", tag = "planning", request_body = AnswerIn,
    security(("bearer" = [])),
    responses((status = 200, body = AnswerOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401),
              (status = 403), (status = 404, body = crate::error::ApiErrorBody), (status = 409, body = crate::error::ApiErrorBody),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn answer_request(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<AnswerOut>> {
    let uc = UseCase::api(&s, &api)?;
    let b: AnswerIn = parse_json(&body)?;
    let draft = match b.answer.as_str() {
        "planned" => AnswerDraft::Planned {
            session_id: b.session_id,
        },
        "merged" => AnswerDraft::Merged {
            request_id: b.request_id,
        },
        "declined" => AnswerDraft::Declined { reason: b.reason },
        _ => {
            return Err(ApiError::invalid(
                "answer",
                "Ange answer: planned, merged eller declined.",
            ))
        }
    };
    let r = uc
        .answer_request(id, &draft, navet_store::time::now())
        .await?;
    Ok(Json(AnswerOut {
        status: r.status.to_string(),
        notices: r.notices,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct InterestIn {
    /// How many people (a manager for their staff); default 1
    #[serde(default)]
    pub people: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct InterestOut {
    pub course_id: i64,
    /// People counted; 0 when withdrawn
    pub people: i64,
}

/// Register (or change) the caller's interest in a course.
#[utoipa::path(put, path = "/api/v1/courses/{id}/interest", tag = "planning", request_body = InterestIn,
    security(("bearer" = [])),
    responses((status = 200, body = InterestOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401),
              (status = 403), (status = 404, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn register_interest(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<InterestOut>> {
    let uc = UseCase::api(&s, &api)?;
    let b: InterestIn = if body.is_empty() {
        InterestIn { people: None }
    } else {
        parse_json(&body)?
    };
    let people = b.people.unwrap_or(1);
    uc.register_interest(id, people).await?;
    Ok(Json(InterestOut {
        course_id: id,
        people,
    }))
}

/// Withdraw the caller's interest in a course.
#[utoipa::path(delete, path = "/api/v1/courses/{id}/interest", tag = "planning",
    security(("bearer" = [])),
    responses((status = 200, body = InterestOut), (status = 401), (status = 403)))]
pub async fn withdraw_interest(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<InterestOut>> {
    UseCase::api(&s, &api)?.withdraw_interest(id).await?;
    Ok(Json(InterestOut {
        course_id: id,
        people: 0,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct DemandOut {
    pub course_id: i64,
    pub course_title: String,
    pub municipality_id: i64,
    pub municipality: String,
    pub open_requests: i64,
    pub requested_people: i64,
    pub interested_people: i64,
    pub coming_sessions: i64,
}

impl From<Demand> for DemandOut {
    fn from(d: Demand) -> Self {
        DemandOut {
            course_id: d.course_id,
            course_title: d.course_title,
            municipality_id: d.municipality_id,
            municipality: d.municipality,
            open_requests: d.open_requests,
            requested_people: d.requested_people,
            interested_people: d.interested_people,
            coming_sessions: d.coming_sessions,
        }
    }
}

/// Demand per course and municipality: counts only (coordinators, admins,
/// the steering group).
#[utoipa::path(get, path = "/api/v1/planning/demand", tag = "planning",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<DemandOut>), (status = 401), (status = 403)))]
pub async fn demand(State(s): State<AppState>, api: ApiCtx) -> ApiResult<Json<Vec<DemandOut>>> {
    let rows = UseCase::api(&s, &api)?
        .demand(navet_store::time::now())
        .await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct MinimumIn {
    /// Minimum booked for the session to go ahead (1 to its capacity);
    /// null or absent removes the minimum
    #[serde(default)]
    pub min_participants: Option<i64>,
    /// The go/no-go date, YYYY-MM-DD, before the start; default two weeks before
    #[serde(default)]
    pub decision_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MinimumOut {
    pub session_id: i64,
    pub min_participants: Option<i64>,
    pub decision_on: Option<String>,
}

/// Set or remove a session's minimum and go/no-go date (coordinators, admins).
#[utoipa::path(put, path = "/api/v1/sessions/{id}/minimum", tag = "planning", request_body = MinimumIn,
    security(("bearer" = [])),
    responses((status = 200, body = MinimumOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401),
              (status = 403), (status = 404, body = crate::error::ApiErrorBody), (status = 409, body = crate::error::ApiErrorBody),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn set_minimum(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<MinimumOut>> {
    let uc = UseCase::api(&s, &api)?;
    let b: MinimumIn = parse_json(&body)?;
    let draft = domain::planning::go_no_go::MinimumDraft {
        min_participants: b
            .min_participants
            .map(|n| n.to_string())
            .unwrap_or_default(),
        decision_on: b.decision_on.unwrap_or_default(),
    };
    let m = uc
        .set_minimum(id, &draft, navet_store::time::today())
        .await?;
    Ok(Json(MinimumOut {
        session_id: id,
        min_participants: m.map(|m| m.min_participants),
        decision_on: m.map(|m| m.decision_on.to_string()),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct DueOut {
    pub session_id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub starts_at: String,
    pub municipality: String,
    pub booked: i64,
    pub min_participants: i64,
    pub decision_on: String,
    /// Coming sessions of the course with room for everyone booked
    pub alternative_session_ids: Vec<i64>,
}

/// Sessions at or past their go/no-go date with fewer booked than their
/// minimum (coordinators, admins).
#[utoipa::path(get, path = "/api/v1/planning/decisions", tag = "planning",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<DueOut>), (status = 401), (status = 403)))]
pub async fn decisions(State(s): State<AppState>, api: ApiCtx) -> ApiResult<Json<Vec<DueOut>>> {
    let now = navet_store::time::now();
    let list = UseCase::api(&s, &api)?
        .go_no_go_due(navet_store::time::local_date(now), now)
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|d| DueOut {
                session_id: d.session_id,
                course_id: d.course_id,
                course_title: d.course_title,
                starts_at: rfc(d.starts_at),
                municipality: d.municipality,
                booked: d.booked,
                min_participants: d.min_participants,
                decision_on: d.decision_on,
                alternative_session_ids: d.alternatives.iter().map(|a| a.session_id).collect(),
            })
            .collect(),
    ))
}
