//! The lists behind the start pages, on both engines: the unit page's gaps
//! grouped by course, booking staff from a gap (exactly those people,
//! pre-selected, namesakes told apart, the nearest sessions first), the
//! coordinator's session calendar and filters, the steering group's
//! one-page PDF, and the catalogue's search, "kommer snart" and
//! municipality figures.

use crate::common;
use domain::ids::MunicipalityId;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{TestApp, PASSWORD};
use domain::access::Role;
use domain::requirements::RequirementDraft;
use navet_store::audit::Who;
use navet_store::catalogue::CourseExtras;
use navet_store::testing::fixtures::{self, person};
use navet_store::{both_engines, org, Db};

const DAY: i64 = 86_400;

async fn muni(db: &Db, name: &str) -> i64 {
    org::municipality_by_name(db, name)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A session of `course` at `start` (3 hours) in a municipality.
async fn session_at(db: &Db, course: i64, start: i64, municipality: &str, status: &str) -> i64 {
    let m = muni(db, municipality).await;
    sqlx::query_scalar(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'Sal 1', 12, 3, $5, 0, 0) RETURNING id",
    )
    .bind(course)
    .bind(start)
    .bind(start + 3 * 3600)
    .bind(m)
    .bind(status)
    .fetch_one(db.writer())
    .await
    .unwrap()
}

/// 09:00 Stockholm time on a day.
fn nine(d: &str) -> i64 {
    navet_store::time::day_start(NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()) + 9 * 3600
}

/// 09:00 local, `days` from today (never near midnight).
fn days_ahead(days: i64) -> i64 {
    let today = navet_store::time::local_date(navet_store::time::now());
    navet_store::time::day_start(today + chrono::Duration::days(days)) + 9 * 3600
}

async fn set_unit(db: &Db, person: i64, unit: i64, employee_no: &str) {
    sqlx::query("UPDATE people SET unit_id = $1, employee_no = $2 WHERE id = $3")
        .bind(unit)
        .bind(employee_no)
        .bind(person)
        .execute(db.writer())
        .await
        .unwrap();
}

