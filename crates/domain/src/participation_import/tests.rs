use super::*;

fn lk() -> Lookups {
    Lookups {
        roles: TitleMap::new(
            [
                (1, "Undersköterska"),
                (2, "Sjuksköterska"),
                (3, "Stödassistent/boendestödjare"),
            ],
            &[],
        ),
        municipalities: [("örebro".to_string(), 10), ("hällefors".to_string(), 11)].into(),
        courses: [
            ("hlr".to_string(), 100),
            ("palliativ vård".to_string(), 101),
        ]
        .into(),
        create_courses: false,
        today: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    }
}

const GOOD: &str = "person_ref,gender,role,municipality,course,date,hours,attended\n\
    P1,kvinna,Undersköterska,Örebro,HLR,2025-03-04,3,ja\n\
    P2,man,sjuksköterska,Hällefors,HLR,2025-03-04,3,nej\n\
    P1,kvinna,undersköterska,Örebro,Palliativ vård,2025-04-01,\"2,5\",ja\n\
    P1,kvinna,undersköterska,Örebro,HLR,2025-09-01,3,ja\n";

#[test]
fn written_rows_read_back_the_same() {
    let row = |r: &str, g, course: &str, hours, attended| Row {
        person_ref: r.into(),
        gender: g,
        role: "Undersköterska".into(),
        municipality: "Hällefors".into(),
        course: course.into(),
        date: NaiveDate::from_ymd_opt(2025, 3, 4).unwrap(),
        hours,
        attended,
    };
    let rows = [
        row("p1", Gender::EjAngivet, "HLR", 7.0 / 3.0, true),
        row("p2", Gender::Annat, "HLR", 7.0 / 3.0, false),
        row("p1", Gender::EjAngivet, "Palliativ vård", 2.5, true),
    ];
    let bytes = write(&rows);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("person_ref,gender,role,municipality,course,date,hours,attended\n"));
    assert!(text.contains("p1,ej angivet,Undersköterska,Hällefors,HLR,2025-03-04,"));
    let p = parse(&bytes, &lk(), &Stop::never()).unwrap();
    assert_eq!((p.rows, p.people.len(), p.sessions.len()), (3, 2, 2));
    assert_eq!(p.people[0].gender, Gender::EjAngivet);
    assert_eq!(p.people[1].gender, Gender::Annat);
    assert_eq!(p.sessions[0].hours, 7.0 / 3.0, "hours survive exactly");
    assert_eq!(p.sessions[1].course, CourseRef::Existing(101));
    assert_eq!((p.attended, p.absent), (2, 1));
}

#[test]
fn rows_with_same_course_and_date_are_one_session() {
    let p = parse(GOOD.as_bytes(), &lk(), &Stop::never()).unwrap();
    assert_eq!(p.rows, 4);
    assert_eq!(p.people.len(), 2);
    assert_eq!(p.sessions.len(), 3);
    assert_eq!(p.sessions[0].participants.len(), 2);
    assert_eq!(p.sessions[1].hours, 2.5);
    assert_eq!((p.attended, p.absent), (3, 1));
}

#[test]
fn semicolons_bom_and_decimal_comma() {
    let text = format!(
        "\u{feff}{}",
        GOOD.replace(',', ";").replace("\"2;5\"", "2,5")
    );
    let p = parse(text.as_bytes(), &lk(), &Stop::never()).unwrap();
    assert_eq!(p.sessions.len(), 3);
    assert_eq!(p.sessions[1].hours, 2.5);
    // Columns in another order are fine too.
    let reordered = "date;course;hours;attended;person_ref;gender;role;municipality\r\n2025-01-02;HLR;3;ja;X;kvinna;undersköterska;örebro\r\n";
    assert_eq!(
        parse(reordered.as_bytes(), &lk(), &Stop::never())
            .unwrap()
            .sessions
            .len(),
        1
    );
}

