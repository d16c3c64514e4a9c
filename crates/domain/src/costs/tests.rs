//! Scenario and comparison tests on hand-built models.

use chrono::NaiveDate;

use super::compare::compare;
use super::lines::*;
use super::money::Ore;
use super::scenario::*;
use crate::errors::FieldErrors;

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

fn known() -> Vec<(i64, String)> {
    vec![
        (1, "Askersund".into()),
        (2, "Nora".into()),
        (3, "Hällefors".into()),
    ]
}

fn draft() -> ScenarioDraft {
    ScenarioDraft {
        name: "Alla tre".into(),
        municipalities: vec!["1".into(), "2".into(), "3".into()],
        weight_employees: "50".into(),
        weight_use: "50,00 %".into(),
        ..Default::default()
    }
}

#[test]
fn scenario_draft_is_checked_field_by_field() {
    let s = check_scenario(&draft(), &known()).unwrap();
    assert_eq!(s.weights, w(50, 0, 50, 0));
    assert_eq!(s.volume_bp, 10_000);
    assert_eq!(s.municipalities.len(), 3);

    let mut bad = draft();
    bad.municipalities.clear();
    bad.weight_use = "40".into();
    let e = check_scenario(&bad, &known()).unwrap_err();
    assert_eq!(fields(&e), ["municipalities", "weights"]);
    assert_eq!(
        e.get("weights"),
        Some("Vikterna i fördelningsnyckeln summerar till 90 %; de måste tillsammans bli 100 %.")
    );
    assert_eq!(
        e.get("municipalities"),
        Some("Välj minst en kommun som deltar i scenariot.")
    );

    let mut bad = draft();
    bad.name = " ".into();
    bad.weight_employees = "-50".into();
    bad.weight_inhabitants = "abc".into();
    bad.volume_pct = "-1".into();
    bad.municipalities.push("99".into());
    let e = check_scenario(&bad, &known()).unwrap_err();
    assert_eq!(
        fields(&e),
        [
            "name",
            "municipalities",
            "weight_employees",
            "weight_inhabitants",
            "volume_pct"
        ]
    );
    assert!(e.get("weight_employees").unwrap().contains("negativ"));
    assert!(e.get("municipalities").unwrap().contains("99"));

    let mut bad = draft();
    bad.course_hours.insert(2, "-10".into());
    bad.participants.insert(3, "2,5".into());
    bad.course_hours.insert(77, "x".into()); // not chosen: ignored
    let e = check_scenario(&bad, &known()).unwrap_err();
    assert_eq!(fields(&e), ["course_hours_2", "participants_3"]);
    assert!(e.get("course_hours_2").unwrap().contains("Nora"));

    let mut ok = draft();
    ok.course_hours.insert(2, "1 200,5".into());
    ok.participants.insert(2, "300".into());
    ok.volume_pct = "120".into();
    let s = check_scenario(&ok, &known()).unwrap();
    let nora = s
        .municipalities
        .iter()
        .find(|m| m.municipality_id == 2)
        .unwrap();
    assert_eq!(nora.course_hours_centi, Some(1200_50));
    assert_eq!(nora.participants, Some(300));
    assert_eq!(s.volume_bp, 12_000);
    // Round trip through the form.
    assert_eq!(
        check_scenario(&ScenarioDraft::from_scenario(&s), &known()).unwrap(),
        s
    );
}

#[test]
fn compute_refuses_an_empty_scenario_and_bad_weights() {
    let e = compute(
        &model(),
        &settings(),
        &scenario(&[], w(100, 0, 0, 0)),
        &abc(),
    )
    .unwrap_err();
    assert_eq!(fields(&e), ["municipalities"]);
    let e = compute(
        &model(),
        &settings(),
        &scenario(&[1], w(60, 0, 0, 0)),
        &abc(),
    )
    .unwrap_err();
    assert_eq!(fields(&e), ["weights"]);
}

#[test]
fn settings_are_checked() {
    let today = d("2026-11-20");
    let s = check_settings(
        &SettingsDraft {
            use_from: "2025-01-01".into(),
            cofinancing_rate: "259,91".into(),
            hours_per_session: "".into(),
        },
        today,
    )
    .unwrap();
    assert_eq!(s, settings());
    assert_eq!(
        check_settings(&SettingsDraft::from_settings(&s), today).unwrap(),
        s
    );
    let e = check_settings(
        &SettingsDraft {
            use_from: "2027-01-01".into(),
            cofinancing_rate: "-1".into(),
            hours_per_session: "0".into(),
        },
        today,
    )
    .unwrap_err();
    assert_eq!(
        fields(&e),
        ["use_from", "cofinancing_rate", "hours_per_session"]
    );
}

