//! The notice outbox for administrators and coordinators: every notice
//! written, whether it has been delivered, and its text and invitation.
//! One-time link keys in the text are masked (see `domain::notices`).

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use domain::access::Action;
use navet_store::audit;
use navet_store::outbox::{self, Message};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::{render, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/utskick", get(list))
        .route("/admin/utskick/{id}", get(show))
        .route("/admin/utskick/{id}/invite.ics", get(ics))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    till: String,
    #[serde(default)]
    slag: String,
    #[serde(default)]
    ej_skickade: Option<String>,
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    sida: Option<i64>,
}

#[derive(Template)]
#[template(path = "outbox/list.html")]
struct ListPage {
    c: Ctx,
    messages: Vec<Message>,
    total: i64,
    page: i64,
    pages: i64,
    q: ListQuery,
    kinds: Vec<(&'static str, &'static str)>,
}

impl ListPage {
    fn page_link(&self, p: &i64) -> String {
        format!(
            "/admin/utskick?till={}&slag={}{}&sida={p}",
            urlencoding::encode(&self.q.till),
            urlencoding::encode(&self.q.slag),
            if self.q.ej_skickade.is_some() {
                "&ej_skickade=1"
            } else {
                ""
            }
        )
    }
}

const PAGE: i64 = 100;

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let user = c.require(Action::ViewOutbox)?;
    let page = q.sida.unwrap_or(1).max(1);
    let (messages, total) = outbox::list(
        &s.db,
        &outbox::Filter {
            to: Some(q.till.clone()).filter(|t| !t.trim().is_empty()),
            kind: Some(q.slag.clone()).filter(|t| !t.is_empty()),
            unsent_only: q.ej_skickade.is_some(),
            limit: PAGE,
            offset: (page - 1) * PAGE,
            ..Default::default()
        },
    )
    .await?;
    // Recipients' addresses are personal data: log the read with their ids.
    let ids: Vec<i64> = messages.iter().filter_map(|m| m.to_person_id).collect();
    audit::record_list_read(&s.db, &user.who(), "outbox", "utkorgen", &ids).await?;
    let messages = messages.into_iter().map(masked).collect();
    let kinds = [
        "booking_confirmed",
        "waitlisted",
        "promoted",
        "booking_cancelled",
        "session_cancelled",
        "offer",
    ]
    .into_iter()
    .map(|k| (k, c.notice_kind(k)))
    .collect();
    render(ListPage {
        pages: (total + PAGE - 1) / PAGE,
        messages,
        total,
        page,
        q,
        kinds,
        c,
    })
}

#[derive(Template)]
#[template(path = "outbox/show.html")]
struct ShowPage {
    c: Ctx,
    m: Message,
}

/// Opening a notice (its address, text and invitation) is a read of the
/// recipient's personal data.
async fn log_message_read(s: &AppState, c: &Ctx, m: &Message, what: &str) -> PageResult<()> {
    audit::record_alone(
        &s.db,
        &c.who(),
        "outbox.read",
        "outbox",
        Some(m.id),
        m.to_person_id,
        what,
    )
    .await?;
    Ok(())
}

async fn show(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    c.require(Action::ViewOutbox)?;
    let m = outbox::get(&s.db, id).await?;
    log_message_read(&s, &c, &m, "utskick").await?;
    let m = masked(m);
    render(ShowPage { c, m })
}

/// A notice as staff may see it: one-time link keys masked (the recipient's
/// copy, sent from the outbox table, keeps them).
fn masked(mut m: Message) -> Message {
    m.subject = domain::notices::mask_link_tokens(&m.subject);
    m.body = domain::notices::mask_link_tokens(&m.body);
    m
}

async fn ics(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    c.require(Action::ViewOutbox)?;
    let m = outbox::get(&s.db, id).await?;
    log_message_read(&s, &c, &m, "kalenderinbjudan").await?;
    let Some(body) = m.ics.as_deref().map(domain::notices::mask_link_tokens) else {
        return Err(AppError::NotFound);
    };
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        body,
    )
        .into_response())
}