/// Everything between two markers of a page.
fn between<'a>(body: &'a str, from: &str, to: &str) -> &'a str {
    let a = body.find(from).unwrap_or_else(|| panic!("no {from}"));
    let rest = &body[a..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

/// A unit of 40 (two of them both called Anna Berg) who all lack a
/// required course, one of them already booked; a colleague at another
/// unit; sessions in Nora (soonest), Örebro and Kumla (the unit's own,
/// last); the unit's manager signed in.
struct Gap {
    app: TestApp,
    cookie: String,
    unit: i64,
    other: i64,
    req: i64,
    people: Vec<i64>,
    nora: i64,
    orebro: i64,
    home: i64,
}

impl Gap {
    /// The staff-booking page for the gap.
    fn href(&self) -> String {
        format!("/boka-personal?krav={}&enhet={}", self.req, self.unit)
    }

    async fn get(&self, path: &str) -> common::Resp {
        self.app.page("GET", path, &self.cookie, None).await
    }
}

async fn gap(db: &Db) -> Gap {
    let app = TestApp::new(db.clone());
    let kumla = muni(db, "Kumla").await;
    let unit = org::create_unit(db, MunicipalityId(kumla), "Solrosen", "aldreomsorg", false)
        .await
        .unwrap();
    let other = org::create_unit(db, MunicipalityId(kumla), "Vallen", "aldreomsorg", false)
        .await
        .unwrap();
    let course = fixtures::course(db, "Basala hygienrutiner").await;
    let role: i64 = sqlx::query_scalar("SELECT MIN(id) FROM roles")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let req = navet_store::requirements::create(
        db,
        &Who::system("test"),
        &RequirementDraft {
            role_id: role.to_string(),
            scope: "region".into(),
            kind: "course".into(),
            course_id: course.to_string(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut people = vec![];
    for i in 0..38 {
        let p = person(db, &format!("Person {i:02}"), "Kumla").await;
        set_unit(db, p, unit, &format!("K{i:03}")).await;
        people.push(p);
    }
    for no in ["E-1", "E-2"] {
        let p = sqlx::query_scalar(
            "INSERT INTO people (name, email, gender, role_id, municipality_id, synthetic, created_at, updated_at) \
             VALUES ('Anna Berg', $1, 'kvinna', $2, $3, 1, 0, 0) RETURNING id",
        )
        .bind(format!("anna.berg.{no}@test.se"))
        .bind(role)
        .bind(kumla)
        .fetch_one(db.writer())
        .await
        .unwrap();
        set_unit(db, p, unit, no).await;
        people.push(p);
    }
    let elsewhere = person(db, "Olle Annan", "Kumla").await;
    set_unit(db, elsewhere, other, "V1").await;
    let nora = session_at(db, course, days_ahead(3), "Nora", "open").await;
    let orebro = session_at(db, course, days_ahead(5), "Örebro", "open").await;
    let home = session_at(db, course, days_ahead(20), "Kumla", "open").await;
    sqlx::query(
        "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, 'booked', 0, 0)",
    )
    .bind(home)
    .bind(people[0])
    .execute(db.writer())
    .await
    .unwrap();
    let boss = app.manager_of_unit(unit).await;
    let cookie = app.login(&boss.email, PASSWORD).await.unwrap();
    Gap {
        app,
        cookie,
        unit,
        other,
        req,
        people,
        nora,
        orebro,
        home,
    }
}

both_engines!(
    the_unit_page_shows_a_gap_as_one_row_with_its_people_folded,
    |db: Db| async move {
        let g = gap(&db).await;
        // One row for the requirement, all 40 counted, one already booked.
        let r = g.get(&format!("/enheter/{}", g.unit)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let gaps = between(&r.body, "id=\"glapp\"", "id=\"bokningar\"");
        assert_eq!(
            gaps.matches("<tr data-requirement-id=").count(),
            1,
            "{gaps}"
        );
        assert!(gaps.contains(&format!(
            "data-requirement-id=\"{}\" data-people=\"40\"",
            g.req
        )));
        assert!(gaps.contains("40 personer"), "{gaps}");
        assert!(gaps.contains("1 redan bokade"), "{gaps}");
        assert!(gaps.contains("<details class=\"names\">"));
        assert!(!gaps.contains("Olle Annan"));
        assert!(gaps.contains(&g.href().replace('&', "&#38;")), "{gaps}");
        assert!(gaps.contains("Boka 39"), "{gaps}");
        // One row per person and requirement no more: the page is short.
        // The staff list of 40 is folded away (the browser test measures the
        // page's height).
        assert!(r
            .body
            .contains("<details class=\"section\"><summary>40 personer – visa listan"));
    }
);

both_engines!(
    booking_from_a_gap_offers_the_nearest_session_and_exactly_those_without_a_seat,
    |db: Db| async move {
        let g = gap(&db).await;
        let r = g.get(&g.href()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let body = &r.body;
        assert!(
            body.contains("Basala hygienrutiner</strong>, Solrosen: 39 personer"),
            "{body}"
        );
        // Nearest first: Kumla itself, then Örebro (≈22 km), then Nora.
        let pos = |id: i64| body.find(&format!("<option value=\"{id}\"")).unwrap();
        assert!(pos(g.home) < pos(g.orebro) && pos(g.orebro) < pos(g.nora));
        assert!(
            body.contains(&format!("<option value=\"{}\" selected>", g.home)),
            "the nearest is chosen"
        );
        assert!(body.contains("samma kommun"));
        assert!(body.contains("≈22 km"), "{body}");
        // Exactly the 39 without a booking, every one pre-selected; the one
        // booked and the one at another unit are not there.
        let form = between(
            body,
            "<form method=\"post\" action=\"/boka-personal\"",
            "</form>",
        );
        assert_eq!(form.matches("name=\"people\"").count(), 39, "{form}");
        assert_eq!(form.matches(" checked>").count(), 39);
        assert!(!form.contains(&format!("name=\"people\" value=\"{}\"", g.people[0])));
        assert!(!form.contains("Olle Annan"));
        // Namesakes are told apart by employee number; others are not labelled.
        assert!(
            form.contains("anst.nr E-1") && form.contains("anst.nr E-2"),
            "{form}"
        );
        assert!(!form.contains("anst.nr K001"));
    }
);

both_engines!(
    booking_a_few_from_a_gap_books_exactly_those,
    |db: Db| async move {
        let g = gap(&db).await;
        let csrf = g.app.csrf_for(&g.cookie, "/boka-personal").await;
        let chosen = format!("people={}&people={}", g.people[1], g.people[2]);
        let r = g
            .app
            .page(
                "POST",
                "/boka-personal",
                &g.cookie,
                Some(&format!(
                    "_csrf={csrf}&session_id={}&{chosen}&enhet={}",
                    g.home, g.unit
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let booked: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM bookings WHERE session_id = $1 AND status = 'booked'",
        )
        .bind(g.home)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(booked, 3);
        // Back on the unit page, 37 are left to book.
        let r = g.get(&format!("/enheter/{}", g.unit)).await;
        assert!(
            r.body.contains("Boka 37"),
            "{}",
            between(&r.body, "id=\"glapp\"", "id=\"bokningar\"")
        );
    }
);

both_engines!(
    the_staff_booking_page_keeps_to_the_managers_own_unit,
    |db: Db| async move {
        let g = gap(&db).await;
        // The unit filter without a gap: only that unit's people.
        let r = g
            .get(&format!(
                "/boka-personal?enhet={}&tillfalle={}",
                g.unit, g.home
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Person 05") && !r.body.contains("Olle Annan"));
        // A gap at a unit that is not the manager's is refused, and an
        // unknown requirement is not found.
        let status = |krav: String, enhet: i64| {
            let g = &g;
            async move {
                g.get(&format!("/boka-personal?krav={krav}&enhet={enhet}"))
                    .await
                    .status
            }
        };
        assert_eq!(
            status(g.req.to_string(), g.other).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(status("999999".into(), g.unit).await, StatusCode::NOT_FOUND);
        assert_eq!(status("x".into(), g.unit).await, StatusCode::BAD_REQUEST);
    }
);

both_engines!(the_session_calendar_and_filters, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let course = fixtures::course(&db, "Sårvård").await;
    let other = fixtures::course(&db, "Förflyttning").await;
    // The week of Thursday 2030-03-14 runs 11–17 March.
    let a = session_at(&db, course, nine("2030-03-12"), "Örebro", "open").await;
    let b = session_at(&db, course, nine("2030-03-20"), "Örebro", "open").await;
    let c = session_at(&db, other, nine("2030-03-13"), "Nora", "planned").await;
    let d = session_at(&db, course, nine("2030-04-02"), "Nora", "cancelled").await;
    let (_, cookie) = app.signed_in("samordnare@test.se", Role::Coordinator).await;
    let has = |body: &str, id: i64| body.contains(&format!("href=\"/kurstillfallen/{id}\""));

    let r = app
        .page(
            "GET",
            "/tillfallen?vy=vecka&datum=2030-03-14",
            &cookie,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Vecka 11, 2030-03-11 – 2030-03-17"),
        "{}",
        r.body
    );
    assert!(has(&r.body, a) && has(&r.body, c) && !has(&r.body, b));
    assert!(
        r.body.contains("datum=2030-03-07") && r.body.contains("datum=2030-03-21"),
        "previous and next"
    );
    let nora = muni(&db, "Nora").await;
    let r = app
        .page(
            "GET",
            &format!("/tillfallen?vy=vecka&datum=2030-03-14&kommun={nora}"),
            &cookie,
            None,
        )
        .await;
    assert!(has(&r.body, c) && !has(&r.body, a));

    let r = app
        .page(
            "GET",
            "/tillfallen?vy=manad&datum=2030-03-01",
            &cookie,
            None,
        )
        .await;
    assert!(r.body.contains("mars 2030"));
    assert!(has(&r.body, a) && has(&r.body, b) && has(&r.body, c) && !has(&r.body, d));
    assert_eq!(
        r.body
            .matches("<th scope=\"row\" class=\"weekno\">")
            .count(),
        5,
        "9–31 March span five weeks"
    );
    let r = app
        .page(
            "GET",
            &format!("/tillfallen?vy=manad&datum=2030-03-01&kurs={course}&status=planned"),
            &cookie,
            None,
        )
        .await;
    assert!(
        !has(&r.body, a) && !has(&r.body, c),
        "c is planned but another course"
    );

    // The list with a date range and a status; cancelled only when asked.
    let r = app
        .page(
            "GET",
            "/tillfallen?fran=2030-03-13&till=2030-04-30",
            &cookie,
            None,
        )
        .await;
    assert!(has(&r.body, b) && has(&r.body, c) && !has(&r.body, a) && !has(&r.body, d));
    let r = app
        .page(
            "GET",
            "/tillfallen?fran=2030-03-01&till=2030-04-30&status=cancelled",
            &cookie,
            None,
        )
        .await;
    assert!(has(&r.body, d) && !has(&r.body, a));
    // Dates stay on one line.
    assert!(r.body.contains("<th scope=\"row\" class=\"when\">"));
    // Bad dates: a message naming the field, and the page still answers.
    let r = app
        .page(
            "GET",
            "/tillfallen?fran=2030-13-45&till=2030-01-01",
            &cookie,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains("Från och med: &#34;2030-13-45&#34; är inte ett datum"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"err-fran\""));
    let r = app
        .page(
            "GET",
            "/tillfallen?fran=2030-03-20&till=2030-03-01",
            &cookie,
            None,
        )
        .await;
    assert!(r
        .body
        .contains("Till och med: slutdatumet är före startdatumet."));
    let r = app
        .page("GET", "/tillfallen?status=kanske", &cookie, None)
        .await;
    assert!(r.body.contains("Status: okänd status."));
    let long = "9".repeat(5000);
    let r = app
        .page(
            "GET",
            &format!("/tillfallen?vy=vecka&datum={long}"),
            &cookie,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"err-datum\""));
});

both_engines!(the_board_gets_one_tagged_page, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let (_, cookie) = app.signed_in("styrgrupp@test.se", Role::Steering).await;
    let r = app.page("GET", "/", &cookie, None).await;
    assert!(r.body.contains("href=\"/mal.pdf\""));
    let r = app.page("GET", "/mal.pdf", &cookie, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let pdf = r.body.as_bytes();
    assert!(pdf.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(pdf);
    assert!(text.contains("/StructTreeRoot") && text.contains("/Marked true"));
    let (_, cookie) = app.signed_in("deltagare@test.se", Role::Participant).await;
    let r = app.page("GET", "/mal.pdf", &cookie, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

both_engines!(finding_courses, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let hyg = fixtures::course_with(
        &db,
        "Basala hygienrutiner",
        CourseExtras {
            description: "Det här lär du dig: handhygien och ÖVERKLÄDER.".into(),
            ..Default::default()
        },
    )
    .await;
    let mun = fixtures::course(&db, "Munvård för äldre").await;
    sqlx::query("UPDATE courses SET status = 'under_utveckling' WHERE id = $1")
        .bind(mun)
        .execute(db.writer())
        .await
        .unwrap();
    let old = fixtures::course(&db, "Gammal kurs").await;
    sqlx::query("UPDATE courses SET status = 'avvecklad' WHERE id = $1")
        .bind(old)
        .execute(db.writer())
        .await
        .unwrap();
    let s1 = session_at(&db, hyg, days_ahead(40), "Örebro", "open").await;
    let _s2 = session_at(&db, hyg, days_ahead(10), "Nora", "open").await;
    let _ = s1;
    let (_, cookie) = app
        .signed_in("medarbetare@test.se", Role::Participant)
        .await;
    // Case, å/ä/ö and the description: "överkläder" in any case.
    for q in ["%C3%B6verkl%C3%A4der", "%C3%96VERKL%C3%84DER", "Hygien"] {
        let r = app
            .page("GET", &format!("/kurser?q={q}"), &cookie, None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(&format!("/kurser/{hyg}\"")), "{q}");
        assert!(
            r.body.contains("1 kurs<") || r.body.contains("1 kurs "),
            "singular: {q}"
        );
    }
    // Under development: listed as "kommer snart"; retired: not listed.
    let r = app.page("GET", "/kurser", &cookie, None).await;
    assert!(between(&r.body, &format!("/kurser/{mun}\""), "</tr>").contains("kommer snart"));
    assert!(!r.body.contains(&format!("/kurser/{old}\"")));
    assert!(r.body.contains("2 kurser"));
    let r = app
        .page("GET", &format!("/kurser/{mun}"), &cookie, None)
        .await;
    assert!(r.body.contains("går inte att boka än"));
    // With a municipality: that municipality's next session and seats.
    let orebro = muni(&db, "Örebro").await;
    let r = app
        .page("GET", &format!("/kurser?kommun={orebro}"), &cookie, None)
        .await;
    let row = between(&r.body, &format!("/kurser/{hyg}\""), "</tr>");
    let when = navet_store::time::local_date(days_ahead(40)).to_string();
    assert!(
        row.contains(&when),
        "the Örebro session, not Nora's sooner one: {row}"
    );
    assert!(row.contains("data-label=\"Lediga platser\">12<"), "{row}");
    let r = app.page("GET", "/kurser", &cookie, None).await;
    let row = between(&r.body, &format!("/kurser/{hyg}\""), "</tr>");
    assert!(row.contains("data-label=\"Lediga platser\">24<"), "{row}");
    let _ = DAY;
});
