//! The XLSX reader past the zip layer: the input is the XML of the sheet,
//! the shared strings and the styles (split at NUL bytes), stored in a
//! well-formed workbook, so mutations reach the XML and cell handling
//! instead of failing the zip's checksums.
#![no_main]
use std::io::{Cursor, Write};

use libfuzzer_sys::fuzz_target;
use navet_domain::tabular::{read_xlsx, Stop, LIMITS};

const WORKBOOK: &[u8] = br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &[u8] = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let sheet = parts.next().unwrap_or_default();
    let shared = parts.next();
    let styles = parts.next();
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut part = |name: &str, body: &[u8]| {
        z.start_file(name, o).unwrap();
        z.write_all(body).unwrap();
    };
    part("xl/workbook.xml", WORKBOOK);
    part("xl/_rels/workbook.xml.rels", RELS);
    part("xl/worksheets/sheet1.xml", sheet);
    if let Some(s) = shared {
        part("xl/sharedStrings.xml", s);
    }
    if let Some(s) = styles {
        part("xl/styles.xml", s);
    }
    let bytes = z.finish().unwrap().into_inner();
    let _ = read_xlsx(&bytes, &LIMITS, &Stop::never());
});
