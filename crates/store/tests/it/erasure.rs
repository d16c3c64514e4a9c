//! Erasure, legal holds and the retention schedule, on SQLite and
//! PostgreSQL: the indicator report for a past period is the same before
//! and after, no text column of any table (enumerated from the schema)
//! holds the person's name, e-mail or employee number, nor does the
//! SQLite file.

use chrono::NaiveDate;
use domain::funding::Programme;
use domain::ids::{PersonId, SessionId};
use domain::indicators::Period;
use domain::retention::{Kind, Schedule};
use navet_store::audit::{self, Who};
use navet_store::bookings::{self, BookRequest, Via};
use navet_store::sessions::{self, SessionInput};
use navet_store::{
    attendance, both_engines, erasure, funding, legal_holds, reports, retention, Db, Engine,
    StoreError,
};
use sqlx::Row;

const DAY: i64 = 86_400;
const SURNAME: &str = "Raderasson";
const EMAIL: &str = "asa.raderasson@kumla.test";
const EMPLOYEE_NO: &str = "EMP-77123";

fn who() -> Who {
    Who::system("test")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn person(db: &Db, name: &str, email: &str, employee_no: Option<&str>) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO people (name, email, gender, role_id, municipality_id, employee_no, language_support, created_at, updated_at) \
         VALUES ($1, $2, 'kvinna', (SELECT MIN(id) FROM roles), (SELECT id FROM municipalities WHERE name = 'Kumla'), $3, 'sva', 0, 0) RETURNING id",
    )
    .bind(name)
    .bind(email)
    .bind(employee_no)
    .fetch_one(db.writer())
    .await
    .unwrap()
}

/// A session that started at `starts` (past or future), open.
async fn raw_session(db: &Db, course_id: i64, starts: i64, capacity: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
         VALUES ($1, $2, $3, (SELECT id FROM municipalities WHERE name = 'Kumla'), 'Sal 1', $4, 3, 'open', 0, 0) RETURNING id",
    )
    .bind(course_id)
    .bind(starts)
    .bind(starts + 3 * 3600)
    .bind(capacity)
    .fetch_one(db.writer())
    .await
    .unwrap()
}

async fn raw_booking(db: &Db, session_id: i64, person_id: i64, status: &str, needs: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO bookings (session_id, person_id, status, support_needs, booked_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, 0) RETURNING id",
    )
    .bind(session_id)
    .bind(person_id)
    .bind(status)
    .bind(needs)
    .fetch_one(db.writer())
    .await
    .unwrap()
}

