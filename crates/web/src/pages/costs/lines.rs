//! Adding, changing and removing cost lines.

use crate::rejection::Form;
use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use domain::access::Action;
use domain::costs::{check_line, CostKind, Driver, LineDraft};
use navet_store::costs::{self};

use crate::ctx::Ctx;
use crate::pages::FormErrors;
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

pub(super) async fn new_line(c: Ctx) -> PageResult {
    c.require(Action::ManageCosts)?;
    let f = LineDraft {
        basis: "annual".into(),
        scaling: "fixed".into(),
        ..Default::default()
    };
    line_page(c, f, FormErrors::default(), None)
}

pub(super) async fn create_line(
    State(s): State<AppState>,
    c: Ctx,
    Form(f): Form<LineDraft>,
) -> PageResult {
    let user = c.require(Action::ManageCosts)?;
    match check_line(&f) {
        Ok(line) => {
            costs::create_line(&s.db, &user.who(), &line).await?;
            Ok(see_other("/kostnader?ok=line"))
        }
        Err(e) => line_page(c, f, FormErrors(e), None),
    }
}

pub(super) async fn edit_line(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> PageResult {
    c.require(Action::ManageCosts)?;
    let line = costs::line(&s.db, id).await?;
    line_page(
        c,
        LineDraft::from_line(&line),
        FormErrors::default(),
        Some(id),
    )
}

pub(super) async fn update_line(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<LineDraft>,
) -> PageResult {
    let user = c.require(Action::ManageCosts)?;
    costs::line(&s.db, id).await?;
    match check_line(&f) {
        Ok(line) => {
            costs::update_line(&s.db, &user.who(), id, &line).await?;
            Ok(see_other("/kostnader?ok=line"))
        }
        Err(e) => line_page(c, f, FormErrors(e), Some(id)),
    }
}

pub(super) async fn delete_line(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> PageResult {
    let user = c.require(Action::ManageCosts)?;
    costs::delete_line(&s.db, &user.who(), id).await?;
    Ok(see_other("/kostnader?ok=line-deleted"))
}
