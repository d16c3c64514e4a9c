//! The public course catalogue (utbildningsbank) with filters, each
//! course's page with upcoming sessions and free seats, and the
//! coordinators' course form (create and edit).

use crate::rejection::MultiForm;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use domain::catalogue::{check_course, CourseDraft, CourseStatus, Format, LanguageSupport, Level};
use domain::vocab::Labelled;
use navet_store::catalogue::{self, CatalogueFilter, Course, CourseExtras, Listing};
use navet_store::org::{CompetenceArea, Municipality, Role as JobRole};
use navet_store::sessions::SessionView;
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::catalogue::{CatalogueList, CoursePage};
use crate::usecase::UseCase;
use crate::{render, see_other, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kurser", get(list))
        .route("/kurser/ny", get(new_form).post(create))
        .route("/kurser/{id}", get(show))
        .route("/kurser/{id}/andra", get(edit_form).post(update))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    roll: Option<i64>,
    #[serde(default)]
    niva: String,
    #[serde(default)]
    omrade: String,
    #[serde(default)]
    format: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    kommun: Option<i64>,
    #[serde(default)]
    termin: String,
    /// A language-support code.
    #[serde(default)]
    sprak: String,
    /// Coordinators: show every lifecycle status.
    #[serde(default)]
    alla: Option<String>,
}

#[derive(Template)]
#[template(path = "catalogue/list.html")]
struct ListPage {
    c: Ctx,
    courses: Vec<Listing>,
    roles: Vec<JobRole>,
    areas: Vec<CompetenceArea>,
    municipalities: Vec<Municipality>,
    terms: Vec<String>,
    q: ListQuery,
    can_manage: bool,
}

impl ListPage {
    fn levels(&self) -> Vec<(&'static str, &'static str)> {
        Level::options(self.c.is_english())
    }
    fn formats(&self) -> Vec<(&'static str, &'static str)> {
        Format::options(self.c.is_english())
    }
    fn supports(&self) -> Vec<(&'static str, &'static str)> {
        LanguageSupport::options(self.c.is_english())
    }
    fn top_areas(&self) -> Vec<&CompetenceArea> {
        self.areas
            .iter()
            .filter(|a| a.parent_id.is_none())
            .collect()
    }
    fn role_selected(&self, id: &i64) -> bool {
        self.q.roll == Some(*id)
    }
    fn muni_selected(&self, id: &i64) -> bool {
        self.q.kommun == Some(*id)
    }
    fn show_all(&self) -> bool {
        self.q.alla.is_some()
    }
}

/// The terms people can pick: this one and the next three.
fn upcoming_terms() -> Vec<String> {
    let now = navet_store::time::now();
    let mut out = vec![];
    for i in 0..4 {
        let t = catalogue::term_of(now + i * 182 * 86_400);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let filter = CatalogueFilter {
        role_id: q.roll,
        level: Some(q.niva.clone()),
        area_code: Some(q.omrade.clone()),
        format: Some(q.format.clone()),
        municipality_id: q.kommun,
        term: Some(q.termin.clone()),
        query: Some(q.q.clone()),
        language_support: Some(q.sprak.clone()),
        bookable_only: true,
    };
    let CatalogueList {
        courses,
        roles,
        areas,
        municipalities,
        can_manage,
    } = UseCase::page_or_anonymous(&s, &c)
        .catalogue(filter, q.alla.is_some())
        .await?;
    render(ListPage {
        courses,
        roles,
        areas,
        municipalities,
        terms: upcoming_terms(),
        q,
        can_manage,
        c,
    })
}

#[derive(Template)]
#[template(path = "catalogue/show.html")]
struct ShowPage {
    c: Ctx,
    course: Course,
    roles: Vec<String>,
    areas: Vec<String>,
    sessions: Vec<SessionView>,
    can_manage: bool,
    can_schedule: bool,
    can_book_staff: bool,
    my_municipality: Option<i64>,
    now: i64,
    notice: String,
}

impl ShowPage {
    fn bookable(&self, v: &SessionView) -> bool {
        v.is_bookable_now(self.now)
    }
    fn free_for_me(&self, v: &SessionView) -> i64 {
        match self.my_municipality {
            Some(m) => v.free_for(m),
            None => v.free_general,
        }
    }
}

pub fn support_labels(codes: &str) -> String {
    codes
        .split(',')
        .filter_map(LanguageSupport::parse)
        .map(|l| l.label_sv())
        .collect::<Vec<_>>()
        .join(", ")
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
    let CoursePage {
        course,
        roles,
        areas,
        sessions,
        can_manage,
        can_schedule,
        can_book_staff,
        my_municipality,
    } = UseCase::page_or_anonymous(&s, &c).course_page(id).await?;
    let notice = match q.ok.as_deref() {
        Some("saved") => c.t("catalogue.saved").to_string(),
        Some("created") => c.t("catalogue.created").to_string(),
        _ => String::new(),
    };
    render(ShowPage {
        can_schedule,
        can_book_staff,
        course,
        roles,
        areas,
        sessions,
        can_manage,
        my_municipality,
        now: navet_store::time::now(),
        notice,
        c,
    })
}

// Course form ---------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct CourseForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    validity_months: String,
    #[serde(default)]
    default_capacity: String,
    #[serde(default)]
    trainers_per_session: String,
    #[serde(default)]
    cancellation_deadline_days: String,
    #[serde(default)]
    target_group: String,
    #[serde(default)]
    planned_term: String,
    #[serde(default)]
    language_support: Vec<String>,
    #[serde(default)]
    roles: Vec<i64>,
    #[serde(default)]
    areas: Vec<i64>,
}

