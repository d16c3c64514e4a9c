//! A trainer's own side: the sessions they teach (coming and past, and a
//! secret teaching calendar feed) and their own absences, which they
//! register and remove themselves.

use domain::access::Action;
use domain::ical::Event;
use domain::ids::PersonId;
use navet_store::cover::{self, Absence};
use navet_store::teaching::{self, Taught};
use navet_store::{StoreError, StoreResult};

use super::{Guest, UseCase};

/// An account that is no person's has no sessions or absences of its own.
const NO_PERSON: &str = "Kontot hör inte till någon person i registret.";

/// The sessions a trainer teaches.
pub struct MyTeaching {
    pub coming: Vec<Taught>,
    pub past: Vec<Taught>,
    /// The secret address of the teaching calendar feed.
    pub feed_url: String,
}

impl UseCase<'_> {
    /// The signed-in trainer's sessions; `None` for an account that is no
    /// person's.
    pub async fn my_teaching(&self, now: i64) -> StoreResult<Option<MyTeaching>> {
        self.decide(Action::ListAttendanceSessions)?;
        let Some(pid) = self.person_id() else {
            return Ok(None);
        };
        let token = navet_store::bookings::feed_token(self.db(), PersonId(pid)).await?;
        Ok(Some(MyTeaching {
            coming: teaching::between(self.db(), PersonId(pid), now, i64::MAX).await?,
            past: teaching::past(self.db(), PersonId(pid), now).await?,
            feed_url: format!(
                "{}/kalender/undervisning/{token}.ics",
                self.s.config.public_url
            ),
        }))
    }

    /// The trainer's own person id, if they may record their own absence.
    fn own_absence(&self) -> StoreResult<i64> {
        let pid = self
            .person_id()
            .ok_or_else(|| StoreError::Forbidden(NO_PERSON.to_string()))?;
        self.decide(Action::RecordTrainerAbsence {
            trainer_person_id: pid,
        })?;
        Ok(pid)
    }

    /// The signed-in trainer's absences from today on.
    pub async fn my_absences(&self) -> StoreResult<Vec<Absence>> {
        let pid = self.own_absence()?;
        let today = navet_store::time::local_date(navet_store::time::now());
        cover::absences_of(self.db(), PersonId(pid), today).await
    }

    /// Register the signed-in trainer as away (dates as typed).
    pub async fn add_my_absence(&self, starts_on: &str, ends_on: &str) -> StoreResult<i64> {
        let pid = self.own_absence()?;
        let (from, to) =
            domain::cover::check_absence(starts_on, ends_on).map_err(StoreError::Invalid)?;
        cover::add_absence(self.db(), &self.who, PersonId(pid), from, to).await
    }

    /// Remove one of the signed-in trainer's absences (the store removes
    /// the row only if it is theirs).
    pub async fn remove_my_absence(&self, id: i64) -> StoreResult<()> {
        let pid = self.own_absence()?;
        cover::remove_absence(self.db(), &self.who, PersonId(pid), id).await
    }
}

impl Guest<'_> {
    /// The secret teaching feed's events: the sessions the token's person
    /// teaches (the same token as their booking feed), or `None` for an
    /// unknown token.
    pub async fn teaching_feed(&self, token: &str) -> StoreResult<Option<Vec<Event>>> {
        let Some(pid) = navet_store::bookings::person_for_feed(self.db(), token).await? else {
            return Ok(None);
        };
        let base = self.db().sender().base_url.clone();
        let from = navet_store::time::now() - 30 * 86_400;
        let mut events = vec![];
        for (id, status, text) in teaching::calendar(self.db(), PersonId(pid), from).await? {
            events.extend(text.events(
                &format!("navet-teaching-{id}"),
                0,
                status == domain::sessions::SessionStatus::Cancelled,
                None,
                Some(format!("{base}/tillfallen/{id}/narvaro")),
            ));
        }
        Ok(Some(events))
    }
}
