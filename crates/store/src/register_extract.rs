//! The register extract (GDPR article 15): every row of every table that
//! refers to one person, gathered by the list in
//! `domain::register_extract::SOURCES` (whole rows, secrets redacted), with
//! the names of the courses, sessions, roles and places the ids point to,
//! and the person's requirements as the gap analysis reads them.
//!
//! Size: each table gives at most [`ROW_CAP`] rows (the newest), and the
//! sign-ins as many; beyond that the extract says how many more there are
//! and where to get them (`not_included`), so a person with a huge history
//! (years of reads by coordinators) cannot make one extract exhaust memory.
//!
//! [`person_references`] lists every column in the schema that refers to a
//! person or an account; a test checks that each one is covered or
//! excluded with a reason.

use domain::ids::PersonId;
use std::collections::HashMap;

use domain::register_extract::{
    self as rx, Extract, Omission, RequirementLine, Row, SignIn, TableRows, TrackLine, Value, Via,
};
use sqlx::any::AnyRow;
use sqlx::{Column, Row as _};

use crate::audit::{self, Who};
use crate::db::{Db, Engine};
use crate::error::{StoreError, StoreResult};

/// One column's value, whatever its type.
fn value(r: &AnyRow, i: usize) -> Value {
    if let Ok(v) = r.try_get::<Option<i64>, _>(i) {
        return v.map_or(Value::Null, Value::Int);
    }
    if let Ok(v) = r.try_get::<Option<f64>, _>(i) {
        return v.map_or(Value::Null, Value::Real);
    }
    if let Ok(v) = r.try_get::<Option<String>, _>(i) {
        return v.map_or(Value::Null, Value::Text);
    }
    Value::Null
}

fn row(r: &AnyRow) -> Row {
    r.columns()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name().to_string(), rx::redact(c.name(), value(r, i))))
        .collect()
}

/// Names for the ids in rows, looked up once each.
#[derive(Default)]
struct Names {
    cache: HashMap<(&'static str, i64), Value>,
}

impl Names {
    async fn get(&mut self, db: &Db, what: &'static str, id: i64) -> StoreResult<Value> {
        if let Some(v) = self.cache.get(&(what, id)) {
            return Ok(v.clone());
        }
        let sql = match what {
            "course" => "SELECT title FROM courses WHERE id = $1",
            "session" => {
                "SELECT c.title || ', ' || CAST(s.starts_at AS TEXT) FROM sessions s JOIN courses c ON c.id = s.course_id WHERE s.id = $1"
            }
            "role" => "SELECT name FROM roles WHERE id = $1",
            "municipality" => "SELECT name FROM municipalities WHERE id = $1",
            "unit" => "SELECT name FROM units WHERE id = $1",
            "actor" => "SELECT display_name || ' (' || role || ')' FROM accounts WHERE id = $1",
            _ => "SELECT CAST(created_at AS TEXT) FROM staff_imports WHERE id = $1",
        };
        let found: Option<String> = sqlx::query_scalar(sql)
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
        let v = match (what, found) {
            (_, None) => Value::Null,
            // A session reads "course, Stockholm time".
            ("session", Some(s)) => match s.rsplit_once(", ") {
                Some((title, ts)) => Value::Text(format!(
                    "{title}, {}",
                    ts.parse::<i64>()
                        .map(domain::sessions::format_local)
                        .unwrap_or_default()
                )),
                None => Value::Text(s),
            },
            ("imported_at", Some(s)) => s.parse().map_or(Value::Null, Value::Int),
            (_, Some(s)) => Value::Text(s),
        };
        self.cache.insert((what, id), v.clone());
        Ok(v)
    }

