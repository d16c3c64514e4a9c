//! The second step of a password sign-in: the code from an authenticator
//! app (TOTP) or a recovery code, and setting up the app the first time;
//! and an administrator's reset of another account's second factor.
//! Who must give one is `domain::second_factor::after_password`.
//!
//! A right password for such an account starts no login session: it
//! leaves a sign-in waiting for its code (`store::second_factor`), whose
//! secret the handler keeps in a short-lived cookie. Codes are counted by
//! the same attempt limit as passwords (per account and per address).

use domain::access::Action;
use domain::ids::AccountId;
use domain::login_limits::{PER_ACCOUNT, PER_ADDRESS};
use domain::second_factor::{self as rules, AfterPassword, Generator, Input, Verdict};
use navet_store::accounts::{self, Account};
use navet_store::second_factor::{self as store, Outcome, PendingLogin, Proof};
use navet_store::{login_throttle, StoreError, StoreResult};

use super::sign_in::{RateLimited, SignIn};
use super::UseCase;

/// A sign-in waiting for its code: its secret, what it waits with, and
/// its account (still allowed to sign in).
#[derive(Debug)]
pub struct Waiting {
    pub flow: String,
    pub pending: PendingLogin,
    pub account: Account,
}

/// Why a code was not taken; the waiting sign-in goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefused {
    RateLimited(RateLimited),
    /// Setting up: not a right code from the app.
    WrongEnrolCode,
    /// The code's time step was used already.
    Replayed,
    /// A wrong code, or no unused recovery code matches.
    Wrong,
}

/// How a code ended.
#[derive(Debug)]
pub enum Step {
    /// No sign-in waits (any more): start over from the login form.
    StartOver,
    /// Not taken: the form again, for this waiting sign-in.
    Again { waiting: Waiting, why: CodeRefused },
    /// Signed in. `codes` are new recovery codes to show once (after
    /// setting up); `recovery_left` is set when a recovery code was used.
    SignedIn {
        session_secret: String,
        codes: Vec<String>,
        recovery_left: Option<i64>,
        next: String,
    },
}

fn generator(secret: &str, account: &Account) -> StoreResult<Generator> {
    Generator::new(secret, &account.email).map_err(|e| StoreError::Other(anyhow::anyhow!(e)))
}

