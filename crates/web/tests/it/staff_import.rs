//! The staff-import page cannot wipe a unit: marking many people as left
//! must be confirmed by typing their number (checked by the server), a
//! changed mode is previewed again before anything happens, a manager
//! imports only for their own units, and the import is undone from its
//! history page. Both engines.

use crate::common;
use domain::ids::{MunicipalityId, PersonId};

use axum::http::StatusCode;
use common::{Resp, TestApp};
use domain::access::{Role, Scope};
use navet_store::people::{self, PersonInput};
use navet_store::{both_engines, org, Db};

struct Form<'a> {
    app: &'a TestApp,
    cookie: String,
    csrf: String,
}

impl Form<'_> {
    async fn new<'a>(app: &'a TestApp, email: &str) -> Form<'a> {
        let cookie = app.login(email, "rätt-lösenord-123").await.unwrap();
        let csrf = app.csrf_for(&cookie, "/personal/import").await;
        Form { app, cookie, csrf }
    }

    async fn post(&self, fields: &[(&str, String)], file: Option<&str>) -> Resp {
        let mut b = format!(
            "--X\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n",
            self.csrf
        );
        for (k, v) in fields {
            b.push_str(&format!(
                "--X\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            ));
        }
        if let Some(csv) = file {
            b.push_str(&format!("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hr.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n"));
        }
        b.push_str("--X--\r\n");
        let req = axum::http::Request::post("/personal/import")
            .header("host", "localhost")
            .header("cookie", &self.cookie)
            .header("content-type", "multipart/form-data; boundary=X")
            .body(axum::body::Body::from(b))
            .unwrap();
        self.app.send(req).await
    }
}

/// The value of a hidden field in a page.
fn hidden(body: &str, name: &str) -> String {
    body.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// Laxå with two units, five people in the first and two in the second.
async fn laxa(db: &Db) -> (i64, i64, i64) {
    let m = org::municipality_by_name(db, "Laxå")
        .await
        .unwrap()
        .unwrap();
    let a = org::create_unit(
        db,
        MunicipalityId(m.id),
        "Hemtjänsten",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    let b = org::create_unit(db, MunicipalityId(m.id), "Linden", "aldreomsorg", false)
        .await
        .unwrap();
    for i in 1..=7 {
        let p = people::resolve(
            db,
            &PersonInput {
                name: format!("Person {i}"),
                email: format!("p{i}@laxa.se"),
                gender: "kvinna".into(),
                employee_no: i.to_string(),
                role: "Undersköterska".into(),
                municipality: "Laxå".into(),
                unit: if i <= 5 { "Hemtjänsten" } else { "Linden" }.into(),
                language_support: String::new(),
            },
        )
        .await
        .unwrap();
        people::create(db, &navet_store::audit::Who::system("t"), &p, false)
            .await
            .unwrap();
    }
    (m.id, a, b)
}

async fn active(db: &Db, municipality: i64) -> usize {
    people::list(
        db,
        &people::Filter {
            municipality_id: Some(municipality),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .len()
}

const ONE_LINE: &str =
    "Anställningsnummer;Namn;E-post;Yrkesroll;Enhet;Kön\n1;Person 1;p1@laxa.se;Vårdbiträde;Hemtjänsten;kvinna\n";

both_engines!(
    marking_many_as_left_must_be_confirmed_by_typing_the_number,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (m, a, _) = laxa(&db).await;
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let f = Form::new(&app, "c@test.se").await;
        let r = f
            .post(
                &[
                    ("municipality", m.to_string()),
                    ("mode", "mark_left".into()),
                ],
                Some(ONE_LINE),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Markeras som slutat (4)"), "{}", r.body);
        assert!(r
            .body
            .contains("ny yrkesroll: Undersköterska → Vårdbiträde"));
        assert!(r.body.contains("id=\"confirm_count\""));
        assert!(!r.body.contains("Person 6"), "the other unit is not listed");
        let upload = hidden(&r.body, "upload");
        let seen = hidden(&r.body, "seen");
        assert_eq!(seen, format!("mark_left:{a}"));
        let confirm = |count: &str| {
            vec![
                ("municipality", m.to_string()),
                ("upload", upload.clone()),
                ("seen", seen.clone()),
                ("scope_shown", "1".to_string()),
                ("scope_unit", a.to_string()),
                ("mode", "mark_left".to_string()),
                ("confirm_count", count.to_string()),
                ("confirm", "1".to_string()),
            ]
        };
        for wrong in ["", "3", "fyra"] {
            let r = f.post(&confirm(wrong), None).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
            assert!(
                r.body
                    .contains("Skriv antalet personer som markeras som slutat (4)"),
                "{}",
                r.body
            );
            assert_eq!(active(&db, m).await, 7, "nothing changed");
        }
        // Switched to marking absentees after an add-only preview: shown again.
        let mut switched = confirm("4");
        switched[2].1 = format!("add_update:{a}");
        let r = f.post(&switched, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Du ändrade urvalet"), "{}", r.body);
        assert_eq!(active(&db, m).await, 7);

        let r = f.post(&confirm(" 4 "), None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let location = r.headers["location"].to_str().unwrap().to_string();
        assert!(location.starts_with("/personal/importer/"), "{location}");
        assert_eq!(active(&db, m).await, 3, "four of Hemtjänsten marked");

        // Undone from the history page.
        let page = app.page("GET", &location, &f.cookie, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page
            .body
            .contains("Importen är klar: 0 tillagda, 1 ändrade, 4 markerade som slutat"));
        assert!(page.body.contains("tas inte tillbaka"));
        let r = app
            .page(
                "POST",
                &format!("{location}/angra"),
                &f.cookie,
                Some(&format!("_csrf={}", f.csrf)),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(active(&db, m).await, 7);
        let p1 = people::by_email(&db, "p1@laxa.se").await.unwrap().unwrap();
        assert_eq!(p1.role_name, "Undersköterska");
        let page = app.page("GET", &location, &f.cookie, None).await;
        assert!(page.body.contains("Importen är ångrad"), "{}", page.body);
        assert!(!page.body.contains("/angra\""), "no second undo offered");
    }
);

both_engines!(
    a_manager_imports_only_for_their_own_units,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (m, a, b) = laxa(&db).await;
        let me = people::by_email(&db, "p5@laxa.se").await.unwrap().unwrap();
        app.account(
            "chef@test.se",
            Role::Manager,
            Some(me.id),
            Scope {
                unit_ids: vec![a],
                municipality_ids: vec![],
            },
        )
        .await;
        app.account(
            "annan@test.se",
            Role::Manager,
            None,
            Scope {
                unit_ids: vec![b],
                municipality_ids: vec![],
            },
        )
        .await;
        let f = Form::new(&app, "chef@test.se").await;
        // A row for a unit that is not hers.
        let other = format!("{ONE_LINE}9;Ny;ny@laxa.se;Undersköterska;Linden;man\n");
        let r = f
            .post(&[("municipality", m.to_string())], Some(&other))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("<td>3</td><td>enhet</td><td>Enheten hör inte till dina enheter.</td>"),
            "{}",
            r.body
        );
        // Her own unit, marking absentees, in one go: she is never marked.
        let r = f
            .post(
                &[
                    ("municipality", m.to_string()),
                    ("mode", "mark_left".into()),
                ],
                Some(ONE_LINE),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Markeras som slutat (3)"), "{}", r.body);
        assert!(r
            .body
            .contains("din egen import markerar aldrig dig som slutat"));
        // The other unit is not offered for marking.
        assert!(r.body.contains(&format!("id=\"su-{a}\"")));
        assert!(!r.body.contains(&format!("id=\"su-{b}\"")), "{}", r.body);
        let fields = [
            ("municipality", m.to_string()),
            ("upload", hidden(&r.body, "upload")),
            ("seen", hidden(&r.body, "seen")),
            ("scope_shown", "1".into()),
            ("scope_unit", a.to_string()),
            // A unit outside her scope sent anyway is ignored.
            ("scope_unit", b.to_string()),
            ("mode", "mark_left".into()),
            ("confirm_count", "3".into()),
            ("confirm", "1".into()),
        ];
        let r = f.post(&fields, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let location = r.headers["location"].to_str().unwrap().to_string();
        assert_eq!(
            active(&db, m).await,
            4,
            "3 of Hemtjänsten; Linden untouched"
        );
        assert_eq!(
            people::get(&db, PersonId(me.id)).await.unwrap().active,
            1,
            "the importer stays"
        );
        // Another manager neither sees nor undoes it.
        let other = app
            .login("annan@test.se", "rätt-lösenord-123")
            .await
            .unwrap();
        let r = app.page("GET", &location, &other, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.page("GET", "/personal/importer", &other, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains(&location));
    }
);
