//! The retention run's later parts, on SQLite and PostgreSQL: `left_at`
//! (set on every path that marks a person as left, cleared on return),
//! bookings of an ended programme removed in batches, and the audit log's
//! own rule (the oldest entries removed, the chain verified from an
//! anchor, tampering after that still found).

use chrono::NaiveDate;
use domain::funding::Programme;
use domain::ids::PersonId;
use domain::org::Gender;
use domain::retention::{Kind, Schedule};
use navet_store::audit::{self, Content, Verdict, Who};
use navet_store::{both_engines, funding, people, retention, Db, Engine};

const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;

fn who() -> Who {
    Who::system("test")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn exec(db: &Db, sql: &str) {
    sqlx::raw_sql(sql).execute(db.writer()).await.unwrap();
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

async fn left_at(db: &Db, id: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT left_at FROM people WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn person(db: &Db, name: &str, email: &str, active: i64, at: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO people (name, email, gender, role_id, municipality_id, active, created_at, updated_at) \
         VALUES ($1, $2, 'kvinna', (SELECT MIN(id) FROM roles), (SELECT id FROM municipalities WHERE name = 'Kumla'), $3, $4, $4) RETURNING id",
    )
    .bind(name)
    .bind(email)
    .bind(active)
    .bind(at)
    .fetch_one(db.writer())
    .await
    .unwrap()
}

fn resolved(p: &people::Person) -> people::ResolvedPerson {
    people::ResolvedPerson {
        name: p.name.clone(),
        email: p.email.clone(),
        gender: Gender::parse(&p.gender).unwrap(),
        employee_no: p.employee_no.clone(),
        role_id: p.role_id,
        municipality_id: p.municipality_id,
        unit_id: p.unit_id,
        language_support: p.language_support.clone(),
    }
}

both_engines!(
    left_at_is_set_when_a_person_leaves_and_cleared_on_return,
    |db: Db| async move {
        let n = now();
        let id = person(&db, "Lena Lämnar", "lena@kumla.test", 1, n - YEAR).await;
        assert_eq!(left_at(&db, id).await, None);
        // The person form (the leaving flow).
        let p = people::get(&db, PersonId(id)).await.unwrap();
        people::update(&db, &who(), PersonId(id), &resolved(&p), false)
            .await
            .unwrap();
        let t = left_at(&db, id)
            .await
            .expect("left_at set when marked as left");
        assert!((t - n).abs() < 120, "{t} vs {n}");
        // A later change of the record keeps the day they left.
        exec(
            &db,
            &format!(
                "UPDATE people SET name = 'Lena Ny', updated_at = {} WHERE id = {id}",
                n + 50
            ),
        )
        .await;
        assert_eq!(left_at(&db, id).await, Some(t));
        // Back again: cleared.
        let p = people::get(&db, PersonId(id)).await.unwrap();
        people::update(&db, &who(), PersonId(id), &resolved(&p), true)
            .await
            .unwrap();
        assert_eq!(left_at(&db, id).await, None);
        // Any other path that sets `active = 0` (staff import, undo,
        // erasure) sets it from the row's `updated_at`.
        exec(
            &db,
            &format!(
                "UPDATE people SET active = 0, updated_at = {} WHERE id = {id}",
                n - 3 * YEAR
            ),
        )
        .await;
        assert_eq!(left_at(&db, id).await, Some(n - 3 * YEAR));
        // Someone known only from a historical import arrives as left.
        let h = person(
            &db,
            "Historisk deltagare X",
            "h@import.invalid",
            0,
            n - 4 * YEAR,
        )
        .await;
        assert_eq!(left_at(&db, h).await, Some(n - 4 * YEAR));
    }
);

both_engines!(
    retention_counts_from_when_a_person_left,
    |db: Db| async move {
        let n = now();
        // Left three years ago, record edited last week: pseudonymised.
        let long = person(&db, "Slutade Länge", "sl@kumla.test", 1, n - 5 * YEAR).await;
        exec(
            &db,
            &format!(
                "UPDATE people SET active = 0, updated_at = {} WHERE id = {long}",
                n - 3 * YEAR
            ),
        )
        .await;
        exec(
            &db,
            &format!(
                "UPDATE people SET name = 'Slutade Länge B', updated_at = {} WHERE id = {long}",
                n - 7 * DAY
            ),
        )
        .await;
        // Record unchanged for five years, left last month: kept.
        let recent = person(&db, "Slutade Nyss", "sn@kumla.test", 1, n - 5 * YEAR).await;
        exec(
            &db,
            &format!(
                "UPDATE people SET active = 0, updated_at = {} WHERE id = {recent}",
                n - 30 * DAY
            ),
        )
        .await;
        let counts = retention::run(&db, &Schedule::default(), &who(), n, false)
            .await
            .unwrap();
        assert_eq!(counts[&Kind::LeftPeople], 1);
        assert_eq!(
            count(
                &db,
                &format!("SELECT COUNT(*) FROM people WHERE id = {long} AND erased_at IS NOT NULL")
            )
            .await,
            1
        );
        assert_eq!(
            count(
                &db,
                &format!("SELECT COUNT(*) FROM people WHERE id = {recent} AND erased_at IS NULL")
            )
            .await,
            1
        );
    }
);

both_engines!(
    an_ended_programme_with_many_bookings_goes_in_batches,
    |db: Db| async move {
        funding::save(
            &db,
            &who(),
            &Programme {
                name: "Avslutat 2019".into(),
                starts: NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
                ends: NaiveDate::from_ymd_opt(2019, 12, 31).unwrap(),
                granted_sek: 1_000_000,
                cofinancing_rate: 0.4,
                target_hours: 1000.0,
                employees: vec![("Kumla".into(), 100)],
            },
        )
        .await
        .unwrap();
        let course = navet_store::testing::fixtures::course(&db, "Gammal kurs").await;
        let start =
            navet_store::time::day_start(NaiveDate::from_ymd_opt(2019, 5, 6).unwrap()) + 9 * 3600;
        // 1 203 bookings (more than two batches) on three sessions.
        let mut tx = db.begin().await.unwrap();
        let mut sessions = vec![];
        for k in 0..3i64 {
            let s: i64 = sqlx::query_scalar(
                "INSERT INTO sessions (course_id, starts_at, ends_at, municipality_id, venue, capacity, hours, status, created_at, updated_at) \
                 VALUES ($1, $2, $3, (SELECT id FROM municipalities WHERE name = 'Kumla'), 'Sal 1', 500, 3, 'open', 0, 0) RETURNING id",
            )
            .bind(course)
            .bind(start + k * DAY)
            .bind(start + k * DAY + 3 * 3600)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            sessions.push(s);
        }
        for i in 0..401i64 {
            let p: i64 = sqlx::query_scalar(
                "INSERT INTO people (name, email, gender, role_id, municipality_id, created_at, updated_at) \
                 VALUES ($1, $2, 'man', (SELECT MIN(id) FROM roles), (SELECT id FROM municipalities WHERE name = 'Kumla'), 0, 0) RETURNING id",
            )
            .bind(format!("Syntetisk {i}"))
            .bind(format!("s{i}@kumla.test"))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            for s in &sessions {
                sqlx::query(
                    "INSERT INTO bookings (session_id, person_id, status, support_needs, booked_at, updated_at) \
                     VALUES ($1, $2, 'attended', '', 0, 0)",
                )
                .bind(s)
                .bind(p)
                .execute(&mut *tx)
                .await
                .unwrap();
            }
        }
        tx.commit().await.unwrap();
        let n = now();
        let dry = retention::run(&db, &Schedule::default(), &who(), n, true)
            .await
            .unwrap();
        assert_eq!(dry[&Kind::Bookings], 1203);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM bookings").await, 1203);
        let real = retention::run(&db, &Schedule::default(), &who(), n, false)
            .await
            .unwrap();
        assert_eq!(real, dry);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM bookings").await, 0);
    }
);

/// Append an entry written at `at`, linked into the chain as
/// `audit::record` does (entries from years ago).
async fn old_entry(db: &Db, at: i64, k: i64) {
    let mut tx = db.begin().await.unwrap();
    let prev: String = sqlx::query_scalar("SELECT last_hash FROM audit_chain WHERE id = 1")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let c = Content {
        at,
        actor_account_id: None,
        actor_label: "test".into(),
        action: "person.read".into(),
        subject_type: "person".into(),
        subject_id: Some(k),
        person_id: Some(k),
        detail: "personkort".into(),
    };
    let hash = audit::entry_hash(&prev, &c);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor_account_id, actor_label, action, subject_type, subject_id, person_id, detail, prev_hash, hash) \
         VALUES ($1, NULL, 'test', 'person.read', 'person', $2, $2, 'personkort', $3, $4) RETURNING id",
    )
    .bind(at)
    .bind(k)
    .bind(&prev)
    .bind(&hash)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    sqlx::query("UPDATE audit_chain SET last_id = $1, last_hash = $2 WHERE id = 1")
        .bind(id)
        .bind(&hash)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Set the append-only triggers aside, as someone with direct access to
/// the database could, and run `sql`.
async fn without_guard(db: &Db, sql: &str) {
    let mut conn = db.writer().acquire().await.unwrap();
    let off = match db.engine() {
        Engine::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Engine::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
    };
    sqlx::raw_sql(off).execute(&mut *conn).await.unwrap();
    sqlx::raw_sql(sql).execute(&mut *conn).await.unwrap();
}

fn intact(v: &Verdict) -> i64 {
    match v {
        Verdict::Intact { entries, .. } => *entries,
        v => panic!("{v:?}"),
    }
}

/// Four entries six years old, then two of today; a run removes exactly
/// the old ones (the dry run says so first) and the chain still verifies.
async fn pruned(db: &Db) -> i64 {
    let n = now();
    let before = count(db, "SELECT COUNT(*) FROM audit_log").await;
    for k in 0..4 {
        old_entry(db, n - 6 * YEAR + k, k + 1).await;
    }
    for k in 0..2 {
        audit::record_read(db, &who(), PersonId(100 + k), "personkort")
            .await
            .unwrap();
    }
    // Only the leading old entries can go (the prefix before the first
    // young one); a fresh database has none before them.
    assert_eq!(before, 0, "a fresh database has an empty log");
    let dry = retention::run(db, &Schedule::default(), &who(), n, true)
        .await
        .unwrap();
    assert_eq!(dry[&Kind::AuditLog], 4);
    assert_eq!(count(db, "SELECT COUNT(*) FROM audit_log").await, 6);
    let real = retention::run(db, &Schedule::default(), &who(), n, false)
        .await
        .unwrap();
    assert_eq!(real[&Kind::AuditLog], 4);
    assert_eq!(
        count(
            db,
            &format!("SELECT COUNT(*) FROM audit_log WHERE at < {}", n - 5 * YEAR)
        )
        .await,
        0
    );
    let anchor: (i64, i64, i64) = sqlx::query_as(
        "SELECT a.removed, a.run_id, r.id FROM audit_anchors a JOIN retention_runs r ON r.id = a.run_id",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!((anchor.0, anchor.1), (4, anchor.2));
    // The two young entries, the prune's own entry and the run's entry.
    let left = count(db, "SELECT COUNT(*) FROM audit_log").await;
    assert_eq!(left, 4);
    assert_eq!(intact(&audit::verify(db).await.unwrap()), left);
    left
}

both_engines!(
    the_audit_log_is_pruned_and_still_verifies,
    |db: Db| async move {
        pruned(&db).await;
        // Entries after the anchor stay append-only.
        assert!(sqlx::query("DELETE FROM audit_log")
            .execute(db.writer())
            .await
            .is_err());
        assert!(sqlx::query("DELETE FROM audit_anchors")
            .execute(db.writer())
            .await
            .is_err());
        // A later run finds nothing more, and the chain still verifies.
        let again = retention::run(&db, &Schedule::default(), &who(), now(), false)
            .await
            .unwrap();
        assert_eq!(again[&Kind::AuditLog], 0);
        intact(&audit::verify(&db).await.unwrap());
        // More entries appended after pruning are checked as before.
        audit::record_read(&db, &who(), PersonId(7), "personkort")
            .await
            .unwrap();
        intact(&audit::verify(&db).await.unwrap());
    }
);

both_engines!(
    a_changed_entry_after_pruning_is_found,
    |db: Db| async move {
        pruned(&db).await;
        let first: i64 = count(&db, "SELECT MIN(id) FROM audit_log").await;
        without_guard(
            &db,
            &format!("UPDATE audit_log SET detail = 'ändrad' WHERE id = {first}"),
        )
        .await;
        assert!(matches!(
            audit::verify(&db).await.unwrap(),
            Verdict::Broken { id, .. } if id == first
        ));
    }
);

both_engines!(
    an_entry_removed_after_the_anchor_is_found,
    |db: Db| async move {
        pruned(&db).await;
        let first: i64 = count(&db, "SELECT MIN(id) FROM audit_log").await;
        without_guard(&db, &format!("DELETE FROM audit_log WHERE id = {first}")).await;
        assert!(matches!(
            audit::verify(&db).await.unwrap(),
            Verdict::Broken { .. }
        ));
    }
);

both_engines!(
    an_anchor_slipped_in_to_hide_removed_entries_is_found,
    |db: Db| async move {
        pruned(&db).await;
        // Someone removes the oldest remaining entry and adds an anchor
        // that the chain does not record.
        let (first, hash): (i64, String) =
            sqlx::query_as("SELECT id, hash FROM audit_log ORDER BY id LIMIT 1")
                .fetch_one(db.pool())
                .await
                .unwrap();
        let run: i64 = count(&db, "SELECT MAX(id) FROM retention_runs").await;
        exec(
            &db,
            &format!(
                "INSERT INTO audit_anchors (through_id, through_hash, removed, cutoff, at, run_id) \
                 VALUES ({first}, '{hash}', 1, 0, 0, {run})"
            ),
        )
        .await;
        exec(&db, &format!("DELETE FROM audit_log WHERE id = {first}")).await;
        match audit::verify(&db).await.unwrap() {
            Verdict::Broken { id, reason } => {
                assert_eq!(id, first);
                assert!(reason.contains("ankaret"), "{reason}");
            }
            v => panic!("{v:?}"),
        }
    }
);
