//! Every `NAVET_*` setting, read once at start into one typed [`Settings`]
//! and passed down from here: the library crates read no environment and
//! keep no global settings. A bad value stops the program at start with a
//! message naming the variable (all bad ones at once).
//!
//! The README's configuration table has one row per field here.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

/// What the environment says, parsed and checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// `NAVET_DATABASE_URL`: the database when `--database-url` is not given.
    pub database_url: Option<String>,
    /// `NAVET_PUBLIC_URL`: the address people use, without a trailing slash.
    pub public_url: Option<String>,
    /// `NAVET_SECURE_COOKIES`: force `Secure` cookies on or off.
    pub secure_cookies: Option<bool>,
    /// `NAVET_TRUST_PROXY`: take the client address from `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// `NAVET_IDLE_TIMEOUT_SECS`: idle logout.
    pub idle_timeout_secs: i64,
    /// `NAVET_SESSION_MAX_SECS`: absolute session lifetime.
    pub session_max_secs: i64,
    /// `NAVET_DB_POOL`: connections per pool.
    pub db_pool: Option<u32>,
    /// `NAVET_LOG`: the log filter.
    pub log: Option<String>,
    /// `NAVET_SMTP_URL`: send notices by SMTP.
    pub smtp_url: Option<String>,
    /// `NAVET_MAIL_FROM`: the sender address of notices.
    pub mail_from: Option<String>,
    /// `NAVET_OUTBOX_DIR`: write notices as `.eml` files here (without SMTP).
    pub outbox_dir: Option<PathBuf>,
    /// `NAVET_CONFIG`: the configuration file when `--config` is not given.
    pub config_file: Option<PathBuf>,
    /// `NAVET_TOKEN`: the API token `navet bench` uses when `--token` is not given.
    pub token: Option<String>,
    /// `NAVET_UNUSUAL_READS_PER_DAY`: the access review flags an account
    /// that opens more different people's records than this in one day.
    pub unusual_reads_per_day: i64,
}

/// Every variable [`Settings`] reads; the README's table has one row each.
#[cfg_attr(not(test), allow(dead_code))]
pub const VARIABLES: [&str; 14] = [
    "NAVET_DATABASE_URL",
    "NAVET_PUBLIC_URL",
    "NAVET_SECURE_COOKIES",
    "NAVET_TRUST_PROXY",
    "NAVET_IDLE_TIMEOUT_SECS",
    "NAVET_SESSION_MAX_SECS",
    "NAVET_DB_POOL",
    "NAVET_LOG",
    "NAVET_SMTP_URL",
    "NAVET_MAIL_FROM",
    "NAVET_CONFIG",
    "NAVET_OUTBOX_DIR",
    "NAVET_TOKEN",
    "NAVET_UNUSUAL_READS_PER_DAY",
];

pub const DEFAULT_IDLE_TIMEOUT_SECS: i64 = 30 * 60;
pub const DEFAULT_SESSION_MAX_SECS: i64 = 12 * 3600;
/// The log filter without `NAVET_LOG`.
pub const DEFAULT_LOG: &str = "navet=info,navet_web=info,warn";

impl Settings {
    /// From the process environment.
    pub fn from_env() -> Result<Settings> {
        Settings::from_lookup(|name| std::env::var(name).ok())
    }

    /// From any lookup (the environment, or a table in tests). An empty
    /// value counts as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings> {
        let mut errors: Vec<String> = Vec::new();
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let mut check = |name: &str, r: std::result::Result<(), String>| {
            if let Err(m) = r {
                errors.push(format!("{name}: {m}"));
            }
        };

