//! A bad setting stops `navet` at start, naming the variable, before it
//! touches any database; a good one is used.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run navet with extra environment; a command still running after 30 s
/// is killed and fails the test.
fn navet(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_navet"));
    cmd.args(args)
        .env_remove("NAVET_DATABASE_URL")
        .env_remove("NAVET_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run navet");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return (
                status.success(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("navet {args:?} kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn tempdir() -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!("navet-conf-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_bad_setting_stops_the_server_naming_the_variable() {
    let dir = tempdir();
    let db = dir.join("navet.db");
    let url = format!("sqlite://{}", db.display());
    let (ok, err) = navet(
        &["serve", "--database-url", &url, "--port", "0"],
        &[("NAVET_IDLE_TIMEOUT_SECS", "30m"), ("NAVET_DB_POOL", "0")],
    );
    assert!(!ok, "serve must refuse");
    assert!(
        err.contains("NAVET_IDLE_TIMEOUT_SECS: ”30m” är inget heltal"),
        "{err}"
    );
    assert!(err.contains("NAVET_DB_POOL"), "{err}");
    assert!(
        !db.exists(),
        "nothing is opened before the settings are good"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_database_url_comes_from_the_environment() {
    let dir = tempdir();
    let url = format!("sqlite://{}", dir.join("navet.db").display());
    let (ok, err) = navet(
        &["migrate"],
        &[("NAVET_DATABASE_URL", &url), ("NAVET_DB_POOL", "2")],
    );
    assert!(ok, "{err}");
    assert!(dir.join("navet.db").exists());
    let _ = std::fs::remove_dir_all(dir);
}
