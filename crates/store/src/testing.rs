//! Fresh databases for tests, on both engines.
//!
//! SQLite: a file in a temporary directory. PostgreSQL: a new database on
//! the server at `NAVET_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), cloned from a migrated
//! template database (`navet_tpl_<fingerprint>`, made once for all test
//! binaries) and dropped when the test ends, also when it panics.
//!
//! Compiled only for tests: the `testing` feature, which the crates'
//! dev-dependencies turn on.

use crate::db::Db;

pub struct TestDb {
    pub db: Db,
    pg_name: Option<String>,
    dir: Option<std::path::PathBuf>,
}

const PG_NEEDED: &str = "PostgreSQL is needed for the tests (set NAVET_TEST_PG_URL; the test script starts one on 127.0.0.1:5432)";

pub fn pg_admin_url() -> String {
    std::env::var("NAVET_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn unique_suffix() -> String {
    format!(
        "{}_{}",
        std::process::id(),
        &crate::accounts::new_secret()[..10]
    )
}

/// The URL of test database `name` on the server of `admin_url`. Its
/// sessions commit without waiting for the disk (`synchronous_commit=off`):
/// a test database never has to survive a power cut, and waiting for each
/// commit's disk sync made the PostgreSQL half of the suite several times
/// slower than the SQLite half.
fn pg_url_for(admin_url: &str, name: &str) -> String {
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    format!("{base}/{name}?options=-c%20synchronous_commit%3Doff")
}

async fn create_pg_database(admin_url: &str, name: &str) {
    let admin = Db::connect(admin_url).await.expect(PG_NEEDED);
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(admin.writer())
        .await
        .expect("create test database");
    admin.close().await;
}

/// What the template's contents depend on: the migration files, the code
/// that runs them (with its Rust steps) and the reference data. A change
/// to any of them gives a new template name, so a template is never stale.
pub fn schema_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    for (file, sql) in crate::migrate::MIGRATION_FILES {
        part(file.as_bytes());
        part(sql.as_bytes());
    }
    for code in [
        include_str!("migrate.rs"),
        include_str!("seed.rs"),
        include_str!("../../../seed/municipalities.csv"),
        include_str!("../../../seed/roles.csv"),
        include_str!("../../../seed/competence_areas.csv"),
    ] {
        part(code.as_bytes());
    }
    hex::encode(h.finalize())[..16].to_string()
}

/// Serialises template creation across test binaries running at once.
const TEMPLATE_LOCK: i64 = 0x6e61_7665_7400_0001;

/// The migrated template database for this schema, made once: the first
/// test (in any test binary) that needs it takes a PostgreSQL advisory
/// lock, builds it under a temporary name and renames it when complete;
/// the others wait for the lock and find it there. Unused templates of
/// other schemas are dropped at the same time.
async fn pg_template(admin_url: &str) -> String {
    static READY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    READY
        .get_or_init(|| async {
            let name = format!("navet_tpl_{}", schema_fingerprint());
            build_pg_template(admin_url, &name).await;
            name
        })
        .await
        .clone()
}

