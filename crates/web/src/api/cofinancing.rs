//! Co-financing in kronor: the follow-up per municipality and month, and
//! the unit-cost table with its rounding rule. Amounts are integers in öre;
//! hours are decimals. The follow-up is an aggregate (steering reads it);
//! the table is changed by coordinators and admins.

use crate::rejection::api::{Path, Query};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::cofinancing::unit_costs::{Draft, UnitCost};
use domain::cofinancing::{Cell, RoundingRule};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx};
use crate::error::{ApiError, ApiResult};
use crate::usecase::funding::Cofinancing;
use crate::usecase::UseCase;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    components(schemas(UnitCostIn, UnitCostOut, RoundingIo, CofinancingOut, CellOut, MunicipalityOut, MonthOut)),
    tags((name = "cofinancing", description = "Medfinansiering i kronor: enhetskostnader och uppföljning")),
    security(("bearer" = []))
)]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(cofinancing))
        .routes(routes!(list_unit_costs, create_unit_cost))
        .routes(routes!(update_unit_cost, delete_unit_cost))
        .routes(routes!(get_rounding, set_rounding))
}

/// One row of the unit-cost table. Dates as `YYYY-MM-DD` or `YYYY-MM`
/// (`valid_from` the first of a month, `valid_to` the last day of one).
#[derive(Deserialize, ToSchema)]
pub struct UnitCostIn {
    /// An occupational category (role group), e.g. `baspersonal`.
    pub category: String,
    pub valid_from: String,
    pub valid_to: String,
    /// Kronor per hour (up to two decimals).
    pub hourly_sek: f64,
    pub source: Option<String>,
}

