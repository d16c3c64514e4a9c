//! Navet's pure rules: no I/O, no SQL, no HTTP.
//!
//! Every rule a reader looks for lives here under its own name:
//! who may do what (`access`), how people and organisations are
//! described (`org`, `people`), how a staff list from an HR system is
//! compared with what Navet already holds (`staff_import`), what the hub
//! costs and who pays what (`costs`) and how Swedish text sorts
//! (`collation`).

#[macro_use]
pub mod vocab;

pub mod access;
pub mod attestation;
pub mod booking;
pub mod calendar;
pub mod catalogue;
pub mod certificates;
pub mod cofinancing;
pub mod collation;
pub mod costs;
pub mod cover;
pub mod distances;
pub mod education;
pub mod erasure;
pub mod errors;
pub mod fields;
pub mod funding;
pub mod gaps;
pub mod ical;
pub mod ids;
pub mod indicators;
pub mod invitations;
pub mod login_limits;
pub mod notices;
pub mod org;
pub mod packages;
pub mod paging;
pub mod participation_import;
pub mod passwords;
pub mod people;
pub mod planning;
pub mod processing;
pub mod redirect;
pub mod register_extract;
pub mod requirements;
pub mod retention;
pub mod role_titles;
pub mod second_factor;
pub mod sessions;
pub mod sign_in;
pub mod spreadsheet;
pub mod staff_import;
pub mod surveys;
pub mod tabular;
pub mod targets;
pub mod text;
pub mod tokens;
pub mod tracks;
pub mod waitlist;

pub use errors::{FieldError, FieldErrors};
