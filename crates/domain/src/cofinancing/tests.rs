#![allow(clippy::inconsistent_digit_grouping)]

use super::unit_costs::{self, Draft};
use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn known() -> Vec<String> {
    ["baspersonal", "legitimerad personal", "chef"]
        .map(String::from)
        .to_vec()
}

fn cost(category: &str, from: &str, to: &str, kr: i64) -> UnitCost {
    UnitCost {
        id: None,
        category: category.into(),
        valid_from: d(from),
        valid_to: d(to),
        hourly_ore: kr * 100,
        source: String::new(),
    }
}

fn pm(person: i64, month: &str, muni: i64, cat: &str, hours: f64) -> PersonMonth {
    PersonMonth {
        person_id: person,
        month: d(month),
        municipality_id: muni,
        category: cat.into(),
        centi_hours: centi(hours),
        sessions: 1,
    }
}

/// The default rule, pinned: whole hours, rounded down, per person and
/// month (sessions are summed first, then rounded).
#[test]
fn default_rounding_is_whole_hours_down_per_person_and_month() {
    let rule = RoundingRule::default();
    assert_eq!(rule, RoundingRule::WholeHoursDown);
    assert_eq!(rule.key(), "whole_hours_down");
    assert_eq!(rule.apply(750), 700);
    assert_eq!(rule.apply(799), 700);
    assert_eq!(rule.apply(800), 800);
    assert_eq!(rule.apply(99), 0);
    assert_eq!(rule.apply(-5), 0);
    // Two sessions of 2,5 h in one month are 5 h, not 2 + 2.
    let rows = vec![PersonMonth {
        centi_hours: centi(2.5) + centi(2.5),
        sessions: 2,
        ..pm(1, "2026-03-01", 10, "baspersonal", 0.0)
    }];
    let v = value(
        &rows,
        &[cost("baspersonal", "2026-01-01", "2026-12-31", 300)],
        rule,
    );
    let c = &v.cells[&(10, d("2026-03-01"))];
    assert_eq!(c.centi_hours, 500);
    assert_eq!(c.rounded_centi_hours, 500);
    assert_eq!(c.value_ore, 1_500_00);
    assert_eq!(c.sessions, 2);
    assert!(rule
        .describe_sv()
        .contains("avrundat nedåt, per person och månad"));
}

#[test]
fn other_rules() {
    assert_eq!(RoundingRule::WholeHoursNearest.apply(750), 800);
    assert_eq!(RoundingRule::WholeHoursNearest.apply(749), 700);
    assert_eq!(RoundingRule::HalfHoursDown.apply(775), 750);
    assert_eq!(RoundingRule::Exact.apply(775), 775);
    for r in RoundingRule::ALL {
        assert_eq!(RoundingRule::from_key(r.key()), Some(r));
    }
    assert_eq!(RoundingRule::from_key("up"), None);
}

#[test]
fn valued_per_category_and_month_with_the_cost_in_force() {
    let costs = vec![
        cost("baspersonal", "2025-01-01", "2025-12-31", 250),
        cost("baspersonal", "2026-01-01", "2026-12-31", 260),
        cost("legitimerad personal", "2025-01-01", "2026-12-31", 400),
    ];
    let rows = vec![
        pm(1, "2025-12-01", 10, "baspersonal", 7.5),
        pm(2, "2025-12-01", 10, "legitimerad personal", 3.0),
        pm(1, "2026-01-01", 10, "baspersonal", 3.0),
        pm(3, "2026-01-01", 20, "chef", 4.0),
    ];
    let v = value(&rows, &costs, RoundingRule::WholeHoursDown);
    let dec = &v.cells[&(10, d("2025-12-01"))];
    // 7 h × 250 kr + 3 h × 400 kr
    assert_eq!(dec.value_ore, 7 * 250_00 + 3 * 400_00);
    assert_eq!(dec.centi_hours, 1050);
    assert_eq!(dec.rounded_centi_hours, 1000);
    assert_eq!(dec.people, 2);
    let jan = &v.cells[&(10, d("2026-01-01"))];
    assert_eq!(jan.value_ore, 3 * 260_00);
    // No unit cost for managers: hours kept, not valued, and named.
    let chef = &v.cells[&(20, d("2026-01-01"))];
    assert_eq!(chef.value_ore, 0);
    assert_eq!(chef.unvalued_centi_hours, 400);
    assert_eq!(
        v.missing,
        vec![Missing {
            category: "chef".into(),
            month: d("2026-01-01")
        }]
    );
    assert_eq!(
        v.municipality_total(10).value_ore,
        7 * 250_00 + 3 * 400_00 + 3 * 260_00
    );
    assert_eq!(v.months(), vec![d("2025-12-01"), d("2026-01-01")]);
    assert_eq!(v.total().rounded_centi_hours, 1000 + 300 + 400);
}

