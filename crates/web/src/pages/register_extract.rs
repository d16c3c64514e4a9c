//! The register extract from the web: downloaded from a person's page
//! (coordinators, their managers) or from one's own page, `/mina-uppgifter`.

use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use navet_store::people::Person;

use crate::ctx::Ctx;
use crate::register_extract_file as file;
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/personal/{id}/registerutdrag", get(download))
        .route("/mina-uppgifter", get(mine))
}

async fn download(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let bytes = UseCase::page(&s, &c)?.register_extract(id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file::zip_name(id)),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "privacy/mine.html")]
struct MinePage {
    c: Ctx,
    p: Option<Person>,
}

async fn mine(State(s): State<AppState>, c: Ctx) -> PageResult {
    let p = UseCase::page(&s, &c)?.own_person().await?;
    render(MinePage { c, p })
}
