//! Cover when a trainer is away: the coordinator registers the absence,
//! sees every upcoming session it leaves short (and any that never had
//! enough trainers) with the trainers who could step in, and puts one in
//! with a click, or cancels the session from its page.

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use navet_store::cover::{Absence, CoverItem};
use navet_store::trainers::Trainer;
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{see_other, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bemanning", get(index))
        .route("/bemanning/{session}", post(step_in))
        .route(
            "/utbildningsledare/{id}/franvaro",
            get(absence).post(add_absence),
        )
        .route(
            "/utbildningsledare/{id}/franvaro/{absence}/ta-bort",
            post(remove_absence),
        )
}

#[derive(Template)]
#[template(path = "cover/index.html")]
struct IndexPage {
    c: Ctx,
    items: Vec<CoverItem>,
    errors: FormErrors,
    notice: &'static str,
}

impl IndexPage {
    /// Sessions where someone assigned is away: the urgent ones.
    fn away(&self) -> Vec<&CoverItem> {
        self.items
            .iter()
            .filter(|i| i.assigned.iter().any(|a| a.absent))
            .collect()
    }
    /// Sessions that were never given (enough) trainers.
    fn unstaffed(&self) -> Vec<&CoverItem> {
        self.items
            .iter()
            .filter(|i| !i.assigned.iter().any(|a| a.absent))
            .collect()
    }

    /// The first trainer on the session who is away (the one a candidate replaces).
    fn replacing(&self, item: &CoverItem) -> String {
        item.assigned
            .iter()
            .find(|a| a.absent)
            .map(|a| a.person_id.to_string())
            .unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
struct IndexQuery {
    ok: Option<String>,
}

async fn index_page(s: &AppState, c: Ctx, errors: FormErrors, notice: &'static str) -> PageResult {
    let items = UseCase::page(s, &c)?.needing_cover("bemanning").await?;
    let page = IndexPage {
        c,
        items,
        notice,
        errors,
    };
    let has_errors = page.errors.any();
    super::render_form(page, has_errors)
}

async fn index(State(s): State<AppState>, c: Ctx, Query(q): Query<IndexQuery>) -> PageResult {
    let notice = match q.ok.as_deref() {
        Some("franvaro") => c.t("cover.notice_absence"),
        Some("insatt") => c.t("cover.notice_step_in"),
        _ => "",
    };
    index_page(&s, c, FormErrors::default(), notice).await
}

#[derive(Deserialize, Default)]
struct StepInForm {
    #[serde(default)]
    person_id: i64,
    /// The absent trainer to take off, if any ("" when none).
    #[serde(default)]
    replacing: String,
}

async fn step_in(
    State(s): State<AppState>,
    c: Ctx,
    Path(session): Path<i64>,
    Form(f): Form<StepInForm>,
) -> PageResult {
    let replacing = f.replacing.trim().parse::<i64>().ok();
    let stepped_in = UseCase::page(&s, &c)?
        .step_in(session, f.person_id, replacing)
        .await;
    match stepped_in {
        Ok(()) => Ok(see_other("/bemanning?ok=insatt")),
        Err(StoreError::Invalid(e)) => index_page(&s, c, FormErrors(e), "").await,
        Err(StoreError::Conflict { message, .. }) => {
            let mut e = domain::FieldErrors::new();
            e.add("person_id", "conflict", message);
            index_page(&s, c, FormErrors(e), "").await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "cover/absence.html")]
struct AbsencePage {
    c: Ctx,
    /// The absence form's address (see cover/absence_fields.html).
    base: String,
    t: Trainer,
    absences: Vec<Absence>,
    errors: FormErrors,
    starts_on: String,
    ends_on: String,
}

async fn absence_page(
    s: &AppState,
    c: Ctx,
    id: i64,
    errors: FormErrors,
    form: AbsenceForm,
) -> PageResult {
    let (t, absences) = UseCase::page(s, &c)?.trainer_absences(id).await?;
    let page = AbsencePage {
        base: format!("/utbildningsledare/{}/franvaro", id),
        t,
        absences,
        errors,
        starts_on: form.starts_on,
        ends_on: form.ends_on,
        c,
    };
    let has_errors = page.errors.any();
    super::render_form(page, has_errors)
}

async fn absence(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    absence_page(&s, c, id, FormErrors::default(), AbsenceForm::default()).await
}

#[derive(Deserialize, Default)]
struct AbsenceForm {
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

async fn add_absence(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AbsenceForm>,
) -> PageResult {
    let added = UseCase::page(&s, &c)?
        .add_absence(id, &f.starts_on, &f.ends_on)
        .await;
    match added {
        Ok(_) => Ok(see_other("/bemanning?ok=franvaro")),
        Err(StoreError::Invalid(e)) => absence_page(&s, c, id, FormErrors(e), f).await,
        Err(e) => Err(e.into()),
    }
}

async fn remove_absence(
    State(s): State<AppState>,
    c: Ctx,
    Path((id, absence)): Path<(i64, i64)>,
) -> PageResult {
    UseCase::page(&s, &c)?.remove_absence(id, absence).await?;
    Ok(see_other(&format!("/utbildningsledare/{id}/franvaro")))
}
