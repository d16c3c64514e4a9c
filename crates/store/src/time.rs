//! Time as stored (Unix seconds, UTC; dates as ISO text) and as people in
//! the region read it (Europe/Stockholm). Every conversion between the two
//! in the store goes through here; the rules for typed-in local times live
//! in `domain::sessions`.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;

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

/// Unix seconds at Stockholm midnight starting `d`.
pub fn day_start(d: NaiveDate) -> i64 {
    Stockholm
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_else(|| d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp())
}

/// The Stockholm date of a timestamp.
pub fn local_date(ts: i64) -> NaiveDate {
    to_datetime(ts).with_timezone(&Stockholm).date_naive()
}

/// Today in Stockholm.
pub fn today() -> NaiveDate {
    local_date(now())
}

/// "2026-03-14 13:00" in Stockholm time.
pub fn local_label(ts: i64) -> String {
    domain::sessions::format_local(ts)
}

/// Whole Stockholm days `starts_on` to `ends_on` (ISO dates, both
/// included) as an interval of stored time.
pub fn days_interval(starts_on: &str, ends_on: &str) -> Option<domain::sessions::Interval> {
    let from = parse_date(starts_on)?;
    let to = parse_date(ends_on)?;
    Some(domain::sessions::Interval::new(
        day_start(from),
        day_start(to.succ_opt()?),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_stockholm_time_across_daylight_saving() {
        let d = |s: &str| parse_date(s).unwrap();
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(day_start(d("2026-01-15")), 1_768_431_600);
        assert_eq!(day_start(d("2026-07-15")), 1_784_066_400);
        // 23:30 UTC on 14 July is already the 15th in Stockholm.
        assert_eq!(local_date(1_784_066_400 + 5_400), d("2026-07-15"));
        assert_eq!(local_date(1_784_066_400 - 1), d("2026-07-14"));
        assert_eq!(local_date(day_start(d("2026-03-29"))), d("2026-03-29"));
        assert_eq!(local_date(day_start(d("2026-03-30")) - 1), d("2026-03-29"));
        assert_eq!(date_str(d("2026-03-14")), "2026-03-14");
    }
}
