//! Accounts, manager scopes, login sessions, API tokens and login failures.
//! Secrets (session cookies, API tokens) are stored only as SHA-256 hashes.

use domain::access::{Actor, Role, Scope};
use domain::ids::{AccountId, PersonId};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, Row};

use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{is_unique_violation, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub role: String,
    pub person_id: Option<i64>,
    pub language: String,
    pub active: i64,
    /// 0 when the account's person is marked as left (1 when active or
    /// when the account has no person).
    #[serde(skip)]
    pub person_active: i64,
}

impl Account {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Participant)
    }

    /// Why this account may not sign in or use a token, if it may not:
    /// `inactive_account` (deactivated) or `person_left` (its person is
    /// marked as left). Rule: someone who leaves loses access at once.
    pub fn refusal(&self) -> Option<&'static str> {
        if self.active != 1 {
            Some("inactive_account")
        } else if self.person_active != 1 {
            Some("person_left")
        } else {
            None
        }
    }

    pub fn may_sign_in(&self) -> bool {
        self.refusal().is_none()
    }
}

/// Accounts with whether their person is still active (the `a.` and `p.`
/// prefixes are needed in WHERE clauses).
pub(crate) const SELECT: &str = "SELECT a.id, a.email, a.display_name, a.password_hash, a.role, a.person_id, a.language, a.active, \
     COALESCE(p.active, 1) AS person_active FROM accounts a LEFT JOIN people p ON p.id = a.person_id";

/// A random secret, hex-encoded (256 bits).
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub async fn by_email(db: &Db, email: &str) -> StoreResult<Option<Account>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE a.email = $1"))
        .bind(email.trim().to_lowercase())
        .fetch_optional(db.pool())
        .await?)
}

pub async fn get(db: &Db, id: AccountId) -> StoreResult<Account> {
    sqlx::query_as(&format!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("konto"))
}

// The administrator's paged list of accounts is in `account_list`.
pub async fn scope(db: &Db, account_id: AccountId) -> StoreResult<Scope> {
    let rows =
        sqlx::query("SELECT unit_id, municipality_id FROM account_scopes WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(db.pool())
            .await?;
    let mut s = Scope::default();
    for r in rows {
        if let Some(u) = r.get::<Option<i64>, _>("unit_id") {
            s.unit_ids.push(u);
        }
        if let Some(m) = r.get::<Option<i64>, _>("municipality_id") {
            s.municipality_ids.push(m);
        }
    }
    Ok(s)
}

pub async fn actor(db: &Db, a: &Account) -> StoreResult<Actor> {
    let role = a.role();
    Ok(Actor {
        account_id: a.id,
        role,
        person_id: a.person_id,
        scope: if role == Role::Manager {
            scope(db, AccountId(a.id)).await?
        } else {
            Scope::default()
        },
    })
}

#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub person_id: Option<i64>,
    pub scope: Scope,
}

