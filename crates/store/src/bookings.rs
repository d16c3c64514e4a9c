//! Bookings, the waiting list, reservations and offers, decided inside one
//! write transaction per batch.
//!
//! Every decision holds the session: on PostgreSQL its row is locked
//! (`SELECT … FOR UPDATE`), and the person's row too, so an overlap check
//! cannot race with the same person booking elsewhere; on SQLite all write
//! transactions go through the single writer connection. The seat decision
//! itself is `domain::booking::decide`. A promotion from the waiting list
//! happens in the same transaction as the change that freed the seat, and
//! every notice is written to the outbox in that transaction too.
//!
//! Several requests can be decided in one transaction ([`book_batch`],
//! used by the group-commit [`Queue`] and by a manager's bulk booking):
//! session by session, each session's requests in the order given, each
//! seeing the ones before it. A session's decisions are made in memory and
//! written with one multi-row insert for the bookings and one for their
//! notices, and all are committed together. If the transaction fails, each
//! request is retried alone, so one bad request cannot fail the others.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use domain::booking::{
    self as rules, Applicant, BookingStatus, HoldFacts, Occupancy, Placement, Pool, Refusal,
    SessionFacts,
};
use domain::notices::{self, Recipient, SessionText};
use domain::sessions::{overlaps, Interval, Quota, SessionStatus};
use domain::waitlist::{plan_promotions, Waiting};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow, Row};
use tokio::sync::{mpsc, oneshot, Mutex};

use crate::audit::{self, Who};
use crate::db::{Db, Engine};
use crate::error::{StoreError, StoreResult};
use crate::outbox::{self, Address};
use crate::sessions::{self as sess, HoldCount, SessionRow};
use crate::supervise;

/// Who made a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Via {
    /// The person themself.
    Own,
    Manager,
    Coordinator,
}

impl Via {
    pub fn code(self) -> &'static str {
        match self {
            Via::Own => "self",
            Via::Manager => "manager",
            Via::Coordinator => "coordinator",
        }
    }
    pub fn label_sv(code: &str) -> &'static str {
        match code {
            "manager" => "chef",
            "coordinator" => "samordnare",
            _ => "själv",
        }
    }
}

/// One request for a seat.
#[derive(Debug, Clone)]
pub struct BookRequest {
    pub session_id: i64,
    pub person_id: i64,
    pub who: Who,
    pub via: Via,
    /// Language support, interpreter, adapted material … (free text or codes).
    pub support_needs: String,
    /// Name the person into this reservation or offer.
    pub hold_id: Option<i64>,
}

/// What a request ended in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub booking_id: i64,
    pub status: BookingStatus,
    pub waitlist_position: Option<i64>,
}

fn refused(r: Refusal) -> StoreError {
    let field = match r {
        Refusal::AlreadyBooked | Refusal::Overlapping | Refusal::PersonInactive => {
            Some("person_id")
        }
        _ => None,
    };
    StoreError::conflict(field, r.message())
}

const LIVE: &str = "('booked', 'waitlisted', 'attended', 'absent')";
const SEAT: &str = "('booked', 'attended', 'absent')";

fn person_lock(db: &Db) -> &'static str {
    match db.engine() {
        Engine::Postgres => " FOR UPDATE",
        Engine::Sqlite => "",
    }
}

/// A person as a booking decision needs them.
#[derive(Debug, Clone, FromRow)]
struct PersonFacts {
    id: i64,
    name: String,
    email: String,
    municipality_id: i64,
    active: i64,
}

async fn person(db: &Db, conn: &mut AnyConnection, id: i64) -> StoreResult<Option<PersonFacts>> {
    Ok(sqlx::query_as(&format!(
        "SELECT id, name, email, municipality_id, active FROM people WHERE id = $1{}",
        person_lock(db)
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// The first start and the last end of a session's parts.
fn span(parts: &[Interval]) -> (i64, i64) {
    (
        parts.iter().map(|p| p.starts_at).min().unwrap_or(0),
        parts.iter().map(|p| p.ends_at).max().unwrap_or(0),
    )
}

/// Does the person hold a seat on another live session overlapping `parts`?
async fn has_overlap(
    conn: &mut AnyConnection,
    person_id: i64,
    session_id: i64,
    parts: &[Interval],
) -> StoreResult<bool> {
    let (from, to) = span(parts);
    let rows = sqlx::query(&format!(
        "SELECT COALESCE(p.starts_at, s.starts_at), COALESCE(p.ends_at, s.ends_at) FROM bookings b \
         JOIN sessions s ON s.id = b.session_id LEFT JOIN session_parts p ON p.session_id = s.id \
         WHERE b.person_id = $1 AND b.session_id <> $2 AND b.status IN {SEAT} AND s.status <> 'cancelled' \
         AND s.starts_at < $3 AND s.ends_at > $4"
    ))
    .bind(person_id)
    .bind(session_id)
    .bind(to)
    .bind(from)
    .fetch_all(conn)
    .await?;
    let other: Vec<Interval> = rows
        .iter()
        .map(|r| Interval::new(r.get(0), r.get(1)))
        .collect();
    Ok(overlaps(parts, &other))
}

/// What a group's decisions need to know about each person, read in one
/// query for the whole group.
struct Known {
    person: PersonFacts,
    /// Already has a live booking on this session.
    live: bool,
    /// Holds a seat on another session within this session's span.
    near: bool,
}

/// The people of a group (locked on PostgreSQL, in id order so that two
/// writers never wait on each other in a circle), their live booking here
/// and whether anything they hold elsewhere may overlap.
async fn known_people(
    db: &Db,
    tx: &mut AnyConnection,
    session_id: i64,
    parts: &[Interval],
    person_ids: &[i64],
) -> StoreResult<BTreeMap<i64, Known>> {
    let ids: Vec<i64> = person_ids
        .iter()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut known = BTreeMap::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        known.extend(known_people_chunk(db, tx, session_id, parts, chunk).await?);
    }
    Ok(known)
}

async fn known_people_chunk(
    db: &Db,
    tx: &mut AnyConnection,
    session_id: i64,
    parts: &[Interval],
    ids: &[i64],
) -> StoreResult<BTreeMap<i64, Known>> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let (from, to) = span(parts);
    let list = (0..ids.len())
        .map(|i| format!("${}", i + 4))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT p.id, p.name, p.email, p.municipality_id, p.active, \
         (SELECT COUNT(*) FROM bookings b WHERE b.session_id = $1 AND b.person_id = p.id AND b.status IN {LIVE}), \
         (SELECT COUNT(*) FROM bookings b JOIN sessions s ON s.id = b.session_id WHERE b.person_id = p.id \
          AND b.session_id <> $1 AND b.status IN {SEAT} AND s.status <> 'cancelled' AND s.starts_at < $2 AND s.ends_at > $3) \
         FROM people p WHERE p.id IN ({list}) ORDER BY p.id{}",
        person_lock(db)
    );
    let mut q = sqlx::query(&sql).bind(session_id).bind(to).bind(from);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            let person = PersonFacts {
                id: r.get(0),
                name: r.get(1),
                email: r.get(2),
                municipality_id: r.get(3),
                active: r.get(4),
            };
            let known = Known {
                live: r.get::<i64, _>(5) > 0,
                near: r.get::<i64, _>(6) > 0,
                person,
            };
            (known.person.id, known)
        })
        .collect())
}