impl CourseForm {
    fn from_course(c: &Course, roles: Vec<i64>, areas: Vec<i64>) -> Self {
        CourseForm {
            title: c.title.clone(),
            code: c.code.clone().unwrap_or_default(),
            description: c.description.clone(),
            level: c.level.clone(),
            format: c.format.clone(),
            hours: crate::format::decimal(c.hours, 1).replace(",0", ""),
            status: c.status.code().to_string(),
            provider: c.provider.clone(),
            validity_months: c.validity_months.map(|v| v.to_string()).unwrap_or_default(),
            default_capacity: c.default_capacity.to_string(),
            trainers_per_session: c.trainers_per_session.to_string(),
            cancellation_deadline_days: c.cancellation_deadline_days.to_string(),
            target_group: c.target_group.clone(),
            planned_term: c.planned_term.clone(),
            language_support: c
                .language_support
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            roles,
            areas,
        }
    }
}

#[derive(Template)]
#[template(path = "catalogue/form.html")]
struct FormPage {
    c: Ctx,
    f: CourseForm,
    errors: FormErrors,
    roles: Vec<JobRole>,
    areas: Vec<CompetenceArea>,
    id: Option<i64>,
}

impl FormPage {
    fn levels(&self) -> Vec<(&'static str, &'static str)> {
        Level::options(self.c.is_english())
    }
    fn formats(&self) -> Vec<(&'static str, &'static str)> {
        Format::options(self.c.is_english())
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        CourseStatus::options(self.c.is_english())
    }
    fn supports(&self) -> Vec<(&'static str, &'static str)> {
        LanguageSupport::options(self.c.is_english())
    }
    fn has_support(&self, code: &&str) -> bool {
        self.f.language_support.iter().any(|s| s == code)
    }
    fn has_role(&self, id: &i64) -> bool {
        self.f.roles.contains(id)
    }
    fn has_area(&self, id: &i64) -> bool {
        self.f.areas.contains(id)
    }
    fn sub_areas(&self, parent: &i64) -> Vec<&CompetenceArea> {
        self.areas
            .iter()
            .filter(|a| a.parent_id == Some(*parent))
            .collect()
    }
    fn top_areas(&self) -> Vec<&CompetenceArea> {
        self.areas
            .iter()
            .filter(|a| a.parent_id.is_none())
            .collect()
    }
}

async fn form_page(
    s: &AppState,
    c: Ctx,
    f: CourseForm,
    errors: FormErrors,
    id: Option<i64>,
) -> PageResult {
    let (roles, areas) = UseCase::page(s, &c)?.course_choices().await?;
    render(FormPage {
        roles,
        areas,
        c,
        f,
        errors,
        id,
    })
}

