//! Attendance, completions, the indicator report, funding, surveys and the
//! historical import, on SQLite and PostgreSQL.

use domain::ids::{PersonId, SessionId};
use std::collections::HashMap;

use chrono::NaiveDate;
use domain::catalogue::{CheckedCourse, CourseStatus, Format, Level};
use domain::indicators::{self, check_period, Participation, Period, SessionFact};
use domain::org::Gender;
use domain::surveys::{Answer, AnswerValue, SurveyKind};
use navet_store::audit::Who;
use navet_store::catalogue::{self, CourseExtras};
use navet_store::people::{self, ResolvedPerson};
use navet_store::{
    attendance, both_engines, completions, funding, history_import, org, reports, surveys, Db,
    StoreError,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;

fn who() -> Who {
    Who::system("test")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn course(db: &Db, title: &str, hours: f64, validity: Option<i64>) -> i64 {
    catalogue::create(
        db,
        &who(),
        &CheckedCourse {
            title: title.into(),
            level: Level::Bas,
            format: Format::Simulering,
            hours,
            status: CourseStatus::Aktiv,
            validity_months: validity,
            default_capacity: 12,
            trainers_per_session: 1,
        },
        &CourseExtras::default(),
    )
    .await
    .unwrap()
}

async fn muni(db: &Db, name: &str) -> i64 {
    org::municipality_by_name(db, name)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn person(db: &Db, n: usize, gender: &str, role: &str, municipality: &str) -> i64 {
    let role_id = org::role_by_name(db, role).await.unwrap().unwrap().id;
    people::create(
        db,
        &who(),
        &ResolvedPerson {
            name: format!("Person {n}"),
            email: format!("p{n}@test.se"),
            gender: Gender::parse(gender).unwrap(),
            employee_no: None,
            role_id,
            municipality_id: muni(db, municipality).await,
            unit_id: None,
            language_support: String::new(),
        },
        false,
    )
    .await
    .unwrap()
}

/// A session at 09:00 Stockholm time on `date` (sessions are issue 3's; the
/// table is shared).
async fn session(
    db: &Db,
    course_id: i64,
    date: &str,
    hours: f64,
    status: &str,
    reason: &str,
) -> i64 {
    let starts = navet_store::time::day_start(d(date)) + 9 * 3600;
    sqlx::query_scalar(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, cancel_reason, created_at, updated_at) \
         VALUES ($1, $2, $3, (SELECT MIN(id) FROM municipalities), 'Sal 1', 20, $4, $5, $6, 0, 0) RETURNING id",
    )
    .bind(course_id)
    .bind(starts)
    .bind(starts + (hours * 3600.0) as i64)
    .bind(hours)
    .bind(status)
    .bind(reason)
    .fetch_one(db.writer())
    .await
    .unwrap()
}

async fn book(db: &Db, session_id: i64, person_id: i64, status: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, $3, 0, 0) RETURNING id",
    )
    .bind(session_id)
    .bind(person_id)
    .bind(status)
    .fetch_one(db.writer())
    .await
    .unwrap()
}

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db.pool())
        .await
        .unwrap()
}

