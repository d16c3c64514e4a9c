//! The competence tools refuse through the use-case layer what the store
//! no longer decides: a manager sets requirements for their own units
//! only (also when moving one), registers education for their own staff
//! only, and changes no track, prerequisite, package or need; nothing is
//! written when refused. A coordinator may do each.

use crate::common;
use domain::ids::MunicipalityId;

use axum::http::StatusCode;
use common::{TestApp, User, PASSWORD};
use domain::requirements::RequirementDraft;
use navet_store::audit::Who;
use navet_store::testing::fixtures;
use navet_store::{both_engines, org, requirements, Db};
use serde_json::json;

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db.pool())
        .await
        .unwrap()
}

/// Kumla's units Hemtjänst (the manager's) and LSS, a region-wide HLR
/// requirement for assistant nurses, and the manager's own requirement
/// (the care programme at their unit).
struct Units {
    app: TestApp,
    boss: User,
    mine: i64,
    other: i64,
    usk: i64,
    region: i64,
    own_id: i64,
}

/// The manager's own requirement, at `unit`.
fn own_requirement(usk: i64, unit: i64) -> serde_json::Value {
    json!({"role_id": usk, "scope": "unit", "unit_id": unit, "kind": "education", "education": "vard_och_omsorgsprogrammet"})
}