    /// Add `course`, `session`, `role` … beside the ids a row holds.
    async fn resolve(&mut self, db: &Db, r: &mut Row) -> StoreResult<()> {
        const IDS: [(&str, &str, &str); 8] = [
            ("course_id", "course", "course"),
            ("session_id", "session", "session"),
            ("role_id", "role", "role"),
            ("municipality_id", "municipality", "municipality"),
            ("home_municipality_id", "home_municipality", "municipality"),
            ("unit_id", "unit", "unit"),
            ("actor_account_id", "actor", "actor"),
            ("import_id", "imported_at", "imported_at"),
        ];
        for (column, name, what) in IDS {
            if let Some(Value::Int(id)) = r.get(column) {
                let id = *id;
                let v = self.get(db, what, id).await?;
                r.insert(name.to_string(), v);
            }
        }
        Ok(())
    }
}

/// At most this many rows of one table (and sign-ins) in one extract.
pub const ROW_CAP: i64 = 5000;

/// What a capped table leaves out, and where the rest is.
fn capped(what: &str, total: i64) -> Omission {
    Omission {
        what: format!("{what}: {} äldre rader", total - ROW_CAP),
        reason: format!(
            "utdraget visar de {ROW_CAP} senaste; resten lämnas på begäran \
             (granskningsloggens rader även som CSV i åtkomstgranskningen, filtrerad på personen)"
        ),
    }
}

/// Sign-ins to the account (and failed attempts on it), newest first.
async fn sign_ins(db: &Db, account_id: i64) -> StoreResult<(Vec<SignIn>, i64)> {
    const WHERE: &str = "subject_type = 'account' AND subject_id = $1 AND action LIKE 'login.%'";
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(&format!(
        "SELECT at, action, actor_label, detail FROM audit_log WHERE {WHERE} \
         ORDER BY id DESC LIMIT {ROW_CAP}"
    ))
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    let total = if rows.len() as i64 == ROW_CAP {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE {WHERE}"))
            .bind(account_id)
            .fetch_one(db.pool())
            .await?
    } else {
        rows.len() as i64
    };
    Ok((
        rows.into_iter()
            .map(|(at, action, channel, detail)| SignIn {
                at,
                action,
                channel,
                detail,
            })
            .collect(),
        total,
    ))
}

/// The track that fits the person and their progress along it.
async fn track(db: &Db, person_id: i64) -> StoreResult<Option<TrackLine>> {
    Ok(crate::tracks::person_progress(db, PersonId(person_id))
        .await?
        .map(|(_, st)| TrackLine {
            track: st.track_name,
            level: st.level_label.to_string(),
            percent: st.progress.percent,
            base_done: st.progress.base_done,
            base_total: st.progress.base_total,
            deepening_done: st.progress.deepening_done,
            deepening_required: st.progress.deepening_required,
            specialist_done: st.progress.specialist_done,
            next_course: st.next_title,
        }))
}

/// Everything held about `person_id` (404 when there is no such person).
pub async fn gather(db: &Db, person_id: PersonId) -> StoreResult<Extract> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_optional(db.pool())
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound("person"));
    }
    let account_id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?;
    let mut names = Names::default();
    let mut tables = Vec::with_capacity(rx::SOURCES.len());
    let mut not_included = rx::standing_omissions();
    for s in rx::SOURCES {
        let key = match s.via {
            Via::Person => Some(person_id),
            Via::Account => account_id.map(PersonId),
        };
        let mut rows = vec![];
        if let Some(key) = key {
            // Table and column names come from the fixed list, never input.
            // The newest rows when there are more than the cap.
            let mut found = sqlx::query(&format!(
                "SELECT * FROM {} WHERE {} = $1 ORDER BY 1 DESC LIMIT {}",
                s.table,
                s.column,
                ROW_CAP + 1
            ))
            .bind(key)
            .fetch_all(db.pool())
            .await?;
            if found.len() as i64 > ROW_CAP {
                found.truncate(ROW_CAP as usize);
                let total: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM {} WHERE {} = $1",
                    s.table, s.column
                ))
                .bind(key)
                .fetch_one(db.pool())
                .await?;
                not_included.push(capped(s.table, total));
            }
            found.reverse();
            for f in &found {
                let mut r = row(f);
                names.resolve(db, &mut r).await?;
                rows.push(r);
            }
        }
        tables.push(TableRows {
            table: s.table.to_string(),
            title: s.title.to_string(),
            rows,
        });
    }
    let gaps = crate::gaps::person(db, person_id, crate::time::today()).await?;
    let requirements = gaps
        .checks
        .iter()
        .map(|c| RequirementLine {
            what: c.what.clone(),
            scope: c.scope.clone(),
            state: c.state_label.to_string(),
            is_gap: c.is_gap,
            via_course: c.via_course.clone(),
            completed_on: c.completed_on.clone(),
            expires_on: c.expires_on.clone(),
        })
        .collect();
    let sign_ins = match account_id {
        Some(a) => {
            let (list, total) = sign_ins(db, a).await?;
            if total > ROW_CAP {
                not_included.push(capped("inloggningar", total));
            }
            list
        }
        None => vec![],
    };
    Ok(Extract {
        format: rx::FORMAT.into(),
        person_id: person_id.get(),
        generated_at: crate::time::now(),
        tables,
        requirements,
        track: track(db, person_id.get()).await?,
        sign_ins,
        not_included,
    })
}

