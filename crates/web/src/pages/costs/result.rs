//! A scenario's result: totals, shares, figures per unit and "what if one leaves".

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use domain::costs::money::{kr_signed, number, percent_bp};
use domain::costs::scenario::VolumeSource;
use domain::costs::ScenarioResult;

use super::{money, money_ore, nb, notice, trace_href, OkQuery};
use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

pub(super) struct Fig {
    label: &'static str,
    value: String,
    href: String,
}

pub(super) struct MResultRow {
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

pub(super) struct LeaveRow {
    leaver: String,
    leaver_share: String,
    total_after: String,
    change: String,
    sentences: Vec<String>,
    error: String,
}

pub(super) struct LineResultRow {
    label: String,
    kind: String,
    scaling: String,
    annual: String,
    href: String,
}

#[derive(Template)]
#[template(path = "costs/scenario.html")]
pub(super) struct ResultPage {
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

pub(super) fn result_view(
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
            label: "Per deltagartimme",
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
            label: "Deltagartimmar per år",
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

pub(super) async fn show_scenario(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let (sc, model) = UseCase::page(&s, &c)?.cost_scenario_view(id).await?;
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
