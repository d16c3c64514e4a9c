//! `/integritet`: the records of processing (generated from the retention
//! schedule and `domain::processing`), the schedule itself, the last
//! retention run, and legal holds on funding programmes (place, release).

use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::processing::Record;
use navet_store::legal_holds::Hold;
use navet_store::retention::Run;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/integritet", get(page))
        .route("/integritet/bevarande", post(place))
        .route("/integritet/bevarande/{id}/upphav", post(release))
}

#[derive(Template)]
#[template(path = "privacy/retention.html")]
struct PrivacyPage {
    c: Ctx,
    records: Vec<Record>,
    schedule: Vec<(String, String)>,
    last: Option<Run>,
    holds: Vec<Hold>,
    programmes: Vec<(i64, String)>,
    f: HoldForm,
    errors: FormErrors,
    notice: String,
    error: String,
}

#[derive(Deserialize, Default, Clone)]
struct HoldForm {
    #[serde(default)]
    programme_id: String,
    #[serde(default)]
    reason: String,
}

async fn show(s: &AppState, c: Ctx, f: HoldForm, errors: FormErrors) -> PageResult {
    let o = UseCase::page(s, &c)?.privacy_overview().await?;
    let sched = s.config.retention;
    let schedule = domain::retention::Kind::ALL
        .iter()
        .map(|k| (k.label_sv().to_string(), sched.kept_sv(*k)))
        .collect();
    let notice = c.flash_notice();
    let error = c.flash_error();
    let has_errors = errors.any();
    super::render_form(
        PrivacyPage {
            records: domain::processing::records(&sched),
            schedule,
            last: o.last,
            holds: o.holds,
            programmes: o.programmes,
            f,
            errors,
            notice,
            error,
            c,
        },
        has_errors,
    )
}

async fn page(State(s): State<AppState>, c: Ctx) -> PageResult {
    show(&s, c, HoldForm::default(), FormErrors::default()).await
}

async fn place(State(s): State<AppState>, c: Ctx, Form(f): Form<HoldForm>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    uc.may_manage_privacy()?;
    let Ok(programme_id) = f.programme_id.trim().parse::<i64>() else {
        let errors = FormErrors(domain::FieldErrors(vec![domain::FieldError::new(
            "programme_id",
            "required",
            "Välj finansieringsprogram.",
        )]));
        return show(&s, c, f, errors).await;
    };
    match uc.place_legal_hold(programme_id, &f.reason).await {
        Ok(_) => crate::flash::notice(&s, &c, c.t("retention.hold_placed"), "/integritet").await,
        Err(e) => {
            let errors = super::invalid(e)?;
            show(&s, c, f, errors).await
        }
    }
}

async fn release(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    match UseCase::page(&s, &c)?.release_legal_hold(id).await {
        Ok(()) => crate::flash::notice(&s, &c, c.t("retention.hold_released"), "/integritet").await,
        Err(navet_store::StoreError::Conflict { message, .. }) => {
            crate::flash::error(&s, &c, &message, "/integritet").await
        }
        Err(e) => Err(e.into()),
    }
}
