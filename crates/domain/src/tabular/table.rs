//! The table read from a file, and the builder that enforces the row,
//! column, cell and text limits the same way for CSV and XLSX.

use super::errors::{mb, n, TableError};
use super::limits::{Limits, Stop};

/// One data row: its 1-based line (CSV) or row number (XLSX) as the user's
/// program shows it, and its cells (trimmed) packed in one string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    text: String,
    ends: Vec<u32>,
}

impl Row {
    pub(super) fn new(line: usize) -> Self {
        Row {
            line,
            text: String::new(),
            ends: Vec::new(),
        }
    }
    pub(super) fn push(&mut self, cell: &str) {
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

/// Collects rows and enforces the row, column, cell and text limits, the
/// same way for CSV and XLSX.
pub(super) struct Builder<'a> {
    limits: &'a Limits,
    stop: &'a Stop,
    table: Table,
    have_header: bool,
    text_bytes: usize,
    steps: usize,
}

impl<'a> Builder<'a> {
    pub(super) fn new(limits: &'a Limits, stop: &'a Stop) -> Self {
        Builder {
            limits,
            stop,
            table: Table::default(),
            have_header: false,
            text_bytes: 0,
            steps: 0,
        }
    }

    pub(super) fn tick(&mut self) -> Result<(), TableError> {
        self.steps += 1;
        if self.steps.is_multiple_of(1024) {
            self.stop.check()?;
        }
        Ok(())
    }

    /// Check one cell (0-based column) before it is kept.
    pub(super) fn check_cell(&self, line: usize, col: usize, cell: &str) -> Result<(), TableError> {
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
    pub(super) fn row<'c>(
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

    pub(super) fn keep(&mut self, row: Row) -> Result<(), TableError> {
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

    pub(super) fn finish(self, empty: &str) -> Result<Table, TableError> {
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
