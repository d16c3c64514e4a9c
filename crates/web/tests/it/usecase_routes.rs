//! Every handler reaches data through the use-case layer
//! (`navet_web::usecase`): the test lists every route, the API's from
//! `api::parts()` (its OpenAPI document) and the pages' from their
//! `router()` functions (checked against the pages router itself), finds
//! each route's handler in the source and fails when the handler, or a
//! helper it calls in the pages or API modules, touches the database or
//! the booking queue itself, or decides access itself (`.require(`,
//! `.can(`, `decide(`, a match on `Role::`).
//!
//! There are no exceptions: every route's handler goes through the layer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use navet_store::{both_engines, Db};
use navet_web::{AppState, Config};
use tower::ServiceExt;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The source without `//` comments (strings kept), so a comment cannot
/// count as code.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut cut = line.len();
        for (i, ch) in line.char_indices() {
            if ch == '"' && prev != '\\' {
                in_str = !in_str;
            }
            if !in_str && ch == '/' && prev == '/' {
                cut = i - 1;
                break;
            }
            prev = if prev == '\\' && ch == '\\' { ' ' } else { ch };
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

/// The index just past the bracket that closes the one at `open`,
/// skipping string and char literals.
fn matching(text: &str, open: usize) -> usize {
    let b = text.as_bytes();
    let (o, c) = match b[open] {
        b'{' => (b'{', b'}'),
        b'(' => (b'(', b')'),
        other => panic!("not a bracket: {}", other as char),
    };
    let mut depth = 0;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'\'' if i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') => {
                i += if b[i + 1] == b'\\' { 3 } else { 2 };
            }
            x if x == o => depth += 1,
            x if x == c => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    panic!("unbalanced bracket at {open}");
}

/// A module of the web crate as a path from `src`: `["pages", "costs"]`.
type Module = Vec<String>;

fn module_file(m: &Module) -> Option<PathBuf> {
    let base = m.iter().fold(src(), |p, s| p.join(s));
    let file = base.with_extension("rs");
    if file.is_file() {
        return Some(file);
    }
    let modrs = base.join("mod.rs");
    modrs.is_file().then_some(modrs)
}

fn read(m: &Module) -> String {
    let f = module_file(m).unwrap_or_else(|| panic!("no source for module {m:?}"));
    strip_comments(&std::fs::read_to_string(f).unwrap())
}

/// The module and function a path names from inside module `at`, when it
/// is a function of the pages or the API.
fn resolve(at: &Module, path: &str) -> Option<(Module, String)> {
    let mut segs: Vec<&str> = path.split("::").collect();
    let name = segs.pop()?.to_string();
    let mut m: Module = if segs.first() == Some(&"crate") {
        segs.remove(0);
        vec![]
    } else {
        at.clone()
    };
    for s in segs {
        match s {
            "super" => {
                m.pop();
            }
            "self" => {}
            other => m.push(other.to_string()),
        }
    }
    let ours = matches!(m.first().map(String::as_str), Some("pages" | "api"));
    (ours && module_file(&m).is_some()).then_some((m, name))
}

/// The text of function `name` in module `m` (signature and body).
fn function(m: &Module, name: &str) -> Option<String> {
    let text = read(m);
    for (at, _) in text.match_indices(&format!("fn {name}")) {
        let after = text[at + 3 + name.len()..].chars().next();
        if !matches!(after, Some('(') | Some('<')) {
            continue;
        }
        // Top-level functions only (not methods in an impl block).
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let raw = &text[line_start..at];
        if raw.starts_with(char::is_whitespace) {
            continue;
        }
        let head = raw.trim_end();
        let allowed = [
            "",
            "async",
            "pub async",
            "pub(super) async",
            "pub(crate) async",
            "pub",
            "pub(super)",
            "pub(crate)",
        ];
        if !allowed.contains(&head) {
            continue;
        }
        let open = at + text[at..].find('{')?;
        return Some(text[line_start..matching(&text, open)].to_string());
    }
    None
}

/// Where function `name`, as seen from module `m`, is defined: in `m`, or
/// in the pages or API module a `use` in `m` brings it from.
fn find(m: &Module, name: &str) -> Option<(Module, String)> {
    if function(m, name).is_some() {
        return Some((m.clone(), name.to_string()));
    }
    let text = read(m);
    for stmt in text.split(';') {
        let stmt = stmt.trim();
        let Some(rest) = stmt
            .strip_prefix("use ")
            .or_else(|| stmt.strip_prefix("pub use "))
            .or_else(|| stmt.strip_prefix("pub(super) use "))
            .or_else(|| stmt.strip_prefix("pub(crate) use "))
        else {
            continue;
        };
        let (base, leaves) = match rest.find("::{") {
            Some(i) => (&rest[..i], rest[i + 3..].trim_end_matches('}').to_string()),
            None => match rest.rfind("::") {
                Some(i) => (&rest[..i], rest[i + 2..].to_string()),
                None => continue,
            },
        };
        if leaves.split(',').any(|l| l.trim() == name) {
            let (tm, n) = resolve(m, &format!("{base}::{name}"))?;
            return (tm != *m).then(|| find(&tm, &n)).flatten();
        }
    }
    None
}