/// Rows per multi-row statement: far below either engine's limit on bound
/// parameters (SQLite 32 766, PostgreSQL 65 535) at 11 per row.
const ROWS_PER_STATEMENT: usize = 500;

/// A decision made in memory, not yet written.
struct Pending {
    person: PersonFacts,
    status: BookingStatus,
    waitlist_seq: Option<i64>,
    quota: Option<i64>,
    /// Place on the waiting list, for the waitlisted.
    position: Option<i64>,
}

/// A locked session and what has been decided on it so far in this transaction.
struct SessionCtx {
    row: SessionRow,
    parts: Vec<Interval>,
    facts: SessionFacts,
    occ: Occupancy,
    holds: Vec<HoldCount>,
    waitlisted: i64,
    next_seq: i64,
    text: SessionText,
}

impl SessionCtx {
    async fn load(
        db: &Db,
        tx: &mut AnyConnection,
        session_id: i64,
        now: i64,
    ) -> StoreResult<SessionCtx> {
        let row = sess::row(tx, session_id, sess::lock_suffix(db)).await?;
        let mut parts = sess::parts(tx, session_id).await?;
        if parts.is_empty() {
            parts.push(Interval::new(row.starts_at, row.ends_at));
        }
        let quotas: Vec<Quota> = sess::quotas(tx, session_id).await?;
        let occ = sess::occupancy(tx, session_id, now).await?;
        let holds = sess::active_holds(tx, session_id, now).await?;
        let w = sqlx::query(
            "SELECT COUNT(*), MAX(waitlist_seq) FROM bookings WHERE session_id = $1 AND status = 'waitlisted'",
        )
        .bind(session_id)
        .fetch_one(&mut *tx)
        .await?;
        let waitlisted: i64 = w.get(0);
        let max_seq: Option<i64> = w.get(1);
        // Sequence numbers only grow, also past people who left the list.
        let max_any: Option<i64> =
            sqlx::query_scalar("SELECT MAX(waitlist_seq) FROM bookings WHERE session_id = $1")
                .bind(session_id)
                .fetch_one(&mut *tx)
                .await?;
        let next_seq = max_seq.max(max_any).unwrap_or(0) + 1;
        let facts = row.facts(&quotas);
        let text = row.text(&parts);
        Ok(SessionCtx {
            row,
            parts,
            facts,
            occ,
            holds,
            waitlisted,
            next_seq,
            text,
        })
    }

    fn free_total(&self, now: i64) -> i64 {
        self.facts.pools(&self.occ, now).free_total()
    }

