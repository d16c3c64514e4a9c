//! The dashboard for coordinators and the steering group: participation
//! over time, by municipality and gender, co-financing progress and survey
//! results as SVG charts, each with its numbers in a table beside it.

use crate::rejection::Query;
use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use domain::indicators::IndicatorReport;

use crate::ctx::Ctx;
use crate::format;
use crate::pages::reports::{period_of, PeriodQuery};
use crate::usecase::UseCase;
use crate::{render, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/oversikt", get(page))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart. `marker`: an optional vertical line (e.g. the
/// expected share) in the same unit as the values.
pub fn hbars(
    id: &str,
    title: &str,
    rows: &[(String, f64)],
    unit: &str,
    decimals: usize,
    marker: Option<(f64, &str)>,
) -> String {
    let label_w = 170.0;
    let bar_w = 330.0;
    let row_h = 22.0;
    let h = 30.0 + row_h * rows.len() as f64;
    let max = rows
        .iter()
        .map(|r| r.1)
        .chain(marker.map(|m| m.0))
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let mut svg = format!(
        r#"<svg id="{id}" class="chart" role="img" aria-labelledby="{id}-t" viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px"><title id="{id}-t">{t}</title>"#,
        w = label_w + bar_w + 90.0,
        t = esc(title)
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 10.0 + i as f64 * row_h;
        let w = (v / max * bar_w).max(0.0);
        svg.push_str(&format!(
            r##"<text x="{lx}" y="{ty}" text-anchor="end" font-size="12">{l}</text><rect x="{bx}" y="{y}" width="{w:.1}" height="{bh}" fill="#1d4e6b"/><text x="{vx:.1}" y="{ty}" font-size="12">{v} {u}</text>"##,
            lx = label_w - 6.0,
            ty = y + 13.0,
            l = esc(label),
            bx = label_w,
            bh = row_h - 6.0,
            vx = label_w + w + 4.0,
            v = format::decimal(*v, decimals),
            u = esc(unit)
        ));
    }
    if let Some((m, label)) = marker {
        let x = label_w + m / max * bar_w;
        svg.push_str(&format!(
            r##"<line x1="{x:.1}" y1="4" x2="{x:.1}" y2="{y2}" stroke="#b3261e" stroke-width="2" stroke-dasharray="4 3"/><text x="{x:.1}" y="{ty}" font-size="11" fill="#b3261e" text-anchor="middle">{l}</text>"##,
            y2 = h - 14.0,
            ty = h - 2.0,
            l = esc(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical bars over time (one per month).
pub fn columns(id: &str, title: &str, rows: &[(String, f64)]) -> String {
    let (w, h, left, bottom) = (620.0, 220.0, 40.0, 30.0);
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1.0);
    let n = rows.len().max(1) as f64;
    let slot = (w - left) / n;
    let mut svg = format!(
        r#"<svg id="{id}" class="chart" role="img" aria-labelledby="{id}-t" viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px"><title id="{id}-t">{t}</title>"#,
        t = esc(title)
    );
    svg.push_str(&format!(
        r##"<line x1="{left}" y1="{b}" x2="{w}" y2="{b}" stroke="#444"/><text x="{lx}" y="14" font-size="11" text-anchor="end">{m}</text>"##,
        b = h - bottom,
        lx = left - 4.0,
        m = format::decimal(max, 0)
    ));
    for (i, (label, v)) in rows.iter().enumerate() {
        let bh = v / max * (h - bottom - 10.0);
        let x = left + i as f64 * slot + slot * 0.15;
        svg.push_str(&format!(
            r##"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" fill="#1d4e6b"/><text x="{tx:.1}" y="{ly}" font-size="10" text-anchor="middle">{l}</text>"##,
            y = h - bottom - bh,
            bw = slot * 0.7,
            tx = x + slot * 0.35,
            ly = h - bottom + 14.0,
            l = esc(label.get(5..).unwrap_or(label))
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[derive(Template)]
#[template(path = "dashboard/page.html")]
struct DashboardPage {
    c: Ctx,
    q: PeriodQuery,
    r: IndicatorReport,
    months: Vec<(String, i64, i64)>,
    chart_months: String,
    chart_munis: String,
    chart_gender: String,
    chart_cofin: String,
    chart_survey: String,
}

impl DashboardPage {
    fn pct(&self, v: &f64) -> String {
        format::decimal(*v, 1)
    }
    fn opt(&self, v: &Option<f64>, d: usize) -> String {
        v.map(|x| format::decimal(x, d))
            .unwrap_or_else(|| "–".into())
    }
}

async fn page(State(s): State<AppState>, c: Ctx, Query(q): Query<PeriodQuery>) -> PageResult {
    let d = match UseCase::page(&s, &c)?.dashboard(period_of(&q)).await {
        Ok(d) => d,
        Err(navet_store::StoreError::Invalid(e)) => {
            return Err(AppError::BadRequest(e.to_string()))
        }
        Err(e) => return Err(e.into()),
    };
    let (r, months) = (d.report, d.months);
    let chart_months = columns(
        "ch-months",
        c.t("dashboard.chart_months"),
        &months
            .iter()
            .map(|(m, n, _)| (m.clone(), *n as f64))
            .collect::<Vec<_>>(),
    );
    let chart_munis = hbars(
        "ch-munis",
        c.t("dashboard.chart_munis"),
        &r.by_municipality
            .iter()
            .map(|m| (m.municipality.clone(), m.unique_participants as f64))
            .collect::<Vec<_>>(),
        "",
        0,
        None,
    );
    let g = &r.unique_participants.share_pct_by_gender;
    let chart_gender = hbars(
        "ch-gender",
        c.t("dashboard.chart_gender"),
        &[
            (c.t("dashboard.women").to_string(), g.kvinna),
            (c.t("dashboard.men").to_string(), g.man),
            (c.t("dashboard.other").to_string(), g.annat),
            (c.t("dashboard.not_stated").to_string(), g.ej_angivet),
        ],
        "%",
        1,
        None,
    );
    let expected = r.programme.as_ref().map(|p| p.expected_pct);
    let chart_cofin = hbars(
        "ch-cofin",
        c.t("dashboard.chart_cofin"),
        &r.by_municipality
            .iter()
            .filter(|m| m.commitment_hours > 0.0)
            .map(|m| (m.municipality.clone(), m.commitment_achieved_pct))
            .collect::<Vec<_>>(),
        "%",
        0,
        expected.map(|e| (e, c.t("reports.expected"))),
    );
    let sv = &r.survey;
    let chart_survey = hbars(
        "ch-survey",
        c.t("dashboard.survey_results"),
        &[
            (
                c.t("dashboard.chart_helped").to_string(),
                sv.helped_high_pct.unwrap_or(0.0),
            ),
            (
                c.t("dashboard.chart_support").to_string(),
                sv.language_support_met_pct.unwrap_or(0.0),
            ),
            (
                c.t("dashboard.chart_confidence").to_string(),
                sv.confidence_mean.unwrap_or(0.0) * 20.0,
            ),
        ],
        "",
        0,
        None,
    );
    let q = PeriodQuery {
        from: r.from.clone(),
        to: r.to.clone(),
        program: String::new(),
    };
    render(DashboardPage {
        c,
        q,
        r,
        months,
        chart_months,
        chart_munis,
        chart_gender,
        chart_cofin,
        chart_survey,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_labelled_and_escaped() {
        let svg = hbars(
            "x",
            "Titel <b>",
            &[("Å<script>".into(), 3.0), ("Ö".into(), 1.5)],
            "%",
            1,
            Some((2.0, "förväntat")),
        );
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<title id=\"x-t\">Titel &lt;b&gt;</title>"));
        assert!(svg.contains("Å&lt;script&gt;"));
        assert!(svg.contains("1,5 %"));
        assert!(svg.contains("förväntat"));
        let c = columns(
            "m",
            "Per månad",
            &[("2026-01".into(), 4.0), ("2026-02".into(), 0.0)],
        );
        assert!(c.contains(">01<") && c.contains(">02<"));
    }
}
