//! Sign-in through a municipality's OpenID provider, against a small
//! provider inside the test (discovery, key set, token endpoint) whose
//! signing keys the test holds, so it can forge what a real provider never
//! sends: a tampered `state`, a replayed code, an expired sign-in, a wrong
//! `nonce`, a token signed with an unknown key or for another audience, a
//! provider that is down. Each is refused with a Swedish page, written to
//! the audit log, and creates no account and no session. A good answer
//! signs in (so the refusals are not the provider's fault), and logging out
//! of a provider session goes on to the provider's end-session endpoint.
//! On SQLite and PostgreSQL.

use crate::common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use common::{Resp, TestApp};
use domain::sign_in::MatchOn;
use navet_store::{both_engines, Db};
use navet_web::oidc::Provider;
use navet_web::Config;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::Row;

const CLIENT_ID: &str = "navet";
const CLIENT_SECRET: &str = "test-secret-0123456789";

/// Two signing keys: `a` is the provider's, `b` nobody's (until it rotates).
fn keys() -> &'static (RsaPrivateKey, RsaPrivateKey) {
    static KEYS: OnceLock<(RsaPrivateKey, RsaPrivateKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = rand08::thread_rng();
        (
            RsaPrivateKey::new(&mut rng, 2048).unwrap(),
            RsaPrivateKey::new(&mut rng, 2048).unwrap(),
        )
    })
}

#[derive(Default)]
struct ProviderState {
    /// The key set published: (kid, key).
    published: Vec<(String, RsaPrivateKey)>,
    /// Codes issued: code → (ID token, PKCE challenge). Used once.
    codes: HashMap<String, (String, String)>,
    /// Answer every request with 503 (the provider is down).
    down: bool,
    token_requests: usize,
    jwks_requests: usize,
}

type Shared = Arc<Mutex<ProviderState>>;

struct TestProvider {
    issuer: String,
    state: Shared,
}

impl TestProvider {
    async fn start() -> TestProvider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let state: Shared = Arc::default();
        state
            .lock()
            .unwrap()
            .published
            .push(("a".into(), keys().0.clone()));
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .with_state((issuer.clone(), state.clone()));
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        TestProvider { issuer, state }
    }

    /// Issue `code` for an ID token with these claims, signed with `key`
    /// under `kid`, to be redeemed with the verifier of `challenge`.
    fn issue(&self, code: &str, claims: &Value, key: &RsaPrivateKey, kid: &str, challenge: &str) {
        self.state
            .lock()
            .unwrap()
            .codes
            .insert(code.into(), (sign(claims, key, kid), challenge.to_string()));
    }

    /// The claims of a good ID token for `email` with `nonce`.
    fn claims(&self, nonce: &str, email: &str) -> Value {
        let now = navet_store::time::now();
        json!({
            "iss": self.issuer, "aud": CLIENT_ID, "sub": format!("sub-{email}"),
            "email": email, "nonce": nonce, "iat": now, "exp": now + 300,
        })
    }
}

fn down(s: &ProviderState) -> Option<Response> {
    s.down
        .then(|| (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response())
}

async fn discovery(State((issuer, st)): State<(String, Shared)>) -> Response {
    if let Some(r) = down(&st.lock().unwrap()) {
        return r;
    }
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    }))
    .into_response()
}

async fn jwks(State((_, st)): State<(String, Shared)>) -> Response {
    let mut s = st.lock().unwrap();
    if let Some(r) = down(&s) {
        return r;
    }
    s.jwks_requests += 1;
    let keys: Vec<Value> = s
        .published
        .iter()
        .map(|(kid, k)| {
            json!({
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
                "n": URL_SAFE_NO_PAD.encode(k.n().to_bytes_be()),
                "e": URL_SAFE_NO_PAD.encode(k.e().to_bytes_be()),
            })
        })
        .collect();
    Json(json!({ "keys": keys })).into_response()
}

/// The token endpoint: the client's secret, a code issued and not yet
/// used, and the PKCE verifier that matches its challenge.
async fn token(
    State((_, st)): State<(String, Shared)>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let mut s = st.lock().unwrap();
    if let Some(r) = down(&s) {
        return r;
    }
    s.token_requests += 1;
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(basic.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let code = f.get("code").cloned().unwrap_or_default();
    let Some((id_token, challenge)) = s.codes.remove(&code) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    };
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != challenge {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    Json(json!({
        "access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": id_token,
    }))
    .into_response()
}

/// A compact JWS (RS256) over the claims.
fn sign(claims: &Value, key: &RsaPrivateKey, kid: &str) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(input.as_bytes()),
        )
        .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn app_for(db: &Db, issuer: &str) -> TestApp {
    TestApp::with_config(
        db.clone(),
        Config {
            secure_cookies: true,
            public_url: "https://navet.test".into(),
            oidc: vec![Provider {
                id: "kumla".into(),
                label: "Kumla kommun".into(),
                issuer: issuer.into(),
                client_id: CLIENT_ID.into(),
                client_secret: CLIENT_SECRET.into(),
                municipality: "Kumla".into(),
                match_on: MatchOn::Email,
                claim: "email".into(),
            }],
            ..Config::default()
        },
    )
}

