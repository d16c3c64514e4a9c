//! Invitations: sending them (an actor's action, decided per person), and
//! the link an invited person follows to choose a password, where the
//! link's key is the permission. The rules are `domain::invitations`, the
//! rows `navet_store::invitations`.

use domain::ids::PersonId;
use std::collections::HashMap;

use domain::access::Action;
use domain::invitations::LinkState;
use domain::FieldErrors;
use navet_store::invitations::{self, Invited, Outcome, Refusal};
use navet_store::{people, StoreError, StoreResult};

use super::sign_in::SignIn;
use super::UseCase;
use crate::AppState;

/// The provider label for a municipality that signs in through its own
/// provider (the configuration's `municipality`, compared without case).
pub(super) fn provider_for(s: &AppState) -> impl Fn(&str) -> Option<String> + Sync + 'static {
    let by_municipality: HashMap<String, String> = s
        .oidc
        .providers()
        .iter()
        .map(|p| (p.municipality.trim().to_lowercase(), p.label.clone()))
        .collect();
    move |m: &str| by_municipality.get(&m.trim().to_lowercase()).cloned()
}

/// Whom a usable link (an invitation or a password reset) is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkHolder {
    pub name: String,
    pub email: String,
}

/// How choosing a password through a link ended.
#[derive(Debug)]
pub enum LinkPassword {
    /// The link cannot be used: the refusal's code (logged).
    Refused(&'static str),
    /// The new password was not taken: the form again, with why.
    Invalid {
        holder: LinkHolder,
        errors: FieldErrors,
    },
    Done,
}

impl UseCase<'_> {
    /// Invite the people chosen on the staff list. Everyone chosen must be
    /// someone the actor may invite, or nothing is sent (403); those who
    /// cannot be invited are reported with why. `None` when nobody was
    /// chosen.
    pub async fn invite_people(&self, person_ids: &[i64]) -> StoreResult<Option<Vec<Invited>>> {
        self.decide(Action::ListPeople)?;
        if person_ids.is_empty() {
            return Ok(None);
        }
        for id in person_ids {
            let p = people::get(self.db(), PersonId(*id)).await?;
            self.decide(Action::InvitePerson(p.as_ref()))?;
        }
        let provider = provider_for(self.s);
        let done = invitations::invite(self.db(), &self.who, person_ids, &provider).await?;
        Ok(Some(done))
    }

    /// Invite one person (the API): not found when there is no such
    /// person (or no answer for them).
    pub async fn invite_person(&self, person_id: i64) -> StoreResult<Outcome> {
        let p = people::get(self.db(), PersonId(person_id))
            .await
            .map_err(|_| StoreError::NotFound("Personen"))?;
        self.decide(Action::InvitePerson(p.as_ref()))?;
        let provider = provider_for(self.s);
        let done = invitations::invite(self.db(), &self.who, &[person_id], &provider).await?;
        done.into_iter()
            .next()
            .map(|d| d.outcome)
            .ok_or(StoreError::NotFound("Personen"))
    }
}

impl SignIn<'_> {
    /// The invitation behind `key`, when it may be used; else the code of
    /// why not.
    pub async fn invitation(&self, key: &str) -> StoreResult<Result<LinkHolder, &'static str>> {
        let link = invitations::link(self.db(), key, navet_store::time::now()).await?;
        if link.state != LinkState::Valid {
            return Ok(Err(link.state.code()));
        }
        Ok(Ok(LinkHolder {
            name: link.name,
            email: link.email,
        }))
    }

    /// Accept the invitation behind `key` with a new password, once
    /// `check` (the policy and its repetition) finds nothing wrong with it
    /// for the invited person: the account is made or linked
    /// (`store::invitations::accept`). A refused link is logged.
    pub async fn accept_invitation(
        &self,
        key: &str,
        new: String,
        check: impl FnOnce(&LinkHolder) -> FieldErrors,
    ) -> StoreResult<LinkPassword> {
        let now = navet_store::time::now();
        let link = invitations::link(self.db(), key, now).await?;
        if link.state != LinkState::Valid {
            invitations::record_refusal(self.db(), link.person_id, Refusal::Link(link.state))
                .await?;
            return Ok(LinkPassword::Refused(link.state.code()));
        }
        let holder = LinkHolder {
            name: link.name,
            email: link.email,
        };
        let errors = check(&holder);
        if !errors.is_empty() {
            return Ok(LinkPassword::Invalid { holder, errors });
        }
        let hash = crate::password::hash(new).await;
        Ok(
            match invitations::accept(self.db(), key, &hash, now).await? {
                Ok(_) => LinkPassword::Done,
                Err(r) => LinkPassword::Refused(r.code()),
            },
        )
    }
}
