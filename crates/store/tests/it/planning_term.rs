//! Planning the term on SQLite and PostgreSQL: a trainer's availability
//! per term (stored, changed, refused naming the field, listed for the
//! hub), the warning when a session lies outside it (on the session and in
//! the cover list; the assignment itself goes through), the agreed volumes
//! and the term view's figures.

use chrono::{Datelike, Duration, NaiveDate};
use domain::ids::{CourseId, MunicipalityId, PackageId, PersonId, SessionId};
use domain::planning::availability::{AvailabilityDraft, Warning};
use domain::planning::requests::Week;
use domain::planning::term::Term;
use navet_store::audit::Who;
use navet_store::planning::availability;
use navet_store::planning::volumes::{self, Item};
use navet_store::sessions::{self, SessionInput};
use navet_store::testing::fixtures;
use navet_store::{both_engines, org, trainers, Db, StoreError};

fn who() -> Who {
    Who::system("samordnare")
}

/// A term wholly in the future.
fn future() -> Term {
    Term::current_or_next(navet_store::time::today()).next()
}

fn draft<S: AsRef<str>>(weeks: &[S], days: &[&str], max: &str) -> AvailabilityDraft {
    AvailabilityDraft {
        weeks: weeks.iter().map(|s| s.as_ref().to_string()).collect(),
        weekdays: days.iter().map(|s| s.to_string()).collect(),
        max_per_week: max.into(),
        note: "Inte under lovet.".into(),
    }
}