async fn exec(db: &Db, sql: &str) {
    sqlx::raw_sql(sql).execute(db.writer()).await.unwrap();
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

fn period() -> Period {
    Period {
        from: d("2025-01-01"),
        to: d("2025-12-31"),
    }
}

fn ts(date: &str) -> i64 {
    navet_store::time::day_start(d(date)) + 9 * 3600
}

struct Fixture {
    person: i64,
    other: i64,
    waiting: i64,
}

/// Åsa has attended two sessions in 2025 (closed: certificates, notices,
/// survey invitations), has an account with everything that hangs on it,
/// a seat on a full future session with someone waiting, staff-import
/// rows, an import reference, a calendar feed, formal education with a
/// note, notices naming her to others, sign-in counters and an upload.
async fn fixture(db: &Db) -> Fixture {
    let course = navet_store::testing::fixtures::course(db, "HLR").await;
    let me = person(db, &format!("Åsa {SURNAME}"), EMAIL, Some(EMPLOYEE_NO)).await;
    let other = person(db, "Bo Kvar", "bo.kvar@kumla.test", None).await;
    let waiting = person(db, "Cia Väntar", "cia.vantar@kumla.test", None).await;
    for date in ["2025-03-10", "2025-09-15"] {
        let s = raw_session(db, course, ts(date), 10).await;
        for p in [me, other] {
            raw_booking(db, s, p, "booked", "hörslinga för Åsa Raderasson").await;
            attendance::mark(db, &who(), SessionId(s), PersonId(p), true)
                .await
                .unwrap();
        }
        attendance::close(db, &who(), SessionId(s), "http://x")
            .await
            .unwrap();
    }
    // A full future session: Åsa has the seat, Cia waits.
    let start = now() + 20 * DAY;
    let input = SessionInput {
        course_id: course,
        parts: vec![(
            chrono::DateTime::from_timestamp(start, 0)
                .unwrap()
                .to_rfc3339(),
            chrono::DateTime::from_timestamp(start + 3 * 3600, 0)
                .unwrap()
                .to_rfc3339(),
        )],
        municipality: "Kumla".into(),
        venue: "Sal 2".into(),
        capacity: 1,
        ..Default::default()
    };
    let resolved = sessions::resolve(db, &input, now()).await.unwrap();
    let future = sessions::create(db, &who(), &resolved).await.unwrap();
    for p in [me, waiting] {
        bookings::book(
            db,
            &BookRequest {
                session_id: future,
                person_id: p,
                who: who(),
                via: Via::Coordinator,
                support_needs: "rullstol".into(),
                hold_id: None,
            },
        )
        .await
        .unwrap();
    }
    let account: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (email, display_name, password_hash, role, person_id, created_at) \
         VALUES ($1, $2, 'x', 'participant', $3, 0) RETURNING id",
    )
    .bind(EMAIL)
    .bind(format!("Åsa {SURNAME}"))
    .bind(me)
    .fetch_one(db.writer())
    .await
    .unwrap();
    let n = now();
    for sql in [
        format!("INSERT INTO web_sessions (id_hash, account_id, csrf_token, created_at, last_seen_at) VALUES ('h1', {account}, 'c', {n}, {n})"),
        format!("INSERT INTO api_tokens (account_id, token_hash, label, created_at) VALUES ({account}, 't1', 'Åsas nyckel {SURNAME}', {n})"),
        format!("INSERT INTO second_factors (account_id, secret, last_step, enrolled_at) VALUES ({account}, 'SECRET', 0, {n})"),
        format!("INSERT INTO password_resets (account_id, token_hash, created_at, expires_at) VALUES ({account}, 'r1', {n}, {})", n + 3600),
        format!("INSERT INTO invitations (person_id, token_hash, created_at, expires_at) VALUES ({me}, 'i1', {n}, {})", n + 7 * DAY),
        format!("INSERT INTO calendar_feeds (person_id, token, created_at) VALUES ({me}, 'feed-secret', {n})"),
        // Planning: her interest in a course, and a session she asked for
        // with a note naming her (the request stays, without who or note).
        format!("INSERT INTO course_interest (course_id, person_id, municipality_id, people, created_at) SELECT {course}, {me}, id, 1, {n} FROM municipalities WHERE name = 'Kumla'"),
        format!("INSERT INTO session_requests (course_id, municipality_id, participants, first_week, last_week, times, note, requested_by_account_id, created_at) SELECT {course}, id, 3, '2027-W10', '2027-W12', 'dag', 'från Åsa {SURNAME}', {account}, {n} FROM municipalities WHERE name = 'Kumla'"),
        format!("INSERT INTO import_person_refs (person_ref, person_id) VALUES ('{EMPLOYEE_NO}', {me})"),
        format!("INSERT INTO person_educations (person_id, kind, note, registered_at) VALUES ({me}, 'usk', 'intyg från {SURNAME}', {n})"),
        format!("INSERT INTO staff_imports (actor, municipality_id, file_name, mode, units, added, changed, left_count, created_at) \
                 VALUES ('webb', (SELECT id FROM municipalities WHERE name = 'Kumla'), 'lista.csv', 'full', '', 1, 0, 0, {n})"),
        format!("INSERT INTO staff_import_people (import_id, person_id, kind, after_name, after_email, after_gender, after_role_id, after_employee_no, after_active) \
                 VALUES ((SELECT MAX(id) FROM staff_imports), {me}, 'added', 'Åsa {SURNAME}', '{EMAIL}', 'kvinna', (SELECT MIN(id) FROM roles), '{EMPLOYEE_NO}', 1)"),
        format!("INSERT INTO outbox (created_at, kind, to_email, subject, body) VALUES ({n}, 'info', 'chef@kumla.test', 'Om Åsa {SURNAME}', 'Åsa {SURNAME} ({EMAIL}) har bokats.')"),
        format!("INSERT INTO outbox (created_at, kind, to_email, subject, body) VALUES ({n}, 'info', '{EMAIL}', 'Hej', 'Hej')"),
    ] {
        exec(db, &sql).await;
    }
    // A manager's pending upload that names her.
    let mgr: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (email, display_name, role, created_at) VALUES ('chef@kumla.test', 'Chef', 'manager', 0) RETURNING id",
    )
    .fetch_one(db.writer())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO import_uploads (account_id, kind, file_name, content, created_at) VALUES ($1, 'staff', 'lista.csv', $2, $3)",
    )
    .bind(mgr)
    .bind(format!("namn;e-post\nÅsa {SURNAME};{EMAIL}\n"))
    .bind(n)
    .execute(db.writer())
    .await
    .unwrap();
    for key in [format!("account:{EMAIL}"), format!("reset:{EMAIL}")] {
        sqlx::query(
            "INSERT INTO login_throttle (key, failures, last_at, next_at) VALUES ($1, 1, 0, 0)",
        )
        .bind(navet_store::accounts::hash_secret(&key))
        .execute(db.writer())
        .await
        .unwrap();
    }
    audit::record_read(db, &who(), PersonId(me), "personkort")
        .await
        .unwrap();
    Fixture {
        person: me,
        other,
        waiting,
    }
}

