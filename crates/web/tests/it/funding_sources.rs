//! Funding sources and the list behind a figure through the API and the
//! pages, on both engines: who may read and change sources, a session's
//! and a booking's source, double funding refused with 409 naming the
//! field and both sources (nothing changes), the indicator report,
//! co-financing and participant file filtered by source, and "Visa
//! underlag" — the hub's only, its sum the report's figure, paged, as CSV.

use crate::common;

use axum::http::StatusCode;
use common::{TestApp, User};
use domain::access::Role;
use navet_store::audit::Who;
use navet_store::bookings::{BookRequest, Via};
use navet_store::sessions::{self, SessionInput};
use navet_store::testing::fixtures;
use navet_store::{both_engines, org, Db};
use serde_json::{json, Value};

async fn programme(db: &Db) {
    let munis = org::municipalities(db).await.unwrap();
    let p = domain::funding::Programme {
        name: "ESF+ Kompetenslyftet".into(),
        starts: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        ends: chrono::NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
        granted_sek: 23_731_055,
        cofinancing_rate: 0.46,
        target_hours: 42_000.0,
        employees: munis.iter().map(|m| (m.name.clone(), 1000)).collect(),
    };
    navet_store::funding::save(db, &Who::system("test"), &p)
        .await
        .unwrap();
}

const PARTICIPATIONS: &str = "person_ref,gender,role,municipality,course,date,hours,attended
A1,kvinna,undersköterska,Örebro,HLR,2025-02-03,3,ja
A2,man,undersköterska,Örebro,HLR,2025-02-03,3,ja
A1,kvinna,undersköterska,Örebro,Sårvård,2025-02-20,2.5,ja
A3,kvinna,undersköterska,Kumla,Demensvård,2025-03-05,4,ja
A4,kvinna,sjuksköterska,Kumla,Demensvård,2025-03-05,4,ja
";

async fn participations(db: &Db) {
    navet_store::history_import::import(
        db,
        &Who::system("test"),
        "historik.csv",
        PARTICIPATIONS.as_bytes(),
        true,
    )
    .await
    .unwrap()
    .unwrap();
}

async fn session_of(db: &Db, title: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT s.id FROM sessions s JOIN courses c ON c.id = s.course_id WHERE c.title = $1 ORDER BY s.id LIMIT 1",
    )
    .bind(title)
    .fetch_one(db.pool())
    .await
    .unwrap()
}

fn rfc(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap()
        .to_rfc3339()
}

async fn future_session(db: &Db, course_id: i64, days: i64) -> i64 {
    let start = navet_store::time::now() + days * 86_400;
    let i = SessionInput {
        course_id,
        parts: vec![(rfc(start), rfc(start + 3 * 3600))],
        municipality: "Örebro".into(),
        venue: "Sal 1".into(),
        capacity: 10,
        ..Default::default()
    };
    let s = sessions::resolve(db, &i, navet_store::time::now())
        .await
        .unwrap();
    sessions::create(db, &Who::system("test"), &s)
        .await
        .unwrap()
}

fn error_of(body: &Value) -> (String, String) {
    (
        body["field"].as_str().unwrap_or_default().to_string(),
        body["error"].as_str().unwrap_or_default().to_string(),
    )
}

/// The programme (its source, ESF, the only one), the hub and the
/// steering group.
struct Sources {
    app: TestApp,
    coord: User,
    steering: User,
    esf: i64,
}

async fn sources(db: &Db) -> Sources {
    programme(db).await;
    let app = TestApp::new(db.clone());
    let coord = app.coordinator().create().await;
    let steering = app.user(Role::Steering).create().await;
    let esf = navet_store::funding_sources::list(db).await.unwrap()[0].id;
    Sources {
        app,
        coord,
        steering,
        esf,
    }
}

