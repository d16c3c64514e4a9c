//! Competence: formal education, requirements, gap analysis, tracks,
//! packages and the needs inventory, on SQLite and PostgreSQL.

use chrono::NaiveDate;
use domain::access::Scope;
use domain::catalogue::{CheckedCourse, CourseStatus, Format, Level};
use domain::education::PersonEducationDraft;
use domain::ids::{CourseId, EducationId, MunicipalityId, PersonId, UnitId};
use domain::packages::PackageDraft;
use domain::requirements::{NeedDraft, RequirementDraft};
use domain::tracks::TrackItemDraft;
use navet_store::audit::Who;
use navet_store::catalogue::{self, CourseExtras};
use navet_store::gaps::{self, Courses, GapLevel, GapScope};
use navet_store::people::{self, PersonInput};
use navet_store::{
    both_engines, education, needs, org, packages, requirements, seed, tracks, Db, StoreError,
};
use sqlx::Row;

fn who() -> Who {
    Who::system("test")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn course(db: &Db, title: &str, status: CourseStatus, validity: Option<i64>) -> i64 {
    catalogue::create(
        db,
        &who(),
        &CheckedCourse {
            title: title.into(),
            level: Level::Bas,
            format: Format::Lararledd,
            hours: 3.0,
            status,
            validity_months: validity,
            default_capacity: 12,
            trainers_per_session: 1,
        },
        &CourseExtras::default(),
    )
    .await
    .unwrap()
}

async fn person(db: &Db, email: &str, role: &str, muni: &str, unit: Option<i64>) -> i64 {
    let p = people::resolve(
        db,
        &PersonInput {
            name: format!("Person {email}"),
            email: email.into(),
            gender: "kvinna".into(),
            employee_no: String::new(),
            role: role.into(),
            municipality: muni.into(),
            unit: unit.map(|u| u.to_string()).unwrap_or_default(),
            language_support: String::new(),
        },
    )
    .await
    .unwrap();
    people::create(db, &who(), &p, false).await.unwrap()
}

async fn completion(db: &Db, person: i64, course: i64, on: &str, expires: Option<&str>) {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM completions")
        .fetch_one(db.pool())
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO completions (person_id, course_id, completed_on, hours, certificate_no, verify_code, expires_on, source, created_at) \
         VALUES ($1, $2, $3, 3.0, $4, $5, $6, 'test', 0)",
    )
    .bind(person)
    .bind(course)
    .bind(on)
    .bind(format!("T-{n}"))
    .bind(navet_store::completions::new_verify_code())
    .bind(expires)
    .execute(db.writer())
    .await
    .unwrap();
}

/// An upcoming session of `course`, `days` from now.
async fn session(db: &Db, course: i64, muni: i64, days: i64, capacity: i64) -> i64 {
    let start = navet_store::time::now() + days * 86_400;
    sqlx::query(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'Sal 1', $5, 3.0, 'open', 0, 0) RETURNING id",
    )
    .bind(course)
    .bind(start)
    .bind(start + 3 * 3600)
    .bind(muni)
    .bind(capacity)
    .fetch_one(db.writer())
    .await
    .unwrap()
    .get(0)
}

async fn book(db: &Db, session: i64, person: i64, status: &str) {
    sqlx::query(
        "INSERT INTO bookings (session_id, person_id, status, waitlist_seq, booked_at, updated_at) VALUES ($1, $2, $3, $4, 0, 0)",
    )
    .bind(session)
    .bind(person)
    .bind(status)
    .bind(if status == "waitlisted" { Some(1_i64) } else { None })
    .execute(db.writer())
    .await
    .unwrap();
}

async fn role_id(db: &Db, name: &str) -> i64 {
    org::role_by_name(db, name).await.unwrap().unwrap().id
}

fn course_req(role: i64, course: i64) -> RequirementDraft {
    RequirementDraft {
        role_id: role.to_string(),
        scope: "region".into(),
        kind: "course".into(),
        course_id: course.to_string(),
        ..Default::default()
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db.pool())
        .await
        .unwrap()
}

