//! The staff imports applied, and undoing one within seven days
//! (`navet_store::import_history`). Coordinators and administrators see and
//! undo every import; a manager sees and undoes their own.

use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::staff_import::ChangeKind;
use navet_store::import_history::{ImportRow, PersonLine, UNDO_SECS};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::flash::{self, Kind};
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/personal/importer", get(list))
        .route("/personal/importer/{id}", get(show))
        .route("/personal/importer/{id}/angra", post(undo))
}

fn status(c: &Ctx, i: &ImportRow, now: i64) -> String {
    if i.undone_at.is_some() {
        c.t("staff_import.status_undone").to_string()
    } else if i.can_undo(now) {
        c.t("staff_import.status_until")
            .replace("{date}", &crate::format::datetime(i.created_at + UNDO_SECS))
    } else {
        c.t("staff_import.status_final").to_string()
    }
}

#[derive(Template)]
#[template(path = "people/import_history.html")]
struct ListPage {
    c: Ctx,
    imports: Vec<(ImportRow, String)>,
    notice: String,
}

async fn list(State(s): State<AppState>, c: Ctx) -> PageResult {
    let rows = UseCase::page(&s, &c)?.staff_imports().await?;
    let now = navet_store::time::now();
    let imports = rows
        .into_iter()
        .map(|i| {
            let st = status(&c, &i, now);
            (i, st)
        })
        .collect();
    render(ListPage {
        notice: c.flash_notice(),
        imports,
        c,
    })
}

#[derive(Template)]
#[template(path = "people/import_undo.html")]
struct ShowPage {
    c: Ctx,
    i: ImportRow,
    status: String,
    can_undo: bool,
    people: Vec<PersonLine>,
    notice: String,
    error: String,
}

impl ShowPage {
    fn kind_label(&self, kind: &ChangeKind) -> &'static str {
        match kind {
            ChangeKind::Added => self.c.t("import.added"),
            ChangeKind::Left => self.c.t("import.left"),
            ChangeKind::Changed => self.c.t("import.changed"),
        }
    }
}

async fn show(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let (i, people) = UseCase::page(&s, &c)?.staff_import(id).await?;
    let now = navet_store::time::now();
    render(ShowPage {
        status: status(&c, &i, now),
        can_undo: i.can_undo(now),
        people,
        notice: c.flash_notice(),
        error: c.flash_error(),
        i,
        c,
    })
}

#[derive(Deserialize)]
struct UndoForm {}

async fn undo(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(_f): Form<UndoForm>,
) -> PageResult {
    let back = format!("/personal/importer/{id}");
    match UseCase::page(&s, &c)?.undo_staff_import(id).await {
        Ok(u) => {
            let text = c
                .t("staff_import.undone")
                .replace("{restored}", &u.restored.to_string())
                .replace("{returned}", &u.returned.to_string())
                .replace("{removed}", &u.removed.to_string());
            flash::redirect(&s, &c, Kind::Notice, &text, &back).await
        }
        Err(navet_store::StoreError::Conflict { message, .. }) => {
            flash::error(&s, &c, &message, &back).await
        }
        Err(e) => Err(e.into()),
    }
}
