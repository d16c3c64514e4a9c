//! "How was this computed": every figure of a scenario with its formula and inputs.

use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use navet_store::StoreError;

use super::nb;
use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, AppError, AppState, PageResult};

pub(super) struct TraceInputView {
    label: String,
    value: String,
    href: String,
    source: String,
}

pub(super) struct FigureView {
    key: String,
    label: String,
    value: String,
    formula: String,
    inputs: Vec<TraceInputView>,
}

#[derive(Template)]
#[template(path = "costs/trace.html")]
pub(super) struct TracePage {
    c: Ctx,
    id: i64,
    name: String,
    figures: Vec<FigureView>,
}

pub(super) async fn trace_page(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> PageResult {
    let r = UseCase::page(&s, &c)?
        .cost_trace(id)
        .await
        .map_err(|e| match e {
            StoreError::Invalid(f) => AppError::BadRequest(f.to_string()),
            other => other.into(),
        })?;
    let figures = r
        .trace
        .figures
        .iter()
        .map(|f| FigureView {
            key: f.key.clone(),
            label: f.label.clone(),
            value: nb(f.value.clone()),
            formula: f.formula.clone(),
            inputs: f
                .inputs
                .iter()
                .map(|i| TraceInputView {
                    label: i.label.clone(),
                    value: i.value.clone(),
                    href: i.key.as_ref().map(|k| format!("#{k}")).unwrap_or_default(),
                    source: i.source.clone(),
                })
                .collect(),
        })
        .collect();
    render(TracePage {
        c,
        id,
        name: r.name,
        figures,
    })
}
