//! Attended hours of past months kept in memory: the co-financing of a
//! national programme sums millions of attendance rows, and a month's sum
//! changes only when its attendance does. Each entry carries the month's
//! version from `attendance_month_versions` (raised by triggers on every
//! change to `attendance_facts` in that month, on both engines), and is
//! used only while that version is unchanged. The version is read before
//! the sum, so a change committed in between leaves an entry that is
//! already out of date, never one that looks current but is not.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use domain::cofinancing::HoursGroup;

/// Entries kept at most (a programme of five years is 60 months; other
/// periods cut months differently). Beyond it the cache starts over.
const MAX_ENTRIES: usize = 512;

/// A month cut to `[from, to)` (Unix seconds).
pub(crate) type MonthKey = (NaiveDate, i64, i64);

/// A month's groups and the version they were summed at.
type Entry = (i64, Arc<Vec<HoursGroup>>);

#[derive(Default, Debug)]
pub(crate) struct MonthCache {
    entries: Mutex<HashMap<MonthKey, Entry>>,
}

impl MonthCache {
    /// The groups summed for `key` at `version`, if they are still current.
    pub(crate) fn get(&self, key: &MonthKey, version: i64) -> Option<Arc<Vec<HoursGroup>>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(v, _)| *v == version)
            .map(|(_, g)| g.clone())
    }

    pub(crate) fn put(&self, key: MonthKey, version: i64, groups: Arc<Vec<HoursGroup>>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (version, groups));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_serves_only_its_own_version() {
        let c = MonthCache::default();
        let key = (NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), 1, 2);
        assert!(c.get(&key, 0).is_none());
        c.put(key, 3, Arc::new(vec![]));
        assert!(c.get(&key, 3).is_some());
        assert!(c.get(&key, 4).is_none());
        assert!(c.get(&(key.0, 1, 3), 3).is_none());
    }

    #[test]
    fn it_never_grows_past_its_bound() {
        let c = MonthCache::default();
        let m = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        for i in 0..(MAX_ENTRIES as i64 * 3) {
            c.put((m, i, i + 1), 0, Arc::new(vec![]));
        }
        assert!(c.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
