//! Sessions: the coordinators' schedule and scheduling form, and each
//! session's page (book a seat; participants, waiting list, reservations,
//! trainers and cancelling for those who may).

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::catalogue::LanguageSupport;
use domain::vocab::Labelled;
use navet_store::bookings::{BookingView, HoldView};
use navet_store::catalogue::Course;
use navet_store::org::{Municipality, Unit};
use navet_store::sessions::{SessionInput, SessionView};
use navet_store::trainers::Trainer;
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tillfallen/ny", get(new_form).post(create))
        .route("/kurstillfallen/{id}", get(show))
        .route("/kurstillfallen/{id}/boka", post(book_self))
        .route(
            "/kurstillfallen/{id}/installa",
            get(super::session_edit::cancel_confirm).post(cancel_session),
        )
        .route(
            "/kurstillfallen/{id}/utbildningsledare",
            post(assign_trainer),
        )
        .route(
            "/kurstillfallen/{id}/utbildningsledare/{person}/ta-bort",
            post(unassign_trainer),
        )
        .route("/kurstillfallen/{id}/reservera", post(reserve))
        .route("/reservationer/{id}/slapp", post(release_reservation))
}

// Scheduling form ------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub(super) struct SessionForm {
    #[serde(default)]
    pub(super) course_id: String,
    #[serde(default)]
    pub(super) date: String,
    #[serde(default)]
    pub(super) start: String,
    #[serde(default)]
    pub(super) end: String,
    #[serde(default)]
    pub(super) date2: String,
    #[serde(default)]
    pub(super) start2: String,
    #[serde(default)]
    pub(super) end2: String,
    #[serde(default)]
    pub(super) municipality: String,
    #[serde(default)]
    pub(super) venue: String,
    #[serde(default)]
    pub(super) capacity: String,
    #[serde(default)]
    pub(super) quota_municipality: Vec<String>,
    #[serde(default)]
    pub(super) quota_seats: Vec<String>,
    #[serde(default)]
    pub(super) quota_release: Vec<String>,
    #[serde(default)]
    pub(super) opens_date: String,
    #[serde(default)]
    pub(super) closes_date: String,
    #[serde(default)]
    pub(super) language_support: Vec<String>,
    #[serde(default)]
    pub(super) trainers: Vec<i64>,
    /// Asks for the chosen course's trainers (a national pool): the form
    /// comes back with them, nothing is saved.
    #[serde(default)]
    pub(super) show_trainers: Option<String>,
    /// On a change: `waitlist` moves bookings that no longer fit to the
    /// top of the waiting list instead of refusing the change.
    #[serde(default)]
    pub(super) overflow: String,
}

#[derive(Template)]
#[template(path = "sessions/form.html")]
struct FormPage {
    c: Ctx,
    f: SessionForm,
    errors: FormErrors,
    courses: Vec<Course>,
    municipalities: Vec<Municipality>,
    trainers: Vec<Trainer>,
    trainers_by_course: bool,
}

impl FormPage {
    fn supports(&self) -> Vec<(&'static str, &'static str)> {
        LanguageSupport::options(self.c.is_english())
    }
    fn has_support(&self, code: &&str) -> bool {
        self.f.language_support.iter().any(|s| s == code)
    }
    fn has_trainer(&self, id: &i64) -> bool {
        self.f.trainers.contains(id)
    }
    /// Three quota rows, filled from what was typed, with their errors.
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
    fn course_selected(&self, id: &i64) -> bool {
        self.f.course_id == id.to_string()
    }
    fn qualified(&self, t: &Trainer) -> bool {
        self.f
            .course_id
            .parse::<i64>()
            .is_ok_and(|c| t.is_qualified(c))
    }
}

async fn form_page(s: &AppState, c: Ctx, f: SessionForm, errors: FormErrors) -> PageResult {
    let o = UseCase::page(s, &c)?
        .session_form_options(f.course_id.trim().parse().ok())
        .await?;
    render(FormPage {
        courses: o.courses,
        municipalities: o.municipalities,
        trainers: o.trainers,
        trainers_by_course: o.trainers_by_course,
        c,
        f,
        errors,
    })
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    kurs: Option<i64>,
}

async fn new_form(State(s): State<AppState>, c: Ctx, Query(q): Query<NewQuery>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let mut f = SessionForm {
        start: "09:00".into(),
        end: "12:00".into(),
        ..Default::default()
    };
    if let Some(course) = uc.course_to_schedule(q.kurs).await? {
        f.course_id = course.id.to_string();
        f.capacity = course.default_capacity.to_string();
    }
    form_page(&s, c, f, FormErrors::default()).await
}

