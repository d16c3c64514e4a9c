//! `navet export participations` and `navet backup` at the store level, on
//! SQLite and PostgreSQL: an exported file imported into a fresh database
//! gives the same indicator report; a backup is a checked, readable copy.

use chrono::NaiveDate;
use domain::indicators::{check_period, IndicatorReport};
use domain::org::Gender;
use navet_store::audit::Who;
use navet_store::people::{self, ResolvedPerson};
use navet_store::testing::TestDb;
use navet_store::{backup, both_engines, history_import, org, participations, reports, Db, Engine};

fn who() -> Who {
    Who::system("test")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn course(db: &Db, title: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO courses (title, description, level, format, hours, provider, status, created_at, updated_at, synthetic_note) \
         VALUES ($1, '', 'bas', 'lararledd', 3, '', 'aktiv', 0, 0, '') RETURNING id",
    )
    .bind(title)
    .fetch_one(db.writer())
    .await
    .unwrap()
}

async fn person(db: &Db, n: usize, gender: Gender, role: &str, municipality: &str) -> i64 {
    let role_id = org::role_by_name(db, role).await.unwrap().unwrap().id;
    let municipality_id = org::municipality_by_name(db, municipality)
        .await
        .unwrap()
        .unwrap()
        .id;
    people::create(
        db,
        &who(),
        &ResolvedPerson {
            name: format!("Exempelperson {n}"),
            email: format!("exempel{n}@kommun.se"),
            gender,
            employee_no: None,
            role_id,
            municipality_id,
            unit_id: None,
            language_support: String::new(),
        },
        false,
    )
    .await
    .unwrap()
}

/// A session starting at `hour` Stockholm time on `date`, lasting `days`
/// days (several days = several parts, one booking).
async fn session(
    db: &Db,
    course_id: i64,
    date: &str,
    hour: i64,
    hours: f64,
    days: i64,
    status: &str,
) -> i64 {
    let starts = navet_store::time::day_start(d(date)) + hour * 3600;
    let ends = starts + (days - 1) * 86_400 + 4 * 3600;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
         VALUES ($1, $2, $3, (SELECT MIN(id) FROM municipalities), 'Sal 1', 20, $4, $5, 0, 0) RETURNING id",
    )
    .bind(course_id)
    .bind(starts)
    .bind(ends)
    .bind(hours)
    .bind(status)
    .fetch_one(db.writer())
    .await
    .unwrap();
    for day in 0..days {
        sqlx::query(
            "INSERT INTO session_parts (session_id, starts_at, ends_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(starts + day * 86_400)
        .bind(starts + day * 86_400 + 4 * 3600)
        .execute(db.writer())
        .await
        .unwrap();
    }
    id
}

async fn book(db: &Db, session_id: i64, person_id: i64, status: &str) {
    sqlx::query(
        "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, $3, 0, 0)",
    )
    .bind(session_id)
    .bind(person_id)
    .bind(status)
    .execute(db.writer())
    .await
    .unwrap();
}

/// What the round trip must keep: the funder's counts (hours to 1e-6, as
/// sums may be added in another order), by municipality, course and role
/// group. Courses without attendance are left out: a course whose only
/// session in the period was cancelled has nothing to export.
fn indicators(r: &IndicatorReport) -> serde_json::Value {
    let h = |x: f64| (x * 1e6).round() / 1e6;
    serde_json::json!({
        "unique": r.unique_participants.total,
        "by_gender": [r.unique_participants.by_gender.kvinna, r.unique_participants.by_gender.man,
                      r.unique_participants.by_gender.annat, r.unique_participants.by_gender.ej_angivet],
        "participations": r.participations,
        "course_hours": h(r.course_hours),
        "by_municipality": r.by_municipality.iter()
            .map(|m| (m.municipality.clone(), m.unique_participants, m.participations, h(m.course_hours)))
            .collect::<Vec<_>>(),
        "by_course": r.by_course.iter().filter(|c| c.participations > 0)
            .map(|c| (c.course.clone(), c.unique_participants, c.participations, h(c.course_hours)))
            .collect::<Vec<_>>(),
        "by_role_group": r.by_role_group.iter()
            .map(|g| (g.role_group.clone(), g.unique_participants, g.participations))
            .collect::<Vec<_>>(),
    })
}

