//! Planning the term: a manager's request for a local session, interest in
//! a course, the coordinator's answers and the demand per course and
//! municipality.

use domain::access::Action;
use domain::ids::{CourseId, PersonId, SessionId};
use domain::planning::requests::{check_request, AnswerDraft, RequestDraft};
use navet_store::catalogue::{self, Course};
use navet_store::org::{Municipality, Unit};
use navet_store::planning::interest::{self, Demand};
use navet_store::planning::requests::{self, AnswerReport, Filter, Place, RequestView};
use navet_store::sessions::{self, SessionView};
use navet_store::{StoreError, StoreResult};

use super::UseCase;

/// The request form's choices: courses that may be asked for, and where
/// the actor may ask for them.
pub struct RequestOptions {
    pub courses: Vec<Course>,
    pub municipalities: Vec<Municipality>,
    pub units: Vec<Unit>,
}

/// One request with what its page offers.
pub struct RequestPage {
    pub request: RequestView,
    /// The coordinator answers; others only read.
    pub can_answer: bool,
    /// Coming sessions of the course (to answer "planned as").
    pub sessions: Vec<SessionView>,
    /// Other open or planned requests of the course (to merge with).
    pub merge_candidates: Vec<RequestView>,
    /// For a request merged into another: the other request.
    pub merged_into: Option<RequestView>,
}

impl UseCase<'_> {
    /// Go on only if the actor may ask for sessions somewhere.
    pub async fn request_options(&self) -> StoreResult<RequestOptions> {
        self.decide(Action::ListSessionRequests)?;
        let mut courses = catalogue::list(self.db(), None).await?;
        courses.retain(|c| c.status != domain::catalogue::CourseStatus::Avvecklad);
        let units = navet_store::org::visible_units(self.db(), self.visibility()).await?;
        let mut municipalities = navet_store::org::municipalities(self.db()).await?;
        if !self.visibility().is_everything() {
            let scope = self.visibility().restriction().unwrap_or_default();
            municipalities.retain(|m| {
                scope.municipality_ids.contains(&m.id)
                    || units.iter().any(|u| u.municipality_id == m.id)
            });
        }
        Ok(RequestOptions {
            courses,
            municipalities,
            units,
        })
    }

    /// Ask for a local session; the new request's id. `today` is the local
    /// date (past weeks are refused).
    pub async fn request_session(
        &self,
        course_id: i64,
        place: Place,
        draft: &RequestDraft,
        today: chrono::NaiveDate,
    ) -> StoreResult<i64> {
        self.decide(Action::RequestSession {
            unit_id: place.unit_id,
            municipality_id: place.municipality_id,
        })?;
        let checked = check_request(draft, today);
        // Report the place's problems together with the form's.
        let target = requests::check_target(self.db(), CourseId(course_id), place).await;
        match (checked, target) {
            (Ok(c), Ok(())) => {
                requests::create(self.db(), &self.who, CourseId(course_id), place, &c).await
            }
            (Err(mut e), Err(StoreError::Invalid(t))) => {
                e.0.splice(0..0, t.0);
                Err(StoreError::Invalid(e))
            }
            (Err(e), _) => Err(StoreError::Invalid(e)),
            (Ok(_), Err(t)) => Err(t),
        }
    }

    /// Requests the actor may see, newest first, one page.
    pub async fn session_requests(&self, f: &Filter) -> StoreResult<Vec<RequestView>> {
        self.decide(Action::ListSessionRequests)?;
        let list = requests::list(self.db(), self.visibility(), f).await?;
        self.audit(
            "session_requests.list",
            "session_request",
            None,
            &format!("{} förfrågningar", list.len()),
        )
        .await?;
        Ok(list)
    }

    /// A request the actor may see (404 outside their units, as if absent).
    async fn visible_request(&self, id: i64) -> StoreResult<RequestView> {
        self.decide(Action::ListSessionRequests)?;
        let r = requests::get(self.db(), id).await?;
        if !self.visibility().covers(r.unit_id, r.municipality_id) {
            return Err(StoreError::NotFound("förfrågan"));
        }
        Ok(r)
    }

    /// One request with the choices for answering it.
    pub async fn session_request(&self, id: i64, now: i64) -> StoreResult<RequestPage> {
        let request = self.visible_request(id).await?;
        self.audit("session_request.read", "session_request", Some(id), "")
            .await?;
        let can_answer = self.may(Action::AnswerSessionRequests);
        let (sessions, merge_candidates) =
            if can_answer && request.status == domain::planning::requests::RequestStatus::Open {
                let s = sessions::list(
                    self.db(),
                    &sessions::Filter {
                        course_id: Some(request.course_id),
                        from: Some(now),
                        limit: 100,
                        ..Default::default()
                    },
                )
                .await?
                .into_iter()
                .filter(|s| s.row.starts_at > now && !s.effective_status.is_final())
                .collect();
                (s, requests::merge_candidates(self.db(), &request).await?)
            } else {
                (vec![], vec![])
            };
        let merged_into = match request.merged_into_request_id {
            Some(m) => Some(requests::get(self.db(), m).await?),
            None => None,
        };
        Ok(RequestPage {
            request,
            can_answer,
            sessions,
            merge_candidates,
            merged_into,
        })
    }

    /// Answer a request; the requester is told.
    pub async fn answer_request(
        &self,
        id: i64,
        draft: &AnswerDraft,
        now: i64,
    ) -> StoreResult<AnswerReport> {
        self.decide(Action::AnswerSessionRequests)?;
        requests::answer(self.db(), &self.who, id, draft, now).await
    }

    /// Demand per course and municipality (counts only).
    pub async fn demand(&self, now: i64) -> StoreResult<Vec<Demand>> {
        self.decide(Action::ViewDemand)?;
        interest::demand(self.db(), now).await
    }

    /// The course a person registers interest in.
    pub async fn course_for_interest(&self, course_id: i64) -> StoreResult<Course> {
        self.decide(Action::RegisterInterest)?;
        catalogue::get(self.db(), CourseId(course_id)).await
    }

    /// Whether the actor may register interest (to show the button).
    pub fn may_register_interest(&self) -> bool {
        self.may(Action::RegisterInterest)
    }

    /// Register the actor's interest in a course (`people` for a manager's
    /// staff; 1 for oneself).
    pub async fn register_interest(&self, course_id: i64, people: i64) -> StoreResult<()> {
        self.decide(Action::RegisterInterest)?;
        let person = self.person_id().ok_or(StoreError::Forbidden(
            "Kontot hör inte till någon medarbetare.".into(),
        ))?;
        interest::register(
            self.db(),
            &self.who,
            CourseId(course_id),
            PersonId(person),
            people,
        )
        .await
    }

    /// Withdraw the actor's interest in a course.
    pub async fn withdraw_interest(&self, course_id: i64) -> StoreResult<bool> {
        self.decide(Action::RegisterInterest)?;
        let person = self.person_id().ok_or(StoreError::Forbidden(
            "Kontot hör inte till någon medarbetare.".into(),
        ))?;
        interest::withdraw(self.db(), &self.who, CourseId(course_id), PersonId(person)).await
    }

    /// How many people the actor's interest in a course counts, if any.
    pub async fn my_interest(&self, course_id: i64) -> StoreResult<Option<i64>> {
        match self.person_id() {
            Some(p) if self.may(Action::RegisterInterest) => {
                interest::of_person(self.db(), CourseId(course_id), PersonId(p)).await
            }
            _ => Ok(None),
        }
    }
}