async fn new_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    let f = CourseForm {
        status: "under_utveckling".into(),
        default_capacity: "12".into(),
        trainers_per_session: "1".into(),
        cancellation_deadline_days: "2".into(),
        provider: "Kompetensnavet".into(),
        ..Default::default()
    };
    form_page(&s, c, f, FormErrors::default(), None).await
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let (course, roles, areas) = UseCase::page(&s, &c)?.course_for_edit(id).await?;
    form_page(
        &s,
        c,
        CourseForm::from_course(&course, roles, areas),
        FormErrors::default(),
        Some(id),
    )
    .await
}

/// Check the form; Ok((course, extras, deadline)) or the field errors.
fn check_form(
    f: &CourseForm,
) -> Result<(domain::catalogue::CheckedCourse, CourseExtras, i64), domain::FieldErrors> {
    let mut errors = domain::FieldErrors::new();
    let checked = check_course(&CourseDraft {
        title: f.title.clone(),
        level: f.level.clone(),
        format: f.format.clone(),
        hours: f.hours.clone(),
        status: f.status.clone(),
        validity_months: f.validity_months.clone(),
        default_capacity: f.default_capacity.clone(),
        trainers_per_session: f.trainers_per_session.clone(),
    });
    let checked = match checked {
        Ok(c) => Some(c),
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    let deadline = if f.cancellation_deadline_days.trim().is_empty() {
        Some(2)
    } else {
        f.cancellation_deadline_days
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| (0..=90).contains(d))
    };
    if deadline.is_none() {
        errors.add(
            "cancellation_deadline_days",
            "invalid_deadline",
            "Sista avbokningsdag anges som 0–90 dagar före start.",
        );
    }
    let support: Vec<&str> = f
        .language_support
        .iter()
        .filter_map(|s| LanguageSupport::parse(s))
        .map(|l| l.code())
        .collect();
    match (checked, deadline) {
        (Some(c), Some(d)) if errors.is_empty() => Ok((
            c,
            CourseExtras {
                code: Some(f.code.trim().to_string()).filter(|s| !s.is_empty()),
                description: f.description.trim().to_string(),
                provider: f.provider.trim().to_string(),
                language_support: support.join(","),
                target_group: f.target_group.trim().to_string(),
                planned_term: f.planned_term.trim().to_string(),
                synthetic_note: String::new(),
                role_ids: f.roles.clone(),
                area_ids: f.areas.clone(),
            },
            d,
        )),
        _ => Err(errors),
    }
}

fn store_errors(e: StoreError) -> Result<domain::FieldErrors, crate::AppError> {
    match e {
        StoreError::Invalid(f) => Ok(f),
        StoreError::Conflict {
            field: Some(field),
            message,
        } if field == "title" => {
            let mut f = domain::FieldErrors::new();
            f.add("title", "duplicate_title", message);
            Ok(f)
        }
        other if other.is_unique_violation() => {
            let mut f = domain::FieldErrors::new();
            f.add(
                "code",
                "duplicate_code",
                "Kurskoden används redan av en annan kurs.",
            );
            Ok(f)
        }
        other => Err(other.into()),
    }
}

async fn create(
    State(s): State<AppState>,
    c: Ctx,
    MultiForm(f): MultiForm<CourseForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let (checked, extras, deadline) = match check_form(&f) {
        Ok(x) => x,
        Err(e) => return form_page(&s, c, f, FormErrors(e), None).await,
    };
    match uc.create_course(&checked, &extras, deadline).await {
        Ok(course) => Ok(see_other(&format!("/kurser/{}?ok=created", course.id))),
        Err(e) => {
            let e = store_errors(e)?;
            form_page(&s, c, f, FormErrors(e), None).await
        }
    }
}

async fn update(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    MultiForm(f): MultiForm<CourseForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let (checked, extras, deadline) = match check_form(&f) {
        Ok(x) => x,
        Err(e) => return form_page(&s, c, f, FormErrors(e), Some(id)).await,
    };
    match uc.update_course(id, &checked, &extras, deadline).await {
        Ok(()) => Ok(see_other(&format!("/kurser/{id}?ok=saved"))),
        Err(e) => {
            let e = store_errors(e)?;
            form_page(&s, c, f, FormErrors(e), Some(id)).await
        }
    }
}

/// Form and query fields where an empty `<option value="">` means "none".
pub fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let s: Option<String> = serde::Deserialize::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}
