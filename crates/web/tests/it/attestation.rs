//! Monthly attestation and the participant file through the API and the
//! pages, on both engines: a month from attendance to a corrected export,
//! one test per step on a scene that has done the steps before it (one
//! person confirms on their page, signed in with a password; the other's
//! paper certificate is registered through the API), who may do what
//! (only the person attests; full personal identity numbers for the ESF
//! reporter alone, audited), and refusals that name the field.

use crate::common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{TestApp, User, PASSWORD};
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

/// Two months before this one (`ka`) and the last one (`kb`): Anna
/// attended 3 h and 4,5 h in `ka` and 3 h in `kb`, Berit 3 h in each;
/// both have accounts and both months are opened.
struct Months {
    app: TestApp,
    coord: User,
    anna: i64,
    berit: i64,
    anna_user: User,
    berit_user: User,
    /// Anna's 4,5 hours on the 20th of `ka`.
    s2: i64,
    ka: String,
    kb: String,
    /// The month before `ka`, with no time.
    empty: String,
    /// A month whose file cannot be made yet.
    future: String,
}

async fn months(db: &Db) -> Months {
    let app = TestApp::new(db.clone());
    let today = navet_store::time::today();
    let (ma, mb) = (previous_month(previous_month(today)), previous_month(today));
    programme(db).await;
    let course = fixtures::course(db, "HLR vuxen").await;
    let anna = fixtures::person(db, "Anna", "Örebro").await;
    let berit = fixtures::person(db, "Berit", "Örebro").await;
    let (s1, s2, s3) = (
        session(db, course, day(ma, 10), 3.0).await,
        session(db, course, day(ma, 20), 4.5).await,
        session(db, course, day(mb, 15), 3.0).await,
    );
    for s in [s1, s2, s3] {
        book(db, s, anna).await;
    }
    for s in [s1, s3] {
        book(db, s, berit).await;
    }
    let coord = app.coordinator().await;
    let anna_user = app.participant(anna).email("anna@test.se").create().await;
    let berit_user = app.participant(berit).email("berit@test.se").create().await;
    for (s, p) in [(s1, anna), (s2, anna), (s3, anna), (s1, berit), (s3, berit)] {
        mark(&app, &coord, s, p, true).await;
    }
    let (ka, kb) = (month_key(ma), month_key(mb));
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
    Months {
        app,
        coord,
        anna,
        berit,
        anna_user,
        berit_user,
        s2,
        empty: month_key(previous_month(ma)),
        future: month_key(
            previous_month(today)
                .checked_add_months(chrono::Months::new(3))
                .unwrap(),
        ),
        ka,
        kb,
    }
}