async fn build_pg_template(admin_url: &str, name: &str) {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(admin_url)
        .await
        .expect(PG_NEEDED);
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(TEMPLATE_LOCK)
        .execute(&mut conn)
        .await
        .expect("template lock");
    let now = crate::time::now();
    let existing: Vec<(String, Option<String>)> = sqlx::query(
        "SELECT datname::text AS datname, shobj_description(oid, 'pg_database') AS description FROM pg_database \
         WHERE datname::text LIKE 'navet_tpl_%'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("list templates")
    .iter()
    .map(|r| (r.get::<String, _>("datname"), r.get::<Option<String>, _>("description")))
    .collect();
    if !existing.iter().any(|(n, _)| n == name) {
        let building = format!("{name}_build_{}", unique_suffix());
        create_pg_database(admin_url, &building).await;
        let db = Db::connect(&pg_url_for(admin_url, &building))
            .await
            .expect("pg connect");
        crate::migrate::run(&db).await.expect("migrate template");
        crate::seed::load_reference(&db)
            .await
            .expect("template reference data");
        db.close().await;
        let mut tries = 0;
        // A closed pool's connections can linger on the server a while;
        // nobody else knows this database, so they are ended here.
        let end_others = format!(
            "SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE datname::text = '{building}'"
        );
        loop {
            let _ = sqlx::raw_sql(&end_others).execute(&mut conn).await;
            let Err(e) = sqlx::raw_sql(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                .execute(&mut conn)
                .await
            else {
                break;
            };
            tries += 1;
            assert!(tries < 20, "rename template {building}: {e}");
            tokio::time::sleep(std::time::Duration::from_millis(100 * tries)).await;
        }
    }
    // Each test binary stamps the template it uses; templates nobody used
    // for two hours (older schemas, other branches on the same server) and
    // builds a crashed run left half done (none is under way: this
    // connection holds the lock) are dropped.
    sqlx::raw_sql(&format!(
        "COMMENT ON DATABASE {name} IS 'navet test template, used {now}'"
    ))
    .execute(&mut conn)
    .await
    .expect("stamp template");
    for (old, note) in existing.iter().filter(|(n, _)| n != name) {
        let used: Option<i64> = note
            .as_deref()
            .and_then(|c| c.rsplit(' ').next())
            .and_then(|t| t.parse().ok());
        if used.is_none_or(|t| now - t > 2 * 3600) {
            let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {old}"))
                .execute(&mut conn)
                .await;
        }
    }
    let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(TEMPLATE_LOCK)
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
}

/// A migrated SQLite file with the reference data, made once per test
/// process: copying a file is much faster than running every migration
/// (each committed with a disk sync) for every test. Per process, so a
/// change to any migration step is always in it; templates left by
/// earlier processes are removed after two hours.
async fn sqlite_template() -> &'static std::path::Path {
    static READY: tokio::sync::OnceCell<std::path::PathBuf> = tokio::sync::OnceCell::const_new();
    READY
        .get_or_init(|| async {
            let tmp = std::env::temp_dir();
            remove_old_sqlite_templates(&tmp);
            let dir = tmp.join(format!("navet_tpl_sqlite_{}", unique_suffix()));
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join("navet.db");
            let db = Db::connect(&format!("sqlite://{}", file.display()))
                .await
                .expect("sqlite connect");
            crate::migrate::run(&db).await.expect("migrate");
            crate::seed::load_reference(&db)
                .await
                .expect("reference data");
            // Everything into the main file, so that copying it alone is a
            // whole database.
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(db.writer())
                .await
                .expect("checkpoint the template");
            db.close().await;
            file
        })
        .await
}

fn remove_old_sqlite_templates(tmp: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 2 * 3600);
        if old
            && e.file_name()
                .to_string_lossy()
                .starts_with("navet_tpl_sqlite_")
        {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

impl TestDb {
    /// A new SQLite file, copied from this process's migrated template
    /// (see `sqlite_template`).
    pub async fn sqlite() -> TestDb {
        let template = sqlite_template().await;
        let dir = std::env::temp_dir().join(format!("navet_test_{}", unique_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("navet.db");
        std::fs::copy(template, &file).expect("copy the SQLite template");
        let url = format!("sqlite://{}", file.display());
        let db = Db::connect(&url).await.expect("sqlite connect");
        TestDb {
            db,
            pg_name: None,
            dir: Some(dir),
        }
    }

    /// A new PostgreSQL database, cloned from the migrated template (see
    /// `pg_template`): `CREATE DATABASE … TEMPLATE` copies files, which is
    /// much faster than running every migration again.
    pub async fn postgres() -> TestDb {
        let admin_url = pg_admin_url();
        let template = pg_template(&admin_url).await;
        let name = format!("navet_test_{}", unique_suffix());
        {
            let admin = Db::connect(&admin_url).await.expect(PG_NEEDED);
            let mut tries = 0;
            // A connection to the template that has only just closed can
            // still count as "in use" for a moment.
            while let Err(e) = sqlx::raw_sql(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .execute(admin.writer())
                .await
            {
                tries += 1;
                assert!(tries < 20, "create test database from {template}: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100 * tries)).await;
            }
            admin.close().await;
        }
        let db = Db::connect(&pg_url_for(&admin_url, &name))
            .await
            .expect("pg connect");
        TestDb {
            db,
            pg_name: Some(name),
            dir: None,
        }
    }

    /// An empty SQLite database (no migrations): for tests that migrate
    /// part of the way themselves, like an upgrade from an older version.
    pub async fn empty_sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("navet_test_{}", unique_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("navet.db").display());
        TestDb {
            db: Db::connect(&url).await.expect("sqlite connect"),
            pg_name: None,
            dir: Some(dir),
        }
    }

    /// An empty PostgreSQL database (no migrations), dropped like the others.
    pub async fn empty_postgres() -> TestDb {
        let admin_url = pg_admin_url();
        let name = format!("navet_test_{}", unique_suffix());
        create_pg_database(&admin_url, &name).await;
        TestDb {
            db: Db::connect(&pg_url_for(&admin_url, &name))
                .await
                .expect("pg connect"),
            pg_name: Some(name),
            dir: None,
        }
    }

    /// Both engines, in the order the test macro runs them.
    pub async fn for_engine(engine: &str) -> TestDb {
        match engine {
            "postgres" => TestDb::postgres().await,
            _ => TestDb::sqlite().await,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(name) = self.pg_name.take() {
            let db = self.db.clone();
            // Drop on a separate runtime: we may be inside a dying one.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    db.close().await;
                    if let Ok(admin) = Db::connect(&pg_admin_url()).await {
                        let _ =
                            sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(admin.writer())
                                .await;
                        admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// Define a test that runs once per engine:
///
/// ```ignore
/// navet_store::both_engines!(creates_a_unit, |db: Db| async move { ... });
/// ```
#[macro_export]
macro_rules! both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::testing::TestDb::sqlite().await;
                ($body)(t.db.clone()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = $crate::testing::TestDb::postgres().await;
                ($body)(t.db.clone()).await;
            }
        }
    };
}

/// Like `both_engines!`, on empty databases (no migrations, no reference
/// data): the body migrates as far as it needs, e.g. to test an upgrade.
#[macro_export]
macro_rules! both_engines_empty {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::testing::TestDb::empty_sqlite().await;
                ($body)(t.db.clone()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = $crate::testing::TestDb::empty_postgres().await;
                ($body)(t.db.clone()).await;
            }
        }
    };
}

/// Small fixtures the store and web tests share.
pub mod fixtures {
    use domain::catalogue::{CheckedCourse, CourseStatus, Format, Level};
    use sqlx::Row;

    use crate::audit::Who;
    use crate::catalogue::{self, CourseExtras};
    use crate::db::Db;

    /// An active basic simulation course of 3 hours, one trainer per session.
    pub async fn course(db: &Db, title: &str) -> i64 {
        course_with(db, title, CourseExtras::default()).await
    }

    /// The same with extras (language support, description …).
    pub async fn course_with(db: &Db, title: &str, extras: CourseExtras) -> i64 {
        catalogue::create(
            db,
            &Who::system("test"),
            &CheckedCourse {
                title: title.into(),
                level: Level::Bas,
                format: Format::Simulering,
                hours: 3.0,
                status: CourseStatus::Aktiv,
                validity_months: None,
                default_capacity: 12,
                trainers_per_session: 1,
            },
            &extras,
        )
        .await
        .expect("course")
    }

    /// A synthetic person (a woman in the first role) in a municipality,
    /// e-mail `name@test.se` in lower case.
    pub async fn person(db: &Db, name: &str, municipality: &str) -> i64 {
        sqlx::query(
            "INSERT INTO people (name, email, gender, role_id, municipality_id, synthetic, created_at, updated_at) \
             VALUES ($1, $2, 'kvinna', (SELECT MIN(id) FROM roles), (SELECT id FROM municipalities WHERE name = $3), 1, 0, 0) RETURNING id",
        )
        .bind(name)
        .bind(format!("{}@test.se", name.to_lowercase()))
        .bind(municipality)
        .fetch_one(db.writer())
        .await
        .expect("person")
        .get("id")
    }
}
