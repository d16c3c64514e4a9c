//! `navet bench pages`: sign in as each role, find the pages a person would
//! reach (the role's menu and the first-level links of each menu page), and
//! time them: N visits each, one at a time, then optionally C simulated
//! users at once across the roles. Prints p50/p95/p99 per page, the slowest
//! ten, 5xx counts and (with `--server-pid`) the server's memory.

use domain::ids::AccountId;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use domain::access::{Role, Scope};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use navet_store::audit::Who;
use navet_store::{accounts, national_data};

use crate::bench::percentile;

#[derive(Args, Debug)]
pub struct PagesArgs {
    /// Base URL of the running server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The server's database: one account per role is created there
    /// (bench-ROLE@bench.invalid) and signed in directly (or NAVET_DATABASE_URL).
    #[arg(long)]
    pub database_url: Option<String>,
    /// A signed-in session instead: ROLE=COOKIE, the value of the session
    /// cookie of a browser signed in with that role (repeatable).
    #[arg(long = "session")]
    pub sessions: Vec<String>,
    /// Only these roles (comma-separated); default all six.
    #[arg(long, value_delimiter = ',')]
    pub roles: Vec<String>,
    /// Visits per page in the one-user pass.
    #[arg(short = 'n', long, default_value_t = 20)]
    pub times: usize,
    /// Simulated users at once across the roles, after the one-user pass (0: none).
    #[arg(short = 'c', long, default_value_t = 0)]
    pub users: usize,
    /// Seconds the simulated users run.
    #[arg(long, default_value_t = 30)]
    pub seconds: u64,
    /// First-level links followed from each menu page (one per kind of link).
    #[arg(long, default_value_t = 8)]
    pub links: usize,
    /// The server's process id: its memory (from /proc) is sampled throughout.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// The session cookie's name; by default both `__Host-navet_session`
    /// (secure cookies, the default) and `navet_session` are sent.
    #[arg(long)]
    pub cookie_name: Option<String>,
}

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

#[derive(Clone)]
struct Visitor {
    client: HttpClient,
    base: String,
    cookie: String,
}

impl Visitor {
    /// GET a path; (status, body, elapsed). Redirects are not followed.
    async fn get(&self, path: &str) -> Result<(u16, String, Duration)> {
        let req = Request::builder()
            .uri(format!("{}{}", self.base, path))
            .header("cookie", &self.cookie)
            .header("accept", "text/html")
            .body(Empty::new())?;
        let t = Instant::now();
        let resp = self
            .client
            .request(req)
            .await
            .with_context(|| format!("{} svarar inte", self.base))?;
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await?.to_bytes();
        let el = t.elapsed();
        Ok((status, String::from_utf8_lossy(&bytes).into_owned(), el))
    }
}

/// The local links (`href="/…"`) between `start` and `end` markers of a page.
pub(crate) fn links_between(html: &str, start: &str, end: &str) -> Vec<String> {
    let Some(a) = html.find(start) else {
        return vec![];
    };
    let rest = &html[a..];
    let part = match rest.find(end) {
        Some(b) => &rest[..b],
        None => rest,
    };
    let mut out = vec![];
    for piece in part.split("href=\"").skip(1) {
        let Some(q) = piece.find('"') else { continue };
        let href = piece[..q].replace("&amp;", "&");
        if href.starts_with('/') && !href.starts_with("//") {
            out.push(href.split('#').next().unwrap_or("").to_string());
        }
    }
    out
}

/// What a link is, with its ids and query values left out: two links of
/// the same kind (two people, two sessions) are one page to measure.
pub(crate) fn shape(href: &str) -> String {
    let (path, query) = href.split_once('?').unwrap_or((href, ""));
    let mut s: Vec<String> = path
        .split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
                "{id}".to_string()
            } else {
                seg.to_string()
            }
        })
        .collect();
    if !query.is_empty() {
        let mut keys: Vec<&str> = query
            .split('&')
            .map(|kv| kv.split('=').next().unwrap_or(""))
            .collect();
        keys.sort();
        s.push(format!("?{}", keys.join("&")));
    }
    s.join("/")
}