/// Every (table, column) of text type, from the schema itself.
async fn text_columns(db: &Db) -> Vec<(String, String)> {
    match db.engine() {
        Engine::Postgres => sqlx::query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying') \
             ORDER BY 1, 2",
        )
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect(),
        Engine::Sqlite => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .fetch_all(db.pool())
            .await
            .unwrap();
            let mut out = vec![];
            for t in tables {
                let cols = sqlx::query("SELECT name, type FROM pragma_table_info($1)")
                    .bind(&t)
                    .fetch_all(db.pool())
                    .await
                    .unwrap();
                for c in cols {
                    let ty: String = c.get(1);
                    if ty.to_uppercase().contains("TEXT") || ty.is_empty() {
                        out.push((t.clone(), c.get(0)));
                    }
                }
            }
            out
        }
    }
}

/// Where any of `needles` still occurs: "table.column" for each hit.
async fn traces(db: &Db, needles: &[&str]) -> Vec<String> {
    let cols = text_columns(db).await;
    assert!(
        cols.len() > 50,
        "the schema has many text columns: {cols:?}"
    );
    let mut hits = vec![];
    for (t, c) in cols {
        for n in needles {
            let found: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM \"{t}\" WHERE CAST(\"{c}\" AS TEXT) LIKE $1"
            ))
            .bind(format!("%{n}%"))
            .fetch_one(db.pool())
            .await
            .unwrap();
            if found > 0 {
                hits.push(format!("{t}.{c} ({n})"));
            }
        }
    }
    hits
}

const NEEDLES: [&str; 4] = [SURNAME, "raderasson", "RADERASSON", EMPLOYEE_NO];

