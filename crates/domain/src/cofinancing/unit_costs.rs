//! The unit-cost table: what one attended hour of staff time is worth, per
//! occupational category (the role group a person had when they attended)
//! and validity period. Data, not code: loaded from a CSV file and edited
//! by the coordinator. Periods run from the first day of a month to the
//! last day of a month, so one unit cost covers each whole month; two rows
//! of one category may not overlap (the check names both).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::costs::money::{self, Ore};
use crate::errors::FieldErrors;
use crate::tabular::{self, excerpt, Stop, LIMITS};

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitCost {
    /// The stored row's id (None before it is saved).
    pub id: Option<i64>,
    /// Occupational category: a role group (`baspersonal` …).
    pub category: String,
    pub valid_from: NaiveDate,
    /// Inclusive.
    pub valid_to: NaiveDate,
    /// Value of one hour, in öre.
    pub hourly_ore: Ore,
    /// Where the figure comes from (the funder's decision, or "syntetisk").
    pub source: String,
}

impl UnitCost {
    pub fn covers(&self, month: NaiveDate) -> bool {
        self.valid_from <= month && month <= self.valid_to
    }

    /// How a row is named in messages: category and period.
    pub fn label(&self) -> String {
        format!("{} {} – {}", self.category, self.valid_from, self.valid_to)
    }
}

/// The unit cost of `category` in force in the month starting at `month`.
pub fn in_force<'a>(
    costs: &'a [UnitCost],
    category: &str,
    month: NaiveDate,
) -> Option<&'a UnitCost> {
    costs
        .iter()
        .find(|u| u.category == category && u.covers(month))
}

/// The first pair of rows of one category whose periods overlap.
pub fn overlap(costs: &[UnitCost]) -> Option<(&UnitCost, &UnitCost)> {
    overlaps(costs.iter().collect()).into_iter().next()
}

fn overlaps_pair(a: &UnitCost, b: &UnitCost) -> bool {
    a.category == b.category && a.valid_from <= b.valid_to && b.valid_from <= a.valid_to
}

/// Pairs of rows of one category whose periods overlap, in one sort: each
/// row is compared with the earlier row of its category that reaches
/// furthest.
fn overlaps(mut rows: Vec<&UnitCost>) -> Vec<(&UnitCost, &UnitCost)> {
    rows.sort_by(|a, b| (&a.category, a.valid_from).cmp(&(&b.category, b.valid_from)));
    let mut out = Vec::new();
    let mut reach: Option<&UnitCost> = None;
    for r in rows {
        match reach {
            Some(p) if overlaps_pair(p, r) => {
                out.push((p, r));
                if r.valid_to > p.valid_to {
                    reach = Some(r);
                }
            }
            _ => reach = Some(r),
        }
    }
    out
}

/// The message naming two overlapping rows.
pub fn overlap_message(a: &UnitCost, b: &UnitCost) -> String {
    format!(
        "Giltighetstiderna överlappar: ”{}” och ”{}”. En yrkeskategori kan ha en enhetskostnad per månad.",
        a.label(),
        b.label()
    )
}

/// A row as typed in a form (or read from a file), before checks.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub category: String,
    pub valid_from: String,
    pub valid_to: String,
    pub hourly_sek: String,
    pub source: String,
}

fn month_start(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok())
}

/// Check one row. `known` are the categories (role groups) Navet holds.
/// Errors name the field: `category`, `valid_from`, `valid_to`,
/// `hourly_sek`, `source`.
pub fn check(d: &Draft, known: &[String]) -> Result<UnitCost, FieldErrors> {
    let mut e = FieldErrors::new();
    let category = known
        .iter()
        .find(|k| k.to_lowercase() == d.category.trim().to_lowercase())
        .cloned();
    if category.is_none() {
        e.add(
            "category",
            "unknown_category",
            if d.category.trim().is_empty() {
                "Ange yrkeskategori.".to_string()
            } else {
                format!(
                    "Okänd yrkeskategori ”{}”; kända är {}.",
                    excerpt(&d.category),
                    known.join(", ")
                )
            },
        );
    }
    let from = month_start(&d.valid_from);
    match from {
        None => e.add(
            "valid_from",
            "invalid_date",
            "Ange giltig från som ÅÅÅÅ-MM-DD (den första i en månad) eller ÅÅÅÅ-MM.",
        ),
        Some(f) if f.day() != 1 => e.add(
            "valid_from",
            "not_month_start",
            "Giltig från ska vara den första dagen i en månad.",
        ),
        _ => {}
    }
    // "2025-12" as an end means the whole of December.
    let to = match NaiveDate::parse_from_str(d.valid_to.trim(), "%Y-%m-%d") {
        Ok(t) => Some(t),
        Err(_) => month_start(&d.valid_to).map(super::month_end),
    };
    match to {
        None => e.add(
            "valid_to",
            "invalid_date",
            "Ange giltig till som ÅÅÅÅ-MM-DD (den sista i en månad) eller ÅÅÅÅ-MM.",
        ),
        Some(t) if super::month_end(super::month_of(t)) != t => e.add(
            "valid_to",
            "not_month_end",
            "Giltig till ska vara den sista dagen i en månad.",
        ),
        Some(t) if from.is_some_and(|f| t < f) => e.add(
            "valid_to",
            "ends_before_start",
            "Giltig till måste vara efter giltig från.",
        ),
        _ => {}
    }
    let hourly = money::parse_kr(&d.hourly_sek)
        .ok()
        .filter(|v| *v > 0 && *v <= 100_000 * 100);
    if hourly.is_none() {
        e.add(
            "hourly_sek",
            "invalid_amount",
            "Ange kronor per timme, större än 0 och högst 100 000 (t.ex. 312,50).",
        );
    }
    let source = match crate::text::single_line(&d.source, "Källan") {
        Ok(s) if s.chars().count() <= 200 => s,
        Ok(_) => {
            e.add("source", "too_long", "Källan får vara högst 200 tecken.");
            String::new()
        }
        Err(m) => {
            e.add("source", "invalid_text", m);
            String::new()
        }
    };
    match (category, from, to, hourly) {
        (Some(category), Some(valid_from), Some(valid_to), Some(hourly_ore)) if e.is_empty() => {
            Ok(UnitCost {
                id: None,
                category,
                valid_from,
                valid_to,
                hourly_ore,
                source,
            })
        }
        _ => Err(e),
    }
}

