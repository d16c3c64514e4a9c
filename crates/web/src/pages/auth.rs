//! Logging in and out. Failed logins are rate-limited per client address
//! and per account (counted in the database, so several web instances
//! share the count).

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use navet_store::{accounts, audit};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::{render, AppState, PageResult};

/// Failures allowed per account, and per address, within the window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Ctx,
    email: String,
    next: String,
    error: String,
    notice: String,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/session/keepalive", post(keepalive))
}

/// Only local paths are allowed as "come back to" targets.
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[derive(Deserialize)]
struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    expired: Option<String>,
}

async fn login_form(c: Ctx, Query(q): Query<LoginQuery>) -> PageResult {
    if c.is_logged_in() {
        return Ok(Redirect::to(&safe_next(&q.next)).into_response());
    }
    let notice = if q.expired.is_some() {
        c.t("login.expired").to_string()
    } else {
        String::new()
    };
    render(LoginPage {
        c,
        email: String::new(),
        next: safe_next(&q.next),
        error: String::new(),
        notice,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(State(s): State<AppState>, c: Ctx, Form(f): Form<LoginForm>) -> PageResult {
    let ip = c.client_ip.clone();
    let email = f.email.trim().to_lowercase();
    let ip_key = format!("ip:{ip}");
    let account_key = format!("account:{email}");
    let since = navet_store::time::now() - FAILURE_WINDOW_SECS;
    let next = safe_next(&f.next);
    let fail = |c: Ctx, msg: &str, status: StatusCode| -> PageResult {
        let mut r = render(LoginPage {
            email: f.email.clone(),
            next: next.clone(),
            error: msg.to_string(),
            notice: String::new(),
            c,
        })?;
        *r.status_mut() = status;
        Ok(r)
    };
    let known = accounts::by_email(&s.db, &email).await?;
    let known_id = known.as_ref().map(|a| a.id);
    if accounts::login_failures_since(&s.db, &ip_key, since).await? >= MAX_FAILURES_PER_ADDRESS
        || accounts::login_failures_since(&s.db, &account_key, since).await?
            >= MAX_FAILURES_PER_ACCOUNT
    {
        audit::record_login_failure(&s.db, known_id, "rate_limited").await?;
        return fail(
            c.clone(),
            c.t("login.rate_limited"),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let inactive = known.as_ref().is_some_and(|a| a.active != 1);
    let account = known.filter(|a| a.active == 1);
    let ok = crate::password::verify(
        f.password.clone(),
        account.as_ref().and_then(|a| a.password_hash.clone()),
    )
    .await;
    let Some(account) = account.filter(|_| ok) else {
        accounts::record_login_failure(&s.db, &ip_key).await?;
        accounts::record_login_failure(&s.db, &account_key).await?;
        // The audit log gets the account id when the address matched one,
        // never the address typed.
        let reason = match known_id {
            None => "unknown_account",
            Some(_) if inactive => "inactive_account",
            Some(_) => "wrong_password",
        };
        audit::record_login_failure(&s.db, known_id, reason).await?;
        return fail(c.clone(), c.t("login.failed"), StatusCode::UNAUTHORIZED);
    };
    accounts::clear_login_failures(&s.db, &account_key).await?;
    let (secret, _csrf) = accounts::create_session(&s.db, account.id).await?;
    let mut resp = Redirect::to(&next).into_response();
    let cookie =
        crate::session_layer::cookie(s.config.session_cookie(), secret, s.config.secure_cookies);
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

async fn logout(State(s): State<AppState>, c: Ctx) -> PageResult {
    if let Some(u) = &c.user {
        accounts::end_session(&s.db, &u.session_secret).await?;
    }
    let mut resp = Redirect::to("/").into_response();
    let mut cookie = crate::session_layer::cookie(
        s.config.session_cookie(),
        String::new(),
        s.config.secure_cookies,
    );
    cookie.set_max_age(cookie::time::Duration::ZERO);
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// "Stay logged in": the session layer already refreshed the session.
async fn keepalive(State(s): State<AppState>, c: Ctx) -> Response {
    match &c.user {
        Some(u) => {
            let _ = accounts::touch_session(&s.db, &u.session_secret).await;
            StatusCode::NO_CONTENT.into_response()
        }
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}
