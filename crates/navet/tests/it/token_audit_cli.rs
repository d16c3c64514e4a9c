//! `navet token create|list|revoke` and `navet audit verify` as an operator
//! runs them.

use std::process::Command;

fn navet(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_navet"))
        .args(args)
        .env_remove("NAVET_DATABASE_URL")
        .output()
        .expect("run navet");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn database() -> (std::path::PathBuf, String) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!("navet-tokens-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let url = format!("sqlite://{}", d.join("n.db").display());
    let (ok, _, err) = navet(&["migrate", "--database-url", &url]);
    assert!(ok, "{err}");
    let (ok, _, err) = navet(&[
        "user",
        "add",
        "--email",
        "ops@test.se",
        "--name",
        "Ops",
        "--role",
        "admin",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    (d, url)
}

#[test]
fn tokens_are_created_listed_and_revoked() {
    let (dir, url) = database();
    let (ok, out, err) = navet(&[
        "token",
        "create",
        "--email",
        "ops@test.se",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    let personal = out.lines().last().unwrap().to_string();
    assert!(
        personal.starts_with("navet_"),
        "last line is the token: {out}"
    );
    let (ok, out, err) = navet(&[
        "token",
        "create",
        "--email",
        "ops@test.se",
        "--name",
        "bench",
        "--no-expiry",
        "--read-only",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(out.lines().last().unwrap().starts_with("navet_"));
    // Bad input names the flag and makes nothing.
    let (ok, _, err) = navet(&[
        "token",
        "create",
        "--email",
        "ops@test.se",
        "--expires-days",
        "0",
        "--database-url",
        &url,
    ]);
    assert!(!ok);
    assert!(err.contains("--expires-days"), "{err}");

    let (ok, out, err) = navet(&["token", "list", "--database-url", &url]);
    assert!(ok, "{err}");
    let lines: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 2, "{out}");
    // id, owner, name, created, expires, last used, state
    let bench = lines.iter().find(|l| l[2] == "bench").unwrap();
    assert!(bench[0].parse::<i64>().is_ok());
    assert_eq!(bench[1], "ops@test.se");
    assert_eq!(bench[4], "-", "no expiry");
    assert_eq!(bench[5], "-", "never used");
    assert_eq!(bench[6], "active");
    let personal_line = lines.iter().find(|l| l[2] == "kommandoraden").unwrap();
    assert_ne!(personal_line[4], "-", "90 days by default");

    let (ok, out, _) = navet(&[
        "token",
        "list",
        "--email",
        "ops@test.se",
        "--database-url",
        &url,
    ]);
    assert!(ok);
    assert_eq!(out.lines().count(), 2);
    let (ok, _, err) = navet(&[
        "token",
        "list",
        "--email",
        "nobody@test.se",
        "--database-url",
        &url,
    ]);
    assert!(!ok && err.contains("nobody@test.se"));

    let id = personal_line[0].to_string();
    let (ok, _, err) = navet(&["token", "revoke", &id, "--database-url", &url]);
    assert!(ok, "{err}");
    let (_, out, _) = navet(&["token", "list", "--database-url", &url]);
    let revoked = out
        .lines()
        .find(|l| l.starts_with(&format!("{id}\t")))
        .unwrap();
    assert!(revoked.contains("revoked"), "{revoked}");
    let (ok, _, err) = navet(&["token", "revoke", "99999", "--database-url", &url]);
    assert!(!ok && err.contains("99999"));

    let (ok, out, err) = navet(&["audit", "verify", "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(out.starts_with("OK: "), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn audit_verify_names_the_changed_entry() {
    let (dir, url) = database();
    for _ in 0..3 {
        let (ok, _, err) = navet(&[
            "token",
            "create",
            "--email",
            "ops@test.se",
            "--database-url",
            &url,
        ]);
        assert!(ok, "{err}");
    }
    let (ok, out, _) = navet(&["audit", "verify", "--database-url", &url]);
    assert!(ok);
    let n: i64 = out.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(n >= 4, "{out}");
    // Change an entry behind the log's back.
    let target = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = navet_store::Db::connect(&url).await.unwrap();
        let id: i64 = sqlx::query_scalar("SELECT MIN(id) + 1 FROM audit_log")
            .fetch_one(db.pool())
            .await
            .unwrap();
        sqlx::raw_sql(&format!(
            "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor_label = 'någon annan' WHERE id = {id}"
        ))
        .execute(db.writer())
        .await
        .unwrap();
        db.close().await;
        id
    });
    let (ok, _, err) = navet(&["audit", "verify", "--database-url", &url]);
    assert!(!ok);
    assert!(err.contains(&format!("post {target}")), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// `navet token list | head -1`: the reader goes away; navet ends quietly
/// (by SIGPIPE, as other tools do) instead of panicking on "Broken pipe".
#[cfg(unix)]
#[test]
fn output_cut_short_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let (dir, url) = database();
    for _ in 0..3 {
        let (ok, _, err) = navet(&[
            "token",
            "create",
            "--email",
            "ops@test.se",
            "--database-url",
            &url,
        ]);
        assert!(ok, "{err}");
    }
    // A pipe whose reading end is already closed: the first write fails.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_navet"))
        .args(["token", "list", "--database-url", &url])
        .env_remove("NAVET_DATABASE_URL")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run navet");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert_eq!(out.status.signal(), Some(13), "ended by SIGPIPE: {err}");
    let _ = std::fs::remove_dir_all(dir);
}
