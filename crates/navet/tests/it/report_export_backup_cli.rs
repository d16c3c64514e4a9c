//! `navet report`, `navet export` and `navet backup` as an operator runs
//! them: output formats, exit codes and messages, and history moved from one
//! instance to another giving the very same report.

use std::process::Command;

fn navet_env(args: &[&str], env: &[(&str, &str)]) -> (bool, Vec<u8>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_navet"));
    cmd.args(args).env_remove("NAVET_DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run navet");
    (
        out.status.success(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn navet(args: &[&str]) -> (bool, Vec<u8>, String) {
    navet_env(args, &[])
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!("navet-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

const HISTORY: &str = "person_ref;gender;role;municipality;course;date;hours;attended\n\
    HR-1;kvinna;undersköterska;Örebro;HLR-repetition;2025-03-04;3;ja\n\
    HR-2;man;sjuksköterska;Karlskoga;HLR-repetition;2025-03-04;3;nej\n\
    HR-2;man;sjuksköterska;Karlskoga;Demens, grund;2025-04-10;7,5;ja\n\
    HR-3;ej angivet;vårdbiträde;Hällefors;Demens, grund;2025-04-10;7,5;ja\n\
    HR-1;kvinna;undersköterska;Örebro;Demens, grund;2025-09-01;7,5;ja\n\
    HR-3;ej angivet;vårdbiträde;Hällefors;HLR-repetition;2024-12-31;3;ja\n";

#[test]
fn history_moves_between_instances_with_the_same_report() {
    let dir = tempdir("move");
    let a = format!("sqlite://{}", dir.join("a.db").display());
    let b = format!("sqlite://{}", dir.join("b.db").display());
    for url in [&a, &b] {
        let (ok, _, err) = navet(&["migrate", "--database-url", url]);
        assert!(ok, "{err}");
    }
    let history = dir.join("historik.csv");
    std::fs::write(&history, HISTORY).unwrap();
    let (ok, _, err) = navet(&[
        "import",
        "participations",
        history.to_str().unwrap(),
        "--create-courses",
        "--database-url",
        &a,
    ]);
    assert!(ok, "{err}");

    // JSON to stdout by default, the API's body.
    let (ok, json, err) = navet(&[
        "report",
        "indicators",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--database-url",
        &a,
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["from"], "2025-01-01");
    assert_eq!(v["unique_participants"]["total"], 3);
    assert_eq!(v["unique_participants"]["by_gender"]["ej_angivet"], 1);
    assert_eq!(v["participations"], 4);
    assert_eq!(v["course_hours"], 25.5);
    assert_eq!(v["sessions"]["held"], 3);

    // Export with the variable from the environment, to a file.
    let file = dir.join("export.csv");
    let (ok, _, err) = navet_env(
        &[
            "export",
            "participations",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--out",
            file.to_str().unwrap(),
        ],
        &[("NAVET_DATABASE_URL", &a)],
    );
    assert!(ok, "{err}");
    assert!(
        err.contains("5 rader (4 närvarande, 1 frånvarande), 3 personer, 3 kurstillfällen"),
        "{err}"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("person_ref,gender,role,municipality,course,date,hours,attended\n"));
    assert!(
        !text.contains("HR-") && !text.contains("Historisk deltagare"),
        "refs of this instance only: {text}"
    );
    assert!(!text.contains("2024-12-31"));

    let (ok, out, err) = navet(&[
        "import",
        "participations",
        file.to_str().unwrap(),
        "--create-courses",
        "--database-url",
        &b,
    ]);
    assert!(ok, "{err}");
    assert!(String::from_utf8_lossy(&out).contains("1 frånvarande"));
    let (ok, json_b, err) = navet(&[
        "report",
        "indicators",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--database-url",
        &b,
    ]);
    assert!(ok, "{err}");
    assert_eq!(
        String::from_utf8(json_b).unwrap(),
        String::from_utf8(json).unwrap(),
        "the receiving instance reports exactly the same"
    );

    // CSV and XLSX are the web downloads.
    let (ok, csv, err) = navet(&[
        "report",
        "indicators",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--format",
        "csv",
        "--database-url",
        &a,
    ]);
    assert!(ok, "{err}");
    assert!(
        csv.starts_with(&[0xEF, 0xBB, 0xBF]),
        "BOM for Swedish Excel"
    );
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains("Deltagartimmar (närvaro summerad över deltagare);25,50"),
        "{csv}"
    );
    let xlsx = dir.join("indikatorer.xlsx");
    let (ok, _, err) = navet(&[
        "report",
        "indicators",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
        "--database-url",
        &a,
    ]);
    assert!(ok, "{err}");
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK\x03\x04"));

    // Bad dates name the flag; nothing runs without a database.
    let (ok, out, err) = navet(&[
        "report",
        "indicators",
        "--from",
        "2025-13-01",
        "--to",
        "2025-12-31",
        "--database-url",
        &a,
    ]);
    assert!(!ok && out.is_empty());
    assert!(
        err.contains("--from ”2025-13-01”: Ange från-datum som ÅÅÅÅ-MM-DD."),
        "{err}"
    );
    let (ok, _, err) = navet(&[
        "export",
        "participations",
        "--from",
        "2025-02-01",
        "--to",
        "2025-01-01",
        "--database-url",
        &a,
    ]);
    assert!(
        !ok && err.contains("--to ”2025-01-01”: Till-datum får inte vara före från-datum."),
        "{err}"
    );
    let (ok, _, err) = navet(&[
        "report",
        "indicators",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
    ]);
    assert!(!ok && err.contains("NAVET_DATABASE_URL"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn backup_writes_a_checked_copy_once() {
    let dir = tempdir("backup");
    let url = format!("sqlite://{}", dir.join("navet.db").display());
    let (ok, _, err) = navet(&["migrate", "--database-url", &url]);
    assert!(ok, "{err}");
    let copy = dir.join("kopia.db");
    let (ok, out, err) = navet(&[
        "backup",
        "--out",
        copy.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("Integritetskontroll (PRAGMA integrity_check): ok"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("municipalities") && l.trim_end().ends_with(" 12")),
        "{out}"
    );
    // The copy is a working database.
    let (ok, _, err) = navet(&[
        "report",
        "indicators",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--database-url",
        &format!("sqlite://{}", copy.display()),
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = navet(&[
        "backup",
        "--out",
        copy.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(!ok && err.contains("finns redan"), "{err}");

    // PostgreSQL without pg_dump on PATH: a clear message, no file.
    let pg = std::env::var("NAVET_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let dump = dir.join("navet.dump");
    let empty = dir.join("tom");
    std::fs::create_dir_all(&empty).unwrap();
    let (ok, _, err) = navet_env(
        &[
            "backup",
            "--out",
            dump.to_str().unwrap(),
            "--database-url",
            &pg,
        ],
        &[("PATH", empty.to_str().unwrap())],
    );
    assert!(!ok && err.contains("pg_dump finns inte"), "{err}");
    assert!(!dump.exists());
    let _ = std::fs::remove_dir_all(dir);
}
