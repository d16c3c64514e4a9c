//! Planning the term: the demand per course and municipality, a manager's
//! request for a local session, the coordinator's answer, and "Anmäl
//! intresse" for a course with no session yet.

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::planning::requests::{
    weekday_code, weekday_sv, AnswerDraft, RequestDraft, RequestStatus, TimeOfDay, WEEKDAYS,
};
use navet_store::catalogue::Course;
use navet_store::org::{Municipality, Unit};
use navet_store::planning::interest::Demand;
use navet_store::planning::requests::{Filter, Place, RequestView};
use navet_store::sessions::SessionView;
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/planering", get(demand))
        .route("/planering/forfragningar", get(requests))
        .route(
            "/planering/forfragningar/ny",
            get(new_request).post(create_request),
        )
        .route("/planering/forfragningar/{id}", get(show_request))
        .route("/planering/forfragningar/{id}/svar", post(answer))
        .route(
            "/kurser/{id}/intresse",
            get(interest_page).post(register_interest),
        )
        .route("/kurser/{id}/intresse/ta-bort", post(withdraw_interest))
}

fn today() -> chrono::NaiveDate {
    navet_store::time::today()
}

// Demand ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "planning/demand.html")]
struct DemandPage {
    c: Ctx,
    rows: Vec<Demand>,
    /// Unanswered requests, for those who answer them.
    open: Vec<RequestView>,
    /// Links to the term view (steering group too) and to the volumes
    /// and availability (the hub).
    sees_term: bool,
    plans_term: bool,
}

async fn demand(State(s): State<AppState>, c: Ctx) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let rows = uc.demand(navet_store::time::now()).await?;
    let open = if uc.may(domain::access::Action::AnswerSessionRequests) {
        uc.session_requests(&Filter {
            status: Some(RequestStatus::Open),
            ..Default::default()
        })
        .await?
    } else {
        vec![]
    };
    let sees_term = uc.may(domain::access::Action::ViewTermPlan);
    let plans_term = uc.plans_the_term();
    render(DemandPage {
        c,
        rows,
        open,
        sees_term,
        plans_term,
    })
}

// The list ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    fore: Option<i64>,
}

#[derive(Template)]
#[template(path = "planning/requests.html")]
struct ListPage {
    c: Ctx,
    list: Vec<RequestView>,
    status: String,
    /// The next page's `fore` (older requests), when this page is full.
    next: Option<i64>,
}

impl ListPage {
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        [
            RequestStatus::Open,
            RequestStatus::Planned,
            RequestStatus::Merged,
            RequestStatus::Declined,
        ]
        .into_iter()
        .map(|s| (s.code(), status_label(&self.c, s)))
        .collect()
    }
}

fn status_label(c: &Ctx, s: RequestStatus) -> &'static str {
    if c.is_english() {
        s.label_en()
    } else {
        s.label_sv()
    }
}

async fn requests(State(s): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let list = UseCase::page(&s, &c)?
        .session_requests(&Filter {
            status: RequestStatus::parse(&q.status),
            before_id: q.fore,
            ..Default::default()
        })
        .await?;
    let next = (list.len() as i64 == navet_store::planning::requests::PAGE)
        .then(|| list.last().map(|r| r.id))
        .flatten();
    render(ListPage {
        c,
        list,
        status: q.status,
        next,
    })
}

// The request form ----------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct RequestForm {
    #[serde(default)]
    course_id: String,
    #[serde(default)]
    municipality_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    first_week: String,
    #[serde(default)]
    last_week: String,
    #[serde(default)]
    weekdays: Vec<String>,
    #[serde(default)]
    times: Vec<String>,
    #[serde(default)]
    place: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "planning/request_form.html")]
struct RequestFormPage {
    c: Ctx,
    f: RequestForm,
    errors: FormErrors,
    courses: Vec<Course>,
    municipalities: Vec<Municipality>,
    units: Vec<Unit>,
}

