//! The coordinators' session list and `GET /api/v1/sessions` a page at a
//! time (keyset on start time and id), with the filters kept, on both
//! engines.

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use domain::access::Role;
use navet_store::audit::Who;
use navet_store::sessions::{self, SessionInput};
use navet_store::testing::fixtures;
use navet_store::{both_engines, Db};
use serde_json::Value;

fn rfc(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap()
        .to_rfc3339()
}

/// `n` sessions of a new course "Sårvård", an hour apart from in ten days.
async fn sessions_of_a_course(db: &Db, n: i64) -> i64 {
    let course = fixtures::course(db, "Sårvård").await;
    let base = navet_store::time::now() + 10 * 86_400;
    for i in 0..n {
        let start = base + i * 3600;
        let input = SessionInput {
            course_id: course,
            parts: vec![(rfc(start), rfc(start + 1800))],
            municipality: "Örebro".into(),
            venue: format!("Sal {i:03}"),
            capacity: 10,
            ..Default::default()
        };
        let s = sessions::resolve(db, &input, navet_store::time::now())
            .await
            .unwrap();
        sessions::create(db, &Who::system("test"), &s)
            .await
            .unwrap();
    }
    course
}

/// The `href` of the link marked `rel="next"`, decoded.
fn next_href(body: &str) -> Option<String> {
    let at = body.find("rel=\"next\"")?;
    let start = body[..at].rfind("href=\"")? + 6;
    Some(
        body[start..]
            .split('"')
            .next()?
            .replace("&#38;", "&")
            .replace("&amp;", "&"),
    )
}

both_engines!(
    the_session_list_shows_two_hundred_and_links_to_the_rest,
    |db: Db| async move {
        let course = sessions_of_a_course(&db, 203).await;
        let app = TestApp::new(db.clone());
        let (_, cookie) = app.signed_in("c@test.se", Role::Coordinator).await;
        let first = app
            .page("GET", &format!("/tillfallen?kurs={course}"), &cookie, None)
            .await;
        assert_eq!(first.status, StatusCode::OK);
        let rows = |b: &str| b.matches("<th scope=\"row\" class=\"when\">").count();
        assert_eq!(rows(&first.body), 200);
        assert!(first.body.contains("Sal 199") && !first.body.contains("Sal 200"));
        let href = next_href(&first.body).expect("a link to the next page");
        assert!(
            href.contains(&format!("kurs={course}")),
            "the filter is kept: {href}"
        );
        let second = app.page("GET", &href, &cookie, None).await;
        assert_eq!(second.status, StatusCode::OK);
        assert_eq!(rows(&second.body), 3);
        assert!(second.body.contains("Sal 200") && second.body.contains("Sal 202"));
        assert!(next_href(&second.body).is_none(), "no page after the last");
        assert!(second.body.contains("Första sidan"));
    }
);

both_engines!(
    the_sessions_api_pages_with_a_link_header_and_checks_its_limit,
    |db: Db| async move {
        let course = sessions_of_a_course(&db, 5).await;
        let app = TestApp::new(db.clone());
        let mut path = format!("/api/v1/sessions?course_id={course}&limit=2");
        let mut venues = vec![];
        for _ in 0..5 {
            let r = app.get(&path, None).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let page: Value = r.json();
            venues.extend(
                page.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["venue"].as_str().unwrap().to_string()),
            );
            match r.headers.get("link") {
                Some(l) => {
                    let l = l.to_str().unwrap();
                    path = l[1..l.find('>').unwrap()].to_string();
                    assert!(path.contains(&format!("course_id={course}")), "{path}");
                }
                None => break,
            }
        }
        assert_eq!(
            venues,
            ["Sal 000", "Sal 001", "Sal 002", "Sal 003", "Sal 004"]
        );
        let r = app.get("/api/v1/sessions?limit=0", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["field"], "limit");
    }
);

/// `n` people in Örebro, each with a certificate of "HLR" expiring on one
/// of the next 30 days (several on the same day).
async fn expiring_certificates(db: &Db, n: i64) {
    let course = fixtures::course(db, "HLR").await;
    let today = navet_store::time::local_date(navet_store::time::now());
    for i in 0..n {
        let p = fixtures::person(db, &format!("Person {i:03}"), "Örebro").await;
        let expires = today + chrono::Duration::days(1 + i % 30);
        sqlx::query(
            "INSERT INTO completions (person_id, course_id, completed_on, hours, certificate_no, verify_code, expires_on, source, created_at) \
             VALUES ($1, $2, '2024-01-10', 3.0, $3, $4, $5, 'test', 0)",
        )
        .bind(p)
        .bind(course)
        .bind(format!("T-{i}"))
        .bind(navet_store::completions::new_verify_code())
        .bind(navet_store::time::date_str(expires))
        .execute(db.writer())
        .await
        .unwrap();
    }
}

both_engines!(
    expiring_certificates_are_shown_two_hundred_at_a_time_in_expiry_order,
    |db: Db| async move {
        expiring_certificates(&db, 205).await;
        let app = TestApp::new(db.clone());
        let (_, cookie) = app.signed_in("c@test.se", Role::Coordinator).await;
        let people = |b: &str| {
            b.match_indices("<tr><th scope=\"row\">Person ")
                .map(|(i, _)| b[i + 20..i + 30].to_string())
                .collect::<Vec<_>>()
        };
        let expiry = |b: &str| {
            b.match_indices("</td><td>20")
                .map(|(i, _)| b[i + 9..i + 19].to_string())
                .filter(|d| d != "2024-01-10")
                .collect::<Vec<_>>()
        };
        let first = app.page("GET", "/intyg/utgaende", &cookie, None).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(people(&first.body).len(), 200);
        let href = next_href(&first.body).expect("a link to the next page");
        let second = app.page("GET", &href, &cookie, None).await;
        assert_eq!(second.status, StatusCode::OK);
        assert_eq!(people(&second.body).len(), 5);
        assert!(next_href(&second.body).is_none());
        let mut all = people(&first.body);
        all.extend(people(&second.body));
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 205, "every certificate once");
        let mut dates = expiry(&first.body);
        dates.extend(expiry(&second.body));
        assert!(dates.windows(2).all(|w| w[0] <= w[1]), "expiry order");
    }
);
