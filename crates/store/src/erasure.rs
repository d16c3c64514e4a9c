//! Erasing a person (GDPR article 17, with the archive exception; the
//! rules are `domain::erasure`). In one transaction:
//!
//! 1. the person is marked as left through `leaving` (the one path that
//!    ends their sessions and tokens, deletes invitations and reset links,
//!    and cancels future bookings so each freed seat goes to the waiting
//!    list at once);
//! 2. their account goes with everything hanging on it (scopes, sessions,
//!    tokens, second factor, recovery codes, reset links, uploads);
//! 3. identifying data goes: support needs, formal education, trainer
//!    absences, staff-import rows, historical-import references, calendar
//!    feed, notices to them (their name in other notices is replaced),
//!    sign-in counters keyed on their address, pending uploads naming them;
//! 4. the person's row keeps gender, municipality and role (the funder's
//!    indicators for past periods stay as they were) under a pseudonym,
//!    without e-mail, employee number, unit or language support.
//!
//! Under a legal hold (`legal_holds`) the erasure is partial: everything
//! above goes except what the hold keeps as the funder's evidence: the
//! held bookings with their attendance, and the name and employee number
//! that make them checkable (the e-mail address, language support and
//! support needs go even so). The person is marked `erasure_held_at`; the
//! caller is told which programme keeps what and why, and an erasure after
//! the hold is released (by hand or by the daily retention run) finishes
//! the job. Refused when the person is erased already. The audit
//! entry carries counts, never the erased data (audit entries store ids
//! only; see docs/privacy.md on the hash chain). Afterwards the SQLite
//! write-ahead log is checkpointed and truncated, so the old pages are
//! gone from disk too (with `secure_delete`, see `db`).

use domain::erasure;
use domain::ids::PersonId;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Who};
use crate::db::{Db, Engine};
use crate::error::{StoreError, StoreResult};
use crate::legal_holds::{self, ActiveHold};

/// What an erasure would do, for the preview page and the command line.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub person_id: i64,
    pub name: String,
    pub erased_at: Option<i64>,
    /// Holds in force that keep part of the person's records.
    pub holds: Vec<HeldPart>,
    /// When an earlier erasure left the held part behind.
    pub erasure_held_at: Option<i64>,
    pub has_account: bool,
    /// Bookings and waiting-list places on sessions that have not started.
    pub future_bookings: i64,
    /// Attended sessions, kept under the pseudonym.
    pub attended: i64,
    /// Completions (certificates), kept under the pseudonym.
    pub completions: i64,
    pub staff_import_rows: i64,
    pub notices: i64,
}

/// What a legal hold keeps from an erasure: the programme, the hold's
/// reason, and how many of the person's bookings (attended or absent, in
/// the programme's period) it covers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HeldPart {
    pub hold_id: i64,
    pub programme: String,
    pub reason: String,
    pub bookings: i64,
}

fn held_parts(holds: Vec<(ActiveHold, i64)>) -> Vec<HeldPart> {
    holds
        .into_iter()
        .map(|(h, n)| HeldPart {
            hold_id: h.id,
            programme: h.programme,
            reason: h.reason,
            bookings: n,
        })
        .collect()
}

impl Preview {
    pub fn is_erased(&self) -> bool {
        self.erased_at.is_some()
    }
}

/// What an erasure did.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Erased {
    pub person_id: i64,
    /// The name the record carries from now on; `None` when a hold keeps
    /// the name with the held attendance (see `held`).
    pub pseudonym: Option<String>,
    /// What legal holds kept (then the erasure finishes after release).
    pub held: Vec<HeldPart>,
    /// Future bookings released.
    pub released: usize,
    /// Waiting people who got the freed seats.
    pub promoted: Vec<i64>,
    /// Rows removed, per what.
    pub removed: Vec<(String, u64)>,
}

async fn count(conn: &mut AnyConnection, sql: &str, id: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?)
}

