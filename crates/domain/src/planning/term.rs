//! A term (termin): the spring term VT, ISO weeks 2–25, and the autumn
//! term HT, weeks 33–51. The weeks between (Christmas, the summer) belong
//! to no term. Written "VT 2027" for people and `2027-vt` in addresses
//! and the API.

use chrono::{Datelike, NaiveDate};
use std::fmt;

use super::requests::Week;

/// Which half of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Half {
    /// Vårtermin, weeks 2–25.
    Vt,
    /// Hösttermin, weeks 33–51.
    Ht,
}

impl Half {
    pub fn code(self) -> &'static str {
        match self {
            Half::Vt => "vt",
            Half::Ht => "ht",
        }
    }
    /// The first and last ISO week of the half.
    pub fn weeks(self) -> (u32, u32) {
        match self {
            Half::Vt => (2, 25),
            Half::Ht => (33, 51),
        }
    }
}

/// One term of one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Term {
    pub year: i32,
    pub half: Half,
}

/// The years a term may have (as for weeks in requests).
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

impl Term {
    pub fn new(year: i32, half: Half) -> Option<Term> {
        YEARS.contains(&year).then_some(Term { year, half })
    }

    /// "VT 2027", "vt2027", "ht 2027", "2027-vt", "2027 HT" (any case).
    pub fn parse(s: &str) -> Option<Term> {
        let s: String = s
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let (half, year) = if let Some(y) = s.strip_prefix("vt") {
            (Half::Vt, y)
        } else if let Some(y) = s.strip_prefix("ht") {
            (Half::Ht, y)
        } else if let Some(y) = s.strip_suffix("vt") {
            (Half::Vt, y)
        } else if let Some(y) = s.strip_suffix("ht") {
            (Half::Ht, y)
        } else {
            return None;
        };
        if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Term::new(year.parse().ok()?, half)
    }

    /// `2027-vt`: in addresses, the API and the database.
    pub fn code(self) -> String {
        format!("{}-{}", self.year, self.half.code())
    }

    /// "VT 2027".
    pub fn label(self) -> String {
        self.to_string()
    }

    /// "vårterminen 2027".
    pub fn label_long_sv(self) -> String {
        match self.half {
            Half::Vt => format!("vårterminen {}", self.year),
            Half::Ht => format!("höstterminen {}", self.year),
        }
    }

    /// The term's first and last ISO week numbers.
    pub fn week_numbers(self) -> (u32, u32) {
        self.half.weeks()
    }

    /// Every week of the term, in order.
    pub fn weeks(self) -> Vec<Week> {
        let (a, b) = self.week_numbers();
        (a..=b)
            .map(|week| Week {
                year: self.year,
                week,
            })
            .collect()
    }

    /// Whether week number `n` lies in the term.
    pub fn has_week_number(self, n: u32) -> bool {
        let (a, b) = self.week_numbers();
        (a..=b).contains(&n)
    }

    pub fn contains_week(self, w: Week) -> bool {
        w.year == self.year && self.has_week_number(w.week)
    }

    pub fn contains(self, d: NaiveDate) -> bool {
        self.contains_week(Week::of(d))
    }

    /// Monday of the first week.
    pub fn first_day(self) -> NaiveDate {
        Week {
            year: self.year,
            week: self.week_numbers().0,
        }
        .monday()
    }

    /// Sunday of the last week.
    pub fn last_day(self) -> NaiveDate {
        Week {
            year: self.year,
            week: self.week_numbers().1,
        }
        .sunday()
    }

    /// The term a week lies in, if any.
    pub fn of_week(w: Week) -> Option<Term> {
        [Half::Vt, Half::Ht]
            .into_iter()
            .filter_map(|h| Term::new(w.year, h))
            .find(|t| t.contains_week(w))
    }

    /// The term a day lies in, if any.
    pub fn of_date(d: NaiveDate) -> Option<Term> {
        Term::of_week(Week::of(d))
    }

    /// The term under way on `today`, or the next one to begin.
    pub fn current_or_next(today: NaiveDate) -> Term {
        let this_year = today.iso_week().year();
        let vt = Term {
            year: this_year,
            half: Half::Vt,
        };
        let ht = Term {
            year: this_year,
            half: Half::Ht,
        };
        if today <= vt.last_day() {
            vt
        } else if today <= ht.last_day() {
            ht
        } else {
            ht.next()
        }
    }

    pub fn next(self) -> Term {
        match self.half {
            Half::Vt => Term {
                year: self.year,
                half: Half::Ht,
            },
            Half::Ht => Term {
                year: self.year + 1,
                half: Half::Vt,
            },
        }
    }

