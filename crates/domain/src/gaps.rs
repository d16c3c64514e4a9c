//! Gap analysis after the Fyrbodal model: what the unit requires minus what
//! each employee has, summed on four levels — person, unit,
//! municipality/activity area, region — with counts and shares, and each gap
//! classified as covered by a catalogue course or not (a need for a new
//! course, or for recruitment).
//!
//! The rules:
//! - a requirement applies to a person when it names their current role and
//!   its scope (region, activity area, unit) contains their current unit;
//! - a course requirement is met by a completion of that course that has not
//!   expired. A completion expires on its `expires_on`, or, when that is not
//!   recorded, `validity_months` after it was completed; from that day on it
//!   is a gap ("förfallen"). Within `expiring_within_days` before that day it
//!   is still met but shown as expiring;
//! - an area requirement is met by an unexpired completion of any course in
//!   the area (or one of its sub-areas) at the required level or higher;
//! - an education requirement is met by a registered education that
//!   satisfies it (see `education`);
//! - a gap is *planned* when the person holds a booking on an upcoming
//!   session of a course that would close it (a place on the waiting list is
//!   reported, but is not a plan);
//! - completions stay with the person: moving units changes which
//!   requirements apply, never what the person has done;
//! - a requirement whose course has been retired still applies (the unit
//!   still needs the competence) and earlier completions still count, but no
//!   course in the catalogue covers the gap any more: it becomes a need for a
//!   new course.
//!
//! Split by what it holds: the facts the analysis reads (`facts`), the
//! rules that check one person (`rules`), the sums on the four levels
//! (`tally`) and the year wheel of renewals (`wheel`).

mod facts;
mod rules;
mod tally;
mod wheel;

pub use facts::{parse_iso_date, Catalogue, CourseFacts, Holding, PersonFacts, PersonRecord, Plan};
pub use rules::{coverage, Check, CheckState, Coverage, CoverageClass, Options, RuleSet};
pub use tally::{analyse, Analysis, GroupSummary, RequirementTally, Tally};
pub use wheel::{year_wheel, WheelEntry, WheelMonth, YearWheel};

#[cfg(test)]
mod tests;
