//! Changing a session (`/kurstillfallen/{id}/andra`) and the confirmation
//! before cancelling one (`/kurstillfallen/{id}/installa`): both say what
//! will happen to the people booked before anything happens.

use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use axum_extra::extract::Form;
use domain::catalogue::LanguageSupport;
use domain::sessions::edit::Overflow;
use domain::sessions::utc_to_stockholm;
use domain::vocab::Labelled;
use navet_store::org::Municipality;
use navet_store::session_edit::TrainerOption;
use navet_store::sessions::SessionView;
use navet_store::StoreError;

use super::sessions::{form_field, SessionForm};
use super::{render_form, FormErrors};
use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/kurstillfallen/{id}/andra", get(edit_form).post(save))
}

/// `{name}` placeholders in a locale text filled in.
pub(super) fn fill(text: &str, args: &[(&str, String)]) -> String {
    args.iter().fold(text.to_string(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

#[derive(Template)]
#[template(path = "sessions/edit.html")]
struct EditPage {
    c: Ctx,
    s: SessionView,
    f: SessionForm,
    overflow: bool,
    errors: FormErrors,
    municipalities: Vec<Municipality>,
    trainers: Vec<TrainerOption>,
}

impl EditPage {
    fn supports(&self) -> Vec<(&'static str, &'static str)> {
        LanguageSupport::options(self.c.is_english())
    }
    fn has_support(&self, code: &&str) -> bool {
        self.f.language_support.iter().any(|s| s == code)
    }
    fn has_trainer(&self, id: &i64) -> bool {
        self.f.trainers.contains(id)
    }
    fn quota_rows(&self) -> Vec<(usize, String, String, String, String, String)> {
        (0..3)
            .map(|i| {
                (
                    i,
                    self.f
                        .quota_municipality
                        .get(i)
                        .cloned()
                        .unwrap_or_default(),
                    self.f.quota_seats.get(i).cloned().unwrap_or_default(),
                    self.f.quota_release.get(i).cloned().unwrap_or_default(),
                    self.errors
                        .get(&format!("quota_municipality-{i}"))
                        .to_string(),
                    self.errors.get(&format!("quota_release-{i}")).to_string(),
                )
            })
            .collect()
    }
    fn booked_text(&self) -> String {
        fill(
            self.c.t("flows.edit_booked_now"),
            &[
                ("booked", self.s.booked.to_string()),
                ("waiting", self.s.waitlisted.to_string()),
            ],
        )
    }
}

fn day(ts: i64) -> String {
    utc_to_stockholm(ts).format("%Y-%m-%d").to_string()
}

fn clock(ts: i64) -> String {
    utc_to_stockholm(ts).format("%H:%M").to_string()
}

/// The session as the form shows it.
fn form_of(v: &SessionView) -> SessionForm {
    let mut f = SessionForm {
        course_id: v.row.course_id.to_string(),
        municipality: v.row.municipality_name.clone(),
        venue: v.row.venue.clone(),
        capacity: v.row.capacity.to_string(),
        language_support: v
            .row
            .language_support
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect(),
        trainers: v.trainers.iter().map(|t| t.person_id).collect(),
        ..Default::default()
    };
    if let Some(p) = v.parts.first() {
        (f.date, f.start, f.end) = (day(p.starts_at), clock(p.starts_at), clock(p.ends_at));
    }
    if let Some(p) = v.parts.get(1) {
        (f.date2, f.start2, f.end2) = (day(p.starts_at), clock(p.starts_at), clock(p.ends_at));
    }
    for q in &v.quotas {
        f.quota_municipality.push(q.municipality.clone());
        f.quota_seats.push(q.seats.to_string());
        f.quota_release.push(day(q.release_at));
    }
    if let Some(o) = v.row.registration_opens_at {
        f.opens_date = day(o);
    }
    // Closing at the start is the default: leave the field empty then.
    if let Some(c) = v
        .row
        .registration_closes_at
        .filter(|c| *c != v.row.starts_at)
    {
        f.closes_date = day(c);
    }
    f
}

async fn page(
    s: &AppState,
    c: Ctx,
    v: SessionView,
    f: SessionForm,
    overflow: bool,
    errors: FormErrors,
) -> PageResult {
    let has = errors.any();
    let o = UseCase::page(s, &c)?.edit_options(v.row.id).await?;
    render_form(
        EditPage {
            municipalities: o.municipalities,
            trainers: o.trainers,
            c,
            s: v,
            f,
            overflow,
            errors,
        },
        has,
    )
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let v = UseCase::page(&s, &c)?.session_to_change(id).await?;
    let f = form_of(&v);
    page(&s, c, v, f, false, FormErrors::default()).await
}

async fn save(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(mut f): Form<SessionForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let v = uc.session_to_change(id).await?;
    f.course_id = v.row.course_id.to_string();
    let overflow = f.overflow == "waitlist";
    let mut pre = domain::FieldErrors::new();
    let input = f.input(&mut pre);
    let choice = if overflow {
        Overflow::ToWaitingList
    } else {
        Overflow::Refuse
    };
    let result = uc.edit_session(id, &input, choice, pre).await;
    let errors = match result {
        Ok(r) => {
            let text = fill(
                c.t("flows.edit_saved"),
                &[
                    ("told", r.told.to_string()),
                    ("moved", r.moved.len().to_string()),
                    ("promoted", r.promoted.len().to_string()),
                ],
            );
            return crate::flash::notice(&s, &c, &text, &format!("/kurstillfallen/{id}")).await;
        }
        Err(StoreError::Invalid(e)) => e,
        Err(StoreError::Conflict { message, .. }) => {
            return crate::flash::error(&s, &c, &message, &format!("/kurstillfallen/{id}")).await
        }
        Err(e) => return Err(e.into()),
    };
    let mapped = domain::FieldErrors(
        errors
            .0
            .into_iter()
            .map(|mut e| {
                e.field = form_field(&e.field);
                e
            })
            .collect(),
    );
    page(&s, c, v, f, overflow, FormErrors(mapped)).await
}

#[derive(Template)]
#[template(path = "sessions/cancel_confirm.html")]
struct CancelConfirmPage {
    c: Ctx,
    s: SessionView,
    next: Option<SessionView>,
}

impl CancelConfirmPage {
    fn told_text(&self) -> String {
        fill(
            self.c.t("flows.cancel_session_told"),
            &[
                ("booked", self.s.booked.to_string()),
                ("waiting", self.s.waitlisted.to_string()),
            ],
        )
    }
    fn offer_text(&self) -> String {
        match &self.next {
            Some(n) => fill(
                self.c.t("flows.cancel_session_offer"),
                &[
                    ("when", self.c.when(&n.parts)),
                    ("free", n.free_total.to_string()),
                ],
            ),
            None => self.c.t("flows.cancel_session_no_offer").to_string(),
        }
    }
    fn can_cancel(&self) -> bool {
        self.s
            .row
            .stored_status()
            .can_become(domain::sessions::SessionStatus::Cancelled)
    }
}

/// What cancelling the session would do, with the reason field and the button.
pub(super) async fn cancel_confirm(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let v = uc.session_to_change(id).await?;
    let next = uc
        .next_session_of_course(&v, navet_store::time::now())
        .await?;
    render(CancelConfirmPage { c, s: v, next })
}
