//! `navet privacy extract --person ID --out FILE` as an operator runs it:
//! the zip with the JSON and the PDF, nothing written for an unknown
//! person, and the request and the delivery in the audit log.

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

#[tokio::test]
async fn the_extract_is_written_and_logged() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!("navet-privacy-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let url = format!("sqlite://{}", d.join("n.db").display());
    let (ok, _, err) = navet(&["migrate", "--database-url", &url]);
    assert!(ok, "{err}");
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO people (name, email, gender, role_id, municipality_id, created_at, updated_at) \
         VALUES ('Åsa Öberg', 'asa@test.se', 'kvinna', (SELECT MIN(id) FROM roles), (SELECT MIN(id) FROM municipalities), 0, 0) RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();

    let none = d.join("none.zip");
    let (ok, _, err) = navet(&[
        "privacy",
        "extract",
        "--person",
        "999999",
        "--out",
        none.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(!ok);
    assert!(
        err.contains("det finns ingen person med id 999999"),
        "{err}"
    );
    assert!(!none.exists(), "nothing written");

    let out = d.join("asa.zip");
    let (ok, stdout, err) = navet(&[
        "privacy",
        "extract",
        "--person",
        &id.to_string(),
        "--out",
        out.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(stdout.contains("registerutdrag"), "{stdout}");
    let zip = std::fs::read(&out).unwrap();
    assert!(zip.starts_with(b"PK"));
    let names = String::from_utf8_lossy(&zip);
    assert!(names.contains("registerutdrag.json") && names.contains("registerutdrag.pdf"));

    let logged: Vec<(String, String)> = sqlx::query_as(
        "SELECT actor_label, action FROM audit_log WHERE person_id = $1 AND action LIKE 'privacy.%' ORDER BY id",
    )
    .bind(id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        logged,
        [
            (
                "kommandoraden".to_string(),
                "privacy.extract.request".to_string()
            ),
            (
                "kommandoraden".to_string(),
                "privacy.extract.delivered".to_string()
            ),
        ]
    );
    pool.close().await;
    let _ = std::fs::remove_dir_all(&d);
}

/// `navet privacy erase` under a legal hold: the preview and the erasure
/// say which programme keeps what and why; after `release`, the daily
/// run's dry run lists the rest and the real run finishes it; `compact`
/// has nothing to do on SQLite; the audit chain still verifies.
#[tokio::test]
async fn erasure_under_a_hold_says_what_stays_and_retention_finishes_it() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!("navet-hold-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let url = format!("sqlite://{}", d.join("n.db").display());
    let (ok, _, err) = navet(&["migrate", "--database-url", &url]);
    assert!(ok, "{err}");
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO people (name, email, gender, role_id, municipality_id, employee_no, created_at, updated_at) \
         VALUES ('Hedda Hållen', 'hedda@test.se', 'kvinna', (SELECT MIN(id) FROM roles), (SELECT MIN(id) FROM municipalities), 'EMP-H1', 0, 0) RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let programme: i64 = sqlx::query_scalar(
        "INSERT INTO funding_programmes (name, starts_on, ends_on, granted_sek, cofinancing_rate, target_hours, created_at, updated_at) \
         VALUES ('ESF Testprogram', '2025-01-01', '2025-12-31', 1, 0.4, 1, 0, 0) RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    // An attended session on 2025-03-10 at 09:00 Stockholm time.
    sqlx::raw_sql(&format!(
        "INSERT INTO courses (title, level, format, hours, status, created_at, updated_at) VALUES ('HLR', 'bas', 'simulering', 3, 'active', 0, 0); \
         INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
           VALUES ((SELECT MAX(id) FROM courses), 1741593600, 1741604400, (SELECT MIN(id) FROM municipalities), 'Sal', 10, 3, 'held', 0, 0); \
         INSERT INTO bookings (session_id, person_id, status, support_needs, booked_at, updated_at) \
           VALUES ((SELECT MAX(id) FROM sessions), {id}, 'attended', '', 0, 0);"
    ))
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let person = id.to_string();
    let (ok, out, err) = navet(&[
        "privacy",
        "hold",
        "--programme",
        &programme.to_string(),
        "--reason",
        "Revision pågår",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    let hold = out
        .split_whitespace()
        .nth(1)
        .expect("Bevarandebeslut N gäller")
        .to_string();
    let (ok, out, err) = navet(&[
        "privacy",
        "erase",
        "--person",
        &person,
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("Behålls enligt bevarandebeslut"), "{out}");
    assert!(
        out.contains("ESF Testprogram (Revision pågår): 1 kurstillfällen"),
        "{out}"
    );
    let (ok, out, err) = navet(&[
        "privacy",
        "erase",
        "--person",
        &person,
        "--yes",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("utom det som bevarandebeslut behåller"),
        "{out}"
    );
    assert!(out.contains("Revision pågår"), "{out}");
    let (ok, _, err) = navet(&["privacy", "release", &hold, "--database-url", &url]);
    assert!(ok, "{err}");
    let (ok, out, err) = navet(&["privacy", "retention", "--dry-run", "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(out.contains("left_people\t1\t"), "{out}");
    assert!(out.contains("audit_log\t0\t"), "{out}");
    let (ok, out, err) = navet(&["privacy", "retention", "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(out.contains("left_people\t1\t"), "{out}");
    let (ok, _, err) = navet(&[
        "privacy",
        "erase",
        "--person",
        &person,
        "--yes",
        "--database-url",
        &url,
    ]);
    assert!(!ok);
    assert!(err.contains("redan raderad"), "{err}");
    let (ok, out, err) = navet(&["privacy", "compact", "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(out.contains("SQLite"), "{out}");
    let (ok, out, err) = navet(&["audit", "verify", "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(out.starts_with("OK"), "{out}");
    let _ = std::fs::remove_dir_all(&d);
}
