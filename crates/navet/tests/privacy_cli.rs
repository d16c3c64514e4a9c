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
