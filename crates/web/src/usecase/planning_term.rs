//! Planning the term: trainers' availability per term (a trainer their
//! own, the hub everyone's), the places agreed ahead per municipality and
//! term, and the term view of agreed vs planned vs booked vs attended.

use chrono::NaiveDate;
use domain::access::Action;
use domain::ids::{MunicipalityId, PersonId};
use domain::planning::availability::{Availability, AvailabilityDraft};
use domain::planning::term::Term;
use navet_store::catalogue::{self, Course};
use navet_store::org::Municipality;
use navet_store::packages::{self, Package};
use navet_store::planning::availability::{self, Given, TrainerRow};
use navet_store::planning::volumes::{self, Item, TermRow, Volume};
use navet_store::{StoreError, StoreResult};

use super::UseCase;

/// One trainer's availability for a term.
pub struct AvailabilityView {
    pub person_id: i64,
    pub name: String,
    pub term: Term,
    /// None: not given yet.
    pub given: Option<Given>,
}

/// The volumes page: the term's agreements and what may be agreed.
pub struct VolumesView {
    pub volumes: Vec<Volume>,
    pub municipalities: Vec<Municipality>,
    /// Courses not retired.
    pub courses: Vec<Course>,
    pub packages: Vec<Package>,
}

impl UseCase<'_> {
    /// The signed-in trainer's own person id (403 for anyone else).
    pub fn own_trainer_id(&self) -> StoreResult<i64> {
        let me = self.person_id().ok_or(StoreError::Forbidden(
            "Kontot hör inte till någon utbildningsledare.".into(),
        ))?;
        self.decide(Action::EditTrainerAvailability {
            trainer_person_id: me,
        })?;
        Ok(me)
    }

    /// A trainer's availability for a term (their own, or the hub's read,
    /// which is logged).
    pub async fn trainer_availability(
        &self,
        person_id: i64,
        term: Term,
    ) -> StoreResult<AvailabilityView> {
        self.decide(Action::ViewTrainerAvailability {
            trainer_person_id: person_id,
        })?;
        let name = availability::trainer_name(self.db(), PersonId(person_id)).await?;
        let given = availability::of_trainer(self.db(), PersonId(person_id), term).await?;
        self.audit_person_read(person_id, "tillgänglighet som utbildningsledare")
            .await?;
        Ok(AvailabilityView {
            person_id,
            name,
            term,
            given,
        })
    }

    /// Give or change a trainer's availability for a term.
    pub async fn set_trainer_availability(
        &self,
        person_id: i64,
        term: Term,
        draft: &AvailabilityDraft,
        today: NaiveDate,
    ) -> StoreResult<Availability> {
        self.decide(Action::EditTrainerAvailability {
            trainer_person_id: person_id,
        })?;
        availability::set(
            self.db(),
            &self.who,
            PersonId(person_id),
            term,
            draft,
            today,
        )
        .await
    }

    /// Every trainer's availability for a term (the hub's; the read is
    /// logged once for the list).
    pub async fn availability_overview(&self, term: Term) -> StoreResult<Vec<TrainerRow>> {
        self.decide(Action::ListTrainerAvailability)?;
        let list = availability::for_term(self.db(), term).await?;
        self.audit(
            "trainer_availability.list",
            "term",
            None,
            &format!("{term}: {} utbildningsledare", list.len()),
        )
        .await?;
        Ok(list)
    }

    /// The term's agreed volumes and the choices for a new one.
    pub async fn agreed_volumes(&self, term: Term) -> StoreResult<VolumesView> {
        self.decide(Action::ManageAgreedVolumes)?;
        let mut courses = catalogue::list(self.db(), None).await?;
        courses.retain(|c| c.status != domain::catalogue::CourseStatus::Avvecklad);
        Ok(VolumesView {
            volumes: volumes::list(self.db(), term).await?,
            municipalities: navet_store::org::municipalities(self.db()).await?,
            courses,
            packages: packages::list(self.db(), false).await?,
        })
    }

    /// Agree places for a municipality, term and course or package (0
    /// removes the agreement).
    pub async fn set_agreed_volume(
        &self,
        term: Term,
        municipality_id: i64,
        item: Item,
        places: &str,
    ) -> StoreResult<()> {
        self.decide(Action::ManageAgreedVolumes)?;
        volumes::set(
            self.db(),
            &self.who,
            term,
            MunicipalityId(municipality_id),
            item,
            places,
        )
        .await
    }

    /// The term's agreements only (the API's read).
    pub async fn agreed_volume_list(&self, term: Term) -> StoreResult<Vec<Volume>> {
        self.decide(Action::ViewTermPlan)?;
        volumes::list(self.db(), term).await
    }

    /// The term view (counts only: the steering group reads it too).
    pub async fn term_view(&self, term: Term) -> StoreResult<Vec<TermRow>> {
        self.decide(Action::ViewTermPlan)?;
        volumes::term_view(self.db(), term).await
    }

    /// The places agreed with each municipality for `terms`, for a cost
    /// scenario's expected participants (those who build scenarios).
    pub async fn agreed_participants(
        &self,
        terms: &[Term],
    ) -> StoreResult<std::collections::BTreeMap<i64, i64>> {
        self.decide(Action::ManageCosts)?;
        volumes::places_by_municipality(self.db(), terms).await
    }

    /// Whether the actor agrees volumes and sees trainers' availability
    /// (to show the links).
    pub fn plans_the_term(&self) -> bool {
        self.may(Action::ManageAgreedVolumes)
    }
}
