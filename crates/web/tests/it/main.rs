//! The integration tests of this crate, as one test binary: linking
//! one binary instead of one per file is most of the build time saved.
//! Each module is one former `tests/<name>.rs`; run one with
//! `cargo test --test it <name>::`.

#[path = "../common/mod.rs"]
mod common;

mod account_list;
mod api_foundation;
mod api_reports;
mod api_routes;
mod attestation;
mod booking_api;
mod cofinancing;
mod competence_api;
mod competence_refusals;
mod costs_api;
mod day_lists;
mod flows_pages;
mod funding_sources;
mod imports;
mod invitations;
mod links;
mod oidc_refusals;
mod pages_auth;
mod pages_cover;
mod pages_english;
mod pages_reports;
mod pages_security;
mod people_scale;
mod plain_errors;
mod planning_api;
mod planning_term;
mod privacy_erasure;
mod register_extract;
mod second_factor;
mod security_holes;
mod session_pages;
mod staff_import;
mod start_pages;
mod supervision;
mod tokens_audit;
mod usecase_access;
mod usecase_routes;
