//! Erased on disk, PostgreSQL: after an erasure and the documented step
//! (`navet privacy compact`, `erasure::compact`), the person's name,
//! e-mail address and employee number are in none of the files of the
//! tables that held them: heap, TOAST and every index, read as bytes with
//! `pg_read_binary_file` (the test user is the superuser). What a plain
//! VACUUM alone leaves is checked too, and described in docs/privacy.md.

use domain::ids::PersonId;
use navet_store::audit::Who;
use navet_store::testing::TestDb;
use navet_store::{erasure, Db};

const NAME: &str = "Zelmira Bytesdottir";
const EMAIL: &str = "zelmira.bytesdottir@kumla.test";
const EMPLOYEE_NO: &str = "EMPBYTE9931";

async fn exec(db: &Db, sql: &str) {
    sqlx::raw_sql(sql).execute(db.writer()).await.unwrap();
}

/// Every file of `table`: the heap, its TOAST table and TOAST index, and
/// each index.
async fn relation_files(db: &Db, table: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT pg_relation_filepath(c.oid) FROM pg_class c WHERE c.oid IN ( \
           SELECT $1::regclass::oid \
           UNION SELECT reltoastrelid FROM pg_class WHERE oid = $1::regclass AND reltoastrelid <> 0 \
           UNION SELECT indexrelid FROM pg_index WHERE indrelid = $1::regclass \
           UNION SELECT i.indexrelid FROM pg_index i JOIN pg_class t ON t.reltoastrelid = i.indrelid \
                 WHERE t.oid = $1::regclass)",
    )
    .bind(table)
    .fetch_all(db.pool())
    .await
    .unwrap()
}

/// Which needles occur in which files of the identifying tables, after a
/// checkpoint has written every page to disk.
async fn found_on_disk(db: &Db) -> Vec<String> {
    exec(db, "CHECKPOINT").await;
    let mut hits = vec![];
    for t in erasure::IDENTIFYING_TABLES {
        for f in relation_files(db, t).await {
            let bytes: Vec<u8> = sqlx::query_scalar("SELECT pg_read_binary_file($1)")
                .bind(&f)
                .fetch_one(db.pool())
                .await
                .unwrap();
            for n in [NAME, EMAIL, EMPLOYEE_NO] {
                if bytes.windows(n.len()).any(|w| w == n.as_bytes()) {
                    hits.push(format!("{t} {f}: {n}"));
                }
            }
        }
    }
    hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_files_hold_no_erased_data_after_compact() {
    let t = TestDb::postgres().await;
    let db = t.db.clone();
    let p: i64 = sqlx::query_scalar(
        "INSERT INTO people (name, email, gender, role_id, municipality_id, employee_no, created_at, updated_at) \
         VALUES ($1, $2, 'kvinna', (SELECT MIN(id) FROM roles), (SELECT id FROM municipalities WHERE name = 'Kumla'), $3, 0, 0) RETURNING id",
    )
    .bind(NAME)
    .bind(EMAIL)
    .bind(EMPLOYEE_NO)
    .fetch_one(db.writer())
    .await
    .unwrap();
    exec(
        &db,
        &format!(
            "INSERT INTO accounts (email, display_name, role, person_id, created_at) VALUES ('{EMAIL}', '{NAME}', 'participant', {p}, 0); \
             INSERT INTO import_person_refs (person_ref, person_id) VALUES ('{EMPLOYEE_NO}', {p}); \
             INSERT INTO outbox (created_at, kind, to_email, subject, body) VALUES (0, 'info', 'chef@kumla.test', 'Om {NAME}', '{NAME} ({EMAIL})')"
        ),
    )
    .await;
    assert!(
        !found_on_disk(&db).await.is_empty(),
        "the data is on disk first"
    );
    erasure::erase(&db, &Who::system("test"), PersonId(p))
        .await
        .unwrap();
    // What the automatic plain VACUUM leaves: old row versions are marked
    // free, not overwritten (reported, see docs/privacy.md).
    let after_vacuum = found_on_disk(&db).await;
    eprintln!("after the plain VACUUM: {after_vacuum:?}");
    let rewritten = erasure::compact(&db).await.unwrap();
    assert_eq!(rewritten.len(), erasure::IDENTIFYING_TABLES.len());
    assert_eq!(found_on_disk(&db).await, Vec::<String>::new());
}
