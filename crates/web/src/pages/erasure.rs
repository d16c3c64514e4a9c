//! Erasing a person, confirmed twice: a preview page listing what goes
//! and what stays (and the legal holds that stop it), then typing the
//! person's name or the word RADERA. Works without JavaScript.

use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::{Form, Router};
use domain::access::Action;
use navet_store::erasure::{self, Preview};
use navet_store::people;
use serde::Deserialize;

use crate::ctx::Ctx;
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
    c.require_login()?;
    let person = people::get(&s.db, id).await?;
    let user = c.require(Action::ErasePerson(person.as_ref()))?;
    // The preview shows the person's name: a read of personal data.
    if domain::access::read_needs_audit(&user.actor, id) {
        navet_store::audit::record_read(&s.db, &user.who(), id, "radering (förhandsvisning)")
            .await?;
    }
    let p = erasure::preview(&s.db, id).await?;
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
    c.require_login()?;
    let person = people::get(&s.db, id).await?;
    let user = c.require(Action::ErasePerson(person.as_ref()))?.clone();
    if !domain::erasure::confirmed(&f.bekrafta, &person.name) {
        let msg = c.t("erasure.confirm_mismatch").to_string();
        return show(&s, c, id, f.bekrafta, msg).await;
    }
    match erasure::erase(&s.db, &user.who(), id).await {
        Ok(done) => {
            let text = format!("{} ”{}”.", c.t("erasure.done"), done.pseudonym);
            crate::flash::notice(&s, &c, &text, &format!("/personal/{id}/radera")).await
        }
        Err(navet_store::StoreError::Conflict { message, .. }) => {
            show(&s, c, id, String::new(), message).await
        }
        Err(e) => Err(e.into()),
    }
}