#[test]
fn value_rounds_to_the_ore() {
    // 0,5 h at 259,91 kr = 129,955 kr → 129,96 kr
    assert_eq!(value_of(50, 259_91), 129_96);
    assert_eq!(value_of(0, 259_91), 0);
}

#[test]
fn forecast_at_the_pace_so_far() {
    assert_eq!(forecast(22, 0.4), Some(55));
    assert_eq!(forecast(100, 1.5), Some(100));
    assert_eq!(forecast(100, 0.0), None);
}

#[test]
fn months() {
    assert_eq!(month_end(d("2026-02-01")), d("2026-02-28"));
    assert_eq!(month_end(d("2024-02-01")), d("2024-02-29"));
    assert_eq!(month_end(d("2026-12-01")), d("2026-12-31"));
    assert_eq!(month_of(d("2026-03-31")), d("2026-03-01"));
    assert_eq!(month_label(d("2026-03-01")), "2026-03");
}

#[test]
fn overlapping_validity_names_both_rows() {
    let a = cost("baspersonal", "2025-01-01", "2025-12-31", 250);
    let b = cost("baspersonal", "2025-07-01", "2026-06-30", 260);
    let c = cost("chef", "2025-01-01", "2025-12-31", 500);
    assert!(unit_costs::overlap(&[a.clone(), c.clone()]).is_none());
    let rows = [a.clone(), c, b.clone()];
    let (x, y) = unit_costs::overlap(&rows).unwrap();
    let m = unit_costs::overlap_message(x, y);
    assert!(m.contains("baspersonal 2025-01-01 – 2025-12-31"), "{m}");
    assert!(m.contains("baspersonal 2025-07-01 – 2026-06-30"), "{m}");
    // Adjacent periods do not overlap.
    let next = cost("baspersonal", "2026-01-01", "2026-12-31", 260);
    assert!(unit_costs::overlap(&[a, next]).is_none());
}

#[test]
fn a_row_is_checked_field_by_field() {
    let ok = Draft {
        category: "Baspersonal".into(),
        valid_from: "2026-01".into(),
        valid_to: "2026-12".into(),
        hourly_sek: "312,50".into(),
        source: "syntetisk".into(),
    };
    let u = unit_costs::check(&ok, &known()).unwrap();
    assert_eq!(u.category, "baspersonal");
    assert_eq!(u.valid_from, d("2026-01-01"));
    assert_eq!(u.valid_to, d("2026-12-31"));
    assert_eq!(u.hourly_ore, 312_50);
    let bad = Draft {
        category: "astronaut".into(),
        valid_from: "2026-01-15".into(),
        valid_to: "2026-02-14".into(),
        hourly_sek: "-3".into(),
        source: "a\nb".into(),
    };
    let e = unit_costs::check(&bad, &known()).unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        ["category", "valid_from", "valid_to", "hourly_sek", "source"]
    );
    assert!(e.get("category").unwrap().contains("astronaut"));
    let backwards = Draft {
        valid_from: "2026-06".into(),
        valid_to: "2026-01".into(),
        ..ok.clone()
    };
    assert_eq!(
        unit_costs::check(&backwards, &known()).unwrap_err().0[0].field,
        "valid_to"
    );
    let empty = Draft {
        category: " ".into(),
        ..ok
    };
    assert_eq!(
        unit_costs::check(&empty, &known())
            .unwrap_err()
            .get("category"),
        Some("Ange yrkeskategori.")
    );
}

