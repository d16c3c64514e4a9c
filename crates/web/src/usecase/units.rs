//! Units: the list of the units an actor sees, one unit's page and gap
//! list export, and one person's competence page with their formal
//! education.

use chrono::NaiveDate;
use domain::access::Action;
use domain::education::PersonEducationDraft;
use domain::gaps::Tally;
use domain::ids::{EducationId, MunicipalityId, PersonId, UnitId};
use navet_store::education::PersonEducation;
use navet_store::gaps::{self, PersonGaps};
use navet_store::org::{self, Municipality, Unit};
use navet_store::people::Person;
use navet_store::tracks::{TrackStatus, TrackWithItems};
use navet_store::unit_overview::{self, UnitOverview};
use navet_store::{StoreError, StoreResult};

use super::people::UNITS_IN_ONE_PICKER;
use super::UseCase;

/// The units the actor sees, each with its gap totals.
pub struct UnitList {
    pub units: Vec<(Unit, Tally)>,
    /// The whole region is listed (the hub), not one manager's units.
    pub whole_region: bool,
    /// The hub of a nation sees one municipality's units at a time (more
    /// units than `UNITS_IN_ONE_PICKER`): the municipalities to choose
    /// from, and the one chosen.
    pub by_municipality: Option<(Vec<Municipality>, Option<i64>)>,
}

/// One unit's page.
pub struct UnitPage {
    pub unit: Unit,
    pub overview: UnitOverview,
    /// The actor books the unit's people (the gap list's book buttons).
    pub can_book: bool,
    pub can_manage_requirements: bool,
}

/// One person's competence page.
pub struct PersonCompetence {
    pub person: Person,
    pub gaps: PersonGaps,
    pub educations: Vec<PersonEducation>,
    pub track: Option<(TrackWithItems, TrackStatus)>,
    pub can_register: bool,
    pub can_book: bool,
    pub is_self: bool,
}

impl UseCase<'_> {
    /// The units the actor may see, with their gap totals.
    pub async fn units(
        &self,
        as_of: NaiveDate,
        municipality: Option<i64>,
    ) -> StoreResult<UnitList> {
        self.decide(Action::ListUnits)?;
        let vis = self.visibility();
        let mut by_municipality = None;
        let units =
            if vis.is_everything() && org::unit_count(self.db()).await? > UNITS_IN_ONE_PICKER {
                // The gap tallies of a nation's units would be computed on
                // every view: one municipality at a time.
                let municipalities = org::municipalities(self.db()).await?;
                let chosen = municipality.filter(|m| municipalities.iter().any(|x| x.id == *m));
                by_municipality = Some((municipalities, chosen));
                match chosen {
                    Some(m) => org::units(self.db(), Some(MunicipalityId(m))).await?,
                    None => vec![],
                }
            } else {
                org::visible_units(self.db(), vis).await?
            };
        let tallies = if vis.is_everything() && by_municipality.is_none() {
            gaps::unit_tallies(self.db(), None, as_of).await?
        } else if units.is_empty() {
            Default::default()
        } else {
            let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
            gaps::unit_tallies(self.db(), Some(&ids), as_of).await?
        };
        Ok(UnitList {
            whole_region: vis.is_everything(),
            units: units
                .into_iter()
                .map(|u| {
                    let t = tallies.get(&u.id).copied().unwrap_or_default();
                    (u, t)
                })
                .collect(),
            by_municipality,
        })
    }

    /// A unit the actor may see; the read is logged as `what`.
    async fn unit_to_read(&self, id: i64, what: &str) -> StoreResult<Unit> {
        let unit = navet_store::org::unit(self.db(), UnitId(id)).await?;
        self.decide(Action::ViewUnit {
            unit_id: unit.id,
            municipality_id: unit.municipality_id,
        })?;
        self.audit(
            "unit.read",
            "unit",
            Some(unit.id),
            &format!("{what}: {} ({})", unit.name, unit.municipality_name),
        )
        .await?;
        Ok(unit)
    }

    /// A unit's page: staff, gaps with sessions to book, bookings, the
    /// year wheel.
    pub async fn unit_page(&self, id: i64, as_of: NaiveDate) -> StoreResult<UnitPage> {
        let unit = self.unit_to_read(id, "enhetssida").await?;
        let overview = unit_overview::load(self.db(), UnitId(id), as_of).await?;
        Ok(UnitPage {
            can_book: self.may(Action::BookForUnit {
                unit_id: unit.id,
                municipality_id: unit.municipality_id,
            }),
            can_manage_requirements: self.may(Action::ManageRequirements {
                unit_id: Some(unit.id),
                municipality_id: Some(unit.municipality_id),
            }),
            unit,
            overview,
        })
    }

    /// A unit's gap list for export.
    pub async fn unit_export(
        &self,
        id: i64,
        as_of: NaiveDate,
    ) -> StoreResult<(Unit, UnitOverview)> {
        let unit = self.unit_to_read(id, "export av glapplista").await?;
        let overview = unit_overview::load(self.db(), UnitId(id), as_of).await?;
        Ok((unit, overview))
    }

    /// One person's competence: requirements and gaps, formal education,
    /// track. Reading another's is logged.
    pub async fn person_competence(
        &self,
        id: i64,
        as_of: NaiveDate,
    ) -> StoreResult<PersonCompetence> {
        let person = navet_store::people::get(self.db(), PersonId(id)).await?;
        self.decide(Action::ViewPerson(person.as_ref()))?;
        self.audit_person_read(person.id, "kompetens").await?;
        Ok(PersonCompetence {
            gaps: gaps::person(self.db(), PersonId(id), as_of).await?,
            educations: navet_store::education::for_person(self.db(), PersonId(id)).await?,
            track: navet_store::tracks::person_progress(self.db(), PersonId(id)).await?,
            can_register: self.may(Action::RegisterEducation(person.as_ref())),
            can_book: self.may(Action::BookPerson(person.as_ref())),
            is_self: self.is_self(person.id),
            person,
        })
    }

    /// Register a person's formal education (the person's manager or
    /// the hub; refused with the rule's reason otherwise).
    pub async fn register_education(
        &self,
        person_id: i64,
        draft: &PersonEducationDraft,
    ) -> StoreResult<i64> {
        let person = navet_store::people::get(self.db(), PersonId(person_id)).await?;
        self.decide(Action::RegisterEducation(person.as_ref()))?;
        navet_store::education::register(self.db(), &self.who, PersonId(person_id), draft).await
    }

    /// Remove one of a person's registered educations.
    pub async fn remove_education(&self, person_id: i64, education_id: i64) -> StoreResult<()> {
        let ed = navet_store::education::for_person(self.db(), PersonId(person_id))
            .await?
            .into_iter()
            .find(|e| e.id == education_id)
            .ok_or(StoreError::NotFound("utbildning"))?;
        let person = navet_store::people::get(self.db(), PersonId(ed.person_id)).await?;
        self.decide(Action::RegisterEducation(person.as_ref()))?;
        navet_store::education::remove(self.db(), &self.who, EducationId(ed.id)).await
    }
}
