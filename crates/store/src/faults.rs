//! Fault injection for tests (only with `cfg(test)` or the `test-hooks`
//! feature; production builds have no trace of it). A test arms a named
//! point for one database; the next time code running against that
//! database passes [`fault_point!`](crate::fault_point) with that name, it
//! panics once.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::db::Db;

static ARMED: Mutex<Option<HashMap<(String, String), usize>>> = Mutex::new(None);

/// Make the point `name` panic the next `times` times it is reached with `db`.
pub fn arm(db: &Db, name: &str, times: usize) {
    let mut g = ARMED.lock().unwrap_or_else(|e| e.into_inner());
    g.get_or_insert_with(HashMap::new)
        .insert((db.url().to_string(), name.to_string()), times);
}

/// How many injected panics at `name` for `db` are still to come.
pub fn pending(db: &Db, name: &str) -> usize {
    let g = ARMED.lock().unwrap_or_else(|e| e.into_inner());
    g.as_ref()
        .and_then(|m| m.get(&(db.url().to_string(), name.to_string())).copied())
        .unwrap_or(0)
}

/// Panic here if the point is armed for `db`.
pub fn hit(db: &Db, name: &str) {
    let fire = {
        let mut g = ARMED.lock().unwrap_or_else(|e| e.into_inner());
        match g
            .as_mut()
            .and_then(|m| m.get_mut(&(db.url().to_string(), name.to_string())))
        {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    };
    if fire {
        panic!("injected fault at {name}");
    }
}
