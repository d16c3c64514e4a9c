//! Co-financing in kronor in the store, on SQLite and PostgreSQL: the
//! unit-cost table (overlaps refused naming both rows, all-or-nothing
//! loads, audited changes), the rounding rule, attended hours per person
//! and month from the same rows as the indicator report, and the cost
//! model's co-financing valued with the same figures.
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::NaiveDate;
use domain::cofinancing::unit_costs::{self, Draft, UnitCost};
use domain::cofinancing::RoundingRule;
use navet_store::audit::{self, Who};
use navet_store::{both_engines, cofinancing, costs, org, Db, StoreError};

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

async fn row(db: &Db, category: &str, from: &str, to: &str, kr: &str) -> UnitCost {
    let known = cofinancing::categories(db).await.unwrap();
    unit_costs::check(
        &Draft {
            category: category.into(),
            valid_from: from.into(),
            valid_to: to.into(),
            hourly_sek: kr.into(),
            source: "syntetisk".into(),
        },
        &known,
    )
    .unwrap()
}

fn message(e: &StoreError) -> String {
    match e {
        StoreError::Invalid(f) => f.0[0].message.clone(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

both_engines!(
    unit_costs_refuse_overlaps_naming_both_rows,
    |db: Db| async move {
        let cats = cofinancing::categories(&db).await.unwrap();
        assert!(cats.contains(&"baspersonal".to_string()), "{cats:?}");
        assert!(cats.contains(&"legitimerad personal".to_string()));
        let a = row(&db, "baspersonal", "2025-01", "2025-12", "245").await;
        let id = cofinancing::add(&db, &who(), &a).await.unwrap();
        let b = row(&db, "baspersonal", "2026-01", "2026-12", "252").await;
        let id_b = cofinancing::add(&db, &who(), &b).await.unwrap();
        // Another category may cover the same months.
        let l = row(&db, "legitimerad personal", "2025-01", "2026-12", "330").await;
        cofinancing::add(&db, &who(), &l).await.unwrap();
        // An overlapping row is refused, naming both, and nothing changes.
        let over = row(&db, "baspersonal", "2025-07", "2025-09", "999").await;
        let e = cofinancing::add(&db, &who(), &over).await.unwrap_err();
        let m = message(&e);
        assert!(m.contains("baspersonal 2025-01-01 – 2025-12-31"), "{m}");
        assert!(m.contains("baspersonal 2025-07-01 – 2025-09-30"), "{m}");
        assert_eq!(cofinancing::unit_costs(&db).await.unwrap().len(), 3);
        // Moving the 2026 row into 2025 is refused the same way.
        let moved = row(&db, "baspersonal", "2025-12", "2026-12", "252").await;
        let e = cofinancing::update(&db, &who(), id_b, &moved)
            .await
            .unwrap_err();
        assert!(message(&e).contains("baspersonal 2025-01-01 – 2025-12-31"));
        // A row may be changed without overlapping itself.
        let cheaper = row(&db, "baspersonal", "2025-01", "2025-12", "240,50").await;
        cofinancing::update(&db, &who(), id, &cheaper)
            .await
            .unwrap();
        let stored = cofinancing::unit_cost(&db, id).await.unwrap();
        assert_eq!(stored.hourly_ore, 240_50);
        assert_eq!(stored.valid_to, d("2025-12-31"));
        assert_eq!(stored.source, "syntetisk");
        // Removing, then the same id again.
        cofinancing::delete(&db, &who(), id_b).await.unwrap();
        assert!(matches!(
            cofinancing::delete(&db, &who(), id_b).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            cofinancing::update(&db, &who(), id_b, &b).await,
            Err(StoreError::NotFound(_))
        ));
        // Every change is in the audit log.
        let (log, _) = audit::list(
            &db,
            &audit::Filter {
                action: Some("unit_cost".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let log = log.rows;
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions.iter().filter(|a| **a == "unit_cost.add").count(),
            3,
            "{actions:?}"
        );
        assert!(actions.contains(&"unit_cost.update"));
        assert!(actions.contains(&"unit_cost.delete"));
    }
);

both_engines!(
    a_file_replaces_the_table_whole_or_not_at_all,
    |db: Db| async move {
        let a = row(&db, "chef", "2025-01", "2025-12", "400").await;
        cofinancing::add(&db, &who(), &a).await.unwrap();
        let known = cofinancing::categories(&db).await.unwrap();
        let file = "category;valid_from;valid_to;hourly_sek;source\n\
                    baspersonal;2025-01;2025-12;245,00;syntetisk\n\
                    baspersonal;2026-01;2026-12;252,00;syntetisk\n";
        let rows = unit_costs::parse_csv(file.as_bytes(), &known).unwrap();
        assert_eq!(
            cofinancing::replace_all(&db, &who(), &rows, "enhetskostnader.csv")
                .await
                .unwrap(),
            2
        );
        let table = cofinancing::unit_costs(&db).await.unwrap();
        assert_eq!(table.len(), 2);
        assert!(table.iter().all(|u| u.category == "baspersonal"));
        // Overlapping rows given directly are refused; the table stays.
        let mut bad = rows.clone();
        bad.push(row(&db, "baspersonal", "2025-06", "2025-06", "1").await);
        assert!(cofinancing::replace_all(&db, &who(), &bad, "x.csv")
            .await
            .is_err());
        assert_eq!(cofinancing::unit_costs(&db).await.unwrap(), table);
    }
);

/// Participations in February and June 2025 and January 2026, imported as
/// a real file is: A1 attends twice in February (3 + 2,5 h), A4 (a nurse,
/// legitimerad personal) 2,5 h in June, a manager 4 h in June (no unit
/// cost), A2 moves from Örebro to Kumla.
const PARTICIPATIONS: &str = "person_ref,gender,role,municipality,course,date,hours,attended
A1,kvinna,undersköterska,Örebro,HLR,2025-02-03,3,ja
A1,kvinna,undersköterska,Örebro,Sårvård,2025-02-20,2.5,ja
A2,man,undersköterska,Örebro,HLR,2025-02-03,3,ja
A3,kvinna,vårdbiträde,Kumla,HLR,2025-02-03,3,nej
A4,kvinna,sjuksköterska,Nora,Sårvård,2025-06-10,2.5,ja
A5,man,enhetschef,Nora,HLR,2025-06-10,4,ja
A2,man,undersköterska,Kumla,HLR,2026-01-15,3,ja
";

/// The participations above, imported as history (courses created).
async fn import_participations(db: &Db) {
    navet_store::history_import::import(
        db,
        &who(),
        "historik.csv",
        PARTICIPATIONS.as_bytes(),
        true,
    )
    .await
    .unwrap()
    .unwrap();
}

both_engines!(
    attended_time_is_valued_per_person_and_month,
    |db: Db| async move {
        import_participations(&db).await;
        let (orebro, kumla, nora) = (
            muni(&db, "Örebro").await,
            muni(&db, "Kumla").await,
            muni(&db, "Nora").await,
        );
        // No unit costs yet: hours counted, no kronor, every month named.
        let v = cofinancing::valuation(&db, d("2025-01-01"), d("2026-12-31"))
            .await
            .unwrap();
        let feb = &v.cells[&(orebro, d("2025-02-01"))];
        assert_eq!(feb.centi_hours, 850);
        assert_eq!(feb.value_ore, 0);
        assert_eq!(feb.people, 2);
        assert_eq!(feb.sessions, 3);
        assert!(!v.missing.is_empty());
        for (cat, kr, from, to) in [
            ("baspersonal", "245", "2025-01", "2025-12"),
            ("baspersonal", "252", "2026-01", "2026-12"),
            ("legitimerad personal", "330", "2025-01", "2026-12"),
        ] {
            let r = row(&db, cat, from, to, kr).await;
            cofinancing::add(&db, &who(), &r).await.unwrap();
        }
        assert_eq!(
            cofinancing::rounding(&db).await.unwrap(),
            RoundingRule::WholeHoursDown
        );
        let v = cofinancing::valuation(&db, d("2025-01-01"), d("2026-12-31"))
            .await
            .unwrap();
        // February in Örebro: A1 5,5 h → 5 h, A2 3 h → 3 h; 8 h × 245 kr.
        let feb = &v.cells[&(orebro, d("2025-02-01"))];
        assert_eq!(feb.rounded_centi_hours, 800);
        assert_eq!(feb.value_ore, 8 * 245_00);
        // June in Nora: the nurse 2 h × 330 kr; the manager's 4 h have no
        // unit cost (named as missing) and add no kronor.
        let jun = &v.cells[&(nora, d("2025-06-01"))];
        assert_eq!(jun.rounded_centi_hours, 600);
        assert_eq!(jun.value_ore, 2 * 330_00);
        assert_eq!(jun.unvalued_centi_hours, 400);
        assert_eq!(v.missing.len(), 1);
        assert_eq!(v.missing[0].category, "chef");
        assert_eq!(v.missing[0].month, d("2025-06-01"));
        // January 2026 in Kumla at the 2026 cost: A2 after the move.
        assert_eq!(v.cells[&(kumla, d("2026-01-01"))].value_ore, 3 * 252_00);
        // Summed in the database as groups of equal hours, the valuation
        // is the one of the person-months one by one, under every rule.
        let people = cofinancing::person_months(&db, d("2025-01-01"), d("2026-12-31"))
            .await
            .unwrap();
        let groups = cofinancing::hours_groups(&db, d("2025-01-01"), d("2026-12-31"))
            .await
            .unwrap();
        assert!(groups.len() <= people.len(), "{groups:?}");
        let costs = cofinancing::unit_costs(&db).await.unwrap();
        for rule in RoundingRule::ALL {
            assert_eq!(
                domain::cofinancing::value_groups(&groups, &costs, rule),
                domain::cofinancing::value(&people, &costs, rule),
                "{rule:?}"
            );
        }
        assert!(!v.cells.contains_key(&(orebro, d("2026-01-01"))));
        // A period cut inside a month counts only its days.
        let part = cofinancing::valuation(&db, d("2025-02-10"), d("2025-02-28"))
            .await
            .unwrap();
        assert_eq!(part.cells[&(orebro, d("2025-02-01"))].centi_hours, 250);

        // Another rounding rule changes the figures, and is audited.
        cofinancing::set_rounding(&db, &who(), RoundingRule::Exact)
            .await
            .unwrap();
        let exact = cofinancing::valuation(&db, d("2025-01-01"), d("2026-12-31"))
            .await
            .unwrap();
        assert_eq!(exact.rule, RoundingRule::Exact);
        assert_eq!(
            exact.cells[&(orebro, d("2025-02-01"))].value_ore,
            8 * 245_00 + 245_00 / 2
        );
        let (log, _) = audit::list(
            &db,
            &audit::Filter {
                action: Some("cofinancing.rounding".into()),
                limit: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let log = log.rows;
        assert_eq!(log.len(), 1);
        cofinancing::set_rounding(&db, &who(), RoundingRule::WholeHoursDown)
            .await
            .unwrap();

        // The cost model's co-financing for a period is the same kronor,
        // per municipality, as the valuation for that period.
        for (from, to) in [("2025-01-01", "2025-12-31"), ("2025-01-01", "2026-06-30")] {
            let act = costs::actuals(&db, d(from), d(to)).await.unwrap();
            let v = cofinancing::valuation(&db, d(from), d(to)).await.unwrap();
            assert!(act
                .cofinancing_valuation
                .as_deref()
                .unwrap()
                .contains("avrundat nedåt"));
            for m in &act.municipalities {
                assert_eq!(
                    m.cofinancing_value,
                    Some(v.municipality_total(m.id).value_ore),
                    "{from}–{to} {}",
                    m.name
                );
            }
        }
        let act = costs::actuals(&db, d("2025-01-01"), d("2025-12-31"))
            .await
            .unwrap();
        assert_eq!(
            act.facts(orebro).unwrap().cofinancing_value,
            Some(8 * 245_00)
        );
        // Without a unit-cost table the cost model keeps its flat rate.
        for u in cofinancing::unit_costs(&db).await.unwrap() {
            cofinancing::delete(&db, &who(), u.id.unwrap())
                .await
                .unwrap();
        }
        let act = costs::actuals(&db, d("2025-01-01"), d("2025-12-31"))
            .await
            .unwrap();
        assert!(act.cofinancing_valuation.is_none());
        assert!(act
            .municipalities
            .iter()
            .all(|m| m.cofinancing_value.is_none()));
    }
);

both_engines!(
    a_month_summed_once_is_summed_again_when_its_attendance_changes,
    |db: Db| async move {
        import_participations(&db).await;
        let orebro = muni(&db, "Örebro").await;
        let (from, to) = (d("2025-01-01"), d("2026-12-31"));
        let first = cofinancing::valuation(&db, from, to).await.unwrap();
        // Read again: the same figures (from memory).
        assert_eq!(cofinancing::valuation(&db, from, to).await.unwrap(), first);
        assert_eq!(first.cells[&(orebro, d("2025-02-01"))].centi_hours, 850);
        // A1's February sessions (3 h and 2,5 h) are corrected to absent:
        // February's sum changes at once (A2's 3 h are left); the other
        // months are as they were.
        let a1: i64 = sqlx::query_scalar(
            "SELECT b.person_id FROM bookings b JOIN sessions s ON s.id = b.session_id \
             JOIN municipalities m ON m.id = s.municipality_id \
             JOIN attendance_facts f ON f.booking_id = b.id \
             WHERE f.municipality_id = $1 AND f.hours = 3.0 ORDER BY b.id LIMIT 1",
        )
        .bind(orebro)
        .fetch_one(db.pool())
        .await
        .unwrap();
        let mut conn = db.pool().acquire().await.unwrap();
        sqlx::query(
            "UPDATE bookings SET status = 'absent' WHERE person_id = $1 AND status = 'attended' \
             AND session_id IN (SELECT session_id FROM attendance_facts WHERE municipality_id = $2)",
        )
        .bind(a1)
        .bind(orebro)
        .execute(&mut *conn)
        .await
        .unwrap();
        navet_store::reports::refresh_people(&mut conn, &[a1])
            .await
            .unwrap();
        drop(conn);
        let after = cofinancing::valuation(&db, from, to).await.unwrap();
        assert_eq!(after.cells[&(orebro, d("2025-02-01"))].centi_hours, 300);
        let people = cofinancing::person_months(&db, from, to).await.unwrap();
        let costs = cofinancing::unit_costs(&db).await.unwrap();
        assert_eq!(
            after,
            domain::cofinancing::value(&people, &costs, after.rule)
        );
        assert_eq!(
            after.cells[&(muni(&db, "Nora").await, d("2025-06-01"))],
            first.cells[&(muni(&db, "Nora").await, d("2025-06-01"))]
        );
    }
);
