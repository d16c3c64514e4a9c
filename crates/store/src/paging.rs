//! The SQL of keyset paging (`domain::paging`): the condition and order
//! that fetch one page of a list shown newest first by id.

use domain::paging::Seek;

/// The condition on `id_column` (None for the newest page), the ORDER BY
/// and the LIMIT that fetch the page `seek` starts, one row more than
/// `limit` so that [`domain::paging::window`] knows whether there is more.
/// The ids are numbers, written into the statement as such.
pub(crate) fn clause(seek: Seek, id_column: &str, limit: i64) -> (Option<String>, String) {
    let fetch = limit + 1;
    match seek {
        Seek::Newest => (None, format!("ORDER BY {id_column} DESC LIMIT {fetch}")),
        Seek::OlderThan(id) => (
            Some(format!("{id_column} < {id}")),
            format!("ORDER BY {id_column} DESC LIMIT {fetch}"),
        ),
        Seek::NewerThan(id) => (
            Some(format!("{id_column} > {id}")),
            format!("ORDER BY {id_column} ASC LIMIT {fetch}"),
        ),
    }
}
