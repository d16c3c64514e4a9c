//! What the figures say about themselves: every figure traced to its
//! inputs, approximations flagged, and comparisons explained in Swedish.

use super::*;

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
        crate::costs::money::kr(r.municipality(1).unwrap().share)
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
