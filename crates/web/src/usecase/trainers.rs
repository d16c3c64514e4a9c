//! The trainer registry: who leads courses, which courses each may lead,
//! and their certifications in the simulation method. Kept by those who
//! keep the catalogue.

use domain::access::Action;
use domain::ids::{MunicipalityId, PersonId};
use navet_store::catalogue::{self, Course};
use navet_store::org::{self, Municipality};
use navet_store::trainers::{self, Trainer};
use navet_store::{StoreError, StoreResult};

use super::UseCase;

/// One trainer's page: the trainer, the courses they may be given (the
/// retired ones only if they still hold them) and the municipalities.
pub struct TrainerPage {
    pub trainer: Trainer,
    pub courses: Vec<Course>,
    pub municipalities: Vec<Municipality>,
}

impl UseCase<'_> {
    /// Every trainer, with the municipalities for the form that adds one.
    pub async fn trainers(&self) -> StoreResult<(Vec<Trainer>, Vec<Municipality>)> {
        self.decide(Action::ManageCatalogue)?;
        Ok((
            trainers::list(self.db()).await?,
            org::municipalities(self.db()).await?,
        ))
    }

    /// Make the person with `email` a trainer living in `home`. Answers
    /// the person's id.
    pub async fn add_trainer(&self, email: &str, home: Option<i64>) -> StoreResult<i64> {
        self.decide(Action::ManageCatalogue)?;
        let mut e = domain::FieldErrors::new();
        let person = navet_store::people::by_email(self.db(), email).await?;
        if person.is_none() {
            e.add(
                "email",
                "unknown_person",
                "Ingen person med den e-postadressen finns i personalregistret.",
            );
        }
        if home.is_none() {
            e.add(
                "home_municipality",
                "missing_home_municipality",
                "Välj hemkommun.",
            );
        }
        let (Some(p), Some(home)) = (person, home) else {
            return Err(StoreError::Invalid(e));
        };
        trainers::upsert(
            self.db(),
            &self.who,
            PersonId(p.id),
            MunicipalityId(home),
            true,
        )
        .await?;
        Ok(p.id)
    }

    /// One trainer's page; reading another person's record is logged.
    pub async fn trainer_page(&self, id: i64) -> StoreResult<TrainerPage> {
        self.decide(Action::ManageCatalogue)?;
        let trainer = trainers::get(self.db(), PersonId(id)).await?;
        self.audit_person_read(id, "utbildningsledare").await?;
        let mut courses = catalogue::list(self.db(), None).await?;
        courses.retain(|k| {
            k.status != domain::catalogue::CourseStatus::Avvecklad || trainer.is_qualified(k.id)
        });
        Ok(TrainerPage {
            trainer,
            courses,
            municipalities: org::municipalities(self.db()).await?,
        })
    }

    /// A trainer's home municipality and whether they are active.
    pub async fn save_trainer(&self, id: i64, home: i64, active: bool) -> StoreResult<()> {
        self.decide(Action::ManageCatalogue)?;
        trainers::upsert(
            self.db(),
            &self.who,
            PersonId(id),
            MunicipalityId(home),
            active,
        )
        .await
    }

    /// The courses a trainer may lead.
    pub async fn set_trainer_courses(&self, id: i64, courses: &[i64]) -> StoreResult<()> {
        self.decide(Action::ManageCatalogue)?;
        trainers::set_courses(self.db(), &self.who, PersonId(id), courses).await
    }

    /// A certification in the simulation method.
    pub async fn add_trainer_certification(
        &self,
        id: i64,
        name: &str,
        certified_on: &str,
        valid_until: &str,
    ) -> StoreResult<i64> {
        self.decide(Action::ManageCatalogue)?;
        trainers::add_certification(
            self.db(),
            &self.who,
            PersonId(id),
            name,
            certified_on,
            Some(valid_until),
        )
        .await
    }

    pub async fn remove_trainer_certification(&self, id: i64, cert: i64) -> StoreResult<()> {
        self.decide(Action::ManageCatalogue)?;
        trainers::remove_certification(self.db(), &self.who, PersonId(id), cert).await
    }
}
