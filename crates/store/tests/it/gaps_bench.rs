//! Gap-analysis benchmark on a generated region: 250 000 people in the
//! twelve municipalities, one of which has 10 000 employees, 20
//! requirements per role and about 3.5 million completions.
//!
//! Run (both engines, release build):
//!
//! ```text
//! cargo test --release -p navet-store --test it gaps_bench:: -- --ignored --nocapture --test-threads 1
//! ```
//!
//! Targets: one municipality of 10 000 employees under 300 ms, the whole
//! region under 3 s, on SQLite and PostgreSQL (reported, not asserted).

use domain::ids::{MunicipalityId, PersonId, UnitId};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Months, NaiveDate};
use domain::catalogue::{CheckedCourse, CourseStatus, Format, Level};
use domain::requirements::RequirementDraft;
use navet_store::audit::Who;
use navet_store::catalogue::{self, CourseExtras};
use navet_store::gaps::{self, GapLevel};
use navet_store::testing::TestDb;
use navet_store::{org, requirements, Db, Engine};

const PEOPLE: i64 = 250_000;
const BIG_MUNICIPALITY: i64 = 10_000;
const UNITS_PER_MUNICIPALITY: i64 = 50;
const REQUIREMENTS_PER_ROLE: usize = 20;

async fn exec(db: &Db, sql: &str) {
    sqlx::raw_sql(sql)
        .execute(db.writer())
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// Build the data set; returns the big municipality's id.
async fn generate(db: &Db) -> i64 {
    let t = Instant::now();
    let who = Who::system("bench");
    let munis = org::municipalities(db).await.unwrap();
    let big = munis.iter().find(|m| m.name == "Örebro").unwrap().id;
    let others: Vec<i64> = munis.iter().filter(|m| m.id != big).map(|m| m.id).collect();
    let areas = [
        "aldreomsorg",
        "funktionsstod",
        "socialpsykiatri",
        "kommunal_hso",
    ];

    // Units, numbered k = municipality index × 50 + unit index.
    exec(
        db,
        "CREATE TABLE bench_units (k BIGINT PRIMARY KEY, unit_id BIGINT NOT NULL, municipality_id BIGINT NOT NULL)",
    )
    .await;
    let ordered: Vec<i64> = std::iter::once(big).chain(others.iter().copied()).collect();
    let mut values = vec![];
    for (mi, m) in ordered.iter().enumerate() {
        for u in 0..UNITS_PER_MUNICIPALITY {
            let id = org::create_unit(
                db,
                MunicipalityId(*m),
                &format!("Enhet {u:02}"),
                areas[(u % 4) as usize],
                true,
            )
            .await
            .unwrap();
            values.push(format!(
                "({}, {id}, {m})",
                mi as i64 * UNITS_PER_MUNICIPALITY + u
            ));
        }
    }
    exec(
        db,
        &format!(
            "INSERT INTO bench_units (k, unit_id, municipality_id) VALUES {}",
            values.join(",")
        ),
    )
    .await;

    // Roles: mostly assistant nurses.
    let role = |n: &str| {
        let n = n.to_string();
        async move { org::role_by_name(db, &n).await.unwrap().unwrap().id }
    };
    let roles = [
        (role("Undersköterska").await, 50),
        (role("Vårdbiträde").await, 15),
        (role("Stödassistent/boendestödjare").await, 15),
        (role("Sjuksköterska").await, 12),
        (role("Personlig assistent").await, 8),
    ];
    let mut case = String::from("CASE");
    let mut acc = 0;
    for (id, share) in &roles {
        acc += share;
        case.push_str(&format!(" WHEN s.i % 100 < {acc} THEN {id}"));
    }
    case.push_str(" END");
    let n_others = others.len() as i64;
    exec(
        db,
        &format!(
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {PEOPLE}) \
             INSERT INTO people (name, email, gender, role_id, municipality_id, unit_id, active, synthetic, created_at, updated_at) \
             SELECT 'Bench ' || CAST(s.i AS TEXT), 'b' || CAST(s.i AS TEXT) || '@bench.navet.se', 'kvinna', {case}, bu.municipality_id, bu.unit_id, 1, 1, 0, 0 \
             FROM s JOIN bench_units bu ON bu.k = CASE WHEN s.i <= {BIG_MUNICIPALITY} THEN s.i % {UNITS_PER_MUNICIPALITY} \
             ELSE (1 + s.i % {n_others}) * {UNITS_PER_MUNICIPALITY} + (s.i / {n_others}) % {UNITS_PER_MUNICIPALITY} END"
        ),
    )
    .await;

    // Courses: 60, of which every fourth recurs every 12 or 24 months.
    let mut courses = vec![];
    for c in 0..60 {
        let validity = match c % 8 {
            0 => Some(12),
            4 => Some(24),
            _ => None,
        };
        let id = catalogue::create(
            db,
            &who,
            &CheckedCourse {
                title: format!("Kurs {c:02}"),
                level: if c % 10 == 9 {
                    Level::Fordjupning
                } else {
                    Level::Bas
                },
                format: Format::Lararledd,
                hours: 3.0,
                status: if c % 15 == 14 {
                    CourseStatus::Pausad
                } else {
                    CourseStatus::Aktiv
                },
                validity_months: validity,
                default_capacity: 12,
                trainers_per_session: 1,
            },
            &CourseExtras::default(),
        )
        .await
        .unwrap();
        courses.push((id, validity));
    }
    let area: i64 = sqlx::query_scalar("SELECT id FROM competence_areas WHERE code = '4.2.1.8'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let tagged: Vec<String> = courses
        .iter()
        .step_by(7)
        .map(|(id, _)| format!("({id}, {area})"))
        .collect();
    exec(
        db,
        &format!(
            "INSERT INTO course_areas (course_id, area_id) VALUES {}",
            tagged.join(",")
        ),
    )
    .await;

    // 20 requirements per role: 17 courses region-wide, 1 narrowed to an
    // activity area, 1 competence area, 1 formal education.
    exec(
        db,
        "CREATE TABLE bench_role_courses (role_id BIGINT, course_id BIGINT, n BIGINT, pct BIGINT, validity BIGINT)",
    )
    .await;
    let mut rc = vec![];
    for (ri, (role_id, _)) in roles.iter().enumerate() {
        let mut made = 0;
        for k in 0..18 {
            let (course_id, validity) = courses[(ri * 7 + k * 3) % courses.len()];
            let d = RequirementDraft {
                role_id: role_id.to_string(),
                scope: if k == 17 {
                    "activity_area".into()
                } else {
                    "region".into()
                },
                activity_area: if k == 17 {
                    areas[ri % 4].into()
                } else {
                    String::new()
                },
                kind: "course".into(),
                course_id: course_id.to_string(),
                ..Default::default()
            };
            if requirements::create(db, &who, &d).await.is_ok() {
                made += 1;
            }
            let repeats = if validity.is_some() { 2 } else { 1 };
            for n in 0..repeats {
                rc.push(format!(
                    "({role_id}, {course_id}, {n}, {}, {})",
                    72 - 4 * n,
                    validity.unwrap_or(0)
                ));
            }
        }
        // Courses outside the requirements (never loaded for the sums).
        for k in 0..4 {
            let (course_id, _) = courses[(ri * 11 + k * 5 + 1) % courses.len()];
            rc.push(format!("({role_id}, {course_id}, 5, 40, 0)"));
        }
        for d in [
            RequirementDraft {
                role_id: role_id.to_string(),
                scope: "region".into(),
                kind: "area".into(),
                area_id: area.to_string(),
                level: "bas".into(),
                ..Default::default()
            },
            RequirementDraft {
                role_id: role_id.to_string(),
                scope: "region".into(),
                kind: "education".into(),
                education: "vård- och omsorgsprogrammet".into(),
                ..Default::default()
            },
        ] {
            requirements::create(db, &who, &d).await.unwrap();
            made += 1;
        }
        assert_eq!(
            made, REQUIREMENTS_PER_ROLE,
            "requirements for role {role_id}"
        );
    }
    exec(
        db,
        &format!("INSERT INTO bench_role_courses VALUES {}", rc.join(",")),
    )
    .await;

    // Completion dates over the last three years, with their expiry.
    let today = navet_store::time::today();
    exec(
        db,
        "CREATE TABLE bench_dates (d BIGINT PRIMARY KEY, done TEXT, exp12 TEXT, exp24 TEXT)",
    )
    .await;
    let mut dates = vec![];
    for d in 0..1096 {
        let day: NaiveDate = today - Days::days(d + 1);
        let e = |m: u32| day.checked_add_months(Months::new(m)).unwrap();
        dates.push(format!("({d}, '{day}', '{}', '{}')", e(12), e(24)));
    }
    exec(
        db,
        &format!("INSERT INTO bench_dates VALUES {}", dates.join(",")),
    )
    .await;
    exec(
        db,
        "INSERT INTO completions (person_id, course_id, completed_on, hours, certificate_no, verify_code, expires_on, source, created_at) \
         SELECT p.id, rc.course_id, bd.done, 3.0, \
         'B' || CAST(p.id AS TEXT) || '-' || CAST(rc.course_id AS TEXT) || '-' || CAST(rc.n AS TEXT), \
         'V' || CAST(p.id AS TEXT) || '-' || CAST(rc.course_id AS TEXT) || '-' || CAST(rc.n AS TEXT), \
         CASE rc.validity WHEN 12 THEN bd.exp12 WHEN 24 THEN bd.exp24 ELSE NULL END, 'bench', 0 \
         FROM people p JOIN bench_role_courses rc ON rc.role_id = p.role_id \
         JOIN bench_dates bd ON bd.d = (p.id * 31 + rc.course_id * 17 + rc.n * 401) % 1096 \
         WHERE (p.id * 7919 + rc.course_id * 104729 + rc.n * 31) % 100 < rc.pct",
    )
    .await;

    // Formal education for 70 %.
    exec(
        db,
        "INSERT INTO person_educations (person_id, kind, direction, synthetic, registered_at) \
         SELECT id, 'vard_och_omsorgsprogrammet', '', 1, 0 FROM people WHERE id % 10 < 7",
    )
    .await;

    // 300 upcoming sessions of the required courses, 2 % of people booked.
    let now = navet_store::time::now();
    let mut sess = vec![];
    for n in 0..300_i64 {
        let (course_id, _) = courses[(n as usize * 7) % courses.len()];
        let start = now + 86_400 * (3 + n % 200);
        sess.push(format!(
            "({course_id}, {start}, {}, {}, 'Sal', 20, 3.0, 'open', 0, 0)",
            start + 10_800,
            ordered[(n % 12) as usize]
        ));
    }
    exec(
        db,
        &format!(
            "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) VALUES {}",
            sess.join(",")
        ),
    )
    .await;
    exec(
        db,
        "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) \
         SELECT (SELECT MIN(id) FROM sessions) + p.id % 300, p.id, 'booked', 0, 0 FROM people p WHERE p.id % 50 = 0",
    )
    .await;
    exec(db, "ANALYZE").await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM completions")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let p: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let r: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM requirements")
        .fetch_one(db.pool())
        .await
        .unwrap();
    println!(
        "{:?}: generated {p} people, {r} requirements, {n} completions in {:.1} s",
        db.engine(),
        t.elapsed().as_secs_f64()
    );
    big
}

