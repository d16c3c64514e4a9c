//! Access review: who looked at whose personal data. The audit log's
//! entries about a person (reads, changes, extracts), filtered by the
//! person, the reader, the person's municipality and a period, a page at a
//! time in SQL (keyset on the entry id, newest first), and the accounts
//! that opened unusually many people's records in one day.

use serde::Serialize;
use sqlx::FromRow;

use crate::db::Db;
use crate::error::StoreResult;

/// Reads of one person's record (the actions counted as "opening" it).
pub const READ_ACTIONS: &[&str] = &["person.read", "privacy.extract.request"];

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub person_id: Option<i64>,
    pub reader_account_id: Option<i64>,
    /// The municipality the person belongs to.
    pub municipality_id: Option<i64>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub to: Option<i64>,
    /// Only reads ([`READ_ACTIONS`]), not changes.
    pub reads_only: bool,
}

#[derive(Debug, Clone, Serialize, FromRow, PartialEq)]
pub struct ReviewEntry {
    pub id: i64,
    pub at: i64,
    pub reader_account_id: Option<i64>,
    pub reader_name: Option<String>,
    pub reader_role: Option<String>,
    pub channel: String,
    pub action: String,
    pub person_id: i64,
    pub person_name: Option<String>,
    pub municipality: Option<String>,
    pub detail: String,
}

/// One page, newest first; `next` is the cursor for the page after it.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub entries: Vec<ReviewEntry>,
    pub next: Option<i64>,
}

struct Sql {
    where_: String,
    binds: Vec<i64>,
}

fn conditions(f: &Filter, before: Option<i64>) -> Sql {
    let mut w = vec!["l.person_id IS NOT NULL".to_string()];
    let mut binds = vec![];
    let mut add = |cond: &str, v: i64, binds: &mut Vec<i64>| {
        binds.push(v);
        w.push(cond.replace('?', &format!("${}", binds.len())));
    };
    if let Some(p) = f.person_id {
        add("l.person_id = ?", p, &mut binds);
    }
    if let Some(a) = f.reader_account_id {
        add("l.actor_account_id = ?", a, &mut binds);
    }
    if let Some(m) = f.municipality_id {
        add("p.municipality_id = ?", m, &mut binds);
    }
    if let Some(t) = f.from {
        add("l.at >= ?", t, &mut binds);
    }
    if let Some(t) = f.to {
        add("l.at < ?", t, &mut binds);
    }
    if let Some(b) = before {
        add("l.id < ?", b, &mut binds);
    }
    if f.reads_only {
        w.push(read_actions_sql());
    }
    Sql {
        where_: w.join(" AND "),
        binds,
    }
}

fn read_actions_sql() -> String {
    format!(
        "l.action IN ({})",
        READ_ACTIONS
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// One page of at most `limit` entries with ids below `before` (the
/// previous page's `next`), newest first.
pub async fn page(db: &Db, f: &Filter, before: Option<i64>, limit: i64) -> StoreResult<Page> {
    let limit = limit.clamp(1, 1000);
    let c = conditions(f, before);
    let sql = format!(
        "SELECT l.id, l.at, l.actor_account_id AS reader_account_id, a.display_name AS reader_name, \
         a.role AS reader_role, l.actor_label AS channel, l.action, l.person_id, p.name AS person_name, \
         m.name AS municipality, l.detail \
         FROM audit_log l \
         LEFT JOIN people p ON p.id = l.person_id \
         LEFT JOIN municipalities m ON m.id = p.municipality_id \
         LEFT JOIN accounts a ON a.id = l.actor_account_id \
         WHERE {} ORDER BY l.id DESC LIMIT {}",
        c.where_,
        limit + 1
    );
    let mut q = sqlx::query_as::<_, ReviewEntry>(&sql);
    for b in &c.binds {
        q = q.bind(*b);
    }
    let mut entries = q.fetch_all(db.pool()).await?;
    let next = if entries.len() as i64 > limit {
        entries.truncate(limit as usize);
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(Page { entries, next })
}

/// An account that opened more than the limit of different people's
/// records on one day (UTC).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnusualReading {
    pub reader_account_id: i64,
    pub reader_name: Option<String>,
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub people: i64,
}

/// Days on which one account opened more than `limit` different people's
/// records, in the filter's period (and municipality, reader, person).
pub async fn unusual(db: &Db, f: &Filter, limit: i64) -> StoreResult<Vec<UnusualReading>> {
    let f = Filter {
        reads_only: true,
        ..f.clone()
    };
    let c = conditions(&f, None);
    let n = c.binds.len() + 1;
    let sql = format!(
        "SELECT x.actor_account_id, a.display_name, x.people, x.first_at FROM ( \
           SELECT l.actor_account_id, MIN(l.at) AS first_at, COUNT(DISTINCT l.person_id) AS people \
           FROM audit_log l LEFT JOIN people p ON p.id = l.person_id \
           WHERE {} AND l.actor_account_id IS NOT NULL \
           GROUP BY l.actor_account_id, l.at / 86400 \
           HAVING COUNT(DISTINCT l.person_id) > ${n} \
         ) x LEFT JOIN accounts a ON a.id = x.actor_account_id \
         ORDER BY x.first_at DESC LIMIT 500",
        c.where_
    );
    let mut q = sqlx::query_as::<_, (i64, Option<String>, i64, i64)>(&sql);
    for b in &c.binds {
        q = q.bind(*b);
    }
    let rows = q.bind(limit).fetch_all(db.pool()).await?;
    Ok(rows
        .into_iter()
        .map(
            |(reader_account_id, reader_name, people, first_at)| UnusualReading {
                reader_account_id,
                reader_name,
                day: crate::time::to_datetime(first_at)
                    .format("%Y-%m-%d")
                    .to_string(),
                people,
            },
        )
        .collect())
}

/// The reader's account id from an e-mail address (the review's reader
/// filter is typed as an address).
pub async fn account_by_email(db: &Db, email: &str) -> StoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM accounts WHERE LOWER(email) = LOWER($1)")
            .bind(email.trim())
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Write the filtered entries as CSV (semicolon, for Swedish Excel), a
/// page at a time, at most `max` rows.
pub async fn csv(db: &Db, f: &Filter, max: usize) -> StoreResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(vec![]);
    let header = [
        "id",
        "tid",
        "läsare_konto",
        "läsare",
        "behörighet",
        "kanal",
        "händelse",
        "person_id",
        "person",
        "kommun",
        "detalj",
    ];
    let io = |e: csv::Error| crate::error::StoreError::Other(e.into());
    w.write_record(header).map_err(io)?;
    let mut before = None;
    let mut written = 0usize;
    loop {
        let p = page(db, f, before, 1000).await?;
        for e in &p.entries {
            if written >= max {
                break;
            }
            w.write_record([
                e.id.to_string(),
                domain::sessions::format_local(e.at),
                e.reader_account_id
                    .map(|i| i.to_string())
                    .unwrap_or_default(),
                e.reader_name.clone().unwrap_or_default(),
                e.reader_role.clone().unwrap_or_default(),
                e.channel.clone(),
                e.action.clone(),
                e.person_id.to_string(),
                e.person_name.clone().unwrap_or_default(),
                e.municipality.clone().unwrap_or_default(),
                e.detail.clone(),
            ])
            .map_err(io)?;
            written += 1;
        }
        match p.next {
            Some(n) if written < max => before = Some(n),
            _ => break,
        }
    }
    w.into_inner()
        .map_err(|e| crate::error::StoreError::Other(anyhow::anyhow!("csv: {e}")))
}
