//! The register extract from the web: downloaded from a person's page
//! (coordinators, their managers) or from one's own page, `/mina-uppgifter`.

use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use domain::access::{decide, Action, Decision};
use navet_store::people::{self, Person};

use crate::ctx::Ctx;
use crate::register_extract_file as file;
use crate::{render, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/personal/{id}/registerutdrag", get(download))
        .route("/mina-uppgifter", get(mine))
}

async fn download(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let user = c.require_login()?;
    let p = people::get(&s.db, id).await?;
    if let Decision::Deny(why) = decide(&user.actor, Action::ExtractPersonData(p.as_ref())) {
        navet_store::register_extract::record_refusal(&s.db, &user.who(), p.id).await?;
        return Err(AppError::forbidden(why));
    }
    let bytes = file::produce(&s.db, &user.who(), p.id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file::zip_name(p.id)),
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
    let user = c.require_login()?;
    let p = match user.actor.person_id {
        Some(id) => Some(people::get(&s.db, id).await?),
        None => None,
    };
    render(MinePage { c, p })
}