#[test]
fn a_person_may_change_role_and_municipality_over_time() {
    let text = "person_ref,gender,role,municipality,course,date,hours,attended\n\
        P9,kvinna,sjuksköterska,Hällefors,HLR,2025-06-01,3,ja\n\
        P9,kvinna,undersköterska,Örebro,HLR,2025-01-10,3,ja\n";
    let p = parse(text.as_bytes(), &lk(), &Stop::never()).unwrap();
    assert_eq!(p.people.len(), 1);
    // The person as of their latest line, whatever the line order.
    let (hf, or) = (
        lk().municipalities["hällefors"],
        lk().municipalities["örebro"],
    );
    assert_eq!((p.people[0].municipality_id, p.people[0].role_id), (hf, 2));
    let per_row: Vec<(i64, i64)> = p
        .sessions
        .iter()
        .map(|s| (s.participants[0].municipality_id, s.participants[0].role_id))
        .collect();
    assert_eq!(per_row, [(hf, 2), (or, 1)]);
}

#[test]
fn every_error_names_line_and_column() {
    let text = "person_ref,gender,role,municipality,course,date,hours,attended\n\
        ,kvinna,undersköterska,Örebro,HLR,2025-03-04,3,ja\n\
        P1,kanske,pilot,Stockholm,Okänd kurs,2025-02-30,noll,kanske\n\
        P2,kvinna,undersköterska,Örebro,HLR,2027-01-01,25,ja\n\
        P3,kvinna,undersköterska,Örebro,HLR,2025-03-04,4,ja\n\
        P3,man,sjuksköterska,Hällefors,HLR,2025-05-05,3,ja\n\
        P3,kvinna,undersköterska,Örebro,HLR,2025-05-05,3,ja\n";
    let errs = parse(text.as_bytes(), &lk(), &Stop::never()).unwrap_err();
    let got: Vec<(usize, usize)> = errs.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(
        got,
        [
            (2, 1),
            (3, 2),
            (3, 3),
            (3, 4),
            (3, 5),
            (3, 6),
            (3, 7),
            (3, 8),
            (4, 6),
            (4, 7),
            (6, 2),
            (7, 1)
        ]
    );
    assert!(
        errs.shown[1]
            .to_string()
            .starts_with("rad 3, kolumn 2 (gender):"),
        "{}",
        errs.shown[1]
    );
}

#[test]
fn conflicting_hours_for_one_session() {
    let text = "person_ref,gender,role,municipality,course,date,hours,attended\n\
        P1,kvinna,undersköterska,Örebro,HLR,2025-03-04,3,ja\n\
        P2,kvinna,undersköterska,Örebro,HLR,2025-03-04,4,ja\n";
    let errs = parse(text.as_bytes(), &lk(), &Stop::never()).unwrap_err();
    assert_eq!(
        (
            errs.shown[0].line,
            errs.shown[0].column,
            errs.shown[0].column_name.as_str()
        ),
        (3, 7, "hours")
    );
}

#[test]
fn short_rows_and_loose_gender_values() {
    let text = "person_ref,gender,role,municipality,course,date,hours,attended\n\
        P1,K,undersköterska,Örebro,HLR,2025-03-04,3,ja\n\
        P2,kvinna\n\
        P3,Ej angivet,undersköterska,Örebro,HLR,2025-03-04,3,ja\n";
    let errs = parse(text.as_bytes(), &lk(), &Stop::never()).unwrap_err();
    assert_eq!(errs.total, 2);
    assert_eq!((errs.shown[0].line, errs.shown[0].column), (2, 2));
    assert_eq!((errs.shown[1].line, errs.shown[1].column), (3, 0));
    assert!(errs.shown[1].message.contains("2 kolumner"));
}

#[test]
fn header_problems() {
    let errs = parse(b"person_ref,gender,role,foo\n", &lk(), &Stop::never()).unwrap_err();
    assert_eq!(errs.shown[0].column_name, "foo");
    assert!(errs.iter().any(|e| e.column_name == "attended"));
    assert!(parse(b"", &lk(), &Stop::never()).is_err());
    let only_header = "person_ref,gender,role,municipality,course,date,hours,attended\n";
    assert_eq!(
        parse(only_header.as_bytes(), &lk(), &Stop::never())
            .unwrap_err()
            .shown[0]
            .line,
        2
    );
    let latin1 = b"person_ref,gender,role,municipality,course,date,hours,attended\nP1,kvinna,undersk\xf6terska,\xd6rebro,HLR,2025-01-01,3,ja\n";
    assert_eq!(
        parse(latin1, &lk(), &Stop::never()).unwrap_err().shown[0].line,
        2
    );
}

