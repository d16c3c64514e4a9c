//! Funding sources in the store, on SQLite and PostgreSQL: the programme's
//! own source, sources checked and audited, a session's source and a
//! booking's override, double funding refused (booking, setting a
//! session's or a booking's source, making a source exclusive) naming both
//! sources and changing nothing; and the figures filtered by source, with
//! the list behind each figure summing to it.

use chrono::NaiveDate;
use domain::funding::sources::Draft;
use domain::ids::{BookingId, SessionId};
use domain::indicators::Period;
use navet_store::audit::Who;
use navet_store::bookings::{self, BookRequest, Via};
use navet_store::participation_trail::{self as trail, Filter};
use navet_store::sessions::{self, SessionInput};
use navet_store::testing::fixtures;
use navet_store::{
    both_engines, both_engines_empty, cofinancing, esf_export, funding_sources, reports, Db,
    StoreError,
};
use sqlx::Row;

fn who() -> Who {
    Who::system("test")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn programme(db: &Db, name: &str) -> i64 {
    let munis = navet_store::org::municipalities(db).await.unwrap();
    let p = domain::funding::Programme {
        name: name.into(),
        starts: d("2025-01-01"),
        ends: d("2027-06-30"),
        granted_sek: 23_731_055,
        cofinancing_rate: 0.46,
        target_hours: 42_000.0,
        employees: munis.iter().map(|m| (m.name.clone(), 1000)).collect(),
    };
    navet_store::funding::save(db, &who(), &p).await.unwrap()
}

async fn source(db: &Db, name: &str, kind: &str, exclusive: bool) -> i64 {
    funding_sources::create(
        db,
        &who(),
        &Draft {
            name: name.into(),
            kind: kind.into(),
            exclusive,
        },
    )
    .await
    .unwrap()
}

fn rfc(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap()
        .to_rfc3339()
}

/// A session made the way the pages make it, `days` from now.
async fn future_session(db: &Db, course_id: i64, days: i64) -> i64 {
    let start = navet_store::time::now() + days * 86_400;
    let i = SessionInput {
        course_id,
        parts: vec![(rfc(start), rfc(start + 3 * 3600))],
        municipality: "Örebro".into(),
        venue: "Simuleringscentrum".into(),
        capacity: 10,
        ..Default::default()
    };
    let s = sessions::resolve(db, &i, navet_store::time::now())
        .await
        .unwrap();
    sessions::create(db, &who(), &s).await.unwrap()
}

async fn book(db: &Db, session_id: i64, person_id: i64) -> Result<i64, StoreError> {
    bookings::book(
        db,
        &BookRequest {
            session_id,
            person_id,
            who: who(),
            via: Via::Coordinator,
            support_needs: String::new(),
            hold_id: None,
        },
    )
    .await
    .map(|o| o.booking_id)
}

async fn session_source(db: &Db, id: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT funding_source_id FROM sessions WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

fn conflict(e: StoreError) -> (Option<String>, String) {
    match e {
        StoreError::Conflict { field, message } => (field, message),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

both_engines!(
    the_programme_has_a_source_and_sources_are_checked,
    |db: Db| async move {
        let first = programme(&db, "ESF+ Kompetenslyftet").await;
        let list = funding_sources::list(&db).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].name, "ESF+ Kompetenslyftet");
        assert!(list[0].exclusive);
        assert_eq!(list[0].programme_id, Some(first));
        // Saving the programme again keeps its one source.
        let second = programme(&db, "ESF+ Kompetenslyftet").await;
        let list = funding_sources::list(&db).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].programme_id, Some(second));
        let esf = list[0].id;
        // New sessions get the programme's source.
        let course = fixtures::course(&db, "HLR").await;
        let s = future_session(&db, course, 10).await;
        assert_eq!(session_source(&db, s).await, Some(esf));
        // A source's name is used once; the kind must be known.
        source(&db, "Äldreomsorgslyftet", "state", true).await;
        let e = funding_sources::create(
            &db,
            &who(),
            &Draft {
                name: "äldreomsorgslyftet".into(),
                kind: "lottery".into(),
                exclusive: true,
            },
        )
        .await
        .unwrap_err();
        let StoreError::Invalid(f) = e else {
            panic!("{e:?}")
        };
        assert!(f.get("name").unwrap().contains("finns redan"));
        assert!(f.get("kind").is_some());
        assert_eq!(funding_sources::list(&db).await.unwrap().len(), 2);
        // An unknown source on a session names the field and changes nothing.
        let e = funding_sources::set_session_source(&db, &who(), SessionId(s), Some(9999))
            .await
            .unwrap_err();
        let StoreError::Invalid(f) = e else {
            panic!("{e:?}")
        };
        assert!(f.get("funding_source_id").is_some());
        assert_eq!(session_source(&db, s).await, Some(esf));
        // Every change is audited.
        assert!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'funding_source.create'"
            )
            .await
                >= 1
        );
    }
);

