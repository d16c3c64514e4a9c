//! Scenario and comparison tests on hand-built models.

use chrono::NaiveDate;

use super::compare::compare;
use super::lines::*;
use super::money::Ore;
use super::scenario::*;
use crate::errors::FieldErrors;

mod checks;
mod explanations;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn annual(id: i64, label: &str, kr: i64) -> CostLine {
    CostLine {
        id,
        label: label.into(),
        kind: CostKind::Other,
        basis: Basis::Annual { amount: kr * 100 },
        scaling: Scaling::Fixed,
        note: String::new(),
    }
}

fn per_hours(id: i64, label: &str, kr: i64, per_hours: i64) -> CostLine {
    CostLine {
        scaling: Scaling::PerVolume {
            driver: Driver::CourseHours,
            per_centi: per_hours * 100,
        },
        ..annual(id, label, kr)
    }
}

fn facts(
    id: i64,
    name: &str,
    employees: Option<i64>,
    inhabitants: Option<i64>,
    hours: f64,
    participants: i64,
) -> MunicipalityFacts {
    MunicipalityFacts {
        id,
        name: name.into(),
        employees,
        inhabitants,
        inhabitants_approx: false,
        attended_hours: hours,
        participants,
        cofinancing_value: None,
    }
}

/// A whole year, so actual use per year equals the use recorded.
fn year(ms: Vec<MunicipalityFacts>) -> Actuals {
    Actuals {
        from: d("2025-01-01"),
        to: d("2025-12-31"),
        municipalities: ms,
        sessions_held: 100,
        cofinancing_valuation: None,
    }
}

fn abc() -> Actuals {
    year(vec![
        facts(1, "Askersund", Some(1000), Some(10_000), 1000.0, 200),
        facts(2, "Nora", Some(2000), Some(30_000), 500.0, 100),
        facts(3, "Hällefors", Some(1000), Some(10_000), 500.0, 50),
    ])
}

fn settings() -> Settings {
    Settings {
        use_from: d("2025-01-01"),
        cofinancing_rate: 25_991,
        hours_per_session_centi: None,
    }
}

fn scenario(ids: &[i64], w: Weights) -> Scenario {
    Scenario {
        id: 1,
        name: "Test".into(),
        description: String::new(),
        municipalities: ids
            .iter()
            .map(|id| ScenarioMunicipality {
                municipality_id: *id,
                course_hours_centi: None,
                participants: None,
            })
            .collect(),
        weights: w,
        volume_bp: 10_000,
    }
}

fn w(e: i64, i: i64, u: i64, q: i64) -> Weights {
    Weights {
        employees_bp: e * 100,
        inhabitants_bp: i * 100,
        use_bp: u * 100,
        equal_bp: q * 100,
    }
}

fn model() -> Vec<CostLine> {
    vec![
        annual(1, "Samordning", 1_000_000),
        per_hours(2, "Utbildningsledare", 100_000, 1000),
    ]
}

fn share(r: &ScenarioResult, id: i64) -> Ore {
    r.municipality(id).unwrap().share
}

fn fields(e: &FieldErrors) -> Vec<&str> {
    e.0.iter().map(|x| x.field.as_str()).collect()
}

#[test]
fn worked_example_by_employees_and_use() {
    let r = compute(
        &model(),
        &settings(),
        &scenario(&[1, 2, 3], w(50, 0, 50, 0)),
        &abc(),
    )
    .unwrap();
    assert_eq!(r.course_hours, 2000.0);
    assert_eq!(r.fixed, 1_000_000_00);
    assert_eq!(r.variable, 200_000_00);
    assert_eq!(r.total, 1_200_000_00);
    // Employees half (600 000): 1:2:1; use half (600 000): 1000:500:500.
    assert_eq!(share(&r, 1), 450_000_00);
    assert_eq!(share(&r, 2), 450_000_00);
    assert_eq!(share(&r, 3), 300_000_00);
    let ask = r.municipality(1).unwrap();
    assert_eq!(
        ask.parts,
        vec![(KeyPart::Employees, 150_000_00), (KeyPart::Use, 300_000_00)]
    );
    assert_eq!(ask.per_course_hour, Some(450_00));
    assert_eq!(ask.per_participant, Some(2_250_00));
    assert_eq!(ask.per_inhabitant, Some(45_00));
    assert_eq!(r.per_course_hour, Some(600_00));
    assert_eq!(r.per_inhabitant, Some(24_00));
    // Swedish order: Askersund, Hällefors, Nora.
    let names: Vec<_> = r.municipalities.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Askersund", "Hällefors", "Nora"]);
    // Co-financing: 1000 h × 259,91 kr.
    assert_eq!(ask.cofinancing_hours_per_year, 1000.0);
    assert_eq!(ask.cofinancing_value_per_year, 259_910_00);
}