both_engines!(
    erasure_keeps_the_report_and_leaves_no_identifying_text,
    |db: Db| async move {
        let f = fixture(&db).await;
        let before = reports::indicator_report(&db, period()).await.unwrap();
        assert_eq!(before.participations, 4);
        assert!(
            !traces(&db, &NEEDLES).await.is_empty(),
            "the fixture is found"
        );

        let p = erasure::preview(&db, PersonId(f.person)).await.unwrap();
        assert_eq!(p.name, format!("Åsa {SURNAME}"));
        assert!(p.holds.is_empty() && p.has_account && !p.is_erased());
        assert_eq!((p.future_bookings, p.attended, p.completions), (1, 2, 2));

        let done = erasure::erase(&db, &who(), PersonId(f.person))
            .await
            .unwrap();
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM course_interest").await,
            0,
            "her interest in a course goes"
        );
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM session_requests WHERE requested_by_account_id IS NULL AND note = ''").await,
            1,
            "the session request stays, without who asked or the note"
        );
        assert!(done
            .pseudonym
            .as_deref()
            .unwrap()
            .starts_with("Raderad person "));
        assert_eq!(done.released, 1);
        assert_eq!(done.promoted.len(), 1, "Cia got the freed seat");
        let cia: String = sqlx::query_scalar(
            "SELECT status FROM bookings WHERE person_id = $1 AND status IN ('booked', 'waitlisted')",
        )
        .bind(f.waiting)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(cia, "booked");

        // The funder's report for the past period is exactly the same.
        let after = reports::indicator_report(&db, period()).await.unwrap();
        assert_eq!(before, after);

        // No trace in any text column of any table.
        let hits = traces(&db, &NEEDLES).await;
        assert!(hits.is_empty(), "still found in {hits:?}");
        // What statistics need stays; the others are untouched.
        assert_eq!(
            count(
                &db,
                &format!(
                    "SELECT COUNT(*) FROM completions WHERE person_id = {}",
                    f.person
                )
            )
            .await,
            2
        );
        assert_eq!(
            count(
                &db,
                &format!(
                    "SELECT COUNT(*) FROM accounts WHERE person_id = {}",
                    f.person
                )
            )
            .await,
            0
        );
        let bo: String = sqlx::query_scalar("SELECT name FROM people WHERE id = $1")
            .bind(f.other)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(bo, "Bo Kvar");
        // The notice to the manager now names the pseudonym.
        let body: String =
            sqlx::query_scalar("SELECT body FROM outbox WHERE to_email = 'chef@kumla.test'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert!(
            body.starts_with(done.pseudonym.as_deref().unwrap()),
            "{body}"
        );

        // Erasing twice: a clear answer, nothing changes.
        match erasure::erase(&db, &who(), PersonId(f.person)).await {
            Err(StoreError::Conflict { message, .. }) => {
                assert!(message.contains("redan raderad"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        assert!(erasure::preview(&db, PersonId(f.person))
            .await
            .unwrap()
            .is_erased());
        // The audit log records the erasure without the data, and its
        // chain is intact.
        let detail: String = sqlx::query_scalar(
            "SELECT detail FROM audit_log WHERE action = 'person.erase' AND person_id = $1",
        )
        .bind(f.person)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert!(detail.contains("accounts: 1"), "{detail}");
        assert!(matches!(
            audit::verify(&db).await.unwrap(),
            audit::Verdict::Intact { .. }
        ));
    }
);

/// The SQLite file and its write-ahead log, read as bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erased_means_erased_in_the_sqlite_files() {
    let t = navet_store::testing::TestDb::sqlite().await;
    let db = t.db.clone();
    let f = fixture(&db).await;
    let path = db.url().trim_start_matches("sqlite://").to_string();
    let read = |suffix: &str| std::fs::read(format!("{path}{suffix}")).unwrap_or_default();
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    // The data is on disk before: in the log, or in the file once checkpointed.
    let all = [read(""), read("-wal")].concat();
    assert!(contains(&all, SURNAME));
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(db.writer())
        .await
        .unwrap();
    assert!(contains(&read(""), EMPLOYEE_NO));

    erasure::erase(&db, &who(), PersonId(f.person))
        .await
        .unwrap();
    for suffix in ["", "-wal"] {
        let bytes = read(suffix);
        for n in [SURNAME, "raderasson", EMPLOYEE_NO, EMAIL] {
            assert!(
                !contains(&bytes, n),
                "navet.db{suffix} still holds {n} ({} bytes)",
                bytes.len()
            );
        }
    }
}

async fn programme(db: &Db, name: &str, starts: &str, ends: &str) -> i64 {
    funding::save(
        db,
        &who(),
        &Programme {
            name: name.into(),
            starts: d(starts),
            ends: d(ends),
            granted_sek: 1_000_000,
            cofinancing_rate: 0.4,
            target_hours: 1000.0,
            employees: vec![("Kumla".into(), 100)],
        },
    )
    .await
    .unwrap()
}

both_engines!(
    a_legal_hold_keeps_its_part_of_an_erasure_until_released,
    |db: Db| async move {
        let f = fixture(&db).await;
        let prog = programme(&db, "ESF Kompetensnavet", "2025-01-01", "2025-12-31").await;
        let before = reports::indicator_report(&db, period()).await.unwrap();
        let hold = legal_holds::place(&db, &who(), prog, "Finansiärens granskning pågår")
            .await
            .unwrap();
        let p = erasure::preview(&db, PersonId(f.person)).await.unwrap();
        assert_eq!(
            p.holds
                .iter()
                .map(|h| (h.programme.as_str(), h.reason.as_str(), h.bookings))
                .collect::<Vec<_>>(),
            vec![("ESF Kompetensnavet", "Finansiärens granskning pågår", 2)]
        );
        let done = erasure::erase(&db, &who(), PersonId(f.person))
            .await
            .unwrap();
        assert_eq!(done.pseudonym, None);
        assert_eq!(done.held.len(), 1);
        assert_eq!(done.held[0].bookings, 2);
        let msg = erasure::held_message(&done.held);
        assert!(
            msg.contains("ESF Kompetensnavet") && msg.contains("Finansiärens granskning pågår"),
            "{msg}"
        );
        // Everything no hold covers is gone: the e-mail address everywhere,
        // the account, the future seat (to the waiting list), support needs.
        assert!(traces(&db, &[EMAIL, "asa.raderasson"]).await.is_empty());
        assert_eq!(
            count(
                &db,
                &format!(
                    "SELECT COUNT(*) FROM accounts WHERE person_id = {}",
                    f.person
                )
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &db,
                &format!(
                    "SELECT COUNT(*) FROM bookings WHERE person_id = {} AND status = 'booked'",
                    f.waiting
                )
            )
            .await,
            1
        );
        assert_eq!(
            count(
                &db,
                &format!(
                    "SELECT COUNT(*) FROM bookings WHERE person_id = {} AND support_needs <> ''",
                    f.person
                )
            )
            .await,
            0
        );
        // The hold keeps the name and employee number on the person's row
        // only (with the search keys made from them), and the attendance.
        let mut left = traces(&db, &NEEDLES).await;
        left.sort();
        left.dedup_by(|a, b| a.split(' ').next() == b.split(' ').next());
        assert_eq!(
            left.iter()
                .map(|h| h.split(' ').next().unwrap())
                .collect::<Vec<_>>(),
            // The name and number, and the search keys made from them.
            vec![
                "people.employee_no",
                "people.name",
                "people.name_key",
                "people.search_key"
            ],
            "{left:?}"
        );
        assert_eq!(
            count(
                &db,
                &format!(
                    "SELECT COUNT(*) FROM bookings WHERE person_id = {} AND status = 'attended'",
                    f.person
                )
            )
            .await,
            2
        );
        assert_eq!(
            reports::indicator_report(&db, period()).await.unwrap(),
            before
        );
        let p = erasure::preview(&db, PersonId(f.person)).await.unwrap();
        assert!(p.erasure_held_at.is_some() && !p.is_erased());
        // The daily run leaves it while the hold is in force.
        let kept = retention::run(&db, &Schedule::default(), &who(), now(), false)
            .await
            .unwrap();
        assert_eq!(kept[&Kind::LeftPeople], 0);
        // An empty reason is refused, naming the field.
        match legal_holds::place(&db, &who(), prog, "  ").await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].field, "reason"),
            other => panic!("{other:?}"),
        }
        legal_holds::release(&db, &who(), hold).await.unwrap();
        assert!(matches!(
            legal_holds::release(&db, &who(), hold).await,
            Err(StoreError::Conflict { .. })
        ));
        // After release, the daily run (or a new erasure) finishes the job.
        let run = retention::run(&db, &Schedule::default(), &who(), now(), false)
            .await
            .unwrap();
        assert_eq!(run[&Kind::LeftPeople], 1);
        assert!(erasure::preview(&db, PersonId(f.person))
            .await
            .unwrap()
            .is_erased());
        assert_eq!(traces(&db, &NEEDLES).await, Vec::<String>::new());
        assert_eq!(
            reports::indicator_report(&db, period()).await.unwrap(),
            before
        );
        assert!(matches!(
            erasure::erase(&db, &who(), PersonId(f.person)).await,
            Err(StoreError::Conflict { .. })
        ));
    }
);

