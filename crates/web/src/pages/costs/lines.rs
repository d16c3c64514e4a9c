//! Adding, changing and removing cost lines.

use crate::rejection::Form;
use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use domain::costs::{CostKind, Driver, LineDraft};
use navet_store::StoreError;

use crate::ctx::Ctx;
use crate::pages::FormErrors;
use crate::usecase::UseCase;
use crate::{see_other, AppState, PageResult};

#[derive(Template)]
#[template(path = "costs/line_form.html")]
pub(super) struct LinePage {
    c: Ctx,
    f: LineDraft,
    errors: FormErrors,
    id: Option<i64>,
}

impl LinePage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        CostKind::ALL
            .iter()
            .map(|k| (k.code(), k.label_sv()))
            .collect()
    }
    fn bases(&self) -> Vec<(&'static str, &'static str)> {
        ["annual", "staff", "depreciation"]
            .into_iter()
            .map(|b| (b, domain::costs::lines::basis_label(b)))
            .collect()
    }
    fn scalings(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![("fixed", "fast – samma oavsett volym".to_string())];
        for d in Driver::ALL {
            v.push((d.code(), format!("följer antalet {}", d.label_sv())));
        }
        v
    }
    fn is_basis(&self, b: &str) -> bool {
        self.f.basis == b || (self.f.basis.is_empty() && b == "annual")
    }
    fn is_scaling(&self, sc: &str) -> bool {
        self.f.scaling == sc || (self.f.scaling.is_empty() && sc == "fixed")
    }
}

pub(super) fn line_page(c: Ctx, f: LineDraft, errors: FormErrors, id: Option<i64>) -> PageResult {
    let has_errors = errors.any();
    super::super::render_form(LinePage { c, f, errors, id }, has_errors)
}

pub(super) async fn new_line(State(s): State<AppState>, c: Ctx) -> PageResult {
    let f = UseCase::page(&s, &c)?.cost_line_form(None).await?;
    line_page(c, f, FormErrors::default(), None)
}

pub(super) async fn create_line(
    State(s): State<AppState>,
    c: Ctx,
    Form(f): Form<LineDraft>,
) -> PageResult {
    match UseCase::page(&s, &c)?.create_cost_line(&f).await {
        Ok(_) => Ok(see_other("/kostnader?ok=line")),
        Err(StoreError::Invalid(e)) => line_page(c, f, FormErrors(e), None),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn edit_line(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> PageResult {
    let f = UseCase::page(&s, &c)?.cost_line_form(Some(id)).await?;
    line_page(c, f, FormErrors::default(), Some(id))
}

pub(super) async fn update_line(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<LineDraft>,
) -> PageResult {
    match UseCase::page(&s, &c)?.update_cost_line(id, &f).await {
        Ok(()) => Ok(see_other("/kostnader?ok=line")),
        Err(StoreError::Invalid(e)) => line_page(c, f, FormErrors(e), Some(id)),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn delete_line(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> PageResult {
    UseCase::page(&s, &c)?.delete_cost_line(id).await?;
    Ok(see_other("/kostnader?ok=line-deleted"))
}
