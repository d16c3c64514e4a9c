#![no_main]
use libfuzzer_sys::fuzz_target;
use navet_domain::tabular::{read_csv, Stop, LIMITS};

fuzz_target!(|data: &[u8]| {
    let _ = read_csv(data, &LIMITS, &Stop::never());
});
