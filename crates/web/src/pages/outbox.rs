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
use navet_store::outbox::{self, Message};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::usecase::UseCase;
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
    let page = q.sida.unwrap_or(1).max(1);
    let filter = outbox::Filter {
        to: Some(q.till.clone()).filter(|t| !t.trim().is_empty()),
        kind: Some(q.slag.clone()).filter(|t| !t.is_empty()),
        unsent_only: q.ej_skickade.is_some(),
        limit: PAGE,
        offset: (page - 1) * PAGE,
        ..Default::default()
    };
    let (messages, total) = UseCase::page(&s, &c)?.outbox_list(&filter).await?;
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

async fn show(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let m = UseCase::page(&s, &c)?.outbox_message(id, "utskick").await?;
    render(ShowPage { c, m })
}

async fn ics(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let m = UseCase::page(&s, &c)?
        .outbox_message(id, "kalenderinbjudan")
        .await?;
    let Some(body) = m.ics else {
        return Err(AppError::NotFound);
    };
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        body,
    )
        .into_response())
}
