//! Sign-in limits, password policy, session lifetimes, security headers and
//! single-line fields, on both engines.

use crate::common;
use domain::ids::{AccountId, PersonId};

use axum::http::StatusCode;
use common::{urlencoding, TestApp};
use domain::access::{Role, Scope};
use navet_store::{audit, both_engines, people, Db};
use navet_web::Config;
use serde_json::json;

/// The anonymous CSRF cookie pair and its token, for posting the login form.
async fn anon_csrf(app: &TestApp) -> (String, String) {
    let anon = app.page("GET", "/login", "", None).await;
    let pair = anon
        .cookies()
        .into_iter()
        .find(|c| c.contains("navet_csrf"))
        .unwrap();
    let pair = pair.split(';').next().unwrap().to_string();
    let token = pair.split('=').nth(1).unwrap().to_string();
    (pair, token)
}

async fn post_login(app: &TestApp, email: &str, password: &str, extra: &str) -> common::Resp {
    let (pair, token) = anon_csrf(app).await;
    let form = format!(
        "_csrf={token}&email={}&password={}&next=/{extra}",
        urlencoding(email),
        urlencoding(password)
    );
    app.page("POST", "/login", &pair, Some(&form)).await
}

both_engines!(
    twelve_parallel_wrong_logins_check_at_most_the_limit,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let (pair, token) = anon_csrf(&app).await;
        let form = format!("_csrf={token}&email=c%40test.se&password=fel-l%C3%B6senord");
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let app = app.clone();
                let (pair, form) = (pair.clone(), form.clone());
                tokio::spawn(
                    async move { app.page("POST", "/login", &pair, Some(&form)).await.status },
                )
            })
            .collect();
        let mut checked = 0;
        let mut refused = 0;
        for t in tasks {
            match t.await.unwrap() {
                StatusCode::UNAUTHORIZED => checked += 1,
                StatusCode::TOO_MANY_REQUESTS => refused += 1,
                s => panic!("unexpected {s}"),
            }
        }
        assert_eq!(
            checked,
            navet_web::pages::auth::MAX_FAILURES_PER_ACCOUNT,
            "only the allowed number of passwords were verified"
        );
        assert_eq!(refused, 12 - checked);
    }
);

both_engines!(
    login_backs_off_and_the_right_password_works_after_the_wait,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        for _ in 0..navet_web::pages::auth::MAX_FAILURES_PER_ACCOUNT {
            let r = post_login(&app, "c@test.se", "fel-lösenord", "").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        // At once: refused, and the page says how long to wait.
        let r = post_login(&app, "c@test.se", "rätt-lösenord-123", "").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("Vänta"), "{}", r.body);
        assert!(r.body.contains("sekunder"), "{}", r.body);
        let retry: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=2).contains(&retry), "{retry}");
        // Seconds later (the clock moved on): the right password works.
        sqlx::query("UPDATE login_throttle SET next_at = next_at - 3, last_at = last_at - 3")
            .execute(db.writer())
            .await
            .unwrap();
        let r = post_login(&app, "c@test.se", "rätt-lösenord-123", "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Success starts the count over: five more tries before any wait.
        for _ in 0..navet_web::pages::auth::MAX_FAILURES_PER_ACCOUNT {
            let r = post_login(&app, "c@test.se", "fel-lösenord", "").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
    }
);

both_engines!(signing_in_can_end_the_other_sessions, |db: Db| async move {
    let app = TestApp::new(db.clone());
    app.account("c@test.se", Role::Coordinator, None, Scope::default())
        .await;
    let first = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
    let second = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
    // Without the box ticked both sessions live on.
    for c in [&first, &second] {
        assert_eq!(
            app.page("GET", "/personal", c, None).await.status,
            StatusCode::OK
        );
    }
    let page = app.page("GET", "/login", "", None).await;
    assert!(page.body.contains("Logga ut från mina andra sessioner"));
    // A coordinator ticks the box, then gives the code from the app.
    let third = match app
        .password_step_with("c@test.se", "rätt-lösenord-123", "&end_others=1")
        .await
        .unwrap()
    {
        common::PasswordStep::SecondStep { cookies, csrf } => {
            app.second_step("c@test.se", &cookies, &csrf).await.unwrap()
        }
        common::PasswordStep::SignedIn(c) => c,
    };
    assert_eq!(
        app.page("GET", "/personal", &third, None).await.status,
        StatusCode::OK
    );
    for c in [&first, &second] {
        let r = app.page("GET", "/personal", c, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "older session ended");
    }
});

