//! Cover when a trainer is away: the coordinator registers the absence
//! (on the page, or a rota system over the API), sees every upcoming
//! session it leaves short with who could step in, and puts one in.

use chrono::NaiveDate;
use domain::access::Action;
use domain::ids::{PersonId, SessionId};
use navet_store::cover::{self, Absence, CoverItem};
use navet_store::trainers::{self, Trainer};
use navet_store::{StoreError, StoreResult};

use super::UseCase;

impl UseCase<'_> {
    /// Upcoming sessions short of a trainer, soonest first, with who could
    /// step in. Who is away and who could step in is personal data: the
    /// read is logged (`what`: where it was shown).
    pub async fn needing_cover(&self, what: &str) -> StoreResult<Vec<CoverItem>> {
        self.decide(Action::ManageSessions)?;
        let items = cover::needing_cover(self.db(), navet_store::time::now()).await?;
        navet_store::audit::record_list_read(
            self.db(),
            &self.who,
            "cover",
            what,
            &cover::people_shown(&items),
        )
        .await?;
        Ok(items)
    }

    /// Put trainer `person_id` on `session`, taking `replacing` off.
    pub async fn step_in(
        &self,
        session: i64,
        person_id: i64,
        replacing: Option<i64>,
    ) -> StoreResult<()> {
        self.decide(Action::ManageSessions)?;
        cover::step_in(
            self.db(),
            &self.who,
            SessionId(session),
            PersonId(person_id),
            replacing,
        )
        .await
    }

    /// A trainer with their absences from today on.
    pub async fn trainer_absences(&self, id: i64) -> StoreResult<(Trainer, Vec<Absence>)> {
        self.decide(Action::ManageSessions)?;
        let today = navet_store::time::local_date(navet_store::time::now());
        Ok((
            trainers::get(self.db(), PersonId(id)).await?,
            cover::absences_of(self.db(), PersonId(id), today).await?,
        ))
    }

    /// Register trainer `id` as away from `starts_on` to `ends_on`
    /// (included); answers the absence's id and its checked dates.
    pub async fn add_absence(
        &self,
        id: i64,
        starts_on: &str,
        ends_on: &str,
    ) -> StoreResult<(i64, NaiveDate, NaiveDate)> {
        self.decide(Action::ManageSessions)?;
        let (from, to) =
            domain::cover::check_absence(starts_on, ends_on).map_err(StoreError::Invalid)?;
        let absence = cover::add_absence(self.db(), &self.who, PersonId(id), from, to).await?;
        Ok((absence, from, to))
    }

    pub async fn remove_absence(&self, id: i64, absence: i64) -> StoreResult<()> {
        self.decide(Action::ManageSessions)?;
        cover::remove_absence(self.db(), &self.who, PersonId(id), absence).await
    }
}
