use super::*;

fn today() -> NaiveDate {
    // A Wednesday in week 10 of 2027.
    NaiveDate::from_ymd_opt(2027, 3, 10).unwrap()
}

fn draft() -> RequestDraft {
    RequestDraft {
        participants: 14,
        first_week: "2027-W12".into(),
        last_week: "2027-W14".into(),
        weekdays: vec!["tue".into(), "mon".into()],
        times: vec!["kvall".into(), "dag".into()],
        place: " Vårdcentrum Kumla ".into(),
        note: "Helst inte under påsklovet.\r\nTack!".into(),
    }
}

fn codes(e: &FieldErrors) -> Vec<(&str, &str)> {
    e.0.iter().map(|x| (x.field.as_str(), x.code)).collect()
}

#[test]
fn weeks_parse_in_the_forms_people_write() {
    for s in ["2027-W10", "2027-w10", "2027-10", "2027 v10", " 2027-W10 "] {
        assert_eq!(
            Week::parse(s),
            Some(Week {
                year: 2027,
                week: 10
            }),
            "{s}"
        );
    }
    assert_eq!(Week::parse("2027-W53"), None, "2027 has 52 ISO weeks");
    assert_eq!(Week::parse("2026-W53").map(|w| w.week), Some(53));
    for bad in ["", "v10", "2027-W0", "2027-W99", "tio", "1066-W10"] {
        assert_eq!(Week::parse(bad), None, "{bad}");
    }
    let w = Week::parse("2027-W10").unwrap();
    assert_eq!(w.monday(), NaiveDate::from_ymd_opt(2027, 3, 8).unwrap());
    assert_eq!(w.sunday(), NaiveDate::from_ymd_opt(2027, 3, 14).unwrap());
    assert_eq!(w.code(), "2027-W10");
    // ISO week years differ from calendar years around New Year.
    assert_eq!(
        Week::of(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()).code(),
        "2026-W53"
    );
}

#[test]
fn a_good_request_is_checked_and_tidied() {
    let c = check_request(&draft(), today()).unwrap();
    assert_eq!(c.participants, 14);
    assert_eq!(c.first_week.code(), "2027-W12");
    assert_eq!(c.last_week.code(), "2027-W14");
    assert_eq!(c.weekdays_code(), "mon,tue");
    assert_eq!(c.times_code(), "dag,kvall");
    assert_eq!(c.place, "Vårdcentrum Kumla");
    assert_eq!(c.note, "Helst inte under påsklovet.\nTack!");
    // No last week: the first week only; the current week is allowed.
    let c = check_request(
        &RequestDraft {
            first_week: "2027-W10".into(),
            last_week: String::new(),
            ..draft()
        },
        today(),
    )
    .unwrap();
    assert_eq!(c.last_week, c.first_week);
}

#[test]
fn a_past_week_is_refused_with_the_week_named() {
    let e = check_request(
        &RequestDraft {
            first_week: "2027-W09".into(),
            ..draft()
        },
        today(),
    )
    .unwrap_err();
    assert_eq!(codes(&e), vec![("first_week", "past_week")]);
    assert!(e.get("first_week").unwrap().contains("Vecka 9 2027"));
}

#[test]
fn every_bad_field_is_named_at_once() {
    let e = check_request(
        &RequestDraft {
            participants: 0,
            first_week: "2027-W20".into(),
            last_week: "2027-W12".into(),
            weekdays: vec!["fredagsmys".into()],
            times: vec![],
            place: "Rad\nbrytning".into(),
            note: "x".repeat(MAX_NOTE_CHARS + 1),
        },
        today(),
    )
    .unwrap_err();
    assert_eq!(
        codes(&e),
        vec![
            ("participants", "invalid_participants"),
            ("last_week", "weeks_reversed"),
            ("weekdays", "invalid_weekday"),
            ("times", "missing_time_of_day"),
            ("place", "invalid_text"),
            ("note", "too_long"),
        ]
    );
}

