//! Volumes agreed ahead: per municipality and term, the places agreed for
//! a course or a course package, and the term view's figures — agreed,
//! planned (seats in the term's sessions in the municipality), booked and
//! attended (by the municipality's people) — with totals.

use serde::Serialize;

use super::term::{Half, Term};
use crate::FieldErrors;

/// The most places one agreement may name.
pub const MAX_PLACES: i64 = 100_000;

/// Places as typed: a whole number 0–100 000; 0 removes the agreement.
pub fn check_places(s: &str) -> Result<i64, FieldErrors> {
    let mut e = FieldErrors::new();
    match s.trim().parse::<i64>() {
        Ok(n) if (0..=MAX_PLACES).contains(&n) => return Ok(n),
        Ok(n) if n < 0 => e.add(
            "places",
            "negative_places",
            "Antalet platser kan inte vara negativt (0 tar bort överenskommelsen).",
        ),
        Ok(_) => e.add(
            "places",
            "too_many_places",
            format!("Ange högst {MAX_PLACES} platser."),
        ),
        Err(_) => e.add(
            "places",
            "invalid_places",
            "Ange antal platser som ett heltal (0 tar bort överenskommelsen).",
        ),
    }
    Err(e)
}

/// One row's (or a total's) figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Places agreed: for the course itself plus through packages with it.
    pub agreed: i64,
    /// Seats in the term's sessions of the course held in the municipality.
    pub planned: i64,
    /// The municipality's people booked (or attended, or absent) on the
    /// term's sessions of the course, wherever held.
    pub booked: i64,
    /// Of those, attended.
    pub attended: i64,
}

impl Figures {
    pub fn add(&mut self, o: &Figures) {
        self.agreed += o.agreed;
        self.planned += o.planned;
        self.booked += o.booked;
        self.attended += o.attended;
    }
    /// Agreed places not yet planned as seats (0 when planned enough).
    pub fn unplanned(&self) -> i64 {
        (self.agreed - self.planned).max(0)
    }
    /// Agreed places not yet booked (0 when booked enough).
    pub fn unbooked(&self) -> i64 {
        (self.agreed - self.booked).max(0)
    }
}

/// The sum of many rows' figures.
pub fn total<'a>(rows: impl IntoIterator<Item = &'a Figures>) -> Figures {
    let mut t = Figures::default();
    for f in rows {
        t.add(f);
    }
    t
}

/// The terms whose agreed places a cost scenario takes as its expected
/// participants a year: one term (`2027-vt`, `VT 2027`) or a whole year
/// (`2027`: VT and HT).
pub fn terms_for_costs(s: &str) -> Option<Vec<Term>> {
    let s = s.trim();
    if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) {
        let year: i32 = s.parse().ok()?;
        return Some(vec![Term::new(year, Half::Vt)?, Term::new(year, Half::Ht)?]);
    }
    Term::parse(s).map(|t| vec![t])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_or_a_whole_year_for_the_cost_model() {
        let vt = Term::parse("VT 2027").unwrap();
        assert_eq!(terms_for_costs("2027-vt"), Some(vec![vt]));
        assert_eq!(terms_for_costs(" 2027 "), Some(vec![vt, vt.next()]));
        assert_eq!(terms_for_costs("1999"), None);
        assert_eq!(terms_for_costs("sommar"), None);
    }

    #[test]
    fn places_are_whole_and_not_negative() {
        assert_eq!(check_places(" 24 "), Ok(24));
        assert_eq!(check_places("0"), Ok(0));
        let code = |s: &str| check_places(s).unwrap_err().0[0].code;
        assert_eq!(code("-1"), "negative_places");
        assert_eq!(code("100001"), "too_many_places");
        assert_eq!(code("tjugo"), "invalid_places");
        assert_eq!(code(""), "invalid_places");
        assert_eq!(check_places("x").unwrap_err().0[0].field, "places");
    }

    #[test]
    fn totals_and_what_is_still_missing() {
        let a = Figures {
            agreed: 20,
            planned: 12,
            booked: 10,
            attended: 4,
        };
        let b = Figures {
            agreed: 0,
            planned: 12,
            booked: 3,
            attended: 3,
        };
        assert_eq!(a.unplanned(), 8);
        assert_eq!(a.unbooked(), 10);
        assert_eq!(b.unplanned(), 0);
        assert_eq!(
            total([&a, &b]),
            Figures {
                agreed: 20,
                planned: 24,
                booked: 13,
                attended: 7
            }
        );
    }
}