/// Three sources (the programme's ESF, the state grant "Äldreomsorgslyftet"
/// and the municipality's own, non-exclusive budget), a course given as
/// sessions A (ESF, the default), B and E (state grant) and C (own budget),
/// another course's session H, and two people.
struct Funded {
    esf: i64,
    aol: i64,
    own: i64,
    anna: i64,
    berit: i64,
    a: i64,
    b: i64,
    c: i64,
    e: i64,
    h: i64,
}

async fn funded(db: &Db) -> Funded {
    programme(db, "ESF+ Kompetenslyftet").await;
    let esf = funding_sources::list(db).await.unwrap()[0].id;
    let aol = source(db, "Äldreomsorgslyftet", "state", true).await;
    let own = source(db, "Kommunens egen budget", "municipal", false).await;
    let course = fixtures::course(db, "Demensvård").await;
    let other_course = fixtures::course(db, "HLR").await;
    let anna = fixtures::person(db, "Anna", "Örebro").await;
    let berit = fixtures::person(db, "Berit", "Örebro").await;
    let a = future_session(db, course, 10).await;
    let b = future_session(db, course, 20).await;
    let c = future_session(db, course, 30).await;
    let e = future_session(db, course, 50).await;
    let h = future_session(db, other_course, 40).await;
    for (s, src) in [(b, aol), (c, own), (e, aol)] {
        funding_sources::set_session_source(db, &who(), SessionId(s), Some(src))
            .await
            .unwrap();
    }
    Funded {
        esf,
        aol,
        own,
        anna,
        berit,
        a,
        b,
        c,
        e,
        h,
    }
}

async fn booking_source(db: &Db, id: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT funding_source_id FROM bookings WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

fn names_both(m: &str, first: &str, second: &str) {
    assert!(m.contains(first) && m.contains(second), "{m}");
}

both_engines!(
    booking_a_course_under_a_second_exclusive_source_is_refused_naming_both,
    |db: Db| async move {
        let f = funded(&db).await;
        book(&db, f.a, f.anna).await.unwrap();
        let before = count(&db, "SELECT COUNT(*) FROM bookings").await;
        let (field, m) = conflict(book(&db, f.b, f.anna).await.unwrap_err());
        assert_eq!(field.as_deref(), Some("person_id"));
        names_both(&m, "ESF+ Kompetenslyftet", "Äldreomsorgslyftet");
        assert!(m.contains("Demensvård"), "{m}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM bookings").await, before);
        // The other way round: the state grant first, then ESF.
        book(&db, f.b, f.berit).await.unwrap();
        let (_, m) = conflict(book(&db, f.a, f.berit).await.unwrap_err());
        assert!(m.contains("Äldreomsorgslyftet"), "{m}");
    }
);

both_engines!(
    a_non_exclusive_source_and_another_course_conflict_with_nothing,
    |db: Db| async move {
        let f = funded(&db).await;
        book(&db, f.a, f.anna).await.unwrap();
        book(&db, f.c, f.anna).await.unwrap();
        book(&db, f.h, f.anna).await.unwrap();
        // Two sessions of one exclusive source are one funding, not two.
        book(&db, f.b, f.berit).await.unwrap();
        book(&db, f.e, f.berit).await.unwrap();
    }
);

