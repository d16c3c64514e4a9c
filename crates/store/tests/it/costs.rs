//! Cost model and scenarios in the store, on SQLite and PostgreSQL.
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::NaiveDate;
use domain::catalogue::{CheckedCourse, CourseStatus, Format, Level};
use domain::costs::{check_line, check_scenario, LineDraft, Ore, ScenarioDraft, Settings};
use domain::ids::MunicipalityId;
use navet_store::audit::{self, Who};
use navet_store::catalogue::{self, CourseExtras};
use navet_store::people::{self, ResolvedPerson};
use navet_store::{both_engines, costs, org, Db, StoreError};
use sqlx::Row;

fn who() -> Who {
    Who::system("test")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn muni(db: &Db, name: &str) -> i64 {
    org::municipality_by_name(db, name)
        .await
        .unwrap()
        .unwrap()
        .id
}

fn line(
    label: &str,
    kind: &str,
    amount: &str,
    scaling: &str,
    per: &str,
) -> domain::costs::CostLine {
    check_line(&LineDraft {
        label: label.into(),
        kind: kind.into(),
        basis: "annual".into(),
        amount: amount.into(),
        scaling: scaling.into(),
        per: per.into(),
        ..Default::default()
    })
    .unwrap()
}

fn fields(e: &StoreError) -> Vec<String> {
    match e {
        StoreError::Invalid(f) => f.0.iter().map(|x| x.field.clone()).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

both_engines!(
    cost_lines_round_trip_every_basis_and_scaling,
    |db: Db| async move {
        let staff = check_line(&LineDraft {
            label: "Utbildningsledare".into(),
            kind: "staff".into(),
            basis: "staff".into(),
            role: "utbildningsledare".into(),
            fte: "0,75".into(),
            monthly_salary: "38 500,50".into(),
            overhead_pct: "31,42".into(),
            scaling: "course_hours".into(),
            per: "1 000".into(),
            note: "1 per 1 000 deltagartimmar".into(),
            ..Default::default()
        })
        .unwrap();
        let dep = check_line(&LineDraft {
            label: "Simuleringsdockor".into(),
            kind: "equipment".into(),
            basis: "depreciation".into(),
            purchase: "553 426".into(),
            years: "5".into(),
            scaling: "sessions".into(),
            per: "12,5".into(),
            ..Default::default()
        })
        .unwrap();
        let cars = line("Bilar", "cars", "132 755", "fixed", "");
        let mut ids = vec![];
        for l in [&staff, &dep, &cars] {
            ids.push(costs::create_line(&db, &who(), l).await.unwrap());
        }
        let stored = costs::lines(&db).await.unwrap();
        assert_eq!(stored.len(), 3);
        for (s, (l, id)) in stored.iter().zip([&staff, &dep, &cars].iter().zip(&ids)) {
            assert_eq!(s.id, *id);
            assert_eq!(&domain::costs::CostLine { id: 0, ..s.clone() }, *l);
        }
        // Update and delete, both audited.
        let mut changed = cars.clone();
        changed.label = "Bilar (leasing)".into();
        costs::update_line(&db, &who(), ids[2], &changed)
            .await
            .unwrap();
        assert_eq!(
            costs::line(&db, ids[2]).await.unwrap().label,
            "Bilar (leasing)"
        );
        costs::delete_line(&db, &who(), ids[0]).await.unwrap();
        assert_eq!(costs::lines(&db).await.unwrap().len(), 2);
        assert!(matches!(
            costs::delete_line(&db, &who(), ids[0]).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            costs::update_line(&db, &who(), 9999, &cars).await,
            Err(StoreError::NotFound(_))
        ));
        let (log, _) = audit::list(
            &db,
            &audit::Filter {
                action: Some("costs.line".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let log = log.rows;
        assert_eq!(log.len(), 5);
    }
);

both_engines!(
    settings_default_from_the_report_and_save,
    |db: Db| async move {
        let s = costs::settings(&db).await.unwrap();
        // 46 % × 23 731 055 kr ÷ 42 000 h = 259,91 kr
        assert_eq!(s.cofinancing_rate, 259_91);
        assert_eq!(s.use_from, d("2025-01-01"));
        assert_eq!(s.hours_per_session_centi, None);
        let new = Settings {
            use_from: d("2025-03-01"),
            cofinancing_rate: 300_00,
            hours_per_session_centi: Some(24_50),
        };
        costs::save_settings(&db, &who(), &new).await.unwrap();
        costs::save_settings(&db, &who(), &new).await.unwrap();
        assert_eq!(costs::settings(&db).await.unwrap(), new);
    }
);

both_engines!(
    scenarios_are_stored_with_their_municipalities_and_checked,
    |db: Db| async move {
        let known = costs::known_municipalities(&db).await.unwrap();
        let nora = muni(&db, "Nora").await;
        let orebro = muni(&db, "Örebro").await;
        let mut draft = ScenarioDraft {
            name: "Nora och Örebro".into(),
            description: "Två kommuner".into(),
            municipalities: vec![orebro.to_string(), nora.to_string()],
            weight_inhabitants: "70".into(),
            weight_equal: "30".into(),
            ..Default::default()
        };
        draft.course_hours.insert(nora, "420,25".into());
        draft.participants.insert(nora, "80".into());
        let s = check_scenario(&draft, &known).unwrap();
        let id = costs::create_scenario(&db, &who(), &s).await.unwrap();
        let got = costs::scenario(&db, id).await.unwrap();
        assert_eq!(got.name, "Nora och Örebro");
        assert_eq!(got.weights.inhabitants_bp, 7000);
        let ids: Vec<i64> = got
            .municipalities
            .iter()
            .map(|m| m.municipality_id)
            .collect();
        assert_eq!(ids, [nora, orebro], "Swedish order");
        assert_eq!(got.municipalities[0].course_hours_centi, Some(420_25));
        assert_eq!(got.municipalities[0].participants, Some(80));
        assert_eq!(got.municipalities[1].course_hours_centi, None);

        // Same name again: refused, nothing added.
        let e = costs::create_scenario(&db, &who(), &s).await.unwrap_err();
        assert_eq!(fields(&e), ["name"]);
        assert_eq!(costs::scenarios(&db).await.unwrap().len(), 1);

        // No municipality or weights not 100 %: refused by the store too.
        let mut bad = s.clone();
        bad.name = "Tomt".into();
        bad.municipalities.clear();
        bad.weights.equal_bp = 0;
        let e = costs::create_scenario(&db, &who(), &bad).await.unwrap_err();
        assert_eq!(fields(&e), ["municipalities", "weights"]);
        assert_eq!(costs::scenarios(&db).await.unwrap().len(), 1);

        // Update replaces the municipalities.
        let mut upd = s.clone();
        upd.name = "Bara Nora".into();
        upd.municipalities.retain(|m| m.municipality_id == nora);
        costs::update_scenario(&db, &who(), id, &upd).await.unwrap();
        let got = costs::scenario(&db, id).await.unwrap();
        assert_eq!(got.name, "Bara Nora");
        assert_eq!(got.municipalities.len(), 1);
        let other = costs::create_scenario(&db, &who(), &ScenarioDraftExt::named(&s, "Annat"))
            .await
            .unwrap();
        let e = costs::update_scenario(&db, &who(), other, &upd)
            .await
            .unwrap_err();
        assert_eq!(fields(&e), ["name"]);
        costs::delete_scenario(&db, &who(), id).await.unwrap();
        assert!(matches!(
            costs::scenario(&db, id).await,
            Err(StoreError::NotFound(_))
        ));
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM cost_scenario_municipalities WHERE scenario_id = $1",
        )
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(n, 0);
    }
);

struct ScenarioDraftExt;
impl ScenarioDraftExt {
    fn named(s: &domain::costs::Scenario, name: &str) -> domain::costs::Scenario {
        domain::costs::Scenario {
            name: name.into(),
            ..s.clone()
        }
    }
}

/// A person in `municipality`, a course of `hours` and a helper to add
/// sessions with attended/absent bookings directly.
struct Fixture {
    course: i64,
    role: i64,
    n: i64,
}

impl Fixture {
    async fn new(db: &Db) -> Fixture {
        let course = catalogue::create(
            db,
            &who(),
            &CheckedCourse {
                title: "HLR".into(),
                level: Level::Bas,
                format: Format::Simulering,
                hours: 3.0,
                status: CourseStatus::Aktiv,
                validity_months: None,
                default_capacity: 10,
                trainers_per_session: 1,
            },
            &CourseExtras::default(),
        )
        .await
        .unwrap();
        let role = org::role_by_name(db, "undersköterska")
            .await
            .unwrap()
            .unwrap()
            .id;
        Fixture { course, role, n: 0 }
    }

    async fn person(&mut self, db: &Db, municipality: i64) -> i64 {
        self.n += 1;
        people::create(
            db,
            &who(),
            &ResolvedPerson {
                name: format!("Person {}", self.n),
                email: format!("p{}@test.se", self.n),
                gender: domain::org::Gender::parse("kvinna").unwrap(),
                employee_no: None,
                role_id: self.role,
                municipality_id: municipality,
                unit_id: None,
                language_support: String::new(),
            },
            true,
        )
        .await
        .unwrap()
    }

    /// A session starting at `ts` (Unix seconds) of `hours`, with bookings (person, status).
    async fn session(&self, db: &Db, ts: i64, hours: f64, bookings: &[(i64, &str)]) -> i64 {
        let muni: i64 = sqlx::query_scalar("SELECT MIN(id) FROM municipalities")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let id: i64 = sqlx::query(
            "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, capacity, hours, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 10, $5, 'held', 0, 0) RETURNING id",
        )
        .bind(self.course)
        .bind(ts)
        .bind(ts + 3 * 3600)
        .bind(muni)
        .bind(hours)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get(0);
        for (p, status) in bookings {
            sqlx::query("INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at) VALUES ($1, $2, $3, 0, 0)")
                .bind(id)
                .bind(p)
                .bind(*status)
                .execute(db.pool())
                .await
                .unwrap();
        }
        // As taking attendance does: the report's attendance rows follow.
        let people: Vec<i64> = bookings.iter().map(|(p, _)| *p).collect();
        let mut conn = db.pool().acquire().await.unwrap();
        navet_store::reports::refresh_people(&mut conn, &people)
            .await
            .unwrap();
        id
    }

    async fn completion(
        &self,
        db: &Db,
        person: i64,
        session: Option<i64>,
        on: &str,
        hours: f64,
        no: &str,
    ) {
        sqlx::query(
            "INSERT INTO completions (person_id, course_id, session_id, completed_on, hours, certificate_no, verify_code, source, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'import', 0)",
        )
        .bind(person)
        .bind(self.course)
        .bind(session)
        .bind(on)
        .bind(hours)
        .bind(no)
        .bind(navet_store::completions::new_verify_code())
        .execute(db.pool())
        .await
        .unwrap();
    }
}

/// 2025-03-10 09:00 Stockholm.
const MARCH: i64 = 1_741_593_600;

both_engines!(
    actual_use_counts_attended_sessions_once_and_nothing_else,
    |db: Db| async move {
        let nora = muni(&db, "Nora").await;
        let kumla = muni(&db, "Kumla").await;
        let mut f = Fixture::new(&db).await;
        let (a, b, c) = (
            f.person(&db, nora).await,
            f.person(&db, nora).await,
            f.person(&db, kumla).await,
        );
        // Attended: a, b (3 h each); absent and cancelled add nothing.
        let s1 = f
            .session(
                &db,
                MARCH,
                3.0,
                &[(a, "attended"), (b, "attended"), (c, "absent")],
            )
            .await;
        // a again on another session (4 h): counts once as a participant.
        f.session(
            &db,
            MARCH + 86_400,
            4.0,
            &[(a, "attended"), (c, "cancelled")],
        )
        .await;
        // Before the period: not counted.
        f.session(&db, MARCH - 200 * 86_400, 5.0, &[(c, "attended")])
            .await;
        // A completion from the attended booking on s1 is not counted again.
        f.completion(&db, a, Some(s1), "2025-03-10", 3.0, "N-1")
            .await;
        // Completions with no session behind them (competence records) are
        // not use of the hub: the indicator report does not count them either.
        f.completion(&db, c, None, "2025-06-01", 2.0, "N-2").await;
        f.completion(&db, b, None, "2025-06-01", 2.0, "N-3").await;
        f.completion(&db, c, None, "2026-02-01", 9.0, "N-4").await;

        let act = costs::actuals(&db, d("2025-01-01"), d("2025-12-31"))
            .await
            .unwrap();
        assert_eq!(act.municipalities.len(), 12);
        let n = act.facts(nora).unwrap();
        assert_eq!(n.attended_hours, 3.0 + 3.0 + 4.0);
        assert_eq!(n.participants, 2);
        let k = act.facts(kumla).unwrap();
        assert_eq!(k.attended_hours, 0.0);
        assert_eq!(k.participants, 0);
        assert_eq!(
            act.facts(muni(&db, "Örebro").await).unwrap().attended_hours,
            0.0
        );
        // s1 and s2.
        assert_eq!(act.sessions_held, 2);
        assert_eq!(act.days(), 365);
        // The period boundary is the Swedish day: a session at 23:30 on 31 Dec counts in 2025.
        let late = 1_767_220_200; // 2025-12-31 23:30 Stockholm (22:30 UTC)
        f.session(&db, late, 1.0, &[(c, "attended")]).await;
        let act = costs::actuals(&db, d("2025-01-01"), d("2025-12-31"))
            .await
            .unwrap();
        assert_eq!(act.facts(kumla).unwrap().attended_hours, 1.0);
        let act = costs::actuals(&db, d("2026-01-01"), d("2026-12-31"))
            .await
            .unwrap();
        assert_eq!(act.facts(kumla).unwrap().attended_hours, 0.0);
    }
);

both_engines!(
    scenario_results_follow_recorded_use_and_name_missing_figures,
    |db: Db| async move {
        let nora = muni(&db, "Nora").await;
        let kumla = muni(&db, "Kumla").await;
        let mut f = Fixture::new(&db).await;
        let a = f.person(&db, nora).await;
        let c = f.person(&db, kumla).await;
        f.session(&db, MARCH, 3.0, &[(a, "attended"), (c, "attended")])
            .await;
        f.session(&db, MARCH + 86_400, 3.0, &[(a, "attended")])
            .await;
        costs::create_line(
            &db,
            &who(),
            &line("Samordning", "staff", "1 000 000", "fixed", ""),
        )
        .await
        .unwrap();
        costs::create_line(
            &db,
            &who(),
            &line("Bilar", "cars", "100 000", "sessions", "10"),
        )
        .await
        .unwrap();
        costs::save_settings(
            &db,
            &who(),
            &Settings {
                use_from: d("2025-01-01"),
                cofinancing_rate: 259_91,
                hours_per_session_centi: None,
            },
        )
        .await
        .unwrap();
        let known = costs::known_municipalities(&db).await.unwrap();
        let s = check_scenario(
            &ScenarioDraft {
                name: "Efter användning".into(),
                municipalities: vec![nora.to_string(), kumla.to_string()],
                weight_use: "100".into(),
                ..Default::default()
            },
            &known,
        )
        .unwrap();
        let id = costs::create_scenario(&db, &who(), &s).await.unwrap();
        let r = costs::result(&db, id, d("2025-12-31")).await.unwrap();
        // Nora 6 h, Kumla 3 h in 2025; 9 h over 2 sessions = 4,5 h per session.
        assert_eq!(r.course_hours, 9.0);
        assert_eq!(r.hours_per_session, Some(4.5));
        assert_eq!(r.sessions, Some(2.0));
        // Cars: 100 000 kr per 10 sessions × 2 sessions.
        assert_eq!(r.variable, 20_000_00);
        assert_eq!(r.total, 1_020_000_00);
        assert_eq!(
            r.municipalities.iter().map(|m| m.share).sum::<Ore>(),
            r.total
        );
        assert_eq!(r.municipality(nora).unwrap().share, 680_000_00);
        assert_eq!(r.municipality(kumla).unwrap().share, 340_000_00);
        assert_eq!(
            r.municipality(nora).unwrap().cofinancing_value_per_year,
            6 * 259_91
        );
        // If Kumla leaves: its 3 h go, cars cost less, fixed costs stay, Nora pays it all.
        let leave = r.leave(kumla).unwrap().outcome.as_ref().unwrap();
        // 6 h ÷ 4,5 h = 1,33 sessions (hundredths) × 10 000 kr.
        assert_eq!(leave.total_after, 1_000_000_00 + 13_300_00);
        assert_eq!(leave.changes[0].after, leave.total_after);

        // A key by employees: the reference data has no employee figures.
        let mut by_emp = s.clone();
        by_emp.name = "Efter anställda".into();
        by_emp.weights = domain::costs::Weights {
            employees_bp: 10_000,
            ..Default::default()
        };
        let id2 = costs::create_scenario(&db, &who(), &by_emp).await.unwrap();
        let e = costs::result(&db, id2, d("2025-12-31")).await.unwrap_err();
        assert_eq!(fields(&e), ["weight_employees"]);
        match e {
            StoreError::Invalid(f) => assert!(f.0[0].message.contains("Kumla och Nora")),
            _ => unreachable!(),
        }
        org::set_municipality_figures(&db, MunicipalityId(nora), Some(900), Some(10_600))
            .await
            .unwrap();
        org::set_municipality_figures(&db, MunicipalityId(kumla), Some(2100), Some(22_600))
            .await
            .unwrap();
        let r = costs::result(&db, id2, d("2025-12-31")).await.unwrap();
        assert_eq!(r.municipality(nora).unwrap().share, 306_000_00);
        assert_eq!(r.municipality(kumla).unwrap().share, 714_000_00);
    }
);

both_engines!(demo_cost_model_and_three_scenarios, |db: Db| async move {
    // As in the demo: employee figures exist before the cost demo loads.
    for m in org::municipalities(&db).await.unwrap() {
        org::set_municipality_figures(
            &db,
            MunicipalityId(m.id),
            m.inhabitants.map(|i| i * 3 / 100),
            m.inhabitants,
        )
        .await
        .unwrap();
    }
    navet_store::demo::costs::load(&db).await.unwrap();
    navet_store::demo::costs::load(&db).await.unwrap(); // idempotent
    let lines = costs::lines(&db).await.unwrap();
    assert_eq!(lines.len(), 6);
    let base: i64 = lines.iter().map(|l| l.base_annual()).sum();
    // The six 2025 lines, with equipment written off over five years.
    assert_eq!(
        base,
        (3_327_214 + 132_755 + 73_674 + 125_396 + 2_687) * 100 + 110_685_20
    );
    let scenarios = costs::scenarios(&db).await.unwrap();
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Alla 12 kommuner",
            "De 6 största användarna",
            "Örebro ensam"
        ]
    );
    assert_eq!(scenarios[0].municipalities.len(), 12);
    assert_eq!(scenarios[1].municipalities.len(), 6);
    assert_eq!(scenarios[2].municipalities.len(), 1);
    let model = costs::model(&db, d("2026-11-20")).await.unwrap();
    let results: Vec<_> = scenarios
        .iter()
        .map(|s| model.compute(s).unwrap())
        .collect();
    for r in &results {
        assert_eq!(
            r.municipalities.iter().map(|m| m.share).sum::<Ore>(),
            r.total
        );
    }
    // Without recorded attendance the demo volume is the 2025 hours derived from the report (about 8 500).
    assert!(
        (8000.0..9500.0).contains(&results[0].course_hours),
        "{}",
        results[0].course_hours
    );
    // Örebro alone pays everything, and fewer members make Örebro pay more.
    let orebro = muni(&db, "Örebro").await;
    let share = |i: usize| results[i].municipality(orebro).unwrap().share;
    assert_eq!(share(2), results[2].total);
    assert!(share(0) < share(1) && share(1) < share(2));
    let c = domain::costs::compare(&results);
    assert_eq!(c.rows.len(), 12);
    assert_eq!(c.differences.len(), 2);
    assert!(c.differences[1]
        .municipalities
        .iter()
        .any(|l| l.starts_with("Örebro betalar")));
    assert!(scenarios[0]
        .description
        .contains("härledda ur årsrapportens"));
});

/// Participations across municipalities, years and a move between rows,
/// imported as a real file is (sessions, bookings, completions, report facts).
const AGREEMENT_CSV: &str = "person_ref,gender,role,municipality,course,date,hours,attended
A1,kvinna,undersköterska,Örebro,HLR,2025-02-03,3,ja
A2,man,undersköterska,Örebro,HLR,2025-02-03,3,ja
A3,kvinna,vårdbiträde,Kumla,HLR,2025-02-03,3,nej
A3,kvinna,vårdbiträde,Kumla,Sårvård,2025-06-10,2.5,ja
A4,kvinna,sjuksköterska,Nora,Sårvård,2025-06-10,2.5,ja
A1,kvinna,undersköterska,Örebro,Sårvård,2025-12-31,2.5,ja
A2,man,undersköterska,Kumla,HLR,2026-01-15,3,ja
A4,kvinna,sjuksköterska,Nora,HLR,2026-03-01,3,ja
";

both_engines!(
    cost_actual_use_and_indicator_report_agree_on_participant_hours,
    |db: Db| async move {
        let mut f = Fixture::new(&db).await;
        let imported = navet_store::history_import::import(
            &db,
            &who(),
            "historik.csv",
            AGREEMENT_CSV.as_bytes(),
            true,
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(imported.attended, 7);
        // A competence record without a session (as the demo writes) is
        // neither in the report nor in the cost model's use.
        let extra = f.person(&db, muni(&db, "Örebro").await).await;
        f.completion(&db, extra, None, "2025-05-05", 40.0, "X-1")
            .await;
        let names = org::municipalities(&db).await.unwrap();
        for (from, to) in [
            ("2025-01-01", "2025-12-31"),
            ("2025-01-01", "2026-12-31"),
            ("2025-06-01", "2026-01-31"),
            ("2026-01-01", "2026-06-30"),
            ("2025-12-31", "2025-12-31"),
        ] {
            let period = domain::indicators::check_period(from, to).unwrap();
            let report = navet_store::reports::indicator_report(&db, period)
                .await
                .unwrap();
            let act = costs::actuals(&db, d(from), d(to)).await.unwrap();
            let mut total = 0.0;
            for m in &names {
                let row = report
                    .by_municipality
                    .iter()
                    .find(|r| r.municipality == m.name)
                    .unwrap();
                let used = act.facts(m.id).unwrap();
                assert!(
                    (row.participant_hours - used.attended_hours).abs() < 1e-9,
                    "{from}–{to} {}: report {} vs cost model {}",
                    m.name,
                    row.participant_hours,
                    used.attended_hours
                );
                assert_eq!(row.course_hours, row.participant_hours, "the old name");
                total += used.attended_hours;
            }
            assert!(
                (report.participant_hours - total).abs() < 1e-9,
                "{from}–{to}"
            );
        }
        // The measures themselves, for 2025: participant hours count each
        // attendance (3 + 3 + 2.5 + 2.5 + 2.5), course hours delivered each
        // session held once (3 + 2.5 + 2.5).
        let period = domain::indicators::check_period("2025-01-01", "2025-12-31").unwrap();
        let report = navet_store::reports::indicator_report(&db, period)
            .await
            .unwrap();
        assert_eq!(report.participant_hours, 13.5);
        assert_eq!(report.course_hours_delivered, 8.0);
        assert_eq!(report.sessions.held, 3);
        // Kumla in 2026 is A2 after the move (the row's municipality).
        let act = costs::actuals(&db, d("2026-01-01"), d("2026-12-31"))
            .await
            .unwrap();
        assert_eq!(
            act.facts(muni(&db, "Kumla").await).unwrap().attended_hours,
            3.0
        );
    }
);

both_engines!(
    actual_use_read_again_follows_attendance_taken_since,
    |db: Db| async move {
        let nora = muni(&db, "Nora").await;
        let mut f = Fixture::new(&db).await;
        let a = f.person(&db, nora).await;
        let b = f.person(&db, nora).await;
        f.session(&db, MARCH, 3.0, &[(a, "attended")]).await;
        let (from, to) = (d("2025-01-01"), d("2025-12-31"));
        let first = costs::actuals(&db, from, to).await.unwrap();
        assert_eq!(first.facts(nora).unwrap().attended_hours, 3.0);
        // The same period again, unchanged: the same figures.
        let again = costs::actuals(&db, from, to).await.unwrap();
        assert_eq!(again.facts(nora).unwrap().attended_hours, 3.0);
        assert_eq!(again.sessions_held, 1);
        // Attendance taken on another session in the period is counted
        // at the next read.
        f.session(&db, MARCH + 30 * 86_400, 2.0, &[(b, "attended")])
            .await;
        let after = costs::actuals(&db, from, to).await.unwrap();
        assert_eq!(after.facts(nora).unwrap().attended_hours, 5.0);
        assert_eq!(after.facts(nora).unwrap().participants, 2);
        assert_eq!(after.sessions_held, 2);
    }
);
