//! Competence: the requirements, education, gaps and tracks API, the unit
//! page, the requirement editor and the gap-list export, on both engines.

use crate::common;
use domain::ids::MunicipalityId;

use axum::http::StatusCode;
use common::{urlencoding, TestApp, PASSWORD};
use domain::access::{Role, Scope};
use domain::catalogue::{CheckedCourse, CourseStatus, Format, Level};
use navet_store::audit::Who;
use navet_store::catalogue::{self, CourseExtras};
use navet_store::people::{self, PersonInput};
use navet_store::{both_engines, org, Db};
use serde_json::json;

struct World {
    app: TestApp,
    coord: String,
    manager: String,
    manager_cookie: String,
    unit: i64,
    other_unit: i64,
    municipality: i64,
    usk: i64,
    hlr: i64,
    retired: i64,
    anna: i64,
    bo: i64,
}

async fn course(db: &Db, title: &str, status: CourseStatus, validity: Option<i64>) -> i64 {
    catalogue::create(
        db,
        &Who::system("test"),
        &CheckedCourse {
            title: title.into(),
            level: Level::Bas,
            format: Format::Simulering,
            hours: 4.0,
            status,
            validity_months: validity,
            default_capacity: 8,
            trainers_per_session: 2,
        },
        &CourseExtras::default(),
    )
    .await
    .unwrap()
}

async fn person(db: &Db, name: &str, email: &str, unit: i64) -> i64 {
    let p = people::resolve(
        db,
        &PersonInput {
            name: name.into(),
            email: email.into(),
            gender: "kvinna".into(),
            employee_no: String::new(),
            role: "Undersköterska".into(),
            municipality: "Kumla".into(),
            unit: unit.to_string(),
            language_support: String::new(),
        },
    )
    .await
    .unwrap();
    people::create(db, &Who::system("test"), &p, false)
        .await
        .unwrap()
}

