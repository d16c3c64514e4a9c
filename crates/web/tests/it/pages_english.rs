//! The pages in English after the language switch, and unchanged in Swedish.

use crate::common;
use domain::ids::{MunicipalityId, PersonId};

use axum::http::StatusCode;
use common::TestApp;
use domain::access::{Role, Scope};
use navet_store::audit::Who;
use navet_store::testing::fixtures::person;
use navet_store::{both_engines, trainers, Db};

/// Switch the logged-in session to `lang`; returns the cookie header to use.
async fn switch(app: &TestApp, cookie: &str, lang: &str) -> String {
    let csrf = app.csrf_for(cookie, "/").await;
    let r = app
        .page(
            "POST",
            "/sprak",
            cookie,
            Some(&format!("_csrf={csrf}&lang={lang}&next=/")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    match r.cookies().into_iter().find(|c| c.contains("lang")) {
        Some(c) => format!("{cookie}; {}", c.split(';').next().unwrap()),
        None => cookie.to_string(),
    }
}

/// GET every page and check language attribute and the expected texts.
async fn check(app: &TestApp, cookie: &str, lang: &str, pages: &[(&str, &[&str])]) {
    for (path, texts) in pages {
        let r = app.page("GET", path, cookie, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert!(
            r.body.contains(&format!("<html lang=\"{lang}\">")),
            "{path} is not lang={lang}"
        );
        for t in *texts {
            assert!(r.body.contains(t), "{path} ({lang}) lacks {t:?}");
        }
    }
}

both_engines!(daily_pages_in_english_and_swedish, |db: Db| async move {
    let app = TestApp::new(db.clone());
    app.account("c@test.se", Role::Coordinator, None, Scope::default())
        .await;
    app.account("p@test.se", Role::Participant, None, Scope::default())
        .await;
    app.account("m@test.se", Role::Manager, None, Scope::default())
        .await;
    app.account("t@test.se", Role::Trainer, None, Scope::default())
        .await;
    let coord = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
    let part = app.login("p@test.se", "rätt-lösenord-123").await.unwrap();
    let manager = app.login("m@test.se", "rätt-lösenord-123").await.unwrap();
    let trainer = app.login("t@test.se", "rätt-lösenord-123").await.unwrap();

    let coord_sv: &[(&str, &[&str])] = &[
        (
            "/kurser",
            &["<h1>Kurser</h1>", "Inga kurser matchar filtret.", "Ny kurs"],
        ),
        (
            "/kurser/ny",
            &["Kursnamn", "Språkstöd som erbjuds", "Spara"],
        ),
        ("/tillfallen", &["Kurstillfällen", "Visa inställda"]),
        (
            "/tillfallen/ny",
            &["Nytt kurstillfälle", "Kvoter per kommun"],
        ),
        ("/narvaro", &["<h1>Närvaro</h1>"]),
        ("/intyg/utgaende", &["Intyg som går ut"]),
        ("/enkater", &["Enkäter", "Lägg till fråga"]),
    ];
    let coord_en: &[(&str, &[&str])] = &[
        (
            "/kurser",
            &[
                "<h1>Courses</h1>",
                "No courses match the filter.",
                "New course",
            ],
        ),
        (
            "/kurser/ny",
            &["Course title", "Language support offered", "Save"],
        ),
        ("/tillfallen", &["Course sessions", "Show cancelled"]),
        (
            "/tillfallen/ny",
            &["New session", "Quotas per municipality"],
        ),
        ("/narvaro", &["<h1>Attendance</h1>"]),
        ("/intyg/utgaende", &["Expiring certificates"]),
        ("/enkater", &["Surveys", "Add question"]),
    ];
    check(&app, &coord, "sv", coord_sv).await;
    let coord_en_cookie = switch(&app, &coord, "en").await;
    check(&app, &coord_en_cookie, "en", coord_en).await;
    let r = app.page("GET", "/kurser", &coord_en_cookie, None).await;
    assert!(!r.body.contains("Inga kurser"), "Swedish left on /kurser");
    // Back to Swedish: the texts are the Swedish ones again.
    let coord_sv_cookie = switch(&app, &coord, "sv").await;
    check(&app, &coord_sv_cookie, "sv", coord_sv).await;

    let part_sv: &[(&str, &[&str])] = &[
        ("/mina-bokningar", &["<h1>Mina bokningar</h1>"]),
        ("/mina-intyg", &["Mina kursintyg"]),
        ("/mina-enkater", &["Mina enkäter"]),
    ];
    let part_en: &[(&str, &[&str])] = &[
        ("/mina-bokningar", &["<h1>My bookings</h1>"]),
        ("/mina-intyg", &["My course certificates"]),
        ("/mina-enkater", &["My surveys"]),
    ];
    check(&app, &part, "sv", part_sv).await;
    let part = switch(&app, &part, "en").await;
    check(&app, &part, "en", part_en).await;

    let manager_sv: &[(&str, &[&str])] = &[
        ("/enheter", &["Mina enheter"]),
        ("/boka-personal", &["<h1>Boka personal</h1>"]),
    ];
    let manager_en: &[(&str, &[&str])] = &[
        ("/enheter", &["My units"]),
        ("/boka-personal", &["<h1>Book staff</h1>"]),
    ];
    check(&app, &manager, "sv", manager_sv).await;
    let manager = switch(&app, &manager, "en").await;
    check(&app, &manager, "en", manager_en).await;

    check(&app, &trainer, "sv", &[("/narvaro", &["<h1>Närvaro</h1>"])]).await;
    let trainer = switch(&app, &trainer, "en").await;
    check(
        &app,
        &trainer,
        "en",
        &[("/narvaro", &["<h1>Attendance</h1>"])],
    )
    .await;
});

both_engines!(planning_pages_in_english_and_swedish, |db: Db| async move {
    let who = Who::system("test");
    let ulla = person(&db, "Ulla", "Örebro").await;
    let mid: i64 = sqlx::query_scalar("SELECT id FROM municipalities WHERE name = 'Örebro'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    trainers::upsert(&db, &who, PersonId(ulla), MunicipalityId(mid), true)
        .await
        .unwrap();

    let app = TestApp::new(db.clone());
    app.account("c@test.se", Role::Coordinator, None, Scope::default())
        .await;
    let coord = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();
    let trainer = format!("/utbildningsledare/{ulla}");
    let absence = format!("/utbildningsledare/{ulla}/franvaro");

    let sv: Vec<(&str, &[&str])> = vec![
        (
            "/utbildningsledare",
            &["<h1>Utbildningsledare</h1>", "Lägg till utbildningsledare"],
        ),
        (&trainer, &["Certifieringar", "Behörig att leda"]),
        (
            &absence,
            &["<h1>Frånvaro för Ulla</h1>", "Registrera frånvaro"],
        ),
        (
            "/bemanning",
            &[
                "<h1>Bemanning</h1>",
                "Ingen utbildningsledare är frånvarande vid ett kommande kurstillfälle.",
            ],
        ),
    ];
    let en: Vec<(&str, &[&str])> = vec![
        (
            "/utbildningsledare",
            &["<h1>Trainers</h1>", "Add a trainer"],
        ),
        (&trainer, &["Certifications", "Qualified to lead"]),
        (&absence, &["<h1>Absence for Ulla</h1>", "Record absence"]),
        (
            "/bemanning",
            &[
                "<h1>Cover</h1>",
                "No trainer is absent at an upcoming course session.",
            ],
        ),
    ];
    check(&app, &coord, "sv", &sv).await;
    let coord_en = switch(&app, &coord, "en").await;
    check(&app, &coord_en, "en", &en).await;
    for (path, _) in &en {
        let r = app.page("GET", path, &coord_en, None).await;
        for sv_text in [
            "Utbildningsledare",
            "Bemanning",
            "Frånvaro",
            "Rätta följande",
        ] {
            assert!(
                !r.body.contains(&format!(">{sv_text}<")),
                "Swedish {sv_text:?} left on {path}"
            );
        }
    }

    // Form errors from the page and from the store, in English.
    let csrf = app.csrf_for(&coord_en, &absence).await;
    let r = app
        .page(
            "POST",
            &absence,
            &coord_en,
            Some(&format!("_csrf={csrf}&starts_on=x&ends_on=2026-01-01")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .body
        .contains("First day: enter a date such as 2026-03-14."));
    let r = app
        .page(
            "POST",
            &absence,
            &coord_en,
            Some(&format!(
                "_csrf={csrf}&starts_on=2026-02-01&ends_on=2026-01-01"
            )),
        )
        .await;
    assert!(r
        .body
        .contains("The last day cannot be before the first day."));

    let coord_sv = switch(&app, &coord, "sv").await;
    check(&app, &coord_sv, "sv", &sv).await;
    let csrf = app.csrf_for(&coord_sv, &absence).await;
    let r = app
        .page(
            "POST",
            &absence,
            &coord_sv,
            Some(&format!("_csrf={csrf}&starts_on=x&ends_on=2026-01-01")),
        )
        .await;
    assert!(r
        .body
        .contains("Första dagen: ange ett datum som 2026-03-14."));
});

both_engines!(report_pages_in_english_and_swedish, |db: Db| async move {
    let app = TestApp::new(db.clone());
    app.account("c@test.se", Role::Coordinator, None, Scope::default())
        .await;
    let coord = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();

    let sv: &[(&str, &[&str])] = &[
        (
            "/rapporter",
            &["<h1>Indikatorrapport</h1>", "Unika deltagare per kön"],
        ),
        (
            "/rapporter/import",
            &["<h1>Importera historiska deltaganden</h1>", "Granska filen"],
        ),
        ("/oversikt", &["<h1>Översikt ", "Deltagande över tid"]),
        (
            "/finansiering",
            &["<h1>Finansieringsprogram</h1>", "Spara programmet"],
        ),
    ];
    let en: &[(&str, &[&str])] = &[
        (
            "/rapporter",
            &["<h1>Indicator report</h1>", "Unique participants by gender"],
        ),
        (
            "/rapporter/import",
            &[
                "<h1>Import historical participations</h1>",
                "Check the file",
            ],
        ),
        ("/oversikt", &["<h1>Dashboard ", "Participation over time"]),
        (
            "/finansiering",
            &["<h1>Funding programme</h1>", "Save the programme"],
        ),
    ];
    check(&app, &coord, "sv", sv).await;
    let coord_en = switch(&app, &coord, "en").await;
    check(&app, &coord_en, "en", en).await;
    let r = app.page("GET", "/oversikt", &coord_en, None).await;
    assert!(
        !r.body.contains("Deltagartillfällen"),
        "Swedish left on /oversikt"
    );

    let csrf = app.csrf_for(&coord_en, "/finansiering").await;
    let r = app
        .page(
            "POST",
            "/finansiering",
            &coord_en,
            Some(&format!(
                "_csrf={csrf}&name=ESF&starts=2026-01-01&ends=2025-01-01&granted_sek=x&cofinancing_rate=0.5&target_hours=100"
            )),
        )
        .await;
    assert!(
        r.body
            .contains("Enter the amount granted in whole kronor, greater than 0."),
        "{}",
        r.body
    );
    assert!(r
        .body
        .contains("The end date must be after the start date."));

    let coord_sv = switch(&app, &coord, "sv").await;
    check(&app, &coord_sv, "sv", sv).await;
});

both_engines!(
    competence_pages_in_english_and_swedish,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        app.account("c@test.se", Role::Coordinator, None, Scope::default())
            .await;
        let coord = app.login("c@test.se", "rätt-lösenord-123").await.unwrap();

        let sv: &[(&str, &[&str])] = &[
            ("/behov", &["<h1>Behovstäckning</h1>"]),
            ("/kompetens", &["<h1>Kompetens</h1>", "Glappanalys"]),
            (
                "/kompetens/behov",
                &["<h1>Behovsinventering per yrkesgrupp</h1>", "Nytt behov"],
            ),
            ("/kompetens/krav", &["<h1>Kompetenskrav</h1>", "Inga krav."]),
            (
                "/kompetens/spar",
                &["<h1>Spår – yrkesresan</h1>", "Nytt spår"],
            ),
            ("/kompetens/paket", &["<h1>Paket</h1>", "Nytt paket"]),
            (
                "/kompetens/forkunskaper",
                &["<h1>Förkunskapskrav</h1>", "kräver först"],
            ),
            (
                "/kompetens/glapp",
                &["<h1>Glapp: ", "Glappen efter täckning"],
            ),
        ];
        let en: &[(&str, &[&str])] = &[
            ("/behov", &["<h1>Needs coverage</h1>"]),
            ("/kompetens", &["<h1>Competence</h1>", "Gap analysis"]),
            (
                "/kompetens/behov",
                &["<h1>Needs inventory by occupational group</h1>", "New need"],
            ),
            (
                "/kompetens/krav",
                &["<h1>Competence requirements</h1>", "No requirements."],
            ),
            (
                "/kompetens/spar",
                &["<h1>Tracks – the career path</h1>", "New track"],
            ),
            ("/kompetens/paket", &["<h1>Packages</h1>", "New package"]),
            (
                "/kompetens/forkunskaper",
                &["<h1>Prerequisites</h1>", "first requires"],
            ),
            ("/kompetens/glapp", &["<h1>Gaps: ", "Gaps by coverage"]),
        ];
        check(&app, &coord, "sv", sv).await;
        let coord_en = switch(&app, &coord, "en").await;
        check(&app, &coord_en, "en", en).await;
        let csrf = app.csrf_for(&coord_en, "/kompetens/forkunskaper").await;
        let r = app
            .page(
                "POST",
                "/kompetens/forkunskaper",
                &coord_en,
                Some(&format!("_csrf={csrf}&course_id=&requires_course_id=")),
            )
            .await;
        assert!(
            r.body
                .contains("Choose the course that has the prerequisite."),
            "{}",
            r.body
        );
        let coord_sv = switch(&app, &coord, "sv").await;
        check(&app, &coord_sv, "sv", sv).await;
    }
);

both_engines!(
    admin_and_form_pages_in_english_and_swedish,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        app.account("a@test.se", Role::Admin, None, Scope::default())
            .await;
        let admin = app.login("a@test.se", "rätt-lösenord-123").await.unwrap();

        let sv: &[(&str, &[&str])] = &[
            (
                "/admin/utskick",
                &["<h1>Utskick</h1>", "Bara ej levererade"],
            ),
            (
                "/kompetens/behov/ny",
                &["<h1>Nytt behov</h1>", "Spara behovet"],
            ),
            (
                "/kompetens/paket/ny",
                &["<h1>Nytt paket</h1>", "Spara paketet"],
            ),
            (
                "/kompetens/krav/ny",
                &["<h1>Nytt krav</h1>", "Vad som krävs"],
            ),
            (
                "/kompetens/spar/ny",
                &["<h1>Nytt spår</h1>", "Spara spåret"],
            ),
        ];
        let en: &[(&str, &[&str])] = &[
            ("/admin/utskick", &["<h1>Outbox</h1>", "Undelivered only"]),
            (
                "/kompetens/behov/ny",
                &["<h1>New need</h1>", "Save the need"],
            ),
            (
                "/kompetens/paket/ny",
                &["<h1>New package</h1>", "Save the package"],
            ),
            (
                "/kompetens/krav/ny",
                &["<h1>New requirement</h1>", "What is required"],
            ),
            (
                "/kompetens/spar/ny",
                &["<h1>New track</h1>", "Save the track"],
            ),
        ];
        check(&app, &admin, "sv", sv).await;
        let admin_en = switch(&app, &admin, "en").await;
        check(&app, &admin_en, "en", en).await;
        let admin_sv = switch(&app, &admin, "sv").await;
        check(&app, &admin_sv, "sv", sv).await;
    }
);