#[test]
fn leaving_moves_the_share_to_the_others_and_fixed_costs_stay() {
    let r = compute(
        &model(),
        &settings(),
        &scenario(&[1, 2, 3], w(50, 0, 50, 0)),
        &abc(),
    )
    .unwrap();
    let leave = r.leave(3).unwrap().outcome.as_ref().unwrap();
    // Hällefors's 500 h go: variable 200 000 → 150 000; fixed 1 000 000 stays.
    assert_eq!(leave.fixed, 1_000_000_00);
    assert_eq!(leave.variable_after, 150_000_00);
    assert_eq!(leave.total_after, 1_150_000_00);
    assert_eq!(leave.leaver_share, 300_000_00);
    let after = |id: i64| leave.changes.iter().find(|c| c.id == id).unwrap().after;
    assert_eq!(after(1), 575_000_00);
    assert_eq!(after(2), 575_000_00);
    assert_eq!(after(1) + after(2), leave.total_after);
    let nora = leave.changes.iter().find(|c| c.id == 2).unwrap();
    assert_eq!(
        nora.explanation,
        "Om Hällefors lämnar betalar Nora 125 000 kr mer per år (575 000 kr i stället för 450 000 kr), \
         eftersom Hällefors andel på 300 000 kr fördelas på de 2 kommuner som är kvar, de fasta kostnaderna \
         (1 000 000 kr) minskar inte och de rörliga kostnaderna minskar med 50 000 kr när Hällefors 500 \
         deltagartimmar per år försvinner."
    );
}

#[test]
fn without_leaving_gives_the_same_figures_and_no_leaving_effects() {
    let sc = scenario(&[1, 2, 3], w(50, 0, 50, 0));
    let full = compute(&model(), &settings(), &sc, &abc()).unwrap();
    let light = compute_to(&model(), &settings(), &sc, &abc(), Depth::WithoutLeaving).unwrap();
    assert_eq!(full.leaving.len(), 3);
    assert!(light.leaving.is_empty());
    assert_eq!(light.total, full.total);
    assert_eq!(light.per_course_hour, full.per_course_hour);
    let shares = |r: &ScenarioResult| {
        r.municipalities
            .iter()
            .map(|m| (m.id, m.share))
            .collect::<Vec<_>>()
    };
    assert_eq!(shares(&light), shares(&full));
    assert_eq!(light.trace, full.trace);
}

#[test]
fn with_only_fixed_costs_leaving_raises_every_other_share_by_exactly_the_leavers_share() {
    let lines = vec![
        annual(1, "Personal", 3_327_214),
        annual(2, "Lokaler", 2_687),
    ];
    let actuals = year(
        (1..=12)
            .map(|i| {
                facts(
                    i,
                    &format!("Kommun {i:02}"),
                    Some(100 * i + 7),
                    Some(1000 * i + 3),
                    10.0 * i as f64,
                    i,
                )
            })
            .collect(),
    );
    for weights in [
        w(100, 0, 0, 0),
        w(0, 100, 0, 0),
        w(0, 0, 100, 0),
        w(0, 0, 0, 100),
        w(25, 25, 25, 25),
        w(50, 0, 50, 0),
    ] {
        let ids: Vec<i64> = (1..=12).collect();
        let r = compute(&lines, &settings(), &scenario(&ids, weights), &actuals).unwrap();
        assert_eq!(
            r.municipalities.iter().map(|m| m.share).sum::<Ore>(),
            r.total
        );
        for l in &r.leaving {
            let o = l.outcome.as_ref().unwrap();
            assert_eq!(o.total_after, r.total, "fixed costs do not shrink");
            assert_eq!(o.changes.len(), 11);
            let raised: Ore = o.changes.iter().map(|c| c.after - c.before).sum();
            assert_eq!(
                raised, o.leaver_share,
                "the leaver's share moves to the others"
            );
            for c in &o.changes {
                assert!(
                    c.after >= c.before,
                    "{} pays less when {} leaves",
                    c.name,
                    l.leaver_name
                );
                assert!(c
                    .explanation
                    .starts_with(&format!("Om {} lämnar betalar {}", l.leaver_name, c.name)));
            }
        }
    }
}

