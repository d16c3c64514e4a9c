//! JSON API tests for the foundation, on SQLite and PostgreSQL.

use crate::common;
use domain::ids::MunicipalityId;

use axum::http::StatusCode;
use common::TestApp;
use domain::access::{Role, Scope};
use navet_store::{both_engines, org, Db};
use serde_json::json;

both_engines!(
    healthz_municipalities_courses_and_openapi,
    |db: Db| async move {
        let app = TestApp::new(db);
        assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
        let m = app.get("/api/v1/municipalities", None).await;
        assert_eq!(m.status, StatusCode::OK);
        let list = m.json();
        assert_eq!(list.as_array().unwrap().len(), 12);
        assert!(list[0]["id"].is_i64() && list[0]["name"].is_string());
        let c = app.get("/api/v1/courses", None).await;
        assert_eq!(c.status, StatusCode::OK);
        assert!(c.json().is_array());
        assert_eq!(
            app.get("/api/v1/courses?status=klar", None).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let doc = app.get("/api/v1/openapi.json", None).await.json();
        assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
        for p in [
            "/api/v1/municipalities",
            "/api/v1/courses",
            "/api/v1/people",
        ] {
            assert!(doc["paths"][p].is_object(), "{p} in OpenAPI");
        }
    }
);

fn person(email: &str, unit: Option<&str>) -> serde_json::Value {
    let mut v = json!({"name": "Anna Åberg", "email": email, "gender": "kvinna", "role": "undersköterska", "municipality": "Örebro"});
    if let Some(u) = unit {
        v["unit"] = json!(u);
    }
    v
}

both_engines!(people_api_create_and_refuse, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let orebro = org::municipality_by_name(&db, "Örebro")
        .await
        .unwrap()
        .unwrap();
    let mine = org::create_unit(
        &db,
        MunicipalityId(orebro.id),
        "Hemtjänst Norr",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    org::create_unit(
        &db,
        MunicipalityId(orebro.id),
        "Hemtjänst Syd",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    let coord = app.token(Role::Coordinator).await;
    let (_, manager) = app
        .account(
            "chef@test.se",
            Role::Manager,
            None,
            Scope {
                unit_ids: vec![mine],
                municipality_ids: vec![],
            },
        )
        .await;
    let participant = app.token(Role::Participant).await;

    // No token / bad token: 401.
    assert_eq!(
        app.post_json("/api/v1/people", None, &person("a@x.se", None))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post_json(
            "/api/v1/people",
            Some("navet_forged"),
            &person("a@x.se", None)
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );

    // Coordinator: 201 with the person.
    let r = app
        .post_json("/api/v1/people", Some(&coord), &person("a@x.se", None))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let p = r.json();
    assert!(p["id"].as_i64().unwrap() > 0);
    assert_eq!(p["role_group"], "baspersonal");

    // Duplicate e-mail: 422 naming the field, nothing added.
    let r = app
        .post_json("/api/v1/people", Some(&coord), &person("A@x.se", None))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "email");

    // Invalid gender / role / municipality / over-long name: 422 with the field.
    for (patch, field) in [
        (json!({"gender": "kanske"}), "gender"),
        (json!({"role": "astronaut"}), "role"),
        (json!({"municipality": "Stockholm"}), "municipality"),
        (json!({"name": "x".repeat(121)}), "name"),
        (json!({"email": "inte-en-adress"}), "email"),
    ] {
        let mut body = person("ny@x.se", None);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = app.post_json("/api/v1/people", Some(&coord), &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{patch}");
        assert_eq!(r.json()["field"], field, "{}", r.body);
    }
    // Malformed JSON and a missing field: 400 naming it.
    let r = app
        .post_json("/api/v1/people", Some(&coord), &json!({"name": "X"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["field"], "email");

    // Manager: own unit yes, other unit and no unit: 403, nothing added.
    let r = app
        .post_json(
            "/api/v1/people",
            Some(&manager),
            &person("m1@x.se", Some("Hemtjänst Norr")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let other_id = app
        .post_json(
            "/api/v1/people",
            Some(&coord),
            &person("syd@x.se", Some("Hemtjänst Syd")),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.post_json(
            "/api/v1/people",
            Some(&manager),
            &person("m2@x.se", Some("Hemtjänst Syd"))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_json("/api/v1/people", Some(&manager), &person("m3@x.se", None))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Participant may not add anyone.
    assert_eq!(
        app.post_json(
            "/api/v1/people",
            Some(&participant),
            &person("p@x.se", None)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // Manager sees only their unit, and cannot open a person outside it.
    let list = app.get("/api/v1/people", Some(&manager)).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        app.get(&format!("/api/v1/people/{other_id}"), Some(&manager))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let total = app.get("/api/v1/people", Some(&coord)).await.json();
    assert_eq!(
        total.as_array().unwrap().len(),
        3,
        "refused requests added nobody"
    );

    // Coordinator's read of another person is audited.
    assert_eq!(
        app.get(&format!("/api/v1/people/{other_id}"), Some(&coord))
            .await
            .status,
        StatusCode::OK
    );
    let (log, _) = navet_store::audit::list(
        &db,
        &navet_store::audit::Filter {
            action: Some("person.read".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let log = log.rows;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].person_id, Some(other_id));
});
