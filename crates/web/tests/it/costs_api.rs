//! The cost API end to end (router → store → domain), on both engines.

use crate::common;
use domain::ids::MunicipalityId;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::TestApp;
use domain::access::Role;
use navet_store::{both_engines, org, Db};
use serde_json::{json, Value};

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let r = app.send(req).await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

/// A coordinator's API token on a fresh application.
async fn coordinator(app: &TestApp) -> String {
    app.coordinator().email("samordnare@test.se").await.token
}

both_engines!(only_the_hub_calls_the_cost_api, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let participant = app
        .user(Role::Participant)
        .email("medarbetare@test.se")
        .await
        .token;
    assert_eq!(
        call(&app, "GET", "/api/v1/cost-lines", None, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&app, "GET", "/api/v1/cost-lines", Some(&participant), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
});

both_engines!(
    a_negative_cost_is_refused_naming_the_field,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let coord = coordinator(&app).await;
        // A negative cost is refused, naming the field; nothing saved.
        let (st, body) = call(
            &app,
            "POST",
            "/api/v1/cost-lines",
            Some(&coord),
            Some(json!({"label": "Bilar", "kind": "cars", "basis": "annual", "amount_sek": -5000})),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["field"], "amount");
        assert_eq!(
            call(&app, "GET", "/api/v1/cost-lines", Some(&coord), None)
                .await
                .1,
            json!([])
        );
    }
);

both_engines!(
    bad_scenarios_are_refused_naming_the_field,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let coord = coordinator(&app).await;
        // Scenario checks: no municipality, weights not 100 %, unknown name, missing figures.
        let bad = [
            (
                json!({"name": "X", "municipalities": [], "weights": {"employees": 100}}),
                "municipalities",
            ),
            (
                json!({"name": "X", "municipalities": ["Nora"], "weights": {"employees": 60, "use": 30}}),
                "weights",
            ),
            (
                json!({"name": "X", "municipalities": ["Stockholm"], "weights": {"equal": 100}}),
                "municipalities",
            ),
            (
                json!({"name": "X", "municipalities": ["Nora", "Kumla"], "weights": {"employees": 100}}),
                "weight_employees",
            ),
        ];
        for (body, field) in bad {
            let (st, e) = call(
                &app,
                "POST",
                "/api/v1/cost-scenarios",
                Some(&coord),
                Some(body),
            )
            .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
            assert_eq!(e["field"], field, "{e}");
        }
        assert_eq!(
            call(&app, "GET", "/api/v1/cost-scenarios", Some(&coord), None)
                .await
                .1,
            json!([])
        );
    }
);

both_engines!(
    a_scenario_shares_its_cost_lines_and_compares_and_deletes,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let coord = coordinator(&app).await;
        let (st, line) = call(
        &app,
        "POST",
        "/api/v1/cost-lines",
        Some(&coord),
        Some(json!({"label": "Samordnare", "kind": "staff", "basis": "staff", "role": "samordnare",
                    "fte": 1, "monthly_salary_sek": 40000, "overhead_pct": 42})),
    )
    .await;
        assert_eq!(st, StatusCode::CREATED);
        // 1 × 40 000 × 12 × 1,42 = 681 600 kr
        assert_eq!(line["base_annual_ore"], 68_160_000);
        let (st, _) = call(
            &app,
            "POST",
            "/api/v1/cost-lines",
            Some(&coord),
            Some(
                json!({"label": "Bilar", "kind": "cars", "basis": "annual", "amount_sek": 120000.5,
                    "scaling": "course_hours", "per": 1000}),
            ),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED);

        let nora = org::municipality_by_name(&db, "Nora")
            .await
            .unwrap()
            .unwrap()
            .id;
        let kumla = org::municipality_by_name(&db, "Kumla")
            .await
            .unwrap()
            .unwrap()
            .id;
        org::set_municipality_figures(&db, MunicipalityId(nora), Some(1000), Some(10_600))
            .await
            .unwrap();
        org::set_municipality_figures(&db, MunicipalityId(kumla), Some(2000), Some(22_600))
            .await
            .unwrap();
        let (st, sc) = call(
            &app,
            "POST",
            "/api/v1/cost-scenarios",
            Some(&coord),
            Some(
                json!({"name": "Nora och Kumla", "municipalities": ["Nora", kumla],
                    "weights": {"employees": 50, "use": 50},
                    "course_hours": {"Nora": 300, "Kumla": 700}}),
            ),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{sc}");
        let id = sc["id"].as_i64().unwrap();
        let (st, r) = call(
            &app,
            "GET",
            &format!("/api/v1/cost-scenarios/{id}/result"),
            Some(&coord),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{r}");
        // 681 600 + 120 000,50 × 1 000 / 1 000 = 801 600,50 kr
        assert_eq!(r["total_ore"], 80_160_050);
        let shares: i64 = r["municipalities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["share_ore"].as_i64().unwrap())
            .sum();
        assert_eq!(shares, 80_160_050);
        assert!(r["trace"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["key"] == "total"));
        let leave = &r["leaving"][0];
        assert_eq!(
            leave["changes"][0]["after_ore"].as_i64().unwrap(),
            leave["total_after_ore"].as_i64().unwrap()
        );

        let (st, cmp) = call(
            &app,
            "GET",
            &format!("/api/v1/cost-comparison?ids={id}"),
            Some(&coord),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(cmp["rows"].as_array().unwrap().len(), 2);
        assert_eq!(
            call(
                &app,
                "GET",
                "/api/v1/cost-comparison?ids=x",
                Some(&coord),
                None
            )
            .await
            .0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            call(
                &app,
                "GET",
                "/api/v1/cost-scenarios/999/result",
                Some(&coord),
                None
            )
            .await
            .0,
            StatusCode::NOT_FOUND
        );

        assert_eq!(
            call(
                &app,
                "DELETE",
                &format!("/api/v1/cost-scenarios/{id}"),
                Some(&coord),
                None
            )
            .await
            .0,
            StatusCode::NO_CONTENT
        );
    }
);

both_engines!(
    the_openapi_document_lists_the_cost_endpoints,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        // The OpenAPI document lists the cost endpoints.
        let (_, doc) = call(&app, "GET", "/api/v1/openapi.json", None, None).await;
        for p in [
            "/api/v1/cost-lines",
            "/api/v1/cost-scenarios/{id}/result",
            "/api/v1/cost-comparison",
        ] {
            assert!(doc["paths"].get(p).is_some(), "{p}");
        }
    }
);
