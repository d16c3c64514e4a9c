//! Monthly attestation and the funder's participant file through the API.
//! Months are `YYYY-MM`; hours are decimals. A person confirms only their
//! own time (with their own token: recorded as `api_token`); the hub
//! registers paper certificates, reminds and produces the file; full
//! personal identity numbers are for the `esf_reporter` role alone.

use crate::rejection::api::{Path, Query};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::attestation::{month_key, Method};
use navet_store::attestation::{HowSigned, PersonMonth, Version};
use navet_store::esf_export::{Export, ReportingDetails};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx};
use crate::error::ApiResult;
use crate::usecase::attestation::{month, NumberChange};
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    components(schemas(VersionOut, MonthOut, OverviewOut, CountOut, PersonOut, ExportOut, ProduceIn, RemindIn, RemindOut, OpenOut, DetailsIo, FullNumberOut)),
    tags((name = "attestation", description = "Bekräftad närvarotid per månad och deltagarfilen till finansiären")),
    security(("bearer" = []))
)]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(my_months))
        .routes(routes!(attest_mine))
        .routes(routes!(overview))
        .routes(routes!(open_month))
        .routes(routes!(register_paper))
        .routes(routes!(remind))
        .routes(routes!(versions))
        .routes(routes!(list_files, produce_file))
        .routes(routes!(download_file))
        .routes(routes!(get_details, set_details))
        .routes(routes!(full_number))
}

fn today() -> chrono::NaiveDate {
    navet_store::time::today()
}

/// One version of a person's month.
#[derive(Serialize, ToSchema)]
pub struct VersionOut {
    pub id: i64,
    pub person_id: i64,
    pub month: String,
    pub version: i64,
    /// The version this one replaced after a correction.
    pub previous_id: Option<i64>,
    /// `pending`, `attested` or `superseded`.
    pub status: String,
    pub hours: f64,
    pub sessions: i64,
    pub session_ids: Vec<i64>,
    pub attested_at: Option<i64>,
    /// `password`, `oidc`, `api_token` or `paper`.
    pub method: Option<String>,
    pub provider: Option<String>,
    pub attested_by_account_id: Option<i64>,
    /// `correction` for a version made by a correction of attendance.
    pub reason: String,
    pub reminded_at: Option<i64>,
}

fn version_out(v: &Version) -> VersionOut {
    VersionOut {
        id: v.id,
        person_id: v.person_id,
        month: month_key(v.month),
        version: v.version,
        previous_id: v.previous_id,
        status: v.status.code().into(),
        hours: v.centi_hours as f64 / 100.0,
        sessions: v.session_count,
        session_ids: v.session_ids.clone(),
        attested_at: v.attested_at,
        method: v.method.map(|m| m.code().to_string()),
        provider: v.provider.clone(),
        attested_by_account_id: v.attested_by_account_id,
        reason: v.reason.clone(),
        reminded_at: v.reminded_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct MonthOut {
    pub month: String,
    /// Attended hours as recorded now.
    pub hours: f64,
    pub sessions: i64,
    /// Whether the month is over.
    pub ended: bool,
    /// Whether it waits for the person's confirmation.
    pub to_attest: bool,
    pub latest: Option<VersionOut>,
}

fn month_out(m: &PersonMonth) -> MonthOut {
    MonthOut {
        month: m.key(),
        hours: m.centi_hours as f64 / 100.0,
        sessions: m.lines.len() as i64,
        ended: m.ended,
        to_attest: m.to_attest(),
        latest: m.latest.as_ref().map(version_out),
    }
}

/// The caller's months with attended time (this month and the twelve before).
#[utoipa::path(get, path = "/api/v1/attestations/mine", tag = "attestation",
    responses((status = 200, body = [MonthOut]), (status = 401), (status = 403)))]
pub async fn my_months(State(s): State<AppState>, api: ApiCtx) -> ApiResult<Json<Vec<MonthOut>>> {
    let v = UseCase::api(&s, &api)?
        .my_attestation_months(today())
        .await?;
    Ok(Json(v.iter().map(month_out).collect()))
}

/// Confirm the caller's own month as recorded now. 422 naming `month`
/// for a month not ended or without attended time; 409 when confirmed.
#[utoipa::path(post, path = "/api/v1/attestations/mine/{month}", tag = "attestation",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 201, body = VersionOut), (status = 401), (status = 403), (status = 409, body = crate::error::ApiErrorBody),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn attest_mine(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(m): Path<String>,
) -> ApiResult<(StatusCode, Json<VersionOut>)> {
    let how = HowSigned {
        method: Method::ApiToken,
        provider: None,
    };
    let v = UseCase::api(&s, &api)?.attest_own(&m, today(), how).await?;
    Ok((StatusCode::CREATED, Json(version_out(&v))))
}

#[derive(Serialize, ToSchema)]
pub struct CountOut {
    pub municipality_id: i64,
    pub municipality: String,
    pub people: i64,
    pub attested: i64,
    pub paper: i64,
    pub waiting: i64,
    pub corrected: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    pub person_id: i64,
    pub name: String,
    pub municipality: String,
    pub latest: VersionOut,
}