/// The columns of a unit-cost file (see docs/reports.md).
pub const COLUMNS: [&str; 5] = ["category", "valid_from", "valid_to", "hourly_sek", "source"];

/// Largest unit-cost file read (a table for ten categories over ten years
/// is a few kB).
pub const MAX_FILE_BYTES: usize = 256 * 1024;

/// Read a whole unit-cost table from CSV (comma or semicolon, decimal
/// comma or point, columns in any order, `source` optional). Every error
/// names its line (and column); overlapping rows name both lines. The file
/// is taken whole or not at all.
pub fn parse_csv(bytes: &[u8], known: &[String]) -> Result<Vec<UnitCost>, Vec<String>> {
    let limits = tabular::Limits {
        max_file_bytes: MAX_FILE_BYTES,
        ..LIMITS
    };
    let table = tabular::read_csv(bytes, &limits, &Stop::never()).map_err(|e| {
        vec![if e.line == 0 {
            e.message
        } else {
            format!("rad {}: {}", e.line, e.message)
        }]
    })?;
    let mut errs = Vec::new();
    let col = |name: &str| {
        table.headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let idx: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    for (i, c) in COLUMNS.iter().enumerate().take(4) {
        if idx[i].is_none() {
            errs.push(format!(
                "rad 1: kolumnen ”{c}” saknas (kolumner: {}).",
                COLUMNS.join(", ")
            ));
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    if table.rows.is_empty() {
        return Err(vec!["Filen har inga rader med enhetskostnader.".into()]);
    }
    let mut out: Vec<(usize, UnitCost)> = Vec::new();
    for row in &table.rows {
        let cell = |i: usize| idx[i].and_then(|c| row.get(c)).unwrap_or("").to_string();
        let d = Draft {
            category: cell(0),
            valid_from: cell(1),
            valid_to: cell(2),
            hourly_sek: cell(3),
            source: cell(4),
        };
        match check(&d, known) {
            Ok(u) => out.push((row.line, u)),
            Err(fe) => {
                for f in fe.0 {
                    let c = COLUMNS
                        .iter()
                        .position(|c| *c == f.field)
                        .and_then(|i| idx[i]);
                    match c {
                        Some(c) => errs.push(format!(
                            "rad {}, kolumn {} ({}): {}",
                            row.line,
                            c + 1,
                            f.field,
                            f.message
                        )),
                        None => errs.push(format!("rad {}: {}", row.line, f.message)),
                    }
                }
            }
        }
        if errs.len() > tabular::MAX_ERRORS_SHOWN {
            break;
        }
    }
    let line_of = |u: &UnitCost| {
        out.iter()
            .find(|(_, x)| std::ptr::eq(x, u))
            .map(|(l, _)| *l)
            .unwrap_or(0)
    };
    for (a, b) in overlaps(out.iter().map(|(_, u)| u).collect())
        .into_iter()
        .take(tabular::MAX_ERRORS_SHOWN)
    {
        let (la, lb) = (line_of(a), line_of(b));
        let (la, lb, a, b) = if la <= lb {
            (la, lb, a, b)
        } else {
            (lb, la, b, a)
        };
        errs.push(format!("rad {la} och rad {lb}: {}", overlap_message(a, b)));
    }
    if errs.is_empty() {
        Ok(out.into_iter().map(|(_, u)| u).collect())
    } else {
        Err(errs)
    }
}