both_engines!(
    a_new_erasure_after_release_finishes_a_held_one,
    |db: Db| async move {
        let f = fixture(&db).await;
        let prog = programme(&db, "ESF Kompetensnavet", "2025-01-01", "2025-12-31").await;
        let hold = legal_holds::place(&db, &who(), prog, "Revision")
            .await
            .unwrap();
        erasure::erase(&db, &who(), PersonId(f.person))
            .await
            .unwrap();
        // Erasing again while held changes nothing more and says the same.
        let again = erasure::erase(&db, &who(), PersonId(f.person))
            .await
            .unwrap();
        assert_eq!(again.pseudonym, None);
        legal_holds::release(&db, &who(), hold).await.unwrap();
        let done = erasure::erase(&db, &who(), PersonId(f.person))
            .await
            .unwrap();
        assert!(done.held.is_empty());
        assert!(done.pseudonym.unwrap().starts_with("Raderad person "));
        assert_eq!(traces(&db, &NEEDLES).await, Vec::<String>::new());
    }
);

/// Old rows of every kind, two of each, plus one of each that is too
/// young to go.
async fn old_rows(db: &Db) -> (i64, i64) {
    let n = now();
    let old = n - 3 * 365 * DAY;
    let course = navet_store::testing::fixtures::course(db, "Gammal kurs").await;
    let ancient = programme(db, "Avslutat program", "2019-01-01", "2019-12-31").await;
    let s2019 = raw_session(db, course, ts("2019-05-06"), 10).await;
    let s_old = raw_session(db, course, old, 10).await;
    let s_recent = raw_session(db, course, n - 10 * DAY, 10).await;
    let a = person(db, "Gammal Ett", "g1@kumla.test", None).await;
    let b = person(db, "Gammal Två", "g2@kumla.test", None).await;
    for p in [a, b] {
        raw_booking(db, s2019, p, "attended", "").await;
        raw_booking(db, s_old, p, "waitlisted", "").await;
        raw_booking(db, s_recent, p, "waitlisted", "").await;
    }
    let acc: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (email, display_name, role, created_at) VALUES ('x@kumla.test', 'X', 'manager', 0) RETURNING id",
    )
    .fetch_one(db.writer())
    .await
    .unwrap();
    for sql in [
        format!("INSERT INTO web_sessions (id_hash, account_id, csrf_token, created_at, last_seen_at) VALUES ('o1', {acc}, 'c', {old}, {old})"),
        format!("INSERT INTO web_sessions (id_hash, account_id, csrf_token, created_at, last_seen_at) VALUES ('o2', {acc}, 'c', {old}, {old})"),
        format!("INSERT INTO web_sessions (id_hash, account_id, csrf_token, created_at, last_seen_at) VALUES ('new', {acc}, 'c', {n}, {n})"),
        format!("INSERT INTO password_resets (account_id, token_hash, created_at, expires_at) VALUES ({acc}, 'old1', {old}, {})", old + 3600),
        format!("INSERT INTO password_resets (account_id, token_hash, created_at, expires_at) VALUES ({acc}, 'new1', {n}, {})", n + 3600),
        format!("INSERT INTO staff_imports (actor, municipality_id, file_name, mode, units, added, changed, left_count, created_at) \
                 VALUES ('webb', (SELECT id FROM municipalities WHERE name = 'Kumla'), 'gammal.csv', 'full', '', 2, 0, 0, {old})"),
        format!("INSERT INTO staff_import_people (import_id, person_id, kind, after_name, after_email, after_gender, after_role_id, after_active) \
                 VALUES ((SELECT MAX(id) FROM staff_imports), {a}, 'added', 'Gammal Ett', 'g1@kumla.test', 'kvinna', (SELECT MIN(id) FROM roles), 1)"),
        format!("INSERT INTO invitations (person_id, token_hash, created_at, expires_at) VALUES ({b}, 'inv-old', {old}, {})", old + 7 * DAY),
        // Someone who left three years ago (pseudonymised), and one who
        // left last month (kept).
        format!("INSERT INTO people (name, email, gender, role_id, municipality_id, active, created_at, updated_at) \
                 VALUES ('Slutade Länge', 'sl@kumla.test', 'man', (SELECT MIN(id) FROM roles), (SELECT id FROM municipalities WHERE name = 'Kumla'), 0, {old}, {old})"),
        format!("INSERT INTO people (name, email, gender, role_id, municipality_id, active, created_at, updated_at) \
                 VALUES ('Slutade Nyss', 'sn@kumla.test', 'man', (SELECT MIN(id) FROM roles), (SELECT id FROM municipalities WHERE name = 'Kumla'), 0, {old}, {})", n - 30 * DAY),
    ] {
        exec(db, &sql).await;
    }
    (ancient, s2019)
}

