//! Erasing a person, confirmed twice: a preview page listing what goes
//! and what stays (and what legal holds keep until they are released), then typing the
//! person's name or the word RADERA. Works without JavaScript.

use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::{Form, Router};
use navet_store::erasure::{self, Preview};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/personal/{id}/radera", get(page).post(erase))
}

#[derive(Template)]
#[template(path = "privacy/erase.html")]
struct ErasePage {
    c: Ctx,
    p: Preview,
    removed: &'static [&'static str],
    kept: &'static [&'static str],
    typed: String,
    error: String,
    notice: String,
}

async fn show(s: &AppState, c: Ctx, id: i64, typed: String, error: String) -> PageResult {
    // The preview shows the person's name: a read of personal data.
    let p = UseCase::page(s, &c)?
        .erasure_preview(id, "radering (förhandsvisning)")
        .await?;
    let notice = c.flash_notice();
    let has_error = !error.is_empty();
    super::render_form(
        ErasePage {
            c,
            p,
            removed: &domain::erasure::REMOVED_SV,
            kept: &domain::erasure::KEPT_SV,
            typed,
            error,
            notice,
        },
        has_error,
    )
}

async fn page(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    show(&s, c, id, String::new(), String::new()).await
}

#[derive(Deserialize, Default)]
struct ConfirmForm {
    #[serde(default)]
    bekrafta: String,
}

async fn erase(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ConfirmForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let person = uc.person_to_erase(id).await?;
    if !domain::erasure::confirmed(&f.bekrafta, &person.name) {
        let msg = c.t("erasure.confirm_mismatch").to_string();
        return show(&s, c, id, f.bekrafta, msg).await;
    }
    match uc.erase_person(id).await {
        Ok(done) => {
            let text = match &done.pseudonym {
                Some(p) => format!("{} ”{}”.", c.t("erasure.done"), p),
                None => format!(
                    "{} {}",
                    c.t("erasure.done_held"),
                    erasure::held_message(&done.held)
                ),
            };
            crate::flash::notice(&s, &c, &text, &format!("/personal/{id}/radera")).await
        }
        Err(navet_store::StoreError::Conflict { message, .. }) => {
            show(&s, c, id, String::new(), message).await
        }
        Err(e) => Err(e.into()),
    }
}
