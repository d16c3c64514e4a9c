//! Planning the term through the pages and the API, on both engines: a
//! trainer gives their availability and the coordinator sees and edits
//! everyone's; an assignment outside it goes through with a warning; the
//! coordinator agrees volumes and the term view (which the steering group
//! reads too) shows agreed vs planned vs booked vs attended. Bad input is
//! refused naming the field; a manager may do none of it.

use crate::common;
use domain::ids::{MunicipalityId, PersonId};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use common::{TestApp, User};
use domain::access::Role;
use domain::planning::requests::Week;
use domain::planning::term::Term;
use navet_store::audit::Who;
use navet_store::bookings::{self, BookRequest, Via};
use navet_store::sessions::{self, SessionInput};
use navet_store::testing::fixtures;
use navet_store::{both_engines, org, trainers, Db};
use serde_json::{json, Value};

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
    let r = app
        .send(
            b.body(Body::from(body.map(|v| v.to_string()).unwrap_or_default()))
                .unwrap(),
        )
        .await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

/// A term wholly in the future.
fn future() -> Term {
    Term::current_or_next(navet_store::time::today()).next()
}

/// The Tuesday of the term's week `first + n`.
fn tuesday(t: Term, n: u32) -> chrono::NaiveDate {
    Week {
        year: t.year,
        week: t.week_numbers().0 + n,
    }
    .monday()
        + Duration::days(1)
}

struct Scene {
    app: TestApp,
    coord: User,
    manager: User,
    steering: User,
    anna: User,
    bo: i64,
    course: i64,
    kumla: i64,
}

async fn scene(db: &Db) -> Scene {
    let app = TestApp::new(db.clone());
    let who = Who::system("test");
    let kumla = org::municipality_by_name(db, "Kumla")
        .await
        .unwrap()
        .unwrap()
        .id;
    let unit = org::create_unit(
        db,
        MunicipalityId(kumla),
        "Hemtjänst Norr",
        "aldreomsorg",
        true,
    )
    .await
    .unwrap();
    let course = fixtures::course(db, "Förflyttningsteknik").await;
    let mut ids = vec![];
    for name in ["Anna", "Bo"] {
        let p = fixtures::person(db, name, "Kumla").await;
        trainers::upsert(db, &who, PersonId(p), MunicipalityId(kumla), true)
            .await
            .unwrap();
        trainers::set_courses(db, &who, PersonId(p), &[course])
            .await
            .unwrap();
        ids.push(p);
    }
    let coord = app.coordinator().email("samordnare@test.se").create().await;
    let manager = app
        .manager_of_unit(unit)
        .email("chef@test.se")
        .create()
        .await;
    let steering = app
        .user(Role::Steering)
        .email("styr@test.se")
        .create()
        .await;
    let anna = app.trainer(ids[0]).email("anna@test.se").create().await;
    Scene {
        app,
        coord,
        manager,
        steering,
        anna,
        bo: ids[1],
        course,
        kumla,
    }
}

async fn cookie(s: &Scene, email: &str) -> String {
    s.app.login(email, common::PASSWORD).await.unwrap()
}

async fn post(s: &Scene, cookie: &str, page: &str, to: &str, form: &str) -> common::Resp {
    let csrf = s.app.csrf_for(cookie, page).await;
    s.app
        .page("POST", to, cookie, Some(&format!("_csrf={csrf}&{form}")))
        .await
}

fn anna_id(s: &Scene) -> i64 {
    s.anna.person_id.unwrap()
}

