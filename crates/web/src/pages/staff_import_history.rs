//! The staff imports applied, and undoing one within seven days
//! (`navet_store::import_history`). Coordinators and administrators see and
//! undo every import; a manager sees and undoes their own.

use crate::rejection::Path;
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::access::{Action, Role};
use navet_store::import_history::{self, ImportRow, PersonLine, UNDO_SECS};
use serde::Deserialize;

use crate::ctx::{Ctx, User};
use crate::flash::{self, Kind};
use crate::{render, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/personal/importer", get(list))
        .route("/personal/importer/{id}", get(show))
        .route("/personal/importer/{id}/angra", post(undo))
}

/// Managers see only their own imports.
fn own_only(user: &User) -> Option<i64> {
    (!matches!(user.role(), Role::Coordinator | Role::Admin)).then_some(user.account_id)
}

fn may_see(user: &User, i: &ImportRow) -> bool {
    own_only(user).is_none_or(|a| i.account_id == Some(a))
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
    let user = c.require(Action::ListPeople)?;
    if matches!(user.role(), Role::Participant | Role::Trainer) {
        return Err(AppError::forbidden("import"));
    }
    let rows = import_history::list(&s.db, own_only(user), 200).await?;
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
    fn kind_label(&self, kind: &str) -> &'static str {
        match kind {
            "added" => self.c.t("import.added"),
            "left" => self.c.t("import.left"),
            _ => self.c.t("import.changed"),
        }
    }
}

async fn load(s: &AppState, c: &Ctx, id: i64) -> Result<ImportRow, AppError> {
    let user = c.require(Action::ListPeople)?;
    let i = import_history::get(&s.db, id).await?;
    if !may_see(user, &i) {
        return Err(AppError::NotFound);
    }
    Ok(i)
}

async fn show(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let i = load(&s, &c, id).await?;
    let now = navet_store::time::now();
    let people = import_history::people(&s.db, id).await?;
    let ids: Vec<i64> = people.iter().map(|p| p.person_id).collect();
    let who = c.require_login()?.who();
    navet_store::audit::record_list_read(&s.db, &who, "people", "personalimport", &ids).await?;
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
    let i = load(&s, &c, id).await?;
    let user = c.require(Action::ImportStaff {
        municipality_id: i.municipality_id,
        unit_id: i.unit_ids().first().copied(),
    });
    // A manager's own import: their scope was checked when they made it.
    let user = match user {
        Ok(u) => u,
        Err(_) if own_only(c.require_login()?).is_some() => c.require_login()?,
        Err(e) => return Err(e),
    };
    let back = format!("/personal/importer/{id}");
    match import_history::undo(&s.db, &user.who(), id, navet_store::time::now()).await {
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
