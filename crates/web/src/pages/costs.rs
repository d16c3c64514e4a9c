//! Cost scenarios: the cost model (lines and settings), the scenario
//! builder, a scenario's result with "what if one leaves", the "how was
//! this computed" view, and comparisons with a chart and PDF/XLSX exports.
//! The rules are in `domain::costs`; pages only show them.

mod chart;
mod export;

use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use domain::access::Action;
use domain::costs::money::{kr, kr_ore, kr_signed, number, percent_bp};
use domain::costs::scenario::{course_hours_field, participants_field, VolumeSource};
use domain::costs::{
    check_line, check_scenario, check_settings, compare, Comparison, CostKind, CostLine, Driver,
    KeyPart, LineDraft, Scenario, ScenarioDraft, ScenarioResult, SettingsDraft,
};
use domain::FieldErrors;
use navet_store::costs::{self, Model};
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::{render, see_other, AppError, AppState, PageResult};

pub use export::Report;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kostnader", get(index))
        .route(
            "/kostnader/installningar",
            get(settings_form).post(save_settings),
        )
        .route("/kostnader/rader/ny", get(new_line).post(create_line))
        .route("/kostnader/rader/{id}", get(edit_line).post(update_line))
        .route("/kostnader/rader/{id}/ta-bort", post(delete_line))
        .route(
            "/kostnader/scenarier/ny",
            get(new_scenario).post(create_scenario),
        )
        .route("/kostnader/scenarier/{id}", get(show_scenario))
        .route(
            "/kostnader/scenarier/{id}/andra",
            get(edit_scenario).post(update_scenario),
        )
        .route("/kostnader/scenarier/{id}/ta-bort", post(delete_scenario))
        .route("/kostnader/scenarier/{id}/berakning", get(trace_page))
        .route("/kostnader/jamfor", get(compare_page))
        .route("/kostnader/jamfor.pdf", get(compare_pdf))
        .route("/kostnader/jamfor.xlsx", get(compare_xlsx))
}

/// Today in Sweden: actual use is counted up to this date.
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive()
}

/// Money for tables: whole kronor with no-break spaces so figures never wrap.
fn nb(s: String) -> String {
    s.replace(' ', "\u{a0}")
}
fn money(ore: i64) -> String {
    nb(kr(ore))
}
fn money_ore(v: Option<i64>) -> String {
    v.map(|o| nb(kr_ore(o))).unwrap_or_else(|| "–".into())
}

fn trace_href(id: i64, key: &str) -> String {
    format!("/kostnader/scenarier/{id}/berakning#{key}")
}

#[derive(Deserialize, Default)]
struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

