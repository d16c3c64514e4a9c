//! Attendance for trainers and coordinators: the list on screen (mark
//! present / absent, close the session) and a printable list with a line
//! to sign.

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::access::Action;
use navet_store::attendance::{self, Attendee, SessionInfo};
use navet_store::audit;
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/narvaro", get(sessions))
        .route("/tillfallen/{id}/narvaro", get(list).post(mark))
        .route("/tillfallen/{id}/narvaro/stang", post(close))
        .route("/tillfallen/{id}/narvarolista", get(print))
}

#[derive(Template)]
#[template(path = "attendance/sessions.html")]
struct SessionsPage {
    c: Ctx,
    sessions: Vec<SessionInfo>,
}

async fn sessions(State(s): State<AppState>, c: Ctx) -> PageResult {
    let user = c.require(Action::ListAttendanceSessions)?;
    // Those who manage sessions see all; a trainer sees their own.
    let list = if c.can(Action::ManageSessions) {
        attendance::sessions_for_trainer(&s.db, None).await?
    } else {
        attendance::sessions_for_trainer(&s.db, user.actor.person_id.or(Some(-1))).await?
    };
    render(SessionsPage { c, sessions: list })
}

/// The session, after checking that the user may see its participants.
async fn allowed(s: &AppState, c: &Ctx, id: i64, mark: bool) -> Result<SessionInfo, AppError> {
    c.require_login()?;
    let info = attendance::session(&s.db, id).await?;
    let trainers = attendance::trainer_ids(&s.db, id).await?;
    if mark {
        c.require(Action::MarkAttendance {
            trainer_person_ids: &trainers,
        })?;
    } else {
        c.require(Action::ViewSessionParticipants {
            trainer_person_ids: &trainers,
        })?;
    }
    Ok(info)
}

async fn audit_list(s: &AppState, c: &Ctx, session_id: i64, what: &str) -> Result<(), AppError> {
    // The list shows others' names and support needs: one audit entry per view.
    let mut conn =
        s.db.writer()
            .acquire()
            .await
            .map_err(navet_store::StoreError::from)?;
    audit::record(
        &mut conn,
        &c.who(),
        "attendance.view",
        "session",
        Some(session_id),
        None,
        what,
    )
    .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "attendance/list.html")]
struct ListPage {
    c: Ctx,
    s: SessionInfo,
    people: Vec<Attendee>,
    notice: String,
    error: String,
    can_mark: bool,
}

#[derive(Deserialize, Default)]
struct Notice {
    #[serde(default)]
    ok: Option<String>,
}

async fn list(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<Notice>,
) -> PageResult {
    let info = allowed(&s, &c, id, false).await?;
    audit_list(&s, &c, id, "närvarolista").await?;
    let people = attendance::attendees(&s.db, id).await?;
    let trainers = attendance::trainer_ids(&s.db, id).await?;
    let can_mark = c.can(Action::MarkAttendance {
        trainer_person_ids: &trainers,
    });
    let notice = match q.ok.as_deref() {
        Some("markerad") => "Närvaron är sparad.".to_string(),
        _ => c.flash_notice(),
    };
    render(ListPage {
        error: c.flash_error(),
        c,
        s: info,
        people,
        notice,
        can_mark,
    })
}

#[derive(Deserialize)]
struct MarkForm {
    person_id: i64,
    present: String,
}

async fn mark(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MarkForm>,
) -> PageResult {
    allowed(&s, &c, id, true).await?;
    let who = c.who();
    match attendance::mark(
        &s.db,
        &who,
        id,
        f.person_id,
        f.present == "1" || f.present == "true",
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/tillfallen/{id}/narvaro?ok=markerad#p{}",
            f.person_id
        ))),
        Err(navet_store::StoreError::Conflict { message, .. }) => {
            crate::flash::error(&s, &c, &message, &format!("/tillfallen/{id}/narvaro")).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn close(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    allowed(&s, &c, id, true).await?;
    match attendance::close(&s.db, &c.who(), id, &s.config.public_url).await {
        Ok(sum) => {
            let text = format!(
                "Kurstillfället är stängt. {} närvarande, {} frånvarande (varav {} ej markerade), {} kursintyg.",
                sum.attended, sum.absent, sum.no_shows, sum.completions
            );
            crate::flash::notice(&s, &c, &text, &format!("/tillfallen/{id}/narvaro")).await
        }
        Err(navet_store::StoreError::Conflict { message, .. }) => {
            crate::flash::error(&s, &c, &message, &format!("/tillfallen/{id}/narvaro")).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "attendance/print.html")]
struct PrintPage {
    c: Ctx,
    s: SessionInfo,
    people: Vec<Attendee>,
}

async fn print(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let info = allowed(&s, &c, id, false).await?;
    audit_list(&s, &c, id, "utskrift av närvarolista").await?;
    let people = attendance::attendees(&s.db, id).await?;
    render(PrintPage { c, s: info, people })
}
