//! Keyset ("seek") paging of long lists shown newest first by id: the
//! audit log, the outbox. A page is found by the id it starts from, not by
//! how many rows come before it, so the thousandth page of a nation's log
//! costs what the first does (an OFFSET reads and drops every row before
//! it) and a row added meanwhile does not shift the pages.

/// Where a page starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Seek {
    /// The newest rows.
    #[default]
    Newest,
    /// The rows just older than this id (ids below it).
    OlderThan(i64),
    /// The rows just newer than this id (ids above it).
    NewerThan(i64),
}

impl Seek {
    /// From a page's query: `fore` (older than) wins over `efter` (newer
    /// than); neither is the newest page.
    pub fn from_query(before: Option<i64>, after: Option<i64>) -> Seek {
        match (before, after) {
            (Some(id), _) => Seek::OlderThan(id),
            (None, Some(id)) => Seek::NewerThan(id),
            (None, None) => Seek::Newest,
        }
    }

    /// Whether the rows are fetched oldest first (then [`window`] turns
    /// them around): the rows just newer than an id are the lowest ids above
    /// it.
    pub fn fetches_ascending(self) -> bool {
        matches!(self, Seek::NewerThan(_))
    }
}

/// One page, newest first, with where the neighbouring pages start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window<T> {
    pub rows: Vec<T>,
    /// The page of newer rows starts above this id (`efter`).
    pub newer: Option<i64>,
    /// The page of older rows starts below this id (`fore`).
    pub older: Option<i64>,
}

impl<T> Window<T> {
    /// Whether this is not the newest page (a "Nyaste" link makes sense).
    pub fn is_paged(&self) -> bool {
        self.newer.is_some()
    }
}

/// The page from the rows fetched for `seek`: at most `limit + 1` of them,
/// in the fetch order ([`Seek::fetches_ascending`]); the extra row only
/// tells that there is more in that direction.
pub fn window<T>(
    seek: Seek,
    mut fetched: Vec<T>,
    limit: usize,
    id: impl Fn(&T) -> i64,
) -> Window<T> {
    let more = fetched.len() > limit;
    fetched.truncate(limit);
    if seek.fetches_ascending() {
        fetched.reverse();
    }
    let first = fetched.first().map(&id);
    let last = fetched.last().map(&id);
    let (newer, older) = match seek {
        Seek::Newest => (None, last.filter(|_| more)),
        // Coming from newer rows, there are newer rows; older ones only if
        // the fetch found more.
        Seek::OlderThan(before) => (first.or(Some(before - 1)), last.filter(|_| more)),
        // Coming from older rows, there are older rows; newer ones only if
        // the fetch found more.
        Seek::NewerThan(after) => (first.filter(|_| more), last.or(Some(after + 1))),
    };
    Window {
        rows: fetched,
        newer,
        older,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(w: &Window<i64>) -> Vec<i64> {
        w.rows.clone()
    }

    #[test]
    fn the_newest_page_links_only_to_older_rows_when_there_are_more() {
        let w = window(Seek::Newest, vec![10, 9, 8], 2, |x| *x);
        assert_eq!(ids(&w), vec![10, 9]);
        assert_eq!((w.newer, w.older), (None, Some(9)));
        assert!(!w.is_paged());
        let w = window(Seek::Newest, vec![10, 9], 2, |x| *x);
        assert_eq!((w.newer, w.older), (None, None));
    }

    #[test]
    fn an_older_page_links_back_to_newer_rows() {
        let w = window(Seek::OlderThan(9), vec![8, 7, 6], 2, |x| *x);
        assert_eq!(ids(&w), vec![8, 7]);
        assert_eq!((w.newer, w.older), (Some(8), Some(7)));
        let w = window(Seek::OlderThan(9), vec![8], 2, |x| *x);
        assert_eq!((w.newer, w.older), (Some(8), None));
        // Past the end: still a way back.
        let w = window(Seek::OlderThan(1), Vec::<i64>::new(), 2, |x| *x);
        assert_eq!((w.newer, w.older), (Some(0), None));
    }

    #[test]
    fn a_newer_page_is_fetched_ascending_and_shown_newest_first() {
        // Rows above 7, lowest first: 8, 9 and one more (10).
        let w = window(Seek::NewerThan(7), vec![8, 9, 10], 2, |x| *x);
        assert_eq!(ids(&w), vec![9, 8]);
        assert_eq!((w.newer, w.older), (Some(9), Some(8)));
        // The newest rows reached from below: no newer link.
        let w = window(Seek::NewerThan(7), vec![8, 9], 2, |x| *x);
        assert_eq!(ids(&w), vec![9, 8]);
        assert_eq!((w.newer, w.older), (None, Some(8)));
    }

    #[test]
    fn walking_older_then_newer_comes_back_to_the_same_page() {
        let all: Vec<i64> = (1..=25).rev().collect();
        let fetch = |seek: Seek| -> Vec<i64> {
            let mut rows: Vec<i64> = all
                .iter()
                .copied()
                .filter(|id| match seek {
                    Seek::Newest => true,
                    Seek::OlderThan(b) => *id < b,
                    Seek::NewerThan(a) => *id > a,
                })
                .collect();
            if seek.fetches_ascending() {
                rows.reverse();
            }
            rows.truncate(11);
            rows
        };
        let first = window(Seek::Newest, fetch(Seek::Newest), 10, |x| *x);
        let second = window(
            Seek::OlderThan(first.older.unwrap()),
            fetch(Seek::OlderThan(first.older.unwrap())),
            10,
            |x| *x,
        );
        assert_eq!(ids(&second), (6..=15).rev().collect::<Vec<_>>());
        let back = window(
            Seek::NewerThan(second.newer.unwrap()),
            fetch(Seek::NewerThan(second.newer.unwrap())),
            10,
            |x| *x,
        );
        assert_eq!(ids(&back), ids(&first));
        assert_eq!(back.newer, None);
    }

    #[test]
    fn the_query_prefers_older_than() {
        assert_eq!(Seek::from_query(Some(5), Some(9)), Seek::OlderThan(5));
        assert_eq!(Seek::from_query(None, Some(9)), Seek::NewerThan(9));
        assert_eq!(Seek::from_query(None, None), Seek::Newest);
    }
}
