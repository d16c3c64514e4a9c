//! Packages: coordinators bundle courses for a target group; managers see
//! the published packages that fit their units and how far their staff have
//! come, to prioritise.

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::access::{Action, Role};
use domain::org::ActivityArea;
use domain::packages::PackageDraft;
use domain::vocab::Labelled;
use navet_store::packages::{self, FittingPackage, Package};
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::{render, see_other, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kompetens/paket", get(list))
        .route("/kompetens/paket/ny", get(new_form).post(create))
        .route("/kompetens/paket/{id}", get(edit_form).post(update))
        .route("/kompetens/paket/{id}/ta-bort", post(delete))
}

#[derive(Template)]
#[template(path = "competence/packages.html")]
struct ListPage {
    c: Ctx,
    packages: Vec<Package>,
    fitting: Vec<FittingPackage>,
    can_manage: bool,
    notice: String,
}

impl ListPage {
    /// The package's activity areas in the user's language.
    fn areas(&self, p: &Package) -> String {
        if p.activity_areas.is_empty() {
            return self.c.activity_area(&None).to_string();
        }
        p.activity_areas
            .iter()
            .map(|a| self.c.activity_area(&Some(a.clone())))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn hours(&self, p: &Package) -> String {
        crate::format::decimal(p.hours(), 1)
    }
}

#[derive(Deserialize, Default)]
struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<OkQuery>) -> PageResult {
    let user = c.require_login()?.clone();
    let can_manage = c.can(Action::ManageTracks);
    let fitting = if user.role() == Role::Manager {
        packages::fitting(&s.db, &user.actor.scope).await?
    } else {
        vec![]
    };
    let notice = match q.ok.as_deref() {
        Some("saved") => c.t("competence.package_saved"),
        Some("deleted") => c.t("competence.package_deleted"),
        _ => "",
    }
    .to_string();
    render(ListPage {
        packages: packages::list(&s.db, !can_manage).await?,
        fitting,
        can_manage,
        notice,
        c,
    })
}

#[derive(Deserialize, Default, Clone)]
struct PackageForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    role_ids: Vec<String>,
    #[serde(default)]
    activity_areas: Vec<String>,
    /// Courses in order; empty selects are left out.
    #[serde(default)]
    course_ids: Vec<String>,
    #[serde(default)]
    published: String,
}

impl PackageForm {
    fn draft(&self) -> PackageDraft {
        PackageDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            role_ids: self.role_ids.clone(),
            activity_areas: self.activity_areas.clone(),
            course_ids: self.course_ids.clone(),
            published: self.published.clone(),
        }
    }
    fn from_package(p: &Package) -> PackageForm {
        PackageForm {
            name: p.package.name.clone(),
            description: p.package.description.clone(),
            role_ids: p.role_ids.iter().map(|r| r.to_string()).collect(),
            activity_areas: p.activity_areas.clone(),
            course_ids: p.courses.iter().map(|c| c.course_id.to_string()).collect(),
            published: if p.package.published == 1 {
                "1".into()
            } else {
                String::new()
            },
        }
    }
}

const COURSE_SLOTS: usize = 4;

#[derive(Template)]
#[template(path = "competence/package_form.html")]
struct FormPage {
    c: Ctx,
    f: PackageForm,
    slots: Vec<String>,
    errors: FormErrors,
    id: Option<i64>,
    roles: Vec<navet_store::org::Role>,
    courses: Vec<(i64, String)>,
}

impl FormPage {
    fn activity_areas(&self) -> Vec<(&'static str, &'static str)> {
        ActivityArea::options(self.c.is_english())
    }
    fn has_role(&self, id: &i64) -> bool {
        self.f.role_ids.contains(&id.to_string())
    }
    fn has_area(&self, code: &str) -> bool {
        self.f.activity_areas.iter().any(|a| a == code)
    }
}

async fn form_page(
    s: &AppState,
    c: Ctx,
    f: PackageForm,
    errors: FormErrors,
    id: Option<i64>,
) -> PageResult {
    let mut slots: Vec<String> = f
        .course_ids
        .iter()
        .filter(|c| !c.is_empty())
        .cloned()
        .collect();
    slots.extend((0..COURSE_SLOTS).map(|_| String::new()));
    let courses = super::course_options(&s.db).await?;
    let has_errors = errors.any();
    super::render_form(
        FormPage {
            roles: navet_store::org::roles(&s.db).await?,
            courses,
            slots,
            c,
            f,
            errors,
            id,
        },
        has_errors,
    )
}

use super::invalid;

async fn new_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    c.require(Action::ManageTracks)?;
    let f = PackageForm {
        published: "1".into(),
        ..Default::default()
    };
    form_page(&s, c, f, FormErrors::default(), None).await
}

async fn create(State(s): State<AppState>, c: Ctx, Form(f): Form<PackageForm>) -> PageResult {
    let user = c.require(Action::ManageTracks)?.clone();
    match packages::create(&s.db, &user.actor, &user.who(), &f.draft()).await {
        Ok(_) => Ok(see_other("/kompetens/paket?ok=saved")),
        Err(e) => {
            let errors = invalid(e)?;
            form_page(&s, c, f, errors, None).await
        }
    }
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    c.require(Action::ManageTracks)?;
    let p = packages::get(&s.db, id).await?;
    form_page(
        &s,
        c,
        PackageForm::from_package(&p),
        FormErrors::default(),
        Some(id),
    )
    .await
}

async fn update(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PackageForm>,
) -> PageResult {
    let user = c.require(Action::ManageTracks)?.clone();
    match packages::update(&s.db, &user.actor, &user.who(), id, &f.draft()).await {
        Ok(()) => Ok(see_other("/kompetens/paket?ok=saved")),
        Err(e) => {
            let errors = invalid(e)?;
            form_page(&s, c, f, errors, Some(id)).await
        }
    }
}

async fn delete(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let user = c.require(Action::ManageTracks)?;
    packages::delete(&s.db, &user.actor, &user.who(), id).await?;
    Ok(see_other("/kompetens/paket?ok=deleted"))
}
