//! The use-case layer: the one way page and API handlers reach data.
//!
//! A [`UseCase`] is made from the signed-in actor of a request (a page's
//! [`Ctx`] or the API's [`ApiCtx`]). Each of its operations decides with
//! `domain::access::decide`, limits every list to the actor's
//! [`Visibility`], and writes the audit entry for reads and changes of
//! personal data, then calls `navet_store`. Handlers parse the request,
//! call one operation and render its answer; they hold no database handle
//! and match on no role. [`Guest`] does the same for the few things done
//! without signing in (one-click links with their token, public calendar
//! feeds), where the token or the publicity is the permission.
//!
//! A denial is `StoreError::Forbidden` with the rule's reason, which pages
//! and the API answer with 403 like any refusal from the store.

pub mod accounts;
pub mod attendance;
pub mod attestation;
pub mod bookings;
pub mod catalogue;
pub mod certificates;
pub mod costs;
pub mod cover;
pub mod funding;
pub mod funding_sources;
pub mod gaps;
pub mod imports;
pub mod invitations;
pub mod needs;
pub mod org;
pub mod outbox;
pub mod packages;
pub mod password_reset;
pub mod people;
pub mod planning;
pub mod planning_term;
pub mod privacy;
pub mod reports;
pub mod requirements;
pub mod second_step;
pub mod sessions;
pub mod sign_in;
pub mod staff_imports;
pub mod start;
pub mod surveys;
pub mod targets;
pub mod teaching;
pub mod tokens;
pub mod tracks;
pub mod trainers;
pub mod units;

use domain::access::{self, Action, Actor, Decision, Visibility};
use domain::ids::PersonId;
use navet_store::audit::Who;
use navet_store::{Db, StoreError, StoreResult};

use crate::api::ApiCtx;
use crate::ctx::Ctx;
use crate::error::{ApiResult, AppError};
use crate::AppState;

/// A visitor who has not signed in: no person, no scope, the least role.
static ANONYMOUS: Actor = Actor {
    account_id: 0,
    role: domain::access::Role::Participant,
    person_id: None,
    scope: domain::access::Scope {
        unit_ids: Vec::new(),
        municipality_ids: Vec::new(),
    },
};

/// What a signed-in actor may do, with their visibility for lists.
pub struct UseCase<'a> {
    s: &'a AppState,
    actor: &'a Actor,
    who: Who,
    vis: Visibility,
}

impl<'a> UseCase<'a> {
    /// The page's signed-in user, or a redirect to the login page.
    pub fn page(s: &'a AppState, c: &'a Ctx) -> Result<UseCase<'a>, AppError> {
        let user = c.require_login()?;
        Ok(Self::new(s, &user.actor, user.who()))
    }

    /// The page's signed-in user, or for a page anyone may open, an
    /// anonymous visitor who may do nothing but what is public.
    pub fn page_or_anonymous(s: &'a AppState, c: &'a Ctx) -> UseCase<'a> {
        match &c.user {
            Some(user) => Self::new(s, &user.actor, user.who()),
            None => Self::new(s, &ANONYMOUS, c.who()),
        }
    }

    /// The API caller's account, or 401.
    pub fn api(s: &'a AppState, api: &'a ApiCtx) -> ApiResult<UseCase<'a>> {
        let user = api.require_login()?;
        Ok(Self::new(s, &user.actor, user.who()))
    }

    fn new(s: &'a AppState, actor: &'a Actor, who: Who) -> UseCase<'a> {
        UseCase {
            s,
            actor,
            who,
            vis: access::visibility(actor),
        }
    }

    fn db(&self) -> &'a Db {
        &self.s.db
    }

    /// Go on only if the rule allows `action`.
    fn decide(&self, action: Action<'_>) -> StoreResult<()> {
        match access::decide(self.actor, action) {
            Decision::Allow => Ok(()),
            Decision::Deny(why) => Err(StoreError::Forbidden(why.to_string())),
        }
    }

    /// Whether the rule allows `action` (to show or hide a button).
    pub fn may(&self, action: Action<'_>) -> bool {
        access::decide(self.actor, action).is_allowed()
    }

    /// The person record of the signed-in account, if it has one.
    pub fn person_id(&self) -> Option<i64> {
        self.actor.person_id
    }

    /// Whether `person_id` is the signed-in account's own person.
    pub fn is_self(&self, person_id: i64) -> bool {
        self.actor.person_id == Some(person_id)
    }

    /// What the actor's lists may show.
    pub fn visibility(&self) -> &Visibility {
        &self.vis
    }

    /// Rule 6: reading another person's data is logged (not one's own).
    async fn audit_person_read(&self, person_id: i64, what: &str) -> StoreResult<()> {
        if access::read_needs_audit(self.actor, person_id) {
            navet_store::audit::record_read(self.db(), &self.who, PersonId(person_id), what)
                .await?;
        }
        Ok(())
    }

    /// One audit entry for a read that is not about one person.
    async fn audit(
        &self,
        action: &str,
        subject_type: &str,
        subject_id: Option<i64>,
        detail: &str,
    ) -> StoreResult<()> {
        navet_store::audit::record_alone(
            self.db(),
            &self.who,
            action,
            subject_type,
            subject_id,
            None,
            detail,
        )
        .await
    }
}

/// What is done without signing in: a link's token or a public feed is
/// the permission, so there is no actor to decide for.
pub struct Guest<'a> {
    s: &'a AppState,
    who: Who,
}

impl<'a> Guest<'a> {
    /// Whoever follows the link (signed in or not; the log says which).
    pub fn page(s: &'a AppState, c: &Ctx) -> Guest<'a> {
        Guest { s, who: c.who() }
    }

    /// A request that carries no session at all (calendar clients).
    pub fn anonymous(s: &'a AppState) -> Guest<'a> {
        Guest {
            s,
            who: Who::system("anonym"),
        }
    }

    fn db(&self) -> &'a Db {
        &self.s.db
    }
}