fn notice(q: &OkQuery) -> String {
    match q.ok.as_deref() {
        Some("line") => "Kostnadsraden är sparad.".into(),
        Some("line-deleted") => "Kostnadsraden är borttagen.".into(),
        Some("settings") => "Inställningarna är sparade.".into(),
        Some("scenario") => "Scenariot är sparat.".into(),
        Some("scenario-deleted") => "Scenariot är borttaget.".into(),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------------------
// Overview

struct LineRow {
    id: i64,
    label: String,
    kind: String,
    formula: String,
    scaling: String,
    base: String,
    note: String,
}

struct ScenarioRow {
    id: i64,
    name: String,
    municipalities: String,
    key: String,
    total: String,
    per_hour: String,
    error: String,
}

#[derive(Template)]
#[template(path = "costs/index.html")]
struct IndexPage {
    c: Ctx,
    notice: String,
    lines: Vec<LineRow>,
    fixed_base: String,
    variable_base: String,
    use_from: String,
    rate: String,
    hours_per_session: String,
    scenarios: Vec<ScenarioRow>,
    approx: bool,
}

fn line_rows(lines: &[CostLine]) -> Vec<LineRow> {
    lines
        .iter()
        .map(|l| LineRow {
            id: l.id,
            label: l.label.clone(),
            kind: l.kind.label_sv().into(),
            formula: l.base_formula(),
            scaling: l.scaling.describe(),
            base: money(l.base_annual()),
            note: l.note.clone(),
        })
        .collect()
}

async fn index(State(s): State<AppState>, c: Ctx, Query(q): Query<OkQuery>) -> PageResult {
    c.require(Action::ManageCosts)?;
    let model = costs::model(&s.db, today()).await?;
    let scenarios = costs::scenarios(&s.db).await?;
    let names = |sc: &Scenario| -> String {
        let n: Vec<String> = sc
            .municipalities
            .iter()
            .filter_map(|m| {
                model
                    .actuals
                    .facts(m.municipality_id)
                    .map(|f| f.name.clone())
            })
            .collect();
        if n.len() == model.actuals.municipalities.len() {
            format!("alla {}", n.len())
        } else {
            n.join(", ")
        }
    };
    let rows = scenarios
        .iter()
        .map(|sc| match model.compute(sc) {
            Ok(r) => ScenarioRow {
                id: sc.id,
                name: sc.name.clone(),
                municipalities: names(sc),
                key: sc.weights.describe(),
                total: money(r.total),
                per_hour: money_ore(r.per_course_hour),
                error: String::new(),
            },
            Err(e) => ScenarioRow {
                id: sc.id,
                name: sc.name.clone(),
                municipalities: names(sc),
                key: sc.weights.describe(),
                total: "–".into(),
                per_hour: "–".into(),
                error: e
                    .0
                    .iter()
                    .map(|x| x.message.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
            },
        })
        .collect();
    let fixed: i64 = model
        .lines
        .iter()
        .filter(|l| l.scaling.is_fixed())
        .map(|l| l.base_annual())
        .sum();
    let variable: i64 = model
        .lines
        .iter()
        .filter(|l| !l.scaling.is_fixed())
        .map(|l| l.base_annual())
        .sum();
    render(IndexPage {
        notice: notice(&q),
        lines: line_rows(&model.lines),
        fixed_base: money(fixed),
        variable_base: money(variable),
        use_from: model.settings.use_from.format("%Y-%m-%d").to_string(),
        rate: nb(kr_ore(model.settings.cofinancing_rate)),
        hours_per_session: match (
            model.settings.hours_per_session_centi,
            model.actuals.sessions_held,
        ) {
            (Some(h), _) => format!("{} (angivet)", number(h as f64 / 100.0, 2)),
            (None, 0) => "inte angivet, och inga genomförda kurstillfällen ännu".into(),
            (None, n) => format!(
                "snittet av {} genomförda kurstillfällen ({})",
                n,
                number(model.actuals.attended_hours_total() / n as f64, 2)
            ),
        },
        approx: model
            .actuals
            .municipalities
            .iter()
            .any(|m| m.inhabitants_approx),
        scenarios: rows,
        c,
    })
}

// ---------------------------------------------------------------------------
// Settings

#[derive(Template)]
#[template(path = "costs/settings.html")]
struct SettingsPage {
    c: Ctx,
    f: SettingsDraft,
    errors: FormErrors,
    default_rate: String,
}

async fn settings_page(s: &AppState, c: Ctx, f: SettingsDraft, errors: FormErrors) -> PageResult {
    let _ = s;
    let has_errors = errors.any();
    super::render_form(
        SettingsPage {
            c,
            f,
            default_rate: nb(kr_ore(costs::default_settings().cofinancing_rate)),
            errors,
        },
        has_errors,
    )
}

async fn settings_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    c.require(Action::ManageCosts)?;
    let f = SettingsDraft::from_settings(&costs::settings(&s.db).await?);
    settings_page(&s, c, f, FormErrors::default()).await
}

async fn save_settings(
    State(s): State<AppState>,
    c: Ctx,
    Form(f): Form<SettingsDraft>,
) -> PageResult {
    let user = c.require(Action::ManageCosts)?;
    match check_settings(&f, today()) {
        Ok(settings) => {
            costs::save_settings(&s.db, &user.who(), &settings).await?;
            Ok(see_other("/kostnader?ok=settings"))
        }
        Err(e) => settings_page(&s, c, f, FormErrors(e)).await,
    }
}

// ---------------------------------------------------------------------------
// Cost lines

#[derive(Template)]
#[template(path = "costs/line_form.html")]
struct LinePage {
    c: Ctx,
    f: LineDraft,
    errors: FormErrors,
    id: Option<i64>,
}

impl LinePage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        CostKind::ALL
            .iter()
            .map(|k| (k.code(), k.label_sv()))
            .collect()
    }
    fn bases(&self) -> Vec<(&'static str, &'static str)> {
        ["annual", "staff", "depreciation"]
            .into_iter()
            .map(|b| (b, domain::costs::lines::basis_label(b)))
            .collect()
    }
    fn scalings(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![("fixed", "fast – samma oavsett volym".to_string())];
        for d in Driver::ALL {
            v.push((d.code(), format!("följer antalet {}", d.label_sv())));
        }
        v
    }
    fn is_basis(&self, b: &str) -> bool {
        self.f.basis == b || (self.f.basis.is_empty() && b == "annual")
    }
    fn is_scaling(&self, sc: &str) -> bool {
        self.f.scaling == sc || (self.f.scaling.is_empty() && sc == "fixed")
    }
}