#[test]
fn hostile_and_extreme_values_are_refused() {
    for (d, field, code) in [
        (
            RequestDraft {
                participants: i64::MAX,
                ..draft()
            },
            "participants",
            "invalid_participants",
        ),
        (
            RequestDraft {
                participants: -3,
                ..draft()
            },
            "participants",
            "invalid_participants",
        ),
        (
            RequestDraft {
                first_week: "2040-W10".into(),
                last_week: String::new(),
                ..draft()
            },
            "first_week",
            "week_too_far",
        ),
        (
            RequestDraft {
                last_week: "2028-W30".into(),
                ..draft()
            },
            "last_week",
            "weeks_too_wide",
        ),
        (
            RequestDraft {
                first_week: "'; DROP TABLE session_requests; --".into(),
                ..draft()
            },
            "first_week",
            "invalid_week",
        ),
        (
            RequestDraft {
                place: "\u{202E}gnimmuK".into(),
                ..draft()
            },
            "place",
            "invalid_text",
        ),
        (
            RequestDraft {
                times: vec!["natt".into()],
                ..draft()
            },
            "times",
            "invalid_time_of_day",
        ),
        (
            RequestDraft {
                times: vec!["helg".into()],
                weekdays: vec!["mon".into()],
                ..draft()
            },
            "weekdays",
            "weekend_without_weekend_days",
        ),
    ] {
        let e = check_request(&d, today()).unwrap_err();
        assert_eq!(codes(&e), vec![(field, code)]);
    }
}

#[test]
fn weekdays_and_times_read_swedish_codes_and_numbers() {
    assert_eq!(parse_weekday("måndag"), Some(Weekday::Mon));
    assert_eq!(parse_weekday("Lör"), Some(Weekday::Sat));
    assert_eq!(parse_weekday("7"), Some(Weekday::Sun));
    assert_eq!(parse_weekday("8"), None);
    assert_eq!(TimeOfDay::parse("Kväll"), Some(TimeOfDay::Evening));
    assert_eq!(TimeOfDay::parse("weekend"), Some(TimeOfDay::Weekend));
    // Repeats are counted once.
    let c = check_request(
        &RequestDraft {
            weekdays: vec!["mon".into(), "1".into(), "måndag".into()],
            times: vec!["dag".into(), "dagtid".into()],
            ..draft()
        },
        today(),
    )
    .unwrap();
    assert_eq!(c.weekdays, vec![Weekday::Mon]);
    assert_eq!(c.times, vec![TimeOfDay::Day]);
}

const NOW: i64 = 1_800_000_000;

fn open(id: i64) -> RequestFacts {
    RequestFacts {
        id,
        course_id: 7,
        status: RequestStatus::Open,
    }
}

fn session(id: i64) -> SessionFacts {
    SessionFacts {
        id,
        course_id: 7,
        starts_at: NOW + 86_400,
        is_final: false,
    }
}

