//! The append-only audit log (rule 6). Entries are only ever inserted; the
//! database refuses UPDATE and DELETE on the table.
//!
//! The entries form a hash chain: each stores the hash of the entry before
//! it (`prev_hash`) and its own `hash`, SHA-256 over a canonical JSON array
//! of its fields (see [`entry_hash`]). The head of the chain (last id and
//! hash) is a row in `audit_chain`; an append locks that row (on SQLite the
//! single writer already serialises), so two transactions cannot both
//! append after the same entry. [`verify`] walks the chain.
//!
//! Entries store ids, not names or e-mail addresses: `actor_label` says
//! through what (web, API, command line), `actor_account_id` who, and the
//! admin view resolves ids to names when it shows them.

use domain::ids::{AccountId, PersonId};
use domain::paging::{window, Seek, Window};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection, FromRow, Row};

use crate::db::{Db, Engine};
use crate::error::StoreResult;
use crate::paging;

/// Who did it, as the log records it: an account id and the channel
/// (`webb`, `API`, `kommandoraden` …), never a name or an e-mail address.
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
    /// The acting account's name, resolved when listed (not stored).
    pub actor_name: Option<String>,
    /// The person's name, resolved when listed (not stored).
    pub person_name: Option<String>,
}

/// The fields an entry's hash covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    pub at: i64,
    pub actor_account_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub person_id: Option<i64>,
    pub detail: String,
}

