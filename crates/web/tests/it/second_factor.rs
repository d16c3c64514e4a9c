//! The second factor after a password for admins and coordinators: set up
//! at the first sign-in, a code after that, a half-signed-in browser that
//! reaches no other page, codes that count once, the attempt limit,
//! recovery codes and an administrator's reset; on both engines.

use crate::common;

use axum::http::StatusCode;
use common::{now_step, PasswordStep, TestApp};
use domain::access::{Role, Scope};
use navet_store::{both_engines, Db};
use sqlx::Row;

const PW: &str = "rätt-lösenord-123";

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(db.pool()).await.unwrap().get(0)
}

async fn audit_details(db: &Db, action: &str) -> Vec<String> {
    sqlx::query("SELECT detail FROM audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// The password step of an account that must give a code: its cookies and
/// CSRF token.
async fn waiting(app: &TestApp, email: &str) -> (String, String) {
    match app.password_step(email, PW).await.expect("right password") {
        PasswordStep::SecondStep { cookies, csrf } => (cookies, csrf),
        PasswordStep::SignedIn(_) => panic!("{email} was signed in without a code"),
    }
}

async fn send_code(app: &TestApp, cookies: &str, csrf: &str, code: &str) -> common::Resp {
    app.page(
        "POST",
        "/login/tvastegs",
        cookies,
        Some(&format!("_csrf={csrf}&code={}", common::urlencoding(code))),
    )
    .await
}

both_engines!(
    a_coordinator_sets_up_the_app_at_first_sign_in_then_gives_codes,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (id, _) = app
            .account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let (cookies, csrf) = waiting(&app, "c@test.se").await;
        assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 0);
        let page = app.page("GET", "/login/tvastegs", &cookies, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Ställ in tvåstegsverifiering"));
        assert!(page.body.contains("<svg"), "a QR code");
        assert!(page.body.contains("id=\"totp-secret\""));
        // A wrong first code sets nothing up.
        let r = send_code(&app, &cookies, &csrf, "000000").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Koden stämmer inte"), "{}", r.body);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM second_factors").await, 0);
        assert!(common::session_cookie(&r).is_none());
        assert_eq!(audit_details(&db, "login.failed").await, ["wrong_code"]);
        // The harness reads the key as a person would and sets up its "app".
        let cookie = app.second_step("c@test.se", &cookies, &csrf).await.unwrap();
        assert_eq!(
            app.page("GET", "/personal", &cookie, None).await.status,
            StatusCode::OK
        );
        let phone = app.phone("c@test.se").unwrap();
        assert_eq!(phone.recovery.len(), 10);
        // Stored: the secret, and the recovery codes only as hashes.
        let stored: Vec<String> =
            sqlx::query("SELECT code_hash FROM recovery_codes WHERE account_id = $1")
                .bind(id)
                .fetch_all(db.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
        assert_eq!(stored.len(), 10);
        assert!(stored
            .iter()
            .all(|h| !phone.recovery.contains(h) && h.len() == 64));
        assert_eq!(audit_details(&db, "second_factor.enrol").await.len(), 1);
        assert_eq!(audit_details(&db, "login.password").await.len(), 1);
        // Next time: the code page, no new key.
        let (cookies, csrf) = waiting(&app, "c@test.se").await;
        let page = app.page("GET", "/login/tvastegs", &cookies, None).await;
        assert!(
            page.body.contains("Ange koden från din app"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("totp-secret"));
        let code = phone.code_at(now_step().max(phone.last_step + 1));
        let r = send_code(&app, &cookies, &csrf, &code).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.headers["location"], "/");
        assert!(common::session_cookie(&r).is_some());
        assert_eq!(audit_details(&db, "login.password").await.len(), 2);
    }
);