fn line_page(c: Ctx, f: LineDraft, errors: FormErrors, id: Option<i64>) -> PageResult {
    let has_errors = errors.any();
    super::render_form(LinePage { c, f, errors, id }, has_errors)
}

async fn new_line(c: Ctx) -> PageResult {
    c.require(Action::ManageCosts)?;
    let f = LineDraft {
        basis: "annual".into(),
        scaling: "fixed".into(),
        ..Default::default()
    };
    line_page(c, f, FormErrors::default(), None)
}

async fn create_line(State(s): State<AppState>, c: Ctx, Form(f): Form<LineDraft>) -> PageResult {
    let user = c.require(Action::ManageCosts)?;
    match check_line(&f) {
        Ok(line) => {
            costs::create_line(&s.db, &user.who(), &line).await?;
            Ok(see_other("/kostnader?ok=line"))
        }
        Err(e) => line_page(c, f, FormErrors(e), None),
    }
}

async fn edit_line(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    c.require(Action::ManageCosts)?;
    let line = costs::line(&s.db, id).await?;
    line_page(
        c,
        LineDraft::from_line(&line),
        FormErrors::default(),
        Some(id),
    )
}

async fn update_line(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<LineDraft>,
) -> PageResult {
    let user = c.require(Action::ManageCosts)?;
    costs::line(&s.db, id).await?;
    match check_line(&f) {
        Ok(line) => {
            costs::update_line(&s.db, &user.who(), id, &line).await?;
            Ok(see_other("/kostnader?ok=line"))
        }
        Err(e) => line_page(c, f, FormErrors(e), Some(id)),
    }
}

async fn delete_line(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let user = c.require(Action::ManageCosts)?;
    costs::delete_line(&s.db, &user.who(), id).await?;
    Ok(see_other("/kostnader?ok=line-deleted"))
}

// ---------------------------------------------------------------------------
// Scenario builder

struct MuniRow {
    id: i64,
    name: String,
    checked: bool,
    employees: String,
    inhabitants: String,
    inhabitants_approx: bool,
    actual_hours: String,
    actual_participants: String,
    hours: String,
    participants: String,
    hours_field: String,
    participants_field: String,
}

#[derive(Template)]
#[template(path = "costs/scenario_form.html")]
struct ScenarioPage {
    c: Ctx,
    f: ScenarioDraft,
    rows: Vec<MuniRow>,
    errors: FormErrors,
    id: Option<i64>,
    period: String,
}

impl ScenarioPage {
    fn weight_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        KeyPart::ALL
            .iter()
            .map(|p| (p.field(), p.label_sv(), self.f.weight(*p).to_string()))
            .collect()
    }
}

