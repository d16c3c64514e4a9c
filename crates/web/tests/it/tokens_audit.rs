//! API tokens through the API and the pages, refusals, failed sign-ins and
//! reads of personal data in the audit log, on both engines.

use crate::common;
use domain::ids::{AccountId, PersonId};

use axum::http::StatusCode;
use common::TestApp;
use domain::access::{Role, Scope};
use domain::tokens::TokenDraft;
use navet_store::audit::{self, Entry, Who};
use navet_store::testing::fixtures;
use navet_store::{accounts, both_engines, Db};
use serde_json::json;

async fn log(db: &Db, action: &str) -> Vec<Entry> {
    audit::list(
        db,
        &audit::Filter {
            action: Some(action.into()),
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .0
    .rows
}

fn course() -> serde_json::Value {
    json!({"title": "HLR", "level": "bas", "format": "simulering", "hours": 3, "status": "aktiv"})
}

both_engines!(
    a_read_only_token_reads_but_cannot_write,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (id, _) = app
            .account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let (_, ro) = accounts::create_token_with(
            &db,
            &Who::system("test"),
            AccountId(id),
            &TokenDraft {
                name: "läsa".into(),
                expires_days: Some(90),
                read_only: true,
            },
        )
        .await
        .unwrap();
        assert_eq!(
            app.get("/api/v1/tokens", Some(&ro)).await.status,
            StatusCode::OK
        );
        let r = app.post_json("/api/v1/courses", Some(&ro), &course()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.json()["error"].as_str().unwrap().contains("bara läsa"));
        let own = accounts::list_tokens(&db, Some(AccountId(id)))
            .await
            .unwrap();
        let r = app
            .delete(&format!("/api/v1/tokens/{}", own[0].id), Some(&ro))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Nothing was made, and the refusals are in the log with the account.
        assert_eq!(app.get("/api/v1/courses", None).await.json(), json!([]));
        let refused = log(&db, "access.denied").await;
        assert_eq!(refused.len(), 2);
        assert!(refused.iter().all(|e| e.actor_account_id == Some(id)));
        assert!(refused.iter().any(|e| e.detail == "POST /api/v1/courses"));
    }
);

both_engines!(
    tokens_are_listed_and_revoked_over_the_api,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (a, ta) = app
            .account("a@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let (b, tb) = app
            .account("b@test.se", Role::Participant, None, Scope::default())
            .await;
        let (_, admin) = app
            .account("admin@test.se", Role::Admin, None, Scope::default())
            .await;
        let mine = app.get("/api/v1/tokens", Some(&ta)).await.json();
        let mine = mine.as_array().unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["account_id"], a);
        assert_eq!(mine[0]["state"], "active");
        assert!(mine[0]["expires_at"].is_string(), "90 days by default");
        assert!(mine[0].get("token").is_none() && mine[0].get("token_hash").is_none());
        let a_token = mine[0]["id"].as_i64().unwrap();
        let b_token = accounts::list_tokens(&db, Some(AccountId(b)))
            .await
            .unwrap()[0]
            .id;

        // Someone else's token: not found, and it keeps working.
        let r = app
            .delete(&format!("/api/v1/tokens/{b_token}"), Some(&ta))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.get("/api/v1/tokens", Some(&tb)).await.status,
            StatusCode::OK
        );
        // Own token: revoked, and refused at once.
        let r = app
            .delete(&format!("/api/v1/tokens/{a_token}"), Some(&ta))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(
            app.get("/api/v1/tokens", Some(&ta)).await.status,
            StatusCode::UNAUTHORIZED
        );
        // An administrator sees everyone's and revokes any.
        let all = app.get("/api/v1/tokens", Some(&admin)).await.json();
        assert_eq!(all.as_array().unwrap().len(), 3);
        let r = app
            .delete(&format!("/api/v1/tokens/{b_token}"), Some(&admin))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(
            app.get("/api/v1/tokens", Some(&tb)).await.status,
            StatusCode::UNAUTHORIZED
        );
        let doc = app.get("/api/v1/openapi.json", None).await.json();
        assert!(doc["paths"]["/api/v1/tokens"]["get"].is_object());
        assert!(doc["paths"]["/api/v1/tokens/{id}"]["delete"].is_object());
    }
);