both_engines!(
    moving_a_session_to_a_source_that_would_fund_someone_twice_is_refused,
    |db: Db| async move {
        let f = funded(&db).await;
        book(&db, f.b, f.berit).await.unwrap();
        book(&db, f.e, f.berit).await.unwrap();
        // B to ESF would fund Berit twice (E is the state grant's).
        let (field, m) = conflict(
            funding_sources::set_session_source(&db, &who(), SessionId(f.b), Some(f.esf))
                .await
                .unwrap_err(),
        );
        assert_eq!(field.as_deref(), Some("funding_source_id"));
        assert!(m.contains("Berit"), "{m}");
        names_both(&m, "ESF+ Kompetenslyftet", "Äldreomsorgslyftet");
        assert_eq!(session_source(&db, f.b).await, Some(f.aol));
    }
);

both_engines!(
    moving_a_booking_to_a_source_that_would_fund_someone_twice_is_refused,
    |db: Db| async move {
        let f = funded(&db).await;
        let berit_b = book(&db, f.b, f.berit).await.unwrap();
        book(&db, f.e, f.berit).await.unwrap();
        let (field, m) = conflict(
            funding_sources::set_booking_source(&db, &who(), BookingId(berit_b), Some(f.esf))
                .await
                .unwrap_err(),
        );
        assert_eq!(field.as_deref(), Some("funding_source_id"));
        names_both(&m, "ESF+ Kompetenslyftet", "Äldreomsorgslyftet");
        assert_eq!(booking_source(&db, berit_b).await, None);
    }
);

both_engines!(
    a_cancelled_booking_claims_nothing_and_taking_it_back_is_refused_if_it_would_fund_twice,
    |db: Db| async move {
        let f = funded(&db).await;
        let berit_b = book(&db, f.b, f.berit).await.unwrap();
        let berit_e = book(&db, f.e, f.berit).await.unwrap();
        bookings::cancel(&db, &who(), BookingId(berit_e), None)
            .await
            .unwrap();
        // Without E, B's booking may move to ESF.
        funding_sources::set_booking_source(&db, &who(), BookingId(berit_b), Some(f.esf))
            .await
            .unwrap();
        assert_eq!(booking_source(&db, berit_b).await, Some(f.esf));
        // Taking the cancellation back would now fund her twice.
        let (field, m) = conflict(
            bookings::undo_cancel(&db, &who(), BookingId(berit_e))
                .await
                .unwrap_err(),
        );
        assert_eq!(field.as_deref(), Some("person_id"));
        names_both(&m, "ESF+ Kompetenslyftet", "Äldreomsorgslyftet");
    }
);

both_engines!(
    a_booking_paid_by_another_source_than_its_session_counts_under_that_source,
    |db: Db| async move {
        let f = funded(&db).await;
        let anna_a = book(&db, f.a, f.anna).await.unwrap();
        // Anna's booking on the ESF session paid by the state grant
        // instead: then B (the state grant's) is no double funding.
        funding_sources::set_booking_source(&db, &who(), BookingId(anna_a), Some(f.aol))
            .await
            .unwrap();
        book(&db, f.b, f.anna).await.unwrap();
        assert!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE action IN ('session.funding_source', 'booking.funding_source')"
            )
            .await
                >= 4
        );
    }
);

both_engines!(
    making_a_source_exclusive_that_would_fund_someone_twice_is_refused,
    |db: Db| async move {
        let f = funded(&db).await;
        let anna_a = book(&db, f.a, f.anna).await.unwrap();
        book(&db, f.c, f.anna).await.unwrap();
        funding_sources::set_booking_source(&db, &who(), BookingId(anna_a), Some(f.aol))
            .await
            .unwrap();
        book(&db, f.b, f.anna).await.unwrap();
        // The own budget exclusive would fund Anna twice (C under it, A
        // and B under the state grant).
        let (field, m) = conflict(
            funding_sources::update(
                &db,
                &who(),
                f.own,
                &Draft {
                    name: "Kommunens egen budget".into(),
                    kind: "municipal".into(),
                    exclusive: true,
                },
            )
            .await
            .unwrap_err(),
        );
        assert_eq!(field.as_deref(), Some("exclusive"));
        names_both(&m, "Kommunens egen budget", "Äldreomsorgslyftet");
        assert!(!funding_sources::get(&db, f.own).await.unwrap().exclusive);
    }
);