fn scenario_page(
    c: Ctx,
    model: &Model,
    f: ScenarioDraft,
    errors: FormErrors,
    id: Option<i64>,
) -> PageResult {
    let days = model.actuals.days() as f64;
    let rows = model
        .actuals
        .municipalities
        .iter()
        .map(|m| MuniRow {
            id: m.id,
            name: m.name.clone(),
            checked: f
                .municipalities
                .iter()
                .any(|x| x.trim() == m.id.to_string()),
            employees: m
                .employees
                .map(|e| nb(number(e as f64, 0)))
                .unwrap_or_else(|| "saknas".into()),
            inhabitants: m
                .inhabitants
                .map(|e| nb(number(e as f64, 0)))
                .unwrap_or_else(|| "saknas".into()),
            inhabitants_approx: m.inhabitants_approx,
            actual_hours: nb(number(m.attended_hours * 365.0 / days, 1)),
            actual_participants: nb(number(m.participants as f64 * 365.0 / days, 1)),
            hours: f.course_hours.get(&m.id).cloned().unwrap_or_default(),
            participants: f.participants.get(&m.id).cloned().unwrap_or_default(),
            hours_field: course_hours_field(m.id),
            participants_field: participants_field(m.id),
        })
        .collect();
    let has_errors = errors.any();
    let page = ScenarioPage {
        c,
        f,
        rows,
        errors,
        id,
        period: format!(
            "{}–{}",
            model.actuals.from.format("%Y-%m-%d"),
            model.actuals.to.format("%Y-%m-%d")
        ),
    };
    super::render_form(page, has_errors)
}

/// Read the builder's form: `municipality_{id}` ticks, `course_hours_{id}`
/// and `participants_{id}` per municipality, and the plain fields.
fn scenario_draft(pairs: &[(String, String)]) -> ScenarioDraft {
    let mut d = ScenarioDraft::default();
    for (k, v) in pairs {
        match k.as_str() {
            "name" => d.name = v.clone(),
            "description" => d.description = v.clone(),
            "weight_employees" => d.weight_employees = v.clone(),
            "weight_inhabitants" => d.weight_inhabitants = v.clone(),
            "weight_use" => d.weight_use = v.clone(),
            "weight_equal" => d.weight_equal = v.clone(),
            "volume_pct" => d.volume_pct = v.clone(),
            _ => {
                if let Some(id) = k.strip_prefix("municipality_") {
                    if !v.is_empty() {
                        d.municipalities.push(id.to_string());
                    }
                } else if let Some(id) =
                    k.strip_prefix("course_hours_").and_then(|i| i.parse().ok())
                {
                    d.course_hours.insert(id, v.clone());
                } else if let Some(id) =
                    k.strip_prefix("participants_").and_then(|i| i.parse().ok())
                {
                    d.participants.insert(id, v.clone());
                }
            }
        }
    }
    d
}

/// Check a draft and make sure it can be computed, so that a scenario is
/// only saved when its key has every figure it needs.
pub fn check_and_compute(
    model: &Model,
    known: &[(i64, String)],
    d: &ScenarioDraft,
) -> Result<Scenario, FieldErrors> {
    let s = check_scenario(d, known)?;
    model.compute(&s)?;
    Ok(s)
}

async fn new_scenario(State(s): State<AppState>, c: Ctx) -> PageResult {
    c.require(Action::ManageCosts)?;
    let model = costs::model(&s.db, today()).await?;
    let f = ScenarioDraft {
        municipalities: model
            .actuals
            .municipalities
            .iter()
            .map(|m| m.id.to_string())
            .collect(),
        weight_employees: "50".into(),
        weight_use: "50".into(),
        volume_pct: "100".into(),
        ..Default::default()
    };
    scenario_page(c, &model, f, FormErrors::default(), None)
}

async fn save_scenario(
    s: &AppState,
    c: Ctx,
    pairs: Vec<(String, String)>,
    id: Option<i64>,
) -> PageResult {
    let user = c.require(Action::ManageCosts)?.clone();
    let model = costs::model(&s.db, today()).await?;
    let known = costs::known_municipalities(&s.db).await?;
    let draft = scenario_draft(&pairs);
    let scenario = match check_and_compute(&model, &known, &draft) {
        Ok(sc) => sc,
        Err(e) => return scenario_page(c, &model, draft, FormErrors(e), id),
    };
    let saved = match id {
        Some(id) => costs::update_scenario(&s.db, &user.who(), id, &scenario)
            .await
            .map(|_| id),
        None => costs::create_scenario(&s.db, &user.who(), &scenario).await,
    };
    match saved {
        Ok(id) => Ok(see_other(&format!("/kostnader/scenarier/{id}?ok=scenario"))),
        Err(StoreError::Invalid(e)) => scenario_page(c, &model, draft, FormErrors(e), id),
        Err(e) => Err(e.into()),
    }
}

async fn create_scenario(
    State(s): State<AppState>,
    c: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    save_scenario(&s, c, pairs, None).await
}

