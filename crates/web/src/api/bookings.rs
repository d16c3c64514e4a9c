//! Bookings: book a person on a session, list a session's bookings, cancel.

use crate::rejection::api::Path;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::access::{Action, PersonRef, Role};
use navet_store::bookings::{self, BookRequest, BookingView, Via};
use navet_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx, ApiUser};
use crate::error::{ApiError, ApiResult};
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
            status: b.status,
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

/// The action of naming `person` on hold `hold_id`: for a unit's
/// reservation, [`Action::NameReservedSeat`] against the reservation's unit;
/// an offer is for one person only, which the booking itself checks.
/// `None` when the hold is not a unit reservation (or does not exist: the
/// booking then answers that it is gone).
pub async fn reserved_seat_action(
    s: &AppState,
    hold_id: i64,
    person: PersonRef,
) -> Result<Option<Action<'static>>, StoreError> {
    let h = match bookings::hold(&s.db, hold_id).await {
        Ok(h) => h,
        Err(StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(match (h.kind.as_str(), h.unit_id) {
        ("reservation", Some(unit_id)) => Some(Action::NameReservedSeat {
            unit_id,
            municipality_id: h.municipality_id,
            person,
        }),
        _ => None,
    })
}

/// Who made the booking, as recorded on it.
pub fn via_for(actor: &domain::access::Actor, person_id: i64) -> Via {
    if actor.person_id == Some(person_id) {
        Via::Own
    } else if actor.role == Role::Manager {
        Via::Manager
    } else {
        Via::Coordinator
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
    api.require_login()?;
    let b: NewBooking = parse_json(&body)?;
    let person = bookings::person_ref(&s.db, b.person_id)
        .await?
        .ok_or_else(|| ApiError::invalid("person_id", "Personen finns inte."))?;
    let user = api.require(Action::BookPerson(person))?;
    if let Some(hold_id) = b.reservation_id {
        if let Some(action) = reserved_seat_action(&s, hold_id, person).await? {
            api.require(action)?;
        }
    }
    let o = s
        .bookings
        .book(BookRequest {
            session_id,
            person_id: person.person_id,
            who: user.who(),
            via: via_for(&user.actor, person.person_id),
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
    api.require_login()?;
    navet_store::sessions::get(&s.db, session_id)
        .await
        .map_err(not_found_session)?;
    let trainers = navet_store::trainers::of_session(&s.db, session_id).await?;
    let user = api.require(Action::ViewSessionParticipants {
        trainer_person_ids: &trainers,
    })?;
    let rows = bookings::for_session(&s.db, session_id).await?;
    audit_list(&s, user, session_id, rows.len()).await?;
    Ok(Json(rows.into_iter().map(BookingRow::from).collect()))
}

async fn audit_list(s: &AppState, user: &ApiUser, session_id: i64, n: usize) -> ApiResult<()> {
    let mut conn = s.db.writer().acquire().await.map_err(StoreError::from)?;
    navet_store::audit::record(
        &mut conn,
        &user.who(),
        "session.participants",
        "session",
        Some(session_id),
        None,
        &format!("API: {n} anmälningar"),
    )
    .await?;
    Ok(())
}

fn person_ref(b: &BookingView) -> PersonRef {
    PersonRef {
        person_id: b.person_id,
        unit_id: b.person_unit_id,
        municipality_id: b.person_municipality_id,
    }
}

/// One booking (the person, their manager, coordinators, admins).
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "bookings", security(("bearer" = [])),
    responses((status = 200, body = BookingRow), (status = 401), (status = 403), (status = 404, body = crate::error::ApiErrorBody)))]
pub async fn get_booking(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<BookingRow>> {
    api.require_login()?;
    let b = bookings::get(&s.db, id)
        .await
        .map_err(|_| ApiError::not_found("Anmälan"))?;
    let user = api.require(Action::ViewPerson(person_ref(&b)))?;
    if domain::access::read_needs_audit(&user.actor, b.person_id) {
        navet_store::audit::record_read(&s.db, &user.who(), b.person_id, "anmälan (API)").await?;
    }
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
    api.require_login()?;
    let b = bookings::get(&s.db, id)
        .await
        .map_err(|_| ApiError::not_found("Anmälan"))?;
    let user = api.require(Action::BookPerson(person_ref(&b)))?;
    let r = bookings::cancel(&s.db, &user.who(), id, None).await?;
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
    api.require_login()?;
    let b = bookings::get(&s.db, id)
        .await
        .map_err(|_| ApiError::not_found("Anmälan"))?;
    let user = api.require(Action::BookPerson(person_ref(&b)))?;
    let r = bookings::undo_cancel(&s.db, &user.who(), id).await?;
    Ok(Json(UndoOut {
        status: r.status.code().to_string(),
        waitlist_position: r.waitlist_position,
    }))
}
