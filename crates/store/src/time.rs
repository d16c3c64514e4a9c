//! Time as stored: Unix seconds (UTC) and ISO dates.

use chrono::{DateTime, NaiveDate, Utc};

pub fn now() -> i64 {
    Utc::now().timestamp()
}

pub fn to_datetime(ts: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(ts, 0).unwrap_or_default()
}

pub fn date_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}
