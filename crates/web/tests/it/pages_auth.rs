//! Login, sessions, CSRF and authorisation on the pages, on both engines.

use crate::common;
use domain::ids::{MunicipalityId, PersonId};

use axum::http::StatusCode;
use common::{urlencoding, TestApp};
use domain::access::{Role, Scope};
use navet_store::people::{self, PersonInput};
use navet_store::{audit, both_engines, org, Db};

both_engines!(
    login_sets_a_secure_host_cookie_and_logout_ends_it,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        assert!(app.login("c@test.se", "fel").await.is_none());
        assert!(app
            .login("okand@test.se", "rätt-lösenord-123")
            .await
            .is_none());
        let cookie = app
            .login("c@test.se", "rätt-lösenord-123")
            .await
            .expect("login");
        assert!(cookie.starts_with("__Host-navet_session="));
        let r = app.page("GET", "/personal", &cookie, None).await;
        assert_eq!(r.status, StatusCode::OK);
        // The raw Set-Cookie carries the flags.
        let anon = app.page("GET", "/login", "", None).await;
        let set = anon.cookies().join("\n");
        assert!(
            set.contains("HttpOnly") && set.contains("Secure") && set.contains("SameSite=Lax"),
            "{set}"
        );

        let csrf = app.csrf_for(&cookie, "/").await;
        let r = app
            .page("POST", "/logout", &cookie, Some(&format!("_csrf={csrf}")))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // The old cookie no longer works.
        let r = app.page("GET", "/personal", &cookie, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.headers["location"]
            .to_str()
            .unwrap()
            .starts_with("/login"));
    }
);

both_engines!(
    forged_session_cookie_is_treated_as_logged_out,
    |db: Db| async move {
        let app = TestApp::new(db);
        let r = app
            .page("GET", "/personal", "__Host-navet_session=deadbeef", None)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.headers["location"]
            .to_str()
            .unwrap()
            .starts_with("/login"));
    }
);

