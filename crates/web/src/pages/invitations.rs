//! Invitations: sending them from the staff list (checkboxes and one
//! button, no JavaScript needed), the column on the staff list that says
//! where each person stands, and the link's page where the invited person
//! chooses a password. The rules are `domain::invitations`, the rows
//! `navet_store::invitations`.

use std::collections::HashMap;

use crate::rejection::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::Form;
use navet_store::invitations::{Invitee, Outcome};
use navet_store::StoreError;
use serde::Deserialize;

use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::invitations::LinkPassword;
use crate::usecase::sign_in::SignIn;
use crate::usecase::UseCase;
use crate::{render, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/personal/inbjudan", post(send))
        .route("/inbjudan", get(open).post(accept))
}

// The staff list's column ---------------------------------------------------------

/// One person's cell in the staff list: whether they can be chosen for an
/// invitation, and what to say about them.
#[derive(Debug, Clone)]
pub struct Cell {
    pub selectable: bool,
    pub text: String,
}

/// Cells for the people shown, when the user may invite anyone (else empty).
pub fn cells(c: &Ctx, invitees: &HashMap<i64, Invitee>) -> HashMap<i64, Cell> {
    let now = navet_store::time::now();
    invitees
        .values()
        .map(|i| (i.person_id, cell(c, i, now)))
        .collect()
}

fn cell(c: &Ctx, i: &Invitee, now: i64) -> Cell {
    let text = if let Some(why) = i.not_invitable {
        c.t("invite.status_not_invitable")
            .replace("{why}", why.label_sv())
    } else {
        match (i.invited_at, i.expires_at, &i.provider) {
            (Some(sent), _, Some(label)) => c
                .t("invite.status_provider")
                .replace("{sent}", &c.date(&sent))
                .replace("{label}", label),
            (Some(sent), Some(until), None) if i.pending(now) => c
                .t("invite.status_pending")
                .replace("{sent}", &c.date(&sent))
                .replace("{until}", &c.date(&until)),
            (Some(_), Some(until), None) => c
                .t("invite.status_expired")
                .replace("{until}", &c.date(&until)),
            _ => c.t("invite.status_none").to_string(),
        }
    };
    Cell {
        selectable: i.not_invitable.is_none(),
        text,
    }
}

// Sending -------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct SendForm {
    #[serde(default)]
    person: Vec<i64>,
    /// The staff list's query string, to go back to.
    #[serde(default)]
    back: String,
}

struct Row {
    name: String,
    text: String,
    ok: bool,
}

#[derive(Template)]
#[template(path = "account_links/invited.html")]
struct InvitedPage {
    c: Ctx,
    results: Vec<Row>,
    back: String,
}

/// Where "back" may go: the staff list with its filters, nothing else.
fn back_to_list(back: &str) -> String {
    let q: String = back
        .chars()
        .filter(|ch| ch.is_ascii_alphanumeric() || "=&%+-_.".contains(*ch))
        .collect();
    if q.is_empty() {
        "/personal".into()
    } else {
        format!("/personal?{q}")
    }
}

/// Invite the people chosen on the staff list. Everyone chosen must be
/// someone the user may invite, or nothing is sent (403); those who cannot
/// be invited (no e-mail, left, already signing in) are reported with why.
async fn send(State(s): State<AppState>, c: Ctx, Form(f): Form<SendForm>) -> PageResult {
    let uc = UseCase::page(&s, &c)?;
    let back = back_to_list(&f.back);
    let done = match uc.invite_people(&f.person).await {
        Ok(Some(d)) => d,
        Ok(None) => return crate::flash::error(&s, &c, c.t("invite.none_chosen"), &back).await,
        Err(StoreError::Invalid(e)) => {
            return crate::flash::error(&s, &c, &e.to_string(), &back).await;
        }
        Err(e) => return Err(e.into()),
    };
    let results = done
        .into_iter()
        .map(|d| {
            let (text, ok) = match &d.outcome {
                Outcome::Link => (c.t("invite.sent_link").to_string(), true),
                Outcome::Provider(label) => {
                    (c.t("invite.sent_provider").replace("{label}", label), true)
                }
                Outcome::NotInvitable(why) => (
                    c.t("invite.not_invitable").replace("{why}", why.label_sv()),
                    false,
                ),
            };
            Row {
                name: d.name,
                text,
                ok,
            }
        })
        .collect();
    render(InvitedPage { c, results, back })
}

// The link ------------------------------------------------------------------------

