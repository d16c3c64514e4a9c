//! "Glömt lösenord": the request form, and the link's page where a new
//! password is chosen.
//!
//! The answer to a request never says whether the address exists: every
//! request that passes the rate limit gets the same page, at once, and the
//! lookup, the link and the message are made after the answer (in a task
//! of their own), so neither the words nor the time taken differ. Requests
//! are limited per typed address and per client address (in the database,
//! shared by every instance, with `store::login_throttle`).

use crate::rejection::Query;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::Form;
use serde::Deserialize;

use super::invitations::{check_new_password, refused, DonePage, KeyQuery, NewPasswordForm};
use super::FormErrors;
use crate::ctx::Ctx;
use crate::usecase::invitations::LinkPassword;
use crate::usecase::sign_in::SignIn;
use crate::{render, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/glomt-losenord", get(form).post(request))
        .route("/aterstall-losenord", get(open).post(set))
}

#[derive(Template)]
#[template(path = "account_links/forgot.html")]
struct ForgotPage {
    c: Ctx,
    email: String,
    errors: FormErrors,
    sent: bool,
}

async fn form(c: Ctx) -> PageResult {
    render(ForgotPage {
        c,
        email: String::new(),
        errors: FormErrors::default(),
        sent: false,
    })
}

#[derive(Deserialize, Default)]
struct RequestForm {
    #[serde(default)]
    email: String,
}

async fn request(State(s): State<AppState>, c: Ctx, Form(f): Form<RequestForm>) -> PageResult {
    let email = f.email.trim().to_lowercase();
    if email.is_empty() || email.chars().count() > 254 {
        let mut errs = domain::FieldErrors::new();
        errs.add("email", "required", c.t("reset.email_missing"));
        return super::render_form(
            ForgotPage {
                c,
                email: f.email,
                errors: FormErrors(errs),
                sent: false,
            },
            true,
        );
    }
    let asked = SignIn::new(&s, &c.client_ip)
        .request_password_reset(&email)
        .await?;
    if let Err(limit) = asked {
        let secs = limit.retry_after;
        let mut errs = domain::FieldErrors::new();
        errs.add(
            "email",
            "rate_limited",
            c.t("reset.rate_limited")
                .replace("{secs}", &secs.to_string())
                .replace(
                    "{time}",
                    &crate::format::stockholm(limit.until)
                        .format("%H:%M:%S")
                        .to_string(),
                ),
        );
        let mut r = super::render_form(
            ForgotPage {
                c,
                email: f.email,
                errors: FormErrors(errs),
                sent: false,
            },
            true,
        )?;
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(r);
    }
    render(ForgotPage {
        c,
        email: String::new(),
        errors: FormErrors::default(),
        sent: true,
    })
}

fn password_page(
    c: Ctx,
    key: String,
    name: String,
    email: String,
    errors: FormErrors,
) -> PageResult {
    super::invitations::password_form(
        c,
        ["reset.new_title", "reset.new_lead", "reset.submit_new"],
        "/aterstall-losenord",
        key,
        name,
        email,
        errors,
    )
}

async fn open(State(s): State<AppState>, c: Ctx, Query(q): Query<KeyQuery>) -> PageResult {
    let key = q.t.trim().to_string();
    match SignIn::new(&s, &c.client_ip).reset_link(&key).await? {
        Ok(h) => password_page(c, key, h.name, h.email, FormErrors::default()),
        Err(code) => refused(c, "reset", code),
    }
}

async fn set(State(s): State<AppState>, c: Ctx, Form(f): Form<NewPasswordForm>) -> PageResult {
    let key = f.t.trim().to_string();
    let done = SignIn::new(&s, &c.client_ip)
        .reset_password(&key, f.new.clone(), |h| {
            check_new_password(&c, &f, &h.email, &h.name)
        })
        .await?;
    match done {
        LinkPassword::Done => render(DonePage {
            title: c.t("reset.done_title").into(),
            message: c.t("reset.done").into(),
            c,
        }),
        LinkPassword::Invalid { holder, errors } => {
            password_page(c, key, holder.name, holder.email, FormErrors(errors))
        }
        LinkPassword::Refused(code) => refused(c, "reset", code),
    }
}
