//! Sessions: the schedule, scheduling, a session's page (participants,
//! one's own booking, reservations), trainers, reservations for a unit,
//! and cancelling a session.

use domain::access::Action;
use domain::ids::{CourseId, HoldId, PersonId, SessionId, UnitId};
use domain::sessions::edit::Overflow;
use navet_store::bookings::{self, BookingView, HoldView, SessionCancelReport};
use navet_store::catalogue::{self, Course};
use navet_store::org::{Municipality, Unit};
use navet_store::session_edit::{self, EditReport, TrainerOption};
use navet_store::sessions::{self, SessionInput, SessionView};
use navet_store::trainers::{self, Trainer};
use navet_store::StoreResult;

use super::{Guest, UseCase};

/// What the schedule page shows.
pub struct Schedule {
    pub sessions: Vec<SessionView>,
    pub courses: Vec<Course>,
    pub municipalities: Vec<Municipality>,
}

/// The choices of the scheduling form.
pub struct FormOptions {
    pub courses: Vec<Course>,
    pub municipalities: Vec<Municipality>,
    pub trainers: Vec<Trainer>,
    /// The pool is too large for one list: `trainers` holds only those
    /// qualified for the chosen course (none before a course is chosen).
    pub trainers_by_course: bool,
}

/// Active trainers the scheduling form lists as check boxes, whatever the
/// course; above this, only the chosen course's qualified trainers.
pub const TRAINERS_IN_ONE_LIST: i64 = 100;

/// A session's page, as far as the viewer may see it.
pub struct SessionPage {
    pub view: SessionView,
    pub course: Course,
    /// Participants, when the viewer may see them (the read is logged).
    pub participants: Option<Vec<BookingView>>,
    /// The viewer's own live booking, if any.
    pub mine: Option<BookingView>,
    pub my_municipality: Option<i64>,
    /// All holds for those who manage sessions; a manager's units'
    /// reservations for a manager.
    pub holds: Vec<HoldView>,
    /// The units the viewer reserves seats for.
    pub my_units: Vec<Unit>,
    pub trainers: Vec<Trainer>,
    /// Trainers on the session who are registered as away then.
    pub absent: Vec<i64>,
    /// For those who manage sessions: the trainers on the session, and
    /// the qualified ones who could be added, for whom it lies outside
    /// the availability they gave for its term (a warning, never a
    /// refusal), with why in Swedish.
    pub availability_warnings: Vec<(i64, Vec<String>)>,
    pub can_manage: bool,
    /// The viewer reserves seats for their own units (a manager).
    pub reserves_for_units: bool,
    pub can_book_self: bool,
}