fn engine_name(db: &Db) -> &'static str {
    match db.engine() {
        Engine::Postgres => "postgres",
        Engine::Sqlite => "sqlite",
    }
}

both_engines!(
    exported_participations_give_the_same_report_after_import,
    |db: Db| async move {
        let hlr = course(&db, "HLR, vuxen").await;
        let pall = course(&db, "Palliativ vård \"grund\"").await;
        let cancelled_only = course(&db, "Inställd kurs").await;
        let a = person(&db, 1, Gender::Kvinna, "undersköterska", "Örebro").await;
        let b = person(&db, 2, Gender::Man, "sjuksköterska", "Hällefors").await;
        let c = person(&db, 3, Gender::EjAngivet, "vårdbiträde", "Karlskoga").await;
        let e = person(&db, 4, Gender::Annat, "undersköterska", "Örebro").await;

        let s1 = session(&db, hlr, "2025-03-04", 8, 3.0, 1, "held").await;
        book(&db, s1, a, "attended").await;
        book(&db, s1, b, "absent").await;
        book(&db, s1, c, "cancelled").await;
        // Two sessions of one course on one day with the same length: they
        // become one session on import, and the indicators stay the same.
        let s2 = session(&db, hlr, "2025-05-06", 8, 3.0, 1, "held").await;
        let s3 = session(&db, hlr, "2025-05-06", 13, 3.0, 1, "held").await;
        book(&db, s2, b, "attended").await;
        book(&db, s3, c, "attended").await;
        // A three-day session (three parts): one participation each, with
        // the session's hours, on its first day's date.
        let s4 = session(&db, pall, "2025-06-30", 9, 21.5, 3, "held").await;
        book(&db, s4, a, "attended").await;
        book(&db, s4, e, "attended").await;
        book(&db, s4, c, "absent").await;
        // 23:30 Stockholm time is still the 1st of April there.
        let s5 = session(&db, pall, "2025-04-01", 0, 7.0 / 3.0, 1, "held").await;
        sqlx::query("UPDATE sessions SET starts_at = $1 WHERE id = $2")
            .bind(navet_store::time::day_start(d("2025-04-01")) + 23 * 3600 + 1800)
            .bind(s5)
            .execute(db.writer())
            .await
            .unwrap();
        book(&db, s5, e, "attended").await;
        let _ = session(&db, cancelled_only, "2025-07-01", 8, 3.0, 1, "cancelled").await;
        // Outside the period.
        let s6 = session(&db, hlr, "2026-01-10", 8, 3.0, 1, "held").await;
        book(&db, s6, a, "attended").await;
        reports::rebuild_facts(&db).await.unwrap();

        let period = check_period("2025-01-01", "2025-12-31").unwrap();
        let source = reports::indicator_report(&db, period).await.unwrap();
        assert_eq!(
            source.participations, 6,
            "the data set is what the test says"
        );

        let x = participations::export(&db, period, "p").await.unwrap();
        assert!(x.problems.is_empty(), "{:?}", x.problems);
        assert_eq!((x.rows, x.attended, x.absent), (8, 6, 2));
        assert_eq!((x.people, x.sessions, x.sessions_after_import), (4, 5, 4));
        assert_eq!(x.attended_not_closed, 0);
        let text = String::from_utf8(x.csv.clone()).unwrap();
        assert!(
            text.starts_with("person_ref,gender,role,municipality,course,date,hours,attended\n")
        );
        assert!(
            text.contains(&format!(
                "p{a},kvinna,Undersköterska,Örebro,\"HLR, vuxen\",2025-03-04,3,ja\n"
            )),
            "{text}"
        );
        assert!(text.contains(&format!(
            "p{b},man,Sjuksköterska,Hällefors,\"HLR, vuxen\",2025-03-04,3,nej\n"
        )));
        assert!(
            text.contains(",2025-04-01,"),
            "the Stockholm date, not UTC: {text}"
        );
        assert!(text.contains("2025-06-30,21.5,ja"), "{text}");
        assert!(
            !text.contains("Exempel") && !text.contains("@kommun.se"),
            "no names or e-mail"
        );
        assert!(!text.contains("2026-01-10"));

        // Into a fresh database of the same engine.
        let fresh = TestDb::for_engine(engine_name(&db)).await;
        let imported = history_import::import(&fresh.db, &who(), "export.csv", &x.csv, true)
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("the importer accepts the export: {e:?}"));
        assert_eq!(
            (imported.attended, imported.absent, imported.sessions),
            (6, 2, 4)
        );
        let target = reports::indicator_report(&fresh.db, period).await.unwrap();
        assert_eq!(indicators(&target), indicators(&source));
        assert_eq!(target.unique_participants.total, 4);
        assert_eq!(
            target.sessions.held, 4,
            "the two HLR sessions of 6 May became one"
        );

        // The same people again in a later export map to the same people there.
        let again =
            participations::export(&db, check_period("2026-01-01", "2026-12-31").unwrap(), "p")
                .await
                .unwrap();
        history_import::import(&fresh.db, &who(), "export-2026.csv", &again.csv, true)
            .await
            .unwrap()
            .unwrap();
        let people_there: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
            .fetch_one(fresh.db.pool())
            .await
            .unwrap();
        assert_eq!(people_there, 4);

        // Attendance marked on a session not closed yet is reported, not exported.
        let open = session(&db, hlr, "2025-09-09", 8, 3.0, 1, "open").await;
        book(&db, open, b, "attended").await;
        let x2 = participations::export(&db, period, "p").await.unwrap();
        assert_eq!((x2.rows, x2.attended_not_closed), (8, 1));

        // Two sessions of one course on one day with different lengths cannot
        // be one session: the export says which, instead of a file the
        // importer refuses.
        let long = session(&db, hlr, "2025-03-04", 13, 6.0, 1, "held").await;
        book(&db, long, e, "attended").await;
        let x3 = participations::export(&db, period, "p").await.unwrap();
        assert_eq!(x3.problems.len(), 1, "{:?}", x3.problems);
        assert!(
            x3.problems[0].starts_with(&format!("kurstillfälle {long} (”HLR, vuxen”, 2025-03-04)")),
            "{:?}",
            x3.problems
        );
    }
);

