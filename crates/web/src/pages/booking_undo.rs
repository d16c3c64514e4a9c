//! Cancelling a booking in two steps and taking it back: the confirmation
//! page says what will happen (late or free, the seat to the waiting list),
//! the page after it offers "Ångra" for ten minutes, and the undo itself.
//! All plain forms; nothing needs JavaScript.

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::booking::CancelKind;
use navet_store::bookings::BookingView;
use navet_store::sessions::SessionView;
use navet_store::StoreError;
use serde::Deserialize;

use super::session_edit::fill;
use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, see_other, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/anmalan/{id}/avbokad", get(cancelled))
        .route("/anmalan/{id}/angra", post(undo))
}

#[derive(Deserialize, Default)]
pub(super) struct NextQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    promoted: Option<String>,
}

fn is_self(c: &Ctx, b: &BookingView) -> bool {
    c.actor().and_then(|a| a.person_id) == Some(b.person_id)
}

/// Where to go back to: a page of this site only.
fn back(next: &str, c: &Ctx, b: &BookingView) -> String {
    let fallback = if is_self(c, b) {
        "/mina-bokningar".to_string()
    } else {
        format!("/kurstillfallen/{}", b.session_id)
    };
    domain::redirect::safe_next(next, &fallback)
}

#[derive(Template)]
#[template(path = "bookings/cancel_confirm.html")]
struct ConfirmPage {
    c: Ctx,
    b: BookingView,
    s: SessionView,
    kind: Option<CancelKind>,
    own: bool,
    next: String,
}

impl ConfirmPage {
    fn waitlisted(&self) -> bool {
        self.b.status == domain::booking::BookingStatus::Waitlisted
    }
    fn late(&self) -> bool {
        self.kind == Some(CancelKind::LateCancelled)
    }
    fn deadline_text(&self) -> String {
        let key = if self.late() {
            "flows.cancel_late"
        } else {
            "flows.cancel_free"
        };
        fill(
            self.c.t(key),
            &[(
                "deadline",
                crate::format::datetime(self.b.free_cancellation_until()),
            )],
        )
    }
    fn seat_text(&self) -> String {
        if self.waitlisted() {
            fill(
                self.c.t("flows.cancel_leave_list"),
                &[(
                    "position",
                    self.b.waitlist_position.unwrap_or(0).to_string(),
                )],
            )
        } else if self.s.waitlisted > 0 {
            fill(
                self.c.t("flows.cancel_seat_to_next"),
                &[("waiting", self.s.waitlisted.to_string())],
            )
        } else {
            self.c.t("flows.cancel_seat_free").to_string()
        }
    }
    fn who_text(&self) -> String {
        if self.own {
            self.c.t("flows.cancel_notice_self").to_string()
        } else {
            fill(
                self.c.t("flows.cancel_notice_other"),
                &[("name", self.b.person_name.clone())],
            )
        }
    }
}

pub(super) async fn confirm(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<NextQuery>,
) -> PageResult {
    let (b, session) = UseCase::page(&s, &c)?.cancel_preview(id).await?;
    let now = navet_store::time::now();
    let next = back(&q.next, &c, &b);
    render(ConfirmPage {
        kind: b.cancel_kind(now),
        own: is_self(&c, &b),
        s: session,
        next,
        b,
        c,
    })
}

#[derive(Template)]
#[template(path = "bookings/cancelled.html")]
struct CancelledPage {
    c: Ctx,
    b: BookingView,
    promoted: bool,
    can_undo: bool,
    next: String,
}

impl CancelledPage {
    fn undo_text(&self) -> String {
        fill(
            self.c.t("flows.undo_until"),
            &[(
                "time",
                self.b
                    .undo_until()
                    .map(|t| crate::format::datetime(t)[11..].to_string())
                    .unwrap_or_default(),
            )],
        )
    }
}

/// After a cancellation: what happened, and "Ångra" while it can be undone.
async fn cancelled(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<NextQuery>,
) -> PageResult {
    let b = UseCase::page(&s, &c)?.booking_to_change(id).await?;
    let now = navet_store::time::now();
    let promoted = q.promoted.is_some();
    render(CancelledPage {
        can_undo: b.undo_offered(now) && !promoted,
        next: back(&q.next, &c, &b),
        promoted,
        b,
        c,
    })
}

#[derive(Deserialize, Default)]
struct UndoForm {
    #[serde(default)]
    next: String,
}

async fn undo(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<UndoForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let b = uc.booking_to_change(id).await?;
    let to = back(&f.next, &c, &b);
    match uc.undo_cancel(id).await {
        Ok(r) => {
            let text = match r.waitlist_position {
                Some(p) => fill(c.t("flows.undone_waiting"), &[("position", p.to_string())]),
                None => c.t("flows.undone_booked").to_string(),
            };
            crate::flash::notice(&s, &c, &text, &to).await
        }
        Err(StoreError::Conflict { message, .. }) => {
            crate::flash::error(&s, &c, &message, &to).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Where the cancel form goes after a cancellation: the page above.
pub(super) fn after_cancel(id: i64, next: &str, promoted: bool) -> axum::response::Response {
    let mut to = format!("/anmalan/{id}/avbokad?next={}", urlencoding::encode(next));
    if promoted {
        to.push_str("&promoted=1");
    }
    see_other(&to)
}
