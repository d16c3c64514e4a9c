//! Cover for sessions a trainer cannot lead (sick leave, other absence) or
//! that lack trainers: which sessions need someone, and who could step in,
//! best first. Who may lead at all is rule 3 ([`check_trainer`]).

use chrono::NaiveDate;

use crate::collation::sort_swedish_by;
use crate::errors::FieldErrors;
use crate::sessions::{check_trainer, Interval};

/// Days either side of a session within which a trainer's other sessions
/// count as their current workload.
pub const LOAD_WINDOW_DAYS: i64 = 30;

/// An absence is at most this long; a longer one is registered again after.
pub const MAX_ABSENCE_DAYS: i64 = 366;

/// An absence's first and last day (both included): the last not before
/// the first, and at most [`MAX_ABSENCE_DAYS`] apart.
pub fn check_span(from: NaiveDate, to: NaiveDate) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if to < from {
        e.add(
            "ends_on",
            "before_start",
            "Sista dagen kan inte vara före första dagen.",
        );
    } else if (to - from).num_days() > MAX_ABSENCE_DAYS {
        e.add(
            "ends_on",
            "too_long",
            "En frånvaro kan vara högst ett år; lägg in en ny efter det.",
        );
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(e)
    }
}

/// An absence as typed (`YYYY-MM-DD`), checked: both days, then the span.
pub fn check_absence(
    starts_on: &str,
    ends_on: &str,
) -> Result<(NaiveDate, NaiveDate), FieldErrors> {
    let mut e = FieldErrors::new();
    let day = |e: &mut FieldErrors, field: &str, code: &'static str, label: &str, v: &str| {
        let d = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
        if d.is_none() {
            e.add(
                field,
                code,
                format!("{label}: ange ett datum som 2026-03-14."),
            );
        }
        d
    };
    let from = day(
        &mut e,
        "starts_on",
        "invalid_first_day",
        "Första dagen",
        starts_on,
    );
    let to = day(
        &mut e,
        "ends_on",
        "invalid_last_day",
        "Sista dagen",
        ends_on,
    );
    match (from, to) {
        (Some(from), Some(to)) => check_span(from, to).map(|()| (from, to)),
        _ => Err(e),
    }
}

/// A trainer as the cover decision needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainerFacts {
    pub person_id: i64,
    pub name: String,
    pub home_municipality_id: i64,
    pub active: bool,
    /// Courses the trainer may lead.
    pub courses: Vec<i64>,
    /// Live sessions the trainer leads, with their parts.
    pub sessions: Vec<(i64, Vec<Interval>)>,
    /// Periods registered as away.
    pub absences: Vec<Interval>,
}

/// The session that needs cover.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionFacts {
    pub session_id: i64,
    pub course_id: i64,
    pub municipality_id: i64,
    pub parts: Vec<Interval>,
    /// Trainers the course wants per session.
    pub trainers_wanted: i64,
    /// Trainers assigned now.
    pub assigned: Vec<i64>,
}

/// What a session lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// Assigned trainers who are away when the session is held.
    pub absent: Vec<i64>,
    /// Trainers still to find: those away plus any never assigned.
    pub missing: i64,
}

/// Someone who could step in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    pub person_id: i64,
    pub name: String,
    /// Lives in the municipality the session is held in (no travel).
    pub local: bool,
    /// Other sessions within [`LOAD_WINDOW_DAYS`] of this one.
    pub load: usize,
}

/// Which assigned trainers are away, and how many trainers are missing.
/// None when the session is fully staffed.
pub fn need(session: &SessionFacts, trainers: &[TrainerFacts]) -> Option<Need> {
    let absent: Vec<i64> = session
        .assigned
        .iter()
        .copied()
        .filter(|id| {
            trainers
                .iter()
                .find(|t| t.person_id == *id)
                .is_some_and(|t| crate::sessions::overlaps(&session.parts, &t.absences))
        })
        .collect();
    let present = session.assigned.len() as i64 - absent.len() as i64;
    let missing = (session.trainers_wanted.max(1) - present).max(0);
    (missing > 0 || !absent.is_empty()).then_some(Need { absent, missing })
}