both_engines!(
    closing_a_session_gives_completions_and_records_no_shows,
    |db: Db| async move {
        let hlr = course(&db, "HLR", 3.0, Some(12)).await;
        let s = session(&db, hlr, "2026-03-10", 3.5, "open", "").await;
        let a = person(&db, 1, "kvinna", "undersköterska", "Örebro").await;
        let b = person(&db, 2, "man", "undersköterska", "Laxå").await;
        let c = person(&db, 3, "kvinna", "sjuksköterska", "Laxå").await;
        for p in [a, b, c] {
            book(&db, s, p, "booked").await;
        }
        assert_eq!(
            attendance::mark(&db, &who(), SessionId(s), PersonId(a), true)
                .await
                .unwrap(),
            domain::booking::BookingStatus::Attended
        );
        assert_eq!(
            attendance::mark(&db, &who(), SessionId(s), PersonId(b), false)
                .await
                .unwrap(),
            domain::booking::BookingStatus::Absent
        );
        // Someone without a seat is refused, naming the field.
        let stranger = person(&db, 4, "kvinna", "undersköterska", "Örebro").await;
        match attendance::mark(&db, &who(), SessionId(s), PersonId(stranger), true).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "person_id"),
            other => panic!("{other:?}"),
        }
        let list = attendance::attendees(&db, SessionId(s)).await.unwrap();
        assert_eq!(list.len(), 3);
        let sum = attendance::close(&db, &who(), SessionId(s), "http://x")
            .await
            .unwrap();
        assert_eq!(
            (sum.attended, sum.absent, sum.no_shows, sum.completions),
            (1, 2, 1, 1)
        );
        assert_eq!(sum.surveys_sent, 1);
        let status: String = sqlx::query_scalar("SELECT status FROM bookings WHERE person_id = $1")
            .bind(c)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(status, "absent", "unmarked becomes a recorded no-show");
        let info = attendance::session(&db, SessionId(s)).await.unwrap();
        assert_eq!(info.status, domain::sessions::SessionStatus::Held);
        // The completion has the session's hours, a number, a code and an expiry.
        let comp = completions::for_person(&db, PersonId(a)).await.unwrap();
        assert_eq!(comp.len(), 1);
        assert_eq!(comp[0].hours, 3.5);
        assert_eq!(comp[0].completed_on, "2026-03-10");
        assert_eq!(comp[0].expires_on.as_deref(), Some("2027-03-10"));
        assert_eq!(comp[0].certificate_no, "KN-2026-000001");
        let code = comp[0].verify_code.clone().unwrap();
        assert!(
            completions::verify(&db, &code.to_lowercase(), d("2026-06-01"))
                .await
                .unwrap()
        );
        assert!(
            !completions::verify(&db, &code, d("2027-03-11"))
                .await
                .unwrap(),
            "expired"
        );
        assert!(!completions::verify(&db, "AAAAA-AAAAA-A", d("2026-06-01"))
            .await
            .unwrap());
        assert!(completions::for_person(&db, PersonId(b))
            .await
            .unwrap()
            .is_empty());
        // Closing twice is a conflict; a correction after closing updates the completion.
        assert!(matches!(
            attendance::close(&db, &who(), SessionId(s), "http://x").await,
            Err(StoreError::Conflict { .. })
        ));
        attendance::mark(&db, &who(), SessionId(s), PersonId(c), true)
            .await
            .unwrap();
        assert_eq!(
            completions::for_person(&db, PersonId(c)).await.unwrap()[0].certificate_no,
            "KN-2026-000002"
        );
        attendance::mark(&db, &who(), SessionId(s), PersonId(c), false)
            .await
            .unwrap();
        assert!(completions::for_person(&db, PersonId(c))
            .await
            .unwrap()
            .is_empty());
        // Retaking the course gives a new certificate.
        let s2 = session(&db, hlr, "2026-04-01", 3.0, "open", "").await;
        book(&db, s2, a, "booked").await;
        attendance::mark(&db, &who(), SessionId(s2), PersonId(a), true)
            .await
            .unwrap();
        attendance::close(&db, &who(), SessionId(s2), "http://x")
            .await
            .unwrap();
        let comp = completions::for_person(&db, PersonId(a)).await.unwrap();
        assert_eq!(comp.len(), 2);
        assert_ne!(comp[0].certificate_no, comp[1].certificate_no);
        // Future sessions cannot be marked or closed; cancelled ones neither.
        let future = session(&db, hlr, "2099-01-01", 3.0, "open", "").await;
        book(&db, future, b, "booked").await;
        assert!(matches!(
            attendance::mark(&db, &who(), SessionId(future), PersonId(b), true).await,
            Err(StoreError::Conflict { .. })
        ));
        assert!(matches!(
            attendance::close(&db, &who(), SessionId(future), "http://x").await,
            Err(StoreError::Conflict { .. })
        ));
        let cancelled = session(&db, hlr, "2026-01-01", 3.0, "cancelled", "sjukdom").await;
        assert!(matches!(
            attendance::close(&db, &who(), SessionId(cancelled), "http://x").await,
            Err(StoreError::Conflict { .. })
        ));
    }
);

both_engines!(expiring_completions_and_reminders, |db: Db| async move {
    let hlr = course(&db, "HLR", 3.0, Some(12)).await;
    let a = person(&db, 1, "kvinna", "undersköterska", "Örebro").await;
    let s = session(&db, hlr, "2025-05-01", 3.0, "open", "").await;
    book(&db, s, a, "attended").await;
    attendance::close(&db, &who(), SessionId(s), "http://x")
        .await
        .unwrap();
    let today = d("2026-03-15");
    let soon = completions::expiring(&db, today, 90, &[], &[], true)
        .await
        .unwrap();
    assert_eq!(soon.len(), 1);
    assert_eq!(soon[0].expires_on.as_deref(), Some("2026-05-01"));
    // Out of the manager's scope: nothing.
    assert!(completions::expiring(&db, today, 90, &[999], &[], false)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        completions::queue_reminders(&db, today, "http://x")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        completions::queue_reminders(&db, today, "http://x")
            .await
            .unwrap(),
        0,
        "reminded once"
    );
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'certificate_expiry'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(n, 1);
    // Renewed: the old one no longer expires "soon".
    let s2 = session(&db, hlr, "2026-03-01", 3.0, "open", "").await;
    book(&db, s2, a, "attended").await;
    attendance::close(&db, &who(), SessionId(s2), "http://x")
        .await
        .unwrap();
    assert!(completions::expiring(&db, today, 90, &[], &[], true)
        .await
        .unwrap()
        .is_empty());
});

