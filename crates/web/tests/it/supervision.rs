//! Nothing stops silently: a panic injected in a handler, the booking
//! writer, the outbox delivery loop or the minute sweep is answered or
//! restarted, and booking goes on working afterwards. On both engines.

use crate::common;
use domain::ids::{MunicipalityId, SessionId, UnitId};

use std::time::Duration;

use axum::http::StatusCode;
use common::TestApp;
use domain::access::Role;
use domain::booking::BookingStatus;
use navet_store::audit::Who;
use navet_store::sessions::{self, SessionInput};
use navet_store::testing::fixtures::{self, person};
use navet_store::{bookings, both_engines, faults, org, Db};
use navet_web::notify::{self, Intervals};
use navet_web::{AppState, Config};
use serde_json::json;

fn rfc(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap()
        .to_rfc3339()
}

/// A session of the given capacity in Örebro in ten days.
async fn session(db: &Db, capacity: i64) -> i64 {
    let course = fixtures::course(db, "HLR").await;
    let start = chrono::Utc::now().timestamp() + 10 * 86_400;
    let input = SessionInput {
        course_id: course,
        parts: vec![(rfc(start), rfc(start + 3 * 3600))],
        municipality: "Örebro".into(),
        venue: "Aulan".into(),
        capacity,
        ..Default::default()
    };
    let s = sessions::resolve(db, &input, chrono::Utc::now().timestamp())
        .await
        .unwrap();
    sessions::create(db, &Who::system("test"), &s)
        .await
        .unwrap()
}

/// Book through the API (and so through the booking writer); within ten
/// seconds or the test fails: a failure must be an answer, not a hang.
async fn book(app: &TestApp, token: &str, session_id: i64, person_id: i64) -> common::Resp {
    tokio::time::timeout(
        Duration::from_secs(10),
        app.post_json(
            &format!("/api/v1/sessions/{session_id}/bookings"),
            Some(token),
            &json!({ "person_id": person_id }),
        ),
    )
    .await
    .expect("a booking request is answered, never left hanging")
}

/// Wait up to ten seconds for `check` to hold.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// An app whose background loops run every 50 ms, with notices written
/// as files to `outbox`.
fn app_with_loops(db: &Db, outbox: Option<std::path::PathBuf>) -> TestApp {
    let state = AppState::new(
        db.clone(),
        Config {
            outbox_dir: outbox,
            ..Config::default()
        },
    );
    notify::start_with(
        &state,
        Intervals {
            delivery: Duration::from_millis(50),
            sweep: Duration::from_millis(50),
        },
    )
    .unwrap();
    TestApp::from_state(state)
}

both_engines!(
    a_panicking_handler_answers_500_and_the_server_lives_on,
    |db: Db| async move {
        let app = TestApp::new(db.clone());

        faults::arm(&db, "api.courses", 1);
        let r = app.get("/api/v1/courses", None).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(r.json()["error"].as_str().unwrap().contains("Internt fel"));
        assert_eq!(
            app.get("/api/v1/courses", None).await.status,
            StatusCode::OK
        );

        faults::arm(&db, "page.catalogue", 1);
        let r = app.page("GET", "/kurser", "", None).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(r.body.contains("Något gick fel"), "{}", r.body);
        assert_eq!(
            app.page("GET", "/kurser", "", None).await.status,
            StatusCode::OK
        );

        // And booking works.
        let coord = app.token(Role::Coordinator).await;
        let s = session(&db, 4).await;
        let anna = person(&db, "Anna", "Örebro").await;
        let r = book(&app, &coord, s, anna).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
);

both_engines!(
    a_panic_in_the_booking_writer_fails_only_its_batch,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let coord = app.token(Role::Coordinator).await;
        let s = session(&db, 4).await;
        let anna = person(&db, "Anna", "Örebro").await;
        let bo = person(&db, "Bo", "Örebro").await;

        faults::arm(&db, "bookings.writer", 1);
        let r = book(&app, &coord, s, anna).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
        assert_eq!(faults::pending(&db, "bookings.writer"), 0);
        // Nothing was written for the failed batch.
        assert!(bookings::for_session(&db, SessionId(s))
            .await
            .unwrap()
            .is_empty());

        // The writer was restarted on the same queue: later bookings work,
        // also for the person whose request failed.
        for p in [anna, bo] {
            let r = book(&app, &coord, s, p).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            assert_eq!(r.json()["status"], "booked");
        }
    }
);

both_engines!(
    a_panic_in_outbox_delivery_restarts_the_loop,
    |db: Db| async move {
        let dir = std::env::temp_dir().join(format!(
            "navet_outbox_{}_{}",
            std::process::id(),
            &navet_store::accounts::new_secret()[..8]
        ));
        faults::arm(&db, "outbox.delivery", 2);
        let app = app_with_loops(&db, Some(dir.clone()));
        let coord = app.token(Role::Coordinator).await;
        let s = session(&db, 4).await;
        let anna = person(&db, "Anna", "Örebro").await;

        eventually("both injected panics", || async {
            faults::pending(&db, "outbox.delivery") == 0
        })
        .await;
        let r = book(&app, &coord, s, anna).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // The confirmation is delivered by the restarted loop.
        eventually("the confirmation written to the outbox folder", || async {
            std::fs::read_dir(&dir)
                .map(|d| d.count() > 0)
                .unwrap_or(false)
        })
        .await;
        let _ = std::fs::remove_dir_all(&dir);
    }
);

both_engines!(a_panic_in_the_sweep_restarts_it, |db: Db| async move {
    faults::arm(&db, "sweep", 2);
    let app = app_with_loops(&db, None);
    let coord = app.token(Role::Coordinator).await;
    // One seat, reserved for a unit; Bo waits for it.
    let s = session(&db, 1).await;
    let m = org::municipality_by_name(&db, "Örebro")
        .await
        .unwrap()
        .unwrap()
        .id;
    let unit = org::create_unit(
        &db,
        MunicipalityId(m),
        "Hemtjänsten Norr",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    let hold = bookings::reserve(
        &db,
        &Who::system("test"),
        SessionId(s),
        UnitId(unit),
        1,
        chrono::Utc::now().timestamp() + 86_400,
    )
    .await
    .unwrap();
    let bo = person(&db, "Bo", "Örebro").await;
    let r = book(&app, &coord, s, bo).await;
    assert_eq!(r.json()["status"], "waitlisted", "{}", r.body);

    eventually("both injected panics", || async {
        faults::pending(&db, "sweep") == 0
    })
    .await;
    // The reservation lapses: the restarted sweep gives Bo the seat.
    sqlx::query("UPDATE session_holds SET expires_at = $1 WHERE id = $2")
        .bind(chrono::Utc::now().timestamp() - 1)
        .bind(hold)
        .execute(db.writer())
        .await
        .unwrap();
    eventually("Bo promoted by the sweep", || async {
        bookings::for_session(&db, SessionId(s))
            .await
            .unwrap()
            .iter()
            .any(|b| b.person_id == bo && b.status() == BookingStatus::Booked)
    })
    .await;

    // And booking works.
    let s2 = session(&db, 4).await;
    let cia = person(&db, "Cia", "Örebro").await;
    let r = book(&app, &coord, s2, cia).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
});
