//! "Glömt lösenord": a single-use link, valid 1 hour, sent through the
//! outbox to an account's address. Only the link's hash is stored; a new
//! request replaces the account's unused link. A disabled account, or one
//! whose person is marked as left, gets no link and cannot use one. Using a
//! link sets the password and ends every login session of the account.
//! Whoever asks is never told whether the address exists (the web layer
//! gives the same answer either way); the audit log records what happened.

use domain::ids::PersonId;
use domain::invitations::{self as rules, LinkState, ResetRefusal};
use sqlx::{AnyConnection, Row};

use crate::accounts::{hash_secret, new_secret};
use crate::audit::{self, Who};
use crate::db::Db;
use crate::error::StoreResult;

/// Used and expired links are kept this long (to tell "already used" from
/// "unknown"), then deleted with the next request.
const KEEP_OLD_SECS: i64 = 7 * 86_400;

fn who() -> Who {
    Who::system("webb (glömt lösenord)")
}

/// (account id, display name, e-mail, person id, municipality name,
/// account active, person still employed) for an address.
type AccountRow = (i64, String, String, Option<i64>, Option<String>, bool, bool);

async fn account_by_email(
    conn: &mut AnyConnection,
    email: &str,
) -> StoreResult<Option<AccountRow>> {
    let row = sqlx::query(
        "SELECT a.id, a.display_name, a.email, a.person_id, m.name AS municipality, a.active, COALESCE(p.active, 1) AS person_active \
         FROM accounts a LEFT JOIN people p ON p.id = a.person_id \
         LEFT JOIN municipalities m ON m.id = p.municipality_id WHERE a.email = $1",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| {
        (
            r.get("id"),
            r.get("display_name"),
            r.get("email"),
            r.get("person_id"),
            r.get("municipality"),
            r.get::<i64, _>("active") == 1,
            r.get::<i64, _>("person_active") == 1,
        )
    }))
}

/// A reset asked for `email`: when the account may have one, its unused
/// link is replaced by a new one and the message is queued, in one
/// transaction. Either way one audit entry says what happened (the
/// account's id when the address matched one; never the address typed).
/// `provider_for` gives the provider label of a municipality that signs in
/// through its own provider (the message mentions it).
pub async fn request(
    db: &Db,
    email: &str,
    provider_for: &(dyn Fn(&str) -> Option<String> + Sync),
    now: i64,
) -> StoreResult<Result<i64, ResetRefusal>> {
    let mut tx = db.begin().await?;
    let found = account_by_email(&mut tx, email).await?;
    if let Err(refusal) = rules::may_reset(found.as_ref().map(|a| (a.5, a.6))) {
        audit::record(
            &mut tx,
            &who(),
            "password_reset.refused",
            "account",
            found.as_ref().map(|a| a.0),
            found.as_ref().and_then(|a| a.3),
            refusal.code(),
        )
        .await?;
        tx.commit().await?;
        return Ok(Err(refusal));
    }
    let Some((account, name, address, person, municipality, _, _)) = found else {
        return Ok(Err(ResetRefusal::UnknownAddress));
    };
    sqlx::query(
        "DELETE FROM password_resets WHERE (account_id = $1 AND used_at IS NULL) OR expires_at < $2",
    )
    .bind(account)
    .bind(now - KEEP_OLD_SECS)
    .execute(&mut *tx)
    .await?;
    let key = new_secret();
    let expires_at = now + rules::RESET_VALID_SECS;
    sqlx::query(
        "INSERT INTO password_resets (account_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(account)
    .bind(hash_secret(&key))
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    let provider = municipality.as_deref().and_then(provider_for);
    let (subject, body) =
        rules::reset_mail(db.sender(), &name, &key, provider.as_deref(), expires_at);
    crate::outbox::enqueue_text(
        &mut tx,
        "password_reset",
        &address,
        person.map(PersonId),
        &subject,
        &body,
    )
    .await?;
    audit::record(
        &mut tx,
        &who(),
        "password_reset.request",
        "account",
        Some(account),
        person,
        &format!("länk giltig till {}", rules::until_sv(expires_at)),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(account))
}

/// A reset link as its holder sees it: its state, and the account's
/// (id, name, e-mail) when the link is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub state: LinkState,
    pub account: Option<(i64, String, String)>,
}