/// A small deterministic generator so the property runs without extra crates.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn shares_always_sum_to_the_total_to_the_ore() {
    let mut g = Lcg(2026);
    let mut computed = 0;
    for round in 0..400 {
        let n = 1 + g.next(12) as i64;
        let ms: Vec<MunicipalityFacts> = (1..=12)
            .map(|i| {
                facts(
                    i,
                    &format!("K{i}"),
                    Some(1 + g.next(20_000) as i64),
                    Some(1 + g.next(200_000) as i64),
                    g.next(50_000) as f64 / 7.0,
                    g.next(3000) as i64,
                )
            })
            .collect();
        let lines = vec![
            CostLine {
                basis: Basis::Annual {
                    amount: g.next(1_000_000_000) as i64 + 1,
                },
                ..annual(1, "a", 0)
            },
            CostLine {
                basis: Basis::Staff {
                    role: "utbildningsledare".into(),
                    fte_centi: 1 + g.next(500) as i64,
                    monthly_salary: g.next(6_000_000) as i64,
                    overhead_bp: g.next(6000) as i64,
                },
                kind: CostKind::Staff,
                ..per_hours(2, "b", 0, 1 + g.next(3000) as i64)
            },
            CostLine {
                basis: Basis::Depreciation {
                    purchase: g.next(100_000_000) as i64,
                    years: 1 + g.next(10) as i64,
                },
                ..annual(3, "c", 0)
            },
        ];
        let mut e = g.next(101) as i64;
        let mut i = g.next(101 - e as u64) as i64;
        let mut u = 100 - e - i;
        let q = 0;
        if round % 5 == 0 {
            (e, i, u) = (33, 33, 34);
        }
        let ids: Vec<i64> = (1..=n).collect();
        let actuals = Actuals {
            from: d("2025-01-01"),
            to: d("2026-11-20"),
            municipalities: ms,
            sessions_held: 1 + g.next(500) as i64,
            cofinancing_valuation: None,
        };
        let mut s = scenario(&ids, w(e, i, u, q));
        s.volume_bp = g.next(30_000) as i64;
        let Ok(r) = compute(&lines, &settings(), &s, &actuals) else {
            // Only possible when no one has any use to split by.
            assert!(u > 0);
            continue;
        };
        computed += 1;
        assert_eq!(
            r.municipalities.iter().map(|m| m.share).sum::<Ore>(),
            r.total,
            "round {round}"
        );
        assert_eq!(r.lines.iter().map(|l| l.annual).sum::<Ore>(), r.total);
        assert_eq!(r.fixed + r.variable, r.total);
        for m in &r.municipalities {
            assert_eq!(m.parts.iter().map(|p| p.1).sum::<Ore>(), m.share);
            // No share is more than one öre per key part from its exact value.
            let exact: f64 = m
                .parts
                .iter()
                .map(|(p, _)| {
                    let wsum = 10_000.0;
                    let weight = r.weights.get(*p) as f64 / wsum;
                    let mine = match p {
                        KeyPart::Employees => m.employees.unwrap() as f64,
                        KeyPart::Inhabitants => m.inhabitants.unwrap() as f64,
                        KeyPart::Use => m.course_hours,
                        KeyPart::Equal => 1.0,
                    };
                    let all: f64 = r
                        .municipalities
                        .iter()
                        .map(|o| match p {
                            KeyPart::Employees => o.employees.unwrap() as f64,
                            KeyPart::Inhabitants => o.inhabitants.unwrap() as f64,
                            KeyPart::Use => o.course_hours,
                            KeyPart::Equal => 1.0,
                        })
                        .sum();
                    r.total as f64 * weight * mine / all
                })
                .sum();
            assert!(
                (m.share as f64 - exact).abs() <= m.parts.len() as f64 + 0.01,
                "{} vs {exact}",
                m.share
            );
        }
        for l in &r.leaving {
            if let Ok(o) = &l.outcome {
                assert_eq!(
                    o.changes.iter().map(|c| c.after).sum::<Ore>(),
                    o.total_after
                );
                assert_eq!(o.fixed, r.fixed);
                assert!(o.total_after <= r.total);
            }
        }
    }
    assert!(computed > 380, "{computed}");
}