/// Trainers who may lead the session now (rule 3, not away, not already
/// on it): local ones first, then those with the fewest sessions around
/// that time, then by name.
pub fn candidates(session: &SessionFacts, trainers: &[TrainerFacts]) -> Vec<Candidate> {
    let start = session.parts.iter().map(|p| p.starts_at).min().unwrap_or(0);
    let window = LOAD_WINDOW_DAYS * 86_400;
    let mut out: Vec<Candidate> = trainers
        .iter()
        .filter(|t| !session.assigned.contains(&t.person_id))
        // Cheap checks first: at national scale most of the pool is not
        // qualified for the course, and copying each one's sessions to
        // find that out took the cover page minutes.
        .filter(|t| t.active && t.courses.contains(&session.course_id))
        .filter(|t| {
            let others: Vec<(i64, Vec<Interval>)> = t
                .sessions
                .iter()
                .filter(|(id, _)| *id != session.session_id)
                .cloned()
                .collect();
            check_trainer(
                t.active,
                t.courses.contains(&session.course_id),
                &session.parts,
                &others,
                &t.absences,
            )
            .is_ok()
        })
        .map(|t| Candidate {
            person_id: t.person_id,
            name: t.name.clone(),
            local: t.home_municipality_id == session.municipality_id,
            load: t
                .sessions
                .iter()
                .filter(|(id, parts)| {
                    *id != session.session_id
                        && parts.iter().any(|p| (p.starts_at - start).abs() <= window)
                })
                .count(),
        })
        .collect();
    sort_swedish_by(&mut out, |c| &c.name);
    // Stable: keeps the name order within equal locality and load.
    out.sort_by_key(|c| (!c.local, c.load));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn trainer(id: i64, name: &str, home: i64) -> TrainerFacts {
        TrainerFacts {
            person_id: id,
            name: name.into(),
            home_municipality_id: home,
            active: true,
            courses: vec![100],
            sessions: vec![],
            absences: vec![],
        }
    }

    fn session(assigned: Vec<i64>, wanted: i64) -> SessionFacts {
        SessionFacts {
            session_id: 1,
            course_id: 100,
            municipality_id: 10,
            parts: vec![Interval::new(50 * DAY, 50 * DAY + 3 * 3600)],
            trainers_wanted: wanted,
            assigned,
        }
    }

    #[test]
    fn absences_are_checked_field_by_field() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            check_absence(" 2026-03-02", "2026-03-02 "),
            Ok((d("2026-03-02"), d("2026-03-02")))
        );
        let codes = |r: Result<(NaiveDate, NaiveDate), FieldErrors>| {
            r.unwrap_err()
                .0
                .iter()
                .map(|e| (e.field.clone(), e.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(check_absence("2/3", "")),
            [
                ("starts_on".to_string(), "invalid_first_day"),
                ("ends_on".to_string(), "invalid_last_day")
            ]
        );
        assert_eq!(
            codes(check_absence("2026-03-02", "2026-03-01")),
            [("ends_on".to_string(), "before_start")]
        );
        assert_eq!(
            codes(check_absence("2026-01-01", "2027-01-03")),
            [("ends_on".to_string(), "too_long")]
        );
    }

    #[test]
    fn a_sick_trainer_leaves_the_session_short() {
        let mut anna = trainer(1, "Anna", 10);
        let bo = trainer(2, "Bo", 10);
        assert_eq!(
            need(&session(vec![1, 2], 2), &[anna.clone(), bo.clone()]),
            None
        );
        anna.absences = vec![Interval::new(49 * DAY, 52 * DAY)];
        assert_eq!(
            need(&session(vec![1, 2], 2), &[anna.clone(), bo.clone()]),
            Some(Need {
                absent: vec![1],
                missing: 1
            })
        );
        // Never staffed: missing without anyone away; at least one wanted.
        assert_eq!(
            need(&session(vec![], 0), &[]),
            Some(Need {
                absent: vec![],
                missing: 1
            })
        );
        // Away another week: fully staffed.
        anna.absences = vec![Interval::new(40 * DAY, 45 * DAY)];
        assert_eq!(need(&session(vec![1], 1), &[anna]), None);
    }

    #[test]
    fn candidates_are_free_qualified_and_ranked() {
        let s = session(vec![1], 1);
        let away = TrainerFacts {
            absences: vec![Interval::new(50 * DAY, 51 * DAY)],
            ..trainer(2, "Away", 10)
        };
        let unqualified = TrainerFacts {
            courses: vec![999],
            ..trainer(3, "Unqualified", 10)
        };
        let busy_then = TrainerFacts {
            sessions: vec![(7, vec![Interval::new(50 * DAY + 3600, 50 * DAY + 7200)])],
            ..trainer(4, "Busy", 10)
        };
        let inactive = TrainerFacts {
            active: false,
            ..trainer(5, "Inactive", 10)
        };
        let far = trainer(6, "Åke", 20);
        let local_loaded = TrainerFacts {
            sessions: vec![(8, vec![Interval::new(60 * DAY, 60 * DAY + 3600)])],
            ..trainer(7, "Cecilia", 10)
        };
        let local_free = trainer(8, "Örjan", 10);
        let local_free2 = trainer(9, "Doris", 10);
        let all = [
            trainer(1, "Assigned", 10),
            away,
            unqualified,
            busy_then,
            inactive,
            far,
            local_loaded,
            local_free,
            local_free2,
        ];
        let names: Vec<String> = candidates(&s, &all).into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["Doris", "Örjan", "Cecilia", "Åke"]);
    }
}
