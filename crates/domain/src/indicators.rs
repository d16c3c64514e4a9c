//! The funder's indicators (DESIGN.md rule 4):
//!
//! - a **unique participant** is a person with at least one attended
//!   session in the period; gender shares are computed on unique people;
//! - a **participation** is one attended session;
//! - **participant hours** (deltagartimmar) are the session's hours for each
//!   attended session, summed over the participants (absences add nothing):
//!   ten people on a three-hour session are 30 participant hours. This is
//!   what the funder's target, the commitments and the cost model's actual
//!   use count. The JSON field `course_hours` is the same figure under its
//!   old name, kept for existing readers;
//! - **course hours delivered** (genomförda kurstimmar) are the hours of the
//!   sessions held, each session once: that session is 3 course hours;
//! - a municipality's **commitment** is the programme's target hours split
//!   by its share of employees, and **achieved** is its participant hours
//!   from the programme's start up to the end of the period.
//!
//! The store aggregates in SQL into [`Aggregates`]; [`assemble`] turns them
//! into the report. [`aggregate`] does the same aggregation from raw rows
//! and is the reference the SQL is tested against.
//!
//! Split by what it holds: the period (`period`), the report and its rows
//! (`report`), the aggregates (`aggregates`) and the computation from
//! aggregates to report (`assemble`).

mod aggregates;
mod assemble;
mod period;
mod report;

pub use aggregates::{aggregate, Aggregates, Counts, Participation, SessionFact};
pub use assemble::assemble;
pub use period::{check_period, Period, MAX_PERIOD_YEARS};
pub use report::{
    ByGender, CancelReason, CourseRow, GenderShares, IndicatorReport, MunicipalityRow,
    ProgrammeInfo, RoleGroupRow, Sessions, UniqueParticipants,
};

#[cfg(test)]
mod tests;
