//! No page loads a whole table by accident. Every store function that runs
//! a `fetch_all` query without a `LIMIT` must be named here with why its
//! result is bounded (one person's, one session's or one unit's rows;
//! reference data of tens of rows; a catalogue of hundreds; a batch job or
//! CLI command rather than a page). A new unbounded list fails this test
//! until it gets a `LIMIT` (see `people::page` for keyset pagination) or a
//! reason here. The web crate may call the few filter-bounded lists (such as
//! `people::list`) only from the places named in `WEB_CALLS`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `file::function` (path under `crates/store/src`) and why it is bounded.
const BOUNDED: &[(&str, &str)] = &[
    // Start pages and the trainer's own pages.
    (
        "start_page/coordinator.rs::glance",
        "sessions in the next 14 days with a trainer away",
    ),
    (
        "teaching.rs::between",
        "one trainer's sessions in a two-week window",
    ),
    ("teaching.rs::calendar", "one trainer's coming sessions"),
    // Privacy: one person's rows, the schema, the funding programmes.
    (
        "legal_holds.rs::active",
        "the legal holds (one per programme at most)",
    ),
    (
        "legal_holds.rs::list",
        "the legal holds (a handful per programme)",
    ),
    (
        "legal_holds.rs::lock_programmes",
        "the funding programmes (a handful)",
    ),
    (
        "legal_holds.rs::programmes",
        "the funding programmes (a handful)",
    ),
    (
        "register_extract.rs::person_references",
        "the schema's columns",
    ),
    // One account, person, session, course, unit, trainer or track.
    ("accounts.rs::scope", "one account's scopes"),
    ("attendance.rs::trainer_ids", "one session's trainers"),
    (
        "attestation/views.rs::remind",
        "one month's people still waiting, picked and marked in one statement (a confirmed batch action)",
    ),
    ("attendance.rs::attendees", "one session's bookings"),
    ("attendance.rs::mark_all_present", "one session's bookings"),
    (
        "attendance.rs::issue_completions",
        "one session's attendees",
    ),
    (
        "bookings/calendar.rs::person_calendar",
        "one person's bookings",
    ),
    (
        "bookings/holds.rs::holds_for_session",
        "one session's holds",
    ),
    (
        "bookings/holds.rs::holds_for_units",
        "a manager's units' reservations",
    ),
    (
        "bookings/holds.rs::offers_for_person",
        "one person's offers",
    ),
    ("bookings/people.rs::has_overlap", "one person's bookings"),
    (
        "bookings/people.rs::known_people_chunk",
        "one chunk of given ids",
    ),
    ("bookings/views.rs::get", "one booking"),
    ("bookings/views.rs::for_person", "one person's bookings"),
    ("bookings/views.rs::for_session", "one session's bookings"),
    (
        "bookings/views.rs::for_units",
        "a manager's units' upcoming bookings",
    ),
    ("catalogue.rs::links", "one course's roles and areas"),
    ("catalogue.rs::names_of", "one course's roles and areas"),
    ("completions.rs::for_person", "one person's certificates"),
    ("completions.rs::for_session", "one session's certificates"),
    ("completions.rs::for_unit", "one unit's certificates"),
    ("cover.rs::absences_of", "one trainer's absences"),
    ("education.rs::for_person", "one person's education"),
    ("invitations.rs::load", "given ids, in chunks"),
    ("needs.rs::links", "one need's links"),
    ("session_edit.rs::edit", "one session"),
    ("session_edit.rs::bookings_with", "one session's bookings"),
    (
        "session_edit.rs::replace_trainers",
        "one session's trainers",
    ),
    ("session_rows.rs::parts", "given sessions' parts"),
    ("sessions.rs::quotas", "one session's quotas"),
    ("sessions.rs::active_holds", "one session's holds"),
    ("sessions.rs::occupancy", "given sessions' counts"),
    (
        "cofinancing.rs::hours_groups_for",
        "per month, one row per municipality, category and distinct hours",
    ),
    (
        "costs.rs::actual_use",
        "one row per municipality",
    ),
    (
        "attendance_versions.rs::month_versions",
        "one row per month of the period asked for",
    ),
    (
        "session_views.rs::facts",
        "the facts of the sessions of one list page, at most 500 ids a query",
    ),
    ("tracks.rs::get", "one track"),
    ("tracks.rs::person_progress", "one person"),
    ("tracks.rs::holdings_of", "one person"),
    ("trainers.rs::trainer_sessions", "one trainer's sessions"),
    ("trainers.rs::of_session", "one session's trainers"),
    ("trainers.rs::absence_intervals", "one trainer's absences"),
    ("unit_overview.rs::load", "one unit"),
    (
        "people.rs::list",
        "bounded by its filter; pages use people::page (see WEB_CALLS)",
    ),
    // Reference data: tens of rows, or a catalogue of hundreds.
    ("org.rs::municipalities", "reference data"),
    ("org.rs::units", "units of the county"),
    ("org.rs::roles", "reference data"),
    ("org.rs::competence_areas", "reference data"),
    ("role_mappings.rs::list", "HR title mappings, tens"),
    ("role_mappings.rs::title_map", "HR title mappings, tens"),
    ("audit.rs::distinct_actions", "action names, tens"),
    ("accounts.rs::list_tokens", "API tokens, few"),
    ("catalogue.rs::list", "the course catalogue, hundreds"),
    ("catalogue.rs::search", "the course catalogue, hundreds"),
    (
        "catalogue.rs::course_titles",
        "the course catalogue, hundreds",
    ),
    ("costs.rs::lines", "one scenario's cost lines"),
    (
        "costs.rs::attach_municipalities",
        "cost lines' municipalities",
    ),
    ("costs.rs::scenarios", "cost scenarios, few"),
    ("gaps/mod.rs::columns", "requirement columns, tens"),
    ("gaps/mod.rs::catalogue", "the course catalogue"),
    ("needs.rs::list", "competence needs, tens"),
    ("needs.rs::check_courses", "the course catalogue"),
    ("needs.rs::load_seed", "seed file rows"),
    ("packages.rs::list", "course packages, tens"),
    ("packages.rs::check", "roles and courses"),
    ("packages.rs::fitting", "course packages, tens"),
    ("requirements.rs::list", "requirements, tens"),
    ("requirements.rs::lookups", "roles, units and courses"),
    ("surveys.rs::questions", "survey questions, tens"),
    ("surveys.rs::counts", "aggregates per period"),
    ("surveys.rs::term_cells", "aggregates per term"),
    ("surveys.rs::results_by_course", "aggregates per course"),
    ("tracks.rs::all_with_items", "competence tracks, tens"),
    ("tracks.rs::check", "roles and courses"),
    ("tracks.rs::prerequisite_edges", "prerequisites, tens"),
    ("tracks.rs::prerequisites", "prerequisites, tens"),
    ("tracks.rs::add_prerequisite", "prerequisites, tens"),
    ("trainers.rs::load", "the trainer pool, hundreds"),
    ("org.rs::units_in", "the units of one actor's scope"),
    ("cover.rs::absent_trainers", "the trainer pool"),
    ("cover.rs::trainer_facts", "the trainer pool"),
    (
        "planning/availability.rs::warnings_for",
        "the sessions held in the one to three weeks of one session",
    ),
    (
        "cover.rs::needing_cover",
        "upcoming sessions without a trainer",
    ),
    ("sessions.rs::municipality_names", "reference data"),
    ("sessions.rs::upcoming_counts", "aggregates per course"),
    (
        "gaps/offers.rs::next_sessions",
        "upcoming sessions of given courses",
    ),
    ("gaps/mod.rs::load", "a manager's scope (the gap report)"),
    (
        "gaps/report.rs::report",
        "a manager's scope (the gap report)",
    ),
    ("reports.rs::union_all", "aggregates"),
    ("reports.rs::aggregates_for", "aggregates"),
    (
        "completions.rs::refresher_sessions",
        "upcoming sessions of given courses",
    ),
    // Batch jobs and commands, not pages.
    ("backup.rs::sqlite", "backup command"),
    ("bookings/cancel.rs::sweep", "background sweep"),
    (
        "bookings/decide.rs::write_chunk",
        "one chunk of a booking batch",
    ),
    ("bookings/decide.rs::settle", "one booking batch"),
    ("completions.rs::fill_missing_codes", "start-up repair"),
    ("history_import.rs::lookups", "import command"),
    ("history_import.rs::import", "import command"),
    ("import_history.rs::people", "one import's people"),
    ("import_history.rs::undo", "one import's changes"),
    ("leaving.rs::person_left_rows", "one person's rows"),
    ("migrate.rs::apply_all", "migrations"),
    ("national_data/mod.rs::generate", "benchmark data generator"),
    (
        "participations.rs::export",
        "export command, streamed to a file",
    ),
    (
        "staff_import.rs::municipality_staff",
        "one municipality's staff list import",
    ),
    ("surveys.rs::invite_after_close", "background job"),
    ("surveys.rs::send_due", "background job"),
    ("surveys.rs::invitation_where", "background job"),
];