#[derive(Serialize, ToSchema)]
pub struct OverviewOut {
    pub month: String,
    pub opened_at: Option<i64>,
    /// The month's file must be produced again after a correction.
    pub reexport_needed: bool,
    /// Every month flagged for a new export.
    pub flagged_months: Vec<String>,
    pub municipalities: Vec<CountOut>,
    pub people: Vec<PersonOut>,
}

#[derive(Deserialize, IntoParams)]
pub struct OverviewQuery {
    pub municipality_id: Option<i64>,
}

/// Who has confirmed the month, per municipality, and the people (of one
/// municipality, or all).
#[utoipa::path(get, path = "/api/v1/attestations/{month}", tag = "attestation",
    params(("month" = String, Path, description = "YYYY-MM"), OverviewQuery),
    responses((status = 200, body = OverviewOut), (status = 401), (status = 403), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn overview(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(m): Path<String>,
    Query(q): Query<OverviewQuery>,
) -> ApiResult<Json<OverviewOut>> {
    let uc = UseCase::api(&s, &api)?;
    let o = uc
        .attestation_overview(month(&m)?, q.municipality_id)
        .await?;
    Ok(Json(OverviewOut {
        month: month_key(o.month),
        opened_at: o.state.opened_at,
        reexport_needed: o.state.reexport_needed,
        flagged_months: o.flagged.clone(),
        municipalities: o
            .counts
            .iter()
            .map(|k| CountOut {
                municipality_id: k.municipality_id,
                municipality: k.municipality.clone(),
                people: k.people,
                attested: k.attested,
                paper: k.paper,
                waiting: k.waiting,
                corrected: k.corrected,
            })
            .collect(),
        people: o
            .people
            .iter()
            .map(|p| PersonOut {
                person_id: p.person_id,
                name: p.name.clone(),
                municipality: p.municipality.clone(),
                latest: version_out(&p.version),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct OpenOut {
    /// Requests sent now (0 when the month's requests went out before).
    pub asked: usize,
}

/// Send the month's requests (the daily job does it after each month).
#[utoipa::path(post, path = "/api/v1/attestations/{month}/open", tag = "attestation",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = OpenOut), (status = 401), (status = 403), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn open_month(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(m): Path<String>,
) -> ApiResult<Json<OpenOut>> {
    let uc = UseCase::api(&s, &api)?;
    let asked = uc.open_attestation_month(month(&m)?, today()).await?;
    Ok(Json(OpenOut { asked }))
}

/// Register a certificate signed on paper as received.
#[utoipa::path(post, path = "/api/v1/attestations/{month}/people/{person_id}/paper", tag = "attestation",
    params(("month" = String, Path, description = "YYYY-MM"), ("person_id" = i64, Path, description = "Person id")),
    responses((status = 201, body = VersionOut), (status = 401), (status = 403), (status = 409, body = crate::error::ApiErrorBody),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn register_paper(
    State(s): State<AppState>,
    api: ApiCtx,
    Path((m, person_id)): Path<(String, i64)>,
) -> ApiResult<(StatusCode, Json<VersionOut>)> {
    let uc = UseCase::api(&s, &api)?;
    let v = uc
        .register_paper_attestation(month(&m)?, person_id, today())
        .await?;
    Ok((StatusCode::CREATED, Json(version_out(&v))))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct RemindIn {
    pub municipality_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RemindOut {
    /// Reminded now; those reminded in the last 12 hours are not again.
    pub reminded: usize,
}

/// Remind everyone still waiting (one municipality, or all).
#[utoipa::path(post, path = "/api/v1/attestations/{month}/reminders", tag = "attestation", request_body = RemindIn,
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = RemindOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403)))]
pub async fn remind(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(m): Path<String>,
    body: Bytes,
) -> ApiResult<Json<RemindOut>> {
    let uc = UseCase::api(&s, &api)?;
    let b: RemindIn = if body.is_empty() {
        RemindIn::default()
    } else {
        parse_json(&body)?
    };
    let reminded = uc
        .remind_attestations(month(&m)?, b.municipality_id)
        .await?;
    Ok(Json(RemindOut { reminded }))
}

/// Every version of a person's month, newest first.
#[utoipa::path(get, path = "/api/v1/attestations/{month}/people/{person_id}/versions", tag = "attestation",
    params(("month" = String, Path, description = "YYYY-MM"), ("person_id" = i64, Path, description = "Person id")),
    responses((status = 200, body = [VersionOut]), (status = 401), (status = 403)))]
pub async fn versions(
    State(s): State<AppState>,
    api: ApiCtx,
    Path((m, person_id)): Path<(String, i64)>,
) -> ApiResult<Json<Vec<VersionOut>>> {
    let uc = UseCase::api(&s, &api)?;
    let v = uc.attestation_versions(month(&m)?, person_id).await?;
    Ok(Json(v.iter().map(version_out).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct ExportOut {
    pub id: i64,
    pub month: String,
    pub format: String,
    pub format_version: i64,
    pub sha256: String,
    pub rows: i64,
    pub produced_by_account_id: Option<i64>,
    pub produced_at: i64,
    /// The funding source the file is limited to (null: all participations).
    pub funding_source_id: Option<i64>,
}

fn export_out(e: &Export) -> ExportOut {
    ExportOut {
        id: e.id,
        month: e.month.clone(),
        format: e.format.clone(),
        format_version: e.format_version,
        sha256: e.sha256.clone(),
        rows: e.row_count,
        produced_by_account_id: e.produced_by_account_id,
        produced_at: e.produced_at,
        funding_source_id: e.funding_source_id,
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ProduceIn {
    /// `YYYY-MM`, a month that has ended.
    pub month: String,
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
    /// Only participations under this funding source (`/api/v1/funding-sources`);
    /// default all.
    pub program: Option<i64>,
}

/// The archived participant files, newest first.
#[utoipa::path(get, path = "/api/v1/esf/participant-files", tag = "attestation",
    responses((status = 200, body = [ExportOut]), (status = 401), (status = 403)))]
pub async fn list_files(State(s): State<AppState>, api: ApiCtx) -> ApiResult<Json<Vec<ExportOut>>> {
    let (v, _) = UseCase::api(&s, &api)?.participant_files().await?;
    Ok(Json(v.iter().map(export_out).collect()))
}

/// Produce and archive the participant file for a month. A future month
/// is refused (422 naming `month`).
#[utoipa::path(post, path = "/api/v1/esf/participant-files", tag = "attestation", request_body = ProduceIn,
    responses((status = 201, body = ExportOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn produce_file(
    State(s): State<AppState>,
    api: ApiCtx,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ExportOut>)> {
    let uc = UseCase::api(&s, &api)?;
    let b: ProduceIn = parse_json(&body)?;
    let format = b.format.as_deref().unwrap_or("csv").trim().to_string();
    let p = uc
        .produce_participant_file(month(&b.month)?, &format, today(), b.program)
        .await?;
    Ok((StatusCode::CREATED, Json(export_out(&p.export))))
}

/// An archived file's bytes, exactly as produced (`X-Content-Sha256`).
#[utoipa::path(get, path = "/api/v1/esf/participant-files/{id}", tag = "attestation",
    params(("id" = i64, Path, description = "File id")),
    responses((status = 200, description = "CSV or XLSX"), (status = 401), (status = 403), (status = 404)))]
pub async fn download_file(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let p = UseCase::api(&s, &api)?.participant_file(id).await?;
    let ctype = if p.export.format == "csv" {
        "text/csv; charset=utf-8"
    } else {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    };
    Ok((
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (
                header::HeaderName::from_static("x-content-sha256"),
                p.export.sha256.clone(),
            ),
        ],
        p.bytes,
    )
        .into_response())
}

/// A person's year of birth and personal identity number (masked
/// `YYYYMMDD-****`; the number is optional and never required).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct DetailsIo {
    pub birth_year: Option<i32>,
    pub personal_identity_number: Option<String>,
}

fn details_out(d: ReportingDetails) -> DetailsIo {
    DetailsIo {
        birth_year: d.birth_year,
        personal_identity_number: d.personal_number,
    }
}

#[utoipa::path(get, path = "/api/v1/people/{id}/reporting-details", tag = "attestation",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = DetailsIo), (status = 401), (status = 403), (status = 404)))]
pub async fn get_details(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<DetailsIo>> {
    let d = UseCase::api(&s, &api)?.reporting_details(id).await?;
    Ok(Json(details_out(d)))
}

/// Save the year of birth and optional number: format `YYYYMMDD-NNNN`, a
/// real date and the check digit are checked (422 naming
/// `personal_identity_number` or `birth_year`; nothing changes). A
/// number left out (or null) is kept; `""` removes it.
#[utoipa::path(put, path = "/api/v1/people/{id}/reporting-details", tag = "attestation", request_body = DetailsIo,
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = DetailsIo), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403),
              (status = 404), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn set_details(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<DetailsIo>> {
    let uc = UseCase::api(&s, &api)?;
    let b: DetailsIo = parse_json(&body)?;
    use chrono::Datelike;
    // Absent or null keeps the number; "" removes it.
    let number = match b.personal_identity_number {
        None => NumberChange::Keep,
        Some(n) if n.trim().is_empty() => NumberChange::Remove,
        Some(n) => NumberChange::Set(n),
    };
    let d = uc
        .set_reporting_details(
            id,
            &b.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            number,
            today().year(),
        )
        .await?;
    Ok(Json(details_out(d)))
}

#[derive(Serialize, ToSchema)]
pub struct FullNumberOut {
    pub personal_identity_number: Option<String>,
}

/// The number in full: the `esf_reporter` role only; every read is
/// written to the audit log.
#[utoipa::path(get, path = "/api/v1/people/{id}/personal-identity-number", tag = "attestation",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = FullNumberOut), (status = 401), (status = 403), (status = 404)))]
pub async fn full_number(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<FullNumberOut>> {
    let n = UseCase::api(&s, &api)?.full_identity_number(id).await?;
    Ok(Json(FullNumberOut {
        personal_identity_number: n,
    }))
}
