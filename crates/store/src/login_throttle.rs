//! Sign-in attempts counted per account and per client address before the
//! password is checked (the rule itself is `domain::login_limits`). Keys
//! are stored hashed: the table keeps no addresses or e-mails.

use domain::login_limits::{self, Policy, Throttle};
use sqlx::Row;

use crate::accounts::hash_secret;
use crate::db::{Db, Tx};
use crate::error::StoreResult;

/// The stored key for a rate-limit key such as `account:anna@x.se` or
/// `ip:10.0.0.1` (hashed: the table keeps no addresses or e-mails).
fn throttle_key(key: &str) -> String {
    hash_secret(key)
}

async fn lock_throttle(tx: &mut Tx, db: &Db, key: &str) -> StoreResult<Throttle> {
    sqlx::query(
        "INSERT INTO login_throttle (key, failures, last_at, next_at) VALUES ($1, 0, 0, 0) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query(&format!(
        "SELECT failures, last_at, next_at FROM login_throttle WHERE key = $1{}",
        db.for_update()
    ))
    .bind(key)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Throttle {
        failures: row.get("failures"),
        last_at: row.get("last_at"),
        next_at: row.get("next_at"),
    })
}

async fn save_throttle(tx: &mut Tx, key: &str, t: &Throttle) -> StoreResult<()> {
    sqlx::query(
        "UPDATE login_throttle SET failures = $1, last_at = $2, next_at = $3 WHERE key = $4",
    )
    .bind(t.failures)
    .bind(t.last_at)
    .bind(t.next_at)
    .bind(key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Count a sign-in attempt under every key *before* the password is
/// checked, in one transaction that holds the keys' rows, so parallel
/// attempts are decided one after the other. `Ok(Err(t))`: not now; the
/// next attempt is checked from time `t` (nothing is recorded).
pub async fn begin_login_attempt(
    db: &Db,
    keys: &[(&str, Policy)],
    now: i64,
) -> StoreResult<Result<(), i64>> {
    let mut keyed: Vec<(String, Policy)> =
        keys.iter().map(|(k, p)| (throttle_key(k), *p)).collect();
    // One lock order for everyone: no deadlocks between two attempts.
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut tx = db.begin().await?;
    let mut updates = vec![];
    let mut wait_until = None;
    for (key, policy) in &keyed {
        let t = lock_throttle(&mut tx, db, key).await?;
        match login_limits::attempt(t, now, policy) {
            Ok(next) => updates.push((key, next)),
            Err(until) => wait_until = Some(wait_until.unwrap_or(0).max(until)),
        }
    }
    if let Some(until) = wait_until {
        tx.rollback().await?;
        return Ok(Err(until));
    }
    for (key, t) in updates {
        save_throttle(&mut tx, key, &t).await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// The attempt counted by `begin_login_attempt` was right: the account's
/// count starts over, and the attempt is taken back from the other keys
/// (an office's many sign-ins from one address never add up).
pub async fn login_succeeded(
    db: &Db,
    account_key: &str,
    other_keys: &[(&str, Policy)],
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(throttle_key(account_key))
        .execute(&mut *tx)
        .await?;
    for (k, policy) in other_keys {
        let key = throttle_key(k);
        let t = lock_throttle(&mut tx, db, &key).await?;
        save_throttle(&mut tx, &key, &login_limits::succeeded(t, policy)).await?;
    }
    tx.commit().await?;
    Ok(())
}