/// The raw rows the domain's reference aggregation reads.
async fn raw(db: &Db) -> (Vec<Participation>, Vec<SessionFact>) {
    let rows = sqlx::query(
        "SELECT b.person_id, p.gender, r.role_group, m.name, k.title, s.id, s.starts_at, s.hours, b.status \
         FROM bookings b JOIN sessions s ON s.id = b.session_id JOIN people p ON p.id = b.person_id \
         JOIN roles r ON r.id = p.role_id JOIN municipalities m ON m.id = p.municipality_id JOIN courses k ON k.id = s.course_id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let parts = rows
        .iter()
        .map(|r| Participation {
            person_id: r.get(0),
            gender: Gender::parse(&r.get::<String, _>(1)).unwrap(),
            role_group: r.get(2),
            municipality: r.get(3),
            course: r.get(4),
            session_id: r.get(5),
            date: navet_store::time::local_date(r.get(6)),
            hours: r.get(7),
            attended: r.get::<String, _>(8) == "attended",
        })
        .collect();
    let sessions = sqlx::query("SELECT starts_at, status, cancel_reason, hours FROM sessions")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| SessionFact {
            date: navet_store::time::local_date(r.get(0)),
            hours: r.get(3),
            held: r.get::<String, _>(1) == "held",
            cancelled: r.get::<String, _>(1) == "cancelled",
            cancel_reason: r.get(2),
        })
        .collect();
    (parts, sessions)
}

fn close_enough(a: &indicators::Aggregates, b: &indicators::Aggregates) {
    let eq = |x: &indicators::Counts, y: &indicators::Counts, what: &str| {
        assert_eq!(
            (x.unique, x.participations),
            (y.unique, y.participations),
            "{what}"
        );
        assert!((x.hours - y.hours).abs() < 1e-6, "{what} hours");
    };
    eq(&a.total, &b.total, "total");
    for (m, x, y) in [
        (
            "gender",
            &a.by_gender
                .iter()
                .map(|(k, v)| (format!("{k:?}"), v.clone()))
                .collect::<Vec<_>>(),
            &b.by_gender
                .iter()
                .map(|(k, v)| (format!("{k:?}"), v.clone()))
                .collect::<Vec<_>>(),
        ),
        (
            "role group",
            &a.by_role_group.clone().into_iter().collect(),
            &b.by_role_group.clone().into_iter().collect(),
        ),
        (
            "municipality",
            &a.by_municipality.clone().into_iter().collect(),
            &b.by_municipality.clone().into_iter().collect(),
        ),
        (
            "course",
            &a.by_course.clone().into_iter().collect(),
            &b.by_course.clone().into_iter().collect(),
        ),
    ] {
        assert_eq!(x.len(), y.len(), "{m}");
        for ((k1, c1), (k2, c2)) in x.iter().zip(y.iter()) {
            assert_eq!(k1, k2, "{m}");
            eq(c1, c2, &format!("{m} {k1}"));
        }
    }
    assert_eq!(a.sessions_held, b.sessions_held);
    assert!(
        (a.delivered_hours - b.delivered_hours).abs() < 1e-6,
        "course hours delivered"
    );
    assert_eq!(a.cancelled, b.cancelled);
    assert_eq!(a.programme_hours.len(), b.programme_hours.len());
    for (k, v) in &a.programme_hours {
        assert!(
            (v - b.programme_hours[k]).abs() < 1e-6,
            "programme hours {k}"
        );
    }
}