/// What erasing `person_id` would do.
pub async fn preview(db: &Db, person_id: PersonId) -> StoreResult<Preview> {
    let mut conn = db.pool().acquire().await?;
    let row = sqlx::query("SELECT name, erased_at, erasure_held_at FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("personen"))?;
    let holds = legal_holds::covering_person(&mut conn, person_id).await?;
    let now = crate::time::now();
    let future_bookings: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings b JOIN sessions s ON s.id = b.session_id \
         WHERE b.person_id = $1 AND b.status IN ('booked', 'waitlisted') AND s.starts_at > $2 \
         AND s.status NOT IN ('cancelled', 'held')",
    )
    .bind(person_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Preview {
        person_id: person_id.get(),
        name: row.get("name"),
        erased_at: row.get("erased_at"),
        holds: held_parts(holds),
        erasure_held_at: row.get("erasure_held_at"),
        has_account: count(
            &mut conn,
            "SELECT COUNT(*) FROM accounts WHERE person_id = $1",
            person_id.get(),
        )
        .await?
            > 0,
        future_bookings,
        attended: count(
            &mut conn,
            "SELECT COUNT(*) FROM bookings WHERE person_id = $1 AND status = 'attended'",
            person_id.get(),
        )
        .await?,
        completions: count(
            &mut conn,
            "SELECT COUNT(*) FROM completions WHERE person_id = $1",
            person_id.get(),
        )
        .await?,
        staff_import_rows: count(
            &mut conn,
            "SELECT COUNT(*) FROM staff_import_people WHERE person_id = $1",
            person_id.get(),
        )
        .await?,
        notices: count(
            &mut conn,
            "SELECT COUNT(*) FROM outbox WHERE to_person_id = $1",
            person_id.get(),
        )
        .await?,
    })
}