both_engines!(
    a_trainer_gives_availability_on_the_page_and_the_coordinator_sees_it,
    |db: Db| async move {
        let s = scene(&db).await;
        let t = future();
        let first = t.week_numbers().0;
        let anna = cookie(&s, "anna@test.se").await;
        let r = s.app.page("GET", "/mina-tillfallen", &anna, None).await;
        assert!(r.body.contains("href=\"/mina-tillfallen/tillganglighet\""));
        let page = format!("/mina-tillfallen/tillganglighet?termin={}", t.code());
        let r = s.app.page("GET", &page, &anna, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains(&format!("Tillgänglighet {t}")));
        let form = |weeks: &str, max: &str| {
            format!(
                "termin={}&{weeks}&weekdays=tue&weekdays=wed&max_per_week={max}&note=Ej+lov",
                t.code()
            )
        };
        let good = form(&format!("weeks={first}&weeks={}", first + 1), "2");
        let r = post(&s, &anna, &page, "/mina-tillfallen/tillganglighet", &good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Week 60 and a negative maximum: refused, naming the fields.
        let r = post(
            &s,
            &anna,
            &page,
            "/mina-tillfallen/tillganglighet",
            &form("weeks=60", "-1"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-weeks\""), "{}", r.body);
        assert!(r.body.contains("id=\"err-max_per_week\""));
        assert!(r.body.contains("Vecka 60 ligger inte i"));
        // The coordinator sees it and edits Bo's.
        let coord = cookie(&s, "samordnare@test.se").await;
        let r = s
            .app
            .page(
                "GET",
                &format!("/planering/tillganglighet?termin={}", t.code()),
                &coord,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Anna") && r.body.contains("tisdag, onsdag"),
            "{}",
            r.body
        );
        assert!(r.body.contains("ej angiven"), "Bo has given none");
        let bo_page = format!("/planering/tillganglighet/{}?termin={}", s.bo, t.code());
        let r = post(
            &s,
            &coord,
            &bo_page,
            &format!("/planering/tillganglighet/{}", s.bo),
            &good,
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = s.app.page("GET", &bo_page, &coord, None).await;
        assert!(
            r.body.contains(&format!(
                "id=\"w-{first}\" name=\"weeks\" value=\"{first}\" checked"
            )),
            "{}",
            r.body
        );
        // A trainer may not open another's; a manager no one's.
        let r = s.app.page("GET", &bo_page, &anna, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let manager = cookie(&s, "chef@test.se").await;
        for p in [
            bo_page.as_str(),
            "/planering/tillganglighet",
            "/mina-tillfallen/tillganglighet",
        ] {
            let r = s.app.page("GET", p, &manager, None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{p}");
        }
        // An unknown term in the address.
        let r = s
            .app
            .page(
                "GET",
                "/mina-tillfallen/tillganglighet?termin=2027-xx",
                &anna,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
);

both_engines!(availability_through_the_api, |db: Db| async move {
    let s = scene(&db).await;
    let t = future();
    let first = t.week_numbers().0 as i64;
    let path = format!("/api/v1/trainers/{}/availability/{}", anna_id(&s), t.code());
    let (st, r) = call(&s.app, "GET", &path, Some(&s.anna), None).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["given"], false);
    let body = json!({"weeks": [first, first + 2], "weekdays": ["mon", "thu"], "max_per_week": 3, "note": "Helst förmiddag"});
    let (st, r) = call(&s.app, "PUT", &path, Some(&s.anna), Some(body.clone())).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["weeks"], json!([first, first + 2]));
    assert_eq!(r["term_label"], t.to_string());
    let (st, r) = call(&s.app, "GET", &path, Some(&s.coord), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        (r["given"].clone(), r["max_per_week"].clone()),
        (json!(true), json!(3))
    );
    assert_eq!(r["weekdays"], json!(["mon", "thu"]));
    // Bad input, each naming its field.
    for (b, field) in [
        (
            json!({"weeks": [60], "weekdays": ["mon"], "max_per_week": 1}),
            "weeks",
        ),
        (
            json!({"weeks": [first], "weekdays": ["mon"], "max_per_week": -1}),
            "max_per_week",
        ),
        (
            json!({"weeks": [first], "weekdays": [], "max_per_week": 1}),
            "weekdays",
        ),
    ] {
        let (st, r) = call(&s.app, "PUT", &path, Some(&s.anna), Some(b)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
        assert_eq!(r["field"], field, "{r}");
    }
    let (st, r) = call(
        &s.app,
        "PUT",
        "/api/v1/trainers/1/availability/VT-27",
        Some(&s.coord),
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        (st, r["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("term"))
    );
    // A past term.
    let (st, r) = call(
        &s.app,
        "PUT",
        &format!("/api/v1/trainers/{}/availability/2026-vt", anna_id(&s)),
        Some(&s.anna),
        Some(json!({"weeks": [], "max_per_week": 0})),
    )
    .await;
    assert_eq!(
        (st, r["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("term"))
    );
    // Who may: not another trainer's, not a manager, not the steering group.
    let bo = format!("/api/v1/trainers/{}/availability/{}", s.bo, t.code());
    let (st, _) = call(&s.app, "PUT", &bo, Some(&s.anna), Some(body.clone())).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    for u in [&s.manager, &s.steering] {
        let (st, _) = call(&s.app, "PUT", &path, Some(u), Some(body.clone())).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = call(&s.app, "GET", &path, Some(u), None).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
    let (st, _) = call(&s.app, "GET", &path, None, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // An unknown trainer.
    let (st, _) = call(
        &s.app,
        "GET",
        &format!("/api/v1/trainers/999999/availability/{}", t.code()),
        Some(&s.coord),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // The coordinator may change anyone's.
    let (st, _) = call(&s.app, "PUT", &bo, Some(&s.coord), Some(body)).await;
    assert_eq!(st, StatusCode::OK);
});

async fn session(s: &Scene, d: chrono::NaiveDate) -> i64 {
    let db = &s.app.db;
    let input = SessionInput {
        course_id: s.course,
        parts: vec![(format!("{d}T09:00"), format!("{d}T12:00"))],
        municipality: "Kumla".into(),
        venue: "Sal 1".into(),
        capacity: 10,
        ..Default::default()
    };
    let new = sessions::resolve(db, &input, navet_store::time::now())
        .await
        .unwrap();
    sessions::create(db, &Who::system("test"), &new)
        .await
        .unwrap()
}

both_engines!(
    an_assignment_outside_the_availability_warns,
    |db: Db| async move {
        let s = scene(&db).await;
        let t = future();
        let first = t.week_numbers().0 as i64;
        let path = format!("/api/v1/trainers/{}/availability/{}", anna_id(&s), t.code());
        let (st, _) = call(
            &s.app,
            "PUT",
            &path,
            Some(&s.anna),
            Some(json!({"weeks": [first], "weekdays": ["tue"], "max_per_week": 1})),
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        // A session three weeks later: Anna did not give that week.
        let id = session(&s, tuesday(t, 3)).await;
        let coord = cookie(&s, "samordnare@test.se").await;
        let page = format!("/kurstillfallen/{id}");
        let r = s.app.page("GET", &page, &coord, None).await;
        assert!(
            r.body.contains("Anna (Kumla) – utanför tillgänglighet"),
            "the choice is marked before assigning: {}",
            r.body
        );
        let r = post(
            &s,
            &coord,
            &page,
            &format!("{page}/utbildningsledare"),
            &format!("person_id={}", anna_id(&s)),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "assigned, not refused: {}",
            r.body
        );
        let to = r.headers["location"].to_str().unwrap().to_string();
        let r = s.app.page("GET", &to, &coord, None).await;
        assert!(
            r.body.contains("Observera: tillfället ligger utanför"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains(&format!(
                "Anna har inte angett vecka {} som tillgänglig ({t}).",
                first + 3
            )),
            "{}",
            r.body
        );
        // Within the availability: no warning.
        let ok = session(&s, tuesday(t, 0)).await;
        let page = format!("/kurstillfallen/{ok}");
        let r = post(
            &s,
            &coord,
            &page,
            &format!("{page}/utbildningsledare"),
            &format!("person_id={}", anna_id(&s)),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = s.app.page("GET", &page, &coord, None).await;
        assert!(!r.body.contains("har inte angett vecka"), "{}", r.body);
        assert!(!r.body.contains("class=\"availability-warnings\""));
    }
);

both_engines!(
    volumes_and_the_term_view_on_the_pages,
    |db: Db| async move {
        let s = scene(&db).await;
        let t = future();
        let coord = cookie(&s, "samordnare@test.se").await;
        let page = format!("/planering/volymer?termin={}", t.code());
        let r = s.app.page("GET", "/planering", &coord, None).await;
        assert!(
            r.body.contains("href=\"/planering/volymer\"")
                && r.body.contains("href=\"/planering/termin\"")
        );
        assert!(r.body.contains("href=\"/planering/tillganglighet\""));
        let form = |places: &str| {
            format!(
                "termin={}&municipality_id={}&item=c{}&places={places}",
                t.code(),
                s.kumla,
                s.course
            )
        };
        let r = post(&s, &coord, &page, "/planering/volymer", &form("-1")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-places\""), "{}", r.body);
        let r = post(
            &s,
            &coord,
            &page,
            "/planering/volymer",
            &format!("termin={}&municipality_id=&item=&places=3", t.code()),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("id=\"err-municipality_id\"") && r.body.contains("id=\"err-item\"")
        );
        let r = post(&s, &coord, &page, "/planering/volymer", &form("12")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = s.app.page("GET", &page, &coord, None).await;
        assert!(r.body.contains("Förflyttningsteknik"));
        // A session of the term in Kumla (10 seats) with one of Kumla's people booked.
        let sid = session(&s, tuesday(t, 2)).await;
        let p = fixtures::person(&s.app.db, "Kalle", "Kumla").await;
        bookings::book(
            &s.app.db,
            &BookRequest {
                session_id: sid,
                person_id: p,
                who: Who::system("test"),
                via: Via::Coordinator,
                support_needs: String::new(),
                hold_id: None,
            },
        )
        .await
        .unwrap();
        let steering = cookie(&s, "styr@test.se").await;
        let view = format!("/planering/termin?termin={}", t.code());
        let r = s.app.page("GET", &view, &steering, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let row = r
            .body
            .find(&format!("data-course=\"{}\"", s.course))
            .expect("the course's row");
        let cells = &r.body[row..row + 700];
        for (class, n) in [
            ("agreed", 12),
            ("planned", 10),
            ("booked", 1),
            ("attended", 0),
        ] {
            assert!(
                cells.contains(&format!("<td class=\"num {class}\">{n}</td>")),
                "{class} {n}: {cells}"
            );
        }
        assert!(r.body.contains("2 ej planerade"), "12 agreed, 10 planned");
        assert!(
            !r.body.contains("href=\"/planering/volymer"),
            "the steering group only reads"
        );
        // The manager may neither read nor change; the steering group not change.
        let manager = cookie(&s, "chef@test.se").await;
        for p in [view.as_str(), page.as_str()] {
            let r = s.app.page("GET", p, &manager, None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{p}");
        }
        let r = s.app.page("GET", &page, &steering, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Remove it: 0 places.
        let r = post(&s, &coord, &page, "/planering/volymer", &form("0")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = s.app.page("GET", &page, &coord, None).await;
        assert!(r.body.contains("Inga volymer är överenskomna"));
    }
);

both_engines!(
    volumes_and_the_term_view_through_the_api,
    |db: Db| async move {
        let s = scene(&db).await;
        let t = future();
        let path = format!("/api/v1/planning/terms/{}/volumes", t.code());
        let body = json!({"municipality_id": s.kumla, "course_id": s.course, "places": 15});
        let (st, r) = call(&s.app, "PUT", &path, Some(&s.coord), Some(body.clone())).await;
        assert_eq!(st, StatusCode::OK, "{r}");
        assert_eq!(r[0]["places"], 15);
        assert_eq!(r[0]["municipality"], "Kumla");
        for (b, field) in [
            (
                json!({"municipality_id": s.kumla, "course_id": s.course, "places": -2}),
                "places",
            ),
            (
                json!({"municipality_id": s.kumla, "course_id": 999999, "places": 2}),
                "course_id",
            ),
            (
                json!({"municipality_id": s.kumla, "package_id": 999999, "places": 2}),
                "package_id",
            ),
            (
                json!({"municipality_id": s.kumla, "places": 2}),
                "course_id",
            ),
            (
                json!({"municipality_id": 999999, "course_id": s.course, "places": 2}),
                "municipality_id",
            ),
        ] {
            let (st, r) = call(&s.app, "PUT", &path, Some(&s.coord), Some(b)).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
            assert_eq!(r["field"], field, "{r}");
        }
        for u in [&s.manager, &s.steering, &s.anna] {
            let (st, _) = call(&s.app, "PUT", &path, Some(u), Some(body.clone())).await;
            assert_eq!(st, StatusCode::FORBIDDEN);
        }
        let view = format!("/api/v1/planning/terms/{}", t.code());
        let (st, r) = call(&s.app, "GET", &view, Some(&s.steering), None).await;
        assert_eq!(st, StatusCode::OK, "{r}");
        assert_eq!(r["rows"][0]["agreed"], 15);
        assert_eq!(r["total"]["agreed"], 15);
        assert_eq!(r["total"]["planned"], 0);
        let (st, _) = call(&s.app, "GET", &view, Some(&s.manager), None).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, r) = call(
            &s.app,
            "GET",
            "/api/v1/planning/terms/sommar-2027",
            Some(&s.coord),
            None,
        )
        .await;
        assert_eq!(
            (st, r["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("term"))
        );
        let (st, r) = call(&s.app, "GET", &path, Some(&s.steering), None).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(r.as_array().unwrap().len(), 1);
    }
);

both_engines!(
    a_cost_scenario_takes_the_agreed_volumes_as_participants,
    |db: Db| async move {
        let s = scene(&db).await;
        let t = future();
        let (st, r) = call(
            &s.app,
            "PUT",
            &format!("/api/v1/planning/terms/{}/volumes", t.code()),
            Some(&s.coord),
            Some(json!({"municipality_id": s.kumla, "course_id": s.course, "places": 15})),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{r}");
        let coord = cookie(&s, "samordnare@test.se").await;
        let r = s
            .app
            .page("GET", "/kostnader/scenarier/ny", &coord, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("id=\"volymer\""), "the choice is offered");
        let r = s
            .app
            .page(
                "GET",
                &format!("/kostnader/scenarier/ny?volymer={}", t.code()),
                &coord,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains(&format!(
                "name=\"participants_{k}\" value=\"15\"",
                k = s.kumla
            )),
            "{}",
            r.body
        );
        assert!(r
            .body
            .contains(&format!("ifyllda från de överenskomna volymerna för {t}")));
        // A whole year: both terms (the other has none here).
        let r = s
            .app
            .page(
                "GET",
                &format!("/kostnader/scenarier/ny?volymer={}", t.year),
                &coord,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let r = s
            .app
            .page(
                "GET",
                "/kostnader/scenarier/ny?volymer=sommar",
                &coord,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // The manager builds no scenarios.
        let manager = cookie(&s, "chef@test.se").await;
        let r = s
            .app
            .page(
                "GET",
                &format!("/kostnader/scenarier/ny?volymer={}", t.code()),
                &manager,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);
