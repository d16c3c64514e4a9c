//! Planning the term: a trainer's availability per term (their own at
//! `/mina-tillfallen/tillganglighet`, everyone's for the hub at
//! `/planering/tillganglighet`), the places agreed ahead per municipality
//! (`/planering/volymer`) and the term view (`/planering/termin`).

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use domain::planning::availability::{weekday_choices, AvailabilityDraft};
use domain::planning::requests::Week;
use domain::planning::term::Term;
use domain::planning::volumes::{total, Figures};
use navet_store::catalogue::Course;
use navet_store::org::Municipality;
use navet_store::packages::Package;
use navet_store::planning::availability::TrainerRow;
use navet_store::planning::volumes::{Item, TermRow, Volume};
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/mina-tillfallen/tillganglighet",
            get(my_availability).post(save_my_availability),
        )
        .route("/planering/tillganglighet", get(overview))
        .route(
            "/planering/tillganglighet/{person}",
            get(trainer_availability).post(save_trainer_availability),
        )
        .route("/planering/volymer", get(volumes).post(save_volume))
        .route("/planering/termin", get(term_view))
}

fn today() -> chrono::NaiveDate {
    navet_store::time::today()
}

#[derive(Deserialize, Default)]
struct TermQuery {
    #[serde(default)]
    termin: String,
}

/// The term asked for (`?termin=2027-vt`), or the one under way or next.
fn term_of(s: &str) -> Result<Term, AppError> {
    if s.trim().is_empty() {
        return Ok(Term::current_or_next(today()));
    }
    s.parse::<Term>().map_err(AppError::BadRequest)
}

/// This term, the two before and the two after: the term links.
fn nearby(term: Term) -> Vec<Term> {
    let now = Term::current_or_next(today());
    let mut v = vec![
        now.previous(),
        now,
        now.next(),
        now.next().next(),
        term.previous(),
        term,
        term.next(),
    ];
    v.sort();
    v.dedup();
    v
}

// A trainer's availability ---------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct AvailabilityForm {
    #[serde(default)]
    termin: String,
    #[serde(default)]
    weeks: Vec<String>,
    #[serde(default)]
    weekdays: Vec<String>,
    #[serde(default)]
    max_per_week: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "planning/availability_form.html")]
struct AvailabilityPage {
    c: Ctx,
    term: Term,
    terms: Vec<Term>,
    /// The page's own address (the form posts back to it).
    action: String,
    own: bool,
    name: String,
    f: AvailabilityForm,
    errors: FormErrors,
    given: bool,
    updated_at: Option<i64>,
    ended: bool,
}

impl AvailabilityPage {
    /// (week number, checked, passed) for each week of the term.
    fn week_boxes(&self) -> Vec<(u32, bool, bool)> {
        let today = today();
        self.term
            .weeks()
            .into_iter()
            .map(|w: Week| {
                (
                    w.week,
                    self.f.weeks.iter().any(|x| x == &w.week.to_string()),
                    w.sunday() < today,
                )
            })
            .collect()
    }
    fn weekday_boxes(&self) -> Vec<(&'static str, &'static str, bool)> {
        weekday_choices()
            .into_iter()
            .map(|(code, label)| (code, label, self.f.weekdays.iter().any(|x| x == code)))
            .collect()
    }
}

async fn availability_page(
    s: &AppState,
    c: Ctx,
    person: Option<i64>,
    term: Term,
    f: Option<AvailabilityForm>,
    errors: FormErrors,
) -> PageResult {
    let uc = UseCase::page(s, &c)?;
    let (pid, own) = match person {
        Some(p) => (p, false),
        None => (uc.own_trainer_id()?, true),
    };
    let v = uc.trainer_availability(pid, term).await?;
    let f = f.unwrap_or_else(|| match &v.given {
        Some(g) => AvailabilityForm {
            termin: term.code(),
            weeks: g.availability.weeks.iter().map(|w| w.to_string()).collect(),
            weekdays: g
                .availability
                .weekday_codes()
                .into_iter()
                .map(str::to_string)
                .collect(),
            max_per_week: g.availability.max_per_week.to_string(),
            note: g.availability.note.clone(),
        },
        None => AvailabilityForm {
            termin: term.code(),
            weekdays: ["mon", "tue", "wed", "thu", "fri"]
                .map(str::to_string)
                .to_vec(),
            max_per_week: "2".into(),
            ..Default::default()
        },
    });
    let action = if own {
        "/mina-tillfallen/tillganglighet".to_string()
    } else {
        format!("/planering/tillganglighet/{pid}")
    };
    let has_errors = errors.any();
    super::render_form(
        AvailabilityPage {
            c,
            term,
            terms: nearby(term),
            action,
            own,
            name: v.name,
            f,
            errors,
            given: v.given.is_some(),
            updated_at: v.given.map(|g| g.updated_at),
            ended: term.has_ended(today()),
        },
        has_errors,
    )
}

