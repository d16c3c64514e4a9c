//! The administrator's account list page: search, role filter and the next
//! page's link, on both engines.

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use domain::access::{Role, Scope};
use navet_store::accounts::{self, NewAccount};
use navet_store::audit::Who;
use navet_store::{both_engines, Db};

both_engines!(
    the_account_list_searches_and_pages_in_the_database,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (_, admin) = app.signed_in("admin@test.se", Role::Admin).await;
        app.account("asa.oberg@test.se", Role::Manager, None, Scope::default())
            .await;
        sqlx::query(
            "UPDATE accounts SET display_name = 'Åsa Öberg' WHERE email = 'asa.oberg@test.se'",
        )
        .execute(db.writer())
        .await
        .unwrap();
        // Without passwords (they would sign in through their municipality):
        // hashing 120 passwords would be most of the test's time.
        for i in 0..120 {
            accounts::create(
                &db,
                &Who::system("test"),
                &NewAccount {
                    email: format!("deltagare{i:03}@test.se"),
                    display_name: format!("Deltagare {i:03}"),
                    role: Role::Participant,
                    password_hash: None,
                    person_id: None,
                    scope: Scope::default(),
                },
            )
            .await
            .unwrap();
        }
        let found = app
            .page("GET", "/admin/konton?q=%C3%A5sa&roll=", &admin, None)
            .await;
        assert_eq!(found.status, StatusCode::OK);
        assert!(found.body.contains("Åsa Öberg"));
        assert!(!found.body.contains("deltagare000@test.se"));
        assert!(found.body.contains("1 konton"), "the count");

        let managers = app
            .page("GET", "/admin/konton?q=&roll=manager", &admin, None)
            .await;
        assert!(managers.body.contains("Åsa Öberg"));
        assert!(!managers.body.contains("deltagare001@test.se"));

        // 122 accounts: a first page of 100 and a link to the rest.
        let first = app.page("GET", "/admin/konton", &admin, None).await;
        assert!(first.body.contains("122 konton"), "the count is shown");
        let at = first
            .body
            .find("rel=\"next\"")
            .expect("a link to the next page");
        let start = first.body[..at].rfind("href=\"").unwrap() + 6;
        let href = first.body[start..]
            .split('"')
            .next()
            .unwrap()
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        assert!(href.contains("efter="), "{href}");
        let second = app.page("GET", &href, &admin, None).await;
        assert_eq!(second.status, StatusCode::OK);
        let rows = |body: &str| body.matches("<tr><th scope=\"row\">").count();
        assert_eq!(rows(&first.body) + rows(&second.body), 122);
        assert!(!second.body.contains("rel=\"next\""));
    }
);