both_engines!(
    sql_report_equals_the_reference_definition,
    |db: Db| async move {
        let mut rng = StdRng::seed_from_u64(7);
        let mut course_ids = vec![];
        for (i, t) in ["HLR", "Sårvård", "Palliativ vård", "Läkemedel"]
            .iter()
            .enumerate()
        {
            course_ids.push(course(&db, t, 2.0 + i as f64, None).await);
        }
        let munis = ["Örebro", "Laxå", "Hällefors", "Kumla"];
        let roles = [
            "undersköterska",
            "sjuksköterska",
            "enhetschef",
            "vårdbiträde",
        ];
        let genders = ["kvinna", "man", "annat", "ej_angivet"];
        let mut people_ids = vec![];
        for i in 0..40 {
            people_ids.push(
                person(
                    &db,
                    i,
                    genders[rng.random_range(0..4)],
                    roles[rng.random_range(0..4)],
                    munis[rng.random_range(0..4)],
                )
                .await,
            );
        }
        let dates = [
            "2024-12-31",
            "2025-01-01",
            "2025-03-30",
            "2025-06-15",
            "2025-10-26",
            "2025-12-31",
            "2026-01-01",
            "2026-05-05",
        ];
        for i in 0..30 {
            let cancelled = i % 7 == 6;
            let s = session(
                &db,
                course_ids[rng.random_range(0..course_ids.len())],
                dates[rng.random_range(0..dates.len())],
                [1.5, 3.0, 4.0][rng.random_range(0..3)],
                if cancelled { "cancelled" } else { "held" },
                if cancelled {
                    ["för få anmälda", "sjukdom", ""][i % 3]
                } else {
                    ""
                },
            )
            .await;
            if cancelled {
                continue;
            }
            let mut chosen = people_ids.clone();
            for _ in 0..rng.random_range(3..15) {
                let p = chosen.swap_remove(rng.random_range(0..chosen.len()));
                book(
                    &db,
                    s,
                    p,
                    if rng.random_bool(0.8) {
                        "attended"
                    } else {
                        "absent"
                    },
                )
                .await;
            }
        }
        reports::rebuild_facts(&db).await.unwrap();
        let (parts, sessions) = raw(&db).await;
        for (from, to, start) in [
            ("2025-01-01", "2025-12-31", Some("2025-01-01")),
            ("2025-03-30", "2025-10-26", Some("2024-06-01")),
            ("2024-01-01", "2026-12-31", None),
            ("2024-01-01", "2026-12-31", Some("2025-03-30")),
            ("2025-06-15", "2025-06-15", Some("2025-06-15")),
        ] {
            let p = check_period(from, to).unwrap();
            let start = start.map(d);
            let sql = reports::aggregates(&db, p, start).await.unwrap();
            let reference = indicators::aggregate(p, start, &parts, &sessions);
            close_enough(&sql, &reference);
        }
        // Facts follow later changes: a person moving municipality, attendance corrected.
        let someone = parts.iter().find(|p| p.attended).unwrap().person_id;
        sqlx::query("UPDATE people SET municipality_id = (SELECT id FROM municipalities WHERE name = 'Nora') WHERE id = $1")
        .bind(someone)
        .execute(db.writer())
        .await
        .unwrap();
        let (parts, sessions) = raw(&db).await;
        let p = check_period("2024-01-01", "2026-12-31").unwrap();
        close_enough(
            &reports::aggregates(&db, p, None).await.unwrap(),
            &indicators::aggregate(p, None, &parts, &sessions),
        );
    }
);

both_engines!(report_definitions_on_hand_built_data, |db: Db| async move {
    let hlr = course(&db, "HLR", 3.0, None).await;
    let sar = course(&db, "Sårvård", 4.0, None).await;
    let anna = person(&db, 1, "kvinna", "undersköterska", "Örebro").await;
    let bo = person(&db, 2, "man", "sjuksköterska", "Laxå").await;
    let cia = person(&db, 3, "kvinna", "undersköterska", "Laxå").await;
    // Anna attends three sessions; Bo is absent once and attends once; Cia is only absent.
    let s1 = session(&db, hlr, "2025-02-01", 3.0, "open", "").await;
    let s2 = session(&db, hlr, "2025-05-01", 3.0, "open", "").await;
    let s3 = session(&db, sar, "2025-09-01", 4.0, "open", "").await;
    session(&db, sar, "2025-10-01", 4.0, "cancelled", "för få anmälda").await;
    for (s, p, present) in [
        (s1, anna, true),
        (s2, anna, true),
        (s3, anna, true),
        (s1, bo, false),
        (s3, bo, true),
        (s2, cia, false),
    ] {
        book(&db, s, p, "booked").await;
        attendance::mark(&db, &who(), SessionId(s), PersonId(p), present)
            .await
            .unwrap();
    }
    for s in [s1, s2, s3] {
        attendance::close(&db, &who(), SessionId(s), "http://x")
            .await
            .unwrap();
    }
    let prog = domain::funding::Programme {
        name: "ESF".into(),
        starts: d("2025-01-01"),
        ends: d("2027-06-30"),
        granted_sek: 23_731_055,
        cofinancing_rate: 0.46,
        target_hours: 42_000.0,
        employees: vec![("Örebro".into(), 9000), ("Laxå".into(), 1000)],
    };
    funding::save(&db, &who(), &prog).await.unwrap();
    let r = reports::indicator_report(&db, check_period("2025-01-01", "2025-12-31").unwrap())
        .await
        .unwrap();
    assert_eq!(
        r.unique_participants.total, 2,
        "Anna counts once, Cia never attended"
    );
    assert_eq!(r.unique_participants.by_gender.kvinna, 1);
    assert_eq!(r.unique_participants.by_gender.man, 1);
    assert_eq!(r.unique_participants.share_pct_by_gender.kvinna, 50.0);
    assert_eq!(r.participations, 4);
    assert_eq!(
        r.course_hours,
        3.0 + 3.0 + 4.0 + 4.0,
        "absences add no hours"
    );
    assert_eq!((r.sessions.held, r.sessions.cancelled), (3, 1));
    assert_eq!(r.sessions.cancelled_by_reason[0].reason, "för få anmälda");
    let laxa = r
        .by_municipality
        .iter()
        .find(|m| m.municipality == "Laxå")
        .unwrap();
    assert_eq!(
        (
            laxa.unique_participants,
            laxa.participations,
            laxa.course_hours
        ),
        (1, 1, 4.0)
    );
    assert!((laxa.commitment_hours - 4200.0).abs() < 1e-9);
    assert!((laxa.commitment_achieved_pct - 4.0 / 4200.0 * 100.0).abs() < 1e-9);
    let orebro = r
        .by_municipality
        .iter()
        .find(|m| m.municipality == "Örebro")
        .unwrap();
    assert!((orebro.commitment_hours - 37_800.0).abs() < 1e-9);
    assert_eq!(r.by_municipality.len(), 12);
    let hlr_row = r.by_course.iter().find(|c| c.course == "HLR").unwrap();
    assert_eq!(
        (
            hlr_row.participations,
            hlr_row.unique_participants,
            hlr_row.course_hours
        ),
        (2, 1, 6.0)
    );
    let legit = r
        .by_role_group
        .iter()
        .find(|g| g.role_group == "legitimerad personal")
        .unwrap();
    assert_eq!((legit.participations, legit.unique_participants), (1, 1));
    // The JSON has exactly the contract's field names.
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["unique_participants"]["by_gender"]["ej_angivet"], 0);
    assert!(v["by_municipality"][0]["commitment_achieved_pct"].is_number());
});

