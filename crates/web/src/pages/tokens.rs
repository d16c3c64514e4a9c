//! API keys ("API-nycklar"): an account makes, lists and revokes its own;
//! an administrator sees and revokes everyone's. The secret is shown once,
//! on the page that answers the form; only its hash is stored.

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::access::Action;
use navet_store::accounts::TokenInfo;
use navet_store::StoreError;
use serde::Deserialize;

use super::{render_form, FormErrors};
use crate::ctx::Ctx;
use crate::usecase::UseCase;
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/konto/api-nycklar", get(mine).post(create))
        .route("/konto/api-nycklar/{id}/aterkalla", post(revoke))
        .route("/admin/api-nycklar", get(all))
}

/// A token row as the pages show it.
pub struct Row {
    pub t: TokenInfo,
    pub state: &'static str,
}

fn rows(list: Vec<TokenInfo>) -> Vec<Row> {
    let now = navet_store::time::now();
    list.into_iter()
        .map(|t| Row {
            state: t.state(now),
            t,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "tokens/mine.html")]
struct MinePage {
    c: Ctx,
    tokens: Vec<Row>,
    f: TokenForm,
    errors: FormErrors,
    /// The new token, shown this once.
    secret: String,
    notice: &'static str,
}

#[derive(Deserialize, Default, Clone)]
struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_days: String,
    #[serde(default)]
    read_only: Option<String>,
}

#[derive(Deserialize, Default)]
struct MineQuery {
    #[serde(default)]
    aterkallad: Option<String>,
}

async fn mine_view(
    s: &AppState,
    c: Ctx,
    f: TokenForm,
    errors: FormErrors,
    secret: String,
    notice: &'static str,
) -> PageResult {
    let tokens = rows(UseCase::page(s, &c)?.own_tokens().await?);
    let has_errors = errors.any();
    render_form(
        MinePage {
            c,
            tokens,
            f,
            errors,
            secret,
            notice,
        },
        has_errors,
    )
}

async fn mine(State(s): State<AppState>, c: Ctx, Query(q): Query<MineQuery>) -> PageResult {
    let notice = if q.aterkallad.is_some() {
        c.t("tokens.revoked_notice")
    } else {
        ""
    };
    let f = TokenForm {
        expires_days: domain::tokens::DEFAULT_EXPIRY_DAYS.to_string(),
        ..Default::default()
    };
    mine_view(&s, c, f, FormErrors::default(), String::new(), notice).await
}

async fn create(State(s): State<AppState>, c: Ctx, Form(f): Form<TokenForm>) -> PageResult {
    let draft = match domain::tokens::check(&f.name, &f.expires_days, false, f.read_only.is_some())
    {
        Ok(d) => d,
        Err(e) => return mine_view(&s, c, f, FormErrors(e), String::new(), "").await,
    };
    let (_, secret) = UseCase::page(&s, &c)?.create_own_token(&draft).await?;
    let blank = TokenForm {
        expires_days: domain::tokens::DEFAULT_EXPIRY_DAYS.to_string(),
        ..Default::default()
    };
    mine_view(&s, c, blank, FormErrors::default(), secret, "").await
}

#[derive(Deserialize, Default)]
struct RevokeForm {
    #[serde(default)]
    back: String,
}

async fn revoke(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<RevokeForm>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    match uc.revoke_token(id).await {
        Ok(()) => {}
        Err(StoreError::Forbidden(_)) => return Err(AppError::forbidden(c.t("tokens.not_yours"))),
        Err(e) => return Err(e.into()),
    }
    if f.back == "admin" && uc.may(Action::ManageAccounts) {
        Ok(see_other("/admin/api-nycklar?aterkallad=1"))
    } else {
        Ok(see_other("/konto/api-nycklar?aterkallad=1"))
    }
}

#[derive(Template)]
#[template(path = "tokens/all.html")]
struct AllPage {
    c: Ctx,
    tokens: Vec<Row>,
    notice: &'static str,
}

async fn all(State(s): State<AppState>, c: Ctx, Query(q): Query<MineQuery>) -> PageResult {
    let tokens = rows(UseCase::page(&s, &c)?.all_tokens().await?);
    let notice = if q.aterkallad.is_some() {
        c.t("tokens.revoked_notice")
    } else {
        ""
    };
    render(AllPage { c, tokens, notice })
}
