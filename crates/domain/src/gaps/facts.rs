//! What the analysis reads: the catalogue's courses and each person's
//! placement, completions, educations and bookings.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::catalogue::{CourseStatus, Level};
use crate::education::Education;
use crate::requirements::{level_rank, Placement, RequirementTarget};

/// `YYYY-MM-DD` without the general-purpose parser (this runs millions of
/// times in a region-wide analysis).
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, c| {
            if c.is_ascii_digit() {
                Some(acc * 10 + u32::from(c - b'0'))
            } else {
                None
            }
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// A course as the analysis needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseFacts {
    pub id: i64,
    pub status: CourseStatus,
    pub level: Level,
    pub validity_months: Option<u32>,
    /// The competence areas the course is tagged with.
    pub areas: Vec<i64>,
}

/// The catalogue, with each course's areas widened to their parent areas.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    courses: HashMap<i64, CourseFacts>,
}

impl Catalogue {
    /// `area_parent` maps a sub-area to its parent area.
    pub fn new(courses: Vec<CourseFacts>, area_parent: &HashMap<i64, i64>) -> Catalogue {
        let courses = courses
            .into_iter()
            .map(|mut c| {
                let mut all = c.areas.clone();
                for a in &c.areas {
                    let mut cur = *a;
                    // Bounded walk: a malformed taxonomy cannot loop forever.
                    for _ in 0..16 {
                        match area_parent.get(&cur) {
                            Some(p) if !all.contains(p) => {
                                all.push(*p);
                                cur = *p;
                            }
                            _ => break,
                        }
                    }
                }
                c.areas = all;
                (c.id, c)
            })
            .collect();
        Catalogue { courses }
    }

    pub fn get(&self, id: i64) -> Option<&CourseFacts> {
        self.courses.get(&id)
    }

    pub fn courses(&self) -> impl Iterator<Item = &CourseFacts> {
        self.courses.values()
    }

    /// The day a holding stops counting, if it ever does.
    pub fn expiry(&self, h: &Holding) -> Option<NaiveDate> {
        h.expires_on.or_else(|| {
            let months = self.get(h.course_id)?.validity_months?;
            h.completed_on.checked_add_months(Months::new(months))
        })
    }

    /// Does completing `course_id` give the area at the level (or higher)?
    pub fn gives_area(&self, course_id: i64, area_id: i64, level: Level) -> bool {
        self.get(course_id)
            .is_some_and(|c| level_rank(c.level) >= level_rank(level) && c.areas.contains(&area_id))
    }

    /// Would completing `course_id` meet the requirement?
    pub fn closes(&self, course_id: i64, target: &RequirementTarget) -> bool {
        match *target {
            RequirementTarget::Course { course_id: c } => c == course_id,
            RequirementTarget::Area { area_id, level } => {
                self.gives_area(course_id, area_id, level)
            }
            RequirementTarget::Education { .. } => false,
        }
    }

    /// Is the requirement renewed periodically (its course has a validity)?
    pub fn is_recurring(&self, target: &RequirementTarget) -> bool {
        match *target {
            RequirementTarget::Course { course_id } => self
                .get(course_id)
                .is_some_and(|c| c.validity_months.is_some()),
            _ => false,
        }
    }
}

/// A person's latest completion of a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding {
    pub course_id: i64,
    pub completed_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

/// A live booking on an upcoming session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub course_id: i64,
    pub session_id: i64,
    pub starts_on: NaiveDate,
    pub waitlisted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonFacts {
    pub person_id: i64,
    pub municipality_id: i64,
    pub placement: Placement,
}

/// Everything the analysis knows about one person.
#[derive(Debug, Clone, Copy)]
pub struct PersonRecord<'a> {
    pub facts: PersonFacts,
    pub holdings: &'a [Holding],
    pub educations: &'a [Education],
    pub plans: &'a [Plan],
}