fn field(e: StoreError) -> String {
    match e {
        StoreError::Invalid(f) => f.0[0].field.clone(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn muni(db: &Db, name: &str) -> i64 {
    org::municipality_by_name(db, name)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A trainer in Örebro qualified for `course`.
async fn trainer(db: &Db, name: &str, course: i64) -> i64 {
    let p = fixtures::person(db, name, "Örebro").await;
    let m = muni(db, "Örebro").await;
    trainers::upsert(db, &who(), PersonId(p), MunicipalityId(m), true)
        .await
        .unwrap();
    trainers::set_courses(db, &who(), PersonId(p), &[course])
        .await
        .unwrap();
    p
}

/// The day of week `n` of `term` (`weekday` 0 = Monday).
fn day(term: Term, n: u32, weekday: i64) -> NaiveDate {
    Week {
        year: term.year,
        week: n,
    }
    .monday()
        + Duration::days(weekday)
}

async fn session_on(db: &Db, course: i64, d: NaiveDate, trainer: Option<i64>) -> i64 {
    let input = SessionInput {
        course_id: course,
        parts: vec![(format!("{d}T09:00"), format!("{d}T12:00"))],
        municipality: "Örebro".into(),
        venue: "Sal 1".into(),
        capacity: 12,
        trainer_person_ids: trainer.into_iter().collect(),
        ..Default::default()
    };
    let s = sessions::resolve(db, &input, navet_store::time::now())
        .await
        .unwrap();
    sessions::create(db, &who(), &s).await.unwrap()
}

both_engines!(
    availability_is_stored_changed_and_listed,
    |db: Db| async move {
        let today = navet_store::time::today();
        let t = future();
        let (first, _) = t.week_numbers();
        let course = fixtures::course(&db, "HLR").await;
        let anna = trainer(&db, "Anna", course).await;
        let bo = trainer(&db, "Bo", course).await;
        assert!(availability::of_trainer(&db, PersonId(anna), t)
            .await
            .unwrap()
            .is_none());
        let w = format!("{}-{}", first, first + 3);
        let a = availability::set(
            &db,
            &who(),
            PersonId(anna),
            t,
            &draft(&[&w], &["tue", "wed"], "2"),
            today,
        )
        .await
        .unwrap();
        assert_eq!(a.weeks, (first..=first + 3).collect::<Vec<_>>());
        let g = availability::of_trainer(&db, PersonId(anna), t)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(g.availability, a);
        assert_eq!(g.availability.note, "Inte under lovet.");
        // Changed: one row per trainer and term.
        let b = availability::set(
            &db,
            &who(),
            PersonId(anna),
            t,
            &draft(&[&first.to_string()], &["fri"], "1"),
            today,
        )
        .await
        .unwrap();
        assert_eq!((b.weeks.clone(), b.max_per_week), (vec![first], 1));
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM trainer_availability WHERE person_id = $1")
                .bind(anna)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(n, 1);
        let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'trainer.availability.set' AND person_id = $1",
    )
    .bind(anna)
    .fetch_one(db.pool())
    .await
    .unwrap();
        assert_eq!(audited, 2);
        // The hub's overview: Anna with hers, Bo without.
        let list = availability::for_term(&db, t).await.unwrap();
        let a_row = list.iter().find(|r| r.person_id == anna).unwrap();
        assert_eq!(
            a_row.given.as_ref().unwrap().availability.weeks,
            vec![first]
        );
        assert!(list
            .iter()
            .find(|r| r.person_id == bo)
            .unwrap()
            .given
            .is_none());
        // Another term is separate.
        assert!(availability::of_trainer(&db, PersonId(anna), t.next())
            .await
            .unwrap()
            .is_none());
    }
);

both_engines!(
    bad_availability_is_refused_naming_the_field,
    |db: Db| async move {
        let today = navet_store::time::today();
        let t = future();
        let course = fixtures::course(&db, "HLR").await;
        let anna = trainer(&db, "Anna", course).await;
        let set = |d: AvailabilityDraft, term: Term| {
            let db = db.clone();
            async move { availability::set(&db, &who(), PersonId(anna), term, &d, today).await }
        };
        assert_eq!(
            field(set(draft(&["60"], &["mon"], "2"), t).await.unwrap_err()),
            "weeks"
        );
        assert_eq!(
            field(
                set(draft(&[&t.week_numbers().0.to_string()], &["mon"], "-1"), t)
                    .await
                    .unwrap_err()
            ),
            "max_per_week"
        );
        assert_eq!(
            field(
                set(
                    draft(&[&t.week_numbers().0.to_string()], &["blursday"], "1"),
                    t
                )
                .await
                .unwrap_err()
            ),
            "weekdays"
        );
        // A week of a term that has begun and passed, and a term that has ended.
        let past_term = Term::parse("VT 2026").unwrap();
        assert_eq!(
            field(
                set(draft(&["10"], &["mon"], "1"), past_term)
                    .await
                    .unwrap_err()
            ),
            "term"
        );
        // Nothing was stored.
        assert!(availability::of_trainer(&db, PersonId(anna), t)
            .await
            .unwrap()
            .is_none());
        // Someone who is not a trainer.
        let nobody = fixtures::person(&db, "Ingen", "Örebro").await;
        assert!(matches!(
            availability::set(
                &db,
                &who(),
                PersonId(nobody),
                t,
                &draft(&[""; 0], &[], "0"),
                today
            )
            .await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            availability::of_trainer(&db, PersonId(999_999), t).await,
            Err(StoreError::NotFound(_))
        ));
    }
);

both_engines!(
    a_session_outside_the_availability_warns_but_is_assigned,
    |db: Db| async move {
        let today = navet_store::time::today();
        let t = future();
        let (first, _) = t.week_numbers();
        let course = fixtures::course(&db, "Förflyttning").await;
        let anna = trainer(&db, "Anna", course).await;
        let bo = trainer(&db, "Bo", course).await;
        // Anna: weeks first..first+1, Tuesdays, one session a week.
        availability::set(
            &db,
            &who(),
            PersonId(anna),
            t,
            &draft(&[&format!("{}-{}", first, first + 1)], &["tue"], "1"),
            today,
        )
        .await
        .unwrap();
        let tue = day(t, first, 1);
        let thu = day(t, first + 1, 3);
        let later = day(t, first + 5, 1);
        assert_eq!(tue.weekday(), chrono::Weekday::Tue);
        let ok = session_on(&db, course, tue, Some(anna)).await;
        // Assigned outside: a Thursday, a week not given, a second session in week `first`.
        let wrong_day = session_on(&db, course, thu, None).await;
        trainers::assign(&db, &who(), SessionId(wrong_day), PersonId(anna))
            .await
            .expect("a warning, never a refusal");
        let wrong_week = session_on(&db, course, later, Some(anna)).await;
        let w = |s: i64| {
            let db = db.clone();
            async move {
                availability::warnings_for(&db, SessionId(s), &[anna, bo])
                    .await
                    .unwrap()
            }
        };
        // A second session in week `first`, on the Wednesday.
        let wed = session_on(&db, course, day(t, first, 2), None).await;
        let before = w(ok).await;
        assert!(before.is_empty(), "within: {before:?}");
        assert_eq!(
            w(wrong_day).await.get(&anna),
            Some(&vec![Warning::WeekdayNotAvailable { weekday: "thu" }])
        );
        assert_eq!(
            w(wrong_week).await.get(&anna),
            Some(&vec![Warning::WeekNotAvailable {
                term: t.to_string(),
                week: first + 5
            }])
        );
        trainers::assign(&db, &who(), SessionId(wed), PersonId(anna))
            .await
            .unwrap();
        let over = w(wed).await;
        assert!(
            over[&anna].contains(&Warning::OverWeeklyMax {
                week: first,
                sessions: 2,
                max: 1
            }),
            "{over:?}"
        );
        // Bo gave nothing for the term: nothing to warn of.
        assert!(!w(wrong_week).await.contains_key(&bo));
    }
);

both_engines!(
    the_cover_list_warns_of_candidates_outside_their_availability,
    |db: Db| async move {
        let today = navet_store::time::today();
        let t = future();
        let (first, _) = t.week_numbers();
        let course = fixtures::course(&db, "Sårvård").await;
        let away = trainer(&db, "Bertil", course).await;
        let free = trainer(&db, "Cissi", course).await;
        let busy_week = trainer(&db, "Alma", course).await;
        let d = day(t, first + 2, 1);
        let s = session_on(&db, course, d, Some(away)).await;
        navet_store::cover::add_absence(&db, &who(), PersonId(away), d, d)
            .await
            .unwrap();
        // Alma is not available that week; Cissi is.
        availability::set(
            &db,
            &who(),
            PersonId(busy_week),
            t,
            &draft(&[&first.to_string()], &["tue"], "2"),
            today,
        )
        .await
        .unwrap();
        availability::set(
            &db,
            &who(),
            PersonId(free),
            t,
            &draft(&[&(first + 2).to_string()], &["tue"], "2"),
            today,
        )
        .await
        .unwrap();
        let items = navet_store::cover::needing_cover(&db, navet_store::time::now())
            .await
            .unwrap();
        let item = items.iter().find(|i| i.session_id == s).unwrap();
        let names: Vec<&str> = item.candidates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["Cissi", "Alma"],
            "those within their availability first"
        );
        assert!(item.warnings_of(&free).is_empty());
        let warn = item.warnings_of(&busy_week);
        assert_eq!(warn.len(), 1);
        assert!(warn[0].contains("Alma har inte angett vecka"), "{warn:?}");
    }
);

both_engines!(
    volumes_are_agreed_changed_and_removed,
    |db: Db| async move {
        let t = future();
        let kumla = muni(&db, "Kumla").await;
        let course = fixtures::course(&db, "Demens").await;
        let set = |item: Item, places: &str| {
            let db = db.clone();
            let places = places.to_string();
            async move { volumes::set(&db, &who(), t, MunicipalityId(kumla), item, &places).await }
        };
        set(Item::Course(CourseId(course)), "20").await.unwrap();
        set(Item::Course(CourseId(course)), "24").await.unwrap();
        let list = volumes::list(&db, t).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].places, list[0].title.as_str()), (24, "Demens"));
        assert!(!list[0].synthetic);
        // Bad input names the field and changes nothing.
        assert_eq!(
            field(set(Item::Course(CourseId(course)), "-5").await.unwrap_err()),
            "places"
        );
        assert_eq!(
            field(set(Item::Course(CourseId(999_999)), "5").await.unwrap_err()),
            "course_id"
        );
        assert_eq!(
            field(
                set(Item::Package(PackageId(999_999)), "5")
                    .await
                    .unwrap_err()
            ),
            "package_id"
        );
        assert_eq!(
            field(
                volumes::set(
                    &db,
                    &who(),
                    t,
                    MunicipalityId(999_999),
                    Item::Course(CourseId(course)),
                    "5"
                )
                .await
                .unwrap_err()
            ),
            "municipality_id"
        );
        assert_eq!(volumes::list(&db, t).await.unwrap()[0].places, 24);
        // 0 removes it.
        set(Item::Course(CourseId(course)), "0").await.unwrap();
        assert!(volumes::list(&db, t).await.unwrap().is_empty());
        let audited: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'agreed_volume.set'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(audited, 3);
    }
);

