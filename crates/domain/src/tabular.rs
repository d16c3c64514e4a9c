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
//!
//! Split by what it holds: the limits and the stop (`limits`), the error
//! reporting (`errors`), the table and its builder (`table`), and one
//! reader per format (`csv_reader`, `xlsx_reader`).

mod csv_reader;
mod errors;
mod limits;
mod table;
mod xlsx_reader;

pub use csv_reader::{delimiter, read_csv, read_text};
pub use errors::{excerpt, ErrorList, TableError, MAX_ERRORS_SHOWN};
pub use limits::{Limits, Stop, LIMITS, TIMED_OUT};
pub use table::{column_name, Row, Table};
pub use xlsx_reader::read_xlsx;

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

#[cfg(test)]
pub(crate) mod tests;