async fn time<F, Fut, T>(runs: usize, f: F) -> (Duration, T)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut times = vec![];
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f().await);
        times.push(t.elapsed());
    }
    times.sort();
    (times[times.len() / 2], last.expect("at least one run"))
}

async fn bench(db: Db) {
    let big = generate(&db).await;
    let as_of = navet_store::time::today();
    let engine = match db.engine() {
        Engine::Sqlite => "SQLite",
        Engine::Postgres => "PostgreSQL",
    };
    // Warm the caches once, as a running server would be.
    gaps::report(&db, &GapLevel::Municipality(big), as_of)
        .await
        .unwrap();
    let region_level = GapLevel::Region;

    let muni_level = GapLevel::Municipality(big);
    let (muni, r) = time(5, || gaps::report(&db, &muni_level, as_of)).await;
    let r = r.unwrap();
    assert_eq!(r.counts.people, BIG_MUNICIPALITY as u64);
    println!(
        "{engine}: municipality, {} people, {} checks, {} gaps: median {:.0} ms",
        r.counts.people,
        r.counts.checks,
        r.counts.gaps,
        muni.as_secs_f64() * 1000.0
    );
    let (region, r) = time(3, || gaps::report(&db, &region_level, as_of)).await;
    let r = r.unwrap();
    assert_eq!(r.counts.people, PEOPLE as u64);
    println!(
        "{engine}: region, {} people, {} checks, {} gaps: median {:.0} ms",
        r.counts.people,
        r.counts.checks,
        r.counts.gaps,
        region.as_secs_f64() * 1000.0
    );
    let unit: i64 = sqlx::query_scalar("SELECT unit_id FROM bench_units WHERE k = 0")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let (u, _) = time(5, || {
        navet_store::unit_overview::load(&db, UnitId(unit), as_of)
    })
    .await;
    println!(
        "{engine}: unit page data (200 people): median {:.0} ms",
        u.as_secs_f64() * 1000.0
    );
    let (p, _) = time(5, || gaps::person(&db, PersonId(1), as_of)).await;
    println!(
        "{engine}: one person: median {:.0} ms",
        p.as_secs_f64() * 1000.0
    );
    assert!(
        muni < Duration::from_millis(300),
        "{engine}: municipality took {muni:?}"
    );
    assert!(
        region < Duration::from_secs(3),
        "{engine}: region took {region:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --release -- --ignored"]
async fn gap_analysis_sqlite() {
    let t = TestDb::sqlite().await;
    bench(t.db.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --release -- --ignored"]
async fn gap_analysis_postgres() {
    let t = TestDb::postgres().await;
    bench(t.db.clone()).await;
}
