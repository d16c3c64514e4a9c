//! Swedish presentation of numbers, dates and times.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;

/// `1834` → `1 834` (a no-break space between thousands).
pub fn int(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("−{out}")
    } else {
        out
    }
}

/// `1834.5` → `1 834,5` with the given number of decimals.
pub fn decimal(x: f64, decimals: usize) -> String {
    // Half away from zero, as people round (format! would round half to even).
    let factor = 10f64.powi(decimals as i32);
    let s = format!("{:.*}", decimals, (x.abs() * factor).round() / factor);
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let w = int(whole.parse::<i64>().unwrap_or(0));
    let sign = if x < 0.0 && x.abs() >= 0.5 * 10f64.powi(-(decimals as i32)) {
        "−"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{w}")
    } else {
        format!("{sign}{w},{frac}")
    }
}

pub fn stockholm(ts: i64) -> DateTime<chrono_tz::Tz> {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .unwrap_or_default()
        .with_timezone(&Stockholm)
}

/// `2026-03-14`
pub fn date(ts: i64) -> String {
    stockholm(ts).format("%Y-%m-%d").to_string()
}

/// `2026-03-14 09:30`
pub fn datetime(ts: i64) -> String {
    stockholm(ts).format("%Y-%m-%d %H:%M").to_string()
}

pub fn iso_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated_by_a_space() {
        assert_eq!(int(1834), "1\u{a0}834");
        assert_eq!(int(23731055), "23\u{a0}731\u{a0}055");
        assert_eq!(int(12), "12");
        assert_eq!(int(-4500), "−4\u{a0}500");
        assert_eq!(decimal(1834.26, 1), "1\u{a0}834,3");
        assert_eq!(decimal(0.5, 0), "1");
    }

    #[test]
    fn dates_are_iso_in_stockholm_time() {
        // 2026-03-14 23:30 UTC is already the 15th in Stockholm (UTC+1).
        let ts = chrono::NaiveDate::from_ymd_opt(2026, 3, 14)
            .unwrap()
            .and_hms_opt(23, 30, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        assert_eq!(date(ts), "2026-03-15");
        // Summer time: UTC+2.
        let ts = chrono::NaiveDate::from_ymd_opt(2026, 7, 1)
            .unwrap()
            .and_hms_opt(7, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        assert_eq!(datetime(ts), "2026-07-01 09:00");
    }
}
