#![no_main]
use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use navet_domain::staff_import::{check_rows, rows_from_table};
use navet_domain::tabular::{read, Stop, LIMITS};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the format, as the file name would.
    let (name, body) = match data.split_first() {
        Some((b, rest)) if b & 1 == 1 => ("lista.xlsx", rest),
        Some((_, rest)) => ("lista.csv", rest),
        None => return,
    };
    if let Ok(table) = read(body, name, &LIMITS, &Stop::never()) {
        if let Ok(rows) = rows_from_table(&table) {
            let roles: HashMap<String, i64> = [("undersköterska".to_string(), 1)].into();
            let units: HashMap<String, i64> = [("hemtjänsten".to_string(), 1)].into();
            let _ = check_rows(&rows, &roles, &units);
        }
    }
});
