//! Signing in and out, before and around an actor: the password with its
//! attempt limit, a municipality's OpenID provider, logging out, keeping a
//! session alive, and changing one's own password.
//!
//! Attempts are counted per account and per client address *before* the
//! password is checked (`store::login_throttle`, shared by every
//! instance); beyond a few failures each further attempt waits longer
//! (`domain::login_limits`). Cookies and redirects are the handlers'.

use domain::ids::AccountId;
use domain::login_limits::{PER_ACCOUNT, PER_ADDRESS};
use domain::sign_in::Refusal;
use navet_store::sign_in::{self as provider_sign_in, Pending};
use navet_store::{accounts, audit, login_throttle, Db, StoreResult};

use super::UseCase;
use crate::oidc::{OidcError, Provider};
use crate::AppState;

/// What is done before there is an actor: signing in, the second step,
/// a forgotten password, an invitation's link. The client address is the
/// one the attempt limits count.
pub struct SignIn<'a> {
    pub(super) s: &'a AppState,
    pub(super) ip: &'a str,
}

/// Too many attempts: the next one is checked from `until`, which is
/// `retry_after` seconds (at least one) from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    pub until: i64,
    pub retry_after: i64,
}

impl RateLimited {
    pub(super) fn new(until: i64, now: i64) -> RateLimited {
        RateLimited {
            until,
            retry_after: (until - now).max(1),
        }
    }
}

/// How a password sign-in ended.
#[derive(Debug)]
pub enum PasswordOutcome {
    RateLimited(RateLimited),
    /// Unknown address, wrong password, or an account that may not sign
    /// in: one neutral answer for all.
    Refused,
    /// The password was right but the account must give a code from its
    /// app (or set one up) first: the waiting sign-in's cookie secret.
    SecondStep {
        flow_secret: String,
    },
    /// Signed in: the new login session's cookie secret.
    SignedIn {
        session_secret: String,
    },
}

/// The provider's end-session address to go on to after logging out,
/// and the provider's label.
#[derive(Debug)]
pub struct EndSession {
    pub url: String,
    pub label: String,
}

/// What a provider's answer to the callback carries.
#[derive(Debug, Default)]
pub struct ProviderAnswer {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// Why a sign-in through a provider was refused (already logged).
#[derive(Debug)]
pub enum OidcRefusal {
    /// A bad or stale request to the callback: the locale key saying why.
    Request(&'static str),
    /// The provider could not be reached, refused the code, or sent a
    /// token that does not pass the checks.
    Protocol(OidcError),
    /// The person may not sign in (`domain::sign_in::admit`).
    NotAdmitted(Refusal),
}

/// A sign-in through a provider that let the person in.
#[derive(Debug)]
pub struct ProviderSignedIn {
    pub session_secret: String,
    /// Where the person was going.
    pub next: String,
}

/// How changing one's own password ended.
#[derive(Debug)]
pub enum PasswordChange {
    RateLimited(RateLimited),
    WrongCurrent,
    /// The new password fails the policy: why, in Swedish.
    Weak(String),
    Mismatch,
    Unchanged,
    Changed,
}

impl<'a> SignIn<'a> {
    /// For a request from `client_ip` (as the session layer trusts it).
    pub fn new(s: &'a AppState, client_ip: &'a str) -> SignIn<'a> {
        SignIn { s, ip: client_ip }
    }

    pub(super) fn db(&self) -> &'a Db {
        &self.s.db
    }

