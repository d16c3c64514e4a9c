//! Messages in plain Swedish (issue 13, item 7), on both engines: unknown
//! addresses and missing records get the 404 page in the normal layout,
//! a malformed id in a path is that 404 too, query strings and forms that
//! cannot be read get a Swedish message naming the field, the API answers
//! the same in JSON, and nothing that was sent is printed back.

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use domain::access::Role;
use navet_store::testing::fixtures;
use navet_store::{both_engines, Db};
use serde_json::json;

const MARK: &str = "PLANTED4711";

/// Texts that must never reach a person: the framework's own refusals,
/// parser jargon and an empty value quoted.
const JARGON: [&str; 9] = [
    "Cannot parse",
    "Failed to deserialize",
    "Invalid URL",
    "invalid digit",
    "invalid type",
    "RFC 3339",
    "””",
    "expected",
    "Expected request",
];

/// The body without `value="…"` attributes: a form field may hold what was
/// typed (or the page's own address, for the language switch).
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

fn plain(what: &str, body: &str) {
    let shown = without_values(body);
    assert!(!shown.contains(MARK), "{what} prints what was sent: {body}");
    for j in JARGON {
        assert!(!shown.contains(j), "{what} says {j:?}: {body}");
    }
}

/// The 404 page in the layout: the heading, the navigation and ways on.
fn is_layout_404(what: &str, r: &common::Resp) {
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{what}: {}", r.body);
    assert!(
        r.body.contains("<h1>Sidan finns inte</h1>"),
        "{what}: {}",
        r.body
    );
    assert!(r.body.contains("<nav"), "{what}: no navigation: {}", r.body);
    assert!(r.body.contains("href=\"/kurser\""), "{what}: {}", r.body);
    plain(what, &r.body);
}

both_engines!(
    unknown_addresses_and_malformed_ids_get_the_404_page,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (_, cookie) = app.signed_in("samordnare@test.se", Role::Coordinator).await;
        let course = fixtures::course(&db, "HLR").await;
        for path in [
            format!("/finns-inte-{MARK}"),
            format!("/kurstillfallen/{MARK}"),
            "/kurstillfallen/99999999".to_string(),
            "/kurstillfallen/1.5".to_string(),
            "/kurstillfallen/99999999999999999999999".to_string(),
            format!("/kurser/{course}x"),
            "/kurser/99999999".to_string(),
            format!("/intyg/person/{MARK}"),
            format!("/intyg/{MARK}.pdf"),
            format!("/personal/{MARK}"),
            format!("/tillfallen/{MARK}/narvaro"),
        ] {
            // Signed in: the menu of the role; not signed in: the public one.
            let r = app.page("GET", &path, &cookie, None).await;
            if r.status == StatusCode::SEE_OTHER {
                panic!("{path} redirects for a signed-in coordinator");
            }
            is_layout_404(&path, &r);
            assert!(r.body.contains("Logga ut"), "{path}: the signed-in layout");
        }
        for path in [format!("/finns-inte-{MARK}"), format!("/kurser/{MARK}")] {
            let r = app.page("GET", &path, "", None).await;
            is_layout_404(&path, &r);
            assert!(r.body.contains("href=\"/login"), "{path}: sign-in link");
        }
        // The language is the person's: English layout, English 404.
        let r = app.page("GET", "/finns-inte", "navet_lang=en", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("<h1>Page not found</h1>"), "{}", r.body);
    }
);

