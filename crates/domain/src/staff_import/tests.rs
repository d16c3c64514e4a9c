use super::*;

fn mark_left() -> PlanOptions {
    PlanOptions {
        mode: Mode::MarkAbsentAsLeft,
        ..Default::default()
    }
}

fn maps() -> (HashMap<String, i64>, HashMap<String, i64>) {
    let roles = [
        ("undersköterska".to_string(), 2),
        ("vårdbiträde".to_string(), 1),
    ]
    .into();
    let units = [
        ("hemtjänst norr".to_string(), 10),
        ("säbo ekbacken".to_string(), 11),
    ]
    .into();
    (roles, units)
}
fn raw(line: usize, c: [&str; 6]) -> RawStaffRow {
    RawStaffRow {
        line,
        cells: c.map(|s| s.to_string()),
    }
}
fn existing(id: i64, no: &str, email: &str, role: i64, unit: i64) -> ExistingStaff {
    ExistingStaff {
        person_id: id,
        employee_no: Some(no.into()),
        name: format!("P{id}"),
        email: email.into(),
        role_id: role,
        unit_id: Some(unit),
        gender: Gender::Kvinna,
        active: true,
    }
}

#[test]
fn every_error_names_its_line_and_column() {
    let (roles, units) = maps();
    let rows = vec![
        raw(
            2,
            [
                "1",
                "Anna",
                "anna@x.se",
                "Undersköterska",
                "Hemtjänst norr",
                "kvinna",
            ],
        ),
        raw(
            3,
            ["", "Bo", "bo-at-x.se", "Pilot", "Hemtjänst norr", "man"],
        ),
        raw(4, ["1", "Cia", "anna@x.se", "vårdbiträde", "Okänd", "?"]),
    ];
    let errs = check_rows(&rows, &roles, &units).unwrap_err();
    let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(
        got,
        [
            (3, "anställningsnummer"),
            (3, "e-post"),
            (3, "yrkesroll"),
            (4, "anställningsnummer"),
            (4, "e-post"),
            (4, "enhet"),
            (4, "kön")
        ]
    );
}

#[test]
fn plan_finds_added_moved_new_role_and_left() {
    let (roles, units) = maps();
    let rows = vec![
        raw(
            2,
            [
                "1",
                "P1",
                "p1@x.se",
                "undersköterska",
                "säbo ekbacken",
                "kvinna",
            ],
        ), // moved
        raw(
            3,
            [
                "2",
                "P2",
                "p2@x.se",
                "vårdbiträde",
                "hemtjänst norr",
                "kvinna",
            ],
        ), // new role
        raw(
            4,
            [
                "3",
                "P3",
                "p3@x.se",
                "undersköterska",
                "hemtjänst norr",
                "kvinna",
            ],
        ), // same
        raw(
            5,
            [
                "9",
                "Ny",
                "ny@x.se",
                "undersköterska",
                "hemtjänst norr",
                "man",
            ],
        ), // added
    ];
    let recs = check_rows(&rows, &roles, &units).unwrap();
    let ex = vec![
        existing(1, "1", "p1@x.se", 2, 10),
        existing(2, "2", "p2@x.se", 2, 10),
        existing(3, "3", "p3@x.se", 2, 10),
        existing(4, "4", "p4@x.se", 2, 10), // left
    ];
    let p = plan(&ex, &recs, &mark_left());
    assert_eq!(p.added.len(), 1);
    assert_eq!(p.added[0].employee_no, "9");
    assert_eq!(p.changed.len(), 2);
    assert_eq!(p.changed[0].0, 1);
    assert_eq!(
        p.changed[0].2,
        vec![StaffChange::Unit {
            from: Some(10),
            to: 11
        }]
    );
    assert_eq!(p.changed[1].2, vec![StaffChange::Role { from: 2, to: 1 }]);
    assert_eq!(p.unchanged, 1);
    assert_eq!(
        p.left.iter().map(|e| e.person_id).collect::<Vec<_>>(),
        vec![4]
    );
}

#[test]
fn a_person_without_number_is_matched_by_email_and_gets_it() {
    let (roles, units) = maps();
    let rows = vec![raw(
        2,
        [
            "77",
            "P1",
            "p1@x.se",
            "undersköterska",
            "hemtjänst norr",
            "kvinna",
        ],
    )];
    let recs = check_rows(&rows, &roles, &units).unwrap();
    let mut e = existing(1, "x", "p1@x.se", 2, 10);
    e.employee_no = None;
    let p = plan(&[e], &recs, &PlanOptions::default());
    assert!(p.added.is_empty());
    assert_eq!(p.changed.len(), 1);
    assert!(p.changed[0].2.is_empty());
}

