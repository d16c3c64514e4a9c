//! Minimum numbers and the go/no-go date: a session's minimum form, and
//! the list of sessions due for a decision that are under their minimum,
//! each with the course's coming sessions that could take its people and
//! the way to the existing cancel flow (first claim on the next session).

use crate::rejection::MultiForm as Form;
use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use domain::planning::go_no_go::MinimumDraft;
use navet_store::planning::go_no_go::Due;
use navet_store::sessions::SessionView;
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/planering/beslut", get(due))
        .route("/planering/personberoende", get(person_dependent))
        .route(
            "/kurstillfallen/{id}/minimum",
            get(minimum).post(save_minimum),
        )
}

#[derive(Template)]
#[template(path = "planning/decisions.html")]
struct DuePage {
    c: Ctx,
    list: Vec<Due>,
}

async fn due(State(s): State<AppState>, c: Ctx) -> PageResult {
    let now = navet_store::time::now();
    let list = UseCase::page(&s, &c)?
        .go_no_go_due(navet_store::time::local_date(now), now)
        .await?;
    render(DuePage { c, list })
}

#[derive(Deserialize, Default)]
struct MinimumForm {
    #[serde(default)]
    min_participants: String,
    #[serde(default)]
    decision_on: String,
}

#[derive(Template)]
#[template(path = "planning/minimum.html")]
struct MinimumPageT {
    c: Ctx,
    v: SessionView,
    f: MinimumForm,
    errors: FormErrors,
}

async fn minimum_page(
    s: &AppState,
    c: Ctx,
    id: i64,
    f: Option<MinimumForm>,
    errors: FormErrors,
) -> PageResult {
    let p = UseCase::page(s, &c)?.session_minimum(id).await?;
    let f = f.unwrap_or_else(|| MinimumForm {
        min_participants: p
            .minimum
            .map(|m| m.min_participants.to_string())
            .unwrap_or_default(),
        decision_on: p
            .minimum
            .map(|m| m.decision_on.to_string())
            .unwrap_or_default(),
    });
    let has_errors = errors.any();
    super::render_form(
        MinimumPageT {
            c,
            v: p.session,
            f,
            errors,
        },
        has_errors,
    )
}

async fn minimum(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    minimum_page(&s, c, id, None, FormErrors::default()).await
}

async fn save_minimum(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MinimumForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let draft = MinimumDraft {
        min_participants: f.min_participants.clone(),
        decision_on: f.decision_on.clone(),
    };
    match uc.set_minimum(id, &draft, navet_store::time::today()).await {
        Ok(_) => {
            crate::flash::notice(
                &s,
                &c,
                c.t("planning.minimum_saved"),
                &format!("/kurstillfallen/{id}"),
            )
            .await
        }
        Err(StoreError::Invalid(e)) => minimum_page(&s, c, id, Some(f), FormErrors(e)).await,
        Err(StoreError::Conflict { message, .. }) => {
            crate::flash::error(&s, &c, &message, &format!("/kurstillfallen/{id}")).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "planning/person_dependent.html")]
struct PersonDependentPage {
    c: Ctx,
    list: Vec<navet_store::planning::bus_factor::CourseTrainers>,
}

/// Courses with fewer than two active, qualified trainers.
async fn person_dependent(State(s): State<AppState>, c: Ctx) -> PageResult {
    let list = UseCase::page(&s, &c)?.person_dependent_courses().await?;
    render(PersonDependentPage { c, list })
}