both_engines!(
    a_form_without_csrf_token_changes_nothing,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let cookie = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
        let m = org::municipality_by_name(&db, "Nora")
            .await
            .unwrap()
            .unwrap();
        let form = format!(
            "municipality={}&name=Ny+enhet&activity_area=aldreomsorg",
            m.id
        );
        let r = app
            .page("POST", "/organisation/enhet", &cookie, Some(&form))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("CSRF"));
        let r = app
            .page(
                "POST",
                "/organisation/enhet",
                &cookie,
                Some(&format!("_csrf={}&{form}", "0".repeat(64))),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(
            org::units(&db, Some(MunicipalityId(m.id)))
                .await
                .unwrap()
                .is_empty(),
            "nothing was created"
        );
        // With the token it works.
        let csrf = app.csrf_for(&cookie, "/organisation").await;
        let r = app
            .page(
                "POST",
                "/organisation/enhet",
                &cookie,
                Some(&format!("_csrf={csrf}&{form}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            org::units(&db, Some(MunicipalityId(m.id)))
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

both_engines!(login_is_rate_limited_per_account, |db: Db| async move {
    let app = TestApp::new(db);
    app.account("c@test.se", Role::Coordinator, None, Scope::default())
        .await;
    for _ in 0..navet_web::pages::auth::MAX_FAILURES_PER_ACCOUNT {
        assert!(app.login("c@test.se", "fel").await.is_none());
    }
    // Even the right password is refused while locked.
    assert!(app.login("c@test.se", "rätt-lösenord-123").await.is_none());
    let anon = app.page("GET", "/login", "", None).await;
    let pair = anon
        .cookies()
        .into_iter()
        .find(|c| c.contains("navet_csrf"))
        .unwrap();
    let pair = pair.split(';').next().unwrap().to_string();
    let token = pair.split('=').nth(1).unwrap();
    let r = app
        .page(
            "POST",
            "/login",
            &pair,
            Some(&format!(
                "_csrf={token}&email={}&password=x",
                urlencoding("c@test.se")
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("För många"));
});

both_engines!(
    manager_cannot_open_a_person_outside_their_units_and_reads_are_audited,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let m = org::municipality_by_name(&db, "Kumla")
            .await
            .unwrap()
            .unwrap();
        let mine = org::create_unit(
            &db,
            MunicipalityId(m.id),
            "Säbo Ekbacken",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        let other = org::create_unit(
            &db,
            MunicipalityId(m.id),
            "Säbo Björken",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        let mk = |email: &str, unit: i64| PersonInput {
            name: "Bo Ek".into(),
            email: email.into(),
            gender: "man".into(),
            role: "Undersköterska".into(),
            municipality: "Kumla".into(),
            unit: unit.to_string(),
            ..Default::default()
        };
        let who = audit::Who::system("test");
        let inside = people::create(
            &db,
            &who,
            &people::resolve(&db, &mk("in@x.se", mine)).await.unwrap(),
            false,
        )
        .await
        .unwrap();
        let outside = people::create(
            &db,
            &who,
            &people::resolve(&db, &mk("out@x.se", other)).await.unwrap(),
            false,
        )
        .await
        .unwrap();
        app.account(
            "chef@test.se",
            Role::Manager,
            None,
            Scope {
                unit_ids: vec![mine],
                municipality_ids: vec![],
            },
        )
        .await;
        let cookie = app
            .login("chef@test.se", "rätt-lösenord-123")
            .await
            .unwrap();

        assert_eq!(
            app.page("GET", &format!("/personal/{inside}"), &cookie, None)
                .await
                .status,
            StatusCode::OK
        );
        let r = app
            .page("GET", &format!("/personal/{outside}"), &cookie, None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("inte till någon av dina enheter"));
        // Editing outside is refused too, and changes nothing.
        let csrf = app.csrf_for(&cookie, "/personal/ny").await;
        let form = format!("_csrf={csrf}&name=Hackad&email=out%40x.se&gender=man&role=Undersk%C3%B6terska&municipality=Kumla&unit={other}&active=1");
        let r = app
            .page(
                "POST",
                &format!("/personal/{outside}/andra"),
                &cookie,
                Some(&form),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            people::get(&db, PersonId(outside)).await.unwrap().name,
            "Bo Ek"
        );
        // Audit: the allowed read is logged with the person, the refused one is not.
        let (log, _) = audit::list(
            &db,
            &audit::Filter {
                action: Some("person.read".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let log = log.rows;
        assert_eq!(
            log.iter().map(|e| e.person_id).collect::<Vec<_>>(),
            vec![Some(inside)]
        );
        // The entry stores the account id, not a name or an e-mail; the
        // view resolves it.
        assert!(!log[0].actor_label.contains('@'));
        assert!(log[0].actor_account_id.is_some());
        assert_eq!(log[0].actor_name.as_deref(), Some("chef@test.se"));
    }
);

both_engines!(
    person_form_keeps_input_and_names_the_field,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let cookie = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
        let csrf = app.csrf_for(&cookie, "/personal/ny").await;
        let form = format!("_csrf={csrf}&name=%C3%85sa+%C3%96berg&email=fel&gender=kvinna&role=Undersk%C3%B6terska&municipality=Nora&unit=");
        let r = app.page("POST", "/personal/ny", &cookie, Some(&form)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-email\""));
        assert!(r.body.contains("value=\"Åsa Öberg\""), "typed name kept");
        assert!(people::list(&db, &Default::default())
            .await
            .unwrap()
            .is_empty());
    }
);

both_engines!(
    staff_import_previews_then_applies_all_or_nothing,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let m = org::municipality_by_name(&db, "Laxå")
            .await
            .unwrap()
            .unwrap();
        org::create_unit(
            &db,
            MunicipalityId(m.id),
            "Hemtjänsten",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let cookie = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
        let csrf = app.csrf_for(&cookie, "/personal/import").await;
        let multipart = |csv: &str, confirm: bool| {
            let mut b = format!(
            "--X\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--X\r\nContent-Disposition: form-data; name=\"municipality\"\r\n\r\n{}\r\n--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hr.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n",
            m.id
        );
            if confirm {
                b.push_str("--X\r\nContent-Disposition: form-data; name=\"confirm\"\r\n\r\n1\r\n");
            }
            b.push_str("--X--\r\n");
            b
        };
        let send = |body: String| {
            let cookie = cookie.clone();
            let app = &app;
            async move {
                let req = axum::http::Request::post("/personal/import")
                    .header("host", "localhost")
                    .header("cookie", cookie)
                    .header("content-type", "multipart/form-data; boundary=X")
                    .body(axum::body::Body::from(body))
                    .unwrap();
                app.send(req).await
            }
        };
        let bad = "\u{feff}Anställningsnummer;Namn;E-post;Yrkesroll;Enhet;Kön\n1;Anna;anna@x.se;Undersköterska;Hemtjänsten;kvinna\n2;Bo;bo@;Pilot;Hemtjänsten;man\n";
        let r = send(multipart(bad, true)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("<td>3</td><td>e-post</td>"), "{}", r.body);
        assert!(r.body.contains("<td>3</td><td>yrkesroll</td>"));
        assert!(
            people::list(&db, &Default::default())
                .await
                .unwrap()
                .is_empty(),
            "nothing imported"
        );

        let good = "Anställningsnummer;Namn;E-post;Yrkesroll;Enhet;Kön\n1;Anna;anna@x.se;Undersköterska;Hemtjänsten;kvinna\n2;Bo;bo@x.se;Vårdbiträde;Hemtjänsten;man\n";
        let r = send(multipart(good, false)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Förhandsgranskning"));
        assert!(
            people::list(&db, &Default::default())
                .await
                .unwrap()
                .is_empty(),
            "preview changes nothing"
        );
        let r = send(multipart(good, true)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            people::list(&db, &Default::default()).await.unwrap().len(),
            2
        );
    }
);
