//! A grouped horizontal bar chart as plain SVG: what each municipality pays
//! per year in each scenario. The page shows the same numbers in a table.

use domain::costs::money::{div_round, group_thousands};
use domain::costs::Comparison;

/// Scenario colours: dark enough for 3:1 against white, told apart also by
/// the order of the bars and the legend.
pub const COLOURS: [&str; 6] = [
    "#1f5f8b", "#b35c00", "#2f7d4f", "#7b3fa0", "#a0243a", "#4a5468",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Thousands of kronor, e.g. `"1 234 tkr"`.
fn tkr(ore: i64) -> String {
    format!("{} tkr", group_thousands(div_round(ore as i128, 100_000)))
}

/// `described_by` is the id of the table with the same figures.
pub fn bars(c: &Comparison, title_id: &str, described_by: &str) -> String {
    let width = 760.0_f64;
    let label_w = 130.0;
    let value_w = 90.0;
    let bar_h = 13.0;
    let gap = 10.0;
    let legend_h = 22.0 * c.columns.len().div_ceil(3) as f64 + 6.0;
    let k = c.columns.len().max(1) as f64;
    let group_h = k * bar_h + gap;
    let height = legend_h + c.rows.len() as f64 * group_h + 10.0;
    let max = c
        .rows
        .iter()
        .flat_map(|r| r.shares.iter().flatten())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let scale = (width - label_w - value_w) / max;
    let mut s = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{title_id}\" aria-describedby=\"{described_by}\" \
         viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\" \
         font-family=\"system-ui, sans-serif\" font-size=\"12\">"
    );
    for (i, col) in c.columns.iter().enumerate() {
        let x = 10.0 + (i % 3) as f64 * 250.0;
        let y = 6.0 + (i / 3) as f64 * 22.0;
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"14\" height=\"14\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" fill=\"#1d2433\">{}</text>",
            COLOURS[i % COLOURS.len()],
            x + 20.0,
            y + 12.0,
            esc(&col.name)
        ));
    }
    for (ri, row) in c.rows.iter().enumerate() {
        let top = legend_h + ri as f64 * group_h;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1d2433\">{}</text>",
            label_w - 8.0,
            top + k * bar_h / 2.0 + 4.0,
            esc(&row.name)
        ));
        for (si, share) in row.shares.iter().enumerate() {
            let y = top + si as f64 * bar_h;
            match share {
                Some(v) => {
                    let w = (*v as f64 * scale).max(1.0);
                    s.push_str(&format!(
                        "<rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"/>\
                         <text x=\"{:.1}\" y=\"{}\" fill=\"#1d2433\" font-size=\"11\">{}</text>",
                        bar_h - 2.0,
                        COLOURS[si % COLOURS.len()],
                        label_w + w + 4.0,
                        y + bar_h - 3.0,
                        tkr(*v)
                    ));
                }
                None => s.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" fill=\"#4a5468\" font-size=\"11\">deltar inte</text>",
                    label_w + 4.0,
                    y + bar_h - 3.0
                )),
            }
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::costs::compare::{ComparisonRow, ScenarioColumn};

    #[test]
    fn one_bar_per_municipality_and_scenario_and_escaped_names() {
        let col = |name: &str| ScenarioColumn {
            scenario_id: 1,
            name: name.into(),
            weights_label: String::new(),
            municipalities: 2,
            fixed: 0,
            variable: 0,
            total: 0,
            course_hours: 0.0,
            participants: 0.0,
            per_course_hour: None,
            per_participant: None,
            per_inhabitant: None,
        };
        let c = Comparison {
            columns: vec![col("A & <B>"), col("C")],
            rows: vec![
                ComparisonRow {
                    municipality_id: 1,
                    name: "Örebro".into(),
                    shares: vec![Some(250_000_000), Some(100)],
                },
                ComparisonRow {
                    municipality_id: 2,
                    name: "Nora".into(),
                    shares: vec![Some(50_000_000), None],
                },
            ],
            differences: vec![],
        };
        let svg = bars(&c, "t", "d");
        assert_eq!(svg.matches("<rect").count(), 2 + 3, "legend + bars");
        assert!(svg.contains("A &amp; &lt;B&gt;"));
        assert!(svg.contains("2 500 tkr"));
        assert!(svg.contains("deltar inte"));
        assert!(svg.contains("aria-describedby=\"d\""));
    }
}
