//! A small flowing-document builder on krilla: headings, wrapped
//! paragraphs, bullet lists and tables that continue over pages, on A4 with
//! DejaVu Sans embedded (subset) so å, ä and ö render in every reader.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};

static REGULAR: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/fonts/DejaVuSans.ttf"
));
static BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/fonts/DejaVuSans-Bold.ttf"
));

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 56.0;
const MARGIN_TOP: f32 = 56.0;
const MARGIN_BOTTOM: f32 = 64.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        grey: bool,
        text: String,
    },
    Rule {
        x1: f32,
        y: f32,
        x2: f32,
        width: f32,
    },
    Shade {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// Advance widths for measuring text (kerning ignored: good enough to wrap).
struct Metrics {
    upem: f32,
    advances: std::collections::HashMap<char, f32>,
    fallback: f32,
}

impl Metrics {
    fn new(bytes: &'static [u8]) -> Metrics {
        let f = FontRef::new(bytes).expect("bundled font parses");
        let upem = f.head().map(|h| h.units_per_em() as f32).unwrap_or(2048.0);
        let charmap = f.charmap();
        let gm = f.glyph_metrics(Size::unscaled(), LocationRef::default());
        let mut advances = std::collections::HashMap::new();
        for (cp, gid) in charmap.mappings() {
            if let (Some(ch), Some(w)) = (char::from_u32(cp), gm.advance_width(gid)) {
                advances.insert(ch, w);
            }
        }
        let fallback = advances.get(&'n').copied().unwrap_or(upem * 0.6);
        Metrics {
            upem,
            advances,
            fallback,
        }
    }
    fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text
            .chars()
            .map(|c| self.advances.get(&c).copied().unwrap_or(self.fallback))
            .sum();
        units * size / self.upem
    }
}