/// Lists bounded only by their filter: which web files may call them, and why.
const WEB_CALLS: &[(&str, &str, &str)] = &[(
    "people::list(",
    "usecase/tracks.rs",
    "a manager's staff on a track, one unit's staff",
)];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source before its `#[cfg(test)]` module, without line comments.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.trim_start().starts_with("//") {
            true => "",
            false => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each function (by name) with its body: the text up to the next `fn `.
fn functions(code: &str) -> Vec<(String, String)> {
    let starts: Vec<(usize, String)> = code
        .match_indices("fn ")
        .filter(|(i, _)| *i == 0 || !code.as_bytes()[i - 1].is_ascii_alphanumeric())
        .filter_map(|(i, _)| {
            let name: String = code[i + 3..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some((i, name))
        })
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(k, (i, name))| {
            let end = starts.get(k + 1).map(|s| s.0).unwrap_or(code.len());
            (name.clone(), code[*i..end].to_string())
        })
        .collect()
}

/// `file::function` of every store function with a `fetch_all` and no `LIMIT`.
fn unbounded_in_store() -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    let mut out = BTreeSet::new();
    for f in files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // Demo data and test helpers are not used by pages.
        if rel.starts_with("demo/") || rel == "testing.rs" {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&f).unwrap());
        for (name, body) in functions(&code) {
            if body.contains("fetch_all") && !body.contains("LIMIT") {
                out.insert(format!("{rel}::{name}"));
            }
        }
    }
    out
}

