//! The staff list and `GET /api/v1/people` at scale: Swedish order and
//! search in the database, one page at a time (keyset), a capped SQL count;
//! on both engines.

use crate::common;

use axum::http::StatusCode;
use common::{urlencoding, TestApp};
use domain::access::Role;
use navet_store::testing::fixtures;
use navet_store::{both_engines, Db};

/// `n` people named "Person NNN" in Örebro, one by one.
async fn many(db: &Db, n: usize) {
    for i in 0..n {
        fixtures::person(db, &format!("Person {i:03}"), "Örebro").await;
    }
}

both_engines!(
    the_staff_list_pages_in_swedish_order_and_finds_asa_in_any_case,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (_, cookie) = app.signed_in("c@test.se", Role::Coordinator).await;
        many(&db, 203).await;
        fixtures::person(&db, "Åsa Öberg", "Kumla").await;
        fixtures::person(&db, "Anna Ek", "Kumla").await;

        let first = app.page("GET", "/personal", &cookie, None).await;
        assert_eq!(first.status, StatusCode::OK);
        assert!(first.body.contains("205 personer"), "a count of all");
        assert!(first.body.contains("Anna Ek"));
        assert!(
            !first.body.contains("Åsa Öberg"),
            "å after z: not on page one"
        );
        let next = first
            .body
            .split("href=\"/personal?efter=")
            .nth(1)
            .expect("a link to the next page");
        let after: String = next.chars().take_while(char::is_ascii_digit).collect();
        let second = app
            .page("GET", &format!("/personal?efter={after}"), &cookie, None)
            .await;
        assert_eq!(second.status, StatusCode::OK);
        assert!(
            second.body.contains("Åsa Öberg"),
            "the last one on page two"
        );
        assert!(second.body.contains("Person 202"));
        assert!(!second.body.contains("Person 198<"), "no repeats");
        assert!(!second.body.contains("rel=\"next\""), "no page three");
        assert!(second.body.contains("Första sidan"));

        for q in ["åsa", "ÅSA", "Åsa"] {
            let r = app
                .page(
                    "GET",
                    &format!("/personal?q={}", urlencoding(q)),
                    &cookie,
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(r.body.contains("Åsa Öberg"), "search {q}");
            assert!(r.body.contains("1 personer"), "search {q}");
            assert!(!r.body.contains("Anna Ek"));
        }
        // The search form as a browser sends it ("Alla" is an empty value).
        let r = app
            .page("GET", "/personal?q=%C3%85SA&kommun=&enhet=", &cookie, None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Åsa Öberg"));
    }
);

both_engines!(
    the_people_api_pages_with_a_link_header_and_finds_former_staff,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let coord = app.coordinator().await;
        many(&db, 5).await;
        let asa = fixtures::person(&db, "Åsa Öberg", "Kumla").await;

        // Search ignores the case of å, ä and ö.
        for q in ["åsa", "ÅSA", "Åsa"] {
            let r = app
                .get(
                    &format!("/api/v1/people?q={}", urlencoding(q)),
                    coord.auth(),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let names: Vec<String> = r
                .json()
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(names, ["Åsa Öberg"], "{q}");
        }

        // Pages of two, following the Link header to the end.
        let mut url = "/api/v1/people?limit=2".to_string();
        let mut names = vec![];
        loop {
            let r = app.get(&url, coord.auth()).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let page = r.json();
            assert!(page.as_array().unwrap().len() <= 2);
            names.extend(
                page.as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["name"].as_str().unwrap().to_string()),
            );
            match r.headers.get("link") {
                Some(l) => {
                    let l = l.to_str().unwrap();
                    url = l[l.find('<').unwrap() + 1..l.find('>').unwrap()].to_string();
                    assert!(l.ends_with("rel=\"next\""), "{l}");
                }
                None => break,
            }
        }
        assert_eq!(names.len(), 6);
        assert_eq!(names.last().map(String::as_str), Some("Åsa Öberg"));

        // Someone who has left: only with include_left=true.
        sqlx::query("UPDATE people SET active = 0 WHERE id = $1")
            .bind(asa)
            .execute(db.writer())
            .await
            .unwrap();
        let r = app.get("/api/v1/people?q=%C3%B6berg", coord.auth()).await;
        assert_eq!(r.json().as_array().unwrap().len(), 0);
        let r = app
            .get(
                "/api/v1/people?q=%C3%96BERG&include_left=true",
                coord.auth(),
            )
            .await;
        assert_eq!(r.json().as_array().unwrap().len(), 1, "{}", r.body);

        // A limit out of range: 400 naming the field.
        for bad in ["0", "1001"] {
            let r = app
                .get(&format!("/api/v1/people?limit={bad}"), coord.auth())
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST);
            assert_eq!(r.json()["field"], "limit");
        }
    }
);

