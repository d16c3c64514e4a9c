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

both_engines!(
    an_unknown_code_in_a_nullable_status_column_is_a_store_error,
    |db: Db| async move {
        use domain::ids::SessionId;
        use navet_store::bookings;
        let course = fixtures::course(&db, "HLR").await;
        let person = fixtures::person(&db, "Anna", "Örebro").await;
        let session: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
             VALUES ($1, 4000000000, 4000003600, (SELECT id FROM municipalities WHERE name = 'Örebro'), 'Sal 1', 10, 1, 'open', 0, 0) RETURNING id",
        )
        .bind(course)
        .fetch_one(db.writer())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO bookings (session_id, person_id, status, booked_at, updated_at, cancelled_at, cancelled_from) \
             VALUES ($1, $2, 'cancelled', 0, 0, 1, NULL)",
        )
        .bind(session)
        .bind(person)
        .execute(db.writer())
        .await
        .unwrap();
        // NULL is "not known what it was": no undo offered, no error.
        let list = bookings::for_session(&db, SessionId(session))
            .await
            .unwrap();
        assert_eq!(list[0].cancelled_from, None);
        sqlx::query("UPDATE bookings SET cancelled_from = 'bokad' WHERE session_id = $1")
            .bind(session)
            .execute(db.writer())
            .await
            .unwrap();
        assert_unknown_code(
            bookings::for_session(&db, SessionId(session)).await,
            "cancelled_from",
            "bokad",
        );
    }
);
