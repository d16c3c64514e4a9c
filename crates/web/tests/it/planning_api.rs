//! Planning through the API and the pages, on both engines: a manager's
//! request becomes a session the manager's staff can book and the manager
//! is told; bad and hostile input is refused naming the field; who may
//! ask, answer, register interest and read the demand.

use crate::common;
use domain::ids::MunicipalityId;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TestApp, User};
use domain::planning::requests::Week;
use navet_store::testing::fixtures;
use navet_store::{both_engines, org, Db};
use serde_json::{json, Value};

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    user: Option<&User>,
    body: Option<String>,
) -> (StatusCode, Value) {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(u) = user {
        b = b.header("authorization", format!("Bearer {}", u.token));
    }
    let r = app
        .send(b.body(Body::from(body.unwrap_or_default())).unwrap())
        .await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

fn week_in(days: i64) -> String {
    Week::of(navet_store::time::today() + chrono::Duration::days(days)).code()
}

fn local_day(days: i64) -> String {
    (navet_store::time::today() + chrono::Duration::days(days)).to_string()
}

struct Scene {
    app: TestApp,
    coord: User,
    manager: User,
    staff: i64,
    course: i64,
    kumla: i64,
    unit: i64,
}

async fn scene(db: &Db) -> Scene {
    let app = TestApp::new(db.clone());
    let kumla = org::municipality_by_name(db, "Kumla")
        .await
        .unwrap()
        .unwrap()
        .id;
    let unit = org::create_unit(
        db,
        MunicipalityId(kumla),
        "Hemtjänst Syd",
        "aldreomsorg",
        true,
    )
    .await
    .unwrap();
    let staff = fixtures::person(db, "Stina", "Kumla").await;
    sqlx::query("UPDATE people SET unit_id = $1 WHERE id = $2")
        .bind(unit)
        .bind(staff)
        .execute(db.writer())
        .await
        .unwrap();
    let course = fixtures::course(db, "Förflyttningsteknik").await;
    let coord = app.coordinator().create().await;
    let manager = app
        .manager_of_unit(unit)
        .email("chef.syd@test.se")
        .create()
        .await;
    Scene {
        app,
        coord,
        manager,
        staff,
        course,
        kumla,
        unit,
    }
}

fn request_body(s: &Scene) -> Value {
    json!({"course_id": s.course, "municipality_id": s.kumla, "unit_id": s.unit, "participants": 12,
        "first_week": week_in(21), "last_week": week_in(35), "weekdays": ["tue", "wed"], "times": ["dag"],
        "place": "Kumla vårdcentrum", "note": "Helst förmiddag."})
}

both_engines!(
    a_managers_request_becomes_a_session_their_staff_can_book,
    |db: Db| async move {
        let s = scene(&db).await;
        let (st, r) = call(
            &s.app,
            "POST",
            "/api/v1/session-requests",
            Some(&s.manager),
            Some(request_body(&s).to_string()),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        assert_eq!(r["status"], "open");
        assert_eq!(r["weekdays"], json!(["tue", "wed"]));
        let rid = r["id"].as_i64().unwrap();

        // The coordinator sees the demand and schedules a session.
        let (st, d) = call(
            &s.app,
            "GET",
            "/api/v1/planning/demand",
            Some(&s.coord),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        assert!(d
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["municipality"] == "Kumla" && x["requested_people"] == 12));
        let (st, sess) = call(
            &s.app,
            "POST",
            "/api/v1/sessions",
            Some(&s.coord),
            Some(
                json!({"course_id": s.course, "starts_at": format!("{}T09:00", local_day(24)),
                    "ends_at": format!("{}T12:00", local_day(24)), "municipality": "Kumla", "venue": "Kumla vårdcentrum",
                    "capacity": 12})
                .to_string(),
            ),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{sess}");
        let sid = sess["id"].as_i64().unwrap();

        // A manager cannot answer; the coordinator can, once.
        let answer = json!({"answer": "planned", "session_id": sid}).to_string();
        let path = format!("/api/v1/session-requests/{rid}/answer");
        let (st, _) = call(
            &s.app,
            "POST",
            &path,
            Some(&s.manager),
            Some(answer.clone()),
        )
        .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, a) = call(&s.app, "POST", &path, Some(&s.coord), Some(answer.clone())).await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(a, json!({"status": "planned", "notices": 1}));
        let (st, _) = call(&s.app, "POST", &path, Some(&s.coord), Some(answer)).await;
        assert_eq!(st, StatusCode::CONFLICT);

        // The manager is told, with the session's address.
        let body: String = sqlx::query_scalar(
            "SELECT body FROM outbox WHERE to_email = $1 AND kind = 'session_request_answered'",
        )
        .bind("chef.syd@test.se")
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert!(body.contains(&format!("/kurstillfallen/{sid}")), "{body}");
        let (_, mine) = call(
            &s.app,
            "GET",
            &format!("/api/v1/session-requests/{rid}"),
            Some(&s.manager),
            None,
        )
        .await;
        assert_eq!(mine["status"], "planned");
        assert_eq!(mine["session_id"], sid);

        // The manager books their staff on it.
        let (st, b) = call(
            &s.app,
            "POST",
            &format!("/api/v1/sessions/{sid}/bookings"),
            Some(&s.manager),
            Some(json!({"person_id": s.staff}).to_string()),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        assert_eq!(b["status"], "booked");
    }
);

both_engines!(
    bad_and_hostile_requests_name_the_field_and_store_nothing,
    |db: Db| async move {
        let s = scene(&db).await;
        let post = |body: String| {
            let app = &s.app;
            let m = &s.manager;
            async move { call(app, "POST", "/api/v1/session-requests", Some(m), Some(body)).await }
        };
        let mut past = request_body(&s);
        past["first_week"] = json!(week_in(-14));
        past["last_week"] = json!(null);
        let (st, e) = post(past.to_string()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["field"], "first_week");
        assert!(
            e["error"].as_str().unwrap().contains("har redan varit"),
            "{e}"
        );
        for (change, field) in [
            (
                json!({"participants": 1_000_000_000_000i64}),
                "participants",
            ),
            (json!({"first_week": "vecka tio"}), "first_week"),
            (json!({"times": []}), "times"),
            (json!({"times": ["natt"]}), "times"),
            (json!({"weekdays": ["fredagsmys"]}), "weekdays"),
            (json!({"place": "x".repeat(5000)}), "place"),
            (json!({"unit_id": 999_999}), "unit_id"),
            (json!({"course_id": 999_999}), "course_id"),
        ] {
            let mut b = request_body(&s);
            for (k, v) in change.as_object().unwrap() {
                b[k] = v.clone();
            }
            let (st, e) = post(b.to_string()).await;
            assert!(
                st == StatusCode::UNPROCESSABLE_ENTITY || st == StatusCode::FORBIDDEN,
                "{change}: {st} {e}"
            );
            if st == StatusCode::UNPROCESSABLE_ENTITY {
                assert_eq!(e["field"], field, "{change}: {e}");
            }
        }
        // Malformed, deep and huge bodies: 400 or 413, in JSON.
        let (st, e) = post("{\"course_id\": ".into()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        assert!(e["error"].as_str().unwrap().contains("rad 1"));
        let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let (st, _) = post(deep).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let mut huge = request_body(&s);
        huge["note"] = json!("å".repeat(3_000_000));
        let (st, _) = post(huge.to_string()).await;
        assert!(
            st == StatusCode::PAYLOAD_TOO_LARGE || st == StatusCode::UNPROCESSABLE_ENTITY,
            "{st}"
        );
        // Another unit's manager asks for a unit they do not manage.
        let elsewhere = org::create_unit(
            &db,
            MunicipalityId(s.kumla),
            "Annan enhet",
            "aldreomsorg",
            true,
        )
        .await
        .unwrap();
        let other = s.app.manager_of_unit(elsewhere).create().await;
        let (st, _) = call(
            &s.app,
            "POST",
            "/api/v1/session-requests",
            Some(&other),
            Some(request_body(&s).to_string()),
        )
        .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM session_requests")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(stored, 0);
        // A bad answer names its field.
        let (_, r) = post(request_body(&s).to_string()).await;
        let path = format!("/api/v1/session-requests/{}/answer", r["id"]);
        for (body, field) in [
            (json!({"answer": "kanske"}), "answer"),
            (json!({"answer": "declined", "reason": ""}), "reason"),
            (json!({"answer": "planned"}), "session_id"),
            (
                json!({"answer": "merged", "request_id": r["id"]}),
                "request_id",
            ),
        ] {
            let (st, e) = call(
                &s.app,
                "POST",
                &path,
                Some(&s.coord),
                Some(body.to_string()),
            )
            .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
            assert_eq!(e["field"], field);
        }
    }
);

both_engines!(interest_demand_and_who_sees_what, |db: Db| async move {
    let s = scene(&db).await;
    let part = s.app.participant(s.staff).create().await;
    let steering = s.app.user(domain::access::Role::Steering).create().await;
    let path = format!("/api/v1/courses/{}/interest", s.course);
    let (st, r) = call(&s.app, "PUT", &path, Some(&part), Some("{}".into())).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["people"], 1);
    let (st, e) = call(
        &s.app,
        "PUT",
        &path,
        Some(&part),
        Some("{\"people\": 0}".into()),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field"], "people");
    let (st, _) = call(&s.app, "PUT", &path, Some(&steering), Some("{}".into())).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = call(
        &s.app,
        "PUT",
        "/api/v1/courses/999999/interest",
        Some(&part),
        Some("{}".into()),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Steering reads the demand (counts only); participants do not;
    // nobody but managers and the hub lists requests.
    let (st, d) = call(
        &s.app,
        "GET",
        "/api/v1/planning/demand",
        Some(&steering),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let row = d
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["course_id"] == s.course)
        .unwrap()
        .clone();
    assert_eq!(row["interested_people"], 1);
    assert!(!row.to_string().contains("Stina"));
    let (st, _) = call(&s.app, "GET", "/api/v1/planning/demand", Some(&part), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    for u in [&part, &steering] {
        let (st, _) = call(&s.app, "GET", "/api/v1/session-requests", Some(u), None).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
    // A manager of another unit does not see this unit's request.
    let (_, r) = call(
        &s.app,
        "POST",
        "/api/v1/session-requests",
        Some(&s.manager),
        Some(request_body(&s).to_string()),
    )
    .await;
    let other_unit = org::create_unit(
        &db,
        MunicipalityId(s.kumla),
        "Annan enhet",
        "aldreomsorg",
        true,
    )
    .await
    .unwrap();
    let other = s.app.manager_of_unit(other_unit).create().await;
    let (st, _) = call(
        &s.app,
        "GET",
        &format!("/api/v1/session-requests/{}", r["id"]),
        Some(&other),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, list) = call(
        &s.app,
        "GET",
        "/api/v1/session-requests",
        Some(&other),
        None,
    )
    .await;
    assert_eq!(list, json!([]));
    let (st, _) = call(&s.app, "DELETE", &path, Some(&part), None).await;
    assert_eq!(st, StatusCode::OK);
});

/// The request form filled in for the scene's unit, eight people in
/// `week`, on Tuesdays, day or evening.
async fn request_form(s: &Scene, cookie: &str, week: &str) -> common::Resp {
    let csrf = s.app.csrf_for(cookie, "/planering/forfragningar/ny").await;
    let form = format!(
        "_csrf={csrf}&course_id={}&municipality_id={}&unit_id={}&participants=8&first_week={week}&last_week=&weekdays=tue&times=dag&times=kvall&place=&note=",
        s.course, s.kumla, s.unit
    );
    s.app
        .page("POST", "/planering/forfragningar/ny", cookie, Some(&form))
        .await
}

/// The manager signed in and a request sent through the form: the
/// manager's cookie and the request's page.
async fn requested_on_the_page(s: &Scene) -> (String, String) {
    let manager = s
        .app
        .login("chef.syd@test.se", common::PASSWORD)
        .await
        .unwrap();
    let r = request_form(s, &manager, &week_in(28)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.headers["location"].to_str().unwrap().to_string();
    (manager, to)
}

both_engines!(
    the_request_form_refuses_a_week_gone_by_and_shows_the_manager_the_request,
    |db: Db| async move {
        let s = scene(&db).await;
        let manager = s
            .app
            .login("chef.syd@test.se", common::PASSWORD)
            .await
            .unwrap();
        let r = s
            .app
            .page(
                "GET",
                &format!("/planering/forfragningar/ny?kurs={}", s.course),
                &manager,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Hemtjänst Syd"));
        let r = request_form(&s, &manager, &week_in(-7)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-first_week\""), "{}", r.body);
        assert!(r.body.contains("har redan varit"));
        let r = request_form(&s, &manager, &week_in(28)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let to = r.headers["location"].to_str().unwrap().to_string();
        let r = s.app.page("GET", &to, &manager, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("dagtid, kvällstid"));
        assert!(
            !r.body.contains("Svara: avböjd"),
            "a manager does not answer"
        );
    }
);

both_engines!(
    the_coordinator_declines_on_the_page_with_a_reason_the_manager_sees,
    |db: Db| async move {
        let s = scene(&db).await;
        let (manager, to) = requested_on_the_page(&s).await;
        let coord = s.app.login(&s.coord.email, common::PASSWORD).await.unwrap();
        let r = s.app.page("GET", &to, &coord, None).await;
        assert!(r.body.contains("Svara: avböjd"), "{}", r.body);
        assert!(r.body.contains("Kursen har inga kommande tillfällen"));
        let rid: i64 = to.rsplit('/').next().unwrap().parse().unwrap();
        let answer = format!("/planering/forfragningar/{rid}/svar");
        let csrf = s.app.csrf_for(&coord, &to).await;
        let decline = |reason: &str| {
            let body = format!(
                "_csrf={csrf}&answer=declined&reason={}",
                common::urlencoding(reason)
            );
            let (s, answer, coord) = (&s, &answer, &coord);
            async move { s.app.page("POST", answer, coord, Some(&body)).await }
        };
        // The reason is required.
        let r = decline("").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-reason\""), "{}", r.body);
        let r = decline("Ingen utbildningsledare ledig vecka 12.").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = s.app.page("GET", &to, &manager, None).await;
        assert!(r.body.contains("Ingen utbildningsledare ledig vecka 12."));
        let r = s
            .app
            .page("GET", "/planering/forfragningar", &manager, None)
            .await;
        assert!(r.body.contains("avböjd"));
    }
);

both_engines!(
    the_coordinator_sees_demand_and_courses_depending_on_one_person,
    |db: Db| async move {
        let s = scene(&db).await;
        let coord = s.app.login(&s.coord.email, common::PASSWORD).await.unwrap();
        let r = s.app.page("GET", "/planering", &coord, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Efterfrågan per kurs och kommun"));
        // The start page's planning cards, and the course with no trainer
        // listed as depending on one person.
        let r = s.app.page("GET", "/", &coord, None).await;
        assert!(
            r.body.contains("id=\"card-person-dependent\""),
            "{}",
            r.body
        );
        assert!(r.body.contains("id=\"card-under-minimum\""));
        let r = s
            .app
            .page("GET", "/planering/personberoende", &coord, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Förflyttningsteknik"));
        let manager = s
            .app
            .login("chef.syd@test.se", common::PASSWORD)
            .await
            .unwrap();
        let r = s
            .app
            .page("GET", "/planering/personberoende", &manager, None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

both_engines!(
    interest_is_registered_from_the_course_pages_button,
    |db: Db| async move {
        let s = scene(&db).await;
        let person = fixtures::person(&db, "Petra", "Kumla").await;
        s.app
            .participant(person)
            .email("petra.sida@test.se")
            .create()
            .await;
        let petra = s
            .app
            .login("petra.sida@test.se", common::PASSWORD)
            .await
            .unwrap();
        let path = format!("/kurser/{}/intresse", s.course);
        let r = s
            .app
            .page("GET", &format!("/kurser/{}", s.course), &petra, None)
            .await;
        assert!(r.body.contains(&path), "{}", r.body);
        let csrf = s.app.csrf_for(&petra, &path).await;
        let r = s
            .app
            .page(
                "POST",
                &path,
                &petra,
                Some(&format!("_csrf={csrf}&people=1")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = s.app.page("GET", &path, &petra, None).await;
        assert!(r.body.contains("Ta tillbaka intresset"));
    }
);
