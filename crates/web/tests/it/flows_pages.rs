//! Confirm, then undo; changing a session; attendance of the day, through
//! the pages and the API, on both engines.

use crate::common;
use domain::ids::SessionId;

use axum::http::StatusCode;
use common::{urlencoding, TestApp};
use domain::access::{Role, Scope};
use navet_store::audit::Who;
use navet_store::bookings::{self, BookRequest, Via};
use navet_store::sessions::{self, SessionInput};
use navet_store::testing::fixtures::{self, person};
use navet_store::{both_engines, Db};
use serde_json::json;

fn rfc(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn session(db: &Db, start: i64, capacity: i64) -> i64 {
    let course = fixtures::course(db, "Sårvård").await;
    let input = SessionInput {
        course_id: course,
        parts: vec![(rfc(start), rfc(start + 3 * 3600))],
        municipality: "Örebro".into(),
        venue: "Sal 1".into(),
        capacity,
        ..Default::default()
    };
    let r = sessions::resolve(db, &input, now()).await.unwrap();
    sessions::create(db, &Who::system("test"), &r)
        .await
        .unwrap()
}

async fn book(db: &Db, s: i64, p: i64) -> i64 {
    bookings::book(
        db,
        &BookRequest {
            session_id: s,
            person_id: p,
            who: Who::system("test"),
            via: Via::Coordinator,
            support_needs: String::new(),
            hold_id: None,
        },
    )
    .await
    .unwrap()
    .booking_id
}

fn location(r: &common::Resp) -> String {
    r.headers
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no redirect ({}): {}", r.status, r.body))
}

async fn status_of(db: &Db, b: i64) -> String {
    sqlx::query_scalar("SELECT status FROM bookings WHERE id = $1")
        .bind(b)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

both_engines!(cancel_asks_first_then_offers_undo, |db: Db| async move {
    let s = session(&db, now() + 10 * 86_400, 1).await;
    let me = person(&db, "Mira", "Örebro").await;
    let other = person(&db, "Olle", "Örebro").await;
    let b = book(&db, s, me).await;
    let app = TestApp::new(db.clone());
    app.account(
        "mira@test.se",
        Role::Participant,
        Some(me),
        Scope::default(),
    )
    .await;
    let cookie = app
        .login("mira@test.se", "rätt-lösenord-123")
        .await
        .unwrap();

    // My bookings show the last free cancellation time and link to the question.
    let mine = app.page("GET", "/mina-bokningar", &cookie, None).await;
    assert!(
        mine.body.contains("Avboka utan kostnad senast"),
        "{}",
        mine.body
    );
    assert!(mine
        .body
        .contains(&format!("/anmalan/{b}/avboka?next=/mina-bokningar")));
    let page = app
        .page("GET", &format!("/kurstillfallen/{s}"), &cookie, None)
        .await;
    assert!(page.body.contains("Avboka utan kostnad senast"));

    // The question says what will happen; nothing has happened yet.
    let q = app
        .page(
            "GET",
            &format!("/anmalan/{b}/avboka?next=/mina-bokningar"),
            &cookie,
            None,
        )
        .await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(q.body.contains("Avbokningen är kostnadsfri"), "{}", q.body);
    assert!(q.body.contains("Platsen blir ledig för andra att boka."));
    assert!(q.body.contains("kan ångras inom 10 minuter"));
    assert_eq!(status_of(&db, b).await, "booked");

    let csrf = app.csrf_for(&cookie, &format!("/anmalan/{b}/avboka")).await;
    let r = app
        .page(
            "POST",
            &format!("/anmalan/{b}/avboka"),
            &cookie,
            Some(&format!("_csrf={csrf}&next=%2Fmina-bokningar")),
        )
        .await;
    let to = location(&r);
    assert!(
        to.starts_with(&format!("/anmalan/{b}/avbokad?next=")),
        "{to}"
    );
    assert_eq!(status_of(&db, b).await, "cancelled");
    let done = app.page("GET", &to, &cookie, None).await;
    assert!(done.body.contains("Ångra"), "{}", done.body);
    assert!(done
        .body
        .contains(&format!("action=\"/anmalan/{b}/angra\"")));
    // … and on "Mina bokningar" too, while it lasts.
    let mine = app.page("GET", "/mina-bokningar", &cookie, None).await;
    assert!(mine.body.contains(&format!("/anmalan/{b}/angra")));

    let r = app
        .page(
            "POST",
            &format!("/anmalan/{b}/angra"),
            &cookie,
            Some(&format!("_csrf={csrf}&next=%2Fmina-bokningar")),
        )
        .await;
    assert_eq!(location(&r), "/mina-bokningar");
    assert_eq!(status_of(&db, b).await, "booked");
    let mine = app.page("GET", "/mina-bokningar", &cookie, None).await;
    assert!(mine.body.contains("platsen är din igen"), "{}", mine.body);

    // With someone waiting the question says the seat goes on, and after
    // the cancellation there is no undo to offer.
    let w = book(&db, s, other).await;
    let q = app
        .page("GET", &format!("/anmalan/{b}/avboka"), &cookie, None)
        .await;
    assert!(
        q.body
            .contains("Platsen går till nästa på väntelistan (1 väntar)"),
        "{}",
        q.body
    );
    let r = app
        .page(
            "POST",
            &format!("/anmalan/{b}/avboka"),
            &cookie,
            Some(&format!(
                "_csrf={csrf}&next={}",
                urlencoding("/mina-bokningar")
            )),
        )
        .await;
    let to = location(&r);
    assert!(to.ends_with("&promoted=1"), "{to}");
    let done = app.page("GET", &to, &cookie, None).await;
    assert!(!done.body.contains("/angra"));
    assert!(done.body.contains("kan inte ångras"));
    assert_eq!(status_of(&db, w).await, "booked");
    // Pressing an old undo button anyway is refused with the reason.
    let r = app
        .page(
            "POST",
            &format!("/anmalan/{b}/angra"),
            &cookie,
            Some(&format!("_csrf={csrf}&next=%2Fmina-bokningar")),
        )
        .await;
    let back = app.page("GET", &location(&r), &cookie, None).await;
    assert!(
        back.body
            .contains("Platsen har redan gått till någon annan"),
        "{}",
        back.body
    );
    assert_eq!(status_of(&db, b).await, "cancelled");
});

both_engines!(api_cancel_then_undo, |db: Db| async move {
    let s = session(&db, now() + 10 * 86_400, 3).await;
    let p = person(&db, "Pia", "Örebro").await;
    let b = book(&db, s, p).await;
    let app = TestApp::new(db.clone());
    let token = app.token(Role::Coordinator).await;
    let r = app
        .delete(&format!("/api/v1/bookings/{b}"), Some(&token))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["undo_until"].as_i64().unwrap() > now());
    let r = app
        .post_json(
            &format!("/api/v1/bookings/{b}/undo"),
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "booked");
    let r = app
        .post_json(
            &format!("/api/v1/bookings/{b}/undo"),
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.json()["error"].as_str().unwrap().contains("inte avbokad"));
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert!(doc.body.contains("/api/v1/bookings/{id}/undo"));
});

both_engines!(
    coordinator_changes_a_session_and_sees_every_error,
    |db: Db| async move {
        let s = session(&db, now() + 10 * 86_400, 4).await;
        let mut ids = vec![];
        for n in ["Anna", "Bo", "Cia"] {
            let p = person(&db, n, "Örebro").await;
            ids.push(book(&db, s, p).await);
        }
        let app = TestApp::new(db.clone());
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        app.account("d@test.se", Role::Participant, None, Scope::default())
            .await;
        let coord = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
        let part = app.login("d@test.se", "rätt-lösenord-123").await.unwrap();
        let path = format!("/kurstillfallen/{s}/andra");
        assert_eq!(
            app.page("GET", &path, &part, None).await.status,
            StatusCode::FORBIDDEN
        );
        let form = app.page("GET", &path, &coord, None).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("value=\"Sal 1\""));
        assert!(form.body.contains("3 bokade och 0 på väntelistan"));
        let csrf = app.csrf_for(&coord, &path).await;
        let date = navet_store::time::local_date(now() + 12 * 86_400).to_string();
        let body = |cap: &str, venue: &str, municipality: &str, extra: &str| {
            format!(
            "_csrf={csrf}&date={date}&start=10%3A00&end=12%3A00&municipality={}&venue={}&capacity={cap}{extra}",
            urlencoding(municipality),
            urlencoding(venue)
        )
        };
        // Too few seats, no municipality and a bad time, all reported at once.
        let r = app
            .page(
                "POST",
                &path,
                &coord,
                Some(&body("2", "Aulan", "", "&end2=99")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains("3 personer är bokade men bara 2 ryms"),
            "{}",
            r.body
        );
        assert!(r.body.contains("id=\"err-municipality\""), "{}", r.body);
        assert!(r.body.contains("value=\"Aulan\""), "what was typed stays");
        assert_eq!(
            sessions::get(&db, SessionId(s)).await.unwrap().row.venue,
            "Sal 1"
        );
        // The explicit choice moves the latest booking to the waiting list.
        let r = app
            .page(
                "POST",
                &path,
                &coord,
                Some(&body("2", "Aulan", "Örebro", "&overflow=waitlist")),
            )
            .await;
        assert_eq!(location(&r), format!("/kurstillfallen/{s}"));
        let page = app.page("GET", &location(&r), &coord, None).await;
        assert!(
            page.body
                .contains("Kurstillfället är ändrat. 2 har fått meddelande"),
            "{}",
            page.body
        );
        assert_eq!(status_of(&db, ids[2]).await, "waitlisted");
        let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM outbox WHERE session_id = $1 AND kind IN ('session_changed', 'moved_to_waitlist') ORDER BY id")
        .bind(s)
        .fetch_all(db.pool())
        .await
        .unwrap();
        assert_eq!(
            kinds,
            ["moved_to_waitlist", "session_changed", "session_changed"]
        );
        // The session page links to the change and to the question before cancelling.
        assert!(page.body.contains(&path));
        let q = app
            .page(
                "GET",
                &format!("/kurstillfallen/{s}/installa"),
                &coord,
                None,
            )
            .await;
        assert!(
            q.body.contains("2 bokade och 1 på väntelistan får besked"),
            "{}",
            q.body
        );
        assert_eq!(
            sessions::get(&db, SessionId(s)).await.unwrap().row.status,
            domain::sessions::SessionStatus::Full
        );
    }
);

async fn raw_session(db: &Db, start: i64, end: i64) -> i64 {
    let course = fixtures::course(db, "Förflyttningsteknik").await;
    sqlx::query_scalar(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, language_support, status, created_at, updated_at) \
         VALUES ($1, $2, $3, (SELECT id FROM municipalities WHERE name = 'Örebro'), 'Sal 2', 10, 3.0, '', 'open', 0, 0) RETURNING id",
    )
    .bind(course)
    .bind(start)
    .bind(end)
    .fetch_one(db.writer())
    .await
    .unwrap()
}

