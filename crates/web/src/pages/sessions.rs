//! Sessions: the coordinators' schedule and scheduling form, and each
//! session's page (book a seat; participants, waiting list, reservations,
//! trainers and cancelling for those who may).

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::access::Action;
use domain::catalogue::LanguageSupport;
use domain::vocab::Labelled;
use navet_store::bookings::{self, BookRequest, BookingView, HoldView};
use navet_store::catalogue::{self, Course};
use navet_store::org::{Municipality, Unit};
use navet_store::sessions::{self, SessionInput, SessionView};
use navet_store::trainers::{self, Trainer};
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tillfallen", get(schedule))
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

// Schedule ----------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct ScheduleQuery {
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    kurs: Option<i64>,
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    kommun: Option<i64>,
    #[serde(default)]
    installda: Option<String>,
}

#[derive(Template)]
#[template(path = "sessions/list.html")]
struct SchedulePage {
    c: Ctx,
    sessions: Vec<SessionView>,
    courses: Vec<Course>,
    municipalities: Vec<Municipality>,
    kurs: i64,
    kommun: i64,
    include_cancelled: bool,
}

async fn schedule(State(s): State<AppState>, c: Ctx, Query(q): Query<ScheduleQuery>) -> PageResult {
    c.require(Action::ManageSessions)?;
    let sessions = sessions::list(
        &s.db,
        &sessions::Filter {
            course_id: q.kurs,
            municipality_id: q.kommun,
            from: Some(navet_store::time::now() - 30 * 86_400),
            include_cancelled: q.installda.is_some(),
            ..Default::default()
        },
    )
    .await?;
    render(SchedulePage {
        sessions,
        courses: catalogue::list(&s.db, None).await?,
        municipalities: navet_store::org::municipalities(&s.db).await?,
        kurs: q.kurs.unwrap_or(0),
        kommun: q.kommun.unwrap_or(0),
        include_cancelled: q.installda.is_some(),
        c,
    })
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
    let mut courses = catalogue::list(&s.db, None).await?;
    courses.retain(|c| {
        !matches!(
            domain::catalogue::CourseStatus::parse(&c.status),
            Some(
                domain::catalogue::CourseStatus::Pausad
                    | domain::catalogue::CourseStatus::Avvecklad
            )
        )
    });
    render(FormPage {
        courses,
        municipalities: navet_store::org::municipalities(&s.db).await?,
        trainers: trainers::list(&s.db)
            .await?
            .into_iter()
            .filter(|t| t.active)
            .collect(),
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
    c.require(Action::ManageSessions)?;
    let mut f = SessionForm {
        start: "09:00".into(),
        end: "12:00".into(),
        ..Default::default()
    };
    if let Some(k) = q.kurs {
        if let Ok(course) = catalogue::get(&s.db, k).await {
            f.course_id = k.to_string();
            f.capacity = course.default_capacity.to_string();
        }
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
    let user = c.require(Action::ManageSessions)?.clone();
    let mut pre = domain::FieldErrors::new();
    let input = f.input(&mut pre);
    let result = if pre.is_empty() {
        match sessions::resolve(&s.db, &input, navet_store::time::now()).await {
            Ok(new) => sessions::create(&s.db, &user.who(), &new).await,
            Err(e) => Err(e),
        }
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
            .map(|p| p.iter().filter(|b| b.status == "booked").count())
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
        self.s.row.status == "cancelled"
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
    let view = sessions::get(&s.db, id).await?;
    let course = catalogue::get(&s.db, view.row.course_id).await?;
    let trainer_ids: Vec<i64> = view.trainers.iter().map(|t| t.person_id).collect();
    let can_see = c.can(Action::ViewSessionParticipants {
        trainer_person_ids: &trainer_ids,
    });
    let participants = if can_see {
        let user = c.require_login()?;
        let list = bookings::for_session(&s.db, id).await?;
        let mut conn = s.db.writer().acquire().await.map_err(StoreError::from)?;
        navet_store::audit::record(
            &mut conn,
            &user.who(),
            "session.participants",
            "session",
            Some(id),
            None,
            &format!("{} anmälningar", list.len()),
        )
        .await?;
        Some(list)
    } else {
        None
    };
    let (mine, my_municipality) = match c.actor().and_then(|a| a.person_id) {
        Some(pid) => {
            let mine = bookings::for_person(&s.db, pid)
                .await?
                .into_iter()
                .find(|b| b.session_id == id && b.status().is_live());
            let muni = navet_store::people::get(&s.db, pid)
                .await
                .ok()
                .map(|p| p.municipality_id);
            (mine, muni)
        }
        None => (None, None),
    };
    let can_manage = c.can(Action::ManageSessions);
    let is_manager = c.has_role("manager");
    let my_units = match c.actor() {
        Some(a) if is_manager => navet_store::org::units(&s.db, None)
            .await?
            .into_iter()
            .filter(|u| a.scope.covers_unit(u.id, u.municipality_id))
            .collect(),
        _ => vec![],
    };
    let holds = if can_manage {
        bookings::holds_for_session(&s.db, id).await?
    } else if is_manager {
        let ids: Vec<i64> = my_units.iter().map(|u| u.id).collect();
        bookings::holds_for_session(&s.db, id)
            .await?
            .into_iter()
            .filter(|h| h.kind == "reservation" && h.unit_id.is_some_and(|u| ids.contains(&u)))
            .collect()
    } else {
        vec![]
    };
    let notice = match q.ok.as_deref() {
        Some("created") => c.t("sessions.n_created").to_string(),
        Some("booked") => c.t("sessions.n_booked").to_string(),
        Some("waitlisted") => c.t("sessions.n_waitlisted").to_string(),
        Some("installt") => c.t("sessions.n_cancelled_session").to_string(),
        Some("cancelled") => c.t("sessions.n_cancelled").to_string(),
        Some("late_cancelled") => c.t("sessions.n_late_cancelled").to_string(),
        Some("promoted") => c.t("sessions.n_promoted").to_string(),
        Some("trainer") => c.t("sessions.n_trainer").to_string(),
        Some("reserved") => c.t("sessions.n_reserved").to_string(),
        Some("released") => c.t("sessions.n_released").to_string(),
        _ => c.flash_notice(),
    };
    render(ShowPage {
        can_book_self: c.actor().is_some_and(|a| a.person_id.is_some()),
        trainers: if can_manage {
            trainers::list(&s.db).await?
        } else {
            vec![]
        },
        absent: if can_manage {
            navet_store::cover::absent_trainers(&s.db, id).await?
        } else {
            vec![]
        },
        error: c.flash_error(),
        s: view,
        course,
        participants,
        mine,
        my_municipality,
        holds,
        my_units,
        can_manage,
        is_manager,
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
    let user = c.require_login()?;
    let Some(pid) = user.actor.person_id else {
        return Err(AppError::forbidden(c.t("sessions.e_not_a_person")));
    };
    let p = navet_store::people::get(&s.db, pid).await?;
    let user = c.require(Action::BookPerson(p.as_ref()))?;
    let mut needs: Vec<String> = f
        .support
        .iter()
        .filter_map(|x| LanguageSupport::parse(x))
        .map(|l| l.label_sv().to_string())
        .collect();
    if !f.support_note.trim().is_empty() {
        needs.push(f.support_note.trim().chars().take(300).collect());
    }
    let r = s
        .bookings
        .book(BookRequest {
            session_id: id,
            person_id: pid,
            who: user.who(),
            via: navet_store::bookings::Via::Own,
            support_needs: needs.join("; "),
            hold_id: None,
        })
        .await;
    match r {
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
    let user = c.require(Action::ManageSessions)?;
    match bookings::cancel_session(&s.db, &user.who(), id, &f.reason).await {
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
    let user = c.require(Action::ManageSessions)?;
    let Some(pid) = f.person_id else {
        return back_with_error(&s, &c, id, c.t("sessions.e_choose_trainer")).await;
    };
    match trainers::assign(&s.db, &user.who(), id, pid).await {
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
    let user = c.require(Action::ManageSessions)?;
    trainers::unassign(&s.db, &user.who(), id, person).await?;
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
    c.require_login()?;
    let Some(unit_id) = f.unit_id else {
        return back_with_error(&s, &c, id, c.t("sessions.e_choose_unit")).await;
    };
    let unit = navet_store::org::unit(&s.db, unit_id).await?;
    let user = c.require(Action::ViewUnit {
        unit_id,
        municipality_id: unit.municipality_id,
    })?;
    c.require(Action::ReserveForUnit {
        unit_id,
        municipality_id: unit.municipality_id,
    })?;
    let Ok(seats) = f.seats.trim().parse::<i64>() else {
        return back_with_error(&s, &c, id, c.t("sessions.e_seats_integer")).await;
    };
    let Some(d) = navet_store::time::parse_date(&f.deadline) else {
        return back_with_error(&s, &c, id, c.t("sessions.e_name_by_date")).await;
    };
    let deadline =
        domain::sessions::stockholm_to_utc(d.and_hms_opt(23, 59, 0).expect("time")).unwrap_or(0);
    match bookings::reserve(&s.db, &user.who(), id, unit_id, seats, deadline).await {
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
    c.require_login()?;
    let h = bookings::hold(&s.db, hold_id).await?;
    let user = match (h.unit_id, h.kind.as_str()) {
        (Some(u), "reservation") => {
            let unit = navet_store::org::unit(&s.db, u).await?;
            c.require(Action::ReserveForUnit {
                unit_id: u,
                municipality_id: unit.municipality_id,
            })?
        }
        _ => c.require(Action::ManageSessions)?,
    };
    match bookings::release_hold(&s.db, &user.who(), hold_id, None).await {
        Ok(_) => Ok(see_other(&format!(
            "/kurstillfallen/{}?ok=released",
            h.session_id
        ))),
        Err(StoreError::Conflict { message, .. }) => {
            back_with_error(&s, &c, h.session_id, &message).await
        }
        Err(e) => Err(e.into()),
    }
}
