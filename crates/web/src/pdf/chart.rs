//! Bar charts in the flowing PDFs: one tagged figure with an alternative
//! text; the document shows the same numbers in a table beside it.

use super::*;

/// One group of bars in a chart: a label and one value per series
/// (None: the series has no value there).
pub struct BarGroup {
    pub label: String,
    pub values: Vec<Option<i64>>,
    /// The values as printed beside the bars.
    pub texts: Vec<String>,
}

impl PdfBuilder {
    /// A horizontal bar chart, one group per label with a bar per series
    /// (colours `#rrggbb`, legend on top), as one tagged figure with `alt`.
    /// Kept on one page when it fits; the same numbers belong in a table.
    pub fn bars(&mut self, alt: &str, series: &[(String, &str)], groups: &[BarGroup]) {
        let size = 7.5;
        let bar_h = 7.0;
        let label_w = 90.0;
        let value_w = 70.0;
        let k = series.len().max(1) as f32;
        let group_h = k * bar_h + 5.0;
        let legend_h = 12.0 * series.len().div_ceil(3) as f32 + 4.0;
        let height = legend_h + groups.len() as f32 * group_h;
        self.ensure(height.min(PAGE_H - MARGIN_TOP - MARGIN_BOTTOM));
        let mut parts = Vec::new();
        let colour = |hex: &str| -> (u8, u8, u8) {
            let v =
                |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("44"), 16).unwrap_or(68);
            (v(1), v(3), v(5))
        };
        let leaf = |b: &mut PdfBuilder| {
            b.next_leaf += 1;
            b.next_leaf - 1
        };
        let top = self.y + 4.0;
        for (i, (name, hex)) in series.iter().enumerate() {
            let x = MARGIN_X + (i % 3) as f32 * (CONTENT_W / 3.0);
            let y = top + (i / 3) as f32 * 12.0;
            let l = leaf(self);
            self.push(Op::Bar {
                x,
                y,
                w: 8.0,
                h: 8.0,
                rgb: colour(hex),
                leaf: l,
            });
            parts.push(l);
            parts.extend(self.text(x + 12.0, y + 7.5, size, Weight::Regular, false, name, true));
        }
        let max = groups
            .iter()
            .flat_map(|g| g.values.iter().flatten())
            .copied()
            .max()
            .unwrap_or(0)
            .max(1) as f32;
        let scale = (CONTENT_W - label_w - value_w) / max;
        let mut y = top + legend_h;
        for g in groups {
            if y + group_h > PAGE_H - MARGIN_BOTTOM {
                self.new_page();
                y = self.y;
            }
            parts.extend(self.text(
                MARGIN_X,
                y + k * bar_h / 2.0 + 3.0,
                size,
                Weight::Regular,
                false,
                &g.label,
                true,
            ));
            for (si, v) in g.values.iter().enumerate() {
                let by = y + si as f32 * bar_h;
                let hex = series.get(si).map(|s| s.1).unwrap_or("#444444");
                let text = g.texts.get(si).cloned().unwrap_or_default();
                let w = v.map(|v| (v as f32 * scale).max(0.5)).unwrap_or(0.0);
                if w > 0.0 {
                    let l = leaf(self);
                    self.push(Op::Bar {
                        x: MARGIN_X + label_w,
                        y: by,
                        w,
                        h: bar_h - 1.5,
                        rgb: colour(hex),
                        leaf: l,
                    });
                    parts.push(l);
                }
                parts.extend(self.text(
                    MARGIN_X + label_w + w + 3.0,
                    by + bar_h - 1.5,
                    6.5,
                    Weight::Regular,
                    v.is_none(),
                    &text,
                    true,
                ));
            }
            y += group_h;
        }
        self.y = y + 6.0;
        self.structure.push(Elem::Figure(alt.to_string(), parts));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::tests::assert_tagged;

    #[test]
    fn a_bar_chart_is_one_tagged_figure() {
        let mut b = PdfBuilder::new("Prov", "Navet");
        b.title("Diagram");
        let groups: Vec<BarGroup> = (0..40)
            .map(|i| BarGroup {
                label: format!("Kommun {i}"),
                values: vec![Some(i * 100), if i % 2 == 0 { None } else { Some(5) }],
                texts: vec![format!("{i} tkr"), "deltar inte".into()],
            })
            .collect();
        b.bars(
            "Kostnad per kommun",
            &[("A".into(), "#1f5f8b"), ("B".into(), "#b35c00")],
            &groups,
        );
        let pdf = b.finish().unwrap();
        assert_tagged(&pdf, &["/H1", "/Figure"]);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("Kostnad per kommun"), "the alternative text");
    }
}