both_engines!(funding_programme_round_trips, |db: Db| async move {
    assert!(funding::current(&db).await.unwrap().is_none());
    let names = funding::municipality_names(&db).await.unwrap();
    let text = "name = \"ESF Kompetensnavet\"\nstarts = 2025-01-01\nends = 2027-06-30\ngranted_sek = 23731055\ncofinancing_rate = 0.46\ntarget_hours = 42000\n[employees]\n\"Örebro\" = 9000\n\"Karlskoga\" = 1900\n";
    let p = domain::funding::parse_toml(text, &names).unwrap();
    funding::save(&db, &who(), &p).await.unwrap();
    let (_, got) = funding::current(&db).await.unwrap().unwrap();
    assert_eq!(got, p);
    // A newer programme replaces it as current.
    let p2 = domain::funding::Programme {
        name: "Nytt".into(),
        ..p.clone()
    };
    funding::save(&db, &who(), &p2).await.unwrap();
    assert_eq!(funding::current(&db).await.unwrap().unwrap().1.name, "Nytt");
});

both_engines!(
    surveys_are_anonymous_and_hidden_below_five,
    |db: Db| async move {
        let hlr = course(&db, "HLR", 3.0, None).await;
        let s = session(&db, hlr, "2025-03-01", 3.0, "open", "").await;
        let mut ps = vec![];
        for i in 0..6 {
            let p = person(&db, i, "kvinna", "undersköterska", "Örebro").await;
            book(&db, s, p, "attended").await;
            ps.push(p);
        }
        attendance::close(&db, &who(), SessionId(s), "http://x")
            .await
            .unwrap();
        let qs = surveys::questions(&db, SurveyKind::Participant)
            .await
            .unwrap();
        assert_eq!(qs.len(), 4);
        let period = check_period("2025-01-01", "2025-12-31").unwrap();
        for (i, p) in ps.iter().enumerate() {
            let inv = &surveys::invitations_for(&db, PersonId(*p)).await.unwrap()[0];
            assert!(!inv.answered);
            let answers = vec![
                Answer {
                    question_id: qs[0].id,
                    value: AnswerValue::Choice(if i < 5 { 4 } else { 2 }),
                },
                Answer {
                    question_id: qs[1].id,
                    value: AnswerValue::Choice(5),
                },
            ];
            surveys::submit(&db, inv.id, &answers).await.unwrap();
            assert!(matches!(
                surveys::submit(&db, inv.id, &answers).await,
                Err(StoreError::Conflict { .. })
            ));
            let r = surveys::results_for_session(&db, SurveyKind::Participant, SessionId(s))
                .await
                .unwrap();
            assert_eq!(r.hidden, i + 1 < 5, "after {} answers", i + 1);
            let sum = surveys::summary(&db, period).await.unwrap();
            assert_eq!(sum.withheld, i + 1 < 5);
        }
        let sum = surveys::summary(&db, period).await.unwrap();
        assert!((sum.helped_high_pct.unwrap() - 500.0 / 6.0).abs() < 1e-9);
        assert_eq!(sum.confidence_mean, Some(5.0));
        assert_eq!(sum.language_support_met_pct, None, "nobody answered it");
        // Responses carry no link to a person or invitation.
        let cols: Vec<String> = sqlx::query("SELECT * FROM survey_responses LIMIT 1")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .columns()
            .iter()
            .map(|c| sqlx::Column::name(c).to_string())
            .collect();
        assert_eq!(cols, ["id", "survey_kind", "session_id", "submitted_on"]);
    }
);