async fn world(db: Db) -> World {
    let app = TestApp::new(db.clone());
    let m = org::municipality_by_name(&db, "Kumla")
        .await
        .unwrap()
        .unwrap();
    let unit = org::create_unit(
        &db,
        MunicipalityId(m.id),
        "Hemtjänst Kumla",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    let other_unit = org::create_unit(
        &db,
        MunicipalityId(m.id),
        "LSS Kumla",
        "funktionsstod",
        false,
    )
    .await
    .unwrap();
    let usk = org::role_by_name(&db, "Undersköterska")
        .await
        .unwrap()
        .unwrap()
        .id;
    let hlr = course(&db, "HLR", CourseStatus::Aktiv, Some(12)).await;
    let retired = course(&db, "Gammal lyftteknik", CourseStatus::Avvecklad, None).await;
    // A name that would be a formula in a spreadsheet.
    let anna = person(&db, "=HYPERLINK(\"http://x\")", "anna@x.se", unit).await;
    let bo = person(&db, "Bo Ek", "bo@x.se", other_unit).await;
    let coord = app.token(Role::Coordinator).await;
    let (_, manager) = app
        .account(
            "chef@test.se",
            Role::Manager,
            None,
            Scope {
                unit_ids: vec![unit],
                municipality_ids: vec![],
            },
        )
        .await;
    let manager_cookie = app
        .login("chef@test.se", "rätt-lösenord-123")
        .await
        .unwrap();
    World {
        app,
        coord,
        manager,
        manager_cookie,
        unit,
        other_unit,
        municipality: m.id,
        usk,
        hlr,
        retired,
        anna,
        bo,
    }
}

both_engines!(requirements_api_refuses_what_it_must, |db: Db| async move {
    let w = world(db.clone()).await;
    let app = &w.app;
    let r = app
        .post_json(
            "/api/v1/requirements",
            Some(&w.coord),
            &json!({"role_id": w.usk, "kind": "course", "course_id": w.hlr, "note": "Varje år"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["renewal_months"], 12);
    assert_eq!(
        r.json()["description"],
        "Kurs: HLR (förnyas var 12:e månad)"
    );

    // A manager: own unit yes, another unit and region-wide no.
    let own = json!({"role_id": w.usk, "scope": "unit", "unit_id": w.unit, "kind": "education", "education": "vard_och_omsorgsprogrammet"});
    let r = app
        .post_json("/api/v1/requirements", Some(&w.manager), &own)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let other = json!({"role_id": w.usk, "scope": "unit", "unit_id": w.other_unit, "kind": "course", "course_id": w.hlr});
    let r = app
        .post_json("/api/v1/requirements", Some(&w.manager), &other)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_json(
            "/api/v1/requirements",
            Some(&w.manager),
            &json!({"role_id": w.usk, "kind": "education", "education": "sjukskoterska"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A retired course, an unknown education, a duplicate: 422 naming the field.
    let r = app
        .post_json(
            "/api/v1/requirements",
            Some(&w.coord),
            &json!({"role_id": w.usk, "kind": "course", "course_id": w.retired}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "course_id");
    assert!(r.json()["error"].as_str().unwrap().contains("avvecklad"));
    let r = app
        .post_json(
            "/api/v1/requirements",
            Some(&w.coord),
            &json!({"role_id": w.usk, "kind": "education", "education": "undersköterska light"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "education");
    let r = app
        .post_json(
            "/api/v1/requirements",
            Some(&w.coord),
            &json!({"role_id": w.usk, "kind": "course", "course_id": w.hlr}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_json("/api/v1/requirements", Some(&w.coord), &json!({"kind": 3}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.post_json("/api/v1/requirements", None, &own).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let list = app.get("/api/v1/requirements", Some(&w.manager)).await;
    assert_eq!(list.json().as_array().unwrap().len(), 2);
    let for_other = app
        .get(
            &format!("/api/v1/requirements?unit_id={}", w.other_unit),
            Some(&w.coord),
        )
        .await;
    assert_eq!(for_other.json().as_array().unwrap().len(), 1);

    // The manager may not change or delete the region-wide one.
    let r = app
        .json_request(
            "PUT",
            &format!("/api/v1/requirements/{id}"),
            Some(&w.manager),
            &own,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .delete(&format!("/api/v1/requirements/{id}"), Some(&w.manager))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .json_request(
            "PUT",
            &format!("/api/v1/requirements/{id}"),
            Some(&w.coord),
            &json!({"role_id": w.usk, "scope": "activity_area", "activity_area": "aldreomsorg", "kind": "course", "course_id": w.hlr}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["scope_label"], "verksamhetsområde äldreomsorg");
    let r = app
        .delete(&format!("/api/v1/requirements/{id}"), Some(&w.coord))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/requirements/{id}"), Some(&w.coord))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

/// The world with two requirements for assistant nurses, HLR (renewed
/// yearly) and the care programme, and Anna's specialist education
/// (which includes the programme) registered by her manager.
async fn gaps_world(db: Db) -> World {
    let w = world(db).await;
    for body in [
        json!({"role_id": w.usk, "kind": "course", "course_id": w.hlr}),
        json!({"role_id": w.usk, "kind": "education", "education": "vard_och_omsorgsprogrammet"}),
    ] {
        let r = w
            .app
            .post_json("/api/v1/requirements", Some(&w.coord), &body)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = register_specialist(&w).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    w
}

/// Anna's specialist education, registered by her manager.
async fn register_specialist(w: &World) -> common::Resp {
    w.app
        .post_json(
            &format!("/api/v1/people/{}/educations", w.anna),
            Some(&w.manager),
            &json!({"kind": "specialistunderskoterska_yh", "direction": "demens", "completed_on": "2023-06-01"}),
        )
        .await
}

both_engines!(
    a_manager_registers_education_for_own_staff_and_unknown_kinds_are_refused,
    |db: Db| async move {
        let w = world(db.clone()).await;
        let app = &w.app;
        let r = register_specialist(&w).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(
            r.json()["label"],
            "specialistundersköterska (YH), inriktning demens"
        );
        let r = app
            .post_json(
                &format!("/api/v1/people/{}/educations", w.bo),
                Some(&w.manager),
                &json!({"kind": "sjukskoterska"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post_json(
                &format!("/api/v1/people/{}/educations", w.bo),
                Some(&w.coord),
                &json!({"kind": "astronaut"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["field"], "kind");
    }
);

both_engines!(
    gaps_by_region_municipality_and_activity_area_are_the_coordinators,
    |db: Db| async move {
        let w = gaps_world(db.clone()).await;
        let app = &w.app;
        assert_eq!(
            app.get("/api/v1/gaps/region", Some(&w.manager))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = app.get("/api/v1/gaps/region", Some(&w.coord)).await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        assert_eq!(j["level"], "region");
        assert_eq!(j["counts"]["people"], 2);
        assert_eq!(j["counts"]["checks"], 4);
        // Anna holds the education (a specialist includes the programme); nobody has HLR.
        assert_eq!(j["counts"]["met"], 1);
        assert_eq!(j["counts"]["gaps"], 3);
        assert_eq!(j["counts"]["recruitment"], 1);
        assert_eq!(j["counts"]["covered"], 2);
        assert_eq!(j["children_level"], "municipality");
        let r = app
            .get(
                &format!("/api/v1/gaps/municipalities/{}", w.municipality),
                Some(&w.coord),
            )
            .await;
        assert_eq!(r.json()["children"].as_array().unwrap().len(), 2);
        assert_eq!(r.json()["activity_areas"].as_array().unwrap().len(), 2);
        let r = app
            .get("/api/v1/gaps/activity-areas/aldreomsorg", Some(&w.coord))
            .await;
        assert_eq!(r.json()["counts"]["people"], 1);
        assert_eq!(
            app.get("/api/v1/gaps/activity-areas/skola", Some(&w.coord))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // A date that cannot be read names the field.
        let r = app
            .get("/api/v1/gaps/region?as_of=14/3", Some(&w.coord))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["field"], "as_of");
    }
);

both_engines!(
    a_manager_reads_the_gaps_of_own_unit_and_staff_only_and_is_audited,
    |db: Db| async move {
        let w = gaps_world(db.clone()).await;
        let app = &w.app;
        let r = app
            .get(&format!("/api/v1/gaps/units/{}", w.unit), Some(&w.manager))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["children_level"], "person");
        assert_eq!(
            app.get(
                &format!("/api/v1/gaps/units/{}", w.other_unit),
                Some(&w.manager)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .get(&format!("/api/v1/gaps/people/{}", w.anna), Some(&w.manager))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let checks = r.json()["checks"].as_array().unwrap().clone();
        assert_eq!(checks.len(), 2);
        let hlr = checks
            .iter()
            .find(|c| c["coverage"] == "catalogue")
            .unwrap();
        assert_eq!(hlr["state"], "missing");
        assert_eq!(
            app.get(&format!("/api/v1/gaps/people/{}", w.bo), Some(&w.manager))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // Reading a person's gaps as a manager is audited.
        let (_, audited) = navet_store::audit::list(
            &db,
            &navet_store::audit::Filter {
                action: Some("person.read".into()),
                person_id: Some(w.anna),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(audited >= 1);
    }
);

both_engines!(
    without_tracks_there_is_no_track_progress,
    |db: Db| async move {
        let w = gaps_world(db.clone()).await;
        let app = &w.app;
        assert_eq!(
            app.get("/api/v1/tracks", Some(&w.manager))
                .await
                .json()
                .as_array()
                .unwrap()
                .len(),
            0
        );
        let r = app
            .get(
                &format!("/api/v1/people/{}/track-progress", w.anna),
                Some(&w.manager),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.json()["progress"].is_null());
        let r = app
            .get(
                &format!("/api/v1/units/{}/track-progress", w.unit),
                Some(&w.manager),
            )
            .await;
        assert_eq!(r.json().as_array().unwrap().len(), 1);
    }
);

both_engines!(
    the_openapi_document_lists_the_competence_endpoints,
    |db: Db| async move {
        let app = TestApp::new(db);
        let doc = app.get("/api/v1/openapi.json", None).await.json();
        for path in [
            "/api/v1/requirements",
            "/api/v1/gaps/region",
            "/api/v1/gaps/units/{id}",
            "/api/v1/people/{id}/track-progress",
            "/api/v1/people/{id}/educations",
        ] {
            assert!(
                doc["paths"].get(path).is_some(),
                "{path} missing from the OpenAPI document"
            );
        }
    }
);

/// The world with the HLR requirement for assistant nurses.
async fn hlr_world(db: Db) -> World {
    let w = world(db).await;
    let r = w
        .app
        .post_json(
            "/api/v1/requirements",
            Some(&w.coord),
            &json!({"role_id": w.usk, "kind": "course", "course_id": w.hlr}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    w
}

both_engines!(
    the_unit_page_and_its_gap_export_are_its_managers_with_formulas_neutralised,
    |db: Db| async move {
        let w = hlr_world(db.clone()).await;
        let (app, cookie) = (&w.app, &w.manager_cookie);
        let r = app
            .page("GET", &format!("/enheter/{}", w.unit), cookie, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Kurs: HLR (förnyas var 12:e månad)"));
        assert!(r.body.contains("Årshjul"));
        assert_eq!(
            app.page("GET", &format!("/enheter/{}", w.other_unit), cookie, None)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = app.page("GET", "/enheter", cookie, None).await;
        assert!(r.body.contains("Hemtjänst Kumla") && !r.body.contains("LSS Kumla"));
        // The export neutralises formulas.
        let r = app
            .page(
                "GET",
                &format!("/enheter/{}/glapp.csv", w.unit),
                cookie,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.starts_with('\u{feff}'));
        assert!(
            r.body.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
            "{}",
            r.body
        );
        let r = app
            .page(
                "GET",
                &format!("/enheter/{}/glapp.xlsx", w.unit),
                cookie,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.headers["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(
            app.page(
                "GET",
                &format!("/enheter/{}/glapp.csv", w.other_unit),
                cookie,
                None
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
    }
);

both_engines!(
    the_competence_forms_name_the_field_and_keep_what_was_typed,
    |db: Db| async move {
        let w = hlr_world(db.clone()).await;
        let (app, cookie) = (&w.app, &w.manager_cookie);
        // The requirement editor: a manager's requirement for another unit
        // is refused; a bad one comes back with the message next to the
        // field and what was typed.
        let csrf = app.csrf_for(cookie, "/kompetens/krav/ny").await;
        let form = |unit: i64, course: i64, note: &str| {
            format!(
                "_csrf={csrf}&role_id={}&scope=unit&unit_id={unit}&kind=course&course_id={course}&note={}",
                w.usk,
                urlencoding(note)
            )
        };
        let post = |body: String| async move {
            app.page("POST", "/kompetens/krav/ny", cookie, Some(&body))
                .await
        };
        let r = post(form(w.other_unit, w.hlr, "")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(form(w.unit, w.retired, "Min anteckning")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-course_id\""));
        assert!(r.body.contains("är avvecklad"));
        assert!(r.body.contains("Min anteckning"));
        let r = post(form(w.unit, w.hlr, "")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let n = navet_store::requirements::list(&db, &Default::default())
            .await
            .unwrap()
            .len();
        assert_eq!(n, 2);
        // The education form on the person page.
        let csrf = app
            .csrf_for(cookie, &format!("/personal/{}/kompetens", w.anna))
            .await;
        let r = app
            .page(
                "POST",
                &format!("/personal/{}/utbildning", w.anna),
                cookie,
                Some(&format!(
                    "_csrf={csrf}&kind=specialistunderskoterska_yh&direction=&completed_on=2030-01-01"
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("id=\"err-direction\"") && r.body.contains("id=\"err-completed_on\"")
        );
        assert!(r.body.contains("value=\"2030-01-01\""));
    }
);

both_engines!(
    a_participant_sees_their_own_competence_only,
    |db: Db| async move {
        let w = hlr_world(db.clone()).await;
        let app = &w.app;
        app.participant(w.anna).email("anna@test.se").await;
        let me = app.login("anna@test.se", PASSWORD).await.unwrap();
        let r = app.page("GET", "/min-kompetens", &me, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let own = app
            .page("GET", &format!("/personal/{}/kompetens", w.anna), &me, None)
            .await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(own.body.contains("Kurs: HLR") && !own.body.contains("Registrera utbildning"));
        // Not a colleague's, and no unit pages.
        let other = app
            .page("GET", &format!("/personal/{}/kompetens", w.bo), &me, None)
            .await;
        assert_eq!(other.status, StatusCode::FORBIDDEN);
        let unit = app
            .page("GET", &format!("/enheter/{}", w.unit), &me, None)
            .await;
        assert_eq!(unit.status, StatusCode::FORBIDDEN);
    }
);