impl UseCase<'_> {
    /// The coordinators' schedule.
    pub async fn schedule(&self, f: &sessions::Filter) -> StoreResult<Schedule> {
        self.decide(Action::ManageSessions)?;
        Ok(Schedule {
            sessions: sessions::list(self.db(), f).await?,
            courses: catalogue::list(self.db(), None).await?,
            municipalities: navet_store::org::municipalities(self.db()).await?,
        })
    }

    /// The scheduling form's choices: courses still offered, municipalities,
    /// active trainers: all of them in a county, those qualified for
    /// `course` in a national pool (`TRAINERS_IN_ONE_LIST`).
    pub async fn session_form_options(&self, course: Option<i64>) -> StoreResult<FormOptions> {
        self.decide(Action::ManageSessions)?;
        let mut courses = catalogue::list(self.db(), None).await?;
        courses.retain(|c| {
            !matches!(
                c.status,
                domain::catalogue::CourseStatus::Pausad
                    | domain::catalogue::CourseStatus::Avvecklad
            )
        });
        let trainers_by_course = trainers::active_count(self.db()).await? > TRAINERS_IN_ONE_LIST;
        let trainers = if !trainers_by_course {
            trainers::list(self.db())
                .await?
                .into_iter()
                .filter(|t| t.active)
                .collect()
        } else {
            match course.filter(|c| courses.iter().any(|x| x.id == *c)) {
                Some(c) => trainers::qualified_for(self.db(), CourseId(c)).await?,
                None => vec![],
            }
        };
        Ok(FormOptions {
            courses,
            municipalities: navet_store::org::municipalities(self.db()).await?,
            trainers,
            trainers_by_course,
        })
    }

    /// A course to schedule, for the form's defaults (`None` if none is
    /// chosen or it is unknown).
    pub async fn course_to_schedule(&self, id: Option<i64>) -> StoreResult<Option<Course>> {
        self.decide(Action::ManageSessions)?;
        let Some(id) = id else {
            return Ok(None);
        };
        Ok(catalogue::get(self.db(), CourseId(id)).await.ok())
    }

    /// Schedule a session; its id.
    pub async fn create_session(&self, input: &SessionInput, now: i64) -> StoreResult<i64> {
        self.decide(Action::ManageSessions)?;
        let new = sessions::resolve(self.db(), input, now).await?;
        sessions::create(self.db(), &self.who, &new).await
    }

    /// A session's page for the viewer.
    pub async fn session_page(&self, id: i64) -> StoreResult<SessionPage> {
        let view = sessions::get(self.db(), SessionId(id)).await?;
        let course = catalogue::get(self.db(), CourseId(view.row.course_id)).await?;
        let trainer_ids: Vec<i64> = view.trainers.iter().map(|t| t.person_id).collect();
        let participants = if self.may(Action::ViewSessionParticipants {
            trainer_person_ids: &trainer_ids,
        }) {
            let list = bookings::for_session(self.db(), SessionId(id)).await?;
            self.audit(
                "session.participants",
                "session",
                Some(id),
                &format!("{} anmälningar", list.len()),
            )
            .await?;
            Some(list)
        } else {
            None
        };
        let (mine, my_municipality) = match self.person_id() {
            Some(pid) => {
                let mine = bookings::for_person(self.db(), PersonId(pid))
                    .await?
                    .into_iter()
                    .find(|b| b.session_id == id && b.status().is_live());
                let muni = navet_store::people::get(self.db(), PersonId(pid))
                    .await
                    .ok()
                    .map(|p| p.municipality_id);
                (mine, muni)
            }
            None => (None, None),
        };
        let can_manage = self.may(Action::ManageSessions);
        // Those who book staff but do not run sessions reserve seats for
        // the units they see.
        let reserves_for_units = !can_manage && self.may(Action::BookStaff);
        let my_units = if reserves_for_units {
            navet_store::org::visible_units(self.db(), self.visibility()).await?
        } else {
            vec![]
        };
        let holds = if can_manage {
            bookings::holds_for_session(self.db(), SessionId(id)).await?
        } else if reserves_for_units {
            let ids: Vec<i64> = my_units.iter().map(|u| u.id).collect();
            bookings::holds_for_session(self.db(), SessionId(id))
                .await?
                .into_iter()
                .filter(|h| {
                    h.kind == domain::booking::HoldKind::Reservation
                        && h.unit_id.is_some_and(|u| ids.contains(&u))
                })
                .collect()
        } else {
            vec![]
        };
        let (trainers, absent) = if can_manage {
            (
                trainers::qualified_for(self.db(), CourseId(view.row.course_id)).await?,
                navet_store::cover::absent_trainers(self.db(), SessionId(id)).await?,
            )
        } else {
            (vec![], vec![])
        };
        let availability_warnings = if can_manage {
            // The trainers on the session and the qualified ones who could
            // be added, each once.
            let mut names: Vec<(i64, String)> = view
                .trainers
                .iter()
                .map(|t| (t.person_id, t.name.clone()))
                .collect();
            for t in &trainers {
                if !names.iter().any(|(p, _)| *p == t.person_id) {
                    names.push((t.person_id, t.name.clone()));
                }
            }
            let ids: Vec<i64> = names.iter().map(|(p, _)| *p).collect();
            let w =
                navet_store::planning::availability::warnings_for(self.db(), SessionId(id), &ids)
                    .await?;
            let mut out: Vec<(i64, Vec<String>)> = names
                .iter()
                .filter_map(|(p, name)| {
                    w.get(p)
                        .map(|list| (*p, list.iter().map(|x| x.message_sv(name)).collect()))
                })
                .collect();
            out.sort_by_key(|(p, _)| *p);
            out
        } else {
            vec![]
        };
        Ok(SessionPage {
            availability_warnings,
            can_book_self: self.person_id().is_some(),
            view,
            course,
            participants,
            mine,
            my_municipality,
            holds,
            my_units,
            trainers,
            absent,
            can_manage,
            reserves_for_units,
        })
    }

    /// Cancel a session: bookings cancelled, people told, offers made.
    pub async fn cancel_session(&self, id: i64, reason: &str) -> StoreResult<SessionCancelReport> {
        self.decide(Action::ManageSessions)?;
        bookings::cancel_session(self.db(), &self.who, SessionId(id), reason).await
    }

    pub async fn assign_trainer(&self, session_id: i64, person_id: i64) -> StoreResult<()> {
        self.decide(Action::ManageSessions)?;
        trainers::assign(
            self.db(),
            &self.who,
            SessionId(session_id),
            PersonId(person_id),
        )
        .await
    }

    pub async fn unassign_trainer(&self, session_id: i64, person_id: i64) -> StoreResult<()> {
        self.decide(Action::ManageSessions)?;
        trainers::unassign(
            self.db(),
            &self.who,
            SessionId(session_id),
            PersonId(person_id),
        )
        .await
    }

    /// The unit to reserve seats for, if the actor reserves for it.
    pub async fn unit_to_reserve_for(&self, unit_id: i64) -> StoreResult<Unit> {
        let unit = navet_store::org::unit(self.db(), UnitId(unit_id)).await?;
        self.decide(Action::ViewUnit {
            unit_id,
            municipality_id: unit.municipality_id,
        })?;
        self.decide(Action::ReserveForUnit {
            unit_id,
            municipality_id: unit.municipality_id,
        })?;
        Ok(unit)
    }

    /// Reserve seats on a session for a unit, to name people later.
    pub async fn reserve(
        &self,
        session_id: i64,
        unit: &Unit,
        seats: i64,
        deadline: i64,
    ) -> StoreResult<i64> {
        self.unit_to_reserve_for(unit.id).await?;
        bookings::reserve(
            self.db(),
            &self.who,
            SessionId(session_id),
            UnitId(unit.id),
            seats,
            deadline,
        )
        .await
    }

    /// Give up a hold's unnamed seats: a unit's reservation by those who
    /// reserve for the unit, any other hold by those who manage sessions.
    /// The hold's session.
    pub async fn release_hold(&self, hold_id: i64) -> StoreResult<(i64, StoreResult<()>)> {
        let h = bookings::hold(self.db(), HoldId(hold_id)).await?;
        match (h.unit_id, h.kind) {
            (Some(u), domain::booking::HoldKind::Reservation) => {
                let unit = navet_store::org::unit(self.db(), UnitId(u)).await?;
                self.decide(Action::ReserveForUnit {
                    unit_id: u,
                    municipality_id: unit.municipality_id,
                })?
            }
            _ => self.decide(Action::ManageSessions)?,
        }
        let r = bookings::release_hold(self.db(), &self.who, HoldId(hold_id), None)
            .await
            .map(|_| ());
        Ok((h.session_id, r))
    }
}

