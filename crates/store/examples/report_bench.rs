//! Generate the national-scale data set (if the database is empty) and time
//! the one-year indicator report.
//!
//! cargo run --release -p navet-store --example report_bench -- DATABASE_URL [FROM TO] [RUNS]

use std::time::Instant;

use domain::indicators::check_period;
use navet_store::{migrate, national_data, reports, seed, Db};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = args
        .first()
        .expect("usage: report_bench DATABASE_URL [FROM TO] [RUNS]");
    let from = args.get(1).map(String::as_str).unwrap_or("2026-01-01");
    let to = args.get(2).map(String::as_str).unwrap_or("2026-12-31");
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
    let db = Db::connect(url).await.expect("connect");
    migrate::run(&db).await.expect("migrate");
    seed::load_reference(&db).await.expect("reference");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings")
        .fetch_one(db.pool())
        .await
        .unwrap();
    if n == 0 {
        let t = Instant::now();
        seed::load_courses(&db).await.expect("courses");
        national_data::generate(&db, &national_data::Size::national(), |step| {
            eprintln!("[{:>6.1} s] {step} …", t.elapsed().as_secs_f64())
        })
        .await
        .expect("generate");
        eprintln!("generated in {:.1} s", t.elapsed().as_secs_f64());
    }
    for (table, what) in [
        ("people", "people"),
        ("sessions", "sessions"),
        ("bookings", "bookings"),
        ("attendance_facts", "attended bookings (participations)"),
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db.pool())
            .await
            .unwrap();
        println!("{what}: {n}");
    }
    let period = check_period(from, to).unwrap();
    let mut times = vec![];
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = reports::indicator_report(&db, period)
            .await
            .expect("report");
        times.push(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    let r = last.unwrap();
    println!(
        "report {from} – {to}: unique participants {}, participations {}, course hours {:.0}, sessions held {}, cancelled {}, {} municipalities, {} courses",
        r.unique_participants.total,
        r.participations,
        r.course_hours,
        r.sessions.held,
        r.sessions.cancelled,
        r.by_municipality.len(),
        r.by_course.len()
    );
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "engine {:?}: {} runs, first {:.3} s, median {:.3} s, best {:.3} s",
        db.engine(),
        runs,
        times[0],
        sorted[sorted.len() / 2],
        sorted[0]
    );
}
