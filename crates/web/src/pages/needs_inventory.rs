//! The needs inventory per profession (behovsinventering): coordinators keep
//! each need, its status and the courses that answer it. (The coverage
//! matrix is shown with the reports.)

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::access::Action;
use domain::requirements::{Certainty, NeedDraft, NeedStatus, Profession};
use domain::vocab::Labelled;
use navet_store::needs::{self, NeedEntry};
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
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
    fn status_class(&self, code: &str) -> &'static str {
        match code {
            "levererat" => "badge ok",
            "risk_att_ej_leverera" => "badge warn",
            _ => "badge",
        }
    }
}

#[derive(Deserialize, Default)]
struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<OkQuery>) -> PageResult {
    c.require(Action::ManageNeedsInventory)?;
    let notice = match q.ok.as_deref() {
        Some("saved") => c.t("competence.need_saved").to_string(),
        Some("deleted") => c.t("competence.need_deleted").to_string(),
        _ => c.flash_notice(),
    };
    render(ListPage {
        needs: needs::list(&s.db).await?,
        c,
        notice,
    })
}

async fn load_seed(State(s): State<AppState>, c: Ctx) -> PageResult {
    c.require(Action::ManageNeedsInventory)?;
    let n = needs::load_seed(&s.db).await?;
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

async fn form_page(
    s: &AppState,
    c: Ctx,
    f: NeedForm,
    errors: FormErrors,
    id: Option<i64>,
) -> PageResult {
    let source = match id {
        Some(i) => Some(needs::get(&s.db, i).await?),
        None => None,
    };
    let courses = navet_store::catalogue::list(&s.db, None)
        .await?
        .into_iter()
        .map(|co| (co.id, format!("{} ({})", co.title, co.status_label())))
        .collect();
    let has_errors = errors.any();
    super::render_form(
        FormPage {
            c,
            f,
            errors,
            id,
            source,
            courses,
        },
        has_errors,
    )
}

use super::invalid;

async fn new_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    c.require(Action::ManageNeedsInventory)?;
    let f = NeedForm {
        status: "under_utveckling".into(),
        certainty: "hog".into(),
        ..Default::default()
    };
    form_page(&s, c, f, FormErrors::default(), None).await
}

async fn create(State(s): State<AppState>, c: Ctx, Form(f): Form<NeedForm>) -> PageResult {
    let user = c.require(Action::ManageNeedsInventory)?.clone();
    let ids = match f.course_ids() {
        Ok(ids) => ids,
        Err(errors) => return form_page(&s, c, f, errors, None).await,
    };
    match needs::create(&s.db, &user.actor, &user.who(), &f.draft(), &ids).await {
        Ok(_) => Ok(see_other("/kompetens/behov?ok=saved")),
        Err(e) => {
            let errors = invalid(e)?;
            form_page(&s, c, f, errors, None).await
        }
    }
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    c.require(Action::ManageNeedsInventory)?;
    let n = needs::get(&s.db, id).await?;
    let f = NeedForm {
        profession: n.row.profession.clone(),
        title: n.row.title.clone(),
        status: n.row.status.clone(),
        certainty: n.row.certainty.clone(),
        note: n.row.note.clone(),
        course_ids: n.courses.iter().map(|c| c.course_id.to_string()).collect(),
    };
    form_page(&s, c, f, FormErrors::default(), Some(id)).await
}

async fn update(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<NeedForm>,
) -> PageResult {
    let user = c.require(Action::ManageNeedsInventory)?.clone();
    let ids = match f.course_ids() {
        Ok(ids) => ids,
        Err(errors) => return form_page(&s, c, f, errors, Some(id)).await,
    };
    match needs::update(&s.db, &user.actor, &user.who(), id, &f.draft(), &ids).await {
        Ok(()) => Ok(see_other("/kompetens/behov?ok=saved")),
        Err(e) => {
            let errors = invalid(e)?;
            form_page(&s, c, f, errors, Some(id)).await
        }
    }
}

async fn delete(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let user = c.require(Action::ManageNeedsInventory)?;
    needs::delete(&s.db, &user.actor, &user.who(), id).await?;
    Ok(see_other("/kompetens/behov?ok=deleted"))
}
