//! Competence requirements: the competence start page, the list and the
//! editor (coordinators anywhere, managers for their own units), the
//! API's list, and a person's formal education through the API.

use domain::access::Action;
use domain::catalogue::CourseStatus;
use domain::education::PersonEducationDraft;
use domain::ids::{EducationId, PersonId, UnitId};
use domain::requirements::{CheckedRequirement, RequirementDraft};
use navet_store::catalogue::Course;
use navet_store::education::PersonEducation;
use navet_store::org::{CompetenceArea, Role as JobRole, Unit};
use navet_store::requirements::{self, RequirementRow};
use navet_store::{StoreError, StoreResult};

use super::UseCase;

const FOR_STAFF: &str = "Kompetenskrav och glapp är till för chefer och samordnare.";
const REGION_WIDE: &str =
    "Endast samordnare får ställa krav för hela regionen eller ett verksamhetsområde; \
     som chef kan du ställa krav för dina egna enheter.";
const NO_UNITS: &str = "Du kan ställa krav bara för dina egna enheter, och du har inga.";
const NOT_YOUR_REQUIREMENT: &str = "Du kan ändra krav bara för dina egna enheter.";

/// The competence start page: what there is of each tool.
pub struct CompetenceHub {
    pub is_coordinator: bool,
    pub requirements: usize,
    pub tracks: usize,
    pub packages: usize,
    pub needs: usize,
}

/// The requirement list, with whether the actor may change each line.
pub struct RequirementList {
    pub lines: Vec<(RequirementRow, bool)>,
    pub roles: Vec<JobRole>,
    /// The units the actor may set requirements for.
    pub units: Vec<Unit>,
    /// The unit the list is limited to, if any.
    pub unit: Option<Unit>,
}

/// What the requirement editor offers.
pub struct RequirementForm {
    pub roles: Vec<JobRole>,
    pub areas: Vec<CompetenceArea>,
    /// The units the actor may set requirements for.
    pub units: Vec<Unit>,
    /// Courses not retired.
    pub courses: Vec<Course>,
    /// Region-wide and activity-area requirements too (coordinators).
    pub may_widen: bool,
}

