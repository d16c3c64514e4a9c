//! `navet user add --password-stdin` applies the password policy.

use std::io::Write;
use std::process::{Command, Stdio};

fn navet(args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_navet"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run navet");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn user_add_refuses_common_short_and_own_passwords() {
    let dir = std::env::temp_dir().join(format!("navet-user-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("navet.db").display());
    let (ok, _, err) = navet(&["migrate", "--database-url", &url], "");
    assert!(ok, "{err}");
    let add = |pw: &str| {
        navet(
            &[
                "user",
                "add",
                "--email",
                "anna.berg@orebro.se",
                "--name",
                "Anna Berg",
                "--role",
                "coordinator",
                "--password-stdin",
                "--database-url",
                &url,
            ],
            &format!("{pw}\n"),
        )
    };
    for (pw, says) in [
        ("qwerty123456", "för vanligt"),
        ("Password2024!", "för vanligt"),
        ("kort-ord-1", "minst 12 tecken"),
        ("AnnaBerg-2026!", "e-postadress eller ditt namn"),
    ] {
        let (ok, _, err) = add(pw);
        assert!(!ok, "{pw} was accepted");
        assert!(err.contains(says), "{pw}: {err}");
    }
    let (ok, out, err) = add("navet-demo-2026");
    assert!(ok, "{err}");
    assert!(out.contains("skapat"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn user_add_makes_a_steering_account() {
    let dir = std::env::temp_dir().join(format!("navet-user-steering-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("navet.db").display());
    let (ok, _, err) = navet(&["migrate", "--database-url", &url], "");
    assert!(ok, "{err}");
    let add = |role: &str| {
        navet(
            &[
                "user",
                "add",
                "--email",
                "styr@orebro.se",
                "--name",
                "Sten Styr",
                "--role",
                role,
                "--password-stdin",
                "--database-url",
                &url,
            ],
            "navet-demo-2026\n",
        )
    };
    let (ok, _, err) = add("styrelse");
    assert!(!ok);
    assert!(err.contains("steering"), "the roles are listed: {err}");
    let (ok, out, err) = add("steering");
    assert!(ok, "{err}");
    assert!(out.contains("skapat"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}