both_engines!(
    a_backup_is_a_checked_copy_and_never_overwrites,
    |db: Db| async move {
        let hlr = course(&db, "HLR").await;
        let a = person(&db, 1, Gender::Kvinna, "undersköterska", "Örebro").await;
        let s = session(&db, hlr, "2025-03-04", 8, 3.0, 1, "held").await;
        book(&db, s, a, "attended").await;

        let dir = std::env::temp_dir().join(format!(
            "navet-backup-{}-{}",
            std::process::id(),
            navet_store::accounts::new_secret()[..8].to_lowercase()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join(match db.engine() {
            Engine::Sqlite => "navet.db",
            Engine::Postgres => "navet.dump",
        });
        let b = backup::run(&db, &out).await.unwrap();
        assert_eq!(b.bytes, std::fs::metadata(&out).unwrap().len());
        assert!(b.bytes > 0);
        match (&b.verified, db.engine()) {
            (backup::Verified::Sqlite { tables }, Engine::Sqlite) => {
                let rows = |t: &str| tables.iter().find(|(n, _)| n == t).map(|(_, n)| *n);
                assert_eq!(rows("bookings"), Some(1));
                assert_eq!(rows("sessions"), Some(1));
                assert_eq!(
                    rows("municipalities"),
                    Some(12),
                    "reference data: the twelve municipalities"
                );
                // The copy is a database of its own with the same data.
                let copy = Db::connect(&format!("sqlite://{}", out.display()))
                    .await
                    .unwrap();
                let status: String = sqlx::query_scalar("SELECT status FROM bookings")
                    .fetch_one(copy.pool())
                    .await
                    .unwrap();
                assert_eq!(status, "attended");
                copy.close().await;
            }
            (backup::Verified::Postgres { tables_with_data }, Engine::Postgres) => {
                assert!(
                    std::fs::read(&out).unwrap().starts_with(b"PGDMP"),
                    "a custom-format archive"
                );
                assert!(tables_with_data.unwrap() > 20, "{tables_with_data:?}");
            }
            (v, _) => panic!("wrong kind of verification {v:?}"),
        }
        let before = std::fs::metadata(&out).unwrap().len();
        let err = backup::run(&db, &out).await.unwrap_err().to_string();
        assert!(err.contains("finns redan"), "{err}");
        assert_eq!(
            std::fs::metadata(&out).unwrap().len(),
            before,
            "left as it was"
        );
        let err = backup::run(&db, &dir.join("saknas").join("x.db"))
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("finns inte"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
);
