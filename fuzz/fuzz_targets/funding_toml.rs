#![no_main]
use libfuzzer_sys::fuzz_target;
use navet_domain::funding::parse_toml;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_toml(text, &["Örebro".to_string(), "Nora".to_string()]);
    }
});
