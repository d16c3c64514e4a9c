use super::*;
use crate::planning::term::Term;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn vt27() -> Term {
    Term::parse("VT 2027").unwrap()
}

fn draft(weeks: &[&str], days: &[&str], max: &str) -> AvailabilityDraft {
    AvailabilityDraft {
        weeks: weeks.iter().map(|s| s.to_string()).collect(),
        weekdays: days.iter().map(|s| s.to_string()).collect(),
        max_per_week: max.into(),
        note: String::new(),
    }
}

fn codes(r: Result<Availability, FieldErrors>) -> Vec<(String, &'static str)> {
    r.unwrap_err()
        .0
        .iter()
        .map(|e| (e.field.clone(), e.code))
        .collect()
}

/// Well before the term.
const BEFORE: &str = "2026-12-01";

#[test]
fn weeks_as_numbers_ranges_and_iso_weeks() {
    let a = check_availability(
        vt27(),
        &draft(
            &["2-4", "10", "2027-W12, 12", "20–21"],
            &["tis", "mon", "2"],
            "2",
        ),
        d(BEFORE),
        None,
    )
    .unwrap();
    assert_eq!(a.weeks, vec![2, 3, 4, 10, 12, 20, 21]);
    assert_eq!(a.weekdays, vec![Weekday::Mon, Weekday::Tue]);
    assert_eq!(a.max_per_week, 2);
    assert_eq!(a.weeks_code(), "2,3,4,10,12,20,21");
    assert_eq!(a.weekdays_code(), "mon,tue");
    assert_eq!(a.weeks_label_sv(), "vecka 2–4, 10, 12, 20–21");
    assert_eq!(a.weekdays_label_sv(), "måndag, tisdag");
    let back = Availability::from_stored(vt27(), &a.weeks_code(), &a.weekdays_code(), 2, "");
    assert_eq!(back, a);
}

#[test]
fn a_week_outside_the_term_is_refused_naming_the_field() {
    assert_eq!(
        codes(check_availability(
            vt27(),
            &draft(&["60"], &["mon"], "2"),
            d(BEFORE),
            None
        )),
        [("weeks".to_string(), "week_outside_term")]
    );
    let e =
        check_availability(vt27(), &draft(&["30"], &["mon"], "2"), d(BEFORE), None).unwrap_err();
    assert!(e.0[0].message.contains("VT 2027 (veckorna 2–25)"), "{e:?}");
    assert_eq!(
        codes(check_availability(
            vt27(),
            &draft(&["2028-W10"], &["mon"], "2"),
            d(BEFORE),
            None
        )),
        [("weeks".to_string(), "week_outside_term")]
    );
    assert_eq!(
        codes(check_availability(
            vt27(),
            &draft(&["tolv"], &["mon"], "2"),
            d(BEFORE),
            None
        )),
        [("weeks".to_string(), "invalid_week")]
    );
}

#[test]
fn a_past_week_cannot_be_added_but_stays_as_history() {
    // 2027-03-01 is the Monday of week 9: weeks 2–8 have passed.
    let today = d("2027-03-01");
    assert_eq!(
        codes(check_availability(
            vt27(),
            &draft(&["5", "9"], &["mon"], "1"),
            today,
            None
        )),
        [("weeks".to_string(), "past_week")]
    );
    let before =
        check_availability(vt27(), &draft(&["4-10"], &["mon"], "1"), d(BEFORE), None).unwrap();
    // The form offers only weeks 9 on; the past weeks 4–8 are kept, and
    // sending them again changes nothing.
    let now = check_availability(
        vt27(),
        &draft(&["9", "11"], &["mon"], "1"),
        today,
        Some(&before),
    )
    .unwrap();
    assert_eq!(now.weeks, vec![4, 5, 6, 7, 8, 9, 11]);
    let again = check_availability(
        vt27(),
        &draft(&["4-8", "9", "11"], &["mon"], "1"),
        today,
        Some(&before),
    )
    .unwrap();
    assert_eq!(again.weeks, now.weeks);
    // A term that has ended cannot be changed at all.
    assert_eq!(
        codes(check_availability(
            vt27(),
            &draft(&[], &[], "0"),
            d("2027-07-01"),
            None
        )),
        [("term".to_string(), "term_ended")]
    );
}