/// Column alignment in a table.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct PdfBuilder {
    title: String,
    footer: String,
    regular: Metrics,
    bold: Metrics,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl PdfBuilder {
    /// `footer` is printed at the bottom of each page with the page number.
    pub fn new(title: &str, footer: &str) -> PdfBuilder {
        PdfBuilder {
            title: title.to_string(),
            footer: footer.to_string(),
            regular: Metrics::new(REGULAR),
            bold: Metrics::new(BOLD),
            pages: vec![Vec::new()],
            y: MARGIN_TOP,
        }
    }

    fn metrics(&self, w: Weight) -> &Metrics {
        match w {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    /// Start a new page unless `h` points still fit on this one.
    fn ensure(&mut self, h: f32) {
        if self.y + h > PAGE_H - MARGIN_BOTTOM && self.y > MARGIN_TOP {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        self.pages.last_mut().expect("a page").push(op);
    }

    /// Break `text` into lines no wider than `width`; long words are split.
    fn wrap(&self, text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
        let m = self.metrics(weight);
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split(' ').filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if m.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the column is split by characters.
                let mut part = String::new();
                for ch in word.chars() {
                    let next = format!("{part}{ch}");
                    if m.width(&next, size) > width && !part.is_empty() {
                        lines.push(std::mem::take(&mut part));
                        part.push(ch);
                    } else {
                        part = next;
                    }
                }
                line = part;
            }
            lines.push(line);
        }
        lines
    }

    fn text(&mut self, x: f32, y: f32, size: f32, weight: Weight, grey: bool, text: &str) {
        self.push(Op::Text {
            x,
            y,
            size,
            weight,
            grey,
            text: text.to_string(),
        });
    }

    fn lines(&mut self, text: &str, size: f32, weight: Weight, grey: bool, indent: f32) {
        let lh = size * 1.35;
        for line in self.wrap(text, size, weight, CONTENT_W - indent) {
            self.ensure(lh);
            self.y += lh;
            let y = self.y - size * 0.3;
            self.text(MARGIN_X + indent, y, size, weight, grey, &line);
        }
    }

    pub fn title(&mut self, text: &str) {
        self.lines(text, 18.0, Weight::Bold, false, 0.0);
        self.y += 4.0;
    }

    /// A section heading; kept together with at least a few lines after it.
    pub fn heading(&mut self, text: &str) {
        self.ensure(60.0);
        self.y += 10.0;
        self.lines(text, 13.0, Weight::Bold, false, 0.0);
        self.y += 3.0;
    }

    pub fn subheading(&mut self, text: &str) {
        self.ensure(40.0);
        self.y += 4.0;
        self.lines(text, 10.5, Weight::Bold, false, 0.0);
        self.y += 1.0;
    }

    pub fn paragraph(&mut self, text: &str) {
        self.lines(text, 9.5, Weight::Regular, false, 0.0);
        self.y += 4.0;
    }

    pub fn note(&mut self, text: &str) {
        self.lines(text, 8.5, Weight::Regular, true, 0.0);
        self.y += 3.0;
    }

    pub fn bullets(&mut self, items: &[String]) {
        for item in items {
            let size = 9.5;
            self.ensure(size * 1.35);
            let y = self.y + size * 1.35 - size * 0.3;
            self.text(MARGIN_X + 2.0, y, size, Weight::Regular, false, "•");
            self.lines(item, size, Weight::Regular, false, 12.0);
            self.y += 1.5;
        }
        self.y += 3.0;
    }

    /// A table with a shaded header row repeated on every page. `widths` are
    /// fractions of the text width; the last `bold_last` rows are set in bold.
    pub fn table(
        &mut self,
        headers: &[String],
        rows: &[Vec<String>],
        widths: &[f32],
        align: &[Align],
        bold_last: usize,
    ) {
        let size = if headers.len() > 5 { 7.5 } else { 8.5 };
        let lh = size * 1.3;
        let pad = 3.0;
        let total: f32 = widths.iter().sum();
        let cols: Vec<f32> = widths.iter().map(|w| w / total * CONTENT_W).collect();
        let wrap_row = |b: &PdfBuilder, cells: &[String], weight: Weight| -> Vec<Vec<String>> {
            cells
                .iter()
                .zip(&cols)
                .map(|(c, w)| b.wrap(c, size, weight, w - 2.0 * pad))
                .collect()
        };
        let header_lines = wrap_row(self, headers, Weight::Bold);
        let header_h =
            header_lines.iter().map(|l| l.len()).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
        let draw_row =
            |b: &mut PdfBuilder, lines: &[Vec<String>], weight: Weight, shaded: bool, h: f32| {
                if shaded {
                    b.push(Op::Shade {
                        x: MARGIN_X,
                        y: b.y,
                        w: CONTENT_W,
                        h,
                    });
                }
                let mut x = MARGIN_X;
                for (i, cell) in lines.iter().enumerate() {
                    for (li, line) in cell.iter().enumerate() {
                        let tx = match align.get(i).copied().unwrap_or(Align::Left) {
                            Align::Left => x + pad,
                            Align::Right => x + cols[i] - pad - b.metrics(weight).width(line, size),
                        };
                        let ty = b.y + pad + (li as f32 + 1.0) * lh - size * 0.3;
                        b.text(tx, ty, size, weight, false, line);
                    }
                    x += cols[i];
                }
                b.y += h;
                b.push(Op::Rule {
                    x1: MARGIN_X,
                    y: b.y,
                    x2: MARGIN_X + CONTENT_W,
                    width: if shaded { 0.8 } else { 0.4 },
                });
            };
        self.ensure(header_h + lh * 2.0);
        draw_row(self, &header_lines, Weight::Bold, true, header_h);
        for (ri, row) in rows.iter().enumerate() {
            let weight = if ri + bold_last >= rows.len() {
                Weight::Bold
            } else {
                Weight::Regular
            };
            let lines = wrap_row(self, row, weight);
            let h = lines.iter().map(|l| l.len()).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
            if self.y + h > PAGE_H - MARGIN_BOTTOM {
                self.new_page();
                draw_row(self, &header_lines, Weight::Bold, true, header_h);
            }
            draw_row(self, &lines, weight, false, h);
        }
        self.y += 8.0;
    }

    /// Lay out the pages and write the PDF.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        let regular = Font::new(REGULAR.into(), 0).ok_or("typsnittet kunde inte läsas")?;
        let bold = Font::new(BOLD.into(), 0).ok_or("typsnittet kunde inte läsas")?;
        let mut doc = Document::new();
        doc.set_metadata(
            krilla::metadata::Metadata::new()
                .title(self.title.clone())
                .language("sv-SE".into())
                .creator("Navet".into()),
        );
        let n = self.pages.len();
        let black = rgb::Color::new(29, 36, 51);
        let grey = rgb::Color::new(74, 84, 104);
        let fill = |c: rgb::Color| {
            Some(Fill {
                paint: c.into(),
                opacity: NormalizedF32::ONE,
                rule: Default::default(),
            })
        };
        for (pi, ops) in self.pages.iter().enumerate() {
            let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("sidstorlek")?;
            let mut page = doc.start_page_with(settings);
            let mut s = page.surface();
            for op in ops {
                match op {
                    Op::Text {
                        x,
                        y,
                        size,
                        weight,
                        grey: g,
                        text,
                    } => {
                        s.set_fill(fill(if *g { grey } else { black }));
                        let font = if *weight == Weight::Bold {
                            bold.clone()
                        } else {
                            regular.clone()
                        };
                        s.draw_text(
                            Point::from_xy(*x, *y),
                            font,
                            *size,
                            text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    Op::Rule { x1, y, x2, width } => {
                        let mut pb = PathBuilder::new();
                        pb.move_to(*x1, *y);
                        pb.line_to(*x2, *y);
                        if let Some(path) = pb.finish() {
                            s.set_fill(None);
                            s.set_stroke(Some(Stroke {
                                paint: rgb::Color::new(150, 158, 170).into(),
                                width: *width,
                                ..Default::default()
                            }));
                            s.draw_path(&path);
                            s.set_stroke(None);
                        }
                    }
                    Op::Shade { x, y, w, h } => {
                        let mut pb = PathBuilder::new();
                        pb.move_to(*x, *y);
                        pb.line_to(x + w, *y);
                        pb.line_to(x + w, y + h);
                        pb.line_to(*x, y + h);
                        pb.close();
                        if let Some(path) = pb.finish() {
                            s.set_stroke(None);
                            s.set_fill(fill(rgb::Color::new(234, 238, 243)));
                            s.draw_path(&path);
                        }
                    }
                }
            }
            let footer = format!("{} · Sida {} av {}", self.footer, pi + 1, n);
            s.set_fill(fill(grey));
            s.draw_text(
                Point::from_xy(MARGIN_X, PAGE_H - 32.0),
                regular.clone(),
                8.0,
                &footer,
                false,
                TextDirection::Auto,
            );
            s.finish();
            page.finish();
        }
        doc.finish()
            .map_err(|e| format!("PDF kunde inte skapas: {e:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_to_the_width_and_splits_long_words() {
        let b = PdfBuilder::new("t", "f");
        let lines = b.wrap(
            "Hällefors betalar mer per år om Nora lämnar",
            10.0,
            Weight::Regular,
            100.0,
        );
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(b.regular.width(l, 10.0) <= 100.0, "{l}");
        }
        assert_eq!(
            lines.join(" "),
            "Hällefors betalar mer per år om Nora lämnar"
        );
        let long = b.wrap(&"x".repeat(200), 10.0, Weight::Regular, 50.0);
        assert!(long.len() > 3);
        assert_eq!(long.concat(), "x".repeat(200));
    }

    #[test]
    fn builds_a_multi_page_pdf() {
        let mut b = PdfBuilder::new("Prov", "Navet");
        b.title("Kostnadsscenarier – åäö");
        let rows: Vec<Vec<String>> = (0..120)
            .map(|i| vec![format!("Kommun {i}"), format!("{i} kr")])
            .collect();
        b.table(
            &["Kommun".into(), "Belopp".into()],
            &rows,
            &[2.0, 1.0],
            &[Align::Left, Align::Right],
            1,
        );
        assert!(b.pages.len() > 1);
        let pdf = b.finish().unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }
}
