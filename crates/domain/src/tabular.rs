//! The one reader for tables people upload (staff lists, historical
//! participations): CSV (comma or semicolon, UTF-8 with or without BOM, as
//! Swedish Excel saves it) and XLSX. Every import goes through it, so every
//! import has the same hard limits ([`LIMITS`], listed in docs/security.md):
//!
//! - the file's size, the number of data rows and columns, the length of a
//!   cell and the total text kept;
//! - for XLSX also the bytes inflated from the zip (counted while inflating,
//!   not taken from the zip's own headers), the number of zip entries, the
//!   number of shared strings and the XML nesting depth.
//!
//! Anything past a limit is refused with a message naming the line, never
//! silently cut. An XLSX sheet is read as a stream of cells: a cell far
//! down or to the right costs nothing until it is refused, and rows without
//! values cost nothing at all (no bounding box is ever built). The caller
//! passes a [`Stop`] (deadline and cancel flag) that the reader checks as it
//! goes, so a parse abandoned by a time limit stops on its own.

use std::cell::Cell;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Hard limits for one uploaded table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Size of the uploaded file.
    pub max_file_bytes: usize,
    /// Data rows (the header row not counted); in XLSX also the highest row
    /// number a value may have (`max_rows + 1`).
    pub max_rows: usize,
    /// Columns with values (A–AX for 50).
    pub max_columns: usize,
    /// Characters in one cell.
    pub max_cell_chars: usize,
    /// Bytes of cell text kept in memory for the whole table.
    pub max_text_bytes: usize,
    /// XLSX: bytes inflated from the zip, all parts read together.
    pub max_inflated_bytes: u64,
    /// XLSX: entries in the zip's directory.
    pub max_zip_entries: usize,
    /// XLSX: distinct strings in the shared-strings part.
    pub max_shared_strings: usize,
    /// XLSX: nesting depth of any XML part.
    pub max_xml_depth: usize,
}

/// The limits every import uses.
pub const LIMITS: Limits = Limits {
    max_file_bytes: 20 * 1024 * 1024,
    max_rows: 100_000,
    max_columns: 50,
    max_cell_chars: 1_000,
    max_text_bytes: 20 * 1024 * 1024,
    max_inflated_bytes: 50 * 1024 * 1024,
    max_zip_entries: 1_000,
    max_shared_strings: 1_000_000,
    max_xml_depth: 64,
};

/// At most this many errors are reported for one file (with the total).
pub const MAX_ERRORS_SHOWN: usize = 100;

/// The first [`MAX_ERRORS_SHOWN`] errors of a file and how many there were.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ErrorList<E> {
    pub shown: Vec<E>,
    pub total: usize,
}

impl<E> Default for ErrorList<E> {
    fn default() -> Self {
        ErrorList {
            shown: Vec::new(),
            total: 0,
        }
    }
}

impl<E> ErrorList<E> {
    pub fn one(e: E) -> Self {
        ErrorList {
            shown: vec![e],
            total: 1,
        }
    }
    pub fn push(&mut self, e: E) {
        self.total += 1;
        if self.shown.len() < MAX_ERRORS_SHOWN {
            self.shown.push(e);
        }
    }
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
    /// Errors past the ones shown.
    pub fn hidden(&self) -> usize {
        self.total - self.shown.len()
    }
    pub fn iter(&self) -> std::slice::Iter<'_, E> {
        self.shown.iter()
    }
}

/// A cell's text as quoted in an error message: at most 40 characters, so
/// a message never carries the file back to the user.
pub fn excerpt(s: &str) -> String {
    const MAX: usize = 40;
    let s = s.trim();
    match s.char_indices().nth(MAX) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// When to give up: a deadline and a flag the caller sets when it stops
/// waiting. Cheap to clone; checked every few thousand rows or XML events.
#[derive(Debug, Clone, Default)]
pub struct Stop {
    deadline: Option<Instant>,
    cancelled: Option<Arc<AtomicBool>>,
}

impl Stop {
    /// No deadline (tests, trusted input).
    pub fn never() -> Self {
        Stop::default()
    }
    pub fn new(deadline: Instant, cancelled: Arc<AtomicBool>) -> Self {
        Stop {
            deadline: Some(deadline),
            cancelled: Some(cancelled),
        }
    }
    pub fn should_stop(&self) -> bool {
        self.cancelled
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
            || self.deadline.is_some_and(|d| Instant::now() >= d)
    }
    pub fn check(&self) -> Result<(), TableError> {
        if self.should_stop() {
            Err(TableError::whole(TIMED_OUT))
        } else {
            Ok(())
        }
    }
}

/// The refusal for a file that took too long to read.
pub const TIMED_OUT: &str =
    "Filen tog för lång tid att läsa och avbröts; inget har ändrats. Dela upp den i mindre filer.";

/// One data row: its 1-based line (CSV) or row number (XLSX) as the user's
/// program shows it, and its cells (trimmed) packed in one string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    text: String,
    ends: Vec<u32>,
}

impl Row {
    fn new(line: usize) -> Self {
        Row {
            line,
            text: String::new(),
            ends: Vec::new(),
        }
    }
    fn push(&mut self, cell: &str) {
        self.text.push_str(cell);
        self.ends.push(self.text.len() as u32);
    }
    /// The cell in column `i` (0-based), if the row reaches that far.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some(&self.text[start..end])
    }
    /// Cells up to the last one the row has in the file.
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i).unwrap_or(""))
    }
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

/// A table: header cells, then data rows (rows without any value are left
/// out). A CSV row has as many cells as its line (up to the column limit);
/// an XLSX row ends at its last value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    /// 0 when the problem is the whole file.
    pub line: usize,
    pub message: String,
}

impl TableError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        TableError {
            line,
            message: message.into(),
        }
    }
    fn whole(message: impl Into<String>) -> Self {
        TableError::at(0, message)
    }
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "rad {}: {}", self.line, self.message)
        }
    }
}

