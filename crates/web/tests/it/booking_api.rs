//! The booking part of the JSON API, exactly as CONTRACTS.md writes it,
//! on both engines: one small test per behaviour, each on its own scene.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TestApp, User};
use navet_store::audit::Who;
use navet_store::people::{self, PersonInput};
use navet_store::{both_engines, Db};
use serde_json::{json, Value};

/// Call the API; the body as JSON (`null` when there is none).
async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    user: Option<&User>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(u) = user {
        b = b.header("authorization", format!("Bearer {}", u.token));
    }
    let req = b
        .body(Body::from(body.map(|v| v.to_string()).unwrap_or_default()))
        .unwrap();
    let r = app.send(req).await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

async fn person(db: &Db, email: &str, municipality: &str) -> i64 {
    let p = people::resolve(
        db,
        &PersonInput {
            name: format!("Person {email}"),
            email: email.into(),
            gender: "kvinna".into(),
            role: "undersköterska".into(),
            municipality: municipality.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    people::create(db, &Who::system("test"), &p, false)
        .await
        .unwrap()
}

fn at(days: i64, hour: i64) -> String {
    let t = chrono::Utc::now().timestamp() / 86_400 * 86_400 + days * 86_400 + hour * 3600;
    chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339()
}

fn course_body() -> Value {
    json!({"title": "HLR", "level": "bas", "format": "simulering", "hours": 3, "status": "aktiv"})
}

/// A session of 2 seats in Örebro, one of them Karlskoga's until release.
fn session_body(course_id: i64) -> Value {
    json!({"course_id": course_id, "starts_at": at(10, 9), "ends_at": at(10, 12), "municipality": "Örebro", "venue": "Aulan", "capacity": 2,
        "quotas": [{"municipality": "Karlskoga", "seats": 1, "release_at": at(5, 0)}]})
}

/// A coordinator, Anna (Örebro, with her own account), Bo (Karlskoga) and
/// Cia (Kumla); a course; after `with_session`, a session.
struct Scene {
    app: TestApp,
    coord: User,
    anna: User,
    anna_id: i64,
    bo_id: i64,
    cia_id: i64,
    course_id: i64,
    sid: i64,
}

impl Scene {
    async fn new(db: Db) -> Scene {
        let app = TestApp::new(db.clone());
        let coord = app.coordinator().email("coord@x.se").await;
        let anna_id = person(&db, "anna@x.se", "Örebro").await;
        let bo_id = person(&db, "bo@x.se", "Karlskoga").await;
        let cia_id = person(&db, "cia@x.se", "Kumla").await;
        let anna = app.participant(anna_id).email("anna@x.se").await;
        let (st, c) = call(
            &app,
            "POST",
            "/api/v1/courses",
            Some(&coord),
            Some(course_body()),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
        let course_id = c["id"].as_i64().unwrap();
        Scene {
            app,
            coord,
            anna,
            anna_id,
            bo_id,
            cia_id,
            course_id,
            sid: 0,
        }
    }

    async fn with_session(db: Db) -> Scene {
        let mut s = Scene::new(db).await;
        let (st, v) = s
            .call(
                "POST",
                "/api/v1/sessions",
                Some(&s.coord),
                Some(session_body(s.course_id)),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        s.sid = v["id"].as_i64().unwrap();
        s
    }

    /// Anna books herself (booked), the coordinator books Cia (waiting
    /// list: Kumla has only the one unreserved seat) and Bo (Karlskoga's
    /// quota seat). Returns the three answers.
    async fn booked(db: Db) -> (Scene, [Value; 3]) {
        let s = Scene::with_session(db).await;
        let path = s.bookings_path();
        let mut out = vec![];
        for (who, pid) in [
            (&s.anna, s.anna_id),
            (&s.coord, s.cia_id),
            (&s.coord, s.bo_id),
        ] {
            let (st, b) = s
                .call("POST", &path, Some(who), Some(json!({"person_id": pid})))
                .await;
            assert_eq!(st, StatusCode::CREATED, "{b}");
            out.push(b);
        }
        (s, out.try_into().unwrap())
    }

    fn bookings_path(&self) -> String {
        format!("/api/v1/sessions/{}/bookings", self.sid)
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        user: Option<&User>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        call(&self.app, method, path, user, body).await
    }
}

both_engines!(only_coordinators_create_courses, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let coord = app.coordinator().email("coord@x.se").await;
    let anna_id = person(&db, "anna@x.se", "Örebro").await;
    let anna = app.participant(anna_id).email("anna@x.se").await;

    // Courses: only coordinators and admins create; 201 with the course.
    let course = course_body();
    let (st, _) = call(
        &app,
        "POST",
        "/api/v1/courses",
        Some(&anna),
        Some(course.clone()),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, c) = call(&app, "POST", "/api/v1/courses", Some(&coord), Some(course)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert_eq!(c["status"], "aktiv");
    let (st, _) = call(&app, "GET", "/api/v1/courses", None, None).await;
    assert_eq!(st, StatusCode::OK);
});

both_engines!(
    bad_session_input_names_the_field_and_changes_nothing,
    |db: Db| async move {
        let s = Scene::new(db).await;
        let bad = json!({"course_id": s.course_id, "starts_at": at(10, 9), "ends_at": at(10, 8), "municipality": "Örebro", "venue": "A", "capacity": 2});
        let (st, e) = s
            .call("POST", "/api/v1/sessions", Some(&s.coord), Some(bad))
            .await;
        assert_eq!(
            (st, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("ends_at")),
            "{e}"
        );
        let bad = json!({"course_id": s.course_id, "starts_at": at(10, 9), "ends_at": at(10, 12), "municipality": "Örebro", "venue": "A", "capacity": 2,
            "quotas": [{"municipality": "Karlskoga", "seats": 3, "release_at": at(5, 0)}]});
        let (st, e) = s
            .call("POST", "/api/v1/sessions", Some(&s.coord), Some(bad))
            .await;
        assert_eq!(
            (st, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("quotas")),
            "{e}"
        );
        let (st, list) = s.call("GET", "/api/v1/sessions", None, None).await;
        assert_eq!((st, list.as_array().unwrap().len()), (StatusCode::OK, 0));
    }
);

both_engines!(only_coordinators_schedule_sessions, |db: Db| async move {
    let s = Scene::new(db).await;
    let good = session_body(s.course_id);
    let (st, _) = s
        .call(
            "POST",
            "/api/v1/sessions",
            Some(&s.anna),
            Some(good.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, v) = s
        .call("POST", "/api/v1/sessions", Some(&s.coord), Some(good))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert!(v["id"].as_i64().is_some(), "{v}");
});

both_engines!(
    a_person_books_themself_but_not_others,
    |db: Db| async move {
        let s = Scene::with_session(db).await;
        let path = s.bookings_path();
        // Bookings: the person themself; someone else is 403; nobody is 401.
        let (st, _) = s
            .call("POST", &path, None, Some(json!({"person_id": s.anna_id})))
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let (st, _) = s
            .call(
                "POST",
                &path,
                Some(&s.anna),
                Some(json!({"person_id": s.bo_id})),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, b1) = s
            .call(
                "POST",
                &path,
                Some(&s.anna),
                Some(json!({"person_id": s.anna_id})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        assert_eq!(
            (b1["status"].as_str(), b1["waitlist_position"].as_i64()),
            (Some("booked"), None)
        );
    }
);

both_engines!(
    a_full_session_waitlists_but_keeps_the_quota_seat,
    |db: Db| async move {
        let (_, [_, b2, b3]) = Scene::booked(db).await;
        // Kumla has only the one unreserved seat, now taken: waiting list.
        assert_eq!(
            (b2["status"].as_str(), b2["waitlist_position"].as_i64()),
            (Some("waitlisted"), Some(1))
        );
        // Karlskoga's quota seat.
        assert_eq!(b3["status"].as_str(), Some("booked"));
    }
);

both_engines!(
    booking_errors_answer_with_their_status,
    |db: Db| async move {
        let (s, _) = Scene::booked(db).await;
        let path = s.bookings_path();
        // Twice: 409. Unknown person: 422. Unknown session: 404. Bad JSON: 400.
        let (st, e) = s
            .call(
                "POST",
                &path,
                Some(&s.anna),
                Some(json!({"person_id": s.anna_id})),
            )
            .await;
        assert_eq!(
            (st, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("person_id"))
        );
        let (st, e) = s
            .call(
                "POST",
                &path,
                Some(&s.coord),
                Some(json!({"person_id": 999_999})),
            )
            .await;
        assert_eq!(
            (st, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("person_id"))
        );
        let (st, _) = s
            .call(
                "POST",
                "/api/v1/sessions/999999/bookings",
                Some(&s.coord),
                Some(json!({"person_id": s.anna_id})),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .call("POST", &path, Some(&s.coord), Some(json!({"who": 1})))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
    }
);

both_engines!(a_session_counts_its_seats_and_quotas, |db: Db| async move {
    let (s, _) = Scene::booked(db).await;
    let (st, v) = s
        .call("GET", &format!("/api/v1/sessions/{}", s.sid), None, None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        (
            v["capacity"].as_i64(),
            v["booked"].as_i64(),
            v["waitlisted"].as_i64()
        ),
        (Some(2), Some(2), Some(1))
    );
    assert_eq!(v["quotas"][0]["municipality"], "Karlskoga");
    assert_eq!(
        (
            v["quotas"][0]["seats"].as_i64(),
            v["quotas"][0]["booked"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(v["status"], "full");
});

both_engines!(
    only_coordinators_list_a_sessions_bookings,
    |db: Db| async move {
        let (s, _) = Scene::booked(db).await;
        let path = s.bookings_path();
        // The list of bookings: coordinators yes, participants no.
        let (st, _) = s.call("GET", &path, Some(&s.anna), None).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, rows) = s.call("GET", &path, Some(&s.coord), None).await;
        assert_eq!(st, StatusCode::OK);
        let rows = rows.as_array().unwrap().clone();
        assert_eq!(rows.len(), 3);
        for r in &rows {
            for k in ["id", "person_id", "status", "waitlist_position"] {
                assert!(r.get(k).is_some(), "{k} missing in {r}");
            }
        }
    }
);

both_engines!(
    cancelling_promotes_the_waiting_person_at_once,
    |db: Db| async move {
        let (s, [b1, b2, _]) = Scene::booked(db).await;
        let b1_id = b1["id"].as_i64().unwrap();
        let other = s.app.participant(s.bo_id).email("other@x.se").await;
        let (st, _) = s
            .call(
                "DELETE",
                &format!("/api/v1/bookings/{b1_id}"),
                Some(&other),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, r) = s
            .call(
                "DELETE",
                &format!("/api/v1/bookings/{b1_id}"),
                Some(&s.anna),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(r["status"], "cancelled");
        assert_eq!(r["promoted_booking_id"].as_i64(), b2["id"].as_i64());
        let (st, _) = s
            .call(
                "DELETE",
                &format!("/api/v1/bookings/{b1_id}"),
                Some(&s.anna),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        let (st, _) = s
            .call("DELETE", "/api/v1/bookings/999999", Some(&s.anna), None)
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, v) = s
            .call("GET", &format!("/api/v1/sessions/{}", s.sid), None, None)
            .await;
        assert_eq!(
            (v["booked"].as_i64(), v["waitlisted"].as_i64()),
            (Some(2), Some(0))
        );
    }
);

both_engines!(every_booking_change_queues_a_notice, |db: Db| async move {
    let (s, [b1, _, _]) = Scene::booked(db.clone()).await;
    let b1_id = b1["id"].as_i64().unwrap();
    let (st, _) = s
        .call(
            "DELETE",
            &format!("/api/v1/bookings/{b1_id}"),
            Some(&s.anna),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // Three bookings, a cancellation and a promotion.
    let (_, n) = navet_store::outbox::list(
        &db,
        &navet_store::outbox::Filter {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(n, 5);
});

both_engines!(
    the_openapi_document_lists_the_booking_paths,
    |db: Db| async move {
        let app = TestApp::new(db);
        let (_, doc) = call(&app, "GET", "/api/v1/openapi.json", None, None).await;
        assert!(doc["paths"]["/api/v1/sessions/{id}/bookings"]["post"].is_object());
        assert!(doc["paths"]["/api/v1/bookings/{id}"]["delete"].is_object());
    }
);