fn expected() -> Vec<(Kind, u64)> {
    vec![
        // Two old waiting-list places (the recent ones stay).
        (Kind::Waitlist, 2),
        // Two attended bookings in a programme that ended in 2019.
        (Kind::Bookings, 2),
        (Kind::WebSessions, 2),
        (Kind::StaffImportRows, 1),
        // One old invitation and one old reset link.
        (Kind::Tokens, 2),
        (Kind::LeftPeople, 1),
        // Nothing in the log is five years old.
        (Kind::AuditLog, 0),
    ]
}

both_engines!(
    retention_dry_run_lists_what_the_run_removes,
    |db: Db| async move {
        let (_, _) = old_rows(&db).await;
        let schedule = Schedule::default();
        let dry = retention::run(&db, &schedule, &who(), now(), true)
            .await
            .unwrap();
        assert_eq!(dry.into_iter().collect::<Vec<_>>(), expected());
        // The dry run changed nothing.
        assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 3);
        assert!(retention::last_run(&db).await.unwrap().is_none());
        let real = retention::run(&db, &schedule, &who(), now(), false)
            .await
            .unwrap();
        assert_eq!(real.into_iter().collect::<Vec<_>>(), expected());
        assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 1);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM bookings WHERE status = 'waitlisted'"
            )
            .await,
            2
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM password_resets").await, 1);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM people WHERE name = 'Slutade Länge'"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM people WHERE name = 'Slutade Nyss'"
            )
            .await,
            1
        );
        let last = retention::last_run(&db).await.unwrap().unwrap();
        assert_eq!(last.counts.iter().map(|(_, n)| n).sum::<u64>(), 10);
        // Nothing left to remove.
        let again = retention::run(&db, &schedule, &who(), now(), true)
            .await
            .unwrap();
        assert_eq!(again.values().sum::<u64>(), 0);
    }
);

