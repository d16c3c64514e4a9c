//! "Logga in med Kumla kommun": the redirect to a municipality's OpenID
//! provider and its answer. The sign-in under way is kept in the database
//! under a secret in a short-lived cookie, so an answer is taken only once
//! and only in the browser that asked; the protocol checks are in
//! `crate::oidc`, who gets in is `domain::sign_in::admit`.

use crate::rejection::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use navet_store::sign_in::{self, Pending};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::oidc::{OidcError, Provider};
use crate::{render, AppError, AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/oidc/{id}", get(start))
        .route("/login/oidc/{id}/callback", get(callback))
}

fn flow_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-navet_oidc"
    } else {
        "navet_oidc"
    }
}

fn redirect_uri(s: &AppState, p: &Provider) -> String {
    format!(
        "{}/login/oidc/{}/callback",
        s.config.public_url.trim_end_matches('/'),
        p.id
    )
}

#[derive(Template)]
#[template(path = "oidc_refused.html")]
struct RefusedPage {
    c: Ctx,
    /// Why, in the page's language.
    reason: String,
    /// Whom to ask.
    ask: String,
}

#[derive(Deserialize)]
struct StartQuery {
    #[serde(default)]
    next: String,
}

async fn start(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    Query(q): Query<StartQuery>,
) -> PageResult {
    let p = s.oidc.get(&id).ok_or(AppError::NotFound)?.clone();
    let started = match s.oidc.start(&p, &redirect_uri(&s, &p)).await {
        Ok(x) => x,
        Err(e) => return refuse_protocol(&s, c, &p, e).await,
    };
    let secret = sign_in::begin(
        &s.db,
        &Pending {
            provider: p.id.clone(),
            state: started.state,
            nonce: started.nonce,
            pkce_verifier: started.pkce_verifier,
            next: crate::pages::auth::safe_next(&q.next),
            created_at: navet_store::time::now(),
        },
    )
    .await?;
    let mut resp = Redirect::to(&started.url).into_response();
    let mut ck = crate::session_layer::cookie(
        flow_cookie_name(s.config.secure_cookies),
        secret,
        s.config.secure_cookies,
    );
    ck.set_max_age(cookie::time::Duration::seconds(sign_in::PENDING_MAX_SECS));
    set_cookie(&mut resp, &ck);
    Ok(resp)
}

#[derive(Deserialize)]
struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

async fn callback(
    State(s): State<AppState>,
    c: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> PageResult {
    let p = s.oidc.get(&id).ok_or(AppError::NotFound)?.clone();
    let mut resp = answer(&s, c, &p, &headers, q).await?;
    // The sign-in under way is over, whatever the outcome.
    let mut gone = crate::session_layer::cookie(
        flow_cookie_name(s.config.secure_cookies),
        String::new(),
        s.config.secure_cookies,
    );
    gone.set_max_age(cookie::time::Duration::ZERO);
    set_cookie(&mut resp, &gone);
    Ok(resp)
}

async fn answer(
    s: &AppState,
    c: Ctx,
    p: &Provider,
    headers: &HeaderMap,
    q: CallbackQuery,
) -> PageResult {
    let name = flow_cookie_name(s.config.secure_cookies);
    let secret = axum_extra::extract::CookieJar::from_headers(headers)
        .get(name)
        .map(|k| k.value().to_string());
    let now = navet_store::time::now();
    let pending = match secret {
        Some(secret) => sign_in::take(&s.db, &secret, now).await?,
        None => None,
    };
    // No sign-in under way in this browser (expired, already answered, or
    // the link was opened elsewhere), or started for another provider.
    let Some(pending) = pending.filter(|x| x.provider == p.id) else {
        return refuse_request(s, c, p, "oidc_no_sign_in_under_way", "oidc.expired").await;
    };
    if let Some(err) = q.error.as_deref() {
        let reason = format!(
            "oidc_provider_error {}",
            err.chars().take(60).collect::<String>()
        );
        return refuse_request(s, c, p, &reason, "oidc.provider_error").await;
    }
    if q.state.as_deref() != Some(pending.state.as_str()) {
        return refuse_request(s, c, p, "oidc_bad_state", "oidc.bad_state").await;
    }
    let Some(code) = q.code.filter(|x| !x.is_empty()) else {
        return refuse_request(s, c, p, "oidc_no_code", "oidc.bad_state").await;
    };
    let done = match s
        .oidc
        .finish(
            p,
            &redirect_uri(s, p),
            &code,
            &pending.nonce,
            &pending.pkce_verifier,
        )
        .await
    {
        Ok(d) => d,
        Err(e) => return refuse_protocol(s, c, p, e).await,
    };
    let found = match &done.claim_value {
        Some(v) => sign_in::find(&s.db, p.match_on, v, &p.municipality).await?,
        None => None,
    };
    let admitted = if done.claim_value.is_none() {
        sign_in::record_failure(&s.db, &p.id, domain::sign_in::Refusal::NoClaim.code()).await?;
        Err(domain::sign_in::Refusal::NoClaim)
    } else {
        sign_in::admit(&s.db, &p.id, &p.municipality, found.as_ref()).await?
    };
    let admitted = match admitted {
        Ok(a) => a,
        Err(r) => {
            let key = format!("oidc.{}", r.code());
            return refused(c, p, &key, StatusCode::FORBIDDEN);
        }
    };
    let secret = sign_in::create_session(&s.db, admitted.account_id, &p.id, &done.id_token).await?;
    let mut resp = Redirect::to(&pending.next).into_response();
    let ck =
        crate::session_layer::cookie(s.config.session_cookie(), secret, s.config.secure_cookies);
    set_cookie(&mut resp, &ck);
    Ok(resp)
}

/// A bad or stale request to the callback: logged, and a page saying so.
async fn refuse_request(s: &AppState, c: Ctx, p: &Provider, reason: &str, key: &str) -> PageResult {
    sign_in::record_failure(&s.db, &p.id, reason).await?;
    refused(c, p, key, StatusCode::BAD_REQUEST)
}

/// The provider could not be reached, refused the code, or sent a token
/// that does not pass the checks.
async fn refuse_protocol(s: &AppState, c: Ctx, p: &Provider, e: OidcError) -> PageResult {
    tracing::warn!(provider = %p.id, error = %e.detail(), "OpenID sign-in refused");
    sign_in::record_failure(&s.db, &p.id, e.code()).await?;
    let (key, status) = match e {
        OidcError::ProviderDown(_) => ("oidc.provider_down", StatusCode::BAD_GATEWAY),
        OidcError::CodeRefused(_) => ("oidc.code_refused", StatusCode::BAD_REQUEST),
        OidcError::BadToken(_) => ("oidc.bad_token", StatusCode::BAD_REQUEST),
    };
    refused(c, p, key, status)
}

fn refused(c: Ctx, p: &Provider, key: &str, status: StatusCode) -> PageResult {
    let reason = c
        .t(key)
        .replace("{label}", &p.label)
        .replace("{municipality}", &p.municipality);
    let ask = c.t("oidc.ask").replace("{municipality}", &p.municipality);
    let mut r = render(RefusedPage { c, reason, ask })?;
    *r.status_mut() = status;
    Ok(r)
}

fn set_cookie(resp: &mut Response, ck: &cookie::Cookie<'_>) {
    if let Ok(v) = HeaderValue::from_str(&ck.to_string()) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}
