//! Attendance for trainers and coordinators: the sessions of the day
//! first, the list on screen (everyone present at once, then single
//! people; without reloading when JavaScript is on, the same forms without
//! it), closing after a confirmation that says how many certificates will
//! be issued, and a printable list with a line to sign.

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use domain::sessions::day::DayGroup;
use navet_store::attendance::{Attendee, ClosePreview, SessionInfo};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, see_other, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/narvaro", get(sessions))
        .route("/tillfallen/{id}/narvaro", get(list).post(mark))
        .route("/tillfallen/{id}/narvaro/alla", post(mark_all))
        .route(
            "/tillfallen/{id}/narvaro/stang",
            get(close_confirm).post(close),
        )
        .route("/tillfallen/{id}/narvarolista", get(print))
}

#[derive(Template)]
#[template(path = "attendance/sessions.html")]
struct SessionsPage {
    c: Ctx,
    /// (group, its sessions) in the order of the day, empty groups left out.
    groups: Vec<(DayGroup, Vec<SessionInfo>)>,
}

impl SessionsPage {
    fn heading(&self, g: &DayGroup) -> &'static str {
        self.c.t(&format!("flows.day_{}", g.code()))
    }
}

async fn sessions(State(s): State<AppState>, c: Ctx) -> PageResult {
    let list = UseCase::page(&s, &c)?.attendance_sessions().await?;
    let now = navet_store::time::now();
    let mut groups: Vec<(DayGroup, Vec<SessionInfo>)> = vec![];
    for x in list {
        let g = x.group(now);
        match groups.last_mut() {
            Some((last, v)) if *last == g => v.push(x),
            _ => groups.push((g, vec![x])),
        }
    }
    render(SessionsPage { c, groups })
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
    now: i64,
}

impl ListPage {
    fn may_mark(&self) -> bool {
        self.can_mark && self.s.may_mark(self.now)
    }
    fn may_close(&self) -> bool {
        self.can_mark && self.s.may_close(self.now)
    }
    fn not_yet_text(&self) -> String {
        super::session_edit::fill(
            self.c.t("flows.close_after_end"),
            &[("end", crate::format::datetime(self.s.ends_at))],
        )
    }
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
    let l = UseCase::page(&s, &c)?
        .attendance_list(id, "närvarolista")
        .await?;
    let notice = match q.ok.as_deref() {
        Some("markerad") => "Närvaron är sparad.".to_string(),
        _ => c.flash_notice(),
    };
    render(ListPage {
        error: c.flash_error(),
        c,
        s: l.session,
        people: l.people,
        notice,
        can_mark: l.can_mark,
        now: navet_store::time::now(),
    })
}

#[derive(Deserialize)]
struct MarkForm {
    person_id: i64,
    present: String,
}

/// The page's script asks for JSON (`Accept: application/json`) and
/// updates the row in place; a plain form gets the page again.
fn wants_json(h: &HeaderMap) -> bool {
    h.get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn json_error(status: axum::http::StatusCode, message: &str) -> PageResult {
    Ok((status, Json(serde_json::json!({ "error": message }))).into_response())
}

async fn mark(
    State(s): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<MarkForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let present = f.present == "1" || f.present == "true";
    let json = wants_json(&headers);
    match uc.mark_attendance(id, f.person_id, present).await {
        Ok(status) if json => Ok(Json(serde_json::json!({
            "person_id": f.person_id,
            "status": status.code(),
            "label": c.attendance(&status),
            "message": c.t("flows.mark_saved"),
        }))
        .into_response()),
        Ok(_) => Ok(see_other(&format!(
            "/tillfallen/{id}/narvaro?ok=markerad#p{}",
            f.person_id
        ))),
        Err(navet_store::StoreError::Conflict { message, .. }) if json => {
            json_error(axum::http::StatusCode::CONFLICT, &message)
        }
        Err(navet_store::StoreError::Conflict { message, .. }) => {
            crate::flash::error(&s, &c, &message, &format!("/tillfallen/{id}/narvaro")).await
        }
        Err(e) => Err(e.into()),
    }
}

/// "Alla närvarande": everyone with a seat marked present at once.
async fn mark_all(
    State(s): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let json = wants_json(&headers);
    match uc.mark_all_present(id).await {
        Ok((n, people)) if json => {
            Ok(Json(serde_json::json!({
                "marked": n,
                "message": super::session_edit::fill(c.t("flows.all_present_done"), &[("n", n.to_string())]),
                "people": people.iter().map(|p| serde_json::json!({
                    "person_id": p.person_id,
                    "status": p.status.code(),
                    "label": c.attendance(&p.status),
                })).collect::<Vec<_>>(),
            }))
            .into_response())
        }
        Ok((n, _)) => {
            let text =
                super::session_edit::fill(c.t("flows.all_present_done"), &[("n", n.to_string())]);
            crate::flash::notice(&s, &c, &text, &format!("/tillfallen/{id}/narvaro")).await
        }
        Err(navet_store::StoreError::Conflict { message, .. }) if json => {
            json_error(axum::http::StatusCode::CONFLICT, &message)
        }
        Err(navet_store::StoreError::Conflict { message, .. }) => {
            crate::flash::error(&s, &c, &message, &format!("/tillfallen/{id}/narvaro")).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "attendance/close_confirm.html")]
struct CloseConfirmPage {
    c: Ctx,
    s: SessionInfo,
    p: ClosePreview,
    may_close: bool,
}

impl CloseConfirmPage {
    fn certificates_text(&self) -> String {
        super::session_edit::fill(
            self.c.t("flows.close_certificates"),
            &[("n", self.p.certificates.to_string())],
        )
    }
    fn absent_text(&self) -> String {
        super::session_edit::fill(
            self.c.t("flows.close_absent"),
            &[
                ("absent", self.p.absent.to_string()),
                ("unmarked", self.p.unmarked.to_string()),
            ],
        )
    }
    fn not_yet_text(&self) -> String {
        super::session_edit::fill(
            self.c.t("flows.close_after_end"),
            &[("end", crate::format::datetime(self.s.ends_at))],
        )
    }
}

/// What closing will do, before it is done.
async fn close_confirm(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let (info, p) = UseCase::page(&s, &c)?.close_preview(id).await?;
    render(CloseConfirmPage {
        may_close: info.may_close(navet_store::time::now()),
        c,
        s: info,
        p,
    })
}

async fn close(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    match UseCase::page(&s, &c)?.close_session(id).await {
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
    let l = UseCase::page(&s, &c)?
        .attendance_list(id, "utskrift av närvarolista")
        .await?;
    render(PrintPage {
        c,
        s: l.session,
        people: l.people,
    })
}