async fn exec(db: &Db, sql: &str, binds: &[i64]) -> i64 {
    let mut q = sqlx::query_scalar::<_, i64>(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_one(db.writer())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A session of `course` in `municipality` at Stockholm noon on `d`.
async fn held(
    db: &Db,
    course: i64,
    municipality: i64,
    d: &str,
    capacity: i64,
    status: &str,
) -> i64 {
    let at = navet_store::time::day_start(navet_store::time::parse_date(d).unwrap()) + 12 * 3600;
    let sql = format!(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, capacity, hours, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 3, '{status}', 0, 0) RETURNING id"
    );
    exec(
        db,
        &sql,
        &[course, at, at + 3 * 3600, municipality, capacity],
    )
    .await
}

async fn booking(db: &Db, session: i64, person: i64, status: &str) {
    let sql = format!(
        "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, '{status}', 1, 1) RETURNING id"
    );
    exec(db, &sql, &[session, person]).await;
}

both_engines!(
    the_term_view_counts_agreed_planned_booked_and_attended,
    |db: Db| async move {
        let vt = Term::parse("VT 2026").unwrap();
        let kumla = muni(&db, "Kumla").await;
        let orebro = muni(&db, "Örebro").await;
        let hlr = fixtures::course(&db, "HLR termin").await;
        let demens = fixtures::course(&db, "Demens termin").await;
        let pkg = exec(
        &db,
        "INSERT INTO packages (name, created_at, updated_at) VALUES ('Introduktionspaket', 0, 0) RETURNING id",
        &[],
    )
    .await;
        exec(
        &db,
        "INSERT INTO package_courses (package_id, course_id, position) VALUES ($1, $2, 1) RETURNING package_id",
        &[pkg, hlr],
    )
    .await;
        volumes::set(
            &db,
            &who(),
            vt,
            MunicipalityId(kumla),
            Item::Course(CourseId(hlr)),
            "20",
        )
        .await
        .unwrap();
        volumes::set(
            &db,
            &who(),
            vt,
            MunicipalityId(kumla),
            Item::Package(PackageId(pkg)),
            "5",
        )
        .await
        .unwrap();
        volumes::set(
            &db,
            &who(),
            vt,
            MunicipalityId(orebro),
            Item::Course(CourseId(demens)),
            "8",
        )
        .await
        .unwrap();
        // Sessions of the term in Kumla: 12 + 10 seats; one cancelled, one in
        // week 1 (before the term) and one in Örebro.
        let s1 = held(&db, hlr, kumla, "2026-03-10", 12, "held").await;
        let s2 = held(&db, hlr, kumla, "2026-05-20", 10, "held").await;
        held(&db, hlr, kumla, "2026-04-01", 30, "cancelled").await;
        held(&db, hlr, kumla, "2026-01-02", 40, "held").await;
        let s_orebro = held(&db, hlr, orebro, "2026-03-11", 6, "held").await;
        // Kumla's people: three booked on s1 (two attended, one absent), one
        // cancelled, one attended in Örebro; an Örebro person on s2.
        let k: Vec<i64> = {
            let mut v = vec![];
            for i in 0..5 {
                v.push(fixtures::person(&db, &format!("Kumlabo{i}"), "Kumla").await);
            }
            v
        };
        let o = fixtures::person(&db, "Örebroare", "Örebro").await;
        booking(&db, s1, k[0], "attended").await;
        booking(&db, s1, k[1], "attended").await;
        booking(&db, s1, k[2], "absent").await;
        booking(&db, s1, k[3], "cancelled").await;
        booking(&db, s_orebro, k[4], "attended").await;
        booking(&db, s2, o, "booked").await;
        let rows = volumes::term_view(&db, vt).await.unwrap();
        let get = |m: i64, c: i64| {
            rows.iter()
                .find(|r| r.municipality_id == m && r.course_id == c)
                .unwrap_or_else(|| panic!("no row {m} {c}: {rows:?}"))
        };
        let kh = get(kumla, hlr);
        assert_eq!(
            (
                kh.figures.agreed,
                kh.agreed_via_packages,
                kh.figures.planned,
                kh.figures.booked,
                kh.figures.attended
            ),
            (25, 5, 22, 4, 3)
        );
        let oh = get(orebro, hlr);
        assert_eq!(
            (
                oh.figures.agreed,
                oh.figures.planned,
                oh.figures.booked,
                oh.figures.attended
            ),
            (0, 6, 1, 0)
        );
        let od = get(orebro, demens);
        assert_eq!((od.figures.agreed, od.figures.planned), (8, 0));
        assert_eq!(rows.len(), 3, "{rows:?}");
        // Municipalities in Swedish order: Kumla before Örebro.
        assert_eq!(rows[0].municipality, "Kumla");
        let total = domain::planning::volumes::total(rows.iter().map(|r| &r.figures));
        assert_eq!(
            (total.agreed, total.planned, total.booked, total.attended),
            (33, 28, 5, 3)
        );
        // Another term has none of it.
        assert!(volumes::term_view(&db, Term::parse("HT 2026").unwrap())
            .await
            .unwrap()
            .is_empty());
    }
);
