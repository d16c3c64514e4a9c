//! Fresh databases for tests, on both engines.
//!
//! SQLite: a file in a temporary directory. PostgreSQL: a new database on
//! the server at `NAVET_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), dropped when the test
//! ends, also when it panics.

use crate::db::Db;

pub struct TestDb {
    pub db: Db,
    pg_name: Option<String>,
    dir: Option<std::path::PathBuf>,
}

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

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("navet_test_{}", unique_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("navet.db").display());
        let db = Db::connect(&url).await.expect("sqlite connect");
        crate::migrate::run(&db).await.expect("migrate");
        crate::seed::load_reference(&db)
            .await
            .expect("reference data");
        TestDb {
            db,
            pg_name: None,
            dir: Some(dir),
        }
    }

    pub async fn postgres() -> TestDb {
        let admin_url = pg_admin_url();
        let name = format!("navet_test_{}", unique_suffix());
        {
            let admin = Db::connect(&admin_url).await.expect(
                "PostgreSQL is needed for the tests (set NAVET_TEST_PG_URL; the test script starts one on 127.0.0.1:5432)",
            );
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(admin.writer())
                .await
                .expect("create test database");
            admin.close().await;
        }
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&admin_url);
        let db = Db::connect(&format!("{base}/{name}"))
            .await
            .expect("pg connect");
        crate::migrate::run(&db).await.expect("migrate");
        crate::seed::load_reference(&db)
            .await
            .expect("reference data");
        TestDb {
            db,
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
        .get(0)
    }
}
