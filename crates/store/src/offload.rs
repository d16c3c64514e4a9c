//! Reading uploaded files off the async runtime: the parse runs on the
//! blocking pool with a time limit, and when the limit passes the parse is
//! told to stop (`domain::tabular::Stop`) instead of running on unseen. The
//! runtime's own threads keep answering other requests meanwhile.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::tabular::Stop;

/// How long one file may take to read and check.
pub const PARSE_TIME_LIMIT: Duration = Duration::from_secs(20);

/// Run `parse` on the blocking pool. `None` when it did not finish within
/// `limit` (it has then been told to stop) or panicked.
pub async fn parse<T, F>(limit: Duration, parse: F) -> Option<T>
where
    T: Send + 'static,
    F: FnOnce(&Stop) -> T + Send + 'static,
{
    let cancelled = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + limit;
    let stop = Stop::new(deadline, cancelled.clone());
    let task = tokio::task::spawn_blocking(move || parse(&stop));
    match tokio::time::timeout(limit, task).await {
        // A parse that saw the deadline itself and gave up just before the
        // timer fired is over the limit all the same.
        Ok(Ok(_)) if Instant::now() >= deadline => {
            tracing::warn!("reading an uploaded file passed {limit:?}; it stopped");
            None
        }
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            tracing::error!("reading an uploaded file failed: {e}");
            None
        }
        Err(_) => {
            cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
            tracing::warn!("reading an uploaded file passed {limit:?}; told to stop");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_slow_parse_is_stopped_and_answers_none() {
        let stopped = Arc::new(AtomicBool::new(false));
        let seen = stopped.clone();
        let started = Instant::now();
        let r = parse(Duration::from_millis(200), move |stop| {
            while !stop.should_stop() {
                std::thread::sleep(Duration::from_millis(5));
            }
            seen.store(true, std::sync::atomic::Ordering::SeqCst);
        })
        .await;
        assert!(r.is_none());
        assert!(started.elapsed() < Duration::from_secs(2));
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(stopped.load(std::sync::atomic::Ordering::SeqCst));
        assert_eq!(parse(PARSE_TIME_LIMIT, |_| 7).await, Some(7));
    }
}