async fn my_availability(
    State(s): State<AppState>,
    c: Ctx,
    Query(q): Query<TermQuery>,
) -> PageResult {
    let term = term_of(&q.termin)?;
    availability_page(&s, c, None, term, None, FormErrors::default()).await
}

async fn trainer_availability(
    State(s): State<AppState>,
    c: Ctx,
    Path(person): Path<i64>,
    Query(q): Query<TermQuery>,
) -> PageResult {
    let term = term_of(&q.termin)?;
    availability_page(&s, c, Some(person), term, None, FormErrors::default()).await
}

async fn save(s: &AppState, c: Ctx, person: Option<i64>, f: AvailabilityForm) -> PageResult {
    let term = term_of(&f.termin)?;
    let uc = UseCase::page(s, &c)?;
    let pid = match person {
        Some(p) => p,
        None => uc.own_trainer_id()?,
    };
    let draft = AvailabilityDraft {
        weeks: f.weeks.clone(),
        weekdays: f.weekdays.clone(),
        max_per_week: f.max_per_week.clone(),
        note: f.note.clone(),
    };
    match uc
        .set_trainer_availability(pid, term, &draft, today())
        .await
    {
        Ok(_) => {
            let to = match person {
                Some(p) => format!("/planering/tillganglighet/{p}?termin={}", term.code()),
                None => format!("/mina-tillfallen/tillganglighet?termin={}", term.code()),
            };
            crate::flash::notice(s, &c, c.t("planning_term.availability_saved"), &to).await
        }
        Err(StoreError::Invalid(e)) => {
            availability_page(s, c, person, term, Some(f), FormErrors(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn save_my_availability(
    State(s): State<AppState>,
    c: Ctx,
    Form(f): Form<AvailabilityForm>,
) -> PageResult {
    save(&s, c, None, f).await
}

async fn save_trainer_availability(
    State(s): State<AppState>,
    c: Ctx,
    Path(person): Path<i64>,
    Form(f): Form<AvailabilityForm>,
) -> PageResult {
    save(&s, c, Some(person), f).await
}

// Every trainer's availability ---------------------------------------------------------

#[derive(Template)]
#[template(path = "planning/availability_overview.html")]
struct OverviewPage {
    c: Ctx,
    term: Term,
    terms: Vec<Term>,
    list: Vec<TrainerRow>,
}

impl OverviewPage {
    fn given_count(&self) -> usize {
        self.list.iter().filter(|t| t.given.is_some()).count()
    }
}

async fn overview(State(s): State<AppState>, c: Ctx, Query(q): Query<TermQuery>) -> PageResult {
    let term = term_of(&q.termin)?;
    let list = UseCase::page(&s, &c)?.availability_overview(term).await?;
    render(OverviewPage {
        c,
        term,
        terms: nearby(term),
        list,
    })
}

// Agreed volumes ---------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct VolumeForm {
    #[serde(default)]
    termin: String,
    #[serde(default)]
    municipality_id: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    places: String,
}

#[derive(Template)]
#[template(path = "planning/volumes.html")]
struct VolumesPage {
    c: Ctx,
    term: Term,
    terms: Vec<Term>,
    volumes: Vec<Volume>,
    municipalities: Vec<Municipality>,
    courses: Vec<Course>,
    packages: Vec<Package>,
    f: VolumeForm,
    errors: FormErrors,
}

impl VolumesPage {
    fn total_places(&self) -> i64 {
        self.volumes.iter().map(|v| v.places).sum()
    }
    fn is(&self, value: &str, id: &i64) -> bool {
        value == id.to_string()
    }
    fn item_is(&self, prefix: &str, id: &i64) -> bool {
        self.f.item == format!("{prefix}{id}")
    }
}

async fn volumes_page(
    s: &AppState,
    c: Ctx,
    term: Term,
    f: VolumeForm,
    errors: FormErrors,
) -> PageResult {
    let v = UseCase::page(s, &c)?.agreed_volumes(term).await?;
    let has_errors = errors.any();
    super::render_form(
        VolumesPage {
            c,
            term,
            terms: nearby(term),
            volumes: v.volumes,
            municipalities: v.municipalities,
            courses: v.courses,
            packages: v.packages,
            f,
            errors,
        },
        has_errors,
    )
}

async fn volumes(State(s): State<AppState>, c: Ctx, Query(q): Query<TermQuery>) -> PageResult {
    let term = term_of(&q.termin)?;
    let f = VolumeForm {
        termin: term.code(),
        ..Default::default()
    };
    volumes_page(&s, c, term, f, FormErrors::default()).await
}

async fn save_volume(State(s): State<AppState>, c: Ctx, Form(f): Form<VolumeForm>) -> PageResult {
    let term = term_of(&f.termin)?;
    let uc = UseCase::page(&s, &c)?;
    let mut pre = domain::FieldErrors::new();
    let municipality_id = f.municipality_id.trim().parse::<i64>().ok();
    if municipality_id.is_none() {
        pre.add("municipality_id", "missing_municipality", "Välj kommun.");
    }
    let item = Item::parse(&f.item);
    if item.is_none() {
        pre.add("item", "missing_item", "Välj kurs eller paket.");
    }
    let r = match (municipality_id, item) {
        (Some(m), Some(i)) if pre.is_empty() => uc.set_agreed_volume(term, m, i, &f.places).await,
        _ => {
            if let Err(e) = domain::planning::volumes::check_places(&f.places) {
                pre.0.extend(e.0);
            }
            Err(StoreError::Invalid(pre))
        }
    };
    match r {
        Ok(()) => {
            crate::flash::notice(
                &s,
                &c,
                c.t("planning_term.volume_saved"),
                &format!("/planering/volymer?termin={}", term.code()),
            )
            .await
        }
        Err(StoreError::Invalid(mut e)) => {
            // The store names the course or package; the form has one field.
            for x in e.0.iter_mut() {
                if x.field == "course_id" || x.field == "package_id" {
                    x.field = "item".into();
                }
            }
            volumes_page(&s, c, term, f, FormErrors(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

// The term view -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "planning/term.html")]
struct TermPage {
    c: Ctx,
    term: Term,
    terms: Vec<Term>,
    rows: Vec<TermRow>,
    /// The hub sees the links to change volumes and availability.
    plans: bool,
}

impl TermPage {
    /// The municipalities in order, each with its rows and total.
    fn groups(&self) -> Vec<(String, Vec<&TermRow>, Figures)> {
        let mut out: Vec<(String, Vec<&TermRow>, Figures)> = vec![];
        for r in &self.rows {
            match out.last_mut() {
                Some((m, rows, _)) if *m == r.municipality => rows.push(r),
                _ => out.push((r.municipality.clone(), vec![r], Figures::default())),
            }
        }
        for g in out.iter_mut() {
            g.2 = total(g.1.iter().map(|r| &r.figures));
        }
        out
    }
    fn grand_total(&self) -> Figures {
        total(self.rows.iter().map(|r| &r.figures))
    }
}

async fn term_view(State(s): State<AppState>, c: Ctx, Query(q): Query<TermQuery>) -> PageResult {
    let term = term_of(&q.termin)?;
    let uc = UseCase::page(&s, &c)?;
    let rows = uc.term_view(term).await?;
    let plans = uc.plans_the_term();
    render(TermPage {
        c,
        term,
        terms: nearby(term),
        rows,
        plans,
    })
}
