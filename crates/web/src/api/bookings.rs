//! Bookings: book a person on a session, list a session's bookings, cancel.

use crate::rejection::api::Path;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use navet_store::bookings::BookingView;
use navet_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx};
use crate::error::{ApiError, ApiResult};
use crate::usecase::{self, UseCase};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(components(schemas(NewBooking, BookingOut, BookingRow, CancelOut, UndoOut)))]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(session_bookings, book))
        .routes(routes!(get_booking, cancel_booking))
        .routes(routes!(undo_cancel))
}

#[derive(Deserialize, ToSchema)]
pub struct NewBooking {
    pub person_id: i64,
    /// Language support, sign-language interpreter, adapted material …
    #[serde(default)]
    pub support_needs: Option<String>,
    /// Name the person into this reservation or offer
    #[serde(default)]
    pub reservation_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct BookingOut {
    pub id: i64,
    /// booked or waitlisted
    pub status: String,
    pub waitlist_position: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct BookingRow {
    pub id: i64,
    pub session_id: i64,
    pub person_id: i64,
    /// booked, waitlisted, cancelled, late_cancelled, attended, absent
    pub status: String,
    pub waitlist_position: Option<i64>,
    pub support_needs: String,
    /// self, manager, coordinator
    pub booked_via: String,
    pub booked_at: String,
}

impl From<BookingView> for BookingRow {
    fn from(b: BookingView) -> Self {
        BookingRow {
            id: b.id,
            session_id: b.session_id,
            person_id: b.person_id,
            status: b.status.code().to_string(),
            waitlist_position: b.waitlist_position,
            support_needs: b.support_needs,
            booked_via: b.booked_via,
            booked_at: crate::format::stockholm(b.booked_at).to_rfc3339(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CancelOut {
    /// cancelled or late_cancelled
    pub status: String,
    /// The waiting person who got the freed seat, if any
    pub promoted_booking_id: Option<i64>,
    /// Until when (Unix seconds) `POST /api/v1/bookings/{id}/undo` can take
    /// the cancellation back, if the seat has not been taken by then
    pub undo_until: i64,
}

#[derive(Serialize, ToSchema)]
pub struct UndoOut {
    /// booked or waitlisted
    pub status: String,
    pub waitlist_position: Option<i64>,
}

fn not_found_session(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound(_) => ApiError::not_found("Kurstillfället"),
        other => other.into(),
    }
}

fn not_found_booking(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound(_) => ApiError::not_found("Anmälan"),
        other => other.into(),
    }
}

/// Book a person on a session: a seat if one is free to them, otherwise
/// the waiting list. The person themself, their manager, coordinators and admins.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/bookings", tag = "bookings", request_body = NewBooking,
    security(("bearer" = [])),
    responses((status = 201, body = BookingOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401),
              (status = 403), (status = 404, body = crate::error::ApiErrorBody),
              (status = 409, body = crate::error::ApiErrorBody, description = "already booked, overlapping, registration closed, session cancelled"),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn book(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(session_id): Path<i64>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<BookingOut>)> {
    let uc = UseCase::api(&s, &api)?;
    let b: NewBooking = parse_json(&body)?;
    let o = uc
        .book(usecase::bookings::NewBooking {
            session_id,
            person_id: b.person_id,
            support_needs: b.support_needs.unwrap_or_default(),
            hold_id: b.reservation_id,
        })
        .await
        .map_err(not_found_session)?;
    Ok((
        StatusCode::CREATED,
        Json(BookingOut {
            id: o.booking_id,
            status: o.status.code().to_string(),
            waitlist_position: o.waitlist_position,
        }),
    ))
}

/// Everyone on a session (coordinators, admins and the session's trainers).
/// The read is written to the audit log.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/bookings", tag = "bookings", security(("bearer" = [])),
    responses((status = 200, body = [BookingRow]), (status = 401), (status = 403), (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn session_bookings(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(session_id): Path<i64>,
) -> ApiResult<Json<Vec<BookingRow>>> {
    let rows = UseCase::api(&s, &api)?
        .session_bookings(session_id, "API: ")
        .await
        .map_err(not_found_session)?;
    Ok(Json(rows.into_iter().map(BookingRow::from).collect()))
}

/// One booking (the person, their manager, coordinators, admins).
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "bookings", security(("bearer" = [])),
    responses((status = 200, body = BookingRow), (status = 401), (status = 403), (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn get_booking(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<BookingRow>> {
    let b = UseCase::api(&s, &api)?
        .booking(id, "anmälan (API)")
        .await
        .map_err(not_found_booking)?;
    Ok(Json(b.into()))
}

/// Cancel a booking or leave the waiting list. A freed seat goes to the
/// first eligible waiting person at once.
#[utoipa::path(delete, path = "/api/v1/bookings/{id}", tag = "bookings", security(("bearer" = [])),
    responses((status = 200, body = CancelOut), (status = 401), (status = 403), (status = 404, body = crate::error::ApiErrorBody),
              (status = 409, body = crate::error::ApiErrorBody)))]
pub async fn cancel_booking(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<CancelOut>> {
    let r = UseCase::api(&s, &api)?
        .cancel(id)
        .await
        .map_err(not_found_booking)?;
    Ok(Json(CancelOut {
        status: r.status.code().to_string(),
        promoted_booking_id: r.promoted.first().copied(),
        undo_until: r.undo_until,
    }))
}

/// Undo a cancellation within 10 minutes, if the seat has not been taken
/// (409 otherwise, with the reason).
#[utoipa::path(post, path = "/api/v1/bookings/{id}/undo", tag = "bookings", security(("bearer" = [])),
    responses((status = 200, body = UndoOut), (status = 401), (status = 403), (status = 404, body = crate::error::ApiErrorBody),
              (status = 409, body = crate::error::ApiErrorBody)))]
pub async fn undo_cancel(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<UndoOut>> {
    let r = UseCase::api(&s, &api)?
        .undo_cancel(id)
        .await
        .map_err(not_found_booking)?;
    Ok(Json(UndoOut {
        status: r.status.code().to_string(),
        waitlist_position: r.waitlist_position,
    }))
}
