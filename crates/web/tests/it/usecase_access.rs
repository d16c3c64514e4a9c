//! The use-case layer decides and scopes: the unit list and the staff
//! booking page show a manager their own units' people only, and refuse
//! those who book nobody but themselves, with the rule's reason.

use crate::common;
use domain::ids::MunicipalityId;

use axum::http::StatusCode;
use common::{TestApp, PASSWORD};
use navet_store::testing::fixtures;
use navet_store::{both_engines, org, Db};

async fn unit(db: &Db, name: &str) -> i64 {
    let m = org::municipality_by_name(db, "Örebro")
        .await
        .unwrap()
        .unwrap();
    org::create_unit(db, MunicipalityId(m.id), name, "aldreomsorg", true)
        .await
        .unwrap()
}

async fn person_in(db: &Db, name: &str, unit_id: i64) -> i64 {
    let id = fixtures::person(db, name, "Örebro").await;
    sqlx::query("UPDATE people SET unit_id = $1 WHERE id = $2")
        .bind(unit_id)
        .bind(id)
        .execute(db.writer())
        .await
        .unwrap();
    id
}

both_engines!(
    a_manager_lists_their_own_units_and_trainers_none,
    |db: Db| async move {
        let mine = unit(&db, "Solrosen").await;
        unit(&db, "Vallmon").await;
        let app = TestApp::new(db.clone());
        let boss = app.manager_of_unit(mine).await;
        let cookie = app.login(&boss.email, PASSWORD).await.unwrap();
        let r = app.page("GET", "/enheter", &cookie, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Solrosen"), "{}", r.body);
        assert!(!r.body.contains("Vallmon"));

        let trainer_person = fixtures::person(&db, "Tina", "Örebro").await;
        let trainer = app.trainer(trainer_person).await;
        let cookie = app.login(&trainer.email, PASSWORD).await.unwrap();
        let r = app.page("GET", "/enheter", &cookie, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r
            .body
            .contains("Enhetssidorna är till för chefer och samordnare."));
    }
);

both_engines!(
    the_staff_booking_page_lists_the_managers_people_only,
    |db: Db| async move {
        let mine = unit(&db, "Solrosen").await;
        let other = unit(&db, "Vallmon").await;
        person_in(&db, "Agnes", mine).await;
        person_in(&db, "Berit", other).await;
        let app = TestApp::new(db.clone());
        let boss = app.manager_of_unit(mine).await;
        let cookie = app.login(&boss.email, PASSWORD).await.unwrap();
        let r = app.page("GET", "/boka-personal", &cookie, None).await;
        assert_eq!(r.status, StatusCode::OK);
        // The list (shown once a session is chosen) is a read of personal
        // data: one audit entry, counting Agnes and not Berit.
        let listed: Vec<String> = sqlx::query_scalar(
            "SELECT detail FROM audit_log WHERE action = 'person.list' AND actor_account_id = $1",
        )
        .bind(boss.id)
        .fetch_all(db.pool())
        .await
        .unwrap();
        assert_eq!(listed, ["boka personal: 1 personer"]);
        let r = app
            .page("GET", "/boka-personal?q=Berit", &cookie, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let listed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'person.list' AND actor_account_id = $1",
        )
        .bind(boss.id)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(
            listed, 1,
            "Berit is outside the manager's unit: nobody listed"
        );

        let p = fixtures::person(&db, "Tina", "Örebro").await;
        let trainer = app.trainer(p).await;
        let cookie = app.login(&trainer.email, PASSWORD).await.unwrap();
        let r = app.page("GET", "/boka-personal", &cookie, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r
            .body
            .contains("Endast chefer och samordnare kan boka andra."));
    }
);
