//! The booking part of the JSON API, exactly as CONTRACTS.md writes it,
//! on both engines.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::access::{Role, Scope};
use http_body_util::BodyExt;
use navet_store::accounts::{self, NewAccount};
use navet_store::audit::Who;
use navet_store::people::{self, PersonInput};
use navet_store::{both_engines, Db};
use navet_web::{AppState, Config};
use serde_json::{json, Value};
use tower::ServiceExt;

struct Client {
    app: axum::Router,
}

impl Client {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json");
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        let req = b
            .body(Body::from(body.map(|v| v.to_string()).unwrap_or_default()))
            .unwrap();
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
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

async fn token(db: &Db, email: &str, role: Role, person_id: Option<i64>) -> String {
    let id = accounts::create(
        db,
        &Who::system("test"),
        &NewAccount {
            email: email.into(),
            display_name: email.into(),
            role,
            password_hash: None,
            person_id,
            scope: Scope::default(),
        },
    )
    .await
    .unwrap();
    accounts::create_token(db, &Who::system("test"), id, "test")
        .await
        .unwrap()
}

fn at(days: i64, hour: i64) -> String {
    let t = chrono::Utc::now().timestamp() / 86_400 * 86_400 + days * 86_400 + hour * 3600;
    chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339()
}

both_engines!(booking_api_follows_the_contract, |db: Db| async move {
    let client = Client {
        app: navet_web::app(AppState::new(db.clone(), Config::default())),
    };
    let coord = token(&db, "coord@x.se", Role::Coordinator, None).await;
    let anna_id = person(&db, "anna@x.se", "Örebro").await;
    let bo_id = person(&db, "bo@x.se", "Karlskoga").await;
    let cia_id = person(&db, "cia@x.se", "Kumla").await;
    let anna = token(&db, "anna@x.se", Role::Participant, Some(anna_id)).await;

    // Courses: only coordinators and admins create; 201 with the course.
    let course = json!({"title": "HLR", "level": "bas", "format": "simulering", "hours": 3, "status": "aktiv"});
    let (st, _) = client
        .call("POST", "/api/v1/courses", Some(&anna), Some(course.clone()))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, c) = client
        .call("POST", "/api/v1/courses", Some(&coord), Some(course))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let course_id = c["id"].as_i64().unwrap();
    assert_eq!(c["status"], "aktiv");
    let (st, _) = client.call("GET", "/api/v1/courses", None, None).await;
    assert_eq!(st, StatusCode::OK);

    // Sessions: bad input names the field, changes nothing.
    let bad = json!({"course_id": course_id, "starts_at": at(10, 9), "ends_at": at(10, 8), "municipality": "Örebro", "venue": "A", "capacity": 2});
    let (st, e) = client
        .call("POST", "/api/v1/sessions", Some(&coord), Some(bad))
        .await;
    assert_eq!(
        (st, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("ends_at")),
        "{e}"
    );
    let bad = json!({"course_id": course_id, "starts_at": at(10, 9), "ends_at": at(10, 12), "municipality": "Örebro", "venue": "A", "capacity": 2,
        "quotas": [{"municipality": "Karlskoga", "seats": 3, "release_at": at(5, 0)}]});
    let (st, e) = client
        .call("POST", "/api/v1/sessions", Some(&coord), Some(bad))
        .await;
    assert_eq!(
        (st, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("quotas")),
        "{e}"
    );
    let (st, list) = client.call("GET", "/api/v1/sessions", None, None).await;
    assert_eq!((st, list.as_array().unwrap().len()), (StatusCode::OK, 0));

    let good = json!({"course_id": course_id, "starts_at": at(10, 9), "ends_at": at(10, 12), "municipality": "Örebro", "venue": "Aulan", "capacity": 2,
        "quotas": [{"municipality": "Karlskoga", "seats": 1, "release_at": at(5, 0)}]});
    let (st, _) = client
        .call("POST", "/api/v1/sessions", Some(&anna), Some(good.clone()))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, s) = client
        .call("POST", "/api/v1/sessions", Some(&coord), Some(good))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{s}");
    let sid = s["id"].as_i64().unwrap();
    let path = format!("/api/v1/sessions/{sid}/bookings");