const GOOD_CSV: &str = "\u{feff}person_ref;gender;role;municipality;course;date;hours;attended\n\
    A1;kvinna;Undersköterska;Örebro;HLR;2025-03-04;3;ja\n\
    A2;man;undersköterska;Laxå;HLR;2025-03-04;3;nej\n\
    A1;kvinna;undersköterska;Örebro;Ny historisk kurs;2025-04-01;2,5;ja\n";

both_engines!(
    historical_import_creates_sessions_bookings_and_completions,
    |db: Db| async move {
        course(&db, "HLR", 3.0, Some(12)).await;
        let refused = history_import::import(&db, &who(), "h.csv", GOOD_CSV.as_bytes(), false)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!((refused.shown[0].line, refused.shown[0].column), (4, 5));
        let preview = history_import::preview(&db, GOOD_CSV.as_bytes(), true)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((preview.sessions, preview.people_created), (2, 2));
        assert_eq!(count(&db, "sessions").await, 0, "preview writes nothing");
        let s = history_import::import(&db, &who(), "h.csv", GOOD_CSV.as_bytes(), true)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                s.rows,
                s.sessions,
                s.attended,
                s.absent,
                s.people_created,
                s.completions
            ),
            (3, 2, 2, 1, 2, 2)
        );
        assert_eq!(s.courses_created, ["Ny historisk kurs"]);
        assert_eq!(count(&db, "sessions").await, 2);
        assert_eq!(count(&db, "bookings").await, 3);
        assert_eq!(count(&db, "completions").await, 2);
        let r = reports::indicator_report(&db, check_period("2025-01-01", "2025-12-31").unwrap())
            .await
            .unwrap();
        assert_eq!(
            (
                r.unique_participants.total,
                r.participations,
                r.course_hours,
                r.sessions.held
            ),
            (1, 2, 5.5, 2)
        );
        // The same file again is refused; another file with a known person_ref reuses the person.
        let again = history_import::import(&db, &who(), "h.csv", GOOD_CSV.as_bytes(), true)
            .await
            .unwrap()
            .unwrap_err();
        assert!(again.shown[0].message.contains("redan"));
        let more = "person_ref,gender,role,municipality,course,date,hours,attended\nA1,kvinna,undersköterska,Örebro,HLR,2025-05-04,3,ja\n";
        let s2 = history_import::import(&db, &who(), "h2.csv", more.as_bytes(), false)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((s2.people_created, s2.people_known), (0, 1));
        let r = reports::indicator_report(&db, check_period("2025-01-01", "2025-12-31").unwrap())
            .await
            .unwrap();
        assert_eq!((r.unique_participants.total, r.participations), (1, 3));
    }
);

both_engines!(
    a_file_with_every_kind_of_error_changes_nothing,
    |db: Db| async move {
        course(&db, "HLR", 3.0, None).await;
        let tables = [
            "people",
            "courses",
            "sessions",
            "bookings",
            "completions",
            "attendance_facts",
            "import_batches",
            "import_person_refs",
            "audit_log",
        ];
        let mut before = HashMap::new();
        for t in tables {
            before.insert(t, count(&db, t).await);
        }
        let bad = "person_ref,gender,role,municipality,course,date,hours,attended\n\
        OK1,kvinna,undersköterska,Örebro,HLR,2025-03-04,3,ja\n\
        ,kvinna,undersköterska,Örebro,HLR,2025-03-04,3,ja\n\
        E2,okänt,undersköterska,Örebro,HLR,2025-03-04,3,ja\n\
        E3,kvinna,astronaut,Örebro,HLR,2025-03-04,3,ja\n\
        E4,kvinna,undersköterska,Stockholm,HLR,2025-03-04,3,ja\n\
        E5,kvinna,undersköterska,Örebro,Okänd kurs,2025-03-04,3,ja\n\
        E6,kvinna,undersköterska,Örebro,HLR,2025-02-30,3,ja\n\
        E7,kvinna,undersköterska,Örebro,HLR,2099-01-01,3,ja\n\
        E8,kvinna,undersköterska,Örebro,HLR,2025-03-04,tre,ja\n\
        E9,kvinna,undersköterska,Örebro,HLR,2025-03-04,3,kanske\n\
        E10,kvinna,undersköterska,Örebro,HLR,2025-03-04,5,ja\n\
        OK1,man,undersköterska,Örebro,HLR,2025-04-04,3,ja\n\
        OK1,kvinna,undersköterska,Örebro,HLR,2025-03-04,3,nej\n\
        too,few,columns\n";
        let errs = history_import::import(&db, &who(), "bad.csv", bad.as_bytes(), false)
            .await
            .unwrap()
            .unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        for l in 3..=15 {
            assert!(lines.contains(&l), "line {l} has an error: {errs:?}");
        }
        assert!(errs.iter().all(|e| e.line > 0));
        assert!(
            errs.iter().filter(|e| e.line != 15).all(|e| e.column > 0),
            "{errs:?}"
        );
        assert_eq!(
            errs.iter().filter(|e| e.line == 15).count(),
            1,
            "a short row is one error"
        );
        for t in tables {
            assert_eq!(count(&db, t).await, before[t], "{t} unchanged");
        }
    }
);