async fn mark(app: &TestApp, coord: &User, session: i64, person: i64, present: bool) {
    let r = app
        .post_json(
            &format!("/api/v1/sessions/{session}/attendance"),
            coord.auth(),
            &json!({"person_id": person, "present": present}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// Both months attested through the API: Anna's with her own token,
/// Berit's signed papers registered by the hub.
async fn attested(db: &Db) -> Months {
    let f = months(db).await;
    for k in [&f.ka, &f.kb] {
        let r = f
            .app
            .post_json(
                &format!("/api/v1/attestations/mine/{k}"),
                f.anna_user.auth(),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = f
            .app
            .post_json(
                &format!("/api/v1/attestations/{k}/people/{}/paper", f.berit),
                f.coord.auth(),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    f
}

/// The participant file for month `k`: its archive entry and its bytes.
async fn produce(f: &Months, k: &str, format: &str) -> (Value, String) {
    let r = f
        .app
        .post_json(
            "/api/v1/esf/participant-files",
            f.coord.auth(),
            &json!({"month": k, "format": format}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = r.json();
    let file = f
        .app
        .get(
            &format!("/api/v1/esf/participant-files/{}", v["id"]),
            f.coord.auth(),
        )
        .await;
    (v, file.body)
}

both_engines!(
    only_the_hub_attests_for_others_and_it_and_the_esf_reporter_list_files,
    |db: Db| async move {
        let f = months(&db).await;
        // The overview is the hub's; nobody attests for another.
        assert_eq!(
            f.app
                .get(
                    &format!("/api/v1/attestations/{}", f.ka),
                    f.anna_user.auth()
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            f.app
                .post_json(
                    &format!("/api/v1/attestations/{}/people/{}/paper", f.ka, f.anna),
                    f.anna_user.auth(),
                    &json!({})
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // The ESF reporter may list the participant files; a participant may not.
        let reporter = f.app.user(Role::EsfReporter).await;
        assert_eq!(
            f.app
                .get("/api/v1/esf/participant-files", reporter.auth())
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            f.app
                .get("/api/v1/esf/participant-files", f.berit_user.auth())
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
);

both_engines!(
    a_month_without_time_or_not_yet_ended_is_refused_naming_the_month,
    |db: Db| async move {
        let f = months(&db).await;
        // Confirming a month with no time: 422 naming the month.
        let r = f
            .app
            .post_json(
                &format!("/api/v1/attestations/mine/{}", f.empty),
                f.anna_user.auth(),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["field"], "month");
        let cookie = f.app.login("anna@test.se", PASSWORD).await.unwrap();
        let csrf = f.app.csrf_for(&cookie, "/mina-narvarotider").await;
        let r = f
            .app
            .page(
                "POST",
                &format!("/mina-narvarotider/{}", f.empty),
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
        // A future month's file: 422 naming the month, nothing made.
        let files = || f.app.get("/api/v1/esf/participant-files", f.coord.auth());
        let before = files().await.json();
        let r = f
            .app
            .post_json(
                "/api/v1/esf/participant-files",
                f.coord.auth(),
                &json!({"month": f.future}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["field"], "month");
        assert!(r.json()["error"].as_str().unwrap().contains("framtiden"));
        let (_, ccookie) = f
            .app
            .signed_in("samordnare2@test.se", Role::Coordinator)
            .await;
        let csrf = f.app.csrf_for(&ccookie, "/deltagarfil").await;
        let r = f
            .app
            .page(
                "POST",
                "/deltagarfil",
                &ccookie,
                Some(&format!("_csrf={csrf}&month={}&format=csv", f.future)),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("ligger i framtiden"), "{}", r.body);
        assert!(
            r.body.contains("href=\"#month\""),
            "the summary links the field"
        );
        assert_eq!(files().await.json(), before);
    }
);

both_engines!(
    each_confirms_their_month_once_on_the_page_by_api_or_on_paper,
    |db: Db| async move {
        let f = months(&db).await;
        // Anna on her page, signed in with her password.
        let cookie = f.app.login("anna@test.se", PASSWORD).await.unwrap();
        let page = f.app.page("GET", "/mina-narvarotider", &cookie, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("7,5 timmar på 2 kurstillfällen"),
            "{}",
            page.body
        );
        let csrf = f.app.csrf_for(&cookie, "/mina-narvarotider").await;
        let r = f
            .app
            .page(
                "POST",
                &format!("/mina-narvarotider/{}", f.ka),
                &cookie,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // The API with her own token: the later month; twice is 409.
        let mine = format!("/api/v1/attestations/mine/{}", f.kb);
        let r = f.app.post_json(&mine, f.anna_user.auth(), &json!({})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["method"], "api_token");
        let r = f.app.post_json(&mine, f.anna_user.auth(), &json!({})).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // Berit's signed paper, registered by the hub.
        for k in [&f.ka, &f.kb] {
            let r = f
                .app
                .post_json(
                    &format!("/api/v1/attestations/{k}/people/{}/paper", f.berit),
                    f.coord.auth(),
                    &json!({}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            assert_eq!(r.json()["method"], "paper");
        }
        let o = f
            .app
            .get(&format!("/api/v1/attestations/{}", f.ka), f.coord.auth())
            .await
            .json();
        let hers: Vec<&Value> = o["people"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["person_id"] == f.anna)
            .collect();
        assert_eq!(hers[0]["latest"]["method"], "password");
        assert_eq!(hers[0]["latest"]["hours"], 7.5);
        assert_eq!(o["municipalities"][0]["attested"], 2);
        assert_eq!(o["municipalities"][0]["paper"], 1);
    }
);

both_engines!(
    the_participant_file_is_the_same_when_nothing_changed,
    |db: Db| async move {
        let f = attested(&db).await;
        let (e1, _) = produce(&f, &f.ka, "csv").await;
        let (e1b, _) = produce(&f, &f.ka, "csv").await;
        assert_eq!(e1["sha256"], e1b["sha256"]);
        let (x1, _) = produce(&f, &f.ka, "xlsx").await;
        let (x2, _) = produce(&f, &f.ka, "xlsx").await;
        assert_eq!(x1["sha256"], x2["sha256"], "XLSX is reproducible too");
        produce(&f, &f.kb, "csv").await;
    }
);

both_engines!(
    a_correction_supersedes_the_attestation_flags_the_file_and_reminds_once,
    |db: Db| async move {
        let f = attested(&db).await;
        let (e1, csv1) = produce(&f, &f.ka, "csv").await;
        produce(&f, &f.kb, "csv").await;
        // Anna was absent on the 20th.
        mark(&f.app, &f.coord, f.s2, f.anna, false).await;
        let v = f
            .app
            .get(
                &format!("/api/v1/attestations/{}/people/{}/versions", f.ka, f.anna),
                f.coord.auth(),
            )
            .await
            .json();
        assert_eq!(v[0]["version"], 2);
        assert_eq!(v[0]["status"], "pending");
        assert_eq!(v[0]["previous_id"], v[1]["id"]);
        assert_eq!(v[1]["status"], "superseded");
        assert_eq!(v[1]["hours"], 7.5);
        let o = f
            .app
            .get(&format!("/api/v1/attestations/{}", f.ka), f.coord.auth())
            .await
            .json();
        assert_eq!(o["reexport_needed"], true);
        assert_eq!(o["flagged_months"], json!([&f.ka, &f.kb]));
        let (e2, csv2) = produce(&f, &f.ka, "csv").await;
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
        assert!(differing[0].1.starts_with(&format!("NAV-{:07};", f.anna)));
        // Reminders: one, then none on a second press.
        let path = format!("/api/v1/attestations/{}/reminders", f.ka);
        let r = f.app.post_json(&path, f.coord.auth(), &json!({})).await;
        assert_eq!(r.json()["reminded"], 1, "{}", r.body);
        let r = f.app.post_json(&path, f.coord.auth(), &json!({})).await;
        assert_eq!(r.json()["reminded"], 0);
    }
);

both_engines!(
    the_hub_prints_the_certificate_to_sign_and_sees_who_has_not_confirmed,
    |db: Db| async move {
        let f = months(&db).await;
        let (_, ccookie) = f
            .app
            .signed_in("samordnare2@test.se", Role::Coordinator)
            .await;
        let pdf = f
            .app
            .page(
                "GET",
                &format!("/attestering/{}/intyg/{}.pdf", f.ka, f.berit),
                &ccookie,
                None,
            )
            .await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert!(pdf.body.starts_with("%PDF"));
        let page = f
            .app
            .page(
                "GET",
                &format!("/attestering?manad={}", f.ka),
                &ccookie,
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Har inte bekräftat"), "{}", page.body);
    }
);

/// Dora, with 191212121212 registered by a coordinator through the API.
async fn registered_number(db: &Db) -> (TestApp, i64) {
    let app = TestApp::new(db.clone());
    let p = fixtures::person(db, "Dora", "Nora").await;
    let coord = app.coordinator().await;
    let r = app
        .json_request(
            "PUT",
            &format!("/api/v1/people/{p}/reporting-details"),
            coord.auth(),
            &json!({"personal_identity_number": "191212121212"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (app, p)
}

async fn number_reads(db: &Db, p: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'person.read' AND person_id = $1 AND detail LIKE '%personnummer%'",
    )
    .bind(p)
    .fetch_one(db.pool())
    .await
    .unwrap()
}

both_engines!(
    a_bad_identity_number_is_refused_naming_the_field_and_a_good_one_is_shown_masked,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let p = fixtures::person(&db, "Dora", "Nora").await;
        let coord = app.coordinator().await;
        let path = format!("/api/v1/people/{p}/reporting-details");
        let r = app
            .json_request(
                "PUT",
                &path,
                coord.auth(),
                &json!({"personal_identity_number": "19121212-1213"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["field"], "personal_identity_number");
        let r = app.get(&path, coord.auth()).await;
        assert!(r.json()["personal_identity_number"].is_null(), "{}", r.body);
        let r = app
            .json_request(
                "PUT",
                &path,
                coord.auth(),
                &json!({"personal_identity_number": "191212121212"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["personal_identity_number"], "19121212-****");
        assert_eq!(r.json()["birth_year"], 1912);
        let r = app.get(&path, coord.auth()).await;
        assert_eq!(r.json()["personal_identity_number"], "19121212-****");
    }
);

both_engines!(
    only_the_esf_reporter_reads_the_full_number_and_each_read_is_audited,
    |db: Db| async move {
        let (app, p) = registered_number(&db).await;
        let coord = app.coordinator().await;
        let reporter = app.user(Role::EsfReporter).await;
        let (_, participant) = app
            .account("dora@test.se", Role::Participant, Some(p), Scope::default())
            .await;
        let path = format!("/api/v1/people/{p}/personal-identity-number");
        for who in [coord.auth(), Some(participant.as_str())] {
            assert_eq!(app.get(&path, who).await.status, StatusCode::FORBIDDEN);
        }
        assert_eq!(number_reads(&db, p).await, 0);
        let r = app.get(&path, reporter.auth()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["personal_identity_number"], "19121212-1212");
        assert_eq!(number_reads(&db, p).await, 1);
    }
);

both_engines!(
    the_reporting_details_page_masks_the_number_and_refuses_a_bad_one_keeping_the_old,
    |db: Db| async move {
        let (app, p) = registered_number(&db).await;
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
        let page = app.page("GET", &path, &ccookie, None).await;
        assert!(page.body.contains("19121212-****"), "{}", page.body);
    }
);

both_engines!(
    the_reporter_looks_up_a_reference_audited_and_the_log_never_holds_the_number,
    |db: Db| async move {
        let (app, p) = registered_number(&db).await;
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
        assert_eq!(number_reads(&db, p).await, 1);
        let leaks: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE detail LIKE '%1212-1212%' OR detail LIKE '%121212121212%'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(leaks, 0);
    }
);
