//! Cost model and scenarios: lines, scenarios, computed results and
//! comparisons. Amounts are integers in öre (1 kr = 100 öre) so every share
//! sums exactly to its total. Coordinators and admins only.

use std::collections::BTreeMap;

use crate::rejection::api::{Path, Query};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::costs::{compare, Basis, CostLine, LineDraft, Scaling, Scenario, ScenarioDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{parse_json, ApiCtx};
use crate::error::{ApiError, ApiResult};
use crate::usecase::costs::{ScenarioSave, MAX_COMPARED};
use crate::usecase::UseCase;
use crate::AppState;

mod results;

pub use results::{
    ColumnOut, ComparisonOut, DifferenceOut, FigureOut, KeyPartOut, LeaveChangeOut, LeaveOut,
    LineResultOut, MunicipalityResultOut, ResultOut, RowOut, TraceInputOut,
};

#[derive(OpenApi)]
#[openapi(
    components(schemas(
        LineIn, LineOut, ScenarioIn, ScenarioOut, ScenarioMunicipalityOut, WeightsIo, MunicipalityRef, ResultOut,
        LineResultOut, MunicipalityResultOut, KeyPartOut, LeaveOut, LeaveChangeOut, FigureOut, TraceInputOut,
        ComparisonOut, ColumnOut, RowOut, DifferenceOut
    )),
    tags((name = "costs", description = "Kostnadsmodell och kostnadsscenarier")),
    security(("bearer" = []))
)]
pub struct Doc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(list_lines, create_line))
        .routes(routes!(update_line, delete_line))
        .routes(routes!(list_scenarios, create_scenario))
        .routes(routes!(get_scenario, update_scenario, delete_scenario))
        .routes(routes!(scenario_result))
        .routes(routes!(comparison))
}

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Lines

/// A cost line. `basis` decides which amount fields apply: `annual`
/// (`amount_sek`), `staff` (`role`, `fte`, `monthly_salary_sek`,
/// `overhead_pct`) or `depreciation` (`purchase_sek`, `years`).
#[derive(Deserialize, ToSchema)]
pub struct LineIn {
    pub label: String,
    /// staff, cars, equipment, premises, conferences, trainer_training, other
    pub kind: String,
    /// annual, staff, depreciation
    pub basis: String,
    pub amount_sek: Option<f64>,
    pub role: Option<String>,
    pub fte: Option<f64>,
    pub monthly_salary_sek: Option<f64>,
    pub overhead_pct: Option<f64>,
    pub purchase_sek: Option<f64>,
    pub years: Option<i64>,
    /// fixed (default), participant_hours or sessions (`course_hours` is
    /// the old name of participant_hours and still accepted)
    pub scaling: Option<String>,
    /// For volume-scaled lines: the amount is per this many participant hours or sessions.
    pub per: Option<f64>,
    pub note: Option<String>,
}

