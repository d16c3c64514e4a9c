//! The integration tests of this crate, as one test binary: linking
//! one binary instead of one per file is most of the build time saved.
//! Each module is one former `tests/<name>.rs`; run one with
//! `cargo test --test it <name>::`.

mod account_list;
mod attestation;
mod audit_scale;
mod booking;
mod bounded_lists;
mod cofinancing;
mod costs;
mod erasure;
mod erasure_pg_files;
mod file_sizes;
mod flows;
mod foundation;
mod funding_sources;
mod gaps;
mod gaps_bench;
mod invitations;
mod module_graph;
mod named_columns;
mod national_data;
mod participation_export;
mod planning_bus_factor;
mod planning_go_no_go;
mod planning_requests;
mod planning_term;
mod register_extract;
mod reports;
mod retention_audit;
mod second_factor;
mod session_pages;
mod sign_in;
mod staff_imports;
mod stored_codes;
mod survey_anonymity;
mod swedish_search;
mod tokens_audit;