/// Swedish thousands: `100 000`.
fn n(v: usize) -> String {
    crate::spreadsheet::format_number(v as f64, 0).replace('\u{a0}', " ")
}

fn mb(v: u64) -> String {
    n((v / (1024 * 1024)) as usize)
}

/// Collects rows and enforces the row, column, cell and text limits, the
/// same way for CSV and XLSX.
struct Builder<'a> {
    limits: &'a Limits,
    stop: &'a Stop,
    table: Table,
    have_header: bool,
    text_bytes: usize,
    steps: usize,
}

impl<'a> Builder<'a> {
    fn new(limits: &'a Limits, stop: &'a Stop) -> Self {
        Builder {
            limits,
            stop,
            table: Table::default(),
            have_header: false,
            text_bytes: 0,
            steps: 0,
        }
    }

    fn tick(&mut self) -> Result<(), TableError> {
        self.steps += 1;
        if self.steps.is_multiple_of(1024) {
            self.stop.check()?;
        }
        Ok(())
    }

    /// Check one cell (0-based column) before it is kept.
    fn check_cell(&self, line: usize, col: usize, cell: &str) -> Result<(), TableError> {
        if cell.is_empty() {
            return Ok(());
        }
        if col >= self.limits.max_columns {
            return Err(TableError::at(
                line,
                format!(
                    "cellen {}{line} har ett värde, men bara de första {} kolumnerna (A–{}) läses. Ta bort kolumnerna till höger.",
                    column_name(col),
                    self.limits.max_columns,
                    column_name(self.limits.max_columns - 1)
                ),
            ));
        }
        if cell.len() > self.limits.max_cell_chars
            && cell.chars().count() > self.limits.max_cell_chars
        {
            return Err(TableError::at(
                line,
                format!(
                    "cellen {}{line} har mer än {} tecken.",
                    column_name(col),
                    n(self.limits.max_cell_chars)
                ),
            ));
        }
        Ok(())
    }

    /// A row with its cells by position; the cells are checked and trimmed.
    fn row<'c>(
        &mut self,
        line: usize,
        cells: impl Iterator<Item = &'c str>,
    ) -> Result<(), TableError> {
        self.tick()?;
        let mut row = Row::new(line);
        for (col, cell) in cells.enumerate() {
            let cell = cell.trim();
            self.check_cell(line, col, cell)?;
            // Empty cells past the column limit (Excel's `;;;`) are dropped.
            if col < self.limits.max_columns {
                row.push(cell);
            }
        }
        self.keep(row)
    }

    fn keep(&mut self, row: Row) -> Result<(), TableError> {
        if row.text.is_empty() {
            // No value in any cell: a blank line.
            return Ok(());
        }
        self.text_bytes += row.text.len() + 4 * row.ends.len();
        if self.text_bytes > self.limits.max_text_bytes {
            return Err(TableError::at(
                row.line,
                format!(
                    "filen har mer än {} MB text; dela upp den i mindre filer.",
                    mb(self.limits.max_text_bytes as u64)
                ),
            ));
        }
        if !self.have_header {
            self.have_header = true;
            self.table.headers = row.to_vec();
            return Ok(());
        }
        if self.table.rows.len() >= self.limits.max_rows {
            return Err(TableError::at(
                row.line,
                format!(
                    "filen har fler än {} rader; dela upp den i mindre filer.",
                    n(self.limits.max_rows)
                ),
            ));
        }
        self.table.rows.push(row);
        Ok(())
    }

    fn finish(self, empty: &str) -> Result<Table, TableError> {
        if !self.have_header {
            return Err(TableError::at(1, empty));
        }
        Ok(self.table)
    }
}

/// `A`, `B`, … `Z`, `AA`, … for a 0-based column.
pub fn column_name(col: usize) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn too_big(limits: &Limits) -> TableError {
    TableError::whole(format!(
        "Filen är större än {} MB; dela upp den i mindre filer.",
        mb(limits.max_file_bytes as u64)
    ))
}

fn looks_like_xlsx(bytes: &[u8], filename: &str) -> bool {
    filename.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04")
}

/// A CSV or XLSX file, told apart by its name or its first bytes.
pub fn read(
    bytes: &[u8],
    filename: &str,
    limits: &Limits,
    stop: &Stop,
) -> Result<Table, TableError> {
    if looks_like_xlsx(bytes, filename) {
        read_xlsx(bytes, limits, stop)
    } else {
        read_csv(bytes, limits, stop)
    }
}

/// UTF-8 text (a byte-order mark is dropped) of at most `max_file_bytes`:
/// for text formats such as the funding programme's TOML.
pub fn read_text<'b>(bytes: &'b [u8], limits: &Limits) -> Result<&'b str, TableError> {
    if bytes.len() > limits.max_file_bytes {
        return Err(too_big(limits));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        TableError::at(line, "filen är inte UTF-8. Spara som ”CSV UTF-8” i Excel.")
    })
}

/// Semicolon when the first line has more semicolons than commas (Swedish
/// Excel), else comma.
pub fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    }
}

pub fn read_csv(bytes: &[u8], limits: &Limits, stop: &Stop) -> Result<Table, TableError> {
    let text = read_text(bytes, limits)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Line numbers as an editor shows them. The csv crate's own count skips
    // blank lines, and a record's position is where the previous one ended,
    // so count newlines from the last position instead: each byte once.
    let b = text.as_bytes();
    let (mut at, mut line) = (0usize, 1usize);
    let mut line_at = |byte: u64| {
        let mut i = (byte as usize).min(b.len()).max(at);
        while i < b.len() && (b[i] == b'\n' || b[i] == b'\r') {
            i += 1;
        }
        line += b[at..i].iter().filter(|c| **c == b'\n').count();
        at = i;
        line
    };
    let mut t = Builder::new(limits, stop);
    let mut rec = csv::StringRecord::new();
    loop {
        let pos = reader.position().byte();
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let l = line_at(e.position().map(|p| p.byte()).unwrap_or(pos));
                return Err(TableError::at(l, "raden kan inte läsas."));
            }
        }
        let l = line_at(rec.position().map(|p| p.byte()).unwrap_or(pos));
        t.row(l, rec.iter())?;
    }
    t.finish("filen är tom; första raden ska vara rubriker.")
}

