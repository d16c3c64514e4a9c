//! JSON API tests for the foundation, on SQLite and PostgreSQL.

use crate::common;
use domain::ids::MunicipalityId;

use axum::http::StatusCode;
use common::{TestApp, User};
use domain::access::Role;
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

/// Örebro's units Hemtjänst Norr (the manager's) and Hemtjänst Syd, a
/// coordinator and the manager.
struct People {
    app: TestApp,
    coord: User,
    manager: User,
}

async fn people(db: &Db) -> People {
    let app = TestApp::new(db.clone());
    let orebro = org::municipality_by_name(db, "Örebro")
        .await
        .unwrap()
        .unwrap();
    let mut units = vec![];
    for name in ["Hemtjänst Norr", "Hemtjänst Syd"] {
        units.push(
            org::create_unit(db, MunicipalityId(orebro.id), name, "aldreomsorg", false)
                .await
                .unwrap(),
        );
    }
    let coord = app.coordinator().await;
    let manager = app.manager_of_unit(units[0]).email("chef@test.se").await;
    People {
        app,
        coord,
        manager,
    }
}

impl People {
    async fn add(&self, by: &User, body: &serde_json::Value) -> common::Resp {
        self.app.post_json("/api/v1/people", by.auth(), body).await
    }

    /// A person at Hemtjänst Syd, added by the coordinator: the id.
    async fn add_outside(&self) -> i64 {
        let r = self
            .add(&self.coord, &person("syd@x.se", Some("Hemtjänst Syd")))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].as_i64().unwrap()
    }

    /// How many people the coordinator sees.
    async fn count(&self) -> usize {
        let list = self.app.get("/api/v1/people", self.coord.auth()).await;
        list.json().as_array().unwrap().len()
    }
}

both_engines!(
    adding_a_person_needs_a_valid_token_and_a_role_that_may,
    |db: Db| async move {
        let p = people(&db).await;
        // No token / a forged one: 401.
        for token in [None, Some("navet_forged")] {
            assert_eq!(
                p.app
                    .post_json("/api/v1/people", token, &person("a@x.se", None))
                    .await
                    .status,
                StatusCode::UNAUTHORIZED
            );
        }
        // A participant may not add anyone.
        let participant = p.app.user(Role::Participant).await;
        assert_eq!(
            p.add(&participant, &person("p@x.se", None)).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(p.count().await, 0, "refused requests added nobody");
    }
);

both_engines!(
    a_coordinator_adds_a_person_once_per_email,
    |db: Db| async move {
        let p = people(&db).await;
        let r = p.add(&p.coord, &person("a@x.se", None)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let body = r.json();
        assert!(body["id"].as_i64().unwrap() > 0);
        assert_eq!(body["role_group"], "baspersonal");
        // The same e-mail in another case: 422 naming the field, nothing added.
        let r = p.add(&p.coord, &person("A@x.se", None)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["field"], "email");
        assert_eq!(p.count().await, 1, "nothing added");
    }
);

both_engines!(bad_fields_are_refused_naming_each, |db: Db| async move {
    let p = people(&db).await;
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
        let r = p.add(&p.coord, &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{patch}");
        assert_eq!(r.json()["field"], field, "{}", r.body);
    }
    // A missing field: 400 naming it.
    let r = p.add(&p.coord, &json!({"name": "X"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["field"], "email");
    assert_eq!(p.count().await, 0, "nothing added");
});

both_engines!(
    a_manager_adds_and_sees_people_of_their_own_unit_only,
    |db: Db| async move {
        let p = people(&db).await;
        let r = p
            .add(&p.manager, &person("m1@x.se", Some("Hemtjänst Norr")))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // Another unit, or none: 403, nothing added.
        for unit in [Some("Hemtjänst Syd"), None] {
            assert_eq!(
                p.add(&p.manager, &person("m2@x.se", unit)).await.status,
                StatusCode::FORBIDDEN
            );
        }
        assert_eq!(p.count().await, 1, "refused requests added nobody");
        // Only their unit is listed; a person outside it cannot be opened.
        let other_id = p.add_outside().await;
        let list = p.app.get("/api/v1/people", p.manager.auth()).await.json();
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(
            p.app
                .get(&format!("/api/v1/people/{other_id}"), p.manager.auth())
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
);

both_engines!(
    a_coordinators_read_of_a_person_is_audited,
    |db: Db| async move {
        let p = people(&db).await;
        let other_id = p.add_outside().await;
        assert_eq!(
            p.app
                .get(&format!("/api/v1/people/{other_id}"), p.coord.auth())
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
    }
);