/// Links a benchmark must not follow: signing out, files, static assets.
pub(crate) fn skipped(href: &str) -> bool {
    let path = href.split('?').next().unwrap_or("");
    path.starts_with("/static/")
        || path.starts_with("/logout")
        || path.starts_with("/sprak")
        || path.starts_with("/api/")
        || path.starts_with("/login")
        || [
            ".pdf", ".xlsx", ".csv", ".ics", ".zip", ".json", ".png", ".svg",
        ]
        .iter()
        .any(|e| path.ends_with(e))
        || path.contains("/export")
        || path.contains("/pdf")
        || path.contains("/xlsx")
        || path.contains("/csv")
        || path.contains("/ics")
        || path.contains("/kalender")
}

/// The pages of one role: the menu from the start page, then per menu page
/// up to `per_page` links of distinct kinds not seen before.
async fn discover(v: &Visitor, per_page: usize) -> Result<Vec<String>> {
    let (st, home, _) = v.get("/").await?;
    if st != 200 || !home.contains("action=\"/logout\"") {
        bail!("startsidan gav {st} utan inloggning: är sessionen giltig och kakans namn rätt?");
    }
    let menu: Vec<String> = links_between(&home, "<nav", "</nav>")
        .into_iter()
        .filter(|h| !skipped(h))
        .collect();
    let mut pages: Vec<String> = vec![];
    let mut shapes = BTreeSet::new();
    for m in &menu {
        if shapes.insert(shape(m)) {
            pages.push(m.clone());
        }
    }
    for m in menu {
        let (st, html, _) = v.get(&m).await?;
        if st != 200 {
            continue;
        }
        let mut taken = 0;
        for l in links_between(&html, "<main", "</main>") {
            if taken >= per_page {
                break;
            }
            if skipped(&l) || !shapes.insert(shape(&l)) {
                continue;
            }
            pages.push(l);
            taken += 1;
        }
    }
    Ok(pages)
}

/// Sign in each role: sessions given on the command line, or accounts
/// created in the database with a session written there directly (the
/// benchmark measures pages, not passwords and second factors).
async fn sign_in(a: &PagesArgs, settings: &crate::config::Settings) -> Result<Vec<(Role, String)>> {
    let wanted: Vec<Role> = if a.roles.is_empty() {
        vec![
            Role::Participant,
            Role::Trainer,
            Role::Manager,
            Role::Coordinator,
            Role::Steering,
            Role::Admin,
        ]
    } else {
        a.roles
            .iter()
            .map(|r| Role::parse(r).with_context(|| format!("okänd roll ”{r}”")))
            .collect::<Result<_>>()?
    };
    let mut out = vec![];
    for s in &a.sessions {
        let (role, secret) = s
            .split_once('=')
            .with_context(|| format!("--session ”{s}”: ange ROLL=KAKA"))?;
        let role = Role::parse(role).with_context(|| format!("okänd roll ”{role}”"))?;
        out.push((role, secret.to_string()));
    }
    if !out.is_empty() {
        return Ok(out);
    }
    if a.database_url.is_none() && settings.database_url.is_none() {
        bail!("ange --database-url (konton skapas där) eller --session ROLL=KAKA");
    }
    let db = settings.db(a.database_url.clone()).await?;
    let sample = national_data::sample(&db).await?;
    for role in wanted {
        let email = format!("bench-{}@bench.invalid", role.code());
        let id = match accounts::by_email(&db, &email).await? {
            Some(acc) => acc.id,
            None => {
                let mut scope = Scope::default();
                let person_id = match role {
                    Role::Participant => sample.participant,
                    Role::Trainer => sample.trainer,
                    _ => None,
                };
                if role == Role::Manager {
                    scope.unit_ids.extend(sample.unit);
                }
                accounts::create(
                    &db,
                    &Who::system("bench"),
                    &accounts::NewAccount {
                        email: email.clone(),
                        display_name: format!("Bench {}", role.code()),
                        role,
                        password_hash: None,
                        person_id,
                        scope,
                    },
                )
                .await
                .map_err(|e| anyhow::anyhow!("{email}: {e}"))?
            }
        };
        let (secret, _) = accounts::create_session(&db, AccountId(id)).await?;
        out.push((role, secret));
    }
    db.close().await;
    Ok(out)
}

/// Peak resident memory seen in /proc/PID/status while sampling (kB),
/// plus the kernel's own high-water mark at the end.
struct MemoryWatch {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    pid: u32,
    task: tokio::task::JoinHandle<()>,
}

fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