    /// Sign in with e-mail and password: the attempt is counted first,
    /// then the account is checked (a deactivated account, or one whose
    /// person has left, is refused like a wrong password), the failure or
    /// the sign-in is written to the audit log, and either a second step
    /// is started or the login session made (ending the account's other
    /// sessions when asked). `next` is already a local path.
    pub async fn password(
        &self,
        email: &str,
        password: String,
        next: &str,
        end_others: bool,
    ) -> StoreResult<PasswordOutcome> {
        let email = email.trim().to_lowercase();
        let ip_key = format!("ip:{}", self.ip);
        let account_key = format!("account:{email}");
        let known = accounts::by_email(self.db(), &email).await?;
        let known_id = known.as_ref().map(|a| a.id);
        // Counted before the password is checked: parallel guesses are
        // decided one after the other and cannot all be verified.
        let now = navet_store::time::now();
        if let Err(until) = login_throttle::begin_login_attempt(
            self.db(),
            &[(&account_key, PER_ACCOUNT), (&ip_key, PER_ADDRESS)],
            now,
        )
        .await?
        {
            audit::record_login_failure(self.db(), known_id.map(AccountId), "rate_limited").await?;
            return Ok(PasswordOutcome::RateLimited(RateLimited::new(until, now)));
        }
        let refusal = known.as_ref().and_then(|a| a.refusal());
        let account = known.filter(|a| a.may_sign_in());
        let ok = crate::password::verify(
            password,
            account.as_ref().and_then(|a| a.password_hash.clone()),
        )
        .await;
        let Some(account) = account.filter(|_| ok) else {
            // The audit log gets the account id when the address matched
            // one, never the address typed.
            let reason = match (known_id, refusal) {
                (None, _) => "unknown_account",
                (Some(_), Some(r)) => r,
                (Some(_), None) => "wrong_password",
            };
            audit::record_login_failure(self.db(), known_id.map(AccountId), reason).await?;
            return Ok(PasswordOutcome::Refused);
        };
        login_throttle::login_succeeded(self.db(), &account_key, &[(&ip_key, PER_ADDRESS)]).await?;
        // Admins and coordinators give a code from their app first (or set
        // one up): no login session until then.
        if let Some(flow_secret) = self.begin_second_step(&account, next, end_others).await? {
            return Ok(PasswordOutcome::SecondStep { flow_secret });
        }
        let (secret, _csrf) = accounts::create_session(self.db(), AccountId(account.id)).await?;
        if end_others {
            accounts::end_other_sessions(self.db(), AccountId(account.id), &secret).await?;
        }
        audit::record_login(self.db(), AccountId(account.id), "lösenord").await?;
        Ok(PasswordOutcome::SignedIn {
            session_secret: secret,
        })
    }

    /// Log out: the login session (if any) ends, and a sign-in still
    /// waiting for its code is dropped. A session signed in through a
    /// provider that publishes an end-session endpoint answers where to go
    /// on to (with the ID token as hint and `back` to come back to).
    pub async fn sign_out(
        &self,
        session_secret: Option<&str>,
        waiting: Option<&str>,
        back: &str,
    ) -> StoreResult<Option<EndSession>> {
        let mut end_session = None;
        if let Some(secret) = session_secret {
            if let Some((provider, id_token)) =
                provider_sign_in::session_provider(self.db(), secret).await?
            {
                if let Some(url) = self
                    .s
                    .oidc
                    .end_session_url(&provider, &id_token, back)
                    .await
                {
                    let label = self
                        .s
                        .oidc
                        .get(&provider)
                        .map(|p| p.label.clone())
                        .unwrap_or_default();
                    end_session = Some(EndSession { url, label });
                }
            }
            accounts::end_session(self.db(), secret).await?;
        }
        if let Some(flow) = waiting {
            navet_store::second_factor::cancel(self.db(), flow).await?;
        }
        Ok(end_session)
    }

    /// "Stay logged in": the session's last-seen time is now.
    pub async fn keep_alive(&self, session_secret: &str) -> StoreResult<()> {
        accounts::touch_session(self.db(), session_secret).await
    }

    /// Where a provider sends the browser back to.
    fn redirect_uri(&self, p: &Provider) -> String {
        format!(
            "{}/login/oidc/{}/callback",
            self.s.config.public_url.trim_end_matches('/'),
            p.id
        )
    }

    /// A refusal by the protocol, logged.
    async fn protocol_refusal(&self, p: &Provider, e: OidcError) -> StoreResult<OidcRefusal> {
        tracing::warn!(provider = %p.id, error = %e.detail(), "OpenID sign-in refused");
        provider_sign_in::record_failure(self.db(), &p.id, e.code()).await?;
        Ok(OidcRefusal::Protocol(e))
    }

    /// A bad or stale request to the callback, logged with `reason`.
    async fn request_refusal(
        &self,
        p: &Provider,
        reason: &str,
        key: &'static str,
    ) -> StoreResult<OidcRefusal> {
        provider_sign_in::record_failure(self.db(), &p.id, reason).await?;
        Ok(OidcRefusal::Request(key))
    }

    /// Start signing in through provider `p`: the provider's address to
    /// send the browser to, and the secret of the sign-in under way (kept
    /// in the database, for the browser's cookie). `next` is already a
    /// local path.
    pub async fn provider_start(
        &self,
        p: &Provider,
        next: &str,
    ) -> StoreResult<Result<(String, String), OidcRefusal>> {
        let started = match self.s.oidc.start(p, &self.redirect_uri(p)).await {
            Ok(x) => x,
            Err(e) => return Ok(Err(self.protocol_refusal(p, e).await?)),
        };
        let secret = provider_sign_in::begin(
            self.db(),
            &Pending {
                provider: p.id.clone(),
                state: started.state,
                nonce: started.nonce,
                pkce_verifier: started.pkce_verifier,
                next: next.to_string(),
                created_at: navet_store::time::now(),
            },
        )
        .await?;
        Ok(Ok((started.url, secret)))
    }

