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
use domain::invitations::{LinkState, RESET_PER_ADDRESS, RESET_PER_CLIENT};
use navet_store::password_resets::{self, Refusal};
use navet_store::{accounts, login_throttle};
use serde::Deserialize;

use super::invitations::{check_new_password, refused, DonePage, KeyQuery, NewPasswordForm};
use super::FormErrors;
use crate::ctx::Ctx;
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

/// The rate-limit keys of a request (stored hashed).
fn keys(email: &str, client_ip: &str) -> (String, String) {
    (
        format!("reset:{}", email.trim().to_lowercase()),
        format!("reset-ip:{client_ip}"),
    )
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
    let (address_key, client_key) = keys(&email, &c.client_ip);
    let now = navet_store::time::now();
    if let Err(until) = login_throttle::begin_login_attempt(
        &s.db,
        &[
            (&address_key, RESET_PER_ADDRESS),
            (&client_key, RESET_PER_CLIENT),
        ],
        now,
    )
    .await?
    {
        let secs = (until - now).max(1);
        let mut errs = domain::FieldErrors::new();
        errs.add(
            "email",
            "rate_limited",
            c.t("reset.rate_limited")
                .replace("{secs}", &secs.to_string())
                .replace(
                    "{time}",
                    &crate::format::stockholm(until)
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
    // After the answer: the same page and the same time whether or not
    // the address is known.
    let db = s.db.clone();
    let provider = super::invitations::provider_for(&s);
    tokio::spawn(async move {
        if let Err(e) = password_resets::request(&db, &email, &provider, now).await {
            tracing::error!("password reset request failed: {e}");
        }
    });
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

/// The link's account when the link may be used: (name, e-mail), or the
/// refusal's code and the account (when the link is known).
async fn usable(
    s: &AppState,
    key: &str,
    now: i64,
) -> Result<Result<(String, String), (&'static str, Option<i64>)>, crate::AppError> {
    let link = password_resets::link(&s.db, key, now).await?;
    let Some((account_id, name, email)) = link.account else {
        return Ok(Err((link.state.code(), None)));
    };
    if link.state != LinkState::Valid {
        return Ok(Err((link.state.code(), Some(account_id))));
    }
    let account = accounts::get(&s.db, account_id).await?;
    Ok(match account.refusal() {
        Some(code) => Err((code, Some(account_id))),
        None => Ok((name, email)),
    })
}

async fn open(State(s): State<AppState>, c: Ctx, Query(q): Query<KeyQuery>) -> PageResult {
    let key = q.t.trim().to_string();
    match usable(&s, &key, navet_store::time::now()).await? {
        Ok((name, email)) => password_page(c, key, name, email, FormErrors::default()),
        Err((code, _)) => refused(c, "reset", code),
    }
}

async fn set(State(s): State<AppState>, c: Ctx, Form(f): Form<NewPasswordForm>) -> PageResult {
    let key = f.t.trim().to_string();
    let now = navet_store::time::now();
    let (name, email) = match usable(&s, &key, now).await? {
        Ok(x) => x,
        Err((code, account)) => {
            password_resets::record_refusal(&s.db, account, code).await?;
            return refused(c, "reset", code);
        }
    };
    let errs = check_new_password(&c, &f, &email, &name);
    if !errs.is_empty() {
        return password_page(c, key, name, email, FormErrors(errs));
    }
    let hash = crate::password::hash(f.new).await;
    match password_resets::use_link(&s.db, &key, &hash, now).await? {
        Ok(_) => render(DonePage {
            title: c.t("reset.done_title").into(),
            message: c.t("reset.done").into(),
            c,
        }),
        Err(Refusal::Link(state)) => refused(c, "reset", state.code()),
        Err(r) => refused(c, "reset", r.code()),
    }
}
