//! The register extract through the API and the pages, and the access
//! review, on both engines: who may have whose extract (and the refusals in
//! the log), what the zip holds (JSON with every kind of data, a tagged PDF
//! with the Swedish headings), and the admins' review of who read what.

use crate::common;
use domain::ids::MunicipalityId;

use std::io::Read;

use axum::http::StatusCode;
use common::{TestApp, User};
use navet_store::audit::Who;
use navet_store::people::{self, PersonInput};
use navet_store::{both_engines, org, Db};

async fn person(db: &Db, name: &str, email: &str, unit: &str) -> i64 {
    let p = people::resolve(
        db,
        &PersonInput {
            name: name.into(),
            email: email.into(),
            gender: "kvinna".into(),
            role: "undersköterska".into(),
            municipality: "Kumla".into(),
            unit: unit.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    people::create(db, &Who::system("test"), &p, false)
        .await
        .unwrap()
}

/// Kumla with two units; Åsa in the first, Bo in the second.
async fn scene(db: &Db) -> (i64, i64, i64) {
    let m = org::municipality_by_name(db, "Kumla")
        .await
        .unwrap()
        .unwrap();
    let a = org::create_unit(db, MunicipalityId(m.id), "Solgården", "aldreomsorg", false)
        .await
        .unwrap();
    org::create_unit(db, MunicipalityId(m.id), "Linden", "aldreomsorg", false)
        .await
        .unwrap();
    let asa = person(db, "Åsa Öberg", "asa.oberg@kumla.se", "Solgården").await;
    let bo = person(db, "Bo Ek", "bo.ek@kumla.se", "Linden").await;
    (a, asa, bo)
}

async fn raw(
    app: &TestApp,
    path: &str,
    user: &User,
) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::get(path)
        .header("authorization", format!("Bearer {}", user.token))
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = app.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, bytes, headers)
}

fn files(zip_bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("a zip");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = vec![];
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

fn pdf_text(pdf: &[u8]) -> Option<String> {
    // The SQLite and PostgreSQL runs of a test share the process and often
    // make PDFs of the same length: a counter keeps their files apart.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("navet-rx-{}-{n}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&path);
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn actions_about(db: &Db, person_id: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log WHERE person_id = $1 ORDER BY id")
        .bind(person_id)
        .fetch_all(db.pool())
        .await
        .unwrap()
}

both_engines!(who_may_have_whose_extract, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let (unit_a, asa, bo) = scene(&db).await;
    let coord = app.coordinator().await;
    let manager = app.manager_of_unit(unit_a).await;
    let asa_user = app.participant(asa).await;

    // A coordinator: the zip with JSON and a tagged PDF.
    let (st, bytes, headers) = raw(&app, &format!("/api/v1/people/{asa}/extract"), &coord).await;
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], "application/zip");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("registerutdrag-{asa}.zip")));
    let f = files(&bytes);
    let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["registerutdrag.json", "registerutdrag.pdf"]);
    let json: serde_json::Value = serde_json::from_slice(&f[0].1).unwrap();
    assert_eq!(json["format"], "navet-registerutdrag-1");
    assert_eq!(json["person_id"], asa);
    let tables = json["tables"].as_array().unwrap();
    assert_eq!(tables.len(), domain::register_extract::SOURCES.len());
    assert_eq!(tables[0]["rows"][0]["name"], "Åsa Öberg");
    assert_eq!(tables[0]["rows"][0]["unit"], "Solgården");
    let accounts = tables.iter().find(|t| t["table"] == "accounts").unwrap();
    assert_eq!(accounts["rows"][0]["email"], asa_user.email.as_str());
    assert_eq!(accounts["rows"][0]["password_hash"], "finns (visas inte)");
    assert!(!String::from_utf8_lossy(&f[0].1).contains("$argon2"));
    let pdf = &f[1].1;
    assert!(pdf.starts_with(b"%PDF"));
    let raw_pdf = String::from_utf8_lossy(pdf);
    assert!(
        raw_pdf.contains("/StructTreeRoot") && raw_pdf.contains("/Marked true"),
        "tagged"
    );
    if let Some(text) = pdf_text(pdf) {
        for heading in [
            "Registerutdrag för Åsa Öberg",
            "Personuppgifter",
            "Konto",
            "Anmälningar och väntelistor",
            "Kursintyg och genomförda kurser",
            "Vem som har läst eller ändrat uppgifterna",
            "Kompetenskrav och glapp",
            "Det här finns inte med",
        ] {
            assert!(text.contains(heading), "{heading} in {text}");
        }
    }
    let log = actions_about(&db, asa).await;
    assert!(
        log.contains(&"privacy.extract.request".to_string()),
        "{log:?}"
    );
    assert!(
        log.contains(&"privacy.extract.delivered".to_string()),
        "{log:?}"
    );

    // The manager of her unit may; of Bo's unit not (403, logged under Bo).
    let (st, _, _) = raw(&app, &format!("/api/v1/people/{asa}/extract"), &manager).await;
    assert_eq!(st, StatusCode::OK);
    let (st, body, _) = raw(&app, &format!("/api/v1/people/{bo}/extract"), &manager).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let err: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        err["error"],
        "Personen hör inte till någon av dina enheter."
    );
    assert_eq!(
        actions_about(&db, bo).await,
        ["person.create", "privacy.extract.denied"],
        "nothing read, the refusal logged"
    );

    // A participant: her own, not Bo's; nobody's that does not exist.
    let (st, _, _) = raw(&app, &format!("/api/v1/people/{asa}/extract"), &asa_user).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, _) = raw(&app, &format!("/api/v1/people/{bo}/extract"), &asa_user).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, _) = raw(&app, "/api/v1/people/999999/extract", &coord).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let r = app
        .get(&format!("/api/v1/people/{asa}/extract"), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
});

