//! Funding sources, a session's and a booking's source, and the
//! participations behind a figure ("underlag"). A refusal for double
//! funding is 409 naming the field and both sources.

use crate::rejection::api::{Path, Query};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::funding::sources::{Draft, Source};
use navet_store::participation_trail::{Row, Totals, PAGE_SIZE};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx};
use crate::error::ApiResult;
use crate::usecase::funding_sources::{trail_after, trail_filter, TrailPage, TrailParams};
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    components(schemas(SourceIn, SourceOut, SourceChoice, SourceSet, TrailOut, TrailRowOut, TotalsOut)),
    tags((name = "funding", description = "Finansieringskällor och underlag bakom rapporternas siffror")),
    security(("bearer" = []))
)]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list_sources, create_source))
        .routes(routes!(update_source))
        .routes(routes!(set_session_source))
        .routes(routes!(set_booking_source))
        .routes(routes!(trail))
        .routes(routes!(file_trail))
}

/// A funding source. `kind`: `eu`, `state`, `municipal` or `other`.
/// `exclusive`: the same person and course may not also be funded by
/// another exclusive source.
#[derive(Deserialize, ToSchema)]
pub struct SourceIn {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub exclusive: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SourceOut {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub exclusive: bool,
    /// The funding programme this source is, if any.
    pub programme_id: Option<i64>,
}

fn source_out(s: &Source) -> SourceOut {
    SourceOut {
        id: s.id,
        name: s.name.clone(),
        kind: s.kind.code().into(),
        exclusive: s.exclusive,
        programme_id: s.programme_id,
    }
}

impl SourceIn {
    fn draft(&self) -> Draft {
        Draft {
            name: self.name.clone(),
            kind: self.kind.clone(),
            exclusive: self.exclusive,
        }
    }
}

/// Every funding source.
#[utoipa::path(get, path = "/api/v1/funding-sources", tag = "funding",
    responses((status = 200, body = [SourceOut]), (status = 401), (status = 403)))]
pub async fn list_sources(
    State(s): State<AppState>,
    api: ApiCtx,
) -> ApiResult<Json<Vec<SourceOut>>> {
    let v = UseCase::api(&s, &api)?.funding_sources().await?;
    Ok(Json(v.iter().map(source_out).collect()))
}