#[test]
fn volume_scaled_lines_follow_the_scenarios_volume() {
    let at = |pct: i64| {
        let mut s = scenario(&[1, 2, 3], w(100, 0, 0, 0));
        s.volume_bp = pct * 100;
        compute(&model(), &settings(), &s, &abc()).unwrap()
    };
    let base = at(100);
    let double = at(200);
    let none = at(0);
    assert_eq!(base.variable, 200_000_00);
    assert_eq!(double.variable, 400_000_00);
    assert_eq!(none.variable, 0);
    for r in [&base, &double, &none] {
        assert_eq!(r.fixed, 1_000_000_00);
    }
    assert_eq!(double.course_hours, 4000.0);
    // An own figure overrides the actual use and is not scaled.
    let mut s = scenario(&[1, 2, 3], w(100, 0, 0, 0));
    s.municipalities[0].course_hours_centi = Some(3000_00);
    s.volume_bp = 5000;
    let r = compute(&model(), &settings(), &s, &abc()).unwrap();
    assert_eq!(r.course_hours, 3000.0 + 250.0 + 250.0);
    assert_eq!(r.variable, 350_000_00);
    assert_eq!(
        r.municipality(1).unwrap().course_hours_source,
        VolumeSource::Scenario
    );
    assert_eq!(
        r.municipality(2).unwrap().course_hours_source,
        VolumeSource::Actual
    );
}

#[test]
fn default_volume_is_actual_use_per_year() {
    // 730 days (two years): per year is half the recorded use.
    let mut a = abc();
    a.to = d("2026-12-31");
    let r = compute(&model(), &settings(), &scenario(&[1], w(100, 0, 0, 0)), &a).unwrap();
    assert_eq!(a.days(), 730);
    assert_eq!(r.course_hours, 500.0);
    assert_eq!(r.participants, 100.0);
    let fig = r.trace.get("hours-1").unwrap();
    assert!(
        fig.formula.contains(
            "1 000 deltagartimmar under 2025-01-01–2026-12-31 × 365 ÷ 730 dagar × 100 % = 500"
        ),
        "{}",
        fig.formula
    );
    // Co-financing: 1 000 h in total, 500 per year.
    let m = r.municipality(1).unwrap();
    assert_eq!(m.cofinancing_hours, 1000.0);
    assert_eq!(m.cofinancing_hours_per_year, 500.0);
}

#[test]
fn session_scaled_lines_use_hours_per_session() {
    let mut lines = model();
    lines.push(CostLine {
        scaling: Scaling::PerVolume {
            driver: Driver::Sessions,
            per_centi: 100,
        },
        ..annual(3, "Bilresor", 500)
    });
    // 2000 h over 100 sessions = 20 h per session; 2000 h expected → 100 sessions × 500 kr.
    let r = compute(
        &lines,
        &settings(),
        &scenario(&[1, 2, 3], w(100, 0, 0, 0)),
        &abc(),
    )
    .unwrap();
    assert_eq!(r.hours_per_session, Some(20.0));
    assert_eq!(r.sessions, Some(100.0));
    assert_eq!(r.lines[2].annual, 50_000_00);
    // A set value wins over the average.
    let mut s = settings();
    s.hours_per_session_centi = Some(40_00);
    let r = compute(&lines, &s, &scenario(&[1, 2, 3], w(100, 0, 0, 0)), &abc()).unwrap();
    assert_eq!(r.lines[2].annual, 25_000_00);
    assert!(r
        .trace
        .get("hours-per-session")
        .unwrap()
        .formula
        .contains("angivet"));
    // No sessions held and no set value: the setting is named.
    let mut a = abc();
    a.sessions_held = 0;
    let e = compute(
        &lines,
        &settings(),
        &scenario(&[1, 2, 3], w(100, 0, 0, 0)),
        &a,
    )
    .unwrap_err();
    assert_eq!(fields(&e), ["hours_per_session"]);
    assert!(e.0[0].message.contains("Bilresor"));
}

#[test]
fn equal_key_and_inhabitants_key() {
    let r = compute(
        &[annual(1, "x", 100)],
        &settings(),
        &scenario(&[1, 2, 3], w(0, 0, 0, 100)),
        &abc(),
    )
    .unwrap();
    // 10 000 öre in three: 3 334 + 3 333 + 3 333; the extra öre goes to the first in Swedish order.
    assert_eq!(share(&r, 1), 3334);
    assert_eq!(share(&r, 3), 3333);
    assert_eq!(share(&r, 2), 3333);
    let r = compute(
        &[annual(1, "x", 50_000)],
        &settings(),
        &scenario(&[1, 2, 3], w(0, 100, 0, 0)),
        &abc(),
    )
    .unwrap();
    assert_eq!(share(&r, 2), 30_000_00);
    assert_eq!(share(&r, 1), 10_000_00);
}

