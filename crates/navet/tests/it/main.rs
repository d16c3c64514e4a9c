//! The integration tests of this crate, as one test binary: linking
//! one binary instead of one per file is most of the build time saved.
//! Each module is one former `tests/<name>.rs`; run one with
//! `cargo test --test it <name>::`.

mod config_cli;
mod esf_month_cli;
mod import_cli;
mod migrations_cli;
mod privacy_cli;
mod report_export_backup_cli;
mod token_audit_cli;
mod user_cli;