/// Add a funding source (coordinators, admins); 422 naming the field.
#[utoipa::path(post, path = "/api/v1/funding-sources", tag = "funding", request_body = SourceIn,
    responses((status = 201, body = SourceOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create_source(
    State(s): State<AppState>,
    api: ApiCtx,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<SourceOut>)> {
    let uc = UseCase::api(&s, &api)?;
    let b: SourceIn = parse_json(&body)?;
    let id = uc.create_funding_source(&b.draft()).await?;
    Ok((
        StatusCode::CREATED,
        Json(source_out(&uc.funding_source(id).await?)),
    ))
}

/// Change a funding source. Making it exclusive while someone would then
/// be funded twice is 409 naming `exclusive`, the person and both sources.
#[utoipa::path(put, path = "/api/v1/funding-sources/{id}", tag = "funding", request_body = SourceIn,
    params(("id" = i64, Path, description = "Funding source id")),
    responses((status = 200, body = SourceOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403),
              (status = 404), (status = 409, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn update_source(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<SourceOut>> {
    let uc = UseCase::api(&s, &api)?;
    let b: SourceIn = parse_json(&body)?;
    uc.update_funding_source(id, &b.draft()).await?;
    Ok(Json(source_out(&uc.funding_source(id).await?)))
}

/// The source to set: an id, or null (a session: no source; a booking:
/// the session's).
#[derive(Deserialize, ToSchema)]
pub struct SourceChoice {
    #[serde(default)]
    pub funding_source_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SourceSet {
    pub id: i64,
    pub funding_source_id: Option<i64>,
}

/// Set who pays for a session. 409 naming `funding_source_id` (and both
/// sources) when a person booked on it would be funded twice for the
/// course; 422 for an unknown source.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/funding-source", tag = "funding", request_body = SourceChoice,
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, body = SourceSet), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403),
              (status = 404), (status = 409, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn set_session_source(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<SourceSet>> {
    let uc = UseCase::api(&s, &api)?;
    let b: SourceChoice = parse_json(&body)?;
    uc.set_session_funding_source(id, b.funding_source_id)
        .await?;
    Ok(Json(SourceSet {
        id,
        funding_source_id: b.funding_source_id,
    }))
}

/// Set one booking's own source (null: the session's). 409 naming
/// `funding_source_id` and both sources when it would fund the person
/// twice for the course.
#[utoipa::path(put, path = "/api/v1/bookings/{id}/funding-source", tag = "funding", request_body = SourceChoice,
    params(("id" = i64, Path, description = "Booking id")),
    responses((status = 200, body = SourceSet), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403),
              (status = 404), (status = 409, body = crate::error::ApiErrorBody), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn set_booking_source(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<SourceSet>> {
    let uc = UseCase::api(&s, &api)?;
    let b: SourceChoice = parse_json(&body)?;
    uc.set_booking_funding_source(id, b.funding_source_id)
        .await?;
    Ok(Json(SourceSet {
        id,
        funding_source_id: b.funding_source_id,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrailQuery {
    /// First day, YYYY-MM-DD (sessions starting that day or later)
    pub from: Option<String>,
    /// Last day (included), YYYY-MM-DD
    pub to: Option<String>,
    /// The municipality the participant worked for when they attended
    pub municipality_id: Option<String>,
    pub course_id: Option<String>,
    /// `kvinna`, `man`, `annat`, `ej_angivet`
    pub gender: Option<String>,
    pub role_group: Option<String>,
    /// The effective funding source
    pub program: Option<String>,
    /// `next` of the previous page
    pub after: Option<String>,
    /// Rows per page (default 100, at most 500)
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TotalsOut {
    pub participations: i64,
    pub people: i64,
    pub hours: f64,
}

#[derive(Serialize, ToSchema)]
pub struct TrailRowOut {
    pub booking_id: i64,
    pub session_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub course: String,
    /// RFC 3339
    pub starts_at: String,
    pub venue: String,
    pub place: String,
    pub municipality: String,
    pub hours: f64,
    pub funding_source: Option<String>,
    /// `YYYY-MM`
    pub month: String,
    /// `pending` or `attested`; null when the month was never asked for
    pub attestation_status: Option<String>,
    /// `password`, `oidc`, `api_token`, `paper`
    pub attestation_method: Option<String>,
    pub attested_at: Option<String>,
    pub attestation_version: Option<i64>,
}

/// A page of the list and the sums of the whole list (the figure).
#[derive(Serialize, ToSchema)]
pub struct TrailOut {
    pub totals: TotalsOut,
    pub rows: Vec<TrailRowOut>,
    /// Pass as `after` for the next page; null on the last.
    pub next: Option<String>,
}

fn rfc3339(ts: i64) -> String {
    crate::format::stockholm(ts).to_rfc3339()
}

fn row_out(r: &Row) -> TrailRowOut {
    TrailRowOut {
        booking_id: r.booking_id,
        session_id: r.session_id,
        person_id: r.person_id,
        person_name: r.person_name.clone(),
        course: r.course.clone(),
        starts_at: rfc3339(r.starts_at),
        venue: r.venue.clone(),
        place: r.place.clone(),
        municipality: r.municipality.clone(),
        hours: r.hours,
        funding_source: r.funding_source.clone(),
        month: r.month.clone(),
        attestation_status: r.attestation.as_ref().map(|a| a.status.code().to_string()),
        attestation_method: r.attestation.as_ref().and_then(|a| a.method.clone()),
        attested_at: r
            .attestation
            .as_ref()
            .and_then(|a| a.attested_at)
            .map(rfc3339),
        attestation_version: r.attestation.as_ref().map(|a| a.version),
    }
}

fn totals_out(t: &Totals) -> TotalsOut {
    TotalsOut {
        participations: t.participations,
        people: t.people,
        hours: t.hours,
    }
}

fn trail_out(p: TrailPage) -> TrailOut {
    TrailOut {
        totals: totals_out(&p.totals),
        rows: p.rows.iter().map(row_out).collect(),
        next: p.next.map(|(at, id)| format!("{at}_{id}")),
    }
}

/// The participations behind a figure of the indicator report or the
/// co-financing (coordinators, admins: named people; each read logged).
/// `totals` are the whole list's: `hours` is the report's participant
/// hours for the same filter.
#[utoipa::path(get, path = "/api/v1/participation-trail", tag = "funding", params(TrailQuery),
    responses((status = 200, body = TrailOut), (status = 401), (status = 403), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn trail(
    State(s): State<AppState>,
    api: ApiCtx,
    Query(q): Query<TrailQuery>,
) -> ApiResult<Json<TrailOut>> {
    let uc = UseCase::api(&s, &api)?;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let (from, to, m, c, g, r, p) = (
        v(&q.from),
        v(&q.to),
        v(&q.municipality_id),
        v(&q.course_id),
        v(&q.gender),
        v(&q.role_group),
        v(&q.program),
    );
    let filter = trail_filter(&TrailParams {
        from: ("from", &from),
        to: ("to", &to),
        municipality: ("municipality_id", &m),
        course: ("course_id", &c),
        gender: ("gender", &g),
        role_group: ("role_group", &r),
        program: ("program", &p),
    })?;
    let after = trail_after("after", &v(&q.after))?;
    let page = uc
        .participation_trail(filter, after, q.limit.unwrap_or(PAGE_SIZE))
        .await?;
    Ok(Json(trail_out(page)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `next` of the previous page
    pub after: Option<String>,
    /// Rows per page (default 100, at most 500)
    pub limit: Option<i64>,
}

/// The participations behind an archived participant file: its months
/// (from the programme's first month) and its funding source, as the
/// attendance stands now.
#[utoipa::path(get, path = "/api/v1/esf/participant-files/{id}/trail", tag = "funding",
    params(("id" = i64, Path, description = "File id"), PageQuery),
    responses((status = 200, body = TrailOut), (status = 401), (status = 403), (status = 404)))]
pub async fn file_trail(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<TrailOut>> {
    let uc = UseCase::api(&s, &api)?;
    let filter = uc.participant_file_trail_filter(id).await?;
    let after = trail_after("after", q.after.as_deref().unwrap_or(""))?;
    let page = uc
        .participation_trail(filter, after, q.limit.unwrap_or(PAGE_SIZE))
        .await?;
    Ok(Json(trail_out(page)))
}
