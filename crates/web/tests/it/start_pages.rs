//! Each role's start page: every card's count against data the test made,
//! the trainer's own pages (sessions, absence, teaching feed), and the
//! steering group's read-only access, on both engines.

use crate::common;
use domain::ids::{MunicipalityId, PersonId};

use axum::http::StatusCode;
use common::{TestApp, PASSWORD};
use domain::access::Role;
use navet_store::audit::Who;
use navet_store::testing::fixtures::{self, person};
use navet_store::{both_engines, org, Db};

const DAY: i64 = 86_400;

fn now() -> i64 {
    navet_store::time::now()
}

async fn muni(db: &Db, name: &str) -> i64 {
    org::municipality_by_name(db, name)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A session of `course` starting `start` (3 hours) in Örebro.
async fn session(db: &Db, course: i64, start: i64, status: &str) -> i64 {
    let m = muni(db, "Örebro").await;
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

async fn book(db: &Db, session: i64, person: i64, status: &str, cancelled_at: Option<i64>) {
    sqlx::query(
        "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at, cancelled_at) VALUES ($1, $2, $3, 0, 0, $4)",
    )
    .bind(session)
    .bind(person)
    .bind(status)
    .bind(cancelled_at)
    .execute(db.writer())
    .await
    .unwrap();
}

async fn completion(db: &Db, person: i64, course: i64, completed: &str, expires: &str, no: &str) {
    sqlx::query(
        "INSERT INTO completions (person_id, course_id, completed_on, hours, certificate_no, expires_on, created_at, verify_code) \
         VALUES ($1, $2, $3, 3, $4, $5, 0, $4)",
    )
    .bind(person)
    .bind(course)
    .bind(completed)
    .bind(no)
    .bind(expires)
    .execute(db.writer())
    .await
    .unwrap();
}

async fn set_unit(db: &Db, person: i64, unit: i64) {
    sqlx::query("UPDATE people SET unit_id = $1 WHERE id = $2")
        .bind(unit)
        .bind(person)
        .execute(db.writer())
        .await
        .unwrap();
}

fn day(ts: i64) -> String {
    navet_store::time::local_date(ts).to_string()
}

/// The number a card shows (`data-count` after `id="card-…"`).
fn card(body: &str, id: &str) -> i64 {
    let at = body
        .find(&format!("id=\"card-{id}\""))
        .unwrap_or_else(|| panic!("no card {id}"));
    let rest = &body[at..];
    let c = rest.find("data-count=\"").expect("count") + 12;
    rest[c..c + rest[c..].find('"').unwrap()].parse().unwrap()
}

/// The text of a card, up to the next card.
fn card_text<'a>(body: &'a str, id: &str) -> &'a str {
    let at = body.find(&format!("id=\"card-{id}\"")).unwrap();
    let rest = &body[at..];
    let end = rest[1..].find("<section").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

both_engines!(participant_sees_their_day, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let hlr = fixtures::course(&db, "HLR vuxen").await;
    let sar = fixtures::course(&db, "Sårvård").await;
    let pia = person(&db, "Pia", "Örebro").await;
    let ola = person(&db, "Ola", "Örebro").await;
    // Pia's next booking is in five days; a later one and Ola's sooner one
    // do not show.
    let next = session(&db, sar, now() + 5 * DAY, "open").await;
    let later = session(&db, hlr, now() + 20 * DAY, "open").await;
    let olas = session(&db, sar, now() + 2 * DAY, "open").await;
    book(&db, next, pia, "booked", None).await;
    book(&db, later, pia, "booked", None).await;
    book(&db, olas, ola, "booked", None).await;
    // An offer of a seat, waiting for her answer.
    sqlx::query(
        "INSERT INTO session_holds (session_id, kind, municipality_id, person_id, quota_seats, general_seats, expires_at, created_at) \
         VALUES ($1, 'offer', $2, $3, 0, 1, $4, 0)",
    )
    .bind(olas)
    .bind(muni(&db, "Örebro").await)
    .bind(pia)
    .bind(now() + 3 * DAY)
    .execute(db.writer())
    .await
    .unwrap();
    // Surveys: one sent and unanswered, one answered, one not yet sent.
    let held = session(&db, sar, now() - 30 * DAY, "held").await;
    for (kind, sent, answered) in [
        ("participant", 1, 0),
        ("manager_follow_up", 1, 1),
        ("x", 0, 0),
    ] {
        sqlx::query(
            "INSERT INTO survey_invitations (survey_kind, session_id, person_id, token_hash, due_on, sent, answered, created_at) \
             VALUES ($1, $2, $3, $4, '2026-01-01', $5, $6, 0)",
        )
        .bind(kind)
        .bind(held)
        .bind(pia)
        .bind(format!("hash-{kind}"))
        .bind(sent)
        .bind(answered)
        .execute(db.writer())
        .await
        .unwrap();
    }
    // HLR expires in 30 days (the session in 20 days renews it); Sårvård
    // expired long ago and was not renewed.
    completion(&db, pia, hlr, "2024-01-10", &day(now() + 30 * DAY), "N-1").await;
    completion(&db, pia, sar, "2020-01-10", "2021-01-10", "N-2").await;

    let u = app.participant(pia).await;
    let cookie = app.login(&u.email, PASSWORD).await.unwrap();
    let r = app.page("GET", "/", &cookie, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let next_card = card_text(&r.body, "next");
    assert!(
        next_card.contains(&format!("/kurstillfallen/{next}")),
        "{next_card}"
    );
    assert!(next_card.contains("Sårvård"));
    assert!(next_card.contains("/kalender/"), "calendar link");
    assert_eq!(card(&r.body, "offers"), 1);
    assert_eq!(card(&r.body, "surveys"), 1);
    assert_eq!(card(&r.body, "expiring"), 1);
    let exp = card_text(&r.body, "expiring");
    assert!(exp.contains(&format!("/kurstillfallen/{later}")), "{exp}");
    assert!(exp.contains("Boka repetition"));
    assert_eq!(card(&r.body, "track"), 2);
    assert!(r.body.contains("href=\"/min-kompetens\""));
});

both_engines!(manager_sees_their_units, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let orebro = muni(&db, "Örebro").await;
    let mine = org::create_unit(&db, MunicipalityId(orebro), "Ängen", "aldreomsorg", false)
        .await
        .unwrap();
    let other = org::create_unit(&db, MunicipalityId(orebro), "Backen", "aldreomsorg", false)
        .await
        .unwrap();
    let course = fixtures::course(&db, "Förflyttning").await;
    let anna = person(&db, "Anna", "Örebro").await;
    let bo = person(&db, "Bo", "Örebro").await;
    let cai = person(&db, "Cai", "Örebro").await;
    set_unit(&db, anna, mine).await;
    set_unit(&db, bo, mine).await;
    set_unit(&db, cai, other).await;
    let soon = session(&db, course, now() + 7 * DAY, "open").await;
    let far = session(&db, course, now() + 60 * DAY, "open").await;
    book(&db, soon, anna, "booked", None).await;
    book(&db, soon, cai, "booked", None).await;
    book(&db, far, anna, "booked", None).await;
    book(&db, soon, bo, "waitlisted", None).await;
    // Last month: a late cancellation (Anna) and a no-show (Bo).
    let today = navet_store::time::local_date(now());
    let last_month =
        navet_store::time::day_start(navet_store::start_page::month_start(today, -1)) + 10 * DAY;
    let past = session(&db, course, last_month, "held").await;
    book(&db, past, anna, "late_cancelled", Some(last_month - DAY)).await;
    book(&db, past, bo, "absent", None).await;
    // Certificates: Anna's expires this month (or early next), Cai's is not mine.
    let expiring =
        day(navet_store::time::day_start(navet_store::start_page::month_start(today, 1)) + DAY);
    completion(&db, anna, course, "2023-01-01", &expiring, "M-1").await;
    completion(&db, cai, course, "2023-01-01", &expiring, "M-2").await;
    // Two reserved seats for my unit, nobody named yet.
    sqlx::query(
        "INSERT INTO session_holds (session_id, kind, municipality_id, unit_id, quota_seats, general_seats, expires_at, created_at) \
         VALUES ($1, 'reservation', $2, $3, 0, 2, $4, 0)",
    )
    .bind(far)
    .bind(orebro)
    .bind(mine)
    .bind(now() + 10 * DAY)
    .execute(db.writer())
    .await
    .unwrap();

    let boss = app.manager_of_unit(mine).await;
    let cookie = app.login(&boss.email, PASSWORD).await.unwrap();
    let r = app.page("GET", "/", &cookie, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(card(&r.body, "expiring"), 1);
    assert_eq!(
        card(&r.body, "bookings"),
        1,
        "Anna in a week; Cai is not mine, the other is later"
    );
    assert_eq!(card(&r.body, "reserved"), 2);
    assert!(card_text(&r.body, "reserved")
        .contains(&format!("/boka-personal?tillfalle={far}&amp;reservation=")));
    assert_eq!(card(&r.body, "waitlist"), 1);
    assert!(r.body.contains("<dd id=\"late-cancelled\">1</dd>"));
    assert!(r.body.contains("<dd id=\"no-shows\">1</dd>"));
    let team = &r.body[r.body.find("id=\"team-h\"").unwrap()..];
    assert!(team.contains("Anna") && team.contains("Bo"));
    assert!(!team.contains("Cai"));
    // The names shown are a read of personal data: logged.
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE actor_account_id = $1 AND action = 'person.list' \
         AND subject_type = 'bookings' ORDER BY id DESC LIMIT 1",
    )
    .bind(boss.id)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert!(detail.contains("2 personer"), "{detail}");
});

