//! Co-financing in kronor through the API and the pages, on both engines:
//! who may read and change, the unit-cost table's refusals (overlaps name
//! both rows, bad fields are named, nothing changes), the rounding rule,
//! and the follow-up per municipality and month valued with the table.
#![allow(clippy::inconsistent_digit_grouping)]

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
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

both_engines!(
    cofinancing_api_values_hours_and_refuses_bad_tables,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let coord = app.coordinator().await;
        let steering = app.user(Role::Steering).await;
        let participant = app.user(Role::Participant).await;
        let manager = app.user(Role::Manager).await;

        // Who may call.
        assert_eq!(
            app.get("/api/v1/cofinancing", None).await.status,
            StatusCode::UNAUTHORIZED
        );
        for u in [&participant, &manager] {
            assert_eq!(
                app.get("/api/v1/cofinancing", u.auth()).await.status,
                StatusCode::FORBIDDEN
            );
            assert_eq!(
                app.get("/api/v1/unit-costs", u.auth()).await.status,
                StatusCode::FORBIDDEN
            );
        }
        // No programme yet.
        assert_eq!(
            app.get("/api/v1/cofinancing", coord.auth()).await.status,
            StatusCode::NOT_FOUND
        );
        programme(&db).await;
        participations(&db).await;

        // The steering group reads the table and the follow-up, but
        // changes nothing.
        let row = json!({"category": "baspersonal", "valid_from": "2025-01", "valid_to": "2025-12", "hourly_sek": 245, "source": "syntetisk"});
        assert_eq!(
            app.post_json("/api/v1/unit-costs", steering.auth(), &row)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.json_request(
                "PUT",
                "/api/v1/cofinancing/rounding",
                steering.auth(),
                &json!({"rule": "exact"})
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get("/api/v1/unit-costs", steering.auth()).await.status,
            StatusCode::OK
        );

        let r = app
            .post_json("/api/v1/unit-costs", coord.auth(), &row)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["valid_to"], "2025-12-31");
        assert_eq!(r.json()["hourly_ore"], 245_00);
        let nurse = json!({"category": "legitimerad personal", "valid_from": "2025-01-01", "valid_to": "2026-12-31", "hourly_sek": 330.5});
        assert_eq!(
            app.post_json("/api/v1/unit-costs", coord.auth(), &nurse)
                .await
                .status,
            StatusCode::CREATED
        );

        // Overlapping validity: 422 naming both rows; nothing saved.
        let over = json!({"category": "baspersonal", "valid_from": "2025-06", "valid_to": "2026-05", "hourly_sek": 250});
        let r = app
            .post_json("/api/v1/unit-costs", coord.auth(), &over)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let msg = r.json()["error"].as_str().unwrap().to_string();
        assert!(msg.contains("baspersonal 2025-01-01 – 2025-12-31"), "{msg}");
        assert!(msg.contains("baspersonal 2025-06-01 – 2026-05-31"), "{msg}");
        assert_eq!(r.json()["field"], "valid_from");
        // Bad fields, each named.
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
            let r = app
                .post_json("/api/v1/unit-costs", coord.auth(), &body)
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field}: {}",
                r.body
            );
            assert_eq!(r.json()["field"], field, "{}", r.body);
        }
        // Broken and deeply nested JSON: 400, nothing saved.
        let r = app
            .send(
                axum::http::Request::post("/api/v1/unit-costs")
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {}", coord.token))
                    .body(axum::body::Body::from(
                        "{\"category\": \"chef\",\n \"valid_from\": }",
                    ))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let r = app
            .send(
                axum::http::Request::post("/api/v1/unit-costs")
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {}", coord.token))
                    .body(axum::body::Body::from(deep))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let table = app.get("/api/v1/unit-costs", coord.auth()).await.json();
        assert_eq!(table.as_array().unwrap().len(), 2);

        // The follow-up: February in Örebro is 5,5 h (→ 5) + 3 h = 8 h × 245 kr.
        let r = app.get("/api/v1/cofinancing", steering.auth()).await;
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
        let r = app
            .get(
                &format!("/api/v1/cofinancing?municipality_id={orebro_id}"),
                coord.auth(),
            )
            .await
            .json();
        assert_eq!(r["months_municipality_id"], orebro_id);
        assert_eq!(r["months"][0]["month"], "2025-01");
        assert_eq!(r["months"][1]["month"], "2025-02");
        assert_eq!(r["months"][1]["reached"]["value_ore"], 8 * 245_00);
        assert_eq!(r["months"][2]["cumulative_ore"], 8 * 245_00);
        // A query that cannot be read names the field.
        let r = app
            .get("/api/v1/cofinancing?municipality_id=abc", coord.auth())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["field"], "municipality_id");

        // The rounding rule: unknown refused naming the field; exact applies.
        let r = app
            .json_request(
                "PUT",
                "/api/v1/cofinancing/rounding",
                coord.auth(),
                &json!({"rule": "upwards"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["field"], "rule");
        let r = app
            .json_request(
                "PUT",
                "/api/v1/cofinancing/rounding",
                coord.auth(),
                &json!({"rule": "exact"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let body = app.get("/api/v1/cofinancing", coord.auth()).await.json();
        assert_eq!(
            muni(&body, "Örebro")["reached"]["value_ore"],
            8 * 245_00 + 245_00 / 2
        );

        // Change and remove a row.
        let r = app
            .json_request("PUT", &format!("/api/v1/unit-costs/{id}"), coord.auth(), &json!({"category": "baspersonal", "valid_from": "2025-01", "valid_to": "2025-12", "hourly_sek": 200}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["hourly_ore"], 200_00);
        assert_eq!(
            app.delete(&format!("/api/v1/unit-costs/{id}"), coord.auth())
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.delete(&format!("/api/v1/unit-costs/{id}"), coord.auth())
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let body = app.get("/api/v1/cofinancing", coord.auth()).await.json();
        assert_eq!(muni(&body, "Örebro")["reached"]["value_ore"], 0);
        assert!(body["missing_unit_costs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "2025-02 baspersonal"));
    }
);

both_engines!(
    funding_page_shows_kronor_and_unit_cost_forms_refuse_overlaps,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        programme(&db).await;
        participations(&db).await;
        let (_, coord) = app.signed_in("samordnare@test.se", Role::Coordinator).await;
        let (_, steering) = app.signed_in("styrgrupp@test.se", Role::Steering).await;
        let (_, participant) = app.signed_in("deltagare@test.se", Role::Participant).await;

        let csrf = app.csrf_for(&coord, "/finansiering/enhetskostnader").await;
        let add = |form: String| {
            let app = &app;
            let coord = coord.clone();
            async move {
                app.page("POST", "/finansiering/enhetskostnader", &coord, Some(&form))
                    .await
            }
        };
        let r = add(format!("_csrf={csrf}&category=baspersonal&valid_from=2025-01&valid_to=2025-12&hourly_sek=245%2C00&source=syntetisk")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // An overlapping row: the form again with both rows named, 422.
        let r = add(format!(
            "_csrf={csrf}&category=baspersonal&valid_from=2025-03&valid_to=2025-04&hourly_sek=1"
        ))
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("baspersonal 2025-01-01 – 2025-12-31"),
            "{}",
            r.body
        );
        assert!(r.body.contains("baspersonal 2025-03-01 – 2025-04-30"));
        // A bad amount names the field and keeps what was typed.
        let r = add(format!(
            "_csrf={csrf}&category=chef&valid_from=2025-01&valid_to=2025-12&hourly_sek=m%C3%A5nga"
        ))
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-hourly_sek\""));
        assert!(r.body.contains("value=\"många\""));
        assert_eq!(
            navet_store::cofinancing::unit_costs(&db)
                .await
                .unwrap()
                .len(),
            1
        );

        // The funding page shows kronor per municipality and month.
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
        // The steering group sees the figures and the table, no forms.
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

        // Rounding, edit, remove after confirming.
        let r = app
            .page(
                "POST",
                "/finansiering/avrundning",
                &coord,
                Some(&format!("_csrf={csrf}&rule=nonsense")),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = app
            .page(
                "POST",
                "/finansiering/avrundning",
                &coord,
                Some(&format!("_csrf={csrf}&rule=half_hours_down")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
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
        let id = navet_store::cofinancing::unit_costs(&db).await.unwrap()[0]
            .id
            .unwrap();
        let r = app
            .page(
                "GET",
                &format!("/finansiering/enhetskostnader/{id}/ta-bort"),
                &coord,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Ta bort enhetskostnaden"));
        assert_eq!(
            navet_store::cofinancing::unit_costs(&db)
                .await
                .unwrap()
                .len(),
            1
        );
        let r = app
            .page(
                "POST",
                &format!("/finansiering/enhetskostnader/{id}/ta-bort"),
                &coord,
                Some(&format!("_csrf={csrf}")),
            )
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
