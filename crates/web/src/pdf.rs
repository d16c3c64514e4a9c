//! PDFs: DejaVu Sans embedded (subset) so å, ä and ö render in every
//! reader, and tagged so screen readers get headings, paragraphs, lists and
//! tables in reading order (the public-sector accessibility law covers
//! documents too). Decoration (rules, shading, page footers, repeated table
//! headers) is marked as artifact so it is not read out.
//!
//! [`PdfBuilder`] is a small flowing-document builder: headings, wrapped
//! paragraphs, bullet lists and tables that continue over pages, on A4.
//! Fixed layouts (certificates) draw with [`span`] and [`artifact`].

use std::num::NonZeroU16;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, Node, SpanTag, TableHeaderScope,
    Tag, TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};

pub static REGULAR: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/fonts/DejaVuSans.ttf"
));
pub static BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/fonts/DejaVuSans-Bold.ttf"
));

/// Draw content that belongs to the document's text; returns the piece's
/// identifier, which must be placed exactly once in the tag tree.
pub fn span(s: &mut Surface, draw: impl FnOnce(&mut Surface)) -> Identifier {
    let id = s.start_tagged(ContentTag::Span(SpanTag::empty()));
    draw(s);
    s.end_tagged();
    id
}

/// Draw a graphic that is part of the content (a figure); place the
/// identifier in a `Figure` group with an alternative text.
pub fn graphic(s: &mut Surface, draw: impl FnOnce(&mut Surface)) -> Identifier {
    let id = s.start_tagged(ContentTag::Other);
    draw(s);
    s.end_tagged();
    id
}

/// Draw decoration a screen reader should skip.
pub fn artifact(s: &mut Surface, kind: ArtifactType, draw: impl FnOnce(&mut Surface)) {
    s.start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)));
    draw(s);
    s.end_tagged();
}

/// A structure group of the given kind with these children.
pub fn group(tag: impl Into<TagKind>, children: Vec<Node>) -> Node {
    TagGroup::with_children(tag, children).into()
}

/// A heading of level 1–6.
pub fn heading(level: u16, children: Vec<Node>) -> Node {
    group(
        Tag::Hn(NonZeroU16::new(level.clamp(1, 6)).expect("1–6"), None),
        children,
    )
}

/// The tag tree of a Swedish document with these top-level elements.
pub fn tree(children: Vec<Node>) -> TagTree {
    let mut t = TagTree::new();
    t.lang = Some("sv-SE".into());
    for c in children {
        t.push(c);
    }
    t
}