/// A sign-in started at Navet: the browser's cookie and what went to the
/// provider.
struct Started {
    cookie: String,
    state: String,
    nonce: String,
    challenge: String,
}

async fn start(app: &TestApp) -> Started {
    let r = app
        .page("GET", "/login/oidc/kumla?next=/mina-bokningar", "", None)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.headers["location"].to_str().unwrap();
    let query: HashMap<String, String> =
        form_urlencoded::parse(to.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(query["code_challenge_method"], "S256");
    let cookie = r
        .cookies()
        .into_iter()
        .find(|c| c.contains("navet_oidc="))
        .unwrap();
    Started {
        cookie: cookie.split(';').next().unwrap().to_string(),
        state: query["state"].clone(),
        nonce: query["nonce"].clone(),
        challenge: query["code_challenge"].clone(),
    }
}

async fn callback(app: &TestApp, s: &Started, code: &str, state: &str) -> Resp {
    app.page(
        "GET",
        &format!(
            "/login/oidc/kumla/callback?code={code}&state={}",
            common::urlencoding(state)
        ),
        &s.cookie,
        None,
    )
    .await
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(db.pool()).await.unwrap().get(0)
}

/// The reasons of the failed sign-ins in the audit log, in order.
async fn failures(db: &Db) -> Vec<String> {
    sqlx::query("SELECT detail FROM audit_log WHERE action = 'login.failed' ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Refused: the status, the Swedish text, the reason in the audit log, no
/// session cookie, no account and no login session made.
async fn assert_refused(db: &Db, r: &Resp, status: StatusCode, text: &str, reason: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert!(r.body.contains("Inloggningen gick inte"), "{}", r.body);
    assert!(r.body.contains(text), "expected {text:?} in {}", r.body);
    assert!(
        !r.cookies().iter().any(|c| c.contains("navet_session=")),
        "no session cookie"
    );
    let f = failures(db).await;
    assert_eq!(
        f.last().map(String::as_str),
        Some(format!("{reason} (kumla)").as_str()),
        "{f:?}"
    );
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM accounts").await,
        0,
        "no account made"
    );
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM web_sessions").await,
        0,
        "no session"
    );
}

both_engines!(
    a_good_answer_signs_in_and_makes_the_account,
    |db: Db| async move {
        let p = TestProvider::start().await;
        let app = app_for(&db, &p.issuer);
        navet_store::testing::fixtures::person(&db, "Anna", "Kumla").await;
        let s = start(&app).await;
        p.issue(
            "c1",
            &p.claims(&s.nonce, "anna@test.se"),
            &keys().0,
            "a",
            &s.challenge,
        );
        let r = callback(&app, &s, "c1", &s.state).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.headers["location"], "/mina-bokningar");
        let cookie = common::session_cookie(&r).expect("signed in");
        assert_eq!(
            app.page("GET", "/mina-bokningar", &cookie, None)
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM accounts").await, 1);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'login.oidc'"
            )
            .await,
            1
        );
        assert!(failures(&db).await.is_empty());
    }
);

both_engines!(
    a_rotated_key_is_fetched_again_and_accepted,
    |db: Db| async move {
        let p = TestProvider::start().await;
        let app = app_for(&db, &p.issuer);
        navet_store::testing::fixtures::person(&db, "Anna", "Kumla").await;
        let s = start(&app).await;
        // The provider rotates to key b after Navet cached its key set.
        let before = p.state.lock().unwrap().jwks_requests;
        p.state.lock().unwrap().published = vec![("b".into(), keys().1.clone())];
        p.issue(
            "c1",
            &p.claims(&s.nonce, "anna@test.se"),
            &keys().1,
            "b",
            &s.challenge,
        );
        let r = callback(&app, &s, "c1", &s.state).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            p.state.lock().unwrap().jwks_requests > before,
            "key set fetched again"
        );
    }
);

both_engines!(a_tampered_state_is_refused, |db: Db| async move {
    let p = TestProvider::start().await;
    let app = app_for(&db, &p.issuer);
    navet_store::testing::fixtures::person(&db, "Anna", "Kumla").await;
    let s = start(&app).await;
    p.issue(
        "c1",
        &p.claims(&s.nonce, "anna@test.se"),
        &keys().0,
        "a",
        &s.challenge,
    );
    let tampered = format!("{}x", s.state);
    let r = callback(&app, &s, "c1", &tampered).await;
    assert_refused(
        &db,
        &r,
        StatusCode::BAD_REQUEST,
        "hörde inte till din inloggning",
        "oidc_bad_state",
    )
    .await;
    // The code was never redeemed.
    assert_eq!(p.state.lock().unwrap().token_requests, 0);
});