// ---------------------------------------------------------------- XLSX

/// Inflated bytes left for the whole workbook, shared by every part read.
struct Budget<'a> {
    left: Cell<u64>,
    limit: u64,
    tripped: Cell<Option<&'static str>>,
    stop: &'a Stop,
}

const OVER_BUDGET: &str = "inflated";
const STOPPED: &str = "stopped";

/// A zip entry's reader that fails once the budget is spent, whatever the
/// entry's header claims about its size.
struct Capped<'b, 's, R> {
    inner: R,
    budget: &'b Budget<'s>,
}

impl<R: Read> Read for Capped<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.budget.stop.should_stop() {
            self.budget.tripped.set(Some(STOPPED));
            return Err(std::io::Error::other(STOPPED));
        }
        let want = buf
            .len()
            .min(self.budget.left.get().saturating_add(1) as usize);
        let got = self.inner.read(&mut buf[..want.max(1)])?;
        let left = self.budget.left.get();
        if got as u64 > left {
            self.budget.tripped.set(Some(OVER_BUDGET));
            return Err(std::io::Error::other(OVER_BUDGET));
        }
        self.budget.left.set(left - got as u64);
        Ok(got)
    }
}

impl Budget<'_> {
    /// The error to report for a failure while reading a part.
    fn error(&self, part: &str) -> TableError {
        match self.tripped.get() {
            Some(OVER_BUDGET) => TableError::whole(format!(
                "Excel-filen packas upp till mer än {} MB. Spara en fil med bara bladet som ska importeras, eller spara som CSV.",
                mb(self.limit)
            )),
            Some(_) => TableError::whole(TIMED_OUT),
            None => TableError::whole(format!(
                "Excel-filen kan inte läsas ({part} är felaktig). Spara den på nytt i Excel, eller spara som CSV."
            )),
        }
    }
}

fn broken() -> TableError {
    TableError::whole(
        "filen kan inte öppnas som Excel-fil (.xlsx). Spara den på nytt i Excel, eller spara som CSV.",
    )
}

/// The number of entries the zip's end record declares, read before the
/// zip library builds its directory (which costs memory per entry).
fn zip_entries(bytes: &[u8]) -> Option<usize> {
    const EOCD: &[u8] = b"PK\x05\x06";
    let from = bytes.len().saturating_sub(22 + 65_535);
    let tail = &bytes[from..];
    let at = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| &tail[i..i + 4] == EOCD)?;
    let total = u16::from_le_bytes([tail[at + 10], tail[at + 11]]);
    // 0xFFFF means the real count is in a zip64 record: no spreadsheet
    // upload needs that many entries.
    (total != u16::MAX).then_some(total as usize)
}

type Archive<'b> = zip::ZipArchive<Cursor<&'b [u8]>>;

/// Events of one XML part, with the nesting depth bounded.
struct Xml<R> {
    reader: quick_xml::Reader<R>,
    buf: Vec<u8>,
    depth: usize,
    max_depth: usize,
    steps: usize,
}

enum Ev {
    Start(Vec<(Vec<u8>, String)>, Vec<u8>),
    Empty(Vec<(Vec<u8>, String)>, Vec<u8>),
    End(Vec<u8>),
    Text(String),
    Eof,
}

fn local(name: &str) -> &[u8] {
    match name.rfind(':') {
        Some(i) => &name.as_bytes()[i + 1..],
        None => name.as_bytes(),
    }
}

impl<R: BufRead> Xml<R> {
    /// The next event that matters. `want_attrs` decides, by element name,
    /// whether its attributes are decoded.
    fn next(
        &mut self,
        budget: &Budget,
        part: &str,
        want_attrs: &[&[u8]],
    ) -> Result<Ev, TableError> {
        use quick_xml::events::Event;
        loop {
            self.buf.clear();
            self.steps += 1;
            if self.steps.is_multiple_of(4096) {
                budget.stop.check()?;
            }
            let ev = self
                .reader
                .read_event_into(&mut self.buf)
                .map_err(|_| budget.error(part))?;
            let attrs =
                |e: &quick_xml::events::BytesStart| -> Result<Vec<(Vec<u8>, String)>, TableError> {
                    let name = local(e.name().as_ref()).to_vec();
                    if !want_attrs.contains(&name.as_slice()) {
                        return Ok(vec![]);
                    }
                    let mut out = vec![];
                    for a in e.attributes().with_checks(false) {
                        let a = a.map_err(|_| budget.error(part))?;
                        let v = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|_| budget.error(part))?;
                        out.push((local(a.key.as_ref()).to_vec(), v.into_owned()));
                    }
                    Ok(out)
                };
            return Ok(match ev {
                Event::Start(e) => {
                    self.depth += 1;
                    if self.depth > self.max_depth {
                        return Err(TableError::whole(format!(
                            "Excel-filen kan inte läsas ({part} är nästlad djupare än {} nivåer).",
                            self.max_depth
                        )));
                    }
                    Ev::Start(attrs(&e)?, local(e.name().as_ref()).to_vec())
                }
                Event::Empty(e) => Ev::Empty(attrs(&e)?, local(e.name().as_ref()).to_vec()),
                Event::End(e) => {
                    self.depth = self.depth.saturating_sub(1);
                    Ev::End(local(e.name().as_ref()).to_vec())
                }
                Event::Text(t) => Ev::Text(t.xml10_content().into_owned()),
                Event::CData(t) => Ev::Text(t.into_inner().into_owned()),
                Event::GeneralRef(r) => {
                    let s = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => match &*r {
                            "amp" => "&".into(),
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "quot" => "\"".into(),
                            "apos" => "'".into(),
                            _ => return Err(budget.error(part)),
                        },
                        Err(_) => return Err(budget.error(part)),
                    };
                    Ev::Text(s)
                }
                Event::Eof => Ev::Eof,
                _ => continue,
            });
        }
    }
}