impl RequestFormPage {
    fn weekdays(&self) -> Vec<(&'static str, &'static str, bool)> {
        WEEKDAYS
            .iter()
            .map(|d| {
                let code = weekday_code(*d);
                (
                    code,
                    weekday_sv(*d),
                    self.f.weekdays.iter().any(|w| w == code),
                )
            })
            .collect()
    }
    fn times(&self) -> Vec<(&'static str, &'static str, bool)> {
        TimeOfDay::ALL
            .iter()
            .map(|t| {
                (
                    t.code(),
                    if self.c.is_english() {
                        t.label_en()
                    } else {
                        t.label_sv()
                    },
                    self.f.times.iter().any(|x| x == t.code()),
                )
            })
            .collect()
    }
    fn is(&self, value: &str, id: &i64) -> bool {
        value == id.to_string()
    }
}

async fn form_page(s: &AppState, c: Ctx, f: RequestForm, errors: FormErrors) -> PageResult {
    let o = UseCase::page(s, &c)?.request_options().await?;
    let has_errors = errors.any();
    let mut f = f;
    // One place to choose: chosen already.
    if f.municipality_id.is_empty() && o.municipalities.len() == 1 {
        f.municipality_id = o.municipalities[0].id.to_string();
    }
    super::render_form(
        RequestFormPage {
            c,
            f,
            errors,
            courses: o.courses,
            municipalities: o.municipalities,
            units: o.units,
        },
        has_errors,
    )
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    kurs: Option<i64>,
}

async fn new_request(State(s): State<AppState>, c: Ctx, Query(q): Query<NewQuery>) -> PageResult {
    let f = RequestForm {
        course_id: q.kurs.map(|k| k.to_string()).unwrap_or_default(),
        times: vec!["dag".into()],
        ..Default::default()
    };
    form_page(&s, c, f, FormErrors::default()).await
}

fn number(e: &mut domain::FieldErrors, field: &str, s: &str, msg: &str) -> i64 {
    match s.trim().parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            e.add(field, "invalid_number", msg);
            0
        }
    }
}

async fn create_request(
    State(s): State<AppState>,
    c: Ctx,
    Form(f): Form<RequestForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let mut pre = domain::FieldErrors::new();
    let course_id = number(&mut pre, "course_id", &f.course_id, "Välj kurs.");
    let municipality_id = number(
        &mut pre,
        "municipality_id",
        &f.municipality_id,
        "Välj kommun.",
    );
    let unit_id = f.unit_id.trim().parse::<i64>().ok();
    let participants = if f.participants.trim().is_empty() {
        0
    } else {
        number(
            &mut pre,
            "participants",
            &f.participants,
            "Ange antal personer som ett heltal.",
        )
    };
    let draft = RequestDraft {
        participants,
        first_week: f.first_week.clone(),
        last_week: f.last_week.clone(),
        weekdays: f.weekdays.clone(),
        times: f.times.clone(),
        place: f.place.clone(),
        note: f.note.clone(),
    };
    let result = if pre.is_empty() {
        uc.request_session(
            course_id,
            Place {
                municipality_id,
                unit_id,
            },
            &draft,
            today(),
        )
        .await
    } else {
        Err(StoreError::Invalid(pre))
    };
    match result {
        Ok(id) => {
            crate::flash::notice(
                &s,
                &c,
                c.t("planning.request_sent"),
                &format!("/planering/forfragningar/{id}"),
            )
            .await
        }
        Err(StoreError::Invalid(e)) => form_page(&s, c, f, FormErrors(e)).await,
        Err(e) => Err(e.into()),
    }
}

// One request and its answer ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "planning/request.html")]
struct RequestPageT {
    c: Ctx,
    r: RequestView,
    can_answer: bool,
    sessions: Vec<SessionView>,
    merge_candidates: Vec<RequestView>,
    merged_into: Option<RequestView>,
    errors: FormErrors,
    reason: String,
}

impl RequestPageT {
    fn status(&self) -> &'static str {
        status_label(&self.c, self.r.status())
    }
}