both_engines!(a_replayed_code_is_refused, |db: Db| async move {
    let p = TestProvider::start().await;
    let app = app_for(&db, &p.issuer);
    navet_store::testing::fixtures::person(&db, "Anna", "Kumla").await;
    let s = start(&app).await;
    p.issue(
        "c1",
        &p.claims(&s.nonce, "anna@test.se"),
        &keys().0,
        "a",
        &s.challenge,
    );
    assert_eq!(
        callback(&app, &s, "c1", &s.state).await.status,
        StatusCode::SEE_OTHER
    );
    let (accounts, sessions) = (
        count(&db, "SELECT COUNT(*) FROM accounts").await,
        count(&db, "SELECT COUNT(*) FROM web_sessions").await,
    );
    // The same answer again in the same browser: that sign-in is over.
    let r = callback(&app, &s, "c1", &s.state).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("redan använts"), "{}", r.body);
    assert_eq!(
        failures(&db).await.last().unwrap(),
        "oidc_no_sign_in_under_way (kumla)"
    );
    // The used code in a new sign-in: the provider refuses it.
    let s2 = start(&app).await;
    let r = callback(&app, &s2, "c1", &s2.state).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("koden var för gammal"), "{}", r.body);
    assert_eq!(
        failures(&db).await.last().unwrap(),
        "oidc_code_refused (kumla)"
    );
    assert!(!r.cookies().iter().any(|c| c.contains("navet_session=")));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM accounts").await, accounts);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM web_sessions").await,
        sessions
    );
});

both_engines!(an_expired_sign_in_is_refused, |db: Db| async move {
    let p = TestProvider::start().await;
    let app = app_for(&db, &p.issuer);
    navet_store::testing::fixtures::person(&db, "Anna", "Kumla").await;
    let s = start(&app).await;
    p.issue(
        "c1",
        &p.claims(&s.nonce, "anna@test.se"),
        &keys().0,
        "a",
        &s.challenge,
    );
    // The person came back from the provider too late.
    sqlx::query("UPDATE oidc_logins SET created_at = created_at - $1")
        .bind(navet_store::sign_in::PENDING_MAX_SECS + 1)
        .execute(db.writer())
        .await
        .unwrap();
    let r = callback(&app, &s, "c1", &s.state).await;
    assert_refused(
        &db,
        &r,
        StatusCode::BAD_REQUEST,
        "tog för lång tid",
        "oidc_no_sign_in_under_way",
    )
    .await;
    assert_eq!(p.state.lock().unwrap().token_requests, 0);
});

both_engines!(a_wrong_nonce_is_refused, |db: Db| async move {
    let p = TestProvider::start().await;
    let app = app_for(&db, &p.issuer);
    navet_store::testing::fixtures::person(&db, "Anna", "Kumla").await;
    let s = start(&app).await;
    p.issue(
        "c1",
        &p.claims("another-nonce", "anna@test.se"),
        &keys().0,
        "a",
        &s.challenge,
    );
    let r = callback(&app, &s, "c1", &s.state).await;
    assert_refused(
        &db,
        &r,
        StatusCode::BAD_REQUEST,
        "klarade inte Navets kontroller",
        "oidc_bad_token",
    )
    .await;
});

both_engines!(
    a_token_signed_with_an_unknown_key_is_refused,
    |db: Db| async move {
        let p = TestProvider::start().await;
        let app = app_for(&db, &p.issuer);
        navet_store::testing::fixtures::person(&db, "Anna", "Kumla").await;
        // A key id the provider never published.
        let s = start(&app).await;
        let before = p.state.lock().unwrap().jwks_requests;
        p.issue(
            "c1",
            &p.claims(&s.nonce, "anna@test.se"),
            &keys().1,
            "b",
            &s.challenge,
        );
        let r = callback(&app, &s, "c1", &s.state).await;
        assert_refused(
            &db,
            &r,
            StatusCode::BAD_REQUEST,
            "klarade inte Navets kontroller",
            "oidc_bad_token",
        )
        .await;
        // Navet looked for a rotated key set before refusing.
        assert!(p.state.lock().unwrap().jwks_requests > before);
        // The provider's key id, but another key's signature.
        let s = start(&app).await;
        p.issue(
            "c2",
            &p.claims(&s.nonce, "anna@test.se"),
            &keys().1,
            "a",
            &s.challenge,
        );
        let r = callback(&app, &s, "c2", &s.state).await;
        assert_refused(
            &db,
            &r,
            StatusCode::BAD_REQUEST,
            "klarade inte Navets kontroller",
            "oidc_bad_token",
        )
        .await;
    }
);

