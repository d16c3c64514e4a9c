//! Monthly attestation and the participant file through the API and the
//! pages, on both engines: a month walked from attendance to a corrected
//! export (one person confirms on their page, signed in with a password;
//! the other's paper certificate is registered through the API), who may
//! do what (only the person attests; full personal identity numbers for
//! the ESF reporter alone, audited), and refusals that name the field.

use crate::common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{TestApp, PASSWORD};
use domain::access::{Role, Scope};
use domain::attestation::{month_key, previous_month};
use navet_store::audit::Who;
use navet_store::testing::fixtures;
use navet_store::{both_engines, Db};
use serde_json::{json, Value};
use sqlx::Row;

async fn session(db: &Db, course: i64, day: NaiveDate, hours: f64) -> i64 {
    let start = navet_store::time::day_start(day) + 9 * 3600;
    sqlx::query(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, capacity, hours, status, created_at, updated_at) \
         VALUES ($1, $2, $3, (SELECT id FROM municipalities WHERE name = 'Örebro'), 12, $4, 'held', 0, 0) RETURNING id",
    )
    .bind(course)
    .bind(start)
    .bind(start + (hours * 3600.0) as i64)
    .bind(hours)
    .fetch_one(db.writer())
    .await
    .unwrap()
    .get(0)
}

/// The funding programme the files count from (2025-01 to 2035-12).
async fn programme(db: &Db) {
    let munis = navet_store::org::municipalities(db).await.unwrap();
    let p = domain::funding::Programme {
        name: "ESF".into(),
        starts: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        ends: NaiveDate::from_ymd_opt(2035, 12, 31).unwrap(),
        granted_sek: 23_731_055,
        cofinancing_rate: 0.46,
        target_hours: 42_000.0,
        employees: munis.iter().map(|m| (m.name.clone(), 1000)).collect(),
    };
    navet_store::funding::save(db, &Who::system("test"), &p)
        .await
        .unwrap();
}

async fn book(db: &Db, session: i64, person: i64) {
    sqlx::query(
        "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, 'booked', 0, 0)",
    )
    .bind(session)
    .bind(person)
    .execute(db.writer())
    .await
    .unwrap();
}

fn day(m: NaiveDate, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(chrono::Datelike::year(&m), chrono::Datelike::month(&m), d).unwrap()
}