/// What the coordinator is told when holds keep part of an erasure: which
/// programme keeps what, and why.
pub fn held_message(held: &[HeldPart]) -> String {
    let list = held
        .iter()
        .map(|h| {
            format!(
                "{} ({}): närvaro på {} kurstillfällen",
                h.programme, h.reason, h.bookings
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "Bevarandebeslut behåller namn, anställningsnummer och närvaro för {list}. \
         Allt annat är raderat. Radera igen när beslutet har upphävts, så raderas resten."
    )
}

/// Erase a person (see the module notes), then clear the write-ahead log.
pub async fn erase(db: &Db, who: &Who, person_id: PersonId) -> StoreResult<Erased> {
    let mut tx = db.begin().await?;
    let done = erase_in(db, &mut tx, who, person_id).await?;
    tx.commit().await?;
    after_erasure(db).await;
    Ok(done)
}

/// The erasure inside the caller's transaction (also the retention run's
/// path for people who left long ago). The caller commits, then calls
/// [`after_erasure`].
pub async fn erase_in(
    db: &Db,
    conn: &mut AnyConnection,
    who: &Who,
    person_id: PersonId,
) -> StoreResult<Erased> {
    let row = sqlx::query(&format!(
        "SELECT name, email, erased_at FROM people WHERE id = $1{}",
        db.for_update()
    ))
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound("personen"))?;
    let (name, email): (String, String) = (row.get("name"), row.get("email"));
    if row.get::<Option<i64>, _>("erased_at").is_some() {
        return Err(StoreError::conflict(
            None,
            format!("Personen är redan raderad (visas som ”{name}”)."),
        ));
    }
    let held = held_parts(legal_holds::covering_person(conn, person_id).await?);
    let now = crate::time::now();
    // Marked as left first, so nobody promotes the person into a seat.
    sqlx::query("UPDATE people SET active = 0, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    let left = crate::leaving::person_left_rows(db, conn, who, person_id).await?;
    let mut removed: Vec<(String, u64)> = Vec::new();
    let mut run = |what: &str, n: u64| {
        if n > 0 {
            removed.push((what.to_string(), n));
        }
    };
    if let Some(a) = left.account_id {
        for (what, sql) in [
            (
                "account_scopes",
                "DELETE FROM account_scopes WHERE account_id = $1",
            ),
            (
                "web_sessions",
                "DELETE FROM web_sessions WHERE account_id = $1",
            ),
            ("api_tokens", "DELETE FROM api_tokens WHERE account_id = $1"),
            (
                "second_factors",
                "DELETE FROM second_factors WHERE account_id = $1",
            ),
            (
                "recovery_codes",
                "DELETE FROM recovery_codes WHERE account_id = $1",
            ),
            (
                "second_factor_logins",
                "DELETE FROM second_factor_logins WHERE account_id = $1",
            ),
            (
                "password_resets",
                "DELETE FROM password_resets WHERE account_id = $1",
            ),
            (
                "import_locks",
                "DELETE FROM import_locks WHERE account_id = $1",
            ),
            (
                "import_uploads",
                "DELETE FROM import_uploads WHERE account_id = $1",
            ),
            // A request for a session stays for planning, without who
            // asked or their free text.
            (
                "session_requests",
                "UPDATE session_requests SET requested_by_account_id = NULL, note = '' \
                 WHERE requested_by_account_id = $1",
            ),
            ("accounts", "DELETE FROM accounts WHERE id = $1"),
        ] {
            let n = sqlx::query(sql)
                .bind(a)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            run(what, n);
        }
    }
    for (what, sql) in [
        (
            "invitations",
            "DELETE FROM invitations WHERE person_id = $1",
        ),
        (
            "person_educations",
            "DELETE FROM person_educations WHERE person_id = $1",
        ),
        (
            "trainer_absences",
            "DELETE FROM trainer_absences WHERE person_id = $1",
        ),
        (
            "trainer_availability",
            "DELETE FROM trainer_availability WHERE person_id = $1",
        ),
        (
            "staff_import_people",
            "DELETE FROM staff_import_people WHERE person_id = $1",
        ),
        (
            "import_person_refs",
            "DELETE FROM import_person_refs WHERE person_id = $1",
        ),
        (
            "course_interest",
            "DELETE FROM course_interest WHERE person_id = $1",
        ),
        (
            "calendar_feeds",
            "DELETE FROM calendar_feeds WHERE person_id = $1",
        ),
        ("outbox", "DELETE FROM outbox WHERE to_person_id = $1"),
        (
            "bookings.support_needs",
            "UPDATE bookings SET support_needs = '' WHERE person_id = $1 AND support_needs <> ''",
        ),
        (
            "session_holds",
            "UPDATE session_holds SET token_hash = NULL, released_at = COALESCE(released_at, $2) \
             WHERE person_id = $1 AND (token_hash IS NOT NULL OR released_at IS NULL)",
        ),
        (
            "session_trainers",
            "DELETE FROM session_trainers WHERE person_id = $1 AND session_id IN \
             (SELECT id FROM sessions WHERE starts_at > $2)",
        ),
        (
            "trainers",
            "UPDATE trainers SET active = 0 WHERE person_id = $1 AND active = 1",
        ),
    ] {
        let mut q = sqlx::query(sql).bind(person_id);
        if sql.contains("$2") {
            q = q.bind(now);
        }
        let n = q.execute(&mut *conn).await?.rows_affected();
        run(what, n);
    }
    // Notices to others that name the person (and one addressed to their
    // address without a person id), uploads and sign-in counters.
    let n = sqlx::query("DELETE FROM outbox WHERE lower(to_email) = lower($1)")
        .bind(&email)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    run("outbox", n);
    let tag = crate::accounts::new_secret()[..4].to_string();
    let pseudonym = erasure::pseudonym(&tag);
    let n = sqlx::query(
        "UPDATE outbox SET subject = REPLACE(REPLACE(subject, $1, $3), $2, $3), \
         body = REPLACE(REPLACE(body, $1, $3), $2, $3) \
         WHERE subject LIKE $4 OR body LIKE $4 OR subject LIKE $5 OR body LIKE $5",
    )
    .bind(&name)
    .bind(&email)
    .bind(&pseudonym)
    .bind(format!("%{name}%"))
    .bind(format!("%{email}%"))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    run("outbox.text", n);
    // Free text about someone else that names the person (a support
    // need "with Åsa"): the name becomes the pseudonym.
    let n = sqlx::query(
        "UPDATE bookings SET support_needs = REPLACE(support_needs, $1, $2) WHERE support_needs LIKE $3",
    )
    .bind(&name)
    .bind(&pseudonym)
    .bind(format!("%{name}%"))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    run("bookings.support_needs", n);
    let n = sqlx::query("DELETE FROM import_uploads WHERE content LIKE $1 OR content LIKE $2")
        .bind(format!("%{name}%"))
        .bind(format!("%{email}%"))
        .execute(&mut *conn)
        .await?
        .rows_affected();
    run("import_uploads", n);
    let lower = email.trim().to_lowercase();
    let keys: Vec<String> = ["account:", "reset:"]
        .iter()
        .map(|p| crate::accounts::hash_secret(&format!("{p}{lower}")))
        .collect();
    let n = sqlx::query("DELETE FROM login_throttle WHERE key = $1 OR key = $2")
        .bind(&keys[0])
        .bind(&keys[1])
        .execute(&mut *conn)
        .await?
        .rows_affected();
    run("login_throttle", n);
    if held.is_empty() {
        sqlx::query(
            "UPDATE people SET name = $1, email = $2, employee_no = NULL, personal_number = NULL, unit_id = NULL, \
             language_support = '', active = 0, erased_at = $3, erasure_held_at = NULL, \
             updated_at = $3 WHERE id = $4",
        )
        .bind(&pseudonym)
        .bind(erasure::pseudonym_email(person_id.get()))
        .bind(now)
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    } else {
        // The hold keeps the name, employee number and personal identity
        // number with the held attendance (the funder checks its evidence
        // by them).
        sqlx::query(
            "UPDATE people SET email = $1, language_support = '', active = 0, \
             erasure_held_at = $2, updated_at = $2 WHERE id = $3",
        )
        .bind(erasure::pseudonym_email(person_id.get()))
        .bind(now)
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    }
    // Audit entries last (rows, then the chain's head: one lock order).
    left.record(conn, who).await?;
    let mut detail = removed
        .iter()
        .map(|(w, n)| format!("{w}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    if !held.is_empty() {
        let ids = held
            .iter()
            .map(|h| h.hold_id.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        detail.push_str(&format!("; behålls enligt bevarandebeslut {ids}"));
    }
    audit::record(
        conn,
        who,
        "person.erase",
        "person",
        Some(person_id.get()),
        Some(person_id.get()),
        &detail,
    )
    .await?;
    let promoted = left.promoted();
    Ok(Erased {
        person_id: person_id.get(),
        pseudonym: held.is_empty().then_some(pseudonym),
        held,
        released: left.released.len(),
        promoted,
        removed,
    })
}

/// The tables whose text can hold a person's name, e-mail address or
/// employee number (their indexes and TOAST data included).
pub const IDENTIFYING_TABLES: [&str; 9] = [
    "people",
    "accounts",
    "outbox",
    "staff_import_people",
    "import_uploads",
    "import_person_refs",
    "person_educations",
    "bookings",
    "login_throttle",
];

/// The documented step after erasures on PostgreSQL
/// (`navet privacy compact`): `VACUUM FULL` rewrites each table in
/// [`IDENTIFYING_TABLES`] and its indexes into new files, so no old row
/// version with the erased data is left in the database's files (a plain
/// VACUUM only marks the space free). It locks each table while it runs.
/// On SQLite nothing is needed (`secure_delete` and the checkpoint after
/// each erasure). Returns the tables rewritten.
pub async fn compact(db: &Db) -> StoreResult<Vec<&'static str>> {
    if db.engine() != Engine::Postgres {
        return Ok(vec![]);
    }
    for t in IDENTIFYING_TABLES {
        sqlx::raw_sql(&format!("VACUUM FULL {t}"))
            .execute(db.writer())
            .await?;
    }
    Ok(IDENTIFYING_TABLES.to_vec())
}

/// After a committed erasure: on SQLite, copy the write-ahead log into the
/// database file and truncate it, so no old page with the erased data
/// stays in the log (the database file itself is overwritten by
/// `secure_delete`). On PostgreSQL, VACUUM the tables that held the data
/// so the dead row versions are freed (see docs/privacy.md for what that
/// does and does not guarantee). Failures are logged: the erasure itself
/// is committed.
pub async fn after_erasure(db: &Db) {
    match db.engine() {
        Engine::Sqlite => {
            for attempt in 0..20u64 {
                let r = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .fetch_one(db.writer())
                    .await;
                match r {
                    Ok(row) if row.try_get::<i64, _>("busy").unwrap_or(1) == 0 => return,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!("wal checkpoint after erasure: {e}");
                        return;
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
            }
            tracing::warn!("wal checkpoint after erasure: readers kept it busy");
        }
        Engine::Postgres => {
            for t in IDENTIFYING_TABLES {
                if let Err(e) = sqlx::raw_sql(&format!("VACUUM {t}"))
                    .execute(db.writer())
                    .await
                {
                    tracing::warn!("vacuum {t} after erasure: {e}");
                }
            }
        }
    }
}
