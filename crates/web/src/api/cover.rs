//! Trainer absences and cover over the API, so a municipality's HR or
//! rota system can report a trainer's absence the moment it is known.

use crate::rejection::api::Path;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx};
use crate::error::ApiResult;
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    components(schemas(AbsenceIn, AbsenceOut, CoverOut, AssignedOut, CandidateOut)),
    security(("bearer" = []))
)]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(add_absence))
        .routes(routes!(remove_absence))
        .routes(routes!(needing_cover))
}

#[derive(Deserialize, ToSchema)]
pub struct AbsenceIn {
    /// First day away (YYYY-MM-DD, Europe/Stockholm)
    pub starts_on: String,
    /// Last day away, included
    pub ends_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct AbsenceOut {
    pub id: i64,
    pub person_id: i64,
    pub starts_on: String,
    pub ends_on: String,
}

/// Register a trainer as away (coordinators, admins). No reason is taken:
/// planning needs the dates only.
#[utoipa::path(post, path = "/api/v1/trainers/{id}/absences", tag = "cover", request_body = AbsenceIn,
    params(("id" = i64, Path, description = "The trainer's person id")),
    responses((status = 201, body = AbsenceOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401),
              (status = 403), (status = 404, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn add_absence(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<AbsenceOut>)> {
    let uc = UseCase::api(&s, &api)?;
    let b: AbsenceIn = parse_json(&body)?;
    let (absence, from, to) = uc.add_absence(id, &b.starts_on, &b.ends_on).await?;
    Ok((
        StatusCode::CREATED,
        Json(AbsenceOut {
            id: absence,
            person_id: id,
            starts_on: from.to_string(),
            ends_on: to.to_string(),
        }),
    ))
}

/// Remove a registered absence.
#[utoipa::path(delete, path = "/api/v1/trainers/{id}/absences/{absence}", tag = "cover",
    params(("id" = i64, Path, description = "The trainer's person id"), ("absence" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn remove_absence(
    State(s): State<AppState>,
    api: ApiCtx,
    Path((id, absence)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    UseCase::api(&s, &api)?.remove_absence(id, absence).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct AssignedOut {
    pub person_id: i64,
    pub name: String,
    pub absent: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CandidateOut {
    pub person_id: i64,
    pub name: String,
    /// Lives in the municipality the session is held in
    pub local: bool,
    /// Other sessions within 30 days
    pub load: usize,
}

#[derive(Serialize, ToSchema)]
pub struct CoverOut {
    pub session_id: i64,
    pub course: String,
    /// RFC 3339, Europe/Stockholm
    pub starts_at: String,
    pub municipality: String,
    pub booked: i64,
    pub assigned: Vec<AssignedOut>,
    /// Trainers still to find
    pub missing: i64,
    /// Who could step in, best first
    pub candidates: Vec<CandidateOut>,
}

/// Upcoming sessions that lack a trainer, soonest first, with who could
/// step in (coordinators, admins).
#[utoipa::path(get, path = "/api/v1/cover", tag = "cover",
    responses((status = 200, body = [CoverOut]), (status = 401), (status = 403)))]
pub async fn needing_cover(
    State(s): State<AppState>,
    api: ApiCtx,
) -> ApiResult<Json<Vec<CoverOut>>> {
    let items = UseCase::api(&s, &api)?
        .needing_cover("API: bemanning")
        .await?;
    Ok(Json(
        items
            .into_iter()
            .map(|i| CoverOut {
                session_id: i.session_id,
                course: i.course_title,
                starts_at: crate::format::stockholm(i.starts_at).to_rfc3339(),
                municipality: i.municipality,
                booked: i.booked,
                assigned: i
                    .assigned
                    .into_iter()
                    .map(|a| AssignedOut {
                        person_id: a.person_id,
                        name: a.name,
                        absent: a.absent,
                    })
                    .collect(),
                missing: i.missing,
                candidates: i
                    .candidates
                    .into_iter()
                    .map(|c| CandidateOut {
                        person_id: c.person_id,
                        name: c.name,
                        local: c.local,
                        load: c.load,
                    })
                    .collect(),
            })
            .collect(),
    ))
}