#[test]
fn someone_who_left_and_returns_is_reactivated() {
    let (roles, units) = maps();
    let rows = vec![raw(
        2,
        [
            "1",
            "P1",
            "p1@x.se",
            "undersköterska",
            "hemtjänst norr",
            "kvinna",
        ],
    )];
    let recs = check_rows(&rows, &roles, &units).unwrap();
    let mut e = existing(1, "1", "p1@x.se", 2, 10);
    e.active = false;
    let p = plan(&[e], &recs, &PlanOptions::default());
    assert_eq!(p.changed[0].2, vec![StaffChange::Returned]);
    assert!(p.left.is_empty());
}

#[test]
fn headers_are_recognised_in_common_spellings() {
    assert_eq!(column_for_header("\u{feff}Anställningsnummer"), Some(0));
    assert_eq!(column_for_header("E-post"), Some(2));
    assert_eq!(column_for_header("Kön"), Some(5));
    assert_eq!(column_for_header("Lön"), None);
}

fn rec(line: usize, no: &str, unit: i64) -> StaffRecord {
    StaffRecord {
        line,
        employee_no: no.into(),
        name: format!("P{no}"),
        email: format!("p{no}@x.se"),
        role_id: 2,
        unit_id: unit,
        gender: Gender::Kvinna,
    }
}

/// Ten people in unit 10, five in unit 11; ids 1..=15, numbers as ids.
fn municipality() -> Vec<ExistingStaff> {
    (1..=15)
        .map(|i| {
            let mut e = existing(i, &i.to_string(), &format!("p{i}@x.se"), 2, 10);
            e.name = format!("P{i}");
            if i > 10 {
                e.unit_id = Some(11);
            }
            e
        })
        .collect()
}

#[test]
fn add_and_update_is_the_default_and_marks_nobody() {
    let recs = vec![rec(2, "1", 10), rec(3, "2", 10), rec(4, "99", 10)];
    let p = plan(&municipality(), &recs, &PlanOptions::default());
    assert_eq!(p.added.len(), 1);
    assert_eq!(p.unchanged, 2);
    assert!(p.left.is_empty());
    // Still told how many of the unit are not in the file.
    assert_eq!(p.absent, 8);
    assert_eq!(p.units, BTreeSet::from([10]));
}

#[test]
fn a_three_line_file_for_one_unit_concerns_only_that_unit() {
    let recs = vec![rec(2, "1", 10), rec(3, "2", 10), rec(4, "3", 10)];
    let p = plan(&municipality(), &recs, &mark_left());
    let left: Vec<i64> = p.left.iter().map(|e| e.person_id).collect();
    assert_eq!(left, (4..=10).collect::<Vec<_>>(), "unit 11 untouched");
    assert_eq!(p.in_units, 10);
    assert_eq!(p.touched(), 10);
}

#[test]
fn units_chosen_on_the_preview_replace_the_files_units() {
    let recs = vec![rec(2, "1", 10)];
    let o = PlanOptions {
        mode: Mode::MarkAbsentAsLeft,
        units: Some(BTreeSet::from([10, 11])),
        importer: None,
    };
    let p = plan(&municipality(), &recs, &o);
    assert_eq!(p.left.len(), 14);
    let o = PlanOptions {
        units: Some(BTreeSet::new()),
        ..o
    };
    assert!(plan(&municipality(), &recs, &o).left.is_empty());
}

#[test]
fn the_importer_is_never_marked_as_left_by_their_own_import() {
    let recs = vec![rec(2, "1", 10)];
    let o = PlanOptions {
        mode: Mode::MarkAbsentAsLeft,
        units: None,
        importer: Some(5),
    };
    let p = plan(&municipality(), &recs, &o);
    assert!(p.importer_kept);
    assert!(!p.left.iter().any(|e| e.person_id == 5));
    assert_eq!(p.left.len(), 8);
}

#[test]
fn a_person_elsewhere_in_the_municipality_is_moved_not_added() {
    let recs = vec![rec(2, "12", 10)];
    let p = plan(&municipality(), &recs, &mark_left());
    assert!(p.added.is_empty());
    assert_eq!(
        p.changed[0].2,
        vec![StaffChange::Unit {
            from: Some(11),
            to: 10
        }]
    );
    // Only unit 10 is concerned: unit 11's other people stay.
    assert!(p.left.iter().all(|e| e.unit_id == Some(10)));
}

