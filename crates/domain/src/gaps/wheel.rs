//! The year wheel (årshjul): recurring training due month by month.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use super::rules::{Check, RuleSet};
use crate::requirements::RequirementTarget;

/// One course due in one month of the year wheel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WheelEntry {
    pub course_id: i64,
    /// People whose certificate runs out (or has run out) then.
    pub due: u64,
    /// Of those, people already booked on a session.
    pub planned: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WheelMonth {
    pub year: i32,
    pub month: u32,
    pub entries: Vec<WheelEntry>,
}

/// Recurring training by month (årshjul): for the twelve months from
/// `as_of`'s month, how many people must renew which course; gaps already
/// open on recurring courses are `overdue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearWheel {
    pub overdue: Vec<WheelEntry>,
    pub months: Vec<WheelMonth>,
}

fn bump(entries: &mut Vec<WheelEntry>, course_id: i64, planned: bool) {
    let e = match entries.iter_mut().find(|e| e.course_id == course_id) {
        Some(e) => e,
        None => {
            entries.push(WheelEntry {
                course_id,
                due: 0,
                planned: 0,
            });
            entries.last_mut().expect("just pushed")
        }
    };
    e.due += 1;
    e.planned += u64::from(planned);
}

/// Build the year wheel from checks (of any number of people).
pub fn year_wheel<'c>(
    rules: &RuleSet<'_>,
    checks: impl IntoIterator<Item = &'c Check>,
    as_of: NaiveDate,
) -> YearWheel {
    let first = NaiveDate::from_ymd_opt(as_of.year(), as_of.month(), 1).expect("first of month");
    let mut months: Vec<WheelMonth> = (0..12)
        .map(|i| {
            let d = first
                .checked_add_months(Months::new(i))
                .expect("month in range");
            WheelMonth {
                year: d.year(),
                month: d.month(),
                entries: vec![],
            }
        })
        .collect();
    let mut overdue = vec![];
    for c in checks {
        let Some(i) = rules.index_of(c.requirement_id) else {
            continue;
        };
        let target = rules.requirements()[i].target;
        if !rules.catalogue().is_recurring(&target) {
            continue;
        }
        let RequirementTarget::Course { course_id } = target else {
            continue;
        };
        if c.is_gap() {
            bump(&mut overdue, course_id, c.is_planned());
        } else if let Some(e) = c.expires_on {
            let k = (e.year() - first.year()) * 12 + e.month() as i32 - first.month() as i32;
            if (0..12).contains(&k) {
                bump(&mut months[k as usize].entries, course_id, c.is_planned());
            }
        }
    }
    for m in &mut months {
        m.entries.sort_by_key(|e| e.course_id);
    }
    overdue.sort_by_key(|e| e.course_id);
    YearWheel { overdue, months }
}
