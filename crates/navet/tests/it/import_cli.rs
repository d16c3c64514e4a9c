//! `navet import participations` and `navet import funding` as a user runs
//! them: exit codes, messages naming file, line and column, all or nothing.

use std::process::Command;

fn navet(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_navet"))
        .args(args)
        .output()
        .expect("run navet");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "navet-cli-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
fn imports_are_all_or_nothing_and_name_line_and_column() {
    let dir = tempdir();
    let url = format!("sqlite://{}", dir.join("navet.db").display());
    let (ok, _, err) = navet(&["migrate", "--database-url", &url]);
    assert!(ok, "{err}");

    let funding = dir.join("program.toml");
    std::fs::write(
        &funding,
        "name = \"ESF Kompetensnavet\"\nstarts = 2025-01-01\nends = 2027-06-30\ngranted_sek = 23731055\ncofinancing_rate = 0.46\ntarget_hours = 42000\n[employees]\n\"Örebro\" = 9000\n\"Karlskoga\" = 1900\n",
    )
    .unwrap();
    let (ok, out, err) = navet(&[
        "import",
        "funding",
        funding.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("ESF Kompetensnavet"), "{out}");
    assert!(
        out.contains("34678"),
        "Örebro's commitment is 42000 × 9000/10900: {out}"
    );

    let bad_funding = dir.join("bad.toml");
    std::fs::write(&bad_funding, "name = \"X\"\nstarts = 2025-01-01\nends = 2024-01-01\ngranted_sek = 1\ncofinancing_rate = 0.46\ntarget_hours = 1\n[employees]\n\"Atlantis\" = 3\n").unwrap();
    let (ok, _, err) = navet(&[
        "import",
        "funding",
        bad_funding.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(!ok);
    assert!(err.contains("bad.toml: rad 3, ”ends”"), "{err}");
    assert!(err.contains("rad 8, ”employees.Atlantis”"), "{err}");

    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "person_ref;gender;role;municipality;course;date;hours;attended\nP1;kvinna;undersköterska;Örebro;HLR;2025-03-04;3;ja\nP2;kvinna;undersköterska;Örebro;Okänd;2025-03-04;3,5;kanske\n",
    )
    .unwrap();
    let (ok, _, err) = navet(&[
        "import",
        "participations",
        bad.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(!ok, "a file with errors fails");
    assert!(err.contains("bad.csv: rad 3, kolumn 5 (course)"), "{err}");
    assert!(err.contains("bad.csv: rad 3, kolumn 8 (attended)"), "{err}");
    assert!(err.contains("inget importerades"), "{err}");

    // Unknown titles need --create-courses.
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        "\u{feff}person_ref,gender,role,municipality,course,date,hours,attended\nP1,kvinna,undersköterska,Örebro,HLR-repetition,2025-03-04,3,ja\nP2,man,sjuksköterska,Karlskoga,HLR-repetition,2025-03-04,3,nej\n",
    )
    .unwrap();
    let (ok, _, err) = navet(&[
        "import",
        "participations",
        good.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(!ok && err.contains("--create-courses"), "{err}");
    let (ok, out, err) = navet(&[
        "import",
        "participations",
        good.to_str().unwrap(),
        "--create-courses",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("2 rader: 1 kurstillfälle, 1 närvarande och 1 frånvarande"),
        "{out}"
    );
    let (ok, _, err) = navet(&[
        "import",
        "participations",
        good.to_str().unwrap(),
        "--create-courses",
        "--database-url",
        &url,
    ]);
    assert!(
        !ok && err.contains("redan"),
        "the same file twice is refused: {err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_hr_title_mapped_from_the_command_line_is_read_by_the_import() {
    let dir = tempdir();
    let url = format!("sqlite://{}", dir.join("navet.db").display());
    let (ok, _, err) = navet(&["migrate", "--database-url", &url]);
    assert!(ok, "{err}");
    let file = dir.join("usk.csv");
    std::fs::write(
        &file,
        "person_ref,gender,role,municipality,course,date,hours,attended\nP1,kvinna,Usk,Kumla,HLR,2025-03-04,3,ja\nP2,man,stödassistent,Kumla,HLR,2025-03-04,3,ja\n",
    )
    .unwrap();
    let import = || {
        navet(&[
            "import",
            "participations",
            file.to_str().unwrap(),
            "--create-courses",
            "--database-url",
            &url,
        ])
    };
    let (ok, _, err) = import();
    assert!(!ok);
    assert!(
        err.contains("rad 2, kolumn 3 (role): Yrkesrollen ”Usk” känns inte igen"),
        "{err}"
    );
    assert!(
        !err.contains("rad 3"),
        "stödassistent needs no mapping: {err}"
    );

    let (ok, _, err) = navet(&["roles", "map", "Usk", "Pilot", "--database-url", &url]);
    assert!(!ok);
    assert!(err.contains("okänd yrkesroll ”Pilot”"), "{err}");
    let (ok, _, err) = navet(&[
        "roles",
        "map",
        "Usk",
        "Undersköterska",
        "--municipality",
        "Atlantis",
        "--database-url",
        &url,
    ]);
    assert!(!ok);
    assert!(err.contains("okänd kommun ”Atlantis”"), "{err}");
    let (ok, out, err) = navet(&[
        "roles",
        "map",
        "Usk",
        "undersköterska",
        "--municipality",
        "Kumla",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("”usk” läses som Undersköterska i Kumla"),
        "{out}"
    );
    let (ok, out, _) = navet(&["roles", "mappings", "--database-url", &url]);
    assert!(ok);
    assert_eq!(out.trim(), "usk\tUndersköterska\tKumla");

    let (ok, out, err) = import();
    assert!(ok, "{err}");
    assert!(out.contains('2'), "{out}");
}