#[test]
fn a_file_is_read_whole_or_refused_naming_lines() {
    let good = "category;valid_from;valid_to;hourly_sek;source\n\
                baspersonal;2025-01;2025-12;250,00;syntetisk\n\
                baspersonal;2026-01-01;2026-12-31;260;syntetisk\n\
                legitimerad personal;2025-01;2027-06;400;syntetisk\n";
    let rows = unit_costs::parse_csv(good.as_bytes(), &known()).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1].hourly_ore, 260_00);
    // Columns in any order, comma, no source column.
    let reordered = "hourly_sek,category,valid_to,valid_from\n400,chef,2025-12,2025-01\n";
    let rows = unit_costs::parse_csv(reordered.as_bytes(), &known()).unwrap();
    assert_eq!(rows[0].category, "chef");
    let overlapping = "category;valid_from;valid_to;hourly_sek\n\
                       baspersonal;2025-01;2025-12;250\n\
                       chef;2025-01;2025-12;500\n\
                       baspersonal;2025-06;2026-05;260\n";
    let e = unit_costs::parse_csv(overlapping.as_bytes(), &known()).unwrap_err();
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("rad 2 och rad 4:"), "{e:?}");
    let bad = "category;valid_from;valid_to;hourly_sek\nbaspersonal;2025-13;2025-12;x\n";
    let e = unit_costs::parse_csv(bad.as_bytes(), &known()).unwrap_err();
    assert!(
        e.iter()
            .any(|m| m.starts_with("rad 2, kolumn 2 (valid_from)")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("rad 2, kolumn 4 (hourly_sek)")),
        "{e:?}"
    );
    let missing = "category;valid_from\nbaspersonal;2025-01\n";
    let e = unit_costs::parse_csv(missing.as_bytes(), &known()).unwrap_err();
    assert!(e[0].contains("valid_to"));
    assert!(unit_costs::parse_csv(b"category;valid_from;valid_to;hourly_sek\n", &known()).is_err());
}

#[test]
fn hostile_files_are_refused_quickly() {
    // Too large.
    let big = vec![b'a'; unit_costs::MAX_FILE_BYTES + 1];
    assert!(unit_costs::parse_csv(&big, &known()).is_err());
    // Not UTF-8.
    assert!(unit_costs::parse_csv(b"category\n\xff\xfe", &known()).is_err());
    // Thousands of rows of one category, all overlapping: refused with a
    // bounded list of messages, in one sort rather than every pair.
    let mut s = String::from("category;valid_from;valid_to;hourly_sek\n");
    for _ in 0..5000 {
        s.push_str("baspersonal;2025-01;2030-12;250\n");
    }
    let t = std::time::Instant::now();
    let e = unit_costs::parse_csv(s.as_bytes(), &known()).unwrap_err();
    assert!(e.len() <= crate::tabular::MAX_ERRORS_SHOWN + 1);
    assert!(t.elapsed().as_secs() < 5);
    // A quoted cell with a line break is a text error, not a crash.
    let q = "category;valid_from;valid_to;hourly_sek;source\nbaspersonal;2025-01;2025-12;250;\"a\nb\"\n";
    assert!(unit_costs::parse_csv(q.as_bytes(), &known()).is_err());
}

fn programme() -> crate::funding::Programme {
    crate::funding::Programme {
        name: "ESF".into(),
        starts: d("2025-01-01"),
        ends: d("2026-12-31"),
        granted_sek: 1_000_000,
        cofinancing_rate: 0.5,
        target_hours: 2000.0,
        employees: vec![("Laxå".into(), 1), ("Örebro".into(), 3)],
    }
}

