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

async fn unit_id(db: &Db, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM units WHERE name = $1")
        .bind(name)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

both_engines!(
    with_the_nations_units_a_managers_units_are_picked_after_their_municipality,
    |db: Db| async move {
        use navet_web::usecase::people::UNITS_IN_ONE_PICKER;
        let app = TestApp::new(db.clone());
        let (_, admin) = app.signed_in("admin@test.se", Role::Admin).await;
        let (laxa, kumla) = common::nations_units(&db, UNITS_IN_ONE_PICKER + 1).await;

        // No check box for every unit of the nation: municipalities only.
        let page = app.page("GET", "/admin/konton", &admin, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("Enhet 000"),
            "no unit before a municipality"
        );
        assert!(page.body.contains(&format!("id=\"sm-{laxa}\"")));
        assert!(page.body.contains("Visa kommunens enheter"));

        // Without JavaScript: the button brings the form back with Laxå's
        // units and what was typed, and creates nothing.
        let accounts_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let csrf = app.csrf_for(&admin, "/admin/konton").await;
        let body = format!(
            "_csrf={csrf}&email=chef%40laxa.se&name=Chef+Lax%C3%A5&role=manager&password=&scope_municipality={laxa}&show_units=1"
        );
        let back = app.page("POST", "/admin/konton", &admin, Some(&body)).await;
        assert_eq!(back.status, StatusCode::OK, "{}", back.body);
        assert!(back.body.contains(">Enhet 000<"), "Laxå's units");
        assert!(!back.body.contains(">Enhet 001<"), "not Kumla's");
        assert!(
            back.body.contains("value=\"chef@laxa.se\""),
            "what was typed stays"
        );
        let accounts_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(accounts_after, accounts_before, "nothing was created");

        // A manager of one Laxå unit: the account page shows that unit
        // checked and no other unit until another municipality is asked for.
        let e000 = unit_id(&db, "Enhet 000").await;
        let body = format!(
            "_csrf={csrf}&email=chef%40laxa.se&name=Chef+Lax%C3%A5&role=manager&password=ett+l%C3%A5ngt+l%C3%B6senord+2026&units={e000}"
        );
        let r = app.page("POST", "/admin/konton", &admin, Some(&body)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'chef@laxa.se'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let path = format!("/admin/konton/{id}");
        let page = app.page("GET", &path, &admin, None).await;
        assert!(
            page.body.contains(&format!("value=\"{e000}\" checked")),
            "{}",
            page.body
        );
        assert!(!page.body.contains(">Enhet 002<"));
        let csrf = app.csrf_for(&admin, &path).await;
        let body = format!(
            "_csrf={csrf}&role=manager&units={e000}&scope_municipality={kumla}&show_units=1&active=1"
        );
        let back = app.page("POST", &path, &admin, Some(&body)).await;
        assert_eq!(back.status, StatusCode::OK);
        assert!(back.body.contains(&format!("value=\"{e000}\" checked")));
        assert!(back.body.contains(">Enhet 001<"), "Kumla's units");
        let scope = navet_store::accounts::scope(&db, domain::ids::AccountId(id))
            .await
            .unwrap();
        assert_eq!(scope.unit_ids, vec![e000], "the scope is unchanged");
    }
);