fn field_code(r: Result<Answer, AnswerRefusal>) -> (String, &'static str) {
    match r {
        Err(AnswerRefusal::Invalid(e)) => {
            let f = e.first().unwrap();
            (f.field.clone(), f.code)
        }
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn planned_as_a_coming_session_of_the_same_course() {
    let a = check_answer(
        open(1),
        &AnswerDraft::Planned {
            session_id: Some(5),
        },
        Some(session(5)),
        None,
        NOW,
    );
    assert_eq!(a, Ok(Answer::Planned { session_id: 5 }));
    assert_eq!(a.unwrap().status(), RequestStatus::Planned);
    let plan = |s: Option<SessionFacts>| {
        check_answer(
            open(1),
            &AnswerDraft::Planned {
                session_id: Some(5),
            },
            s,
            None,
            NOW,
        )
    };
    assert_eq!(field_code(plan(None)).1, "unknown_session");
    assert_eq!(
        field_code(plan(Some(SessionFacts {
            course_id: 8,
            ..session(5)
        })))
        .1,
        "other_course"
    );
    assert_eq!(
        field_code(plan(Some(SessionFacts {
            starts_at: NOW - 60,
            ..session(5)
        })))
        .1,
        "session_not_bookable"
    );
    assert_eq!(
        field_code(plan(Some(SessionFacts {
            is_final: true,
            ..session(5)
        })))
        .1,
        "session_not_bookable"
    );
    assert_eq!(
        field_code(check_answer(
            open(1),
            &AnswerDraft::Planned { session_id: None },
            None,
            None,
            NOW
        )),
        ("session_id".into(), "missing_session")
    );
}

#[test]
fn merged_with_another_open_or_planned_request_of_the_course() {
    let merge = |other: Option<RequestFacts>, id: i64| {
        check_answer(
            open(1),
            &AnswerDraft::Merged {
                request_id: Some(id),
            },
            None,
            other,
            NOW,
        )
    };
    assert_eq!(
        merge(Some(open(2)), 2),
        Ok(Answer::Merged { into_request_id: 2 })
    );
    assert_eq!(
        merge(
            Some(RequestFacts {
                status: RequestStatus::Planned,
                ..open(2)
            }),
            2
        ),
        Ok(Answer::Merged { into_request_id: 2 })
    );
    assert_eq!(field_code(merge(Some(open(1)), 1)).1, "merge_with_itself");
    assert_eq!(field_code(merge(None, 2)).1, "unknown_request");
    assert_eq!(
        field_code(merge(
            Some(RequestFacts {
                course_id: 9,
                ..open(2)
            }),
            2
        ))
        .1,
        "other_course"
    );
    for closed in [RequestStatus::Merged, RequestStatus::Declined] {
        assert_eq!(
            field_code(merge(
                Some(RequestFacts {
                    status: closed,
                    ..open(2)
                }),
                2
            ))
            .1,
            "merge_target_closed"
        );
    }
}

#[test]
fn declined_needs_a_reason_and_answered_requests_stay_answered() {
    let decline = |r: &str| {
        check_answer(
            open(1),
            &AnswerDraft::Declined { reason: r.into() },
            None,
            None,
            NOW,
        )
    };
    assert_eq!(
        decline("  Ingen utbildningsledare ledig i vår. "),
        Ok(Answer::Declined {
            reason: "Ingen utbildningsledare ledig i vår.".into()
        })
    );
    assert_eq!(field_code(decline("   ")).1, "missing_reason");
    assert_eq!(
        field_code(decline(&"x".repeat(MAX_REASON_CHARS + 1))).1,
        "too_long"
    );
    let answered = RequestFacts {
        status: RequestStatus::Declined,
        ..open(1)
    };
    assert_eq!(
        check_answer(
            answered,
            &AnswerDraft::Declined {
                reason: "igen".into()
            },
            None,
            None,
            NOW
        ),
        Err(AnswerRefusal::AlreadyAnswered(RequestStatus::Declined))
    );
}

#[test]
fn interest_counts_one_to_the_maximum() {
    assert_eq!(check_interest_people(1), Ok(1));
    assert_eq!(
        check_interest_people(MAX_PARTICIPANTS),
        Ok(MAX_PARTICIPANTS)
    );
    assert!(check_interest_people(0).is_err());
    assert!(check_interest_people(MAX_PARTICIPANTS + 1).is_err());
}

#[test]
fn the_notice_says_what_was_answered() {
    let (subject, body) = answer_notice(&AnswerText {
        request_id: 3,
        course_title: "HLR",
        municipality: "Kumla",
        session: Some((
            "tis 16 mars 2027 09:00–12:00",
            "Vårdcentrum",
            "https://navet.example.se/kurstillfallen/9".into(),
        )),
        merged_into: None,
        reason: None,
    });
    assert_eq!(subject, "Svar på er förfrågan om HLR");
    assert!(
        body.contains("planerad som ett kurstillfälle tis 16 mars 2027 09:00–12:00, Vårdcentrum")
    );
    assert!(body.contains("/kurstillfallen/9"));
    let (_, body) = answer_notice(&AnswerText {
        request_id: 3,
        course_title: "HLR",
        municipality: "Kumla",
        session: None,
        merged_into: None,
        reason: Some("Kursen ges inte i vår."),
    });
    assert!(body.contains("avböjd. Skäl:\nKursen ges inte i vår."));
    let (_, body) = answer_notice(&AnswerText {
        request_id: 3,
        course_title: "HLR",
        municipality: "Kumla",
        session: None,
        merged_into: Some(2),
        reason: None,
    });
    assert!(body.contains("sammanslagen") || body.contains("slagits samman med förfrågan 2"));
    assert!(body.contains("besked igen"));
}
