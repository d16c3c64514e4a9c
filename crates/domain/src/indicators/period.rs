//! The report period and its checks.

use chrono::{Months, NaiveDate};

use crate::errors::FieldErrors;

/// A report period, both dates included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The longest report or dashboard period: a longer one is refused rather
/// than left to scan decades of data.
pub const MAX_PERIOD_YEARS: u32 = 10;

/// Check `from` and `to` (YYYY-MM-DD; `to` not before `from`; at most
/// [`MAX_PERIOD_YEARS`] years).
pub fn check_period(from: &str, to: &str) -> Result<Period, FieldErrors> {
    let mut e = FieldErrors::new();
    let parse = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let f = parse(from);
    if f.is_none() {
        e.add("from", "invalid_date", "Ange från-datum som ÅÅÅÅ-MM-DD.");
    }
    let t = parse(to);
    if t.is_none() {
        e.add("to", "invalid_date", "Ange till-datum som ÅÅÅÅ-MM-DD.");
    }
    match (f, t) {
        (Some(from), Some(to)) if to < from => {
            e.add(
                "to",
                "to_before_from",
                "Till-datum får inte vara före från-datum.",
            );
            Err(e)
        }
        (Some(from), Some(to))
            if from
                .checked_add_months(Months::new(MAX_PERIOD_YEARS * 12))
                .is_none_or(|end| to >= end) =>
        {
            e.add(
                "to",
                "period_too_long",
                format!("Perioden får vara högst {MAX_PERIOD_YEARS} år."),
            );
            Err(e)
        }
        (Some(from), Some(to)) => Ok(Period { from, to }),
        _ => Err(e),
    }
}