async fn units(db: &Db) -> Units {
    let m = org::municipality_by_name(db, "Kumla")
        .await
        .unwrap()
        .unwrap();
    let mine = org::create_unit(
        db,
        MunicipalityId(m.id),
        "Hemtjänst Kumla",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    let other = org::create_unit(
        db,
        MunicipalityId(m.id),
        "LSS Kumla",
        "funktionsstod",
        false,
    )
    .await
    .unwrap();
    let usk = org::role_by_name(db, "Undersköterska")
        .await
        .unwrap()
        .unwrap()
        .id;
    let hlr = fixtures::course(db, "HLR").await;
    let region = requirements::create(
        db,
        &Who::system("test"),
        &RequirementDraft {
            role_id: usk.to_string(),
            scope: "region".into(),
            kind: "course".into(),
            course_id: hlr.to_string(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let app = TestApp::new(db.clone());
    let boss = app.manager_of_unit(mine).await;
    let r = app
        .post_json(
            "/api/v1/requirements",
            boss.auth(),
            &own_requirement(usk, mine),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let own_id = r.json()["id"].as_i64().unwrap();
    Units {
        app,
        boss,
        mine,
        other,
        usk,
        region,
        own_id,
    }
}

/// Anna at the manager's unit and Bo at the other.
async fn staff(db: &Db, u: &Units) -> (i64, i64) {
    let anna = fixtures::person(db, "Anna", "Kumla").await;
    let bo = fixtures::person(db, "Bo", "Kumla").await;
    for (p, unit) in [(anna, u.mine), (bo, u.other)] {
        sqlx::query("UPDATE people SET unit_id = $1 WHERE id = $2")
            .bind(unit)
            .bind(p)
            .execute(db.writer())
            .await
            .unwrap();
    }
    (anna, bo)
}

fn educations(person: i64) -> String {
    format!("/api/v1/people/{person}/educations")
}

both_engines!(
    a_manager_may_not_set_a_region_wide_requirement_or_move_theirs_elsewhere,
    |db: Db| async move {
        let u = units(&db).await;
        // Region-wide: refused with the reason for managers.
        let r = u
            .app
            .post_json(
                "/api/v1/requirements",
                u.boss.auth(),
                &json!({"role_id": u.usk, "kind": "course", "course_id": fixtures::course(&db, "Sårvård").await}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.json()["error"]
            .as_str()
            .unwrap()
            .contains("som chef kan du ställa krav för dina egna enheter"));
        // Moving their own requirement to another unit: refused, unchanged.
        let r = u
            .app
            .json_request(
                "PUT",
                &format!("/api/v1/requirements/{}", u.own_id),
                u.boss.auth(),
                &own_requirement(u.usk, u.other),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            requirements::get(&db, u.own_id).await.unwrap().unit_id,
            Some(u.mine)
        );
        assert_eq!(count(&db, "requirements").await, 2);
    }
);

both_engines!(
    the_requirement_list_offers_a_manager_only_their_own_to_change,
    |db: Db| async move {
        let u = units(&db).await;
        let cookie = u.app.login(&u.boss.email, PASSWORD).await.unwrap();
        let r = u.app.page("GET", "/kompetens/krav", &cookie, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r
            .body
            .contains(&format!("href=\"/kompetens/krav/{}\"", u.own_id)));
        assert!(!r
            .body
            .contains(&format!("href=\"/kompetens/krav/{}\"", u.region)));
        assert_eq!(
            u.app
                .page(
                    "GET",
                    &format!("/kompetens/krav/{}", u.region),
                    &cookie,
                    None
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let csrf = u.app.csrf_for(&cookie, "/kompetens/krav/ny").await;
        let r = u
            .app
            .page(
                "POST",
                &format!("/kompetens/krav/{}/ta-bort", u.region),
                &cookie,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(count(&db, "requirements").await, 2);
    }
);

both_engines!(
    a_manager_registers_and_removes_education_for_their_own_staff_only,
    |db: Db| async move {
        let u = units(&db).await;
        let (anna, bo) = staff(&db, &u).await;
        let edu = json!({"kind": "sjukskoterska"});
        let r = u.app.post_json(&educations(bo), u.boss.auth(), &edu).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(count(&db, "person_educations").await, 0);
        let r = u
            .app
            .post_json(&educations(anna), u.boss.auth(), &edu)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // A coordinator may; the manager may not remove it.
        let coord = u.app.coordinator().await;
        let r = u.app.post_json(&educations(bo), coord.auth(), &edu).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let bo_edu = r.json()["id"].as_i64().unwrap();
        let r = u
            .app
            .delete(&format!("{}/{bo_edu}", educations(bo)), u.boss.auth())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(count(&db, "person_educations").await, 2);
    }
);

both_engines!(
    only_coordinators_change_tracks_prerequisites_packages_and_needs,
    |db: Db| async move {
        let m = org::municipality_by_name(&db, "Kumla")
            .await
            .unwrap()
            .unwrap();
        let mine = org::create_unit(
            &db,
            MunicipalityId(m.id),
            "Hemtjänst Kumla",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        let usk = org::role_by_name(&db, "Undersköterska")
            .await
            .unwrap()
            .unwrap()
            .id;
        let a = fixtures::course(&db, "Basala hygienrutiner").await;
        let b = fixtures::course(&db, "Sårvård").await;
        let app = TestApp::new(db.clone());
        let boss = app.manager_of_unit(mine).await;
        let coord = app.coordinator().await;
        let boss_cookie = app.login(&boss.email, PASSWORD).await.unwrap();
        let coord_cookie = app.login(&coord.email, PASSWORD).await.unwrap();
        // A manager's token for the forms (from a page they may open).
        let boss_csrf = app.csrf_for(&boss_cookie, "/kompetens/krav/ny").await;
        let coord_csrf = app.csrf_for(&coord_cookie, "/kompetens/spar/ny").await;
        let track = format!(
            "name=Sp%C3%A5r&role_id={usk}&activity_area=aldreomsorg&deepening_required=0\
             &position=1&block=bas&course_id={a}&title=&provider=&education=&direction="
        );
        let package = format!("name=Paket&role_ids={usk}&course_ids={a}&published=1");
        let need =
            "profession=baspersonal&title=Fallprevention&status=under_utveckling&certainty=hog";
        let prerequisite = format!("course_id={b}&requires_course_id={a}");
        let cases = [
            ("/kompetens/spar/ny", track.as_str(), "tracks"),
            ("/kompetens/paket/ny", package.as_str(), "packages"),
            ("/kompetens/behov/ny", need, "needs"),
            (
                "/kompetens/forkunskaper",
                prerequisite.as_str(),
                "course_prerequisites",
            ),
        ];
        for (path, form, table) in cases {
            let before = count(&db, table).await;
            let r = app
                .page(
                    "POST",
                    path,
                    &boss_cookie,
                    Some(&format!("_csrf={boss_csrf}&{form}")),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(count(&db, table).await, before, "{path}");
            let r = app
                .page(
                    "POST",
                    path,
                    &coord_cookie,
                    Some(&format!("_csrf={coord_csrf}&{form}")),
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}: {}", r.body);
            assert_eq!(count(&db, table).await, before + 1, "{path}");
        }
        // Nor may the manager open the editors or remove a prerequisite.
        for path in [
            "/kompetens/spar/ny",
            "/kompetens/paket/ny",
            "/kompetens/behov",
            "/kompetens/forkunskaper",
        ] {
            let r = app.page("GET", path, &boss_cookie, None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        }
        let r = app
            .page(
                "POST",
                "/kompetens/forkunskaper/ta-bort",
                &boss_cookie,
                Some(&format!("_csrf={boss_csrf}&{prerequisite}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(count(&db, "course_prerequisites").await, 1);
    }
);
