//! No personal data in the server's logs: everything the server traces
//! (every level, every crate) while a person is booked and cancelled
//! through the API, a staff list is imported, people are searched, and
//! accounts sign in with a password and fail to, is captured and searched
//! for the names, e-mail addresses, passwords and tokens used. Both engines
//! (one capture for the test binary; each test searches for its own data).

mod common;

use domain::ids::MunicipalityId;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TestApp, PASSWORD};
use domain::access::{Role, Scope};
use navet_store::{both_engines, org, Db};
use serde_json::{json, Value};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log of the whole test binary, from the first call on.
fn capture() -> Capture {
    static LOG: OnceLock<Capture> = OnceLock::new();
    LOG.get_or_init(|| {
        let c = Capture::default();
        let writer = c.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        c
    })
    .clone()
}

fn logged() -> String {
    String::from_utf8_lossy(&capture().0.lock().unwrap()).into_owned()
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = app.send(req).await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

fn at(days: i64, hour: i64) -> String {
    let t = chrono::Utc::now().timestamp() / 86_400 * 86_400 + days * 86_400 + hour * 3600;
    chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339()
}

both_engines!(
    the_log_names_no_one_and_holds_no_secret,
    |db: Db| async move {
        capture();
        let app = TestApp::new(db.clone());
        // Unique per engine, so each test searches for its own data.
        let tag = match db.engine() {
            navet_store::Engine::Sqlite => "lite",
            navet_store::Engine::Postgres => "pg",
        };
        let coord_email = format!("samordnare.{tag}@region.se");
        let (_, coord_token) = app
            .account(&coord_email, Role::Coordinator, None, Scope::default())
            .await;
        let mut secrets: Vec<String> =
            vec![coord_email.clone(), coord_token.clone(), PASSWORD.into()];

        // A full booking through the API: course, session, person, booking, cancellation.
        let (st, course) = call(&app, "POST", "/api/v1/courses", &coord_token,
            json!({"title": "HLR", "level": "bas", "format": "simulering", "hours": 3, "status": "aktiv"})).await;
        assert_eq!(st, StatusCode::CREATED, "{course}");
        let (st, session) = call(
            &app,
            "POST",
            "/api/v1/sessions",
            &coord_token,
            json!({"course_id": course["id"], "starts_at": at(10, 9), "ends_at": at(10, 12),
                   "municipality": "Örebro", "venue": "Aulan", "capacity": 5}),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{session}");
        let booked_name = format!("Ingrid Loggfri{tag}");
        let booked_email = format!("ingrid.loggfri.{tag}@orebro.se");
        let (st, person) = call(
            &app,
            "POST",
            "/api/v1/people",
            &coord_token,
            json!({"name": booked_name, "email": booked_email, "gender": "kvinna",
                   "role": "undersköterska", "municipality": "Örebro"}),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{person}");
        secrets.extend([booked_name.clone(), booked_email.clone()]);
        let (st, booking) = call(
            &app,
            "POST",
            &format!("/api/v1/sessions/{}/bookings", session["id"]),
            &coord_token,
            json!({"person_id": person["id"]}),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{booking}");
        let (st, _) = call(
            &app,
            "DELETE",
            &format!("/api/v1/bookings/{}", booking["id"]),
            &coord_token,
            Value::Null,
        )
        .await;
        assert_eq!(st, StatusCode::OK);

        // Sign-in with a password (a participant with her own account), and a failed one.
        let own_email = format!("greta.egen.{tag}@orebro.se");
        let (st, own) = call(
            &app,
            "POST",
            "/api/v1/people",
            &coord_token,
            json!({"name": format!("Greta Egen{tag}"), "email": own_email, "gender": "kvinna",
                   "role": "undersköterska", "municipality": "Örebro"}),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{own}");
        secrets.extend([own_email.clone(), format!("Greta Egen{tag}")]);
        let own_id = own["id"].as_i64().unwrap();
        app.account(
            &own_email,
            Role::Participant,
            Some(own_id),
            Scope::default(),
        )
        .await;
        assert!(app.login(&own_email, "fel-lösenord-999x").await.is_none());
        secrets.push("fel-lösenord-999x".into());
        let cookie = app.login(&own_email, PASSWORD).await.expect("signed in");
        let session_secret = cookie
            .split(';')
            .next()
            .and_then(|c| c.split_once('='))
            .map(|(_, v)| v.to_string())
            .unwrap();
        secrets.push(session_secret);
        let r = app.page("GET", "/mina-bokningar", &cookie, None).await;
        assert_eq!(r.status, StatusCode::OK);
        let unknown = format!("okand.{tag}@nowhere.se");
        assert!(app.login(&unknown, PASSWORD).await.is_none());
        secrets.push(unknown);

        // A staff import through the page (a coordinator signed in), and a search by name.
        let m = org::municipality_by_name(&db, "Laxå")
            .await
            .unwrap()
            .unwrap();
        org::create_unit(
            &db,
            MunicipalityId(m.id),
            "Hemtjänsten",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        let imported_name = format!("Sven Importerad{tag}");
        let imported_email = format!("sven.importerad.{tag}@laxa.se");
        secrets.extend([imported_name.clone(), imported_email.clone()]);
        let csv = format!(
            "Anställningsnummer;Namn;E-post;Yrkesroll;Enhet;Kön\n77;{imported_name};{imported_email};Vårdbiträde;Hemtjänsten;man\n"
        );
        let importer = format!("importor.{tag}@region.se");
        app.account(&importer, Role::Coordinator, None, Scope::default())
            .await;
        secrets.push(importer.clone());
        let icookie = app.login(&importer, PASSWORD).await.unwrap();
        let csrf = app.csrf_for(&icookie, "/personal/import").await;
        secrets.push(csrf.clone());
        let multipart = |fields: &[(&str, String)], file: Option<&str>| {
            let mut b =
                format!("--X\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n");
            for (k, v) in fields {
                b.push_str(&format!(
                    "--X\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                ));
            }
            if let Some(f) = file {
                b.push_str(&format!("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hr.csv\"\r\nContent-Type: text/csv\r\n\r\n{f}\r\n"));
            }
            b.push_str("--X--\r\n");
            Request::post("/personal/import")
                .header("host", "localhost")
                .header("cookie", &icookie)
                .header("content-type", "multipart/form-data; boundary=X")
                .body(Body::from(b))
                .unwrap()
        };
        let r = app
            .send(multipart(
                &[
                    ("municipality", m.id.to_string()),
                    ("mode", "add_update".into()),
                ],
                Some(&csv),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let hidden = |name: &str| {
            r.body
                .split(&format!("name=\"{name}\" value=\""))
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_default()
                .to_string()
        };
        let mut fields = vec![
            ("municipality", m.id.to_string()),
            ("mode", "add_update".to_string()),
            ("confirm", "1".to_string()),
        ];
        for name in ["upload", "seen"] {
            let v = hidden(name);
            if !v.is_empty() {
                fields.push((name, v));
            }
        }
        let r = app.send(multipart(&fields, None)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            navet_store::people::by_email(&db, &imported_email)
                .await
                .unwrap()
                .is_some(),
            "imported"
        );
        let r = app
            .page(
                "GET",
                &format!("/personal?q={}", common::urlencoding(&imported_name)),
                &icookie,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(&imported_name));

        let log = logged();
        assert!(
            log.contains("/api/v1/sessions"),
            "requests are traced: {}",
            &log[..log.len().min(2000)]
        );
        for s in &secrets {
            // As typed, and as it reads in an address (percent- or form-encoded).
            let forms = [
                s.to_lowercase(),
                common::urlencoding(s).to_lowercase(),
                common::urlencoding(s).replace('+', "%20").to_lowercase(),
            ];
            let found = log
                .lines()
                .find(|l| forms.iter().any(|f| l.to_lowercase().contains(f)));
            assert!(found.is_none(), "the log holds {s:?}: {found:?}");
        }
    }
);
