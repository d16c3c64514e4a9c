//! Erasure through the API and the two-step page, the privacy page with
//! the records of processing and legal holds. Both engines.

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use domain::access::Role;
use domain::funding::Programme;
use navet_store::audit::Who;
use navet_store::testing::fixtures;
use navet_store::{both_engines, funding, Db};

async fn name_of(db: &Db, id: i64) -> String {
    sqlx::query_scalar("SELECT name FROM people WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

both_engines!(
    the_api_erases_for_coordinators_only_and_answers_twice,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let p = fixtures::person(&db, "Ebba Raderasson", "Örebro").await;
        let coordinator = app.coordinator().await;
        let participant = app.participant(p).await;
        let path = format!("/api/v1/people/{p}/erasure");

        let r = app.get(&path, participant.auth()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = app
            .post_json(&path, participant.auth(), &serde_json::json!({}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.get(&path, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = app
            .get("/api/v1/people/999999/erasure", coordinator.auth())
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        let r = app.get(&path, coordinator.auth()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let preview = r.json();
        assert_eq!(preview["name"], "Ebba Raderasson");
        assert_eq!(preview["erased"], false);
        assert!(preview["removed"].as_array().unwrap().len() > 3);
        assert_eq!(
            name_of(&db, p).await,
            "Ebba Raderasson",
            "a preview changes nothing"
        );

        let r = app
            .post_json(&path, coordinator.auth(), &serde_json::json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let pseudonym = r.json()["pseudonym"].as_str().unwrap().to_string();
        assert!(pseudonym.starts_with("Raderad person "));
        assert_eq!(name_of(&db, p).await, pseudonym);

        let r = app
            .post_json(&path, coordinator.auth(), &serde_json::json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.json()["error"]
            .as_str()
            .unwrap()
            .contains("redan raderad"));
        // The participant's token went with the account.
        let r = app
            .get(&format!("/api/v1/people/{p}"), participant.auth())
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
);

both_engines!(
    the_page_asks_twice_and_a_wrong_confirmation_changes_nothing,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let p = fixtures::person(&db, "Frida Raderasson", "Örebro").await;
        let (_, cookie) = app.signed_in("c@test.se", Role::Coordinator).await;
        let card = app
            .page("GET", &format!("/personal/{p}"), &cookie, None)
            .await;
        assert!(card.body.contains(&format!("/personal/{p}/radera")));

        let path = format!("/personal/{p}/radera");
        let page = app.page("GET", &path, &cookie, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Det här tas bort"));
        assert!(page.body.contains("Det här finns kvar under en pseudonym"));
        let csrf = app.csrf_for(&cookie, &path).await;

        let r = app
            .page(
                "POST",
                &path,
                &cookie,
                Some(&format!("_csrf={csrf}&bekrafta=ja")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Bekräftelsen stämmer inte"));
        assert_eq!(name_of(&db, p).await, "Frida Raderasson");

        let r = app
            .page(
                "POST",
                &path,
                &cookie,
                Some(&format!("_csrf={csrf}&bekrafta=frida+raderasson")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(name_of(&db, p).await.starts_with("Raderad person "));
        let after = app.page("GET", &path, &cookie, None).await;
        assert!(after.body.contains("Personen är raderad och visas nu som"));
        assert!(after.body.contains("redan raderad"));
        assert!(!after.body.contains("name=\"bekrafta\""));

        // A manager cannot reach the page.
        let (_, mgr) = app.signed_in("m@test.se", Role::Manager).await;
        let r = app.page("GET", &path, &mgr, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

both_engines!(
    the_privacy_page_lists_the_records_and_takes_legal_holds,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let prog = funding::save(
            &db,
            &Who::system("test"),
            &Programme {
                name: "ESF Kompetensnavet".into(),
                starts: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
                ends: chrono::NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
                granted_sek: 1,
                cofinancing_rate: 0.4,
                target_hours: 10.0,
                employees: vec![("Örebro".into(), 10)],
            },
        )
        .await
        .unwrap();
        let (_, cookie) = app.signed_in("c@test.se", Role::Coordinator).await;
        let page = app.page("GET", "/integritet", &cookie, None).await;
        assert_eq!(page.status, StatusCode::OK);
        for record in domain::processing::records(&domain::retention::Schedule::default()) {
            assert!(page.body.contains(record.name), "{}", record.name);
        }
        assert!(page.body.contains("Gallringen har inte körts ännu"));
        let csrf = app.csrf_for(&cookie, "/integritet").await;
        let r = app
            .page(
                "POST",
                "/integritet/bevarande",
                &cookie,
                Some(&format!("_csrf={csrf}&programme_id={prog}&reason=")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Ange varför"));
        let r = app
            .page(
                "POST",
                "/integritet/bevarande",
                &cookie,
                Some(&format!(
                    "_csrf={csrf}&programme_id={prog}&reason=Finansi%C3%A4rens+beslut"
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = app.page("GET", "/integritet", &cookie, None).await;
        assert!(page.body.contains("Finansiärens beslut"));
        assert!(page.body.contains("Upphäv beslutet"));

        let (_, trainer) = app.signed_in("t@test.se", Role::Trainer).await;
        let r = app.page("GET", "/integritet", &trainer, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

both_engines!(
    under_a_legal_hold_the_api_and_page_erase_the_rest_and_say_what_stays,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let p = fixtures::person(&db, "Greta Hållsson", "Örebro").await;
        let prog = funding::save(
            &db,
            &Who::system("test"),
            &Programme {
                name: "ESF Kompetensnavet".into(),
                starts: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
                ends: chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
                granted_sek: 1,
                cofinancing_rate: 0.4,
                target_hours: 10.0,
                employees: vec![("Örebro".into(), 10)],
            },
        )
        .await
        .unwrap();
        let course = fixtures::course(&db, "HLR").await;
        let start =
            navet_store::time::day_start(chrono::NaiveDate::from_ymd_opt(2025, 3, 10).unwrap())
                + 9 * 3600;
        let session: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
             VALUES ($1, $2, $3, (SELECT id FROM municipalities WHERE name = 'Örebro'), 'Sal', 10, 3, 'held', 0, 0) RETURNING id",
        )
        .bind(course)
        .bind(start)
        .bind(start + 3 * 3600)
        .fetch_one(db.writer())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO bookings (session_id, person_id, status, support_needs, booked_at, updated_at) VALUES ($1, $2, 'attended', 'tolk', 0, 0)",
        )
        .bind(session)
        .bind(p)
        .execute(db.writer())
        .await
        .unwrap();
        let hold =
            navet_store::legal_holds::place(&db, &Who::system("test"), prog, "Revision 2026")
                .await
                .unwrap();
        let coordinator = app.coordinator().await;
        let path = format!("/api/v1/people/{p}/erasure");
        let r = app.get(&path, coordinator.auth()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let holds = r.json()["holds"].clone();
        assert_eq!(holds[0]["programme"], "ESF Kompetensnavet");
        assert_eq!(holds[0]["reason"], "Revision 2026");
        assert_eq!(holds[0]["bookings"], 1);

        // The page lists what the hold keeps, and still asks to confirm.
        let (_, cookie) = app.signed_in("c2@test.se", Role::Coordinator).await;
        let page = app
            .page("GET", &format!("/personal/{p}/radera"), &cookie, None)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Behålls enligt bevarandebeslut"));
        assert!(page.body.contains("Revision 2026"));
        assert!(page.body.contains("name=\"bekrafta\""));

        let r = app
            .post_json(&path, coordinator.auth(), &serde_json::json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let done = r.json();
        assert_eq!(done["pseudonym"], serde_json::Value::Null);
        assert_eq!(done["held"][0]["programme"], "ESF Kompetensnavet");
        assert_eq!(
            name_of(&db, p).await,
            "Greta Hållsson",
            "the hold keeps the name"
        );
        let page = app
            .page("GET", &format!("/personal/{p}/radera"), &cookie, None)
            .await;
        assert!(page.body.contains("Delvis raderad"));

        navet_store::legal_holds::release(&db, &Who::system("test"), hold)
            .await
            .unwrap();
        let r = app
            .post_json(&path, coordinator.auth(), &serde_json::json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.json()["pseudonym"]
            .as_str()
            .unwrap()
            .starts_with("Raderad person "));
        assert_eq!(r.json()["held"], serde_json::json!([]));
    }
);
