use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn months_are_read_as_yyyy_mm() {
    assert_eq!(parse_month("month", "2026-03").unwrap(), d(2026, 3, 1));
    assert_eq!(parse_month("month", " 2026-12 ").unwrap(), d(2026, 12, 1));
    for bad in ["2026-13", "2026-3", "mars", "", "2026-03-01"] {
        let e = parse_month("month", bad).unwrap_err();
        assert_eq!(e.field, "month", "{bad}");
        assert!(e.message.contains("ÅÅÅÅ-MM"), "{bad}");
    }
    assert_eq!(month_key(d(2026, 3, 1)), "2026-03");
    assert_eq!(month_label_sv(d(2026, 3, 1)), "mars 2026");
    assert_eq!(previous_month(d(2026, 4, 1)), d(2026, 3, 1));
    assert_eq!(previous_month(d(2026, 1, 15)), d(2025, 12, 1));
}

#[test]
fn the_request_says_month_hours_and_sessions() {
    let t = request_text(d(2026, 3, 1), 750, 2, "https://navet.example.se/");
    assert_eq!(
        t.subject,
        "Bekräfta din närvarotid för mars: 7,5 timmar på 2 kurstillfällen"
    );
    assert!(t
        .body
        .contains("https://navet.example.se/mina-narvarotider"));
    assert_eq!(time_phrase(100, 1), "1 timme på 1 kurstillfälle");
    assert_eq!(time_phrase(300, 1), "3 timmar på 1 kurstillfälle");
    let c = corrected_text(d(2026, 3, 1), (750, 2), (450, 1), "");
    assert!(
        c.body.contains("under Närvarotid när du loggat in"),
        "{}",
        c.body
    );
    assert!(
        c.body.contains("7,5 timmar på 2 kurstillfällen"),
        "{}",
        c.body
    );
    assert!(
        c.body.contains("4,5 timmar på 1 kurstillfälle"),
        "{}",
        c.body
    );
}

#[test]
fn only_an_ended_month_with_time_is_attested() {
    let march = d(2026, 3, 1);
    assert!(may_attest(march, d(2026, 4, 1), 300).is_ok());
    let e = may_attest(march, d(2026, 3, 31), 300).unwrap_err();
    assert_eq!((e.field.as_str(), e.code), ("month", "month_not_ended"));
    let e = may_attest(march, d(2026, 4, 2), 0).unwrap_err();
    assert_eq!(e.code, "no_attended_time");
    assert!(e.message.contains("mars 2026"), "{}", e.message);
}

#[test]
fn a_future_month_is_not_exported() {
    let e = may_export(d(2026, 5, 1), d(2026, 4, 10)).unwrap_err();
    assert_eq!((e.field.as_str(), e.code), ("month", "future_month"));
    assert!(e.message.contains("framtiden"));
    assert_eq!(
        may_export(d(2026, 4, 1), d(2026, 4, 10)).unwrap_err().code,
        "month_not_ended"
    );
    assert!(may_export(d(2026, 3, 1), d(2026, 4, 1)).is_ok());
}

#[test]
fn methods_and_statuses_round_trip() {
    for m in [
        Method::Password,
        Method::Oidc,
        Method::ApiToken,
        Method::Paper,
    ] {
        assert_eq!(Method::parse(m.code()), Some(m));
    }
    assert_eq!(Method::Paper.file_code(), "papper");
    assert_eq!(Method::Oidc.file_code(), "digital");
    for s in [Status::Pending, Status::Attested, Status::Superseded] {
        assert_eq!(Status::parse(s.code()), s);
    }
}