both_engines!(
    an_active_session_ends_after_its_absolute_lifetime,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let cookie = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
        assert_eq!(
            app.page("GET", "/personal", &cookie, None).await.status,
            StatusCode::OK
        );
        // Signed in 12 hours and a second ago, used a moment ago.
        sqlx::query("UPDATE web_sessions SET created_at = created_at - 43201")
            .execute(db.writer())
            .await
            .unwrap();
        let r = app.page("GET", "/personal", &cookie, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.headers["location"]
            .to_str()
            .unwrap()
            .starts_with("/login"));
    }
);

both_engines!(
    users_change_their_own_password_and_other_sessions_end,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (id, _) = app
            .account("c@test.se", Role::Participant, None, Scope::default())
            .await;
        let here = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
        let elsewhere = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
        let page = app.page("GET", "/konto/losenord", &here, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Byt lösenord"));
        let csrf = app.csrf_for(&here, "/konto/losenord").await;
        let send = |current: &str, new: &str, repeat: &str| {
            format!(
                "_csrf={csrf}&current={}&new={}&repeat={}",
                urlencoding(current),
                urlencoding(new),
                urlencoding(repeat)
            )
        };
        let good = "Sju små sjömän seglar";
        // Wrong current password, a common one, a short one, a mismatch:
        // each refused with the field named, nothing changed.
        for (form, field, text) in [
            (
                send("fel-lösenord-1", good, good),
                "current",
                "stämmer inte",
            ),
            (
                send("rätt-lösenord-123", "password1234", "password1234"),
                "new",
                "för vanligt",
            ),
            (
                send("rätt-lösenord-123", "kort", "kort"),
                "new",
                "minst 12 tecken",
            ),
            (
                send("rätt-lösenord-123", "aaaaaaaaaaaaaa", "aaaaaaaaaaaaaa"),
                "new",
                "mönster",
            ),
            (
                send("rätt-lösenord-123", good, "Sju små sjömän seglade"),
                "repeat",
                "inte lika",
            ),
        ] {
            let r = app
                .page("POST", "/konto/losenord", &here, Some(&form))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{form}");
            assert!(
                r.body.contains(&format!("id=\"err-{field}\"")),
                "{field}: {}",
                r.body
            );
            assert!(r.body.contains(text), "{text}: {}", r.body);
        }
        assert_eq!(
            navet_store::accounts::session_count(&db, AccountId(id))
                .await
                .unwrap(),
            2
        );
        let r = app
            .page(
                "POST",
                "/konto/losenord",
                &here,
                Some(&send("rätt-lösenord-123", good, good)),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // This session goes on, the other one has ended.
        assert_eq!(
            app.page("GET", "/konto/losenord?ok=1", &here, None)
                .await
                .status,
            StatusCode::OK
        );
        let r = app.page("GET", "/konto/losenord", &elsewhere, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(app.login("c@test.se", "rätt-lösenord-123").await.is_none());
        assert!(app.login("c@test.se", good).await.is_some());
        let (log, _) = audit::list(
            &db,
            &audit::Filter {
                action: Some("account.password_change".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let log = log.rows;
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].subject_id, Some(id));
    }
);

both_engines!(
    admin_cannot_give_an_account_a_common_password,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        app.account("admin@test.se", Role::Admin, None, Scope::default())
            .await;
        let cookie = app
            .login("admin@test.se", "rätt-lösenord-123")
            .await
            .unwrap();
        let csrf = app.csrf_for(&cookie, "/admin/konton").await;
        let send = |pw: &str| {
            let form = format!(
                "_csrf={csrf}&email=ny%40test.se&name=Ny+Person&role=participant&password={}",
                urlencoding(pw)
            );
            let cookie = cookie.clone();
            let app = &app;
            async move {
                app.page("POST", "/admin/konton", &cookie, Some(&form))
                    .await
            }
        };
        let r = send("qwerty123456").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("för vanligt"), "{}", r.body);
        assert!(navet_store::accounts::by_email(&db, "ny@test.se")
            .await
            .unwrap()
            .is_none());
        let r = send("korrekt häst batteri").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(navet_store::accounts::by_email(&db, "ny@test.se")
            .await
            .unwrap()
            .is_some());
    }
);

both_engines!(
    pages_api_and_personal_files_are_not_stored_and_carry_the_policies,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let pid = navet_store::testing::fixtures::person(&db, "Åsa", "Nora").await;
        let (_, token) = app
            .account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let cookie = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
        let feed = navet_store::bookings::feed_token(&db, PersonId(pid))
            .await
            .unwrap();
        for r in [
            app.page("GET", "/personal", &cookie, None).await,
            app.page("GET", &format!("/personal/{pid}"), &cookie, None)
                .await,
            app.page("GET", "/login", "", None).await,
            app.page("GET", &format!("/kalender/{feed}.ics"), "", None)
                .await,
            app.get("/api/v1/people", Some(&token)).await,
            app.get("/api/v1/people", None).await,
        ] {
            assert_eq!(r.headers["cache-control"], "no-store", "{:?}", r.headers);
            let csp = r.headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("base-uri 'none'"), "{csp}");
            assert!(csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'"));
            let pp = r.headers["permissions-policy"].to_str().unwrap();
            assert!(
                pp.contains("camera=()") && pp.contains("geolocation=()"),
                "{pp}"
            );
            // Served over plain HTTP here: no HSTS.
            assert!(r.headers.get("strict-transport-security").is_none());
        }
        // Public static files keep their caching.
        let css = app.page("GET", "/static/navet.css", "", None).await;
        assert_eq!(css.headers["cache-control"], "public, max-age=3600");
        // Logging out clears what the browser kept.
        let csrf = app.csrf_for(&cookie, "/").await;
        let r = app
            .page("POST", "/logout", &cookie, Some(&format!("_csrf={csrf}")))
            .await;
        assert_eq!(
            r.headers["clear-site-data"],
            "\"cache\", \"cookies\", \"storage\""
        );
        // Behind HTTPS every response tells browsers to stay on HTTPS.
        let app = TestApp::with_config(
            db,
            Config {
                public_url: "https://navet.example.se".into(),
                ..Config::default()
            },
        );
        for path in ["/login", "/static/navet.css", "/api/v1/people"] {
            let r = app.page("GET", path, "", None).await;
            assert_eq!(
                r.headers["strict-transport-security"], "max-age=31536000; includeSubDomains",
                "{path}"
            );
        }
    }
);

