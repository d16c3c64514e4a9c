//! Erasure of a person through the API: `GET /api/v1/people/{id}/erasure`
//! says what an erasure would do, `POST` does it (coordinators and
//! admins; 409 when the person is erased already or under a legal hold).

use crate::rejection::api::Path;
use axum::extract::State;
use axum::Json;
use domain::access::Action;
use navet_store::{erasure, people};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiCtx;
use crate::error::{ApiError, ApiResult};
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
    /// Legal holds that stop the erasure: programme and reason.
    pub holds: Vec<HoldOut>,
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
}

#[derive(Serialize, ToSchema)]
pub struct ErasureDone {
    pub person_id: i64,
    /// The name the record carries from now on.
    pub pseudonym: String,
    /// Future bookings released.
    pub released: usize,
    /// Bookings promoted from waiting lists into the freed seats.
    pub promoted_booking_ids: Vec<i64>,
}

async fn allowed(s: &AppState, api: &ApiCtx, id: i64) -> ApiResult<navet_store::audit::Who> {
    api.require_login()?;
    let p = people::get(&s.db, id)
        .await
        .map_err(|_| ApiError::not_found("Personen"))?;
    Ok(api.require(Action::ErasePerson(p.as_ref()))?.who())
}

/// What erasing the person would do (nothing changes; the read is logged).
#[utoipa::path(get, path = "/api/v1/people/{id}/erasure", tag = "people",
    responses((status = 200, body = ErasurePreview), (status = 401), (status = 403), (status = 404)))]
pub async fn preview_erasure(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ErasurePreview>> {
    let who = allowed(&s, &api, id).await?;
    navet_store::audit::record_read(&s.db, &who, id, "API: radering (förhandsvisning)").await?;
    let p = erasure::preview(&s.db, id).await?;
    Ok(Json(ErasurePreview {
        person_id: p.person_id,
        erased: p.is_erased(),
        holds: p
            .holds
            .iter()
            .map(|(programme, reason)| HoldOut {
                programme: programme.clone(),
                reason: reason.clone(),
            })
            .collect(),
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

/// Erase the person (irreversible). 409 when erased already or held.
#[utoipa::path(post, path = "/api/v1/people/{id}/erasure", tag = "people",
    responses((status = 200, body = ErasureDone), (status = 401), (status = 403), (status = 404),
              (status = 409, body = crate::error::ApiErrorBody)))]
pub async fn erase_person(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ErasureDone>> {
    let who = allowed(&s, &api, id).await?;
    let done = erasure::erase(&s.db, &who, id).await?;
    Ok(Json(ErasureDone {
        person_id: done.person_id,
        pseudonym: done.pseudonym,
        released: done.released,
        promoted_booking_ids: done.promoted,
    }))
}