/// Paths called in `code` (`name(` or `a::b::name(`, not methods or macros).
fn calls(code: &str) -> BTreeSet<String> {
    let b = code.as_bytes();
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices('(') {
        let mut s = i;
        while s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_' || b[s - 1] == b':') {
            s -= 1;
        }
        if s == i || (s > 0 && (b[s - 1] == b'.' || b[s - 1] == b'!')) {
            continue;
        }
        let p = &code[s..i];
        if p.starts_with(|c: char| c.is_ascii_lowercase()) && !p.starts_with("::") {
            out.insert(p.to_string());
        }
    }
    out
}

/// What a converted handler does not do itself.
fn offences(code: &str) -> Vec<&'static str> {
    let mut found = vec![];
    let field = |name: &str| {
        code.match_indices(name).any(|(i, _)| {
            !code[i + name.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
        })
    };
    if field(".db") {
        found.push("uses the database handle");
    }
    if field(".bookings") {
        found.push("uses the booking queue");
    }
    for (pattern, what) in [
        (".require(", "decides access (require)"),
        (".can(", "decides access (can)"),
        ("decide(", "decides access (decide)"),
        ("Role::", "matches on a role"),
        ("has_role(", "matches on a role"),
    ] {
        if code.contains(pattern) {
            found.push(what);
        }
    }
    found
}

/// A handler and every pages/API function it calls, transitively.
fn reach(m: &Module, handler_code: &str) -> String {
    let mut seen: BTreeSet<(Module, String)> = BTreeSet::new();
    let mut all = handler_code.to_string();
    let mut todo: Vec<(Module, String)> = vec![(m.clone(), handler_code.to_string())];
    while let Some((at, code)) = todo.pop() {
        for call in calls(&code) {
            let Some((tm, name)) = resolve(&at, &call).and_then(|(tm, n)| find(&tm, &n)) else {
                continue;
            };
            if !seen.insert((tm.clone(), name.clone())) {
                continue;
            }
            if let Some(body) = function(&tm, &name) {
                all.push_str(&body);
                todo.push((tm, body));
            }
        }
    }
    all
}

/// One route's handler: where it is, and its code (a closure's own text).
struct Handler {
    key: String,
    module: Module,
    code: String,
}

/// The handlers of the API, one per documented operation.
fn api_handlers() -> BTreeMap<String, Handler> {
    let (_, doc) = navet_web::api::parts();
    let api_dir = src().join("api");
    let modules: Vec<Module> = std::fs::read_dir(&api_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            if stem == "mod" {
                vec!["api".to_string()]
            } else {
                vec!["api".to_string(), stem]
            }
        })
        .collect();
    let mut out = BTreeMap::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("patch", &item.patch),
            ("delete", &item.delete),
        ] {
            let Some(op) = op else { continue };
            let name = op.operation_id.clone().expect("operation id");
            // The module whose `#[utoipa::path(method, path = "…")]` names it.
            let needle = format!("path({method}, path = \"{path}\"");
            let module = modules
                .iter()
                .find(|m| {
                    let text = read(m);
                    text.match_indices(&needle).any(|(at, _)| {
                        text[at..]
                            .find("fn ")
                            .is_some_and(|f| text[at + f + 3..].starts_with(&format!("{name}(")))
                    })
                })
                .unwrap_or_else(|| panic!("{method} {path}: handler {name} not found"))
                .clone();
            let code = function(&module, &name).expect("handler source");
            let key = format!("{}::{name}", module.join("::"));
            out.insert(
                format!("{} {path}", method.to_uppercase()),
                Handler { key, module, code },
            );
        }
    }
    out
}

/// The pages' routes from their `router()` functions: (method, path) → handler.
fn page_handlers() -> BTreeMap<(String, String), Handler> {
    let pages = vec!["pages".to_string()];
    let mods = read(&pages);
    let mut out = BTreeMap::new();
    for (at, _) in mods.match_indices(".merge(") {
        let arg = &mods[at + 7..];
        let name = &arg[..arg.find("::router()").expect("a module's router")];
        let m: Module = vec!["pages".into(), name.to_string()];
        let text = read(&m);
        let router = function(&m, "router").expect("router()");
        for (r, _) in router.match_indices(".route(") {
            let open = r + 6;
            let args = &router[open + 1..matching(&router, open) - 1];
            let (path_expr, handlers) = args.split_once(',').expect("path and handler");
            let path_expr = path_expr.trim();
            let path = if let Some(p) = path_expr.strip_prefix('"') {
                p.trim_end_matches('"').to_string()
            } else {
                let decl = format!("const {path_expr}: &str = \"");
                let at = text.find(&decl).unwrap_or_else(|| panic!("{path_expr}"));
                let rest = &text[at + decl.len()..];
                rest[..rest.find('"').unwrap()].to_string()
            };
            for method in ["get", "post", "put", "patch", "delete"] {
                for (h, _) in handlers.match_indices(&format!("{method}(")) {
                    let before = handlers[..h].chars().last();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let open = h + method.len();
                    let inner = handlers[open + 1..matching(handlers, open) - 1].trim();
                    let handler = if inner.contains("||") {
                        Handler {
                            key: format!("{}::<closure {path}>", m.join("::")),
                            module: m.clone(),
                            code: inner.to_string(),
                        }
                    } else {
                        let (hm, name) = resolve(&m, inner)
                            .and_then(|(hm, n)| find(&hm, &n))
                            .unwrap_or_else(|| panic!("{path}: handler {inner} not found"));
                        let code = function(&hm, &name)
                            .unwrap_or_else(|| panic!("{path}: no fn {name} in {hm:?}"));
                        Handler {
                            key: format!("{}::{name}", hm.join("::")),
                            module: hm,
                            code,
                        }
                    };
                    out.insert((method.to_uppercase(), path.clone()), handler);
                }
            }
        }
    }
    out
}

