//! A status or kind the database holds that this version does not know is
//! a store error naming the column and the value, on both engines, whether
//! the row is read into a `FromRow` struct or column by column; never a
//! panic or a default.

use domain::ids::CourseId;
use navet_store::testing::fixtures;
use navet_store::{both_engines, catalogue, requirements, Db, StoreError};

fn assert_unknown_code<T>(r: Result<T, StoreError>, column: &str, value: &str) {
    match r.err() {
        Some(StoreError::Db(sqlx::Error::ColumnDecode { index, source })) => {
            assert!(index.contains(column), "{index}");
            assert!(source.to_string().contains(value), "{source}");
        }
        other => panic!("expected a decode error on {column}, got {other:?}"),
    }
}

both_engines!(
    an_unknown_stored_status_is_a_store_error,
    |db: Db| async move {
        let id = fixtures::course(&db, "Okänd status").await;
        sqlx::query("UPDATE courses SET status = 'okand' WHERE id = $1")
            .bind(id)
            .execute(db.writer())
            .await
            .unwrap();
        // A `FromRow` struct (`#[sqlx(try_from = "String")]`).
        assert_unknown_code(catalogue::get(&db, CourseId(id)).await, "status", "okand");
        // A row read column by column; a Swedish label is not a stored code.
        sqlx::query("UPDATE courses SET status = 'Aktiv' WHERE id = $1")
            .bind(id)
            .execute(db.writer())
            .await
            .unwrap();
        assert_unknown_code(requirements::lookups(&db, None).await, "status", "Aktiv");
    }
);