#[test]
fn period_type_is_inclusive() {
    let p: Period = check_period("2025-01-01", "2025-01-01").unwrap();
    assert_eq!(p.from, p.to);
}

both_engines!(needs_coverage_follows_course_status, |db: Db| async move {
    navet_store::seed::load_courses(&db).await.unwrap();
    let m = navet_store::needs::matrix(&db).await.unwrap();
    assert_eq!(m.len(), 66, "every entry of the three needs tables");
    let linked = m.iter().filter(|n| !n.courses.is_empty()).count();
    assert!(linked >= 60, "needs are linked to their courses ({linked})");
    let basal = m.iter().find(|n| n.code == "B001").unwrap();
    assert_eq!(basal.coverage, navet_store::needs::Coverage::Levererat);
    // Pausing the linked courses turns the need into a risk.
    for (id, _, _) in &basal.courses {
        sqlx::query("UPDATE courses SET status = 'pausad' WHERE id = $1")
            .bind(id)
            .execute(db.writer())
            .await
            .unwrap();
    }
    let m = navet_store::needs::matrix(&db).await.unwrap();
    assert_eq!(
        m.iter().find(|n| n.code == "B001").unwrap().coverage,
        navet_store::needs::Coverage::Risk
    );
    // Loading twice adds nothing.
    navet_store::needs::ensure_loaded(&db).await.unwrap();
    assert_eq!(count(&db, "needs").await, 66);
});

// The funder's figures stay as they were: a participation counts for the
// municipality and role group the person had when attendance was taken,
// also after the person moves or is promoted; a corrected gender reaches
// every report.
both_engines!(
    history_keeps_employment_at_attendance,
    |db: Db| async move {
        let hlr = course(&db, "HLR", 3.0, None).await;
        let sar = course(&db, "Sårvård", 4.0, None).await;
        let anna = person(&db, 1, "kvinna", "undersköterska", "Örebro").await;
        let s1 = session(&db, hlr, "2025-02-01", 3.0, "open", "").await;
        book(&db, s1, anna, "booked").await;
        attendance::mark(&db, &who(), SessionId(s1), PersonId(anna), true)
            .await
            .unwrap();
        attendance::close(&db, &who(), SessionId(s1), "http://x")
            .await
            .unwrap();

        // Anna moves to Laxå as a nurse, and her gender is corrected.
        let role_id = org::role_by_name(&db, "sjuksköterska")
            .await
            .unwrap()
            .unwrap()
            .id;
        let moved = ResolvedPerson {
            name: "Person 1".into(),
            email: "p1@test.se".into(),
            gender: Gender::parse("annat").unwrap(),
            employee_no: None,
            role_id,
            municipality_id: muni(&db, "Laxå").await,
            unit_id: None,
            language_support: String::new(),
        };
        people::update(&db, &who(), PersonId(anna), &moved, true)
            .await
            .unwrap();
        let s2 = session(&db, sar, "2025-09-01", 4.0, "open", "").await;
        book(&db, s2, anna, "booked").await;
        attendance::mark(&db, &who(), SessionId(s2), PersonId(anna), true)
            .await
            .unwrap();
        // A correction later on keeps the first employment.
        attendance::mark(&db, &who(), SessionId(s1), PersonId(anna), false)
            .await
            .unwrap();
        attendance::mark(&db, &who(), SessionId(s1), PersonId(anna), true)
            .await
            .unwrap();

        let check = |r: &domain::indicators::IndicatorReport| {
            let by = |name: &str| {
                let m = r
                    .by_municipality
                    .iter()
                    .find(|m| m.municipality == name)
                    .unwrap();
                (m.participations, m.course_hours)
            };
            assert_eq!(by("Örebro"), (1, 3.0));
            assert_eq!(by("Laxå"), (1, 4.0));
            let groups: HashMap<&str, i64> = r
                .by_role_group
                .iter()
                .map(|g| (g.role_group.as_str(), g.participations))
                .collect();
            assert_eq!(groups["legitimerad personal"], 1);
            assert_eq!(
                r.by_role_group
                    .iter()
                    .map(|g| g.participations)
                    .sum::<i64>(),
                2
            );
            assert_eq!(r.unique_participants.total, 1);
            assert_eq!(r.unique_participants.by_gender.annat, 1);
            assert_eq!(r.unique_participants.by_gender.kvinna, 0);
        };
        let period = check_period("2025-01-01", "2025-12-31").unwrap();
        check(&reports::indicator_report(&db, period).await.unwrap());
        // The same after a full rebuild of the report table.
        reports::rebuild_facts(&db).await.unwrap();
        check(&reports::indicator_report(&db, period).await.unwrap());

        // The export names the employment at the time too, so the history
        // moves to another instance unchanged (s2 is not closed: not exported).
        let out = navet_store::participations::export(&db, period, "")
            .await
            .unwrap();
        let csv = String::from_utf8(out.csv).unwrap();
        let row = csv.lines().nth(1).unwrap();
        assert!(row.contains(",Örebro,HLR,2025-02-01,"), "{row}");
        assert!(
            row.contains("Undersköterska") || row.contains("undersköterska"),
            "{row}"
        );
        assert_eq!(csv.lines().count(), 2, "{csv}");

        // The cost model's actual use counts hours the same way.
        let a = navet_store::costs::actuals(&db, d("2025-01-01"), d("2025-12-31"))
            .await
            .unwrap();
        let hours = |name: &str| {
            a.municipalities
                .iter()
                .find(|m| m.name == name)
                .unwrap()
                .attended_hours
        };
        assert_eq!((hours("Örebro"), hours("Laxå")), (3.0, 4.0));
    }
);