        let public_url =
            var("NAVET_PUBLIC_URL").map(|u| u.trim().trim_end_matches('/').to_string());
        if let Some(u) = &public_url {
            check("NAVET_PUBLIC_URL", public_url_ok(u));
        }
        let mut flag = |name: &str| match var(name) {
            None => None,
            Some(v) => match parse_flag(&v) {
                Ok(b) => Some(b),
                Err(m) => {
                    check(name, Err(m));
                    None
                }
            },
        };
        let secure_cookies = flag("NAVET_SECURE_COOKIES");
        let trust_proxy = flag("NAVET_TRUST_PROXY").unwrap_or(false);
        let mut seconds = |name: &str, default: i64| match var(name) {
            None => default,
            Some(v) => match parse_count(&v, i64::MAX) {
                Ok(n) => n,
                Err(m) => {
                    check(name, Err(format!("{m} (sekunder)")));
                    default
                }
            },
        };
        let idle_timeout_secs = seconds("NAVET_IDLE_TIMEOUT_SECS", DEFAULT_IDLE_TIMEOUT_SECS);
        let session_max_secs = seconds("NAVET_SESSION_MAX_SECS", DEFAULT_SESSION_MAX_SECS);
        let unusual_reads_per_day = match var("NAVET_UNUSUAL_READS_PER_DAY") {
            None => navet_web::config::DEFAULT_UNUSUAL_READS_PER_DAY,
            Some(v) => match parse_count(&v, 1_000_000) {
                Ok(n) => n,
                Err(m) => {
                    check("NAVET_UNUSUAL_READS_PER_DAY", Err(m));
                    navet_web::config::DEFAULT_UNUSUAL_READS_PER_DAY
                }
            },
        };
        let db_pool = var("NAVET_DB_POOL").and_then(|v| match parse_count(&v, 1000) {
            Ok(n) => Some(n as u32),
            Err(m) => {
                check("NAVET_DB_POOL", Err(m));
                None
            }
        });
        let log = var("NAVET_LOG").map(|v| v.trim().to_string());
        if let Some(l) = &log {
            check(
                "NAVET_LOG",
                tracing_subscriber::EnvFilter::try_new(l)
                    .map(|_| ())
                    .map_err(|e| format!("”{l}” är inget loggfilter ({e})")),
            );
        }
        let smtp_url = var("NAVET_SMTP_URL").map(|v| v.trim().to_string());
        if let Some(u) = &smtp_url {
            check(
                "NAVET_SMTP_URL",
                if u.starts_with("smtp://") || u.starts_with("smtps://") {
                    Ok(())
                } else {
                    // Not echoed: the value may hold a password.
                    Err("ska börja med smtp:// eller smtps://".into())
                },
            );
        }
        let mail_from = var("NAVET_MAIL_FROM").map(|v| v.trim().to_string());
        if let Some(m) = &mail_from {
            check("NAVET_MAIL_FROM", email_ok(m));
        }
        let settings = Settings {
            database_url: var("NAVET_DATABASE_URL"),
            public_url,
            secure_cookies,
            trust_proxy,
            idle_timeout_secs,
            session_max_secs,
            db_pool,
            log,
            smtp_url,
            mail_from,
            outbox_dir: var("NAVET_OUTBOX_DIR").map(PathBuf::from),
            config_file: var("NAVET_CONFIG").map(PathBuf::from),
            token: var("NAVET_TOKEN").map(|t| t.trim().to_string()),
            unusual_reads_per_day,
        };
        if !errors.is_empty() {
            bail!("ogiltig inställning: {}", errors.join("; "));
        }
        Ok(settings)
    }

    /// The log filter to use.
    pub fn log_filter(&self) -> &str {
        self.log.as_deref().unwrap_or(DEFAULT_LOG)
    }

    /// The database URL from the flag, or else `NAVET_DATABASE_URL`.
    pub fn database_url(&self, flag: Option<String>) -> Result<String> {
        match flag.or_else(|| self.database_url.clone()) {
            Some(u) if !u.trim().is_empty() => Ok(u),
            _ => bail!(
                "ange --database-url eller NAVET_DATABASE_URL (sqlite://SÖKVÄG eller postgres://…)"
            ),
        }
    }

    /// Open the database at `url` with the configured pool size.
    pub async fn open_db(&self, url: &str) -> Result<navet_store::Db> {
        let options = navet_store::DbOptions {
            pool_size: self.db_pool,
        };
        navet_store::Db::connect_with(url, &options)
            .await
            .with_context(|| format!("kunde inte öppna databasen {}", crate::redact(url)))
    }

    /// The database from the flag or `NAVET_DATABASE_URL`, opened.
    pub async fn db(&self, flag: Option<String>) -> Result<navet_store::Db> {
        self.open_db(&self.database_url(flag)?).await
    }
}

