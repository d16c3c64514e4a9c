//! Packages: coordinators bundle courses for a target group; managers see
//! the published packages that fit their units and how far their staff have
//! come, to prioritise.

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::org::ActivityArea;
use domain::packages::PackageDraft;
use domain::vocab::Labelled;
use navet_store::packages::{FittingPackage, Package};
use serde::Deserialize;

use super::tracks::course_labels;
use super::{invalid, FormErrors};
use crate::ctx::Ctx;
use crate::usecase::packages::PackageForm as FormData;
use crate::usecase::UseCase;
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
    let l = UseCase::page(&s, &c)?.packages().await?;
    let notice = match q.ok.as_deref() {
        Some("saved") => c.t("competence.package_saved"),
        Some("deleted") => c.t("competence.package_deleted"),
        _ => "",
    }
    .to_string();
    render(ListPage {
        packages: l.packages,
        fitting: l.fitting,
        can_manage: l.can_manage,
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

fn form_page(
    c: Ctx,
    f: PackageForm,
    errors: FormErrors,
    id: Option<i64>,
    data: FormData,
) -> PageResult {
    let mut slots: Vec<String> = f
        .course_ids
        .iter()
        .filter(|c| !c.is_empty())
        .cloned()
        .collect();
    slots.extend((0..COURSE_SLOTS).map(|_| String::new()));
    let has_errors = errors.any();
    super::render_form(
        FormPage {
            roles: data.roles,
            courses: course_labels(data.courses),
            slots,
            c,
            f,
            errors,
            id,
        },
        has_errors,
    )
}

/// The editor again with the errors of a refused draft; any other
/// failure ends the request.
async fn form_again(
    s: &AppState,
    c: Ctx,
    f: PackageForm,
    e: navet_store::StoreError,
    id: Option<i64>,
) -> PageResult {
    let errors = invalid(e)?;
    let data = UseCase::page(s, &c)?.package_form().await?;
    form_page(c, f, errors, id, data)
}

async fn new_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    let data = UseCase::page(&s, &c)?.package_form().await?;
    let f = PackageForm {
        published: "1".into(),
        ..Default::default()
    };
    form_page(c, f, FormErrors::default(), None, data)
}

async fn create(State(s): State<AppState>, c: Ctx, Form(f): Form<PackageForm>) -> PageResult {
    let created = UseCase::page(&s, &c)?.create_package(&f.draft()).await;
    match created {
        Ok(_) => Ok(see_other("/kompetens/paket?ok=saved")),
        Err(e) => form_again(&s, c, f, e, None).await,
    }
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let (p, data) = UseCase::page(&s, &c)?.package_to_edit(id).await?;
    form_page(
        c,
        PackageForm::from_package(&p),
        FormErrors::default(),
        Some(id),
        data,
    )
}

async fn update(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PackageForm>,
) -> PageResult {
    let updated = UseCase::page(&s, &c)?.update_package(id, &f.draft()).await;
    match updated {
        Ok(()) => Ok(see_other("/kompetens/paket?ok=saved")),
        Err(e) => form_again(&s, c, f, e, Some(id)).await,
    }
}

async fn delete(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    UseCase::page(&s, &c)?.delete_package(id).await?;
    Ok(see_other("/kompetens/paket?ok=deleted"))
}