both_engines!(
    only_admins_and_coordinators_give_a_code,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        for (email, role) in [
            ("a@test.se", Role::Admin),
            ("c@test.se", Role::Coordinator),
            ("p@test.se", Role::Participant),
            ("m@test.se", Role::Manager),
            ("t@test.se", Role::Trainer),
        ] {
            app.account(email, role, None, Scope::default()).await;
            let step = app.password_step(email, PW).await.unwrap();
            let needs_code = matches!(step, PasswordStep::SecondStep { .. });
            assert_eq!(
                needs_code,
                matches!(role, Role::Admin | Role::Coordinator),
                "{email}"
            );
        }
        // A password sign-in without a code is in the audit log too.
        assert_eq!(audit_details(&db, "login.password").await, ["lösenord"; 3]);
    }
);

both_engines!(
    a_half_signed_in_browser_reaches_no_other_page,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (id, _) = app
            .account("a@test.se", Role::Admin, None, Scope::default())
            .await;
        let (cookies, csrf) = waiting(&app, "a@test.se").await;
        for path in [
            "/",
            "/personal",
            "/admin/konton",
            "/konto/losenord",
            "/kurser",
        ] {
            let r = app.page("GET", path, &cookies, None).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(r.headers["location"], "/login/tvastegs", "{path}");
        }
        let r = app
            .page(
                "POST",
                &format!("/admin/konton/{id}/tvastegs"),
                &cookies,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(r.headers["location"], "/login/tvastegs");
        // The step itself is shown to nobody signed in.
        let page = app.page("GET", "/login/tvastegs", &cookies, None).await;
        assert!(page.body.contains("data-logged-in=\"0\""));
        assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 0);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM second_factors").await, 0);
        // Cancelling ends it.
        let r = app
            .page(
                "POST",
                "/login/tvastegs/avbryt",
                &cookies,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(r.headers["location"], "/login");
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM second_factor_logins").await,
            0
        );
        let r = app.page("GET", "/login/tvastegs", &cookies, None).await;
        assert!(r.headers["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?tvastegs"));
    }
);

both_engines!(a_code_counts_only_once, |db: Db| async move {
    let app = TestApp::new(db.clone());
    app.account("c@test.se", Role::Coordinator, None, Scope::default())
        .await;
    app.login("c@test.se", PW).await.unwrap();
    let phone = app.phone("c@test.se").unwrap();
    // The code that set up the app, again.
    let (cookies, csrf) = waiting(&app, "c@test.se").await;
    let r = send_code(&app, &cookies, &csrf, &phone.code_at(phone.last_step)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("redan använts"), "{}", r.body);
    assert!(common::session_cookie(&r).is_none());
    assert_eq!(audit_details(&db, "login.failed").await, ["replayed_code"]);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 1);
    // The next step's code is fine, and then not again.
    let next = phone.code_at(phone.last_step + 1);
    assert_eq!(
        send_code(&app, &cookies, &csrf, &next).await.status,
        StatusCode::SEE_OTHER
    );
    let (cookies, csrf) = waiting(&app, "c@test.se").await;
    assert_eq!(
        send_code(&app, &cookies, &csrf, &next).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 2);
});

