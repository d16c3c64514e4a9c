//! The synthetic national data set, at a small size, on both engines:
//! every part is there, hangs together (people in units of their own
//! municipality, sessions taught by a trainer of the course, certificates
//! for attended bookings) and a second run is refused.

use navet_store::national_data::{self, Size};
use navet_store::{both_engines, seed, Db};

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

both_engines!(
    small_national_data_set_hangs_together,
    |db: Db| async move {
        seed::load_courses(&db).await.unwrap();
        let size = Size::small();
        let steps = std::sync::Mutex::new(vec![]);
        national_data::generate(&db, &size, |s| steps.lock().unwrap().push(s.to_string()))
            .await
            .unwrap();
        assert!(steps.lock().unwrap().len() >= 10);
        let counts: std::collections::BTreeMap<_, _> = national_data::counts(&db)
            .await
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(counts["municipalities"], size.municipalities);
        let units = size.municipalities * size.units_per_municipality;
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM units WHERE name LIKE 'Syntetisk enhet %'"
            )
            .await,
            units
        );
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM people WHERE synthetic = 1").await,
            size.people
        );
        // Every generated person is in a unit of their own municipality.
        assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM people p JOIN units u ON u.id = p.unit_id AND u.municipality_id = p.municipality_id \
             WHERE p.synthetic = 1"
        )
        .await,
        size.people
    );
        // One manager per unit, scoped to it.
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM accounts a JOIN account_scopes s ON s.account_id = a.id \
             WHERE a.role = 'manager' AND a.email LIKE 'chef%@nationell.invalid'"
            )
            .await,
            units
        );
        assert_eq!(counts["trainers"], size.people / size.trainer_every);
        // Every session has one trainer, and that trainer teaches its course.
        let sessions = size.sessions + size.coming_sessions;
        assert_eq!(counts["sessions"], sessions);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM sessions s JOIN session_trainers st ON st.session_id = s.id \
             JOIN trainer_courses tc ON tc.person_id = st.person_id AND tc.course_id = s.course_id"
            )
            .await,
            sessions
        );
        assert_eq!(
            counts["bookings"],
            size.bookings() + size.coming_sessions * 10
        );
        // No one is booked twice on a session.
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM (SELECT DISTINCT session_id, person_id FROM bookings) d"
            )
            .await,
            counts["bookings"]
        );
        // A certificate for every attended booking, and only those.
        assert_eq!(
            counts["completions"],
            count(
                &db,
                "SELECT COUNT(*) FROM bookings WHERE status = 'attended'"
            )
            .await
        );
        assert!(counts["completions"] > 0);
        assert_eq!(counts["attendance_facts"], counts["completions"]);
        let roles = count(&db, "SELECT COUNT(*) FROM roles").await;
        assert_eq!(counts["tracks"], roles);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM track_items").await,
            roles * 6
        );
        assert!(counts["requirements"] >= roles * 5, "{counts:?}");
        assert!(counts["survey_invitations"] > 0);
        assert!(counts["survey_responses"] > 0);
        assert!(
            count(&db, "SELECT COUNT(*) FROM survey_answers").await > counts["survey_responses"]
        );
        assert_eq!(counts["outbox"], size.outbox);
        assert_eq!(counts["funding_programmes"], 1);
        // Swedish names with å, ä and ö to sort and search.
        assert!(count(&db, "SELECT COUNT(*) FROM people WHERE name LIKE 'Åsa %'").await > 0);
        // The benchmark finds people to sign in as.
        let s = national_data::sample(&db).await.unwrap();
        assert!(s.participant.is_some() && s.trainer.is_some() && s.unit.is_some());
        // Only into an empty database.
        let again = national_data::generate(&db, &size, |_| {}).await;
        assert!(again.is_err());
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM people WHERE synthetic = 1").await,
            size.people
        );
    }
);
