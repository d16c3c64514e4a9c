//! CPU time of the server under test, read from /proc: user + system time
//! of the `navet serve` process and, on PostgreSQL, of the backends serving
//! its database (process titles `postgres: … USER DATABASE HOST(PORT) …`).

use std::collections::BTreeMap;

/// Clock ticks per second for /proc times (`getconf CLK_TCK`).
fn ticks_per_second() -> f64 {
    #[cfg(unix)]
    {
        // SAFETY: sysconf only reads a constant of the system.
        let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        if t > 0 {
            return t as f64;
        }
    }
    100.0
}

/// utime + stime of a process, in ticks.
pub(crate) fn process_ticks(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat_ticks(&s)
}

/// Fields 14 and 15 of /proc/PID/stat, counted after the command name
/// (which is in brackets and may contain spaces).
pub(crate) fn parse_stat_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After ")": state is field 3, so utime (14) is index 11, stime (15) index 12.
    let u: u64 = f.get(11)?.parse().ok()?;
    let s: u64 = f.get(12)?.parse().ok()?;
    Some(u + s)
}

/// Process ids of PostgreSQL backends connected to `database`.
fn pg_backends(database: &str) -> Vec<u32> {
    let mut out = vec![];
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let title = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if is_backend_of(&title, database) {
            out.push(pid);
        }
    }
    out
}

pub(crate) fn is_backend_of(title: &str, database: &str) -> bool {
    title.starts_with("postgres: ") && title.split_whitespace().any(|w| w == database)
}

/// A snapshot of the CPU ticks of the server and its backends.
pub(crate) struct Snapshot(BTreeMap<u32, u64>);

pub(crate) fn snapshot(server: u32, pg_database: Option<&str>) -> Snapshot {
    let mut m = BTreeMap::new();
    if let Some(t) = process_ticks(server) {
        m.insert(server, t);
    }
    if let Some(db) = pg_database {
        for pid in pg_backends(db) {
            if let Some(t) = process_ticks(pid) {
                m.insert(pid, t);
            }
        }
    }
    Snapshot(m)
}

/// CPU seconds between two snapshots: (server, backends). A backend
/// started in between counts whole; one that ended in between is lost.
pub(crate) fn used(before: &Snapshot, after: &Snapshot, server: u32) -> (f64, f64) {
    let tps = ticks_per_second();
    let mut srv = 0u64;
    let mut pg = 0u64;
    for (pid, t) in &after.0 {
        let d = t.saturating_sub(before.0.get(pid).copied().unwrap_or(0));
        if *pid == server {
            srv += d;
        } else {
            pg += d;
        }
    }
    (srv as f64 / tps, pg as f64 / tps)
}

/// The database name of a postgres:// URL.
pub(crate) fn database_of(url: &str) -> Option<String> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return None;
    }
    let after_host = url.split_once("://")?.1.split_once('/')?.1;
    let name = after_host.split('?').next()?;
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_times_are_read_after_the_command_name() {
        let stat = "4242 (navet serve) S 1 4242 4242 0 -1 4194304 900 0 0 0 1234 567 0 0 20 0 9 0 100 1000 200";
        assert_eq!(parse_stat_ticks(stat), Some(1234 + 567));
        assert_eq!(parse_stat_ticks("garbage"), None);
    }

    #[test]
    fn backends_are_matched_by_their_database_word() {
        let t = "postgres: 15/main: postgres navet_bench 127.0.0.1(51514) idle ";
        assert!(is_backend_of(t, "navet_bench"));
        assert!(!is_backend_of(t, "navet"));
        assert!(!is_backend_of(
            "postgres: 15/main: walwriter ",
            "navet_bench"
        ));
    }

    #[test]
    fn the_database_name_comes_from_the_url() {
        assert_eq!(
            database_of("postgres://postgres@127.0.0.1:5432/navet_bench?sslmode=disable")
                .as_deref(),
            Some("navet_bench")
        );
        assert_eq!(database_of("sqlite:///tmp/x.db"), None);
    }
}
