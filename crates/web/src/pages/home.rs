//! The public start page (signed-in people get their role's start page,
//! `pages::start`), the accessibility statement, and the language switch.

use crate::rejection::Form;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Ctx,
    course_count: i64,
}

#[derive(Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    c: Ctx,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/tillganglighet", get(accessibility))
        .route("/sprak", post(set_language))
}

async fn home(State(s): State<AppState>, c: Ctx) -> PageResult {
    if c.user.is_some() {
        return crate::pages::start::page(&s, c).await;
    }
    let course_count = UseCase::page_or_anonymous(&s, &c)
        .active_course_count()
        .await?;
    render(HomePage { c, course_count })
}

async fn accessibility(c: Ctx) -> PageResult {
    render(AccessibilityPage { c })
}

#[derive(Deserialize)]
struct LangForm {
    lang: String,
    #[serde(default)]
    next: String,
}

async fn set_language(State(s): State<AppState>, c: Ctx, Form(f): Form<LangForm>) -> PageResult {
    let lang = crate::i18n::Lang::parse(&f.lang);
    if c.user.is_some() {
        UseCase::page(&s, &c)?.set_my_language(lang.code()).await?;
    }
    let next = crate::pages::auth::safe_next(&f.next);
    let mut resp = Redirect::to(&next).into_response();
    let mut cookie = crate::session_layer::cookie(
        crate::session_layer::LANG_COOKIE,
        lang.code().to_string(),
        s.config.secure_cookies,
    );
    cookie.set_max_age(time_max_age());
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

fn time_max_age() -> cookie::time::Duration {
    cookie::time::Duration::days(365)
}