pub async fn create(db: &Db, who: &Who, a: &NewAccount) -> StoreResult<i64> {
    let email = domain::fields::Email::parse(&a.email)
        .map_err(|m| StoreError::invalid("email", "invalid_email", m))?;
    let name = domain::fields::PersonName::parse(&a.display_name)
        .map_err(|m| StoreError::invalid("name", "invalid_name", m))?;
    let mut tx = db.begin().await?;
    let r = sqlx::query(
        "INSERT INTO accounts (email, display_name, password_hash, role, person_id, language, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'sv', 1, $6) RETURNING id",
    )
    .bind(email.as_str())
    .bind(name.as_str())
    .bind(&a.password_hash)
    .bind(a.role.code())
    .bind(a.person_id)
    .bind(crate::time::now())
    .fetch_one(&mut *tx)
    .await;
    let id: i64 = match r {
        Ok(row) => row.get("id"),
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::invalid(
                "email",
                "duplicate_email",
                format!("Det finns redan ett konto med e-postadressen {email}."),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    insert_scope(&mut tx, id, &a.scope).await?;
    audit::record(
        &mut tx,
        who,
        "account.create",
        "account",
        Some(id),
        a.person_id,
        &format!("roll {}", a.role.code()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_scope(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    scope: &Scope,
) -> StoreResult<()> {
    for u in &scope.unit_ids {
        sqlx::query("INSERT INTO account_scopes (account_id, unit_id) VALUES ($1, $2)")
            .bind(account_id)
            .bind(u)
            .execute(&mut *conn)
            .await?;
    }
    for m in &scope.municipality_ids {
        sqlx::query("INSERT INTO account_scopes (account_id, municipality_id) VALUES ($1, $2)")
            .bind(account_id)
            .bind(m)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn set_password(
    db: &Db,
    who: &Who,
    account_id: AccountId,
    hash: &str,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    // A new password ends every existing login session and API token.
    end_all_sessions(&mut tx, account_id).await?;
    revoke_all_tokens(&mut tx, who, account_id, "nytt lösenord").await?;
    audit::record(
        &mut tx,
        who,
        "account.password",
        "account",
        Some(account_id.get()),
        None,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A person changes their own password (after giving the current one):
/// the account's other sessions end, the one in use (`keep_secret`) stays.
pub async fn change_own_password(
    db: &Db,
    who: &Who,
    account_id: AccountId,
    hash: &str,
    keep_secret: &str,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let ended = sqlx::query("DELETE FROM web_sessions WHERE account_id = $1 AND id_hash <> $2")
        .bind(account_id)
        .bind(hash_secret(keep_secret))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    audit::record(
        &mut tx,
        who,
        "account.password_change",
        "account",
        Some(account_id.get()),
        None,
        &format!("eget lösenord bytt, {ended} andra sessioner avslutade"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_role_and_scope(
    db: &Db,
    who: &Who,
    account_id: AccountId,
    role: Role,
    scope: &Scope,
    active: bool,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE accounts SET role = $1, active = $2 WHERE id = $3")
        .bind(role.code())
        .bind(active as i64)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM account_scopes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    insert_scope(&mut tx, account_id.get(), scope).await?;
    if !active {
        end_all_sessions(&mut tx, account_id).await?;
        revoke_all_tokens(&mut tx, who, account_id, "kontot avstängt").await?;
    }
    audit::record(
        &mut tx,
        who,
        "account.update",
        "account",
        Some(account_id.get()),
        None,
        &format!(
            "roll {}, {}",
            role.code(),
            if active { "aktivt" } else { "avstängt" }
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_language(db: &Db, account_id: AccountId, lang: &str) -> StoreResult<()> {
    sqlx::query("UPDATE accounts SET language = $1 WHERE id = $2")
        .bind(lang)
        .bind(account_id)
        .execute(db.writer())
        .await?;
    Ok(())
}

// Login sessions ---------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct LoginSession {
    pub account: Account,
    pub csrf_token: String,
    pub last_seen_at: i64,
    /// The message left for the next page, if any: (kind, text).
    pub flash: Option<(String, String)>,
}

/// Longest flash message kept.
const MAX_FLASH_CHARS: usize = 1000;

/// Start a session; returns the cookie secret and the CSRF token.
pub async fn create_session(db: &Db, account_id: AccountId) -> StoreResult<(String, String)> {
    let secret = new_secret();
    let csrf = new_secret();
    let now = crate::time::now();
    sqlx::query("INSERT INTO web_sessions (id_hash, account_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)")
        .bind(hash_secret(&secret))
        .bind(account_id)
        .bind(&csrf)
        .bind(now)
        .execute(db.writer())
        .await?;
    Ok((secret, csrf))
}

/// The session for a cookie secret, if it exists, has not been idle
/// longer than `idle_secs` and began at most `max_secs` ago (an absolute
/// lifetime, however active it is). Expired sessions are deleted on sight.
pub async fn session(
    db: &Db,
    secret: &str,
    idle_secs: i64,
    max_secs: i64,
) -> StoreResult<Option<LoginSession>> {
    let h = hash_secret(secret);
    let row = sqlx::query(
        "SELECT account_id, csrf_token, last_seen_at, created_at, flash_kind, flash_text FROM web_sessions WHERE id_hash = $1",
    )
    .bind(&h)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let last: i64 = row.get("last_seen_at");
    let created: i64 = row.get("created_at");
    let now = crate::time::now();
    if now - last > idle_secs || now - created > max_secs {
        end_session(db, secret).await?;
        return Ok(None);
    }
    let account = get(db, row.get("account_id")).await?;
    if !account.may_sign_in() {
        return Ok(None);
    }
    Ok(Some(LoginSession {
        account,
        csrf_token: row.get("csrf_token"),
        last_seen_at: last,
        flash: match (
            row.get::<Option<String>, _>("flash_kind"),
            row.get::<Option<String>, _>("flash_text"),
        ) {
            (Some(k), Some(t)) => Some((k, t)),
            _ => None,
        },
    }))
}

/// Leave a message for the session's next page (replaces any unread one).
pub async fn set_flash(db: &Db, secret: &str, kind: &str, text: &str) -> StoreResult<()> {
    sqlx::query("UPDATE web_sessions SET flash_kind = $1, flash_text = $2 WHERE id_hash = $3")
        .bind(kind)
        .bind(text.chars().take(MAX_FLASH_CHARS).collect::<String>())
        .bind(hash_secret(secret))
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Forget the session's message once a page has shown it.
pub async fn clear_flash(db: &Db, secret: &str) -> StoreResult<()> {
    sqlx::query("UPDATE web_sessions SET flash_kind = NULL, flash_text = NULL WHERE id_hash = $1")
        .bind(hash_secret(secret))
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn touch_session(db: &Db, secret: &str) -> StoreResult<()> {
    sqlx::query("UPDATE web_sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(crate::time::now())
        .bind(hash_secret(secret))
        .execute(db.writer())
        .await?;
    Ok(())
}

/// End every session of the account except the one with `keep_secret`;
/// returns how many ended.
pub async fn end_other_sessions(
    db: &Db,
    account_id: AccountId,
    keep_secret: &str,
) -> StoreResult<u64> {
    Ok(
        sqlx::query("DELETE FROM web_sessions WHERE account_id = $1 AND id_hash <> $2")
            .bind(account_id)
            .bind(hash_secret(keep_secret))
            .execute(db.writer())
            .await?
            .rows_affected(),
    )
}

/// The number of live login sessions of an account.
pub async fn session_count(db: &Db, account_id: AccountId) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM web_sessions WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(db.pool())
            .await?,
    )
}

pub async fn end_session(db: &Db, secret: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
        .bind(hash_secret(secret))
        .execute(db.writer())
        .await?;
    Ok(())
}

// API tokens -------------------------------------------------------------------

/// A token as it is listed: never the secret, which only its creator saw.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct TokenInfo {
    pub id: i64,
    pub account_id: i64,
    pub owner_email: String,
    pub owner_name: String,
    /// What it is for (the `label` column).
    pub name: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub read_only: i64,
    pub revoked_at: Option<i64>,
    pub revoked: i64,
}

impl TokenInfo {
    /// `active`, `expired` or `revoked` at `now`.
    pub fn state(&self, now: i64) -> &'static str {
        if self.revoked != 0 {
            "revoked"
        } else if !domain::tokens::is_usable(now, self.expires_at, false) {
            "expired"
        } else {
            "active"
        }
    }
}

const TOKEN_SELECT: &str = "SELECT t.id, t.account_id, a.email AS owner_email, a.display_name AS owner_name, \
     t.label AS name, t.created_at, t.expires_at, t.last_used_at, t.read_only, t.revoked_at, t.revoked \
     FROM api_tokens t JOIN accounts a ON a.id = t.account_id";

/// Create a personal bearer token with the default expiry (90 days);
/// only its hash is stored. Returns the token.
pub async fn create_token(
    db: &Db,
    who: &Who,
    account_id: AccountId,
    label: &str,
) -> StoreResult<String> {
    let draft = domain::tokens::TokenDraft {
        name: label.to_string(),
        expires_days: Some(domain::tokens::DEFAULT_EXPIRY_DAYS),
        read_only: false,
    };
    Ok(create_token_with(db, who, account_id, &draft).await?.1)
}

/// Create a bearer token as drafted (name, expiry, read-only); only its
/// hash is stored. Returns its id and the token, shown once.
pub async fn create_token_with(
    db: &Db,
    who: &Who,
    account_id: AccountId,
    draft: &domain::tokens::TokenDraft,
) -> StoreResult<(i64, String)> {
    let token = format!("navet_{}", new_secret());
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (account_id, token_hash, label, created_at, expires_at, read_only) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(account_id)
    .bind(hash_secret(&token))
    .bind(&draft.name)
    .bind(now)
    .bind(draft.expires_at(now))
    .bind(draft.read_only as i64)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        who,
        "token.create",
        "token",
        Some(id),
        None,
        &format!(
            "konto {account_id}, {}, {}",
            match draft.expires_days {
                Some(d) => format!("giltig {d} dagar"),
                None => "utan slutdatum".into(),
            },
            if draft.read_only {
                "bara läsa"
            } else {
                "läsa och skriva"
            }
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((id, token))
}

/// Tokens, newest first: one account's, or everyone's.
pub async fn list_tokens(db: &Db, account_id: Option<AccountId>) -> StoreResult<Vec<TokenInfo>> {
    let q = match account_id {
        Some(_) => format!("{TOKEN_SELECT} WHERE t.account_id = $1 ORDER BY t.id DESC"),
        None => format!("{TOKEN_SELECT} ORDER BY t.id DESC"),
    };
    let mut q = sqlx::query_as(&q);
    if let Some(a) = account_id {
        q = q.bind(a);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

pub async fn get_token(db: &Db, id: i64) -> StoreResult<TokenInfo> {
    sqlx::query_as(&format!("{TOKEN_SELECT} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("API-nyckeln"))
}

/// Revoke one token: it stops working with the next request. Revoking a
/// revoked token changes nothing.
pub async fn revoke_token(db: &Db, who: &Who, id: i64) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE api_tokens SET revoked = 1, revoked_at = $1 WHERE id = $2 AND revoked = 0",
    )
    .bind(crate::time::now())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound("API-nyckeln"));
        }
        return Ok(());
    }
    audit::record(&mut tx, who, "token.revoke", "token", Some(id), None, "").await?;
    tx.commit().await?;
    Ok(())
}

/// Revoke every token of an account, inside the caller's transaction
/// (password reset, deactivation, the person marked as left, or any other
/// change that must end the account's API access). Revoked tokens stay
/// revoked: re-activating the account does not bring them back. Returns
/// how many were revoked; writes one audit entry naming `reason` when any
/// were.
pub async fn revoke_all_tokens(
    conn: &mut sqlx::AnyConnection,
    who: &Who,
    account_id: AccountId,
    reason: &str,
) -> StoreResult<u64> {
    let n = revoke_token_rows(conn, account_id.get()).await?;
    record_tokens_revoked(conn, who, account_id, n, reason).await?;
    Ok(n)
}

/// The row change of `revoke_all_tokens`, without its audit entry.
async fn revoke_token_rows(conn: &mut sqlx::AnyConnection, account_id: i64) -> StoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE api_tokens SET revoked = 1, revoked_at = $1 WHERE account_id = $2 AND revoked = 0",
    )
    .bind(crate::time::now())
    .bind(account_id)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// The audit entry of `revoke_all_tokens` (none when nothing was revoked).
pub async fn record_tokens_revoked(
    conn: &mut sqlx::AnyConnection,
    who: &Who,
    account_id: AccountId,
    revoked: u64,
    reason: &str,
) -> StoreResult<()> {
    if revoked > 0 {
        audit::record(
            conn,
            who,
            "token.revoke_all",
            "account",
            Some(account_id.get()),
            None,
            &format!("{revoked} nycklar: {reason}"),
        )
        .await?;
    }
    Ok(())
}

/// End every login session of an account, inside the caller's transaction.
pub async fn end_all_sessions(
    conn: &mut sqlx::AnyConnection,
    account_id: AccountId,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM web_sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Why a person's tokens were revoked when they left, as the audit entry says it.
pub const PERSON_LEFT_REASON: &str = "personen har slutat";

/// The account's part of a person leaving (see `leaving`, which also
/// releases their bookings), without its audit entry: the account (if
/// any) and how many of its tokens were revoked.
pub async fn person_left_rows(
    conn: &mut sqlx::AnyConnection,
    person_id: PersonId,
) -> StoreResult<Option<(i64, u64)>> {
    let account: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE person_id = $1")
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(a) = account else { return Ok(None) };
    let revoked = revoke_token_rows(conn, a).await?;
    end_all_sessions(conn, AccountId(a)).await?;
    Ok(Some((a, revoked)))
}

/// An authenticated bearer token: its account, and what it may do.
#[derive(Debug, Clone)]
pub struct TokenAuth {
    pub token_id: i64,
    pub read_only: bool,
    pub account: Account,
}

/// The account behind a token, if the token is known, not revoked, not
/// expired, its account active and the account's person not marked as
/// left. One query on the API's hot path; "last
/// used" is written at most once a minute per token.
pub async fn authenticate_token(db: &Db, token: &str) -> StoreResult<Option<TokenAuth>> {
    let row = sqlx::query(
        "SELECT a.id, a.email, a.display_name, a.password_hash, a.role, a.person_id, a.language, a.active, \
         COALESCE(p.active, 1) AS person_active, \
         t.id AS token_id, t.read_only, t.expires_at, t.last_used_at \
         FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
         LEFT JOIN people p ON p.id = a.person_id \
         WHERE t.token_hash = $1 AND t.revoked = 0 AND a.active = 1 AND COALESCE(p.active, 1) = 1",
    )
    .bind(hash_secret(token))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let now = crate::time::now();
    let expires_at: Option<i64> = row.try_get("expires_at")?;
    if !domain::tokens::is_usable(now, expires_at, false) {
        return Ok(None);
    }
    let token_id: i64 = row.try_get("token_id")?;
    let last_used: Option<i64> = row.try_get("last_used_at")?;
    if domain::tokens::needs_touch(last_used, now) {
        // Best effort: a failed write must not refuse the request.
        if let Err(e) = sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(token_id)
            .execute(db.writer())
            .await
        {
            tracing::warn!("could not note when token {token_id} was used: {e}");
        }
    }
    Ok(Some(TokenAuth {
        token_id,
        read_only: row.try_get::<i64, _>("read_only")? != 0,
        account: Account::from_row(&row)?,
    }))
}

pub async fn account_for_token(db: &Db, token: &str) -> StoreResult<Option<Account>> {
    Ok(authenticate_token(db, token).await?.map(|t| t.account))
}
