//! Web settings, filled in by the binary from flags and environment (the
//! binary reads every `NAVET_*` setting once; this crate reads none).

#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` and use the `__Host-` name. True when served
    /// over HTTPS (directly or behind a TLS proxy) or on localhost.
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` for the client address (only behind your own proxy).
    pub trust_proxy: bool,
    /// Log out after this long without a request.
    pub idle_timeout_secs: i64,
    /// Log out this long after signing in, however active (absolute lifetime).
    pub session_max_secs: i64,
    /// The address people reach Navet at (for links in e-mail), no trailing slash.
    pub public_url: String,
    /// Where notices go when no SMTP server is configured.
    pub outbox_dir: Option<std::path::PathBuf>,
    /// Send notices by SMTP (`smtps://user:pass@host`, as lettre reads it).
    pub smtp_url: Option<String>,
    /// The sender address of notices; `navet@HOST` of the public URL when None.
    pub mail_from: Option<String>,
    /// Demo mode: show the demo banner.
    pub demo: bool,
    /// Municipalities' OpenID providers (from the configuration file).
    pub oidc: Vec<crate::oidc::Provider>,
    /// The retention schedule (`[privacy.retention]`, checked at start).
    pub retention: domain::retention::Schedule,
    /// Access review: flag an account that opens more than this many
    /// different people's records in one day.
    pub unusual_reads_per_day: i64,
}

/// The default of [`Config::unusual_reads_per_day`].
pub const DEFAULT_UNUSUAL_READS_PER_DAY: i64 = 50;

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: true,
            trust_proxy: false,
            idle_timeout_secs: 30 * 60,
            session_max_secs: 12 * 3600,
            public_url: "http://127.0.0.1:8080".into(),
            outbox_dir: None,
            smtp_url: None,
            mail_from: None,
            demo: false,
            oidc: Vec::new(),
            retention: domain::retention::Schedule::default(),
            unusual_reads_per_day: DEFAULT_UNUSUAL_READS_PER_DAY,
        }
    }
}

impl Config {
    /// Served over HTTPS (directly or behind a TLS proxy): browsers are
    /// told to use nothing else (HSTS).
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
    /// Where links in notices point and who sends them.
    pub fn notice_sender(&self) -> domain::notices::Sender {
        let host = self
            .public_url
            .split("://")
            .nth(1)
            .and_then(|h| h.split([':', '/']).next())
            .filter(|h| !h.is_empty())
            .unwrap_or("localhost");
        domain::notices::Sender {
            base_url: self.public_url.clone(),
            from_email: self
                .mail_from
                .clone()
                .unwrap_or_else(|| format!("navet@{host}")),
        }
    }
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-navet_session"
        } else {
            "navet_session"
        }
    }
    pub fn csrf_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-navet_csrf"
        } else {
            "navet_csrf"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Config;

    #[test]
    fn notice_sender_defaults_to_the_public_host() {
        let c = Config {
            public_url: "https://navet.example.se:8443".into(),
            ..Config::default()
        };
        let s = c.notice_sender();
        assert_eq!(s.base_url, "https://navet.example.se:8443");
        assert_eq!(s.from_email, "navet@navet.example.se");
        let c = Config {
            mail_from: Some("kurs@kumla.se".into()),
            ..c
        };
        assert_eq!(c.notice_sender().from_email, "kurs@kumla.se");
    }
}
