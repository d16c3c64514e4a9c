//! A trainer's availability for a term: the weeks they can teach, on
//! which weekdays, at most how many sessions a week, and a note. Navet
//! never refuses an assignment outside it — plans change and the trainer
//! may have agreed by phone — but it warns the coordinator when a session
//! falls in a week or on a weekday the trainer has not given, or would
//! take them over their weekly maximum ([`warnings`]).

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

use super::requests::{parse_weekday, weekday_code, weekday_sv, weekdays_field, Week, WEEKDAYS};
use super::term::Term;
use crate::FieldErrors;

/// The most sessions a week a trainer may offer.
pub const MAX_SESSIONS_A_WEEK: i64 = 20;
pub const MAX_NOTE_CHARS: usize = 1000;

/// Availability as sent (form or API), before any checking.
#[derive(Debug, Clone, Default)]
pub struct AvailabilityDraft {
    /// Week numbers of the term (`12`), ranges (`2-10`, `2–10`) or ISO
    /// weeks of the term's year (`2027-W12`).
    pub weeks: Vec<String>,
    /// `mon` … `sun`, Swedish names or ISO numbers.
    pub weekdays: Vec<String>,
    pub max_per_week: String,
    pub note: String,
}

/// A trainer's checked availability for one term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Availability {
    #[serde(skip)]
    pub term: Term,
    /// Week numbers, ascending, all within the term.
    pub weeks: Vec<u32>,
    #[serde(skip)]
    pub weekdays: Vec<Weekday>,
    pub max_per_week: i64,
    pub note: String,
}

impl Availability {
    /// `2,3,4`, as stored.
    pub fn weeks_code(&self) -> String {
        self.weeks
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
    /// `mon,tue`, as stored.
    pub fn weekdays_code(&self) -> String {
        self.weekdays
            .iter()
            .map(|d| weekday_code(*d))
            .collect::<Vec<_>>()
            .join(",")
    }
    pub fn weekday_codes(&self) -> Vec<&'static str> {
        self.weekdays.iter().map(|d| weekday_code(*d)).collect()
    }
    /// Read back what was stored (anything unreadable is left out).
    pub fn from_stored(
        term: Term,
        weeks: &str,
        weekdays: &str,
        max_per_week: i64,
        note: &str,
    ) -> Availability {
        let mut w: Vec<u32> = weeks
            .split(',')
            .filter_map(|x| x.trim().parse().ok())
            .filter(|n| term.has_week_number(*n))
            .collect();
        w.sort_unstable();
        w.dedup();
        let mut d: Vec<Weekday> = weekdays.split(',').filter_map(parse_weekday).collect();
        d.sort_by_key(|x| x.number_from_monday());
        d.dedup();
        Availability {
            term,
            weeks: w,
            weekdays: d,
            max_per_week,
            note: note.to_string(),
        }
    }
    /// "vecka 2–10, 12, 14–25", or "inga veckor".
    pub fn weeks_label_sv(&self) -> String {
        weeks_label_sv(&self.weeks)
    }
    /// "måndag, tisdag", or "inga dagar".
    pub fn weekdays_label_sv(&self) -> String {
        if self.weekdays.is_empty() {
            return "inga dagar".into();
        }
        self.weekdays
            .iter()
            .map(|d| weekday_sv(*d))
            .collect::<Vec<_>>()
            .join(", ")
    }
    pub fn has_week(&self, n: u32) -> bool {
        self.weeks.contains(&n)
    }
    pub fn has_weekday(&self, code: &str) -> bool {
        self.weekdays.iter().any(|d| weekday_code(*d) == code)
    }
}

