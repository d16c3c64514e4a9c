use std::io::Cursor;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use super::xlsx_reader::{cell_ref, is_date_format};
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
        !is_date_format("0.00") && !is_date_format("#,##0 \"kr\"") && !is_date_format("General")
    );
}
