//! Issue 10's holes, each tried the way an attacker would, on both engines:
//! redirects to other hosts, text put in banners through the query string,
//! one-time links visible to coordinators, another unit's reserved seats,
//! closing a session early, what the public certificate check shows, the
//! calendar feed of someone who left, overlong periods and the OpenAPI
//! document's query parameters.

use crate::common;
use domain::ids::{MunicipalityId, PersonId, SessionId, UnitId};

use axum::http::StatusCode;
use common::{urlencoding, TestApp};
use domain::access::{Role, Scope};
use navet_store::audit::Who;
use navet_store::people::{self, PersonInput};
use navet_store::testing::fixtures;
use navet_store::{attendance, bookings, both_engines, org, Db};
use serde_json::json;
use sqlx::Row;

const PASSWORD: &str = "rätt-lösenord-123";
const MARK: &str = "PLANTED-TEXT-4711";

fn who() -> Who {
    Who::system("test")
}

fn at(days: i64, hour: i64) -> String {
    let t = chrono::Utc::now().timestamp() / 86_400 * 86_400 + days * 86_400 + hour * 3600;
    chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339()
}

async fn person(db: &Db, name: &str, unit: Option<i64>) -> i64 {
    let p = people::resolve(
        db,
        &PersonInput {
            name: name.into(),
            email: format!("{}@x.se", name.to_lowercase().replace(' ', ".")),
            gender: "kvinna".into(),
            role: "undersköterska".into(),
            municipality: "Örebro".into(),
            unit: unit.map(|u| u.to_string()).unwrap_or_default(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    people::create(db, &who(), &p, false).await.unwrap()
}

/// A session through the API (open for booking, in the future).
async fn future_session(
    app: &TestApp,
    coord: &str,
    course_id: i64,
    days: i64,
    capacity: i64,
) -> i64 {
    let r = app
        .post_json(
            "/api/v1/sessions",
            Some(coord),
            &json!({"course_id": course_id, "starts_at": at(days, 8), "ends_at": at(days, 11),
                    "municipality": "Örebro", "venue": "Sal 1", "capacity": capacity}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

/// A session written directly, from `starts` to `ends` (Unix seconds).
async fn raw_session(db: &Db, course_id: i64, starts: i64, ends: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, cancel_reason, created_at, updated_at) \
         VALUES ($1, $2, $3, (SELECT id FROM municipalities WHERE name = 'Örebro'), 'Sal 1', 20, 3, 'open', '', 0, 0) RETURNING id",
    )
    .bind(course_id)
    .bind(starts)
    .bind(ends)
    .fetch_one(db.writer())
    .await
    .unwrap()
}

async fn raw_booking(db: &Db, session_id: i64, person_id: i64, status: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, $3, 0, 0) RETURNING id",
    )
    .bind(session_id)
    .bind(person_id)
    .bind(status)
    .fetch_one(db.writer())
    .await
    .unwrap()
}

async fn coordinator(app: &TestApp) -> (String, String) {
    let (_, token) = app
        .account("coord@test.se", Role::Coordinator, None, Scope::default())
        .await;
    let cookie = app.login("coord@test.se", PASSWORD).await.unwrap();
    (token, cookie)
}

/// The page without its form fields' values.
fn without_values(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(i) = rest.find("value=\"") {
        out.push_str(&rest[..i]);
        rest = &rest[i + 7..];
        rest = rest.find('"').map_or("", |j| &rest[j + 1..]);
    }
    out.push_str(rest);
    out
}

fn location(r: &common::Resp) -> String {
    r.headers["location"].to_str().unwrap().to_string()
}

/// The one-time key in a notice body after `marker` (up to the next
/// character that cannot be part of it).
fn key_after(body: &str, marker: &str) -> String {
    let i = body
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {body}"))
        + marker.len();
    body[i..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn outbox_body(db: &Db, kind: &str) -> (i64, String) {
    let r = sqlx::query("SELECT id, body FROM outbox WHERE kind = $1 ORDER BY id DESC")
        .bind(kind)
        .fetch_one(db.pool())
        .await
        .unwrap_or_else(|e| panic!("a {kind} notice: {e}"));
    (r.get(0), r.get(1))
}

both_engines!(next_targets_never_leave_the_site, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let (_, cookie) = coordinator(&app).await;
    for hostile in [
        "/%09/evil.example/x",
        "//evil.example/x",
        "/%5Cevil.example",
        "https://evil.example/",
        "/%20/evil.example",
        "%2F%2Fevil.example",
        "/%252F%252Fevil.example",
    ] {
        // Signed in: the login page sends you on at once.
        let r = app
            .page("GET", &format!("/login?next={hostile}"), &cookie, None)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{hostile}");
        assert_eq!(location(&r), "/", "{hostile}");
        // The language switch takes next= too.
        let csrf = app.csrf_for(&cookie, "/").await;
        let form = format!("_csrf={csrf}&lang=sv&next={hostile}");
        let r = app.page("POST", "/sprak", &cookie, Some(&form)).await;
        assert_eq!(location(&r), "/", "{hostile}");
    }
    // A local target is kept.
    let r = app
        .page("GET", "/login?next=/kurser%3Fq%3Dhlr", &cookie, None)
        .await;
    assert_eq!(location(&r), "/kurser?q=hlr");
    // Logging in with a hostile next= lands on the start page.
    app.account("anna@test.se", Role::Participant, None, Scope::default())
        .await;
    let anon = app.page("GET", "/login", "", None).await;
    let csrf_pair = anon
        .cookies()
        .into_iter()
        .find(|c| c.contains("navet_csrf"))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = csrf_pair.split('=').nth(1).unwrap();
    let form = format!(
        "_csrf={token}&email={}&password={}&next={}",
        urlencoding("anna@test.se"),
        urlencoding(PASSWORD),
        urlencoding("/\t/evil.example/x")
    );
    let r = app.page("POST", "/login", &csrf_pair, Some(&form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/");
});

both_engines!(banners_never_print_query_text, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let (token, cookie) = coordinator(&app).await;
    let course = fixtures::course(&db, "HLR").await;
    let s = future_session(&app, &token, course, 10, 5).await;
    let held = raw_session(&db, course, 1_700_000_000, 1_700_010_000).await;
    for page in [
        format!("/kurstillfallen/{s}?fel={MARK}&ok={MARK}"),
        format!("/mina-bokningar?fel={MARK}&ok={MARK}"),
        format!("/tillfallen/{held}/narvaro?fel={MARK}&ok=stangd_{MARK}"),
        format!("/intyg/utgaende?ok={MARK}"),
        format!("/kompetens/behov?ok=loaded-{MARK}"),
        format!("/personal?ok={MARK}&fel={MARK}"),
        format!("/enkater?ok={MARK}"),
    ] {
        let r = app.page("GET", &page, &cookie, None).await;
        assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.body);
        // The page's own address may come back in a form field (the
        // language switch returns here); nowhere else.
        assert!(
            !without_values(&r.body).contains(MARK),
            "{page} prints the query text"
        );
    }
    // A refusal is still told, once, through the session instead.
    let csrf = app.csrf_for(&cookie, "/").await;
    let r = app
        .page(
            "POST",
            &format!("/kurstillfallen/{s}/reservera"),
            &cookie,
            Some(&format!("_csrf={csrf}&unit_id=&seats=2&deadline=")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/kurstillfallen/{s}"));
    let first = app.page("GET", &location(&r), &cookie, None).await;
    assert!(first.body.contains("role=\"alert\""), "{}", first.body);
    let second = app.page("GET", &location(&r), &cookie, None).await;
    assert!(!second.body.contains("class=\"warning\" role=\"alert\""));
});

both_engines!(
    coordinators_cannot_use_one_time_links_from_the_outbox,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (token, cookie) = coordinator(&app).await;
        let course = fixtures::course(&db, "Sårvård").await;

        // Decline: a waiting person gets the seat and a one-click link.
        let s = future_session(&app, &token, course, 10, 1).await;
        let anna = person(&db, "Anna Ek", None).await;
        let bo = person(&db, "Bo Ek", None).await;
        let a = app
            .post_json(
                &format!("/api/v1/sessions/{s}/bookings"),
                Some(&token),
                &json!({"person_id": anna}),
            )
            .await
            .json();
        let b = app
            .post_json(
                &format!("/api/v1/sessions/{s}/bookings"),
                Some(&token),
                &json!({"person_id": bo}),
            )
            .await
            .json();
        assert_eq!(b["status"], "waitlisted");
        let r = app
            .delete(&format!("/api/v1/bookings/{}", a["id"]), Some(&token))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let bo_booking = b["id"].as_i64().unwrap();
        let (promoted_id, body) = outbox_body(&db, "promoted").await;
        let decline = key_after(&body, "avboj?t=");
        assert!(decline.len() >= 32);

        // Offer: a cancelled session offers its people the next one.
        let course2 = fixtures::course(&db, "Sårvård, fördjupning").await;
        let first = future_session(&app, &token, course2, 20, 5).await;
        let _next = future_session(&app, &token, course2, 30, 5).await;
        let cia = person(&db, "Cia Ek", None).await;
        app.post_json(
            &format!("/api/v1/sessions/{first}/bookings"),
            Some(&token),
            &json!({"person_id": cia}),
        )
        .await;
        bookings::cancel_session(&db, &who(), SessionId(first), "Sjukdom")
            .await
            .unwrap();
        let (offer_id, body) = outbox_body(&db, "session_cancelled").await;
        let offer = key_after(&body, "?t=");
        let offer_hold = key_after(&body, "/erbjudande/");

        // Survey: closing a held session invites those who attended.
        let held = raw_session(&db, course, 1_700_000_000, 1_700_010_000).await;
        let dan = person(&db, "Dan Ek", None).await;
        raw_booking(&db, held, dan, "attended").await;
        attendance::close(&db, &who(), SessionId(held), "http://127.0.0.1:8080")
            .await
            .unwrap();
        let (survey_id, body) = outbox_body(&db, "survey").await;
        let survey = key_after(&body, "/enkat/");

        for (id, key) in [
            (promoted_id, &decline),
            (offer_id, &offer),
            (survey_id, &survey),
        ] {
            let list = app.page("GET", "/admin/utskick", &cookie, None).await;
            assert_eq!(list.status, StatusCode::OK);
            assert!(!list.body.contains(key.as_str()));
            let page = app
                .page("GET", &format!("/admin/utskick/{id}"), &cookie, None)
                .await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(
                !page.body.contains(key.as_str()),
                "message {id} shows its key"
            );
            assert!(page.body.contains(domain::notices::MASK));
        }

        // The keys themselves work: they were masked, not broken.
        let r = app
            .page(
                "GET",
                &format!("/anmalan/{bo_booking}/avboj?t={decline}"),
                "",
                None,
            )
            .await;
        assert!(r.body.contains("Sårvård"), "{}", r.body);
        let r = app
            .page(
                "GET",
                &format!("/erbjudande/{offer_hold}?t={offer}"),
                "",
                None,
            )
            .await;
        assert!(r.body.contains("Sårvård"), "{}", r.body);
        let r = app.page("GET", &format!("/enkat/{survey}"), "", None).await;
        assert_eq!(r.status, StatusCode::OK);

        // Without the key (or with a wrong one) the decline and offer pages
        // say nothing about the booking.
        for path in [
            format!("/anmalan/{bo_booking}/avboj"),
            format!("/anmalan/{bo_booking}/avboj?t=wrong"),
            format!("/anmalan/{}/avboj", bo_booking + 1000),
            format!("/erbjudande/{offer_hold}"),
        ] {
            let r = app.page("GET", &path, "", None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(!r.body.contains("Sårvård"), "{path} shows the course");
            assert!(!r.body.contains("Bo Ek") && !r.body.contains("Cia Ek"));
            assert!(r.body.contains("Länken gäller inte"), "{path}");
        }
    }
);

both_engines!(reserved_seats_belong_to_their_unit, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let (coord, _) = coordinator(&app).await;
    let orebro = org::municipality_by_name(&db, "Örebro")
        .await
        .unwrap()
        .unwrap();
    let mine = org::create_unit(
        &db,
        MunicipalityId(orebro.id),
        "Ängen",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    let theirs = org::create_unit(
        &db,
        MunicipalityId(orebro.id),
        "Björken",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    let my_staff = person(&db, "Eva Ek", Some(mine)).await;
    let their_staff = person(&db, "Fia Ek", Some(theirs)).await;
    let no_unit = person(&db, "Gun Ek", None).await;
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
    let (_, other_manager) = app
        .account(
            "annan-chef@test.se",
            Role::Manager,
            None,
            Scope {
                unit_ids: vec![theirs],
                municipality_ids: vec![],
            },
        )
        .await;
    let course = fixtures::course(&db, "HLR").await;
    let s = future_session(&app, &coord, course, 10, 10).await;
    let hold = bookings::reserve(
        &db,
        &who(),
        SessionId(s),
        UnitId(mine),
        2,
        navet_store::time::now() + 5 * 86_400,
    )
    .await
    .unwrap();
    let name = |token: &str, person: i64| {
        let app = &app;
        let token = token.to_string();
        async move {
            app.post_json(
                &format!("/api/v1/sessions/{s}/bookings"),
                Some(&token),
                &json!({"person_id": person, "reservation_id": hold}),
            )
            .await
        }
    };
    // The manager of another unit in the same municipality, with their own staff.
    let r = name(&other_manager, their_staff).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // A coordinator may book anyone, but not onto a unit's reserved seat.
    let r = name(&coord, their_staff).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = name(&coord, no_unit).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let named: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings WHERE hold_id = $1")
        .bind(hold)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(named, 0, "nothing was booked");
    // The unit's own manager names the unit's own staff.
    let r = name(&manager, my_staff).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The page's bulk booking refuses the other manager too.
    let cookie = app.login("annan-chef@test.se", PASSWORD).await.unwrap();
    let csrf = app.csrf_for(&cookie, "/boka-personal").await;
    let r = app
        .page(
            "POST",
            "/boka-personal",
            &cookie,
            Some(&format!(
                "_csrf={csrf}&session_id={s}&reservation_id={hold}&people={their_staff}"
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let named: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings WHERE hold_id = $1")
        .bind(hold)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(named, 1);
    // Nor may they end the other unit's reservation.
    let csrf = app.csrf_for(&cookie, "/boka-personal").await;
    let r = app
        .page(
            "POST",
            &format!("/reservationer/{hold}/slapp"),
            &cookie,
            Some(&format!("_csrf={csrf}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

both_engines!(
    a_session_is_closed_only_after_it_ends,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (coord, cookie) = coordinator(&app).await;
        let course = fixtures::course(&db, "HLR").await;
        let now = navet_store::time::now();
        let running = raw_session(&db, course, now - 3600, now + 2 * 3600).await;
        let p = person(&db, "Hanna Ek", None).await;
        raw_booking(&db, running, p, "attended").await;
        let r = app
            .post_json(
                &format!("/api/v1/sessions/{running}/close"),
                Some(&coord),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.json()["error"].as_str().unwrap().contains("inte slutat"));
        let csrf = app.csrf_for(&cookie, "/").await;
        let r = app
            .page(
                "POST",
                &format!("/tillfallen/{running}/narvaro/stang"),
                &cookie,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        let page = app.page("GET", &location(&r), &cookie, None).await;
        assert!(page.body.contains("inte slutat"), "{}", page.body);
        let issued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM completions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(issued, 0, "no certificate before the end");
    }
);

both_engines!(
    the_public_check_shows_initials_not_the_name,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let course = fixtures::course(&db, "Förflyttningsteknik").await;
        let held = raw_session(&db, course, 1_700_000_000, 1_700_010_000).await;
        let p = person(&db, "Åsa Öberg-Lindström", None).await;
        raw_booking(&db, held, p, "attended").await;
        attendance::close(&db, &who(), SessionId(held), "http://x")
            .await
            .unwrap();
        let (no, code): (String, String) = {
            let r = sqlx::query(
                "SELECT certificate_no, verify_code FROM completions WHERE person_id = $1",
            )
            .bind(p)
            .fetch_one(db.pool())
            .await
            .unwrap();
            (r.get(0), r.get(1))
        };
        let r = app
            .page("GET", &format!("/verifiera/{code}"), "", None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(&no), "{}", r.body);
        assert!(r.body.contains("Förflyttningsteknik"));
        assert!(r.body.contains("Å. Ö."));
        assert!(!r.body.contains("Åsa") && !r.body.contains("Öberg"));
        let r = app
            .page("GET", "/verifiera?kod=AAAAA-AAAAA-A", "", None)
            .await;
        assert!(!r.body.contains(&no));
    }
);

both_engines!(
    the_calendar_feed_stops_when_someone_leaves,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let p = person(&db, "Ida Ek", None).await;
        let q = person(&db, "Jan Ek", None).await;
        let (account, _) = app
            .account("jan@test.se", Role::Participant, Some(q), Scope::default())
            .await;
        let feed_p = bookings::feed_token(&db, PersonId(p)).await.unwrap();
        let feed_q = bookings::feed_token(&db, PersonId(q)).await.unwrap();
        for t in [&feed_p, &feed_q] {
            let r = app
                .page("GET", &format!("/kalender/{t}.ics"), "", None)
                .await;
            assert_eq!(r.status, StatusCode::OK);
        }
        sqlx::query("UPDATE people SET active = 0 WHERE id = $1")
            .bind(p)
            .execute(db.writer())
            .await
            .unwrap();
        sqlx::query("UPDATE accounts SET active = 0 WHERE id = $1")
            .bind(account)
            .execute(db.writer())
            .await
            .unwrap();
        for t in [&feed_p, &feed_q] {
            let r = app
                .page("GET", &format!("/kalender/{t}.ics"), "", None)
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            assert!(!r.body.contains("BEGIN:VCALENDAR"));
        }
    }
);

both_engines!(periods_over_ten_years_are_refused, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let (token, cookie) = coordinator(&app).await;
    let r = app
        .get(
            "/api/v1/reports/indicators?from=2000-01-01&to=2025-12-31",
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["field"], "to");
    assert!(r.json()["error"].as_str().unwrap().contains("10 år"));
    let r = app
        .get(
            "/api/v1/reports/indicators?from=2016-01-01&to=2025-12-31",
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for page in [
        "/rapporter?from=1900-01-01&to=2025-12-31",
        "/oversikt?from=1900-01-01&to=2025-12-31",
    ] {
        let r = app.page("GET", page, &cookie, None).await;
        assert!(r.status.is_client_error(), "{page}: {}", r.status);
        assert!(r.body.contains("10 år"), "{page}");
    }
});

#[tokio::test]
async fn openapi_declares_query_parameters_as_query() {
    let t = navet_store::testing::TestDb::sqlite().await;
    let app = TestApp::new(t.db.clone());
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    let params = |path: &str| {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let report = params("/api/v1/reports/indicators");
    for name in ["from", "to"] {
        let p = report
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} declared"));
        assert_eq!(p["in"], "query", "{name}");
    }
    for path in ["/api/v1/sessions", "/api/v1/courses", "/api/v1/people"] {
        for p in params(path) {
            assert_eq!(p["in"], "query", "{path} {}", p["name"]);
        }
    }
}
