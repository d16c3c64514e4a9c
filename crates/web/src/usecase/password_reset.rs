//! "Glömt lösenord": asking for a reset link, and choosing a new password
//! through it, where the link's key is the permission.
//!
//! The answer to a request never says whether the address exists: every
//! request that passes the rate limit gets the same answer, at once, and
//! the lookup, the link and the message are made after the answer (in a
//! task of their own), so neither the words nor the time taken differ.
//! Requests are limited per typed address and per client address (in the
//! database, shared by every instance, with `store::login_throttle`).

use domain::ids::AccountId;
use domain::invitations::{LinkState, RESET_PER_ADDRESS, RESET_PER_CLIENT};
use domain::FieldErrors;
use navet_store::{accounts, login_throttle, password_resets, StoreResult};

use super::invitations::{provider_for, LinkHolder, LinkPassword};
use super::sign_in::{RateLimited, SignIn};

impl SignIn<'_> {
    /// Ask for a reset link for `email` (already checked to be there and
    /// not too long): counted per address and per client first; then the
    /// link is made and sent, if the address is known, after the answer.
    /// `Err` when the limit says not now.
    pub async fn request_password_reset(
        &self,
        email: &str,
    ) -> StoreResult<Result<(), RateLimited>> {
        let email = email.trim().to_lowercase();
        let address_key = format!("reset:{email}");
        let client_key = format!("reset-ip:{}", self.ip);
        let now = navet_store::time::now();
        if let Err(until) = login_throttle::begin_login_attempt(
            self.db(),
            &[
                (&address_key, RESET_PER_ADDRESS),
                (&client_key, RESET_PER_CLIENT),
            ],
            now,
        )
        .await?
        {
            return Ok(Err(RateLimited::new(until, now)));
        }
        // After the answer: the same answer and the same time whether or
        // not the address is known.
        let db = self.db().clone();
        let provider = provider_for(self.s);
        tokio::spawn(async move {
            if let Err(e) = password_resets::request(&db, &email, &provider, now).await {
                tracing::error!("password reset request failed: {e}");
            }
        });
        Ok(Ok(()))
    }

    /// The link's account when the link may be used, or the refusal's
    /// code and the account (when the link is known).
    async fn usable_reset(
        &self,
        key: &str,
        now: i64,
    ) -> StoreResult<Result<LinkHolder, (&'static str, Option<i64>)>> {
        let link = password_resets::link(self.db(), key, now).await?;
        let Some((account_id, name, email)) = link.account else {
            return Ok(Err((link.state.code(), None)));
        };
        if link.state != LinkState::Valid {
            return Ok(Err((link.state.code(), Some(account_id))));
        }
        let account = accounts::get(self.db(), AccountId(account_id)).await?;
        Ok(match account.refusal() {
            Some(code) => Err((code, Some(account_id))),
            None => Ok(LinkHolder { name, email }),
        })
    }

    /// Whom the reset link behind `key` is for, when it may be used; else
    /// the code of why not.
    pub async fn reset_link(&self, key: &str) -> StoreResult<Result<LinkHolder, &'static str>> {
        Ok(self
            .usable_reset(key, navet_store::time::now())
            .await?
            .map_err(|(code, _)| code))
    }

    /// Set a new password through the reset link behind `key`, once
    /// `check` (the policy and its repetition) finds nothing wrong with it
    /// for the account: the link is used up and the account's sessions
    /// end (`store::password_resets::use_link`). A refusal is logged.
    pub async fn reset_password(
        &self,
        key: &str,
        new: String,
        check: impl FnOnce(&LinkHolder) -> FieldErrors,
    ) -> StoreResult<LinkPassword> {
        let now = navet_store::time::now();
        let holder = match self.usable_reset(key, now).await? {
            Ok(x) => x,
            Err((code, account)) => {
                password_resets::record_refusal(self.db(), account, code).await?;
                return Ok(LinkPassword::Refused(code));
            }
        };
        let errors = check(&holder);
        if !errors.is_empty() {
            return Ok(LinkPassword::Invalid { holder, errors });
        }
        let hash = crate::password::hash(new).await;
        Ok(
            match password_resets::use_link(self.db(), key, &hash, now).await? {
                Ok(_) => LinkPassword::Done,
                Err(r) => LinkPassword::Refused(r.code()),
            },
        )
    }
}