both_engines!(
    a_held_programme_keeps_its_bookings_and_a_failed_run_changes_nothing,
    |db: Db| async move {
        let (ancient, s2019) = old_rows(&db).await;
        let hold = legal_holds::place(&db, &who(), ancient, "ESF-rådets beslut")
            .await
            .unwrap();
        let schedule = Schedule::default();
        let bookings_2019 = format!("SELECT COUNT(*) FROM bookings WHERE session_id = {s2019}");
        let dry = retention::run(&db, &schedule, &who(), now(), true)
            .await
            .unwrap();
        assert_eq!(dry[&Kind::Bookings], 0, "held");
        // A run that fails half-way leaves everything as it was.
        navet_store::faults::arm(&db, "retention.kind", 1);
        let db2 = db.clone();
        let failed = tokio::spawn(async move {
            retention::run(&db2, &Schedule::default(), &who(), now(), false).await
        })
        .await;
        assert!(failed.is_err(), "the injected panic");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 3);
        assert_eq!(count(&db, &bookings_2019).await, 2);
        // The hold released while a run is under way: the run sees it all
        // released or all in force, never half.
        let (db2, db3) = (db.clone(), db.clone());
        let run = tokio::spawn(async move {
            retention::run(&db2, &Schedule::default(), &who(), now(), false).await
        });
        let release = tokio::spawn(async move { legal_holds::release(&db3, &who(), hold).await });
        let counts = run.await.unwrap().unwrap();
        release.await.unwrap().unwrap();
        let left = count(&db, &bookings_2019).await;
        assert!(
            (counts[&Kind::Bookings] == 2 && left == 0)
                || (counts[&Kind::Bookings] == 0 && left == 2),
            "removed {} and {left} left",
            counts[&Kind::Bookings]
        );
        // Afterwards the released programme's bookings go.
        retention::run(&db, &schedule, &who(), now(), false)
            .await
            .unwrap();
        assert_eq!(count(&db, &bookings_2019).await, 0);
    }
);
