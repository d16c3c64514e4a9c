//! Background tasks that cannot silently stop: each runs in its own Tokio
//! task under a supervisor that logs a panic and starts it again (after a
//! short pause, so a task that panics at once does not spin). A task that
//! returns normally (its channel closed, the database shut) is not
//! restarted.
//!
//! State a task must keep across a restart (a channel's receiving end) is
//! shared with the supervisor, e.g. as `Arc<tokio::sync::Mutex<Receiver>>`;
//! whatever the panicking task held (a batch's reply senders) is dropped,
//! so its callers get an error rather than waiting forever.

use std::future::Future;
use std::time::Duration;

/// Pause before a restart.
pub const RESTART_PAUSE: Duration = Duration::from_millis(200);

/// Run `make()` in a task, and again each time it panics.
pub fn spawn<F, Fut>(name: &'static str, mut make: F) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            match tokio::spawn(make()).await {
                Ok(()) => return,
                Err(e) if e.is_panic() => {
                    let payload = e.into_panic();
                    let msg = payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "(no message)".into());
                    tracing::error!(task = name, "background task panicked, restarting: {msg}");
                    tokio::time::sleep(RESTART_PAUSE).await;
                }
                // Cancelled: the runtime is shutting down.
                Err(_) => return,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn a_panicking_task_is_restarted_and_a_finished_one_is_not() {
        let runs = Arc::new(AtomicUsize::new(0));
        let r = runs.clone();
        let handle = spawn("test", move || {
            let r = r.clone();
            async move {
                if r.fetch_add(1, Ordering::SeqCst) < 2 {
                    panic!("injected");
                }
            }
        });
        tokio::time::timeout(Duration::from_secs(5), handle)
            .await
            .expect("the supervisor ends once the task returns")
            .unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }
}
