//! `navet bench booking`: a load test of the booking API against a running
//! `navet serve`. It creates a course session and N synthetic people (not
//! timed), then fires N booking requests at concurrency C through the JSON
//! API and reports throughput, latency percentiles, status codes and
//! whether the seat counts hold afterwards.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

#[derive(Subcommand, Debug)]
pub enum BenchCmd {
    /// Booking requests against one session (`-n 5000 -c 100`); with
    /// `--server-pid` also the server's CPU time per booking.
    Booking(BenchArgs),
    /// Visit every page of each role's menu and their links; p50/p95/p99 per page.
    Pages(crate::bench_pages::PagesArgs),
    /// Fill an empty database with the synthetic national data set.
    Data(crate::bench_data::DataArgs),
}

pub async fn run_cmd(c: BenchCmd, settings: &crate::config::Settings) -> Result<()> {
    match c {
        BenchCmd::Booking(a) => run(a, settings).await,
        BenchCmd::Pages(a) => crate::bench_pages::run(a, settings).await,
        BenchCmd::Data(a) => crate::bench_data::run(a, settings).await,
    }
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Base URL of the running server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// API token of a coordinator or admin (`navet token create`), or NAVET_TOKEN.
    #[arg(long)]
    pub token: Option<String>,
    /// Number of booking requests (one distinct person each).
    #[arg(short = 'n', long, default_value_t = 5000)]
    pub requests: usize,
    /// Requests in flight at once.
    #[arg(short = 'c', long, default_value_t = 100)]
    pub concurrency: usize,
    /// Seats on the session.
    #[arg(long, default_value_t = 50)]
    pub capacity: i64,
    /// Reserve seats for three municipalities (Örebro 10, Karlskoga 8, Lindesberg 6).
    #[arg(long)]
    pub quotas: bool,
    /// The `navet serve` process id: its CPU time (user + system, from
    /// /proc) per booking is printed.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// The server's PostgreSQL database (a postgres:// URL or the name):
    /// the CPU time of its backends is added.
    #[arg(long)]
    pub pg_database: Option<String>,
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

struct Api {
    client: HttpClient,
    base: String,
    auth: String,
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Result<(u16, Value)> {
        let req = Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path))
            .header("authorization", &self.auth)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(
                body.map(|b| b.to_string()).unwrap_or_default(),
            )))?;
        let resp = self
            .client
            .request(req)
            .await
            .with_context(|| format!("{} svarar inte", self.base))?;
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await?.to_bytes();
        let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, v))
    }
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Run `jobs` at concurrency `c`; each job returns (status, elapsed).
async fn run_concurrent<F, Fut>(n: usize, c: usize, f: F) -> Vec<(u16, Duration, Value)>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(u16, Value)>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let f = Arc::new(f);
    let mut handles = vec![];
    for _ in 0..c.max(1) {
        let next = next.clone();
        let f = f.clone();
        handles.push(tokio::spawn(async move {
            let mut out = vec![];
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let t = Instant::now();
                let r = f(i).await;
                let el = t.elapsed();
                match r {
                    Ok((s, v)) => out.push((s, el, v)),
                    Err(_) => out.push((0, el, Value::Null)),
                }
            }
            out
        }));
    }
    let mut all = vec![];
    for h in handles {
        all.extend(h.await.unwrap_or_default());
    }
    all
}