/// The edit form's choices for a session.
pub struct EditOptions {
    pub municipalities: Vec<Municipality>,
    pub trainers: Vec<TrainerOption>,
}

impl UseCase<'_> {
    /// A session the actor may change (edit, cancel).
    pub async fn session_to_change(&self, id: i64) -> StoreResult<SessionView> {
        self.decide(Action::ManageSessions)?;
        sessions::get(self.db(), SessionId(id)).await
    }

    /// The edit form's municipalities and trainers (free or busy then).
    pub async fn edit_options(&self, id: i64) -> StoreResult<EditOptions> {
        self.decide(Action::ManageSessions)?;
        Ok(EditOptions {
            trainers: session_edit::trainer_options(self.db(), SessionId(id)).await?,
            municipalities: navet_store::org::municipalities(self.db()).await?,
        })
    }

    /// Change a session; `pre` holds the form's own errors (nothing is
    /// changed when there are any).
    pub async fn edit_session(
        &self,
        id: i64,
        input: &SessionInput,
        overflow: Overflow,
        pre: domain::FieldErrors,
    ) -> StoreResult<EditReport> {
        self.decide(Action::ManageSessions)?;
        session_edit::edit(self.db(), &self.who, SessionId(id), input, overflow, pre).await
    }

    /// The session cancelling would offer seats on instead: the course's
    /// next session that is not over.
    pub async fn next_session_of_course(
        &self,
        v: &SessionView,
        now: i64,
    ) -> StoreResult<Option<SessionView>> {
        self.decide(Action::ManageSessions)?;
        Ok(sessions::list(
            self.db(),
            &sessions::Filter {
                course_id: Some(v.row.course_id),
                from: Some(now),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .find(|n| {
            n.row.id != v.row.id && n.row.starts_at > now && !n.row.stored_status().is_final()
        }))
    }

    /// Schedule a session from the API; the new session.
    pub async fn schedule_session(
        &self,
        input: &SessionInput,
        now: i64,
    ) -> StoreResult<SessionView> {
        let id = self.create_session(input, now).await?;
        sessions::get(self.db(), SessionId(id)).await
    }

    /// Go on only if the actor schedules sessions (before reading a form).
    pub fn may_schedule(&self) -> StoreResult<()> {
        self.decide(Action::ManageSessions)
    }
}

impl Guest<'_> {
    /// One session with its seat counts (public).
    pub async fn session(&self, id: i64) -> StoreResult<SessionView> {
        sessions::get(self.db(), SessionId(id)).await
    }

    /// Sessions matching the filter (public).
    pub async fn sessions(&self, f: &sessions::Filter) -> StoreResult<Vec<SessionView>> {
        sessions::list(self.db(), f).await
    }
}