pub(super) fn local(date: &str, time: &str) -> String {
    format!("{}T{}", date.trim(), time.trim().replace('.', ":"))
}

impl SessionForm {
    /// The form as the store's input; local times are Stockholm time.
    pub(super) fn input(&self, errors: &mut domain::FieldErrors) -> SessionInput {
        let mut parts = vec![(local(&self.date, &self.start), local(&self.date, &self.end))];
        if !self.date2.trim().is_empty() {
            parts.push((
                local(&self.date2, &self.start2),
                local(&self.date2, &self.end2),
            ));
        }
        let course_id = match self.course_id.trim().parse::<i64>() {
            Ok(c) => c,
            Err(_) => {
                errors.add("course_id", "missing_course", "Välj kurs.");
                0
            }
        };
        let capacity = match self.capacity.trim().parse::<i64>() {
            Ok(c) => c,
            Err(_) => {
                errors.add(
                    "capacity",
                    "invalid_capacity",
                    "Ange antal platser som ett heltal.",
                );
                0
            }
        };
        let mut quotas = vec![];
        for i in 0..self.quota_municipality.len() {
            let m = self.quota_municipality[i].trim();
            if m.is_empty() {
                continue;
            }
            let seats = self.quota_seats.get(i).map(|s| s.trim()).unwrap_or("");
            let Ok(seats) = seats.parse::<i64>() else {
                errors.add(
                    &format!("quotas[{i}].seats"),
                    "invalid_quota",
                    "Ange kvotens antal platser som ett heltal.",
                );
                continue;
            };
            let rel = self.quota_release.get(i).map(|s| s.trim()).unwrap_or("");
            quotas.push((m.to_string(), seats, format!("{rel}T00:00")));
        }
        let day = |d: &str, t: &str| (!d.trim().is_empty()).then(|| local(d, t));
        SessionInput {
            course_id,
            parts,
            municipality: self.municipality.clone(),
            venue: self.venue.clone(),
            capacity,
            quotas,
            registration_opens_at: day(&self.opens_date, "00:00"),
            registration_closes_at: day(&self.closes_date, "23:59"),
            language_support: self.language_support.clone(),
            trainer_person_ids: self.trainers.clone(),
        }
    }
}

/// Field names of the store mapped to the form's inputs.
pub(super) fn form_field(f: &str) -> String {
    match f {
        "starts_at" | "parts" => "start".into(),
        "ends_at" => "end".into(),
        "parts[1].starts_at" => "start2".into(),
        "parts[1].ends_at" => "end2".into(),
        "registration_opens_at" => "opens_date".into(),
        "registration_closes_at" => "closes_date".into(),
        "quotas" => "quota_seats-0".into(),
        x if x.starts_with("quotas[") => {
            let i = x.chars().nth(7).unwrap_or('0');
            let what = if x.ends_with("municipality") {
                "quota_municipality"
            } else if x.ends_with("release_at") {
                "quota_release"
            } else {
                "quota_seats"
            };
            format!("{what}-{i}")
        }
        x if x.starts_with("trainers") => "trainers".into(),
        x => x.to_string(),
    }
}

async fn create(State(s): State<AppState>, c: Ctx, Form(f): Form<SessionForm>) -> PageResult {
    if f.show_trainers.is_some() {
        return form_page(&s, c, f, FormErrors::default()).await;
    }
    let uc = UseCase::page(&s, &c)?;
    let mut pre = domain::FieldErrors::new();
    let input = f.input(&mut pre);
    let result = if pre.is_empty() {
        uc.create_session(&input, navet_store::time::now()).await
    } else {
        Err(StoreError::Invalid(pre))
    };
    match result {
        Ok(id) => Ok(see_other(&format!("/kurstillfallen/{id}?ok=created"))),
        Err(StoreError::Invalid(errs)) => {
            let mapped = domain::FieldErrors(
                errs.0
                    .into_iter()
                    .map(|mut e| {
                        e.field = form_field(&e.field);
                        e
                    })
                    .collect(),
            );
            form_page(&s, c, f, FormErrors(mapped)).await
        }
        Err(e) => Err(e.into()),
    }
}

// Session page --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "sessions/show.html")]
struct ShowPage {
    c: Ctx,
    s: SessionView,
    course: Course,
    /// Participants, when the user may see them.
    participants: Option<Vec<BookingView>>,
    /// The logged-in person's own live booking, if any.
    mine: Option<BookingView>,
    my_municipality: Option<i64>,
    holds: Vec<HoldView>,
    my_units: Vec<Unit>,
    trainers: Vec<Trainer>,
    /// Trainers on the session who are registered as away then.
    absent: Vec<i64>,
    /// Trainers for whom the session lies outside their availability.
    availability_warnings: Vec<(i64, Vec<String>)>,
    can_manage: bool,
    can_book_self: bool,
    is_manager: bool,
    now: i64,
    notice: String,
    error: String,
}

