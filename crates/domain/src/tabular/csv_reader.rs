//! CSV: comma or semicolon, UTF-8 with or without a byte-order mark, line
//! numbers as an editor shows them.

use super::errors::{too_big, TableError};
use super::limits::{Limits, Stop};
use super::table::{Builder, Table};

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
