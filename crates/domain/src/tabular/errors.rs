//! How a refusal is reported: at most [`MAX_ERRORS_SHOWN`] errors, each
//! naming its line, quoting at most an excerpt of the cell.

use super::limits::Limits;

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    /// 0 when the problem is the whole file.
    pub line: usize,
    pub message: String,
}

impl TableError {
    pub(super) fn at(line: usize, message: impl Into<String>) -> Self {
        TableError {
            line,
            message: message.into(),
        }
    }
    pub(super) fn whole(message: impl Into<String>) -> Self {
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
pub(super) fn n(v: usize) -> String {
    crate::spreadsheet::format_number(v as f64, 0).replace('\u{a0}', " ")
}

pub(super) fn mb(v: u64) -> String {
    n((v / (1024 * 1024)) as usize)
}

pub(super) fn too_big(limits: &Limits) -> TableError {
    TableError::whole(format!(
        "Filen är större än {} MB; dela upp den i mindre filer.",
        mb(limits.max_file_bytes as u64)
    ))
}
