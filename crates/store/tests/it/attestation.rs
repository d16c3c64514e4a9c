//! Monthly attestation and the participant file in the store, on SQLite
//! and PostgreSQL: a month from attendance to a corrected export, one
//! test per step on a scene that has done the steps before it — attend,
//! ask, attest (one digitally, one on paper), export twice (the
//! same bytes), correct an attendance (a new version pointing to the old,
//! the month and the later exported month flagged, the person told), and
//! export again (differing only in the corrected row); plus the refusals
//! that change nothing.

use chrono::NaiveDate;
use domain::attestation::{Method, Status};
use domain::ids::{PersonId, SessionId};
use navet_store::attestation::{self, HowSigned};
use navet_store::audit::Who;
use navet_store::testing::fixtures;
use navet_store::{attendance, both_engines, esf_export, Db, StoreError};
use sqlx::Row;

fn who() -> Who {
    Who::system("test")
}

fn month(s: &str) -> NaiveDate {
    domain::attestation::parse_month("month", s).unwrap()
}

fn today() -> NaiveDate {
    navet_store::time::today()
}

/// A session of `hours` starting at 09:00 Stockholm time on `day`.
async fn session(db: &Db, course: i64, day: &str, hours: f64) -> i64 {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    let start = navet_store::time::day_start(d) + 9 * 3600;
    sqlx::query(
        "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, capacity, hours, status, created_at, updated_at) \
         VALUES ($1, $2, $3, (SELECT id FROM municipalities WHERE name = 'Örebro'), 12, $4, 'held', 0, 0) RETURNING id",
    )
    .bind(course)
    .bind(start)
    .bind(start + (hours * 3600.0) as i64)
    .bind(hours)
    .fetch_one(db.writer())
    .await
    .unwrap()
    .get(0)
}

/// The funding programme the files count from (2025-01 to 2027-06).
async fn programme(db: &Db) {
    let munis = navet_store::org::municipalities(db).await.unwrap();
    let p = domain::funding::Programme {
        name: "ESF".into(),
        starts: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        ends: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
        granted_sek: 23_731_055,
        cofinancing_rate: 0.46,
        target_hours: 42_000.0,
        employees: munis.iter().map(|m| (m.name.clone(), 1000)).collect(),
    };
    navet_store::funding::save(db, &Who::system("test"), &p)
        .await
        .unwrap();
}

async fn book(db: &Db, session: i64, person: i64) {
    sqlx::query(
        "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, 'booked', 0, 0)",
    )
    .bind(session)
    .bind(person)
    .execute(db.writer())
    .await
    .unwrap();
}

async fn outbox_subjects(db: &Db, person: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT subject FROM outbox WHERE to_person_id = $1 ORDER BY id")
        .bind(person)
        .fetch_all(db.pool())
        .await
        .unwrap()
}