/// The hash of an entry: SHA-256 (hex) of the JSON array
/// `["navet-audit-1", prev_hash, at, actor_account_id, actor_label, action,
/// subject_type, subject_id, person_id, detail]` (compact, nulls as `null`).
/// The first entry's `prev_hash` is the empty string.
pub fn entry_hash(prev_hash: &str, c: &Content) -> String {
    let canonical = serde_json::json!([
        "navet-audit-1",
        prev_hash,
        c.at,
        c.actor_account_id,
        c.actor_label,
        c.action,
        c.subject_type,
        c.subject_id,
        c.person_id,
        c.detail,
    ])
    .to_string();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// Append one entry to the chain on `conn`. Inside a transaction this is a
/// savepoint and the chain head stays locked until the caller commits, so
/// the entry exists exactly when the change does.
async fn append(conn: &mut AnyConnection, c: &Content) -> StoreResult<i64> {
    let mut tx = conn.begin().await?;
    // An UPDATE locks the head row on PostgreSQL until commit.
    let prev: String = sqlx::query_scalar(
        "UPDATE audit_chain SET last_id = last_id WHERE id = 1 RETURNING last_hash",
    )
    .fetch_one(&mut *tx)
    .await?;
    let hash = entry_hash(&prev, c);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor_account_id, actor_label, action, subject_type, subject_id, person_id, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(c.at)
    .bind(c.actor_account_id)
    .bind(&c.actor_label)
    .bind(&c.action)
    .bind(&c.subject_type)
    .bind(c.subject_id)
    .bind(c.person_id)
    .bind(&c.detail)
    .bind(&prev)
    .bind(&hash)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE audit_chain SET last_id = $1, last_hash = $2 WHERE id = 1")
        .bind(id)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
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
    append(
        conn,
        &Content {
            at: crate::time::now(),
            actor_account_id: who.account_id,
            actor_label: who.label.clone(),
            action: action.to_string(),
            subject_type: subject_type.to_string(),
            subject_id,
            person_id,
            detail: detail.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// Write one entry on its own (a read, a refusal): nothing else changes.
pub async fn record_alone(
    db: &Db,
    who: &Who,
    action: &str,
    subject_type: &str,
    subject_id: Option<i64>,
    person_id: Option<i64>,
    detail: &str,
) -> StoreResult<()> {
    let mut conn = db.writer().acquire().await?;
    record(
        &mut conn,
        who,
        action,
        subject_type,
        subject_id,
        person_id,
        detail,
    )
    .await
}

/// Record that `who` opened a person's personal data (a read).
pub async fn record_read(db: &Db, who: &Who, person_id: PersonId, what: &str) -> StoreResult<()> {
    record_alone(
        db,
        who,
        "person.read",
        "person",
        Some(person_id.get()),
        Some(person_id.get()),
        what,
    )
    .await
}

/// At most this many ids are listed in one entry's detail.
const MAX_IDS: usize = 500;

/// Ids as the detail lists them: `1, 2, 3`, cut after [`MAX_IDS`].
pub fn id_list(ids: &[i64]) -> String {
    let mut s = ids
        .iter()
        .take(MAX_IDS)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > MAX_IDS {
        s.push_str(&format!(" … och {} till", ids.len() - MAX_IDS));
    }
    s
}

/// Record that `who` saw a list with several people's personal data (one
/// entry per view; the detail names what and the people's ids).
pub async fn record_list_read(
    db: &Db,
    who: &Who,
    subject_type: &str,
    what: &str,
    person_ids: &[i64],
) -> StoreResult<()> {
    let mut ids = person_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    record_alone(
        db,
        who,
        "person.list",
        subject_type,
        None,
        None,
        &format!("{what}: {} personer: {}", ids.len(), id_list(&ids)),
    )
    .await
}

/// A request refused with 403: method and path (no query string, which may
/// carry search text).
pub async fn record_refusal(db: &Db, who: &Who, method: &str, path: &str) -> StoreResult<()> {
    record_alone(
        db,
        who,
        "access.denied",
        "request",
        None,
        None,
        &format!("{method} {path}"),
    )
    .await
}

/// A failed sign-in: the account if one matched the address (never the
/// address itself) and a reason code.
pub async fn record_login_failure(
    db: &Db,
    account_id: Option<AccountId>,
    reason: &str,
) -> StoreResult<()> {
    record_alone(
        db,
        &Who::system("inloggning"),
        "login.failed",
        "account",
        account_id.map(|id| id.get()),
        None,
        reason,
    )
    .await
}

/// A completed sign-in with a password (`detail` says with what second
/// factor, if any), by the account itself.
pub async fn record_login(db: &Db, account_id: AccountId, detail: &str) -> StoreResult<()> {
    record_alone(
        db,
        &Who {
            account_id: Some(account_id.get()),
            label: "webb".into(),
        },
        "login.password",
        "account",
        Some(account_id.get()),
        None,
        detail,
    )
    .await
}

const CHAIN_COLUMNS: &str = "id, at, actor_account_id, actor_label, action, subject_type, subject_id, person_id, detail, prev_hash, hash";

struct Stored {
    id: i64,
    content: Content,
    prev_hash: Option<String>,
    hash: Option<String>,
}

fn stored(r: &sqlx::any::AnyRow) -> Stored {
    Stored {
        id: r.get("id"),
        content: Content {
            at: r.get("at"),
            actor_account_id: r.get("actor_account_id"),
            actor_label: r.get("actor_label"),
            action: r.get("action"),
            subject_type: r.get("subject_type"),
            subject_id: r.get("subject_id"),
            person_id: r.get("person_id"),
            detail: r.get("detail"),
        },
        prev_hash: r.get("prev_hash"),
        hash: r.get("hash"),
    }
}

const BATCH: i64 = 1000;

/// Chain the entries written before the log was a chain, in id order
/// (a migration step: runs inside the migration's transaction with the
/// append-only trigger set aside).
pub(crate) async fn chain_existing(conn: &mut AnyConnection, _engine: Engine) -> StoreResult<()> {
    let mut prev = String::new();
    let mut last_id = 0i64;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {CHAIN_COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT {BATCH}"
        ))
        .bind(last_id)
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let e = stored(r);
            let hash = entry_hash(&prev, &e.content);
            sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE id = $3")
                .bind(&prev)
                .bind(&hash)
                .bind(e.id)
                .execute(&mut *conn)
                .await?;
            prev = hash;
            last_id = e.id;
        }
    }
    sqlx::query("UPDATE audit_chain SET last_id = $1, last_hash = $2 WHERE id = 1")
        .bind(last_id)
        .bind(&prev)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry is in the chain, unchanged; `entries` were checked.
    Intact { entries: i64, head: String },
    /// The first entry that does not fit, and why.
    Broken { id: i64, reason: String },
}

/// Where the chain starts: after the newest anchor the retention run left
/// when it removed the oldest entries (`audit_prune`), else at the start.
/// An anchor counts only when the chain itself records it: an
/// `audit.prune` entry after it names its hash, so an anchor slipped in to
/// hide removed entries is found.
async fn start(db: &Db) -> StoreResult<Result<(i64, String), Verdict>> {
    let anchor =
        sqlx::query("SELECT through_id, through_hash FROM audit_anchors ORDER BY id DESC LIMIT 1")
            .fetch_optional(db.pool())
            .await?;
    let Some(a) = anchor else {
        return Ok(Ok((0, String::new())));
    };
    let (id, hash): (i64, String) = (a.get("through_id"), a.get("through_hash"));
    let recorded: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM audit_log WHERE action = 'audit.prune' AND id > $1 AND detail LIKE $2 \
         ORDER BY id LIMIT 1",
    )
    .bind(id)
    .bind(format!("%{hash}%"))
    .fetch_optional(db.pool())
    .await?;
    if recorded.is_none() {
        return Ok(Err(Verdict::Broken {
            id,
            reason: "gallringsankaret saknar en post i kedjan som intygar det".into(),
        }));
    }
    Ok(Ok((id, hash)))
}