/// A held session at 09:00 Stockholm time on `date`, in `municipality`.
async fn held(db: &Db, course: i64, date: &str, hours: f64, source: Option<i64>) -> i64 {
    let start = navet_store::time::day_start(d(date)) + 9 * 3600;
    sqlx::query_scalar(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at, funding_source_id) \
         VALUES ($1, $2, $3, (SELECT id FROM municipalities WHERE name = 'Örebro'), 'Sal 1', 20, $4, 'held', 0, 0, $5) RETURNING id",
    )
    .bind(course)
    .bind(start)
    .bind(start + (hours * 3600.0) as i64)
    .bind(hours)
    .bind(source)
    .fetch_one(db.writer())
    .await
    .unwrap()
}

async fn attended(db: &Db, session: i64, people: &[i64], source: Option<i64>) {
    let mut tx = db.begin().await.unwrap();
    for p in people {
        sqlx::query(
            "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at, funding_source_id) \
             VALUES ($1, $2, 'attended', 0, 0, $3)",
        )
        .bind(session)
        .bind(*p)
        .bind(source)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    reports::refresh_people(&mut tx, people).await.unwrap();
    tx.commit().await.unwrap();
}

/// Every page of the list, walked by its keyset.
async fn whole_list(db: &Db, f: &Filter) -> Vec<trail::Row> {
    let mut out = vec![];
    let mut after = None;
    loop {
        let page = trail::page(db, f, after, 2).await.unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|r| (r.starts_at, r.booking_id));
        out.extend(page);
    }
    out
}

/// Five people on four held sessions in 2026: two HLR sessions under the
/// programme's source (ESF), a dementia session under the state grant
/// (Äldreomsorgslyftet) and an HLR session with no source, where one
/// participant is paid from the state grant by override.
struct Figures {
    esf: i64,
    aol: i64,
    people: Vec<i64>,
    s4: i64,
    period: Period,
}

async fn figures(db: &Db) -> Figures {
    programme(db, "ESF+ Kompetenslyftet").await;
    let esf = funding_sources::list(db).await.unwrap()[0].id;
    let aol = source(db, "Äldreomsorgslyftet", "state", true).await;
    let hlr = fixtures::course(db, "HLR").await;
    let dem = fixtures::course(db, "Demensvård").await;
    let mut people = vec![];
    for (i, m) in ["Örebro", "Örebro", "Kumla", "Nora", "Kumla"]
        .iter()
        .enumerate()
    {
        people.push(fixtures::person(db, &format!("P{i}"), m).await);
    }
    let s1 = held(db, hlr, "2026-02-03", 3.0, Some(esf)).await;
    let s2 = held(db, hlr, "2026-02-17", 2.5, Some(esf)).await;
    let s3 = held(db, dem, "2026-03-04", 4.0, Some(aol)).await;
    let s4 = held(db, hlr, "2026-03-10", 1.5, None).await;
    attended(db, s1, &people[0..4], None).await;
    attended(db, s2, &people[1..3], None).await;
    attended(db, s3, &people[2..5], None).await;
    // One participant on s4 paid from the state grant by override.
    attended(db, s4, &people[0..1], Some(aol)).await;
    attended(db, s4, &people[1..2], None).await;
    Figures {
        esf,
        aol,
        people,
        s4,
        period: Period {
            from: d("2026-01-01"),
            to: d("2026-12-31"),
        },
    }
}

