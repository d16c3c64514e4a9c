//! The indicator report and attendance over the JSON API, on both engines.

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use domain::access::{Role, Scope};
use navet_store::{both_engines, Db};
use serde_json::json;
use sqlx::Row;

/// A course, a session yesterday with one trainer and two booked people.
async fn fixture(db: &Db) -> (i64, i64, i64, i64) {
    let now = navet_store::time::now();
    let mut tx = db.begin().await.unwrap();
    let course: i64 = sqlx::query_scalar(
        "INSERT INTO courses (title, level, format, hours, status, validity_months, created_at, updated_at) \
         VALUES ('HLR', 'bas', 'simulering', 3.0, 'aktiv', 12, $1, $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let muni: i64 = sqlx::query_scalar("SELECT id FROM municipalities WHERE name = 'Örebro'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let role: i64 = sqlx::query_scalar("SELECT id FROM roles WHERE name = 'Undersköterska'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let mut people = vec![];
    for (i, g) in ["kvinna", "man", "kvinna"].iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO people (name, email, gender, role_id, municipality_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(format!("Person {i}"))
        .bind(format!("p{i}@x.se"))
        .bind(g)
        .bind(role)
        .bind(muni)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        people.push(id);
    }
    sqlx::query("INSERT INTO trainers (person_id, home_municipality_id) VALUES ($1, $2)")
        .bind(people[2])
        .bind(muni)
        .execute(&mut *tx)
        .await
        .unwrap();
    let starts = now - 86_400;
    let session: i64 = sqlx::query_scalar(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, capacity, hours, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 10, 3.0, 'open', $5, $5) RETURNING id",
    )
    .bind(course)
    .bind(starts)
    .bind(starts + 3 * 3600)
    .bind(muni)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    sqlx::query("INSERT INTO session_trainers (session_id, person_id) VALUES ($1, $2)")
        .bind(session)
        .bind(people[2])
        .execute(&mut *tx)
        .await
        .unwrap();
    for p in &people[..2] {
        sqlx::query("INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, 'booked', $3, $3)")
            .bind(session)
            .bind(p)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    (session, people[0], people[1], people[2])
}

both_engines!(attendance_api_marks_and_closes, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let (session, anna, bo, trainer) = fixture(&db).await;
    let path = format!("/api/v1/sessions/{session}/attendance");
    let body = json!({"person_id": anna, "present": true});
    assert_eq!(
        app.post_json(&path, None, &body).await.status,
        StatusCode::UNAUTHORIZED
    );
    let participant = app.token(Role::Participant).await;
    assert_eq!(
        app.post_json(&path, Some(&participant), &body).await.status,
        StatusCode::FORBIDDEN
    );
    // The session's own trainer may mark.
    let (_, trainer_token) = app
        .account("ul@x.se", Role::Trainer, Some(trainer), Scope::default())
        .await;
    let r = app.post_json(&path, Some(&trainer_token), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "attended");
    // Someone without a seat: 422 naming the field; malformed JSON: 400.
    let r = app
        .post_json(
            &path,
            Some(&trainer_token),
            &json!({"person_id": trainer, "present": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "person_id");
    let r = app
        .post_json(&path, Some(&trainer_token), &json!({"present": true}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.post_json(
            "/api/v1/sessions/999999/attendance",
            Some(&trainer_token),
            &body
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post_json(
            &format!("/api/v1/sessions/{session}/close"),
            Some(&trainer_token),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["no_shows"], 1);
    assert_eq!(
        app.post_json(
            &format!("/api/v1/sessions/{session}/close"),
            Some(&trainer_token),
            &json!({})
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    let status: String = sqlx::query("SELECT status FROM bookings WHERE person_id = $1")
        .bind(bo)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(status, "absent");
});

both_engines!(indicator_report_api, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let (session, anna, _, _) = fixture(&db).await;
    let coord = app.token(Role::Coordinator).await;
    app.post_json(
        &format!("/api/v1/sessions/{session}/attendance"),
        Some(&coord),
        &json!({"person_id": anna, "present": true}),
    )
    .await;
    let today = navet_store::time::local_date(navet_store::time::now());
    let from = format!("{}-01-01", chrono::Datelike::year(&today) - 1);
    let to = format!("{}-12-31", chrono::Datelike::year(&today));
    let path = format!("/api/v1/reports/indicators?from={from}&to={to}");
    assert_eq!(app.get(&path, None).await.status, StatusCode::UNAUTHORIZED);
    let manager = app.token(Role::Manager).await;
    assert_eq!(
        app.get(&path, Some(&manager)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app.get(&path, Some(&coord)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["from"], from);
    assert_eq!(j["unique_participants"]["total"], 1);
    assert_eq!(j["unique_participants"]["by_gender"]["kvinna"], 1);
    assert_eq!(j["participations"], 1);
    assert_eq!(j["course_hours"].as_f64(), Some(3.0));
    assert!(j["sessions"]["held"].is_i64());
    assert_eq!(j["by_municipality"].as_array().unwrap().len(), 12);
    assert_eq!(j["by_course"][0]["course"], "HLR");
    for bad in [
        "?from=2025-02-30&to=2025-12-31",
        "?from=2025-12-01&to=2025-01-01",
        "?to=2025-12-31",
    ] {
        let r = app
            .get(&format!("/api/v1/reports/indicators{bad}"), Some(&coord))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(r.json()["field"].is_string());
    }
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    assert!(doc["paths"]["/api/v1/reports/indicators"].is_object());
    assert!(doc["paths"]["/api/v1/sessions/{id}/attendance"].is_object());
});
