//! The needs inventory per profession (behovsinventering): coordinators keep
//! each need, its status and the courses that answer it. (The coverage
//! matrix is shown with the reports.)

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::requirements::{Certainty, NeedDraft, NeedStatus, Profession};
use domain::vocab::Labelled;
use navet_store::needs::NeedEntry;
use serde::Deserialize;

use super::{invalid, FormErrors};
use crate::ctx::Ctx;
use crate::usecase::needs::NeedForm as FormData;
use crate::usecase::UseCase;
use crate::{render, see_other, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kompetens/behov", get(list))
        .route("/kompetens/behov/las-in", post(load_seed))
        .route("/kompetens/behov/ny", get(new_form).post(create))
        .route("/kompetens/behov/{id}", get(edit_form).post(update))
        .route("/kompetens/behov/{id}/ta-bort", post(delete))
}

#[derive(Template)]
#[template(path = "competence/needs.html")]
struct ListPage {
    c: Ctx,
    needs: Vec<NeedEntry>,
    notice: String,
}

impl ListPage {
    fn professions(&self) -> Vec<(&'static str, &'static str)> {
        Profession::options(self.c.is_english())
    }
    fn of(&self, code: &str) -> Vec<&NeedEntry> {
        self.needs
            .iter()
            .filter(|n| n.row.profession == code)
            .collect()
    }
    fn status_class(&self, status: impl std::borrow::Borrow<NeedStatus>) -> &'static str {
        match status.borrow() {
            NeedStatus::Levererat => "badge ok",
            NeedStatus::RiskAttEjLeverera => "badge warn",
            NeedStatus::UnderUtveckling => "badge",
        }
    }
}

#[derive(Deserialize, Default)]
struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<OkQuery>) -> PageResult {
    let needs = UseCase::page(&s, &c)?.needs_inventory().await?;
    let notice = match q.ok.as_deref() {
        Some("saved") => c.t("competence.need_saved").to_string(),
        Some("deleted") => c.t("competence.need_deleted").to_string(),
        _ => c.flash_notice(),
    };
    render(ListPage { needs, c, notice })
}

async fn load_seed(State(s): State<AppState>, c: Ctx) -> PageResult {
    let n = UseCase::page(&s, &c)?.load_needs_seed().await?;
    let text = format!(
        "{} ({n} {}).",
        c.t("competence.needs_loaded"),
        c.t("competence.needs_lc")
    );
    crate::flash::notice(&s, &c, &text, "/kompetens/behov").await
}

#[derive(Deserialize, Default, Clone)]
struct NeedForm {
    #[serde(default)]
    profession: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    certainty: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    course_ids: Vec<String>,
}

impl NeedForm {
    fn draft(&self) -> NeedDraft {
        NeedDraft {
            profession: self.profession.clone(),
            title: self.title.clone(),
            status: self.status.clone(),
            certainty: self.certainty.clone(),
            note: self.note.clone(),
        }
    }
    fn course_ids(&self) -> Result<Vec<i64>, FormErrors> {
        self.course_ids
            .iter()
            .filter(|c| !c.trim().is_empty())
            .map(|c| {
                c.trim().parse::<i64>().map_err(|_| {
                    let mut e = domain::FieldErrors::new();
                    e.add(
                        "course_ids",
                        "invalid_course",
                        domain::text::unknown("kurs", c),
                    );
                    FormErrors(e)
                })
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "competence/need_form.html")]
struct FormPage {
    c: Ctx,
    f: NeedForm,
    errors: FormErrors,
    id: Option<i64>,
    source: Option<NeedEntry>,
    courses: Vec<(i64, String)>,
}

impl FormPage {
    fn professions(&self) -> Vec<(&'static str, &'static str)> {
        Profession::options(self.c.is_english())
    }
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        NeedStatus::options(self.c.is_english())
    }
    fn certainties(&self) -> Vec<(&'static str, &'static str)> {
        Certainty::options(self.c.is_english())
    }
    fn linked(&self, id: &i64) -> bool {
        self.f.course_ids.contains(&id.to_string())
    }
}

fn form_page(
    c: Ctx,
    f: NeedForm,
    errors: FormErrors,
    id: Option<i64>,
    data: FormData,
) -> PageResult {
    let courses = data
        .courses
        .into_iter()
        .map(|(id, title, status)| (id, format!("{title} ({status})")))
        .collect();
    let has_errors = errors.any();
    super::render_form(
        FormPage {
            c,
            f,
            errors,
            id,
            source: data.source,
            courses,
        },
        has_errors,
    )
}

/// The editor again with the errors of a refused draft; any other
/// failure ends the request.
async fn form_again(
    s: &AppState,
    c: Ctx,
    f: NeedForm,
    errors: Result<FormErrors, crate::AppError>,
    id: Option<i64>,
) -> PageResult {
    let errors = errors?;
    let data = UseCase::page(s, &c)?.need_form(id).await?;
    form_page(c, f, errors, id, data)
}

async fn new_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    let data = UseCase::page(&s, &c)?.need_form(None).await?;
    let f = NeedForm {
        status: "under_utveckling".into(),
        certainty: "hog".into(),
        ..Default::default()
    };
    form_page(c, f, FormErrors::default(), None, data)
}

async fn create(State(s): State<AppState>, c: Ctx, Form(f): Form<NeedForm>) -> PageResult {
    let ids = match f.course_ids() {
        Ok(ids) => ids,
        Err(errors) => return form_again(&s, c, f, Ok(errors), None).await,
    };
    let created = UseCase::page(&s, &c)?.create_need(&f.draft(), &ids).await;
    match created {
        Ok(_) => Ok(see_other("/kompetens/behov?ok=saved")),
        Err(e) => form_again(&s, c, f, invalid(e), None).await,
    }
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let data = UseCase::page(&s, &c)?.need_form(Some(id)).await?;
    let n = data.source.as_ref().expect("the need asked for");
    let f = NeedForm {
        profession: n.row.profession.clone(),
        title: n.row.title.clone(),
        status: n.row.status.code().to_string(),
        certainty: n.row.certainty.clone(),
        note: n.row.note.clone(),
        course_ids: n.courses.iter().map(|c| c.course_id.to_string()).collect(),
    };
    form_page(c, f, FormErrors::default(), Some(id), data)
}

async fn update(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<NeedForm>,
) -> PageResult {
    let ids = match f.course_ids() {
        Ok(ids) => ids,
        Err(errors) => return form_again(&s, c, f, Ok(errors), Some(id)).await,
    };
    let updated = UseCase::page(&s, &c)?
        .update_need(id, &f.draft(), &ids)
        .await;
    match updated {
        Ok(()) => Ok(see_other("/kompetens/behov?ok=saved")),
        Err(e) => form_again(&s, c, f, invalid(e), Some(id)).await,
    }
}

async fn delete(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    UseCase::page(&s, &c)?.delete_need(id).await?;
    Ok(see_other("/kompetens/behov?ok=deleted"))
}