impl UnitCostIn {
    fn draft(&self) -> Draft {
        Draft {
            category: self.category.clone(),
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
            hourly_sek: if self.hourly_sek.is_finite() {
                format!("{}", self.hourly_sek)
            } else {
                String::new()
            },
            source: self.source.clone().unwrap_or_default(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitCostOut {
    pub id: i64,
    pub category: String,
    pub valid_from: String,
    pub valid_to: String,
    pub hourly_ore: i64,
    pub source: String,
}

fn out(u: UnitCost) -> UnitCostOut {
    UnitCostOut {
        id: u.id.unwrap_or(0),
        category: u.category,
        valid_from: u.valid_from.to_string(),
        valid_to: u.valid_to.to_string(),
        hourly_ore: u.hourly_ore,
        source: u.source,
    }
}

/// The rounding rule: `whole_hours_down` (default), `whole_hours_nearest`,
/// `half_hours_down` or `exact`; always per person and month.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RoundingIo {
    pub rule: String,
    /// How reports describe it (Swedish); ignored when sent.
    #[serde(default)]
    pub description: String,
}

fn rounding_out(r: RoundingRule) -> RoundingIo {
    RoundingIo {
        rule: r.key().into(),
        description: r.describe_sv().into(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct CellOut {
    /// Attended participant hours as recorded.
    pub hours: f64,
    /// After the rounding rule (per person and month).
    pub rounded_hours: f64,
    pub value_ore: i64,
    /// Rounded hours with no unit cost for their category and month.
    pub unvalued_hours: f64,
    pub people: i64,
    pub sessions: i64,
}

fn cell(c: &Cell) -> CellOut {
    CellOut {
        hours: c.centi_hours as f64 / 100.0,
        rounded_hours: c.rounded_centi_hours as f64 / 100.0,
        value_ore: c.value_ore,
        unvalued_hours: c.unvalued_centi_hours as f64 / 100.0,
        people: c.people,
        sessions: c.sessions,
    }
}

#[derive(Serialize, ToSchema)]
pub struct MunicipalityOut {
    pub municipality_id: i64,
    pub municipality: String,
    pub commitment_hours: f64,
    pub commitment_ore: i64,
    pub reached: CellOut,
    pub achieved_pct: f64,
    pub achieved_hours_pct: f64,
    pub forecast_hours: Option<f64>,
    pub forecast_ore: Option<i64>,
    pub on_track: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MonthOut {
    /// `YYYY-MM`
    pub month: String,
    pub reached: CellOut,
    pub cumulative_ore: i64,
    pub cumulative_pct: f64,
}

#[derive(Serialize, ToSchema)]
pub struct CofinancingOut {
    /// The date the figures run to.
    pub at: String,
    pub elapsed_pct: f64,
    pub rounding: RoundingIo,
    pub municipalities: Vec<MunicipalityOut>,
    pub total: MunicipalityOut,
    /// Months for `municipality_id` (or all together).
    pub months: Vec<MonthOut>,
    pub months_municipality_id: Option<i64>,
    /// Categories and months with attended time but no unit cost (`YYYY-MM category`).
    pub missing_unit_costs: Vec<String>,
}

fn muni(m: &domain::cofinancing::follow_up::MunicipalityRow) -> MunicipalityOut {
    MunicipalityOut {
        municipality_id: m.id,
        municipality: m.name.clone(),
        commitment_hours: m.commitment_hours,
        commitment_ore: m.commitment_ore,
        reached: cell(&m.reached),
        achieved_pct: m.achieved_pct,
        achieved_hours_pct: m.achieved_hours_pct,
        forecast_hours: m.forecast_centi_hours.map(|h| h as f64 / 100.0),
        forecast_ore: m.forecast_ore,
        on_track: m.on_track,
    }
}

fn cofinancing_out(c: Cofinancing) -> CofinancingOut {
    CofinancingOut {
        at: c.follow_up.at.to_string(),
        elapsed_pct: c.follow_up.elapsed_share * 100.0,
        rounding: rounding_out(c.rule),
        municipalities: c.follow_up.municipalities.iter().map(muni).collect(),
        total: muni(&c.follow_up.total),
        months: c
            .months
            .iter()
            .map(|m| MonthOut {
                month: domain::cofinancing::month_label(m.month),
                reached: cell(&m.cell),
                cumulative_ore: m.cumulative_ore,
                cumulative_pct: m.cumulative_pct,
            })
            .collect(),
        months_municipality_id: c.chosen,
        missing_unit_costs: c
            .valuation
            .missing
            .iter()
            .map(|m| {
                format!(
                    "{} {}",
                    domain::cofinancing::month_label(m.month),
                    m.category
                )
            })
            .collect(),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct CofinancingQuery {
    /// Months for this municipality (default: all together).
    pub municipality_id: Option<i64>,
    /// Only participations under this funding source (default: all).
    pub program: Option<i64>,
}

/// Co-financing reached per municipality (hours and kronor against the
/// commitment, forecast to the programme's end) and per month.
#[utoipa::path(get, path = "/api/v1/cofinancing", tag = "cofinancing", params(CofinancingQuery),
    responses((status = 200, body = CofinancingOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403), (status = 404)))]
pub async fn cofinancing(
    State(s): State<AppState>,
    api: ApiCtx,
    Query(q): Query<CofinancingQuery>,
) -> ApiResult<Json<CofinancingOut>> {
    let today = navet_store::time::today();
    let c = UseCase::api(&s, &api)?
        .cofinancing(today, q.municipality_id, q.program)
        .await?;
    Ok(Json(cofinancing_out(c)))
}

/// The unit-cost table.
#[utoipa::path(get, path = "/api/v1/unit-costs", tag = "cofinancing",
    responses((status = 200, body = [UnitCostOut]), (status = 401), (status = 403)))]
pub async fn list_unit_costs(
    State(s): State<AppState>,
    api: ApiCtx,
) -> ApiResult<Json<Vec<UnitCostOut>>> {
    let t = UseCase::api(&s, &api)?.unit_cost_table().await?;
    Ok(Json(t.rows.into_iter().map(out).collect()))
}

/// Add a unit cost; 422 naming both rows when its period overlaps another
/// of the same category.
#[utoipa::path(post, path = "/api/v1/unit-costs", tag = "cofinancing", request_body = UnitCostIn,
    responses((status = 201, body = UnitCostOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create_unit_cost(
    State(s): State<AppState>,
    api: ApiCtx,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<UnitCostOut>)> {
    let uc = UseCase::api(&s, &api)?;
    let b: UnitCostIn = parse_json(&body)?;
    let id = uc.add_unit_cost(&b.draft()).await?;
    Ok((StatusCode::CREATED, Json(out(uc.unit_cost(id).await?))))
}

/// Change a unit cost (the same checks).
#[utoipa::path(put, path = "/api/v1/unit-costs/{id}", tag = "cofinancing", request_body = UnitCostIn,
    params(("id" = i64, Path, description = "Unit cost id")),
    responses((status = 200, body = UnitCostOut), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403),
              (status = 404), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn update_unit_cost(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<UnitCostOut>> {
    let uc = UseCase::api(&s, &api)?;
    let b: UnitCostIn = parse_json(&body)?;
    uc.update_unit_cost(id, &b.draft()).await?;
    Ok(Json(out(uc.unit_cost(id).await?)))
}

/// Remove a unit cost (kept in the audit log).
#[utoipa::path(delete, path = "/api/v1/unit-costs/{id}", tag = "cofinancing",
    params(("id" = i64, Path, description = "Unit cost id")),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_unit_cost(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    UseCase::api(&s, &api)?.delete_unit_cost(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The rounding rule in force.
#[utoipa::path(get, path = "/api/v1/cofinancing/rounding", tag = "cofinancing",
    responses((status = 200, body = RoundingIo), (status = 401), (status = 403)))]
pub async fn get_rounding(State(s): State<AppState>, api: ApiCtx) -> ApiResult<Json<RoundingIo>> {
    let t = UseCase::api(&s, &api)?.unit_cost_table().await?;
    Ok(Json(rounding_out(t.rule)))
}

/// Set the rounding rule.
#[utoipa::path(put, path = "/api/v1/cofinancing/rounding", tag = "cofinancing", request_body = RoundingIo,
    responses((status = 200, body = RoundingIo), (status = 400, body = crate::error::ApiErrorBody), (status = 401), (status = 403),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn set_rounding(
    State(s): State<AppState>,
    api: ApiCtx,
    body: Bytes,
) -> ApiResult<Json<RoundingIo>> {
    let uc = UseCase::api(&s, &api)?;
    let b: RoundingIo = parse_json(&body)?;
    let Some(rule) = RoundingRule::from_key(&b.rule) else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "Okänd avrundningsregel; tillåtna är {}.",
                RoundingRule::ALL.map(|r| r.key()).join(", ")
            ),
            Some("rule"),
        ));
    };
    uc.set_rounding(rule).await?;
    Ok(Json(rounding_out(rule)))
}
