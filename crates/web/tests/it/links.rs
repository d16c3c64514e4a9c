//! No dead links: every role's start page and /admin, and the pages they
//! link to, are read, and every same-site link found on them must lead
//! somewhere (no 404, no server error), on both engines.

use crate::common;
use domain::ids::MunicipalityId;

use std::collections::{BTreeSet, VecDeque};

use axum::http::StatusCode;
use common::TestApp;
use domain::access::{Role, Scope};
use navet_store::testing::fixtures;
use navet_store::{both_engines, org, Db};

/// How deep links are followed from the start pages.
const DEPTH: usize = 2;
/// At most this many pages are read per role.
const MAX_PAGES: usize = 400;

/// The same-site links of a page (`href="/…"`), without fragments.
fn links(html: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = html;
    while let Some(i) = rest.find("href=\"") {
        rest = &rest[i + 6..];
        let Some(end) = rest.find('"') else { break };
        let href = rest[..end].replace("&amp;", "&");
        rest = &rest[end..];
        if !href.starts_with('/') || href.starts_with("//") {
            continue;
        }
        let href = href.split('#').next().unwrap_or_default().to_string();
        if !href.is_empty() {
            out.push(href);
        }
    }
    out
}

/// Reads the start pages and follows their links; returns every link that
/// led nowhere, with the page it was found on.
async fn dead_links(app: &TestApp, cookie: &str, starts: &[&str]) -> Vec<String> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<(String, String, usize)> = starts
        .iter()
        .map(|s| (s.to_string(), "(start)".to_string(), 0))
        .collect();
    let mut dead = vec![];
    while let Some((url, from, depth)) = queue.pop_front() {
        if !seen.insert(url.clone()) || seen.len() > MAX_PAGES {
            continue;
        }
        let r = app.page("GET", &url, cookie, None).await;
        if r.status == StatusCode::NOT_FOUND || r.status.is_server_error() {
            dead.push(format!("{url} ({}) linked from {from}", r.status));
            continue;
        }
        let html = r
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        if r.status == StatusCode::OK && html && depth < DEPTH {
            for l in links(&r.body) {
                // Static files are checked once, not per page.
                if !seen.contains(&l) {
                    queue.push_back((l, url.clone(), depth + 1));
                }
            }
        }
    }
    dead
}

both_engines!(
    every_link_on_the_start_pages_leads_somewhere,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let orebro = org::municipality_by_name(&db, "Örebro")
            .await
            .unwrap()
            .unwrap();
        let unit = org::create_unit(
            &db,
            MunicipalityId(orebro.id),
            "Ängen",
            "aldreomsorg",
            false,
        )
        .await
        .unwrap();
        fixtures::course(&db, "HLR").await;
        let person = fixtures::person(&db, "Pia", "Örebro").await;
        let accounts: [(&str, Role, Option<i64>, Scope); 6] = [
            ("admin@test.se", Role::Admin, None, Scope::default()),
            (
                "samordnare@test.se",
                Role::Coordinator,
                None,
                Scope::default(),
            ),
            ("utbildare@test.se", Role::Trainer, None, Scope::default()),
            (
                "chef@test.se",
                Role::Manager,
                None,
                Scope {
                    unit_ids: vec![unit],
                    municipality_ids: vec![],
                },
            ),
            (
                "pia.konto@test.se",
                Role::Participant,
                Some(person),
                Scope::default(),
            ),
            ("styrgrupp@test.se", Role::Steering, None, Scope::default()),
        ];
        let mut dead = vec![];
        for (email, role, person, scope) in accounts {
            app.account(email, role, person, scope).await;
            let cookie = app.login(email, "rätt-lösenord-123").await.unwrap();
            let starts: &[&str] = if role == Role::Admin {
                &["/", "/admin"]
            } else {
                &["/"]
            };
            for d in dead_links(&app, &cookie, starts).await {
                dead.push(format!("{}: {d}", role.code()));
            }
        }
        // Signed out: the login page and what it links to.
        for d in dead_links(&app, "", &["/", "/login"]).await {
            dead.push(format!("anonym: {d}"));
        }
        assert!(dead.is_empty(), "dead links:\n{}", dead.join("\n"));
    }
);

#[test]
fn links_are_found() {
    let html = r#"<a href="/a?x=1&amp;y=2#top">a</a><a href="https://x.se/">x</a><a href="//evil">e</a><link href="/static/navet.css">"#;
    assert_eq!(links(html), vec!["/a?x=1&y=2", "/static/navet.css"]);
}
