//! The coordinator's calendar of sessions: which days a week or month view
//! shows (weeks start on Monday, as in Sweden), and where "previous" and
//! "next" lead.

use chrono::{Datelike, Duration, NaiveDate};

/// The months' Swedish names, lower case, January first.
pub const MONTHS_SV: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// How the session list is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    List,
    Week,
    Month,
}

impl View {
    /// `vecka`, `manad`, anything else the list.
    pub fn parse(s: &str) -> View {
        match s.trim() {
            "vecka" => View::Week,
            "manad" => View::Month,
            _ => View::List,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            View::List => "lista",
            View::Week => "vecka",
            View::Month => "manad",
        }
    }
}

/// The Monday of the week a day is in.
pub fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// The weeks a view shows, each Monday to Sunday: one week, or every week
/// that has a day of the anchor's month.
pub fn weeks(view: View, anchor: NaiveDate) -> Vec<[NaiveDate; 7]> {
    let week = |monday: NaiveDate| -> [NaiveDate; 7] {
        std::array::from_fn(|i| monday + Duration::days(i as i64))
    };
    match view {
        View::List => vec![],
        View::Week => vec![week(monday_of(anchor))],
        View::Month => {
            let first = anchor.with_day(1).unwrap_or(anchor);
            let last = last_of_month(first);
            let mut out = vec![];
            let mut m = monday_of(first);
            while m <= last {
                out.push(week(m));
                m += Duration::days(7);
            }
            out
        }
    }
}

fn last_of_month(first: NaiveDate) -> NaiveDate {
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.map(|n| n - Duration::days(1)).unwrap_or(first)
}

/// The anchors of the previous and the next week or month.
pub fn step(view: View, anchor: NaiveDate) -> (NaiveDate, NaiveDate) {
    match view {
        View::List | View::Week => (anchor - Duration::days(7), anchor + Duration::days(7)),
        View::Month => {
            let first = anchor.with_day(1).unwrap_or(anchor);
            let prev = (first - Duration::days(1)).with_day(1).unwrap_or(first);
            let next = last_of_month(first) + Duration::days(1);
            (prev, next)
        }
    }
}

/// ISO week number, as Swedish calendars print it ("v. 11").
pub fn week_number(d: NaiveDate) -> u32 {
    d.iso_week().week()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_week_runs_monday_to_sunday() {
        let w = weeks(View::Week, d(2026, 3, 14)); // a Saturday
        assert_eq!(w.len(), 1);
        assert_eq!(w[0][0], d(2026, 3, 9));
        assert_eq!(w[0][6], d(2026, 3, 15));
        assert_eq!(weeks(View::Week, d(2026, 3, 9))[0][0], d(2026, 3, 9));
        assert_eq!(week_number(d(2026, 3, 9)), 11);
    }

    #[test]
    fn a_month_covers_every_week_with_one_of_its_days() {
        // March 2026: Sunday the 1st to Tuesday the 31st → six weeks.
        let w = weeks(View::Month, d(2026, 3, 20));
        assert_eq!(w.len(), 6);
        assert_eq!(w[0][0], d(2026, 2, 23));
        assert_eq!(w[0][6], d(2026, 3, 1));
        assert_eq!(w[5][1], d(2026, 3, 31));
        // February 2027 starts on a Monday and has exactly four weeks.
        let f = weeks(View::Month, d(2027, 2, 10));
        assert_eq!(
            (f.len(), f[0][0], f[3][6]),
            (4, d(2027, 2, 1), d(2027, 2, 28))
        );
        assert!(weeks(View::List, d(2026, 3, 1)).is_empty());
    }

    #[test]
    fn previous_and_next_cross_years() {
        assert_eq!(
            step(View::Month, d(2026, 1, 31)),
            (d(2025, 12, 1), d(2026, 2, 1))
        );
        assert_eq!(
            step(View::Month, d(2026, 12, 5)),
            (d(2026, 11, 1), d(2027, 1, 1))
        );
        assert_eq!(
            step(View::Week, d(2026, 12, 30)),
            (d(2026, 12, 23), d(2027, 1, 6))
        );
    }

    #[test]
    fn views_parse_from_the_address() {
        assert_eq!(View::parse("vecka"), View::Week);
        assert_eq!(View::parse("manad"), View::Month);
        assert_eq!(View::parse("x"), View::List);
        assert_eq!(View::parse(View::Month.code()), View::Month);
    }
}
