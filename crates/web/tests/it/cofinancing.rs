//! Co-financing in kronor through the API and the pages, on both engines:
//! who may read and change, the unit-cost table's refusals (overlaps name
//! both rows, bad fields are named, nothing changes), the rounding rule,
//! and the follow-up per municipality and month valued with the table.
#![allow(clippy::inconsistent_digit_grouping)]

use crate::common;

use axum::http::StatusCode;
use common::{TestApp, User};
use domain::access::Role;
use navet_store::audit::Who;
use navet_store::{both_engines, org, Db};
use serde_json::{json, Value};

async fn programme(db: &Db) {
    let munis = org::municipalities(db).await.unwrap();
    let p = domain::funding::Programme {
        name: "ESF".into(),
        starts: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        ends: chrono::NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
        granted_sek: 23_731_055,
        cofinancing_rate: 0.46,
        target_hours: 42_000.0,
        employees: munis.iter().map(|m| (m.name.clone(), 1000)).collect(),
    };
    navet_store::funding::save(db, &Who::system("test"), &p)
        .await
        .unwrap();
}

const PARTICIPATIONS: &str = "person_ref,gender,role,municipality,course,date,hours,attended
A1,kvinna,undersköterska,Örebro,HLR,2025-02-03,3,ja
A1,kvinna,undersköterska,Örebro,Sårvård,2025-02-20,2.5,ja
A2,man,undersköterska,Örebro,HLR,2025-02-03,3,ja
A4,kvinna,sjuksköterska,Nora,Sårvård,2025-06-10,2.5,ja
";

async fn participations(db: &Db) {
    navet_store::history_import::import(
        db,
        &Who::system("test"),
        "historik.csv",
        PARTICIPATIONS.as_bytes(),
        true,
    )
    .await
    .unwrap()
    .unwrap();
}

fn muni<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["municipalities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["municipality"] == name)
        .unwrap()
}

/// A coordinator and the steering group, on a database with no funding
/// programme.
struct Hub {
    app: TestApp,
    coord: User,
    steering: User,
}

async fn hub(db: &Db) -> Hub {
    let app = TestApp::new(db.clone());
    let coord = app.coordinator().await;
    let steering = app.user(Role::Steering).await;
    Hub {
        app,
        coord,
        steering,
    }
}

/// The basic staff's unit cost for 2025, as the steering group may not
/// add it.
fn basic_row() -> Value {
    json!({"category": "baspersonal", "valid_from": "2025-01", "valid_to": "2025-12", "hourly_sek": 245, "source": "syntetisk"})
}

/// The programme, its participations and the unit-cost table (245 kr
/// for basic staff in 2025, 330,50 kr for licensed staff 2025–2026);
/// the basic row's id.
async fn with_table(db: &Db) -> (Hub, i64) {
    let h = hub(db).await;
    programme(db).await;
    participations(db).await;
    let r = h
        .app
        .post_json("/api/v1/unit-costs", h.coord.auth(), &basic_row())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let nurse = json!({"category": "legitimerad personal", "valid_from": "2025-01-01", "valid_to": "2026-12-31", "hourly_sek": 330.5});
    let r = h
        .app
        .post_json("/api/v1/unit-costs", h.coord.auth(), &nurse)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    (h, id)
}

async fn table_len(h: &Hub) -> usize {
    h.app
        .get("/api/v1/unit-costs", h.coord.auth())
        .await
        .json()
        .as_array()
        .unwrap()
        .len()
}

