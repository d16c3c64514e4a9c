//! The catalogue: courses anyone may read (with their coming sessions),
//! and the course forms of those who keep the catalogue.

use domain::access::Action;
use domain::catalogue::{CheckedCourse, CourseStatus};
use domain::ids::{CourseId, PersonId};
use navet_store::catalogue::{self, CatalogueFilter, Course, CourseExtras, Listing};
use navet_store::org::{self, CompetenceArea, Municipality, Role as JobRole};
use navet_store::sessions::{self, SessionView};
use navet_store::{StoreError, StoreResult};

use super::{Guest, UseCase};

/// The catalogue page: the courses found and what the filters offer.
pub struct CatalogueList {
    pub courses: Vec<Listing>,
    pub roles: Vec<JobRole>,
    pub areas: Vec<CompetenceArea>,
    pub municipalities: Vec<Municipality>,
    /// The actor keeps the catalogue (sees every course, may edit).
    pub can_manage: bool,
}

/// One course's page.
pub struct CoursePage {
    pub course: Course,
    pub roles: Vec<String>,
    pub areas: Vec<String>,
    /// Its sessions from now on.
    pub sessions: Vec<SessionView>,
    pub can_manage: bool,
    pub can_schedule: bool,
    pub can_book_staff: bool,
    /// The signed-in person's municipality (for the seats free to them).
    pub my_municipality: Option<i64>,
}

const DUPLICATE_TITLE: &str = "Det finns redan en kurs med det namnet.";

impl Guest<'_> {
    /// One course (public).
    pub async fn course(&self, id: i64) -> StoreResult<Course> {
        catalogue::get(self.db(), CourseId(id)).await
    }

    /// The county's municipalities, in Swedish order (public).
    pub async fn municipalities(&self) -> StoreResult<Vec<Municipality>> {
        org::municipalities(self.db()).await
    }

    /// The courses, or those with `status` (public).
    pub async fn courses(&self, status: Option<CourseStatus>) -> StoreResult<Vec<Course>> {
        navet_store::fault_point!(self.db(), "api.courses");
        catalogue::list(self.db(), status).await
    }
}

impl UseCase<'_> {
    /// The catalogue for anyone: bookable courses, or every course when
    /// `show_all` and the actor keeps the catalogue.
    pub async fn catalogue(
        &self,
        mut filter: CatalogueFilter,
        show_all: bool,
    ) -> StoreResult<CatalogueList> {
        navet_store::fault_point!(self.db(), "page.catalogue");
        let can_manage = self.may(Action::ManageCatalogue);
        filter.bookable_only = !(can_manage && show_all);
        Ok(CatalogueList {
            courses: catalogue::search(self.db(), &filter).await?,
            roles: org::roles(self.db()).await?,
            areas: org::competence_areas(self.db()).await?,
            municipalities: org::municipalities(self.db()).await?,
            can_manage,
        })
    }

    /// One course with its coming sessions. Retired courses are shown
    /// only to those who keep the catalogue; under development ("kommer
    /// snart") and paused ones to everyone (sessions link them).
    pub async fn course_page(&self, id: i64) -> StoreResult<CoursePage> {
        let course = catalogue::get(self.db(), CourseId(id)).await?;
        let can_manage = self.may(Action::ManageCatalogue);
        let shown = course.status != CourseStatus::Avvecklad;
        if !shown && !can_manage {
            return Err(StoreError::NotFound("kursen"));
        }
        let (roles, areas) = catalogue::names_of(self.db(), CourseId(id)).await?;
        let sessions = sessions::list(
            self.db(),
            &sessions::Filter {
                course_id: Some(id),
                from: Some(navet_store::time::now()),
                ..Default::default()
            },
        )
        .await?;
        let my_municipality = match self.person_id() {
            Some(pid) => navet_store::people::get(self.db(), PersonId(pid))
                .await
                .ok()
                .map(|p| p.municipality_id),
            None => None,
        };
        Ok(CoursePage {
            course,
            roles,
            areas,
            sessions,
            can_manage,
            can_schedule: self.may(Action::ManageSessions),
            can_book_staff: self.may(Action::BookStaff),
            my_municipality,
        })
    }

    /// The job roles and competence areas a course form offers.
    pub async fn course_choices(&self) -> StoreResult<(Vec<JobRole>, Vec<CompetenceArea>)> {
        self.decide(Action::ManageCatalogue)?;
        Ok((
            org::roles(self.db()).await?,
            org::competence_areas(self.db()).await?,
        ))
    }

    /// A course to edit, with its job role and area ids.
    pub async fn course_for_edit(&self, id: i64) -> StoreResult<(Course, Vec<i64>, Vec<i64>)> {
        self.decide(Action::ManageCatalogue)?;
        let course = catalogue::get(self.db(), CourseId(id)).await?;
        let (roles, areas) = catalogue::links(self.db(), CourseId(id)).await?;
        Ok((course, roles, areas))
    }

    /// A new course; a title already in use is a conflict on `title`.
    pub async fn create_course(
        &self,
        checked: &CheckedCourse,
        extras: &CourseExtras,
        cancellation_deadline_days: i64,
    ) -> StoreResult<Course> {
        self.decide(Action::ManageCatalogue)?;
        if catalogue::by_title(self.db(), &checked.title)
            .await?
            .is_some()
        {
            return Err(StoreError::conflict(Some("title"), DUPLICATE_TITLE));
        }
        let id = catalogue::create_with_deadline(
            self.db(),
            &self.who,
            checked,
            extras,
            cancellation_deadline_days,
        )
        .await?;
        catalogue::get(self.db(), CourseId(id)).await
    }

    /// A course's new content; another course's title is a conflict.
    pub async fn update_course(
        &self,
        id: i64,
        checked: &CheckedCourse,
        extras: &CourseExtras,
        cancellation_deadline_days: i64,
    ) -> StoreResult<()> {
        self.decide(Action::ManageCatalogue)?;
        if catalogue::by_title(self.db(), &checked.title)
            .await?
            .is_some_and(|other| other.id != id)
        {
            return Err(StoreError::conflict(Some("title"), DUPLICATE_TITLE));
        }
        catalogue::update(
            self.db(),
            &self.who,
            CourseId(id),
            checked,
            extras,
            cancellation_deadline_days,
        )
        .await
    }
}