both_engines!(
    with_the_nations_units_a_unit_is_picked_after_its_municipality,
    |db: Db| async move {
        use navet_web::usecase::people::UNITS_IN_ONE_PICKER;
        let app = TestApp::new(db.clone());
        let (_, cookie) = app.signed_in("c@test.se", Role::Coordinator).await;
        let (laxa, kumla) = common::nations_units(&db, UNITS_IN_ONE_PICKER + 1).await;

        // No select of every unit in the nation: the municipality first.
        let form = app.page("GET", "/personal/ny", &cookie, None).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            !form.body.contains("Enhet 000"),
            "no unit before a municipality"
        );
        assert!(form.body.contains("Visa kommunens enheter"));
        let form = app
            .page("GET", &format!("/personal/ny?kommun={laxa}"), &cookie, None)
            .await;
        assert!(form.body.contains("Laxå – Enhet 000"));
        assert!(!form.body.contains("Enhet 001"), "not Kumla's units");

        // Without JavaScript: the button brings the form back with the
        // chosen municipality's units and what was typed, and saves nothing.
        let csrf = app.csrf_for(&cookie, "/personal/ny").await;
        let body = format!(
            "_csrf={csrf}&name=%C3%85sa+%C3%96berg&email=asa%40x.se&municipality={kumla}&show_units=1"
        );
        let back = app.page("POST", "/personal/ny", &cookie, Some(&body)).await;
        assert_eq!(back.status, StatusCode::OK);
        assert!(back.body.contains("Kumla – Enhet 001"));
        assert!(!back.body.contains("Laxå – Enhet 000"));
        assert!(
            back.body.contains("value=\"Åsa Öberg\""),
            "what was typed stays"
        );
        let r = app.page("GET", "/personal?q=%C3%85sa", &cookie, None).await;
        assert!(!r.body.contains("Åsa Öberg"), "nobody was saved");

        // The list's unit filter follows the municipality filter.
        let list = app.page("GET", "/personal", &cookie, None).await;
        assert!(!list.body.contains("Enhet 000"));
        let list = app
            .page("GET", &format!("/personal?kommun={kumla}"), &cookie, None)
            .await;
        assert!(list.body.contains("Kumla – Enhet 001"));
        assert!(!list.body.contains("Laxå – Enhet 000"));
    }
);

/// `n` active trainers named "Ledare NNN" in Örebro; those with an even
/// number teach `course`.
async fn trainer_pool(db: &Db, n: i64, course: i64) {
    use domain::ids::{MunicipalityId, PersonId};
    use navet_store::audit::Who;
    use navet_store::trainers;
    let who = Who::system("test");
    let orebro = navet_store::org::municipality_by_name(db, "Örebro")
        .await
        .unwrap()
        .unwrap()
        .id;
    for i in 0..n {
        let p = fixtures::person(db, &format!("Ledare {i:03}"), "Örebro").await;
        trainers::upsert(db, &who, PersonId(p), MunicipalityId(orebro), true)
            .await
            .unwrap();
        if i % 2 == 0 {
            trainers::set_courses(db, &who, PersonId(p), &[course])
                .await
                .unwrap();
        }
    }
}

both_engines!(
    with_a_national_trainer_pool_a_session_lists_only_its_courses_trainers,
    |db: Db| async move {
        use navet_web::usecase::sessions::TRAINERS_IN_ONE_LIST;
        let app = TestApp::new(db.clone());
        let (_, cookie) = app.signed_in("c@test.se", Role::Coordinator).await;
        let course = fixtures::course(&db, "Sårvård").await;
        trainer_pool(&db, TRAINERS_IN_ONE_LIST + 1, course).await;

        // No check box for every trainer before the course is chosen.
        let form = app.page("GET", "/tillfallen/ny", &cookie, None).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            !form.body.contains("Ledare 000"),
            "no trainer before a course"
        );
        assert!(form.body.contains("Visa kursens utbildningsledare"));
        // With the course: its qualified trainers only.
        let form = app
            .page(
                "GET",
                &format!("/tillfallen/ny?kurs={course}"),
                &cookie,
                None,
            )
            .await;
        assert!(form.body.contains("Ledare 000"));
        assert!(!form.body.contains("Ledare 001"), "not qualified");
        // Without JavaScript: the button brings the form back with the
        // course's trainers and what was typed, and saves nothing.
        let csrf = app.csrf_for(&cookie, "/tillfallen/ny").await;
        let body =
            format!("_csrf={csrf}&course_id={course}&venue=Sal+Sju&capacity=12&show_trainers=1");
        let back = app
            .page("POST", "/tillfallen/ny", &cookie, Some(&body))
            .await;
        assert_eq!(back.status, StatusCode::OK, "{}", back.body);
        assert!(back.body.contains("Ledare 002"));
        assert!(!back.body.contains("Ledare 003"));
        assert!(
            back.body.contains("value=\"Sal Sju\""),
            "what was typed stays"
        );
        let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(sessions, 0, "nothing was saved");
    }
);

both_engines!(
    with_the_nations_units_the_hub_lists_one_municipalitys_units_at_a_time,
    |db: Db| async move {
        use navet_web::usecase::people::UNITS_IN_ONE_PICKER;
        let app = TestApp::new(db.clone());
        let (_, cookie) = app.signed_in("c@test.se", Role::Coordinator).await;
        let (laxa, kumla) = common::nations_units(&db, UNITS_IN_ONE_PICKER + 1).await;
        let page = app.page("GET", "/enheter", &cookie, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("Enhet 000"),
            "no gap tally of the nation"
        );
        assert!(page.body.contains(&format!("<option value=\"{kumla}\"")));
        let page = app
            .page("GET", &format!("/enheter?kommun={laxa}"), &cookie, None)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(">Enhet 000<"), "Laxå's units");
        assert!(!page.body.contains(">Enhet 001<"), "not Kumla's");
        assert!(page
            .body
            .contains(&format!("<option value=\"{laxa}\" selected")));
    }
);