fn field(e: &StoreError) -> (String, String) {
    match e {
        StoreError::Invalid(f) => (f.0[0].field.clone(), f.0[0].message.clone()),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn produce(db: &Db, m: &str) -> (esf_export::Export, String) {
    let first = esf_export::first_month(db, month(m)).await.unwrap();
    let people = esf_export::participants(db, first, month(m)).await.unwrap();
    let rows = domain::attestation::esf_file::rows(&people);
    let bytes = domain::attestation::esf_file::to_csv(month(m), &rows);
    let e = esf_export::archive(db, &who(), month(m), "csv", &bytes, rows.len() as i64)
        .await
        .unwrap();
    assert_eq!(e.sha256, esf_export::sha256_hex(&bytes));
    (e, String::from_utf8(bytes).unwrap())
}

/// Two people and three held sessions, all attended: Anna 3 h and 4,5 h
/// in March 2026 and 3 h in April, Berit 3 h in each month.
struct March {
    anna: i64,
    berit: i64,
    m1: i64,
    m2: i64,
}

async fn attended(db: &Db) -> March {
    programme(db).await;
    let course = fixtures::course(db, "HLR vuxen").await;
    let anna = fixtures::person(db, "Anna", "Örebro").await;
    let berit = fixtures::person(db, "Berit", "Örebro").await;
    let (m1, m2, m3) = (
        session(db, course, "2026-03-10", 3.0).await,
        session(db, course, "2026-03-20", 4.5).await,
        session(db, course, "2026-04-15", 3.0).await,
    );
    for s in [m1, m2, m3] {
        book(db, s, anna).await;
    }
    for s in [m1, m3] {
        book(db, s, berit).await;
    }
    for (s, p) in [(m1, anna), (m2, anna), (m3, anna), (m1, berit), (m3, berit)] {
        attendance::mark(db, &who(), SessionId(s), PersonId(p), true)
            .await
            .unwrap();
    }
    March {
        anna,
        berit,
        m1,
        m2,
    }
}

/// Anna's year of birth (the age band) and Berit's personal identity
/// number; Berit's details as saved.
async fn reporting_details(db: &Db, f: &March) -> esf_export::ReportingDetails {
    esf_export::set_reporting_details(db, &who(), PersonId(f.anna), "1980", "", 2026)
        .await
        .unwrap();
    esf_export::set_reporting_details(db, &who(), PersonId(f.berit), "", "19121212-1212", 2026)
        .await
        .unwrap()
}

async fn open(db: &Db, m: &str) -> usize {
    attestation::open_month(db, &who(), month(m), today(), "https://navet.test")
        .await
        .unwrap()
}

/// Attendance, reporting details, and March and April opened.
async fn opened(db: &Db) -> March {
    let f = attended(db).await;
    reporting_details(db, &f).await;
    open(db, "2026-03").await;
    open(db, "2026-04").await;
    f
}

const DIGITAL: HowSigned = HowSigned {
    method: Method::Password,
    provider: None,
};
const PAPER: HowSigned = HowSigned {
    method: Method::Paper,
    provider: None,
};

async fn attest(
    db: &Db,
    person: i64,
    m: &str,
    how: &HowSigned,
) -> Result<attestation::Version, StoreError> {
    attestation::attest(db, &who(), PersonId(person), month(m), today(), how).await
}

/// Both months opened and attested: Anna digitally, Berit's March on paper.
async fn attested(db: &Db) -> March {
    let f = opened(db).await;
    attest(db, f.anna, "2026-03", &DIGITAL).await.unwrap();
    attest(db, f.berit, "2026-03", &PAPER).await.unwrap();
    for p in [f.anna, f.berit] {
        attest(db, p, "2026-04", &DIGITAL).await.unwrap();
    }
    f
}

/// Both months attested and exported (March's file returned), then
/// Anna's attendance on 20 March corrected to absent.
async fn corrected(db: &Db) -> (March, esf_export::Export, String) {
    let f = attested(db).await;
    let (e1, csv1) = produce(db, "2026-03").await;
    produce(db, "2026-04").await;
    attendance::mark(db, &who(), SessionId(f.m2), PersonId(f.anna), false)
        .await
        .unwrap();
    (f, e1, csv1)
}

both_engines!(
    a_month_asks_each_person_once_when_opened_and_not_before,
    |db: Db| async move {
        let f = attended(&db).await;
        let before: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM attestations")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(
            before, 0,
            "attendance alone asks nobody before the month is opened"
        );
        assert_eq!(open(&db, "2026-03").await, 2);
        assert_eq!(open(&db, "2026-03").await, 0);
        assert!(outbox_subjects(&db, f.anna).await.contains(
            &"Bekräfta din närvarotid för mars: 7,5 timmar på 2 kurstillfällen".to_string()
        ));
    }
);

both_engines!(
    a_personal_identity_number_is_checked_masked_and_gives_the_birth_year,
    |db: Db| async move {
        let f = attended(&db).await;
        let d = reporting_details(&db, &f).await;
        assert_eq!(d.birth_year, Some(1912));
        assert_eq!(d.masked().as_deref(), Some("19121212-****"));
        // A bad number is refused naming the field, and nothing changes.
        let e = esf_export::set_reporting_details(
            &db,
            &who(),
            PersonId(f.berit),
            "",
            "19121212-1213",
            2026,
        )
        .await
        .unwrap_err();
        assert_eq!(field(&e).0, "personal_identity_number");
        assert!(field(&e).1.contains("kontrollsiffra"), "{}", field(&e).1);
        assert_eq!(
            esf_export::reporting_details(&db, PersonId(f.berit))
                .await
                .unwrap()
                .personal_number
                .as_deref(),
            Some("19121212-1212")
        );
    }
);

both_engines!(
    an_attestation_records_the_months_time_and_a_month_without_any_is_refused,
    |db: Db| async move {
        let f = opened(&db).await;
        let e = attest(&db, f.anna, "2026-02", &DIGITAL).await.unwrap_err();
        assert_eq!(field(&e).0, "month");
        assert!(field(&e).1.contains("ingen närvarotid"), "{}", field(&e).1);
        let a1 = attest(&db, f.anna, "2026-03", &DIGITAL).await.unwrap();
        assert_eq!(
            (a1.status, a1.centi_hours, a1.session_count),
            (Status::Attested, 750, 2)
        );
        assert_eq!(a1.session_ids, vec![f.m1, f.m2]);
        assert_eq!(a1.method, Some(Method::Password));
        assert!(a1.attested_at.is_some());
    }
);

both_engines!(
    a_month_is_attested_once_and_counted_by_method,
    |db: Db| async move {
        let f = attested(&db).await;
        assert!(matches!(
            attest(&db, f.anna, "2026-03", &DIGITAL).await,
            Err(StoreError::Conflict { .. })
        ));
        let counts = attestation::overview(&db, month("2026-03")).await.unwrap();
        assert_eq!(counts.len(), 1);
        assert_eq!(
            (
                counts[0].people,
                counts[0].attested,
                counts[0].paper,
                counts[0].waiting
            ),
            (2, 2, 1, 0)
        );
    }
);

both_engines!(
    the_file_gives_each_persons_months_and_the_same_bytes_when_unchanged,
    |db: Db| async move {
        let f = attested(&db).await;
        let (anna, berit) = (f.anna, f.berit);
        let (e1, csv1) = produce(&db, "2026-03").await;
        let (e1b, csv1b) = produce(&db, "2026-03").await;
        assert_eq!(csv1, csv1b);
        assert_eq!(e1.sha256, e1b.sha256);
        assert!(
            csv1.contains(&format!(
                "NAV-{anna:07};Örebro;kvinna;30-54;2026-03;2026-03;2026-03;7,5;digital;1"
            )),
            "{csv1}"
        );
        assert!(
            csv1.contains(&format!(
                "NAV-{berit:07};Örebro;kvinna;55+;2026-03;2026-03;2026-03;3;papper;1"
            )),
            "{csv1}"
        );
        let (_, csv_april) = produce(&db, "2026-04").await;
        assert!(
            csv_april.contains(&format!(
                "NAV-{anna:07};Örebro;kvinna;30-54;2026-03;2026-04;2026-04;3;digital;1"
            )),
            "{csv_april}"
        );
        assert!(attestation::flagged_months(&db).await.unwrap().is_empty());
    }
);

both_engines!(
    a_correction_makes_a_new_version_and_flags_every_exported_month_from_it,
    |db: Db| async move {
        let (f, _, _) = corrected(&db).await;
        let v = attestation::versions(&db, PersonId(f.anna), month("2026-03"))
            .await
            .unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            (v[0].version, v[0].status, v[0].centi_hours),
            (2, Status::Pending, 300)
        );
        assert_eq!(v[0].previous_id, Some(v[1].id));
        assert_eq!(v[0].reason, "correction");
        // The attested version stays as it was confirmed.
        assert_eq!(
            (v[1].status, v[1].centi_hours, v[1].session_count),
            (Status::Superseded, 750, 2)
        );
        assert!(outbox_subjects(&db, f.anna)
            .await
            .iter()
            .any(|s| s.contains("har rättats")));
        // The month and the later exported month.
        assert_eq!(
            attestation::flagged_months(&db).await.unwrap(),
            vec!["2026-03".to_string(), "2026-04".to_string()]
        );
        assert!(
            attestation::month_state(&db, month("2026-03"))
                .await
                .unwrap()
                .reexport_needed
        );
        let counts = attestation::overview(&db, month("2026-03")).await.unwrap();
        assert_eq!(
            (counts[0].attested, counts[0].waiting, counts[0].corrected),
            (1, 1, 1)
        );
    }
);

