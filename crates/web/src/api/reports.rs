//! `GET /api/v1/reports/indicators?from=DATE&to=DATE` (CONTRACTS.md).

use crate::rejection::api::Query;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiCtx;
use crate::error::{ApiError, ApiResult};
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(security(("bearer" = [])))]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi()).routes(routes!(indicators))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// First day, YYYY-MM-DD
    pub from: Option<String>,
    /// Last day (included), YYYY-MM-DD
    pub to: Option<String>,
    /// Only participations under this funding source (`/api/v1/funding-sources`); default all
    pub program: Option<i64>,
}

/// The funder's indicators for a period: unique participants (by gender),
/// participations, participant hours, course hours delivered, sessions held
/// and cancelled, and per municipality, course and role group. Two measures
/// of hours: `participant_hours` (deltagartimmar) is each attended
/// session's hours summed over the participants; `course_hours` is the
/// same figure under its old name, kept as a compatible alias (at the top,
/// per municipality and per course). `course_hours_delivered` (genomförda
/// kurstimmar) counts each session held once. Extra fields: gender shares,
/// cancellation reasons, programme progress, survey summary.
#[utoipa::path(get, path = "/api/v1/reports/indicators", tag = "reports", params(PeriodParams),
    responses((status = 200, description = "The indicator report (see CONTRACTS.md)"),
              (status = 401), (status = 403), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn indicators(
    State(s): State<AppState>,
    api: ApiCtx,
    Query(q): Query<PeriodParams>,
) -> ApiResult<Json<serde_json::Value>> {
    let uc = UseCase::api(&s, &api)?;
    let period = match (q.from.as_deref(), q.to.as_deref()) {
        (Some(from), Some(to)) => domain::indicators::check_period(from, to),
        _ => {
            let field = if q.from.is_none() { "from" } else { "to" };
            let mut e = domain::FieldErrors::new();
            e.add(
                field,
                "missing",
                format!("Ange ?from=ÅÅÅÅ-MM-DD&to=ÅÅÅÅ-MM-DD ({field} saknas)."),
            );
            Err(e)
        }
    };
    let r = uc
        .indicator_report(period, q.program)
        .await
        .map_err(|e| match e {
            navet_store::StoreError::Invalid(f) => {
                let first = f.first().cloned().expect("an error");
                ApiError::invalid(&first.field, first.message)
            }
            other => other.into(),
        })?;
    Ok(Json(crate::report_files::to_json(&r).map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            e.to_string(),
            None,
        )
    })?))
}