    /// The provider's answer for the sign-in under way in this browser
    /// (`flow_secret`, from its cookie; taken, so it is answered once):
    /// checked, the person found and admitted (`store::sign_in::admit`,
    /// which logs), and a login session made. Every refusal is logged.
    pub async fn provider_answer(
        &self,
        p: &Provider,
        flow_secret: Option<&str>,
        q: ProviderAnswer,
    ) -> StoreResult<Result<ProviderSignedIn, OidcRefusal>> {
        let now = navet_store::time::now();
        let pending = match flow_secret {
            Some(secret) => provider_sign_in::take(self.db(), secret, now).await?,
            None => None,
        };
        // No sign-in under way in this browser (expired, already answered,
        // or the link was opened elsewhere), or started for another provider.
        let Some(pending) = pending.filter(|x| x.provider == p.id) else {
            let r = self.request_refusal(p, "oidc_no_sign_in_under_way", "oidc.expired");
            return Ok(Err(r.await?));
        };
        if let Some(err) = q.error.as_deref() {
            let reason = format!(
                "oidc_provider_error {}",
                err.chars().take(60).collect::<String>()
            );
            let r = self.request_refusal(p, &reason, "oidc.provider_error");
            return Ok(Err(r.await?));
        }
        if q.state.as_deref() != Some(pending.state.as_str()) {
            let r = self.request_refusal(p, "oidc_bad_state", "oidc.bad_state");
            return Ok(Err(r.await?));
        }
        let Some(code) = q.code.filter(|x| !x.is_empty()) else {
            let r = self.request_refusal(p, "oidc_no_code", "oidc.bad_state");
            return Ok(Err(r.await?));
        };
        let done = match self
            .s
            .oidc
            .finish(
                p,
                &self.redirect_uri(p),
                &code,
                &pending.nonce,
                &pending.pkce_verifier,
            )
            .await
        {
            Ok(d) => d,
            Err(e) => return Ok(Err(self.protocol_refusal(p, e).await?)),
        };
        let found = match &done.claim_value {
            Some(v) => provider_sign_in::find(self.db(), p.match_on, v, &p.municipality).await?,
            None => None,
        };
        let admitted = if done.claim_value.is_none() {
            provider_sign_in::record_failure(self.db(), &p.id, Refusal::NoClaim.code()).await?;
            Err(Refusal::NoClaim)
        } else {
            provider_sign_in::admit(self.db(), &p.id, &p.municipality, found.as_ref()).await?
        };
        let admitted = match admitted {
            Ok(a) => a,
            Err(r) => return Ok(Err(OidcRefusal::NotAdmitted(r))),
        };
        let session_secret = provider_sign_in::create_session(
            self.db(),
            AccountId(admitted.account_id),
            &p.id,
            &done.id_token,
        )
        .await?;
        Ok(Ok(ProviderSignedIn {
            session_secret,
            next: pending.next,
        }))
    }
}

impl UseCase<'_> {
    /// Change the signed-in account's own password: the current one is
    /// checked under the same attempt limit as signing in (a session left
    /// open must not become a way to guess it), then the new one against
    /// the policy and its repetition. On success the account's other
    /// sessions (all but `session_secret`) end; the change is audited.
    pub async fn change_own_password(
        &self,
        session_secret: &str,
        current: String,
        new: String,
        repeat: &str,
    ) -> StoreResult<PasswordChange> {
        let account = accounts::get(self.db(), AccountId(self.actor.account_id)).await?;
        let account_key = format!("account:{}", account.email);
        let now = navet_store::time::now();
        if let Err(until) =
            login_throttle::begin_login_attempt(self.db(), &[(&account_key, PER_ACCOUNT)], now)
                .await?
        {
            return Ok(PasswordChange::RateLimited(RateLimited::new(until, now)));
        }
        if !crate::password::verify(current.clone(), account.password_hash.clone()).await {
            return Ok(PasswordChange::WrongCurrent);
        }
        login_throttle::login_succeeded(self.db(), &account_key, &[]).await?;
        if let Err(m) = crate::password::check_strength(&new, &account.email, &account.display_name)
        {
            return Ok(PasswordChange::Weak(m));
        } else if new != repeat {
            return Ok(PasswordChange::Mismatch);
        } else if new == current {
            return Ok(PasswordChange::Unchanged);
        }
        let hash = crate::password::hash(new).await;
        accounts::change_own_password(
            self.db(),
            &self.who,
            AccountId(self.actor.account_id),
            &hash,
            session_secret,
        )
        .await?;
        Ok(PasswordChange::Changed)
    }
}
