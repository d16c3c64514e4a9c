#![no_main]
use libfuzzer_sys::fuzz_target;
use navet_domain::participation_import::{parse, Lookups};
use navet_domain::tabular::Stop;

fuzz_target!(|data: &[u8]| {
    let lk = Lookups {
        roles: navet_domain::role_titles::TitleMap::new([(1, "Undersköterska")], &[]),
        municipalities: [("örebro".to_string(), 1)].into(),
        courses: [("hlr".to_string(), 1)].into(),
        create_courses: data.first().is_some_and(|b| b & 1 == 1),
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    };
    let _ = parse(data, &lk, &Stop::never());
});