impl MemoryWatch {
    fn start(pid: u32) -> MemoryWatch {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let (s2, p2) = (stop.clone(), peak.clone());
        let task = tokio::spawn(async move {
            while !s2.load(Ordering::Relaxed) {
                if let Some(kb) = status_kb(pid, "VmRSS:") {
                    p2.fetch_max(kb, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        MemoryWatch {
            stop,
            peak,
            pid,
            task,
        }
    }
    async fn finish(self) -> (u64, Option<u64>) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.task.await;
        (
            self.peak.load(Ordering::Relaxed),
            status_kb(self.pid, "VmHWM:"),
        )
    }
}

struct Stat {
    role: Role,
    page: String,
    times: Vec<Duration>,
    statuses: BTreeMap<u16, usize>,
}

impl Stat {
    fn p(&self, q: f64) -> f64 {
        percentile(&self.times, q)
    }
}

fn status_text(s: &BTreeMap<u16, usize>) -> String {
    s.iter()
        .map(|(c, n)| format!("{c}×{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn run(a: PagesArgs, settings: &crate::config::Settings) -> Result<()> {
    if a.times == 0 {
        bail!("-n måste vara minst 1");
    }
    let logins = sign_in(&a, settings).await?;
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(a.users.max(4) + 4)
        .build(connector);
    let base = a.url.trim_end_matches('/').to_string();
    let mut roles: Vec<(Role, Visitor, Vec<String>)> = vec![];
    for (role, secret) in logins {
        let v = Visitor {
            client: client.clone(),
            base: base.clone(),
            cookie: match &a.cookie_name {
                Some(name) => format!("{name}={secret}"),
                None => format!("__Host-navet_session={secret}; navet_session={secret}"),
            },
        };
        let pages = discover(&v, a.links)
            .await
            .with_context(|| format!("rollen {}", role.code()))?;
        eprintln!("{}: {} sidor", role.code(), pages.len());
        roles.push((role, v, pages));
    }
    let watch = a.server_pid.map(MemoryWatch::start);

    // One user at a time: every page N times (one warm-up visit first),
    // each line printed as soon as its page is measured.
    println!(
        "navet bench pages: {} roller, {} sidor, {} besök per sida (en användare)",
        roles.len(),
        roles.iter().map(|r| r.2.len()).sum::<usize>(),
        a.times
    );
    println!(
        "{:<12} {:<58} {:>8} {:>8} {:>8}  svar",
        "roll", "sida", "p50 ms", "p95 ms", "p99 ms"
    );
    let mut stats: Vec<Stat> = vec![];
    for (role, v, pages) in &roles {
        for page in pages {
            v.get(page).await?;
            let mut st = Stat {
                role: *role,
                page: page.clone(),
                times: vec![],
                statuses: BTreeMap::new(),
            };
            for _ in 0..a.times {
                let (code, _, el) = v.get(page).await?;
                *st.statuses.entry(code).or_default() += 1;
                st.times.push(el);
            }
            st.times.sort();
            println!(
                "{:<12} {:<58} {:>8.1} {:>8.1} {:>8.1}  {}",
                st.role.code(),
                st.page,
                st.p(0.50),
                st.p(0.95),
                st.p(0.99),
                status_text(&st.statuses)
            );
            stats.push(st);
        }
    }
    let mut slow: Vec<&Stat> = stats.iter().collect();
    slow.sort_by(|x, y| y.p(0.95).total_cmp(&x.p(0.95)));
    println!("De tio långsammaste (p95):");
    for s in slow.iter().take(10) {
        println!("  {:>8.1} ms  {:<12} {}", s.p(0.95), s.role.code(), s.page);
    }
    let over: Vec<&&Stat> = slow
        .iter()
        .filter(|s| s.p(0.95) > 100.0 || s.p(0.99) > 250.0)
        .collect();
    println!(
        "  sidor över målet (p95 > 100 ms eller p99 > 250 ms): {}",
        over.len()
    );
    let fivexx: usize = stats
        .iter()
        .flat_map(|s| s.statuses.iter())
        .filter(|(c, _)| **c >= 500)
        .map(|(_, n)| n)
        .sum();
    println!("  5xx: {fivexx}");

    if a.users > 0 {
        concurrent(&a, &roles).await;
    }
    if let Some(w) = watch {
        let (peak, hwm) = w.finish().await;
        println!(
            "Serverns minne (pid {}): högsta RSS under mätningen {:.0} MB, VmHWM {}",
            a.server_pid.unwrap_or_default(),
            peak as f64 / 1024.0,
            hwm.map(|k| format!("{:.0} MB", k as f64 / 1024.0))
                .unwrap_or_else(|| "okänt".into())
        );
    }
    Ok(())
}

/// C users at once for the given seconds, user j in role j mod roles,
/// each walking its role's pages in turn from its own starting point.
async fn concurrent(a: &PagesArgs, roles: &[(Role, Visitor, Vec<String>)]) {
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let mut handles = vec![];
    for j in 0..a.users {
        let (role, v, pages) = roles[j % roles.len()].clone();
        handles.push(tokio::spawn(async move {
            let mut out: Vec<(Role, String, u16, Duration)> = vec![];
            let mut k = j;
            while Instant::now() < deadline && !pages.is_empty() {
                let page = &pages[k % pages.len()];
                k += 1;
                match v.get(page).await {
                    Ok((code, _, el)) => out.push((role, page.clone(), code, el)),
                    Err(_) => out.push((role, page.clone(), 0, Duration::ZERO)),
                }
            }
            out
        }));
    }
    let t0 = Instant::now();
    let mut all = vec![];
    for h in handles {
        all.extend(h.await.unwrap_or_default());
    }
    let secs = t0.elapsed().as_secs_f64();
    let mut lat: Vec<Duration> = all.iter().map(|r| r.3).collect();
    lat.sort();
    let fivexx = all.iter().filter(|r| r.2 >= 500 || r.2 == 0).count();
    let mut codes: BTreeMap<u16, usize> = BTreeMap::new();
    for r in &all {
        *codes.entry(r.2).or_default() += 1;
    }
    println!(
        "{} samtidiga användare i {:.0} s: {} sidvisningar ({:.0}/s), p50/p95/p99 {:.1} / {:.1} / {:.1} ms, 5xx eller nätverksfel: {}, svar: {}",
        a.users,
        secs,
        all.len(),
        all.len() as f64 / secs,
        percentile(&lat, 0.50),
        percentile(&lat, 0.95),
        percentile(&lat, 0.99),
        fivexx,
        status_text(&codes)
    );
    let mut per: BTreeMap<(&'static str, String), Vec<Duration>> = BTreeMap::new();
    for r in all {
        per.entry((r.0.code(), r.1)).or_default().push(r.3);
    }
    let mut rows: Vec<(f64, &'static str, String, usize)> = per
        .into_iter()
        .map(|((role, page), mut t)| {
            t.sort();
            (percentile(&t, 0.95), role, page, t.len())
        })
        .collect();
    rows.sort_by(|x, y| y.0.total_cmp(&x.0));
    println!("De tio långsammaste under last (p95):");
    for (p95, role, page, n) in rows.iter().take(10) {
        println!("  {p95:>8.1} ms  {role:<12} {page} ({n} besök)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_read_from_the_marked_part_only() {
        let html = r#"<header><a href="/x">x</a></header><nav><a href="/kurser">K</a><a href="https://ext">e</a>
            <a href="/personal?q=a&amp;efter=5#top">P</a></nav><main><a href="/y">y</a></main>"#;
        assert_eq!(
            links_between(html, "<nav", "</nav>"),
            ["/kurser", "/personal?q=a&efter=5"]
        );
        assert_eq!(links_between(html, "<main", "</main>"), ["/y"]);
        assert!(links_between(html, "<aside", "</aside>").is_empty());
    }

    #[test]
    fn links_of_one_kind_have_one_shape() {
        assert_eq!(shape("/personal/12"), shape("/personal/977"));
        assert_ne!(shape("/personal/12"), shape("/personal/12/redigera"));
        assert_eq!(
            shape("/personal?efter=3&q=x"),
            shape("/personal?q=y&efter=9")
        );
        assert_ne!(shape("/personal"), shape("/personal?efter=3"));
    }

    #[test]
    fn files_and_signing_out_are_not_visited() {
        assert!(skipped("/logout"));
        assert!(skipped("/static/app.css"));
        assert!(skipped("/rapporter/indikatorer.xlsx?fran=2026-01-01"));
        assert!(skipped("/api/v1/people"));
        assert!(!skipped("/tillfallen/5"));
    }
}