#[test]
fn every_figure_is_traced_to_its_inputs() {
    let r = compute(
        &model(),
        &settings(),
        &scenario(&[1, 2, 3], w(40, 20, 30, 10)),
        &abc(),
    )
    .unwrap();
    let mut keys = vec![
        "total".to_string(),
        "fixed".into(),
        "variable".into(),
        "volume-hours".into(),
        "per-hour".into(),
        "per-participant".into(),
        "per-inhabitant".into(),
    ];
    for l in &r.lines {
        keys.push(l.key.clone());
    }
    for m in &r.municipalities {
        for k in [
            "share",
            "per-hour",
            "per-participant",
            "per-inhabitant",
            "cofinancing",
            "hours",
            "participants",
        ] {
            keys.push(format!("{k}-{}", m.id));
        }
    }
    for p in KeyPart::ALL {
        keys.push(format!("part-{}", p.code()));
    }
    for k in &keys {
        let f = r.trace.get(k).unwrap_or_else(|| panic!("no figure {k}"));
        assert!(!f.formula.is_empty() && !f.inputs.is_empty(), "{k}");
        // Every reference points to a figure that exists.
        for i in &f.inputs {
            if let Some(to) = &i.key {
                assert!(r.trace.get(to).is_some(), "{k} → {to}");
            }
        }
    }
    assert_eq!(r.trace.get("total").unwrap().value, "1 200 000 kr");
    let share = r.trace.get("share-1").unwrap();
    assert_eq!(
        share.value,
        super::money::kr(r.municipality(1).unwrap().share)
    );
    assert!(
        share
            .formula
            .contains("antal anställda: 480 000 kr × 1 000 ÷ 4 000"),
        "{}",
        share.formula
    );
    assert!(r
        .assumptions
        .iter()
        .any(|a| a.contains("största-rest-metoden")));
    assert!(r.assumptions.iter().any(|a| a.contains("40 % antal anställda + 20 % antal invånare + 30 % användning (deltagartimmar) + 10 % lika delar")));
}

#[test]
fn approximate_inhabitants_are_flagged_in_assumptions_and_trace() {
    let mut a = abc();
    a.municipalities[1].inhabitants_approx = true;
    let r = compute(
        &model(),
        &settings(),
        &scenario(&[1, 2], w(0, 100, 0, 0)),
        &a,
    )
    .unwrap();
    assert!(r
        .assumptions
        .iter()
        .any(|s| s.contains("Invånartalen för Nora är ungefärliga")));
    assert!(r
        .trace
        .get("share-2")
        .unwrap()
        .inputs
        .iter()
        .any(|i| i.source.contains("ungefärligt")));
}