/// A session's minimum, for its form.
pub struct MinimumPage {
    pub session: SessionView,
    pub minimum: Option<domain::planning::go_no_go::Minimum>,
}

impl UseCase<'_> {
    /// A session's minimum and go/no-go date (those who manage sessions).
    pub async fn session_minimum(&self, id: i64) -> StoreResult<MinimumPage> {
        self.decide(Action::ManageSessions)?;
        Ok(MinimumPage {
            session: sessions::get(self.db(), SessionId(id)).await?,
            minimum: navet_store::planning::go_no_go::minimum_of(self.db(), SessionId(id)).await?,
        })
    }

    /// Set or clear a session's minimum and go/no-go date.
    pub async fn set_minimum(
        &self,
        id: i64,
        draft: &domain::planning::go_no_go::MinimumDraft,
        today: chrono::NaiveDate,
    ) -> StoreResult<Option<domain::planning::go_no_go::Minimum>> {
        self.decide(Action::ManageSessions)?;
        navet_store::planning::go_no_go::set_minimum(
            self.db(),
            &self.who,
            SessionId(id),
            draft,
            today,
        )
        .await
    }

    /// Sessions due for their decision and under their minimum, with
    /// sessions that could take their people.
    pub async fn go_no_go_due(
        &self,
        today: chrono::NaiveDate,
        now: i64,
    ) -> StoreResult<Vec<navet_store::planning::go_no_go::Due>> {
        self.decide(Action::ManageSessions)?;
        navet_store::planning::go_no_go::due(self.db(), today, now).await
    }
}

impl UseCase<'_> {
    /// Courses that depend on one trainer (counts, no names).
    pub async fn person_dependent_courses(
        &self,
    ) -> StoreResult<Vec<navet_store::planning::bus_factor::CourseTrainers>> {
        self.decide(Action::ManageSessions)?;
        navet_store::planning::bus_factor::person_dependent(self.db()).await
    }
}