async fn edit_scenario(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    c.require(Action::ManageCosts)?;
    let sc = costs::scenario(&s.db, id).await?;
    let model = costs::model(&s.db, today()).await?;
    scenario_page(
        c,
        &model,
        ScenarioDraft::from_scenario(&sc),
        FormErrors::default(),
        Some(id),
    )
}

async fn update_scenario(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    c.require(Action::ManageCosts)?;
    costs::scenario(&s.db, id).await?;
    save_scenario(&s, c, pairs, Some(id)).await
}

async fn delete_scenario(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let user = c.require(Action::ManageCosts)?;
    costs::delete_scenario(&s.db, &user.who(), id).await?;
    Ok(see_other("/kostnader?ok=scenario-deleted"))
}

// ---------------------------------------------------------------------------
// A scenario's result

struct Fig {
    label: &'static str,
    value: String,
    href: String,
}

struct MResultRow {
    name: String,
    share: String,
    share_href: String,
    fraction: String,
    per_hour: String,
    per_hour_href: String,
    per_participant: String,
    per_participant_href: String,
    per_inhabitant: String,
    per_inhabitant_href: String,
    hours: String,
    hours_href: String,
    hours_own: bool,
    cof_hours: String,
    cof_value: String,
    cof_href: String,
    vs_cof: String,
}

struct LeaveRow {
    leaver: String,
    leaver_share: String,
    total_after: String,
    change: String,
    sentences: Vec<String>,
    error: String,
}

struct LineResultRow {
    label: String,
    kind: String,
    scaling: String,
    annual: String,
    href: String,
}

#[derive(Template)]
#[template(path = "costs/scenario.html")]
struct ResultPage {
    c: Ctx,
    id: i64,
    name: String,
    description: String,
    notice: String,
    error: Vec<String>,
    figures: Vec<Fig>,
    rows: Vec<MResultRow>,
    leaving: Vec<LeaveRow>,
    lines: Vec<LineResultRow>,
    assumptions: Vec<String>,
    key_label: String,
    volume: String,
    approx: bool,
    /// No attendance recorded since the project start yet.
    no_cofinancing: bool,
    period_from: String,
}

fn result_view(
    id: i64,
    r: &ScenarioResult,
) -> (Vec<Fig>, Vec<MResultRow>, Vec<LeaveRow>, Vec<LineResultRow>) {
    let t = |k: &str| trace_href(id, k);
    let figures = vec![
        Fig {
            label: "Total kostnad per år",
            value: money(r.total),
            href: t("total"),
        },
        Fig {
            label: "Fasta kostnader",
            value: money(r.fixed),
            href: t("fixed"),
        },
        Fig {
            label: "Rörliga kostnader",
            value: money(r.variable),
            href: t("variable"),
        },
        Fig {
            label: "Per kurstimme",
            value: money_ore(r.per_course_hour),
            href: t("per-hour"),
        },
        Fig {
            label: "Per deltagare",
            value: money_ore(r.per_participant),
            href: t("per-participant"),
        },
        Fig {
            label: "Per invånare",
            value: money_ore(r.per_inhabitant),
            href: t("per-inhabitant"),
        },
        Fig {
            label: "Kurstimmar per år",
            value: nb(number(r.course_hours, 1)),
            href: t("volume-hours"),
        },
    ];
    let rows = r
        .municipalities
        .iter()
        .map(|m| MResultRow {
            name: m.name.clone(),
            share: money(m.share),
            share_href: t(&format!("share-{}", m.id)),
            fraction: nb(format!("{} %", number(m.fraction * 100.0, 1))),
            per_hour: money_ore(m.per_course_hour),
            per_hour_href: t(&format!("per-hour-{}", m.id)),
            per_participant: money_ore(m.per_participant),
            per_participant_href: t(&format!("per-participant-{}", m.id)),
            per_inhabitant: money_ore(m.per_inhabitant),
            per_inhabitant_href: t(&format!("per-inhabitant-{}", m.id)),
            hours: nb(number(m.course_hours, 1)),
            hours_href: t(&format!("hours-{}", m.id)),
            hours_own: m.course_hours_source == VolumeSource::Scenario,
            cof_hours: nb(number(m.cofinancing_hours_per_year, 1)),
            cof_value: money(m.cofinancing_value_per_year),
            cof_href: t(&format!("cofinancing-{}", m.id)),
            vs_cof: nb(kr_signed(m.share - m.cofinancing_value_per_year)),
        })
        .collect();
    let leaving = r
        .leaving
        .iter()
        .map(|l| match &l.outcome {
            Ok(o) => LeaveRow {
                leaver: l.leaver_name.clone(),
                leaver_share: money(o.leaver_share),
                total_after: money(o.total_after),
                change: nb(kr_signed(o.total_after - o.total_before)),
                sentences: o.changes.iter().map(|c| c.explanation.clone()).collect(),
                error: String::new(),
            },
            Err(e) => LeaveRow {
                leaver: l.leaver_name.clone(),
                leaver_share: "–".into(),
                total_after: "–".into(),
                change: "–".into(),
                sentences: vec![],
                error: e.clone(),
            },
        })
        .collect();
    let lines = r
        .lines
        .iter()
        .map(|l| LineResultRow {
            label: l.label.clone(),
            kind: l.kind_label.clone(),
            scaling: l.scaling.clone(),
            annual: money(l.annual),
            href: t(&l.key),
        })
        .collect();
    (figures, rows, leaving, lines)
}