#[test]
fn every_handler_goes_through_the_use_case_layer() {
    let api = api_handlers();
    let pages = page_handlers();
    assert!(api.len() >= 40, "only {} API operations found", api.len());
    assert!(pages.len() >= 100, "only {} page routes found", pages.len());
    let mut handlers: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    for h in api.values().chain(pages.values()) {
        handlers.insert(h.key.clone(), offences(&reach(&h.module, &h.code)));
    }
    let problems: Vec<String> = handlers
        .iter()
        .filter(|(_, found)| !found.is_empty())
        .map(|(key, found)| format!("{key}: {}", found.join(", ")))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The check can fail: a handler that queries the store itself, or
/// decides access itself, is caught, also through a helper it calls.
#[test]
fn the_check_catches_direct_access() {
    let m: Module = vec!["pages".into(), "unit".into()];
    let direct =
        "async fn h(State(s): State<AppState>) { navet_store::org::units(&s.db, None).await }";
    assert_eq!(offences(&reach(&m, direct)), ["uses the database handle"]);
    let queue = "async fn h(State(s): State<AppState>) { s\n .bookings\n .book(r).await }";
    assert_eq!(offences(queue), ["uses the booking queue"]);
    let deciding = "async fn h(c: Ctx) { c.require(Action::ManageSessions)?; }";
    assert_eq!(offences(deciding), ["decides access (require)"]);
    let role = "async fn h(c: Ctx) { if c.user.role() == Role::Manager {} }";
    assert_eq!(offences(role), ["matches on a role"]);
    // Calls into other pages and API modules are followed; methods,
    // macros and other modules are not.
    let code =
        "x(); super::booking_undo::after_cancel(1); s.db(); format!(\"\"); crate::flash::error(a)";
    let found = calls(code);
    assert!(found.contains("super::booking_undo::after_cancel") && found.contains("x"));
    assert!(!found.iter().any(|c| c == "db" || c == "format"));
    assert_eq!(
        resolve(&m, "super::booking_undo::after_cancel"),
        Some((
            vec!["pages".into(), "booking_undo".into()],
            "after_cancel".into()
        ))
    );
    assert_eq!(resolve(&m, "crate::flash::error"), None);
    assert!(function(&m, "export_rows").is_some_and(|f| f.contains("unit_export")));
    let through = "async fn h(State(s): State<AppState>, c: Ctx) { UseCase::page(&s, &c)?.units(today).await }";
    assert!(offences(&reach(&m, through)).is_empty());
}

// The routes the test reads from the source are the ones the pages router
// serves, and every `.route(` in the pages was read.
both_engines!(
    the_listed_page_routes_are_the_served_ones,
    |db: Db| async move {
        const NO_ROUTE: u16 = 418;
        const NO_METHOD: u16 = 419;
        let router = navet_web::pages::router()
            .fallback(|| async { StatusCode::from_u16(NO_ROUTE).unwrap() })
            .method_not_allowed_fallback(|| async { StatusCode::from_u16(NO_METHOD).unwrap() })
            .with_state(AppState::new(db, Config::default()));
        let routes = page_handlers();
        let total: usize = std::fs::read_dir(src().join("pages"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .flat_map(|p| {
                if p.is_dir() {
                    vec![p.join("mod.rs")]
                } else {
                    vec![p]
                }
            })
            .map(|p| {
                let text = strip_comments(&std::fs::read_to_string(p).unwrap());
                text.matches(".route(").count()
            })
            .sum();
        let paths: BTreeSet<&String> = routes.keys().map(|(_, p)| p).collect();
        assert_eq!(paths.len(), total, "a .route( the test did not read");
        for (method, path) in routes.keys() {
            let uri = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "1" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            let req = Request::builder()
                .method(Method::from_bytes(method.as_bytes()).unwrap())
                .uri(uri)
                .body(Body::empty())
                .unwrap();
            let status = router.clone().oneshot(req).await.unwrap().status();
            assert!(
                ![NO_ROUTE, NO_METHOD].contains(&status.as_u16()),
                "{method} {path} is listed but not served ({status})"
            );
        }
    }
);