// A historical file may follow a person across municipalities and roles;
// each participation counts where it happened.
both_engines!(
    imported_history_counts_each_row_where_it_was,
    |db: Db| async move {
        course(&db, "HLR", 3.0, None).await;
        let csv = "person_ref,gender,role,municipality,course,date,hours,attended\n\
        P9,kvinna,sjuksköterska,Laxå,HLR,2025-09-01,3,ja\n\
        P9,kvinna,undersköterska,Örebro,HLR,2025-02-01,3,ja\n";
        history_import::import(&db, &who(), "flytt.csv", csv.as_bytes(), false)
            .await
            .unwrap()
            .unwrap();
        let r = reports::indicator_report(&db, check_period("2025-01-01", "2025-12-31").unwrap())
            .await
            .unwrap();
        let by = |name: &str| {
            r.by_municipality
                .iter()
                .find(|m| m.municipality == name)
                .map(|m| m.participations)
                .unwrap()
        };
        assert_eq!((by("Örebro"), by("Laxå")), (1, 1));
        assert_eq!(r.unique_participants.total, 1);
        // The person record describes them as of their latest line.
        let now: (i64, String) = sqlx::query_as(
            "SELECT p.municipality_id, r.name FROM people p JOIN roles r ON r.id = p.role_id \
         WHERE p.name LIKE 'Historisk deltagare%'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(now, (muni(&db, "Laxå").await, "Sjuksköterska".to_string()));
    }
);

both_engines!(
    the_report_read_again_follows_attendance_corrected_since,
    |db: Db| async move {
        let file = "person_ref,gender,role,municipality,course,date,hours,attended\n\
                    R1,kvinna,undersköterska,Örebro,HLR,2025-02-03,3,ja\n\
                    R2,man,undersköterska,Kumla,HLR,2025-02-03,3,ja\n\
                    R1,kvinna,undersköterska,Örebro,Sårvård,2025-05-20,2.5,ja\n";
        navet_store::history_import::import(&db, &who(), "historik.csv", file.as_bytes(), true)
            .await
            .unwrap()
            .unwrap();
        let period = Period {
            from: d("2025-01-01"),
            to: d("2025-12-31"),
        };
        let first = reports::indicator_report(&db, period).await.unwrap();
        // Read again (the attendance sums from memory): the same report.
        assert_eq!(
            serde_json::to_value(reports::indicator_report(&db, period).await.unwrap()).unwrap(),
            serde_json::to_value(&first).unwrap()
        );
        // R2's session is corrected to absent.
        let r2: i64 = sqlx::query_scalar(
            "SELECT id FROM people WHERE name LIKE '%R2%' OR employee_no = 'R2'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        let mut conn = db.pool().acquire().await.unwrap();
        sqlx::query("UPDATE bookings SET status = 'absent' WHERE person_id = $1")
            .bind(r2)
            .execute(&mut *conn)
            .await
            .unwrap();
        reports::refresh_people(&mut conn, &[r2]).await.unwrap();
        drop(conn);
        let after = reports::indicator_report(&db, period).await.unwrap();
        // The same as a handle that has never kept anything.
        let fresh = Db::connect(db.url()).await.unwrap();
        let uncached = reports::indicator_report(&fresh, period).await.unwrap();
        assert_eq!(
            serde_json::to_value(&after).unwrap(),
            serde_json::to_value(&uncached).unwrap()
        );
        assert_ne!(
            serde_json::to_value(&after).unwrap(),
            serde_json::to_value(&first).unwrap()
        );
    }
);