both_engines!(
    query_strings_and_forms_that_cannot_be_read_name_the_field,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (_, cookie) = app.signed_in("samordnare@test.se", Role::Coordinator).await;
        let course = fixtures::course(&db, "HLR").await;
        for (path, field, what) in [
            (
                format!("/kurser?roll={MARK}"),
                "roll",
                "ska vara ett heltal",
            ),
            (
                format!("/kurser?kommun=%3Cb%3E{MARK}"),
                "kommun",
                "ska vara ett heltal",
            ),
            (
                format!("/tillfallen?kurs={MARK}"),
                "kurs",
                "ska vara ett heltal",
            ),
            (
                format!("/personal?enhet=1.5{MARK}"),
                "enhet",
                "ska vara ett heltal",
            ),
            (
                format!("/boka-personal?tillfalle={MARK}"),
                "tillfalle",
                "ska vara ett heltal",
            ),
        ] {
            let r = app.page("GET", &path, &cookie, None).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
            assert!(
                r.body.contains(&format!("Fältet ”{field}” {what}.")),
                "{path}: {}",
                r.body
            );
            assert!(r.body.contains("<nav"), "{path}: in the layout");
            plain(&path, &r.body);
        }
        // A well-formed query still works, and an empty value is no value.
        let r = app
            .page("GET", &format!("/tillfallen?kurs={course}"), &cookie, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let r = app
            .page("GET", "/kurser?roll=&kommun=", &cookie, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        // A form field that cannot be read: named, nothing changed.
        let csrf = app.csrf_for(&cookie, "/tillfallen/ny").await;
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let r = app
            .page(
                "POST",
                "/tillfallen/ny",
                &cookie,
                Some(&format!(
                    "_csrf={csrf}&course_id={course}&trainers={MARK}&capacity=10"
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body.contains("Fältet ”trainers"), "{}", r.body);
        plain("POST /tillfallen/ny", &r.body);
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(before, after, "nothing created");
    }
);

both_engines!(the_api_answers_json_naming_the_field, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let token = app.token(Role::Coordinator).await;
    let course = fixtures::course(&db, "HLR").await;
    // Malformed ids and unknown addresses: 404 JSON.
    for (path, field) in [
        (format!("/api/v1/sessions/{MARK}"), Some("id")),
        ("/api/v1/sessions/1.5".to_string(), Some("id")),
        (format!("/api/v1/people/{MARK}"), Some("id")),
        ("/api/v1/sessions/99999999".to_string(), None),
        (format!("/api/v1/finns-inte-{MARK}"), None),
    ] {
        let r = app.get(&path, Some(&token)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        let j = r.json();
        assert!(j["error"].as_str().is_some(), "{path}: {}", r.body);
        assert_eq!(j["field"].as_str(), field, "{path}: {}", r.body);
        plain(&path, &r.body);
    }
    // Query strings: 400 naming the field.
    for (path, field) in [
        (format!("/api/v1/sessions?course_id={MARK}"), "course_id"),
        (
            format!("/api/v1/sessions?include_cancelled={MARK}"),
            "include_cancelled",
        ),
    ] {
        let r = app.get(&path, Some(&token)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
        assert_eq!(r.json()["field"], field, "{path}: {}", r.body);
        assert!(
            r.json()["error"]
                .as_str()
                .unwrap()
                .starts_with(&format!("Fältet ”{field}”")),
            "{path}: {}",
            r.body
        );
        plain(&path, &r.body);
    }
    // JSON bodies: a wrong type names the field; broken JSON says where.
    let r = app
            .post_json(
                "/api/v1/sessions",
                Some(&token),
                &json!({"course_id": course, "capacity": MARK, "municipality": "Örebro",
                        "venue": "Sal", "starts_at": "2030-01-01T09:00", "ends_at": "2030-01-01T12:00"}),
            )
            .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["field"], "capacity");
    assert_eq!(r.json()["error"], "Fältet ”capacity” ska vara ett heltal.");
    plain("capacity", &r.body);
    let r = app
        .post_json(
            "/api/v1/sessions",
            Some(&token),
            &json!({"course_id": course, "municipality": "Örebro", "venue": "Sal"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["field"], "capacity", "{}", r.body);
    assert_eq!(r.json()["error"], "Fältet ”capacity” saknas.");
    let r = app
        .send(
            axum::http::Request::post("/api/v1/sessions")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::from(format!("{{\"course_id\": {MARK}")))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("Ogiltig JSON på rad 1"),
        "{}",
        r.body
    );
    plain("broken JSON", &r.body);
    // A missing time says what to write, not which standard.
    let r = app
        .post_json(
            "/api/v1/sessions",
            Some(&token),
            &json!({"course_id": course, "capacity": 10, "municipality": "Örebro", "venue": "Sal"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["field"], "starts_at");
    plain("no starts_at", &r.body);
});

both_engines!(
    an_empty_value_is_asked_for_not_quoted,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let token = app.token(Role::Coordinator).await;
        let r = app
            .post_json(
                "/api/v1/people",
                Some(&token),
                &json!({"name": "Anna Berg", "email": "anna@x.se", "gender": "kvinna",
                        "role": "", "municipality": "  "}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("Ange yrkesroll."), "{}", r.body);
        assert!(r.body.contains("Ange kommun."), "{}", r.body);
        plain("empty role", &r.body);
        let r = app
            .post_json(
                "/api/v1/people",
                Some(&token),
                &json!({"name": "Anna Berg", "email": "anna@x.se", "gender": "kvinna",
                        "role": "Usk", "municipality": "Örebro"}),
            )
            .await;
        assert!(r.body.contains("Okänd yrkesroll ”Usk”."), "{}", r.body);
    }
);

both_engines!(
    a_known_address_with_the_wrong_method_says_so,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (_, cookie) = app.signed_in("samordnare@test.se", Role::Coordinator).await;
        // GET on the logout form's target: a page in the layout, not an
        // empty 405, and still signed in.
        let r = app.page("GET", "/logout", &cookie, None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
        assert!(
            r.body.contains("<h1>Fel sätt att öppna sidan</h1>"),
            "{}",
            r.body
        );
        assert!(r.body.contains("Logga ut"), "the signed-in layout");
        let allow = r
            .headers
            .get("allow")
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(allow.as_deref(), Some("POST"), "{:?}", r.headers);
        plain("GET /logout", &r.body);
        let r = app.page("GET", "/mina-bokningar", &cookie, None).await;
        assert_eq!(r.status, StatusCode::OK, "still signed in");
        // The API answers in JSON.
        let req = axum::http::Request::builder()
            .method("DELETE")
            .uri("/api/v1/courses")
            .body(axum::body::Body::empty())
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
        assert!(r.json()["error"].as_str().unwrap().contains("metoden"));
        assert!(r.headers.get("allow").is_some(), "{:?}", r.headers);
    }
);
