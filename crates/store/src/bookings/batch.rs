//! Deciding one request or a batch in a transaction, retried one by one
//! when the batch fails as a whole.

use std::collections::{BTreeMap, HashSet};

use domain::booking::Refusal;
use sqlx::AnyConnection;

use super::decide::SessionCtx;
use super::people::known_people;
use super::{refused, BookRequest, Outcome};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};

pub(super) fn is_retryable(e: &StoreError) -> bool {
    match e {
        StoreError::Db(sqlx::Error::Database(d)) => {
            matches!(
                d.code().as_deref(),
                Some("40P01") | Some("40001") | Some("55P03")
            )
        }
        _ => false,
    }
}

pub(super) async fn try_batch(
    db: &Db,
    reqs: &[BookRequest],
) -> StoreResult<Vec<StoreResult<Outcome>>> {
    let mut tx = db.begin().await?;
    let out = decide_batch(db, &mut tx, reqs).await?;
    tx.commit().await?;
    Ok(out)
}

/// Decide every request in the caller's transaction, in order.
pub(super) async fn decide_batch(
    db: &Db,
    tx: &mut AnyConnection,
    reqs: &[BookRequest],
) -> StoreResult<Vec<StoreResult<Outcome>>> {
    let now = crate::time::now();
    let mut by_session: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, r) in reqs.iter().enumerate() {
        by_session.entry(r.session_id).or_default().push(i);
    }
    let mut results: Vec<Option<StoreResult<Outcome>>> = (0..reqs.len()).map(|_| None).collect();
    for (sid, idxs) in by_session {
        let mut ctx = match SessionCtx::load(db, tx, sid, now).await {
            Ok(c) => c,
            Err(StoreError::NotFound(_)) => {
                for i in idxs {
                    results[i] = Some(Err(StoreError::NotFound("kurstillfälle")));
                }
                continue;
            }
            Err(e) => return Err(e),
        };
        // Seats freed by time (a quota or reservation released) go to
        // those already waiting before anyone new.
        ctx.settle(db, tx, now).await?;
        let person_ids: Vec<i64> = idxs.iter().map(|&i| reqs[i].person_id).collect();
        let known = known_people(db, tx, sid, &ctx.parts, &person_ids, ctx.claim_check()).await?;
        let mut live_here = HashSet::new();
        let mut decided = Vec::with_capacity(idxs.len());
        let mut decided_idx = Vec::with_capacity(idxs.len());
        for i in idxs {
            let r = &reqs[i];
            match ctx
                .decide(tx, r, known.get(&r.person_id), &mut live_here, now)
                .await?
            {
                Ok(p) => {
                    decided.push((r, p));
                    decided_idx.push(i);
                }
                Err(e) => results[i] = Some(Err(e)),
            }
        }
        let outcomes = ctx.write(db, tx, &decided, now).await?;
        for (i, o) in decided_idx.into_iter().zip(outcomes) {
            results[i] = Some(Ok(o));
        }
        ctx.save_status(tx, now).await?;
    }
    Ok(results
        .into_iter()
        .map(|r| r.expect("every request decided"))
        .collect())
}

pub(super) async fn book_alone(db: &Db, req: &BookRequest) -> StoreResult<Outcome> {
    let mut attempt = 0;
    loop {
        match try_batch(db, std::slice::from_ref(req)).await {
            Ok(mut v) => return v.pop().expect("one result"),
            Err(e) if is_retryable(&e) && attempt < 5 => attempt += 1,
            Err(e) if e.is_unique_violation() => return Err(refused(Refusal::AlreadyBooked)),
            Err(e) => return Err(e),
        }
    }
}

/// Decide one booking in its own transaction.
pub async fn book(db: &Db, req: &BookRequest) -> StoreResult<Outcome> {
    book_alone(db, req).await
}

/// Decide many bookings in one transaction, in the order given; falls back
/// to one transaction each if the batch fails as a whole.
pub async fn book_batch(db: &Db, reqs: &[BookRequest]) -> Vec<StoreResult<Outcome>> {
    if reqs.is_empty() {
        return vec![];
    }
    if reqs.len() == 1 {
        return vec![book_alone(db, &reqs[0]).await];
    }
    match try_batch(db, reqs).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!("booking batch retried one by one: {e}");
            let mut out = Vec::with_capacity(reqs.len());
            for r in reqs {
                out.push(book_alone(db, r).await);
            }
            out
        }
    }
}