async fn request_page(
    s: &AppState,
    c: Ctx,
    id: i64,
    errors: FormErrors,
    reason: String,
) -> PageResult {
    let p = UseCase::page(s, &c)?
        .session_request(id, navet_store::time::now())
        .await?;
    let has_errors = errors.any();
    super::render_form(
        RequestPageT {
            c,
            r: p.request,
            can_answer: p.can_answer,
            sessions: p.sessions,
            merge_candidates: p.merge_candidates,
            merged_into: p.merged_into,
            errors,
            reason,
        },
        has_errors,
    )
}

async fn show_request(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    request_page(&s, c, id, FormErrors::default(), String::new()).await
}

#[derive(Deserialize, Default)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    session_id: String,
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    reason: String,
}

async fn answer(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AnswerForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let draft = match f.answer.as_str() {
        "planned" => AnswerDraft::Planned {
            session_id: f.session_id.trim().parse().ok(),
        },
        "merged" => AnswerDraft::Merged {
            request_id: f.request_id.trim().parse().ok(),
        },
        _ => AnswerDraft::Declined {
            reason: f.reason.clone(),
        },
    };
    match uc
        .answer_request(id, &draft, navet_store::time::now())
        .await
    {
        Ok(_) => {
            crate::flash::notice(
                &s,
                &c,
                c.t("planning.answered"),
                &format!("/planering/forfragningar/{id}"),
            )
            .await
        }
        Err(StoreError::Invalid(e)) => request_page(&s, c, id, FormErrors(e), f.reason).await,
        Err(StoreError::Conflict { message, .. }) => {
            crate::flash::error(&s, &c, &message, &format!("/planering/forfragningar/{id}")).await
        }
        Err(e) => Err(e.into()),
    }
}

// Interest in a course -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "planning/interest.html")]
struct InterestPage {
    c: Ctx,
    course: Course,
    mine: Option<i64>,
    people: String,
    errors: FormErrors,
    /// A manager may count their staff too.
    for_staff: bool,
}

async fn interest_view(
    s: &AppState,
    c: Ctx,
    id: i64,
    people: String,
    errors: FormErrors,
) -> PageResult {
    let uc = UseCase::page(s, &c)?;
    let course = uc.course_for_interest(id).await?;
    let mine = uc.my_interest(id).await?;
    let for_staff = uc.may(domain::access::Action::BookStaff);
    let has_errors = errors.any();
    let people = if people.is_empty() {
        mine.unwrap_or(1).to_string()
    } else {
        people
    };
    super::render_form(
        InterestPage {
            c,
            course,
            mine,
            people,
            errors,
            for_staff,
        },
        has_errors,
    )
}

async fn interest_page(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    interest_view(&s, c, id, String::new(), FormErrors::default()).await
}

#[derive(Deserialize, Default)]
struct InterestForm {
    #[serde(default)]
    people: String,
}

async fn register_interest(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<InterestForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let people = if f.people.trim().is_empty() {
        Ok(1)
    } else {
        f.people.trim().parse::<i64>().map_err(|_| {
            let mut e = domain::FieldErrors::new();
            e.add(
                "people",
                "invalid_people",
                "Ange hur många som är intresserade som ett heltal.",
            );
            e
        })
    };
    let r = match people {
        Ok(n) => uc.register_interest(id, n).await,
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match r {
        Ok(()) => {
            crate::flash::notice(
                &s,
                &c,
                c.t("planning.interest_registered"),
                &format!("/kurser/{id}/intresse"),
            )
            .await
        }
        Err(StoreError::Invalid(e)) => interest_view(&s, c, id, f.people, FormErrors(e)).await,
        Err(e) => Err(e.into()),
    }
}

async fn withdraw_interest(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    UseCase::page(&s, &c)?.withdraw_interest(id).await?;
    crate::flash::notice(
        &s,
        &c,
        c.t("planning.interest_withdrawn"),
        &format!("/kurser/{id}"),
    )
    .await
}