    // Bookings: the person themself; someone else is 403; nobody is 401.
    let (st, _) = client
        .call("POST", &path, None, Some(json!({"person_id": anna_id})))
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = client
        .call(
            "POST",
            &path,
            Some(&anna),
            Some(json!({"person_id": bo_id})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, b1) = client
        .call(
            "POST",
            &path,
            Some(&anna),
            Some(json!({"person_id": anna_id})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(
        (b1["status"].as_str(), b1["waitlist_position"].as_i64()),
        (Some("booked"), None)
    );
    // Kumla has only the one unreserved seat, now taken: waiting list.
    let (st, b2) = client
        .call(
            "POST",
            &path,
            Some(&coord),
            Some(json!({"person_id": cia_id})),
        )
        .await;
    assert_eq!(
        (st, b2["status"].as_str(), b2["waitlist_position"].as_i64()),
        (StatusCode::CREATED, Some("waitlisted"), Some(1))
    );
    // Karlskoga's quota seat.
    let (st, b3) = client
        .call(
            "POST",
            &path,
            Some(&coord),
            Some(json!({"person_id": bo_id})),
        )
        .await;
    assert_eq!(
        (st, b3["status"].as_str()),
        (StatusCode::CREATED, Some("booked"))
    );
    // Twice: 409. Unknown person: 422. Unknown session: 404. Bad JSON: 400.
    let (st, e) = client
        .call(
            "POST",
            &path,
            Some(&anna),
            Some(json!({"person_id": anna_id})),
        )
        .await;
    assert_eq!(
        (st, e["field"].as_str()),
        (StatusCode::CONFLICT, Some("person_id"))
    );
    let (st, e) = client
        .call(
            "POST",
            &path,
            Some(&coord),
            Some(json!({"person_id": 999_999})),
        )
        .await;
    assert_eq!(
        (st, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("person_id"))
    );
    let (st, _) = client
        .call(
            "POST",
            "/api/v1/sessions/999999/bookings",
            Some(&coord),
            Some(json!({"person_id": anna_id})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = client
        .call("POST", &path, Some(&coord), Some(json!({"who": 1})))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    let (st, v) = client
        .call("GET", &format!("/api/v1/sessions/{sid}"), None, None)
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

    // The list of bookings: coordinators yes, participants no.
    let (st, _) = client.call("GET", &path, Some(&anna), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, rows) = client.call("GET", &path, Some(&coord), None).await;
    assert_eq!(st, StatusCode::OK);
    let rows = rows.as_array().unwrap().clone();
    assert_eq!(rows.len(), 3);
    for r in &rows {
        for k in ["id", "person_id", "status", "waitlist_position"] {
            assert!(r.get(k).is_some(), "{k} missing in {r}");
        }
    }

    // Cancelling promotes the waiting person at once.
    let b1_id = b1["id"].as_i64().unwrap();
    let (st, _) = client
        .call(
            "DELETE",
            &format!("/api/v1/bookings/{b1_id}"),
            Some(&token(&db, "other@x.se", Role::Participant, Some(bo_id)).await),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, r) = client
        .call(
            "DELETE",
            &format!("/api/v1/bookings/{b1_id}"),
            Some(&anna),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(r["status"], "cancelled");
    assert_eq!(r["promoted_booking_id"].as_i64(), b2["id"].as_i64());
    let (st, _) = client
        .call(
            "DELETE",
            &format!("/api/v1/bookings/{b1_id}"),
            Some(&anna),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) = client
        .call("DELETE", "/api/v1/bookings/999999", Some(&anna), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, v) = client
        .call("GET", &format!("/api/v1/sessions/{sid}"), None, None)
        .await;
    assert_eq!(
        (v["booked"].as_i64(), v["waitlisted"].as_i64()),
        (Some(2), Some(0))
    );

    // The notices are in the outbox, the OpenAPI document lists the paths.
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
    let (_, doc) = client.call("GET", "/api/v1/openapi.json", None, None).await;
    assert!(doc["paths"]["/api/v1/sessions/{id}/bookings"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/bookings/{id}"]["delete"].is_object());
});
