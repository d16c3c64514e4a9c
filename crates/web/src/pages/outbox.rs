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
use domain::paging::Seek;
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
    /// Messages older than this id.
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    fore: Option<i64>,
    /// Messages newer than this id.
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    efter: Option<i64>,
}

#[derive(Template)]
#[template(path = "outbox/list.html")]
struct ListPage {
    c: Ctx,
    messages: Vec<Message>,
    total: i64,
    count_cap: i64,
    newer: Option<i64>,
    older: Option<i64>,
    q: ListQuery,
    kinds: Vec<(&'static str, &'static str)>,
}

impl ListPage {
    /// The list with the same filter, from `param` (`fore`/`efter`) =
    /// `id`, or the newest messages when `param` is empty.
    fn seek_link(&self, param: &str, id: &i64) -> String {
        let mut link = format!(
            "/admin/utskick?till={}&slag={}",
            urlencoding::encode(&self.q.till),
            urlencoding::encode(&self.q.slag),
        );
        if self.q.ej_skickade.is_some() {
            link.push_str("&ej_skickade=1");
        }
        if !param.is_empty() {
            link.push_str(&format!("&{param}={id}"));
        }
        link
    }
}

const PAGE: i64 = 100;

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let filter = outbox::Filter {
        to: Some(q.till.clone()).filter(|t| !t.trim().is_empty()),
        kind: Some(q.slag.clone()).filter(|t| !t.is_empty()),
        unsent_only: q.ej_skickade.is_some(),
        limit: PAGE,
        seek: Seek::from_query(q.fore, q.efter),
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
        newer: messages.newer,
        older: messages.older,
        messages: messages.rows,
        total,
        count_cap: outbox::COUNT_CAP,
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