both_engines!(trainer_runs_their_own_sessions, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let who = Who::system("test");
    let course = fixtures::course(&db, "Sondmatning").await;
    let ulla = person(&db, "Ulla", "Örebro").await;
    let kim = person(&db, "Kim", "Örebro").await;
    for p in [ulla, kim] {
        navet_store::trainers::upsert(
            &db,
            &who,
            PersonId(p),
            MunicipalityId(muni(&db, "Örebro").await),
            true,
        )
        .await
        .unwrap();
    }
    let teach = |s: i64, p: i64| {
        let db = db.clone();
        async move {
            sqlx::query("INSERT INTO session_trainers (session_id, person_id) VALUES ($1, $2)")
                .bind(s)
                .bind(p)
                .execute(db.writer())
                .await
                .unwrap();
        }
    };
    let soon = session(&db, course, now() + 2 * DAY, "open").await;
    let later = session(&db, course, now() + 40 * DAY, "open").await;
    let ended = session(&db, course, now() - 2 * DAY, "open").await;
    let kims = session(&db, course, now() + 3 * DAY, "open").await;
    teach(soon, ulla).await;
    teach(later, ulla).await;
    teach(ended, ulla).await;
    teach(kims, kim).await;

    let u = app.trainer(ulla).await;
    let cookie = app.login(&u.email, PASSWORD).await.unwrap();
    let r = app.page("GET", "/", &cookie, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let fortnight = card_text(&r.body, "fortnight");
    assert!(fortnight.contains(&format!("/kurstillfallen/{soon}")));
    assert!(!fortnight.contains(&format!("/kurstillfallen/{kims}")));
    assert!(!fortnight.contains(&format!("/kurstillfallen/{later}")));
    assert_eq!(
        card(&r.body, "attendance"),
        1,
        "the ended session is not closed"
    );
    assert_eq!(card(&r.body, "away"), 0);
    assert!(r.body.contains("href=\"/mina-tillfallen/franvaro\""));

    // My sessions: coming and past, each with its attendance list.
    let r = app.page("GET", "/mina-tillfallen", &cookie, None).await;
    assert_eq!(r.status, StatusCode::OK);
    for s in [soon, later, ended] {
        assert!(r.body.contains(&format!("/tillfallen/{s}/narvaro")), "{s}");
    }
    assert!(!r.body.contains(&format!("/kurstillfallen/{kims}")));
    let feed = r.body.split("/kalender/undervisning/").nth(1).unwrap();
    let token = &feed[..feed.find(".ics").unwrap()];
    let ics = app
        .page(
            "GET",
            &format!("/kalender/undervisning/{token}.ics"),
            "",
            None,
        )
        .await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.body.contains("BEGIN:VCALENDAR") && ics.body.contains("Sondmatning"));
    assert_eq!(ics.body.matches("BEGIN:VEVENT").count(), 3);

    // Her own absence on the day of the later session: registered by
    // herself, shown on her start page, then removed again.
    let path = "/mina-tillfallen/franvaro";
    let csrf = app.csrf_for(&cookie, path).await;
    let d = day(now() + 40 * DAY);
    let bad = app
        .page(
            "POST",
            path,
            &cookie,
            Some(&format!("_csrf={csrf}&starts_on={d}&ends_on=igår")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"err-ends_on\""));
    let ok = app
        .page(
            "POST",
            path,
            &cookie,
            Some(&format!("_csrf={csrf}&starts_on={d}&ends_on={d}")),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let r = app.page("GET", "/", &cookie, None).await;
    assert_eq!(card(&r.body, "away"), 1);
    assert!(card_text(&r.body, "away").contains(&format!("/kurstillfallen/{later}")));
    let absence: i64 = sqlx::query_scalar("SELECT id FROM trainer_absences WHERE person_id = $1")
        .bind(ulla)
        .fetch_one(db.pool())
        .await
        .unwrap();
    // Kim cannot remove Ulla's absence; a participant cannot register any.
    let k = app.trainer(kim).await;
    let kc = app.login(&k.email, PASSWORD).await.unwrap();
    let kcsrf = app.csrf_for(&kc, path).await;
    let r = app
        .page(
            "POST",
            &format!("{path}/{absence}/ta-bort"),
            &kc,
            Some(&format!("_csrf={kcsrf}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let p = app.participant(person(&db, "Per", "Örebro").await).await;
    let pc = app.login(&p.email, PASSWORD).await.unwrap();
    assert_eq!(
        app.page("GET", path, &pc, None).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.page("GET", "/mina-tillfallen", &pc, None).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .page(
            "POST",
            &format!("{path}/{absence}/ta-bort"),
            &cookie,
            Some(&format!("_csrf={csrf}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app.page("GET", "/", &cookie, None).await;
    assert_eq!(card(&r.body, "away"), 0);
});

both_engines!(coordinator_sees_what_needs_action, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let who = Who::system("test");
    let course = fixtures::course(&db, "Munvård").await;
    let ulla = person(&db, "Ulla", "Örebro").await;
    navet_store::trainers::upsert(
        &db,
        &who,
        PersonId(ulla),
        MunicipalityId(muni(&db, "Örebro").await),
        true,
    )
    .await
    .unwrap();
    // No trainer, in five days; Ulla's in six days while she is away; one
    // far ahead without a trainer (not counted); one over and not closed.
    let _bare = session(&db, course, now() + 5 * DAY, "open").await;
    let staffed = session(&db, course, now() + 6 * DAY, "open").await;
    let _far = session(&db, course, now() + 30 * DAY, "planned").await;
    let _ended = session(&db, course, now() - 3 * DAY, "open").await;
    sqlx::query("INSERT INTO session_trainers (session_id, person_id) VALUES ($1, $2)")
        .bind(staffed)
        .bind(ulla)
        .execute(db.writer())
        .await
        .unwrap();
    let d = navet_store::time::local_date(now() + 6 * DAY);
    navet_store::cover::add_absence(&db, &who, PersonId(ulla), d, d)
        .await
        .unwrap();
    // Registration opens in three days on the far session.
    sqlx::query("UPDATE sessions SET registration_opens_at = $1 WHERE id = $2")
        .bind(now() + 3 * DAY)
        .bind(_far)
        .execute(db.writer())
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO outbox (created_at, kind, to_email, subject, body, attempts, last_error) \
         VALUES (0, 'offer', 'x@test.se', 'Ämne', 'Text', 2, 'timeout')",
    )
    .execute(db.writer())
    .await
    .unwrap();
    let c = app.coordinator().await;
    sqlx::query(
        "INSERT INTO import_uploads (account_id, kind, file_name, content, created_at) VALUES ($1, 'staff', 'a.csv', '', 0)",
    )
    .bind(c.id)
    .execute(db.writer())
    .await
    .unwrap();
    let cookie = app.login(&c.email, PASSWORD).await.unwrap();
    let r = app.page("GET", "/", &cookie, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(card(&r.body, "short"), 1);
    assert_eq!(card(&r.body, "away"), 1);
    assert_eq!(card(&r.body, "not-closed"), 1);
    assert_eq!(card(&r.body, "opening"), 1);
    assert_eq!(card(&r.body, "outbox"), 1);
    assert_eq!(card(&r.body, "imports"), 1);
});

both_engines!(steering_sees_aggregates_and_no_names, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let orebro = muni(&db, "Örebro").await;
    let unit = org::create_unit(&db, MunicipalityId(orebro), "Ängen", "aldreomsorg", false)
        .await
        .unwrap();
    let course = fixtures::course(&db, "Nutrition").await;
    let pia = person(&db, "Pia", "Örebro").await;
    set_unit(&db, pia, unit).await;
    let s = session(&db, course, now() + 5 * DAY, "open").await;
    book(&db, s, pia, "booked", None).await;
    let booking: i64 = sqlx::query_scalar("SELECT id FROM bookings WHERE person_id = $1")
        .bind(pia)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let st = app.user(Role::Steering).await;
    let cookie = app.login(&st.email, PASSWORD).await.unwrap();

    let r = app.page("GET", "/", &cookie, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Är vi i fas?"));
    assert!(r.body.contains("Örebro"), "status per municipality");
    assert!(!r.body.contains("Pia"));
    for ok in [
        "/oversikt",
        "/rapporter",
        "/rapporter/indikatorer.csv",
        "/finansiering",
        "/behov",
        "/kostnader",
    ] {
        let r = app.page("GET", ok, &cookie, None).await;
        assert_eq!(r.status, StatusCode::OK, "{ok}");
        assert!(!r.body.contains("Pia"), "{ok} names nobody");
    }
    // Read only: no forms to change funding or costs.
    let r = app.page("GET", "/finansiering", &cookie, None).await;
    assert!(!r.body.contains("action=\"/finansiering\""));
    let r = app.page("GET", "/kostnader", &cookie, None).await;
    assert!(!r.body.contains("/kostnader/scenarier/ny"));
    // Person pages, staff lists, bookings and exports with names: 403.
    for denied in [
        "/personal".to_string(),
        format!("/personal/{pia}"),
        format!("/personal/{pia}/kompetens"),
        format!("/intyg/person/{pia}"),
        "/enheter".to_string(),
        format!("/enheter/{unit}"),
        format!("/enheter/{unit}/glapp.csv"),
        format!("/tillfallen/{s}/narvaro"),
        format!("/tillfallen/{s}/narvarolista"),
        format!("/anmalan/{booking}/avboka"),
        "/boka-personal".to_string(),
        "/intyg/utgaende".to_string(),
        "/bemanning".to_string(),
        "/tillfallen".to_string(),
        "/admin/utskick".to_string(),
        "/rapporter/import".to_string(),
        "/kompetens/behov".to_string(),
        "/enkater".to_string(),
        "/kostnader/rader/ny".to_string(),
        "/mina-tillfallen".to_string(),
        "/mina-tillfallen/franvaro".to_string(),
    ] {
        let r = app.page("GET", &denied, &cookie, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{denied}");
        assert!(!r.body.contains("Pia"), "{denied}");
    }
    let csrf = app.csrf_for(&cookie, "/oversikt").await;
    let r = app
        .page(
            "POST",
            "/finansiering",
            &cookie,
            Some(&format!("_csrf={csrf}&name=x")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The JSON API's people list is closed too.
    assert_eq!(
        app.get("/api/v1/people", st.auth()).await.status,
        StatusCode::FORBIDDEN
    );
});
