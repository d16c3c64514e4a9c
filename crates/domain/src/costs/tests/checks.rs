//! A scenario's form and the settings checked field by field; bad weights
//! and an empty scenario refused.

use super::*;

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