impl SignIn<'_> {
    /// After a right password: when the account must give a code (or set
    /// up the app first), the secret of the sign-in now waiting for it;
    /// `None` when the password was enough.
    pub(super) async fn begin_second_step(
        &self,
        account: &Account,
        next: &str,
        end_others: bool,
    ) -> StoreResult<Option<String>> {
        let enrolled = store::factor(self.db(), AccountId(account.id))
            .await?
            .is_some();
        let enrol_secret = match rules::after_password(account.role(), enrolled) {
            AfterPassword::SignedIn => return Ok(None),
            AfterPassword::Code => None,
            AfterPassword::Enrol => Some(store::new_secret()),
        };
        let secret = store::begin(
            self.db(),
            &PendingLogin {
                account_id: account.id,
                enrol_secret,
                next: next.to_string(),
                end_others,
                created_at: navet_store::time::now(),
            },
        )
        .await?;
        Ok(Some(secret))
    }

    /// The sign-in waiting under `flow` (the browser's cookie), if any
    /// and if its account may still sign in (else it is dropped).
    pub async fn waiting(&self, flow: Option<&str>) -> StoreResult<Option<Waiting>> {
        let Some(flow) = flow else {
            return Ok(None);
        };
        let Some(pending) = store::pending(self.db(), flow, navet_store::time::now()).await? else {
            return Ok(None);
        };
        let account = accounts::get(self.db(), AccountId(pending.account_id)).await?;
        if !account.may_sign_in() {
            store::cancel(self.db(), flow).await?;
            return Ok(None);
        }
        Ok(Some(Waiting {
            flow: flow.to_string(),
            pending,
            account,
        }))
    }

    /// Drop the sign-in waiting under `flow`, if any.
    pub async fn cancel_second_step(&self, flow: Option<&str>) -> StoreResult<()> {
        if let Some(flow) = flow {
            store::cancel(self.db(), flow).await?;
        }
        Ok(())
    }

    /// The code typed for the sign-in waiting under `flow`: counted
    /// against the limits first, then checked (setting up: only a code
    /// from the app), every failure logged; when right, the login session
    /// is made and the attempt taken back from the limits.
    pub async fn second_step(&self, flow: Option<&str>, typed: &str) -> StoreResult<Step> {
        let Some(w) = self.waiting(flow).await? else {
            return Ok(Step::StartOver);
        };
        let account_id = w.account.id;
        let account_key = format!("second_factor:{account_id}");
        let ip_key = format!("ip:{}", self.ip);
        let now = navet_store::time::now();
        let again = |waiting: Waiting, why: CodeRefused| Ok(Step::Again { waiting, why });
        if let Err(until) = login_throttle::begin_login_attempt(
            self.db(),
            &[(&account_key, PER_ACCOUNT), (&ip_key, PER_ADDRESS)],
            now,
        )
        .await?
        {
            store::record_failure(self.db(), AccountId(account_id), "rate_limited_code").await?;
            return again(w, CodeRefused::RateLimited(RateLimited::new(until, now)));
        }
        let input = rules::read_input(typed);
        let enrolling = w.pending.enrol_secret.is_some();
        let mut codes = vec![];
        let outcome = if let Some(secret) = &w.pending.enrol_secret {
            // Setting up: only a code from the app confirms it.
            let g = generator(secret, &w.account)?;
            let verdict = match &input {
                Input::Code(code) => rules::check(&g, code, now, 0),
                _ => Verdict::Wrong,
            };
            let Verdict::Accepted(step) = verdict else {
                store::record_failure(self.db(), AccountId(account_id), "wrong_code").await?;
                return again(w, CodeRefused::WrongEnrolCode);
            };
            codes = store::new_recovery_codes();
            store::enrol(
                self.db(),
                &w.flow,
                AccountId(account_id),
                secret,
                step,
                &codes,
            )
            .await?
        } else {
            let Some(factor) = store::factor(self.db(), AccountId(account_id)).await? else {
                // Reset by an administrator meanwhile.
                store::cancel(self.db(), &w.flow).await?;
                return Ok(Step::StartOver);
            };
            let g = generator(&factor.secret, &w.account)?;
            let proof = match &input {
                Input::Code(code) => match rules::check(&g, code, now, factor.last_step) {
                    Verdict::Accepted(step) => Ok(Proof::Step(step)),
                    Verdict::Replayed => Err(Outcome::Replayed),
                    // Refused like an unknown recovery code; the audit
                    // reason below tells them apart by what was typed.
                    Verdict::Wrong => Err(Outcome::UnknownRecoveryCode),
                },
                Input::Recovery(code) => Ok(Proof::Recovery(code.clone())),
                Input::Malformed => Err(Outcome::UnknownRecoveryCode),
            };
            match proof {
                Ok(proof) => {
                    let end_others = w.pending.end_others;
                    store::complete(
                        self.db(),
                        &w.flow,
                        AccountId(account_id),
                        &proof,
                        end_others,
                    )
                    .await?
                }
                Err(o) => o,
            }
        };
        match outcome {
            Outcome::SignedIn {
                session_secret,
                recovery_left,
            } => {
                login_throttle::login_succeeded(self.db(), &account_key, &[(&ip_key, PER_ADDRESS)])
                    .await?;
                Ok(Step::SignedIn {
                    session_secret,
                    // Setting up uses no recovery code.
                    recovery_left: if enrolling { None } else { recovery_left },
                    codes,
                    next: w.pending.next,
                })
            }
            Outcome::Replayed => {
                store::record_failure(self.db(), AccountId(account_id), "replayed_code").await?;
                again(w, CodeRefused::Replayed)
            }
            Outcome::UnknownRecoveryCode => {
                let reason = match input {
                    Input::Recovery(_) => "wrong_recovery_code",
                    _ => "wrong_code",
                };
                store::record_failure(self.db(), AccountId(account_id), reason).await?;
                again(w, CodeRefused::Wrong)
            }
            Outcome::Expired | Outcome::AlreadyEnrolled => {
                store::record_failure(self.db(), AccountId(account_id), "second_factor_expired")
                    .await?;
                Ok(Step::StartOver)
            }
        }
    }
}

impl UseCase<'_> {
    /// Remove another account's second factor (a lost phone): it is set
    /// up again at the next sign-in. Audited; the account's sessions end.
    /// Whether it had one.
    pub async fn reset_second_factor(&self, account_id: i64) -> StoreResult<bool> {
        self.decide(Action::ManageAccounts)?;
        let target = accounts::get(self.db(), AccountId(account_id)).await?;
        store::reset(self.db(), &self.who, AccountId(target.id)).await
    }
}