both_engines!(
    education_is_checked_registered_and_audited,
    |db: Db| async move {
        let m = org::municipality_by_name(&db, "Kumla")
            .await
            .unwrap()
            .unwrap();
        let mine = org::create_unit(
            &db,
            MunicipalityId(m.id),
            "Säbo Solrosen",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        let other = org::create_unit(
            &db,
            MunicipalityId(m.id),
            "Hemtjänst Väst",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        let anna = person(&db, "anna@x.se", "Undersköterska", "Kumla", Some(mine)).await;
        let bo = person(&db, "bo@x.se", "Undersköterska", "Kumla", Some(other)).await;
        let draft = PersonEducationDraft {
            kind: "specialistundersköterska".into(),
            direction: "demens".into(),
            completed_on: "2024-06-14".into(),
            note: String::new(),
        };
        let id = education::register(&db, &who(), PersonId(anna), &draft)
            .await
            .unwrap();
        let eds = education::for_person(&db, PersonId(anna)).await.unwrap();
        assert_eq!(eds.len(), 1);
        assert_eq!(eds[0].id, id);
        assert_eq!(
            eds[0].label(),
            "specialistundersköterska (YH), inriktning demens"
        );

        // An unknown value is refused naming the field.
        let bad = PersonEducationDraft {
            kind: "sjukgymnast".into(),
            ..Default::default()
        };
        match education::register(&db, &who(), PersonId(bo), &bad)
            .await
            .unwrap_err()
        {
            StoreError::Invalid(e) => assert_eq!(
                (e.0[0].field.as_str(), e.0[0].code),
                ("kind", "unknown_education")
            ),
            other => panic!("{other:?}"),
        }
        // The same education twice.
        match education::register(&db, &who(), PersonId(anna), &draft)
            .await
            .unwrap_err()
        {
            StoreError::Invalid(e) => assert_eq!(e.0[0].code, "duplicate"),
            other => panic!("{other:?}"),
        }
        assert_eq!(count(&db, "person_educations").await, 1);
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'education.register' AND person_id = $1",
        )
        .bind(anna)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(audited, 1);
        education::remove(&db, &who(), EducationId(id))
            .await
            .unwrap();
        assert_eq!(count(&db, "person_educations").await, 0);
    }
);

both_engines!(
    requirements_say_where_they_apply_and_refuse_retired_courses,
    |db: Db| async move {
        let m = org::municipality_by_name(&db, "Nora")
            .await
            .unwrap()
            .unwrap();
        let mine = org::create_unit(
            &db,
            MunicipalityId(m.id),
            "Hemtjänst Nora",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        let other = org::create_unit(
            &db,
            MunicipalityId(m.id),
            "LSS Nora",
            "funktionsstod",
            false,
        )
        .await
        .unwrap();
        let usk = role_id(&db, "Undersköterska").await;
        let hlr = course(&db, "HLR", CourseStatus::Aktiv, Some(12)).await;
        let old = course(&db, "Gammal lyftteknik", CourseStatus::Avvecklad, None).await;

        let id = requirements::create(&db, &who(), &course_req(usk, hlr))
            .await
            .unwrap();
        let row = requirements::get(&db, id).await.unwrap();
        assert_eq!(row.what_sv(), "Kurs: HLR (förnyas var 12:e månad)");
        assert_eq!(row.scope_sv(), "hela regionen");

        // One for a unit: where it applies, for the manager's rule
        // (`ManageRequirements`, decided by the use-case layer).
        let unit_req = RequirementDraft {
            scope: "unit".into(),
            unit_id: mine.to_string(),
            ..course_req(usk, hlr)
        };
        let unit_id = requirements::create(&db, &who(), &unit_req).await.unwrap();
        assert_eq!(
            requirements::applied_in(&requirements::get(&db, unit_id).await.unwrap()),
            (Some(mine), Some(m.id))
        );
        assert_eq!(requirements::applied_in(&row), (None, None));
        let outside = RequirementDraft {
            unit_id: other.to_string(),
            ..unit_req.clone()
        };
        let checked = requirements::check_draft(&db, &outside, Some(unit_id))
            .await
            .unwrap();
        assert_eq!(
            requirements::applies_in(&checked),
            (Some(other), Some(m.id))
        );
        // A retired course and a duplicate are refused with the field named.
        match requirements::create(&db, &who(), &course_req(usk, old))
            .await
            .unwrap_err()
        {
            StoreError::Invalid(e) => assert_eq!(
                (e.0[0].field.as_str(), e.0[0].code),
                ("course_id", "retired_course")
            ),
            other => panic!("{other:?}"),
        }
        match requirements::create(&db, &who(), &course_req(usk, hlr))
            .await
            .unwrap_err()
        {
            StoreError::Invalid(e) => assert_eq!(e.0[0].code, "duplicate"),
            other => panic!("{other:?}"),
        }
        // An unknown education value.
        let edu = RequirementDraft {
            kind: "education".into(),
            education: "undersköterskeexamen light".into(),
            ..course_req(usk, hlr)
        };
        match requirements::create(&db, &who(), &edu).await.unwrap_err() {
            StoreError::Invalid(e) => assert_eq!(e.0[0].field, "education"),
            other => panic!("{other:?}"),
        }
        assert_eq!(count(&db, "requirements").await, 2);

        // Moving it to another unit.
        requirements::update(&db, &who(), unit_id, &outside)
            .await
            .unwrap();
        assert_eq!(
            requirements::get(&db, unit_id).await.unwrap().unit_id,
            Some(other)
        );
        requirements::delete(&db, &who(), unit_id).await.unwrap();
        assert_eq!(count(&db, "requirements").await, 1);

        // Retiring the course afterwards: the requirement stays, with a warning.
        sqlx::query("UPDATE courses SET status = 'avvecklad' WHERE id = $1")
            .bind(hlr)
            .execute(db.writer())
            .await
            .unwrap();
        assert!(requirements::get(&db, id)
            .await
            .unwrap()
            .warning()
            .unwrap()
            .contains("avvecklats"));
    }
);

/// The Fyrbodal rules on four levels: Kumla's units A (elder care) and B
/// (disability support, where lifting technique is also required) and
/// Nora's unit N; assistant nurses must have HLR (renewed yearly),
/// basic hygiene and the care programme.
struct FourLevels {
    kumla: i64,
    a: i64,
    b: i64,
    hlr: i64,
    hyg: i64,
    lift_req: i64,
    p2: i64,
    p3: i64,
    p4: i64,
    /// An upcoming HLR session p2 is booked on (a planned gap).
    s: i64,
}

const AS_OF: &str = "2026-03-14";

async fn four_levels(db: &Db) -> FourLevels {
    let kumla = org::municipality_by_name(db, "Kumla")
        .await
        .unwrap()
        .unwrap()
        .id;
    let nora = org::municipality_by_name(db, "Nora")
        .await
        .unwrap()
        .unwrap()
        .id;
    let unit = |m: i64, name: &'static str, area: &'static str| async move {
        org::create_unit(db, MunicipalityId(m), name, area, false)
            .await
            .unwrap()
    };
    let a = unit(kumla, "Hemtjänst A", "aldreomsorg").await;
    let b = unit(kumla, "LSS B", "funktionsstod").await;
    let n = unit(nora, "Hemtjänst N", "aldreomsorg").await;
    let usk = role_id(db, "Undersköterska").await;
    let hlr = course(db, "HLR", CourseStatus::Aktiv, Some(12)).await;
    let hyg = course(db, "Basala hygienrutiner", CourseStatus::Aktiv, None).await;
    let lift = course(db, "Lyftteknik", CourseStatus::Aktiv, None).await;
    for draft in [
        course_req(usk, hlr),
        course_req(usk, hyg),
        RequirementDraft {
            kind: "education".into(),
            education: "vård- och omsorgsprogrammet".into(),
            ..course_req(usk, hlr)
        },
    ] {
        requirements::create(db, &who(), &draft).await.unwrap();
    }
    let lift_req = requirements::create(
        db,
        &who(),
        &RequirementDraft {
            scope: "unit".into(),
            unit_id: b.to_string(),
            ..course_req(usk, lift)
        },
    )
    .await
    .unwrap();

    let p1 = person(db, "p1@x.se", "Undersköterska", "Kumla", Some(a)).await;
    let p2 = person(db, "p2@x.se", "Undersköterska", "Kumla", Some(a)).await;
    let p3 = person(db, "p3@x.se", "Undersköterska", "Kumla", Some(b)).await;
    let p4 = person(db, "p4@x.se", "Undersköterska", "Nora", Some(n)).await;
    let _ssk = person(db, "ssk@x.se", "Sjuksköterska", "Kumla", Some(a)).await;
    // p1 has everything; p2's HLR ran out on 2026-03-01 and no education.
    completion(db, p1, hlr, "2025-10-01", Some("2026-10-01")).await;
    completion(db, p1, hyg, "2020-01-01", None).await;
    education::register(
        db,
        &who(),
        PersonId(p1),
        &PersonEducationDraft {
            kind: "vård- och omsorgsprogrammet".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    completion(db, p2, hlr, "2025-03-01", Some("2026-03-01")).await;
    completion(db, p2, hyg, "2021-05-05", None).await;
    // p2 is booked on an upcoming HLR session: planned.
    let s = session(db, hlr, kumla, 20, 10).await;
    book(db, s, p2, "booked").await;
    // p3 (unit B) has hygiene and lifting.
    completion(db, p3, hyg, "2022-01-01", None).await;
    completion(db, p3, lift, "2022-01-01", None).await;
    FourLevels {
        kumla,
        a,
        b,
        hlr,
        hyg,
        lift_req,
        p2,
        p3,
        p4,
        s,
    }
}

both_engines!(
    the_region_counts_checks_met_gaps_expired_planned_and_recruitment,
    |db: Db| async move {
        four_levels(&db).await;
        let r = gaps::report(&db, &GapLevel::Region, d(AS_OF))
            .await
            .unwrap();
        assert_eq!(r.level, "region");
        assert_eq!(r.counts.people, 5);
        assert_eq!(r.counts.people_with_requirements, 4);
        // p1: 3 checks met; p2: 1 met (hyg), HLR expired, education missing;
        // p3: 4 checks (hlr missing, hyg met, edu missing, lift met);
        // p4: 3 missing.
        assert_eq!(r.counts.checks, 3 + 3 + 4 + 3);
        assert_eq!(r.counts.met, 3 + 1 + 2);
        assert_eq!(r.counts.gaps, 2 + 2 + 3);
        assert_eq!(r.counts.expired, 1);
        assert_eq!(r.counts.planned, 1);
        assert_eq!(r.counts.recruitment, 3);
        assert_eq!(r.counts.people_with_gaps, 3);
        assert!((r.share_people_with_gaps - 0.75).abs() < 1e-9);
    }
);

both_engines!(
    each_level_splits_into_the_next_and_by_activity_area,
    |db: Db| async move {
        let f = four_levels(&db).await;
        let as_of = d(AS_OF);
        // The region by municipality, activity area and requirement.
        let r = gaps::report(&db, &GapLevel::Region, as_of).await.unwrap();
        let kumla_line = r.children.iter().find(|c| c.name == "Kumla").unwrap();
        assert_eq!(kumla_line.counts.people, 4);
        assert_eq!(kumla_line.counts.gaps, 4);
        let elder = r
            .activity_areas
            .iter()
            .find(|c| c.id == "aldreomsorg")
            .unwrap();
        assert_eq!(elder.counts.gaps, 2 + 3);
        let edu_line = r
            .requirements
            .iter()
            .find(|l| l.coverage == "recruitment")
            .unwrap();
        assert_eq!(edu_line.counts.applicable, 4);
        assert_eq!(edu_line.counts.gaps, 3);
        // A municipality by unit.
        let m = gaps::report(&db, &GapLevel::Municipality(f.kumla), as_of)
            .await
            .unwrap();
        assert_eq!(m.counts.people, 4);
        assert_eq!(m.children_level, "unit");
        let unit_b = m.children.iter().find(|c| c.name == "LSS B").unwrap();
        assert_eq!((unit_b.counts.checks, unit_b.counts.gaps), (4, 2));
        assert_eq!(m.activity_areas.len(), 2);
        // A unit by person, with the expired renewal.
        let u = gaps::report(&db, &GapLevel::Unit(f.a), as_of)
            .await
            .unwrap();
        assert_eq!(u.children_level, "person");
        assert_eq!(u.children.len(), 3);
        let p2_line = u
            .children
            .iter()
            .find(|c| c.id == f.p2.to_string())
            .unwrap();
        assert_eq!((p2_line.counts.gaps, p2_line.counts.expired), (2, 1));
        // An activity area across municipalities.
        let area = gaps::report(
            &db,
            &GapLevel::ActivityArea {
                area: domain::org::ActivityArea::Aldreomsorg,
                municipality_id: None,
            },
            as_of,
        )
        .await
        .unwrap();
        assert_eq!(area.counts.people, 4);
    }
);

both_engines!(
    a_persons_gap_shows_the_planned_session_and_offers,
    |db: Db| async move {
        let f = four_levels(&db).await;
        // The session is upcoming now, so check as of today.
        let today = navet_store::time::today();
        let pg = gaps::person(&db, PersonId(f.p2), today).await.unwrap();
        let hlr_line = pg
            .checks
            .iter()
            .find(|c| c.what.starts_with("Kurs: HLR"))
            .unwrap();
        assert!(hlr_line.is_gap);
        assert_eq!(hlr_line.planned_session_id, Some(f.s));
        assert_eq!(hlr_line.coverage, "catalogue");
        assert_eq!(pg.offers[&f.hlr][0].session_id, f.s);
        assert_eq!(pg.offers[&f.hlr][0].free, 9);
    }
);

both_engines!(
    people_who_move_or_leave_count_where_they_are_now,
    |db: Db| async move {
        let f = four_levels(&db).await;
        // p3 moves from unit B to unit A: the lifting requirement no longer
        // applies, what p3 completed still counts.
        sqlx::query("UPDATE people SET unit_id = $1 WHERE id = $2")
            .bind(f.a)
            .bind(f.p3)
            .execute(db.writer())
            .await
            .unwrap();
        let data = gaps::load(&db, &GapScope::Person(f.p3), d(AS_OF), Courses::Required)
            .await
            .unwrap();
        let checks = data
            .rules()
            .evaluate(&data.record(f.p3).unwrap(), &data.options());
        assert_eq!(checks.len(), 3);
        assert!(checks.iter().all(|c| c.requirement_id != f.lift_req));
        let ub = gaps::report(&db, &GapLevel::Unit(f.b), d(AS_OF))
            .await
            .unwrap();
        assert_eq!(ub.counts.people, 0);
        // A person who has left is not counted.
        sqlx::query("UPDATE people SET active = 0 WHERE id = $1")
            .bind(f.p4)
            .execute(db.writer())
            .await
            .unwrap();
        let r3 = gaps::report(&db, &GapLevel::Region, d(AS_OF))
            .await
            .unwrap();
        assert_eq!(r3.counts.people, 4);
    }
);

both_engines!(
    a_retired_course_turns_its_gaps_into_a_need_for_a_new_course,
    |db: Db| async move {
        let f = four_levels(&db).await;
        // The requirement still applies, p4's gap becomes a need for a new
        // course, and earlier completions still count.
        sqlx::query("UPDATE courses SET status = 'avvecklad' WHERE id = $1")
            .bind(f.hyg)
            .execute(db.writer())
            .await
            .unwrap();
        let r2 = gaps::report(&db, &GapLevel::Region, d(AS_OF))
            .await
            .unwrap();
        let hyg_line = r2
            .requirements
            .iter()
            .find(|l| l.what == "Kurs: Basala hygienrutiner")
            .unwrap();
        assert_eq!(hyg_line.coverage, "new_course");
        assert_eq!(hyg_line.counts.gaps, 1);
        assert_eq!(hyg_line.counts.met, 3);
        assert!(hyg_line.warning.is_some());
        assert_eq!(r2.counts.new_course, 1);
    }
);

both_engines!(
    unit_overview_lists_staff_bookings_certificates_and_year_wheel,
    |db: Db| async move {
        let m = org::municipality_by_name(&db, "Lekeberg")
            .await
            .unwrap()
            .unwrap();
        let u = org::create_unit(
            &db,
            MunicipalityId(m.id),
            "Hemtjänst Fjugesta",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        let usk = role_id(&db, "Undersköterska").await;
        let hlr = course(&db, "HLR", CourseStatus::Aktiv, Some(12)).await;
        requirements::create(&db, &who(), &course_req(usk, hlr))
            .await
            .unwrap();
        let p1 = person(&db, "a@x.se", "Undersköterska", "Lekeberg", Some(u)).await;
        let p2 = person(&db, "b@x.se", "Undersköterska", "Lekeberg", Some(u)).await;
        let today = navet_store::time::today();
        // p1's certificate runs out in 30 days; p2 never had one and is waiting for a place.
        let done = today - chrono::Duration::days(335);
        let exp = today + chrono::Duration::days(30);
        completion(&db, p1, hlr, &done.to_string(), Some(&exp.to_string())).await;
        let s = session(&db, hlr, m.id, 10, 1).await;
        book(&db, s, p1, "booked").await;
        book(&db, s, p2, "waitlisted").await;
        let o = navet_store::unit_overview::load(&db, UnitId(u), today)
            .await
            .unwrap();
        assert_eq!(o.staff.len(), 2);
        let s1 = o.staff.iter().find(|s| s.person_id == p1).unwrap();
        assert_eq!(s1.expiring.len(), 1);
        assert!(s1.gaps.is_empty());
        let s2 = o.staff.iter().find(|s| s.person_id == p2).unwrap();
        assert_eq!(s2.gaps.len(), 1);
        assert!(s2.gaps[0].planned_waitlisted);
        assert_eq!(o.bookings.len(), 2);
        let waiting = o.bookings.iter().find(|b| b.person_id == p2).unwrap();
        assert_eq!(waiting.waitlist_position, Some(1));
        assert_eq!(o.certificates.len(), 1);
        assert!(o.certificates[0].renewal_booked);
        assert!(!o.certificates[0].expired);
        // Year wheel: p1's renewal in the month of `exp`, p2 overdue.
        let month = format!("{}", exp.format("%Y-%m"));
        let wm = o.wheel.iter().find(|w| w.month == month).unwrap();
        assert_eq!(wm.courses[0].due, 1);
        assert_eq!(wm.courses[0].planned, 1);
        assert_eq!(o.overdue[0].due, 1);
        assert_eq!(o.overdue[0].sessions, 1);
        assert_eq!(o.offers[&hlr][0].free, 0);
    }
);

both_engines!(prerequisite_cycles_are_refused, |db: Db| async move {
    let a = course(&db, "Basala hygienrutiner", CourseStatus::Aktiv, None).await;
    let b = course(&db, "Sårvård", CourseStatus::Aktiv, None).await;
    let c = course(&db, "Avancerad sårvård", CourseStatus::Aktiv, None).await;
    tracks::add_prerequisite(&db, &who(), CourseId(b), CourseId(a))
        .await
        .unwrap();
    tracks::add_prerequisite(&db, &who(), CourseId(c), CourseId(b))
        .await
        .unwrap();
    match tracks::add_prerequisite(&db, &who(), CourseId(a), CourseId(c))
        .await
        .unwrap_err()
    {
        StoreError::Invalid(e) => {
            assert_eq!(e.0[0].code, "cycle");
            assert!(
                e.0[0]
                    .message
                    .contains("”Basala hygienrutiner” → ”Avancerad sårvård” → ”Sårvård” → ”Basala hygienrutiner”"),
                "{}",
                e.0[0].message
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&db, "course_prerequisites").await, 2);
    let list = tracks::prerequisites(&db).await.unwrap();
    assert_eq!(list.len(), 2);
    tracks::remove_prerequisite(&db, &who(), CourseId(c), CourseId(b))
        .await
        .unwrap();
    tracks::add_prerequisite(&db, &who(), CourseId(a), CourseId(c))
        .await
        .unwrap();
});

both_engines!(tracks_are_checked_and_show_progress, |db: Db| async move {
    let m = org::municipality_by_name(&db, "Laxå")
        .await
        .unwrap()
        .unwrap();
    let u = org::create_unit(&db, MunicipalityId(m.id), "Säbo Laxå", "aldreomsorg", false)
        .await
        .unwrap();
    let usk = role_id(&db, "Undersköterska").await;
    let hyg = course(&db, "Basala hygienrutiner", CourseStatus::Aktiv, None).await;
    let bem = course(&db, "Bemötande", CourseStatus::Aktiv, None).await;
    let dem = course(&db, "Demensvård", CourseStatus::Aktiv, None).await;
    let sar = course(&db, "Sårvård", CourseStatus::Aktiv, None).await;
    let old = course(&db, "Gammal", CourseStatus::Avvecklad, None).await;
    tracks::add_prerequisite(&db, &who(), CourseId(sar), CourseId(hyg))
        .await
        .unwrap();
    let item = |block: &str, c: i64| TrackItemDraft {
        block: block.into(),
        course_id: c.to_string(),
        ..Default::default()
    };
    let mut draft = tracks::TrackDraft {
        name: "Undersköterska i äldreomsorgen".into(),
        role_id: usk.to_string(),
        activity_area: "aldreomsorg".into(),
        description: String::new(),
        deepening_required: "1".into(),
        items: vec![
            item("bas", sar),
            item("bas", hyg),
            item("bas", bem),
            item("fördjupning", dem),
            TrackItemDraft {
                block: "spets".into(),
                title: "Specialistundersköterska, demens".into(),
                provider: "yrkeshögskola".into(),
                education: "specialistundersköterska".into(),
                direction: "demens".into(),
                ..Default::default()
            },
        ],
    };
    // Sårvård before its prerequisite: refused.
    match tracks::create(&db, &who(), &draft).await.unwrap_err() {
        StoreError::Invalid(e) => assert_eq!(e.0[0].code, "prerequisite_order"),
        other => panic!("{other:?}"),
    }
    draft.items.swap(0, 1);
    // A retired course: refused, naming the row.
    let mut bad = draft.clone();
    bad.items.push(item("fördjupning", old));
    match tracks::create(&db, &who(), &bad).await.unwrap_err() {
        StoreError::Invalid(e) => assert_eq!(e.0[0].field, "items[6].course_id"),
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&db, "tracks").await, 0);
    let id = tracks::create(&db, &who(), &draft).await.unwrap();
    // One track per role and area.
    let again = tracks::TrackDraft {
        name: "Annat namn".into(),
        ..draft.clone()
    };
    match tracks::create(&db, &who(), &again).await.unwrap_err() {
        StoreError::Invalid(e) => assert_eq!(e.0[0].field, "activity_area"),
        other => panic!("{other:?}"),
    }

    let p = person(&db, "p@x.se", "Undersköterska", "Laxå", Some(u)).await;
    completion(&db, p, hyg, "2025-01-01", None).await;
    let (t, status) = tracks::person_progress(&db, PersonId(p))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.track.id, id);
    assert_eq!(
        (status.progress.base_done, status.progress.base_total),
        (1, 3)
    );
    assert_eq!(status.next_title.as_deref(), Some("Sårvård"));
    assert_eq!(status.progress.percent, 25);
    completion(&db, p, sar, "2025-02-01", None).await;
    completion(&db, p, bem, "2025-03-01", None).await;
    completion(&db, p, dem, "2025-04-01", None).await;
    let (_, status) = tracks::person_progress(&db, PersonId(p))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (status.progress.percent, status.level_label),
        (100, "fördjupning")
    );

    // Replacing the items.
    draft.items.pop();
    tracks::update(&db, &who(), id, &draft).await.unwrap();
    assert_eq!(tracks::get(&db, id).await.unwrap().items.len(), 4);
    tracks::delete(&db, &who(), id).await.unwrap();
    assert_eq!(count(&db, "track_items").await, 0);
});

both_engines!(packages_fit_the_managers_units, |db: Db| async move {
    let m = org::municipality_by_name(&db, "Askersund")
        .await
        .unwrap()
        .unwrap();
    let elder = org::create_unit(
        &db,
        MunicipalityId(m.id),
        "Säbo Askersund",
        "aldreomsorg",
        false,
    )
    .await
    .unwrap();
    let lss = org::create_unit(
        &db,
        MunicipalityId(m.id),
        "LSS Askersund",
        "funktionsstod",
        false,
    )
    .await
    .unwrap();
    let usk = role_id(&db, "Undersköterska").await;
    let hyg = course(&db, "Basala hygienrutiner", CourseStatus::Aktiv, None).await;
    let bem = course(&db, "Bemötande", CourseStatus::Aktiv, None).await;
    let old = course(&db, "Gammal", CourseStatus::Avvecklad, None).await;
    let draft = PackageDraft {
        name: "Ny i äldreomsorgen".into(),
        description: "Två första kurserna.".into(),
        role_ids: vec![usk.to_string()],
        activity_areas: vec!["aldreomsorg".into()],
        course_ids: vec![hyg.to_string(), bem.to_string()],
        published: "1".into(),
    };
    let bad = PackageDraft {
        course_ids: vec![old.to_string()],
        ..draft.clone()
    };
    assert!(matches!(
        packages::create(&db, &who(), &bad).await,
        Err(StoreError::Invalid(_))
    ));
    let id = packages::create(&db, &who(), &draft).await.unwrap();
    assert!(matches!(
        packages::create(&db, &who(), &draft).await,
        Err(StoreError::Invalid(_))
    ));
    let a = person(&db, "a@x.se", "Undersköterska", "Askersund", Some(elder)).await;
    let _b = person(&db, "b@x.se", "Undersköterska", "Askersund", Some(elder)).await;
    let _c = person(&db, "c@x.se", "Undersköterska", "Askersund", Some(lss)).await;
    completion(&db, a, hyg, "2025-01-01", None).await;
    completion(&db, a, bem, "2025-01-01", None).await;
    let fit = packages::fitting(
        &db,
        &Scope {
            unit_ids: vec![elder, lss],
            municipality_ids: vec![],
        },
    )
    .await
    .unwrap();
    assert_eq!(fit.len(), 1);
    assert_eq!(fit[0].package.package.id, id);
    assert_eq!(
        (fit[0].uptake.people, fit[0].uptake.complete, fit[0].percent),
        (2, 1, 50)
    );
    // The LSS unit alone: nobody in the target group.
    let none = packages::fitting(
        &db,
        &Scope {
            unit_ids: vec![lss],
            municipality_ids: vec![],
        },
    )
    .await
    .unwrap();
    assert!(none.is_empty());
    packages::delete(&db, &who(), id).await.unwrap();
    assert_eq!(count(&db, "package_courses").await, 0);
});

both_engines!(
    needs_inventory_is_seeded_linked_and_maintained,
    |db: Db| async move {
        seed::load_courses(&db).await.unwrap();
        assert_eq!(needs::load_seed(&db).await.unwrap(), 66);
        assert_eq!(needs::load_seed(&db).await.unwrap(), 0);
        let all = needs::list(&db).await.unwrap();
        assert_eq!(all.len(), 66);
        assert_eq!(all[0].row.code.as_deref(), Some("B001"));
        assert_eq!(
            all.iter()
                .filter(|n| n.row.profession == "baspersonal")
                .count(),
            37
        );
        // Sårvård for baspersonal links to its own entry and the planned course.
        let sar = all
            .iter()
            .find(|n| n.row.code.as_deref() == Some("B023"))
            .unwrap();
        let titles: Vec<&str> = sar.courses.iter().map(|c| c.title.as_str()).collect();
        assert!(titles.contains(&"Sårvård baspersonal"), "{titles:?}");
        assert_eq!(sar.courses.len(), 2);
        // Delivered entries link to an active course: the derived status agrees.
        let b001 = &all[0];
        assert_eq!(b001.row.status, domain::requirements::NeedStatus::Levererat);
        assert_eq!(
            b001.derived_status,
            Some(domain::requirements::NeedStatus::Levererat)
        );
        let links = needs::links(&db).await.unwrap();
        assert_eq!(
            links.len(),
            all.iter().map(|n| n.courses.len()).sum::<usize>()
        );

        let course_id = sar.courses[0].course_id;
        let draft = NeedDraft {
            profession: "fysioterapeuter".into(),
            title: "Fallprevention".into(),
            status: "under utveckling".into(),
            certainty: String::new(),
            note: String::new(),
        };
        let id = needs::create(&db, &who(), &draft, &[course_id])
            .await
            .unwrap();
        let n = needs::get(&db, id).await.unwrap();
        assert_eq!((n.row.position, n.courses.len()), (1, 1));
        let bad = NeedDraft {
            status: "klart".into(),
            ..draft.clone()
        };
        assert!(matches!(
            needs::update(&db, &who(), id, &bad, &[]).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            needs::update(&db, &who(), id, &draft, &[999_999]).await,
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(needs::get(&db, id).await.unwrap().courses.len(), 1);
        needs::update(&db, &who(), id, &draft, &[]).await.unwrap();
        assert!(needs::get(&db, id).await.unwrap().courses.is_empty());
        needs::delete(&db, &who(), id).await.unwrap();
        assert_eq!(needs::list(&db).await.unwrap().len(), 66);
    }
);

both_engines!(demo_competence_data_loads, |db: Db| async move {
    navet_store::demo::load(&db, "hash").await.unwrap();
    assert!(count(&db, "requirements").await >= 20);
    assert_eq!(count(&db, "tracks").await, 6);
    assert!(count(&db, "person_educations").await > 200);
    assert_eq!(count(&db, "needs").await, 66);
    let synthetic: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM requirements WHERE synthetic = 0")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(synthetic, 0);
    let r = gaps::report(&db, &GapLevel::Region, navet_store::time::today())
        .await
        .unwrap();
    assert!(r.counts.people > 300);
    assert!(r.counts.gaps > 0 && r.counts.met > 0);
    assert!(r.counts.recruitment > 0 && r.counts.new_course > 0 && r.counts.covered > 0);
    assert_eq!(r.children.len(), 12);
    // The demo manager's unit has staff with tracks.
    let chef = people::by_email(&db, "chef@demo.navet.se")
        .await
        .unwrap()
        .unwrap();
    let o = navet_store::unit_overview::load(
        &db,
        UnitId(chef.unit_id.unwrap()),
        navet_store::time::today(),
    )
    .await
    .unwrap();
    assert!(!o.staff.is_empty());
    assert!(o.staff.iter().any(|s| s.track.is_some()));
    assert_eq!(o.wheel.len(), 12);
});

both_engines!(
    holdings_follow_completions_through_the_triggers,
    |db: Db| async move {
        let hlr = course(&db, "HLR", CourseStatus::Aktiv, Some(12)).await;
        let hyg = course(&db, "Hygien", CourseStatus::Aktiv, None).await;
        let a = person(&db, "a@x.se", "Undersköterska", "Kumla", None).await;
        let b = person(&db, "b@x.se", "Undersköterska", "Kumla", None).await;
        let holdings = |p: i64| {
            let db = db.clone();
            async move {
                let h: Option<String> = sqlx::query_scalar(
                    "SELECT holdings FROM competence_holdings WHERE person_id = $1",
                )
                .bind(p)
                .fetch_optional(db.pool())
                .await
                .unwrap();
                let mut v: Vec<String> = h
                    .unwrap_or_default()
                    .split(' ')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect();
                v.sort();
                v
            }
        };
        completion(&db, a, hlr, "2025-01-01", Some("2026-01-01")).await;
        completion(&db, a, hyg, "2024-05-05", None).await;
        completion(&db, b, hyg, "2023-03-03", None).await;
        assert_eq!(
            holdings(a).await,
            [
                format!("{hlr}:2025-01-01:2026-01-01"),
                format!("{hyg}:2024-05-05:")
            ]
        );
        // Several rows in one statement.
        sqlx::query(
        "INSERT INTO completions (person_id, course_id, completed_on, hours, certificate_no, verify_code, source, created_at) \
         VALUES ($1, $2, '2026-01-10', 3.0, 'M-1', 'M1', 'test', 0), ($3, $2, '2026-01-11', 3.0, 'M-2', 'M2', 'test', 0)",
    )
    .bind(a)
    .bind(hlr)
    .bind(b)
    .execute(db.writer())
    .await
    .unwrap();
        assert_eq!(holdings(b).await.len(), 2);
        sqlx::query(
            "UPDATE completions SET expires_on = '2027-01-10' WHERE certificate_no = 'M-1'",
        )
        .execute(db.writer())
        .await
        .unwrap();
        assert!(holdings(a)
            .await
            .contains(&format!("{hlr}:2026-01-10:2027-01-10")));
        sqlx::query("DELETE FROM completions WHERE person_id = $1")
            .bind(b)
            .execute(db.writer())
            .await
            .unwrap();
        assert!(holdings(b).await.is_empty());
        let before = holdings(a).await;
        assert_eq!(before.len(), 3);
        assert_eq!(gaps::rebuild_holdings(&db).await.unwrap(), 1);
        assert_eq!(holdings(a).await, before);
    }
);

both_engines!(
    holdings_of_reads_completions_and_educations,
    |db: Db| async move {
        let c = course(&db, "Förflyttning", CourseStatus::Aktiv, None).await;
        let anna = person(&db, "anna@x.se", "Undersköterska", "Kumla", None).await;
        let bo = person(&db, "bo@x.se", "Undersköterska", "Kumla", None).await;
        completion(&db, anna, c, "2025-03-01", None).await;
        education::register(
            &db,
            &who(),
            PersonId(anna),
            &PersonEducationDraft {
                kind: "specialistundersköterska".into(),
                direction: "demens".into(),
                completed_on: "2024-06-14".into(),
                note: String::new(),
            },
        )
        .await
        .unwrap();
        let held = tracks::holdings_of(&db, &[anna, bo]).await.unwrap();
        let (courses, educations) = &held[&anna];
        assert_eq!(courses, &std::collections::HashSet::from([c]));
        assert_eq!(
            educations.iter().map(|e| e.label_sv()).collect::<Vec<_>>(),
            vec!["specialistundersköterska (YH), inriktning demens".to_string()]
        );
        assert!(held
            .get(&bo)
            .is_none_or(|(c, e)| c.is_empty() && e.is_empty()));
    }
);