/// The page where a link's holder chooses a password (invitation or reset).
#[derive(Template)]
#[template(path = "account_links/password.html")]
pub struct PasswordPage {
    pub c: Ctx,
    pub title: String,
    pub lead: String,
    pub submit: String,
    pub action: String,
    pub key: String,
    pub name: String,
    pub email: String,
    pub errors: FormErrors,
}

/// A link that cannot be used, with why.
#[derive(Template)]
#[template(path = "account_links/refused.html")]
pub struct RefusedPage {
    pub c: Ctx,
    pub title: String,
    pub message: String,
    /// Offer to ask for a new reset link.
    pub ask_again: bool,
}

#[derive(Template)]
#[template(path = "account_links/done.html")]
pub struct DonePage {
    pub c: Ctx,
    pub title: String,
    pub message: String,
}

/// The status a refused link answers with: gone when used or expired,
/// not found when unknown, forbidden when the person or account may not.
pub fn refusal_status(code: &str) -> StatusCode {
    match code {
        "used" | "expired" => StatusCode::GONE,
        "unknown" => StatusCode::NOT_FOUND,
        "email_taken" => StatusCode::CONFLICT,
        _ => StatusCode::FORBIDDEN,
    }
}

/// Render a refusal: `section` is `invite` or `reset`, `code` the reason.
pub fn refused(c: Ctx, section: &str, code: &str) -> PageResult {
    let message = c.t(&format!("{section}.{code}")).to_string();
    let title = c.t(&format!("{section}.refused_title")).to_string();
    let mut r = render(RefusedPage {
        ask_again: section == "reset" && matches!(code, "used" | "expired" | "unknown"),
        c,
        title,
        message,
    })?;
    *r.status_mut() = refusal_status(code);
    Ok(r)
}

#[derive(Deserialize, Default)]
pub struct KeyQuery {
    #[serde(default)]
    pub t: String,
}

/// The choose-a-password form, shared by invitations and password resets:
/// `texts` are the locale keys of its title, lead and button.
pub(super) fn password_form(
    c: Ctx,
    texts: [&str; 3],
    action: &str,
    key: String,
    name: String,
    email: String,
    errors: FormErrors,
) -> PageResult {
    let has_errors = errors.any();
    let [title, lead, submit] = texts;
    super::render_form(
        PasswordPage {
            title: c.t(title).into(),
            lead: c.t(lead).into(),
            submit: c.t(submit).into(),
            action: action.into(),
            key,
            name,
            email,
            errors,
            c,
        },
        has_errors,
    )
}

fn password_page(
    c: Ctx,
    key: String,
    name: String,
    email: String,
    errors: FormErrors,
) -> PageResult {
    password_form(
        c,
        ["invite.title", "invite.lead", "invite.submit"],
        "/inbjudan",
        key,
        name,
        email,
        errors,
    )
}

async fn open(State(s): State<AppState>, c: Ctx, Query(q): Query<KeyQuery>) -> PageResult {
    let key = q.t.trim().to_string();
    match SignIn::new(&s, &c.client_ip).invitation(&key).await? {
        Ok(h) => password_page(c, key, h.name, h.email, FormErrors::default()),
        Err(code) => refused(c, "invite", code),
    }
}

#[derive(Deserialize, Default)]
pub struct NewPasswordForm {
    #[serde(default)]
    pub t: String,
    #[serde(default)]
    pub new: String,
    #[serde(default)]
    pub repeat: String,
}

/// The password checks shared by invitations and resets: the policy
/// (`domain::passwords`), then the repetition.
pub fn check_new_password(
    c: &Ctx,
    f: &NewPasswordForm,
    email: &str,
    name: &str,
) -> domain::FieldErrors {
    let mut errs = domain::FieldErrors::new();
    if let Err(m) = crate::password::check_strength(&f.new, email, name) {
        errs.add("new", "weak_password", m);
    } else if f.new != f.repeat {
        errs.add("repeat", "password_mismatch", c.t("password.mismatch"));
    }
    errs
}

async fn accept(State(s): State<AppState>, c: Ctx, Form(f): Form<NewPasswordForm>) -> PageResult {
    let key = f.t.trim().to_string();
    let done = SignIn::new(&s, &c.client_ip)
        .accept_invitation(&key, f.new.clone(), |h| {
            check_new_password(&c, &f, &h.email, &h.name)
        })
        .await?;
    match done {
        LinkPassword::Done => render(DonePage {
            title: c.t("invite.done_title").into(),
            message: c.t("invite.done").into(),
            c,
        }),
        LinkPassword::Invalid { holder, errors } => {
            password_page(c, key, holder.name, holder.email, FormErrors(errors))
        }
        LinkPassword::Refused(code) => refused(c, "invite", code),
    }
}
