//! Trainer absence and cover pages through the web tier, on both engines.

use crate::common;
use domain::ids::{MunicipalityId, PersonId, SessionId};

use axum::http::StatusCode;
use common::TestApp;
use domain::access::{Role, Scope};
use navet_store::audit::Who;
use navet_store::sessions::{self, SessionInput};
use navet_store::testing::fixtures::{self, person};
use navet_store::{both_engines, trainers, Db};

/// A course, two qualified trainers (Ulla in Örebro, Kim in Karlskoga) and
/// a session in Örebro in ten days led by Ulla: (session, ulla, kim).
async fn setup(db: &Db) -> (i64, i64, i64) {
    let db = db.clone();
    let who = Who::system("test");
    let course = fixtures::course(&db, "Sårvård").await;
    let ulla = person(&db, "Ulla", "Örebro").await;
    let kim = person(&db, "Kim", "Karlskoga").await;
    for (p, m) in [(ulla, "Örebro"), (kim, "Karlskoga")] {
        let mid: i64 = sqlx::query_scalar("SELECT id FROM municipalities WHERE name = $1")
            .bind(m)
            .fetch_one(db.pool())
            .await
            .unwrap();
        trainers::upsert(&db, &who, PersonId(p), MunicipalityId(mid), true)
            .await
            .unwrap();
        trainers::set_courses(&db, &who, PersonId(p), &[course])
            .await
            .unwrap();
    }
    let start = chrono::Utc::now().timestamp() + 10 * 86_400;
    let rfc = |t: i64| chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339();
    let input = SessionInput {
        course_id: course,
        parts: vec![(rfc(start), rfc(start + 3 * 3600))],
        municipality: "Örebro".into(),
        venue: "Sal 1".into(),
        capacity: 10,
        trainer_person_ids: vec![ulla],
        ..Default::default()
    };
    let resolved = sessions::resolve(&db, &input, chrono::Utc::now().timestamp())
        .await
        .unwrap();
    let sid = sessions::create(&db, &who, &resolved).await.unwrap();

    (sid, ulla, kim)
}

both_engines!(coordinator_covers_a_sick_trainer, |db: Db| async move {
    let (sid, ulla, kim) = setup(&db).await;
    let start = sessions::get(&db, SessionId(sid))
        .await
        .unwrap()
        .row
        .starts_at;
    let app = TestApp::new(db.clone());
    app.account("c@test.se", Role::Coordinator, None, Scope::default())
        .await;
    app.account("p@test.se", Role::Participant, None, Scope::default())
        .await;
    let coord = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
    let part = app.login("p@test.se", "rätt-lösenord-123").await.unwrap();
    for p in ["/bemanning", &format!("/utbildningsledare/{ulla}/franvaro")] {
        assert_eq!(
            app.page("GET", p, &coord, None).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.page("GET", p, &part, None).await.status,
            StatusCode::FORBIDDEN,
            "{p}"
        );
    }
    let r = app.page("GET", "/bemanning", &coord, None).await;
    assert!(r
        .body
        .contains("Ingen utbildningsledare är frånvarande vid ett kommande"));

    // Bad dates: shown at the field, nothing stored.
    let path = format!("/utbildningsledare/{ulla}/franvaro");
    let csrf = app.csrf_for(&coord, &path).await;
    let day = |t: i64| navet_store::time::local_date(t).to_string();
    let r = app
        .page(
            "POST",
            &path,
            &coord,
            Some(&format!(
                "_csrf={csrf}&starts_on={}&ends_on=13%2F10",
                day(start)
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"err-ends_on\""), "{}", r.body);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM trainer_absences")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0);

    let r = app
        .page(
            "POST",
            &path,
            &coord,
            Some(&format!(
                "_csrf={csrf}&starts_on={}&ends_on={}",
                day(start),
                day(start)
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .page("GET", "/bemanning?ok=franvaro", &coord, None)
        .await;
    assert!(r.body.contains("badge warn\">frånvarande"), "{}", r.body);
    assert!(r.body.contains("Kim"));
    assert!(r.body.contains("reser dit"));

    // The session page flags the absent trainer and points to cover.
    let r = app
        .page("GET", &format!("/kurstillfallen/{sid}"), &coord, None)
        .await;
    assert!(r.body.contains("Hitta ersättare"), "{}", r.body);

    let csrf = app.csrf_for(&coord, "/bemanning").await;
    let r = app
        .page(
            "POST",
            &format!("/bemanning/{sid}"),
            &coord,
            Some(&format!("_csrf={csrf}&person_id={kim}&replacing={ulla}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let on = sessions::get(&db, SessionId(sid)).await.unwrap().trainers;
    assert_eq!(on.len(), 1);
    assert_eq!(on[0].person_id, kim);
    let r = app
        .page("GET", &format!("/kurstillfallen/{sid}"), &coord, None)
        .await;
    assert!(!r.body.contains("Hitta ersättare"));
    let r = app.page("GET", "/bemanning?ok=insatt", &coord, None).await;
    assert!(r.body.contains("kalenderinbjudan"));
    assert!(r
        .body
        .contains("Ingen utbildningsledare är frånvarande vid ett kommande"));

    // Putting the absent trainer back on is refused with a message.
    let r = app
        .page(
            "POST",
            &format!("/bemanning/{sid}"),
            &coord,
            Some(&format!("_csrf={csrf}&person_id={ulla}&replacing={kim}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("frånvarande när kurstillfället hålls"),
        "{}",
        r.body
    );
    assert_eq!(
        sessions::get(&db, SessionId(sid)).await.unwrap().trainers[0].person_id,
        kim
    );
});

// An HR or rota system reports the absence over the API; the cover list
// shows the session with the candidate; bad dates name the field.
both_engines!(absence_and_cover_over_the_api, |db: Db| async move {
    let (sid, ulla, kim) = setup(&db).await;
    let start = sessions::get(&db, SessionId(sid))
        .await
        .unwrap()
        .row
        .starts_at;
    let app = TestApp::new(db.clone());
    let token = app.token(Role::Coordinator).await;
    let r = app.get("/api/v1/cover", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), serde_json::json!([]));
    let path = format!("/api/v1/trainers/{ulla}/absences");
    let r = app
        .post_json(
            &path,
            Some(&token),
            &serde_json::json!({"starts_on": "i morgon", "ends_on": "2030-01-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "starts_on");
    let day = navet_store::time::local_date(start).to_string();
    let r = app
        .post_json(
            &path,
            Some(&token),
            &serde_json::json!({"starts_on": day, "ends_on": day}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let absence = r.json()["id"].as_i64().unwrap();
    let v = app.get("/api/v1/cover", Some(&token)).await.json();
    assert_eq!(v[0]["session_id"], sid);
    assert_eq!(v[0]["assigned"][0]["absent"], true);
    assert_eq!(v[0]["candidates"][0]["person_id"], kim);
    // Only coordinators and admins.
    let participant = app.token(Role::Participant).await;
    assert_eq!(
        app.get("/api/v1/cover", Some(&participant)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app.delete(&format!("{path}/{absence}"), Some(&token)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/cover", Some(&token)).await.json(),
        serde_json::json!([])
    );
    // The OpenAPI document describes the new paths.
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    assert!(doc["paths"]["/api/v1/cover"].is_object());
});
