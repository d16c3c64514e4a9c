//! A test application on a fresh database (either engine) with helpers to
//! call the JSON API and the pages.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use domain::access::{Role, Scope};
use http_body_util::BodyExt;
use navet_store::accounts::{self, NewAccount};
use navet_store::audit::Who;
use navet_store::Db;
use navet_web::{AppState, Config};
use serde_json::Value;
use tower::ServiceExt;

pub struct TestApp {
    pub db: Db,
    pub app: Router,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
}

impl TestApp {
    pub fn new(db: Db) -> TestApp {
        let config = Config {
            secure_cookies: true,
            ..Config::default()
        };
        let app = navet_web::app(AppState::new(db.clone(), config));
        TestApp { db, app }
    }

    /// An account with the role (a manager gets `scope`), and its API token.
    pub async fn account(
        &self,
        email: &str,
        role: Role,
        person_id: Option<i64>,
        scope: Scope,
    ) -> (i64, String) {
        let hash = navet_web::password::hash_blocking("rätt-lösenord-123");
        let id = accounts::create(
            &self.db,
            &Who::system("test"),
            &NewAccount {
                email: email.into(),
                display_name: email.into(),
                role,
                password_hash: Some(hash),
                person_id,
                scope,
            },
        )
        .await
        .unwrap();
        let token = accounts::create_token(&self.db, &Who::system("test"), id, "test")
            .await
            .unwrap();
        (id, token)
    }

    /// An account with the role and no unit scope, signed in: its id and
    /// session cookie.
    pub async fn signed_in(&self, email: &str, role: Role) -> (i64, String) {
        let (id, _) = self.account(email, role, None, Scope::default()).await;
        let cookie = self.login(email, "rätt-lösenord-123").await.unwrap();
        (id, cookie)
    }

    pub async fn token(&self, role: Role) -> String {
        self.account(
            &format!("{}@test.se", role.code()),
            role,
            None,
            Scope::default(),
        )
        .await
        .1
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        let mut r = Request::get(path);
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(r.body(Body::empty()).unwrap()).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.json_request("POST", path, token, body).await
    }

    pub async fn json_request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Resp {
        let mut r = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(r.body(Body::from(body.to_string())).unwrap())
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        let mut r = Request::delete(path);
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(r.body(Body::empty()).unwrap()).await
    }

    /// A page request with a cookie header (e.g. a logged-in session).
    pub async fn page(&self, method: &str, path: &str, cookie: &str, form: Option<&str>) -> Resp {
        let mut r = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if !cookie.is_empty() {
            r = r.header(header::COOKIE, cookie);
        }
        let body = match form {
            Some(f) => {
                r = r.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(f.to_string())
            }
            None => Body::empty(),
        };
        self.send(r.body(body).unwrap()).await
    }

    /// Log in through the form; returns the cookie header to send afterwards.
    pub async fn login(&self, email: &str, password: &str) -> Option<String> {
        let anon = self.page("GET", "/login", "", None).await;
        let csrf_cookie = anon
            .cookies()
            .into_iter()
            .find(|c| c.contains("navet_csrf"))
            .unwrap();
        let csrf_pair = csrf_cookie.split(';').next().unwrap().to_string();
        let token = csrf_pair.split('=').nth(1).unwrap().to_string();
        let form = format!(
            "_csrf={token}&email={}&password={}&next=/",
            urlencoding(email),
            urlencoding(password)
        );
        let r = self.page("POST", "/login", &csrf_pair, Some(&form)).await;
        if r.status != StatusCode::SEE_OTHER {
            return None;
        }
        let session = r
            .cookies()
            .into_iter()
            .find(|c| c.contains("navet_session"))?;
        Some(session.split(';').next().unwrap().to_string())
    }

    /// The CSRF token printed in a page's forms.
    pub async fn csrf_for(&self, cookie: &str, path: &str) -> String {
        let r = self.page("GET", path, cookie, None).await;
        let i = r
            .body
            .find("name=\"_csrf\" value=\"")
            .expect("a form with a CSRF token")
            + 20;
        r.body[i..i + 64].to_string()
    }
}

pub fn urlencoding(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