mod chart;
pub use chart::BarGroup;

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
        /// Its place in the structure, or None for a repeated table header.
        leaf: Option<usize>,
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
    /// A bar of a chart: part of a figure (`leaf`), in an RGB colour.
    Bar {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        rgb: (u8, u8, u8),
        leaf: usize,
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

/// The document's logical structure, built alongside the layout; leaves
/// are text operations, numbered in drawing order.
enum Elem {
    Heading(u16, Vec<usize>),
    Paragraph(Vec<usize>),
    /// Items: the bullet and the item's lines.
    List(Vec<(usize, Vec<usize>)>),
    /// Header cells, then rows of cells; each cell its lines.
    Table(Vec<Vec<usize>>, Vec<Vec<Vec<usize>>>),
    /// A chart: its alternative text and the bars and labels drawn.
    Figure(String, Vec<usize>),
}

fn leaves(ids: &mut [Option<Identifier>], list: &[usize]) -> Vec<Node> {
    list.iter()
        .filter_map(|&i| ids.get_mut(i).and_then(Option::take))
        .map(Node::from)
        .collect()
}

impl Elem {
    fn node(&self, ids: &mut [Option<Identifier>]) -> Node {
        match self {
            Elem::Heading(level, l) => heading(*level, leaves(ids, l)),
            Elem::Paragraph(l) => group(Tag::P, leaves(ids, l)),
            Elem::List(items) => group(
                Tag::L(ListNumbering::Disc),
                items
                    .iter()
                    .map(|(bullet, body)| {
                        group(
                            Tag::LI,
                            vec![
                                group(Tag::Lbl, leaves(ids, &[*bullet])),
                                group(Tag::LBody, leaves(ids, body)),
                            ],
                        )
                    })
                    .collect(),
            ),
            Elem::Figure(alt, parts) => group(Tag::Figure(Some(alt.clone())), leaves(ids, parts)),
            Elem::Table(head, rows) => {
                let mut trs = vec![group(
                    Tag::TR,
                    head.iter()
                        .map(|c| group(Tag::TH(TableHeaderScope::Column), leaves(ids, c)))
                        .collect(),
                )];
                for r in rows {
                    trs.push(group(
                        Tag::TR,
                        r.iter().map(|c| group(Tag::TD, leaves(ids, c))).collect(),
                    ));
                }
                group(Tag::Table, trs)
            }
        }
    }
}

fn rect(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    pb.push_rect(krilla::geom::Rect::from_xywh(x, y, w, h)?);
    pb.finish()
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
    structure: Vec<Elem>,
    next_leaf: usize,
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
            structure: Vec::new(),
            next_leaf: 0,
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

    /// Place a line of text; `tagged` false for repeats that are not content.
    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        grey: bool,
        text: &str,
        tagged: bool,
    ) -> Option<usize> {
        let leaf = tagged.then(|| {
            self.next_leaf += 1;
            self.next_leaf - 1
        });
        self.push(Op::Text {
            x,
            y,
            size,
            weight,
            grey,
            text: text.to_string(),
            leaf,
        });
        leaf
    }

    fn lines(
        &mut self,
        text: &str,
        size: f32,
        weight: Weight,
        grey: bool,
        indent: f32,
    ) -> Vec<usize> {
        let lh = size * 1.35;
        let mut out = Vec::new();
        for line in self.wrap(text, size, weight, CONTENT_W - indent) {
            self.ensure(lh);
            self.y += lh;
            let y = self.y - size * 0.3;
            out.extend(self.text(MARGIN_X + indent, y, size, weight, grey, &line, true));
        }
        out
    }

    pub fn title(&mut self, text: &str) {
        let l = self.lines(text, 18.0, Weight::Bold, false, 0.0);
        self.structure.push(Elem::Heading(1, l));
        self.y += 4.0;
    }

    /// A section heading; kept together with at least a few lines after it.
    pub fn heading(&mut self, text: &str) {
        self.ensure(60.0);
        self.y += 10.0;
        let l = self.lines(text, 13.0, Weight::Bold, false, 0.0);
        self.structure.push(Elem::Heading(2, l));
        self.y += 3.0;
    }

    pub fn subheading(&mut self, text: &str) {
        self.ensure(40.0);
        self.y += 4.0;
        let l = self.lines(text, 10.5, Weight::Bold, false, 0.0);
        self.structure.push(Elem::Heading(3, l));
        self.y += 1.0;
    }

    pub fn paragraph(&mut self, text: &str) {
        let l = self.lines(text, 9.5, Weight::Regular, false, 0.0);
        self.structure.push(Elem::Paragraph(l));
        self.y += 4.0;
    }

    pub fn note(&mut self, text: &str) {
        let l = self.lines(text, 8.5, Weight::Regular, true, 0.0);
        self.structure.push(Elem::Paragraph(l));
        self.y += 3.0;
    }

    pub fn bullets(&mut self, items: &[String]) {
        let mut list = Vec::new();
        for item in items {
            let size = 9.5;
            self.ensure(size * 1.35);
            let y = self.y + size * 1.35 - size * 0.3;
            let bullet = self.text(MARGIN_X + 2.0, y, size, Weight::Regular, false, "•", true);
            let body = self.lines(item, size, Weight::Regular, false, 12.0);
            list.extend(bullet.map(|b| (b, body)));
            self.y += 1.5;
        }
        self.structure.push(Elem::List(list));
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
        // Returns each cell's placed lines (empty when not tagged).
        let draw_row = |b: &mut PdfBuilder,
                        lines: &[Vec<String>],
                        weight: Weight,
                        shaded: bool,
                        h: f32,
                        tagged: bool|
         -> Vec<Vec<usize>> {
            if shaded {
                b.push(Op::Shade {
                    x: MARGIN_X,
                    y: b.y,
                    w: CONTENT_W,
                    h,
                });
            }
            let mut x = MARGIN_X;
            let mut cells = Vec::with_capacity(lines.len());
            for (i, cell) in lines.iter().enumerate() {
                let mut placed = Vec::new();
                for (li, line) in cell.iter().enumerate() {
                    let tx = match align.get(i).copied().unwrap_or(Align::Left) {
                        Align::Left => x + pad,
                        Align::Right => x + cols[i] - pad - b.metrics(weight).width(line, size),
                    };
                    let ty = b.y + pad + (li as f32 + 1.0) * lh - size * 0.3;
                    placed.extend(b.text(tx, ty, size, weight, false, line, tagged));
                }
                cells.push(placed);
                x += cols[i];
            }
            b.y += h;
            b.push(Op::Rule {
                x1: MARGIN_X,
                y: b.y,
                x2: MARGIN_X + CONTENT_W,
                width: if shaded { 0.8 } else { 0.4 },
            });
            cells
        };
        self.ensure(header_h + lh * 2.0);
        let head = draw_row(self, &header_lines, Weight::Bold, true, header_h, true);
        let mut body = Vec::with_capacity(rows.len());
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
                // The header again on the new page, for the eye only.
                draw_row(self, &header_lines, Weight::Bold, true, header_h, false);
            }
            body.push(draw_row(self, &lines, weight, false, h, true));
        }
        self.structure.push(Elem::Table(head, body));
        self.y += 8.0;
    }

    /// How many pages the document has so far.
    pub fn page_count(&self) -> usize {
        self.pages.len()
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
        let mut ids: Vec<Option<Identifier>> = (0..self.next_leaf).map(|_| None).collect();
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
                        leaf,
                    } => {
                        s.set_fill(fill(if *g { grey } else { black }));
                        let font = if *weight == Weight::Bold {
                            bold.clone()
                        } else {
                            regular.clone()
                        };
                        let draw = |s: &mut Surface| {
                            s.draw_text(
                                Point::from_xy(*x, *y),
                                font,
                                *size,
                                text,
                                false,
                                TextDirection::Auto,
                            )
                        };
                        match leaf {
                            Some(i) => ids[*i] = Some(span(&mut s, draw)),
                            None => artifact(&mut s, ArtifactType::PaginationOther, draw),
                        }
                    }
                    Op::Rule { x1, y, x2, width } => {
                        let mut pb = PathBuilder::new();
                        pb.move_to(*x1, *y);
                        pb.line_to(*x2, *y);
                        if let Some(path) = pb.finish() {
                            artifact(&mut s, ArtifactType::Layout, |s| {
                                s.set_fill(None);
                                s.set_stroke(Some(Stroke {
                                    paint: rgb::Color::new(150, 158, 170).into(),
                                    width: *width,
                                    ..Default::default()
                                }));
                                s.draw_path(&path);
                                s.set_stroke(None);
                            });
                        }
                    }
                    Op::Bar {
                        x,
                        y,
                        w,
                        h,
                        rgb: (r, g, b),
                        leaf,
                    } => {
                        if let Some(path) = rect(*x, *y, *w, *h) {
                            let c = rgb::Color::new(*r, *g, *b);
                            ids[*leaf] = Some(graphic(&mut s, |s| {
                                s.set_stroke(None);
                                s.set_fill(fill(c));
                                s.draw_path(&path);
                            }));
                        }
                    }
                    Op::Shade { x, y, w, h } => {
                        if let Some(path) = rect(*x, *y, *w, *h) {
                            artifact(&mut s, ArtifactType::Layout, |s| {
                                s.set_stroke(None);
                                s.set_fill(fill(rgb::Color::new(234, 238, 243)));
                                s.draw_path(&path);
                            });
                        }
                    }
                }
            }
            let footer = format!("{} · Sida {} av {}", self.footer, pi + 1, n);
            s.set_fill(fill(grey));
            artifact(&mut s, ArtifactType::Footer, |s| {
                s.draw_text(
                    Point::from_xy(MARGIN_X, PAGE_H - 32.0),
                    regular.clone(),
                    8.0,
                    &footer,
                    false,
                    TextDirection::Auto,
                )
            });
            s.finish();
            page.finish();
        }
        let nodes = self.structure.iter().map(|e| e.node(&mut ids)).collect();
        doc.set_tag_tree(tree(nodes));
        doc.finish()
            .map_err(|e| format!("PDF kunde inte skapas: {e:?}"))
    }
}