/// "vecka 2–10, 12, 14–25" (runs of weeks joined), or "inga veckor".
pub fn weeks_label_sv(weeks: &[u32]) -> String {
    if weeks.is_empty() {
        return "inga veckor".into();
    }
    let mut runs: Vec<(u32, u32)> = vec![];
    for &w in weeks {
        match runs.last_mut() {
            Some((_, b)) if *b + 1 == w => *b = w,
            _ => runs.push((w, w)),
        }
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect();
    format!("vecka {}", parts.join(", "))
}

fn clean_note(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// One token of the weeks field: a number, a range or an ISO week.
fn week_token(term: Term, s: &str) -> Result<Vec<u32>, ()> {
    let s = s.trim();
    let num = |x: &str| x.trim().parse::<u32>().map_err(|_| ());
    if let Some(w) = Week::parse(s).filter(|_| s.to_lowercase().contains('w')) {
        return if w.year == term.year {
            Ok(vec![w.week])
        } else {
            // Another year's week: outside the term whatever its number.
            Ok(vec![1000 + w.week])
        };
    }
    if let Some((a, b)) = s.split_once('-').or_else(|| s.split_once('–')) {
        let (a, b) = (num(a)?, num(b)?);
        if b < a || b - a > 60 {
            return Err(());
        }
        return Ok((a..=b).collect());
    }
    Ok(vec![num(s)?])
}

/// Check a trainer's availability for `term`. `today` is the local date:
/// a term that has ended cannot be changed and a week that has passed
/// cannot be added; the weeks of `previous` that have passed stay as they
/// were (they are history, and a form no longer offers them).
pub fn check_availability(
    term: Term,
    d: &AvailabilityDraft,
    today: NaiveDate,
    previous: Option<&Availability>,
) -> Result<Availability, FieldErrors> {
    let mut e = FieldErrors::new();
    if term.has_ended(today) {
        e.add(
            "term",
            "term_ended",
            format!("{term} är slut: tillgängligheten för en avslutad termin kan inte ändras."),
        );
        return Err(e);
    }
    let (first, last) = term.week_numbers();
    let is_past = |n: u32| {
        Week {
            year: term.year,
            week: n,
        }
        .sunday()
            < today
    };
    let kept_past: BTreeSet<u32> = previous
        .map(|p| p.weeks.iter().copied().filter(|n| is_past(*n)).collect())
        .unwrap_or_default();
    let mut weeks: BTreeSet<u32> = kept_past.clone();
    for s in d.weeks.iter().flat_map(|s| s.split(',')) {
        if s.trim().is_empty() {
            continue;
        }
        let Ok(ns) = week_token(term, s) else {
            e.add(
                "weeks",
                "invalid_week",
                format!(
                    "”{}” är ingen vecka: ange veckonummer som 12 eller 2–10.",
                    crate::tabular::excerpt(s)
                ),
            );
            continue;
        };
        for n in ns {
            if !term.has_week_number(n) {
                let shown = if n >= 1000 {
                    crate::tabular::excerpt(s.trim()).to_string()
                } else {
                    n.to_string()
                };
                e.add(
                    "weeks",
                    "week_outside_term",
                    format!("Vecka {shown} ligger inte i {term} (veckorna {first}–{last})."),
                );
                break;
            }
            if is_past(n) {
                if !kept_past.contains(&n) {
                    e.add(
                        "weeks",
                        "past_week",
                        format!("Vecka {n} har redan varit: välj veckor från och med denna."),
                    );
                    break;
                }
                continue;
            }
            weeks.insert(n);
        }
    }
    let weekdays = weekdays_field(&d.weekdays, &mut e);
    let any_coming = weeks.iter().any(|n| !is_past(*n));
    if any_coming && weekdays.is_empty() && e.get("weekdays").is_none() {
        e.add(
            "weekdays",
            "missing_weekday",
            "Välj minst en veckodag då du kan hålla kurstillfällen.",
        );
    }
    let max = match d.max_per_week.trim().parse::<i64>() {
        Ok(n) if (0..=MAX_SESSIONS_A_WEEK).contains(&n) => Some(n),
        Ok(n) if n < 0 => {
            e.add(
                "max_per_week",
                "negative_max",
                "Högst antal tillfällen per vecka kan inte vara negativt.",
            );
            None
        }
        Ok(_) => {
            e.add(
                "max_per_week",
                "max_too_large",
                format!("Ange högst {MAX_SESSIONS_A_WEEK} tillfällen per vecka."),
            );
            None
        }
        Err(_) => {
            e.add(
                "max_per_week",
                "invalid_max",
                format!(
                    "Ange högst antal tillfällen per vecka som ett heltal, 0–{MAX_SESSIONS_A_WEEK}."
                ),
            );
            None
        }
    };
    if any_coming && max == Some(0) {
        e.add(
            "max_per_week",
            "zero_max",
            "Du har valt veckor: ange minst 1 tillfälle per vecka, eller avmarkera veckorna.",
        );
    }
    let note = clean_note(&d.note);
    if note.chars().count() > MAX_NOTE_CHARS {
        e.add(
            "note",
            "too_long",
            format!("Kommentaren får vara högst {MAX_NOTE_CHARS} tecken."),
        );
    }
    match max {
        Some(max_per_week) if e.is_empty() => Ok(Availability {
            term,
            weeks: weeks.into_iter().collect(),
            weekdays,
            max_per_week,
            note,
        }),
        _ => Err(e),
    }
}

/// Why a session lies outside a trainer's availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The session's week is not among the weeks given for the term.
    WeekNotAvailable { term: String, week: u32 },
    /// The session's weekday is not among the weekdays given.
    WeekdayNotAvailable { weekday: &'static str },
    /// The trainer would lead more sessions that week than their maximum.
    OverWeeklyMax { week: u32, sessions: i64, max: i64 },
}

impl Warning {
    pub fn code(&self) -> &'static str {
        match self {
            Warning::WeekNotAvailable { .. } => "week_not_available",
            Warning::WeekdayNotAvailable { .. } => "weekday_not_available",
            Warning::OverWeeklyMax { .. } => "over_weekly_max",
        }
    }
    /// The warning in Swedish, about the trainer `name`.
    pub fn message_sv(&self, name: &str) -> String {
        match self {
            Warning::WeekNotAvailable { term, week } => {
                format!("{name} har inte angett vecka {week} som tillgänglig ({term}).")
            }
            Warning::WeekdayNotAvailable { weekday } => format!(
                "{name} är inte tillgänglig på {}ar.",
                parse_weekday(weekday).map(weekday_sv).unwrap_or(*weekday)
            ),
            Warning::OverWeeklyMax {
                week,
                sessions,
                max,
            } => format!(
                "{name} får {sessions} tillfällen vecka {week}, fler än högst {max} i veckan."
            ),
        }
    }
}

/// How many sessions a trainer leads each week: `sessions` are the
/// trainer's sessions with the local days they are held on (a session on
/// two days of one week counts once in that week).
pub fn week_load(sessions: &[(i64, Vec<NaiveDate>)]) -> BTreeMap<Week, i64> {
    let mut seen: BTreeSet<(Week, i64)> = BTreeSet::new();
    for (id, days) in sessions {
        for d in days {
            seen.insert((Week::of(*d), *id));
        }
    }
    let mut out = BTreeMap::new();
    for (w, _) in seen {
        *out.entry(w).or_insert(0) += 1;
    }
    out
}

/// Warnings for a trainer leading a session held on `days` (its local
/// days). `given` is the trainer's availability for the terms concerned
/// (a term with none given warns of nothing: nothing is known);
/// `load` the sessions per week the trainer would lead, this one
/// included ([`week_load`]). Days outside any term warn of nothing.
pub fn warnings(
    days: &[NaiveDate],
    given: &[Availability],
    load: &BTreeMap<Week, i64>,
) -> Vec<Warning> {
    let mut out: Vec<Warning> = vec![];
    let mut push = |w: Warning| {
        if !out.contains(&w) {
            out.push(w);
        }
    };
    let mut days = days.to_vec();
    days.sort();
    for d in days {
        let Some(term) = Term::of_date(d) else {
            continue;
        };
        let Some(a) = given.iter().find(|a| a.term == term) else {
            continue;
        };
        let week = Week::of(d);
        if !a.has_week(week.week) {
            push(Warning::WeekNotAvailable {
                term: term.to_string(),
                week: week.week,
            });
            continue;
        }
        if !a.weekdays.contains(&d.weekday()) {
            push(Warning::WeekdayNotAvailable {
                weekday: weekday_code(d.weekday()),
            });
        }
        let n = load.get(&week).copied().unwrap_or(1);
        if n > a.max_per_week {
            push(Warning::OverWeeklyMax {
                week: week.week,
                sessions: n,
                max: a.max_per_week,
            });
        }
    }
    out
}

/// The weekdays in order, as (code, Swedish name), for forms.
pub fn weekday_choices() -> Vec<(&'static str, &'static str)> {
    WEEKDAYS
        .iter()
        .map(|d| (weekday_code(*d), weekday_sv(*d)))
        .collect()
}

#[cfg(test)]
#[path = "availability_tests.rs"]
mod tests;