    /// Store open/full to match the seats (held and cancelled stay).
    async fn save_status(&self, tx: &mut AnyConnection, now: i64) -> StoreResult<()> {
        let stored = self.facts.status;
        if stored.is_final() {
            return Ok(());
        }
        let want = if self.free_total(now) > 0 {
            if stored == SessionStatus::Planned {
                SessionStatus::Planned
            } else {
                SessionStatus::Open
            }
        } else {
            SessionStatus::Full
        };
        if want != stored {
            sqlx::query("UPDATE sessions SET status = $1, updated_at = $2 WHERE id = $3")
                .bind(want.code())
                .bind(now)
                .bind(self.row.id)
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }

    /// Decide one request in memory (seats, quotas and the waiting list as
    /// decided so far in this transaction). The outer error aborts the
    /// transaction; the inner one is the request's own answer. The row is
    /// written by [`SessionCtx::write`] together with the rest of the group.
    async fn decide(
        &mut self,
        tx: &mut AnyConnection,
        req: &BookRequest,
        known: Option<&Known>,
        live_here: &mut HashSet<i64>,
        now: i64,
    ) -> StoreResult<StoreResult<Pending>> {
        let Some(k) = known else {
            return Ok(Err(StoreError::invalid(
                "person_id",
                "unknown_person",
                "Personen finns inte.",
            )));
        };
        let p = &k.person;
        // The span check is coarse; confirm it part by part.
        let overlapping = k.near && has_overlap(tx, p.id, self.row.id, &self.parts).await?;
        let applicant = Applicant {
            municipality_id: p.municipality_id,
            active: p.active == 1,
            already_live: k.live || live_here.contains(&p.id),
            overlapping,
        };
        let (placement, hold_idx) = match req.hold_id {
            None => match rules::decide(&self.facts, &self.occ, now, &applicant) {
                Ok(pl) => (pl, None),
                Err(r) => return Ok(Err(refused(r))),
            },
            Some(hid) => {
                let Some(idx) = self.holds.iter().position(|h| h.id == hid) else {
                    return Ok(Err(StoreError::conflict(
                        Some("hold_id"),
                        "Reservationen finns inte, hör till ett annat tillfälle eller har gått ut.",
                    )));
                };
                let h = self.holds[idx];
                let meta =
                    sqlx::query("SELECT person_id, expires_at FROM session_holds WHERE id = $1")
                        .bind(hid)
                        .fetch_one(&mut *tx)
                        .await?;
                let for_person: Option<i64> = meta.get(0);
                if for_person.is_some_and(|x| x != p.id) {
                    return Ok(Err(StoreError::Forbidden(
                        "Platsen är erbjuden en annan person.".into(),
                    )));
                }
                if for_person.is_none() && p.municipality_id != h.municipality_id {
                    return Ok(Err(StoreError::conflict(
                        Some("person_id"),
                        "Personen hör inte till reservationens kommun.",
                    )));
                }
                let facts = HoldFacts {
                    municipality_id: h.municipality_id,
                    quota_seats: h.quota_seats,
                    general_seats: h.general_seats,
                    named_quota: h.named_quota,
                    named_general: h.named_general,
                    expires_at: meta.get(1),
                };
                match rules::decide_named(&self.facts, &facts, now, &applicant) {
                    Ok(pool) => (Placement::Booked(pool), Some(idx)),
                    Err(r) => return Ok(Err(refused(r))),
                }
            }
        };
        live_here.insert(p.id);
        let pending = match placement {
            Placement::Booked(pool) => {
                if let Some(i) = hold_idx {
                    let h = &mut self.holds[i];
                    if h.named_quota < h.quota_seats {
                        h.named_quota += 1;
                        self.occ
                            .held_quota
                            .entry(h.municipality_id)
                            .and_modify(|n| *n -= 1);
                    } else {
                        h.named_general += 1;
                        self.occ.held_general -= 1;
                    }
                }
                self.occ.take(pool);
                Pending {
                    person: p.clone(),
                    status: BookingStatus::Booked,
                    waitlist_seq: None,
                    quota: pool.quota_municipality(),
                    position: None,
                }
            }
            Placement::Waitlisted => {
                let seq = self.next_seq;
                self.next_seq += 1;
                self.waitlisted += 1;
                Pending {
                    person: p.clone(),
                    status: BookingStatus::Waitlisted,
                    waitlist_seq: Some(seq),
                    quota: None,
                    position: Some(self.waitlisted),
                }
            }
        };
        Ok(Ok(pending))
    }

    /// Write a group's decisions: one multi-row insert for the bookings and
    /// one for their notices. A duplicate (the partial unique index backs
    /// the in-memory check) fails the whole statement, and with it the
    /// batch, which is then retried one request at a time.
    async fn write(
        &self,
        tx: &mut AnyConnection,
        decided: &[(&BookRequest, Pending)],
        now: i64,
    ) -> StoreResult<Vec<Outcome>> {
        let mut outcomes = Vec::with_capacity(decided.len());
        for chunk in decided.chunks(ROWS_PER_STATEMENT) {
            outcomes.extend(self.write_chunk(tx, chunk, now).await?);
        }
        Ok(outcomes)
    }

    async fn write_chunk(
        &self,
        tx: &mut AnyConnection,
        decided: &[(&BookRequest, Pending)],
        now: i64,
    ) -> StoreResult<Vec<Outcome>> {
        if decided.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "INSERT INTO bookings (session_id, person_id, status, waitlist_seq, quota_municipality_id, support_needs, \
             booked_by_account_id, booked_at, updated_at, hold_id, booked_via) VALUES {} RETURNING id, person_id",
            crate::db::values_list(decided.len(), 11)
        );
        let mut q = sqlx::query(&sql);
        for (req, d) in decided {
            q = q
                .bind(self.row.id)
                .bind(d.person.id)
                .bind(d.status.code())
                .bind(d.waitlist_seq)
                .bind(d.quota)
                .bind(req.support_needs.trim())
                .bind(req.who.account_id)
                .bind(now)
                .bind(now)
                .bind(req.hold_id)
                .bind(req.via.code());
        }
        // RETURNING gives no order guarantee; a person has one row here.
        let ids: BTreeMap<i64, i64> = q
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| (r.get::<i64, _>(1), r.get::<i64, _>(0)))
            .collect();
        let sender = outbox::sender();
        let mut outcomes = Vec::with_capacity(decided.len());
        let mut letters = Vec::with_capacity(decided.len());
        for (req, d) in decided {
            let booking_id = *ids.get(&d.person.id).ok_or_else(|| {
                StoreError::Other(anyhow::anyhow!(
                    "bokningen för person {} saknas",
                    d.person.id
                ))
            })?;
            let by = (req.via != Via::Own).then_some(req.who.label.as_str());
            let to = Recipient {
                name: d.person.name.clone(),
                email: d.person.email.clone(),
            };
            let notice = match d.position {
                None => notices::booked(&self.text, &sender, &to, booking_id, 0, by, now),
                Some(pos) => notices::waitlisted(&self.text, &sender, &to, pos, by),
            };
            let addr = Address {
                email: d.person.email.clone(),
                person_id: Some(d.person.id),
                session_id: Some(self.row.id),
                booking_id: Some(booking_id),
            };
            letters.push((addr, notice));
            outcomes.push(Outcome {
                booking_id,
                status: d.status,
                waitlist_position: d.position,
            });
        }
        outbox::enqueue_many(tx, &letters, now).await?;
        Ok(outcomes)
    }

    /// Give every free seat to the first eligible waiting person (rule 2).
    /// Returns the promoted booking ids in order.
    async fn settle(&mut self, db: &Db, tx: &mut AnyConnection, now: i64) -> StoreResult<Vec<i64>> {
        if self.waitlisted == 0
            || self.free_total(now) == 0
            || self.facts.status.is_final()
            || now >= self.row.starts_at
        {
            return Ok(vec![]);
        }
        let rows = sqlx::query(
            "SELECT b.id, b.person_id, p.municipality_id, p.active, p.name, p.email FROM bookings b \
             JOIN people p ON p.id = b.person_id WHERE b.session_id = $1 AND b.status = 'waitlisted' \
             ORDER BY b.waitlist_seq",
        )
        .bind(self.row.id)
        .fetch_all(&mut *tx)
        .await?;
        let mut ineligible: HashSet<i64> = HashSet::new();
        let mut checked: HashSet<i64> = HashSet::new();
        let (plan, occ) = loop {
            let waiting: Vec<Waiting> = rows
                .iter()
                .map(|r| Waiting {
                    booking_id: r.get(0),
                    municipality_id: r.get(2),
                    eligible: r.get::<i64, _>(3) == 1 && !ineligible.contains(&r.get::<i64, _>(0)),
                })
                .collect();
            let mut occ = self.occ.clone();
            let plan = plan_promotions(&self.facts, &mut occ, now, &waiting);
            let mut changed = false;
            for (bid, _) in &plan {
                if !checked.insert(*bid) {
                    continue;
                }
                let r = rows
                    .iter()
                    .find(|r| r.get::<i64, _>(0) == *bid)
                    .expect("planned from rows");
                let pid: i64 = r.get(1);
                person(db, tx, pid).await?;
                if has_overlap(tx, pid, self.row.id, &self.parts).await? {
                    ineligible.insert(*bid);
                    changed = true;
                }
            }
            if !changed {
                break (plan, occ);
            }
        };
        let sender = outbox::sender();
        let mut promoted = vec![];
        for (bid, pool) in plan {
            let r = rows
                .iter()
                .find(|r| r.get::<i64, _>(0) == bid)
                .expect("planned from rows");
            let token = crate::accounts::new_secret();
            sqlx::query(
                "UPDATE bookings SET status = 'booked', waitlist_seq = NULL, quota_municipality_id = $1, promoted_at = $2, \
                 token_hash = $3, updated_at = $2 WHERE id = $4",
            )
            .bind(pool.quota_municipality())
            .bind(now)
            .bind(crate::accounts::hash_secret(&token))
            .bind(bid)
            .execute(&mut *tx)
            .await?;
            let to = Recipient {
                name: r.get(4),
                email: r.get(5),
            };
            let n = notices::promoted(&self.text, &sender, &to, bid, 0, &token, now);
            let addr = Address {
                email: to.email.clone(),
                person_id: Some(r.get(1)),
                session_id: Some(self.row.id),
                booking_id: Some(bid),
            };
            outbox::enqueue(tx, &addr, &n, now).await?;
            promoted.push(bid);
        }
        self.waitlisted -= promoted.len() as i64;
        self.occ = occ;
        Ok(promoted)
    }
}

