//! A trainer's own pages: "Mina kurstillfällen" (coming and past sessions,
//! each with its attendance list, and a personal teaching calendar feed)
//! and their own absences, which they register and remove themselves.

use crate::rejection::MultiForm as Form;
use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::access::Action;
use domain::ical::{self, Method};
use navet_store::cover::{self, Absence};
use navet_store::teaching::{self, Taught};
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::{Ctx, User};
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

/// An account that is no person's has no sessions or absences of its own.
const NO_PERSON: &str = "Kontot hör inte till någon person i registret.";

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
    let user = c.require(Action::ListAttendanceSessions)?;
    let now = navet_store::time::now();
    let Some(pid) = user.actor.person_id else {
        return render(Page {
            c,
            coming: vec![],
            past: vec![],
            feed_url: String::new(),
            now,
        });
    };
    let coming = teaching::between(&s.db, pid, now, i64::MAX).await?;
    let past = teaching::past(&s.db, pid, now).await?;
    let token = navet_store::bookings::feed_token(&s.db, pid).await?;
    render(Page {
        feed_url: format!("{}/kalender/undervisning/{token}.ics", s.config.public_url),
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
    pid: i64,
    errors: FormErrors,
    form: AbsenceForm,
    notice: &'static str,
) -> PageResult {
    let today = navet_store::time::local_date(navet_store::time::now());
    let page = AbsencePage {
        base: "/mina-tillfallen/franvaro".to_string(),
        absences: cover::absences_of(&s.db, pid, today).await?,
        errors,
        starts_on: form.starts_on,
        ends_on: form.ends_on,
        notice,
        c,
    };
    let has_errors = page.errors.any();
    super::render_form(page, has_errors)
}

/// The trainer's person id if they may record their own absence.
fn own_absence(c: &Ctx) -> Result<(User, i64), AppError> {
    let user = c.require_login()?;
    let pid = user
        .actor
        .person_id
        .ok_or_else(|| AppError::forbidden(NO_PERSON))?;
    let user = c
        .require(Action::RecordTrainerAbsence {
            trainer_person_id: pid,
        })?
        .clone();
    Ok((user, pid))
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
    let (_, pid) = own_absence(&c)?;
    let notice = match q.ok.as_deref() {
        Some("registrerad") => c.t("my_sessions.absence_saved"),
        Some("borttagen") => c.t("my_sessions.absence_removed"),
        _ => "",
    };
    absence_page(
        &s,
        c,
        pid,
        FormErrors::default(),
        AbsenceForm::default(),
        notice,
    )
    .await
}

async fn add_absence(State(s): State<AppState>, c: Ctx, Form(f): Form<AbsenceForm>) -> PageResult {
    let (user, pid) = own_absence(&c)?;
    let (from, to) = match domain::cover::check_absence(&f.starts_on, &f.ends_on) {
        Ok(span) => span,
        Err(e) => return absence_page(&s, c, pid, FormErrors(e), f, "").await,
    };
    match cover::add_absence(&s.db, &user.who(), pid, from, to).await {
        Ok(_) => Ok(see_other("/mina-tillfallen/franvaro?ok=registrerad")),
        Err(StoreError::Invalid(e)) => absence_page(&s, c, pid, FormErrors(e), f, "").await,
        Err(e) => Err(e.into()),
    }
}

async fn remove_absence(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let (user, pid) = own_absence(&c)?;
    // The store removes the row only if it is this person's.
    cover::remove_absence(&s.db, &user.who(), pid, id).await?;
    Ok(see_other("/mina-tillfallen/franvaro?ok=borttagen"))
}

/// The secret teaching feed: the sessions the token's person teaches
/// (the same token as their booking feed; renewing it renews both).
async fn teaching_feed(State(s): State<AppState>, Path(token): Path<String>) -> PageResult {
    let token = token.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let Some(pid) = navet_store::bookings::person_for_feed(&s.db, token).await? else {
        return Err(AppError::NotFound);
    };
    let sender = s.db.sender();
    let from = navet_store::time::now() - 30 * 86_400;
    let mut events = vec![];
    for (id, status, text) in teaching::calendar(&s.db, pid, from).await? {
        events.extend(text.events(
            &format!("navet-teaching-{id}"),
            0,
            status == "cancelled",
            None,
            Some(format!("{}/tillfallen/{id}/narvaro", sender.base_url)),
        ));
    }
    let body = ical::calendar(
        Method::Publish,
        Some("Mina kurstillfällen – Navet"),
        &sender.from_email,
        &events,
        navet_store::time::now(),
    );
    super::bookings::ics_response(body, "mina-kurstillfallen.ics")
}
