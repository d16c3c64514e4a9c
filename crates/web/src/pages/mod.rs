//! Server-rendered pages, one module per feature.

pub mod access_review;
pub mod admin;
pub mod attendance;
pub mod attestation;
pub mod auth;
pub mod booking_undo;
pub mod bookings;
pub mod catalogue;
pub mod certificates;
pub mod costs;
pub mod cover;
pub mod dashboard;
pub mod erasure;
pub mod funding;
pub mod funding_sources;
pub mod go_no_go;
pub mod home;
pub mod invitations;
pub mod my_sessions;
pub mod needs;
pub mod needs_inventory;
pub mod oidc;
pub mod org;
pub mod outbox;
pub mod packages;
pub mod password_reset;
pub mod people;
pub mod planning;
pub mod planning_term;
pub mod register_extract;
pub mod reports;
pub mod requirements;
pub mod retention;
pub mod schedule;
pub mod second_factor;
pub mod session_edit;
pub mod sessions;
pub mod staff_import;
pub mod staff_import_history;
pub mod start;
pub mod statics;
pub mod surveys;
pub mod targets;
pub mod tokens;
pub mod tracks;
pub mod trail;
pub mod trainers;
pub mod unit;
pub mod unit_costs;
pub mod unit_gaps;

use axum::Router;

use crate::{render, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(statics::router())
        .merge(home::router())
        .merge(auth::router())
        .merge(oidc::router())
        .merge(second_factor::router())
        .merge(people::router())
        .merge(erasure::router())
        .merge(retention::router())
        .merge(register_extract::router())
        .merge(access_review::router())
        .merge(staff_import::router())
        .merge(staff_import_history::router())
        .merge(org::router())
        .merge(admin::router())
        .merge(tokens::router())
        .merge(attendance::router())
        .merge(attestation::router())
        .merge(certificates::router())
        .merge(surveys::router())
        .merge(funding::router())
        .merge(funding_sources::router())
        .merge(trail::router())
        .merge(unit_costs::router())
        .merge(reports::router())
        .merge(dashboard::router())
        .merge(needs::router())
        .merge(catalogue::router())
        .merge(sessions::router())
        .merge(schedule::router())
        .merge(targets::router())
        .merge(bookings::router())
        .merge(booking_undo::router())
        .merge(session_edit::router())
        .merge(trainers::router())
        .merge(cover::router())
        .merge(planning::router())
        .merge(planning_term::router())
        .merge(go_no_go::router())
        .merge(my_sessions::router())
        .merge(outbox::router())
        .merge(costs::router())
        .merge(unit::router())
        .merge(requirements::router())
        .merge(tracks::router())
        .merge(packages::router())
        .merge(needs_inventory::router())
        .merge(invitations::router())
        .merge(password_reset::router())
}

/// Shared shape for a form's field errors in templates.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub domain::FieldErrors);

impl FormErrors {
    /// The message for a field, or "" (templates test `!= ""`).
    pub fn get(&self, field: &str) -> &str {
        self.0.get(field).unwrap_or("")
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.get(field).is_some()
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    /// The message for a field in `lang`: Swedish as the rule gave it, or
    /// the English text for the error's code (`form_errors.<code>`) when the
    /// locale has one.
    pub fn get_in(&self, lang: &crate::i18n::Lang, field: &str) -> String {
        self.0
             .0
            .iter()
            .find(|e| e.field == field)
            .map(|e| localise(*lang, e))
            .unwrap_or_default()
    }
    /// All (field, message) pairs in `lang`, see [`FormErrors::get_in`].
    pub fn all_in(&self, lang: &crate::i18n::Lang) -> Vec<(String, String)> {
        self.0
             .0
            .iter()
            .map(|e| (e.field.clone(), localise(*lang, e)))
            .collect()
    }
    pub fn all(&self) -> Vec<(String, String)> {
        self.0
             .0
            .iter()
            .map(|e| (e.field.clone(), e.message.clone()))
            .collect()
    }
}

fn localise(lang: crate::i18n::Lang, e: &domain::FieldError) -> String {
    match lang {
        crate::i18n::Lang::Sv => e.message.clone(),
        crate::i18n::Lang::En => crate::i18n::get(lang, &format!("form_errors.{}", e.code))
            .filter(|_| {
                crate::i18n::get(crate::i18n::Lang::Sv, &format!("form_errors.{}", e.code))
                    == Some(e.message.as_str())
            })
            .map(str::to_string)
            .unwrap_or_else(|| e.message.clone()),
    }
}

/// Render a page with a form; 422 when what was sent had errors, so the
/// same page shows them and browsers, tests and proxies see the refusal.
pub fn render_form<T: askama::Template>(page: T, has_errors: bool) -> PageResult {
    let mut r = render(page)?;
    if has_errors {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// A store error as form errors when it is a validation failure; any other
/// error ends the request.
pub fn invalid(e: navet_store::StoreError) -> Result<FormErrors, crate::AppError> {
    match e {
        navet_store::StoreError::Invalid(f) => Ok(FormErrors(f)),
        other => Err(other.into()),
    }
}

/// A funding source chosen in a form or a query (`program`): empty for
/// none, else an id; anything else is bad input naming the field.
pub fn source_param(v: &str) -> Result<Option<i64>, navet_store::StoreError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>().map(Some).map_err(|_| {
        navet_store::StoreError::invalid(
            "program",
            "invalid_program",
            "Välj en finansieringskälla i listan.",
        )
    })
}
