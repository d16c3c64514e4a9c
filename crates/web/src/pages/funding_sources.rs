//! Funding sources (finansieringskällor): the list the hub keeps (the
//! funding programme, Äldreomsorgslyftet, the municipality's own budget
//! …), a session's source and a single booking's override. Two exclusive
//! sources may not pay for the same person and course: the refusal names
//! both (`domain::funding::double_claim`).

use crate::rejection::{Form, Path, Query};
use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use domain::funding::sources::{Draft, Kind, Source};
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::funding_sources::SessionFunding;
use crate::usecase::UseCase;
use crate::{render, see_other, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/finansiering/kallor", get(list).post(create))
        .route("/finansiering/kallor/{id}", get(edit_form).post(update))
        .route(
            "/kurstillfallen/{id}/finansiering",
            get(session_page).post(set_session),
        )
        .route("/anmalan/{id}/finansiering", post(set_booking))
}

#[derive(Deserialize, Default)]
struct SourceForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    /// A ticked box sends "1"; none is not exclusive.
    #[serde(default)]
    exclusive: String,
}

impl SourceForm {
    fn draft(&self) -> Draft {
        Draft {
            name: self.name.clone(),
            kind: self.kind.clone(),
            exclusive: !self.exclusive.trim().is_empty(),
        }
    }
    fn of(s: &Source) -> SourceForm {
        SourceForm {
            name: s.name.clone(),
            kind: s.kind.code().into(),
            exclusive: if s.exclusive {
                "1".into()
            } else {
                String::new()
            },
        }
    }
}

#[derive(Template)]
#[template(path = "funding_sources/list.html")]
struct ListPage {
    c: Ctx,
    sources: Vec<Source>,
    can_manage: bool,
    d: SourceForm,
    errors: FormErrors,
    notice: &'static str,
}

impl ListPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        Kind::ALL.iter().map(|k| (k.code(), k.label_sv())).collect()
    }
    fn kind_label(&self, k: &Kind) -> &'static str {
        k.label_sv()
    }
}

#[derive(Deserialize, Default)]
struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn list_page(
    s: &AppState,
    c: Ctx,
    d: SourceForm,
    errors: FormErrors,
    notice: &'static str,
) -> Result<ListPage, AppError> {
    let uc = UseCase::page(s, &c)?;
    let sources = uc.funding_sources().await?;
    let can_manage = uc.may_manage_funding_sources();
    Ok(ListPage {
        c,
        sources,
        can_manage,
        d,
        errors,
        notice,
    })
}

async fn list(State(s): State<AppState>, c: Ctx, Query(q): Query<OkQuery>) -> PageResult {
    let notice = if q.ok.is_some() {
        "Finansieringskällan är sparad."
    } else {
        ""
    };
    render(list_page(&s, c, SourceForm::default(), FormErrors::default(), notice).await?)
}

async fn create(State(s): State<AppState>, c: Ctx, Form(f): Form<SourceForm>) -> PageResult {
    match UseCase::page(&s, &c)?
        .create_funding_source(&f.draft())
        .await
    {
        Ok(_) => Ok(see_other("/finansiering/kallor?ok=1")),
        Err(e) => {
            let errors = super::invalid(e)?;
            let page = list_page(&s, c, f, errors, "").await?;
            super::render_form(page, true)
        }
    }
}

#[derive(Template)]
#[template(path = "funding_sources/edit.html")]
struct EditPage {
    c: Ctx,
    id: i64,
    d: SourceForm,
    errors: FormErrors,
}

impl EditPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        Kind::ALL.iter().map(|k| (k.code(), k.label_sv())).collect()
    }
}

async fn edit_form(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let src = UseCase::page(&s, &c)?.funding_source(id).await?;
    render(EditPage {
        c,
        id,
        d: SourceForm::of(&src),
        errors: FormErrors::default(),
    })
}

async fn update(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<SourceForm>,
) -> PageResult {
    match UseCase::page(&s, &c)?
        .update_funding_source(id, &f.draft())
        .await
    {
        Ok(()) => Ok(see_other("/finansiering/kallor?ok=1")),
        Err(StoreError::Conflict { field, message }) => {
            let mut errors = domain::FieldErrors::new();
            errors.add(
                field.as_deref().unwrap_or("exclusive"),
                "double_funding",
                message,
            );
            let page = EditPage {
                c,
                id,
                d: f,
                errors: FormErrors(errors),
            };
            super::render_form(page, true)
        }
        Err(e) => {
            let errors = super::invalid(e)?;
            let page = EditPage {
                c,
                id,
                d: f,
                errors,
            };
            super::render_form(page, true)
        }
    }
}

#[derive(Template)]
#[template(path = "funding_sources/session.html")]
struct SessionPage {
    c: Ctx,
    f: SessionFunding,
    notice: String,
    error: String,
}

impl SessionPage {
    fn is_booking_source(&self, own: &Option<i64>, id: &i64) -> bool {
        *own == Some(*id)
    }
    fn is_session_source(&self, id: &i64) -> bool {
        self.f.session.funding_source_id == Some(*id)
    }
    fn source_name(&self, id: &Option<i64>) -> String {
        match id {
            None => "Ingen".into(),
            Some(id) => self
                .f
                .sources
                .iter()
                .find(|s| s.id == *id)
                .map_or_else(|| format!("källa {id}"), |s| s.name.clone()),
        }
    }
    fn when(&self) -> String {
        crate::format::datetime(self.f.session.starts_at)
    }
}

async fn session_page(State(s): State<AppState>, c: Ctx, Path(id): Path<i64>) -> PageResult {
    let f = UseCase::page(&s, &c)?.session_funding(id).await?;
    render(SessionPage {
        notice: c.flash_notice(),
        error: c.flash_error(),
        c,
        f,
    })
}

#[derive(Deserialize, Default)]
struct SourceChoice {
    /// A source's id, or empty for none (a booking: the session's).
    #[serde(default)]
    funding_source_id: String,
}

async fn set_session(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<SourceChoice>,
) -> PageResult {
    let back = format!("/kurstillfallen/{id}/finansiering");
    let source = match super::source_param(&f.funding_source_id) {
        Ok(v) => v,
        Err(e) => return crate::flash::error(&s, &c, &e.to_string(), &back).await,
    };
    match UseCase::page(&s, &c)?
        .set_session_funding_source(id, source)
        .await
    {
        Ok(()) => {
            crate::flash::notice(
                &s,
                &c,
                "Kurstillfällets finansieringskälla är sparad.",
                &back,
            )
            .await
        }
        Err(e @ (StoreError::Conflict { .. } | StoreError::Invalid(_))) => {
            crate::flash::error(&s, &c, &message_of(&e), &back).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_booking(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<SourceChoice>,
) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let session_id = uc.session_of_booking(id).await?;
    let back = format!("/kurstillfallen/{session_id}/finansiering");
    let source = match super::source_param(&f.funding_source_id) {
        Ok(v) => v,
        Err(e) => return crate::flash::error(&s, &c, &e.to_string(), &back).await,
    };
    match uc.set_booking_funding_source(id, source).await {
        Ok(()) => {
            crate::flash::notice(&s, &c, "Anmälans finansieringskälla är sparad.", &back).await
        }
        Err(e @ (StoreError::Conflict { .. } | StoreError::Invalid(_))) => {
            crate::flash::error(&s, &c, &message_of(&e), &back).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The message of a refusal, without a field prefix.
fn message_of(e: &StoreError) -> String {
    match e {
        StoreError::Conflict { message, .. } => message.clone(),
        StoreError::Invalid(f) => f
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_else(|| f.to_string()),
        other => other.to_string(),
    }
}