type Part<'b, 's, 'z, 'd> =
    Xml<BufReader<Capped<'b, 's, zip::read::ZipFile<'z, Cursor<&'d [u8]>>>>>;

fn open_part<'b, 's, 'z, 'd>(
    zip: &'z mut Archive<'d>,
    name: &str,
    budget: &'b Budget<'s>,
    limits: &Limits,
) -> Result<Option<Part<'b, 's, 'z, 'd>>, TableError> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(_) => return Err(broken()),
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::with_capacity(
        16 * 1024,
        Capped {
            inner: file,
            budget,
        },
    ));
    reader.config_mut().check_end_names = false;
    Ok(Some(Xml {
        reader,
        buf: Vec::new(),
        depth: 0,
        max_depth: limits.max_xml_depth,
        steps: 0,
    }))
}

fn attr<'a>(attrs: &'a [(Vec<u8>, String)], name: &[u8]) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k.as_slice() == name)
        .map(|(_, v)| v.as_str())
}

/// Where the first sheet and the shared strings are, and the date system.
struct WorkbookInfo {
    sheet: String,
    shared: String,
    styles: String,
    date1904: bool,
}

fn part_path(target: &str) -> String {
    match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("xl/{}", target.trim_start_matches("./")),
    }
}

fn workbook_info(
    bytes: &[u8],
    budget: &Budget,
    limits: &Limits,
) -> Result<WorkbookInfo, TableError> {
    let mut info = WorkbookInfo {
        sheet: "xl/worksheets/sheet1.xml".into(),
        shared: "xl/sharedStrings.xml".into(),
        styles: "xl/styles.xml".into(),
        date1904: false,
    };
    let mut first_rid = None;
    {
        let mut zip = Archive::new(Cursor::new(bytes)).map_err(|_| broken())?;
        let Some(mut x) = open_part(&mut zip, "xl/workbook.xml", budget, limits)? else {
            return Err(broken());
        };
        loop {
            match x.next(budget, "workbook.xml", &[b"sheet", b"workbookPr"])? {
                Ev::Eof => break,
                Ev::Start(a, name) | Ev::Empty(a, name) => {
                    if name == b"workbookPr" {
                        info.date1904 = matches!(attr(&a, b"date1904"), Some("1" | "true"));
                    } else if name == b"sheet" && first_rid.is_none() {
                        first_rid = attr(&a, b"id").map(str::to_string);
                    }
                }
                _ => {}
            }
        }
    }
    if first_rid.is_none() {
        return Err(TableError::whole("Excel-filen har inget blad."));
    }
    let mut zip = Archive::new(Cursor::new(bytes)).map_err(|_| broken())?;
    if let Some(mut x) = open_part(&mut zip, "xl/_rels/workbook.xml.rels", budget, limits)? {
        loop {
            match x.next(budget, "workbook.xml.rels", &[b"Relationship"])? {
                Ev::Eof => break,
                Ev::Start(a, _) | Ev::Empty(a, _) => {
                    let (Some(ty), Some(target)) = (attr(&a, b"Type"), attr(&a, b"Target")) else {
                        continue;
                    };
                    if ty.ends_with("/worksheet") && attr(&a, b"Id") == first_rid.as_deref() {
                        info.sheet = part_path(target);
                    } else if ty.ends_with("/sharedStrings") {
                        info.shared = part_path(target);
                    } else if ty.ends_with("/styles") {
                        info.styles = part_path(target);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(info)
}

/// Shared strings packed in one string; a string longer than a cell may be
/// is kept cut at one character past the limit, so using it is refused.
struct Shared {
    text: String,
    ends: Vec<u32>,
}

impl Shared {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some(&self.text[start..end])
    }
}

fn shared_strings(
    zip: &mut Archive<'_>,
    path: &str,
    budget: &Budget,
    limits: &Limits,
) -> Result<Shared, TableError> {
    let mut out = Shared {
        text: String::new(),
        ends: Vec::new(),
    };
    let Some(mut x) = open_part(zip, path, budget, limits)? else {
        return Ok(out);
    };
    let (mut in_si, mut in_t, mut in_phonetic) = (false, false, false);
    let mut chars = 0usize;
    loop {
        match x.next(budget, "sharedStrings.xml", &[])? {
            Ev::Eof => break,
            Ev::Start(_, name) => match name.as_slice() {
                b"si" => {
                    in_si = true;
                    chars = 0;
                }
                b"t" => in_t = true,
                b"rPh" => in_phonetic = true,
                _ => {}
            },
            Ev::Empty(_, name) if name == b"si" => {
                if out.ends.len() >= limits.max_shared_strings {
                    return Err(too_many_strings(limits));
                }
                out.ends.push(out.text.len() as u32);
            }
            Ev::End(name) => match name.as_slice() {
                b"si" if in_si => {
                    in_si = false;
                    if out.ends.len() >= limits.max_shared_strings {
                        return Err(too_many_strings(limits));
                    }
                    out.ends.push(out.text.len() as u32);
                }
                b"t" => in_t = false,
                b"rPh" => in_phonetic = false,
                _ => {}
            },
            Ev::Text(t) if in_si && in_t && !in_phonetic => {
                for c in t.chars() {
                    if chars > limits.max_cell_chars {
                        break;
                    }
                    out.text.push(c);
                    chars += 1;
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn too_many_strings(limits: &Limits) -> TableError {
    TableError::whole(format!(
        "Excel-filen har fler än {} olika texter; dela upp den i mindre filer.",
        n(limits.max_shared_strings)
    ))
}

/// For each cell style (`s` attribute), whether it formats a date.
fn date_styles(
    zip: &mut Archive<'_>,
    path: &str,
    budget: &Budget,
    limits: &Limits,
) -> Result<Vec<bool>, TableError> {
    let Some(mut x) = open_part(zip, path, budget, limits)? else {
        return Ok(vec![]);
    };
    let mut custom: Vec<(u32, bool)> = vec![];
    let mut xfs: Vec<u32> = vec![];
    let mut in_cell_xfs = false;
    loop {
        match x.next(budget, "styles.xml", &[b"numFmt", b"xf"])? {
            Ev::Eof => break,
            Ev::Start(a, name) | Ev::Empty(a, name) => match name.as_slice() {
                b"numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&a, b"numFmtId"), attr(&a, b"formatCode"))
                    {
                        if custom.len() < 65_536 {
                            custom.push((id.parse().unwrap_or(0), is_date_format(code)));
                        }
                    }
                }
                b"cellXfs" => in_cell_xfs = true,
                b"xf" if in_cell_xfs && xfs.len() < 65_536 => {
                    xfs.push(
                        attr(&a, b"numFmtId")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0),
                    );
                }
                _ => {}
            },
            Ev::End(name) if name == b"cellXfs" => in_cell_xfs = false,
            _ => {}
        }
    }
    Ok(xfs
        .iter()
        .map(|id| match id {
            14..=22 | 27..=36 | 45..=47 | 50..=58 => true,
            id => custom.iter().any(|(c, d)| c == id && *d),
        })
        .collect())
}

/// A number format shows a date or time when, outside quotes, brackets and
/// escapes, it has a day, month, year, hour or second letter.
fn is_date_format(code: &str) -> bool {
    let (mut quoted, mut bracket, mut escaped) = (false, false, false);
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            _ if quoted || bracket => {}
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' | 'h' | 'H' | 's' | 'S' => return true,
            _ => {}
        }
    }
    false
}

fn serial_date(v: f64, date1904: bool) -> Option<String> {
    if !(0.0..2_958_466.0).contains(&v) {
        return None;
    }
    let days = v.floor() as i64;
    let (base, days) = if date1904 {
        (chrono::NaiveDate::from_ymd_opt(1904, 1, 1)?, days)
    } else if days < 60 {
        // Excel counts a 29 February 1900 that never was.
        (chrono::NaiveDate::from_ymd_opt(1899, 12, 31)?, days)
    } else {
        (chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?, days)
    };
    base.checked_add_signed(chrono::Duration::days(days))
        .map(|d| d.format("%Y-%m-%d").to_string())
}

fn number_text(raw: &str) -> String {
    match raw.trim().parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Ok(f) if f.is_finite() => f.to_string(),
        _ => raw.trim().to_string(),
    }
}

/// `B12` → (column 1, row 12).
fn cell_ref(r: &str) -> Option<(usize, usize)> {
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty() || letters.len() > 3 || digits.len() > 7 {
        return None;
    }
    let mut col = 0usize;
    for c in letters.chars() {
        if !c.is_ascii_uppercase() {
            return None;
        }
        col = col * 26 + (c as usize - 'A' as usize + 1);
    }
    let row = digits.parse::<usize>().ok().filter(|r| *r > 0)?;
    Some((col - 1, row))
}

pub fn read_xlsx(bytes: &[u8], limits: &Limits, stop: &Stop) -> Result<Table, TableError> {
    if bytes.len() > limits.max_file_bytes {
        return Err(too_big(limits));
    }
    match zip_entries(bytes) {
        None => return Err(broken()),
        Some(e) if e > limits.max_zip_entries => {
            return Err(TableError::whole(format!(
                "Excel-filen har fler än {} delar; spara den på nytt i Excel, eller spara som CSV.",
                n(limits.max_zip_entries)
            )))
        }
        Some(_) => {}
    }
    let budget = Budget {
        left: Cell::new(limits.max_inflated_bytes),
        limit: limits.max_inflated_bytes,
        tripped: Cell::new(None),
        stop,
    };
    let info = workbook_info(bytes, &budget, limits)?;
    let mut zip = Archive::new(Cursor::new(bytes)).map_err(|_| broken())?;
    let dates = date_styles(&mut zip, &info.styles, &budget, limits)?;
    let mut zip = Archive::new(Cursor::new(bytes)).map_err(|_| broken())?;
    let shared = shared_strings(&mut zip, &info.shared, &budget, limits)?;
    let mut zip = Archive::new(Cursor::new(bytes)).map_err(|_| broken())?;
    let Some(mut x) = open_part(&mut zip, &info.sheet, &budget, limits)? else {
        return Err(TableError::whole("Excel-filen har inget blad."));
    };
    let mut t = Builder::new(limits, stop);
    let max_line = limits.max_rows + 1;
    // The current row: its number and its cells with values, by column.
    let mut row_no = 0usize;
    let mut cells: Vec<(usize, String)> = Vec::new();
    // The current cell.
    let mut cell: Option<(usize, Option<String>, Option<usize>)> = None; // (col, type, style)
    let mut col_next = 0usize;
    let mut value = String::new();
    let (mut in_v, mut in_is, mut in_t, mut in_phonetic) = (false, false, false, false);
    let cell_limit_bytes = limits.max_cell_chars * 4 + 4;

    let flush = |t: &mut Builder, row_no: usize, cells: &mut Vec<(usize, String)>| {
        if cells.is_empty() {
            return Ok(());
        }
        cells.sort_by_key(|(c, _)| *c);
        let mut row = Row::new(row_no);
        for (c, v) in cells.drain(..) {
            while row.len() < c {
                row.push("");
            }
            if row.len() == c {
                row.push(&v);
            } // a second value for the same cell: the first one counts
        }
        t.tick()?;
        t.keep(row)
    };

    loop {
        match x.next(&budget, "bladet", &[b"row", b"c"])? {
            Ev::Eof => break,
            Ev::Start(a, name) | Ev::Empty(a, name) if name == b"row" => {
                flush(&mut t, row_no, &mut cells)?;
                let next = match attr(&a, b"r") {
                    Some(r) => r
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .filter(|r| *r > 0)
                        .ok_or_else(|| budget.error("bladet"))?,
                    None => row_no + 1,
                };
                if next <= row_no {
                    return Err(budget.error("bladet"));
                }
                row_no = next;
                col_next = 0;
            }
            Ev::Start(a, name) | Ev::Empty(a, name) if name == b"c" => {
                let col = match attr(&a, b"r") {
                    Some(r) => {
                        let (c, r_row) =
                            cell_ref(r.trim()).ok_or_else(|| budget.error("bladet"))?;
                        if row_no == 0 {
                            row_no = r_row;
                        }
                        c
                    }
                    None => col_next,
                };
                col_next = col + 1;
                cell = Some((
                    col,
                    attr(&a, b"t").map(str::to_string),
                    attr(&a, b"s").and_then(|s| s.parse().ok()),
                ));
                value.clear();
            }
            Ev::Start(_, name) => match name.as_slice() {
                b"v" => in_v = true,
                b"is" => in_is = true,
                b"t" => in_t = true,
                b"rPh" => in_phonetic = true,
                _ => {}
            },
            Ev::Text(s) if cell.is_some() && (in_v || (in_is && in_t && !in_phonetic)) => {
                if value.len() + s.len() > cell_limit_bytes {
                    let col = cell.as_ref().map(|c| c.0).unwrap_or(0);
                    let line = row_no.max(1);
                    // A cell past the column limit is refused for that first.
                    t.check_cell(line, col, "x")?;
                    return Err(TableError::at(
                        line,
                        format!(
                            "cellen {}{line} har mer än {} tecken.",
                            column_name(col),
                            n(limits.max_cell_chars)
                        ),
                    ));
                }
                value.push_str(&s);
            }
            Ev::End(name) => match name.as_slice() {
                b"v" => in_v = false,
                b"is" => in_is = false,
                b"t" => in_t = false,
                b"rPh" => in_phonetic = false,
                b"c" => {
                    let Some((col, ty, style)) = cell.take() else {
                        continue;
                    };
                    let text = match ty.as_deref() {
                        Some("s") => {
                            let i: usize =
                                value.trim().parse().map_err(|_| budget.error("bladet"))?;
                            shared
                                .get(i)
                                .ok_or_else(|| budget.error("bladet"))?
                                .to_string()
                        }
                        Some("inlineStr" | "str" | "e" | "d") => value.clone(),
                        Some("b") => match value.trim() {
                            "1" => "true".into(),
                            "0" => "false".into(),
                            other => other.to_string(),
                        },
                        _ if value.trim().is_empty() => String::new(),
                        _ => {
                            let is_date =
                                style.and_then(|s| dates.get(s).copied()).unwrap_or(false);
                            match value.trim().parse::<f64>().ok().filter(|_| is_date) {
                                Some(v) => serial_date(v, info.date1904)
                                    .unwrap_or_else(|| number_text(&value)),
                                None => number_text(&value),
                            }
                        }
                    };
                    let text = text.trim();
                    if text.is_empty() {
                        continue;
                    }
                    t.check_cell(row_no, col, text)?;
                    if row_no > max_line {
                        return Err(TableError::at(
                            row_no,
                            format!(
                                "cellen {}{row_no} har ett värde, men filen får ha högst {} rader. Dela upp den i mindre filer.",
                                column_name(col),
                                n(limits.max_rows)
                            ),
                        ));
                    }
                    cells.push((col, text.to_string()));
                }
                b"row" => flush(&mut t, row_no, &mut cells)?,
                _ => {}
            },
            _ => {}
        }
    }
    flush(&mut t, row_no, &mut cells)?;
    t.finish("bladet är tomt; första raden ska vara rubriker.")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// An XLSX written part by part, so a test can put anything in it.
    pub(crate) fn xlsx(sheet: &[u8], shared: Option<&[u8]>) -> Vec<u8> {
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9));
        let mut part = |name: &str, body: &[u8]| {
            z.start_file(name, o).unwrap();
            z.write_all(body).unwrap();
        };
        part("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
        part("xl/workbook.xml", br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>"#);
        part("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#);
        part("xl/worksheets/sheet1.xml", sheet);
        if let Some(s) = shared {
            part("xl/sharedStrings.xml", s);
        }
        z.finish().unwrap().into_inner()
    }

    pub(crate) fn sheet(rows: &str) -> Vec<u8> {
        format!(r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#).into_bytes()
    }

    /// A header row (A1 "namn") and one inline-string cell at `at`.
    pub(crate) fn one_cell_at(at: &str) -> Vec<u8> {
        let row: usize = at
            .trim_start_matches(|c: char| c.is_ascii_uppercase())
            .parse()
            .unwrap();
        xlsx(
            &sheet(&format!(
                r#"<row r="1"><c r="A1" t="inlineStr"><is><t>namn</t></is></c></row><row r="{row}"><c r="{at}" t="inlineStr"><is><t>x</t></is></c></row>"#
            )),
            None,
        )
    }

    fn read_all(bytes: &[u8], name: &str) -> Result<Table, TableError> {
        read(bytes, name, &LIMITS, &Stop::never())
    }

    fn cells(t: &Table) -> Vec<(usize, Vec<String>)> {
        t.rows.iter().map(|r| (r.line, r.to_vec())).collect()
    }

    #[test]
    fn semicolon_bom_csv_keeps_line_numbers() {
        let t = read_all("\u{feff}a;b\n1;2\n\n3;4;;\n".as_bytes(), "x.csv").unwrap();
        assert_eq!(t.headers, ["a", "b"]);
        assert_eq!(
            cells(&t),
            vec![
                (2, vec!["1".to_string(), "2".to_string()]),
                (
                    4,
                    vec![
                        "3".to_string(),
                        "4".to_string(),
                        String::new(),
                        String::new()
                    ]
                )
            ]
        );
    }

    #[test]
    fn csv_line_numbers_count_quoted_newlines_and_blank_lines() {
        let t = read_all(b"a,b\r\n\"x\ny\",1\r\n\r\n\r\n2,3\r\n", "x.csv").unwrap();
        assert_eq!(
            cells(&t),
            vec![
                (2, vec!["x\ny".to_string(), "1".to_string()]),
                (6, vec!["2".to_string(), "3".to_string()])
            ]
        );
    }

    #[test]
    fn non_utf8_is_refused_with_line() {
        let e = read_all(b"a,b\n1,\xe5\n", "x.csv").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn a_million_csv_lines_are_refused_quickly_at_the_row_limit() {
        let mut text = String::from("a;b\n");
        for i in 0..1_000_000 {
            text.push_str(&format!("{i};x\n"));
        }
        let started = Instant::now();
        let e = read_all(text.as_bytes(), "x.csv").unwrap_err();
        assert_eq!(e.line, LIMITS.max_rows + 2, "{e}");
        assert!(e.message.contains("100 000 rader"), "{e}");
        // Before, every row recounted the lines from the start of the file.
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        // Just under the limit is read, line numbers right to the end.
        let small: String = text
            .lines()
            .take(LIMITS.max_rows + 1)
            .map(|l| format!("{l}\n"))
            .collect();
        let t = read_all(small.as_bytes(), "x.csv").unwrap();
        assert_eq!(t.rows.len(), LIMITS.max_rows);
        assert_eq!(t.rows.last().unwrap().line, LIMITS.max_rows + 1);
    }

    #[test]
    fn a_huge_csv_field_and_a_huge_file_are_refused() {
        let text = format!("a,b\n1,{}\n", "x".repeat(5_000_000));
        let e = read_all(text.as_bytes(), "x.csv").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            e.message.contains("cellen B2 har mer än 1 000 tecken"),
            "{e}"
        );
        assert!(e.to_string().len() < 200);
        let big = vec![b'a'; LIMITS.max_file_bytes + 1];
        let e = read_all(&big, "x.csv").unwrap_err();
        assert!(e.message.contains("större än 20 MB"), "{e}");
    }

    #[test]
    fn csv_values_past_the_column_limit_are_refused_trailing_empties_are_not() {
        let wide = format!("a{}\n1\n", ",".repeat(200));
        let t = read_all(wide.as_bytes(), "x.csv").unwrap();
        assert_eq!((t.headers[0].as_str(), t.headers.len()), ("a", 50));
        let far = format!("a\n1{},x\n", ",".repeat(60));
        let e = read_all(far.as_bytes(), "x.csv").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            e.message.contains("BJ2") && e.message.contains("50 kolumnerna"),
            "{e}"
        );
    }

    #[test]
    fn xlsx_from_excel_writer_is_read_with_numbers_and_dates() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        ws.write_string(0, 0, "namn").unwrap();
        ws.write_string(0, 1, "nr").unwrap();
        ws.write_string(0, 2, "datum").unwrap();
        ws.write_string(2, 0, "Åsa Öberg & co").unwrap();
        ws.write_number(2, 1, 1001.0).unwrap();
        ws.write_number_with_format(2, 2, 45_000.0, &date).unwrap();
        ws.write_number(3, 1, 2.5).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let t = read_all(&bytes, "x.xlsx").unwrap();
        assert_eq!(t.headers, ["namn", "nr", "datum"]);
        assert_eq!(
            cells(&t),
            vec![
                (
                    3,
                    vec![
                        "Åsa Öberg & co".to_string(),
                        "1001".to_string(),
                        "2023-03-15".to_string()
                    ]
                ),
                (4, vec![String::new(), "2.5".to_string()])
            ]
        );
    }

    #[test]
    fn xlsx_shared_strings_and_rich_text() {
        let shared = r#"<sst><si><t>namn</t></si><si><r><t>Ås</t></r><r><t xml:space="preserve">a &amp; B&#246;</t></r><rPh><t>ignored</t></rPh></si></sst>"#;
        let bytes = xlsx(
            &sheet(
                r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="B2" t="s"><v>1</v></c><c r="C2"><f>1+1</f><v>2</v></c></row>"#,
            ),
            Some(shared.as_bytes()),
        );
        let t = read_all(&bytes, "x.xlsx").unwrap();
        assert_eq!(t.headers, ["namn"]);
        assert_eq!(
            cells(&t),
            vec![(2, vec![String::new(), "Åsa & Bö".into(), "2".into()])]
        );
    }

    #[test]
    fn xlsx_cell_at_the_last_possible_place_is_refused_without_allocating() {
        // Before: calamine built the 16 384 × 1 048 576 bounding box (512 GiB).
        let e = read_all(&one_cell_at("XFD1048576"), "x.xlsx").unwrap_err();
        assert!(e.message.contains("XFD1048576"), "{e}");
        // Before: 800 MB for a 26 × 1 000 000 box.
        let e = read_all(&one_cell_at("Z1000000"), "x.xlsx").unwrap_err();
        assert_eq!(e.line, 1_000_000);
        assert!(e.message.contains("högst 100 000 rader"), "{e}");
        let e = read_all(&one_cell_at("AZ5"), "x.xlsx").unwrap_err();
        assert!(e.message.contains("AZ5"), "{e}");
        // A far-down row inside the limits is sparse: it costs one row.
        let t = read_all(&one_cell_at("C100001"), "x.xlsx").unwrap();
        assert_eq!(
            cells(&t),
            vec![(100_001, vec![String::new(), String::new(), "x".into()])]
        );
    }

    #[test]
    fn xlsx_inflating_past_the_limit_is_refused() {
        // About 60 MB of XML in a file of a few hundred kB.
        let row = r#"<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>"#;
        let mut rows = String::with_capacity(61_000_000);
        rows.push_str(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>namn</t></is></c></row>"#);
        // Empty rows: they would pass every row limit, only the bytes count.
        let filler = format!("<!--{}-->", "z".repeat(1_000_000));
        for _ in 0..60 {
            rows.push_str(&filler);
        }
        rows.push_str(row);
        let bytes = xlsx(&sheet(&rows), None);
        assert!(bytes.len() < 1_000_000, "{}", bytes.len());
        let e = read_all(&bytes, "x.xlsx").unwrap_err();
        assert!(e.message.contains("mer än 50 MB"), "{e}");
    }

    #[test]
    fn xlsx_of_30_mb_xml_with_many_rows_is_refused_at_the_row_limit() {
        // The 72 kB file that inflated to 29 MB and cost 1.7 GB.
        let mut rows = String::with_capacity(31_000_000);
        for r in 1..=300_000 {
            rows.push_str(&format!(
                r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>"#
            ));
        }
        let bytes = xlsx(&sheet(&rows), None);
        let e = read_all(&bytes, "x.xlsx").unwrap_err();
        assert_eq!(e.line, LIMITS.max_rows + 2);
        assert!(e.message.contains("högst 100 000 rader"), "{e}");
    }

    #[test]
    fn xlsx_shared_strings_bombs_are_refused() {
        // One string far longer than a cell, used once.
        let long = format!(
            "<sst><si><t>namn</t></si><si><t>{}</t></si></sst>",
            "b".repeat(3_000_000)
        );
        let bytes = xlsx(
            &sheet(
                r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>"#,
            ),
            Some(long.as_bytes()),
        );
        let e = read_all(&bytes, "x.xlsx").unwrap_err();
        assert!(
            e.message.contains("cellen A2 har mer än 1 000 tecken"),
            "{e}"
        );
        // Too many strings.
        let mut many = String::from("<sst>");
        for _ in 0..=LIMITS.max_shared_strings {
            many.push_str("<si/>");
        }
        many.push_str("</sst>");
        let bytes = xlsx(&sheet(""), Some(many.as_bytes()));
        let e = read_all(&bytes, "x.xlsx").unwrap_err();
        assert!(e.message.contains("fler än 1 000 000 olika texter"), "{e}");
        // One 900-character string used in 50 × 100 000 cells would be
        // 4.5 GB of text: refused at the total text limit instead.
        let s = format!("<sst><si><t>{}</t></si></sst>", "c".repeat(900));
        let mut rows = String::new();
        for r in 1..=30_000 {
            rows.push_str(&format!("<row r=\"{r}\">"));
            for c in 0..50 {
                rows.push_str(&format!(
                    r#"<c r="{}{r}" t="s"><v>0</v></c>"#,
                    column_name(c)
                ));
            }
            rows.push_str("</row>");
        }
        let bytes = xlsx(&sheet(&rows), Some(s.as_bytes()));
        let e = read_all(&bytes, "x.xlsx").unwrap_err();
        assert!(e.message.contains("mer än 20 MB text"), "{e}");
    }

    #[test]
    fn deeply_nested_or_broken_xml_is_refused() {
        let deep = format!("{}{}", "<a>".repeat(1_000_000), "</a>".repeat(10));
        let e = read_all(&xlsx(&sheet(&deep), None), "x.xlsx").unwrap_err();
        assert!(e.message.contains("nästlad"), "{e}");
        for bad in [
            r#"<row r="1"><c r="A1" t="s"><v>7</v></c></row>"#,
            r#"<row r="x"></row>"#,
            r#"<row r="2"></row><row r="1"></row>"#,
            r#"<row r="1"><c r="1A"><v>1</v></c></row>"#,
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>&bogus;</t></is></c></row>"#,
            r#"<row r="1"><c r="A1""#,
        ] {
            let e = read_all(&xlsx(&sheet(bad), None), "x.xlsx").unwrap_err();
            assert!(e.message.contains("Excel"), "{bad}: {e}");
        }
        let e = read_all(b"PK\x03\x04 not a zip", "x.xlsx").unwrap_err();
        assert!(e.message.contains("Excel-fil"), "{e}");
    }

    #[test]
    fn a_stopped_read_gives_up() {
        let flag = Arc::new(AtomicBool::new(true));
        let stop = Stop::new(Instant::now() + std::time::Duration::from_secs(60), flag);
        let mut text = String::from("a\n");
        for i in 0..10_000 {
            text.push_str(&format!("{i}\n"));
        }
        let e = read_csv(text.as_bytes(), &LIMITS, &stop).unwrap_err();
        assert_eq!(e.message, TIMED_OUT);
        let e = read_xlsx(&one_cell_at("A2"), &LIMITS, &stop).unwrap_err();
        assert_eq!(e.message, TIMED_OUT);
        let past = Stop::new(Instant::now(), Arc::new(AtomicBool::new(false)));
        assert!(read_csv(text.as_bytes(), &LIMITS, &past).is_err());
    }

    #[test]
    fn error_lists_keep_the_first_hundred_and_count_all() {
        let mut l = ErrorList::default();
        for i in 0..250 {
            l.push(i);
        }
        assert_eq!((l.shown.len(), l.total, l.hidden()), (100, 250, 150));
        assert_eq!(l.shown[99], 99);
        assert_eq!(excerpt(&"å".repeat(100)).chars().count(), 41);
        assert_eq!(excerpt(" kort "), "kort");
    }

    #[test]
    fn column_names_and_refs() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(49), "AX");
        assert_eq!(column_name(16_383), "XFD");
        assert_eq!(cell_ref("XFD1048576"), Some((16_383, 1_048_576)));
        assert_eq!(cell_ref("a1"), None);
        assert!(is_date_format("yyyy-mm-dd") && is_date_format("[$-41D]d/m/yy"));
        assert!(
            !is_date_format("0.00")
                && !is_date_format("#,##0 \"kr\"")
                && !is_date_format("General")
        );
    }
}
