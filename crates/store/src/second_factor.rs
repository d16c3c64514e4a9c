//! The second factor after a password (TOTP and recovery codes; the rules
//! are `domain::second_factor`): the password sign-ins waiting for their
//! code, setting up the app, completing a sign-in, and an administrator's
//! reset. A sign-in waiting for its code is not a login session: it lives
//! in `second_factor_logins` under its own cookie, and only the code step
//! reads it; the login session is made in the transaction that accepts the
//! code, which also spends the code (its time step, or the recovery code),
//! so a code counts once even when two requests race.

use domain::ids::AccountId;
use domain::second_factor::{self as rules, RECOVERY_ALPHABET, RECOVERY_CODES, RECOVERY_LEN};
use rand::{Rng, RngCore};
use sqlx::{AnyConnection, Row};

use crate::accounts::{self, hash_secret, new_secret as new_cookie_secret};
use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::{is_unique_violation, StoreResult};

/// How long a password sign-in may wait for its code (or for the app to be
/// set up) before it must start over.
pub const PENDING_MAX_SECS: i64 = 15 * 60;

/// An account's second factor as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    /// Base32.
    pub secret: String,
    /// The time step of the last code accepted (0: none yet).
    pub last_step: i64,
    pub enrolled_at: i64,
}

pub async fn factor(db: &Db, account_id: AccountId) -> StoreResult<Option<Factor>> {
    let row = sqlx::query(
        "SELECT secret, last_step, enrolled_at FROM second_factors WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| Factor {
        secret: r.get("secret"),
        last_step: r.get("last_step"),
        enrolled_at: r.get("enrolled_at"),
    }))
}

/// What the administrator's account page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub enrolled_at: i64,
    pub recovery_left: i64,
}

pub async fn status(db: &Db, account_id: AccountId) -> StoreResult<Option<Status>> {
    let Some(f) = factor(db, account_id).await? else {
        return Ok(None);
    };
    let left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(db.pool())
    .await?;
    Ok(Some(Status {
        enrolled_at: f.enrolled_at,
        recovery_left: left,
    }))
}

/// A new random secret (160 bits), base32.
pub fn new_secret() -> String {
    let mut b = [0u8; rules::SECRET_BYTES];
    rand::rng().fill_bytes(&mut b);
    rules::encode_secret(&b)
}

/// Ten new recovery codes, each character drawn uniformly.
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let idx: Vec<usize> = (0..RECOVERY_LEN)
                .map(|_| rng.random_range(0..RECOVERY_ALPHABET.len()))
                .collect();
            rules::recovery_from_indices(&idx)
        })
        .collect()
}

// Sign-ins waiting for their code ---------------------------------------------------

/// A password that was right, waiting for the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogin {
    pub account_id: i64,
    /// The secret being set up (the account has none yet), else `None`.
    pub enrol_secret: Option<String>,
    /// Where to go once signed in (already checked to be a local path).
    pub next: String,
    /// "Log out my other sessions" was ticked.
    pub end_others: bool,
    pub created_at: i64,
}