async fn raw_booking(db: &Db, s: i64, p: i64) {
    sqlx::query("INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, 'booked', 0, 0)")
        .bind(s)
        .bind(p)
        .execute(db.writer())
        .await
        .unwrap();
}

both_engines!(
    attendance_everyone_present_then_close_after_confirming,
    |db: Db| async move {
        let t = now();
        let running = raw_session(&db, t - 3600, t + 3600).await;
        let over = raw_session(&db, t - 2 * 86_400, t - 2 * 86_400 + 3600).await;
        let ps = [
            person(&db, "Alva", "Örebro").await,
            person(&db, "Bert", "Örebro").await,
            person(&db, "Cecilia", "Örebro").await,
        ];
        for p in ps {
            raw_booking(&db, running, p).await;
            raw_booking(&db, over, p).await;
        }
        let app = TestApp::new(db.clone());
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let coord = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
        // Today's session is listed first, under its own heading.
        let list = app.page("GET", "/narvaro", &coord, None).await;
        let today = list.body.find("I dag").expect("a today heading");
        let recent = list.body.find("Nyligen hållna").expect("a recent heading");
        assert!(today < recent);
        assert!(list.body[today..recent].contains(&format!("/tillfallen/{running}/narvaro")));

        // Running: no closing offered, and refused if asked anyway.
        let page = app
            .page(
                "GET",
                &format!("/tillfallen/{running}/narvaro"),
                &coord,
                None,
            )
            .await;
        assert!(page.body.contains("Alla närvarande"));
        assert!(!page
            .body
            .contains(&format!("href=\"/tillfallen/{running}/narvaro/stang\"")));
        assert!(page.body.contains("när kurstillfället är slut"));
        let q = app
            .page(
                "GET",
                &format!("/tillfallen/{running}/narvaro/stang"),
                &coord,
                None,
            )
            .await;
        assert!(!q.body.contains("Kursintyg skickas"));
        let csrf = app
            .csrf_for(&coord, &format!("/tillfallen/{over}/narvaro"))
            .await;
        let r = app
            .page(
                "POST",
                &format!("/tillfallen/{running}/narvaro/stang"),
                &coord,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        let back = app.page("GET", &location(&r), &coord, None).await;
        assert!(back.body.contains("inte slutat"), "{}", back.body);

        // Everyone present at once (the script's JSON answer) …
        let r = app
            .send(
                axum::http::Request::post(format!("/tillfallen/{over}/narvaro/alla"))
                    .header("host", "localhost")
                    .header("cookie", &coord)
                    .header("accept", "application/json")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(axum::body::Body::from(format!("_csrf={csrf}")))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(j["marked"], 3);
        assert_eq!(j["people"].as_array().unwrap().len(), 3);
        assert!(j["people"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "attended"));
        // … then one changed with the plain form (no script): the page again.
        let r = app
            .page(
                "POST",
                &format!("/tillfallen/{over}/narvaro"),
                &coord,
                Some(&format!("_csrf={csrf}&person_id={}&present=0", ps[1])),
            )
            .await;
        assert!(location(&r).starts_with(&format!("/tillfallen/{over}/narvaro?ok=markerad")));
        // Closing asks first, with the number of certificates.
        let page = app
            .page("GET", &format!("/tillfallen/{over}/narvaro"), &coord, None)
            .await;
        assert!(page
            .body
            .contains(&format!("href=\"/tillfallen/{over}/narvaro/stang\"")));
        let q = app
            .page(
                "GET",
                &format!("/tillfallen/{over}/narvaro/stang"),
                &coord,
                None,
            )
            .await;
        assert!(
            q.body.contains("Kursintyg skickas till 2 deltagare."),
            "{}",
            q.body
        );
        assert!(q.body.contains("1 är markerade som frånvarande"));
        let issued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM completions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(issued, 0, "asking changes nothing");
        let r = app
            .page(
                "POST",
                &format!("/tillfallen/{over}/narvaro/stang"),
                &coord,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        let done = app.page("GET", &location(&r), &coord, None).await;
        assert!(done.body.contains("2 kursintyg"), "{}", done.body);
        // The session page and the API no longer call a begun session open.
        let v = app.get(&format!("/api/v1/sessions/{running}"), None).await;
        assert_eq!(v.json()["status"], "started", "{}", v.body);
        assert_eq!(v.json()["free_seats"], 0);
        let page = app
            .page("GET", &format!("/kurstillfallen/{running}"), &coord, None)
            .await;
        assert!(
            page.body.contains("har börjat") && !page.body.contains("öppen"),
            "{}",
            page.body
        );
    }
);