#[cfg(test)]
pub(crate) mod tests {
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
        b.bullets(&["Första punkten".into(), "Andra".into()]);
        assert!(b.pages.len() > 1);
        let pdf = b.finish().unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        assert_tagged(&pdf, &["/H1", "/Table", "/TH", "/TD", "/L", "/LI"]);
    }

    /// The document is marked as tagged, in Swedish, with these structure
    /// types; where poppler's `pdfinfo` is installed it must agree.
    pub(crate) fn assert_tagged(pdf: &[u8], kinds: &[&str]) {
        let text = String::from_utf8_lossy(pdf);
        assert!(text.contains("/StructTreeRoot"), "has a structure tree");
        assert!(text.contains("/Marked true"), "is marked as tagged");
        for k in kinds {
            assert!(
                text.contains(&format!("/S {k}")) || text.contains(&format!("/S{k}")),
                "structure element {k}"
            );
        }
        // One file per call: tests in the same process run at once.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("navet-tagged-{}-{n}.pdf", std::process::id()));
        std::fs::write(&path, pdf).unwrap();
        if let Ok(out) = std::process::Command::new("pdfinfo").arg(&path).output() {
            let info = String::from_utf8_lossy(&out.stdout);
            let tagged = info
                .lines()
                .find(|l| l.starts_with("Tagged:"))
                .map(|l| l.trim_end().ends_with("yes"));
            assert_eq!(tagged, Some(true), "{info}");
        }
        if std::env::var_os("NAVET_KEEP_PDF").is_none() {
            let _ = std::fs::remove_file(&path);
        }
    }
}