#[test]
fn unknown_courses_are_created_only_when_asked() {
    let text = "person_ref,gender,role,municipality,course,date,hours,attended\n\
        P1,kvinna,undersköterska,Örebro,Ny kurs,2025-03-04,3,ja\n\
        P2,kvinna,undersköterska,Örebro,NY KURS,2025-03-04,3,ja\n";
    assert!(parse(text.as_bytes(), &lk(), &Stop::never()).is_err());
    let p = parse(
        text.as_bytes(),
        &Lookups {
            create_courses: true,
            ..lk()
        },
        &Stop::never(),
    )
    .unwrap();
    assert_eq!(p.new_courses, ["Ny kurs"]);
    assert_eq!(p.sessions.len(), 1);
    assert_eq!(p.sessions[0].course, CourseRef::New("Ny kurs".into()));
}

#[test]
fn at_most_a_hundred_errors_are_kept_with_the_total_and_cells_are_quoted_short() {
    let mut text = String::from("person_ref,gender,role,municipality,course,date,hours,attended\n");
    let long = "x".repeat(900);
    for i in 0..500 {
        text.push_str(&format!("P{i},kvinna,{long},Örebro,HLR,2025-03-04,3,ja\n"));
    }
    let errs = parse(text.as_bytes(), &lk(), &Stop::never()).unwrap_err();
    assert_eq!((errs.shown.len(), errs.total), (100, 500));
    assert_eq!(errs.shown[99].line, 101);
    assert!(errs.shown.iter().all(|e| e.message.len() < 120), "{errs:?}");
}

#[test]
fn past_the_row_limit_is_one_clear_error() {
    let mut text = String::from("person_ref,gender,role,municipality,course,date,hours,attended\n");
    for i in 0..=LIMITS.max_rows {
        text.push_str(&format!(
            "P{i},kvinna,undersköterska,Örebro,HLR,2025-03-04,3,ja\n"
        ));
    }
    let errs = parse(text.as_bytes(), &lk(), &Stop::never()).unwrap_err();
    assert_eq!(errs.total, 1);
    assert_eq!(
        errs.shown[0].to_string(),
        format!(
            "rad {}: Filen har fler än 100 000 rader; dela upp den i mindre filer.",
            LIMITS.max_rows + 2
        )
    );
}

#[test]
fn a_role_alternative_imports_as_it_is_and_a_mapped_title_too() {
    let text = "person_ref,gender,role,municipality,course,date,hours,attended\n\
        P1,kvinna,stödassistent,Örebro,HLR,2025-03-04,3,ja\n\
        P2,man,Usk,Hällefors,HLR,2025-03-04,3,ja\n";
    let errs = parse(text.as_bytes(), &lk(), &Stop::never()).unwrap_err();
    assert_eq!(errs.total, 1);
    assert_eq!((errs.shown[0].line, errs.shown[0].column), (3, 3));
    assert!(
        errs.shown[0]
            .to_string()
            .contains("Yrkesrollen ”Usk” känns inte igen"),
        "{}",
        errs.shown[0]
    );
    assert_eq!(
        unknown_titles(text.as_bytes(), &lk(), &Stop::never()),
        vec!["Usk".to_string()]
    );
    // Mapped for Hällefors only: an Örebro line with "Usk" still asks.
    let mut mapped = lk();
    mapped.roles = TitleMap::new(
        [(1, "Undersköterska"), (3, "Stödassistent/boendestödjare")],
        &[crate::role_titles::Mapping {
            municipality_id: Some(11),
            title: "usk".into(),
            role_id: 1,
        }],
    );
    let p = parse(text.as_bytes(), &mapped, &Stop::never()).unwrap();
    assert_eq!(
        p.people.iter().map(|x| x.role_id).collect::<Vec<_>>(),
        [3, 1]
    );
    let orebro = text.replace("Usk,Hällefors", "Usk,Örebro");
    assert!(parse(orebro.as_bytes(), &mapped, &Stop::never()).is_err());
}