    pub fn previous(self) -> Term {
        match self.half {
            Half::Vt => Term {
                year: self.year - 1,
                half: Half::Ht,
            },
            Half::Ht => Term {
                year: self.year,
                half: Half::Vt,
            },
        }
    }

    /// Whether the term's last day is before `today`.
    pub fn has_ended(self, today: NaiveDate) -> bool {
        self.last_day() < today
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = match self.half {
            Half::Vt => "VT",
            Half::Ht => "HT",
        };
        write!(f, "{h} {}", self.year)
    }
}

impl std::str::FromStr for Term {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Term::parse(s).ok_or_else(|| {
            format!(
                "”{}” är ingen termin: skriv till exempel VT 2027 eller 2027-ht.",
                crate::tabular::excerpt(s)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn parses_the_written_and_the_address_forms() {
        let vt = Term {
            year: 2027,
            half: Half::Vt,
        };
        let ht = Term {
            year: 2027,
            half: Half::Ht,
        };
        for s in [
            "VT 2027",
            "vt2027",
            " Vt 2027 ",
            "2027-vt",
            "2027 VT",
            "2027vt",
        ] {
            assert_eq!(Term::parse(s), Some(vt), "{s}");
        }
        for s in ["HT 2027", "2027-ht", "ht-2027"] {
            assert_eq!(Term::parse(s), Some(ht), "{s}");
        }
        for s in [
            "", "VT", "2027", "VT 27", "ST 2027", "VT 1999", "VT 20270", "VT 2O27",
        ] {
            assert_eq!(Term::parse(s), None, "{s}");
        }
        assert_eq!(vt.to_string(), "VT 2027");
        assert_eq!(vt.label(), "VT 2027");
        assert_eq!(ht.code(), "2027-ht");
        assert_eq!(Term::parse(&ht.code()), Some(ht));
        assert_eq!(ht.label_long_sv(), "höstterminen 2027");
        assert!("VT 1999"
            .parse::<Term>()
            .unwrap_err()
            .contains("ingen termin"));
    }

    #[test]
    fn spring_is_weeks_2_to_25_and_autumn_33_to_51() {
        let vt = Term::parse("VT 2027").unwrap();
        let ht = Term::parse("HT 2027").unwrap();
        assert_eq!(vt.weeks().len(), 24);
        assert_eq!(ht.weeks().len(), 19);
        assert_eq!(vt.weeks()[0].week, 2);
        assert_eq!(ht.weeks().last().unwrap().week, 51);
        // 2027-01-11 is the Monday of week 2; 2027-06-27 the Sunday of week 25.
        assert_eq!(vt.first_day(), d("2027-01-11"));
        assert_eq!(vt.last_day(), d("2027-06-27"));
        assert_eq!(ht.first_day(), d("2027-08-16"));
        assert_eq!(ht.last_day(), d("2027-12-26"));
        assert!(vt.has_week_number(2) && vt.has_week_number(25));
        assert!(!vt.has_week_number(1) && !vt.has_week_number(26));
        assert!(!ht.has_week_number(32) && !ht.has_week_number(52));
        assert!(vt.contains(d("2027-03-10")));
        assert!(!vt.contains(d("2027-01-05")), "week 1 is Christmas break");
        assert_eq!(Term::of_date(d("2027-07-14")), None, "summer");
        assert_eq!(Term::of_date(d("2027-10-01")), Some(ht));
    }

    #[test]
    fn the_current_or_next_term_and_neighbours() {
        let vt27 = Term::parse("VT 2027").unwrap();
        let ht27 = Term::parse("HT 2027").unwrap();
        let vt28 = Term::parse("VT 2028").unwrap();
        assert_eq!(Term::current_or_next(d("2027-01-02")), vt27, "before it");
        assert_eq!(Term::current_or_next(d("2027-04-01")), vt27);
        assert_eq!(Term::current_or_next(d("2027-07-01")), ht27, "summer");
        assert_eq!(Term::current_or_next(d("2027-12-20")), ht27);
        assert_eq!(Term::current_or_next(d("2027-12-29")), vt28, "after HT");
        // 2027-01-01 is in ISO week 53 of 2026: the next term is VT 2027.
        assert_eq!(Term::current_or_next(d("2027-01-01")), vt27);
        assert_eq!(vt27.next(), ht27);
        assert_eq!(ht27.next(), vt28);
        assert_eq!(vt28.previous(), ht27);
        assert_eq!(ht27.previous(), vt27);
        assert!(vt27 < ht27 && ht27 < vt28);
        assert!(vt27.has_ended(d("2027-06-28")));
        assert!(!vt27.has_ended(d("2027-06-27")));
    }
}
