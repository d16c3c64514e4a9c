//! Reading spreadsheets people upload: CSV (comma or semicolon, UTF-8 with
//! or without BOM, as Swedish Excel saves it) and XLSX. Rows keep the line
//! number the user sees in their program.

use std::io::Cursor;

/// A table: header cells, then data rows with their 1-based line numbers.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rad {}: {}", self.line, self.message)
    }
}

fn is_xlsx(bytes: &[u8], filename: &str) -> bool {
    filename.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04")
}

pub fn read(bytes: &[u8], filename: &str) -> Result<Table, TableError> {
    if is_xlsx(bytes, filename) {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

pub fn read_csv(bytes: &[u8]) -> Result<Table, TableError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        TableError {
            line,
            message: "filen är inte UTF-8. Spara som ”CSV UTF-8” i Excel.".into(),
        }
    })?;
    let first = text.lines().next().unwrap_or("");
    let delim = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // The line a byte offset is on (the csv crate's own count skips blank lines).
    let line_at = |byte: u64| {
        let b = text.as_bytes();
        let mut i = (byte as usize).min(b.len());
        // A record's position is where the previous one ended: skip blank lines.
        while i < b.len() && (b[i] == b'\n' || b[i] == b'\r') {
            i += 1;
        }
        b[..i].iter().filter(|c| **c == b'\n').count() + 1
    };
    let mut t = Table::default();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| TableError {
            line: e.position().map(|p| line_at(p.byte())).unwrap_or(i + 1),
            message: format!("kunde inte läsas: {e}"),
        })?;
        let line = rec.position().map(|p| line_at(p.byte())).unwrap_or(i + 1);
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        if i == 0 {
            t.headers = cells;
        } else if cells.iter().any(|c| !c.is_empty()) {
            t.rows.push((line, cells));
        }
    }
    if t.headers.is_empty() {
        return Err(TableError {
            line: 1,
            message: "filen är tom; första raden ska vara rubriker.".into(),
        });
    }
    Ok(t)
}

pub fn read_xlsx(bytes: &[u8]) -> Result<Table, TableError> {
    use calamine::{Data, DataType, Reader, Xlsx};
    let mut wb: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).map_err(|e| TableError {
            line: 1,
            message: format!("kunde inte öppna Excel-filen: {e}"),
        })?;
    let sheet = wb.sheet_names().first().cloned().ok_or(TableError {
        line: 1,
        message: "Excel-filen har inget blad.".into(),
    })?;
    let range = wb.worksheet_range(&sheet).map_err(|e| TableError {
        line: 1,
        message: format!("kunde inte läsa bladet ”{sheet}”: {e}"),
    })?;
    let start_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut t = Table::default();
    for (i, row) in range.rows().enumerate() {
        let line = start_row + i + 1;
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_string(),
                Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Int(n) => n.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(_) | Data::DateTimeIso(_) => {
                    c.as_date().map(|d| d.to_string()).unwrap_or_default()
                }
                other => other.to_string(),
            })
            .collect();
        if t.headers.is_empty() {
            t.headers = cells;
        } else if cells.iter().any(|c| !c.is_empty()) {
            t.rows.push((line, cells));
        }
    }
    if t.headers.is_empty() {
        return Err(TableError {
            line: 1,
            message: "bladet är tomt; första raden ska vara rubriker.".into(),
        });
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_bom_csv_keeps_line_numbers() {
        let t = read_csv("\u{feff}a;b\n1;2\n\n3;4\n".as_bytes()).unwrap();
        assert_eq!(t.headers, ["a", "b"]);
        assert_eq!(
            t.rows,
            vec![
                (2, vec!["1".to_string(), "2".to_string()]),
                (4, vec!["3".to_string(), "4".to_string()])
            ]
        );
    }

    #[test]
    fn non_utf8_is_refused_with_line() {
        let e = read_csv(b"a,b\n1,\xe5\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn xlsx_is_read() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "namn").unwrap();
        ws.write_string(0, 1, "nr").unwrap();
        ws.write_string(1, 0, "Åsa Öberg").unwrap();
        ws.write_number(1, 1, 1001.0).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let t = read(&bytes, "x.xlsx").unwrap();
        assert_eq!(t.headers, ["namn", "nr"]);
        assert_eq!(
            t.rows,
            vec![(2, vec!["Åsa Öberg".to_string(), "1001".to_string()])]
        );
    }
}