both_engines!(the_pages_offer_the_extract, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let (unit_a, asa, bo) = scene(&db).await;
    let coord = app.coordinator().await;
    let cookie = app.login(&coord.email, common::PASSWORD).await.unwrap();
    let page = app
        .page("GET", &format!("/personal/{asa}"), &cookie, None)
        .await;
    assert!(
        page.body
            .contains(&format!("/personal/{asa}/registerutdrag")),
        "{}",
        page.body
    );
    let r = app
        .page(
            "GET",
            &format!("/personal/{asa}/registerutdrag"),
            &cookie,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/zip");

    let asa_user = app.participant(asa).await;
    let own = app.login(&asa_user.email, common::PASSWORD).await.unwrap();
    let mine = app.page("GET", "/mina-uppgifter", &own, None).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine
        .body
        .contains(&format!("/personal/{asa}/registerutdrag")));
    assert!(mine.body.contains("Ladda ner registerutdrag"));
    let r = app
        .page("GET", &format!("/personal/{bo}/registerutdrag"), &own, None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body
            .contains("Du kan bara se och ändra dina egna uppgifter."),
        "{}",
        r.body
    );

    let manager = app.manager_of_unit(unit_a).await;
    let mc = app.login(&manager.email, common::PASSWORD).await.unwrap();
    let r = app
        .page("GET", &format!("/personal/{bo}/registerutdrag"), &mc, None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r
        .body
        .contains("Personen hör inte till någon av dina enheter."));
});