/// Walk the chain from the first entry (or the newest anchor, after the
/// retention run removed older entries) and check every link and hash, and
/// that the last entry is the recorded head (so a removed tail is found).
pub async fn verify(db: &Db) -> StoreResult<Verdict> {
    let (mut last_id, mut prev) = match start(db).await? {
        Ok(s) => s,
        Err(broken) => return Ok(broken),
    };
    let mut count = 0i64;
    // Entries may be appended while we walk: walk to the end, then compare
    // with the head; if the head moved on, walk the new entries too.
    for _ in 0..100 {
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {CHAIN_COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT {BATCH}"
            ))
            .bind(last_id)
            .fetch_all(db.pool())
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let e = stored(r);
                if e.prev_hash.as_deref() != Some(prev.as_str()) {
                    return Ok(Verdict::Broken {
                        id: e.id,
                        reason: "länken till föregående post stämmer inte (en post före den har ändrats, tagits bort eller lagts till)".into(),
                    });
                }
                let expected = entry_hash(&prev, &e.content);
                if e.hash.as_deref() != Some(expected.as_str()) {
                    return Ok(Verdict::Broken {
                        id: e.id,
                        reason: "postens innehåll stämmer inte med dess kontrollsumma".into(),
                    });
                }
                prev = expected;
                last_id = e.id;
                count += 1;
            }
        }
        let head = sqlx::query("SELECT last_id, last_hash FROM audit_chain WHERE id = 1")
            .fetch_one(db.pool())
            .await?;
        let (head_id, head_hash): (i64, String) = (head.get("last_id"), head.get("last_hash"));
        if head_id == last_id && head_hash == prev {
            return Ok(Verdict::Intact {
                entries: count,
                head: prev,
            });
        }
        if head_id > last_id {
            let newer: Option<i64> =
                sqlx::query_scalar("SELECT MIN(id) FROM audit_log WHERE id > $1")
                    .bind(last_id)
                    .fetch_one(db.pool())
                    .await?;
            if newer.is_some() {
                continue; // appended while we walked
            }
            return Ok(Verdict::Broken {
                id: head_id,
                reason: format!("kedjan slutar vid post {last_id}; posterna efter den saknas"),
            });
        }
        return Ok(Verdict::Broken {
            id: last_id,
            reason: format!("posten ligger efter kedjans registrerade slut (post {head_id})"),
        });
    }
    Ok(Verdict::Broken {
        id: last_id,
        reason: "loggen växte hela tiden medan den kontrollerades; försök igen".into(),
    })
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: Option<String>,
    /// Matches the channel label, or the acting account's name or e-mail.
    pub actor: Option<String>,
    pub person_id: Option<i64>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub limit: i64,
    pub seek: Seek,
}

/// [`list`] counts matching entries up to one more than this: a total above
/// it means "more than".
pub const COUNT_CAP: i64 = 10_000;

