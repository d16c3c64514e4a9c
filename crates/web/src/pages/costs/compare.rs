//! Scenarios side by side, with the chart and the PDF and XLSX exports.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::costs::money::number;
use domain::costs::{compare, Comparison, ScenarioResult};
use navet_store::costs::Model;

use super::{chart, Report};
use super::{money, money_ore, nb, today};
use crate::ctx::Ctx;
use crate::usecase::costs::CostComparison;
use crate::usecase::UseCase;
use crate::{render, AppError, AppState, PageResult};

/// The scenarios to compare: `s` repeated (ids), `bas` the baseline.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Selection {
    pub ids: Vec<i64>,
    pub base: Option<i64>,
}

const ONE_IS_NOT_A_COMPARISON: &str =
    "Välj minst två olika scenarier: ett scenario jämförs inte med sig självt.";

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
        // The baseline is compared, and goes first.
        if let Some(b) = sel.base {
            if let Some(pos) = sel.ids.iter().position(|i| *i == b) {
                sel.ids.remove(pos);
            }
            sel.ids.insert(0, b);
        }
        sel
    }
    /// A comparison needs two different scenarios: a scenario is never
    /// compared with itself (ids are distinct, the baseline among them).
    pub fn is_comparison(&self) -> bool {
        self.ids.len() >= 2
    }
    pub fn query(&self) -> String {
        let mut parts: Vec<String> = self.ids.iter().map(|i| format!("s={i}")).collect();
        if let Some(b) = self.base {
            parts.push(format!("bas={b}"));
        }
        parts.join("&")
    }
}

pub(super) struct Choice {
    id: i64,
    name: String,
    checked: bool,
    base: bool,
}

pub(super) struct ColView {
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

pub(super) struct RowView {
    name: String,
    cells: Vec<String>,
    /// Each other scenario minus the baseline (the first column).
    diffs: Vec<String>,
}

/// "+1 234 kr", "−1 234 kr", "±0 kr", or "–" when either does not take part.
pub(super) fn difference(base: Option<i64>, other: Option<i64>) -> String {
    match (base, other) {
        (Some(b), Some(o)) if o > b => format!("+{}", money(o - b)),
        (Some(b), Some(o)) if o < b => format!("−{}", money(b - o)),
        (Some(_), Some(_)) => format!("±{}", money(0)),
        _ => "–".into(),
    }
}

pub(super) struct DiffView {
    title: String,
    summary: String,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "costs/compare.html")]
pub(super) struct ComparePage {
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

pub(super) fn compare_views(cmp: &Comparison) -> (Vec<ColView>, Vec<RowView>, Vec<DiffView>) {
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
            diffs: r
                .shares
                .iter()
                .skip(1)
                .map(|o| difference(r.shares.first().copied().flatten(), *o))
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

pub(super) async fn compare_page(
    State(s): State<AppState>,
    c: Ctx,
    RawQuery(q): RawQuery,
) -> PageResult {
    let sel = Selection::parse(q.as_deref());
    let ids: &[i64] = if sel.is_comparison() { &sel.ids } else { &[] };
    let CostComparison {
        choices: all,
        results,
        mut problems,
        ..
    } = UseCase::page(&s, &c)?.cost_comparison(ids).await?;
    if !sel.ids.is_empty() && !sel.is_comparison() {
        problems.push(ONE_IS_NOT_A_COMPARISON.into());
    }
    let cmp = compare(&results);
    let (cols, rows, diffs) = compare_views(&cmp);
    let choices = all
        .iter()
        .map(|sc| Choice {
            id: sc.id,
            name: sc.name.clone(),
            checked: sel.ids.contains(&sc.id) || !sel.is_comparison(),
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

/// The comparison to export; one that is not a comparison, or has a
/// scenario that cannot be shown, is refused naming why.
pub(super) async fn export_report(
    s: &AppState,
    c: &Ctx,
    q: Option<String>,
) -> Result<(Vec<ScenarioResult>, Comparison, Model), AppError> {
    let sel = Selection::parse(q.as_deref());
    let uc = UseCase::page(s, c)?;
    // The rule is asked first: a refusal is 403 whatever the query.
    let ids: &[i64] = if sel.is_comparison() { &sel.ids } else { &[] };
    let CostComparison {
        results,
        problems,
        model,
        ..
    } = uc.cost_comparison(ids).await?;
    if !sel.is_comparison() {
        return Err(AppError::BadRequest(ONE_IS_NOT_A_COMPARISON.into()));
    }
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

pub(super) fn report<'a>(
    results: &'a [ScenarioResult],
    cmp: &'a Comparison,
    model: &'a Model,
) -> Report<'a> {
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

pub(super) fn download(bytes: Vec<u8>, content_type: &str, filename: &str) -> Response {
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

pub(super) async fn compare_pdf(
    State(s): State<AppState>,
    c: Ctx,
    RawQuery(q): RawQuery,
) -> PageResult {
    let (results, cmp, model) = export_report(&s, &c, q).await?;
    let bytes = report(&results, &cmp, &model)
        .pdf()
        .map_err(AppError::Internal)?;
    Ok(download(
        bytes,
        "application/pdf",
        &format!("kostnadsscenarier-{}.pdf", today().format("%Y-%m-%d")),
    ))
}

pub(super) async fn compare_xlsx(
    State(s): State<AppState>,
    c: Ctx,
    RawQuery(q): RawQuery,
) -> PageResult {
    let (results, cmp, model) = export_report(&s, &c, q).await?;
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
        assert!(s.is_comparison());
        assert_eq!(Selection::parse(None), Selection::default());
    }

    #[test]
    fn a_scenario_is_never_compared_with_itself() {
        // Only the baseline ticked, or the baseline alone, or one twice.
        for q in ["s=2&bas=2", "bas=2", "s=2&s=2", "s=2"] {
            let s = Selection::parse(Some(q));
            assert!(!s.is_comparison(), "{q}: {:?}", s.ids);
        }
        // A baseline that was not ticked joins the comparison.
        let s = Selection::parse(Some("s=3&bas=2"));
        assert_eq!(s.ids, vec![2, 3]);
        assert!(s.is_comparison());
    }

    #[test]
    fn differences_are_signed_against_the_baseline() {
        assert_eq!(
            difference(Some(10_000), Some(15_000)),
            format!("+{}", money(5_000))
        );
        assert_eq!(
            difference(Some(15_000), Some(10_000)),
            format!("−{}", money(5_000))
        );
        assert_eq!(difference(Some(1), Some(1)), format!("±{}", money(0)));
        assert_eq!(difference(None, Some(1)), "–");
        assert_eq!(difference(Some(1), None), "–");
    }
}
