//! Every file in `tests/fuzz_regressions/` goes through every reader of
//! uploaded files: none may panic, and each must be answered quickly. The
//! files are inputs kept from `cargo fuzz` runs (docs/security.md): crashes,
//! time-outs and out-of-memory inputs once fixed, and inputs that reached
//! unusual paths (see the README in that folder).

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use navet_domain::tabular::{self, Stop, LIMITS};
use navet_domain::{funding, participation_import, staff_import};

/// The entry points of the fuzz targets in `fuzz/`, on one input.
fn all_readers(bytes: &[u8]) {
    let stop = Stop::never();
    let _ = tabular::read_csv(bytes, &LIMITS, &stop);
    let _ = tabular::read_xlsx(bytes, &LIMITS, &stop);
    for name in ["lista.csv", "lista.xlsx"] {
        if let Ok(t) = tabular::read(bytes, name, &LIMITS, &stop) {
            if let Ok(rows) = staff_import::rows_from_table(&t) {
                let roles: HashMap<String, i64> = [("undersköterska".to_string(), 1)].into();
                let units: HashMap<String, i64> = [("hemtjänsten".to_string(), 1)].into();
                let _ = staff_import::check_rows(&rows, &roles, &units);
            }
        }
    }
    for create_courses in [false, true] {
        let lk = participation_import::Lookups {
            roles: navet_domain::role_titles::TitleMap::new([(1, "Undersköterska")], &[]),
            municipalities: [("örebro".to_string(), 1)].into(),
            courses: [("hlr".to_string(), 1)].into(),
            create_courses,
            today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        };
        let _ = participation_import::parse(bytes, &lk, &stop);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = funding::parse_toml(text, &["Örebro".to_string(), "Nora".to_string()]);
    }
}

#[test]
fn kept_fuzz_inputs_never_panic_and_are_answered_quickly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let t = Instant::now();
        all_readers(&bytes);
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "{} took {:?}",
            path.display(),
            t.elapsed()
        );
    }
}