async fn show_scenario(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    c.require(Action::ManageCosts)?;
    let sc = costs::scenario(&s.db, id).await?;
    let model = costs::model(&s.db, today()).await?;
    let mut page = ResultPage {
        id,
        name: sc.name.clone(),
        description: sc.description.clone(),
        notice: notice(&q),
        error: vec![],
        figures: vec![],
        rows: vec![],
        leaving: vec![],
        lines: vec![],
        assumptions: vec![],
        key_label: sc.weights.describe(),
        volume: percent_bp(sc.volume_bp),
        approx: false,
        no_cofinancing: false,
        period_from: model.actuals.from.format("%Y-%m-%d").to_string(),
        c,
    };
    match model.compute(&sc) {
        Ok(r) => {
            let (figures, rows, leaving, lines) = result_view(id, &r);
            page.figures = figures;
            page.rows = rows;
            page.leaving = leaving;
            page.lines = lines;
            page.assumptions = r.assumptions.clone();
            page.approx = r.municipalities.iter().any(|m| m.inhabitants_approx);
            page.no_cofinancing = r.municipalities.iter().all(|m| m.cofinancing_hours == 0.0);
        }
        Err(e) => page.error = e.0.iter().map(|x| x.message.clone()).collect(),
    }
    render(page)
}

// ---------------------------------------------------------------------------
// How was this computed

struct TraceInputView {
    label: String,
    value: String,
    href: String,
    source: String,
}

struct FigureView {
    key: String,
    label: String,
    value: String,
    formula: String,
    inputs: Vec<TraceInputView>,
}

#[derive(Template)]
#[template(path = "costs/trace.html")]
struct TracePage {
    c: Ctx,
    id: i64,
    name: String,
    figures: Vec<FigureView>,
}

async fn trace_page(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    c.require(Action::ManageCosts)?;
    let r = costs::result(&s.db, id, today())
        .await
        .map_err(|e| match e {
            StoreError::Invalid(f) => AppError::BadRequest(f.to_string()),
            other => other.into(),
        })?;
    let figures = r
        .trace
        .figures
        .iter()
        .map(|f| FigureView {
            key: f.key.clone(),
            label: f.label.clone(),
            value: nb(f.value.clone()),
            formula: f.formula.clone(),
            inputs: f
                .inputs
                .iter()
                .map(|i| TraceInputView {
                    label: i.label.clone(),
                    value: i.value.clone(),
                    href: i.key.as_ref().map(|k| format!("#{k}")).unwrap_or_default(),
                    source: i.source.clone(),
                })
                .collect(),
        })
        .collect();
    render(TracePage {
        c,
        id,
        name: r.name,
        figures,
    })
}

// ---------------------------------------------------------------------------
// Comparison

/// The scenarios to compare: `s` repeated (ids), `bas` the baseline.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Selection {
    pub ids: Vec<i64>,
    pub base: Option<i64>,
}

/// The most scenarios one comparison shows (the chart and PDF stay readable).
pub const MAX_COMPARED: usize = 6;