#[test]
fn the_weekly_maximum_and_the_weekdays_are_checked() {
    let c = |max: &str| {
        codes(check_availability(
            vt27(),
            &draft(&["10"], &["mon"], max),
            d(BEFORE),
            None,
        ))
    };
    assert_eq!(c("-1"), [("max_per_week".to_string(), "negative_max")]);
    assert_eq!(c("21"), [("max_per_week".to_string(), "max_too_large")]);
    assert_eq!(c("två"), [("max_per_week".to_string(), "invalid_max")]);
    assert_eq!(c(""), [("max_per_week".to_string(), "invalid_max")]);
    assert_eq!(c("0"), [("max_per_week".to_string(), "zero_max")]);
    assert_eq!(
        codes(check_availability(
            vt27(),
            &draft(&["10"], &[], "1"),
            d(BEFORE),
            None
        )),
        [("weekdays".to_string(), "missing_weekday")]
    );
    assert_eq!(
        codes(check_availability(
            vt27(),
            &draft(&["10"], &["fredagsmys"], "1"),
            d(BEFORE),
            None
        )),
        [("weekdays".to_string(), "invalid_weekday")]
    );
    // Not available at all this term: no weeks, no days, no maximum.
    let none = check_availability(vt27(), &draft(&[], &[], "0"), d(BEFORE), None).unwrap();
    assert!(none.weeks.is_empty());
    assert_eq!(none.weeks_label_sv(), "inga veckor");
    // Every problem at once, each naming its field.
    let all = codes(check_availability(
        vt27(),
        &AvailabilityDraft {
            note: "x".repeat(MAX_NOTE_CHARS + 1),
            ..draft(&["60"], &["xyz"], "-3")
        },
        d(BEFORE),
        None,
    ));
    let fields: Vec<&str> = all.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["weeks", "weekdays", "max_per_week", "note"]);
}

fn given(weeks: &[u32], days: &[Weekday], max: i64) -> Availability {
    Availability {
        term: vt27(),
        weeks: weeks.to_vec(),
        weekdays: days.to_vec(),
        max_per_week: max,
        note: String::new(),
    }
}

#[test]
fn a_session_outside_the_availability_warns() {
    let a = given(&[10, 11], &[Weekday::Tue, Weekday::Wed], 1);
    // 2027-03-09 is the Tuesday of week 10, 2027-03-11 its Thursday.
    let tue10 = d("2027-03-09");
    let thu10 = d("2027-03-11");
    let tue12 = d("2027-03-23");
    let one = |day: NaiveDate| week_load(&[(1, vec![day])]);
    assert_eq!(
        warnings(&[tue10], std::slice::from_ref(&a), &one(tue10)),
        vec![]
    );
    assert_eq!(
        warnings(&[tue12], std::slice::from_ref(&a), &one(tue12)),
        vec![Warning::WeekNotAvailable {
            term: "VT 2027".into(),
            week: 12
        }]
    );
    assert_eq!(
        warnings(&[thu10], std::slice::from_ref(&a), &one(thu10)),
        vec![Warning::WeekdayNotAvailable { weekday: "thu" }]
    );
    // A second session in week 10 takes the trainer over their one a week.
    let load = week_load(&[(1, vec![tue10]), (2, vec![d("2027-03-10")])]);
    assert_eq!(
        warnings(&[tue10], std::slice::from_ref(&a), &load),
        vec![Warning::OverWeeklyMax {
            week: 10,
            sessions: 2,
            max: 1
        }]
    );
    // Nothing given for the term, or a day in no term: nothing to warn of.
    assert_eq!(warnings(&[tue12], &[], &one(tue12)), vec![]);
    let summer = d("2027-07-13");
    assert_eq!(
        warnings(&[summer], std::slice::from_ref(&a), &one(summer)),
        vec![]
    );
    // The messages name the trainer and what is wrong.
    let w = warnings(&[thu10], &[a], &one(thu10));
    assert_eq!(
        w[0].message_sv("Anna"),
        "Anna är inte tillgänglig på torsdagar."
    );
    assert_eq!(w[0].code(), "weekday_not_available");
    assert_eq!(
        Warning::WeekNotAvailable {
            term: "VT 2027".into(),
            week: 12
        }
        .message_sv("Anna"),
        "Anna har inte angett vecka 12 som tillgänglig (VT 2027)."
    );
}

#[test]
fn a_session_on_two_days_of_a_week_counts_once() {
    let load = week_load(&[
        (1, vec![d("2027-03-09"), d("2027-03-10")]),
        (2, vec![d("2027-03-16")]),
    ]);
    assert_eq!(load.values().copied().collect::<Vec<_>>(), vec![1, 1]);
}