/// Keep a sign-in waiting for its code; returns the secret for its cookie.
pub async fn begin(db: &Db, p: &PendingLogin) -> StoreResult<String> {
    let secret = new_cookie_secret();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM second_factor_logins WHERE created_at < $1")
        .bind(p.created_at - PENDING_MAX_SECS)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO second_factor_logins (flow_hash, account_id, enrol_secret, next, end_others, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash_secret(&secret))
    .bind(p.account_id)
    .bind(&p.enrol_secret)
    .bind(&p.next)
    .bind(p.end_others as i64)
    .bind(p.created_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// The sign-in waiting under a cookie secret, if it is younger than
/// [`PENDING_MAX_SECS`] at `now` (several codes may be tried on it; the
/// attempt limit is `login_throttle`'s).
pub async fn pending(db: &Db, secret: &str, now: i64) -> StoreResult<Option<PendingLogin>> {
    let row = sqlx::query(
        "SELECT account_id, enrol_secret, next, end_others, created_at FROM second_factor_logins WHERE flow_hash = $1",
    )
    .bind(hash_secret(secret))
    .fetch_optional(db.pool())
    .await?;
    Ok(row
        .map(|r| PendingLogin {
            account_id: r.get("account_id"),
            enrol_secret: r.get("enrol_secret"),
            next: r.get("next"),
            end_others: r.get::<i64, _>("end_others") != 0,
            created_at: r.get("created_at"),
        })
        .filter(|p| now - p.created_at <= PENDING_MAX_SECS))
}

/// Forget a waiting sign-in ("Avbryt", or logging out).
pub async fn cancel(db: &Db, secret: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM second_factor_logins WHERE flow_hash = $1")
        .bind(hash_secret(secret))
        .execute(db.writer())
        .await?;
    Ok(())
}

// Completing a sign-in -------------------------------------------------------------

/// What proves the second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// A code from the app, right for this time step.
    Step(i64),
    /// A recovery code, normalised (`xxxx-xxxx-xxxx`).
    Recovery(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Signed in: the login session's cookie secret, and how many recovery
    /// codes are left when one was used.
    SignedIn {
        session_secret: String,
        recovery_left: Option<i64>,
    },
    /// The code's time step was used already (or a later one was).
    Replayed,
    /// No unused recovery code of the account matches.
    UnknownRecoveryCode,
    /// The waiting sign-in is gone (answered already, cancelled, too old).
    Expired,
    /// Setting up: the account got a second factor meanwhile.
    AlreadyEnrolled,
}

/// Insert a login session inside the caller's transaction; returns the
/// cookie secret. Ends the account's other sessions when asked.
async fn start_session(
    conn: &mut AnyConnection,
    account_id: i64,
    end_others: bool,
) -> StoreResult<String> {
    if end_others {
        accounts::end_all_sessions(conn, AccountId(account_id)).await?;
    }
    let secret = new_cookie_secret();
    sqlx::query(
        "INSERT INTO web_sessions (id_hash, account_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(hash_secret(&secret))
    .bind(account_id)
    .bind(new_cookie_secret())
    .bind(crate::time::now())
    .execute(&mut *conn)
    .await?;
    Ok(secret)
}

/// The waiting sign-in is taken (only once: the row is deleted).
async fn take_pending(
    conn: &mut AnyConnection,
    flow_secret: &str,
    account_id: i64,
) -> StoreResult<bool> {
    Ok(sqlx::query(
        "DELETE FROM second_factor_logins WHERE flow_hash = $1 AND account_id = $2 AND created_at >= $3",
    )
    .bind(hash_secret(flow_secret))
    .bind(account_id)
    .bind(crate::time::now() - PENDING_MAX_SECS)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

fn who(account_id: i64) -> Who {
    Who {
        account_id: Some(account_id),
        label: "webb".into(),
    }
}

/// Finish a password sign-in with its second factor, in one transaction:
/// spend the proof (a time step later than the last one used, or an unused
/// recovery code), take the waiting sign-in, start the login session and
/// write `login.password` to the audit log. Nothing changes unless all of
/// it succeeds.
pub async fn complete(
    db: &Db,
    flow_secret: &str,
    account_id: AccountId,
    proof: &Proof,
    end_others: bool,
) -> StoreResult<Outcome> {
    let mut tx = db.begin().await?;
    let (detail, recovery_left) = match proof {
        Proof::Step(step) => {
            let n = sqlx::query(
                "UPDATE second_factors SET last_step = $1 WHERE account_id = $2 AND last_step < $1",
            )
            .bind(step)
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                tx.rollback().await?;
                return Ok(Outcome::Replayed);
            }
            ("lösenord och kod från app".to_string(), None)
        }
        Proof::Recovery(code) => {
            let n = sqlx::query(
                "UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
            )
            .bind(crate::time::now())
            .bind(account_id)
            .bind(hash_secret(code))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                tx.rollback().await?;
                return Ok(Outcome::UnknownRecoveryCode);
            }
            let left: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
            )
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
            (format!("lösenord och reservkod, {left} kvar"), Some(left))
        }
    };
    if !take_pending(&mut tx, flow_secret, account_id.get()).await? {
        tx.rollback().await?;
        return Ok(Outcome::Expired);
    }
    let session_secret = start_session(&mut tx, account_id.get(), end_others).await?;
    audit::record(
        &mut tx,
        &who(account_id.get()),
        "login.password",
        "account",
        Some(account_id.get()),
        None,
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::SignedIn {
        session_secret,
        recovery_left,
    })
}

/// Set up the app with its first code and sign in, in one transaction:
/// the waiting sign-in (which holds `secret`) is taken, the factor stored
/// with the code's time step as used, the recovery codes stored hashed,
/// the login session started; `second_factor.enrol` and `login.password`
/// go to the audit log.
pub async fn enrol(
    db: &Db,
    flow_secret: &str,
    account_id: AccountId,
    secret: &str,
    step: i64,
    recovery_codes: &[String],
) -> StoreResult<Outcome> {
    let mut tx = db.begin().await?;
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT end_others, created_at FROM second_factor_logins WHERE flow_hash = $1 AND account_id = $2 AND enrol_secret = $3",
    )
    .bind(hash_secret(flow_secret))
    .bind(account_id)
    .bind(secret)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((end_others, _)) = row else {
        tx.rollback().await?;
        return Ok(Outcome::Expired);
    };
    if !take_pending(&mut tx, flow_secret, account_id.get()).await? {
        tx.rollback().await?;
        return Ok(Outcome::Expired);
    }
    let now = crate::time::now();
    let inserted = sqlx::query(
        "INSERT INTO second_factors (account_id, secret, last_step, enrolled_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(account_id)
    .bind(secret)
    .bind(step)
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            tx.rollback().await?;
            return Ok(Outcome::AlreadyEnrolled);
        }
        Err(e) => return Err(e.into()),
    }
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    for code in recovery_codes {
        sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
            .bind(account_id)
            .bind(hash_secret(code))
            .execute(&mut *tx)
            .await?;
    }
    let session_secret = start_session(&mut tx, account_id.get(), end_others != 0).await?;
    audit::record(
        &mut tx,
        &who(account_id.get()),
        "second_factor.enrol",
        "account",
        Some(account_id.get()),
        None,
        &format!("app inställd, {} reservkoder", recovery_codes.len()),
    )
    .await?;
    audit::record(
        &mut tx,
        &who(account_id.get()),
        "login.password",
        "account",
        Some(account_id.get()),
        None,
        "lösenord och kod från app (första gången)",
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::SignedIn {
        session_secret,
        recovery_left: None,
    })
}

/// A refused code, written to the audit log with its reason
/// (`wrong_code`, `replayed_code`, `wrong_recovery_code`,
/// `rate_limited_code`, `second_factor_expired`).
pub async fn record_failure(db: &Db, account_id: AccountId, reason: &str) -> StoreResult<()> {
    audit::record_login_failure(db, Some(account_id), reason).await
}

/// An administrator (or the command line) removes an account's second
/// factor — the phone was lost — so it is set up again at the next
/// sign-in: the secret, its recovery codes and any sign-in waiting for a
/// code go, and the account's login sessions end, in one transaction with
/// a `second_factor.reset` audit entry. Returns whether there was one.
pub async fn reset(db: &Db, who: &Who, account_id: AccountId) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
    let had = sqlx::query("DELETE FROM second_factors WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        > 0;
    let codes = sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM second_factor_logins WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    if !had {
        tx.rollback().await?;
        return Ok(false);
    }
    accounts::end_all_sessions(&mut tx, account_id).await?;
    audit::record(
        &mut tx,
        who,
        "second_factor.reset",
        "account",
        Some(account_id.get()),
        None,
        &format!("app och {codes} reservkoder borttagna, sessioner avslutade"),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
