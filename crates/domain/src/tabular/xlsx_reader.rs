//! XLSX: the workbook read part by part from the zip under an inflation
//! budget, and the sheet read as a stream of cells.

use std::cell::Cell;
use std::io::{BufRead, BufReader, Cursor, Read};

use super::errors::{mb, n, too_big, TableError};
use super::limits::{Limits, Stop, TIMED_OUT};
use super::table::{column_name, Builder, Row, Table};

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
pub(super) fn is_date_format(code: &str) -> bool {
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
pub(super) fn cell_ref(r: &str) -> Option<(usize, usize)> {
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
