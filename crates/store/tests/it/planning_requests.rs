//! Session requests, interest and demand on SQLite and PostgreSQL: a
//! request answered as planned tells the requester (and those merged into
//! it), two coordinators answering at once get one answer and one
//! conflict, lists stay within the reader's units, and the demand counts
//! requests and interest per course and municipality.

use domain::access::{Actor, Role, Scope};
use domain::ids::{CourseId, MunicipalityId, PersonId};
use domain::planning::requests::{check_request, AnswerDraft, RequestDraft, RequestStatus, Week};
use navet_store::accounts::{self, NewAccount};
use navet_store::audit::Who;
use navet_store::planning::interest;
use navet_store::planning::requests::{self, Filter, Place};
use navet_store::sessions::{self, SessionInput};
use navet_store::testing::fixtures;
use navet_store::{both_engines, org, Db, StoreError};
use sqlx::Row;

const DAY: i64 = 86_400;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn municipality(db: &Db, name: &str) -> i64 {
    org::municipality_by_name(db, name)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A manager's account for `unit` and a `Who` acting as it.
async fn manager(db: &Db, email: &str, unit: i64) -> Who {
    let id = accounts::create(
        db,
        &Who::system("test"),
        &NewAccount {
            email: email.into(),
            display_name: email.into(),
            role: Role::Manager,
            password_hash: None,
            person_id: None,
            scope: Scope {
                unit_ids: vec![unit],
                municipality_ids: vec![],
            },
        },
    )
    .await
    .unwrap();
    Who {
        account_id: Some(id),
        label: email.into(),
    }
}

/// A request for `people` people, three weeks from now.
fn checked(people: i64) -> domain::planning::requests::CheckedRequest {
    let today = navet_store::time::today();
    let w = Week::of(today + chrono::Duration::days(21));
    check_request(
        &RequestDraft {
            participants: people,
            first_week: w.code(),
            times: vec!["dag".into()],
            weekdays: vec!["tue".into()],
            ..Default::default()
        },
        today,
    )
    .unwrap()
}

/// A session of `course` in Kumla in `days` days at 09:00 local time.
async fn session(db: &Db, course: i64, days: i64) -> i64 {
    let d = navet_store::time::today() + chrono::Duration::days(days);
    let input = SessionInput {
        course_id: course,
        parts: vec![(format!("{d}T09:00"), format!("{d}T12:00"))],
        municipality: "Kumla".into(),
        venue: "Vårdcentrum".into(),
        capacity: 12,
        ..Default::default()
    };
    let s = sessions::resolve(db, &input, now()).await.unwrap();
    sessions::create(db, &Who::system("test"), &s)
        .await
        .unwrap()
}

async fn notices_to(db: &Db, email: &str) -> Vec<String> {
    sqlx::query("SELECT body FROM outbox WHERE to_email = $1 AND kind = 'session_request_answered' ORDER BY id")
        .bind(email)
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

both_engines!(
    a_request_planned_as_a_session_tells_the_requester,
    |db: Db| async move {
        let kumla = municipality(&db, "Kumla").await;
        let unit = org::create_unit(
            &db,
            MunicipalityId(kumla),
            "Hemtjänst Norr",
            "aldreomsorg",
            true,
        )
        .await
        .unwrap();
        let course = fixtures::course(&db, "Förflyttningsteknik").await;
        let who = manager(&db, "chef.kumla@test.se", unit).await;
        let id = requests::create(
            &db,
            &who,
            CourseId(course),
            Place {
                municipality_id: kumla,
                unit_id: Some(unit),
            },
            &checked(14),
        )
        .await
        .unwrap();
        let r = requests::get(&db, id).await.unwrap();
        assert_eq!(r.status(), RequestStatus::Open);
        assert_eq!(r.participants, 14);
        assert_eq!(r.unit.as_deref(), Some("Hemtjänst Norr"));
        assert_eq!(r.weekdays_sv(), "tisdag");

        let sid = session(&db, course, 30).await;
        let coord = Who::system("samordnare");
        let rep = requests::answer(
            &db,
            &coord,
            id,
            &AnswerDraft::Planned {
                session_id: Some(sid),
            },
            now(),
        )
        .await
        .unwrap();
        assert_eq!((rep.status, rep.notices), ("planned", 1));
        let r = requests::get(&db, id).await.unwrap();
        assert_eq!(r.session_id, Some(sid));
        assert!(r.answered_at.is_some());
        let told = notices_to(&db, "chef.kumla@test.se").await;
        assert_eq!(told.len(), 1);
        assert!(
            told[0].contains(&format!("/kurstillfallen/{sid}")),
            "{}",
            told[0]
        );
        assert!(told[0].contains("Vårdcentrum"));

        // Answered once: a second answer is a conflict and changes nothing.
        let again = requests::answer(
            &db,
            &coord,
            id,
            &AnswerDraft::Declined {
                reason: "Nej".into(),
            },
            now(),
        )
        .await;
        assert!(
            matches!(again, Err(StoreError::Conflict { .. })),
            "{again:?}"
        );
        assert_eq!(
            requests::get(&db, id).await.unwrap().status,
            domain::planning::requests::RequestStatus::Planned
        );
        assert_eq!(notices_to(&db, "chef.kumla@test.se").await.len(), 1);
    }
);

both_engines!(
    bad_answers_change_nothing_and_name_the_field,
    |db: Db| async move {
        let kumla = municipality(&db, "Kumla").await;
        let unit = org::create_unit(
            &db,
            MunicipalityId(kumla),
            "Gruppboende",
            "funktionsstod",
            true,
        )
        .await
        .unwrap();
        let course = fixtures::course(&db, "HLR").await;
        let other_course = fixtures::course(&db, "Sårvård").await;
        let who = manager(&db, "chef@test.se", unit).await;
        let place = Place {
            municipality_id: kumla,
            unit_id: Some(unit),
        };
        let id = requests::create(&db, &who, CourseId(course), place, &checked(5))
            .await
            .unwrap();
        let wrong = session(&db, other_course, 20).await;
        let coord = Who::system("samordnare");
        for (draft, field) in [
            (
                AnswerDraft::Planned {
                    session_id: Some(wrong),
                },
                "session_id",
            ),
            (
                AnswerDraft::Planned {
                    session_id: Some(999_999),
                },
                "session_id",
            ),
            (
                AnswerDraft::Merged {
                    request_id: Some(id),
                },
                "request_id",
            ),
            (
                AnswerDraft::Declined {
                    reason: "   ".into(),
                },
                "reason",
            ),
        ] {
            match requests::answer(&db, &coord, id, &draft, now()).await {
                Err(StoreError::Invalid(e)) => assert_eq!(e.first().unwrap().field, field),
                other => panic!("{draft:?}: {other:?}"),
            }
        }
        assert_eq!(
            requests::get(&db, id).await.unwrap().status,
            domain::planning::requests::RequestStatus::Open
        );
        assert!(notices_to(&db, "chef@test.se").await.is_empty());

        // A unit of another municipality, a retired course: named fields.
        let orebro = municipality(&db, "Örebro").await;
        let e = requests::create(
            &db,
            &who,
            CourseId(course),
            Place {
                municipality_id: orebro,
                unit_id: Some(unit),
            },
            &checked(5),
        )
        .await;
        match e {
            Err(StoreError::Invalid(e)) => assert_eq!(e.first().unwrap().code, "unit_elsewhere"),
            other => panic!("{other:?}"),
        }
    }
);

both_engines!(
    two_coordinators_answering_at_once_get_one_answer,
    |db: Db| async move {
        let kumla = municipality(&db, "Kumla").await;
        let unit = org::create_unit(
            &db,
            MunicipalityId(kumla),
            "Särskilt boende",
            "aldreomsorg",
            true,
        )
        .await
        .unwrap();
        let course = fixtures::course(&db, "Demens").await;
        let who = manager(&db, "chef2@test.se", unit).await;
        let place = Place {
            municipality_id: kumla,
            unit_id: Some(unit),
        };
        for round in 0..5 {
            let id = requests::create(&db, &who, CourseId(course), place, &checked(3 + round))
                .await
                .unwrap();
            let sid = session(&db, course, 10 + round).await;
            let mut handles = vec![];
            for k in 0..4 {
                let db = db.clone();
                handles.push(tokio::spawn(async move {
                    let draft = if k % 2 == 0 {
                        AnswerDraft::Planned {
                            session_id: Some(sid),
                        }
                    } else {
                        AnswerDraft::Declined {
                            reason: format!("Samordnare {k} avböjer"),
                        }
                    };
                    requests::answer(&db, &Who::system("samordnare"), id, &draft, now()).await
                }));
            }
            let mut ok = 0;
            for h in handles {
                match h.await.unwrap() {
                    Ok(_) => ok += 1,
                    Err(StoreError::Conflict { .. }) => {}
                    Err(e) => panic!("unexpected: {e:?}"),
                }
            }
            assert_eq!(ok, 1, "round {round}");
        }
        // One notice per request, never two.
        assert_eq!(notices_to(&db, "chef2@test.se").await.len(), 5);
    }
);

both_engines!(
    a_merged_request_is_told_when_the_other_is_planned,
    |db: Db| async move {
        let kumla = municipality(&db, "Kumla").await;
        let lekeberg = municipality(&db, "Lekeberg").await;
        let u1 = org::create_unit(&db, MunicipalityId(kumla), "Enhet K", "aldreomsorg", true)
            .await
            .unwrap();
        let u2 = org::create_unit(
            &db,
            MunicipalityId(lekeberg),
            "Enhet L",
            "aldreomsorg",
            true,
        )
        .await
        .unwrap();
        let course = fixtures::course(&db, "Läkemedel").await;
        let k = manager(&db, "k@test.se", u1).await;
        let l = manager(&db, "l@test.se", u2).await;
        let a = requests::create(
            &db,
            &k,
            CourseId(course),
            Place {
                municipality_id: kumla,
                unit_id: Some(u1),
            },
            &checked(6),
        )
        .await
        .unwrap();
        let b = requests::create(
            &db,
            &l,
            CourseId(course),
            Place {
                municipality_id: lekeberg,
                unit_id: Some(u2),
            },
            &checked(5),
        )
        .await
        .unwrap();
        let coord = Who::system("samordnare");
        let rep = requests::answer(
            &db,
            &coord,
            b,
            &AnswerDraft::Merged {
                request_id: Some(a),
            },
            now(),
        )
        .await
        .unwrap();
        assert_eq!(rep.status, "merged");
        assert!(notices_to(&db, "l@test.se").await[0].contains("slagits samman med förfrågan"));
        // A merged request cannot be merged into.
        let c = requests::create(
            &db,
            &k,
            CourseId(course),
            Place {
                municipality_id: kumla,
                unit_id: Some(u1),
            },
            &checked(2),
        )
        .await
        .unwrap();
        assert!(matches!(
            requests::answer(
                &db,
                &coord,
                c,
                &AnswerDraft::Merged {
                    request_id: Some(b)
                },
                now()
            )
            .await,
            Err(StoreError::Invalid(_))
        ));
        let sid = session(&db, course, 40).await;
        let rep = requests::answer(
            &db,
            &coord,
            a,
            &AnswerDraft::Planned {
                session_id: Some(sid),
            },
            now(),
        )
        .await
        .unwrap();
        assert_eq!(rep.notices, 2, "the requester and the one merged into it");
        let l_told = notices_to(&db, "l@test.se").await;
        assert_eq!(l_told.len(), 2);
        assert!(l_told[1].contains(&format!("/kurstillfallen/{sid}")));
    }
);

both_engines!(
    lists_stay_within_the_readers_units_and_pages,
    |db: Db| async move {
        let kumla = municipality(&db, "Kumla").await;
        let orebro = municipality(&db, "Örebro").await;
        let uk = org::create_unit(&db, MunicipalityId(kumla), "K1", "aldreomsorg", true)
            .await
            .unwrap();
        let uo = org::create_unit(&db, MunicipalityId(orebro), "O1", "aldreomsorg", true)
            .await
            .unwrap();
        let course = fixtures::course(&db, "Nutrition").await;
        let k = manager(&db, "mk@test.se", uk).await;
        let o = manager(&db, "mo@test.se", uo).await;
        for _ in 0..3 {
            requests::create(
                &db,
                &k,
                CourseId(course),
                Place {
                    municipality_id: kumla,
                    unit_id: Some(uk),
                },
                &checked(4),
            )
            .await
            .unwrap();
        }
        for _ in 0..(requests::PAGE + 2) {
            requests::create(
                &db,
                &o,
                CourseId(course),
                Place {
                    municipality_id: orebro,
                    unit_id: Some(uo),
                },
                &checked(1),
            )
            .await
            .unwrap();
        }
        let vis = |units: Vec<i64>, role: Role| {
            domain::access::visibility(&Actor {
                account_id: 1,
                role,
                person_id: None,
                scope: Scope {
                    unit_ids: units,
                    municipality_ids: vec![],
                },
            })
        };
        let mine = requests::list(&db, &vis(vec![uk], Role::Manager), &Filter::default())
            .await
            .unwrap();
        assert_eq!(mine.len(), 3);
        assert!(mine.iter().all(|r| r.unit_id == Some(uk)));
        assert!(
            requests::list(&db, &vis(vec![], Role::Participant), &Filter::default())
                .await
                .unwrap()
                .is_empty()
        );
        let all = vis(vec![], Role::Coordinator);
        let first = requests::list(&db, &all, &Filter::default()).await.unwrap();
        assert_eq!(first.len() as i64, requests::PAGE);
        let rest = requests::list(
            &db,
            &all,
            &Filter {
                before_id: first.last().map(|r| r.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(first.len() + rest.len(), 3 + requests::PAGE as usize + 2);
        assert!(rest.iter().all(|r| r.id < first.last().unwrap().id));
    }
);

both_engines!(
    demand_counts_requests_and_interest_per_course_and_municipality,
    |db: Db| async move {
        let kumla = municipality(&db, "Kumla").await;
        let unit = org::create_unit(&db, MunicipalityId(kumla), "K2", "aldreomsorg", true)
            .await
            .unwrap();
        let course = fixtures::course(&db, "Palliativ vård").await;
        let who = manager(&db, "d@test.se", unit).await;
        let place = Place {
            municipality_id: kumla,
            unit_id: Some(unit),
        };
        requests::create(&db, &who, CourseId(course), place, &checked(10))
            .await
            .unwrap();
        let answered = requests::create(&db, &who, CourseId(course), place, &checked(7))
            .await
            .unwrap();
        requests::create(&db, &who, CourseId(course), place, &checked(5))
            .await
            .unwrap();
        requests::answer(
            &db,
            &Who::system("s"),
            answered,
            &AnswerDraft::Declined {
                reason: "Dubblett".into(),
            },
            now(),
        )
        .await
        .unwrap();
        let anna = fixtures::person(&db, "Anna", "Kumla").await;
        let bo = fixtures::person(&db, "Bo", "Örebro").await;
        let w = Who::system("t");
        interest::register(&db, &w, CourseId(course), PersonId(anna), 3)
            .await
            .unwrap();
        // Registering again changes the count, it does not add a row.
        interest::register(&db, &w, CourseId(course), PersonId(anna), 4)
            .await
            .unwrap();
        interest::register(&db, &w, CourseId(course), PersonId(bo), 1)
            .await
            .unwrap();
        assert_eq!(
            interest::of_person(&db, CourseId(course), PersonId(anna))
                .await
                .unwrap(),
            Some(4)
        );
        assert!(matches!(
            interest::register(&db, &w, CourseId(course), PersonId(bo), 0).await,
            Err(StoreError::Invalid(_))
        ));
        session(&db, course, 14).await;
        let d = interest::demand(&db, now()).await.unwrap();
        let k = d
            .iter()
            .find(|x| x.course_id == course && x.municipality == "Kumla")
            .unwrap();
        assert_eq!(
            (
                k.open_requests,
                k.requested_people,
                k.interested_people,
                k.coming_sessions
            ),
            (2, 15, 4, 1)
        );
        let o = d
            .iter()
            .find(|x| x.course_id == course && x.municipality == "Örebro")
            .unwrap();
        assert_eq!((o.open_requests, o.interested_people), (0, 1));
        // The largest demand first.
        assert_eq!(d[0].municipality, "Kumla");
        assert!(interest::withdraw(&db, &w, CourseId(course), PersonId(bo))
            .await
            .unwrap());
        assert!(!interest::withdraw(&db, &w, CourseId(course), PersonId(bo))
            .await
            .unwrap());
        let d = interest::demand(&db, now() + DAY).await.unwrap();
        assert!(!d.iter().any(|x| x.municipality == "Örebro"));
    }
);