pub async fn run(a: BenchArgs, settings: &crate::config::Settings) -> Result<()> {
    let Some(token) = a.token.clone().or_else(|| settings.token.clone()) else {
        bail!("ange --token eller NAVET_TOKEN");
    };
    if a.requests == 0 || a.concurrency == 0 {
        bail!("-n och -c måste vara minst 1");
    }
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(a.concurrency + 8)
        .build(connector);
    let api = Arc::new(Api {
        client,
        base: a.url.trim_end_matches('/').to_string(),
        auth: format!("Bearer {}", token.trim()),
    });
    let run_id = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();

    // Setup: a course, a session, the people (not timed).
    let (st, courses) = api
        .call(Method::GET, "/api/v1/courses?status=aktiv", None)
        .await?;
    if st != 200 {
        bail!("GET /api/v1/courses gav {st}");
    }
    let course_id = match courses
        .as_array()
        .and_then(|c| c.first())
        .and_then(|c| c["id"].as_i64())
    {
        Some(id) => id,
        None => {
            let (st, c) = api
                .call(
                    Method::POST,
                    "/api/v1/courses",
                    Some(json!({"title": format!("Lasttest {run_id}"), "level": "bas", "format": "lararledd", "hours": 3, "status": "aktiv"})),
                )
                .await?;
            if st != 201 {
                bail!("kunde inte skapa en kurs: {st} {c}");
            }
            c["id"].as_i64().unwrap_or_default()
        }
    };
    let start = chrono::Utc::now() + chrono::Duration::days(90);
    let release = chrono::Utc::now() + chrono::Duration::days(30);
    let quotas = if a.quotas {
        json!([
            {"municipality": "Örebro", "seats": 10, "release_at": release.to_rfc3339()},
            {"municipality": "Karlskoga", "seats": 8, "release_at": release.to_rfc3339()},
            {"municipality": "Lindesberg", "seats": 6, "release_at": release.to_rfc3339()},
        ])
    } else {
        json!([])
    };
    let (st, sess) = api
        .call(
            Method::POST,
            "/api/v1/sessions",
            Some(json!({
                "course_id": course_id,
                "starts_at": start.to_rfc3339(),
                "ends_at": (start + chrono::Duration::hours(3)).to_rfc3339(),
                "municipality": "Örebro",
                "venue": format!("Lasttest {run_id}"),
                "capacity": a.capacity,
                "quotas": quotas,
            })),
        )
        .await?;
    if st != 201 {
        bail!("kunde inte skapa kurstillfället: {st} {sess}");
    }
    let session_id = sess["id"].as_i64().context("inget id på kurstillfället")?;
    eprintln!(
        "Kurstillfälle {session_id} (kurs {course_id}, {} platser). Skapar {} testpersoner …",
        a.capacity, a.requests
    );
    const MUNIS: [&str; 4] = ["Örebro", "Karlskoga", "Lindesberg", "Kumla"];
    let api2 = api.clone();
    let rid = run_id.clone();
    let created = run_concurrent(a.requests, a.concurrency.min(32), move |i| {
        let api = api2.clone();
        let rid = rid.clone();
        async move {
            api.call(
                Method::POST,
                "/api/v1/people",
                Some(json!({
                    "name": format!("Lasttest {rid} {i}"),
                    "email": format!("lasttest-{rid}-{i}@bench.invalid"),
                    "gender": "ej_angivet",
                    "role": "undersköterska",
                    "municipality": MUNIS[i % MUNIS.len()],
                })),
            )
            .await
        }
    })
    .await;
    let people: Vec<i64> = created
        .iter()
        .filter(|r| r.0 == 201)
        .filter_map(|r| r.2["id"].as_i64())
        .collect();
    if people.len() != a.requests {
        let bad = created.iter().find(|r| r.0 != 201);
        bail!(
            "bara {} av {} testpersoner skapades (t.ex. {:?})",
            people.len(),
            a.requests,
            bad.map(|b| (b.0, &b.2))
        );
    }
    let people = Arc::new(people);

    // The timed part.
    eprintln!(
        "Skickar {} bokningar med {} samtidiga …",
        a.requests, a.concurrency
    );
    let api3 = api.clone();
    let p2 = people.clone();
    let pg_db = a
        .pg_database
        .as_deref()
        .map(|d| crate::bench_cpu::database_of(d).unwrap_or_else(|| d.to_string()));
    let cpu_before = a
        .server_pid
        .map(|pid| crate::bench_cpu::snapshot(pid, pg_db.as_deref()));
    let t0 = Instant::now();
    let results = run_concurrent(a.requests, a.concurrency, move |i| {
        let api = api3.clone();
        let pid = p2[i];
        async move {
            api.call(
                Method::POST,
                &format!("/api/v1/sessions/{session_id}/bookings"),
                Some(json!({"person_id": pid})),
            )
            .await
        }
    })
    .await;
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = match (a.server_pid, &cpu_before) {
        (Some(pid), Some(before)) => {
            let after = crate::bench_cpu::snapshot(pid, pg_db.as_deref());
            Some(crate::bench_cpu::used(before, &after, pid))
        }
        _ => None,
    };

    let mut codes: BTreeMap<u16, usize> = BTreeMap::new();
    let mut booked = 0;
    let mut waitlisted = 0;
    for (s, _, v) in &results {
        *codes.entry(*s).or_default() += 1;
        match v["status"].as_str() {
            Some("booked") if *s == 201 => booked += 1,
            Some("waitlisted") if *s == 201 => waitlisted += 1,
            _ => {}
        }
    }
    let mut lat: Vec<Duration> = results.iter().map(|r| r.1).collect();
    lat.sort();
    let ok = codes.get(&201).copied().unwrap_or(0);
    println!(
        "navet bench booking: {} förfrågningar, {} samtidiga, {} platser{}",
        a.requests,
        a.concurrency,
        a.capacity,
        if a.quotas { ", kvoter" } else { "" }
    );
    println!("  tid:               {elapsed:.2} s");
    println!("  förfrågningar/s:   {:.0}", results.len() as f64 / elapsed);
    println!(
        "  bokningsbeslut/s:  {:.0} (201: bokad eller väntelista)",
        ok as f64 / elapsed
    );
    println!(
        "  latens p50/p95/p99: {:.1} / {:.1} / {:.1} ms (max {:.1})",
        percentile(&lat, 0.50),
        percentile(&lat, 0.95),
        percentile(&lat, 0.99),
        lat.last().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
    );
    let code_list: Vec<String> = codes
        .iter()
        .map(|(c, n)| {
            if *c == 0 {
                format!("nätverksfel: {n}")
            } else {
                format!("{c}: {n}")
            }
        })
        .collect();
    println!("  statuskoder:       {}", code_list.join(", "));
    println!("  svar:              bokad {booked}, väntelista {waitlisted}");
    if let Some((srv, pg)) = cpu {
        let n = results.len().max(1) as f64;
        println!(
            "  server-CPU:        {:.3} ms per bokning (navet {:.3} ms{}; användare + system, {:.2} s av {:.2} s)",
            (srv + pg) * 1000.0 / n,
            srv * 1000.0 / n,
            if pg_db.is_some() {
                format!(" + PostgreSQL {:.3} ms", pg * 1000.0 / n)
            } else {
                String::new()
            },
            srv + pg,
            elapsed
        );
    }

    // The seat check, from the server's own counts.
    let (_, s) = api
        .call(Method::GET, &format!("/api/v1/sessions/{session_id}"), None)
        .await?;
    let sb = s["booked"].as_i64().unwrap_or(-1);
    let sw = s["waitlisted"].as_i64().unwrap_or(-1);
    let mut problems = vec![];
    if sb > a.capacity {
        problems.push(format!("överbokat: {sb} bokade på {} platser", a.capacity));
    }
    if sb != booked as i64 || sw != waitlisted as i64 {
        problems.push(format!(
            "servern räknar {sb} bokade och {sw} väntande, svaren sa {booked} och {waitlisted}"
        ));
    }
    if a.requests as i64 >= a.capacity && sb != a.capacity {
        problems.push(format!("{sb} bokade, väntat {}", a.capacity));
    }
    for q in s["quotas"].as_array().into_iter().flatten() {
        if q["booked"].as_i64() > q["seats"].as_i64() {
            problems.push(format!("kvoten för {} överskriden", q["municipality"]));
        }
    }
    let fivexx: usize = codes
        .iter()
        .filter(|(c, _)| **c >= 500 || **c == 0)
        .map(|(_, n)| n)
        .sum();
    if fivexx > 0 {
        problems.push(format!("{fivexx} svar med 5xx eller nätverksfel"));
    }
    if problems.is_empty() {
        println!("  platskontroll:     OK ({sb} bokade av {}, {sw} på väntelistan, ingen kvot överskriden)", a.capacity);
        Ok(())
    } else {
        println!("  platskontroll:     FEL");
        for p in &problems {
            println!("    - {p}");
        }
        bail!("platskontrollen misslyckades")
    }
}
