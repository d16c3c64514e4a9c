//! Every API route is registered once, with its handler and OpenAPI entry
//! together (`api::parts`): each documented operation reaches a handler,
//! and no route is added past the document.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use navet_store::{both_engines, Db};
use navet_web::{AppState, Config};
use tower::ServiceExt;

/// What the router answers when no route matches the path, or the path
/// but not the method; no handler answers these.
const NO_ROUTE: u16 = 418;
const NO_METHOD: u16 = 419;

/// `/api/v1/people/{id}/educations/{education_id}` → `…/people/1/educations/1`.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if seg.starts_with('{') && seg.ends_with('}') {
                "1"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn operations(doc: &utoipa::openapi::OpenApi) -> Vec<(Method, String)> {
    let mut ops = vec![];
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::PATCH, &item.patch),
            (Method::DELETE, &item.delete),
        ] {
            if op.is_some() {
                ops.push((method, path.clone()));
            }
        }
    }
    ops
}

both_engines!(every_documented_operation_is_routed, |db: Db| async move {
    let (router, doc) = navet_web::api::parts();
    let router = router
        .fallback(|| async { StatusCode::from_u16(NO_ROUTE).unwrap() })
        .method_not_allowed_fallback(|| async { StatusCode::from_u16(NO_METHOD).unwrap() })
        .with_state(AppState::new(db, Config::default()));
    let ops = operations(&doc);
    assert!(ops.len() >= 40, "only {} operations documented", ops.len());
    for (method, path) in &ops {
        let req = Request::builder()
            .method(method.clone())
            .uri(concrete(path))
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let status = router.clone().oneshot(req).await.unwrap().status();
        assert!(
            ![NO_ROUTE, NO_METHOD].contains(&status.as_u16()),
            "{method} {path} is documented but not routed ({status})"
        );
    }
    // The probe itself can fail: an undocumented path and method are not routed.
    for (method, path) in [
        (Method::GET, "/api/v1/no-such-thing"),
        (Method::PATCH, "/api/v1/courses"),
    ] {
        let req = Request::builder()
            .method(method.clone())
            .uri(path)
            .body(Body::empty())
            .unwrap();
        let status = router.clone().oneshot(req).await.unwrap().status();
        assert!(
            [NO_ROUTE, NO_METHOD].contains(&status.as_u16()),
            "{method} {path}: {status}"
        );
    }
});

// The served document is the one the routes were registered with.
both_engines!(
    the_served_document_is_the_registered_one,
    |db: Db| async move {
        let app = navet_web::app(AppState::new(db, Config::default()));
        let resp = app
            .oneshot(
                Request::get(navet_web::api::OPENAPI_PATH)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes();
        let served: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let registered = serde_json::to_value(navet_web::api::parts().1).unwrap();
        assert_eq!(served, registered);
        assert!(served["paths"]["/api/v1/sessions/{id}/bookings"]["post"].is_object());
    }
);

/// Source files that may add routes past the document. Routes reach the
/// API only through `routes!` (path and method from `#[utoipa::path]`);
/// a plain `.route(` in `api/`, or an `/api/` path anywhere else, would
/// serve something the document does not list. The document's own route
/// is the one exception.
#[test]
fn no_api_route_is_registered_past_the_document() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = vec![];
    let mut files = vec![];
    let mut dirs = vec![src.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 20, "found only {} source files", files.len());
    let mut api_files = 0;
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        let in_api = p.starts_with(src.join("api"));
        api_files += usize::from(in_api);
        for call in [".route(", ".route_service(", ".nest(", ".nest_service("] {
            for (at, _) in text.match_indices(call) {
                // The call's first argument, however it is wrapped.
                let args: String = text[at + call.len()..].chars().take(120).collect();
                let first = args.split(',').next().unwrap_or("").trim();
                let bad = if in_api {
                    first != "OPENAPI_PATH"
                } else {
                    first.starts_with("\"/api")
                };
                if bad {
                    let line = text[..at].lines().count();
                    offenders.push(format!("{}:{line}: {call}{first}", p.display()));
                }
            }
        }
    }
    assert!(api_files >= 10, "found only {api_files} API files");
    assert!(
        offenders.is_empty(),
        "routes added without an OpenAPI entry (use routes!):\n{}",
        offenders.join("\n")
    );
}