#[test]
fn missing_key_figures_name_the_weight_field_and_the_municipality() {
    let a = year(vec![
        facts(1, "Askersund", Some(10), None, 10.0, 1),
        facts(2, "Nora", None, None, 0.0, 0),
        facts(3, "Laxå", None, Some(5), 0.0, 0),
    ]);
    let e = compute(
        &model(),
        &settings(),
        &scenario(&[1, 2, 3], w(50, 50, 0, 0)),
        &a,
    )
    .unwrap_err();
    assert_eq!(fields(&e), ["weight_employees", "weight_inhabitants"]);
    assert!(
        e.0[0].message.contains("Laxå och Nora"),
        "{}",
        e.0[0].message
    );
    assert!(
        e.0[1].message.contains("Askersund och Nora"),
        "{}",
        e.0[1].message
    );
    // Not needed by the key: no error.
    assert!(compute(
        &model(),
        &settings(),
        &scenario(&[1, 2, 3], w(0, 0, 0, 100)),
        &a
    )
    .is_ok());
    // Use key with no use at all.
    let e = compute(
        &model(),
        &settings(),
        &scenario(&[2, 3], w(0, 0, 100, 0)),
        &a,
    )
    .unwrap_err();
    assert_eq!(fields(&e), ["weight_use"]);
    assert_eq!(e.0[0].code, "nothing_to_split_by");
    // Leaving that leaves no use to split by is reported, not a panic.
    let r = compute(
        &model(),
        &settings(),
        &scenario(&[1, 2], w(0, 0, 100, 0)),
        &a,
    )
    .unwrap();
    let l = r.leave(1).unwrap();
    assert!(l.outcome.as_ref().unwrap_err().contains("användning"));
}

/// `cargo test -p navet-domain --release costs::tests::timing -- --ignored --nocapture`
#[test]
#[ignore]
fn timing() {
    let actuals = year(
        (1..=290)
            .map(|i| {
                facts(
                    i,
                    &format!("Kommun {i:03}"),
                    Some(1000 + i * 37),
                    Some(10_000 + i * 411),
                    100.0 + i as f64,
                    20 + i,
                )
            })
            .collect(),
    );
    let mut lines = model();
    for i in 0..20 {
        lines.push(per_hours(10 + i, "rad", 50_000 + i, 1000));
    }
    for n in [12_i64, 290] {
        let ids: Vec<i64> = (1..=n).collect();
        let s = scenario(&ids, w(40, 20, 30, 10));
        let runs = if n == 12 { 1000 } else { 5 };
        let t = std::time::Instant::now();
        let mut figures = 0;
        for _ in 0..runs {
            figures = compute(&lines, &settings(), &s, &actuals)
                .unwrap()
                .trace
                .figures
                .len();
        }
        let per = t.elapsed() / runs;
        println!("{n} municipalities, {} lines, leaving effects for each, {figures} traced figures: {per:?} per scenario", lines.len());
    }
}

/// With unit costs recorded, the co-financing a municipality paid is the
/// funding page's kronor figure (per person and month, rounded, valued per
/// category), annualised; the flat value per hour is not used.
#[test]
fn cofinancing_uses_the_valued_kronor_when_there_are_unit_costs() {
    let mut a = abc();
    a.cofinancing_valuation = Some("hela timmar, avrundat nedåt, per person och månad".into());
    a.municipalities[0].cofinancing_value = Some(312_345_67);
    let r = compute(
        &model(),
        &settings(),
        &scenario(&[1, 2, 3], w(50, 0, 50, 0)),
        &a,
    )
    .unwrap();
    let ask = r.municipality(1).unwrap();
    // A whole year: the value per year is the value recorded.
    assert_eq!(ask.cofinancing_value_per_year, 312_345_67);
    assert_eq!(ask.cofinancing_hours, 1000.0);
    let f = r
        .trace
        .figures
        .iter()
        .find(|f| f.key == "cofinancing-1")
        .unwrap();
    assert!(f.formula.contains("enhetskostnaderna"), "{}", f.formula);
    assert!(f
        .inputs
        .iter()
        .any(|i| i.source.contains("avrundat nedåt, per person och månad")));
    // Without a valued figure (no unit costs), the settings' rate applies.
    let nora = r.municipality(2).unwrap();
    assert_eq!(nora.cofinancing_value_per_year, 500 * 259_91);
}