/// The retention schedule from the configuration file's
/// `[privacy.retention]` (the defaults without a file). A rule shorter
/// than its documented minimum stops Navet here, naming the setting.
pub fn retention_schedule(file: Option<&std::path::Path>) -> Result<domain::retention::Schedule> {
    let Some(file) = file else {
        return Ok(domain::retention::Schedule::default());
    };
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("kunde inte läsa {}", file.display()))?;
    let parsed = navet_web::oidc::FileConfig::parse(&text)
        .map_err(|m| anyhow::anyhow!("{}: {m}", file.display()))?;
    let schedule = parsed.privacy.retention;
    schedule
        .check()
        .map_err(|m| anyhow::anyhow!("{}: {m}", file.display()))?;
    Ok(schedule)
}

fn public_url_ok(u: &str) -> std::result::Result<(), String> {
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(()),
        _ => Err(format!(
            "”{u}” är ingen adress; skriv till exempel https://navet.example.se"
        )),
    }
}

fn parse_flag(v: &str) -> std::result::Result<bool, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "ja" => Ok(true),
        "0" | "false" | "no" | "nej" => Ok(false),
        _ => Err(format!("”{}” – ange 1 eller 0", v.trim())),
    }
}

/// A whole number from 1 to `max`.
fn parse_count(v: &str, max: i64) -> std::result::Result<i64, String> {
    match v.trim().parse::<i64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        Ok(_) => Err(format!("”{}” ska vara mellan 1 och {max}", v.trim())),
        Err(_) => Err(format!("”{}” är inget heltal", v.trim())),
    }
}