fn is_retryable(e: &StoreError) -> bool {
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

async fn try_batch(db: &Db, reqs: &[BookRequest]) -> StoreResult<Vec<StoreResult<Outcome>>> {
    let mut tx = db.begin().await?;
    let out = decide_batch(db, &mut tx, reqs).await?;
    tx.commit().await?;
    Ok(out)
}

/// Decide every request in the caller's transaction, in order.
async fn decide_batch(
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
        let known = known_people(db, tx, sid, &ctx.parts, &person_ids).await?;
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
        let outcomes = ctx.write(tx, &decided, now).await?;
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

async fn book_alone(db: &Db, req: &BookRequest) -> StoreResult<Outcome> {
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

// Group commit -----------------------------------------------------------------

type Job = (BookRequest, oneshot::Sender<StoreResult<Outcome>>);
type Replies = Vec<(oneshot::Sender<StoreResult<Outcome>>, StoreResult<Outcome>)>;

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
fn wal_path(url: &str) -> Option<std::path::PathBuf> {
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
async fn checkpointer(db: Db) {
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
async fn commit_unsynced(db: &Db, reqs: &[BookRequest]) -> StoreResult<Vec<StoreResult<Outcome>>> {
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

async fn writer(
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
async fn syncer(wal: std::path::PathBuf, rx: Arc<Mutex<mpsc::UnboundedReceiver<Replies>>>) {
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

// Cancelling ---------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cancelled {
    pub status: BookingStatus,
    /// Waiting people who got a seat because of this cancellation.
    pub promoted: Vec<i64>,
}

/// Cancel a booking (or leave the waiting list). With `token`, the caller
/// is the holder of a one-click decline link rather than a logged-in user.
pub async fn cancel(
    db: &Db,
    who: &Who,
    booking_id: i64,
    token: Option<&str>,
) -> StoreResult<Cancelled> {
    let mut attempt = 0;
    loop {
        match try_cancel(db, who, booking_id, token).await {
            Err(e) if is_retryable(&e) && attempt < 5 => attempt += 1,
            other => return other,
        }
    }
}

async fn try_cancel(
    db: &Db,
    who: &Who,
    booking_id: i64,
    token: Option<&str>,
) -> StoreResult<Cancelled> {
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let sid: i64 = sqlx::query_scalar("SELECT session_id FROM bookings WHERE id = $1")
        .bind(booking_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("anmälan"))?;
    let mut ctx = SessionCtx::load(db, &mut tx, sid, now).await?;
    let b = sqlx::query(
        "SELECT b.status, b.person_id, b.promoted_at, b.ics_sequence, b.token_hash, p.name, p.email \
         FROM bookings b JOIN people p ON p.id = b.person_id WHERE b.id = $1",
    )
    .bind(booking_id)
    .fetch_one(&mut *tx)
    .await?;
    let status = BookingStatus::parse(&b.get::<String, _>(0)).unwrap_or(BookingStatus::Cancelled);
    if let Some(t) = token {
        let stored: Option<String> = b.get(4);
        if stored.as_deref() != Some(crate::accounts::hash_secret(t).as_str()) {
            return Err(StoreError::Forbidden(
                "Länken är ogiltig eller har redan använts.".into(),
            ));
        }
    }
    let kind = rules::cancellation(
        now,
        ctx.row.starts_at,
        ctx.row.cancellation_deadline_days,
        status,
        b.get::<Option<i64>, _>(2),
    )
    .map_err(|r| StoreError::conflict(None, r.message()))?;
    let seq: i64 = b.get::<i64, _>(3) + 1;
    sqlx::query(
        "UPDATE bookings SET status = $1, waitlist_seq = NULL, cancelled_at = $2, cancelled_by_account_id = $3, \
         ics_sequence = $4, token_hash = NULL, updated_at = $2 WHERE id = $5",
    )
    .bind(kind.status().code())
    .bind(now)
    .bind(who.account_id)
    .bind(seq)
    .bind(booking_id)
    .execute(&mut *tx)
    .await?;
    let had_seat = status.holds_seat();
    if had_seat {
        // Recount: a seat named into a live reservation goes back to it.
        ctx.occ = sess::occupancy(&mut tx, sid, now).await?;
        ctx.holds = sess::active_holds(&mut tx, sid, now).await?;
    } else {
        ctx.waitlisted -= 1;
    }
    let person_id: i64 = b.get(1);
    let to = Recipient {
        name: b.get(5),
        email: b.get(6),
    };
    let n = notices::booking_cancelled(
        &ctx.text,
        &outbox::sender(),
        &to,
        booking_id,
        seq,
        had_seat,
        kind == rules::CancelKind::LateCancelled,
        now,
    );
    let addr = Address {
        email: to.email.clone(),
        person_id: Some(person_id),
        session_id: Some(sid),
        booking_id: Some(booking_id),
    };
    outbox::enqueue(&mut tx, &addr, &n, now).await?;
    let promoted = ctx.settle(db, &mut tx, now).await?;
    ctx.save_status(&mut tx, now).await?;
    audit::record(
        &mut tx,
        who,
        "booking.cancel",
        "booking",
        Some(booking_id),
        Some(person_id),
        kind.status().code(),
    )
    .await?;
    tx.commit().await?;
    Ok(Cancelled {
        status: kind.status(),
        promoted,
    })
}

/// Fill free seats from the waiting list of one session (after a quota or
/// a reservation was released by time).
pub async fn settle_session(db: &Db, session_id: i64) -> StoreResult<Vec<i64>> {
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let mut ctx = SessionCtx::load(db, &mut tx, session_id, now).await?;
    let p = ctx.settle(db, &mut tx, now).await?;
    ctx.save_status(&mut tx, now).await?;
    tx.commit().await?;
    Ok(p)
}

/// Release expired holds and fill freed seats on every upcoming session
/// that has people waiting. Run every minute by the server.
pub async fn sweep(db: &Db) -> StoreResult<usize> {
    let now = crate::time::now();
    sqlx::query("UPDATE session_holds SET released_at = expires_at WHERE released_at IS NULL AND expires_at <= $1")
        .bind(now)
        .execute(db.writer())
        .await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT b.session_id FROM bookings b JOIN sessions s ON s.id = b.session_id \
         WHERE b.status = 'waitlisted' AND s.starts_at > $1 AND s.status NOT IN ('cancelled', 'held')",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut n = 0;
    for id in ids {
        n += settle_session(db, id).await?.len();
    }
    Ok(n)
}

// Reservations and offers ------------------------------------------------------------

/// Reserve `seats` on a session for a unit; people are named later, until
/// `expires_at`, after which unnamed seats go to the waiting list and others.
pub async fn reserve(
    db: &Db,
    who: &Who,
    session_id: i64,
    unit_id: i64,
    seats: i64,
    expires_at: i64,
) -> StoreResult<i64> {
    let now = crate::time::now();
    if !(1..=500).contains(&seats) {
        return Err(StoreError::invalid(
            "seats",
            "invalid_seats",
            "Ange antal platser (minst 1).",
        ));
    }
    if expires_at <= now {
        return Err(StoreError::invalid(
            "expires_at",
            "deadline_in_past",
            "Sista dag att namnge deltagare måste vara i framtiden.",
        ));
    }
    let unit = crate::org::unit(db, unit_id)
        .await
        .map_err(|_| StoreError::invalid("unit_id", "unknown_unit", "Okänd enhet."))?;
    let mut tx = db.begin().await?;
    let mut ctx = SessionCtx::load(db, &mut tx, session_id, now).await?;
    if expires_at > ctx.row.closes_at() {
        return Err(StoreError::invalid(
            "expires_at",
            "deadline_after_close",
            format!(
                "Sista dag att namnge deltagare får vara senast när anmälan stänger ({}).",
                domain::sessions::format_local(ctx.row.closes_at())
            ),
        ));
    }
    ctx.settle(db, &mut tx, now).await?;
    let (q, g) = rules::decide_hold(&ctx.facts, &ctx.occ, now, unit.municipality_id, seats)
        .map_err(refused)?;
    let id: i64 = sqlx::query(
        "INSERT INTO session_holds (session_id, kind, municipality_id, unit_id, quota_seats, general_seats, expires_at, \
         created_by_account_id, created_at) VALUES ($1, 'reservation', $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(session_id)
    .bind(unit.municipality_id)
    .bind(unit_id)
    .bind(q)
    .bind(g)
    .bind(expires_at)
    .bind(who.account_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    if q > 0 {
        ctx.occ.hold(Pool::Quota(unit.municipality_id), q);
    }
    ctx.occ.hold(Pool::General, g);
    ctx.save_status(&mut tx, now).await?;
    audit::record(
        &mut tx,
        who,
        "reservation.create",
        "session",
        Some(session_id),
        None,
        &format!("{seats} platser för {}", unit.name),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Give up a hold's unnamed seats now (a manager ends a reservation early,
/// or a person declines an offer).
pub async fn release_hold(
    db: &Db,
    who: &Who,
    hold_id: i64,
    token: Option<&str>,
) -> StoreResult<Vec<i64>> {
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    let h =
        sqlx::query("SELECT session_id, released_at, token_hash FROM session_holds WHERE id = $1")
            .bind(hold_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("reservation"))?;
    let sid: i64 = h.get(0);
    if let Some(t) = token {
        if h.get::<Option<String>, _>(2).as_deref()
            != Some(crate::accounts::hash_secret(t).as_str())
        {
            return Err(StoreError::Forbidden("Länken är ogiltig.".into()));
        }
    }
    let mut ctx = SessionCtx::load(db, &mut tx, sid, now).await?;
    if h.get::<Option<i64>, _>(1).is_some() {
        return Err(StoreError::conflict(None, "Reservationen är redan släppt."));
    }
    sqlx::query("UPDATE session_holds SET released_at = $1 WHERE id = $2")
        .bind(now)
        .bind(hold_id)
        .execute(&mut *tx)
        .await?;
    ctx.occ = sess::occupancy(&mut tx, sid, now).await?;
    ctx.holds = sess::active_holds(&mut tx, sid, now).await?;
    let promoted = ctx.settle(db, &mut tx, now).await?;
    ctx.save_status(&mut tx, now).await?;
    audit::record(
        &mut tx,
        who,
        "reservation.release",
        "session",
        Some(sid),
        None,
        &hold_id.to_string(),
    )
    .await?;
    tx.commit().await?;
    Ok(promoted)
}

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct HoldView {
    pub id: i64,
    pub session_id: i64,
    pub kind: String,
    pub municipality_id: i64,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub person_id: Option<i64>,
    pub from_session_id: Option<i64>,
    pub seats: i64,
    pub named: i64,
    pub expires_at: i64,
    pub released_at: Option<i64>,
    pub course_title: String,
    pub session_starts_at: i64,
}

impl HoldView {
    pub fn is_active(&self, now: i64) -> bool {
        self.released_at.is_none() && now < self.expires_at
    }
    pub fn unnamed(&self) -> i64 {
        (self.seats - self.named).max(0)
    }
}

const HOLD_SELECT: &str = "SELECT h.id, h.session_id, h.kind, h.municipality_id, h.unit_id, u.name AS unit_name, h.person_id, \
    h.from_session_id, h.quota_seats + h.general_seats AS seats, \
    (SELECT COUNT(*) FROM bookings b WHERE b.hold_id = h.id AND b.status IN ('booked', 'attended', 'absent')) AS named, \
    h.expires_at, h.released_at, c.title AS course_title, s.starts_at AS session_starts_at \
    FROM session_holds h JOIN sessions s ON s.id = h.session_id JOIN courses c ON c.id = s.course_id \
    LEFT JOIN units u ON u.id = h.unit_id";

pub async fn hold(db: &Db, id: i64) -> StoreResult<HoldView> {
    sqlx::query_as(&format!("{HOLD_SELECT} WHERE h.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("reservation"))
}

pub async fn holds_for_session(db: &Db, session_id: i64) -> StoreResult<Vec<HoldView>> {
    Ok(sqlx::query_as(&format!(
        "{HOLD_SELECT} WHERE h.session_id = $1 ORDER BY h.id"
    ))
    .bind(session_id)
    .fetch_all(db.pool())
    .await?)
}

/// Reservations for any of these units, newest first.
pub async fn holds_for_units(db: &Db, unit_ids: &[i64]) -> StoreResult<Vec<HoldView>> {
    if unit_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids = unit_ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    Ok(sqlx::query_as(&format!(
        "{HOLD_SELECT} WHERE h.kind = 'reservation' AND h.unit_id IN ({ids}) ORDER BY h.id DESC"
    ))
    .fetch_all(db.pool())
    .await?)
}

/// Open offers for a person (after a cancelled session).
pub async fn offers_for_person(db: &Db, person_id: i64) -> StoreResult<Vec<HoldView>> {
    let now = crate::time::now();
    let v: Vec<HoldView> = sqlx::query_as(&format!(
        "{HOLD_SELECT} WHERE h.kind = 'offer' AND h.person_id = $1 AND h.released_at IS NULL AND h.expires_at > $2 ORDER BY h.expires_at"
    ))
    .bind(person_id)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    Ok(v.into_iter().filter(|h| h.unnamed() > 0).collect())
}

/// Take an offered place. With `token`, the caller holds the e-mailed link.
pub async fn accept_offer(
    db: &Db,
    who: &Who,
    hold_id: i64,
    token: Option<&str>,
) -> StoreResult<Outcome> {
    let h = sqlx::query(
        "SELECT session_id, person_id, token_hash, kind FROM session_holds WHERE id = $1",
    )
    .bind(hold_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(StoreError::NotFound("erbjudande"))?;
    if h.get::<String, _>(3) != "offer" {
        return Err(StoreError::NotFound("erbjudande"));
    }
    if let Some(t) = token {
        if h.get::<Option<String>, _>(2).as_deref()
            != Some(crate::accounts::hash_secret(t).as_str())
        {
            return Err(StoreError::Forbidden("Länken är ogiltig.".into()));
        }
    }
    let person_id: Option<i64> = h.get(1);
    book(
        db,
        &BookRequest {
            session_id: h.get(0),
            person_id: person_id.ok_or(StoreError::NotFound("erbjudande"))?,
            who: who.clone(),
            via: Via::Own,
            support_needs: String::new(),
            hold_id: Some(hold_id),
        },
    )
    .await
}

// Cancelling a session -----------------------------------------------------------------

#[derive(Debug, Clone, Default, Serialize)]
pub struct SessionCancelReport {
    pub notified: usize,
    pub offers: usize,
    pub next_session_id: Option<i64>,
}

/// How long an offered place on the next session is held.
pub const OFFER_HOLD_SECS: i64 = 7 * 86_400;

/// Cancel a whole session (e.g. the trainer is ill): everyone booked or
/// waiting is told, and each is offered a place on the next session of the
/// same course, held for them before others can take it (booked people
/// first, then the waiting list in order, as long as seats last).
pub async fn cancel_session(
    db: &Db,
    who: &Who,
    session_id: i64,
    reason: &str,
) -> StoreResult<SessionCancelReport> {
    let now = crate::time::now();
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::invalid(
            "reason",
            "missing_reason",
            "Ange orsak till att tillfället ställs in.",
        ));
    }
    let mut tx = db.begin().await?;
    let ctx = SessionCtx::load(db, &mut tx, session_id, now).await?;
    if !ctx.facts.status.can_become(SessionStatus::Cancelled) {
        return Err(StoreError::conflict(
            None,
            format!(
                "Ett {} kurstillfälle kan inte ställas in.",
                ctx.facts.status.label_sv()
            ),
        ));
    }
    sqlx::query("UPDATE sessions SET status = 'cancelled', cancel_reason = $1, cancelled_at = $2, updated_at = $2 WHERE id = $3")
        .bind(reason)
        .bind(now)
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE session_holds SET released_at = $1 WHERE session_id = $2 AND released_at IS NULL",
    )
    .bind(now)
    .bind(session_id)
    .execute(&mut *tx)
    .await?;
    let affected = sqlx::query(
        "SELECT b.id, b.status, b.ics_sequence, p.id, p.name, p.email, p.municipality_id, p.active FROM bookings b \
         JOIN people p ON p.id = b.person_id WHERE b.session_id = $1 AND b.status IN ('booked', 'waitlisted') \
         ORDER BY CASE WHEN b.status = 'booked' THEN 0 ELSE 1 END, b.waitlist_seq, b.booked_at, b.id",
    )
    .bind(session_id)
    .fetch_all(&mut *tx)
    .await?;
    let next_id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM sessions WHERE course_id = $1 AND id <> $2 AND status NOT IN ('cancelled', 'held') \
         AND starts_at > $3 ORDER BY starts_at, id LIMIT 1",
    )
    .bind(ctx.row.course_id)
    .bind(session_id)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let mut next = match next_id {
        Some(id) => {
            let c = SessionCtx::load(db, &mut tx, id, now).await?;
            // The offer lasts a week, but never past the next session's close.
            let expires = (now + OFFER_HOLD_SECS).min(c.row.closes_at());
            (expires > now && c.row.registration_opens_at.is_none_or(|o| o <= now))
                .then_some((c, expires))
        }
        None => None,
    };
    let sender = outbox::sender();
    let mut report = SessionCancelReport {
        next_session_id: next_id,
        ..Default::default()
    };
    for r in &affected {
        let bid: i64 = r.get(0);
        let had_seat = r.get::<String, _>(1) == "booked";
        let seq: i64 = r.get::<i64, _>(2) + 1;
        let pid: i64 = r.get(3);
        sqlx::query(
            "UPDATE bookings SET status = 'cancelled', waitlist_seq = NULL, cancelled_at = $1, cancelled_by_account_id = $2, \
             ics_sequence = $3, updated_at = $1 WHERE id = $4",
        )
        .bind(now)
        .bind(who.account_id)
        .bind(seq)
        .bind(bid)
        .execute(&mut *tx)
        .await?;
        let mut offer = None;
        if let Some((n, expires)) = next.as_mut() {
            let live: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM bookings WHERE session_id = $1 AND person_id = $2 AND status IN {LIVE}"
            ))
            .bind(n.row.id)
            .bind(pid)
            .fetch_one(&mut *tx)
            .await?;
            let eligible = r.get::<i64, _>(7) == 1
                && live == 0
                && !has_overlap(&mut tx, pid, n.row.id, &n.parts).await?;
            if eligible {
                if let Ok((q, g)) = rules::decide_hold(&n.facts, &n.occ, now, r.get(6), 1) {
                    let token = crate::accounts::new_secret();
                    let hid: i64 = sqlx::query(
                        "INSERT INTO session_holds (session_id, kind, municipality_id, person_id, from_session_id, quota_seats, \
                         general_seats, expires_at, token_hash, created_by_account_id, created_at) \
                         VALUES ($1, 'offer', $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    )
                    .bind(n.row.id)
                    .bind(r.get::<i64, _>(6))
                    .bind(pid)
                    .bind(session_id)
                    .bind(q)
                    .bind(g)
                    .bind(*expires)
                    .bind(crate::accounts::hash_secret(&token))
                    .bind(who.account_id)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?
                    .get(0);
                    if q > 0 {
                        n.occ.hold(Pool::Quota(r.get(6)), q);
                    }
                    n.occ.hold(Pool::General, g);
                    report.offers += 1;
                    offer = Some(notices::OfferText {
                        hold_id: hid,
                        token,
                        session: n.text.clone(),
                        expires_at: *expires,
                    });
                }
            }
        }
        let to = Recipient {
            name: r.get(4),
            email: r.get(5),
        };
        let notice = notices::session_cancelled(
            &ctx.text,
            &sender,
            &to,
            bid,
            seq,
            had_seat,
            reason,
            offer.as_ref(),
            now,
        );
        let addr = Address {
            email: to.email.clone(),
            person_id: Some(pid),
            session_id: Some(session_id),
            booking_id: Some(bid),
        };
        outbox::enqueue(&mut tx, &addr, &notice, now).await?;
        report.notified += 1;
    }
    if let Some((n, _)) = &next {
        n.save_status(&mut tx, now).await?;
    }
    audit::record(
        &mut tx,
        who,
        "session.cancel",
        "session",
        Some(session_id),
        None,
        reason,
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

// Reading -----------------------------------------------------------------------------

/// A booking with its session, as "Mina bokningar" and the API show it.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct BookingView {
    pub id: i64,
    pub session_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub person_email: String,
    pub person_municipality_id: i64,
    pub person_municipality: String,
    pub person_unit_id: Option<i64>,
    pub person_unit: Option<String>,
    pub status: String,
    pub waitlist_seq: Option<i64>,
    pub quota_municipality_id: Option<i64>,
    pub support_needs: String,
    pub booked_by_account_id: Option<i64>,
    pub booked_by: Option<String>,
    pub booked_via: String,
    pub booked_at: i64,
    pub cancelled_at: Option<i64>,
    pub promoted_at: Option<i64>,
    pub hold_id: Option<i64>,
    pub ics_sequence: i64,
    pub course_id: i64,
    pub course_title: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub venue: String,
    pub session_municipality: String,
    pub session_status: String,
    pub cancellation_deadline_days: i64,
    /// Filled in after loading.
    #[sqlx(skip)]
    pub waitlist_position: Option<i64>,
}

impl BookingView {
    pub fn status(&self) -> BookingStatus {
        BookingStatus::parse(&self.status).unwrap_or(BookingStatus::Cancelled)
    }
    pub fn status_label(&self) -> &'static str {
        self.status().label_sv()
    }
    pub fn via_label(&self) -> &'static str {
        Via::label_sv(&self.booked_via)
    }
    /// Whether cancelling now is possible, and whether it would be late.
    pub fn cancel_kind(&self, now: i64) -> Option<rules::CancelKind> {
        rules::cancellation(
            now,
            self.starts_at,
            self.cancellation_deadline_days,
            self.status(),
            self.promoted_at,
        )
        .ok()
    }
    pub fn when_local(&self) -> String {
        domain::sessions::format_local(self.starts_at)
    }
}

const BOOKING_SELECT: &str = "SELECT b.id, b.session_id, b.person_id, p.name AS person_name, p.email AS person_email, \
    p.municipality_id AS person_municipality_id, pm.name AS person_municipality, p.unit_id AS person_unit_id, \
    u.name AS person_unit, b.status, b.waitlist_seq, b.quota_municipality_id, b.support_needs, b.booked_by_account_id, \
    a.display_name AS booked_by, b.booked_via, b.booked_at, b.cancelled_at, b.promoted_at, b.hold_id, b.ics_sequence, \
    s.course_id, c.title AS course_title, s.starts_at, s.ends_at, s.venue, sm.name AS session_municipality, \
    s.status AS session_status, c.cancellation_deadline_days \
    FROM bookings b JOIN people p ON p.id = b.person_id JOIN municipalities pm ON pm.id = p.municipality_id \
    LEFT JOIN units u ON u.id = p.unit_id LEFT JOIN accounts a ON a.id = b.booked_by_account_id \
    JOIN sessions s ON s.id = b.session_id JOIN courses c ON c.id = s.course_id \
    JOIN municipalities sm ON sm.id = s.municipality_id";

async fn fill_positions(db: &Db, v: &mut [BookingView]) -> StoreResult<()> {
    for b in v.iter_mut().filter(|b| b.status == "waitlisted") {
        let ahead: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM bookings WHERE session_id = $1 AND status = 'waitlisted' AND waitlist_seq < $2",
        )
        .bind(b.session_id)
        .bind(b.waitlist_seq.unwrap_or(0))
        .fetch_one(db.pool())
        .await?;
        b.waitlist_position = Some(ahead + 1);
    }
    Ok(())
}

/// Whether `token` is the live one-click decline link of the booking (the
/// link stops working once used). Says nothing about unknown bookings.
pub async fn decline_link_valid(db: &Db, booking_id: i64, token: &str) -> StoreResult<bool> {
    link_valid(db, "bookings", booking_id, token).await
}

/// Whether `token` is the live link of an offered place.
pub async fn offer_link_valid(db: &Db, hold_id: i64, token: &str) -> StoreResult<bool> {
    link_valid(db, "session_holds", hold_id, token).await
}

async fn link_valid(db: &Db, table: &str, id: i64, token: &str) -> StoreResult<bool> {
    let token = token.trim();
    if token.is_empty() {
        return Ok(false);
    }
    let stored: Option<Option<String>> =
        sqlx::query_scalar(&format!("SELECT token_hash FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    Ok(stored.flatten().as_deref() == Some(crate::accounts::hash_secret(token).as_str()))
}

pub async fn get(db: &Db, id: i64) -> StoreResult<BookingView> {
    let mut v: Vec<BookingView> = sqlx::query_as(&format!("{BOOKING_SELECT} WHERE b.id = $1"))
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    fill_positions(db, &mut v).await?;
    v.pop().ok_or(StoreError::NotFound("anmälan"))
}

/// A person's bookings, upcoming first then past, newest first within each.
pub async fn for_person(db: &Db, person_id: i64) -> StoreResult<Vec<BookingView>> {
    let mut v: Vec<BookingView> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE b.person_id = $1 ORDER BY s.starts_at DESC, b.id DESC"
    ))
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    fill_positions(db, &mut v).await?;
    Ok(v)
}

/// Everyone on a session: booked first (by time booked), then the waiting
/// list in order, then cancelled.
pub async fn for_session(db: &Db, session_id: i64) -> StoreResult<Vec<BookingView>> {
    let mut v: Vec<BookingView> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE b.session_id = $1 ORDER BY \
         CASE WHEN b.status IN ('booked', 'attended', 'absent') THEN 0 WHEN b.status = 'waitlisted' THEN 1 ELSE 2 END, \
         b.waitlist_seq, b.booked_at, b.id"
    ))
    .bind(session_id)
    .fetch_all(db.pool())
    .await?;
    let mut pos = 0;
    for b in v.iter_mut() {
        if b.status == "waitlisted" {
            pos += 1;
            b.waitlist_position = Some(pos);
        }
    }
    Ok(v)
}

/// Bookings of people in the given units on upcoming sessions (a manager's view).
pub async fn for_units(db: &Db, unit_ids: &[i64], from: i64) -> StoreResult<Vec<BookingView>> {
    if unit_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids = unit_ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut v: Vec<BookingView> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE p.unit_id IN ({ids}) AND s.ends_at > $1 AND b.status IN {LIVE} ORDER BY s.starts_at, p.name"
    ))
    .bind(from)
    .fetch_all(db.pool())
    .await?;
    fill_positions(db, &mut v).await?;
    Ok(v)
}

// Calendar feeds ----------------------------------------------------------------------

/// The secret token of a person's calendar feed, created on first use.
pub async fn feed_token(db: &Db, person_id: i64) -> StoreResult<String> {
    if let Some(t) =
        sqlx::query_scalar::<_, String>("SELECT token FROM calendar_feeds WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?
    {
        return Ok(t);
    }
    renew_feed_token(db, person_id).await
}

/// Replace the token (the old link stops working).
pub async fn renew_feed_token(db: &Db, person_id: i64) -> StoreResult<String> {
    let token = crate::accounts::new_secret();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM calendar_feeds WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO calendar_feeds (person_id, token, created_at) VALUES ($1, $2, $3)")
        .bind(person_id)
        .bind(&token)
        .bind(crate::time::now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(token)
}

/// The person a feed token belongs to, while the feed may still be read:
/// not once the person has left (inactive) or an account of theirs has been
/// deactivated (rule 8: someone who leaves loses access at once).
pub async fn person_for_feed(db: &Db, token: &str) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT f.person_id FROM calendar_feeds f JOIN people p ON p.id = f.person_id \
         WHERE f.token = $1 AND p.active = 1 \
         AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id AND a.active <> 1)",
    )
    .bind(token.trim())
    .fetch_optional(db.pool())
    .await?)
}

/// A person's booked sessions with their parts (for the personal feed).
pub async fn person_calendar(
    db: &Db,
    person_id: i64,
) -> StoreResult<Vec<(BookingView, SessionText)>> {
    let rows: Vec<BookingView> = sqlx::query_as(&format!(
        "{BOOKING_SELECT} WHERE b.person_id = $1 AND b.status IN ('booked', 'attended', 'absent') ORDER BY s.starts_at"
    ))
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    let mut out = vec![];
    let mut conn = db.pool().acquire().await?;
    for b in rows {
        let r = sess::row(&mut conn, b.session_id, "").await?;
        let parts = sess::parts(&mut conn, b.session_id).await?;
        out.push((b, r.text(&parts)));
    }
    Ok(out)
}

/// Where a person belongs, for the access decision before booking (one
/// indexed lookup; None when there is no such person).
pub async fn person_ref(db: &Db, person_id: i64) -> StoreResult<Option<domain::access::PersonRef>> {
    let row = sqlx::query("SELECT id, unit_id, municipality_id FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| domain::access::PersonRef {
        person_id: r.get(0),
        unit_id: r.get(1),
        municipality_id: r.get(2),
    }))
}