both_engines!(
    a_name_with_a_line_break_is_refused_by_form_and_api,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (_, token) = app
            .account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let cookie = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
        let csrf = app.csrf_for(&cookie, "/personal/ny").await;
        let evil = "Anna\r\nBcc: x@evil.se";
        let form = format!(
            "_csrf={csrf}&name={}&email=anna%40x.se&gender=kvinna&role=Undersk%C3%B6terska&municipality=Nora&unit=",
            urlencoding(evil)
        );
        let r = app.page("POST", "/personal/ny", &cookie, Some(&form)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-name\""), "{}", r.body);
        assert!(r.body.contains("radbrytningar"), "{}", r.body);
        let body = json!({"name": evil, "email": "anna@x.se", "gender": "kvinna", "role": "undersköterska", "municipality": "Örebro"});
        let r = app.post_json("/api/v1/people", Some(&token), &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["field"], "name");
        assert!(r.json()["error"].as_str().unwrap().contains("Namnet"));
        // A bidi override is refused too; zero-width characters are removed
        // and the name is stored composed (NFC).
        let body = json!({"name": "Anna \u{202E}greB", "email": "anna@x.se", "gender": "kvinna", "role": "undersköterska", "municipality": "Örebro"});
        let r = app.post_json("/api/v1/people", Some(&token), &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(people::list(&db, &Default::default())
            .await
            .unwrap()
            .is_empty());
        let body = json!({"name": "A\u{30A}sa\u{200B} Berg", "email": "asa@x.se", "gender": "kvinna", "role": "undersköterska", "municipality": "Örebro"});
        let r = app.post_json("/api/v1/people", Some(&token), &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let list = people::list(&db, &Default::default()).await.unwrap();
        assert_eq!(list[0].name, "Åsa Berg");
        // Course titles and venues are single lines as well.
        let r = app
            .post_json(
                "/api/v1/courses",
                Some(&token),
                &json!({"title": "HLR\nBcc: x@evil.se", "level": "bas", "format": "simulering", "hours": 3, "status": "aktiv"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["field"], "title");
        let course = navet_store::testing::fixtures::course(&db, "HLR").await;
        let r = app
            .post_json(
                "/api/v1/sessions",
                Some(&token),
                &json!({"course_id": course, "starts_at": "2099-03-14T09:00:00+01:00", "ends_at": "2099-03-14T12:00:00+01:00",
                        "municipality": "Örebro", "venue": "Aulan\r\nBcc: x@evil.se", "capacity": 10}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["field"], "venue");
        assert!(r.json()["error"].as_str().unwrap().contains("Platsen"));
    }
);