fn email_ok(m: &str) -> std::result::Result<(), String> {
    match m.split_once('@') {
        Some((a, b)) if !a.is_empty() && b.contains('.') && !m.contains(char::is_whitespace) => {
            Ok(())
        }
        _ => Err(format!("”{m}” är ingen e-postadress")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retention_rule_below_its_minimum_stops_the_start() {
        let dir = std::env::temp_dir().join(format!("navet-retention-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("navet.toml");
        std::fs::write(&file, "[privacy.retention]\nstaff_import_rows_days = 2\n").unwrap();
        let e = format!("{:#}", retention_schedule(Some(&file)).unwrap_err());
        assert!(e.contains("staff_import_rows_days = 2"), "{e}");
        assert!(e.contains("7 dagar"), "{e}");
        std::fs::write(&file, "[privacy.retention]\nwaitlist_days = 400\n").unwrap();
        assert_eq!(retention_schedule(Some(&file)).unwrap().waitlist_days, 400);
        assert_eq!(
            retention_schedule(None).unwrap(),
            domain::retention::Schedule::default()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn from(pairs: &[(&str, &str)]) -> Result<Settings> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(move |k| {
            pairs
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn nothing_set_gives_the_defaults() {
        let s = from(&[]).unwrap();
        assert_eq!(s.idle_timeout_secs, 1800);
        assert_eq!(s.session_max_secs, 43200);
        assert_eq!(
            (s.trust_proxy, s.secure_cookies, s.db_pool),
            (false, None, None)
        );
        assert_eq!(s.log_filter(), DEFAULT_LOG);
        assert!(s.database_url(None).is_err());
    }

    #[test]
    fn every_setting_is_read_into_its_field() {
        let s = from(&[
            ("NAVET_DATABASE_URL", "sqlite://x.db"),
            ("NAVET_PUBLIC_URL", "https://navet.example.se/"),
            ("NAVET_SECURE_COOKIES", "0"),
            ("NAVET_TRUST_PROXY", "true"),
            ("NAVET_IDLE_TIMEOUT_SECS", "600"),
            ("NAVET_SESSION_MAX_SECS", " 3600 "),
            ("NAVET_DB_POOL", "4"),
            ("NAVET_LOG", "navet_web=debug"),
            ("NAVET_SMTP_URL", "smtps://u:p@mail.example.se"),
            ("NAVET_MAIL_FROM", "kurs@example.se"),
            ("NAVET_OUTBOX_DIR", "/var/navet/outbox"),
            ("NAVET_CONFIG", "navet.toml"),
            ("NAVET_TOKEN", "abc"),
            ("NAVET_UNUSUAL_READS_PER_DAY", "20"),
        ])
        .unwrap();
        assert_eq!(
            s,
            Settings {
                database_url: Some("sqlite://x.db".into()),
                public_url: Some("https://navet.example.se".into()),
                secure_cookies: Some(false),
                trust_proxy: true,
                idle_timeout_secs: 600,
                session_max_secs: 3600,
                db_pool: Some(4),
                log: Some("navet_web=debug".into()),
                smtp_url: Some("smtps://u:p@mail.example.se".into()),
                mail_from: Some("kurs@example.se".into()),
                outbox_dir: Some("/var/navet/outbox".into()),
                config_file: Some("navet.toml".into()),
                token: Some("abc".into()),
                unusual_reads_per_day: 20,
            }
        );
        // The flag wins over the environment.
        assert_eq!(
            s.database_url(Some("postgres://h/db".into())).unwrap(),
            "postgres://h/db"
        );
    }

    #[test]
    fn an_empty_value_counts_as_unset() {
        let s = from(&[("NAVET_IDLE_TIMEOUT_SECS", ""), ("NAVET_PUBLIC_URL", " ")]).unwrap();
        assert_eq!((s.idle_timeout_secs, s.public_url), (1800, None));
    }

    #[test]
    fn a_bad_value_is_refused_naming_the_variable() {
        for (name, value, says) in [
            ("NAVET_IDLE_TIMEOUT_SECS", "30m", "inget heltal"),
            ("NAVET_SESSION_MAX_SECS", "0", "mellan 1 och"),
            ("NAVET_DB_POOL", "-3", "mellan 1 och 1000"),
            ("NAVET_SECURE_COOKIES", "kanske", "ange 1 eller 0"),
            ("NAVET_TRUST_PROXY", "2", "ange 1 eller 0"),
            ("NAVET_PUBLIC_URL", "navet.example.se", "ingen adress"),
            ("NAVET_SMTP_URL", "mail.example.se", "smtp://"),
            ("NAVET_MAIL_FROM", "navet", "ingen e-postadress"),
            ("NAVET_LOG", "navet=verbose", "inget loggfilter"),
        ] {
            let e = from(&[(name, value)]).unwrap_err().to_string();
            assert!(e.contains(name) && e.contains(says), "{name}={value}: {e}");
            // The value is repeated, except the SMTP URL's (it may hold a password).
            assert_eq!(e.contains(value), name != "NAVET_SMTP_URL", "{e}");
        }
    }

    #[test]
    fn the_readme_table_has_one_row_per_variable_read() {
        let asked = std::sync::Mutex::new(std::collections::BTreeSet::new());
        Settings::from_lookup(|k| {
            asked.lock().unwrap().insert(k.to_string());
            None
        })
        .unwrap();
        let asked = asked.into_inner().unwrap();
        let listed: std::collections::BTreeSet<String> =
            VARIABLES.iter().map(|v| v.to_string()).collect();
        assert_eq!(asked, listed, "VARIABLES is not what from_lookup reads");
        let readme = include_str!("../../../README.md");
        let rows: std::collections::BTreeSet<String> = readme
            .lines()
            .filter_map(|l| l.strip_prefix("| `NAVET_"))
            .map(|l| format!("NAVET_{}", l.split('`').next().unwrap()))
            .collect();
        assert_eq!(rows, listed, "README configuration table");
    }

    #[test]
    fn all_bad_values_are_told_at_once() {
        let e = from(&[
            ("NAVET_IDLE_TIMEOUT_SECS", "x"),
            ("NAVET_DB_POOL", "y"),
            ("NAVET_DATABASE_URL", "sqlite://ok.db"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("NAVET_IDLE_TIMEOUT_SECS") && e.contains("NAVET_DB_POOL"),
            "{e}"
        );
        assert!(!e.contains("NAVET_DATABASE_URL"), "{e}");
    }
}
