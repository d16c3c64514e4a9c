//! Attendance: the sessions one takes attendance for, the list (its read
//! logged), marking people present or absent, and closing a session.

use domain::access::Action;
use domain::ids::{PersonId, SessionId};
use navet_store::attendance::{self, Attendee, ClosePreview, CloseSummary, SessionInfo};
use navet_store::StoreResult;

use super::UseCase;

/// A session's attendance list, and whether the actor may mark it.
pub struct AttendanceList {
    pub session: SessionInfo,
    pub people: Vec<Attendee>,
    pub can_mark: bool,
}

impl UseCase<'_> {
    /// The sessions to take attendance for: all for those who manage
    /// sessions, a trainer's own otherwise.
    pub async fn attendance_sessions(&self) -> StoreResult<Vec<SessionInfo>> {
        self.decide(Action::ListAttendanceSessions)?;
        if self.may(Action::ManageSessions) {
            return attendance::sessions_for_trainer(self.db(), None).await;
        }
        match self.person_id() {
            Some(me) => attendance::sessions_for_trainer(self.db(), Some(PersonId(me))).await,
            // An account without a person trains nobody.
            None => Ok(vec![]),
        }
    }

    /// The session, once the actor may see its participants (or, with
    /// `mark`, mark their attendance).
    async fn attendance_session(&self, id: i64, mark: bool) -> StoreResult<(SessionInfo, bool)> {
        let info = attendance::session(self.db(), SessionId(id)).await?;
        let trainers = attendance::trainer_ids(self.db(), SessionId(id)).await?;
        let may_mark = self.may(Action::MarkAttendance {
            trainer_person_ids: &trainers,
        });
        if mark {
            self.decide(Action::MarkAttendance {
                trainer_person_ids: &trainers,
            })?;
        } else {
            self.decide(Action::ViewSessionParticipants {
                trainer_person_ids: &trainers,
            })?;
        }
        Ok((info, may_mark))
    }

    /// The attendance list; the list shows others' names and support
    /// needs, so each view is logged (as `what`).
    pub async fn attendance_list(&self, id: i64, what: &str) -> StoreResult<AttendanceList> {
        let (session, can_mark) = self.attendance_session(id, false).await?;
        self.audit("attendance.view", "session", Some(id), what)
            .await?;
        Ok(AttendanceList {
            people: attendance::attendees(self.db(), SessionId(id)).await?,
            session,
            can_mark,
        })
    }

    /// The session whose attendance the actor may mark.
    pub async fn session_to_mark(&self, id: i64) -> StoreResult<SessionInfo> {
        Ok(self.attendance_session(id, true).await?.0)
    }

    /// Mark one booked person present or absent; their new status.
    pub async fn mark_attendance(
        &self,
        session_id: i64,
        person_id: i64,
        present: bool,
    ) -> StoreResult<domain::booking::BookingStatus> {
        self.session_to_mark(session_id).await?;
        attendance::mark(
            self.db(),
            &self.who,
            SessionId(session_id),
            PersonId(person_id),
            present,
        )
        .await
    }

    /// Everyone with a seat present at once; how many were marked, and
    /// the list afterwards.
    pub async fn mark_all_present(&self, session_id: i64) -> StoreResult<(usize, Vec<Attendee>)> {
        self.session_to_mark(session_id).await?;
        let n = attendance::mark_all_present(self.db(), &self.who, SessionId(session_id)).await?;
        Ok((
            n,
            attendance::attendees(self.db(), SessionId(session_id)).await?,
        ))
    }

    /// What closing will do, before it is done.
    pub async fn close_preview(&self, session_id: i64) -> StoreResult<(SessionInfo, ClosePreview)> {
        let info = self.session_to_mark(session_id).await?;
        Ok((
            info,
            attendance::close_preview(self.db(), SessionId(session_id)).await?,
        ))
    }

    /// Close the session: unmarked bookings absent, completions and
    /// surveys for those who attended.
    pub async fn close_session(&self, session_id: i64) -> StoreResult<CloseSummary> {
        self.session_to_mark(session_id).await?;
        attendance::close(
            self.db(),
            &self.who,
            SessionId(session_id),
            &self.s.config.public_url,
        )
        .await
    }
}
