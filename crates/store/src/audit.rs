//! The append-only audit log (rule 6). Entries are only ever inserted; the
//! database refuses UPDATE and DELETE on the table.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::db::Db;
use crate::error::StoreResult;

/// Who did it, as the log records it.
#[derive(Debug, Clone)]
pub struct Who {
    pub account_id: Option<i64>,
    pub label: String,
}

impl Who {
    pub fn system(label: &str) -> Who {
        Who {
            account_id: None,
            label: label.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    pub actor_account_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub person_id: Option<i64>,
    pub detail: String,
}

/// Write one entry inside the caller's transaction, so the entry exists
/// exactly when the change does.
pub async fn record(
    conn: &mut AnyConnection,
    who: &Who,
    action: &str,
    subject_type: &str,
    subject_id: Option<i64>,
    person_id: Option<i64>,
    detail: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_account_id, actor_label, action, subject_type, subject_id, person_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(crate::time::now())
    .bind(who.account_id)
    .bind(&who.label)
    .bind(action)
    .bind(subject_type)
    .bind(subject_id)
    .bind(person_id)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// Record that `who` opened a person's personal data (a read).
pub async fn record_read(db: &Db, who: &Who, person_id: i64, what: &str) -> StoreResult<()> {
    let mut conn = db.writer().acquire().await?;
    record(
        &mut conn,
        who,
        "person.read",
        "person",
        Some(person_id),
        Some(person_id),
        what,
    )
    .await
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub person_id: Option<i64>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(db: &Db, f: &Filter) -> StoreResult<(Vec<Entry>, i64)> {
    let mut where_ = vec!["1=1".to_string()];
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if f.action.is_some() {
        where_.push(format!("action LIKE {}", next()));
    }
    if f.actor.is_some() {
        where_.push(format!("LOWER(actor_label) LIKE {}", next()));
    }
    if f.person_id.is_some() {
        where_.push(format!("person_id = {}", next()));
    }
    if f.from.is_some() {
        where_.push(format!("at >= {}", next()));
    }
    if f.to.is_some() {
        where_.push(format!("at < {}", next()));
    }
    let w = where_.join(" AND ");
    let sql = format!(
        "SELECT id, at, actor_account_id, actor_label, action, subject_type, subject_id, person_id, detail \
         FROM audit_log WHERE {w} ORDER BY id DESC LIMIT {} OFFSET {}",
        f.limit.clamp(1, 1000),
        f.offset.max(0)
    );
    let count_sql = format!("SELECT COUNT(*) FROM audit_log WHERE {w}");
    macro_rules! bind_all {
        ($q:expr) => {{
            let mut q = $q;
            if let Some(a) = &f.action {
                q = q.bind(format!("{a}%"));
            }
            if let Some(a) = &f.actor {
                q = q.bind(format!("%{}%", a.to_lowercase()));
            }
            if let Some(p) = f.person_id {
                q = q.bind(p);
            }
            if let Some(x) = f.from {
                q = q.bind(x);
            }
            if let Some(x) = f.to {
                q = q.bind(x);
            }
            q
        }};
    }
    let rows: Vec<Entry> = bind_all!(sqlx::query_as(&sql)).fetch_all(db.pool()).await?;
    let total: i64 = bind_all!(sqlx::query_scalar(&count_sql))
        .fetch_one(db.pool())
        .await?;
    Ok((rows, total))
}

pub async fn distinct_actions(db: &Db) -> StoreResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT action FROM audit_log ORDER BY action")
            .fetch_all(db.pool())
            .await?,
    )
}
