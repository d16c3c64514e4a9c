//! Invitations from the staff list, the invitation and reset links' pages,
//! and "Glömt lösenord" (the same answer whether or not the address
//! exists, and its rate limit), on both engines.

use crate::common;
use domain::ids::{AccountId, MunicipalityId};

use axum::http::StatusCode;
use common::{urlencoding, TestApp};
use domain::access::{Role, Scope};
use navet_store::testing::fixtures;
use navet_store::{accounts, both_engines, org, Db};

/// A CSRF cookie and token for a visitor who is not signed in.
async fn anon_csrf(app: &TestApp) -> (String, String) {
    let r = app.page("GET", "/login", "", None).await;
    let c = r
        .cookies()
        .into_iter()
        .find(|c| c.contains("navet_csrf"))
        .unwrap();
    let pair = c.split(';').next().unwrap().to_string();
    let token = pair.split('=').nth(1).unwrap().to_string();
    (pair, token)
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

/// The key after `marker` in the newest message of `kind` to `email`,
/// waiting a while for it (reset mail is made after the answer).
async fn key_in_mail(db: &Db, kind: &str, email: &str, marker: &str) -> Option<String> {
    for _ in 0..50 {
        let body: Option<String> = sqlx::query_scalar(
            "SELECT body FROM outbox WHERE kind = $1 AND to_email = $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(kind)
        .bind(email)
        .fetch_optional(db.pool())
        .await
        .unwrap();
        if let Some(b) = body {
            let i = b.find(marker).expect("a link") + marker.len();
            return Some(
                b[i..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect(),
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    None
}

/// The page's main content (the rest carries per-visitor tokens).
fn main_of(body: &str) -> &str {
    let a = body.find("<main").expect("main");
    let b = body.find("</main>").expect("end of main");
    &body[a..b]
}

const GOOD: &str = "lagom långt lösenord 42";

both_engines!(
    a_coordinator_invites_from_the_staff_list_and_the_person_sets_a_password,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (_, cookie) = app.signed_in("c@test.se", Role::Coordinator).await;
        let p = fixtures::person(&db, "Anna", "Örebro").await;
        let list = app.page("GET", "/personal", &cookie, None).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body
                .contains(&format!("name=\"person\" value=\"{p}\"")),
            "a checkbox per invitable person"
        );
        assert!(list.body.contains("Inte inbjuden"));

        let csrf = app.csrf_for(&cookie, "/personal").await;
        // Nobody chosen: back to the list, nothing sent.
        let r = app
            .page(
                "POST",
                "/personal/inbjudan",
                &cookie,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox").await, 0);

        let r = app
            .page(
                "POST",
                "/personal/inbjudan",
                &cookie,
                Some(&format!("_csrf={csrf}&person={p}&back=kommun%3D1")),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Inbjudan skickad med länk"), "{}", r.body);
        assert!(r.body.contains("href=\"/personal?kommun=1\""));
        let list = app.page("GET", "/personal", &cookie, None).await;
        assert!(list.body.contains("länken gäller till"), "status shown");

        let key = key_in_mail(&db, "invitation", "anna@test.se", "/inbjudan?t=")
            .await
            .expect("the invitation in the outbox");
        let page = app
            .page("GET", &format!("/inbjudan?t={key}"), "", None)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("anna@test.se"));

        let (anon, token) = anon_csrf(&app).await;
        let weak = format!("_csrf={token}&t={key}&new=kort&repeat=kort");
        let r = app.page("POST", "/inbjudan", &anon, Some(&weak)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("err-new"), "the field is named");
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM accounts WHERE email = 'anna@test.se'"
            )
            .await,
            0
        );

        let good = format!(
            "_csrf={token}&t={key}&new={0}&repeat={0}",
            urlencoding(GOOD)
        );
        let r = app.page("POST", "/inbjudan", &anon, Some(&good)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Ditt lösenord är sparat"));
        assert!(app.login("anna@test.se", GOOD).await.is_some(), "signs in");

        // Used: a clear page, nothing changes.
        let r = app.page("POST", "/inbjudan", &anon, Some(&good)).await;
        assert_eq!(r.status, StatusCode::GONE);
        assert!(r.body.contains("redan använd"), "{}", r.body);
        let r = app.page("GET", "/inbjudan?t=nonsens", "", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("ogiltig"));
    }
);

both_engines!(
    a_manager_invites_only_their_units_people,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let orebro = org::municipality_by_name(&db, "Örebro")
            .await
            .unwrap()
            .unwrap();
        let unit = org::create_unit(
            &db,
            MunicipalityId(orebro.id),
            "Ängen",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        let mine = fixtures::person(&db, "Mira", "Örebro").await;
        let other = fixtures::person(&db, "Olga", "Örebro").await;
        sqlx::query("UPDATE people SET unit_id = $1 WHERE id = $2")
            .bind(unit)
            .bind(mine)
            .execute(db.writer())
            .await
            .unwrap();
        app.account(
            "chef@test.se",
            Role::Manager,
            None,
            Scope {
                unit_ids: vec![unit],
                municipality_ids: vec![],
            },
        )
        .await;
        let cookie = app
            .login("chef@test.se", "rätt-lösenord-123")
            .await
            .unwrap();
        let csrf = app.csrf_for(&cookie, "/personal").await;
        // One person outside the manager's units: nothing is sent at all.
        let r = app
            .page(
                "POST",
                "/personal/inbjudan",
                &cookie,
                Some(&format!("_csrf={csrf}&person={mine}&person={other}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox").await, 0);
        let r = app
            .page(
                "POST",
                "/personal/inbjudan",
                &cookie,
                Some(&format!("_csrf={csrf}&person={mine}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'invitation'").await,
            1
        );

        // A participant may not invite anyone.
        let (_, pc) = app.signed_in("p@test.se", Role::Participant).await;
        let pcsrf = app.csrf_for(&pc, "/").await;
        let r = app
            .page(
                "POST",
                "/personal/inbjudan",
                &pc,
                Some(&format!("_csrf={pcsrf}&person={mine}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

both_engines!(
    forgot_password_gives_the_same_answer_for_every_address,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (a, cookie) = app.signed_in("kent@test.se", Role::Participant).await;
        let login = app.page("GET", "/login", "", None).await;
        assert!(login.body.contains("href=\"/glomt-losenord\""));
        let form = app.page("GET", "/glomt-losenord", "", None).await;
        assert_eq!(form.status, StatusCode::OK);

        let (anon, token) = anon_csrf(&app).await;
        let known = app
            .page(
                "POST",
                "/glomt-losenord",
                &anon,
                Some(&format!("_csrf={token}&email=Kent%40test.se")),
            )
            .await;
        let unknown = app
            .page(
                "POST",
                "/glomt-losenord",
                &anon,
                Some(&format!("_csrf={token}&email=ingen%40test.se")),
            )
            .await;
        assert_eq!(known.status, StatusCode::OK);
        assert_eq!(unknown.status, StatusCode::OK);
        assert_eq!(
            main_of(&known.body),
            main_of(&unknown.body),
            "no enumeration"
        );
        assert!(known.body.contains("Om adressen finns hos oss"));

        let key = key_in_mail(
            &db,
            "password_reset",
            "kent@test.se",
            "/aterstall-losenord?t=",
        )
        .await
        .expect("the reset link in the outbox");
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM outbox WHERE to_email = 'ingen@test.se'"
            )
            .await,
            0
        );
        let page = app
            .page("GET", &format!("/aterstall-losenord?t={key}"), "", None)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let good = format!(
            "_csrf={token}&t={key}&new={0}&repeat={0}",
            urlencoding(GOOD)
        );
        let r = app
            .page("POST", "/aterstall-losenord", &anon, Some(&good))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Ditt nya lösenord är sparat"));
        // The old session ended; the new password works, the old does not.
        let r = app.page("GET", "/personal", &cookie, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(accounts::session_count(&db, AccountId(a)).await.unwrap(), 0);
        assert!(app
            .login("kent@test.se", "rätt-lösenord-123")
            .await
            .is_none());
        assert!(app.login("kent@test.se", GOOD).await.is_some());
        let again = app
            .page("POST", "/aterstall-losenord", &anon, Some(&good))
            .await;
        assert_eq!(again.status, StatusCode::GONE);
        assert!(again.body.contains("redan använd"));
    }
);

both_engines!(
    reset_requests_are_rate_limited_per_address,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (anon, token) = anon_csrf(&app).await;
        let ask = |email: &'static str| {
            let body = format!("_csrf={token}&email={email}");
            let app = &app;
            let anon = anon.clone();
            async move {
                app.page("POST", "/glomt-losenord", &anon, Some(&body))
                    .await
            }
        };
        for _ in 0..domain::invitations::RESET_PER_ADDRESS.free {
            assert_eq!(ask("x%40test.se").await.status, StatusCode::OK);
        }
        let r = ask("x%40test.se").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers.contains_key("retry-after"));
        assert!(r.body.contains("Vänta"));
        // Another address is not held up.
        assert_eq!(ask("y%40test.se").await.status, StatusCode::OK);
        // An empty address names the field.
        let r = ask("").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("err-email"));
    }
);

both_engines!(
    a_reset_link_for_a_disabled_account_is_refused,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (a, _) = app.signed_in("lars@test.se", Role::Participant).await;
        navet_store::password_resets::request(
            &db,
            "lars@test.se",
            &|_: &str| None,
            navet_store::time::now(),
        )
        .await
        .unwrap()
        .unwrap();
        let key = key_in_mail(&db, "password_reset", "lars@test.se", "?t=")
            .await
            .unwrap();
        accounts::set_role_and_scope(
            &db,
            &navet_store::audit::Who::system("test"),
            AccountId(a),
            Role::Participant,
            &Scope::default(),
            false,
        )
        .await
        .unwrap();
        let r = app
            .page("GET", &format!("/aterstall-losenord?t={key}"), "", None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("Kontot är avstängt"), "{}", r.body);
        let (anon, token) = anon_csrf(&app).await;
        let good = format!(
            "_csrf={token}&t={key}&new={0}&repeat={0}",
            urlencoding(GOOD)
        );
        let r = app
            .page("POST", "/aterstall-losenord", &anon, Some(&good))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'password_reset.refused'"
            )
            .await,
            1
        );
    }
);

both_engines!(
    the_api_invites_one_person_with_json_errors,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let coordinator = app.token(Role::Coordinator).await;
        let participant = app.token(Role::Participant).await;
        let p = fixtures::person(&db, "Pia", "Örebro").await;
        let path = format!("/api/v1/people/{p}/invitation");
        let r = app
            .post_json(&path, Some(&participant), &serde_json::json!({}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post_json(&path, Some(&coordinator), &serde_json::json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["sent"], "link");
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'invitation'").await,
            1
        );
        // Someone who already signs in with a password cannot be invited.
        app.account("pia@test.se", Role::Participant, Some(p), Scope::default())
            .await;
        let r = app
            .post_json(&path, Some(&coordinator), &serde_json::json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["field"], "person");
        assert!(r.json()["error"]
            .as_str()
            .unwrap()
            .contains("har redan ett konto"));
        let r = app
            .post_json(
                "/api/v1/people/999999/invitation",
                Some(&coordinator),
                &serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.json()["error"].is_string());
    }
);