impl UseCase<'_> {
    /// Requirements and gap reports are for managers and the hub.
    pub(super) fn require_competence_staff(&self) -> StoreResult<()> {
        self.decide(Action::ListUnits)
            .map_err(|_| StoreError::Forbidden(FOR_STAFF.into()))
    }

    /// The competence start page.
    pub async fn competence_hub(&self) -> StoreResult<CompetenceHub> {
        self.require_competence_staff()?;
        let is_coordinator = self.may(Action::ManageTracks);
        Ok(CompetenceHub {
            is_coordinator,
            requirements: requirements::list(self.db(), &Default::default())
                .await?
                .len(),
            tracks: navet_store::tracks::all_with_items(self.db()).await?.len(),
            packages: navet_store::packages::list(self.db(), !is_coordinator)
                .await?
                .len(),
            needs: navet_store::needs::list(self.db()).await?.len(),
        })
    }

    /// Whether the actor may change or remove a requirement (where it
    /// applies now).
    pub fn may_manage_requirement(&self, r: &RequirementRow) -> bool {
        self.permit_existing(r).is_ok()
    }

    fn permit_existing(&self, r: &RequirementRow) -> StoreResult<()> {
        let (unit_id, municipality_id) = requirements::applied_in(r);
        self.decide(Action::ManageRequirements {
            unit_id,
            municipality_id,
        })
    }

    /// May the actor set this requirement (where it will apply)?
    fn permit_new(&self, c: &CheckedRequirement) -> StoreResult<()> {
        let (unit_id, municipality_id) = requirements::applies_in(c);
        self.decide(Action::ManageRequirements {
            unit_id,
            municipality_id,
        })
        .map_err(|e| match (unit_id, e) {
            (None, StoreError::Forbidden(_)) => StoreError::Forbidden(REGION_WIDE.into()),
            (_, e) => e,
        })
    }

    /// Requirements, optionally of one role and those that can apply in
    /// one unit (any signed-in user may read them).
    pub async fn requirements(
        &self,
        role_id: Option<i64>,
        unit_id: Option<i64>,
    ) -> StoreResult<(Vec<RequirementRow>, Option<Unit>)> {
        let unit = match unit_id {
            Some(u) => Some(navet_store::org::unit(self.db(), UnitId(u)).await?),
            None => None,
        };
        let rows = requirements::list(
            self.db(),
            &requirements::Filter {
                role_id,
                for_unit: unit.as_ref().map(|u| (u.id, u.activity_area.clone())),
            },
        )
        .await?;
        Ok((rows, unit))
    }

    /// One requirement (any signed-in user may read it).
    pub async fn requirement(&self, id: i64) -> StoreResult<RequirementRow> {
        requirements::get(self.db(), id).await
    }

    /// The requirement list page.
    pub async fn requirement_list(
        &self,
        role_id: Option<i64>,
        unit_id: Option<i64>,
    ) -> StoreResult<RequirementList> {
        self.require_competence_staff()?;
        let (rows, unit) = self.requirements(role_id, unit_id).await?;
        let lines = rows
            .into_iter()
            .map(|r| {
                let may = self.may_manage_requirement(&r);
                (r, may)
            })
            .collect();
        Ok(RequirementList {
            lines,
            units: self.own_units().await?,
            roles: navet_store::org::roles(self.db()).await?,
            unit,
        })
    }

    /// The units the actor may set requirements for (all for the hub).
    async fn own_units(&self) -> StoreResult<Vec<Unit>> {
        navet_store::org::visible_units(self.db(), self.visibility()).await
    }

    /// What the editor offers.
    pub async fn requirement_form(&self) -> StoreResult<RequirementForm> {
        self.require_competence_staff()?;
        let courses = navet_store::catalogue::list(self.db(), None)
            .await?
            .into_iter()
            .filter(|co| co.status != CourseStatus::Avvecklad)
            .collect();
        Ok(RequirementForm {
            roles: navet_store::org::roles(self.db()).await?,
            areas: navet_store::org::competence_areas(self.db()).await?,
            units: self.own_units().await?,
            courses,
            may_widen: self.may(Action::ManageRequirements {
                unit_id: None,
                municipality_id: None,
            }),
        })
    }

    /// The editor for a new requirement: refused to a manager without
    /// units.
    pub async fn new_requirement_form(&self) -> StoreResult<RequirementForm> {
        let form = self.requirement_form().await?;
        if form.units.is_empty() && !form.may_widen {
            return Err(StoreError::Forbidden(NO_UNITS.into()));
        }
        Ok(form)
    }

    /// A requirement to change, with the editor: only where the actor
    /// may set requirements.
    pub async fn requirement_to_edit(
        &self,
        id: i64,
    ) -> StoreResult<(RequirementRow, RequirementForm)> {
        self.require_competence_staff()?;
        let row = requirements::get(self.db(), id).await?;
        if !self.may_manage_requirement(&row) {
            return Err(StoreError::Forbidden(NOT_YOUR_REQUIREMENT.into()));
        }
        Ok((row, self.requirement_form().await?))
    }

    /// Add a requirement: bad input, a retired course and an unknown
    /// education are refused naming the field, a manager outside their
    /// units with the rule's reason; nothing is changed.
    pub async fn create_requirement(&self, d: &RequirementDraft) -> StoreResult<RequirementRow> {
        let c = requirements::check_draft(self.db(), d, None).await?;
        self.permit_new(&c)?;
        let id = requirements::create_checked(self.db(), &self.who, &c).await?;
        requirements::get(self.db(), id).await
    }

    /// As [`Self::create_requirement`], from the pages (managers and the hub).
    pub async fn create_requirement_page(
        &self,
        d: &RequirementDraft,
    ) -> StoreResult<RequirementRow> {
        self.require_competence_staff()?;
        self.create_requirement(d).await
    }

    /// Change a requirement: the actor must be allowed both where it
    /// applied and where it will apply.
    pub async fn update_requirement(
        &self,
        id: i64,
        d: &RequirementDraft,
    ) -> StoreResult<RequirementRow> {
        let old = requirements::get(self.db(), id).await?;
        self.permit_existing(&old)?;
        let c = requirements::check_draft(self.db(), d, Some(id)).await?;
        self.permit_new(&c)?;
        requirements::update_checked(self.db(), &self.who, id, &c).await?;
        requirements::get(self.db(), id).await
    }

    /// As [`Self::update_requirement`], from the pages.
    pub async fn update_requirement_page(&self, id: i64, d: &RequirementDraft) -> StoreResult<()> {
        self.require_competence_staff()?;
        self.update_requirement(id, d).await.map(|_| ())
    }

    /// Remove a requirement (where the actor may set requirements).
    pub async fn delete_requirement(&self, id: i64) -> StoreResult<()> {
        let old = requirements::get(self.db(), id).await?;
        self.permit_existing(&old)?;
        requirements::delete(self.db(), &self.who, id).await
    }

    /// As [`Self::delete_requirement`], from the pages.
    pub async fn delete_requirement_page(&self, id: i64) -> StoreResult<()> {
        self.require_competence_staff()?;
        self.delete_requirement(id).await
    }

    // Formal education through the API ---------------------------------------------------

    /// A person for the API (named so in its 404).
    async fn api_person(&self, id: i64) -> StoreResult<navet_store::people::Person> {
        navet_store::people::get(self.db(), PersonId(id))
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => StoreError::NotFound("Personen"),
                e => e,
            })
    }

    /// A person's formal education (reading another's is logged).
    pub async fn person_educations(&self, person_id: i64) -> StoreResult<Vec<PersonEducation>> {
        let p = self.api_person(person_id).await?;
        self.decide(Action::ViewPerson(p.as_ref()))?;
        self.audit_person_read(p.id, "API: formell utbildning")
            .await?;
        navet_store::education::for_person(self.db(), PersonId(person_id)).await
    }

    /// Register a formal education (the person's manager or the hub).
    /// The draft comes as read from the request, so an unknown person is
    /// 404 before a malformed body is refused.
    pub async fn add_person_education<E: From<StoreError>>(
        &self,
        person_id: i64,
        draft: Result<PersonEducationDraft, E>,
    ) -> Result<PersonEducation, E> {
        let p = self.api_person(person_id).await?;
        let draft = draft?;
        self.decide(Action::RegisterEducation(p.as_ref()))?;
        let id =
            navet_store::education::register(self.db(), &self.who, PersonId(person_id), &draft)
                .await?;
        Ok(navet_store::education::get(self.db(), EducationId(id)).await?)
    }
}