both_engines!(
    the_figures_count_within_a_source_and_sum_to_the_whole,
    |db: Db| async move {
        let f = figures(&db).await;
        let all = reports::indicator_report(&db, f.period).await.unwrap();
        let only_esf = reports::indicator_report_for(&db, f.period, Some(f.esf))
            .await
            .unwrap();
        let only_aol = reports::indicator_report_for(&db, f.period, Some(f.aol))
            .await
            .unwrap();
        assert_eq!(all.participations, 4 + 2 + 3 + 2);
        assert_eq!(only_esf.participations, 6);
        assert_eq!(only_aol.participations, 4);
        assert!((only_esf.participant_hours - (4.0 * 3.0 + 2.0 * 2.5)).abs() < 1e-9);
        assert!((only_aol.participant_hours - (3.0 * 4.0 + 1.5)).abs() < 1e-9);
        // Unique participants counted within the source.
        assert_eq!(only_esf.unique_participants.total, 4);
        assert_eq!(only_aol.unique_participants.total, 4);
        assert_eq!(all.unique_participants.total, 5);
        // Sessions held by the session's own source.
        assert_eq!(only_esf.sessions.held, 2);
        // The filtered sums are kept apart from the whole in memory: asked
        // again, each answers for itself.
        let again = reports::indicator_report_for(&db, f.period, Some(f.esf))
            .await
            .unwrap();
        assert_eq!(again.participations, 6);
        assert_eq!(
            reports::indicator_report(&db, f.period)
                .await
                .unwrap()
                .participations,
            11
        );
        // Co-financing hours per source sum to the whole.
        let groups = |s: Option<i64>| {
            let db = db.clone();
            async move {
                cofinancing::hours_groups_for(&db, d("2026-01-01"), d("2026-12-31"), s)
                    .await
                    .unwrap()
                    .iter()
                    .map(|g| g.centi_hours * g.people)
                    .sum::<i64>()
            }
        };
        let (g_all, g_esf, g_aol, g_none) = (
            groups(None).await,
            groups(Some(f.esf)).await,
            groups(Some(f.aol)).await,
            150,
        );
        assert_eq!(g_all, g_esf + g_aol + g_none);
        assert_eq!(g_esf, 1700);
    }
);

both_engines!(
    the_list_behind_every_figure_sums_to_it_and_names_the_source,
    |db: Db| async move {
        let f = figures(&db).await;
        let kumla = navet_store::org::municipality_by_name(&db, "Kumla")
            .await
            .unwrap()
            .unwrap()
            .id;
        // Page by page, and per municipality too.
        for source in [None, Some(f.esf), Some(f.aol)] {
            let report = reports::indicator_report_for(&db, f.period, source)
                .await
                .unwrap();
            let filter = Filter {
                from: f.period.from,
                to: f.period.to,
                source,
                ..Filter::default()
            };
            let t = trail::totals(&db, &filter).await.unwrap();
            assert_eq!(t.participations, report.participations);
            assert!((t.hours - report.participant_hours).abs() < 1e-9);
            let rows = whole_list(&db, &filter).await;
            assert_eq!(rows.len() as i64, report.participations);
            let sum: f64 = rows.iter().map(|r| r.hours).sum();
            assert!((sum - report.participant_hours).abs() < 1e-9);
            let mut ids: Vec<i64> = rows.iter().map(|r| r.booking_id).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), rows.len(), "no row twice across pages");
            let row = report
                .by_municipality
                .iter()
                .find(|m| m.municipality == "Kumla")
                .unwrap();
            let filter = Filter {
                municipality_id: Some(kumla),
                ..filter
            };
            let t = trail::totals(&db, &filter).await.unwrap();
            assert_eq!(t.participations, row.participations);
            assert!((t.hours - row.participant_hours).abs() < 1e-9);
        }
        // The rows name who, the session, the hours and the source.
        let filter = Filter {
            from: f.period.from,
            to: f.period.to,
            source: Some(f.aol),
            ..Filter::default()
        };
        let rows = whole_list(&db, &filter).await;
        assert!(rows
            .iter()
            .all(|r| r.funding_source.as_deref() == Some("Äldreomsorgslyftet")));
        assert!(rows
            .iter()
            .any(|r| r.person_name == "P0" && r.course == "HLR"));
        assert_eq!(rows[0].month, "2026-03");
    }
);

both_engines!(
    changing_a_sessions_source_moves_its_time_but_not_an_override,
    |db: Db| async move {
        let f = figures(&db).await;
        // Its attended time moves in the facts (and so in every filtered
        // figure).
        funding_sources::set_session_source(&db, &who(), SessionId(f.s4), Some(f.esf))
            .await
            .unwrap();
        let moved = reports::indicator_report_for(&db, f.period, Some(f.esf))
            .await
            .unwrap();
        assert_eq!(moved.participations, 7);
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM attendance_facts WHERE session_id = $1 AND funding_source_id = $2",
        )
        .bind(f.s4)
        .bind(f.aol)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get(0);
        assert_eq!(n, 1, "the override stays the state grant's");
    }
);

