//! The overview: the cost model's lines and the saved scenarios.

use crate::rejection::Query;
use askama::Template;
use axum::extract::State;
use domain::costs::money::{kr_ore, number};
use domain::costs::{CostLine, Scenario};

use super::{money, money_ore, nb, notice, OkQuery};
use crate::ctx::Ctx;
use crate::usecase::costs::CostOverview;
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

pub(super) struct LineRow {
    id: i64,
    label: String,
    kind: String,
    formula: String,
    scaling: String,
    base: String,
    note: String,
}

pub(super) struct ScenarioRow {
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
pub(super) struct IndexPage {
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

pub(super) fn line_rows(lines: &[CostLine]) -> Vec<LineRow> {
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

pub(super) async fn index(
    State(s): State<AppState>,
    c: Ctx,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let CostOverview { model, scenarios } = UseCase::page(&s, &c)?.cost_overview().await?;
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
        .map(|sc| match model.compute_without_leaving(sc) {
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