#[test]
fn comparison_explains_why_a_municipality_pays_more() {
    let all = compute(
        &model(),
        &settings(),
        &scenario(&[1, 2, 3], w(50, 0, 50, 0)),
        &abc(),
    )
    .unwrap();
    let mut s = scenario(&[1, 3], w(50, 0, 50, 0));
    s.id = 2;
    s.name = "Utan Nora".into();
    let without = compute(&model(), &settings(), &s, &abc()).unwrap();
    let c = compare(&[all.clone(), without.clone()]);
    assert_eq!(c.columns.len(), 2);
    assert_eq!(c.rows.len(), 3);
    let nora = c.rows.iter().find(|r| r.name == "Nora").unwrap();
    assert_eq!(nora.shares, vec![Some(450_000_00), None]);
    let diff = &c.differences[0];
    assert_eq!(
        diff.summary,
        "”Utan Nora” kostar 1 150 000 kr per år, 50 000 kr mindre än ”Test” (1 200 000 kr), eftersom de rörliga \
         kostnaderna följer volymen (1 500 i stället för 2 000 deltagartimmar per år) och de fasta kostnaderna \
         (1 000 000 kr) är desamma. I ”Utan Nora” deltar 2 kommuner, i ”Test” 3 kommuner."
    );
    let hallefors = diff
        .municipalities
        .iter()
        .find(|l| l.starts_with("Hällefors"))
        .unwrap();
    // Without Nora: employees 1:1 of 575 000, use 1000:500 of 575 000 → Hällefors 287 500 + 191 667.
    let h_after = without.municipality(3).unwrap().share;
    assert_eq!(h_after, 287_500_00 + 19_166_667);
    assert!(
        hallefors.starts_with("Hällefors betalar 179 167 kr mer per år i ”Utan Nora” än i ”Test” (479 167 kr i stället för 300 000 kr), eftersom Nora inte är med och de fasta kostnaderna (1 000 000 kr) delas av 2 kommuner i stället för 3"),
        "{hallefors}"
    );
    assert!(
        hallefors.contains("Hällefors andel av kostnaden går från 25 % till 41,7 %"),
        "{hallefors}"
    );
    assert!(hallefors.contains("Av skillnaden kommer −12 500 kr av att totalkostnaden ändras och +191 667 kr av att Hällefors andel ändras."), "{hallefors}");
    let nora_line = diff
        .municipalities
        .iter()
        .find(|l| l.starts_with("Nora"))
        .unwrap();
    assert_eq!(
        nora_line,
        "Nora är inte med i ”Utan Nora” och betalar inget där (i ”Test”: 450 000 kr per år)."
    );
    // A different key is named.
    let mut s = scenario(&[1, 2, 3], w(0, 100, 0, 0));
    s.name = "Invånare".into();
    let by_inh = compute(&model(), &settings(), &s, &abc()).unwrap();
    let c = compare(&[all, by_inh]);
    assert!(c.differences[0].summary.contains("Fördelningsnyckeln är 100 % antal invånare i ”Invånare” och 50 % antal anställda + 50 % användning (deltagartimmar) i ”Test”."));
    assert!(c.differences[0]
        .municipalities
        .iter()
        .any(|l| l.contains("fördelningsnyckeln är 100 % antal invånare i stället för")));
}

#[test]
fn swedish_helpers() {
    assert_eq!(genitive("Nora"), "Noras");
    assert_eq!(genitive("Hällefors"), "Hällefors");
    assert_eq!(genitive("Laxå"), "Laxås");
    assert_eq!(join_sv(&["A".into()]), "A");
    assert_eq!(join_sv(&["A".into(), "B".into(), "C".into()]), "A, B och C");
}

#[test]
fn reasons_that_work_against_the_difference_are_named_with_trots_att() {
    let all = compute(
        &model(),
        &settings(),
        &scenario(&[1, 2, 3], w(100, 0, 0, 0)),
        &abc(),
    )
    .unwrap();
    // Without Askersund the fixed costs are shared by fewer, but the lower
    // volume makes the total smaller.
    let mut s = scenario(&[2, 3], w(0, 0, 0, 100));
    s.name = "Lika".into();
    let equal = compute(&model(), &settings(), &s, &abc()).unwrap();
    let c = compare(&[all, equal]);
    let nora = c.differences[0]
        .municipalities
        .iter()
        .find(|l| l.starts_with("Nora"))
        .unwrap();
    assert!(nora.starts_with("Nora betalar"), "{nora}");
    assert!(nora.contains("mindre per år"), "{nora}");
    // Nora's share stays 50 %: the key change moves nothing and is not a reason.
    assert_eq!(
        nora,
        "Nora betalar 50 000 kr mindre per år i ”Lika” än i ”Test” (550 000 kr i stället för 600 000 kr), \
         eftersom de rörliga kostnaderna är 100 000 kr lägre när volymen är 1 000 i stället för 2 000 deltagartimmar \
         per år, trots att Askersund inte är med och de fasta kostnaderna (1 000 000 kr) delas av 2 kommuner i \
         stället för 3."
    );
    let hallefors = c.differences[0]
        .municipalities
        .iter()
        .find(|l| l.starts_with("Hällefors"))
        .unwrap();
    assert!(
        hallefors.contains("mer per år") && !hallefors.contains("trots att Askersund"),
        "{hallefors}"
    );
}

#[test]
fn when_one_of_two_leaves_the_other_carries_it_alone() {
    let r = compute(
        &model(),
        &settings(),
        &scenario(&[1, 2], w(100, 0, 0, 0)),
        &abc(),
    )
    .unwrap();
    let o = r.leave(2).unwrap().outcome.as_ref().unwrap();
    assert_eq!(o.changes.len(), 1);
    assert!(
        o.changes[0].explanation.contains("Noras andel på"),
        "{}",
        o.changes[0].explanation
    );
    assert!(
        o.changes[0]
            .explanation
            .contains("får bäras av Askersund ensam"),
        "{}",
        o.changes[0].explanation
    );
    assert_eq!(o.changes[0].after, o.total_after);
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