both_engines!(
    the_token_page_shows_the_secret_once_and_revokes,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (id, cookie) = app.signed_in("p@test.se", Role::Participant).await;
        let r = app.page("GET", "/konto/api-nycklar", &cookie, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Mina API-nycklar"));
        let csrf = app.csrf_for(&cookie, "/konto/api-nycklar").await;
        // Bad input names the field and makes nothing.
        let r = app
            .page(
                "POST",
                "/konto/api-nycklar",
                &cookie,
                Some(&format!("_csrf={csrf}&name=&expires_days=0")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-name\"") && r.body.contains("id=\"err-expires_days\""));
        assert_eq!(
            accounts::list_tokens(&db, Some(AccountId(id)))
                .await
                .unwrap()
                .len(),
            1
        );
        let r = app
            .page(
                "POST",
                "/konto/api-nycklar",
                &cookie,
                Some(&format!(
                    "_csrf={csrf}&name=Kalender&expires_days=30&read_only=1"
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let i = r.body.find("navet_").expect("the new token is shown");
        let secret = r.body[i..i + 70].to_string();
        assert_eq!(
            app.get("/api/v1/tokens", Some(&secret)).await.status,
            StatusCode::OK
        );
        let t = accounts::list_tokens(&db, Some(AccountId(id)))
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.name == "Kalender")
            .unwrap();
        assert_eq!(t.read_only, 1);
        let days = (t.expires_at.unwrap() - t.created_at) / 86_400;
        assert_eq!(days, 30);
        // Shown once: the list page does not repeat it.
        let again = app.page("GET", "/konto/api-nycklar", &cookie, None).await;
        assert!(!again.body.contains(&secret));
        let r = app
            .page(
                "POST",
                &format!("/konto/api-nycklar/{}/aterkalla", t.id),
                &cookie,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.get("/api/v1/tokens", Some(&secret)).await.status,
            StatusCode::UNAUTHORIZED
        );
        // Someone else's: refused (and logged).
        let (other, _) = app
            .account("q@test.se", Role::Participant, None, Scope::default())
            .await;
        let theirs = accounts::list_tokens(&db, Some(AccountId(other)))
            .await
            .unwrap()[0]
            .id;
        let r = app
            .page(
                "POST",
                &format!("/konto/api-nycklar/{theirs}/aterkalla"),
                &cookie,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(accounts::get_token(&db, theirs).await.unwrap().revoked, 0);
        // The administrator's list shows everyone's.
        app.account("admin@test.se", Role::Admin, None, Scope::default())
            .await;
        let admin = app
            .login("admin@test.se", "rätt-lösenord-123")
            .await
            .unwrap();
        let r = app.page("GET", "/admin/api-nycklar", &admin, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Kalender") && r.body.contains("q@test.se"));
        assert_eq!(
            app.page("GET", "/admin/api-nycklar", &cookie, None)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
);

both_engines!(
    refused_pages_are_logged_with_the_account,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (id, cookie) = app.signed_in("p@test.se", Role::Participant).await;
        let r = app.page("GET", "/admin/konton?q=Anna", &cookie, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let refused = log(&db, "access.denied").await;
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].actor_account_id, Some(id));
        // The path, not the query string (which may carry a name).
        assert_eq!(refused[0].detail, "GET /admin/konton");
        // A form without its CSRF token is refused, and logged too.
        let r = app
            .page("POST", "/konto/api-nycklar", &cookie, Some("name=x"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(log(&db, "access.denied").await.len(), 2);
    }
);

both_engines!(
    failed_sign_ins_are_logged_without_the_address,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (id, _) = app
            .account("p@test.se", Role::Participant, None, Scope::default())
            .await;
        assert!(app.login("p@test.se", "fel-lösenord-123").await.is_none());
        assert!(app
            .login("okand@test.se", "fel-lösenord-123")
            .await
            .is_none());
        let failed = log(&db, "login.failed").await;
        assert_eq!(failed.len(), 2);
        let wrong = failed
            .iter()
            .find(|e| e.detail == "wrong_password")
            .unwrap();
        assert_eq!(wrong.subject_id, Some(id));
        let unknown = failed
            .iter()
            .find(|e| e.detail == "unknown_account")
            .unwrap();
        assert_eq!(unknown.subject_id, None);
        for e in &failed {
            assert!(!e.detail.contains('@') && !e.actor_label.contains('@'));
        }
    }
);

both_engines!(reads_of_personal_data_are_logged, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let (_, admin_token) = app
        .account("admin@test.se", Role::Admin, None, Scope::default())
        .await;
    let p = fixtures::person(&db, "Vera", "Örebro").await;
    let (acc, _) = app
        .account("vera@test.se", Role::Participant, Some(p), Scope::default())
        .await;
    let admin = app
        .login("admin@test.se", "rätt-lösenord-123")
        .await
        .unwrap();
    let before = audit::list(
        &db,
        &audit::Filter {
            limit: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .1;
    for path in [
        "/admin/konton".to_string(),
        format!("/admin/konton/{acc}"),
        "/bemanning".into(),
        "/admin/utskick".into(),
    ] {
        assert_eq!(
            app.page("GET", &path, &admin, None).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    assert_eq!(
        app.get("/api/v1/cover", Some(&admin_token)).await.status,
        StatusCode::OK
    );
    let (entries, after) = audit::list(
        &db,
        &audit::Filter {
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let entries = entries.rows;
    assert_eq!(after - before, 5, "{entries:#?}");
    let account_read = log(&db, "account.read").await;
    assert_eq!(account_read[0].subject_id, Some(acc));
    assert_eq!(account_read[0].person_id, Some(p));
    let lists: Vec<String> = log(&db, "person.list")
        .await
        .into_iter()
        .map(|e| e.subject_type)
        .collect();
    assert!(
        lists.iter().filter(|s| *s == "cover").count() == 2,
        "{lists:?}"
    );
    assert!(lists.contains(&"outbox".to_string()));
    assert_eq!(log(&db, "account.list").await.len(), 1);
    // Entries carry ids, not names or addresses.
    for e in &entries {
        assert!(
            !e.detail.contains('@') && !e.actor_label.contains('@'),
            "{e:?}"
        );
        assert!(!e.detail.contains("Vera"), "{e:?}");
    }
    // The log view resolves the ids to names for the administrator.
    let r = app.page("GET", "/admin/logg", &admin, None).await;
    assert!(r.body.contains("admin@test.se"));
    // And the chain holds.
    assert!(matches!(
        audit::verify(&db).await.unwrap(),
        audit::Verdict::Intact { .. }
    ));
});

/// The person's edit form as the page sends it, marked as employed or not.
fn person_form(csrf: &str, p: &navet_store::people::Person, employed: bool) -> String {
    let mut f = format!(
        "_csrf={csrf}&name={}&email={}&gender={}&employee_no=&role={}&municipality={}&unit={}&language_support=",
        common::urlencoding(&p.name),
        common::urlencoding(&p.email),
        common::urlencoding(&p.gender),
        p.role_id,
        p.municipality_id,
        p.unit_id.map(|u| u.to_string()).unwrap_or_default(),
    );
    if employed {
        f.push_str("&active=1");
    }
    f
}

both_engines!(
    someone_marked_as_left_cannot_sign_in_until_back,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        app.account("admin@test.se", Role::Admin, None, Scope::default())
            .await;
        let p = fixtures::person(&db, "Lena", "Örebro").await;
        let (acc, old_token) = app
            .account(
                "lena.konto@test.se",
                Role::Participant,
                Some(p),
                Scope::default(),
            )
            .await;
        let lena = app
            .login("lena.konto@test.se", "rätt-lösenord-123")
            .await
            .expect("signs in while employed");
        assert_eq!(
            app.page("GET", "/", &lena, None).await.status,
            StatusCode::OK
        );
        let admin = app
            .login("admin@test.se", "rätt-lösenord-123")
            .await
            .unwrap();
        let edit = format!("/personal/{p}/andra");
        let csrf = app.csrf_for(&admin, &edit).await;
        let person = navet_store::people::get(&db, PersonId(p)).await.unwrap();
        // Marked as left by hand.
        let r = app
            .page(
                "POST",
                &edit,
                &admin,
                Some(&person_form(&csrf, &person, false)),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            navet_store::people::get(&db, PersonId(p))
                .await
                .unwrap()
                .active,
            0
        );
        // The password no longer opens a session, with the same neutral
        // message as a wrong password, and the reason is logged.
        assert!(app
            .login("lena.konto@test.se", "rätt-lösenord-123")
            .await
            .is_none());
        let failed = log(&db, "login.failed").await;
        let left = failed
            .iter()
            .find(|e| e.detail == "person_left")
            .expect("a person_left entry");
        assert_eq!(left.subject_id, Some(acc));
        let anon = app.page("GET", "/login", "", None).await;
        let csrf_pair = anon
            .cookies()
            .into_iter()
            .find(|c| c.contains("navet_csrf"))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let form = format!(
            "_csrf={}&email=lena.konto%40test.se&password=r%C3%A4tt-l%C3%B6senord-123&next=/",
            csrf_pair.split('=').nth(1).unwrap()
        );
        let refused = app.page("POST", "/login", &csrf_pair, Some(&form)).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        let wrong = format!(
            "_csrf={}&email=lena.konto%40test.se&password=fel-l%C3%B6senord-123&next=/",
            csrf_pair.split('=').nth(1).unwrap()
        );
        let wrong = app.page("POST", "/login", &csrf_pair, Some(&wrong)).await;
        let message = |body: &str| {
            let i = body.find("id=\"login-error\">").expect("an error message");
            let rest = &body[i..];
            rest[..rest.find("</p>").unwrap()].to_string()
        };
        assert_eq!(message(&refused.body), message(&wrong.body));
        // The old session is refused, and so is any session or token made
        // for the account while the person is marked as left.
        let r = app.page("GET", "/konto/losenord", &lena, None).await;
        assert_ne!(r.status, StatusCode::OK);
        let (late, _) = accounts::create_session(&db, AccountId(acc)).await.unwrap();
        let late_cookie = format!("__Host-navet_session={late}");
        let r = app.page("GET", "/konto/losenord", &late_cookie, None).await;
        assert_ne!(r.status, StatusCode::OK, "a session of someone who left");
        let late_token = accounts::create_token(&db, &Who::system("test"), AccountId(acc), "sen")
            .await
            .unwrap();
        assert_eq!(
            app.get("/api/v1/tokens", Some(&late_token)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get("/api/v1/tokens", Some(&old_token)).await.status,
            StatusCode::UNAUTHORIZED
        );
        // Back again: the password works, the old token stays revoked.
        let csrf = app.csrf_for(&admin, &edit).await;
        let r = app
            .page(
                "POST",
                &edit,
                &admin,
                Some(&person_form(&csrf, &person, true)),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let back = app
            .login("lena.konto@test.se", "rätt-lösenord-123")
            .await
            .expect("signs in again once back");
        assert_eq!(
            app.page("GET", "/konto/losenord", &back, None).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.get("/api/v1/tokens", Some(&old_token)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
);

/// The `href` of the link with this text on a page, as the page wrote it.
fn link_to(body: &str, text: &str) -> Option<String> {
    let at = body.find(text)?;
    let start = body[..at].rfind("href=\"")? + "href=\"".len();
    let end = start + body[start..].find('"')?;
    Some(body[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

both_engines!(
    the_audit_log_is_paged_by_its_older_and_newer_links,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (_, admin) = app.signed_in("admin@test.se", Role::Admin).await;
        let who = Who::system("test");
        for i in 0..230 {
            audit::record_alone(&db, &who, "paged.entry", "test", Some(i), None, "")
                .await
                .unwrap();
        }
        let first = app
            .page("GET", "/admin/logg?action=paged.", &admin, None)
            .await;
        assert_eq!(first.status, StatusCode::OK);
        assert!(first.body.contains("test #229"), "newest first");
        assert!(link_to(&first.body, "Nyare").is_none());
        let older = link_to(&first.body, "Äldre").expect("a link to older entries");
        assert!(
            older.contains("action=paged.") && older.contains("fore="),
            "{older}"
        );
        let second = app.page("GET", &older, &admin, None).await;
        assert!(
            second.body.contains("test #129<") && !second.body.contains("test #130<"),
            "{older}: {}",
            second.body
        );
        let third = app
            .page(
                "GET",
                &link_to(&second.body, "Äldre").unwrap(),
                &admin,
                None,
            )
            .await;
        assert!(third.body.contains("test #0<"), "the oldest page");
        assert!(link_to(&third.body, "Äldre").is_none());
        let back = app
            .page("GET", &link_to(&third.body, "Nyare").unwrap(), &admin, None)
            .await;
        assert!(back.body.contains("test #129") && back.body.contains("test #30<"));
        let newest = link_to(&back.body, "Nyaste").unwrap();
        assert!(!newest.contains("fore=") && !newest.contains("efter="));
        // A page number from an old bookmark is ignored, not an error.
        let old = app
            .page("GET", "/admin/logg?page=7&fore=", &admin, None)
            .await;
        assert_eq!(old.status, StatusCode::OK);
    }
);
