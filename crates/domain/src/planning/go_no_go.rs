//! Minimum numbers and the go/no-go date of a session: whether a minimum
//! and decision date may be set, and which sessions are due for a decision
//! and under their minimum.

use chrono::{Duration, NaiveDate};

use crate::FieldErrors;

/// Days before the start the decision is taken when no date is given.
pub const DEFAULT_DECISION_DAYS: i64 = 14;

/// A minimum and decision date as entered ("" for none).
#[derive(Debug, Clone, Default)]
pub struct MinimumDraft {
    pub min_participants: String,
    pub decision_on: String,
}

/// What may be stored: both set, or both cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minimum {
    pub min_participants: i64,
    pub decision_on: NaiveDate,
}

/// Check a minimum for a session of `capacity` seats starting on the
/// local date `starts_on`. An empty minimum clears it (`Ok(None)`); an
/// empty date means [`DEFAULT_DECISION_DAYS`] before the start (but not
/// before today).
pub fn check_minimum(
    d: &MinimumDraft,
    capacity: i64,
    starts_on: NaiveDate,
    today: NaiveDate,
) -> Result<Option<Minimum>, FieldErrors> {
    let mut e = FieldErrors::new();
    let min = d.min_participants.trim();
    if min.is_empty() {
        if !d.decision_on.trim().is_empty() {
            e.add(
                "min_participants",
                "missing_minimum",
                "Ange minsta antal deltagare för att sätta ett beslutsdatum.",
            );
            return Err(e);
        }
        return Ok(None);
    }
    let min = match min.parse::<i64>() {
        Ok(n) if (1..=capacity).contains(&n) => Some(n),
        _ => {
            e.add(
                "min_participants",
                "invalid_minimum",
                format!("Ange minsta antal deltagare som ett heltal 1–{capacity} (antal platser)."),
            );
            None
        }
    };
    let decision = if d.decision_on.trim().is_empty() {
        Some((starts_on - Duration::days(DEFAULT_DECISION_DAYS)).max(today))
    } else {
        match NaiveDate::parse_from_str(d.decision_on.trim(), "%Y-%m-%d") {
            Ok(day) if day >= starts_on => {
                e.add(
                    "decision_on",
                    "decision_after_start",
                    format!("Beslutsdatumet måste ligga före kursstarten ({starts_on})."),
                );
                None
            }
            Ok(day) if day < today => {
                e.add(
                    "decision_on",
                    "decision_in_past",
                    "Beslutsdatumet har redan varit: välj i dag eller senare.",
                );
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                e.add(
                    "decision_on",
                    "invalid_date",
                    "Ange beslutsdatum som ÅÅÅÅ-MM-DD, till exempel 2027-03-01.",
                );
                None
            }
        }
    };
    if starts_on <= today {
        e.add(
            "decision_on",
            "session_started",
            "Kurstillfället har redan börjat: det finns inget beslut kvar att ta.",
        );
    }
    match (min, decision) {
        (Some(min_participants), Some(decision_on)) if e.is_empty() => Ok(Some(Minimum {
            min_participants,
            decision_on,
        })),
        _ => Err(e),
    }
}

/// Whether a session is due for its go/no-go decision and under its
/// minimum: the decision date has come, the session has not started, and
/// fewer than the minimum are booked.
pub fn under_minimum_at_decision(m: Minimum, booked: i64, today: NaiveDate, started: bool) -> bool {
    !started && today >= m.decision_on && booked < m.min_participants
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn draft(min: &str, on: &str) -> MinimumDraft {
        MinimumDraft {
            min_participants: min.into(),
            decision_on: on.into(),
        }
    }

    const TODAY: &str = "2027-03-01";

    fn check(min: &str, on: &str) -> Result<Option<Minimum>, FieldErrors> {
        check_minimum(&draft(min, on), 12, d("2027-04-01"), d(TODAY))
    }

    fn code(r: Result<Option<Minimum>, FieldErrors>) -> (String, &'static str) {
        let e = r.unwrap_err();
        let f = e.first().unwrap();
        (f.field.clone(), f.code)
    }

    #[test]
    fn a_minimum_with_a_date_before_the_start() {
        assert_eq!(
            check("6", "2027-03-20"),
            Ok(Some(Minimum {
                min_participants: 6,
                decision_on: d("2027-03-20")
            }))
        );
        // No date: two weeks before the start.
        assert_eq!(
            check("6", "").unwrap().unwrap().decision_on,
            d("2027-03-18")
        );
        // Two weeks before would be in the past: today.
        assert_eq!(
            check_minimum(&draft("6", ""), 12, d("2027-03-05"), d(TODAY))
                .unwrap()
                .unwrap()
                .decision_on,
            d(TODAY)
        );
        assert_eq!(check("", ""), Ok(None), "cleared");
    }

    #[test]
    fn bad_minimums_and_dates_name_the_field() {
        assert_eq!(code(check("0", "")).1, "invalid_minimum");
        assert_eq!(code(check("13", "")).1, "invalid_minimum");
        assert_eq!(code(check("sex", "")).1, "invalid_minimum");
        assert_eq!(code(check("99999999999999999999", "")).1, "invalid_minimum");
        assert_eq!(code(check("6", "2027-04-01")).1, "decision_after_start");
        assert_eq!(code(check("6", "2027-02-28")).1, "decision_in_past");
        assert_eq!(code(check("6", "1/3")).1, "invalid_date");
        assert_eq!(code(check("", "2027-03-20")).0, "min_participants");
        assert_eq!(
            code(check_minimum(&draft("6", ""), 12, d(TODAY), d(TODAY))).1,
            "session_started"
        );
    }

    #[test]
    fn due_and_under_the_minimum() {
        let m = Minimum {
            min_participants: 6,
            decision_on: d("2027-03-20"),
        };
        assert!(
            !under_minimum_at_decision(m, 2, d("2027-03-19"), false),
            "not yet"
        );
        assert!(under_minimum_at_decision(m, 5, d("2027-03-20"), false));
        assert!(under_minimum_at_decision(m, 0, d("2027-03-25"), false));
        assert!(
            !under_minimum_at_decision(m, 6, d("2027-03-20"), false),
            "enough"
        );
        assert!(
            !under_minimum_at_decision(m, 0, d("2027-03-25"), true),
            "started"
        );
    }
}