both_engines!(
    a_token_for_another_audience_or_out_of_date_is_refused,
    |db: Db| async move {
        let p = TestProvider::start().await;
        let app = app_for(&db, &p.issuer);
        navet_store::testing::fixtures::person(&db, "Anna", "Kumla").await;
        let s = start(&app).await;
        let mut claims = p.claims(&s.nonce, "anna@test.se");
        claims["aud"] = json!("another-client");
        p.issue("c1", &claims, &keys().0, "a", &s.challenge);
        let r = callback(&app, &s, "c1", &s.state).await;
        assert_refused(
            &db,
            &r,
            StatusCode::BAD_REQUEST,
            "klarade inte Navets kontroller",
            "oidc_bad_token",
        )
        .await;
        // Expired longer ago than the clock skew allowed.
        let s = start(&app).await;
        let mut claims = p.claims(&s.nonce, "anna@test.se");
        let now = navet_store::time::now();
        claims["iat"] = json!(now - 3600);
        claims["exp"] = json!(now - navet_web::oidc::CLOCK_SKEW_SECS - 60);
        p.issue("c2", &claims, &keys().0, "a", &s.challenge);
        let r = callback(&app, &s, "c2", &s.state).await;
        assert_refused(
            &db,
            &r,
            StatusCode::BAD_REQUEST,
            "klarade inte Navets kontroller",
            "oidc_bad_token",
        )
        .await;
    }
);

both_engines!(a_provider_that_is_down_is_refused, |db: Db| async move {
    // Nothing answers at the issuer's address.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    let app = app_for(&db, &closed);
    let r = app.page("GET", "/login/oidc/kumla", "", None).await;
    assert_refused(
        &db,
        &r,
        StatusCode::BAD_GATEWAY,
        "Det gick inte att nå Kumla kommun",
        "oidc_provider_down",
    )
    .await;
    // Up when the sign-in started, down when the answer is redeemed.
    let p = TestProvider::start().await;
    let app = app_for(&db, &p.issuer);
    navet_store::testing::fixtures::person(&db, "Anna", "Kumla").await;
    let s = start(&app).await;
    p.issue(
        "c1",
        &p.claims(&s.nonce, "anna@test.se"),
        &keys().0,
        "a",
        &s.challenge,
    );
    p.state.lock().unwrap().down = true;
    let r = callback(&app, &s, "c1", &s.state).await;
    assert_refused(
        &db,
        &r,
        StatusCode::BAD_GATEWAY,
        "Det gick inte att nå Kumla kommun",
        "oidc_provider_down",
    )
    .await;
});

both_engines!(
    logout_sends_a_provider_session_to_the_end_session_endpoint,
    |db: Db| async move {
        let p = TestProvider::start().await;
        let app = app_for(&db, &p.issuer);
        navet_store::testing::fixtures::person(&db, "Anna", "Kumla").await;
        let s = start(&app).await;
        p.issue(
            "c1",
            &p.claims(&s.nonce, "anna@test.se"),
            &keys().0,
            "a",
            &s.challenge,
        );
        let r = callback(&app, &s, "c1", &s.state).await;
        let cookie = common::session_cookie(&r).unwrap();
        let csrf = app.csrf_for(&cookie, "/").await;
        let r = app
            .page("POST", "/logout", &cookie, Some(&format!("_csrf={csrf}")))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // The page forwards at once (and offers a link) to the provider.
        let start_at = r.body.find("url=").expect("a refresh to the provider") + 4;
        let url = r.body[start_at..r.body[start_at..].find('"').unwrap() + start_at]
            .replace("&amp;", "&")
            .replace("&#38;", "&");
        assert!(url.starts_with(&format!("{}/logout?", p.issuer)), "{url}");
        let q: HashMap<String, String> =
            form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes())
                .into_owned()
                .collect();
        assert_eq!(
            q.get("post_logout_redirect_uri").map(String::as_str),
            Some("https://navet.test/utloggad"),
            "{url}"
        );
        assert_eq!(q["client_id"], CLIENT_ID);
        assert_eq!(q["id_token_hint"].split('.').count(), 3);
        assert!(r.body.contains("Logga ut från Kumla kommun"), "{}", r.body);
        // The Navet session is over.
        assert_eq!(count(&db, "SELECT COUNT(*) FROM web_sessions").await, 0);
        assert_eq!(
            app.page("GET", "/mina-bokningar", &cookie, None)
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        // Back from the provider.
        let r = app.page("GET", "/utloggad", "", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Du är utloggad"));
    }
);