/// The person's name, for the document's title.
pub async fn person_name(db: &Db, person_id: PersonId) -> StoreResult<String> {
    sqlx::query_scalar("SELECT name FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("person"))
}

/// Someone asked for a person's extract (written before it is gathered).
pub async fn record_request(db: &Db, who: &Who, person_id: PersonId) -> StoreResult<()> {
    audit::record_alone(
        db,
        who,
        "privacy.extract.request",
        "person",
        Some(person_id.get()),
        Some(person_id.get()),
        "registerutdrag begärt",
    )
    .await
}

/// The extract was handed over: its size and SHA-256, so the copy can be
/// recognised later.
pub async fn record_delivery(
    db: &Db,
    who: &Who,
    person_id: PersonId,
    bytes: &[u8],
) -> StoreResult<()> {
    use sha2::{Digest, Sha256};
    audit::record_alone(
        db,
        who,
        "privacy.extract.delivered",
        "person",
        Some(person_id.get()),
        Some(person_id.get()),
        &format!(
            "registerutdrag lämnat: {} byte, sha256 {}",
            bytes.len(),
            hex::encode(Sha256::digest(bytes))
        ),
    )
    .await
}

/// A refused request for someone's extract (outside the manager's units,
/// or another person's), so the person's log shows it too.
pub async fn record_refusal(db: &Db, who: &Who, person_id: PersonId) -> StoreResult<()> {
    audit::record_alone(
        db,
        who,
        "privacy.extract.denied",
        "person",
        Some(person_id.get()),
        Some(person_id.get()),
        "registerutdrag nekat",
    )
    .await
}

/// Whether a column name says it refers to a person or an account.
fn named_as_reference(column: &str) -> bool {
    column == "person_id" || column.ends_with("_person_id") || column == "account_id"
}

/// Every `(table, column)` in the schema that refers to a person or an
/// account: by name (`person_id`, `…_person_id`, `account_id`) or by a
/// foreign key to `people`, `accounts` or `trainers`; plus `people.id`.
pub async fn person_references(db: &Db) -> StoreResult<Vec<(String, String)>> {
    let (columns, foreign) = match db.engine() {
        Engine::Sqlite => (
            "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table'",
            "SELECT m.name AS table_name, f.\"from\" AS column_name FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' AND f.\"table\" IN ('people', 'accounts', 'trainers')",
        ),
        Engine::Postgres => (
            "SELECT CAST(table_name AS TEXT) AS table_name, CAST(column_name AS TEXT) AS column_name FROM information_schema.columns \
             WHERE table_schema = current_schema()",
            "SELECT CAST(tc.table_name AS TEXT) AS table_name, CAST(kcu.column_name AS TEXT) AS column_name \
             FROM information_schema.table_constraints tc \
             JOIN information_schema.key_column_usage kcu \
               ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
             JOIN information_schema.constraint_column_usage ccu \
               ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
             WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() \
               AND CAST(ccu.table_name AS TEXT) IN ('people', 'accounts', 'trainers')",
        ),
    };
    let pairs = |rows: Vec<AnyRow>| -> Vec<(String, String)> {
        rows.iter()
            .map(|r| {
                (
                    r.get::<String, _>("table_name"),
                    r.get::<String, _>("column_name"),
                )
            })
            .collect()
    };
    let mut out: Vec<(String, String)> = pairs(sqlx::query(columns).fetch_all(db.pool()).await?)
        .into_iter()
        .filter(|(_, c)| named_as_reference(c))
        .collect();
    out.extend(pairs(sqlx::query(foreign).fetch_all(db.pool()).await?));
    out.push(("people".into(), "id".into()));
    out.sort();
    out.dedup();
    Ok(out)
}