both_engines!(admins_review_who_read_whose_data, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let (unit_a, asa, bo) = scene(&db).await;
    let manager = app.manager_of_unit(unit_a).await;
    let admin = app.admin().await;
    for id in [asa, bo] {
        app.get(&format!("/api/v1/people/{id}"), manager.auth())
            .await;
    }
    let r = app
        .get(
            &format!("/api/v1/access-review?person_id={asa}"),
            admin.auth(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    let entries = j["entries"].as_array().unwrap();
    assert!(entries.iter().all(|e| e["person_id"] == asa));
    assert!(entries
        .iter()
        .any(|e| e["reader_account_id"] == manager.id && e["action"] == "person.read"));
    // Pages of one, linked by `next`.
    let r = app.get("/api/v1/access-review?limit=1", admin.auth()).await;
    let first = r.json();
    assert_eq!(first["entries"].as_array().unwrap().len(), 1);
    let next = first["next"].as_i64().expect("a next page");
    let r = app
        .get(
            &format!("/api/v1/access-review?limit=1&before={next}"),
            admin.auth(),
        )
        .await;
    assert!(
        r.json()["entries"][0]["id"].as_i64().unwrap()
            < first["entries"][0]["id"].as_i64().unwrap()
    );
    // Bad input names the field; others may not look.
    let r = app
        .get("/api/v1/access-review?from=igår", admin.auth())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["field"], "from");
    let r = app.get("/api/v1/access-review", manager.auth()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.get("/api/v1/access-review/unusual", admin.auth()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), serde_json::json!([]), "two reads are not unusual");

    // The page and its CSV.
    let cookie = app.login(&admin.email, common::PASSWORD).await.unwrap();
    let page = app
        .page(
            "GET",
            &format!("/admin/atkomst?person={asa}"),
            &cookie,
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Åsa Öberg"));
    assert!(!page.body.contains("Bo Ek"));
    let page = app
        .page("GET", "/admin/atkomst?person=x12", &cookie, None)
        .await;
    assert!(page.body.contains("Ange ett id med bara siffror."));
    let csv = app
        .page(
            "GET",
            "/admin/atkomst.csv?person=&reader=&kommun=&from=&to=",
            &cookie,
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("id;tid;"));
    assert!(csv.body.contains("Åsa Öberg") && csv.body.contains("Bo Ek"));
});

both_engines!(
    a_municipalitys_data_protection_officer_reviews_its_part_only,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let (unit_a, asa, _bo) = scene(&db).await;
        let kumla = org::municipality_by_name(&db, "Kumla")
            .await
            .unwrap()
            .unwrap();
        let orebro = org::municipality_by_name(&db, "Örebro")
            .await
            .unwrap()
            .unwrap();
        let cia = {
            let p = people::resolve(
                &db,
                &PersonInput {
                    name: "Cia Örebrosson".into(),
                    email: "cia@orebro.se".into(),
                    gender: "kvinna".into(),
                    role: "undersköterska".into(),
                    municipality: "Örebro".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            people::create(&db, &Who::system("test"), &p, false)
                .await
                .unwrap()
        };
        let coordinator = app.coordinator().await;
        for id in [asa, cia] {
            let r = app
                .get(&format!("/api/v1/people/{id}"), coordinator.auth())
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        // Kumla's data protection officer: an account for the whole
        // municipality. Kumla's part by default, with Kumla's people only.
        let dpo = app.manager_of_municipality(kumla.id).await;
        let r = app.get("/api/v1/access-review", dpo.auth()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let entries = r.json()["entries"].as_array().unwrap().clone();
        assert!(entries.iter().any(|e| e["person_id"] == asa));
        assert!(entries.iter().all(|e| e["municipality"] == "Kumla"));
        // Another municipality's part is refused, and so is a person there.
        for path in [
            format!("/api/v1/access-review?municipality_id={}", orebro.id),
            format!(
                "/api/v1/access-review/unusual?municipality_id={}",
                orebro.id
            ),
        ] {
            let r = app.get(&path, dpo.auth()).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
        }
        let r = app
            .get(
                &format!("/api/v1/access-review?person_id={cia}"),
                dpo.auth(),
            )
            .await;
        assert_eq!(r.json()["entries"], serde_json::json!([]));
        let r = app.get("/api/v1/access-review/unusual", dpo.auth()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Not a unit manager, a coordinator or a participant.
        let unit_manager = app.manager_of_unit(unit_a).await;
        let participant = app.participant(asa).await;
        for u in [&unit_manager, &coordinator, &participant] {
            let r = app
                .get(
                    &format!("/api/v1/access-review?municipality_id={}", kumla.id),
                    u.auth(),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        }
        // The page and the CSV, scoped the same way.
        let cookie = app.login(&dpo.email, common::PASSWORD).await.unwrap();
        let page = app.page("GET", "/admin/atkomst", &cookie, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Åsa Öberg"));
        assert!(!page.body.contains("Cia Örebrosson"));
        assert!(!page.body.contains(">Örebro</option>"));
        let page = app
            .page(
                "GET",
                &format!("/admin/atkomst?kommun={}", orebro.id),
                &cookie,
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let csv = app
            .page("GET", "/admin/atkomst.csv?kommun=", &cookie, None)
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains("Åsa Öberg") && !csv.body.contains("Cia Örebrosson"));
    }
);
