//! The cost model's settings: project start, co-financing rate, hours per session.

use crate::rejection::Form;
use askama::Template;
use axum::extract::State;
use domain::costs::money::kr_ore;
use domain::costs::SettingsDraft;
use navet_store::StoreError;

use super::nb;
use crate::ctx::Ctx;
use crate::pages::FormErrors;
use crate::usecase::costs::default_cofinancing_rate;
use crate::usecase::UseCase;
use crate::{see_other, AppState, PageResult};

#[derive(Template)]
#[template(path = "costs/settings.html")]
pub(super) struct SettingsPage {
    c: Ctx,
    f: SettingsDraft,
    errors: FormErrors,
    default_rate: String,
}

pub(super) fn settings_page(c: Ctx, f: SettingsDraft, errors: FormErrors) -> PageResult {
    let has_errors = errors.any();
    super::super::render_form(
        SettingsPage {
            c,
            f,
            default_rate: nb(kr_ore(default_cofinancing_rate())),
            errors,
        },
        has_errors,
    )
}

pub(super) async fn settings_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    let settings = UseCase::page(&s, &c)?.cost_settings().await?;
    settings_page(
        c,
        SettingsDraft::from_settings(&settings),
        FormErrors::default(),
    )
}

pub(super) async fn save_settings(
    State(s): State<AppState>,
    c: Ctx,
    Form(f): Form<SettingsDraft>,
) -> PageResult {
    match UseCase::page(&s, &c)?.save_cost_settings(&f).await {
        Ok(()) => Ok(see_other("/kostnader?ok=settings")),
        Err(StoreError::Invalid(e)) => settings_page(c, f, FormErrors(e)),
        Err(e) => Err(e.into()),
    }
}