impl Selection {
    pub fn parse(query: Option<&str>) -> Selection {
        let mut sel = Selection::default();
        for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "s" => {
                    if let Ok(id) = v.trim().parse::<i64>() {
                        if !sel.ids.contains(&id) {
                            sel.ids.push(id);
                        }
                    }
                }
                "bas" => sel.base = v.trim().parse().ok(),
                _ => {}
            }
        }
        // The baseline goes first.
        if let Some(b) = sel.base {
            if let Some(pos) = sel.ids.iter().position(|i| *i == b) {
                let id = sel.ids.remove(pos);
                sel.ids.insert(0, id);
            }
        }
        sel
    }
    pub fn query(&self) -> String {
        let mut parts: Vec<String> = self.ids.iter().map(|i| format!("s={i}")).collect();
        if let Some(b) = self.base {
            parts.push(format!("bas={b}"));
        }
        parts.join("&")
    }
}

/// Compute the selected scenarios; those that cannot be computed are
/// reported by name instead.
pub async fn load_comparison(
    s: &AppState,
    sel: &Selection,
) -> Result<(Vec<ScenarioResult>, Vec<String>, Model), AppError> {
    let model = costs::model(&s.db, today()).await?;
    let mut results = Vec::new();
    let mut problems = Vec::new();
    for id in sel.ids.iter().take(MAX_COMPARED) {
        let sc = match costs::scenario(&s.db, *id).await {
            Ok(sc) => sc,
            Err(StoreError::NotFound(_)) => {
                problems.push(format!("Scenario {id} finns inte."));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        match model.compute(&sc) {
            Ok(r) => results.push(r),
            Err(e) => problems.push(format!(
                "”{}” kan inte beräknas: {}",
                sc.name,
                e.0.iter()
                    .map(|x| x.message.clone())
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
        }
    }
    if sel.ids.len() > MAX_COMPARED {
        problems.push(format!(
            "Högst {MAX_COMPARED} scenarier jämförs åt gången; de första {MAX_COMPARED} visas."
        ));
    }
    Ok((results, problems, model))
}

struct Choice {
    id: i64,
    name: String,
    checked: bool,
    base: bool,
}

struct ColView {
    name: String,
    colour: &'static str,
    total: String,
    fixed: String,
    variable: String,
    per_hour: String,
    per_participant: String,
    per_inhabitant: String,
    count: usize,
    key: String,
    hours: String,
}

struct RowView {
    name: String,
    cells: Vec<String>,
}

struct DiffView {
    title: String,
    summary: String,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "costs/compare.html")]
struct ComparePage {
    c: Ctx,
    choices: Vec<Choice>,
    problems: Vec<String>,
    cols: Vec<ColView>,
    rows: Vec<RowView>,
    diffs: Vec<DiffView>,
    chart: String,
    query: String,
    approx: bool,
}

fn compare_views(cmp: &Comparison) -> (Vec<ColView>, Vec<RowView>, Vec<DiffView>) {
    let cols = cmp
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| ColView {
            name: c.name.clone(),
            colour: chart::COLOURS[i % chart::COLOURS.len()],
            total: money(c.total),
            fixed: money(c.fixed),
            variable: money(c.variable),
            per_hour: money_ore(c.per_course_hour),
            per_participant: money_ore(c.per_participant),
            per_inhabitant: money_ore(c.per_inhabitant),
            count: c.municipalities,
            key: c.weights_label.clone(),
            hours: nb(number(c.course_hours, 0)),
        })
        .collect();
    let rows = cmp
        .rows
        .iter()
        .map(|r| RowView {
            name: r.name.clone(),
            cells: r
                .shares
                .iter()
                .map(|s| s.map(money).unwrap_or_else(|| "deltar inte".into()))
                .collect(),
        })
        .collect();
    let diffs = cmp
        .differences
        .iter()
        .map(|d| DiffView {
            title: format!(
                "”{}” jämfört med ”{}”",
                cmp.columns[d.other].name, cmp.columns[d.base].name
            ),
            summary: d.summary.clone(),
            lines: d.municipalities.clone(),
        })
        .collect();
    (cols, rows, diffs)
}

async fn compare_page(State(s): State<AppState>, c: Ctx, RawQuery(q): RawQuery) -> PageResult {
    c.require(Action::ManageCosts)?;
    let sel = Selection::parse(q.as_deref());
    let all = costs::scenarios(&s.db).await?;
    let (results, problems, _) = load_comparison(&s, &sel).await?;
    let cmp = compare(&results);
    let (cols, rows, diffs) = compare_views(&cmp);
    let choices = all
        .iter()
        .map(|sc| Choice {
            id: sc.id,
            name: sc.name.clone(),
            checked: sel.ids.contains(&sc.id),
            base: sel.ids.first() == Some(&sc.id),
        })
        .collect();
    render(ComparePage {
        choices,
        problems,
        chart: if results.is_empty() {
            String::new()
        } else {
            chart::bars(&cmp, "chart-title", "compare-table")
        },
        query: sel.query(),
        approx: results
            .iter()
            .any(|r| r.municipalities.iter().any(|m| m.inhabitants_approx)),
        cols,
        rows,
        diffs,
        c,
    })
}

async fn export_report(
    s: &AppState,
    q: Option<String>,
) -> Result<(Vec<ScenarioResult>, Comparison, Model), AppError> {
    let sel = Selection::parse(q.as_deref());
    let (results, problems, model) = load_comparison(s, &sel).await?;
    if results.is_empty() {
        return Err(AppError::BadRequest(if problems.is_empty() {
            "Välj minst ett scenario att jämföra.".into()
        } else {
            problems.join(" ")
        }));
    }
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems.join(" ")));
    }
    let cmp = compare(&results);
    Ok((results, cmp, model))
}