both_engines!(
    wrong_codes_are_limited_like_passwords,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        app.login("c@test.se", PW).await.unwrap();
        let phone = app.phone("c@test.se").unwrap();
        let (first, csrf1) = waiting(&app, "c@test.se").await;
        let right = phone.code_at(now_step().max(phone.last_step + 1));
        let wrong = if right == "111111" {
            "222222"
        } else {
            "111111"
        };
        let free = domain::login_limits::PER_ACCOUNT.free;
        for _ in 1..free {
            assert_eq!(
                send_code(&app, &first, &csrf1, wrong).await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        // A right password again does not clear the count of codes.
        let (second, csrf2) = waiting(&app, "c@test.se").await;
        assert_eq!(
            send_code(&app, &second, &csrf2, wrong).await.status,
            StatusCode::UNAUTHORIZED
        );
        // Now even the right code waits, in either sign-in.
        for (cookies, csrf) in [(&second, &csrf2), (&first, &csrf1)] {
            let r = send_code(&app, cookies, csrf, &right).await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
            assert!(r.headers.contains_key("retry-after"));
            assert!(r.body.contains("Vänta"), "{}", r.body);
            assert!(common::session_cookie(&r).is_none());
        }
        let failed = audit_details(&db, "login.failed").await;
        assert_eq!(
            failed.iter().filter(|d| *d == "wrong_code").count() as i64,
            free
        );
        assert_eq!(
            failed.iter().filter(|d| *d == "rate_limited_code").count(),
            2
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 1);
    }
);

both_engines!(a_recovery_code_works_once, |db: Db| async move {
    let app = TestApp::new(db.clone());
    app.account("c@test.se", Role::Coordinator, None, Scope::default())
        .await;
    app.login("c@test.se", PW).await.unwrap();
    let code = app.phone("c@test.se").unwrap().recovery[3].clone();
    let (cookies, csrf) = waiting(&app, "c@test.se").await;
    // Typed in capitals without dashes: still the code.
    let typed = code.replace('-', "").to_uppercase();
    let r = send_code(&app, &cookies, &csrf, &typed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("9 oanvända reservkoder"), "{}", r.body);
    let cookie = common::session_cookie(&r).unwrap();
    assert_eq!(
        app.page("GET", "/personal", &cookie, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        audit_details(&db, "login.password").await.last().unwrap(),
        "lösenord och reservkod, 9 kvar"
    );
    let (cookies, csrf) = waiting(&app, "c@test.se").await;
    let r = send_code(&app, &cookies, &csrf, &code).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        audit_details(&db, "login.failed").await,
        ["wrong_recovery_code"]
    );
});

both_engines!(
    an_admin_resets_another_accounts_second_factor,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (cid, _) = app
            .account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        app.account("a@test.se", Role::Admin, None, Scope::default())
            .await;
        let coord = app.login("c@test.se", PW).await.unwrap();
        let admin = app.login("a@test.se", PW).await.unwrap();
        let page = app
            .page("GET", &format!("/admin/konton/{cid}"), &admin, None)
            .await;
        assert!(
            page.body.contains("10 oanvända reservkoder"),
            "{}",
            page.body
        );
        // A coordinator may not reset anyone's.
        let csrf = app.csrf_for(&coord, "/").await;
        let r = app
            .page(
                "POST",
                &format!("/admin/konton/{cid}/tvastegs"),
                &coord,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM second_factors").await, 2);
        let csrf = app.csrf_for(&admin, "/").await;
        let r = app
            .page(
                "POST",
                &format!("/admin/konton/{cid}/tvastegs"),
                &admin,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = app
            .page("GET", &format!("/admin/konton/{cid}"), &admin, None)
            .await;
        assert!(page.body.contains("återställd"), "{}", page.body);
        assert!(page.body.contains("Inte inställd"), "{}", page.body);
        assert_eq!(audit_details(&db, "second_factor.reset").await.len(), 1);
        // The coordinator is logged out and sets up the app again.
        assert_eq!(
            app.page("GET", "/personal", &coord, None).await.status,
            StatusCode::SEE_OTHER
        );
        app.forget_phone("c@test.se");
        let (cookies, _) = waiting(&app, "c@test.se").await;
        let page = app.page("GET", "/login/tvastegs", &cookies, None).await;
        assert!(page.body.contains("totp-secret"));
    }
);

both_engines!(a_waiting_sign_in_runs_out, |db: Db| async move {
    let app = TestApp::new(db.clone());
    app.account("c@test.se", Role::Coordinator, None, Scope::default())
        .await;
    let (cookies, csrf) = waiting(&app, "c@test.se").await;
    sqlx::query("UPDATE second_factor_logins SET created_at = created_at - $1")
        .bind(navet_store::second_factor::PENDING_MAX_SECS + 1)
        .execute(db.writer())
        .await
        .unwrap();
    let r = send_code(&app, &cookies, &csrf, "123456").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/login?tvastegs=slut");
    let login = app.page("GET", "/login?tvastegs=slut", "", None).await;
    assert!(login.body.contains("tog för lång tid"), "{}", login.body);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM second_factors").await, 0);
});
