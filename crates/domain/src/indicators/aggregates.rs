//! The aggregates: what the store computes, and the reference aggregation
//! from raw rows that the SQL is tested against.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::period::Period;
use crate::org::Gender;

/// Unique people, participations and hours for one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub unique: i64,
    pub participations: i64,
    pub hours: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregates {
    pub total: Counts,
    pub by_gender: BTreeMap<Gender, Counts>,
    pub by_role_group: BTreeMap<String, Counts>,
    pub by_municipality: BTreeMap<String, Counts>,
    pub by_course: BTreeMap<String, Counts>,
    pub sessions_held: i64,
    /// Hours of the sessions held, each once (course hours delivered).
    pub delivered_hours: f64,
    /// reason → number of cancelled sessions
    pub cancelled: BTreeMap<String, i64>,
    /// Attended hours per municipality from the programme's start to `to`.
    pub programme_hours: BTreeMap<String, f64>,
}

/// One booking as the reference aggregation sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Participation {
    pub person_id: i64,
    pub gender: Gender,
    pub role_group: String,
    pub municipality: String,
    pub course: String,
    pub session_id: i64,
    pub date: NaiveDate,
    pub hours: f64,
    pub attended: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionFact {
    pub date: NaiveDate,
    /// The session's length in hours.
    pub hours: f64,
    pub held: bool,
    pub cancelled: bool,
    pub cancel_reason: String,
}

/// The reference aggregation from raw rows (rule 4, written plainly).
pub fn aggregate(
    period: Period,
    programme_start: Option<NaiveDate>,
    rows: &[Participation],
    sessions: &[SessionFact],
) -> Aggregates {
    let in_period = |d: NaiveDate| d >= period.from && d <= period.to;
    let mut a = Aggregates::default();
    let mut people: HashSet<i64> = HashSet::new();
    let mut seen: HashMap<(u8, String), HashSet<i64>> = HashMap::new();
    fn add(c: &mut Counts, new_person: bool, hours: f64) {
        c.participations += 1;
        c.hours += hours;
        if new_person {
            c.unique += 1;
        }
    }
    for r in rows.iter().filter(|r| r.attended) {
        if let Some(start) = programme_start {
            if r.date >= start && r.date <= period.to {
                *a.programme_hours.entry(r.municipality.clone()).or_default() += r.hours;
            }
        }
        if !in_period(r.date) {
            continue;
        }
        let first = people.insert(r.person_id);
        add(&mut a.total, first, r.hours);
        add(a.by_gender.entry(r.gender).or_default(), first, r.hours);
        add(
            a.by_role_group.entry(r.role_group.clone()).or_default(),
            first,
            r.hours,
        );
        add(
            a.by_municipality.entry(r.municipality.clone()).or_default(),
            first,
            r.hours,
        );
        let first_in_course = seen
            .entry((4, r.course.clone()))
            .or_default()
            .insert(r.person_id);
        add(
            a.by_course.entry(r.course.clone()).or_default(),
            first_in_course,
            r.hours,
        );
    }
    for s in sessions.iter().filter(|s| in_period(s.date)) {
        if s.cancelled {
            *a.cancelled.entry(s.cancel_reason.clone()).or_default() += 1;
        } else if s.held {
            a.sessions_held += 1;
            a.delivered_hours += s.hours;
        }
    }
    a
}