#[test]
fn follow_up_against_commitment_and_forecast() {
    use super::follow_up::{follow_up, months};
    let p = programme();
    let costs = vec![cost("baspersonal", "2025-01-01", "2026-12-31", 250)];
    let rows = vec![
        pm(1, "2025-01-01", 1, "baspersonal", 10.9),
        pm(2, "2025-03-01", 2, "baspersonal", 100.0),
        pm(3, "2025-03-01", 2, "baspersonal", 200.0),
    ];
    let v = value(&rows, &costs, RoundingRule::default());
    let munis = vec![(1, "Laxå".to_string()), (2, "Örebro".to_string())];
    // At the end of the first year: 365 of 730 days.
    let f = follow_up(&p, &munis, &v, d("2025-12-31"));
    assert!((f.elapsed_share - 0.5).abs() < 1e-12);
    let laxa = &f.municipalities[0];
    assert_eq!(laxa.name, "Laxå");
    // 500 000 kr co-financing, a quarter for Laxå.
    assert_eq!(laxa.commitment_ore, 125_000_00);
    assert_eq!(f.municipalities[1].commitment_ore, 375_000_00);
    assert_eq!(f.total.commitment_ore, 500_000_00);
    assert!((laxa.commitment_hours - 500.0).abs() < 1e-9);
    // 10,9 h → 10 h × 250 kr = 2 500 kr; at this pace 5 000 kr by the end.
    assert_eq!(laxa.reached.value_ore, 2_500_00);
    assert_eq!(laxa.forecast_ore, Some(5_000_00));
    assert_eq!(laxa.forecast_centi_hours, Some(2000));
    assert!((laxa.achieved_pct - 2.0).abs() < 1e-9);
    assert!((laxa.achieved_hours_pct - 2.0).abs() < 1e-9);
    assert!(!laxa.on_track);
    // Örebro: 300 h × 250 kr = 75 000 kr of 375 000 kr = 20 %.
    let orebro = &f.municipalities[1];
    assert_eq!(orebro.reached.value_ore, 75_000_00);
    assert!((orebro.achieved_pct - 20.0).abs() < 1e-9);
    assert_eq!(f.total.reached.value_ore, 77_500_00);
    // Month by month for Örebro, with the running total.
    let ms = months(&p, &v, Some(2), orebro.commitment_ore, d("2025-04-15"));
    assert_eq!(ms.len(), 4);
    assert_eq!(ms[0].cell.value_ore, 0);
    assert_eq!(ms[2].month, d("2025-03-01"));
    assert_eq!(ms[2].cell.value_ore, 75_000_00);
    assert_eq!(ms[3].cumulative_ore, 75_000_00);
    assert!((ms[3].cumulative_pct - 20.0).abs() < 1e-9);
    // All together.
    let all = months(&p, &v, None, f.total.commitment_ore, d("2025-03-31"));
    assert_eq!(all[0].cell.value_ore, 2_500_00);
    assert_eq!(all[2].cumulative_ore, 77_500_00);
    // Past the programme's end the figures stop at the end.
    let late = follow_up(&p, &munis, &v, d("2030-01-01"));
    assert_eq!(late.at, d("2026-12-31"));
    assert_eq!(late.municipalities[0].forecast_ore, Some(2_500_00));
}

#[test]
fn groups_of_equal_hours_value_exactly_as_their_people_one_by_one() {
    // 7,5 h rounds down to 7 h per person: three people are 21 h, not
    // round(22,5) = 22 h. An unknown category stays unvalued.
    let rows = vec![
        pm(1, "2026-03-01", 1, "Undersköterska", 7.5),
        pm(2, "2026-03-01", 1, "Undersköterska", 7.5),
        pm(3, "2026-03-01", 1, "Undersköterska", 7.5),
        pm(4, "2026-03-01", 1, "Undersköterska", 0.4),
        pm(5, "2026-03-01", 2, "Vårdbiträde", 3.0),
        pm(6, "2026-04-01", 1, "Okänd kategori", 2.0),
    ];
    let mut costs = vec![
        cost("Undersköterska", "2026-01-01", "2026-12-31", 260),
        cost("Vårdbiträde", "2026-01-01", "2026-12-31", 240),
    ];
    costs[0].hourly_ore = 259_91;
    let mut groups: Vec<HoursGroup> = vec![];
    for r in &rows {
        let g = HoursGroup::from(r);
        match groups.iter_mut().find(|x| {
            (x.month, x.municipality_id, &x.category, x.centi_hours)
                == (g.month, g.municipality_id, &g.category, g.centi_hours)
        }) {
            Some(x) => {
                x.people += 1;
                x.sessions += g.sessions;
            }
            None => groups.push(g),
        }
    }
    assert_eq!(groups.len(), 4);
    for rule in RoundingRule::ALL {
        assert_eq!(
            value_groups(&groups, &costs, rule),
            value(&rows, &costs, rule),
            "{rule:?}"
        );
    }
    let v = value_groups(&groups, &costs, RoundingRule::WholeHoursDown);
    let march = &v.cells[&(1, d("2026-03-01"))];
    assert_eq!(march.rounded_centi_hours, 2100);
    assert_eq!(march.people, 4);
}
