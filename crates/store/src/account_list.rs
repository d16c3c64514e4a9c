//! The administrator's list of accounts: Swedish name order and search in
//! the database (`name_key`, `search_key`, migration 1040), a role filter,
//! and keyset pages, so a nation's accounts cost what a county's do.

use domain::access::Role;
use domain::ids::AccountId;

use crate::accounts::{Account, SELECT};
use crate::db::Db;
use crate::error::StoreResult;

/// What the administrator's account list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Part of the name or e-mail address, in any case, å ä ö included.
    pub query: Option<String>,
    pub role: Option<Role>,
}

impl Search {
    /// The WHERE clause (with `$1` the pattern, then `$2` the role, as
    /// present) and the pattern.
    fn conditions(&self) -> (Vec<String>, Option<String>) {
        let mut conds = vec![];
        let pattern = self
            .query
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .and_then(domain::collation::contains_pattern);
        let mut n = 0;
        if pattern.is_some() {
            n += 1;
            conds.push(format!("a.search_key LIKE ${n} ESCAPE '\\'"));
        }
        if self.role.is_some() {
            n += 1;
            conds.push(format!("a.role = ${n}"));
        }
        (conds, pattern)
    }

    fn where_clause(conds: &[String]) -> String {
        if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        }
    }
}

/// One page of accounts in Swedish name order, starting after the account
/// `after` (keyset pagination on `name_key, id`: a page costs the same
/// wherever it is in a nation's accounts), and the id to continue after
/// when there are more.
pub async fn page(
    db: &Db,
    search: &Search,
    after: Option<AccountId>,
    limit: i64,
) -> StoreResult<(Vec<Account>, Option<i64>)> {
    let (mut conds, pattern) = search.conditions();
    let after_param = format!("${}", conds.len() + 1);
    if after.is_some() {
        conds.push(format!(
            "(a.name_key, a.id) > ((SELECT name_key FROM accounts WHERE id = {after_param}), {after_param})"
        ));
    }
    let limit = limit.clamp(1, 1000);
    let sql = format!(
        "{SELECT}{} ORDER BY a.name_key, a.id LIMIT {}",
        Search::where_clause(&conds),
        limit + 1
    );
    let mut q = sqlx::query_as::<_, Account>(&sql);
    if let Some(p) = pattern {
        q = q.bind(p);
    }
    if let Some(r) = search.role {
        q = q.bind(r.code());
    }
    if let Some(a) = after {
        q = q.bind(a);
    }
    let mut v = q.fetch_all(db.pool()).await?;
    let next = if v.len() as i64 > limit {
        v.truncate(limit as usize);
        v.last().map(|a| a.id)
    } else {
        None
    };
    Ok((v, next))
}

/// How many accounts match, counting at most `cap`.
pub async fn count(db: &Db, search: &Search, cap: i64) -> StoreResult<i64> {
    let (conds, pattern) = search.conditions();
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM accounts a{} LIMIT {}) capped",
        Search::where_clause(&conds),
        cap.max(0)
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    if let Some(p) = pattern {
        q = q.bind(p);
    }
    if let Some(r) = search.role {
        q = q.bind(r.code());
    }
    Ok(q.fetch_one(db.pool()).await?)
}
