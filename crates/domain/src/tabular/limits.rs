//! The hard limits every import reads under, and the [`Stop`] that ends a
//! read abandoned by a time limit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use super::errors::TableError;

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
