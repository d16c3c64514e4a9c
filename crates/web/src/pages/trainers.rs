//! The trainer registry: who leads courses, which courses each may lead,
//! and their certifications in the simulation method.

use crate::rejection::MultiForm as Form;
use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use navet_store::catalogue::Course;
use navet_store::org::Municipality;
use navet_store::trainers::Trainer;
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::trainers::TrainerPage;
use crate::usecase::UseCase;
use crate::{render, see_other, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/utbildningsledare", get(list).post(add))
        .route("/utbildningsledare/{id}", get(show).post(save))
        .route("/utbildningsledare/{id}/kurser", post(set_courses))
        .route(
            "/utbildningsledare/{id}/certifiering",
            post(add_certification),
        )
        .route(
            "/utbildningsledare/{id}/certifiering/{cert}/ta-bort",
            post(remove_certification),
        )
}

#[derive(Template)]
#[template(path = "trainers/list.html")]
struct ListPage {
    c: Ctx,
    trainers: Vec<Trainer>,
    municipalities: Vec<Municipality>,
    errors: FormErrors,
    email: String,
}

async fn list_page(s: &AppState, c: Ctx, errors: FormErrors, email: String) -> PageResult {
    let (trainers, municipalities) = UseCase::page(s, &c)?.trainers().await?;
    render(ListPage {
        trainers,
        municipalities,
        errors,
        email,
        c,
    })
}

async fn list(State(s): State<AppState>, c: Ctx) -> PageResult {
    list_page(&s, c, FormErrors::default(), String::new()).await
}

#[derive(Deserialize, Default)]
struct AddForm {
    #[serde(default)]
    email: String,
    #[serde(default, deserialize_with = "super::catalogue::empty_as_none")]
    home_municipality: Option<i64>,
}

/// Add a person (found by e-mail) to the registry.
async fn add(State(s): State<AppState>, c: Ctx, Form(f): Form<AddForm>) -> PageResult {
    let added = UseCase::page(&s, &c)?
        .add_trainer(&f.email, f.home_municipality)
        .await;
    match added {
        Ok(id) => Ok(see_other(&format!("/utbildningsledare/{id}"))),
        Err(StoreError::Invalid(e)) => list_page(&s, c, FormErrors(e), f.email).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "trainers/show.html")]
struct ShowPage {
    c: Ctx,
    t: Trainer,
    courses: Vec<Course>,
    municipalities: Vec<Municipality>,
    errors: FormErrors,
    notice: String,
}

impl ShowPage {
    fn qualified(&self, id: &i64) -> bool {
        self.t.is_qualified(*id)
    }
}

#[derive(Deserialize, Default)]
struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn show_page(
    s: &AppState,
    c: Ctx,
    id: i64,
    errors: FormErrors,
    notice: String,
) -> PageResult {
    let TrainerPage {
        trainer,
        courses,
        municipalities,
    } = UseCase::page(s, &c)?.trainer_page(id).await?;
    render(ShowPage {
        t: trainer,
        courses,
        municipalities,
        errors,
        notice,
        c,
    })
}

async fn show(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let notice = if q.ok.is_some() {
        c.t("common.saved").to_string()
    } else {
        String::new()
    };
    show_page(&s, c, id, FormErrors::default(), notice).await
}

#[derive(Deserialize, Default)]
struct SaveForm {
    #[serde(default)]
    home_municipality: i64,
    #[serde(default)]
    active: Option<String>,
}

async fn save(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<SaveForm>,
) -> PageResult {
    let saved = UseCase::page(&s, &c)?
        .save_trainer(id, f.home_municipality, f.active.is_some())
        .await;
    match saved {
        Ok(()) => Ok(see_other(&format!("/utbildningsledare/{id}?ok=1"))),
        Err(StoreError::Invalid(e)) => show_page(&s, c, id, FormErrors(e), String::new()).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct CoursesForm {
    #[serde(default)]
    courses: Vec<i64>,
}

async fn set_courses(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CoursesForm>,
) -> PageResult {
    UseCase::page(&s, &c)?
        .set_trainer_courses(id, &f.courses)
        .await?;
    Ok(see_other(&format!("/utbildningsledare/{id}?ok=1")))
}

#[derive(Deserialize, Default)]
struct CertForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    certified_on: String,
    #[serde(default)]
    valid_until: String,
}

async fn add_certification(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CertForm>,
) -> PageResult {
    let added = UseCase::page(&s, &c)?
        .add_trainer_certification(id, &f.name, &f.certified_on, &f.valid_until)
        .await;
    match added {
        Ok(_) => Ok(see_other(&format!("/utbildningsledare/{id}?ok=1"))),
        Err(StoreError::Invalid(e)) => show_page(&s, c, id, FormErrors(e), String::new()).await,
        Err(e) => Err(e.into()),
    }
}

async fn remove_certification(
    State(s): State<AppState>,
    c: Ctx,
    Path((id, cert)): Path<(i64, i64)>,
) -> PageResult {
    UseCase::page(&s, &c)?
        .remove_trainer_certification(id, cert)
        .await?;
    Ok(see_other(&format!("/utbildningsledare/{id}?ok=1")))
}