#[test]
fn every_list_without_limit_is_named_with_a_reason() {
    let found = unbounded_in_store();
    let named: BTreeSet<String> = BOUNDED.iter().map(|(f, _)| f.to_string()).collect();
    let new: Vec<&String> = found.difference(&named).collect();
    assert!(
        new.is_empty(),
        "store functions that fetch all rows without a LIMIT: {new:?}. \
         Page them (LIMIT, keyset on an indexed order, see people::page) or, \
         when bounded by design, add them to BOUNDED in this test with the reason"
    );
    let stale: Vec<&String> = named.difference(&found).collect();
    assert!(
        stale.is_empty(),
        "named in this test but no longer unbounded (or gone): {stale:?}; remove them"
    );
    for (f, why) in BOUNDED.iter() {
        assert!(!why.trim().is_empty(), "{f} needs a reason");
    }
}

#[test]
fn web_calls_filter_bounded_lists_only_where_named() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut files = vec![];
    rust_files(&web, &mut files);
    let functions: BTreeSet<&str> = WEB_CALLS.iter().map(|(f, _, _)| *f).collect();
    let mut bad = vec![];
    for f in files {
        let rel = f
            .strip_prefix(&web)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let code = code_of(&std::fs::read_to_string(&f).unwrap());
        for func in &functions {
            if code.contains(func)
                && !WEB_CALLS
                    .iter()
                    .any(|(g, file, _)| g == func && *file == rel.as_str())
            {
                bad.push(format!("{rel} calls {func}…)"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "web code lists without a bound: {bad:?}; use the paged function \
         (people::page, people::count) or name the call in WEB_CALLS with the reason"
    );
}

#[test]
fn the_lint_sees_a_list_without_limit() {
    // The scanner itself: a fetch_all without LIMIT is found, with one not.
    let code = code_of(
        "pub async fn all(db: &Db) { sqlx::query(\"SELECT * FROM people\").fetch_all(db).await }\n\
         pub async fn some(db: &Db) { sqlx::query(\"SELECT * FROM people LIMIT 10\").fetch_all(db).await }\n\
         #[cfg(test)]\nmod tests { fn t() { x.fetch_all(db) } }",
    );
    let flagged: Vec<String> = functions(&code)
        .into_iter()
        .filter(|(_, b)| b.contains("fetch_all") && !b.contains("LIMIT"))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(flagged, ["all"]);
}