/// One page of the log, newest first, and how many match (at most
/// `COUNT_CAP + 1`).
pub async fn list(db: &Db, f: &Filter) -> StoreResult<(Window<Entry>, i64)> {
    let mut where_ = vec!["1=1".to_string()];
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if f.action.is_some() {
        where_.push(format!("l.action LIKE {}", next()));
    }
    if f.actor.is_some() {
        where_.push(format!(
            "(LOWER(l.actor_label) LIKE {} OR LOWER(a.display_name) LIKE {} OR LOWER(a.email) LIKE {})",
            next(),
            next(),
            next()
        ));
    }
    if f.person_id.is_some() {
        where_.push(format!("l.person_id = {}", next()));
    }
    if f.from.is_some() {
        where_.push(format!("l.at >= {}", next()));
    }
    if f.to.is_some() {
        where_.push(format!("l.at < {}", next()));
    }
    let w = where_.join(" AND ");
    let from = "audit_log l LEFT JOIN accounts a ON a.id = l.actor_account_id";
    let limit = f.limit.clamp(1, 1000);
    let (seek, order) = paging::clause(f.seek, "l.id", limit);
    let page_w = match seek {
        Some(s) => format!("{w} AND {s}"),
        None => w.clone(),
    };
    let sql = format!(
        "SELECT l.id, l.at, l.actor_account_id, l.actor_label, l.action, l.subject_type, l.subject_id, l.person_id, l.detail, \
         a.display_name AS actor_name, p.name AS person_name \
         FROM {from} LEFT JOIN people p ON p.id = l.person_id WHERE {page_w} {order}"
    );
    // Counted up to the cap only: the log of a nation has millions of rows.
    let count_sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM {from} WHERE {w} LIMIT {}) capped",
        COUNT_CAP + 1
    );
    macro_rules! bind_all {
        ($q:expr) => {{
            let mut q = $q;
            if let Some(a) = &f.action {
                q = q.bind(format!("{a}%"));
            }
            if let Some(a) = &f.actor {
                let like = format!("%{}%", a.to_lowercase());
                q = q.bind(like.clone()).bind(like.clone()).bind(like);
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
    Ok((window(f.seek, rows, limit as usize, |e| e.id), total))
}

pub async fn distinct_actions(db: &Db) -> StoreResult<Vec<String>> {
    Ok(
        // One index probe per distinct action (a loose index scan on
        // `audit_log_action`) instead of reading the whole log.
        sqlx::query_scalar(
            "WITH RECURSIVE a(action) AS (SELECT MIN(action) FROM audit_log \
             UNION ALL SELECT (SELECT MIN(l.action) FROM audit_log l WHERE l.action > a.action) FROM a WHERE a.action IS NOT NULL) \
             SELECT action FROM a WHERE action IS NOT NULL ORDER BY action",
        )
            .fetch_all(db.pool())
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> Content {
        Content {
            at: 1_700_000_000,
            actor_account_id: Some(3),
            actor_label: "webb".into(),
            action: "person.read".into(),
            subject_type: "person".into(),
            subject_id: Some(7),
            person_id: Some(7),
            detail: "personkort, \"citat\" och ö".into(),
        }
    }

    #[test]
    fn the_hash_covers_every_field_and_the_link() {
        let base = entry_hash("", &content());
        assert_eq!(base.len(), 64);
        assert_eq!(base, entry_hash("", &content()), "deterministic");
        assert_ne!(base, entry_hash("ab", &content()));
        let changes: Vec<fn(&mut Content)> = vec![
            |c| c.at += 1,
            |c| c.actor_account_id = None,
            |c| c.actor_label.push('x'),
            |c| c.action.push('x'),
            |c| c.subject_type.push('x'),
            |c| c.subject_id = Some(8),
            |c| c.person_id = None,
            |c| c.detail.push('x'),
        ];
        for change in changes {
            let mut c = content();
            change(&mut c);
            assert_ne!(entry_hash("", &c), base);
        }
    }

    #[test]
    fn fields_cannot_be_shifted_into_each_other() {
        // "ab" + "c" and "a" + "bc" must not serialise alike.
        let mut a = content();
        a.action = "ab".into();
        a.subject_type = "c".into();
        let mut b = content();
        b.action = "a".into();
        b.subject_type = "bc".into();
        assert_ne!(entry_hash("", &a), entry_hash("", &b));
    }

    #[test]
    fn long_id_lists_are_cut() {
        assert_eq!(id_list(&[1, 2, 3]), "1, 2, 3");
        let many: Vec<i64> = (1..=600).collect();
        assert!(id_list(&many).ends_with("… och 100 till"));
    }
}