both_engines!(
    a_participant_file_for_one_source_lists_its_people_and_keeps_the_source,
    |db: Db| async move {
        let f = figures(&db).await;
        let (aol, people) = (f.aol, &f.people);
        let first = esf_export::first_month(&db, d("2026-03-01")).await.unwrap();
        let p = esf_export::participants_for(&db, first, d("2026-03-01"), Some(aol))
            .await
            .unwrap();
        let ids: Vec<i64> = p.iter().map(|p| p.person_id).collect();
        assert_eq!(ids, vec![people[0], people[2], people[3], people[4]]);
        let rows = domain::attestation::esf_file::rows(&p);
        let bytes = domain::attestation::esf_file::to_csv_for(d("2026-03-01"), Some(aol), &rows);
        assert!(String::from_utf8(bytes.clone())
            .unwrap()
            .starts_with(&format!(
                "\u{feff}# deltagarfil version 1;manad 2026-03;finansieringskalla {aol}\r\n"
            )));
        let e = esf_export::archive_for(
            &db,
            &who(),
            d("2026-03-01"),
            "csv",
            &bytes,
            rows.len() as i64,
            Some(aol),
        )
        .await
        .unwrap();
        assert_eq!(e.funding_source_id, Some(aol));
    }
);

// A database as the version before funding sources left it, with a
// programme and attended sessions inside and outside its period:
// upgrading gives the programme its source, puts the sessions within the
// period under it and rebuilds the report facts with their sources.
both_engines_empty!(
    existing_sessions_get_the_programme_source_on_upgrade,
    |db: Db| async move {
        navet_store::migrate::run_up_to(&db, 1012).await.unwrap();
        navet_store::seed::load_reference(&db).await.unwrap();
        sqlx::query(
        "INSERT INTO funding_programmes (name, starts_on, ends_on, granted_sek, cofinancing_rate, target_hours, current, created_at, updated_at) \
         VALUES ('ESF Kompetensnavet', '2025-01-01', '2027-06-30', 1000, 0.46, 100, 1, 0, 0)",
    )
    .execute(db.writer())
    .await
    .unwrap();
        let course: i64 = sqlx::query_scalar(
            "INSERT INTO courses (title, level, format, hours, status, created_at, updated_at) \
         VALUES ('HLR', 'bas', 'simulering', 3, 'aktiv', 0, 0) RETURNING id",
        )
        .fetch_one(db.writer())
        .await
        .unwrap();
        let anna = fixtures::person(&db, "Anna", "Örebro").await;
        let mut sessions = vec![];
        for date in ["2024-06-10", "2025-03-04"] {
            let start = navet_store::time::day_start(d(date)) + 9 * 3600;
            let s: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
             VALUES ($1, $2, $3, (SELECT id FROM municipalities WHERE name = 'Örebro'), 'Sal', 10, 3, 'held', 0, 0) RETURNING id",
        )
        .bind(course)
        .bind(start)
        .bind(start + 3 * 3600)
        .fetch_one(db.writer())
        .await
        .unwrap();
            sqlx::query(
            "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, 'attended', 0, 0)",
        )
        .bind(s)
        .bind(anna)
        .execute(db.writer())
        .await
        .unwrap();
            sessions.push(s);
        }
        navet_store::migrate::run(&db).await.unwrap();
        let list = funding_sources::list(&db).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].name, "ESF Kompetensnavet");
        assert!(list[0].exclusive);
        let esf = list[0].id;
        assert_eq!(
            session_source(&db, sessions[0]).await,
            None,
            "before the programme"
        );
        assert_eq!(session_source(&db, sessions[1]).await, Some(esf));
        let facts: Vec<(i64, Option<i64>)> = sqlx::query(
            "SELECT session_id, funding_source_id FROM attendance_facts ORDER BY session_id",
        )
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
        assert_eq!(facts, vec![(sessions[0], None), (sessions[1], Some(esf))]);
        let r = reports::indicator_report_for(
            &db,
            Period {
                from: d("2024-01-01"),
                to: d("2025-12-31"),
            },
            Some(esf),
        )
        .await
        .unwrap();
        assert_eq!(r.participations, 1);
        assert_eq!(r.unique_participants.total, 1);
    }
);
