//! A database whose applied migrations do not match the binary stops
//! `navet serve` and `navet migrate` with a message naming the migration.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn tempdir() -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!("navet-migr-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Run navet; a command still running after 30 s is killed and fails the test.
fn navet(args: &[&str]) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_navet"))
        .args(args)
        .env_remove("NAVET_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run navet");
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

fn sql(url: &str, statement: &str) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let db = navet_store::Db::connect(url).await.unwrap();
            sqlx::query(statement).execute(db.writer()).await.unwrap();
            db.close().await;
        });
}

#[test]
fn a_changed_applied_migration_stops_the_server() {
    let dir = tempdir();
    let url = format!("sqlite://{}", dir.join("navet.db").display());
    let (ok, err) = navet(&["migrate", "--database-url", &url]);
    assert!(ok, "{err}");
    // As if 0100_booking.sql had been edited after it was applied.
    sql(
        &url,
        "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 100",
    );
    for cmd in ["serve", "migrate"] {
        let mut args = vec![cmd, "--database-url", &url];
        if cmd == "serve" {
            args.extend(["--port", "0"]);
        }
        let (ok, err) = navet(&args);
        assert!(!ok, "{cmd} must refuse");
        assert!(
            err.contains("migreringen 0100_booking har ändrats"),
            "{err}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_database_newer_than_the_binary_stops_the_server() {
    let dir = tempdir();
    let url = format!("sqlite://{}", dir.join("navet.db").display());
    let (ok, err) = navet(&["migrate", "--database-url", &url]);
    assert!(ok, "{err}");
    sql(
        &url,
        "INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (9999, 'from_the_future', 0, 'x')",
    );
    let (ok, err) = navet(&["serve", "--database-url", &url, "--port", "0"]);
    assert!(!ok);
    assert!(err.contains("9999_from_the_future"), "{err}");
    assert!(err.contains("nyare än programmet"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