impl LineIn {
    fn draft(&self) -> LineDraft {
        LineDraft {
            label: self.label.clone(),
            kind: self.kind.clone(),
            basis: self.basis.clone(),
            amount: num(self.amount_sek),
            role: self.role.clone().unwrap_or_default(),
            fte: num(self.fte),
            monthly_salary: num(self.monthly_salary_sek),
            overhead_pct: num(self.overhead_pct),
            purchase: num(self.purchase_sek),
            years: self.years.map(|y| y.to_string()).unwrap_or_default(),
            scaling: match self.scaling.as_deref() {
                // The measure's name; the stored value keeps the old one.
                Some("participant_hours") => "course_hours".into(),
                other => other.unwrap_or_default().to_string(),
            },
            per: num(self.per),
            note: self.note.clone().unwrap_or_default(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LineOut {
    pub id: i64,
    pub label: String,
    pub kind: String,
    pub basis: String,
    pub amount_ore: Option<i64>,
    pub role: Option<String>,
    pub fte: Option<f64>,
    pub monthly_salary_ore: Option<i64>,
    pub overhead_pct: Option<f64>,
    pub purchase_ore: Option<i64>,
    pub years: Option<i64>,
    /// fixed, course_hours (participant hours; the old name, kept) or sessions
    pub scaling: String,
    pub per: Option<f64>,
    pub note: String,
    /// The yearly amount before volume scaling.
    pub base_annual_ore: i64,
    /// How the yearly amount is computed, in Swedish.
    pub formula: String,
}

impl From<&CostLine> for LineOut {
    fn from(l: &CostLine) -> Self {
        let mut o = LineOut {
            id: l.id,
            label: l.label.clone(),
            kind: l.kind.code().into(),
            basis: l.basis.code().into(),
            amount_ore: None,
            role: None,
            fte: None,
            monthly_salary_ore: None,
            overhead_pct: None,
            purchase_ore: None,
            years: None,
            scaling: "fixed".into(),
            per: None,
            note: l.note.clone(),
            base_annual_ore: l.base_annual(),
            formula: l.base_formula(),
        };
        match &l.basis {
            Basis::Annual { amount } => o.amount_ore = Some(*amount),
            Basis::Staff {
                role,
                fte_centi,
                monthly_salary,
                overhead_bp,
            } => {
                o.role = Some(role.clone());
                o.fte = Some(*fte_centi as f64 / 100.0);
                o.monthly_salary_ore = Some(*monthly_salary);
                o.overhead_pct = Some(*overhead_bp as f64 / 100.0);
            }
            Basis::Depreciation { purchase, years } => {
                o.purchase_ore = Some(*purchase);
                o.years = Some(*years);
            }
        }
        if let Scaling::PerVolume { driver, per_centi } = l.scaling {
            o.scaling = driver.code().into();
            o.per = Some(per_centi as f64 / 100.0);
        }
        o
    }
}

/// The cost model's lines.
#[utoipa::path(get, path = "/api/v1/cost-lines", tag = "costs",
    responses((status = 200, body = [LineOut]), (status = 401), (status = 403)))]
pub async fn list_lines(State(s): State<AppState>, api: ApiCtx) -> ApiResult<Json<Vec<LineOut>>> {
    let lines = UseCase::api(&s, &api)?.cost_lines().await?;
    Ok(Json(lines.iter().map(LineOut::from).collect()))
}

/// Add a cost line. Negative amounts and missing fields are refused with the field named.
#[utoipa::path(post, path = "/api/v1/cost-lines", tag = "costs", request_body = LineIn,
    responses((status = 201, body = LineOut), (status = 400, body = crate::error::ApiErrorBody),
              (status = 401), (status = 403), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create_line(
    State(s): State<AppState>,
    api: ApiCtx,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<LineOut>)> {
    let uc = UseCase::api(&s, &api)?;
    let b: LineIn = parse_json(&body)?;
    let id = uc.create_cost_line(&b.draft()).await?;
    Ok((
        StatusCode::CREATED,
        Json(LineOut::from(&uc.cost_line(id).await?)),
    ))
}

/// Replace a cost line.
#[utoipa::path(put, path = "/api/v1/cost-lines/{id}", tag = "costs", request_body = LineIn,
    params(("id" = i64, Path, description = "Cost line id")),
    responses((status = 200, body = LineOut), (status = 401), (status = 403), (status = 404),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn update_line(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<LineOut>> {
    let uc = UseCase::api(&s, &api)?;
    // A refusal, and an unknown line (404), come before the body is read.
    uc.cost_line(id).await?;
    let b: LineIn = parse_json(&body)?;
    uc.update_cost_line(id, &b.draft()).await?;
    Ok(Json(LineOut::from(&uc.cost_line(id).await?)))
}

/// Remove a cost line.
#[utoipa::path(delete, path = "/api/v1/cost-lines/{id}", tag = "costs",
    params(("id" = i64, Path, description = "Cost line id")),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_line(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    UseCase::api(&s, &api)?.delete_cost_line(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------
// Scenarios

/// A municipality by id or by name (`"Örebro"`).
#[derive(Deserialize, Serialize, ToSchema, Clone)]
#[serde(untagged)]
pub enum MunicipalityRef {
    Id(i64),
    Name(String),
}

/// Allocation key weights in percent; they must sum to 100.
#[derive(Deserialize, Serialize, ToSchema, Default)]
pub struct WeightsIo {
    #[serde(default)]
    pub employees: f64,
    #[serde(default)]
    pub inhabitants: f64,
    #[serde(default, rename = "use")]
    pub use_: f64,
    #[serde(default)]
    pub equal: f64,
}

#[derive(Deserialize, ToSchema)]
pub struct ScenarioIn {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Participating municipalities (ids or names).
    pub municipalities: Vec<MunicipalityRef>,
    pub weights: WeightsIo,
    /// Expected volume in percent of actual use so far (default 100).
    pub volume_pct: Option<f64>,
    /// Expected participant hours per year by municipality name; others
    /// follow actual use. Also accepted as `course_hours` (the old name).
    #[serde(default, alias = "course_hours")]
    pub participant_hours: BTreeMap<String, f64>,
    /// Expected participants per year by municipality name; others follow actual use.
    #[serde(default)]
    pub participants: BTreeMap<String, i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ScenarioMunicipalityOut {
    pub id: i64,
    pub name: String,
    /// Expected participant hours per year if set; null = from actual use.
    pub participant_hours: Option<f64>,
    /// The same as `participant_hours` under its old name.
    pub course_hours: Option<f64>,
    pub participants: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ScenarioOut {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub municipalities: Vec<ScenarioMunicipalityOut>,
    pub weights: WeightsIo,
    pub volume_pct: f64,
}

fn scenario_out(sc: &Scenario, known: &[(i64, String)]) -> ScenarioOut {
    let name = |id: i64| {
        known
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    ScenarioOut {
        id: sc.id,
        name: sc.name.clone(),
        description: sc.description.clone(),
        municipalities: sc
            .municipalities
            .iter()
            .map(|m| ScenarioMunicipalityOut {
                id: m.municipality_id,
                name: name(m.municipality_id),
                participant_hours: m.course_hours_centi.map(|h| h as f64 / 100.0),
                course_hours: m.course_hours_centi.map(|h| h as f64 / 100.0),
                participants: m.participants,
            })
            .collect(),
        weights: WeightsIo {
            employees: sc.weights.employees_bp as f64 / 100.0,
            inhabitants: sc.weights.inhabitants_bp as f64 / 100.0,
            use_: sc.weights.use_bp as f64 / 100.0,
            equal: sc.weights.equal_bp as f64 / 100.0,
        },
        volume_pct: sc.volume_bp as f64 / 100.0,
    }
}

/// Turn a request body into a form draft, resolving names to ids.
fn draft(b: &ScenarioIn, known: &[(i64, String)]) -> ApiResult<ScenarioDraft> {
    let resolve = |r: &str| -> Option<i64> {
        let t = r.trim().to_lowercase();
        known
            .iter()
            .find(|(_, n)| n.to_lowercase() == t)
            .map(|(id, _)| *id)
    };
    let mut d = ScenarioDraft {
        name: b.name.clone(),
        description: b.description.clone(),
        weight_employees: format!("{}", b.weights.employees),
        weight_inhabitants: format!("{}", b.weights.inhabitants),
        weight_use: format!("{}", b.weights.use_),
        weight_equal: format!("{}", b.weights.equal),
        volume_pct: num(b.volume_pct),
        ..Default::default()
    };
    for m in &b.municipalities {
        match m {
            MunicipalityRef::Id(id) => d.municipalities.push(id.to_string()),
            MunicipalityRef::Name(n) => match resolve(n) {
                Some(id) => d.municipalities.push(id.to_string()),
                None => {
                    return Err(ApiError::invalid(
                        "municipalities",
                        format!("Okänd kommun: {n}."),
                    ))
                }
            },
        }
    }
    for (n, h) in &b.participant_hours {
        let id = resolve(n)
            .ok_or_else(|| ApiError::invalid("participant_hours", format!("Okänd kommun: {n}.")))?;
        d.course_hours.insert(id, format!("{h}"));
    }
    for (n, p) in &b.participants {
        let id = resolve(n)
            .ok_or_else(|| ApiError::invalid("participants", format!("Okänd kommun: {n}.")))?;
        d.participants.insert(id, p.to_string());
    }
    Ok(d)
}

/// All scenarios, by name.
#[utoipa::path(get, path = "/api/v1/cost-scenarios", tag = "costs",
    responses((status = 200, body = [ScenarioOut]), (status = 401), (status = 403)))]
pub async fn list_scenarios(
    State(s): State<AppState>,
    api: ApiCtx,
) -> ApiResult<Json<Vec<ScenarioOut>>> {
    let (scenarios, known) = UseCase::api(&s, &api)?.cost_scenarios().await?;
    Ok(Json(
        scenarios
            .iter()
            .map(|sc| scenario_out(sc, &known))
            .collect(),
    ))
}

/// Save a new scenario, or scenario `id`, from a request body.
async fn save(s: &AppState, api: &ApiCtx, body: &[u8], id: Option<i64>) -> ApiResult<ScenarioOut> {
    let uc = UseCase::api(s, api)?;
    // A refusal, and an unknown scenario (404), come before the body is read.
    let known = match id {
        Some(id) => uc.cost_scenario(id).await?.1,
        None => uc.cost_municipalities().await?,
    };
    let b: ScenarioIn = parse_json(body)?;
    let d = draft(&b, &known)?;
    let ScenarioSave { outcome, .. } = uc.save_cost_scenario(id, &d).await?;
    let (sc, known) = uc.cost_scenario(outcome?).await?;
    Ok(scenario_out(&sc, &known))
}

/// Create a scenario. It is checked and computed first: no municipality,
/// weights not summing to 100 or a key whose figures are missing (e.g. no
/// employee count for a municipality) give 422 naming the field, and
/// nothing is saved.
#[utoipa::path(post, path = "/api/v1/cost-scenarios", tag = "costs", request_body = ScenarioIn,
    responses((status = 201, body = ScenarioOut), (status = 400, body = crate::error::ApiErrorBody),
              (status = 401), (status = 403), (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create_scenario(
    State(s): State<AppState>,
    api: ApiCtx,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ScenarioOut>)> {
    Ok((
        StatusCode::CREATED,
        Json(save(&s, &api, &body, None).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/cost-scenarios/{id}", tag = "costs",
    params(("id" = i64, Path, description = "Scenario id")),
    responses((status = 200, body = ScenarioOut), (status = 401), (status = 403), (status = 404)))]
pub async fn get_scenario(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ScenarioOut>> {
    let (sc, known) = UseCase::api(&s, &api)?.cost_scenario(id).await?;
    Ok(Json(scenario_out(&sc, &known)))
}

/// Replace a scenario (same checks as creating one).
#[utoipa::path(put, path = "/api/v1/cost-scenarios/{id}", tag = "costs", request_body = ScenarioIn,
    params(("id" = i64, Path, description = "Scenario id")),
    responses((status = 200, body = ScenarioOut), (status = 401), (status = 403), (status = 404),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn update_scenario(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<ScenarioOut>> {
    Ok(Json(save(&s, &api, &body, Some(id)).await?))
}

#[utoipa::path(delete, path = "/api/v1/cost-scenarios/{id}", tag = "costs",
    params(("id" = i64, Path, description = "Scenario id")),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_scenario(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    UseCase::api(&s, &api)?.delete_cost_scenario(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A scenario computed as of today: totals, shares per municipality (which
/// sum exactly to the total), per course hour / participant / inhabitant,
/// co-financing during the project, the effect of each municipality
/// leaving, assumptions and the full trace.
#[utoipa::path(get, path = "/api/v1/cost-scenarios/{id}/result", tag = "costs",
    params(("id" = i64, Path, description = "Scenario id")),
    responses((status = 200, body = ResultOut), (status = 401), (status = 403), (status = 404),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn scenario_result(
    State(s): State<AppState>,
    api: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ResultOut>> {
    let r = UseCase::api(&s, &api)?.cost_result(id).await?;
    Ok(Json(ResultOut::from(&r)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComparisonQuery {
    /// Scenario ids separated by commas; the first is the baseline (at most 6).
    pub ids: String,
}

/// Several scenarios side by side, with the differences against the first explained in Swedish.
#[utoipa::path(get, path = "/api/v1/cost-comparison", tag = "costs", params(ComparisonQuery),
    responses((status = 200, body = ComparisonOut), (status = 401), (status = 403), (status = 404),
              (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn comparison(
    State(s): State<AppState>,
    api: ApiCtx,
    Query(q): Query<ComparisonQuery>,
) -> ApiResult<Json<ComparisonOut>> {
    let uc = UseCase::api(&s, &api)?;
    let mut ids = Vec::new();
    for part in q.ids.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id: i64 = part
            .parse()
            .map_err(|_| ApiError::invalid("ids", format!("”{part}” är inget scenario-id.")))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() || ids.len() > MAX_COMPARED {
        return Err(ApiError::invalid(
            "ids",
            format!("Ange 1–{MAX_COMPARED} scenario-id, åtskilda med kommatecken."),
        ));
    }
    let results = uc.compare_cost_scenarios(&ids).await?;
    Ok(Json(ComparisonOut::from(&compare(&results))))
}
