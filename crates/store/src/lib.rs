//! Persistence for Navet: one code path for SQLite (the embedded default)
//! and PostgreSQL, chosen from the database URL at run time.
//!
//! SQL lives here and nowhere else. Queries use `$1`-style placeholders,
//! which both engines accept, and only portable column types (BIGINT,
//! TEXT, DOUBLE PRECISION); see `migrations/0001_foundation.sql`.

pub mod access_review;
pub mod account_list;
pub mod accounts;
pub mod attendance;
mod attendance_versions;
pub mod attestation;
pub mod audit;
pub mod audit_prune;
pub mod backup;
pub mod bookings;
pub mod catalogue;
pub mod cofinancing;
pub mod completions;
pub mod costs;
pub mod cover;
mod db;
pub mod demo;
pub mod distances;
pub mod education;
pub mod erasure;
pub mod error;
pub mod esf_export;
mod fact_cache;
#[cfg(any(test, feature = "test-hooks"))]
pub mod faults;
pub mod funding;
pub mod funding_sources;
pub mod gaps;
pub mod history_import;
pub mod import_history;
pub mod imports;
pub mod invitations;
pub mod leaving;
pub mod legal_holds;
pub mod login_throttle;
pub mod migrate;
pub mod national_data;
pub mod needs;
pub mod offload;
pub mod org;
pub mod outbox;
pub mod packages;
mod paging;
pub mod participation_trail;
pub mod participations;
pub mod password_resets;
pub mod people;
pub mod planning;
pub mod register_extract;
pub mod reports;
pub mod requirements;
pub mod retention;
pub mod role_mappings;
pub mod second_factor;
pub mod seed;
pub mod session_edit;
pub mod session_rows;
mod session_views;
pub mod sessions;
pub mod sign_in;
pub mod staff_import;
pub mod start_page;
pub mod supervise;
pub mod surveys;
pub mod teaching;
/// Test databases and fixtures: only in test builds (the `testing`
/// feature, which the crates' dev-dependencies turn on).
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod time;
pub mod tracks;
pub mod trainers;
pub mod unit_overview;

pub use db::{Db, Engine, Options as DbOptions, Tx};
pub use error::{StoreError, StoreResult};

/// A named point where tests can inject a panic (see `faults`, present only
/// with `cfg(test)` or the `test-hooks` feature); compiles to nothing in a
/// normal build.
#[cfg(any(test, feature = "test-hooks"))]
#[macro_export]
macro_rules! fault_point {
    ($db:expr, $name:expr) => {
        $crate::faults::hit($db, $name)
    };
}

/// A named point where tests can inject a panic (see `faults`, present only
/// with `cfg(test)` or the `test-hooks` feature); compiles to nothing in a
/// normal build.
#[cfg(not(any(test, feature = "test-hooks")))]
#[macro_export]
macro_rules! fault_point {
    ($db:expr, $name:expr) => {
        ()
    };
}
