//! Sums of attended time kept in memory. The co-financing of a national
//! programme and the cost model's actual use each sum a million or more
//! attendance rows, and such a sum changes only when attendance in its
//! months does. Every month has a version in `attendance_month_versions`,
//! raised by triggers on every change to `attendance_facts` in that month
//! (on both engines). An entry is used only while the version it was
//! summed at is unchanged: for one month its own version, for a period the
//! sum of its months' versions (versions only grow, so any change in the
//! period changes the sum). The version is read before the sum, so a
//! change committed in between leaves an entry that is already out of
//! date, never one that looks current but is not.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Entries kept at most (a programme of five years is 60 months; other
/// periods cut months differently). Beyond it the cache starts over.
const MAX_ENTRIES: usize = 512;

/// What was summed, over `[from, to)` (Unix seconds), one more figure the
/// sum depends on (0 when none), and the funding source the rows were
/// filtered by (0: all rows; a filter is part of the key, so a filtered
/// sum never answers for the whole or for another source).
pub(crate) type Key = (&'static str, i64, i64, i64, i64);

/// A sum and the version it was made at.
type Entry = (i64, Arc<dyn Any + Send + Sync>);

#[derive(Default)]
pub(crate) struct FactCache {
    entries: Mutex<HashMap<Key, Entry>>,
}

impl std::fmt::Debug for FactCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FactCache")
    }
}

impl FactCache {
    /// The sum kept for `key` at `version`, if it is still current.
    pub(crate) fn get<T: Any + Send + Sync>(&self, key: &Key, version: i64) -> Option<Arc<T>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(v, _)| *v == version)
            .and_then(|(_, value)| value.clone().downcast::<T>().ok())
    }

    pub(crate) fn put<T: Any + Send + Sync>(&self, key: Key, version: i64, value: Arc<T>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (version, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_serves_only_its_own_version_and_type() {
        let c = FactCache::default();
        let key = ("test", 1, 2, 0, 0);
        assert!(c.get::<Vec<i64>>(&key, 0).is_none());
        c.put(key, 3, Arc::new(vec![7_i64]));
        assert_eq!(*c.get::<Vec<i64>>(&key, 3).unwrap(), vec![7]);
        assert!(c.get::<Vec<i64>>(&key, 4).is_none());
        assert!(c.get::<String>(&key, 3).is_none());
        assert!(c.get::<Vec<i64>>(&("test", 1, 3, 0, 0), 3).is_none());
        assert!(c.get::<Vec<i64>>(&("test", 1, 2, 0, 5), 3).is_none());
    }

    #[test]
    fn it_never_grows_past_its_bound() {
        let c = FactCache::default();
        for i in 0..(MAX_ENTRIES as i64 * 3) {
            c.put(("test", i, i + 1, 0, 0), 0, Arc::new(i));
        }
        assert!(c.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