both_engines!(
    the_new_file_differs_only_in_the_corrected_row,
    |db: Db| async move {
        let (f, e1, csv1) = corrected(&db).await;
        let anna = f.anna;
        let (e2, csv2) = produce(&db, "2026-03").await;
        assert_ne!(e2.sha256, e1.sha256);
        let (old, new): (Vec<&str>, Vec<&str>) = (csv1.lines().collect(), csv2.lines().collect());
        assert_eq!(old.len(), new.len());
        let differing: Vec<(&&str, &&str)> =
            old.iter().zip(new.iter()).filter(|(a, b)| a != b).collect();
        assert_eq!(differing.len(), 1, "{differing:?}");
        assert_eq!(
            *differing[0].1,
            format!("NAV-{anna:07};Örebro;kvinna;30-54;2026-03;2026-03;2026-03;;ej attesterad;2")
        );
        // March is exported again; April still waits for its new file.
        assert_eq!(
            attestation::flagged_months(&db).await.unwrap(),
            vec!["2026-04".to_string()]
        );
    }
);

both_engines!(
    a_corrected_month_is_reminded_once_and_attested_again_as_its_new_version,
    |db: Db| async move {
        let (f, _, _) = corrected(&db).await;
        let remind = || async {
            attestation::remind(&db, &who(), month("2026-03"), None, "https://navet.test").await
        };
        // Anna waits (version 2); a second press sends nothing.
        assert_eq!(remind().await.unwrap(), 1);
        assert_eq!(remind().await.unwrap(), 0);
        assert!(outbox_subjects(&db, f.anna)
            .await
            .iter()
            .any(|s| s.starts_with(
                "Påminnelse: bekräfta din närvarotid för mars: 3 timmar på 1 kurstillfälle"
            )));
        // She confirms the new time: version 2, attested.
        let v = attestation::versions(&db, PersonId(f.anna), month("2026-03"))
            .await
            .unwrap();
        let a2 = attest(&db, f.anna, "2026-03", &DIGITAL).await.unwrap();
        assert_eq!(
            (a2.version, a2.centi_hours, a2.previous_id),
            (2, 300, Some(v[1].id))
        );
    }
);

both_engines!(
    a_future_month_is_not_opened_and_years_are_checked,
    |db: Db| async move {
        let p = fixtures::person(&db, "Cecilia", "Kumla").await;
        let next = domain::attestation::previous_month(today())
            .checked_add_months(chrono::Months::new(2))
            .unwrap();
        let e = attestation::open_month(&db, &who(), next, today(), "")
            .await
            .unwrap_err();
        assert_eq!(field(&e).0, "month");
        for (year, number, f) in [
            ("18", "", "birth_year"),
            ("2999", "", "birth_year"),
            ("1980", "19121212-1212", "birth_year"),
            ("", "1912121212", "personal_identity_number"),
            ("", "19121312-1212", "personal_identity_number"),
        ] {
            let e = esf_export::set_reporting_details(&db, &who(), PersonId(p), year, number, 2026)
                .await
                .unwrap_err();
            assert_eq!(field(&e).0, f, "{year} {number}");
        }
        assert_eq!(
            esf_export::reporting_details(&db, PersonId(p))
                .await
                .unwrap(),
            esf_export::ReportingDetails::default()
        );
    }
);
