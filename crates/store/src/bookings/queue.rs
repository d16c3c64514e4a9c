//! Group commit: writer tasks that decide queued requests in batches, and
//! on SQLite the syncer and checkpointer of the write-ahead log.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Mutex};

use super::batch::{book_batch, decide_batch};
use super::{BookRequest, Outcome};
use crate::db::{Db, Engine};
use crate::error::{StoreError, StoreResult};
use crate::supervise;

pub(super) type Job = (BookRequest, oneshot::Sender<StoreResult<Outcome>>);
pub(super) type Replies = Vec<(oneshot::Sender<StoreResult<Outcome>>, StoreResult<Outcome>)>;

/// Booking requests decided by writer tasks that commit many decisions per
/// transaction (group commit): each request is still decided on its own,
/// in arrival order, but one durable commit covers the whole batch.
///
/// On SQLite the writer does not wait for the disk either: it commits a
/// batch with `synchronous=NORMAL` (the WAL is written, not yet flushed),
/// hands the batch's answers to a syncer task and goes on with the next
/// batch. The syncer flushes the WAL file (`fdatasync`) and only then
/// answers everyone committed before the flush began, so no caller hears
/// "booked" before the booking is on disk; one flush covers every batch
/// committed meanwhile. The connection is back on `synchronous=FULL`
/// before anyone else may use it.
#[derive(Clone, Debug)]
pub struct Queue {
    writers: Vec<mpsc::Sender<Job>>,
}

/// Most requests per transaction.
pub const MAX_BATCH: usize = 128;

/// The WAL file of an SQLite database URL (`sqlite://PATH[?…]`).
pub(super) fn wal_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    Some(std::path::PathBuf::from(format!("{path}-wal")))
}

impl Queue {
    /// Start the writers: one on SQLite (it has one writer anyway), a few
    /// on PostgreSQL, each owning the sessions whose id maps to it.
    pub fn start(db: Db) -> Queue {
        let n = match db.engine() {
            Engine::Sqlite => 1,
            Engine::Postgres => 4,
        };
        let wal = match db.engine() {
            Engine::Sqlite => wal_path(db.url()),
            Engine::Postgres => None,
        };
        // Supervised: a panic restarts the task on the same channel; the
        // requests of the batch it was deciding get an error, not a hang.
        if wal.is_some() {
            let db = db.clone();
            supervise::spawn("wal checkpointer", move || checkpointer(db.clone()));
        }
        let writers = (0..n)
            .map(|_| {
                let (tx, rx) = mpsc::channel::<Job>(4096);
                let rx = Arc::new(Mutex::new(rx));
                let sync = wal.as_ref().map(|w| {
                    let (stx, srx) = mpsc::unbounded_channel::<Replies>();
                    let (w, srx) = (w.clone(), Arc::new(Mutex::new(srx)));
                    supervise::spawn("booking syncer", move || syncer(w.clone(), srx.clone()));
                    stx
                });
                let db = db.clone();
                supervise::spawn("booking writer", move || {
                    writer(db.clone(), rx.clone(), sync.clone())
                });
                tx
            })
            .collect();
        Queue { writers }
    }

    pub async fn book(&self, req: BookRequest) -> StoreResult<Outcome> {
        let w = &self.writers[(req.session_id.unsigned_abs() as usize) % self.writers.len()];
        let (tx, rx) = oneshot::channel();
        w.send((req, tx))
            .await
            .map_err(|_| anyhow::anyhow!("bokningskön är stängd"))?;
        rx.await
            .map_err(|_| anyhow::anyhow!("bokningen avbröts av ett internt fel; försök igen"))?
    }
}

/// SQLite: keep WAL checkpoints (two fsyncs each) off the writer's commit
/// path. The writer connection stops checkpointing by itself; a read
/// connection checkpoints once a second instead (PASSIVE never blocks the
/// writer). If the writer connection is ever replaced it simply goes back to
/// SQLite's own automatic checkpoints.
pub(super) async fn checkpointer(db: Db) {
    if let Err(e) = sqlx::query("PRAGMA wal_autocheckpoint=0")
        .execute(db.writer())
        .await
    {
        tracing::warn!("wal_autocheckpoint: {e}");
        return;
    }
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        if db.pool().is_closed() {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(db.pool())
            .await
        {
            tracing::debug!("checkpoint: {e}");
        }
    }
}

/// One batch in one transaction on the writer connection, committed
/// without waiting for the disk. The caller must flush the WAL before
/// telling anyone.
pub(super) async fn commit_unsynced(
    db: &Db,
    reqs: &[BookRequest],
) -> StoreResult<Vec<StoreResult<Outcome>>> {
    use sqlx::Connection;
    let mut conn = db.writer().acquire().await?;
    sqlx::query("PRAGMA synchronous=NORMAL")
        .execute(&mut *conn)
        .await?;
    let result = async {
        let mut tx = conn.begin().await?;
        let out = decide_batch(db, &mut tx, reqs).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(out)
    }
    .await;
    if sqlx::query("PRAGMA synchronous=FULL")
        .execute(&mut *conn)
        .await
        .is_err()
    {
        // Never hand a non-durable connection back to the pool.
        let _ = conn.detach().close().await;
    }
    result
}

pub(super) async fn writer(
    db: Db,
    rx: Arc<Mutex<mpsc::Receiver<Job>>>,
    sync: Option<mpsc::UnboundedSender<Replies>>,
) {
    let mut rx = rx.lock().await;
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        crate::fault_point!(&db, "bookings.writer");
        let reqs: Vec<BookRequest> = jobs.iter().map(|j| j.0.clone()).collect();
        let t = std::time::Instant::now();
        let unsynced = match &sync {
            Some(_) if reqs.len() > 1 => commit_unsynced(&db, &reqs).await.ok(),
            _ => None,
        };
        let (results, needs_flush) = match unsynced {
            Some(r) => (r, true),
            // Single requests, PostgreSQL, or a failed batch: durable
            // commits one way or another before answering.
            None => (book_batch(&db, &reqs).await, false),
        };
        tracing::debug!(
            size = reqs.len(),
            ms = t.elapsed().as_secs_f64() * 1000.0,
            "booking batch"
        );
        let replies: Replies = jobs.into_iter().map(|j| j.1).zip(results).collect();
        match (&sync, needs_flush) {
            (Some(s), true) => {
                if let Err(mpsc::error::SendError(replies)) = s.send(replies) {
                    for (reply, _) in replies {
                        let _ = reply
                            .send(Err(
                                anyhow::anyhow!("skrivningen kunde inte bekräftas").into()
                            ));
                    }
                }
            }
            _ => {
                for (reply, r) in replies {
                    let _ = reply.send(r);
                }
            }
        }
    }
}

/// Flush the WAL and then answer everything committed before the flush.
pub(super) async fn syncer(
    wal: std::path::PathBuf,
    rx: Arc<Mutex<mpsc::UnboundedReceiver<Replies>>>,
) {
    let mut rx = rx.lock().await;
    while let Some(first) = rx.recv().await {
        let mut groups = vec![first];
        while let Ok(g) = rx.try_recv() {
            groups.push(g);
        }
        let path = wal.clone();
        let flushed = tokio::task::spawn_blocking(move || {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&path)?
                .sync_data()
        })
        .await
        .map_err(std::io::Error::other)
        .and_then(|r| r);
        for (reply, r) in groups.into_iter().flatten() {
            let _ = reply.send(match &flushed {
                Ok(()) => r,
                Err(e) => {
                    Err(anyhow::anyhow!("bokningen kunde inte skrivas till disk: {e}").into())
                }
            });
        }
    }
}