fn report<'a>(results: &'a [ScenarioResult], cmp: &'a Comparison, model: &'a Model) -> Report<'a> {
    Report {
        results,
        comparison: cmp,
        lines: &model.lines,
        settings: &model.settings,
        generated_on: today().format("%Y-%m-%d").to_string(),
        approx_inhabitants: model
            .actuals
            .municipalities
            .iter()
            .filter(|m| {
                m.inhabitants_approx && results.iter().any(|r| r.municipality(m.id).is_some())
            })
            .map(|m| m.name.clone())
            .collect(),
    }
}

fn download(bytes: Vec<u8>, content_type: &str, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn compare_pdf(State(s): State<AppState>, c: Ctx, RawQuery(q): RawQuery) -> PageResult {
    c.require(Action::ManageCosts)?;
    let (results, cmp, model) = export_report(&s, q).await?;
    let bytes = report(&results, &cmp, &model)
        .pdf()
        .map_err(AppError::Internal)?;
    Ok(download(
        bytes,
        "application/pdf",
        &format!("kostnadsscenarier-{}.pdf", today().format("%Y-%m-%d")),
    ))
}

async fn compare_xlsx(State(s): State<AppState>, c: Ctx, RawQuery(q): RawQuery) -> PageResult {
    c.require(Action::ManageCosts)?;
    let (results, cmp, model) = export_report(&s, q).await?;
    let bytes = report(&results, &cmp, &model)
        .xlsx()
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("kostnadsscenarier-{}.xlsx", today().format("%Y-%m-%d")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_puts_the_baseline_first_and_drops_duplicates() {
        let s = Selection::parse(Some("s=3&s=1&s=3&s=x&bas=1"));
        assert_eq!(s.ids, vec![1, 3]);
        assert_eq!(s.query(), "s=1&s=3&bas=1");
        assert_eq!(Selection::parse(None), Selection::default());
    }

    #[test]
    fn builder_form_reads_ticks_and_per_municipality_fields() {
        let pairs: Vec<(String, String)> = [
            ("_csrf", "x"),
            ("name", "Två"),
            ("municipality_4", "1"),
            ("municipality_9", "1"),
            ("course_hours_4", "120"),
            ("participants_9", "30"),
            ("weight_use", "100"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let d = scenario_draft(&pairs);
        assert_eq!(d.name, "Två");
        assert_eq!(d.municipalities, ["4", "9"]);
        assert_eq!(d.course_hours.get(&4).map(String::as_str), Some("120"));
        assert_eq!(d.participants.get(&9).map(String::as_str), Some("30"));
        assert_eq!(d.weight_use, "100");
    }
}
