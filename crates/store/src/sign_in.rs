//! Sign-in through a municipality's OpenID provider: the sign-ins under
//! way (between the redirect and the provider's answer), finding the staff
//! record a claim names, and letting the person in — creating their
//! account on the first sign-in — with an audit entry either way.

use domain::ids::AccountId;
use domain::sign_in::{Admit, Candidate, MatchOn, Refusal};
use sqlx::Row;

use crate::accounts::{hash_secret, new_secret};
use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::StoreResult;

/// How long a sign-in may stay at the provider before its answer is refused.
pub const PENDING_MAX_SECS: i64 = 10 * 60;

/// What was sent to the provider, kept until its answer comes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub provider: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
    pub created_at: i64,
}

/// Keep a sign-in under way; returns the secret for the browser's cookie.
pub async fn begin(db: &Db, p: &Pending) -> StoreResult<String> {
    let secret = new_secret();
    let mut tx = db.begin().await?;
    // Old, abandoned sign-ins go as new ones start.
    sqlx::query("DELETE FROM oidc_logins WHERE created_at < $1")
        .bind(p.created_at - PENDING_MAX_SECS)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO oidc_logins (flow_hash, provider, state, nonce, pkce_verifier, next, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hash_secret(&secret))
    .bind(&p.provider)
    .bind(&p.state)
    .bind(&p.nonce)
    .bind(&p.pkce_verifier)
    .bind(&p.next)
    .bind(p.created_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Take (and forget) the sign-in under way for a cookie secret: each can be
/// answered once. `None` when there is none, or it is older than
/// [`PENDING_MAX_SECS`] at `now`.
pub async fn take(db: &Db, secret: &str, now: i64) -> StoreResult<Option<Pending>> {
    let h = hash_secret(secret);
    let mut tx = db.begin().await?;
    let row = sqlx::query(
        "SELECT provider, state, nonce, pkce_verifier, next, created_at FROM oidc_logins WHERE flow_hash = $1",
    )
    .bind(&h)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let deleted = sqlx::query("DELETE FROM oidc_logins WHERE flow_hash = $1")
        .bind(&h)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    let p = Pending {
        provider: row.get("provider"),
        state: row.get("state"),
        nonce: row.get("nonce"),
        pkce_verifier: row.get("pkce_verifier"),
        next: row.get("next"),
        created_at: row.get("created_at"),
    };
    // Two answers racing for one sign-in: only the one that deleted it wins.
    if deleted == 0 || now - p.created_at > PENDING_MAX_SECS {
        return Ok(None);
    }
    Ok(Some(p))
}

/// The staff record a claim value names. E-mail addresses are compared
/// without regard to case; an employee number is looked for in the
/// provider's municipality first (numbers are unique per municipality).
/// The account is the one linked to the person, or an unlinked account
/// with the person's address (made by hand before the provider was used).
pub async fn find(
    db: &Db,
    match_on: MatchOn,
    value: &str,
    municipality: &str,
) -> StoreResult<Option<Candidate>> {
    let value = match_on.normalise(value);
    if value.is_empty() {
        return Ok(None);
    }
    let cond = match match_on {
        MatchOn::Email => "LOWER(p.email) = $1",
        MatchOn::EmployeeNo => "p.employee_no = $1",
    };
    let row = sqlx::query(&format!(
        "SELECT p.id AS person_id, m.name AS municipality, p.active, \
           (SELECT a.id FROM accounts a WHERE a.person_id = p.id OR (a.person_id IS NULL AND a.email = LOWER(p.email)) ORDER BY a.person_id IS NULL, a.id LIMIT 1) AS account_id \
         FROM people p JOIN municipalities m ON m.id = p.municipality_id \
         WHERE {cond} \
         ORDER BY CASE WHEN LOWER(m.name) = $2 THEN 0 ELSE 1 END, p.id LIMIT 1"
    ))
    .bind(&value)
    .bind(municipality.trim().to_lowercase())
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let account_id: Option<i64> = row.get("account_id");
    let account = match account_id {
        Some(id) => {
            let active: i64 = sqlx::query_scalar("SELECT active FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_one(db.pool())
                .await?;
            Some((id, active == 1))
        }
        None => None,
    };
    Ok(Some(Candidate {
        person_id: row.get("person_id"),
        municipality: row.get("municipality"),
        left: row.get::<i64, _>("active") != 1,
        account,
    }))
}

/// A successful sign-in through `provider`: the account to sign in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub account_id: i64,
    /// The account was made now (first sign-in).
    pub created: bool,
}

/// Decide (`domain::sign_in::admit`) and act, in one transaction: on a
/// first sign-in the account is made with the participant role and linked
/// to the person; an existing account keeps its role. Writes
/// `login.oidc` (and `account.create`) to the audit log, or `login.failed`
/// with the refusal's reason code.
pub async fn admit(
    db: &Db,
    provider_id: &str,
    provider_municipality: &str,
    found: Option<&Candidate>,
) -> StoreResult<Result<Admitted, Refusal>> {
    let who = Who::system(&format!("inloggning via {provider_id}"));
    let decision = domain::sign_in::admit(provider_municipality, found);
    let mut tx = db.begin().await?;
    let result = match decision {
        Err(r) => {
            audit::record(
                &mut tx,
                &who,
                "login.failed",
                "account",
                found.and_then(|c| c.account.map(|a| a.0)),
                found.map(|c| c.person_id),
                &format!("{} ({provider_id})", r.code()),
            )
            .await?;
            Err(r)
        }
        Ok(Admit::Existing(id)) => {
            // An account made by hand with the person's address is linked now.
            let person = found.map(|c| c.person_id);
            sqlx::query("UPDATE accounts SET person_id = $1 WHERE id = $2 AND person_id IS NULL")
                .bind(person)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            Ok(Admitted {
                account_id: id,
                created: false,
            })
        }
        Ok(Admit::Create(person_id)) => {
            let row = sqlx::query("SELECT LOWER(email) AS email, name FROM people WHERE id = $1")
                .bind(person_id)
                .fetch_one(&mut *tx)
                .await?;
            let email: String = row.get("email");
            let name: String = row.get("name");
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO accounts (email, display_name, password_hash, role, person_id, language, active, created_at) \
                 VALUES ($1, $2, NULL, 'participant', $3, 'sv', 1, $4) RETURNING id",
            )
            .bind(&email)
            .bind(&name)
            .bind(person_id)
            .bind(crate::time::now())
            .fetch_one(&mut *tx)
            .await?;
            audit::record(
                &mut tx,
                &who,
                "account.create",
                "account",
                Some(id),
                Some(person_id),
                "roll participant (första inloggningen)",
            )
            .await?;
            Ok(Admitted {
                account_id: id,
                created: true,
            })
        }
    };
    if let Ok(a) = &result {
        audit::record(
            &mut tx,
            &who,
            "login.oidc",
            "account",
            Some(a.account_id),
            found.map(|c| c.person_id),
            provider_id,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(result)
}

/// Start a login session signed in through `provider`, keeping the ID
/// token as the hint for the provider's end-session endpoint. Returns the
/// cookie secret.
pub async fn create_session(
    db: &Db,
    account_id: AccountId,
    provider: &str,
    id_token: &str,
) -> StoreResult<String> {
    let secret = new_secret();
    let now = crate::time::now();
    sqlx::query(
        "INSERT INTO web_sessions (id_hash, account_id, csrf_token, created_at, last_seen_at, provider, id_token) \
         VALUES ($1, $2, $3, $4, $4, $5, $6)",
    )
    .bind(hash_secret(&secret))
    .bind(account_id)
    .bind(new_secret())
    .bind(now)
    .bind(provider)
    .bind(id_token)
    .execute(db.writer())
    .await?;
    Ok(secret)
}

/// The provider a session was signed in through, and its ID token.
pub async fn session_provider(db: &Db, secret: &str) -> StoreResult<Option<(String, String)>> {
    let row = sqlx::query("SELECT provider, id_token FROM web_sessions WHERE id_hash = $1")
        .bind(hash_secret(secret))
        .fetch_optional(db.pool())
        .await?;
    Ok(row.and_then(|r| {
        match (
            r.get::<Option<String>, _>("provider"),
            r.get::<Option<String>, _>("id_token"),
        ) {
            (Some(p), Some(t)) => Some((p, t)),
            _ => None,
        }
    }))
}

/// A refused answer from the provider (bad state, bad token, provider
/// down…), written to the audit log with its reason.
pub async fn record_failure(db: &Db, provider_id: &str, reason: &str) -> StoreResult<()> {
    audit::record_login_failure(db, None, &format!("{reason} ({provider_id})")).await
}
