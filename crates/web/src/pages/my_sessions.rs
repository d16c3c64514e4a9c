//! A trainer's own pages: "Mina kurstillfällen" (coming and past sessions,
//! each with its attendance list, and a personal teaching calendar feed)
//! and their own absences, which they register and remove themselves.

use crate::rejection::MultiForm as Form;
use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::ical::{self, Method};
use navet_store::cover::Absence;
use navet_store::teaching::Taught;
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::teaching::MyTeaching;
use crate::usecase::{Guest, UseCase};
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mina-tillfallen", get(page))
        .route("/mina-tillfallen/franvaro", get(absence).post(add_absence))
        .route(
            "/mina-tillfallen/franvaro/{id}/ta-bort",
            post(remove_absence),
        )
        .route("/kalender/undervisning/{token}", get(teaching_feed))
}

#[derive(Template)]
#[template(path = "my_sessions/page.html")]
struct Page {
    c: Ctx,
    coming: Vec<Taught>,
    past: Vec<Taught>,
    feed_url: String,
    now: i64,
}

impl Page {
    fn due(&self, t: &Taught) -> bool {
        t.attendance_due(self.now)
    }
}

async fn page(State(s): State<AppState>, c: Ctx) -> PageResult {
    let now = navet_store::time::now();
    let mine = UseCase::page(&s, &c)?.my_teaching(now).await?;
    let MyTeaching {
        coming,
        past,
        feed_url,
    } = mine.unwrap_or(MyTeaching {
        coming: vec![],
        past: vec![],
        feed_url: String::new(),
    });
    render(Page {
        feed_url,
        c,
        coming,
        past,
        now,
    })
}

#[derive(Template)]
#[template(path = "my_sessions/absence.html")]
struct AbsencePage {
    c: Ctx,
    /// The absence form's address (see cover/absence_fields.html).
    base: String,
    absences: Vec<Absence>,
    errors: FormErrors,
    starts_on: String,
    ends_on: String,
    notice: &'static str,
}

#[derive(Deserialize, Default)]
struct AbsenceForm {
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

async fn absence_page(
    s: &AppState,
    c: Ctx,
    errors: FormErrors,
    form: AbsenceForm,
    notice: &'static str,
) -> PageResult {
    let absences = UseCase::page(s, &c)?.my_absences().await?;
    let page = AbsencePage {
        base: "/mina-tillfallen/franvaro".to_string(),
        absences,
        errors,
        starts_on: form.starts_on,
        ends_on: form.ends_on,
        notice,
        c,
    };
    let has_errors = page.errors.any();
    super::render_form(page, has_errors)
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    ok: Option<String>,
}

async fn absence(
    State(s): State<AppState>,
    c: Ctx,
    crate::rejection::Query(q): crate::rejection::Query<NoticeQuery>,
) -> PageResult {
    let notice = match q.ok.as_deref() {
        Some("registrerad") => c.t("my_sessions.absence_saved"),
        Some("borttagen") => c.t("my_sessions.absence_removed"),
        _ => "",
    };
    absence_page(&s, c, FormErrors::default(), AbsenceForm::default(), notice).await
}

async fn add_absence(State(s): State<AppState>, c: Ctx, Form(f): Form<AbsenceForm>) -> PageResult {
    let added = UseCase::page(&s, &c)?
        .add_my_absence(&f.starts_on, &f.ends_on)
        .await;
    match added {
        Ok(_) => Ok(see_other("/mina-tillfallen/franvaro?ok=registrerad")),
        Err(StoreError::Invalid(e)) => absence_page(&s, c, FormErrors(e), f, "").await,
        Err(e) => Err(e.into()),
    }
}

async fn remove_absence(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    UseCase::page(&s, &c)?.remove_my_absence(id).await?;
    Ok(see_other("/mina-tillfallen/franvaro?ok=borttagen"))
}

/// The secret teaching feed: the sessions the token's person teaches
/// (the same token as their booking feed; renewing it renews both).
async fn teaching_feed(State(s): State<AppState>, Path(token): Path<String>) -> PageResult {
    let token = token.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let g = Guest::anonymous(&s);
    let Some(events) = g.teaching_feed(token).await? else {
        return Err(AppError::NotFound);
    };
    let body = ical::calendar(
        Method::Publish,
        Some("Mina kurstillfällen – Navet"),
        &g.from_email(),
        &events,
        navet_store::time::now(),
    );
    super::bookings::ics_response(body, "mina-kurstillfallen.ics")
}
