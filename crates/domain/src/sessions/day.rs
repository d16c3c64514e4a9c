//! Which sessions an attendance list starts with: today's first, then the
//! ones just held, then what is coming, then the rest of the past.

use chrono::NaiveDate;

use super::utc_to_stockholm;

/// Sessions held this many days back count as "recent".
pub const RECENT_DAYS: i64 = 14;

/// Where a session belongs on the attendance start page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DayGroup {
    /// Takes place (or has a part) today, Stockholm time.
    Today,
    /// Ended within the last [`RECENT_DAYS`] days.
    Recent,
    /// Starts after today.
    Upcoming,
    /// Older than that.
    Earlier,
}

impl DayGroup {
    pub fn code(self) -> &'static str {
        match self {
            DayGroup::Today => "today",
            DayGroup::Recent => "recent",
            DayGroup::Upcoming => "upcoming",
            DayGroup::Earlier => "earlier",
        }
    }
}

fn day(ts: i64) -> NaiveDate {
    utc_to_stockholm(ts).date()
}

/// The group of a session spanning `[starts_at, ends_at)` seen at `now`.
pub fn group(now: i64, starts_at: i64, ends_at: i64) -> DayGroup {
    let today = day(now);
    let (first, last) = (day(starts_at), day((ends_at - 1).max(starts_at)));
    if first <= today && today <= last {
        DayGroup::Today
    } else if first > today {
        DayGroup::Upcoming
    } else if (today - last).num_days() <= RECENT_DAYS {
        DayGroup::Recent
    } else {
        DayGroup::Earlier
    }
}

/// Sort sessions `(starts_at, ends_at)` for the attendance page: by group,
/// today's and upcoming ones soonest first, past ones latest first.
pub fn order<T>(now: i64, items: &mut [T], span: impl Fn(&T) -> (i64, i64)) {
    items.sort_by_key(|t| {
        let (s, e) = span(t);
        let g = group(now, s, e);
        let key = match g {
            DayGroup::Today | DayGroup::Upcoming => s,
            DayGroup::Recent | DayGroup::Earlier => -s,
        };
        (g, key)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::stockholm_to_utc;
    use chrono::NaiveDateTime;

    fn t(s: &str) -> i64 {
        stockholm_to_utc(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()).unwrap()
    }

    #[test]
    fn groups_follow_the_stockholm_day() {
        let now = t("2026-03-14 10:00");
        assert_eq!(
            group(now, t("2026-03-14 08:00"), t("2026-03-14 09:00")),
            DayGroup::Today
        );
        assert_eq!(
            group(now, t("2026-03-14 23:00"), t("2026-03-14 23:30")),
            DayGroup::Today
        );
        // A two-day session that ends today is today's.
        assert_eq!(
            group(now, t("2026-03-13 09:00"), t("2026-03-14 16:00")),
            DayGroup::Today
        );
        assert_eq!(
            group(now, t("2026-03-15 00:00"), t("2026-03-15 03:00")),
            DayGroup::Upcoming
        );
        assert_eq!(
            group(now, t("2026-03-13 09:00"), t("2026-03-13 12:00")),
            DayGroup::Recent
        );
        assert_eq!(
            group(now, t("2026-02-28 09:00"), t("2026-02-28 12:00")),
            DayGroup::Recent
        );
        assert_eq!(
            group(now, t("2026-02-27 09:00"), t("2026-02-27 12:00")),
            DayGroup::Earlier
        );
        // Early morning UTC is still the previous Stockholm day until 01:00.
        let late = t("2026-03-14 23:30");
        assert_eq!(
            group(late, t("2026-03-14 09:00"), t("2026-03-14 12:00")),
            DayGroup::Today
        );
    }

    #[test]
    fn today_first_then_recent_then_upcoming_then_earlier() {
        let now = t("2026-03-14 10:00");
        let mut v = vec![
            ("far future", t("2026-06-01 09:00")),
            ("old", t("2025-12-01 09:00")),
            ("yesterday", t("2026-03-13 09:00")),
            ("tomorrow", t("2026-03-15 09:00")),
            ("today late", t("2026-03-14 13:00")),
            ("last week", t("2026-03-07 09:00")),
            ("today early", t("2026-03-14 08:00")),
        ];
        order(now, &mut v, |x| (x.1, x.1 + 3 * 3600));
        let names: Vec<_> = v.iter().map(|x| x.0).collect();
        assert_eq!(
            names,
            [
                "today early",
                "today late",
                "yesterday",
                "last week",
                "tomorrow",
                "far future",
                "old"
            ]
        );
    }
}