impl ShowPage {
    fn bookable_now(&self) -> bool {
        self.s.is_bookable_now(self.now)
    }
    fn hold_active(&self, h: &HoldView) -> bool {
        h.is_active(self.now)
    }
    fn closes_local(&self) -> String {
        crate::format::datetime(self.s.row.closes_at())
    }
    fn part_sv(&self, p: &domain::sessions::Interval) -> String {
        self.c.when(std::slice::from_ref(p))
    }
    fn free_for_me(&self) -> i64 {
        match self.my_municipality {
            Some(m) => self.s.free_for(m),
            None => self.s.free_general,
        }
    }
    fn supports(&self) -> String {
        self.c.supports(&self.s.row.language_support)
    }
    fn support_options(&self) -> Vec<(&'static str, &'static str)> {
        LanguageSupport::options(self.c.is_english())
    }
    fn booked_count(&self) -> usize {
        self.participants
            .as_ref()
            .map(|p| {
                p.iter()
                    .filter(|b| b.status == domain::booking::BookingStatus::Booked)
                    .count()
            })
            .unwrap_or(0)
    }
    fn unassigned_trainers(&self) -> Vec<&Trainer> {
        self.trainers
            .iter()
            .filter(|t| {
                t.is_qualified(self.s.row.course_id)
                    && !self.s.trainers.iter().any(|x| x.person_id == t.person_id)
            })
            .collect()
    }
    /// Why the session lies outside a trainer's availability (empty
    /// when it does not).
    fn warnings_of(&self, person_id: &i64) -> &[String] {
        self.availability_warnings
            .iter()
            .find(|(p, _)| p == person_id)
            .map(|(_, w)| w.as_slice())
            .unwrap_or(&[])
    }
    fn can_cancel_booking(&self, b: &BookingView) -> bool {
        b.cancel_kind(self.now).is_some()
    }
    fn can_undo(&self, b: &BookingView) -> bool {
        b.undo_offered(self.now)
    }
    fn free_until(&self, b: &BookingView) -> String {
        crate::format::datetime(b.free_cancellation_until())
    }
    fn not_started(&self) -> bool {
        self.now < self.s.row.starts_at
    }
    fn is_cancelled(&self) -> bool {
        self.s.row.status == domain::sessions::SessionStatus::Cancelled
    }
    fn default_deadline(&self) -> String {
        crate::format::date((self.s.row.closes_at() - 86_400).max(self.now + 86_400))
    }
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn show(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let p = UseCase::page_or_anonymous(&s, &c).session_page(id).await?;
    let notice = match q.ok.as_deref() {
        Some("created") => c.t("sessions.n_created").to_string(),
        Some("booked") => c.t("sessions.n_booked").to_string(),
        Some("waitlisted") => c.t("sessions.n_waitlisted").to_string(),
        Some("installt") => c.t("sessions.n_cancelled_session").to_string(),
        Some("cancelled") => c.t("sessions.n_cancelled").to_string(),
        Some("late_cancelled") => c.t("sessions.n_late_cancelled").to_string(),
        Some("promoted") => c.t("sessions.n_promoted").to_string(),
        Some("trainer")
            if p.view.trainers.iter().any(|t| {
                p.availability_warnings
                    .iter()
                    .any(|(id, _)| *id == t.person_id)
            }) =>
        {
            c.t("sessions.n_trainer_outside_availability").to_string()
        }
        Some("trainer") => c.t("sessions.n_trainer").to_string(),
        Some("reserved") => c.t("sessions.n_reserved").to_string(),
        Some("released") => c.t("sessions.n_released").to_string(),
        _ => c.flash_notice(),
    };
    render(ShowPage {
        can_book_self: p.can_book_self,
        trainers: p.trainers,
        absent: p.absent,
        availability_warnings: p.availability_warnings,
        error: c.flash_error(),
        s: p.view,
        course: p.course,
        participants: p.participants,
        mine: p.mine,
        my_municipality: p.my_municipality,
        holds: p.holds,
        my_units: p.my_units,
        can_manage: p.can_manage,
        is_manager: p.reserves_for_units,
        now: navet_store::time::now(),
        notice,
        c,
    })
}

/// Back to the session page with the message shown once (see `crate::flash`).
async fn back_with_error(s: &AppState, c: &Ctx, id: i64, message: &str) -> PageResult {
    crate::flash::error(s, c, message, &format!("/kurstillfallen/{id}")).await
}

#[derive(Deserialize, Default)]
struct BookSelfForm {
    #[serde(default)]
    support: Vec<String>,
    #[serde(default)]
    support_note: String,
}

/// Book the logged-in person (or put them on the waiting list).
async fn book_self(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<BookSelfForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    if uc.person_id().is_none() {
        return Err(AppError::forbidden(c.t("sessions.e_not_a_person")));
    }
    let mut needs: Vec<String> = f
        .support
        .iter()
        .filter_map(|x| LanguageSupport::parse(x))
        .map(|l| l.label_sv().to_string())
        .collect();
    if !f.support_note.trim().is_empty() {
        needs.push(f.support_note.trim().chars().take(300).collect());
    }
    match uc.book_myself(id, needs.join("; ")).await {
        Ok(o) => Ok(see_other(&format!(
            "/kurstillfallen/{id}?ok={}",
            o.status.code()
        ))),
        Err(StoreError::Conflict { message, .. }) => back_with_error(&s, &c, id, &message).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct CancelForm {
    #[serde(default)]
    reason: String,
}

async fn cancel_session(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CancelForm>,
) -> PageResult {
    match UseCase::page(&s, &c)?.cancel_session(id, &f.reason).await {
        Ok(_) => Ok(see_other(&format!("/kurstillfallen/{id}?ok=installt"))),
        Err(StoreError::Invalid(e)) => back_with_error(&s, &c, id, &e.to_string()).await,
        Err(StoreError::Conflict { message, .. }) => back_with_error(&s, &c, id, &message).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct TrainerForm {
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    person_id: Option<i64>,
}

async fn assign_trainer(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TrainerForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let Some(pid) = f.person_id else {
        return back_with_error(&s, &c, id, c.t("sessions.e_choose_trainer")).await;
    };
    match uc.assign_trainer(id, pid).await {
        Ok(()) => Ok(see_other(&format!("/kurstillfallen/{id}?ok=trainer"))),
        Err(StoreError::Invalid(e)) => {
            back_with_error(
                &s,
                &c,
                id,
                &e.0.first().map(|x| x.message.clone()).unwrap_or_default(),
            )
            .await
        }
        Err(StoreError::Conflict { message, .. }) => back_with_error(&s, &c, id, &message).await,
        Err(e) => Err(e.into()),
    }
}

async fn unassign_trainer(
    State(s): State<AppState>,
    c: Ctx,
    Path((id, person)): Path<(i64, i64)>,
) -> PageResult {
    UseCase::page(&s, &c)?.unassign_trainer(id, person).await?;
    Ok(see_other(&format!("/kurstillfallen/{id}?ok=trainer")))
}

#[derive(Deserialize, Default)]
struct ReserveForm {
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    unit_id: Option<i64>,
    #[serde(default)]
    seats: String,
    #[serde(default)]
    deadline: String,
}

/// A manager reserves places for a unit, to name people later.
async fn reserve(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReserveForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let Some(unit_id) = f.unit_id else {
        return back_with_error(&s, &c, id, c.t("sessions.e_choose_unit")).await;
    };
    let unit = uc.unit_to_reserve_for(unit_id).await?;
    let Ok(seats) = f.seats.trim().parse::<i64>() else {
        return back_with_error(&s, &c, id, c.t("sessions.e_seats_integer")).await;
    };
    let Some(d) = navet_store::time::parse_date(&f.deadline) else {
        return back_with_error(&s, &c, id, c.t("sessions.e_name_by_date")).await;
    };
    let deadline =
        domain::sessions::stockholm_to_utc(d.and_hms_opt(23, 59, 0).expect("time")).unwrap_or(0);
    match uc.reserve(id, &unit, seats, deadline).await {
        Ok(_) => Ok(see_other(&format!("/kurstillfallen/{id}?ok=reserved"))),
        Err(StoreError::Invalid(e)) => {
            back_with_error(
                &s,
                &c,
                id,
                &e.0.first().map(|x| x.message.clone()).unwrap_or_default(),
            )
            .await
        }
        Err(StoreError::Conflict { message, .. }) => back_with_error(&s, &c, id, &message).await,
        Err(e) => Err(e.into()),
    }
}

async fn release_reservation(
    State(s): State<AppState>,
    c: Ctx,
    Path(hold_id): Path<i64>,
) -> PageResult {
    let (session_id, r) = UseCase::page(&s, &c)?.release_hold(hold_id).await?;
    match r {
        Ok(()) => Ok(see_other(&format!(
            "/kurstillfallen/{session_id}?ok=released"
        ))),
        Err(StoreError::Conflict { message, .. }) => {
            back_with_error(&s, &c, session_id, &message).await
        }
        Err(e) => Err(e.into()),
    }
}