both_engines!(
    only_the_hub_changes_cofinancing_and_the_steering_group_reads_it,
    |db: Db| async move {
        let h = hub(&db).await;
        let participant = h.app.user(Role::Participant).await;
        let manager = h.app.user(Role::Manager).await;
        assert_eq!(
            h.app.get("/api/v1/cofinancing", None).await.status,
            StatusCode::UNAUTHORIZED
        );
        for u in [&participant, &manager] {
            assert_eq!(
                h.app.get("/api/v1/cofinancing", u.auth()).await.status,
                StatusCode::FORBIDDEN
            );
            assert_eq!(
                h.app.get("/api/v1/unit-costs", u.auth()).await.status,
                StatusCode::FORBIDDEN
            );
        }
        // No programme yet.
        assert_eq!(
            h.app
                .get("/api/v1/cofinancing", h.coord.auth())
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        programme(&db).await;
        participations(&db).await;
        // The steering group reads the table, but changes nothing.
        assert_eq!(
            h.app
                .post_json("/api/v1/unit-costs", h.steering.auth(), &basic_row())
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            h.app
                .json_request(
                    "PUT",
                    "/api/v1/cofinancing/rounding",
                    h.steering.auth(),
                    &json!({"rule": "exact"})
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            h.app
                .get("/api/v1/unit-costs", h.steering.auth())
                .await
                .status,
            StatusCode::OK
        );
    }
);

both_engines!(
    unit_costs_run_by_whole_months_and_may_not_overlap,
    |db: Db| async move {
        let h = hub(&db).await;
        let add = |row: Value| {
            let h = &h;
            async move {
                h.app
                    .post_json("/api/v1/unit-costs", h.coord.auth(), &row)
                    .await
            }
        };
        let r = add(basic_row()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["valid_to"], "2025-12-31");
        assert_eq!(r.json()["hourly_ore"], 245_00);
        let r = add(json!({"category": "legitimerad personal", "valid_from": "2025-01-01", "valid_to": "2026-12-31", "hourly_sek": 330.5})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // Overlapping validity: 422 naming both rows; nothing saved.
        let r = add(json!({"category": "baspersonal", "valid_from": "2025-06", "valid_to": "2026-05", "hourly_sek": 250})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let msg = r.json()["error"].as_str().unwrap().to_string();
        assert!(msg.contains("baspersonal 2025-01-01 – 2025-12-31"), "{msg}");
        assert!(msg.contains("baspersonal 2025-06-01 – 2026-05-31"), "{msg}");
        assert_eq!(r.json()["field"], "valid_from");
        assert_eq!(table_len(&h).await, 2, "nothing saved");
    }
);

both_engines!(
    bad_unit_costs_are_refused_naming_the_field_and_nothing_is_saved,
    |db: Db| async move {
        let (h, _) = with_table(&db).await;
        for (body, field) in [
            (
                json!({"category": "astronaut", "valid_from": "2027-01", "valid_to": "2027-06", "hourly_sek": 1}),
                "category",
            ),
            (
                json!({"category": "chef", "valid_from": "2027-01-15", "valid_to": "2027-06", "hourly_sek": 1}),
                "valid_from",
            ),
            (
                json!({"category": "chef", "valid_from": "2027-01", "valid_to": "2027-06-15", "hourly_sek": 1}),
                "valid_to",
            ),
            (
                json!({"category": "chef", "valid_from": "2027-01", "valid_to": "2027-06", "hourly_sek": -1}),
                "hourly_sek",
            ),
            (
                json!({"category": "chef", "valid_from": "2027-01", "valid_to": "2027-06", "hourly_sek": 1e300}),
                "hourly_sek",
            ),
            (
                json!({"category": "chef", "valid_from": "2027-01", "valid_to": "2027-06", "hourly_sek": 1.001}),
                "hourly_sek",
            ),
            (
                json!({"category": "chef", "valid_from": "2027-01", "valid_to": "2027-06", "hourly_sek": 1, "source": "x".repeat(100_000)}),
                "source",
            ),
        ] {
            let r = h
                .app
                .post_json("/api/v1/unit-costs", h.coord.auth(), &body)
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field}: {}",
                r.body
            );
            assert_eq!(r.json()["field"], field, "{}", r.body);
        }
        // Broken and deeply nested JSON: 400.
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        for body in [
            "{\"category\": \"chef\",\n \"valid_from\": }".to_string(),
            deep,
        ] {
            let r = h
                .app
                .send(
                    axum::http::Request::post("/api/v1/unit-costs")
                        .header("content-type", "application/json")
                        .header("authorization", format!("Bearer {}", h.coord.token))
                        .body(axum::body::Body::from(body))
                        .unwrap(),
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST);
        }
        assert_eq!(table_len(&h).await, 2, "nothing saved");
    }
);

both_engines!(
    the_follow_up_values_rounded_hours_per_municipality_and_month,
    |db: Db| async move {
        let (h, _) = with_table(&db).await;
        // February in Örebro is 5,5 h (→ 5) + 3 h = 8 h × 245 kr.
        let r = h.app.get("/api/v1/cofinancing", h.steering.auth()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let body = r.json();
        assert_eq!(body["rounding"]["rule"], "whole_hours_down");
        assert!(body["rounding"]["description"]
            .as_str()
            .unwrap()
            .contains("per person och månad"));
        let orebro = muni(&body, "Örebro");
        assert_eq!(orebro["reached"]["hours"], 8.5);
        assert_eq!(orebro["reached"]["rounded_hours"], 8.0);
        assert_eq!(orebro["reached"]["value_ore"], 8 * 245_00);
        // Twelve municipalities of 1 000 employees: a twelfth of 46 % of the grant each.
        let commitment = orebro["commitment_ore"].as_i64().unwrap();
        assert!(
            (commitment - 2_373_105_500 * 46 / 100 / 12).abs() <= 1,
            "{commitment}"
        );
        let nora = muni(&body, "Nora");
        assert_eq!(nora["reached"]["value_ore"], 2 * 330_50);
        assert_eq!(
            body["total"]["reached"]["value_ore"],
            8 * 245_00 + 2 * 330_50
        );
        // Months for Örebro from the programme's start.
        let orebro_id = orebro["municipality_id"].as_i64().unwrap();
        let r = h
            .app
            .get(
                &format!("/api/v1/cofinancing?municipality_id={orebro_id}"),
                h.coord.auth(),
            )
            .await
            .json();
        assert_eq!(r["months_municipality_id"], orebro_id);
        assert_eq!(r["months"][0]["month"], "2025-01");
        assert_eq!(r["months"][1]["month"], "2025-02");
        assert_eq!(r["months"][1]["reached"]["value_ore"], 8 * 245_00);
        assert_eq!(r["months"][2]["cumulative_ore"], 8 * 245_00);
        // A query that cannot be read names the field.
        let r = h
            .app
            .get("/api/v1/cofinancing?municipality_id=abc", h.coord.auth())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["field"], "municipality_id");
    }
);

both_engines!(
    the_rounding_rule_is_checked_and_applied,
    |db: Db| async move {
        let (h, _) = with_table(&db).await;
        let rounding = |rule: &'static str| {
            let h = &h;
            async move {
                h.app
                    .json_request(
                        "PUT",
                        "/api/v1/cofinancing/rounding",
                        h.coord.auth(),
                        &json!({ "rule": rule }),
                    )
                    .await
            }
        };
        // Unknown: refused naming the field.
        let r = rounding("upwards").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["field"], "rule");
        let r = rounding("exact").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let body = h
            .app
            .get("/api/v1/cofinancing", h.coord.auth())
            .await
            .json();
        assert_eq!(
            muni(&body, "Örebro")["reached"]["value_ore"],
            8 * 245_00 + 245_00 / 2
        );
    }
);

