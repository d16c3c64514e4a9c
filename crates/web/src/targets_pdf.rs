//! The steering group's target view on one A4 page for the board: the
//! programme's standing, unique participants by gender, each
//! municipality's course hours against its commitment in words, the needs
//! inventory's coverage and satisfaction. Tagged like the other PDFs
//! (`crate::pdf`); aggregates only, no person named.

use crate::format::decimal;
use crate::pdf::{Align, PdfBuilder};
use crate::usecase::targets::TargetView;

fn pct(v: f64) -> String {
    format!("{} %", decimal(v, 0))
}

/// `t` gives the interface texts (the locale's keys).
pub fn render(v: &TargetView, t: &dyn Fn(&str) -> &'static str) -> Result<Vec<u8>, String> {
    build(v, t).finish()
}

fn build(v: &TargetView, t: &dyn Fn(&str) -> &'static str) -> PdfBuilder {
    let title = format!("{} {} – {}", t("targets.title"), v.from, v.to);
    let mut b = PdfBuilder::new(&title, &format!("Navet · {}", v.to));
    b.title(&title);
    let (on, slightly, behind) = v.tally();
    let mut summary = format!(
        "{} {}. {}: {} {}, {} {}, {} {}.",
        t("targets.unique_participants"),
        v.report.unique_participants.total,
        t("targets.by_municipality"),
        on,
        t("targets.n_on_track"),
        slightly,
        t("targets.n_slightly_behind"),
        behind,
        t("targets.n_behind"),
    );
    if let Some(p) = &v.programme {
        summary.push_str(&format!(
            " {}: {} {} ({} {} {} {}), {} {}; {}.",
            t("targets.programme"),
            pct(p.achieved_pct),
            t("targets.of_target"),
            decimal(p.hours, 0),
            t("targets.of"),
            decimal(p.commitment, 0),
            t("targets.hours"),
            t("targets.expected_now"),
            pct(p.expected_pct),
            t(&format!("targets.pace_{}", p.pace.code())),
        ));
        if let Some(f) = p.forecast_pct {
            summary.push_str(&format!(" {} {}.", t("targets.forecast"), pct(f)));
        }
    }
    b.paragraph(&summary);

    let sh = &v.report.unique_participants.share_pct_by_gender;
    let needs = v.needs;
    let helped = v
        .survey
        .helped_high_pct
        .filter(|_| !v.survey.withheld)
        .map(pct)
        .unwrap_or_else(|| "–".into());
    b.table(
        &[
            t("targets.unique_participants").to_string(),
            t("targets.needs").to_string(),
            t("targets.satisfaction").to_string(),
        ],
        &[vec![
            format!(
                "{} ({} {}, {} {})",
                v.report.unique_participants.total,
                t("dashboard.women"),
                pct(sh.kvinna),
                t("dashboard.men"),
                pct(sh.man)
            ),
            format!(
                "{} levererat, {} under utveckling, {} risk att ej leverera",
                needs.0, needs.1, needs.2
            ),
            format!("{}: {helped}", t("dashboard.chart_helped")),
        ]],
        &[1.0, 1.4, 1.0],
        &[Align::Left, Align::Left, Align::Left],
        0,
    );

    b.heading(t("targets.by_municipality"));
    let headers = [
        "targets.municipality",
        "targets.status",
        "targets.hours_col",
        "targets.commitment",
        "targets.achieved",
        "targets.expected",
        "targets.forecast_col",
    ]
    .map(|k| t(k).to_string());
    let rows: Vec<Vec<String>> = v
        .municipalities
        .iter()
        .map(|m| {
            vec![
                m.name.clone(),
                t(&format!("targets.pace_{}", m.pace.code())).to_string(),
                decimal(m.hours, 0),
                decimal(m.commitment, 0),
                pct(m.achieved_pct),
                pct(m.expected_pct),
                m.forecast_pct.map(pct).unwrap_or_else(|| "–".into()),
            ]
        })
        .collect();
    b.table(
        &headers,
        &rows,
        &[1.5, 1.2, 1.0, 1.0, 0.9, 0.9, 0.9],
        &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
        0,
    );
    b.note(
        "Kurstimmar: närvaro på genomförda kurstillfällen sedan programmets start. \
         Väntat i dag: den andel av åtagandet som en jämn takt över programperioden ger i dag. \
         Prognos: andelen vid programmets slut om takten hittills håller i sig. \
         I fas = minst väntat; något efter = minst 80 % av väntat; efter = under 80 %.",
    );
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usecase::targets::Standing;
    use domain::targets::Pace;

    #[test]
    fn the_target_view_fits_one_tagged_page() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let report = domain::indicators::assemble(
            domain::indicators::Period {
                from: d("2026-01-01"),
                to: d("2026-12-07"),
            },
            &Default::default(),
            None,
            &[],
            Default::default(),
        );
        let standing = |name: &str, pace: Pace| Standing {
            name: name.into(),
            hours: 1234.0,
            commitment: 4567.0,
            achieved_pct: 27.0,
            expected_pct: 77.0,
            forecast_pct: Some(35.0),
            pace,
        };
        let v = TargetView {
            from: "2026-01-01".into(),
            to: "2026-12-07".into(),
            report,
            programme: Some(standing("ESF Kompetensnavet", Pace::SlightlyBehind)),
            municipalities: [
                "Askersund",
                "Degerfors",
                "Hallsberg",
                "Hällefors",
                "Karlskoga",
                "Kumla",
                "Laxå",
                "Lekeberg",
                "Lindesberg",
                "Ljusnarsberg",
                "Nora",
                "Örebro",
            ]
            .iter()
            .map(|m| {
                standing(
                    m,
                    if m.starts_with('H') {
                        Pace::OnTrack
                    } else {
                        Pace::Behind
                    },
                )
            })
            .collect(),
            needs: (19, 25, 22),
            survey: Default::default(),
        };
        let t = |k: &str| crate::i18n::t(crate::i18n::Lang::Sv, k);
        let b = build(&v, &t);
        assert_eq!(b.page_count(), 1, "one page for the board");
        let pdf = b.finish().unwrap();
        crate::pdf::tests::assert_tagged(&pdf, &["/H1", "/H2", "/Table", "/TH", "/TD", "/P"]);
    }
}
