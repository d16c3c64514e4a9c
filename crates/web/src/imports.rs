//! What every upload page does around reading a file (the reading itself is
//! `domain::tabular`, run off the runtime by `navet_store::offload`): one
//! import at a time per account, held in the database so it holds across
//! instances, and a Swedish refusal for a body past the size limit.

use axum::extract::multipart::MultipartError;
use domain::ids::AccountId;
use navet_store::imports::{self as store, ImportLock};
use navet_store::{Db, StoreResult};

use crate::ctx::Ctx;
use crate::error::AppError;

/// The account's import lock while a file is read and imported. Give it
/// back with [`Held::release`]; if a request ends early (an error), it is
/// given back when dropped.
pub struct Held {
    db: Db,
    lock: Option<ImportLock>,
}

impl Held {
    pub async fn release(mut self) {
        if let Some(lock) = self.lock.take() {
            if let Err(e) = store::unlock(&self.db, lock).await {
                tracing::error!("giving back an import lock: {e}");
            }
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(lock) = self.lock.take() {
            let db = self.db.clone();
            tokio::spawn(async move {
                let _ = store::unlock(&db, lock).await;
            });
        }
    }
}

/// Take the account's import lock; `None` when the account already has an
/// import running.
pub async fn lock(db: &Db, account_id: i64, kind: &str) -> StoreResult<Option<Held>> {
    Ok(store::try_lock(db, AccountId(account_id), kind)
        .await?
        .map(|lock| Held {
            db: db.clone(),
            lock: Some(lock),
        }))
}

/// A multipart body that could not be read: past the size limit it is a
/// clear refusal, not the framework's English text.
pub fn body_error(c: &Ctx, e: MultipartError) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::BadRequest(c.t("import.too_large").into())
    } else {
        AppError::BadRequest(e.body_text())
    }
}

/// The uploaded file's name as shown back: short, whatever was sent.
pub fn shown_name(name: &str) -> String {
    domain::tabular::excerpt(name)
}
