//! Erasure of a person through the API: `GET /api/v1/people/{id}/erasure`
//! says what an erasure would do, `POST` does it (coordinators and
//! admins; 409 when the person is erased already). Under a legal hold the
//! erasure is partial: `holds` says which programme keeps what and why,
//! and an erasure after the hold is released finishes it.

use crate::rejection::api::Path;
use axum::extract::State;
use axum::Json;
use navet_store::erasure;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiCtx;
use crate::error::ApiResult;
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(components(schemas(ErasurePreview, ErasureDone)), security(("bearer" = [])))]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi()).routes(routes!(preview_erasure, erase_person))
}

#[derive(Serialize, ToSchema)]
pub struct ErasurePreview {
    pub person_id: i64,
    pub name: String,
    pub erased: bool,
    /// Legal holds that keep part of the records (the name, employee
    /// number and the attendance they cover) until released.
    pub holds: Vec<HoldOut>,
    /// When an earlier erasure left the held part behind (Unix seconds).
    pub erasure_held_at: Option<i64>,
    pub has_account: bool,
    pub future_bookings: i64,
    pub attended: i64,
    pub completions: i64,
    pub removed: Vec<String>,
    pub kept: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HoldOut {
    pub programme: String,
    pub reason: String,
    /// The person's attended or absent bookings the hold keeps.
    pub bookings: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ErasureDone {
    pub person_id: i64,
    /// The name the record carries from now on; null when legal holds
    /// keep the name with the held attendance (see `held`).
    pub pseudonym: Option<String>,
    /// What legal holds kept; erase again once they are released.
    pub held: Vec<HoldOut>,
    /// Future bookings released.
    pub released: usize,
    /// Bookings promoted from waiting lists into the freed seats.
    pub promoted_booking_ids: Vec<i64>,
}

fn hold_out(h: &erasure::HeldPart) -> HoldOut {
    HoldOut {
        programme: h.programme.clone(),
        reason: h.reason.clone(),
        bookings: h.bookings,
    }
}

/// What erasing the person would do (nothing changes; the read is logged).
#[utoipa::path(get, path = "/api/v1/people/{id}/erasure", tag = "people",
    responses((status = 200, body = ErasurePreview), (status = 401), (status = 403), (status = 404)))]
pub async fn preview_erasure(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ErasurePreview>> {
    let p = UseCase::api(&s, &api)?
        .erasure_preview(id, "API: radering (förhandsvisning)")
        .await?;
    Ok(Json(ErasurePreview {
        person_id: p.person_id,
        erased: p.is_erased(),
        holds: p.holds.iter().map(hold_out).collect(),
        erasure_held_at: p.erasure_held_at,
        has_account: p.has_account,
        future_bookings: p.future_bookings,
        attended: p.attended,
        completions: p.completions,
        removed: domain::erasure::REMOVED_SV
            .iter()
            .map(|s| s.to_string())
            .collect(),
        kept: domain::erasure::KEPT_SV
            .iter()
            .map(|s| s.to_string())
            .collect(),
        name: p.name,
    }))
}

/// Erase the person (irreversible). 409 when erased already; partial
/// (`held`) under a legal hold.
#[utoipa::path(post, path = "/api/v1/people/{id}/erasure", tag = "people",
    responses((status = 200, body = ErasureDone), (status = 401), (status = 403), (status = 404),
              (status = 409, body = crate::error::ApiErrorBody)))]
pub async fn erase_person(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ErasureDone>> {
    let done = UseCase::api(&s, &api)?.erase_person(id).await?;
    Ok(Json(ErasureDone {
        person_id: done.person_id,
        pseudonym: done.pseudonym,
        held: done.held.iter().map(hold_out).collect(),
        released: done.released,
        promoted_booking_ids: done.promoted,
    }))
}
