//! `navet export esf-month`: the participant file from the command line,
//! archived like the page's; the same bytes when nothing changed; a future
//! month and a malformed month refused, naming the flag.

use std::process::Command;

fn navet(args: &[&str]) -> (bool, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_navet"))
        .args(args)
        .output()
        .expect("run navet");
    (
        out.status.success(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn esf_month_is_reproducible_and_refuses_future_months() {
    let dir = std::env::temp_dir().join(format!("navet-esf-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("navet.db").display());
    let (ok, _, err) = navet(&["migrate", "--database-url", &url]);
    assert!(ok, "{err}");
    let export = |month: &str| {
        navet(&[
            "export",
            "esf-month",
            "--month",
            month,
            "--database-url",
            &url,
        ])
    };
    let (ok, first, err) = export("2026-03");
    assert!(ok, "{err}");
    assert!(err.contains("sha256"), "{err}");
    let text = String::from_utf8(first.clone()).unwrap();
    assert!(
        text.starts_with("\u{feff}# deltagarfil version 1;manad 2026-03\r\ndeltagarreferens;"),
        "{text}"
    );
    let (ok, second, _) = export("2026-03");
    assert!(ok);
    assert_eq!(first, second, "byte-identical when nothing changed");
    let (ok, out, err) = export("2999-01");
    assert!(!ok, "a future month is refused");
    assert!(out.is_empty());
    assert!(
        err.contains("--month") && err.contains("framtiden"),
        "{err}"
    );
    let (ok, _, err) = export("mars");
    assert!(!ok);
    assert!(err.contains("--month") && err.contains("ÅÅÅÅ-MM"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
