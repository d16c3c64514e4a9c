//! `POST /api/v1/sessions/{id}/attendance` (CONTRACTS.md) and closing a
//! session's attendance.

use crate::rejection::api::Path;
use axum::body::Bytes;
use axum::extract::State;
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
#[openapi(components(schemas(AttendanceIn, AttendanceOut)), security(("bearer" = [])))]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(mark))
        .routes(routes!(close))
}

#[derive(Deserialize, ToSchema)]
pub struct AttendanceIn {
    pub person_id: i64,
    pub present: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AttendanceOut {
    pub person_id: i64,
    /// attended or absent
    pub status: String,
}

/// Mark a booked person present or absent (the session's trainers,
/// coordinators, admins).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/attendance", tag = "attendance", request_body = AttendanceIn,
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, body = AttendanceOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403),
              (status = 404), (status = 409, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn mark(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<AttendanceOut>> {
    let uc = UseCase::api(&s, &api)?;
    uc.session_to_mark(id).await?;
    let b: AttendanceIn = parse_json(&body)?;
    let status = uc.mark_attendance(id, b.person_id, b.present).await?;
    Ok(Json(AttendanceOut {
        person_id: b.person_id,
        status: status.code().into(),
    }))
}

/// Close the session: unmarked bookings become absent, attended people get
/// completions (certificates) and the participant survey.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/close", tag = "attendance",
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, description = "attended, absent, no_shows, completions, surveys_sent"), (status = 401), (status = 403),
              (status = 404), (status = 409, body = crate::error::ApiErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<navet_store::attendance::CloseSummary>> {
    Ok(Json(UseCase::api(&s, &api)?.close_session(id).await?))
}