/// The state grant (Äldreomsorgslyftet), exclusive, added by the hub.
async fn add_state_grant(s: &Sources) -> i64 {
    let r = s
        .app
        .post_json(
            "/api/v1/funding-sources",
            s.coord.auth(),
            &json!({"name": "Äldreomsorgslyftet", "kind": "state", "exclusive": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

async fn set_session_source(s: &Sources, session: i64, source: i64) -> common::Resp {
    s.app
        .json_request(
            "PUT",
            &format!("/api/v1/sessions/{session}/funding-source"),
            s.coord.auth(),
            &json!({ "funding_source_id": source }),
        )
        .await
}

async fn book(s: &Sources, session: i64, person: i64) -> common::Resp {
    s.app
        .post_json(
            &format!("/api/v1/sessions/{session}/bookings"),
            s.coord.auth(),
            &json!({ "person_id": person }),
        )
        .await
}

/// Two sessions of one course: A under ESF (the default), B moved to the
/// state grant; Anna to book.
struct TwoSessions {
    s: Sources,
    aol: i64,
    a: i64,
    b: i64,
    anna: i64,
}

async fn two_sessions(db: &Db) -> TwoSessions {
    let s = sources(db).await;
    let aol = add_state_grant(&s).await;
    let course = fixtures::course(db, "Demensvård").await;
    let anna = fixtures::person(db, "Anna", "Örebro").await;
    let a = future_session(db, course, 10).await;
    let b = future_session(db, course, 20).await;
    let r = set_session_source(&s, b, aol).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    TwoSessions { s, aol, a, b, anna }
}

both_engines!(
    the_hub_adds_sources_the_steering_group_reads_them_and_bad_input_is_named,
    |db: Db| async move {
        let s = sources(&db).await;
        let participant = s.app.user(Role::Participant).create().await;
        assert_eq!(
            s.app.get("/api/v1/funding-sources", None).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            s.app
                .get("/api/v1/funding-sources", participant.auth())
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = s
            .app
            .get("/api/v1/funding-sources", s.steering.auth())
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()[0]["id"], s.esf);
        assert_eq!(r.json()[0]["name"], "ESF+ Kompetenslyftet");
        assert_eq!(r.json()[0]["exclusive"], true);
        // Only the hub adds sources; bad input names the field.
        let aol_body = json!({"name": "Äldreomsorgslyftet", "kind": "state", "exclusive": true});
        assert_eq!(
            s.app
                .post_json("/api/v1/funding-sources", s.steering.auth(), &aol_body)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        add_state_grant(&s).await;
        let add = |body: Value| {
            let s = &s;
            async move {
                s.app
                    .post_json("/api/v1/funding-sources", s.coord.auth(), &body)
                    .await
            }
        };
        let r = add(json!({"name": "ÄLDREOMSORGSLYFTET", "kind": "state"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_of(&r.json()).0, "name");
        let r = add(json!({"name": "Lotteri", "kind": "lottery"})).await;
        assert_eq!(error_of(&r.json()).0, "kind");
    }
);

both_engines!(
    a_sessions_source_is_checked_and_double_funding_a_booking_is_refused,
    |db: Db| async move {
        let t = two_sessions(&db).await;
        // A session's source must exist and is set by the hub only.
        let r = set_session_source(&t.s, t.b, 999_999).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_of(&r.json()).0, "funding_source_id");
        assert_eq!(
            t.s.app
                .json_request(
                    "PUT",
                    &format!("/api/v1/sessions/{}/funding-source", t.b),
                    t.s.steering.auth(),
                    &json!({"funding_source_id": t.s.esf}),
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // Anna on A (ESF), then on B (the state grant): 409 naming both.
        let r = book(&t.s, t.a, t.anna).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = book(&t.s, t.b, t.anna).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let (field, msg) = error_of(&r.json());
        assert_eq!(field, "person_id");
        assert!(
            msg.contains("ESF+ Kompetenslyftet") && msg.contains("Äldreomsorgslyftet"),
            "{msg}"
        );
        let r =
            t.s.app
                .get(
                    &format!("/api/v1/sessions/{}/bookings", t.b),
                    t.s.coord.auth(),
                )
                .await;
        assert_eq!(r.json().as_array().unwrap().len(), 0, "nothing written");
    }
);

both_engines!(
    a_bookings_own_source_decides_double_funding_on_every_booking_path,
    |db: Db| async move {
        let t = two_sessions(&db).await;
        let r = book(&t.s, t.a, t.anna).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let anna_a = r.json()["id"].as_i64().unwrap();
        let booking_source = |source: i64| {
            let t = &t;
            async move {
                t.s.app
                    .json_request(
                        "PUT",
                        &format!("/api/v1/bookings/{anna_a}/funding-source"),
                        t.s.coord.auth(),
                        &json!({ "funding_source_id": source }),
                    )
                    .await
            }
        };
        // Anna's booking on A to the state grant is fine (nothing else).
        let r = booking_source(t.aol).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Now B is allowed, and moving A's booking back to ESF is refused.
        let r = book(&t.s, t.b, t.anna).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = booking_source(t.s.esf).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let (field, msg) = error_of(&r.json());
        assert_eq!(field, "funding_source_id");
        assert!(
            msg.contains("Anna") && msg.contains("Äldreomsorgslyftet"),
            "{msg}"
        );
        // The booking path for a group (the manager's bulk booking) checks
        // the same way.
        let out = navet_store::bookings::book_batch(
            &db,
            &[BookRequest {
                session_id: t.a,
                person_id: fixtures::person(&db, "Berit", "Örebro").await,
                who: Who::system("test"),
                via: Via::Coordinator,
                support_needs: String::new(),
                hold_id: None,
            }],
        )
        .await;
        assert!(out[0].is_ok());
    }
);

/// The programme's history (HLR and wound care in Örebro under ESF, the
/// dementia session in Kumla moved to the state grant) and the hub.
async fn history_by_source(db: &Db) -> (Sources, i64) {
    let s = sources(db).await;
    participations(db).await;
    let aol = add_state_grant(&s).await;
    for (title, src) in [("HLR", s.esf), ("Sårvård", s.esf), ("Demensvård", aol)] {
        let r = set_session_source(&s, session_of(db, title).await, src).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    (s, aol)
}

const YEAR: &str = "from=2025-01-01&to=2025-12-31";

both_engines!(
    the_report_and_cofinancing_filter_by_source_and_agree_with_the_list,
    |db: Db| async move {
        let (s, aol) = history_by_source(&db).await;
        let report = |q: String| {
            let s = &s;
            async move {
                s.app
                    .get(&format!("/api/v1/reports/indicators?{q}"), s.coord.auth())
                    .await
            }
        };
        let all = report(YEAR.to_string()).await.json();
        let only_aol = report(format!("{YEAR}&program={aol}")).await.json();
        assert_eq!(all["participations"], 5);
        assert_eq!(only_aol["participations"], 2);
        assert_eq!(only_aol["participant_hours"].as_f64().unwrap(), 8.0);
        let r = report(format!("{YEAR}&program=999999")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_of(&r.json()).0, "program");
        // Co-financing limited to the state grant: only Kumla's hours.
        let c = s
            .app
            .get(
                &format!("/api/v1/cofinancing?program={aol}"),
                s.coord.auth(),
            )
            .await;
        assert_eq!(c.status, StatusCode::OK, "{}", c.body);
        let kumla_row = c.json()["municipalities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["municipality"] == "Kumla")
            .unwrap()
            .clone();
        let kumla = kumla_row["municipality_id"].as_i64().unwrap();
        assert_eq!(kumla_row["reached"]["hours"].as_f64().unwrap(), 8.0);
        // …and the list behind Kumla's co-financed hours sums to them.
        let t = s
            .app
            .get(
                &format!(
                    "/api/v1/participation-trail?from=2025-01-01&to={}&municipality_id={kumla}&program={aol}",
                    navet_store::time::today()
                ),
                s.coord.auth(),
            )
            .await
            .json();
        assert_eq!(t["totals"]["hours"].as_f64().unwrap(), 8.0);
        assert_eq!(t["totals"]["people"], 2);
        assert_eq!(t["rows"][0]["funding_source"], "Äldreomsorgslyftet");
    }
);

/// The list behind the ESF figures of 2025, two rows a page.
fn esf_trail(s: &Sources) -> String {
    format!(
        "/api/v1/participation-trail?{YEAR}&program={}&limit=2",
        s.esf
    )
}

both_engines!(
    the_list_behind_a_figure_is_the_hubs_only_and_pages_to_the_figure,
    |db: Db| async move {
        let (s, _) = history_by_source(&db).await;
        let path = esf_trail(&s);
        for role in [
            Role::Steering,
            Role::EsfReporter,
            Role::Participant,
            Role::Trainer,
            Role::Manager,
        ] {
            let u = s.app.user(role).create().await;
            assert_eq!(
                s.app.get(&path, u.auth()).await.status,
                StatusCode::FORBIDDEN,
                "{role:?}"
            );
        }
        assert_eq!(
            s.app.get(&path, None).await.status,
            StatusCode::UNAUTHORIZED
        );
        let only_esf = s
            .app
            .get(
                &format!("/api/v1/reports/indicators?{YEAR}&program={}", s.esf),
                s.coord.auth(),
            )
            .await
            .json();
        let mut rows = vec![];
        let mut next = String::new();
        let mut totals;
        loop {
            let url = if next.is_empty() {
                path.clone()
            } else {
                format!("{path}&after={next}")
            };
            let r = s.app.get(&url, s.coord.auth()).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let b = r.json();
            totals = b["totals"].clone();
            rows.extend(b["rows"].as_array().unwrap().clone());
            match b["next"].as_str() {
                Some(n) => next = n.to_string(),
                None => break,
            }
        }
        assert_eq!(totals["participations"], only_esf["participations"]);
        assert_eq!(totals["hours"], only_esf["participant_hours"]);
        assert_eq!(
            rows.len() as i64,
            only_esf["participations"].as_i64().unwrap()
        );
        let sum: f64 = rows.iter().map(|r| r["hours"].as_f64().unwrap()).sum();
        assert!((sum - only_esf["participant_hours"].as_f64().unwrap()).abs() < 1e-9);
        assert!(rows
            .iter()
            .all(|r| r["funding_source"] == "ESF+ Kompetenslyftet"));
        assert!(rows[0]["person_name"]
            .as_str()
            .unwrap()
            .starts_with("Historisk deltagare"));
    }
);

both_engines!(
    the_list_refuses_bad_queries_naming_the_field_and_audits_each_read,
    |db: Db| async move {
        let (s, _) = history_by_source(&db).await;
        for (bad, field) in [
            ("from=2025-01-01", "to"),
            ("from=2025-13-01&to=2025-12-31", "from"),
            ("from=2025-01-01&to=2025-12-31&gender=x", "gender"),
            (
                "from=2025-01-01&to=2025-12-31&municipality_id=abc",
                "municipality_id",
            ),
            ("from=2025-01-01&to=2025-12-31&program=999999", "program"),
            ("from=2025-01-01&to=2025-12-31&after=x", "after"),
        ] {
            let r = s
                .app
                .get(
                    &format!("/api/v1/participation-trail?{bad}"),
                    s.coord.auth(),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{bad}: {}",
                r.body
            );
            assert_eq!(error_of(&r.json()).0, field, "{bad}");
        }
        // Each read is in the audit log.
        for _ in 0..2 {
            let r = s.app.get(&esf_trail(&s), s.coord.auth()).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'trail.view'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert!(n >= 2, "{n}");
    }
);

both_engines!(
    a_participant_file_for_one_source_has_its_own_list_behind_it,
    |db: Db| async move {
        let (s, aol) = history_by_source(&db).await;
        let r = s
            .app
            .post_json(
                "/api/v1/esf/participant-files",
                s.coord.auth(),
                &json!({"month": "2025-03", "program": aol}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["funding_source_id"], aol);
        let file = r.json()["id"].as_i64().unwrap();
        let bytes = s
            .app
            .get(
                &format!("/api/v1/esf/participant-files/{file}"),
                s.coord.auth(),
            )
            .await
            .body;
        assert!(
            bytes.contains(&format!("finansieringskalla {aol}")),
            "{bytes}"
        );
        let t = s
            .app
            .get(
                &format!("/api/v1/esf/participant-files/{file}/trail"),
                s.coord.auth(),
            )
            .await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        assert_eq!(t.json()["totals"]["participations"], 2);
        assert_eq!(t.json()["totals"]["people"], 2);
        let r = s
            .app
            .post_json(
                "/api/v1/esf/participant-files",
                s.coord.auth(),
                &json!({"month": "2025-03", "program": 999999}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_of(&r.json()).0, "program");
    }
);

/// The programme, the participation history, a coordinator and the
/// steering group signed in, and the state grant "Äldreomsorgslyftet".
/// With `fund_dementia`, the Demensvård session (A3 and A4, 4 hours each)
/// is the grant's.
async fn sources_pages(db: &Db, fund_dementia: bool) -> (TestApp, String, String, i64) {
    programme(db).await;
    participations(db).await;
    let app = TestApp::new(db.clone());
    let (_, coord) = app.signed_in("samordnare@test.se", Role::Coordinator).await;
    let (_, steering) = app.signed_in("styrgrupp@test.se", Role::Steering).await;
    let who = Who::system("test");
    let aol = navet_store::funding_sources::create(
        db,
        &who,
        &domain::funding::sources::Draft {
            name: "Äldreomsorgslyftet".into(),
            kind: "state".into(),
            exclusive: true,
        },
    )
    .await
    .unwrap();
    if fund_dementia {
        let dem = session_of(db, "Demensvård").await;
        navet_store::funding_sources::set_session_source(
            db,
            &who,
            domain::ids::SessionId(dem),
            Some(aol),
        )
        .await
        .unwrap();
    }
    (app, coord, steering, aol)
}

both_engines!(
    the_sources_page_adds_a_source_naming_bad_input_and_the_steering_group_only_reads,
    |db: Db| async move {
        programme(&db).await;
        let app = TestApp::new(db.clone());
        let (_, coord) = app.signed_in("samordnare@test.se", Role::Coordinator).await;
        let (_, steering) = app.signed_in("styrgrupp@test.se", Role::Steering).await;
        let r = app.page("GET", "/finansiering/kallor", &coord, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("ESF+ Kompetenslyftet"));
        let csrf = app.csrf_for(&coord, "/finansiering/kallor").await;
        let r = app
            .page(
                "POST",
                "/finansiering/kallor",
                &coord,
                Some(&format!("_csrf={csrf}&name=&kind=state&exclusive=1")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-name\""), "{}", r.body);
        assert_eq!(
            navet_store::funding_sources::list(&db).await.unwrap().len(),
            1
        );
        let r = app
            .page(
                "POST",
                "/finansiering/kallor",
                &coord,
                Some(&format!(
                    "_csrf={csrf}&name=%C3%84ldreomsorgslyftet&kind=state&exclusive=1"
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(navet_store::funding_sources::list(&db)
            .await
            .unwrap()
            .iter()
            .any(|s| s.name == "Äldreomsorgslyftet" && s.exclusive));
        // The steering group reads the list, without the form.
        let r = app
            .page("GET", "/finansiering/kallor", &steering, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Äldreomsorgslyftet"));
        assert!(!r.body.contains("action=\"/finansiering/kallor\""));
    }
);

both_engines!(
    a_sessions_source_is_set_in_its_form_by_the_coordinator_only,
    |db: Db| async move {
        let (app, coord, steering, aol) = sources_pages(&db, false).await;
        let dem = session_of(&db, "Demensvård").await;
        let path = format!("/kurstillfallen/{dem}/finansiering");
        let r = app.page("GET", &path, &coord, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            app.page("GET", &path, &steering, None).await.status,
            StatusCode::FORBIDDEN
        );
        let csrf = app.csrf_for(&coord, &path).await;
        let r = app
            .page(
                "POST",
                &path,
                &coord,
                Some(&format!("_csrf={csrf}&funding_source_id={aol}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = app.page("GET", &path, &coord, None).await;
        assert!(r.body.contains("är sparad"), "{}", r.body);
        let source: Option<i64> =
            sqlx::query_scalar("SELECT funding_source_id FROM sessions WHERE id = $1")
                .bind(dem)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(source, Some(aol));
    }
);

both_engines!(
    the_report_by_source_links_each_figure_to_its_list_for_the_hub_only,
    |db: Db| async move {
        let (app, coord, steering, aol) = sources_pages(&db, true).await;
        let r = app
            .page(
                "GET",
                &format!("/rapporter?from=2025-01-01&to=2025-12-31&program={aol}"),
                &coord,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r
            .body
            .contains("/underlag?from=2025-01-01&#38;to=2025-12-31&#38;program="));
        let r = app
            .page(
                "GET",
                "/rapporter?from=2025-01-01&to=2025-12-31&program=abc",
                &coord,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-program\""));
        // The steering group's report has no such links.
        let r = app
            .page(
                "GET",
                "/rapporter?from=2025-01-01&to=2025-12-31",
                &steering,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains("/underlag?"));
        // The funding page links to the list behind a municipality's hours.
        let r = app.page("GET", "/finansiering", &coord, None).await;
        assert!(r.body.contains("/underlag?from=2025-01-01"), "{}", r.body);
    }
);

both_engines!(
    the_list_behind_a_figure_sums_to_it_as_page_and_csv_for_the_hub_only,
    |db: Db| async move {
        let (app, coord, steering, aol) = sources_pages(&db, true).await;
        let q = format!("from=2025-01-01&to=2025-12-31&program={aol}");
        let r = app
            .page("GET", &format!("/underlag?{q}"), &coord, None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("id=\"summa-timmar\">8,00<"), "{}", r.body);
        assert!(r.body.contains("Historisk deltagare A3"));
        let r = app
            .page("GET", &format!("/underlag.csv?{q}"), &coord, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Historisk deltagare A4"));
        assert!(
            r.body
                .contains("summa;2 deltagartillfällen;2 personer;;;;;;8,00"),
            "{}",
            r.body
        );
        assert_eq!(
            app.page("GET", &format!("/underlag?{q}"), &steering, None)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .page(
                "GET",
                "/underlag?from=2025-01-01&to=2025-12-31&kon=x",
                &coord,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("Kön"), "{}", r.body);
    }
);
