//! The steering group's target view, "are we on track?" (see
//! `usecase::targets`): on the steering group's start page, and as a
//! one-page tagged PDF for the board.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::ctx::Ctx;
pub use crate::usecase::targets::{Standing, TargetView};
use crate::usecase::UseCase;
use crate::{AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/mal.pdf", get(pdf))
}

pub async fn load(s: &AppState, c: &Ctx) -> Result<TargetView, AppError> {
    Ok(UseCase::page(s, c)?.target_view().await?)
}

/// The target view on one A4 page for the board: the four figures, the
/// municipalities' standing in words, and where the numbers come from.
async fn pdf(State(s): State<AppState>, c: Ctx) -> PageResult {
    let t = load(&s, &c).await?;
    let bytes = crate::targets_pdf::render(&t, &|k| c.t(k)).map_err(AppError::Internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"malbild-{}.pdf\"", t.to),
            ),
        ],
        bytes,
    )
        .into_response())
}
