//! Minimum numbers and the go/no-go date on SQLite and PostgreSQL: a
//! session under its minimum shows from its decision date (not before),
//! not once enough are booked, with the course's other sessions that have
//! room; bad minimums and dates are refused naming the field.

use chrono::Duration;
use domain::ids::SessionId;
use domain::planning::go_no_go::MinimumDraft;
use navet_store::audit::Who;
use navet_store::bookings::{self, BookRequest, Via};
use navet_store::planning::go_no_go;
use navet_store::sessions::{self, SessionInput};
use navet_store::testing::fixtures;
use navet_store::{both_engines, Db, StoreError};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A session of `course` in `days` days at 09:00 local time.
async fn session(db: &Db, course: i64, days: i64, capacity: i64) -> i64 {
    let d = navet_store::time::today() + Duration::days(days);
    let input = SessionInput {
        course_id: course,
        parts: vec![(format!("{d}T09:00"), format!("{d}T12:00"))],
        municipality: "Hallsberg".into(),
        venue: "Sal 2".into(),
        capacity,
        ..Default::default()
    };
    let s = sessions::resolve(db, &input, now()).await.unwrap();
    sessions::create(db, &Who::system("test"), &s)
        .await
        .unwrap()
}

fn draft(min: &str, on: &str) -> MinimumDraft {
    MinimumDraft {
        min_participants: min.into(),
        decision_on: on.into(),
    }
}

both_engines!(
    under_the_minimum_from_the_decision_date,
    |db: Db| async move {
        let who = Who::system("samordnare");
        let today = navet_store::time::today();
        let course = fixtures::course(&db, "Diabetes").await;
        let s = session(&db, course, 20, 12).await;
        let other = session(&db, course, 34, 12).await;
        let small = session(&db, course, 41, 1).await;
        let decision = today + Duration::days(5);
        let m = go_no_go::set_minimum(
            &db,
            &who,
            SessionId(s),
            &draft("3", &decision.to_string()),
            today,
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!((m.min_participants, m.decision_on), (3, decision));
        assert_eq!(
            go_no_go::minimum_of(&db, SessionId(s)).await.unwrap(),
            Some(m)
        );
        assert_eq!(
            go_no_go::due_count(&db, today, now()).await.unwrap(),
            0,
            "not yet"
        );
        let at = today + Duration::days(5);
        assert_eq!(go_no_go::due_count(&db, at, now()).await.unwrap(), 1);
        for i in 0..2 {
            let p = fixtures::person(&db, &format!("Deltagare{i}"), "Hallsberg").await;
            bookings::book(
                &db,
                &BookRequest {
                    session_id: s,
                    person_id: p,
                    who: who.clone(),
                    via: Via::Coordinator,
                    support_needs: String::new(),
                    hold_id: None,
                },
            )
            .await
            .unwrap();
        }
        let due = go_no_go::due(&db, at, now()).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(
            (due[0].session_id, due[0].booked, due[0].min_participants),
            (s, 2, 3)
        );
        // The other session has room for both; the one-seat session has not.
        let alts: Vec<i64> = due[0].alternatives.iter().map(|a| a.session_id).collect();
        assert_eq!(alts, vec![other]);
        assert!(!alts.contains(&small));
        // A third booking reaches the minimum.
        let p = fixtures::person(&db, "Deltagare3", "Hallsberg").await;
        bookings::book(
            &db,
            &BookRequest {
                session_id: s,
                person_id: p,
                who: who.clone(),
                via: Via::Coordinator,
                support_needs: String::new(),
                hold_id: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(go_no_go::due_count(&db, at, now()).await.unwrap(), 0);
        // Cleared: no longer watched.
        assert_eq!(
            go_no_go::set_minimum(&db, &who, SessionId(s), &draft("", ""), today)
                .await
                .unwrap(),
            None
        );
        assert_eq!(go_no_go::minimum_of(&db, SessionId(s)).await.unwrap(), None);
        // A cancelled session is not due either.
        go_no_go::set_minimum(&db, &who, SessionId(other), &draft("5", ""), today)
            .await
            .unwrap();
        let late = today + Duration::days(33);
        assert_eq!(go_no_go::due_count(&db, late, now()).await.unwrap(), 1);
        bookings::cancel_session(&db, &who, SessionId(other), "För få anmälda")
            .await
            .unwrap();
        assert_eq!(go_no_go::due_count(&db, late, now()).await.unwrap(), 0);
    }
);

both_engines!(
    bad_minimums_and_dates_are_refused_and_change_nothing,
    |db: Db| async move {
        let who = Who::system("samordnare");
        let today = navet_store::time::today();
        let course = fixtures::course(&db, "Hygien").await;
        let s = session(&db, course, 10, 8).await;
        let start = (today + Duration::days(10)).to_string();
        let yesterday = (today - Duration::days(1)).to_string();
        for (d, field) in [
            (draft("9", ""), "min_participants"),
            (draft("-1", ""), "min_participants"),
            (draft("9223372036854775808", ""), "min_participants"),
            (draft("4", &start), "decision_on"),
            (draft("4", &yesterday), "decision_on"),
            (draft("4", "<script>"), "decision_on"),
            (draft("", &start), "min_participants"),
        ] {
            match go_no_go::set_minimum(&db, &who, SessionId(s), &d, today).await {
                Err(StoreError::Invalid(e)) => assert_eq!(e.first().unwrap().field, field, "{d:?}"),
                other => panic!("{d:?}: {other:?}"),
            }
        }
        assert_eq!(go_no_go::minimum_of(&db, SessionId(s)).await.unwrap(), None);
        assert!(matches!(
            go_no_go::set_minimum(&db, &who, SessionId(999_999), &draft("2", ""), today).await,
            Err(StoreError::NotFound(_))
        ));
    }
);
