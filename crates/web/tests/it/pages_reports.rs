//! Report, funding and survey pages through the web tier, on both engines.

use crate::common;

use axum::http::StatusCode;
use common::{urlencoding, TestApp};
use domain::access::{Role, Scope};
use navet_store::{both_engines, Db};

both_engines!(report_pages_exports_and_access, |db: Db| async move {
    let app = TestApp::new(db.clone());
    app.account("c@test.se", Role::Coordinator, None, Scope::default())
        .await;
    app.account("m@test.se", Role::Participant, None, Scope::default())
        .await;
    let coord = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
    let part = app.login("m@test.se", "rätt-lösenord-123").await.unwrap();
    for p in [
        "/rapporter",
        "/oversikt",
        "/behov",
        "/finansiering",
        "/enkater",
        "/rapporter/import",
        "/intyg/utgaende",
        "/narvaro",
    ] {
        let r = app.page("GET", p, &coord, None).await;
        assert_eq!(r.status, StatusCode::OK, "{p}: {}", r.body);
        assert_eq!(
            app.page("GET", p, &part, None).await.status,
            StatusCode::FORBIDDEN,
            "{p} for a participant"
        );
    }
    // Anonymous visitors are sent to the login page.
    let r = app.page("GET", "/rapporter", "", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // A bad period is shown next to the field.
    let r = app
        .page(
            "GET",
            "/rapporter?from=2025-02-30&to=2025-12-31",
            &coord,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"err-from\""));
    let csv = app
        .page(
            "GET",
            "/rapporter/indikatorer.csv?from=2025-01-01&to=2025-12-31",
            &coord,
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.body.starts_with('\u{feff}'));
    assert!(csv.body.contains("\r\nÖrebro;0;0;"));
    let xlsx = app
        .page(
            "GET",
            "/rapporter/indikatorer.xlsx?from=2025-01-01&to=2025-12-31",
            &coord,
            None,
        )
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("indikatorer_2025-01-01_2025-12-31.xlsx"));
    // The public verification page needs no login and says only valid / not.
    let r = app
        .page("GET", "/verifiera?kod=AAAAA-AAAAA-A", "", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Inte giltigt"));
});

both_engines!(
    funding_form_keeps_input_and_names_fields,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let coord = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
        let csrf = app.csrf_for(&coord, "/finansiering").await;
        let form = |ends: &str, orebro: &str| {
            format!(
            "_csrf={csrf}&name=ESF&starts=2025-01-01&ends={ends}&granted_sek=23+731+055&cofinancing_rate=46+%25&target_hours=42000&{}={orebro}&{}=1000",
            urlencoding("employees.Örebro"),
            urlencoding("employees.Laxå")
        )
        };
        let r = app
            .page(
                "POST",
                "/finansiering",
                &coord,
                Some(&form("2024-01-01", "-3")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"err-ends\""));
        assert!(r.body.contains("Antal anställda i Örebro"));
        assert!(r.body.contains("value=\"46 %\""), "what was typed is kept");
        assert!(
            navet_store::funding::current(&db).await.unwrap().is_none(),
            "nothing saved"
        );
        let r = app
            .page(
                "POST",
                "/finansiering",
                &coord,
                Some(&form("2027-06-30", "9000")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let (_, p) = navet_store::funding::current(&db).await.unwrap().unwrap();
        assert_eq!(p.granted_sek, 23_731_055);
        assert!((p.commitment_for("Örebro") - 37_800.0).abs() < 1e-9);
        // Without the CSRF token nothing happens.
        let r = app
            .page("POST", "/finansiering", &coord, Some("name=x"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);