#[test]
fn marking_many_as_left_must_be_confirmed_by_typing_the_number() {
    // More than 20 people, whatever the share.
    assert!(needs_typed_confirmation(21, 1000));
    assert!(!needs_typed_confirmation(20, 1000));
    // More than 10 % of those touched.
    assert!(needs_typed_confirmation(2, 19));
    assert!(!needs_typed_confirmation(2, 20));
    assert!(!needs_typed_confirmation(0, 0));
    assert!(needs_typed_confirmation(1, 0));
    // The three-line file that wanted to mark 40 of 43.
    let mut ex = municipality();
    ex.extend((16..=43).map(|i| existing(i, &i.to_string(), &format!("p{i}@x.se"), 2, 10)));
    let recs = vec![rec(2, "1", 10), rec(3, "2", 10), rec(4, "3", 10)];
    let p = plan(&ex, &recs, &mark_left());
    assert_eq!(p.left.len(), 35);
    assert!(p.needs_typed_confirmation());
    assert!(typed_number_confirms(" 35 ", 35));
    assert!(!typed_number_confirms("34", 35));
    assert!(!typed_number_confirms("", 35));
    assert!(!typed_number_confirms("trettiofem", 35));
}

#[test]
fn a_change_says_what_changes() {
    let role = |id: i64| {
        if id == 1 {
            "Vårdbiträde"
        } else {
            "Undersköterska"
        }
        .to_string()
    };
    let unit = |id: i64| format!("Enhet {id}");
    let d = |c: StaffChange| c.describe(role, unit);
    assert_eq!(
        d(StaffChange::Role { from: 1, to: 2 }),
        "ny yrkesroll: Vårdbiträde → Undersköterska"
    );
    assert_eq!(
        d(StaffChange::Unit {
            from: Some(10),
            to: 11
        }),
        "ny enhet: Enhet 10 → Enhet 11"
    );
    assert_eq!(
        d(StaffChange::Name {
            from: "Anna".into(),
            to: "Anna B".into()
        }),
        "nytt namn: Anna → Anna B"
    );
    assert_eq!(
        d(StaffChange::Gender {
            from: Gender::Kvinna,
            to: Gender::Man
        }),
        "ändrat kön: kvinna → man"
    );
    assert_eq!(d(StaffChange::Returned), "åter i tjänst");
}

#[test]
fn titles_are_read_through_the_mapping_and_unknown_ones_listed_once() {
    use crate::role_titles::{Mapping, TitleMap};
    let map = TitleMap::new(
        [(1, "Undersköterska"), (3, "Stödassistent/boendestödjare")],
        &[Mapping {
            municipality_id: Some(7),
            title: "Usk".into(),
            role_id: 1,
        }],
    );
    let (_, units) = maps();
    let row = |line, title: &str| {
        raw(
            line,
            [
                &line.to_string(),
                "Namn",
                &format!("n{line}@x.se"),
                title,
                "hemtjänst norr",
                "kvinna",
            ],
        )
    };
    let rows = vec![
        row(2, "usk"),
        row(3, "stödassistent"),
        row(4, "Undersköterska natt"),
    ];
    let errs = check_rows(&rows, &map.for_municipality(7), &units).unwrap_err();
    assert_eq!(errs.total, 1);
    assert_eq!(
        (errs.shown[0].line, errs.shown[0].column.as_str()),
        (4, "yrkesroll")
    );
    assert!(errs.shown[0].to_string().starts_with(
        "rad 4, kolumn ”yrkesroll”: Yrkesrollen ”Undersköterska natt” känns inte igen"
    ));
    let rows = vec![row(2, "usk"), row(3, "stödassistent"), row(4, "Usk")];
    let recs = check_rows(&rows, &map.for_municipality(7), &units).unwrap();
    assert_eq!(
        recs.iter().map(|r| r.role_id).collect::<Vec<_>>(),
        [1, 3, 1]
    );
    // Another municipality has no such mapping.
    let rows = vec![row(2, "usk"), row(3, "USK "), row(4, "Nattis"), row(5, "")];
    assert_eq!(
        unknown_titles(&rows, &map.for_municipality(8)),
        vec!["usk".to_string(), "Nattis".to_string()]
    );
}