both_engines!(
    attestation_walk_through_api_and_pages,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let today = navet_store::time::today();
        let (ma, mb) = (previous_month(previous_month(today)), previous_month(today));
        let (ka, kb) = (month_key(ma), month_key(mb));
        programme(&db).await;
        let course = fixtures::course(&db, "HLR vuxen").await;
        let anna = fixtures::person(&db, "Anna", "Örebro").await;
        let berit = fixtures::person(&db, "Berit", "Örebro").await;
        let (s1, s2, s3) = (
            session(&db, course, day(ma, 10), 3.0).await,
            session(&db, course, day(ma, 20), 4.5).await,
            session(&db, course, day(mb, 15), 3.0).await,
        );
        for s in [s1, s2, s3] {
            book(&db, s, anna).await;
        }
        for s in [s1, s3] {
            book(&db, s, berit).await;
        }
        let coord = app.coordinator().await;
        let reporter = app.user(Role::EsfReporter).await;
        let anna_user = app.participant(anna).email("anna@test.se").create().await;
        let berit_user = app.participant(berit).email("berit@test.se").create().await;
        for (s, p) in [(s1, anna), (s2, anna), (s3, anna), (s1, berit), (s3, berit)] {
            let r = app
                .post_json(
                    &format!("/api/v1/sessions/{s}/attendance"),
                    coord.auth(),
                    &json!({"person_id": p, "present": true}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }

        // Who may: the overview is the hub's; nobody attests for another.
        assert_eq!(
            app.get(&format!("/api/v1/attestations/{ka}"), anna_user.auth())
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.post_json(
                &format!("/api/v1/attestations/{ka}/people/{anna}/paper"),
                anna_user.auth(),
                &json!({})
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        // The months are opened (the daily job does it; here the hub's call).
        for k in [&ka, &kb] {
            let r = app
                .post_json(
                    &format!("/api/v1/attestations/{k}/open"),
                    coord.auth(),
                    &json!({}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        // A month with no time: 422 naming the month, nothing changes.
        let empty = month_key(previous_month(ma));
        let r = app
            .post_json(
                &format!("/api/v1/attestations/mine/{empty}"),
                anna_user.auth(),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["field"], "month");
        // A future month's file: 422 naming the month.
        let future = month_key(
            previous_month(today)
                .checked_add_months(chrono::Months::new(3))
                .unwrap(),
        );
        let r = app
            .post_json(
                "/api/v1/esf/participant-files",
                coord.auth(),
                &json!({"month": future}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["field"], "month");
        assert!(r.json()["error"].as_str().unwrap().contains("framtiden"));

        // Anna confirms on her page, signed in with her password.
        let cookie = app.login("anna@test.se", PASSWORD).await.unwrap();
        let page = app.page("GET", "/mina-narvarotider", &cookie, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("7,5 timmar på 2 kurstillfällen"),
            "{}",
            page.body
        );
        let csrf = app.csrf_for(&cookie, "/mina-narvarotider").await;
        let r = app
            .page(
                "POST",
                &format!("/mina-narvarotider/{ka}"),
                &cookie,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // The API with her own token: the later month.
        let r = app
            .post_json(
                &format!("/api/v1/attestations/mine/{kb}"),
                anna_user.auth(),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["method"], "api_token");
        // Berit's signed paper, registered by the hub.
        for k in [&ka, &kb] {
            let r = app
                .post_json(
                    &format!("/api/v1/attestations/{k}/people/{berit}/paper"),
                    coord.auth(),
                    &json!({}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            assert_eq!(r.json()["method"], "paper");
        }
        // Twice: 409.
        let r = app
            .post_json(
                &format!("/api/v1/attestations/mine/{kb}"),
                anna_user.auth(),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let o = app
            .get(&format!("/api/v1/attestations/{ka}"), coord.auth())
            .await
            .json();
        let mine: Vec<&Value> = o["people"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["person_id"] == anna)
            .collect();
        assert_eq!(mine[0]["latest"]["method"], "password");
        assert_eq!(mine[0]["latest"]["hours"], 7.5);
        assert_eq!(o["municipalities"][0]["attested"], 2);
        assert_eq!(o["municipalities"][0]["paper"], 1);

        // The file for both months; twice gives the same SHA-256.
        let produce = |k: String, fmt: &'static str| {
            let app = &app;
            let coord = &coord;
            async move {
                let r = app
                    .post_json(
                        "/api/v1/esf/participant-files",
                        coord.auth(),
                        &json!({"month": k, "format": fmt}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                let v = r.json();
                let file = app
                    .get(
                        &format!("/api/v1/esf/participant-files/{}", v["id"]),
                        coord.auth(),
                    )
                    .await;
                (v, file.body)
            }
        };
        let (e1, csv1) = produce(ka.clone(), "csv").await;
        let (e1b, _) = produce(ka.clone(), "csv").await;
        assert_eq!(e1["sha256"], e1b["sha256"]);
        let (x1, _) = produce(ka.clone(), "xlsx").await;
        let (x2, _) = produce(ka.clone(), "xlsx").await;
        assert_eq!(x1["sha256"], x2["sha256"], "XLSX is reproducible too");
        produce(kb.clone(), "csv").await;
        // The ESF reporter may produce it; a participant may not.
        assert_eq!(
            app.get("/api/v1/esf/participant-files", reporter.auth())
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.get("/api/v1/esf/participant-files", berit_user.auth())
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        // Correct: Anna was absent on the 20th.
        let r = app
            .post_json(
                &format!("/api/v1/sessions/{s2}/attendance"),
                coord.auth(),
                &json!({"person_id": anna, "present": false}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = app
            .get(
                &format!("/api/v1/attestations/{ka}/people/{anna}/versions"),
                coord.auth(),
            )
            .await
            .json();
        assert_eq!(v[0]["version"], 2);
        assert_eq!(v[0]["status"], "pending");
        assert_eq!(v[0]["previous_id"], v[1]["id"]);
        assert_eq!(v[1]["status"], "superseded");
        assert_eq!(v[1]["hours"], 7.5);
        let o = app
            .get(&format!("/api/v1/attestations/{ka}"), coord.auth())
            .await
            .json();
        assert_eq!(o["reexport_needed"], true);
        assert_eq!(o["flagged_months"], json!([&ka, &kb]));
        let (e2, csv2) = produce(ka.clone(), "csv").await;
        assert_ne!(e2["sha256"], e1["sha256"]);
        let differing: Vec<(&str, &str)> = csv1
            .lines()
            .zip(csv2.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(differing.len(), 1, "{differing:?}");
        assert!(
            differing[0].1.ends_with(";;ej attesterad;2"),
            "{differing:?}"
        );
        assert!(differing[0].1.starts_with(&format!("NAV-{anna:07};")));

        // Reminders: one, then none on a second press.
        let r = app
            .post_json(
                &format!("/api/v1/attestations/{ka}/reminders"),
                coord.auth(),
                &json!({}),
            )
            .await;
        assert_eq!(r.json()["reminded"], 1, "{}", r.body);
        let r = app
            .post_json(
                &format!("/api/v1/attestations/{ka}/reminders"),
                coord.auth(),
                &json!({}),
            )
            .await;
        assert_eq!(r.json()["reminded"], 0);

        // The certificate to sign on paper is a PDF.
        let (_, ccookie) = app
            .signed_in("samordnare2@test.se", Role::Coordinator)
            .await;
        let pdf = app
            .page(
                "GET",
                &format!("/attestering/{ka}/intyg/{berit}.pdf"),
                &ccookie,
                None,
            )
            .await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert!(pdf.body.starts_with("%PDF"));
        let page = app
            .page("GET", &format!("/attestering?manad={ka}"), &ccookie, None)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Har inte bekräftat"), "{}", page.body);

        // Refusals on the pages: Swedish, naming the field, changing nothing.
        let csrf = app.csrf_for(&ccookie, "/deltagarfil").await;
        let before = app
            .get("/api/v1/esf/participant-files", coord.auth())
            .await
            .json();
        let r = app
            .page(
                "POST",
                "/deltagarfil",
                &ccookie,
                Some(&format!("_csrf={csrf}&month={future}&format=csv")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("ligger i framtiden"), "{}", r.body);
        assert!(
            r.body.contains("href=\"#month\""),
            "the summary links the field"
        );
        assert_eq!(
            app.get("/api/v1/esf/participant-files", coord.auth())
                .await
                .json(),
            before
        );
        let csrf = app.csrf_for(&cookie, "/mina-narvarotider").await;
        let r = app
            .page(
                "POST",
                &format!("/mina-narvarotider/{empty}"),
                &cookie,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Det finns ingen närvarotid att bekräfta"),
            "{}",
            r.body
        );
    }
);

both_engines!(
    identity_numbers_are_masked_checked_and_audited,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let p = fixtures::person(&db, "Dora", "Nora").await;
        let coord = app.coordinator().await;
        let reporter = app.user(Role::EsfReporter).await;
        let (_, participant) = app
            .account("dora@test.se", Role::Participant, Some(p), Scope::default())
            .await;
        // A bad number: 422 naming the field, nothing saved.
        let r = app
            .json_request(
                "PUT",
                &format!("/api/v1/people/{p}/reporting-details"),
                coord.auth(),
                &json!({"personal_identity_number": "19121212-1213"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["field"], "personal_identity_number");
        let r = app
            .json_request(
                "PUT",
                &format!("/api/v1/people/{p}/reporting-details"),
                coord.auth(),
                &json!({"personal_identity_number": "191212121212"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["personal_identity_number"], "19121212-****");
        assert_eq!(r.json()["birth_year"], 1912);
        // Masked to the hub; in full to the ESF reporter alone, audited.
        let r = app
            .get(
                &format!("/api/v1/people/{p}/reporting-details"),
                coord.auth(),
            )
            .await;
        assert_eq!(r.json()["personal_identity_number"], "19121212-****");
        for who in [coord.auth(), Some(participant.as_str())] {
            assert_eq!(
                app.get(&format!("/api/v1/people/{p}/personal-identity-number"), who)
                    .await
                    .status,
                StatusCode::FORBIDDEN
            );
        }
        let r = app
            .get(
                &format!("/api/v1/people/{p}/personal-identity-number"),
                reporter.auth(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["personal_identity_number"], "19121212-1212");
        let reads: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'person.read' AND person_id = $1 AND detail LIKE '%personnummer%'",
    )
    .bind(p)
    .fetch_one(db.pool())
    .await
    .unwrap();
        assert_eq!(reads, 1);
        // On the pages: a bad number is refused naming the field, the
        // registered one stays; the reporter looks a reference up (audited).
        let (_, ccookie) = app
            .signed_in("samordnare3@test.se", Role::Coordinator)
            .await;
        let path = format!("/personal/{p}/rapportuppgifter");
        let page = app.page("GET", &path, &ccookie, None).await;
        assert!(page.body.contains("19121212-****"), "{}", page.body);
        assert!(!page.body.contains("19121212-1212"));
        let csrf = app.csrf_for(&ccookie, &path).await;
        let r = app
            .page(
                "POST",
                &path,
                &ccookie,
                Some(&format!(
                    "_csrf={csrf}&birth_year=&personal_identity_number=19121212-1219"
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Personnumrets kontrollsiffra stämmer inte"),
            "{}",
            r.body
        );
        assert!(r.body.contains("href=\"#personal_identity_number\""));
        let (_, rcookie) = app.signed_in("esf2@test.se", Role::EsfReporter).await;
        let csrf = app.csrf_for(&rcookie, "/deltagarfil").await;
        let r = app
            .page(
                "POST",
                "/deltagarfil/personnummer",
                &rcookie,
                Some(&format!("_csrf={csrf}&participant_ref=NAV-{p:07}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("19121212-1212"), "{}", r.body);
        let reads: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'person.read' AND person_id = $1 AND detail LIKE '%personnummer%'",
        )
        .bind(p)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(reads, 2);
        // The audit log never holds the number itself.
        let leaks: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE detail LIKE '%1212-1212%' OR detail LIKE '%121212121212%'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
        assert_eq!(leaks, 0);
    }
);