pub async fn link(db: &Db, key: &str, now: i64) -> StoreResult<Link> {
    let row = sqlx::query(
        "SELECT r.expires_at, r.used_at, a.id, a.display_name, a.email FROM password_resets r \
         JOIN accounts a ON a.id = r.account_id WHERE r.token_hash = $1",
    )
    .bind(hash_secret(key))
    .fetch_optional(db.pool())
    .await?;
    Ok(match row {
        None => Link {
            state: LinkState::Unknown,
            account: None,
        },
        Some(r) => Link {
            state: LinkState::of(now, Some((r.get("expires_at"), r.get("used_at")))),
            account: Some((r.get("id"), r.get("display_name"), r.get("email"))),
        },
    })
}

/// Why a reset link could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Link(LinkState),
    Account(ResetRefusal),
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Link(s) => s.code(),
            Refusal::Account(r) => r.code(),
        }
    }
}

/// Use a reset link with a new password (already checked and hashed), in
/// one transaction: the link is used up (with the account's other unused
/// links), the password set, and every login session of the account ends.
/// Returns the account; a refusal changes nothing but is logged.
pub async fn use_link(
    db: &Db,
    key: &str,
    password_hash: &str,
    now: i64,
) -> StoreResult<Result<i64, Refusal>> {
    let mut tx = db.begin().await?;
    let row = sqlx::query(&format!(
        "SELECT r.id, r.account_id, r.expires_at, r.used_at, a.active, COALESCE(p.active, 1) AS person_active, a.person_id \
         FROM password_resets r JOIN accounts a ON a.id = r.account_id \
         LEFT JOIN people p ON p.id = a.person_id WHERE r.token_hash = $1{}",
        match db.engine() {
            crate::Engine::Postgres => " FOR UPDATE OF r",
            crate::Engine::Sqlite => "",
        }
    ))
    .bind(hash_secret(key))
    .fetch_optional(&mut *tx)
    .await?;
    let refused = |r: Refusal, account: Option<i64>, person: Option<i64>| async move {
        audit::record_alone(
            db,
            &who(),
            "password_reset.refused",
            "account",
            account,
            person,
            r.code(),
        )
        .await?;
        StoreResult::Ok(Err(r))
    };
    let Some(row) = row else {
        tx.rollback().await?;
        return refused(Refusal::Link(LinkState::Unknown), None, None).await;
    };
    let account: i64 = row.get("account_id");
    let person: Option<i64> = row.get("person_id");
    let state = LinkState::of(now, Some((row.get("expires_at"), row.get("used_at"))));
    if state != LinkState::Valid {
        tx.rollback().await?;
        return refused(Refusal::Link(state), Some(account), person).await;
    }
    if let Err(r) = rules::may_reset(Some((
        row.get::<i64, _>("active") == 1,
        row.get::<i64, _>("person_active") == 1,
    ))) {
        tx.rollback().await?;
        return refused(Refusal::Account(r), Some(account), person).await;
    }
    sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(account)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(account)
        .execute(&mut *tx)
        .await?;
    let ended = sqlx::query("DELETE FROM web_sessions WHERE account_id = $1")
        .bind(account)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    audit::record(
        &mut tx,
        &Who {
            account_id: Some(account),
            label: "webb (glömt lösenord)".into(),
        },
        "password_reset.use",
        "account",
        Some(account),
        person,
        &format!("nytt lösenord, {ended} inloggningar avslutade"),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(account))
}

/// Log a refused attempt to use a reset link (`code` as [`Refusal::code`]
/// gives it); nothing else changes.
pub async fn record_refusal(db: &Db, account: Option<i64>, code: &str) -> StoreResult<()> {
    audit::record_alone(
        db,
        &who(),
        "password_reset.refused",
        "account",
        account,
        None,
        code,
    )
    .await
}