both_engines!(
    a_unit_cost_is_changed_and_removed_leaving_its_months_unvalued,
    |db: Db| async move {
        let (h, id) = with_table(&db).await;
        let path = format!("/api/v1/unit-costs/{id}");
        let r = h
            .app
            .json_request("PUT", &path, h.coord.auth(), &json!({"category": "baspersonal", "valid_from": "2025-01", "valid_to": "2025-12", "hourly_sek": 200}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["hourly_ore"], 200_00);
        assert_eq!(
            h.app.delete(&path, h.coord.auth()).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            h.app.delete(&path, h.coord.auth()).await.status,
            StatusCode::NOT_FOUND
        );
        let body = h
            .app
            .get("/api/v1/cofinancing", h.coord.auth())
            .await
            .json();
        assert_eq!(muni(&body, "Örebro")["reached"]["value_ore"], 0);
        assert!(body["missing_unit_costs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "2025-02 baspersonal"));
    }
);

/// Adds a unit-cost row through the form.
async fn add_row(app: &TestApp, cookie: &str, fields: &str) -> common::Resp {
    let csrf = app.csrf_for(cookie, "/finansiering/enhetskostnader").await;
    app.page(
        "POST",
        "/finansiering/enhetskostnader",
        cookie,
        Some(&format!("_csrf={csrf}&{fields}")),
    )
    .await
}

/// 245,00 kr an hour for basic staff in 2025.
const BASIC_ROW_FORM: &str =
    "category=baspersonal&valid_from=2025-01&valid_to=2025-12&hourly_sek=245%2C00&source=syntetisk";

/// The programme and its participations, the basic staff's row added
/// through the form, and the coordinator who added it signed in on the
/// pages: the app and the coordinator's cookie.
async fn pages_with_row(db: &Db) -> (TestApp, String) {
    let app = TestApp::new(db.clone());
    programme(db).await;
    participations(db).await;
    let (_, coord) = app.signed_in("samordnare@test.se", Role::Coordinator).await;
    let r = add_row(&app, &coord, BASIC_ROW_FORM).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    (app, coord)
}

async fn unit_cost_rows(db: &Db) -> usize {
    navet_store::cofinancing::unit_costs(db)
        .await
        .unwrap()
        .len()
}

both_engines!(
    the_unit_cost_form_refuses_overlaps_and_bad_amounts_keeping_the_input,
    |db: Db| async move {
        let (app, coord) = pages_with_row(&db).await;
        // An overlapping row: the form again with both rows named, 422.
        let r = add_row(
            &app,
            &coord,
            "category=baspersonal&valid_from=2025-03&valid_to=2025-04&hourly_sek=1",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("baspersonal 2025-01-01 – 2025-12-31"),
            "{}",
            r.body
        );
        assert!(r.body.contains("baspersonal 2025-03-01 – 2025-04-30"));
        // A bad amount names the field and keeps what was typed.
        let r = add_row(
            &app,
            &coord,
            "category=chef&valid_from=2025-01&valid_to=2025-12&hourly_sek=m%C3%A5nga",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-hourly_sek\""));
        assert!(r.body.contains("value=\"många\""));
        assert_eq!(unit_cost_rows(&db).await, 1);
    }
);

both_engines!(
    the_funding_page_shows_kronor_per_municipality_and_month,
    |db: Db| async move {
        let (app, coord) = pages_with_row(&db).await;
        let r = app.page("GET", "/finansiering", &coord, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Medfinansiering i kronor"));
        assert!(r
            .body
            .contains("hela timmar, avrundat nedåt, per person och månad"));
        assert!(r.body.contains("1 960"), "8 h × 245 kr");
        let orebro = org::municipality_by_name(&db, "Örebro")
            .await
            .unwrap()
            .unwrap()
            .id;
        let r = app
            .page(
                "GET",
                &format!("/finansiering?kommun={orebro}"),
                &coord,
                None,
            )
            .await;
        assert!(r.body.contains("Medfinansiering per månad: Örebro"));
        assert!(r.body.contains("<th scope=\"row\">2025-02</th>"));
        // An empty or unreadable choice shows all municipalities.
        for q in ["?kommun=", "?kommun=abc", "?kommun=999999"] {
            let r = app
                .page("GET", &format!("/finansiering{q}"), &coord, None)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{q}");
            assert!(
                r.body.contains("Medfinansiering per månad</caption>"),
                "{q}"
            );
        }
    }
);

both_engines!(
    the_steering_group_sees_the_figures_and_the_table_without_forms,
    |db: Db| async move {
        let (app, _) = pages_with_row(&db).await;
        let (_, steering) = app.signed_in("styrgrupp@test.se", Role::Steering).await;
        let (_, participant) = app.signed_in("deltagare@test.se", Role::Participant).await;
        let r = app.page("GET", "/finansiering", &steering, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("1 960"));
        let r = app
            .page("GET", "/finansiering/enhetskostnader", &steering, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("245,00 kr"));
        assert!(!r.body.contains("action=\"/finansiering/enhetskostnader\""));
        let s_csrf = app.csrf_for(&steering, "/finansiering").await;
        let r = app
            .page(
                "POST",
                "/finansiering/avrundning",
                &steering,
                Some(&format!("_csrf={s_csrf}&rule=exact")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .page("GET", "/finansiering/enhetskostnader", &participant, None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

both_engines!(
    the_coordinator_chooses_the_rounding_and_removes_a_row_after_confirming,
    |db: Db| async move {
        let (app, coord) = pages_with_row(&db).await;
        let csrf = app.csrf_for(&coord, "/finansiering/enhetskostnader").await;
        let choose = |rule: &'static str| {
            let form = format!("_csrf={csrf}&rule={rule}");
            let (app, coord) = (&app, &coord);
            async move {
                app.page("POST", "/finansiering/avrundning", coord, Some(&form))
                    .await
            }
        };
        assert_eq!(choose("nonsense").await.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            choose("half_hours_down").await.status,
            StatusCode::SEE_OTHER
        );
        let r = app
            .page(
                "GET",
                "/finansiering/enhetskostnader?ok=avrundning",
                &coord,
                None,
            )
            .await;
        assert!(r.body.contains("Avrundningen är sparad."));
        assert!(r.body.contains("value=\"half_hours_down\" checked"));
        // Removing a row asks first.
        let id = navet_store::cofinancing::unit_costs(&db).await.unwrap()[0]
            .id
            .unwrap();
        let path = format!("/finansiering/enhetskostnader/{id}/ta-bort");
        let r = app.page("GET", &path, &coord, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Ta bort enhetskostnaden"));
        assert_eq!(unit_cost_rows(&db).await, 1);
        let r = app
            .page("POST", &path, &coord, Some(&format!("_csrf={csrf}")))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(navet_store::cofinancing::unit_costs(&db)
            .await
            .unwrap()
            .is_empty());
        let r = app
            .page("GET", "/finansiering/enhetskostnader/abc", &coord, None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);
