//! The cost model's settings: project start, co-financing rate, hours per session.

use crate::rejection::Form;
use askama::Template;
use axum::extract::State;
use domain::access::Action;
use domain::costs::money::kr_ore;
use domain::costs::{check_settings, SettingsDraft};
use navet_store::costs::{self};

use super::{nb, today};
use crate::ctx::Ctx;
use crate::pages::FormErrors;
use crate::{see_other, AppState, PageResult};

#[derive(Template)]
#[template(path = "costs/settings.html")]
pub(super) struct SettingsPage {
    c: Ctx,
    f: SettingsDraft,
    errors: FormErrors,
    default_rate: String,
}

pub(super) async fn settings_page(
    s: &AppState,
    c: Ctx,
    f: SettingsDraft,
    errors: FormErrors,
) -> PageResult {
    let _ = s;
    let has_errors = errors.any();
    super::super::render_form(
        SettingsPage {
            c,
            f,
            default_rate: nb(kr_ore(costs::default_settings().cofinancing_rate)),
            errors,
        },
        has_errors,
    )
}

pub(super) async fn settings_form(State(s): State<AppState>, c: Ctx) -> PageResult {
    c.require(Action::ManageCosts)?;
    let f = SettingsDraft::from_settings(&costs::settings(&s.db).await?);
    settings_page(&s, c, f, FormErrors::default()).await
}

pub(super) async fn save_settings(
    State(s): State<AppState>,
    c: Ctx,
    Form(f): Form<SettingsDraft>,
) -> PageResult {
    let user = c.require(Action::ManageCosts)?;
    match check_settings(&f, today()) {
        Ok(settings) => {
            costs::save_settings(&s.db, &user.who(), &settings).await?;
            Ok(see_other("/kostnader?ok=settings"))
        }
        Err(e) => settings_page(&s, c, f, FormErrors(e)).await,
    }
}
